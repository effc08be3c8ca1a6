/* reader.c: frames a byte stream into whole IMAP responses (see ic_reader.h).
 *
 * The buffer holds [start, end): the response being framed starts at start.
 * Scanning state is kept across reads (relative to start), so a response
 * that arrives one byte at a time is still scanned once, and responses are
 * consumed by moving start rather than by moving memory.
 */
#include "ic_reader.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_MIN        4096u               /* smallest free room offered to a read */
#define SHRINK_ABOVE    (1024u * 1024)      /* give back a buffer this big once it is empty */
#define DIGITS_SHOWN    40                  /* of an absurd literal count, in messages */

struct ic_reader {
    ic_source src;
    ic_limits limits;
    uint8_t *buf;
    size_t alloc;
    size_t start;        /* first byte of the response being framed */
    size_t end;          /* end of the bytes read so far */
    size_t returned;     /* length of the response handed out last; dropped on the next call */
    /* Framing state of the current response, relative to start. */
    size_t scan;         /* next byte to examine; past the data while inside a literal */
    size_t seg_start;    /* first byte of the current line segment */
    size_t line_total;   /* line bytes (without CRLF) of the completed segments */
    size_t nliterals;
    bool lf_only;
};

ic_reader *ic_reader_new(ic_source src, const ic_limits *limits)
{
    ic_reader *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->src = src;
    if (limits)
        r->limits = *limits;
    else
        ic_limits_default(&r->limits);
    return r;
}

void ic_reader_free(ic_reader *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r);
}

static void reset_framing(ic_reader *r)
{
    r->scan = 0;
    r->seg_start = 0;
    r->line_total = 0;
    r->nliterals = 0;
    r->lf_only = false;
}

/* Drops the response returned by the previous call (it stayed valid until
 * now). */
static void drop_returned(ic_reader *r)
{
    r->start += r->returned;
    r->returned = 0;
    if (r->start < r->end)
        return;
    r->start = r->end = 0;
    if (r->alloc > SHRINK_ABOVE) {      /* do not keep a huge literal's buffer forever */
        free(r->buf);
        r->buf = NULL;
        r->alloc = 0;
    }
}

size_t ic_reader_buffered(const ic_reader *r)
{
    return r->end - r->start - r->returned;
}

size_t ic_reader_discard_buffered(ic_reader *r)
{
    size_t dropped = ic_reader_buffered(r);
    r->end = r->start + r->returned;    /* the last response stays valid */
    reset_framing(r);
    return dropped;
}

/* Makes room for at least want more bytes after end.  Compacts only when
 * the consumed prefix is at least as large as what must move, so the copying
 * stays linear in the bytes read. */
static int ensure_room(ic_reader *r, size_t want, ic_error *err)
{
    if (r->alloc - r->end >= want)
        return IC_OK;
    size_t live = r->end - r->start;
    if (r->start >= live && r->alloc - live >= want) {
        memmove(r->buf, r->buf + r->start, live);
        r->start = 0;
        r->end = live;
        return IC_OK;
    }
    if (want > SIZE_MAX / 2 - live)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory reading a response");
    size_t need = live + want;
    size_t n = r->alloc > SIZE_MAX / 2 ? SIZE_MAX : r->alloc * 2;
    if (n < need)
        n = need;
    uint8_t *p = malloc(n);
    if (!p)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory reading a response (%zu bytes)", n);
    if (live)
        memcpy(p, r->buf + r->start, live);
    free(r->buf);
    r->buf = p;
    r->alloc = n;
    r->start = 0;
    r->end = live;
    return IC_OK;
}

/* End of stream: clean between responses, an error inside one. */
static int eof_error(const ic_reader *r, int code, ic_error *err)
{
    size_t partial = r->end - r->start;
    if (!partial) {
        if (code == 0)
            return ic_fail(err, IC_ERR_EOF, "connection closed");
        return code;
    }
    char why[IC_ERROR_MSG_MAX];
    snprintf(why, sizeof why, "%s", err && code && err->msg[0] ? err->msg : "connection closed");
    return ic_fail(err, IC_ERR_EOF, "%s after a partial response (%zu bytes received)", why,
                   partial);
}

/* Reads more bytes from the source. */
static int fill(ic_reader *r, ic_error *err)
{
    size_t live = r->end - r->start;
    size_t want = READ_MIN;
    if (r->scan > live && r->scan - live > want)
        want = r->scan - live;           /* the rest of a literal, in one allocation */
    int rc = ensure_room(r, want, err);
    if (rc)
        return rc;
    size_t room = r->alloc - r->end;
    ssize_t got = r->src.read(r->src.ctx, r->buf + r->end, room, err);
    if (got == 0 || got == IC_ERR_EOF)
        return eof_error(r, (int)got, err);
    if (got < 0)
        return (int)got;
    if ((size_t)got > room)
        return ic_fail(err, IC_ERR_INTERNAL, "source returned %zd bytes for a %zu-byte read",
                       got, room);
    r->end += (size_t)got;
    return IC_OK;
}

/* If the line segment s ends in a literal announcement ({n}, ~{n}, or the
 * client-only {n+}, which is framed alike and left to the grammar check),
 * sets *digits to the count's digits. */
static bool literal_announcement(const uint8_t *s, size_t len, ic_bytes *digits)
{
    if (len < 3 || s[len - 1] != '}')
        return false;
    size_t i = len - 1;
    if (s[i - 1] == '+')
        i--;
    size_t digits_end = i;
    while (i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9')
        i--;
    if (i == digits_end || i == 0 || s[i - 1] != '{')
        return false;
    *digits = (ic_bytes){ s + i, digits_end - i };
    return true;
}

/* The count as a number; false when it does not fit (then over any cap). */
static bool literal_count(ic_bytes digits, size_t *n)
{
    size_t v = 0;
    for (size_t i = 0; i < digits.len; i++) {
        size_t d = (size_t)(digits.ptr[i] - '0');
        if (v > (SIZE_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *n = v;
    return true;
}

static int line_too_long(const ic_reader *r, ic_error *err)
{
    return ic_fail(err, IC_ERR_PROTOCOL, "server line longer than %zu bytes (raise --max-line)",
                   r->limits.max_line);
}

static int response_too_long(const ic_reader *r, ic_error *err)
{
    return ic_fail(err, IC_ERR_PROTOCOL,
                   "server response longer than %zu bytes with its literals (raise --max-literal)",
                   r->limits.max_response);
}

static int literal_too_big(const ic_reader *r, ic_bytes digits, ic_error *err)
{
    int shown = digits.len > DIGITS_SHOWN ? DIGITS_SHOWN : (int)digits.len;
    return ic_fail(err, IC_ERR_PROTOCOL,
                   "server announced a literal of %.*s%s bytes, over the %zu-byte cap "
                   "(raise --max-literal)",
                   shown, (const char *)digits.ptr, digits.len > DIGITS_SHOWN ? "..." : "",
                   r->limits.max_literal);
}

/* A line segment ends at the LF at p.  Returns 1 when that completes the
 * response (filling out), 0 when a literal follows, or an error. */
static int end_segment(ic_reader *r, size_t p, ic_raw_response *out, ic_error *err)
{
    const uint8_t *base = r->buf + r->start;
    size_t content_end = p;
    if (p > r->seg_start && base[p - 1] == '\r')
        content_end--;
    else
        r->lf_only = true;
    size_t seg_len = content_end - r->seg_start;
    if (seg_len > r->limits.max_line - r->line_total)
        return line_too_long(r, err);
    r->line_total += seg_len;
    if (p >= r->limits.max_response)
        return response_too_long(r, err);

    ic_bytes digits;
    if (!literal_announcement(base + r->seg_start, seg_len, &digits)) {
        out->bytes = (ic_bytes){ base, p + 1 };
        out->nliterals = r->nliterals;
        out->lf_only = r->lf_only;
        r->returned = p + 1;
        reset_framing(r);
        return 1;
    }
    size_t n;
    if (!literal_count(digits, &n) || n > r->limits.max_literal)
        return literal_too_big(r, digits, err);
    if (n > r->limits.max_response - (p + 1))
        return response_too_long(r, err);
    r->nliterals++;
    r->scan = r->seg_start = p + 1 + n;
    return 0;
}

/* Scans the bytes read so far.  Returns 1 with out filled when a response is
 * complete, 0 when more bytes are needed, or an error. */
static int scan(ic_reader *r, ic_raw_response *out, ic_error *err)
{
    size_t avail = r->end - r->start;
    if (r->scan >= avail)
        return 0;                        /* also keeps us off a NULL buffer */
    const uint8_t *base = r->buf + r->start;
    while (r->scan < avail) {
        const uint8_t *lf = memchr(base + r->scan, '\n', avail - r->scan);
        if (!lf) {
            r->scan = avail;
            /* The line cap applies before the line is complete, so a server
             * cannot make us buffer without bound (one byte of slack for a
             * CR that may precede the LF).  The response cap waits for the
             * LF, as the line cap bounds the wait: that way the error does
             * not depend on how the bytes were split into reads. */
            size_t open = avail - r->seg_start;
            if (open > 0 && open - 1 > r->limits.max_line - r->line_total)
                return line_too_long(r, err);
            return 0;
        }
        int rc = end_segment(r, (size_t)(lf - base), out, err);
        if (rc)
            return rc;
    }
    return 0;
}

int ic_reader_next(ic_reader *r, ic_raw_response *out, ic_error *err)
{
    drop_returned(r);
    for (;;) {
        int rc = scan(r, out, err);
        if (rc == 1)
            return IC_OK;
        if (rc)
            return rc;
        rc = fill(r, err);
        if (rc)
            return rc;
    }
}

ssize_t ic_mem_source_read(void *ctx, void *buf, size_t n, ic_error *err)
{
    ic_mem_source *m = ctx;
    if (m->pos >= m->len)
        return ic_fail(err, IC_ERR_EOF, "end of input (%zu bytes)", m->len);
    size_t k = m->len - m->pos;
    if (m->chunk && k > m->chunk)
        k = m->chunk;
    if (k > n)
        k = n;
    memcpy(buf, m->data + m->pos, k);
    m->pos += k;
    return (ssize_t)k;
}
