/* expr.c: the scenario assertion language (see ic_expr.h and
 * docs/scenario-format.md §5).
 *
 * Compiling tokenizes the whole text, then a recursive-descent parser builds
 * an AST and checks statically which nodes are conditions (comparisons,
 * not/and/or, is_number, has_star) and which are values (variables, numbers,
 * sets, count/min/max/nth), so a misplaced operand is reported at compile
 * time with its column rather than when a server run reaches the assertion.
 *
 * "," only separates the arguments of nth(); a set literal keeps the commas
 * between its members, so the tokenizer gives a literal's trailing comma
 * back ("nth(4:6, 2)" is "4:6" "," "2").
 *
 * Evaluation reads each variable's captured text afresh: all digits (fitting
 * 64 bits) is a number, anything else must parse as a sequence set (0
 * allowed).  While evaluating, each comparison collects an account of its
 * non-literal operands ("$m2 = 5"), which becomes the explanation of a false
 * result.  Entries are kept apart by '\n' (no entry holds one: values are
 * rendered, source excerpts flattened), since an entry may itself hold ", "
 * ("nth($d, 2) = 5 ($d = 4:6)"); the final account joins them with ", ".
 */
#include "ic_expr.h"
#include "ic_render.h"
#include "ic_seqset.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPR_MAX_LEN 4096
#define EXPR_MAX_DEPTH 64
#define SEQ_NUMBER_MAX UINT64_C(4294967295)
#define VALUE_SHOWN 200    /* bytes of a value shown in an explanation or error */
#define SOURCE_SHOWN 60    /* bytes of expression text quoted in a compile error */

/* ---- tokens ---- */

typedef enum token_kind {
    TOK_END, TOK_VAR, TOK_NUMBER, TOK_SET, TOK_LPAREN, TOK_RPAREN,
    TOK_EQ, TOK_NE, TOK_LT, TOK_LE, TOK_GT, TOK_GE,
    TOK_AND, TOK_OR, TOK_NOT, TOK_IN, TOK_SUBSET,
    TOK_NOT_IN,   /* made by the parser from "not" "in", never by the tokenizer */
    TOK_COMMA,
    TOK_COUNT, TOK_MIN, TOK_MAX, TOK_IS_NUMBER, TOK_HAS_STAR, TOK_NTH
} token_kind;

typedef struct token {
    token_kind kind;
    size_t start, len;   /* byte span in the expression */
    uint64_t number;     /* TOK_NUMBER */
} token;

static const struct {
    const char *text;
    token_kind kind;
} words[] = {
    { "and", TOK_AND }, { "or", TOK_OR }, { "not", TOK_NOT }, { "in", TOK_IN },
    { "subset", TOK_SUBSET }, { "count", TOK_COUNT }, { "min", TOK_MIN }, { "max", TOK_MAX },
    { "is_number", TOK_IS_NUMBER }, { "has_star", TOK_HAS_STAR }, { "nth", TOK_NTH },
};

/* Two-character operators first, so "<=" is not read as "<" "=". */
static const struct {
    const char *text;
    token_kind kind;
} operators[] = {
    { "==", TOK_EQ }, { "!=", TOK_NE }, { "<=", TOK_LE }, { ">=", TOK_GE },
    { "<", TOK_LT }, { ">", TOK_GT }, { "(", TOK_LPAREN }, { ")", TOK_RPAREN },
    { ",", TOK_COMMA },
};

static const char *kind_name(token_kind kind)
{
    switch (kind) {
    case TOK_EQ: return "==";
    case TOK_NE: return "!=";
    case TOK_LT: return "<";
    case TOK_LE: return "<=";
    case TOK_GT: return ">";
    case TOK_GE: return ">=";
    case TOK_AND: return "and";
    case TOK_OR: return "or";
    case TOK_NOT: return "not";
    case TOK_IN: return "in";
    case TOK_NOT_IN: return "not in";
    case TOK_SUBSET: return "subset";
    case TOK_COUNT: return "count";
    case TOK_MIN: return "min";
    case TOK_MAX: return "max";
    case TOK_IS_NUMBER: return "is_number";
    case TOK_HAS_STAR: return "has_star";
    case TOK_NTH: return "nth";
    case TOK_COMMA: return ",";
    default: return "?";
    }
}

static bool is_function(token_kind kind)
{
    return kind >= TOK_COUNT && kind <= TOK_NTH;
}

/* Number of arguments function fn takes. */
static int arity(token_kind fn)
{
    return fn == TOK_NTH ? 2 : 1;
}

static bool is_comparison(token_kind kind)
{
    return (kind >= TOK_EQ && kind <= TOK_GE) || kind == TOK_IN || kind == TOK_SUBSET ||
           kind == TOK_NOT_IN;
}

/* ---- AST ---- */

typedef enum node_kind { NODE_VAR, NODE_NUMBER, NODE_SET, NODE_CALL, NODE_NOT, NODE_BINARY } node_kind;

typedef struct node {
    node_kind kind;
    size_t start, len;      /* source span, for messages */
    token_kind op;          /* NODE_BINARY: operator; NODE_CALL: function */
    char *name;             /* NODE_VAR, without "$" */
    uint64_t number;        /* NODE_NUMBER */
    ic_seqset *set;         /* NODE_SET */
    struct node *lhs, *rhs; /* NODE_NOT and one-argument calls use lhs only;
                             * nth(): lhs the set, rhs the index */
} node;

struct ic_expr {
    char *text;
    node *root;
};

static void free_node(node *n)
{
    if (!n)
        return;
    free_node(n->lhs);
    free_node(n->rhs);
    free(n->name);
    ic_seqset_free(n->set);
    free(n);
}

static bool is_condition(const node *n)
{
    return n->kind == NODE_NOT || n->kind == NODE_BINARY ||
           (n->kind == NODE_CALL && (n->op == TOK_IS_NUMBER || n->op == TOK_HAS_STAR));
}

/* ---- compile errors ---- */

typedef struct parser {
    const char *text;
    token *tokens;
    size_t pos;
    int depth;
    ic_error *err;
} parser;

static int compile_fail(ic_error *err, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int compile_fail(ic_error *err, size_t offset, const char *fmt, ...)
{
    char what[IC_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return ic_fail(err, IC_ERR_SCENARIO, "column %zu: %s", offset + 1, what);
}

static int shown_len(size_t len)
{
    return (int)(len < SOURCE_SHOWN ? len : SOURCE_SHOWN);
}

/* The source of a node, cut to SOURCE_SHOWN bytes ("..." marks a cut) and
 * kept on one line: a span may cross line breaks, messages may not. */
typedef struct excerpt {
    char text[SOURCE_SHOWN + 4];
} excerpt;

static excerpt source_excerpt(const char *text, size_t start, size_t len)
{
    excerpt x;
    size_t n = len < SOURCE_SHOWN ? len : SOURCE_SHOWN;
    for (size_t i = 0; i < n; i++) {
        char c = text[start + i];
        x.text[i] = c == '\t' || c == '\r' || c == '\n' ? ' ' : c;
    }
    strcpy(x.text + n, len > n ? "..." : "");
    return x;
}

/* "\"==\"" or "end of expression", for "found ..." and "after ...". */
static void describe_token(const parser *p, const token *t, char *out, size_t outlen)
{
    if (t->kind == TOK_END)
        snprintf(out, outlen, "end of expression");
    else
        snprintf(out, outlen, "\"%.*s\"", shown_len(t->len), p->text + t->start);
}

/* ---- tokenizer ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || is_digit(c);
}

static bool is_var_char(char c)
{
    return is_word_char(c) || c == '.' || c == '-';
}

static bool is_set_char(char c)
{
    return is_digit(c) || c == ':' || c == ',' || c == '*';
}

static size_t span(const char *s, size_t from, bool (*accept)(char))
{
    size_t i = from;
    while (s[i] && accept(s[i]))
        i++;
    return i - from;
}

static int lex_variable(const char *text, size_t at, token *t, ic_error *err)
{
    size_t n = span(text, at + 1, is_var_char);
    if (n == 0)
        return compile_fail(err, at, "expected a variable name after \"$\"");
    *t = (token){ TOK_VAR, at, n + 1, 0 };
    return IC_OK;
}

/* Digits alone are a number; digits with ':' ',' '*' are a set literal,
 * parsed when the parser builds its node.  A set never ends in ",", so a
 * trailing one is left for the next token (the argument separator). */
static int lex_number_or_set(const char *text, size_t at, token *t, ic_error *err)
{
    size_t n = span(text, at, is_set_char);
    if (n > 1 && text[at + n - 1] == ',')
        n--;
    if (span(text, at, is_digit) < n) {
        *t = (token){ TOK_SET, at, n, 0 };
        return IC_OK;
    }
    uint64_t value = 0;
    for (size_t i = at; i < at + n; i++) {
        unsigned digit = (unsigned)(text[i] - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return compile_fail(err, at, "number %.*s does not fit in 64 bits", shown_len(n), text + at);
        value = value * 10 + digit;
    }
    *t = (token){ TOK_NUMBER, at, n, value };
    return IC_OK;
}

static int lex_word(const char *text, size_t at, token *t, ic_error *err)
{
    size_t n = span(text, at, is_word_char);
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (strlen(words[i].text) == n && memcmp(words[i].text, text + at, n) == 0) {
            *t = (token){ words[i].kind, at, n, 0 };
            return IC_OK;
        }
    }
    size_t next = at + n + span(text, at + n, is_space);
    if (text[next] == '(')
        return compile_fail(err, at, "unknown function \"%.*s\" (functions: count, min, max, "
                            "nth, is_number, has_star)", shown_len(n), text + at);
    return compile_fail(err, at, "unknown word \"%.*s\" (variables start with \"$\"; "
                        "operators: and, or, not, in, not in, subset)", shown_len(n), text + at);
}

static int lex_operator(const char *text, size_t at, token *t, ic_error *err)
{
    for (size_t i = 0; i < sizeof operators / sizeof operators[0]; i++) {
        size_t n = strlen(operators[i].text);
        if (strncmp(text + at, operators[i].text, n) == 0) {
            *t = (token){ operators[i].kind, at, n, 0 };
            return IC_OK;
        }
    }
    unsigned char c = (unsigned char)text[at];
    if (c == '=')
        return compile_fail(err, at, "\"=\" is not an operator; use \"==\"");
    if (c == '!')
        return compile_fail(err, at, "\"!\" is not an operator; use \"!=\" or \"not\"");
    if (c > ' ' && c < 0x7f)
        return compile_fail(err, at, "unexpected character '%c'", c);
    return compile_fail(err, at, "unexpected byte 0x%02X", c);
}

/* Fills tokens (room for strlen(text) + 1) ending with TOK_END. */
static int tokenize(const char *text, token *tokens, ic_error *err)
{
    size_t at = 0, n = 0;
    for (;;) {
        at += span(text, at, is_space);
        char c = text[at];
        int rc;
        if (c == '\0') {
            tokens[n] = (token){ TOK_END, at, 0, 0 };
            return IC_OK;
        }
        if (c == '$')
            rc = lex_variable(text, at, &tokens[n], err);
        else if (is_digit(c) || c == '*')
            rc = lex_number_or_set(text, at, &tokens[n], err);
        else if (is_word_char(c))
            rc = lex_word(text, at, &tokens[n], err);
        else
            rc = lex_operator(text, at, &tokens[n], err);
        if (rc)
            return rc;
        at += tokens[n++].len;
    }
}

/* ---- parser ---- */

static const token *peek(const parser *p)
{
    return &p->tokens[p->pos];
}

static node *new_node(parser *p, node_kind kind, size_t start, size_t end)
{
    node *n = calloc(1, sizeof *n);
    if (!n) {
        ic_fail(p->err, IC_ERR_NOMEM, "out of memory compiling an expression");
        return NULL;
    }
    n->kind = kind;
    n->start = start;
    n->len = end - start;
    return n;
}

static size_t node_end(const node *n)
{
    return n->start + n->len;
}

/* Checks that n is a condition (want_condition) or a value, for who. */
static int require(parser *p, const node *n, bool want_condition, const char *who)
{
    if (is_condition(n) == want_condition)
        return IC_OK;
    if (want_condition)
        return compile_fail(p->err, n->start, "%s needs a condition, but \"%s\" is a value "
                            "(compare it with ==, <, in, ...)", who,
                            source_excerpt(p->text, n->start, n->len).text);
    return compile_fail(p->err, n->start, "%s needs a value (a variable, number, set, count, "
                        "min, max or nth), but \"%s\" is a condition", who,
                        source_excerpt(p->text, n->start, n->len).text);
}

static int enter(parser *p)
{
    if (++p->depth > EXPR_MAX_DEPTH)
        return compile_fail(p->err, peek(p)->start, "expression nested more than %d levels deep",
                            EXPR_MAX_DEPTH);
    return IC_OK;
}

static int expect(parser *p, token_kind kind, const char *what)
{
    const token *t = peek(p);
    if (t->kind == kind) {
        p->pos++;
        return IC_OK;
    }
    char found[SOURCE_SHOWN + 8];
    describe_token(p, t, found, sizeof found);
    return compile_fail(p->err, t->start, "expected %s, found %s", what, found);
}

static int parse_or(parser *p, node **out);
static int parse_term(parser *p, node **out);

static int missing_operand(parser *p)
{
    const token *t = peek(p);
    if (p->pos == 0)
        return compile_fail(p->err, t->start, "expected an operand at the start");
    const token *prev = &p->tokens[p->pos - 1];
    char found[SOURCE_SHOWN + 8];
    describe_token(p, t, found, sizeof found);
    return compile_fail(p->err, t->start, "expected an operand after \"%.*s\"%s%s",
                        shown_len(prev->len), p->text + prev->start,
                        t->kind == TOK_END ? "" : ", found ", t->kind == TOK_END ? "" : found);
}

static int parse_set_literal(parser *p, const token *t, node **out)
{
    ic_seqset *set;
    ic_error set_err;
    ic_bytes literal = { (const uint8_t *)p->text + t->start, t->len };
    if (ic_seqset_parse(literal, true, &set, &set_err))
        return compile_fail(p->err, t->start, "invalid sequence-set literal: %s", set_err.msg);
    if (!(*out = new_node(p, NODE_SET, t->start, t->start + t->len))) {
        ic_seqset_free(set);
        return IC_ERR_NOMEM;
    }
    (*out)->set = set;
    return IC_OK;
}

static int parse_variable(parser *p, const token *t, node **out)
{
    if (!(*out = new_node(p, NODE_VAR, t->start, t->start + t->len)))
        return IC_ERR_NOMEM;
    ic_bytes name = { (const uint8_t *)p->text + t->start + 1, t->len - 1 };
    if (!((*out)->name = ic_bytes_dup(name))) {
        free_node(*out);
        return ic_fail(p->err, IC_ERR_NOMEM, "out of memory compiling an expression");
    }
    return IC_OK;
}

static int parse_parenthesised(parser *p, node **out)
{
    size_t open = peek(p)->start;
    int rc = enter(p);
    if (rc)
        return rc;
    p->pos++;
    if ((rc = parse_or(p, out)))
        return rc;
    char what[64];
    snprintf(what, sizeof what, "\")\" to close \"(\" at column %zu", open + 1);
    if ((rc = expect(p, TOK_RPAREN, what))) {
        free_node(*out);
        return rc;
    }
    p->depth--;
    return IC_OK;
}

/* After nth()'s first argument: the "," before the index.  A set literal
 * written "4:6,2" swallowed the comma; say so. */
static int expect_separator(parser *p, const node *first)
{
    const token *t = peek(p);
    if (t->kind == TOK_COMMA) {
        p->pos++;
        return IC_OK;
    }
    char found[SOURCE_SHOWN + 8];
    describe_token(p, t, found, sizeof found);
    bool swallowed = first->kind == NODE_SET && memchr(p->text + first->start, ',', first->len);
    return compile_fail(p->err, t->start, "expected \",\" and an index after the set in nth(), "
                        "found %s%s", found,
                        swallowed ? " (the set literal took the comma: put a space after it, "
                                    "as in nth(4:6, 2))" : "");
}

/* One argument of a call, which must be a value. */
static int parse_argument(parser *p, const char *who, node **out)
{
    int rc = parse_or(p, out);
    if (rc)
        return rc;
    if ((rc = require(p, *out, false, who))) {
        free_node(*out);
        *out = NULL;
    }
    return rc;
}

static int parse_call(parser *p, node **out)
{
    const token fn = *peek(p);
    int rc = enter(p);
    if (rc)
        return rc;
    p->pos++;
    char what[64];
    snprintf(what, sizeof what, "\"(\" after \"%s\"", kind_name(fn.kind));
    if ((rc = expect(p, TOK_LPAREN, what)))
        return rc;
    char who[32];
    snprintf(who, sizeof who, "%s()", kind_name(fn.kind));
    node *arg, *index = NULL;
    if ((rc = parse_argument(p, who, &arg)))
        return rc;
    if (arity(fn.kind) == 2 &&
        ((rc = expect_separator(p, arg)) || (rc = parse_argument(p, who, &index)))) {
        free_node(arg);
        return rc;
    }
    snprintf(what, sizeof what, "\")\" after the argument%s of %s", index ? "s" : "", who);
    if ((rc = expect(p, TOK_RPAREN, what))) {
        free_node(arg);
        free_node(index);
        return rc;
    }
    p->depth--;
    if (!(*out = new_node(p, NODE_CALL, fn.start, p->tokens[p->pos - 1].start + 1))) {
        free_node(arg);
        free_node(index);
        return IC_ERR_NOMEM;
    }
    (*out)->op = fn.kind;
    (*out)->lhs = arg;
    (*out)->rhs = index;
    return IC_OK;
}

static int parse_term(parser *p, node **out)
{
    const token *t = peek(p);
    if (t->kind == TOK_LPAREN)
        return parse_parenthesised(p, out);
    if (is_function(t->kind))
        return parse_call(p, out);
    if (t->kind != TOK_VAR && t->kind != TOK_NUMBER && t->kind != TOK_SET)
        return missing_operand(p);
    p->pos++;
    if (t->kind == TOK_SET)
        return parse_set_literal(p, t, out);
    if (t->kind == TOK_VAR)
        return parse_variable(p, t, out);
    if (!(*out = new_node(p, NODE_NUMBER, t->start, t->start + t->len)))
        return IC_ERR_NOMEM;
    (*out)->number = t->number;
    return IC_OK;
}

/* Joins lhs and rhs under op (both already checked), freeing them on OOM. */
static int make_binary(parser *p, token_kind op, node *lhs, node *rhs, node **out)
{
    if (!(*out = new_node(p, NODE_BINARY, lhs->start, node_end(rhs)))) {
        free_node(lhs);
        free_node(rhs);
        return IC_ERR_NOMEM;
    }
    (*out)->op = op;
    (*out)->lhs = lhs;
    (*out)->rhs = rhs;
    return IC_OK;
}

/* The comparison operator at the current token, consumed; TOK_END if none. */
static token_kind take_comparison(parser *p)
{
    token_kind kind = peek(p)->kind;
    if (kind == TOK_NOT && p->tokens[p->pos + 1].kind == TOK_IN) {
        p->pos += 2;
        return TOK_NOT_IN;
    }
    if (!is_comparison(kind))
        return TOK_END;
    p->pos++;
    return kind;
}

static int parse_comparison(parser *p, node **out)
{
    node *lhs, *rhs;
    int rc = parse_term(p, &lhs);
    if (rc)
        return rc;
    token_kind op = take_comparison(p);
    if (op == TOK_END) {
        *out = lhs;
        return IC_OK;
    }
    char who[16];
    snprintf(who, sizeof who, "\"%s\"", kind_name(op));
    if ((rc = require(p, lhs, false, who)) || (rc = parse_term(p, &rhs))) {
        free_node(lhs);
        return rc;
    }
    if ((rc = require(p, rhs, false, who))) {
        free_node(lhs);
        free_node(rhs);
        return rc;
    }
    return make_binary(p, op, lhs, rhs, out);
}

static int parse_not(parser *p, node **out)
{
    if (peek(p)->kind != TOK_NOT)
        return parse_comparison(p, out);
    size_t start = peek(p)->start;
    int rc = enter(p);
    if (rc)
        return rc;
    p->pos++;
    node *operand;
    if ((rc = parse_not(p, &operand)))
        return rc;
    if ((rc = require(p, operand, true, "\"not\""))) {
        free_node(operand);
        return rc;
    }
    p->depth--;
    if (!(*out = new_node(p, NODE_NOT, start, node_end(operand)))) {
        free_node(operand);
        return IC_ERR_NOMEM;
    }
    (*out)->lhs = operand;
    return IC_OK;
}

/* One left-associative level: operand (op operand)*, op being "and" or "or". */
static int parse_chain(parser *p, token_kind op, int (*operand)(parser *, node **), node **out)
{
    char who[16];
    snprintf(who, sizeof who, "\"%s\"", kind_name(op));
    node *lhs;
    int rc = operand(p, &lhs);
    if (rc)
        return rc;
    while (peek(p)->kind == op) {
        node *rhs;
        if ((rc = require(p, lhs, true, who))) {
            free_node(lhs);
            return rc;
        }
        p->pos++;
        if ((rc = operand(p, &rhs))) {
            free_node(lhs);
            return rc;
        }
        if ((rc = require(p, rhs, true, who))) {
            free_node(lhs);
            free_node(rhs);
            return rc;
        }
        if ((rc = make_binary(p, op, lhs, rhs, &lhs)))
            return rc;
    }
    *out = lhs;
    return IC_OK;
}

static int parse_and(parser *p, node **out)
{
    return parse_chain(p, TOK_AND, parse_not, out);
}

static int parse_or(parser *p, node **out)
{
    return parse_chain(p, TOK_OR, parse_and, out);
}

static int leftover(parser *p)
{
    const token *t = peek(p);
    char found[SOURCE_SHOWN + 8];
    describe_token(p, t, found, sizeof found);
    if (t->kind == TOK_RPAREN)
        return compile_fail(p->err, t->start, "unexpected \")\" without a matching \"(\"");
    if (is_comparison(t->kind))
        return compile_fail(p->err, t->start, "unexpected %s: comparisons do not chain; "
                            "join them with \"and\"", found);
    if (t->kind == TOK_COMMA)
        return compile_fail(p->err, t->start, "unexpected \",\" outside nth() (a set literal "
                            "is written without spaces, as in 1:3,5)");
    return compile_fail(p->err, t->start, "unexpected %s after a complete expression", found);
}

static int parse_expression(parser *p, node **out)
{
    if (peek(p)->kind == TOK_END)
        return compile_fail(p->err, 0, "empty expression");
    node *root;
    int rc = parse_or(p, &root);
    if (rc)
        return rc;
    if (peek(p)->kind != TOK_END)
        rc = leftover(p);
    else
        rc = require(p, root, true, "an assertion");
    if (rc) {
        free_node(root);
        return rc;
    }
    *out = root;
    return IC_OK;
}

int ic_expr_compile(const char *text, ic_expr **out, ic_error *err)
{
    *out = NULL;
    size_t len = strlen(text);
    if (len > EXPR_MAX_LEN)
        return compile_fail(err, EXPR_MAX_LEN, "expression is %zu bytes long; the limit is %d",
                            len, EXPR_MAX_LEN);
    ic_expr *e = calloc(1, sizeof *e);
    token *tokens = malloc((len + 1) * sizeof *tokens);
    if (!e || !tokens || !(e->text = strdup(text))) {
        free(tokens);
        ic_expr_free(e);
        return ic_fail(err, IC_ERR_NOMEM, "out of memory compiling an expression");
    }
    parser p = { e->text, tokens, 0, 0, err };
    int rc = tokenize(e->text, tokens, err);
    if (!rc)
        rc = parse_expression(&p, &e->root);
    free(tokens);
    if (rc) {
        ic_expr_free(e);
        return rc;
    }
    *out = e;
    return IC_OK;
}

void ic_expr_free(ic_expr *e)
{
    if (!e)
        return;
    free_node(e->root);
    free(e->text);
    free(e);
}

/* ---- values ---- */

typedef enum value_kind { VAL_NUMBER, VAL_SET } value_kind;

typedef struct value {
    value_kind kind;
    uint64_t number;
    const ic_seqset *set;
    ic_seqset *owned;   /* set, when this value made it */
} value;

static void release(value *v)
{
    ic_seqset_free(v->owned);
    v->owned = NULL;
}

typedef struct evaluator {
    const char *text;
    ic_var_lookup_fn lookup;
    void *ctx;
    ic_error *err;
} evaluator;

static int eval_nomem(const evaluator *ev)
{
    return ic_fail(ev->err, IC_ERR_NOMEM, "out of memory evaluating an assertion");
}

/* The single member of a one-member set; false for other sets. */
static bool sole_member(const ic_seqset *s, uint64_t *member)
{
    return ic_seqset_count(s) == 1 && ic_seqset_min(s, member);
}

/* A number, or a set of one number ("*" is not a number). */
static bool as_number(const value *v, uint64_t *n)
{
    if (v->kind == VAL_NUMBER) {
        *n = v->number;
        return true;
    }
    return sole_member(v->set, n) && *n != IC_SEQ_STAR;
}

static int append_value(ic_buf *out, const value *v)
{
    if (v->kind == VAL_NUMBER)
        return ic_buf_printf(out, "%llu", (unsigned long long)v->number);
    ic_buf text;
    ic_buf_init(&text, 0);
    int rc = ic_seqset_format(v->set, &text);
    if (!rc)
        rc = ic_render(ic_buf_bytes(&text), VALUE_SHOWN, out);
    ic_buf_free(&text);
    return rc;
}

/* What the set v is, when a number was wanted: "a set of 3 members", or
 * "\"*\", not a number". */
static void describe_non_number(const value *v, char *out, size_t outlen)
{
    uint64_t member;
    if (sole_member(v->set, &member))
        snprintf(out, outlen, "\"*\", not a number");
    else
        snprintf(out, outlen, "a set of %llu members", (unsigned long long)ic_seqset_count(v->set));
}

/* ---- explanations ----
 * An account is entries joined by ENTRY_SEP (", " once finished); an entry
 * appears once even when several comparisons report the same operand. */

#define ENTRY_SEP '\n'

/* Steps through the entries of account: *entry and *len get the next one;
 * false at the end. */
static bool next_entry(const ic_buf *account, size_t *pos, const char **entry, size_t *len)
{
    if (*pos >= account->len)
        return false;
    const char *at = (const char *)account->data + *pos;
    const char *sep = memchr(at, ENTRY_SEP, account->len - *pos);
    *entry = at;
    *len = sep ? (size_t)(sep - at) : account->len - *pos;
    *pos += *len + 1;
    return true;
}

static bool has_entry(const ic_buf *why, const char *entry, size_t len)
{
    const char *seen;
    size_t pos = 0, n;
    while (next_entry(why, &pos, &seen, &n))
        if (n == len && memcmp(seen, entry, len) == 0)
            return true;
    return false;
}

static int add_entry(ic_buf *why, const char *entry, size_t len)
{
    if (len == 0 || has_entry(why, entry, len))
        return IC_OK;
    if (why->len && ic_buf_append(why, &(char){ ENTRY_SEP }, 1))
        return IC_ERR_NOMEM;
    return ic_buf_append(why, entry, len);
}

/* Adds each entry of the account from to why. */
static int merge_entries(const evaluator *ev, ic_buf *why, const ic_buf *from)
{
    const char *entry;
    size_t pos = 0, n;
    while (next_entry(from, &pos, &entry, &n))
        if (add_entry(why, entry, n))
            return eval_nomem(ev);
    return IC_OK;
}

/* ---- evaluation ---- */

static int eval_value(const evaluator *ev, const node *n, value *out, ic_buf *desc);
static int eval_cond(const evaluator *ev, const node *n, bool *out, ic_buf *why);

/* Reads a variable's captured text as a number or a set; desc gets "$x = text". */
static int eval_variable(const evaluator *ev, const node *n, value *out, ic_buf *desc)
{
    ic_bytes text;
    if (!ev->lookup(ev->ctx, n->name, &text))
        return ic_fail(ev->err, IC_ERR_SCENARIO, "$%s is unbound: no earlier step captured it",
                       n->name);
    char *shown = ic_render_str(text, VALUE_SHOWN);
    if (!shown || ic_buf_printf(desc, "$%s = %s", n->name, shown)) {
        free(shown);
        return eval_nomem(ev);
    }
    size_t digits = 0;
    while (digits < text.len && text.ptr[digits] >= '0' && text.ptr[digits] <= '9')
        digits++;
    uint64_t number = 0;
    bool fits = digits > 0 && digits == text.len;
    for (size_t i = 0; fits && i < digits; i++) {
        unsigned digit = (unsigned)(text.ptr[i] - '0');
        fits = number <= (UINT64_MAX - digit) / 10;
        number = number * 10 + digit;
    }
    int rc = IC_OK;
    ic_seqset *set;
    if (fits)
        *out = (value){ VAL_NUMBER, number, NULL, NULL };
    else if (ic_seqset_parse(text, true, &set, NULL) == IC_OK)
        *out = (value){ VAL_SET, 0, set, set };
    else
        rc = ic_fail(ev->err, IC_ERR_SCENARIO, "$%s = \"%s\" is neither a number nor a set",
                     n->name, shown);
    free(shown);
    return rc;
}

/* The value of a set member: the number, or for "*" (which has no numeric
 * value) the set {*}, which compares equal to the literal * and is refused
 * where a number is needed. */
static int member_value(const evaluator *ev, uint64_t member, value *out)
{
    *out = (value){ VAL_NUMBER, member, NULL, NULL };
    if (member != IC_SEQ_STAR)
        return IC_OK;
    ic_seqset *star;
    if (ic_seqset_parse(IC_BYTES("*"), false, &star, NULL))
        return eval_nomem(ev);
    *out = (value){ VAL_SET, 0, star, star };
    return IC_OK;
}

/* count/min/max of a set (a number n counting as {n}). */
static int apply_function(const evaluator *ev, token_kind fn, const value *arg, value *out)
{
    *out = (value){ VAL_NUMBER, 0, NULL, NULL };
    if (arg->kind == VAL_NUMBER) {
        out->number = fn == TOK_COUNT ? 1 : arg->number;
        return IC_OK;
    }
    if (fn == TOK_COUNT) {
        out->number = ic_seqset_count(arg->set);
        return IC_OK;
    }
    uint64_t member;
    bool found = fn == TOK_MIN ? ic_seqset_min(arg->set, &member) : ic_seqset_max(arg->set, &member);
    if (!found)
        return ic_fail(ev->err, IC_ERR_INTERNAL, "%s() of an empty set", kind_name(fn));
    return member_value(ev, member, out);
}

/* "$d = 4:6" for an operand with an entry, else its source text. */
static const char *argument_name(const evaluator *ev, const node *n, const ic_buf *desc,
                                 char *buf, size_t buflen)
{
    if (desc->len)
        return (const char *)desc->data;
    snprintf(buf, buflen, "%s", source_excerpt(ev->text, n->start, n->len).text);
    return buf;
}

/* nth(set, i): the i-th member (1-based) in written order, ranges walked
 * ascending (ic_seqset_nth_written); a number n counts as {n}. */
static int apply_nth(const evaluator *ev, const node *call, const value *set, const ic_buf *set_desc,
                     const value *index, const ic_buf *index_desc, value *out)
{
    char name[sizeof(excerpt)], what[64];
    uint64_t i;
    if (!as_number(index, &i)) {
        describe_non_number(index, what, sizeof what);
        return ic_fail(ev->err, IC_ERR_SCENARIO, "%s: the index must be a number, but %s is %s",
                       source_excerpt(ev->text, call->start, call->len).text,
                       argument_name(ev, call->rhs, index_desc, name, sizeof name), what);
    }
    uint64_t count = set->kind == VAL_NUMBER ? 1 : ic_seqset_count(set->set);
    if (i == 0 || i > count)
        return ic_fail(ev->err, IC_ERR_SCENARIO, "%s: index %llu is out of range: %s has %llu "
                       "member%s (indices start at 1)",
                       source_excerpt(ev->text, call->start, call->len).text, (unsigned long long)i,
                       argument_name(ev, call->lhs, set_desc, name, sizeof name),
                       (unsigned long long)count, count == 1 ? "" : "s");
    if (set->kind == VAL_NUMBER) {
        *out = (value){ VAL_NUMBER, set->number, NULL, NULL };
        return IC_OK;
    }
    uint64_t member;
    if (!ic_seqset_nth_written(set->set, i - 1, &member))
        return ic_fail(ev->err, IC_ERR_INTERNAL, "nth() found no member %llu of a set of %llu",
                       (unsigned long long)i, (unsigned long long)count);
    return member_value(ev, member, out);
}

/* desc gets "count($d) = 2 ($d = 5:6)" or "nth($d, $i) = 5 ($d = 4:6, $i = 2)". */
static int eval_call(const evaluator *ev, const node *n, value *out, ic_buf *desc)
{
    ic_buf arg_desc, index_desc;
    ic_buf_init(&arg_desc, 0);
    ic_buf_init(&index_desc, 0);
    value arg, index = { 0 };
    int rc = eval_value(ev, n->lhs, &arg, &arg_desc);
    if (!rc && n->rhs) {
        if (!(rc = eval_value(ev, n->rhs, &index, &index_desc)))
            rc = apply_nth(ev, n, &arg, &arg_desc, &index, &index_desc, out);
        release(&index);
        release(&arg);
    } else if (!rc) {
        rc = apply_function(ev, n->op, &arg, out);
        release(&arg);
    }
    bool both = arg_desc.len && index_desc.len;
    if (!rc && (ic_buf_printf(desc, "%s = ", source_excerpt(ev->text, n->start, n->len).text) ||
                append_value(desc, out) ||
                ((arg_desc.len || index_desc.len) &&
                 ic_buf_printf(desc, " (%s%s%s)", arg_desc.len ? (char *)arg_desc.data : "",
                               both ? ", " : "", index_desc.len ? (char *)index_desc.data : "")))) {
        release(out);
        rc = eval_nomem(ev);
    }
    ic_buf_free(&arg_desc);
    ic_buf_free(&index_desc);
    return rc;
}

/* Evaluates a value node; desc receives its entry for an explanation
 * (nothing for a literal, whose value is in the expression itself). */
static int eval_value(const evaluator *ev, const node *n, value *out, ic_buf *desc)
{
    switch (n->kind) {
    case NODE_NUMBER:
        *out = (value){ VAL_NUMBER, n->number, NULL, NULL };
        return IC_OK;
    case NODE_SET:
        *out = (value){ VAL_SET, 0, n->set, NULL };
        return IC_OK;
    case NODE_VAR:
        return eval_variable(ev, n, out, desc);
    case NODE_CALL:
        return eval_call(ev, n, out, desc);
    default:
        return ic_fail(ev->err, IC_ERR_INTERNAL, "a condition where a value belongs");
    }
}

/* An operand of a comparison: its value, its entry, and how to name it. */
typedef struct operand {
    const node *n;
    value v;
    ic_buf desc;
} operand;

/* "$s = 1:3" or, for a literal, its source text. */
static const char *operand_name(const evaluator *ev, const operand *o, char *buf, size_t buflen)
{
    if (o->desc.len)
        return (const char *)o->desc.data;
    snprintf(buf, buflen, "%s", source_excerpt(ev->text, o->n->start, o->n->len).text);
    return buf;
}

static int need_number(const evaluator *ev, token_kind op, const operand *o, uint64_t *n)
{
    if (as_number(&o->v, n))
        return IC_OK;
    char name[sizeof(excerpt)], what[64];
    describe_non_number(&o->v, what, sizeof what);
    return ic_fail(ev->err, IC_ERR_SCENARIO, "\"%s\" compares numbers, but %s is %s",
                   kind_name(op), operand_name(ev, o, name, sizeof name), what);
}

static int need_member(const evaluator *ev, token_kind op, const operand *o, uint64_t *member)
{
    if (o->v.kind == VAL_NUMBER) {
        *member = o->v.number;
        return IC_OK;
    }
    if (sole_member(o->v.set, member))
        return IC_OK;
    char name[sizeof(excerpt)], what[64];
    describe_non_number(&o->v, what, sizeof what);
    return ic_fail(ev->err, IC_ERR_SCENARIO, "\"%s\" needs one number on its left, but %s is %s "
                   "(use \"subset\" to compare sets)", kind_name(op),
                   operand_name(ev, o, name, sizeof name), what);
}

/* A set view of o: its set, or {n} for a number n (built in view/range). */
static int need_set(const evaluator *ev, token_kind op, const operand *o, ic_seqset *view,
                    ic_range *range, const ic_seqset **out)
{
    if (o->v.kind == VAL_SET) {
        *out = o->v.set;
        return IC_OK;
    }
    if (o->v.number > SEQ_NUMBER_MAX) {
        char name[sizeof(excerpt)];
        return ic_fail(ev->err, IC_ERR_SCENARIO, "\"%s\" compares sets, but %s is above "
                       "4294967295, so not a sequence number", kind_name(op),
                       operand_name(ev, o, name, sizeof name));
    }
    *range = (ic_range){ o->v.number, o->v.number };
    *view = (ic_seqset){ range, 1, range, 1, false };
    *out = view;
    return IC_OK;
}

static bool values_equal(const value *a, const value *b)
{
    if (a->kind == VAL_SET && b->kind == VAL_SET)
        return ic_seqset_equal(a->set, b->set);
    uint64_t x, y;
    return as_number(a, &x) && as_number(b, &y) && x == y;
}

/* lhs in rhs: a number n is never in a set when above 4294967295 (it
 * would alias "*"); a number on the right acts as {n}. */
static int member_of(const evaluator *ev, token_kind op, const operand *lhs, const operand *rhs,
                     bool *out)
{
    uint64_t member;
    int rc = need_member(ev, op, lhs, &member);
    if (rc)
        return rc;
    bool from_number = lhs->v.kind == VAL_NUMBER;
    if (rhs->v.kind == VAL_NUMBER)
        *out = member == rhs->v.number && (from_number || member != IC_SEQ_STAR);
    else
        *out = !(from_number && member > SEQ_NUMBER_MAX) && ic_seqset_contains(rhs->v.set, member);
    return IC_OK;
}

static int compare(const evaluator *ev, token_kind op, const operand *lhs, const operand *rhs,
                   bool *out)
{
    int rc;
    uint64_t x, y;
    ic_seqset views[2];
    ic_range ranges[2];
    const ic_seqset *a = NULL, *b = NULL;
    switch (op) {
    case TOK_EQ:
    case TOK_NE:
        *out = values_equal(&lhs->v, &rhs->v) == (op == TOK_EQ);
        return IC_OK;
    case TOK_IN:
    case TOK_NOT_IN:
        if ((rc = member_of(ev, op, lhs, rhs, out)))
            return rc;
        *out = *out == (op == TOK_IN);
        return IC_OK;
    case TOK_SUBSET:
        if ((rc = need_set(ev, op, lhs, &views[0], &ranges[0], &a)) ||
            (rc = need_set(ev, op, rhs, &views[1], &ranges[1], &b)))
            return rc;
        *out = ic_seqset_subset(a, b);
        return IC_OK;
    default:
        if ((rc = need_number(ev, op, lhs, &x)) || (rc = need_number(ev, op, rhs, &y)))
            return rc;
        *out = op == TOK_LT ? x < y : op == TOK_LE ? x <= y : op == TOK_GT ? x > y : x >= y;
        return IC_OK;
    }
}

/* When no operand had an entry (all literals), the account is the
 * condition's own text: "1 == 2 is false". */
static int add_operand_entries(const evaluator *ev, const node *n, const ic_buf *descs,
                               size_t ndescs, bool result, ic_buf *why)
{
    bool any = false;
    for (size_t i = 0; i < ndescs; i++) {
        if (add_entry(why, (const char *)descs[i].data, descs[i].len))
            return eval_nomem(ev);
        any = any || descs[i].len > 0;
    }
    if (any)
        return IC_OK;
    char entry[sizeof(excerpt) + 16];
    int len = snprintf(entry, sizeof entry, "%s is %s", source_excerpt(ev->text, n->start, n->len).text,
                       result ? "true" : "false");
    if (add_entry(why, entry, (size_t)len))
        return eval_nomem(ev);
    return IC_OK;
}

static int eval_comparison(const evaluator *ev, const node *n, bool *out, ic_buf *why)
{
    /* values start empty so both can be released whatever failed */
    operand sides[2] = { { n->lhs, { 0 }, { 0 } }, { n->rhs, { 0 }, { 0 } } };
    ic_buf descs[2];
    ic_buf_init(&descs[0], 0);
    ic_buf_init(&descs[1], 0);
    int rc = eval_value(ev, sides[0].n, &sides[0].v, &descs[0]);
    if (!rc)
        rc = eval_value(ev, sides[1].n, &sides[1].v, &descs[1]);
    sides[0].desc = descs[0];
    sides[1].desc = descs[1];
    if (!rc)
        rc = compare(ev, n->op, &sides[0], &sides[1], out);
    if (!rc)
        rc = add_operand_entries(ev, n, descs, 2, *out, why);
    release(&sides[0].v);
    release(&sides[1].v);
    ic_buf_free(&descs[0]);
    ic_buf_free(&descs[1]);
    return rc;
}

static int eval_predicate(const evaluator *ev, const node *n, bool *out, ic_buf *why)
{
    ic_buf desc;
    ic_buf_init(&desc, 0);
    value arg;
    int rc = eval_value(ev, n->lhs, &arg, &desc);
    if (!rc) {
        if (n->op == TOK_IS_NUMBER)
            *out = arg.kind == VAL_NUMBER;
        else
            *out = arg.kind == VAL_SET && arg.set->has_star;
        release(&arg);
        rc = add_operand_entries(ev, n, &desc, 1, *out, why);
    }
    ic_buf_free(&desc);
    return rc;
}

/* and/or: the account keeps the operands that decided the result.  When the
 * lhs settles it (false for and, true for or) that is the lhs alone; else
 * the rhs decides, together with the lhs when both agree (a true and needs
 * both true; a false or needs both false). */
static int eval_logic(const evaluator *ev, const node *n, bool *out, ic_buf *why)
{
    bool settles = n->op == TOK_OR;
    ic_buf lhs_why, rhs_why;
    ic_buf_init(&lhs_why, 0);
    ic_buf_init(&rhs_why, 0);
    int rc = eval_cond(ev, n->lhs, out, &lhs_why);
    bool lhs_value = *out;
    if (!rc && lhs_value != settles)
        rc = eval_cond(ev, n->rhs, out, &rhs_why);
    if (!rc && *out == lhs_value)
        rc = merge_entries(ev, why, &lhs_why);
    if (!rc)
        rc = merge_entries(ev, why, &rhs_why);
    ic_buf_free(&lhs_why);
    ic_buf_free(&rhs_why);
    return rc;
}

static int eval_cond(const evaluator *ev, const node *n, bool *out, ic_buf *why)
{
    if (n->kind == NODE_NOT) {
        int rc = eval_cond(ev, n->lhs, out, why);
        *out = !*out;
        return rc;
    }
    if (n->kind == NODE_CALL)
        return eval_predicate(ev, n, out, why);
    if (n->op == TOK_AND || n->op == TOK_OR)
        return eval_logic(ev, n, out, why);
    return eval_comparison(ev, n, out, why);
}

int ic_expr_eval(const ic_expr *e, ic_var_lookup_fn lookup, void *ctx, bool *result,
                 ic_buf *explain, ic_error *err)
{
    evaluator ev = { e->text, lookup, ctx, err };
    ic_buf why;
    ic_buf_init(&why, 0);
    int rc = eval_cond(&ev, e->root, result, &why);
    const char *entry;
    size_t pos = 0, n;
    bool first = true;
    while (!rc && !*result && explain && next_entry(&why, &pos, &entry, &n)) {
        if ((!first && ic_buf_append_str(explain, ", ")) || ic_buf_append(explain, entry, n))
            rc = eval_nomem(&ev);
        first = false;
    }
    ic_buf_free(&why);
    return rc;
}

/* ---- variables ---- */

/* True when a variable called name occurs in n before the node at limit. */
static bool occurs_before(const node *n, const char *name, const node *limit)
{
    if (!n || n->start >= limit->start)
        return false;
    if (n->kind == NODE_VAR)
        return strcmp(n->name, name) == 0;
    return occurs_before(n->lhs, name, limit) || occurs_before(n->rhs, name, limit);
}

static void visit_variables(const node *root, const node *n,
                            void (*fn)(void *ctx, const char *name), void *ctx)
{
    if (!n)
        return;
    if (n->kind == NODE_VAR && !occurs_before(root, n->name, n))
        fn(ctx, n->name);
    visit_variables(root, n->lhs, fn, ctx);
    visit_variables(root, n->rhs, fn, ctx);
}

void ic_expr_variables(const ic_expr *e, void (*fn)(void *ctx, const char *name), void *ctx)
{
    visit_variables(e->root, e->root, fn, ctx);
}
