/* fuzz_response.c: libFuzzer target for the reader, the lenient parser and
 * the grammar checker (see tests/fuzz/README.md).
 *
 * The first input byte picks the mode, the rest is a server byte stream:
 *   bits 0-2  chunk size of the second reader (1..8 bytes per read)
 *   bit 3     ic_response_parse_copy instead of ic_response_parse
 *   bit 4     IC_GRAMMAR_LENIENT_TEXT
 *   bit 6     tiny line cap (64), else 4096
 *   bit 7     tiny literal cap (16), else 65536
 * so a seed starting with a digit '0'..'9' runs with the normal caps.
 * Two readers frame the stream, one reading everything it can at once and
 * one in small chunks; they must agree byte for byte, and on the final
 * error.  Each framed response is copied into an exact-size allocation (so
 * ASan sees any read past its end), parsed, checked for tree invariants and
 * judged by the grammar checker.  The raw stream is also given to the parser
 * as if it were one response, since the parser must survive any bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "ic_grammar.h"
#include "ic_reader.h"
#include "ic_response.h"

#define FUZZ_DEPTH 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool within(ic_bytes b, ic_bytes in)
{
    return b.ptr >= in.ptr && b.len <= in.len && (size_t)(b.ptr - in.ptr) <= in.len - b.len;
}

/* Every node's bytes lie inside the input at its offset; counts match. */
static void check_nodes(const ic_node *n, size_t count, ic_bytes in, int depth)
{
    size_t seen = 0;
    for (; n; n = n->next, seen++) {
        if (!within(n->raw, in) || (size_t)(n->raw.ptr - in.ptr) != n->offset)
            abort();
        if (n->type != IC_NODE_QUOTED && !within(n->value, in))   /* quoted may be unescaped */
            abort();
        if (n->type == IC_NODE_LIST) {
            if (depth >= FUZZ_DEPTH)
                abort();
            check_nodes(n->child, n->nchildren, in, depth + 1);
            (void)ic_node_plist_get(n, "UID");
        } else if (n->child || n->nchildren) {
            abort();
        }
    }
    if (seen != count)
        abort();
}

static void parse_one(const uint8_t *bytes, size_t len, unsigned mode)
{
    uint8_t *copy = malloc(len ? len : 1);   /* exact size: overreads are caught */
    if (!copy)
        return;
    memcpy(copy, bytes, len);
    ic_bytes in = { copy, len };
    ic_response *r = NULL;
    ic_error err;
    int rc = (mode & 0x08) ? ic_response_parse_copy(in, FUZZ_DEPTH, &r, &err)
                           : ic_response_parse(in, FUZZ_DEPTH, &r, &err);
    if (rc == IC_OK) {
        ic_bytes base = r->raw;
        if (base.len != len || memcmp(base.ptr, copy, len) != 0)
            abort();
        check_nodes(r->args, r->nargs, base, 0);
        if (r->has_code)
            check_nodes(r->code.args, r->code.nargs, base, 0);
        if (!within(r->text, base) && r->text.len)
            abort();
        (void)ic_cond_name(r->cond);
        (void)ic_node_nth(r->args, 2);
        ic_response_free(r);
    } else if (r != NULL || (rc != IC_ERR_PROTOCOL && rc != IC_ERR_NOMEM)) {
        abort();
    }
    free(copy);
}

static void judge_one(ic_bytes resp, unsigned mode)
{
    /* A framed response always ends in LF. */
    if (resp.len == 0 || resp.ptr[resp.len - 1] != '\n')
        abort();
    parse_one(resp.ptr, resp.len, mode);
    uint8_t *copy = malloc(resp.len);
    if (!copy)
        return;
    memcpy(copy, resp.ptr, resp.len);
    ic_grammar_result res;
    ic_grammar_check((ic_bytes){ copy, resp.len },
                     (mode & 0x10) ? IC_GRAMMAR_LENIENT_TEXT : IC_GRAMMAR_STRICT, &res);
    free(copy);
}

static bool same_error(int rc_a, const ic_error *a, int rc_b, const ic_error *b)
{
    return rc_a == rc_b && (rc_a == IC_OK || strcmp(a->msg, b->msg) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned mode = data[0];
    const uint8_t *stream = data + 1;
    size_t len = size - 1;

    ic_limits lim = {
        .max_line = (mode & 0x40) ? 64 : 4096,
        .max_literal = (mode & 0x80) ? 16 : 65536,
        .max_depth = FUZZ_DEPTH,
    };
    lim.max_response = lim.max_literal + lim.max_line;
    ic_mem_source whole = { stream, len, 0, 0 };
    ic_mem_source chunked = { stream, len, 0, (mode & 7) + 1 };
    ic_reader *ra = ic_reader_new((ic_source){ ic_mem_source_read, &whole }, &lim);
    ic_reader *rb = ic_reader_new((ic_source){ ic_mem_source_read, &chunked }, &lim);
    if (!ra || !rb)
        abort();
    for (;;) {
        ic_raw_response a, b;
        ic_error ea, eb;
        int rc_a = ic_reader_next(ra, &a, &ea);
        int rc_b = ic_reader_next(rb, &b, &eb);
        if (!same_error(rc_a, &ea, rc_b, &eb))
            abort();
        if (rc_a)
            break;
        if (a.bytes.len != b.bytes.len || memcmp(a.bytes.ptr, b.bytes.ptr, a.bytes.len) != 0 ||
            a.nliterals != b.nliterals || a.lf_only != b.lf_only)
            abort();
        judge_one(a.bytes, mode);
    }
    ic_reader_free(ra);
    ic_reader_free(rb);

    parse_one(stream, len, mode);
    return 0;
}
