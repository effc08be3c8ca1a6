/* sendline.c: C: lines to a tag and segments (docs/scenario-format.md §3, §4).
 *
 * Tag rule: a line with no space is a continuation of the command in
 * progress (DONE, a base64 SASL response, "*" to cancel, or an empty line);
 * a line with a space starts a command and its first word is the file tag,
 * which must be letters, digits, ".", "-" or "_".  A spaced line whose first
 * word is not such a tag is an error, since no continuation this suite sends
 * (IDLE's DONE, SASL responses) contains a space.
 *
 * After the tag: "$name" is a variable ([A-Za-z_][A-Za-z0-9_]*); "$$" is a
 * literal "$" (for keywords such as $Forwarded); a "$" before anything else
 * is literal.  {@path} sends a file as a literal ({@path+} forces LITERAL+),
 * {=text} sends text as a literal (up to the matching "}").  Inside a quoted
 * string "..." nothing is substituted: it is sent as written.
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct splitter {
    const char *text;
    const char *base_dir;
    ic_send_line *out;
    ic_buf run;            /* text not yet made a segment */
    ic_error *err;
} splitter;

static int add_segment(splitter *sp, ic_segment_kind kind, const void *data, size_t n,
                       bool non_sync)
{
    ic_send_line *l = sp->out;
    ic_segment *segs = realloc(l->segments, (l->nsegments + 1) * sizeof *segs);
    if (!segs)
        return ic_fail(sp->err, IC_ERR_NOMEM, "out of memory");
    l->segments = segs;
    ic_segment *seg = &segs[l->nsegments++];
    seg->kind = kind;
    seg->non_sync = non_sync;
    ic_buf_init(&seg->data, 0);
    /* Force an allocation even for empty data, so seg->data.data is a string. */
    if (ic_buf_reserve(&seg->data, 1) || ic_buf_append(&seg->data, data, n))
        return ic_fail(sp->err, IC_ERR_NOMEM, "out of memory");
    return IC_OK;
}

static int flush_text(splitter *sp)
{
    if (sp->run.len == 0)
        return IC_OK;
    int rc = add_segment(sp, IC_SEG_TEXT, sp->run.data, sp->run.len, false);
    ic_buf_reset(&sp->run);
    return rc;
}

static int put_text(splitter *sp, const char *s, size_t n)
{
    return ic_buf_append(&sp->run, s, n) ? ic_fail(sp->err, IC_ERR_NOMEM, "out of memory") : IC_OK;
}

/* "{@path}" or "{@path+}" at i; *next receives the offset after "}". */
static int file_literal(splitter *sp, size_t i, size_t *next)
{
    const char *close = strchr(sp->text + i, '}');
    if (!close)
        return ic_fail(sp->err, IC_ERR_SCENARIO, "column %zu: \"{@\" without a closing \"}\"",
                       i + 1);
    size_t n = (size_t)(close - (sp->text + i + 2));
    bool non_sync = n > 0 && sp->text[i + 2 + n - 1] == '+';
    char rel[1024];
    size_t rel_len = n - (non_sync ? 1 : 0);
    if (rel_len == 0 || rel_len >= sizeof rel)
        return ic_fail(sp->err, IC_ERR_SCENARIO, "column %zu: \"{@...}\" needs a file name", i + 1);
    memcpy(rel, sp->text + i + 2, rel_len);
    rel[rel_len] = '\0';
    ic_buf content;
    ic_buf_init(&content, 0);
    int rc = flush_text(sp);
    if (!rc && (rc = sc_read_file_crlf(sp->base_dir, rel, IC_SCENARIO_MAX_LITERAL_FILE, &content,
                                       sp->err))) {
        char msg[IC_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", sp->err ? sp->err->msg : "");
        rc = ic_fail(sp->err, rc, "column %zu: %s", i + 1, msg);
    }
    if (!rc)
        rc = add_segment(sp, IC_SEG_LITERAL, content.data, content.len, non_sync);
    ic_buf_free(&content);
    *next = (size_t)(close - sp->text) + 1;
    return rc;
}

/* "{=text}" at i, up to the matching "}"; line ends become CRLF. */
static int inline_literal(splitter *sp, size_t i, size_t *next)
{
    size_t j = i + 2;
    for (int depth = 1; sp->text[j]; j++) {
        depth += sp->text[j] == '{' ? 1 : sp->text[j] == '}' ? -1 : 0;
        if (depth == 0)
            break;
    }
    if (!sp->text[j])
        return ic_fail(sp->err, IC_ERR_SCENARIO, "column %zu: \"{=\" without a matching \"}\"",
                       i + 1);
    ic_buf content;
    ic_buf_init(&content, 0);
    int rc = flush_text(sp);
    for (size_t k = i + 2; !rc && k < j; k++) {
        bool bare_lf = sp->text[k] == '\n' && (k == i + 2 || sp->text[k - 1] != '\r');
        if ((bare_lf && ic_buf_append(&content, "\r", 1)) ||
            ic_buf_append(&content, sp->text + k, 1))
            rc = ic_fail(sp->err, IC_ERR_NOMEM, "out of memory");
    }
    if (!rc)
        rc = add_segment(sp, IC_SEG_LITERAL, content.data, content.len, false);
    ic_buf_free(&content);
    *next = j + 1;
    return rc;
}

/* A quoted string starting at i, copied as text; *next is after its closing
 * quote (or the end of the line when unterminated, which the server judges). */
static int quoted_text(splitter *sp, size_t i, size_t *next)
{
    size_t j = i + 1;
    while (sp->text[j] && sp->text[j] != '"')
        j += sp->text[j] == '\\' && sp->text[j + 1] ? 2 : 1;
    if (sp->text[j] == '"')
        j++;
    *next = j;
    return put_text(sp, sp->text + i, j - i);
}

static int variable(splitter *sp, size_t i, size_t *next)
{
    size_t j = i + 1;
    while (sc_is_var_char(sp->text[j]))
        j++;
    int rc = flush_text(sp);
    if (!rc)
        rc = add_segment(sp, IC_SEG_VAR, sp->text + i + 1, j - i - 1, false);
    *next = j;
    return rc;
}

static int split_segments(splitter *sp, size_t start)
{
    const char *t = sp->text;
    size_t i = start;
    int rc = IC_OK;
    while (!rc && t[i]) {
        size_t next = i + 1;
        if (t[i] == '"')
            rc = quoted_text(sp, i, &next);
        else if (t[i] == '$' && t[i + 1] == '$') {
            rc = put_text(sp, "$", 1);
            next = i + 2;
        } else if (t[i] == '$' && sc_is_var_char(t[i + 1]) && !(t[i + 1] >= '0' && t[i + 1] <= '9'))
            rc = variable(sp, i, &next);
        else if (t[i] == '{' && t[i + 1] == '@')
            rc = file_literal(sp, i, &next);
        else if (t[i] == '{' && t[i + 1] == '=')
            rc = inline_literal(sp, i, &next);
        else
            rc = put_text(sp, t + i, 1);
        i = next;
    }
    return rc ? rc : flush_text(sp);
}

int ic_send_line_compile(const char *text, const char *base_dir, ic_send_line *out, ic_error *err)
{
    memset(out, 0, sizeof *out);
    size_t start = 0;
    const char *space = strchr(text, ' ');
    if (space) {
        size_t n = (size_t)(space - text);
        if (!sc_is_tag(text, n))
            return ic_fail(err, IC_ERR_SCENARIO, "column 1: \"%.*s\" is not a tag: a command "
                           "line starts with a tag of letters, digits, \".\", \"-\" or \"_\" "
                           "(a continuation line has no spaces)", (int)(n > 60 ? 60 : n), text);
        if (!(out->tag = strndup(text, n)))
            return ic_fail(err, IC_ERR_NOMEM, "out of memory");
        start = n + 1;
        if (text[start] == '\0') {
            ic_send_line_free(out);
            return ic_fail(err, IC_ERR_SCENARIO, "column %zu: nothing after the tag \"%.*s\"",
                           start + 1, (int)(n > 60 ? 60 : n), text);
        }
    }
    splitter sp = { .text = text, .base_dir = base_dir, .out = out, .err = err };
    ic_buf_init(&sp.run, 0);
    int rc = split_segments(&sp, start);
    ic_buf_free(&sp.run);
    if (rc)
        ic_send_line_free(out);
    return rc;
}

void ic_send_line_free(ic_send_line *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nsegments; i++)
        ic_buf_free(&l->segments[i].data);
    free(l->segments);
    free(l->tag);
    memset(l, 0, sizeof *l);
}
