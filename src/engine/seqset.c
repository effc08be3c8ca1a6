/* seqset.c: IMAP sequence sets as ranges, never expanded (see ic_seqset.h).
 *
 * Counting rule for "*": for arithmetic (count, adjacency, nth_written) "*"
 * sits at position 4294967296, one above the largest number.  So "*" alone
 * counts 1, "1:*" counts 4294967296, "4294967295,*" coalesces to
 * "4294967295:*", and every position fits in 33 bits, so position + 1 never
 * overflows.  Stored values keep IC_SEQ_STAR (UINT64_MAX); since every stored
 * number is at most 4294967295, comparing stored values orders them exactly
 * as their positions do, so only arithmetic needs the position.
 */
#include "ic_seqset.h"
#include "ic_render.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEQ_NUMBER_MAX UINT64_C(4294967295)
#define STAR_POSITION (SEQ_NUMBER_MAX + 1)
#define ERROR_TEXT_SHOWN 64   /* bytes of the offending text quoted in errors */

/* The public struct has no room for "written as one bare number", which
 * ic_seqset_is_single needs ("5" versus "5:5"), so every set this module
 * hands out is one of these; ic_seqset_free frees it as such. */
typedef struct seqset_impl {
    ic_seqset pub;
    bool single;
} seqset_impl;

static uint64_t position_of(uint64_t value)
{
    return value == IC_SEQ_STAR ? STAR_POSITION : value;
}

static uint64_t value_at(uint64_t position)
{
    return position == STAR_POSITION ? IC_SEQ_STAR : position;
}

static ic_range ascending(ic_range r)
{
    return r.first <= r.last ? r : (ic_range){ r.last, r.first };
}

static uint64_t range_size(ic_range r)
{
    r = ascending(r);
    return position_of(r.last) - position_of(r.first) + 1;
}

static seqset_impl *impl_of(const ic_seqset *s)
{
    return (seqset_impl *)s;
}

/* ---- construction ---- */

static seqset_impl *new_set(size_t nranges)
{
    seqset_impl *impl = calloc(1, sizeof *impl);
    if (!impl)
        return NULL;
    size_t alloc = nranges ? nranges : 1;   /* malloc(0) may be NULL */
    impl->pub.written = malloc(alloc * sizeof(ic_range));
    impl->pub.norm = malloc(alloc * sizeof(ic_range));
    if (!impl->pub.written || !impl->pub.norm) {
        ic_seqset_free(&impl->pub);
        return NULL;
    }
    return impl;
}

void ic_seqset_free(ic_seqset *s)
{
    if (!s)
        return;
    free(s->written);
    free(s->norm);
    free(impl_of(s));
}

/* Appends r (ascending, not below the last kept range) to the normalised
 * view, merging it into the last range when they overlap or touch. */
static void push_norm(ic_seqset *s, ic_range r)
{
    if (s->nnorm > 0) {
        ic_range *tail = &s->norm[s->nnorm - 1];
        if (position_of(r.first) <= position_of(tail->last) + 1) {
            if (r.last > tail->last)
                tail->last = r.last;
            return;
        }
    }
    s->norm[s->nnorm++] = r;
}

static int compare_first(const void *a, const void *b)
{
    const ic_range *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

static void finish_norm(ic_seqset *s)
{
    s->has_star = s->nnorm > 0 && s->norm[s->nnorm - 1].last == IC_SEQ_STAR;
}

/* Builds the normalised view from the written ranges (norm has room for
 * nwritten ranges). */
static void normalise_written(ic_seqset *s)
{
    ic_range *sorted = s->norm;
    for (size_t i = 0; i < s->nwritten; i++)
        sorted[i] = ascending(s->written[i]);
    qsort(sorted, s->nwritten, sizeof *sorted, compare_first);
    /* push_norm only writes at or below the index it reads, so in place is safe */
    s->nnorm = 0;
    for (size_t i = 0; i < s->nwritten; i++)
        push_norm(s, sorted[i]);
    finish_norm(s);
}

/* A result of a set operation: ranges already sorted ascending; written
 * mirrors the normalised view. */
static ic_seqset *set_from_sorted(const ic_range *ranges, size_t n)
{
    seqset_impl *impl = new_set(n);
    if (!impl)
        return NULL;
    ic_seqset *s = &impl->pub;
    for (size_t i = 0; i < n; i++)
        push_norm(s, ranges[i]);
    finish_norm(s);
    memcpy(s->written, s->norm, s->nnorm * sizeof *s->norm);
    s->nwritten = s->nnorm;
    return s;
}

/* ---- parsing ---- */

typedef struct scanner {
    ic_bytes text;
    size_t pos;
    bool allow_zero;
    ic_error *err;
} scanner;

static int scan_fail(const scanner *sc, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int scan_fail(const scanner *sc, size_t offset, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    char *shown = ic_render_str(sc->text, ERROR_TEXT_SHOWN);
    int rc = ic_fail(sc->err, IC_ERR_USAGE, "sequence set \"%s\": %s at offset %zu",
                     shown ? shown : "?", what, offset);
    free(shown);
    return rc;
}

static bool at_digit(const scanner *sc, size_t pos)
{
    return pos < sc->text.len && sc->text.ptr[pos] >= '0' && sc->text.ptr[pos] <= '9';
}

/* Describes the byte at pos for an error ("end of text", "' '", "byte 0x00"). */
static void describe_byte(const scanner *sc, size_t pos, char *out, size_t outlen)
{
    if (pos >= sc->text.len) {
        snprintf(out, outlen, "end of text");
        return;
    }
    uint8_t c = sc->text.ptr[pos];
    if (c > ' ' && c < 0x7f)
        snprintf(out, outlen, "'%c'", c);
    else
        snprintf(out, outlen, "byte 0x%02X", c);
}

static int scan_number(scanner *sc, uint64_t *out)
{
    size_t start = sc->pos;
    /* RFC 3501 nz-number is digit-nz *DIGIT: no leading zero */
    if (sc->text.ptr[start] == '0' && at_digit(sc, start + 1))
        return scan_fail(sc, start, "leading zero in a number");
    uint64_t value = 0;
    while (at_digit(sc, sc->pos)) {
        value = value * 10 + (uint64_t)(sc->text.ptr[sc->pos] - '0');
        if (value > SEQ_NUMBER_MAX)   /* checked every digit, so no overflow */
            return scan_fail(sc, start, "number larger than 4294967295");
        sc->pos++;
    }
    if (value == 0 && !sc->allow_zero)
        return scan_fail(sc, start, "0 is not a sequence number (they start at 1)");
    *out = value;
    return IC_OK;
}

static int scan_member(scanner *sc, uint64_t *out)
{
    if (sc->pos < sc->text.len && sc->text.ptr[sc->pos] == '*') {
        sc->pos++;
        *out = IC_SEQ_STAR;
        return IC_OK;
    }
    if (at_digit(sc, sc->pos))
        return scan_number(sc, out);
    char found[32];
    describe_byte(sc, sc->pos, found, sizeof found);
    return scan_fail(sc, sc->pos, "expected a number or \"*\", found %s", found);
}

static size_t count_commas(ic_bytes text)
{
    size_t n = 0;
    for (size_t i = 0; i < text.len; i++)
        n += text.ptr[i] == ',';
    return n;
}

/* Reads the written ranges into s (which has room for one per comma + 1);
 * *saw_colon tells whether any range was written with ":". */
static int scan_ranges(scanner *sc, ic_seqset *s, bool *saw_colon)
{
    *saw_colon = false;
    for (;;) {
        ic_range r;
        int rc = scan_member(sc, &r.first);
        if (rc)
            return rc;
        r.last = r.first;
        bool is_range = sc->pos < sc->text.len && sc->text.ptr[sc->pos] == ':';
        if (is_range) {
            sc->pos++;
            *saw_colon = true;
            if ((rc = scan_member(sc, &r.last)))
                return rc;
        }
        s->written[s->nwritten++] = r;
        if (sc->pos == sc->text.len)
            return IC_OK;
        if (sc->text.ptr[sc->pos] != ',') {
            char found[32];
            describe_byte(sc, sc->pos, found, sizeof found);
            return scan_fail(sc, sc->pos, "expected \",\"%s, found %s",
                             is_range ? "" : " or \":\"", found);
        }
        sc->pos++;
    }
}

int ic_seqset_parse(ic_bytes text, bool allow_zero, ic_seqset **out, ic_error *err)
{
    *out = NULL;
    scanner sc = { text, 0, allow_zero, err };
    if (text.len == 0)
        return scan_fail(&sc, 0, "empty");
    seqset_impl *impl = new_set(count_commas(text) + 1);
    if (!impl)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory parsing a sequence set");
    bool saw_colon;
    int rc = scan_ranges(&sc, &impl->pub, &saw_colon);
    if (rc) {
        ic_seqset_free(&impl->pub);
        return rc;
    }
    impl->single = impl->pub.nwritten == 1 && !saw_colon;
    normalise_written(&impl->pub);
    *out = &impl->pub;
    return IC_OK;
}

/* ---- queries ---- */

uint64_t ic_seqset_count(const ic_seqset *s)
{
    uint64_t n = 0;   /* at most 4294967297 (0:* with allow_zero) */
    for (size_t i = 0; i < s->nnorm; i++)
        n += range_size(s->norm[i]);
    return n;
}

bool ic_seqset_min(const ic_seqset *s, uint64_t *out)
{
    if (s->nnorm == 0)
        return false;
    *out = s->norm[0].first;
    return true;
}

bool ic_seqset_max(const ic_seqset *s, uint64_t *out)
{
    if (s->nnorm == 0)
        return false;
    *out = s->norm[s->nnorm - 1].last;
    return true;
}

bool ic_seqset_contains(const ic_seqset *s, uint64_t v)
{
    /* numbers above 4294967295 are not sequence numbers; keep them from
     * aliasing "*" */
    if (v > SEQ_NUMBER_MAX && v != IC_SEQ_STAR)
        return false;
    size_t lo = 0, hi = s->nnorm;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->norm[mid].last < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->nnorm && s->norm[lo].first <= v;
}

bool ic_seqset_equal(const ic_seqset *a, const ic_seqset *b)
{
    if (a->nnorm != b->nnorm)
        return false;
    for (size_t i = 0; i < a->nnorm; i++)
        if (a->norm[i].first != b->norm[i].first || a->norm[i].last != b->norm[i].last)
            return false;
    return true;
}

bool ic_seqset_subset(const ic_seqset *a, const ic_seqset *b)
{
    /* b is coalesced, so each range of a must lie inside a single range of b */
    size_t j = 0;
    for (size_t i = 0; i < a->nnorm; i++) {
        ic_range r = a->norm[i];
        while (j < b->nnorm && b->norm[j].last < r.first)
            j++;
        if (j == b->nnorm || b->norm[j].first > r.first || b->norm[j].last < r.last)
            return false;
    }
    return true;
}

bool ic_seqset_is_single(const ic_seqset *s)
{
    return impl_of(s)->single;
}

bool ic_seqset_nth_written(const ic_seqset *s, uint64_t i, uint64_t *out)
{
    for (size_t k = 0; k < s->nwritten; k++) {
        ic_range r = s->written[k];
        uint64_t size = range_size(r);
        if (i < size) {
            /* RFC 4315 section 3: "12:10" is exactly "10:12", the sequence
             * 10,11,12; only the order of the comma-separated elements is
             * the writer's. */
            *out = value_at(position_of(ascending(r).first) + i);
            return true;
        }
        i -= size;
    }
    return false;
}

/* ---- operations ---- */

ic_seqset *ic_seqset_union(const ic_seqset *a, const ic_seqset *b)
{
    size_t n = a->nnorm + b->nnorm;
    ic_range *merged = malloc((n ? n : 1) * sizeof *merged);
    if (!merged)
        return NULL;
    size_t i = 0, j = 0, k = 0;
    while (i < a->nnorm || j < b->nnorm) {
        bool take_a = j == b->nnorm || (i < a->nnorm && a->norm[i].first <= b->norm[j].first);
        merged[k++] = take_a ? a->norm[i++] : b->norm[j++];
    }
    ic_seqset *u = set_from_sorted(merged, n);
    free(merged);
    return u;
}

/* Appends to pieces what is left of r (ascending) once b's ranges, from
 * index j on, are taken out. */
static size_t subtract_range(ic_range r, const ic_seqset *b, size_t j, ic_range *pieces)
{
    size_t n = 0;
    uint64_t from = position_of(r.first);
    uint64_t to = position_of(r.last);
    for (; j < b->nnorm && position_of(b->norm[j].first) <= to; j++) {
        uint64_t cut_first = position_of(b->norm[j].first);
        uint64_t cut_last = position_of(b->norm[j].last);
        if (cut_first > from)
            pieces[n++] = (ic_range){ value_at(from), value_at(cut_first - 1) };
        if (cut_last >= to)
            return n;
        from = cut_last + 1;
    }
    pieces[n++] = (ic_range){ value_at(from), value_at(to) };
    return n;
}

ic_seqset *ic_seqset_difference(const ic_seqset *a, const ic_seqset *b)
{
    /* each cut adds at most one piece, and a cut splits a range of a only
     * when it lies inside it: at most nnorm(a) + nnorm(b) pieces */
    size_t cap = a->nnorm + b->nnorm;
    ic_range *pieces = malloc((cap ? cap : 1) * sizeof *pieces);
    if (!pieces)
        return NULL;
    size_t n = 0, j = 0;
    for (size_t i = 0; i < a->nnorm; i++) {
        while (j < b->nnorm && b->norm[j].last < a->norm[i].first)
            j++;
        n += subtract_range(a->norm[i], b, j, pieces + n);
    }
    ic_seqset *d = set_from_sorted(pieces, n);
    free(pieces);
    return d;
}

static int format_value(uint64_t v, ic_buf *out)
{
    if (v == IC_SEQ_STAR)
        return ic_buf_append_str(out, "*");
    return ic_buf_printf(out, "%llu", (unsigned long long)v);
}

int ic_seqset_format(const ic_seqset *s, ic_buf *out)
{
    for (size_t i = 0; i < s->nnorm; i++) {
        ic_range r = s->norm[i];
        int rc = IC_OK;
        if (i > 0)
            rc = ic_buf_append_str(out, ",");
        if (!rc)
            rc = format_value(r.first, out);
        if (!rc && r.last != r.first) {
            rc = ic_buf_append_str(out, ":");
            if (!rc)
                rc = format_value(r.last, out);
        }
        if (rc)
            return rc;
    }
    return IC_OK;
}
