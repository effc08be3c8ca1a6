/* access.c: typed reading of tree nodes and the table-driven key dispatch.
 *
 * YAML 1.1 would read yes/no/on/off as booleans and 010 as octal; here only
 * plain "true"/"false" are booleans and only plain decimal digits are
 * numbers, so a quoted "true" or a "yes" is an error rather than a surprise.
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SC_MAX_KEYS 24     /* the largest key table */

const char *sc_type_name(sc_node_type t)
{
    switch (t) {
    case SC_SCALAR: return "single value";
    case SC_SEQUENCE: return "list";
    default: return "mapping";
    }
}

bool sc_is_null(const sc_node *n)
{
    return n->type == SC_SCALAR && n->style == SC_STYLE_PLAIN &&
           (n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0);
}

int sc_expect(const sc_doc *doc, const sc_node *n, sc_node_type t, const char *what, ic_error *err)
{
    if (n->type == t)
        return IC_OK;
    return sc_fail_node(doc, n, err, "%s must be a %s, not a %s", what, sc_type_name(t),
                        sc_type_name(n->type));
}

int sc_get_string(const sc_doc *doc, const sc_node *n, const char *what, bool allow_empty,
                  char **out, ic_error *err)
{
    int rc = sc_expect(doc, n, SC_SCALAR, what, err);
    if (rc)
        return rc;
    if (!allow_empty && (sc_is_null(n) || n->len == 0))
        return sc_fail_node(doc, n, err, "%s has no value", what);
    if (strlen(n->text) != n->len)
        return sc_fail_node(doc, n, err, "%s contains a NUL byte, which cannot be used here",
                            what);
    if (!(*out = strdup(n->text)))
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    return IC_OK;
}

int sc_get_bool(const sc_doc *doc, const sc_node *n, const char *what, bool *out, ic_error *err)
{
    int rc = sc_expect(doc, n, SC_SCALAR, what, err);
    if (rc)
        return rc;
    bool plain = n->style == SC_STYLE_PLAIN;
    if (plain && strcmp(n->text, "true") == 0)
        *out = true;
    else if (plain && strcmp(n->text, "false") == 0)
        *out = false;
    else
        return sc_fail_node(doc, n, err, "%s must be true or false (unquoted), not %s\"%s\"",
                            what, plain ? "" : "the string ", n->text);
    return IC_OK;
}

int sc_get_uint(const sc_doc *doc, const sc_node *n, const char *what, unsigned long max,
                unsigned long *out, ic_error *err)
{
    int rc = sc_expect(doc, n, SC_SCALAR, what, err);
    if (rc)
        return rc;
    bool digits = n->style == SC_STYLE_PLAIN && n->len > 0 && n->len <= 9 &&
                  strspn(n->text, "0123456789") == n->len && (n->text[0] != '0' || n->len == 1);
    unsigned long v = digits ? strtoul(n->text, NULL, 10) : 0;
    if (!digits || v > max)
        return sc_fail_node(doc, n, err, "%s must be a number from 0 to %lu (unquoted), not \"%s\"",
                            what, max, n->text);
    *out = v;
    return IC_OK;
}

void sc_free_strings(char **list, size_t n)
{
    for (size_t i = 0; list && i < n; i++)
        free(list[i]);
    free(list);
}

int sc_get_word_list(const sc_doc *doc, const sc_node *n, const char *what, char ***out,
                     size_t *count, ic_error *err)
{
    *out = NULL;
    *count = 0;
    if (sc_is_null(n))
        return IC_OK;
    int rc = sc_expect(doc, n, SC_SEQUENCE, what, err);
    if (rc)
        return rc;
    char **list = calloc(n->n + 1, sizeof *list);
    if (!list)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    size_t i = 0;
    for (; i < n->n && !rc; i++) {
        const sc_node *item = n->items[i];
        rc = sc_get_string(doc, item, what, false, &list[i], err);
        if (!rc && strpbrk(list[i], " \t\r\n"))
            rc = sc_fail_node(doc, item, err, "%s: \"%s\" is not one word", what, list[i]);
    }
    if (rc) {
        sc_free_strings(list, i);
        return rc;
    }
    *out = list;
    *count = n->n;
    return IC_OK;
}

/* ---- unknown words ---------------------------------------------------------- */

/* Edit distance, for "did you mean"; words longer than 31 bytes are never close. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 31 || lb > 31)
        return 99;
    size_t row[32];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

void sc_expected_list(char *out, size_t size, const char *got, const char *const *words, size_t n)
{
    size_t used = (size_t)snprintf(out, size, " (expected one of: ");
    const char *closest = NULL;
    size_t best = 3;   /* suggest only within two edits */
    for (size_t i = 0; i < n && used < size; i++) {
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? ", " : "", words[i]);
        size_t d = edit_distance(got, words[i]);
        if (d < best) {
            best = d;
            closest = words[i];
        }
    }
    if (used < size && closest)
        used += (size_t)snprintf(out + used, size - used, "; did you mean \"%s\"?", closest);
    if (used < size)
        snprintf(out + used, size - used, ")");
}

int sc_dispatch(const sc_doc *doc, const sc_node *map, const sc_key_handler *table, size_t n,
                void *ctx, const char *what, ic_error *err)
{
    int rc = sc_expect(doc, map, SC_MAPPING, what, err);
    if (rc)
        return rc;
    if (n > SC_MAX_KEYS)
        return ic_fail(err, IC_ERR_INTERNAL, "key table too large");
    const sc_node *keys[SC_MAX_KEYS] = { 0 }, *values[SC_MAX_KEYS] = { 0 };
    for (size_t i = 0; i < map->n; i++) {
        const sc_node *key = SC_KEY(map, i);
        size_t t = 0;
        while (t < n && strcmp(table[t].key, key->text) != 0)
            t++;
        if (t == n) {
            const char *words[SC_MAX_KEYS];
            for (size_t k = 0; k < n; k++)
                words[k] = table[k].key;
            char expected[600];
            sc_expected_list(expected, sizeof expected, key->text, words, n);
            return sc_fail_node(doc, key, err, "unknown key \"%s\" in %s%s", key->text, what,
                                expected);
        }
        keys[t] = key;
        values[t] = SC_VALUE(map, i);
    }
    /* What is written is checked before what is missing: an author fixing a
     * half-written file meets the errors in the lines already there first. */
    for (size_t t = 0; t < n && !rc; t++)
        if (keys[t])
            rc = table[t].fn(ctx, keys[t], values[t]);
    for (size_t t = 0; t < n && !rc; t++)
        if (table[t].required && !keys[t])
            rc = sc_fail_node(doc, map, err, "%s has no \"%s\" (a required key)", what,
                              table[t].key);
    return rc;
}

/* ---- names ------------------------------------------------------------------- */

bool sc_is_var_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool sc_is_var_name(const char *s, size_t n)
{
    if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!sc_is_var_char(s[i]))
            return false;
    return true;
}

bool sc_is_tag(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!sc_is_var_char(s[i]) && s[i] != '.' && s[i] != '-')
            return false;
    return true;
}

/* [A-Z][A-Z0-9]* ("-" [A-Z0-9]+)* "-" [0-9]+: QR-42, OMA-NOMS-01, LCS-07. */
bool sc_is_requirement_id(const char *s)
{
    static const char upper_digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    if (!(*s >= 'A' && *s <= 'Z'))
        return false;
    const char *last_dash = strrchr(s, '-');
    if (!last_dash || !last_dash[1] || strspn(last_dash + 1, "0123456789") != strlen(last_dash + 1))
        return false;
    for (const char *p = s; p < last_dash;) {
        size_t n = strspn(p, upper_digits);
        if (n == 0)
            return false;
        p += n;
        if (p < last_dash && *p++ != '-')
            return false;
    }
    return true;
}

size_t sc_find_var(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = strchr(text, '$'); p; p = strchr(p + 1, '$'))
        if (strncmp(p + 1, name, n) == 0 && !sc_is_var_char(p[1 + n]))
            return (size_t)(p - text);
    return 0;
}
