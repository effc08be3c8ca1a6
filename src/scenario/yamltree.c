/* yamltree.c: a YAML file to a small private tree, with caps.
 *
 * libyaml 0.2.5 has no nesting limit (deep flow nesting is quadratic),
 * accepts duplicate keys and resolves aliases to shared nodes (a cycle for a
 * naive walker), so the tree is built from the event API and enforces, as it
 * goes: the file size (fstat), IC_SCENARIO_MAX_DEPTH at each collection
 * start, IC_SCENARIO_MAX_NODES, no aliases, no duplicate keys, scalar keys
 * only and a single document.  libyaml's marks are 0-based; messages are
 * 1-based.  Reader errors (bad UTF-8) carry a byte offset instead of a mark,
 * so their line and column are computed from the bytes.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

/* ---- errors ---------------------------------------------------------------- */

static int vfail_at(const sc_doc *doc, int line, int col, ic_error *err, const char *fmt,
                    va_list ap)
{
    char what[IC_ERROR_MSG_MAX];
    vsnprintf(what, sizeof what, fmt, ap);
    return ic_fail(err, IC_ERR_SCENARIO, "%s:%d:%d: %s", doc->path, line, col, what);
}

int sc_fail_at(const sc_doc *doc, int line, int col, ic_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail_at(doc, line, col, err, fmt, ap);
    va_end(ap);
    return rc;
}

int sc_fail_node(const sc_doc *doc, const sc_node *node, ic_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail_at(doc, node->line, node->col, err, fmt, ap);
    va_end(ap);
    return rc;
}

static int nomem(ic_error *err)
{
    return ic_fail(err, IC_ERR_NOMEM, "out of memory reading a scenario file");
}

/* ---- positions ------------------------------------------------------------- */

static bool utf8_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* Byte offset of a 1-based (line, col) in the source, counting columns in
 * characters as libyaml does. */
static size_t src_offset(const sc_doc *doc, int line, int col)
{
    size_t i = 0;
    for (int l = 1; l < line && i < doc->src_len; i++) {
        if (doc->src[i] == '\n' || (doc->src[i] == '\r' && !(i + 1 < doc->src_len &&
                                                               doc->src[i + 1] == '\n')))
            l++;
    }
    for (int c = 1; c < col && i < doc->src_len; c++) {
        i++;
        while (i < doc->src_len && utf8_continuation((unsigned char)doc->src[i]))
            i++;
    }
    return i;
}

/* 1-based line and column of a byte offset. */
static void offset_pos(const char *src, size_t len, size_t offset, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (src[i] == '\n') {
            ++*line;
            *col = 1;
        } else if (!utf8_continuation((unsigned char)src[i])) {
            ++*col;
        }
    }
}

/* How many value bytes one source unit of a double-quoted scalar stands for;
 * *used receives the unit's length in the source. */
static size_t dq_unit(const char *s, size_t avail, size_t *used)
{
    if (s[0] != '\\' || avail < 2) {
        *used = 1;
        return 1;
    }
    int hex = s[1] == 'x' ? 2 : s[1] == 'u' ? 4 : s[1] == 'U' ? 8 : 0;
    *used = 2 + (size_t)hex;
    if (hex <= 2)
        return 1;
    char digits[9] = { 0 };
    memcpy(digits, s + 2, avail - 2 < (size_t)hex ? avail - 2 : (size_t)hex);
    unsigned long cp = strtoul(digits, NULL, 16);
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

bool sc_scalar_pos(const sc_doc *doc, const sc_node *scalar, size_t offset, int *line, int *col)
{
    *line = scalar->line;
    *col = scalar->col;
    if (scalar->type != SC_SCALAR || scalar->end_line != scalar->line ||
        scalar->style == SC_STYLE_BLOCK)
        return false;
    size_t at = src_offset(doc, scalar->line, scalar->col);
    char quote = scalar->style == SC_STYLE_SINGLE   ? '\''
                 : scalar->style == SC_STYLE_DOUBLE ? '"'
                                                    : 0;
    if (quote) {
        if (at >= doc->src_len || doc->src[at] != quote)
            return false;     /* an anchor or tag before the value: stay approximate */
        at++;
        ++*col;
    }
    size_t value = 0;
    while (value < offset && at < doc->src_len && doc->src[at] != '\n') {
        size_t used = 1, produced = 1;
        if (quote == '\'' && doc->src[at] == '\'')
            used = 2;
        else if (quote == '"')
            produced = dq_unit(doc->src + at, doc->src_len - at, &used);
        for (size_t k = 0; k < used && at < doc->src_len; k++, at++)
            if (!utf8_continuation((unsigned char)doc->src[at]))
                ++*col;
        value += produced;
    }
    return value == offset;
}

int sc_fail_in_scalar(const sc_doc *doc, const sc_node *scalar, const char *what, ic_error *err)
{
    const char *msg = err ? err->msg : "";
    size_t column = 0;
    int skip = 0;
    char copy[IC_ERROR_MSG_MAX];
    snprintf(copy, sizeof copy, "%s", msg);
    if (sscanf(copy, "column %zu: %n", &column, &skip) == 1 && skip > 0 && column > 0) {
        int line, col;
        if (sc_scalar_pos(doc, scalar, column - 1, &line, &col))
            return sc_fail_at(doc, line, col, err, "%s: %s", what, copy + skip);
        return sc_fail_at(doc, line, col, err, "%s: %s (column %zu of the value)", what,
                          copy + skip, column);
    }
    return sc_fail_node(doc, scalar, err, "%s: %s", what, copy);
}

/* ---- reading the file ------------------------------------------------------- */

static int read_capped(const char *path, sc_doc *doc, ic_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ic_fail(err, IC_ERR_USAGE, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    int rc = IC_OK;
    if (fstat(fd, &st) != 0) {
        rc = ic_fail(err, IC_ERR_USAGE, "%s: cannot stat: %s", path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        rc = ic_fail(err, IC_ERR_USAGE, "%s: not a regular file", path);
    } else if ((unsigned long long)st.st_size > IC_SCENARIO_MAX_FILE) {
        rc = ic_fail(err, IC_ERR_SCENARIO, "%s:1:1: file too big: %lld bytes, the limit is %u",
                     path, (long long)st.st_size, IC_SCENARIO_MAX_FILE);
    } else if (!(doc->src = malloc((size_t)st.st_size + 1))) {
        rc = nomem(err);
    } else {
        /* At most the size fstat gave: a file growing meanwhile cannot slip
         * past the cap. */
        size_t want = (size_t)st.st_size, got = 0;
        ssize_t n = 1;
        while (got < want && (n = read(fd, doc->src + got, want - got)) > 0)
            got += (size_t)n;
        if (n < 0)
            rc = ic_fail(err, IC_ERR_USAGE, "%s: cannot read: %s", path, strerror(errno));
        doc->src_len = got;
        doc->src[got] = '\0';
    }
    close(fd);
    return rc;
}

/* ---- tree nodes -------------------------------------------------------------- */

static void node_free(sc_node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->alloc; i++)
        node_free(n->items[i]);
    free(n->items);
    free(n->text);
    free(n);
}

void sc_doc_free(sc_doc *doc)
{
    node_free(doc->root);
    free(doc->src);
    free(doc->path);
    memset(doc, 0, sizeof *doc);
}

static sc_style style_of(yaml_scalar_style_t s)
{
    switch (s) {
    case YAML_PLAIN_SCALAR_STYLE: return SC_STYLE_PLAIN;
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: return SC_STYLE_SINGLE;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return SC_STYLE_DOUBLE;
    default: return SC_STYLE_BLOCK;
    }
}

typedef struct builder {
    sc_doc *doc;
    ic_error *err;
    sc_node *stack[IC_SCENARIO_MAX_DEPTH + 1];
    bool key_pending[IC_SCENARIO_MAX_DEPTH + 1];   /* a mapping's key awaits its value */
    int depth;
    size_t nodes;
    int documents;
} builder;

static int grow(sc_node *parent, size_t slots, ic_error *err)
{
    if (slots <= parent->alloc)
        return IC_OK;
    size_t n = parent->alloc ? parent->alloc * 2 : 8;
    while (n < slots)
        n *= 2;
    sc_node **p = realloc(parent->items, n * sizeof *p);
    if (!p)
        return nomem(err);
    /* Unused slots stay NULL, so a tree abandoned mid-way frees cleanly. */
    memset(p + parent->alloc, 0, (n - parent->alloc) * sizeof *p);
    parent->items = p;
    parent->alloc = n;
    return IC_OK;
}

static int check_new_key(builder *b, const sc_node *parent, const sc_node *key)
{
    if (key->type != SC_SCALAR)
        return sc_fail_node(b->doc, key, b->err, "a mapping key must be a plain word, not a %s",
                            sc_type_name(key->type));
    for (size_t i = 0; i < parent->n; i++) {
        const sc_node *k = SC_KEY(parent, i);
        if (k->len == key->len && memcmp(k->text, key->text, k->len) == 0)
            return sc_fail_node(b->doc, key, b->err, "duplicate key \"%s\" (first at line %d)",
                                key->text, k->line);
    }
    return IC_OK;
}

/* Adds child under the innermost open collection (or as the root).  In a
 * mapping, items alternate key, value; keys must be unique scalars. */
static int attach(builder *b, sc_node *child)
{
    if (b->depth == 0) {
        b->doc->root = child;
        return IC_OK;
    }
    sc_node *parent = b->stack[b->depth - 1];
    bool *key_pending = &b->key_pending[b->depth - 1];
    int rc;
    if (parent->type == SC_SEQUENCE) {
        if ((rc = grow(parent, parent->n + 1, b->err)))
            return rc;
        parent->items[parent->n++] = child;
    } else if (!*key_pending) {
        if ((rc = check_new_key(b, parent, child)) ||
            (rc = grow(parent, 2 * parent->n + 2, b->err)))
            return rc;
        parent->items[2 * parent->n] = child;
        *key_pending = true;
    } else {
        parent->items[2 * parent->n + 1] = child;
        parent->n++;
        *key_pending = false;
    }
    return IC_OK;
}

static int new_node(builder *b, sc_node_type type, const yaml_event_t *ev, sc_node **out)
{
    if (++b->nodes > IC_SCENARIO_MAX_NODES)
        return sc_fail_at(b->doc, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                          b->err, "too many YAML nodes (the limit is %d)", IC_SCENARIO_MAX_NODES);
    sc_node *n = calloc(1, sizeof *n);
    if (!n)
        return nomem(b->err);
    n->type = type;
    n->style = SC_STYLE_NONE;
    n->line = (int)ev->start_mark.line + 1;
    n->col = (int)ev->start_mark.column + 1;
    n->end_line = (int)ev->end_mark.line + 1;
    *out = n;
    return IC_OK;
}

static int on_scalar(builder *b, const yaml_event_t *ev)
{
    sc_node *n;
    int rc = new_node(b, SC_SCALAR, ev, &n);
    if (rc)
        return rc;
    n->style = style_of(ev->data.scalar.style);
    n->len = ev->data.scalar.length;
    if (!(n->text = malloc(n->len + 1))) {
        node_free(n);
        return nomem(b->err);
    }
    memcpy(n->text, ev->data.scalar.value, n->len);
    n->text[n->len] = '\0';
    if ((rc = attach(b, n)))
        node_free(n);
    return rc;
}

static int on_collection_start(builder *b, const yaml_event_t *ev, sc_node_type type)
{
    if (b->depth >= IC_SCENARIO_MAX_DEPTH)
        return sc_fail_at(b->doc, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
                          b->err, "nesting deeper than %d levels", IC_SCENARIO_MAX_DEPTH);
    sc_node *n;
    int rc = new_node(b, type, ev, &n);
    if (rc)
        return rc;
    if ((rc = attach(b, n))) {
        node_free(n);
        return rc;
    }
    b->key_pending[b->depth] = false;
    b->stack[b->depth++] = n;
    return IC_OK;
}

static int on_event(builder *b, const yaml_event_t *ev)
{
    int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        if (++b->documents > 1)
            return sc_fail_at(b->doc, line, col, b->err,
                              "a second YAML document: a file holds one (remove the \"---\")");
        return IC_OK;
    case YAML_ALIAS_EVENT:
        return sc_fail_at(b->doc, line, col, b->err, "aliases are not supported");
    case YAML_SCALAR_EVENT:
        return on_scalar(b, ev);
    case YAML_SEQUENCE_START_EVENT:
        return on_collection_start(b, ev, SC_SEQUENCE);
    case YAML_MAPPING_START_EVENT:
        return on_collection_start(b, ev, SC_MAPPING);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        b->depth--;
        return IC_OK;
    default:
        return IC_OK;
    }
}

/* libyaml's message, made specific where a person can act on it. */
static int parser_error(builder *b, const yaml_parser_t *p)
{
    if (p->error == YAML_MEMORY_ERROR)
        return nomem(b->err);
    if (p->error == YAML_READER_ERROR) {
        int line, col;
        offset_pos(b->doc->src, b->doc->src_len, p->problem_offset, &line, &col);
        if (p->problem_value >= 0)
            return sc_fail_at(b->doc, line, col, b->err, "not valid UTF-8: %s (byte 0x%02X)",
                              p->problem, (unsigned)p->problem_value);
        return sc_fail_at(b->doc, line, col, b->err, "not valid UTF-8: %s", p->problem);
    }
    int line = (int)p->problem_mark.line + 1, col = (int)p->problem_mark.column + 1;
    size_t at = src_offset(b->doc, line, col);
    if (at < b->doc->src_len && b->doc->src[at] == '\t')
        return sc_fail_at(b->doc, line, col, b->err,
                          "tab character: YAML indentation must use spaces");
    /* "S: * OK" is the usual slip: YAML reads "*" as an alias.  Point at it. */
    if (p->context && (strstr(p->context, "alias") || strstr(p->context, "anchor"))) {
        bool alias = strstr(p->context, "alias") != NULL;
        return sc_fail_at(b->doc, (int)p->context_mark.line + 1,
                          (int)p->context_mark.column + 1, b->err,
                          "a value starting with \"%s\" must be quoted, e.g. '%s' (YAML read "
                          "it as an %s: %s)", alias ? "*" : "&", alias ? "* OK" : "& x",
                          alias ? "alias" : "anchor", p->problem ? p->problem : "unknown");
    }
    if (p->context)
        return sc_fail_at(b->doc, line, col, b->err,
                          "YAML syntax error: %s (%s started at line %d, column %d)",
                          p->problem ? p->problem : "unknown", p->context,
                          (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    return sc_fail_at(b->doc, line, col, b->err, "YAML syntax error: %s",
                      p->problem ? p->problem : "unknown");
}

static int build_tree(builder *b)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return nomem(b->err);
    yaml_parser_set_input_string(&parser, (const unsigned char *)b->doc->src, b->doc->src_len);
    int rc = IC_OK;
    for (bool done = false; !done && !rc;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = parser_error(b, &parser);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        rc = on_event(b, &ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return rc;
}

int sc_doc_load(const char *path, sc_doc *doc, ic_error *err)
{
    memset(doc, 0, sizeof *doc);
    if (!(doc->path = strdup(path)))
        return nomem(err);
    int rc = read_capped(path, doc, err);
    if (!rc) {
        builder b = { .doc = doc, .err = err };
        rc = build_tree(&b);
        /* On an error mid-way the open collections are already attached under
         * the root, so freeing the root frees everything. */
    }
    if (!rc && !doc->root)
        rc = sc_fail_at(doc, 1, 1, err, "the file holds no YAML document (expected a mapping)");
    if (rc)
        sc_doc_free(doc);
    return rc;
}
