/* pattern.c: S: lines to trees the matcher walks (docs/scenario-format.md §4).
 *
 * A pattern is parsed by the same lenient parser as server responses, so it
 * is tokenized exactly like what it will be compared with.  Before parsing,
 * each {@file} outside a quoted string is replaced by the atom "$@k" (k
 * indexes files[]), and CRLF is appended.  An offset map from the rewritten
 * text back to the text as written lets every error name the column the
 * author typed.  After parsing: the first token must be "*", "+" or a file
 * tag; "..." may only end a list or the line; "$..." atoms must be "$_",
 * "$@k" from a rewrite, or "$name" with a valid name.
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATTERN_MAX_DEPTH 64

/* The rewritten text and, for each of its bytes, the offset in the original. */
typedef struct rewrite {
    ic_buf text;
    size_t *orig;
    size_t alloc;
} rewrite;

/* spread: byte i of s came from orig_offset + i; otherwise all from orig_offset. */
static int rw_put(rewrite *rw, const char *s, size_t n, size_t orig_offset, bool spread)
{
    if (rw->text.len + n > rw->alloc) {
        size_t a = rw->alloc ? rw->alloc : 64;
        while (a < rw->text.len + n)
            a *= 2;
        size_t *p = realloc(rw->orig, a * sizeof *p);
        if (!p)
            return IC_ERR_NOMEM;
        rw->orig = p;
        rw->alloc = a;
    }
    for (size_t i = 0; i < n; i++)
        rw->orig[rw->text.len + i] = orig_offset + (spread ? i : 0);
    return ic_buf_append(&rw->text, s, n);
}

static size_t rw_column(const rewrite *rw, size_t offset, size_t text_len)
{
    return (offset < rw->text.len ? rw->orig[offset] : text_len) + 1;
}

static int add_file(ic_pattern *p, const char *rel, const char *base_dir, ic_error *err)
{
    ic_buf *files = realloc(p->files, (p->nfiles + 1) * sizeof *files);
    if (!files)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    p->files = files;
    ic_buf_init(&files[p->nfiles], 0);
    int rc = sc_read_file_crlf(base_dir, rel, IC_SCENARIO_MAX_LITERAL_FILE, &files[p->nfiles],
                               err);
    p->nfiles++;     /* counted even on failure, so ic_pattern_free frees it */
    return rc;
}

/* Copies text into rw, replacing {@file} outside quoted strings by "$@k". */
static int rewrite_files(const char *text, const char *base_dir, ic_pattern *p, rewrite *rw,
                         ic_error *err)
{
    bool quoted = false;
    size_t i = 0, len = strlen(text);
    while (i < len) {
        char c = text[i];
        if (quoted && c == '\\' && i + 1 < len) {
            if (rw_put(rw, text + i, 2, i, true))
                return ic_fail(err, IC_ERR_NOMEM, "out of memory");
            i += 2;
            continue;
        }
        if (c == '"')
            quoted = !quoted;
        if (quoted || c != '{' || text[i + 1] != '@') {
            if (rw_put(rw, text + i, 1, i, true))
                return ic_fail(err, IC_ERR_NOMEM, "out of memory");
            i++;
            continue;
        }
        const char *close = strchr(text + i, '}');
        if (!close)
            return ic_fail(err, IC_ERR_SCENARIO, "column %zu: \"{@\" without a closing \"}\"",
                           i + 1);
        size_t n = (size_t)(close - (text + i + 2));
        char rel[1024];
        if (n == 0 || n >= sizeof rel)
            return ic_fail(err, IC_ERR_SCENARIO, "column %zu: \"{@...}\" needs a file name",
                           i + 1);
        memcpy(rel, text + i + 2, n);
        rel[n] = '\0';
        int rc = add_file(p, rel, base_dir, err);
        if (rc) {
            char msg[IC_ERROR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
            return ic_fail(err, rc, "column %zu: %s", i + 1, msg);
        }
        char atom[32];
        int an = snprintf(atom, sizeof atom, "$@%zu", p->nfiles - 1);
        if (rw_put(rw, atom, (size_t)an, i, false))
            return ic_fail(err, IC_ERR_NOMEM, "out of memory");
        i += n + 3;
    }
    return IC_OK;
}

/* The parser's error names a byte offset ("malformed response at byte 12:
 * unbalanced '('"): *offset receives it and *what the rest. */
static bool parser_offset(const char *msg, size_t *offset, const char **what)
{
    static const char *const words[] = { "at byte ", "offset " };
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
        const char *p = strstr(msg, words[w]);
        if (!p)
            continue;
        char *end;
        p += strlen(words[w]);
        if (*p < '0' || *p > '9')
            continue;
        *offset = strtoul(p, &end, 10);
        *what = strncmp(end, ": ", 2) == 0 ? end + 2 : msg;
        return true;
    }
    return false;
}

/* ---- walking the tree ------------------------------------------------------- */

typedef int (*token_fn)(void *ctx, ic_bytes atom, size_t offset, bool last);

static int visit_chain(const ic_response *r, const ic_node *n, token_fn fn, void *ctx)
{
    for (; n; n = n->next) {
        int rc = 0;
        if (n->type == IC_NODE_ATOM)
            rc = fn(ctx, n->value, n->offset, n->next == NULL);
        else if (n->type == IC_NODE_LIST)
            rc = visit_chain(r, n->child, fn, ctx);
        if (rc)
            return rc;
    }
    return 0;
}

/* Visits the response name and every atom of the arguments and of the
 * response code; the human-readable text is not tokenized. */
static int visit_tokens(const ic_response *r, token_fn fn, void *ctx)
{
    int rc = 0;
    if (r->kind != IC_RESP_CONTINUATION && r->name.len)
        rc = fn(ctx, r->name, (size_t)(r->name.ptr - r->raw.ptr), r->args == NULL);
    if (!rc && r->has_code)
        rc = visit_chain(r, r->code.args, fn, ctx);
    if (!rc)
        rc = visit_chain(r, r->args, fn, ctx);
    return rc;
}

typedef struct check_ctx {
    const char *text;
    const rewrite *rw;
    ic_error *err;
} check_ctx;

static int check_token(void *ctx, ic_bytes atom, size_t offset, bool last)
{
    check_ctx *c = ctx;
    size_t col = rw_column(c->rw, offset, strlen(c->text));
    if (ic_bytes_eq_str(atom, "...") && !last)
        return ic_fail(c->err, IC_ERR_SCENARIO,
                       "column %zu: \"...\" must be the last item of a list or of the line", col);
    if (atom.len == 0 || atom.ptr[0] != '$' || ic_bytes_eq_str(atom, "$_"))
        return 0;
    if (atom.len > 2 && atom.ptr[1] == '$')
        return 0;     /* "$$Name": the literal keyword $Name */
    if (atom.len > 1 && atom.ptr[1] == '@') {
        if (strncmp(c->text + col - 1, "{@", 2) == 0)
            return 0;     /* made by rewrite_files */
        return ic_fail(c->err, IC_ERR_SCENARIO, "column %zu: \"$@\" is reserved; write "
                       "{@file} to match a file's content", col);
    }
    if (sc_is_var_name((const char *)atom.ptr + 1, atom.len - 1))
        return 0;
    return ic_fail(c->err, IC_ERR_SCENARIO, "column %zu: \"%.*s\" is not a variable: a name is "
                   "letters, digits and \"_\", not starting with a digit", col,
                   (int)(atom.len > 60 ? 60 : atom.len), (const char *)atom.ptr);
}

/* Before parsing, so the author gets this message rather than the parser's. */
static int check_start(const char *text, ic_error *err)
{
    size_t n = strcspn(text, " ");
    if (text[0] == '+' || (n == 1 && text[0] == '*') || sc_is_tag(text, n))
        return IC_OK;
    return ic_fail(err, IC_ERR_SCENARIO, "column 1: a pattern starts with \"*\", \"+\" or a tag "
                   "(letters, digits, \".\", \"-\", \"_\"), not \"%.*s\"", (int)(n > 60 ? 60 : n),
                   text);
}

static int parse_rewritten(const char *text, const rewrite *rw, ic_pattern *out, ic_error *err)
{
    ic_error perr;
    ic_error_clear(&perr);
    int rc = ic_response_parse_copy(ic_buf_bytes(&rw->text), PATTERN_MAX_DEPTH, &out->tree, &perr);
    if (rc == IC_ERR_NOMEM)
        return ic_fail(err, rc, "out of memory");
    if (rc) {
        size_t offset = 0;
        const char *what = perr.msg;
        size_t col = parser_offset(perr.msg, &offset, &what) ? rw_column(rw, offset, strlen(text))
                                                             : 1;
        return ic_fail(err, IC_ERR_SCENARIO, "column %zu: %s", col, what);
    }
    check_ctx c = { text, rw, err };
    return visit_tokens(out->tree, check_token, &c) ? IC_ERR_SCENARIO : IC_OK;
}

int ic_pattern_compile(const char *text, const char *base_dir, ic_pattern *out, ic_error *err)
{
    memset(out, 0, sizeof *out);
    if (!(out->text = strdup(text)))
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    if (text[strspn(text, " ")] == '\0') {
        ic_pattern_free(out);
        return ic_fail(err, IC_ERR_SCENARIO, "column 1: empty pattern");
    }
    rewrite rw = { .orig = NULL, .alloc = 0 };
    ic_buf_init(&rw.text, 0);
    int rc = check_start(text, err);
    if (!rc)
        rc = rewrite_files(text, base_dir, out, &rw, err);
    if (!rc && rw_put(&rw, "\r\n", 2, strlen(text), false))
        rc = ic_fail(err, IC_ERR_NOMEM, "out of memory");
    if (!rc)
        rc = parse_rewritten(text, &rw, out, err);
    ic_buf_free(&rw.text);
    free(rw.orig);
    if (rc)
        ic_pattern_free(out);
    return rc;
}

void ic_pattern_free(ic_pattern *p)
{
    if (!p)
        return;
    free(p->text);
    ic_response_free(p->tree);
    for (size_t i = 0; i < p->nfiles; i++)
        ic_buf_free(&p->files[i]);
    free(p->files);
    memset(p, 0, sizeof *p);
}

/* ---- captures ------------------------------------------------------------------ */

typedef struct vars_ctx {
    void (*fn)(void *ctx, const char *name, size_t len);
    void *ctx;
} vars_ctx;

static int report_variable(void *ctx, ic_bytes atom, size_t offset, bool last)
{
    vars_ctx *v = ctx;
    (void)offset;
    (void)last;
    if (atom.len > 1 && atom.ptr[0] == '$' && !ic_bytes_eq_str(atom, "$_") &&
        sc_is_var_name((const char *)atom.ptr + 1,
                                                              atom.len - 1))
        v->fn(v->ctx, (const char *)atom.ptr + 1, atom.len - 1);
    return 0;
}

/* "a1 OK|NO [MODIFIED $x] ..." is not a status response to the parser (its
 * name is "OK|NO"), so its code is one atom; read it as "a1 OK [...] ..."
 * too, as the matcher does, to see the captures inside the code. */
static ic_response *status_view(const ic_response *r)
{
    if (r->cond != IC_COND_NONE || !memchr(r->name.ptr, '|', r->name.len))
        return NULL;
    ic_buf text;
    ic_buf_init(&text, 0);
    size_t before = (size_t)(r->name.ptr - r->raw.ptr);
    size_t after = before + r->name.len;
    ic_buf_append(&text, r->raw.ptr, before);
    ic_buf_append_str(&text, "OK");
    ic_buf_append(&text, r->raw.ptr + after, r->raw.len - after);
    ic_response *view = NULL;
    ic_error ignored;
    if (ic_response_parse_copy(ic_buf_bytes(&text), 64, &view, &ignored))
        view = NULL;
    ic_buf_free(&text);
    return view;
}

void sc_pattern_variables(const ic_pattern *p, void (*fn)(void *ctx, const char *name,
                                                          size_t len), void *ctx)
{
    vars_ctx v = { fn, ctx };
    if (!p->tree)
        return;
    ic_response *view = status_view(p->tree);
    visit_tokens(view ? view : p->tree, report_variable, &v);
    ic_response_free(view);
}
