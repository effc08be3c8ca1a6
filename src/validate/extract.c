/* extract.c: finds the example dialogues in specification text.
 *
 * A protocol line is one whose first non-blank text is "C:" or "S:"
 * (optionally after "Example:", which also starts a new dialogue).  A
 * dialogue runs until prose, a Markdown fence or the end; blank lines and
 * RFC page breaks (form feed, "[Page N]" footer, running header) do not
 * end it.  A line indented deeper than the last marker and directly after
 * it is a wrapped continuation, joined with one space.  After "{N}" the
 * following lines of the same direction are literal data, then the next
 * one is the rest of the logical line.  Typographic characters are
 * reported here (the only place that sees them) and replaced by ASCII.
 */
#include "validate_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NO_LINE ((size_t)-1)

typedef struct literal_state {
    bool in_data;        /* collecting literal data lines */
    bool want_rest;      /* literal done: next line continues the logical line */
    size_t announced;    /* N of {N} */
    size_t collected;
    size_t count_off;    /* offset of N's digits in the logical line */
    size_t count_len;
} literal_state;

typedef struct extractor {
    ic_val_doc *doc;
    ic_val_report *rep;
    bool in_dialogue;
    size_t open[2];          /* open logical line per direction (0 = C, 1 = S) */
    literal_state lit[2];
    int last_dir;
    unsigned marker_col;     /* column of the last C:/S: marker */
    bool wrap_allowed;       /* the previous source line was a protocol line */
    bool skip_header;        /* after a form feed the next text line is a running header */
    unsigned lineno;
} extractor;

typedef struct src_line {
    const uint8_t *p;
    size_t n;
    unsigned lineno;
} src_line;

static int dir_index(char dir) { return dir == 'C' ? 0 : 1; }

static ic_val_dialogue *cur_dialogue(extractor *x) { return &x->doc->dialogues[x->doc->n - 1]; }

static bool is_blank(uint8_t c) { return c == ' ' || c == '\t'; }

/* Character column of byte offset off in a source line. */
static unsigned col_of(const src_line *s, size_t off)
{
    unsigned col = 1;
    for (size_t i = 0; i < off && i < s->n; i++)
        if ((s->p[i] & 0xc0) != 0x80)
            col++;
    return col;
}

/* Appends source bytes [off, end) to a logical line: one position per
 * character, typographic characters reported and replaced. */
static int append_source(extractor *x, ic_val_line *l, const src_line *s, size_t off, size_t end)
{
    unsigned col = col_of(s, off);
    for (size_t i = off; i < end; col++) {
        ic_val_pos at = { s->lineno, col };
        uint32_t cp = 0;
        size_t len = ic_val_utf8_decode(s->p + i, end - i, &cp);
        if (len == 0) {
            /* Not UTF-8: most likely a Windows-1252 export; kept as is. */
            if (ic_val_report_add(x->rep, at, IC_VAL_WARNING, x->doc->n - 1, "encoding",
                                  "byte 0x%02X is not UTF-8 (a Windows-1252 export?)",
                                  s->p[i]) != IC_OK ||
                ic_val_line_append(l, s->p + i, 1, at) != IC_OK)
                return IC_ERR_NOMEM;
            i++;
            continue;
        }
        const ic_val_typo *t = ic_val_typo_find(cp);
        int rc;
        if (t) {
            char ch[8] = { 0 };
            memcpy(ch, s->p + i, len);
            rc = ic_val_report_add(x->rep, at, IC_VAL_ERROR, x->doc->n - 1, "typography",
                                   "U+%04X %s (%s) is not IMAP syntax; %s%s%s", (unsigned)cp,
                                   t->name, ch, *t->ascii ? "write ASCII " : "delete it",
                                   strcmp(t->ascii, " ") == 0 ? "SP" : t->ascii,
                                   *t->ascii ? " instead" : "");
            if (rc == IC_OK)
                rc = ic_val_line_append(l, t->ascii, strlen(t->ascii), at);
        } else {
            rc = ic_val_line_append(l, s->p + i, len, at);
        }
        if (rc != IC_OK)
            return rc;
        i += len;
    }
    return IC_OK;
}

static int end_of_line_pos(ic_val_line *l, ic_val_pos *at)
{
    *at = ic_val_line_pos(l, l->text.len);
    if (l->text.len)
        at->col++;
    return IC_OK;
}

static int complete_line(extractor *x, int d)
{
    if (x->open[d] == NO_LINE)
        return IC_OK;
    ic_val_line *l = &cur_dialogue(x)->lines[x->open[d]];
    x->open[d] = NO_LINE;
    if (x->lit[d].in_data) {
        ic_val_pos at = ic_val_line_pos(l, x->lit[d].count_off);
        if (ic_val_report_add(x->rep, at, IC_VAL_WARNING, x->doc->n - 1, "literal",
                              "literal of %zu bytes ends with the example after %zu bytes",
                              x->lit[d].announced, x->lit[d].collected) != IC_OK)
            return IC_ERR_NOMEM;
    }
    memset(&x->lit[d], 0, sizeof x->lit[d]);
    ic_val_pos at;
    end_of_line_pos(l, &at);
    l->complete = true;
    return ic_val_line_append(l, "\r\n", 2, at);
}

static int end_dialogue(extractor *x)
{
    if (!x->in_dialogue)
        return IC_OK;
    /* Complete in source order so positions stay meaningful. */
    if (complete_line(x, 0) != IC_OK || complete_line(x, 1) != IC_OK)
        return IC_ERR_NOMEM;
    x->in_dialogue = false;
    x->wrap_allowed = false;
    return IC_OK;
}

static int start_dialogue(extractor *x)
{
    if (end_dialogue(x) != IC_OK)
        return IC_ERR_NOMEM;
    ic_val_doc *doc = x->doc;
    if (doc->n == doc->alloc) {
        size_t n = doc->alloc ? doc->alloc * 2 : 8;
        ic_val_dialogue *p = realloc(doc->dialogues, n * sizeof *p);
        if (!p)
            return IC_ERR_NOMEM;
        doc->dialogues = p;
        doc->alloc = n;
    }
    memset(&doc->dialogues[doc->n++], 0, sizeof(ic_val_dialogue));
    x->in_dialogue = true;
    x->open[0] = x->open[1] = NO_LINE;
    return IC_OK;
}

static ic_val_line *new_line(extractor *x, char dir, ic_val_pos start)
{
    ic_val_dialogue *d = cur_dialogue(x);
    if (d->n == d->alloc) {
        size_t n = d->alloc ? d->alloc * 2 : 8;
        ic_val_line *p = realloc(d->lines, n * sizeof *p);
        if (!p)
            return NULL;
        d->lines = p;
        d->alloc = n;
    }
    ic_val_line *l = &d->lines[d->n++];
    memset(l, 0, sizeof *l);
    ic_buf_init(&l->text, 0);
    l->dir = dir;
    l->start = start;
    x->open[dir_index(dir)] = d->n - 1;
    return l;
}

/* If the logical line now ends in {N}, {N+} or ~{N}, starts literal mode
 * and ends the line's first part with its CRLF. */
static int maybe_start_literal(extractor *x, int d, ic_val_line *l)
{
    const uint8_t *t = l->text.data;
    size_t n = l->text.len;
    if (n < 3 || t[n - 1] != '}')
        return IC_OK;
    size_t end = n - 1;
    if (t[end - 1] == '+' || t[end - 1] == '-')   /* LITERAL+ / LITERAL- */
        end--;
    size_t start = end;
    while (start > 0 && isdigit(t[start - 1]))
        start--;
    if (start == end || start == 0 || t[start - 1] != '{' || end - start > 9)
        return IC_OK;
    literal_state *ls = &x->lit[d];
    memset(ls, 0, sizeof *ls);
    ls->announced = strtoul((const char *)t + start, NULL, 10);
    ls->count_off = start;
    ls->count_len = end - start;
    ls->in_data = ls->announced > 0;
    ls->want_rest = ls->announced == 0;
    ic_val_pos at;
    end_of_line_pos(l, &at);
    return ic_val_line_append(l, "\r\n", 2, at);
}

/* Hand-written examples rarely count right; the rest is checked as if the
 * count matched what the example shows. */
static int correct_literal_count(extractor *x, int d)
{
    literal_state *ls = &x->lit[d];
    ic_val_line *l = &cur_dialogue(x)->lines[x->open[d]];
    ic_val_pos at = ic_val_line_pos(l, ls->count_off);
    char digits[24];
    snprintf(digits, sizeof digits, "%zu", ls->collected);
    if (ic_val_report_add(x->rep, at, IC_VAL_WARNING, x->doc->n - 1, "literal",
                          "literal announces %zu bytes but the example carries %zu "
                          "(counting CRLF line ends)",
                          ls->announced, ls->collected) != IC_OK)
        return IC_ERR_NOMEM;
    return ic_val_line_replace(l, ls->count_off, ls->count_len, digits);
}

/* A line from the other side that is not "+" means the literal of d is
 * over (the sender was still sending it); ends it where the example did. */
static int end_literal_early(extractor *x, int d)
{
    if (!x->lit[d].in_data || x->open[d] == NO_LINE)
        return IC_OK;
    x->lit[d].in_data = false;
    if (correct_literal_count(x, d) != IC_OK)
        return IC_ERR_NOMEM;
    return complete_line(x, d);
}

/* One data line of a literal: its bytes plus CRLF. */
static int add_literal_data(extractor *x, int d, const src_line *s, size_t off)
{
    literal_state *ls = &x->lit[d];
    ic_val_line *l = &cur_dialogue(x)->lines[x->open[d]];
    if (append_source(x, l, s, off, s->n) != IC_OK)
        return IC_ERR_NOMEM;
    ic_val_pos at;
    end_of_line_pos(l, &at);
    if (ic_val_line_append(l, "\r\n", 2, at) != IC_OK)
        return IC_ERR_NOMEM;
    ls->collected += s->n - off + 2;
    if (ls->collected < ls->announced)
        return IC_OK;
    ls->in_data = false;
    ls->want_rest = true;
    return ls->collected == ls->announced ? IC_OK : correct_literal_count(x, d);
}

static bool is_elision(const uint8_t *p, size_t n)
{
    while (n > 0 && is_blank(p[n - 1]))
        n--;
    if (n == 3 && memcmp(p, "...", 3) == 0)
        return true;
    if (n == 5 && memcmp(p, "[...]", 5) == 0)
        return true;
    if (n == 3 && memcmp(p, "\xe2\x80\xa6", 3) == 0)
        return true;
    return n >= 2 && p[0] == '<' && p[n - 1] == '>';   /* <server closes connection> */
}

/* A protocol line: marker at byte offset m, direction dir. */
static int protocol_line(extractor *x, const src_line *s, size_t m, char dir, bool new_example)
{
    int d = dir_index(dir);
    if ((!x->in_dialogue || new_example) && start_dialogue(x) != IC_OK)
        return IC_ERR_NOMEM;
    size_t off = m + 2;
    if (off < s->n && is_blank(s->p[off]))
        off++;                                  /* the one space after "C:" */
    x->marker_col = col_of(s, m);
    x->last_dir = d;
    x->wrap_allowed = true;
    if (x->lit[d].in_data)
        return add_literal_data(x, d, s, off);
    bool continuation_request = d == 1 && off < s->n && s->p[off] == '+';
    if (!continuation_request && end_literal_early(x, 1 - d) != IC_OK)
        return IC_ERR_NOMEM;
    ic_val_line *l;
    if (x->lit[d].want_rest) {
        x->lit[d].want_rest = false;
        l = &cur_dialogue(x)->lines[x->open[d]];
    } else {
        /* A new line of either direction ends a wrapped line of the other,
         * unless that one waits for literal data (APPEND ... {N} / "+"). */
        int other = 1 - d;
        if (complete_line(x, d) != IC_OK)
            return IC_ERR_NOMEM;
        if (!x->lit[other].in_data && !x->lit[other].want_rest &&
            complete_line(x, other) != IC_OK)
            return IC_ERR_NOMEM;
        while (off < s->n && is_blank(s->p[off]))
            off++;
        if (!(l = new_line(x, dir, (ic_val_pos){ s->lineno, col_of(s, off) })))
            return IC_ERR_NOMEM;
        if (is_elision(s->p + off, s->n - off)) {
            l->elided = true;
            if (append_source(x, l, s, off, s->n) != IC_OK)
                return IC_ERR_NOMEM;
            return complete_line(x, d);
        }
    }
    if (append_source(x, l, s, off, s->n) != IC_OK)
        return IC_ERR_NOMEM;
    return maybe_start_literal(x, d, l);
}

/* A wrapped continuation of the last protocol line: joined with one space. */
static int wrapped_line(extractor *x, const src_line *s, size_t first)
{
    ic_val_line *l = &cur_dialogue(x)->lines[x->open[x->last_dir]];
    ic_val_pos at = { s->lineno, col_of(s, first) };
    if (ic_val_line_append(l, " ", 1, at) != IC_OK || append_source(x, l, s, first, s->n) != IC_OK)
        return IC_ERR_NOMEM;
    return maybe_start_literal(x, x->last_dir, l);
}

static bool ends_with_page_footer(const src_line *s)
{
    size_t n = s->n;
    while (n > 0 && is_blank(s->p[n - 1]))
        n--;
    if (n < 8 || s->p[n - 1] != ']')
        return false;
    size_t i = n - 1;
    while (i > 0 && isdigit(s->p[i - 1]))
        i--;
    return i >= 6 && i < n - 1 && memcmp(s->p + i - 6, "[Page ", 6) == 0;
}

/* Finds "C:"/"S:" at the start of the text (after an optional "Example:"
 * label).  Returns the marker offset or NO_LINE. */
static size_t find_marker(const src_line *s, size_t first, bool *new_example)
{
    size_t i = first;
    *new_example = false;
    static const char *labels[] = { "Example:", "Examples:" };
    for (size_t k = 0; k < 2; k++) {
        size_t ll = strlen(labels[k]);
        if (s->n - i > ll && strncasecmp((const char *)s->p + i, labels[k], ll) == 0 &&
            is_blank(s->p[i + ll])) {
            i += ll;
            while (i < s->n && is_blank(s->p[i]))
                i++;
            *new_example = true;
            break;
        }
    }
    if (s->n - i < 2 || (s->p[i] != 'C' && s->p[i] != 'S') || s->p[i + 1] != ':')
        return NO_LINE;
    if (i + 2 < s->n && !is_blank(s->p[i + 2]))
        return NO_LINE;
    return i;
}

static bool is_fence(const src_line *s, size_t first)
{
    return s->n - first >= 3 &&
           (memcmp(s->p + first, "```", 3) == 0 || memcmp(s->p + first, "~~~", 3) == 0);
}

static int one_line(extractor *x, const src_line *s)
{
    if (memchr(s->p, '\f', s->n)) {
        const uint8_t *ff = memchr(s->p, '\f', s->n);
        size_t rest = s->n - (size_t)(ff - s->p) - 1;
        bool text_after = false;
        for (size_t i = 0; i < rest; i++)
            text_after |= !is_blank(ff[1 + i]);
        x->skip_header = !text_after;   /* "\fRFC 7162 ... May 2014" is the header itself */
        x->wrap_allowed = false;
        return IC_OK;
    }
    size_t first = 0;
    while (first < s->n && is_blank(s->p[first]))
        first++;
    if (first == s->n) {
        x->wrap_allowed = false;
        return IC_OK;
    }
    if (x->skip_header || ends_with_page_footer(s)) {
        x->skip_header = false;
        x->wrap_allowed = false;
        return IC_OK;
    }
    if (is_fence(s, first))
        return end_dialogue(x);
    bool new_example;
    size_t m = find_marker(s, first, &new_example);
    if (m != NO_LINE)
        return protocol_line(x, s, m, s->p[m], new_example);
    if (x->in_dialogue && x->wrap_allowed && col_of(s, first) > x->marker_col &&
        x->open[x->last_dir] != NO_LINE && !x->lit[x->last_dir].in_data)
        return wrapped_line(x, s, first);
    return end_dialogue(x);   /* prose */
}

int ic_val_extract(ic_bytes text, ic_val_doc *doc, ic_val_report *rep)
{
    extractor x;
    memset(&x, 0, sizeof x);
    x.doc = doc;
    x.rep = rep;
    x.open[0] = x.open[1] = NO_LINE;
    size_t start = 0;
    unsigned lineno = 1;
    while (start < text.len) {
        const uint8_t *nl = memchr(text.ptr + start, '\n', text.len - start);
        size_t end = nl ? (size_t)(nl - text.ptr) : text.len;
        src_line s = { text.ptr + start, end - start, lineno };
        if (s.n > 0 && s.p[s.n - 1] == '\r')
            s.n--;
        if (one_line(&x, &s) != IC_OK)
            return IC_ERR_NOMEM;
        start = end + 1;
        lineno++;
    }
    return end_dialogue(&x);
}
