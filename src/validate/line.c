/* line.c: logical protocol lines with a source position per byte, the
 * diagnostic list, and the typographic-character table. */
#include "validate_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve_pos(ic_val_line *l, size_t need)
{
    if (need <= l->npos_alloc)
        return IC_OK;
    size_t n = l->npos_alloc ? l->npos_alloc : 64;
    while (n < need)
        n *= 2;
    ic_val_pos *p = realloc(l->pos, n * sizeof *p);
    if (!p)
        return IC_ERR_NOMEM;
    l->pos = p;
    l->npos_alloc = n;
    return IC_OK;
}

int ic_val_line_append(ic_val_line *l, const void *bytes, size_t n, ic_val_pos at)
{
    if (reserve_pos(l, l->text.len + n) != IC_OK)
        return IC_ERR_NOMEM;
    size_t old = l->text.len;
    if (ic_buf_append(&l->text, bytes, n) != IC_OK)
        return IC_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        l->pos[old + i] = at;
    return IC_OK;
}

/* Replaces text[off, off+oldlen) by with; the new bytes take the position
 * of the first replaced byte (used to correct a literal's count). */
int ic_val_line_replace(ic_val_line *l, size_t off, size_t oldlen, const char *with)
{
    size_t wl = strlen(with), tail = l->text.len - off - oldlen;
    ic_val_pos at = ic_val_line_pos(l, off);
    if (reserve_pos(l, l->text.len + wl) != IC_OK || ic_buf_reserve(&l->text, wl) != IC_OK)
        return IC_ERR_NOMEM;
    memmove(l->text.data + off + wl, l->text.data + off + oldlen, tail);
    memmove(l->pos + off + wl, l->pos + off + oldlen, tail * sizeof *l->pos);
    memcpy(l->text.data + off, with, wl);
    for (size_t i = 0; i < wl; i++)
        l->pos[off + i] = at;
    l->text.len = off + wl + tail;
    l->text.data[l->text.len] = 0;
    return IC_OK;
}

ic_val_pos ic_val_line_pos(const ic_val_line *l, size_t off)
{
    if (l->text.len == 0)
        return l->start;
    if (off >= l->text.len)
        off = l->text.len - 1;
    return l->pos[off];
}

void ic_val_line_free(ic_val_line *l)
{
    ic_buf_free(&l->text);
    free(l->pos);
    memset(l, 0, sizeof *l);
}

void ic_val_doc_free(ic_val_doc *doc)
{
    for (size_t i = 0; i < doc->n; i++) {
        for (size_t j = 0; j < doc->dialogues[i].n; j++)
            ic_val_line_free(&doc->dialogues[i].lines[j]);
        free(doc->dialogues[i].lines);
    }
    free(doc->dialogues);
    memset(doc, 0, sizeof *doc);
}

/* ---- diagnostics ---- */

int ic_val_report_add(ic_val_report *rep, ic_val_pos at, ic_val_severity sev, size_t dialogue,
                      const char *rule, const char *fmt, ...)
{
    if (rep->n == rep->alloc) {
        size_t n = rep->alloc ? rep->alloc * 2 : 16;
        ic_val_diag *p = realloc(rep->items, n * sizeof *p);
        if (!p)
            return IC_ERR_NOMEM;
        rep->items = p;
        rep->alloc = n;
    }
    ic_val_diag *d = &rep->items[rep->n++];
    memset(d, 0, sizeof *d);
    d->at = at;
    d->severity = sev;
    d->dialogue = dialogue;
    snprintf(d->rule, sizeof d->rule, "%s", rule);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
    if (sev == IC_VAL_ERROR)
        rep->errors++;
    else
        rep->warnings++;
    return IC_OK;
}

static int diag_cmp(const void *a, const void *b)
{
    const ic_val_diag *x = a, *y = b;
    if (x->at.line != y->at.line)
        return x->at.line < y->at.line ? -1 : 1;
    if (x->at.col != y->at.col)
        return x->at.col < y->at.col ? -1 : 1;
    return 0;
}

void ic_val_report_sort(ic_val_report *rep)
{
    /* Insertion sort: stable, so diagnostics at one position keep check order. */
    for (size_t i = 1; i < rep->n; i++) {
        ic_val_diag d = rep->items[i];
        size_t j = i;
        while (j > 0 && diag_cmp(&rep->items[j - 1], &d) > 0) {
            rep->items[j] = rep->items[j - 1];
            j--;
        }
        rep->items[j] = d;
    }
}

void ic_val_report_free(ic_val_report *rep)
{
    free(rep->items);
    memset(rep, 0, sizeof *rep);
}

int ic_val_diag_format(const ic_val_diag *d, const char *file, ic_buf *out)
{
    return ic_buf_printf(out, "%s:%u:%u: %s: %s [%s]\n", file, d->at.line, d->at.col,
                         d->severity == IC_VAL_ERROR ? "error" : "warning", d->message, d->rule);
}

/* ---- characters ---- */

size_t ic_val_utf8_decode(const uint8_t *p, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    size_t len = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 ? 3 : p[0] >= 0xc2 ? 2 : 0;
    if (len == 0 || p[0] > 0xf4 || len > n)
        return 0;
    uint32_t v = p[0] & (0x7f >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (p[i] & 0x3f);
    }
    static const uint32_t min_for_len[] = { 0, 0, 0x80, 0x800, 0x10000 };
    if (v < min_for_len[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

/* The characters word processors substitute while people type ASCII. */
static const ic_val_typo typos[] = {
    { 0x00A0, "NO-BREAK SPACE", " " },
    { 0x00AB, "LEFT-POINTING DOUBLE ANGLE QUOTATION MARK", "\"" },
    { 0x00BB, "RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK", "\"" },
    { 0x2002, "EN SPACE", " " },
    { 0x2003, "EM SPACE", " " },
    { 0x2009, "THIN SPACE", " " },
    { 0x200B, "ZERO WIDTH SPACE", "" },
    { 0x2010, "HYPHEN", "-" },
    { 0x2011, "NON-BREAKING HYPHEN", "-" },
    { 0x2012, "FIGURE DASH", "-" },
    { 0x2013, "EN DASH", "-" },
    { 0x2014, "EM DASH", "-" },
    { 0x2018, "LEFT SINGLE QUOTATION MARK", "'" },
    { 0x2019, "RIGHT SINGLE QUOTATION MARK", "'" },
    { 0x201A, "SINGLE LOW-9 QUOTATION MARK", "'" },
    { 0x201C, "LEFT DOUBLE QUOTATION MARK", "\"" },
    { 0x201D, "RIGHT DOUBLE QUOTATION MARK", "\"" },
    { 0x201E, "DOUBLE LOW-9 QUOTATION MARK", "\"" },
    { 0x2026, "HORIZONTAL ELLIPSIS", "..." },
    { 0x202F, "NARROW NO-BREAK SPACE", " " },
    { 0x2032, "PRIME", "'" },
    { 0x2033, "DOUBLE PRIME", "\"" },
    { 0x2212, "MINUS SIGN", "-" },
    { 0xFEFF, "ZERO WIDTH NO-BREAK SPACE (BOM)", "" },
};

const ic_val_typo *ic_val_typo_find(uint32_t cp)
{
    for (size_t i = 0; i < sizeof typos / sizeof typos[0]; i++)
        if (typos[i].cp == cp)
            return &typos[i];
    return NULL;
}
