/* response.c: the lenient response parser (see ic_response.h).
 *
 * Everything a parse allocates (the response, its nodes, unescaped quoted
 * values, the copied input) comes from one arena, a chain of blocks freed in
 * one go.  List nesting is handled with an explicit stack, not recursion, so
 * a large depth cap cannot exhaust the C stack.
 */
#include "ic_response.h"
#include "ic_limits.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ------------------------------------------------------------- */

#define ARENA_BLOCK 4096u

typedef struct arena_block {
    struct arena_block *next;
    size_t used;
    size_t size;
    max_align_t data[];
} arena_block;

typedef struct arena {
    arena_block *head;
} arena;

static void arena_free(arena *a)
{
    if (!a)
        return;
    for (arena_block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

static void *arena_alloc(arena *a, size_t n)
{
    const size_t align = alignof(max_align_t);
    if (n > SIZE_MAX - align - sizeof(arena_block) - ARENA_BLOCK)
        return NULL;
    n = n ? (n + align - 1) / align * align : align;
    arena_block *b = a->head;
    if (!b || b->size - b->used < n) {
        /* Big requests get a block of their own, kept behind the current
         * one so its free space is not lost. */
        bool own = n > ARENA_BLOCK / 4;
        size_t size = own ? n : ARENA_BLOCK;
        b = malloc(sizeof *b + size);
        if (!b)
            return NULL;
        b->used = 0;
        b->size = size;
        if (own && a->head) {
            b->next = a->head->next;
            a->head->next = b;
        } else {
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (unsigned char *)b->data + b->used;
    b->used += n;
    return p;
}

/* ---- parser state and errors ------------------------------------------- */

static const uint8_t empty_text[1];
#define EMPTY_BYTES ((ic_bytes){ empty_text, 0 })

typedef struct parser {
    const uint8_t *in;
    size_t len;
    size_t pos;
    size_t text_end;     /* start of the final line end: status text stops here */
    int max_depth;
    arena *a;
    ic_error *err;
} parser;

__attribute__((format(printf, 3, 4)))
static int fail_at(parser *p, size_t offset, const char *fmt, ...)
{
    char what[IC_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return ic_fail(p->err, IC_ERR_PROTOCOL, "malformed response at byte %zu: %s", offset, what);
}

static int out_of_memory(parser *p)
{
    return ic_fail(p->err, IC_ERR_NOMEM, "out of memory parsing a response");
}

static ic_bytes span(const parser *p, size_t from, size_t to)
{
    return (ic_bytes){ p->in + from, to - from };
}

static ic_node *new_node(parser *p, ic_node_type type, size_t from, size_t to)
{
    ic_node *n = arena_alloc(p->a, sizeof *n);
    if (!n)
        return NULL;
    memset(n, 0, sizeof *n);
    n->type = type;
    n->offset = from;
    n->raw = n->value = span(p, from, to);
    return n;
}

/* Length of the line end (CRLF, or a bare LF taken leniently) at i, or 0. */
static size_t line_end_at(const parser *p, size_t i)
{
    if (i >= p->len)
        return 0;
    if (p->in[i] == '\n')
        return 1;
    if (p->in[i] == '\r' && i + 1 < p->len && p->in[i + 1] == '\n')
        return 2;
    return 0;
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* Digits to a number; false on 64-bit overflow (*v then saturates). */
static bool digits_value(ic_bytes d, uint64_t *v)
{
    *v = 0;
    for (size_t i = 0; i < d.len; i++) {
        unsigned digit = (unsigned)(d.ptr[i] - '0');
        if (*v > (UINT64_MAX - digit) / 10) {
            *v = UINT64_MAX;
            return false;
        }
        *v = *v * 10 + digit;
    }
    return true;
}

static bool all_digits(ic_bytes b)
{
    if (!b.len)
        return false;
    for (size_t i = 0; i < b.len; i++)
        if (!is_digit(b.ptr[i]))
            return false;
    return true;
}

/* ---- scalar tokens ----------------------------------------------------- */

/* Where an atom ends.  Lenient: only the characters that start another token
 * or end the line stop it; CTLs, "%", "*", "\" stay in (grammar matters).
 * Inside a response code "]" closes the code. */
static bool atom_stop(const parser *p, size_t i, bool in_code)
{
    switch (p->in[i]) {
    case ' ': case '(': case ')': case '"': case '{': case '\n':
        return true;
    case ']':
        return in_code;
    case '\r':
        return line_end_at(p, i) != 0;
    default:
        return false;
    }
}

/* Skips a bracketed section starting at the "[" at *i, up to its matching
 * "]" (spaces and parentheses inside belong to it). */
static int skip_section(parser *p, size_t *i)
{
    size_t open = *i;
    size_t depth = 0;
    for (size_t j = open; j < p->len && !line_end_at(p, j); j++) {
        if (p->in[j] == '[') {
            depth++;
        } else if (p->in[j] == ']' && --depth == 0) {
            *i = j + 1;
            return IC_OK;
        }
    }
    return fail_at(p, open, "unbalanced '[': no matching ']' on the line");
}

/* An atom classified as NUMBER or NIL where it is one. */
static ic_node *atom_node(parser *p, size_t from, size_t to, bool has_section)
{
    ic_bytes text = span(p, from, to);
    ic_node_type type = IC_NODE_ATOM;
    if (!has_section && all_digits(text))
        type = IC_NODE_NUMBER;
    else if (ic_bytes_case_eq_str(text, "NIL"))
        type = IC_NODE_NIL;
    ic_node *n = new_node(p, type, from, to);
    if (n && type == IC_NODE_NUMBER)
        n->num_ok = digits_value(text, &n->num);
    return n;
}

static int parse_atom(parser *p, bool in_code, ic_node **out)
{
    size_t from = p->pos, i = from;
    bool has_section = false;
    while (i < p->len && !atom_stop(p, i, in_code)) {
        if (p->in[i] == '[') {
            int rc = skip_section(p, &i);
            if (rc)
                return rc;
            has_section = true;
        } else {
            i++;
        }
    }
    if (i == from)   /* the caller dispatches every stop character */
        return ic_fail(p->err, IC_ERR_INTERNAL, "response parser made no progress at byte %zu", from);
    *out = atom_node(p, from, i, has_section);
    if (!*out)
        return out_of_memory(p);
    p->pos = i;
    return IC_OK;
}

/* Unescapes \" and \\; other backslashes are kept as sent. */
static int unescape_quoted(parser *p, ic_node *n)
{
    ic_bytes in = n->value;
    uint8_t *out = arena_alloc(p->a, in.len);
    if (!out)
        return out_of_memory(p);
    size_t k = 0;
    for (size_t i = 0; i < in.len; i++) {
        if (in.ptr[i] == '\\' && i + 1 < in.len && (in.ptr[i + 1] == '"' || in.ptr[i + 1] == '\\'))
            i++;
        out[k++] = in.ptr[i];
    }
    n->value = (ic_bytes){ out, k };
    return IC_OK;
}

static int parse_quoted(parser *p, ic_node **out)
{
    size_t open = p->pos, i = open + 1;
    bool escaped = false;
    for (;;) {
        if (i >= p->len || line_end_at(p, i))
            return fail_at(p, open, "unterminated quoted string");
        if (p->in[i] == '"')
            break;
        if (p->in[i] == '\\' && i + 1 < p->len && !line_end_at(p, i + 1)) {
            escaped = true;
            i += 2;
        } else {
            i++;
        }
    }
    ic_node *n = new_node(p, IC_NODE_QUOTED, open, i + 1);
    if (!n)
        return out_of_memory(p);
    n->value = span(p, open + 1, i);
    if (escaped) {
        int rc = unescape_quoted(p, n);
        if (rc)
            return rc;
    }
    p->pos = i + 1;
    *out = n;
    return IC_OK;
}

/* {n}CRLF<n bytes>, ~{n} (literal8) and, leniently, {n+}. */
static int parse_literal(parser *p, ic_node **out)
{
    size_t open = p->pos, i = open;
    bool literal8 = p->in[i] == '~';
    i += literal8 ? 2 : 1;
    size_t digits_from = i;
    while (i < p->len && is_digit(p->in[i]))
        i++;
    if (i == digits_from)
        return fail_at(p, open, "malformed literal announcement: expected digits after '{'");
    ic_bytes digits = span(p, digits_from, i);
    if (i < p->len && p->in[i] == '+')
        i++;
    if (i >= p->len || p->in[i] != '}')
        return fail_at(p, open, "malformed literal announcement: expected '}'");
    size_t eol = line_end_at(p, ++i);
    if (!eol)
        return fail_at(p, open, "literal announcement not followed by CRLF");
    uint64_t n;
    if (!digits_value(digits, &n))
        return fail_at(p, open, "literal count does not fit in 64 bits");
    size_t data = i + eol;
    if (n > p->len - data)
        return fail_at(p, open, "literal of %llu bytes runs past the end of the response "
                       "(%zu bytes follow)", (unsigned long long)n, p->len - data);
    ic_node *node = new_node(p, IC_NODE_LITERAL, open, data + (size_t)n);
    if (!node)
        return out_of_memory(p);
    node->value = span(p, data, data + (size_t)n);
    node->literal8 = literal8;
    p->pos = data + (size_t)n;
    *out = node;
    return IC_OK;
}

static int parse_scalar(parser *p, bool in_code, ic_node **out)
{
    uint8_t c = p->in[p->pos];
    if (c == '"')
        return parse_quoted(p, out);
    if (c == '{' || (c == '~' && p->pos + 1 < p->len && p->in[p->pos + 1] == '{'))
        return parse_literal(p, out);
    return parse_atom(p, in_code, out);
}

/* ---- token sequences and lists ----------------------------------------- */

/* One open list (or the top level) of the explicit parse stack. */
typedef struct frame {
    ic_node *list;          /* NULL at the top level */
    ic_node **tail;         /* where the next element is linked */
    size_t *count;
    struct frame *up;
} frame;

static void append(frame *f, ic_node *n)
{
    *f->tail = n;
    f->tail = &n->next;
    (*f->count)++;
}

/* The line (or the input) ended; fine only at the top level of the data,
 * at the very end of the response. */
static int sequence_ends(parser *p, const frame *f, bool in_code)
{
    size_t at = p->pos;
    if (f->list)
        return fail_at(p, f->list->offset, "unbalanced '(': no matching ')'");
    if (in_code)
        return fail_at(p, at, "response code not closed by ']'");
    if (at >= p->len)
        return fail_at(p, at, "missing CRLF at the end of the response");
    size_t eol = line_end_at(p, at);
    if (at + eol != p->len)
        return fail_at(p, at + eol, "data after the end of the response line");
    return IC_OK;
}

static int open_list(parser *p, frame **f, frame **spare, int *depth)
{
    size_t at = p->pos;
    if (*depth >= p->max_depth)
        return fail_at(p, at, "lists nested deeper than %d levels", p->max_depth);
    ic_node *list = new_node(p, IC_NODE_LIST, at, at + 1);
    frame *inner = *spare;
    if (inner)
        *spare = inner->up;
    else
        inner = arena_alloc(p->a, sizeof *inner);
    if (!list || !inner)
        return out_of_memory(p);
    append(*f, list);
    *inner = (frame){ list, &list->child, &list->nchildren, *f };
    *f = inner;
    (*depth)++;
    p->pos++;
    return IC_OK;
}

static int close_list(parser *p, frame **f, frame **spare, int *depth)
{
    frame *done = *f;
    if (!done->list)
        return fail_at(p, p->pos, "unbalanced ')'");
    p->pos++;
    done->list->raw = done->list->value = span(p, done->list->offset, p->pos);
    *f = done->up;
    done->up = *spare;       /* reuse the frame for the next list */
    *spare = done;
    (*depth)--;
    return IC_OK;
}

/* Parses tokens into first/count.  At the top level the sequence ends at the
 * response's final line end, or (in_code) at the "]" closing a response
 * code; p->pos is left on it. */
static int parse_tokens(parser *p, bool in_code, ic_node **first, size_t *count)
{
    frame top = { NULL, first, count, NULL };
    frame *f = &top, *spare = NULL;
    int depth = 0;
    for (;;) {
        while (p->pos < p->len && p->in[p->pos] == ' ')
            p->pos++;
        if (p->pos >= p->len || line_end_at(p, p->pos))
            return sequence_ends(p, f, in_code);
        uint8_t c = p->in[p->pos];
        int rc;
        if (c == ']' && in_code) {
            if (f->list)
                return fail_at(p, f->list->offset, "unbalanced '(' inside a response code");
            return IC_OK;
        } else if (c == '(') {
            rc = open_list(p, &f, &spare, &depth);
        } else if (c == ')') {
            rc = close_list(p, &f, &spare, &depth);
        } else {
            ic_node *n = NULL;
            rc = parse_scalar(p, in_code, &n);
            if (!rc)
                append(f, n);
        }
        if (rc)
            return rc;
    }
}

/* ---- response structure ------------------------------------------------ */

static void skip_spaces(parser *p)
{
    while (p->pos < p->len && p->in[p->pos] == ' ')
        p->pos++;
}

/* At least one SP (more are the grammar checker's business). */
static int expect_space(parser *p, const char *after)
{
    if (p->pos >= p->len || p->in[p->pos] != ' ')
        return fail_at(p, p->pos, "expected SP after %s", after);
    skip_spaces(p);
    return IC_OK;
}

/* A run of bytes up to SP, a line end or a token delimiter: the tag, the
 * response name, a message number. */
static ic_bytes scan_word(parser *p)
{
    size_t from = p->pos;
    static const char stops[] = " ()\"{[]";
    while (p->pos < p->len && !line_end_at(p, p->pos) && !memchr(stops, p->in[p->pos], sizeof stops - 1))
        p->pos++;
    return span(p, from, p->pos);
}

static ic_cond cond_of(ic_bytes name)
{
    static const struct { const char *word; ic_cond cond; } conds[] = {
        { "OK", IC_COND_OK }, { "NO", IC_COND_NO }, { "BAD", IC_COND_BAD },
        { "PREAUTH", IC_COND_PREAUTH }, { "BYE", IC_COND_BYE },
    };
    for (size_t i = 0; i < sizeof conds / sizeof conds[0]; i++)
        if (ic_bytes_case_eq_str(name, conds[i].word))
            return conds[i].cond;
    return IC_COND_NONE;
}

/* Arguments of a code the tokens cannot describe: atoms split on spaces. */
static int split_code_args(parser *p, size_t from, size_t to, ic_resp_code *code)
{
    ic_node **tail = &code->args;
    for (size_t i = from; i < to;) {
        if (p->in[i] == ' ') {
            i++;
            continue;
        }
        size_t word = i;
        while (i < to && p->in[i] != ' ')
            i++;
        ic_node *n = atom_node(p, word, i, false);
        if (!n)
            return out_of_memory(p);
        *tail = n;
        tail = &n->next;
        code->nargs++;
    }
    return IC_OK;
}

/* "[" name args "]" after a status condition; p->pos is on the "[". */
static int parse_code(parser *p, ic_resp_code *code)
{
    size_t open = p->pos++;
    size_t name_from = p->pos;
    while (p->pos < p->text_end && p->in[p->pos] != ' ' && p->in[p->pos] != ']')
        p->pos++;
    code->name = span(p, name_from, p->pos);
    code->offset = open;
    size_t name_end = p->pos;
    int rc = parse_tokens(p, true, &code->args, &code->nargs);
    if (rc == IC_ERR_PROTOCOL) {
        /* Free text with unbalanced quotes or parentheses: keep it raw. */
        const uint8_t *close = memchr(p->in + name_end, ']', p->text_end - name_end);
        if (!close)
            return fail_at(p, open, "response code not closed by ']'");
        p->pos = (size_t)(close - p->in);
        code->args = NULL;
        code->nargs = 0;
        rc = split_code_args(p, name_end, p->pos, code);
    }
    if (rc)
        return rc;
    code->raw = span(p, open + 1, p->pos);
    p->pos++;    /* the "]" */
    return IC_OK;
}

/* After OK/NO/BAD/PREAUTH/BYE: [SP] ["[" code "]" [SP]] text. */
static int parse_status(parser *p, ic_response *r)
{
    if (p->pos < p->text_end && p->in[p->pos] == ' ')
        p->pos++;
    if (p->pos < p->text_end && p->in[p->pos] == '[') {
        int rc = parse_code(p, &r->code);
        if (rc)
            return rc;
        r->has_code = true;
        if (p->pos < p->text_end && p->in[p->pos] == ' ')
            p->pos++;
    }
    if (p->pos < p->text_end)
        r->text = span(p, p->pos, p->text_end);
    return IC_OK;
}

static int parse_continuation(parser *p, ic_response *r)
{
    r->kind = IC_RESP_CONTINUATION;
    p->pos = 1;
    if (p->pos < p->text_end && p->in[p->pos] == ' ')
        p->pos++;
    if (p->pos < p->text_end)
        r->text = span(p, p->pos, p->text_end);
    return IC_OK;
}

/* "* 5 FETCH": the message number, saturated at UINT64_MAX when it does not
 * fit (the grammar checker reports the overflow). */
static int parse_number_prefix(parser *p, ic_response *r, ic_bytes *word)
{
    if (!all_digits(*word))
        return IC_OK;
    r->has_number = true;
    digits_value(*word, &r->number);
    int rc = expect_space(p, "the message number");
    if (rc)
        return rc;
    *word = scan_word(p);
    return IC_OK;
}

static int parse_response(parser *p, ic_response *r)
{
    if (p->len == 0 || p->in[p->len - 1] != '\n')
        return fail_at(p, p->len, "missing CRLF at the end of the response");
    p->text_end = p->len - 1;
    if (p->text_end > 0 && p->in[p->text_end - 1] == '\r')
        p->text_end--;
    if (p->in[0] == '+')
        return parse_continuation(p, r);

    int rc;
    if (p->in[0] == '*') {
        r->kind = IC_RESP_UNTAGGED;
        p->pos = 1;
        rc = expect_space(p, "\"*\"");
    } else {
        r->kind = IC_RESP_TAGGED;
        r->tag = scan_word(p);
        if (!r->tag.len)
            return fail_at(p, 0, "expected a tag, \"*\" or \"+\" at the start of the response");
        rc = expect_space(p, "the tag");
    }
    if (rc)
        return rc;
    ic_bytes word = scan_word(p);
    if (r->kind == IC_RESP_UNTAGGED) {
        rc = parse_number_prefix(p, r, &word);
        if (rc)
            return rc;
    }
    if (!word.len)
        return fail_at(p, p->pos, "expected a response name");
    r->name = word;
    if (!r->has_number)
        r->cond = cond_of(word);
    if (r->cond != IC_COND_NONE)
        return parse_status(p, r);
    return parse_tokens(p, false, &r->args, &r->nargs);
}

static int parse(ic_bytes in, int max_depth, bool copy, ic_response **out, ic_error *err)
{
    *out = NULL;
    arena *a = calloc(1, sizeof *a);
    ic_response *r = a ? arena_alloc(a, sizeof *r) : NULL;
    uint8_t *own = copy && r && in.len ? arena_alloc(a, in.len) : NULL;
    if (!r || (copy && in.len && !own)) {
        arena_free(a);
        return ic_fail(err, IC_ERR_NOMEM, "out of memory parsing a response");
    }
    if (own) {
        memcpy(own, in.ptr, in.len);
        in.ptr = own;
    }
    memset(r, 0, sizeof *r);
    r->arena_ = a;
    r->raw = in;
    r->tag = r->name = r->text = EMPTY_BYTES;
    r->code.name = r->code.raw = EMPTY_BYTES;
    parser p = {
        .in = in.ptr, .len = in.len, .a = a, .err = err,
        .max_depth = max_depth > 0 ? max_depth : IC_DEFAULT_MAX_DEPTH,
    };
    int rc = parse_response(&p, r);
    if (rc) {
        arena_free(a);
        return rc;
    }
    *out = r;
    return IC_OK;
}

int ic_response_parse(ic_bytes in, int max_depth, ic_response **out, ic_error *err)
{
    return parse(in, max_depth, false, out, err);
}

int ic_response_parse_copy(ic_bytes in, int max_depth, ic_response **out, ic_error *err)
{
    return parse(in, max_depth, true, out, err);
}

void ic_response_free(ic_response *r)
{
    if (r)
        arena_free(r->arena_);   /* r itself lives in the arena */
}

const char *ic_cond_name(ic_cond c)
{
    switch (c) {
    case IC_COND_OK: return "OK";
    case IC_COND_NO: return "NO";
    case IC_COND_BAD: return "BAD";
    case IC_COND_PREAUTH: return "PREAUTH";
    case IC_COND_BYE: return "BYE";
    case IC_COND_NONE: break;
    }
    return "none";
}

const ic_node *ic_node_nth(const ic_node *first, size_t n)
{
    while (first && n--)
        first = first->next;
    return first;
}

const ic_node *ic_node_plist_get(const ic_node *list, const char *name)
{
    if (!list || list->type != IC_NODE_LIST)
        return NULL;
    for (const ic_node *item = list->child; item && item->next; item = item->next->next)
        if (item->type == IC_NODE_ATOM && ic_bytes_case_eq_str(item->value, name))
            return item->next;
    return NULL;
}
