/* match.c: server responses against scenario line patterns (see ic_match.h
 * and docs/scenario-format.md §4).
 *
 * ic_match_line walks the pattern tree and the response tree together.  A
 * sequence (the arguments of a line, a response code's arguments, a list) is
 * compared in one of three shapes: ORDERED (element by element, "..." ends
 * it), SET (flag and capability lists: members in any order) or PAIRS (FETCH
 * and STATUS items: name/value pairs looked up by name).  Which shape applies
 * follows from the response name (the "layout" table below).
 *
 * ic_match_set assigns distinct responses to the EXPECT items by
 * backtracking search (captures made by one item constrain the next), then
 * binds OPTIONAL items first-fit and checks FORBID items and exclusivity.
 */
#include "ic_match.h"
#include "ic_limits.h"
#include "ic_render.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SET_EFFORT_CAP 100000   /* line comparisons one ic_match_set may make */
#define SHOW_SLOTS     6        /* rendered tokens one message may hold */
#define SHOW_SIZE      96
#define SHOW_MAX_BYTES 56       /* rendered bytes before "...(N more bytes)" */
#define VAR_NAME_MAX   128

/* ---- pattern tokens ----------------------------------------------------- */

typedef enum token_kind {
    TOK_PLAIN,      /* compared by value */
    TOK_DOLLAR,     /* "$$Name": the literal atom $Name (IMAP keywords like $Forwarded) */
    TOK_ALT,        /* "A|B": any one of the alternatives (\Noselect|\NonExistent) */
    TOK_WILDCARD,   /* $_ */
    TOK_ELLIPSIS,   /* ... */
    TOK_VAR,        /* $name */
    TOK_FILE        /* $@n: the content of pattern file n */
} token_kind;

static bool is_name_char(uint8_t c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool all_match(ic_bytes b, size_t from, bool (*pred)(uint8_t))
{
    if (from >= b.len)
        return false;
    for (size_t i = from; i < b.len; i++)
        if (!pred(b.ptr[i]))
            return false;
    return true;
}

static bool is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static token_kind classify_text(ic_bytes t)
{
    if (ic_bytes_eq_str(t, "$_"))
        return TOK_WILDCARD;
    if (ic_bytes_eq_str(t, "..."))
        return TOK_ELLIPSIS;
    if (t.len >= 3 && t.ptr[0] == '$' && t.ptr[1] == '@' && all_match(t, 2, is_digit))
        return TOK_FILE;
    if (t.len >= 3 && t.ptr[0] == '$' && t.ptr[1] == '$')
        return TOK_DOLLAR;
    if (t.len >= 3 && t.ptr[0] != '|' && t.ptr[t.len - 1] != '|' && t.ptr[0] != '$' &&
        memchr(t.ptr, '|', t.len))
        return TOK_ALT;
    if (t.len >= 2 && t.ptr[0] == '$' && all_match(t, 1, is_name_char))
        return TOK_VAR;
    return TOK_PLAIN;
}

/* Only atoms carry meaning: a quoted "$x" in a pattern is the text $x. */
static token_kind classify(const ic_node *p)
{
    return p->type == IC_NODE_ATOM ? classify_text(p->value) : TOK_PLAIN;
}

/* ---- byte helpers ------------------------------------------------------- */

static bool bytes_eq(ic_bytes a, ic_bytes b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static uint8_t ascii_lower(uint8_t c)
{
    return c >= 'A' && c <= 'Z' ? (uint8_t)(c - 'A' + 'a') : c;
}

/* ASCII case-insensitive; NUL bytes are data, not terminators. */
static bool bytes_case_eq(ic_bytes a, ic_bytes b)
{
    if (a.len != b.len)
        return false;
    for (size_t i = 0; i < a.len; i++)
        if (ascii_lower(a.ptr[i]) != ascii_lower(b.ptr[i]))
            return false;
    return true;
}

static ic_bytes trim(ic_bytes b)
{
    while (b.len && (b.ptr[0] == ' ' || b.ptr[0] == '\t')) {
        b.ptr++;
        b.len--;
    }
    while (b.len && (b.ptr[b.len - 1] == ' ' || b.ptr[b.len - 1] == '\t'))
        b.len--;
    return b;
}

static ic_bytes strip_leading_zeros(ic_bytes d)
{
    while (d.len > 1 && d.ptr[0] == '0') {
        d.ptr++;
        d.len--;
    }
    return d;
}

/* Digits to a number; false on 64-bit overflow. */
static bool digits_value(ic_bytes d, uint64_t *v)
{
    *v = 0;
    for (size_t i = 0; i < d.len; i++) {
        unsigned digit = (unsigned)(d.ptr[i] - '0');
        if (*v > (UINT64_MAX - digit) / 10)
            return false;
        *v = *v * 10 + digit;
    }
    return true;
}

/* Where the response line ends, before its CRLF. */
static size_t line_end(const ic_response *r)
{
    size_t n = r->raw.len;
    if (n && r->raw.ptr[n - 1] == '\n')
        n--;
    if (n && r->raw.ptr[n - 1] == '\r')
        n--;
    return n;
}

/* The "n" of "* n NAME" as a token, read back from the raw bytes because
 * the tree keeps only the (saturating) value. */
static void number_token(const ic_response *r, ic_node *out)
{
    size_t i = 1;
    while (i < r->raw.len && r->raw.ptr[i] == ' ')
        i++;
    size_t from = i;
    while (i < r->raw.len && is_digit(r->raw.ptr[i]))
        i++;
    memset(out, 0, sizeof *out);
    out->type = IC_NODE_NUMBER;
    out->raw = out->value = (ic_bytes){ r->raw.ptr + from, i - from };
    out->offset = from;
}

/* ---- the line matcher's state and failure reports ----------------------- */

typedef struct matcher {
    const ic_pattern *pat;
    const ic_response *resp;
    ic_match_ctx *ctx;
    int score;
    int trial;            /* > 0 inside a set-member trial: failures are expected, not reported */
    bool missed;          /* miss holds the first difference */
    ic_match_miss miss;
    char shown[SHOW_SLOTS][SHOW_SIZE];
    unsigned nshown;
} matcher;

static bool hit(matcher *m)
{
    m->score++;
    return true;
}

static bool reporting(const matcher *m)
{
    return !m->trial && !m->missed;
}

__attribute__((format(printf, 3, 4)))
static bool fail_at(matcher *m, size_t offset, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->miss.why, sizeof m->miss.why, fmt, ap);
    va_end(ap);
    m->miss.offset = offset;
    m->missed = true;
    return false;
}

/* Records the first difference; the message arguments are only evaluated
 * (rendered) when it will be kept. */
#define FAIL(m, offset, ...) (reporting(m) ? fail_at((m), (offset), __VA_ARGS__) : false)

/* Renders bytes safely, between two fixed strings, into one of the
 * matcher's message slots. */
static const char *show_between(matcher *m, const char *before, ic_bytes b, const char *after)
{
    char *slot = m->shown[m->nshown++ % SHOW_SLOTS];
    char *text = ic_render_str(b, SHOW_MAX_BYTES);
    snprintf(slot, SHOW_SIZE, "%s%s%s", before, text ? text : "?", after);
    free(text);
    return slot;
}

static const char *show(matcher *m, ic_bytes b)
{
    return show_between(m, "", b, "");
}

/* "UID " before a value in messages, or nothing. */
static const char *show_label(matcher *m, ic_bytes label)
{
    return label.len ? show_between(m, "", label, " ") : "";
}

static const char *show_kind(matcher *m, const ic_response *r)
{
    switch (r->kind) {
    case IC_RESP_UNTAGGED:
        return "untagged";
    case IC_RESP_CONTINUATION:
        return "continuation";
    case IC_RESP_TAGGED:
        break;
    }
    return show_between(m, "tagged ", r->tag, "");
}

static size_t offset_of(const matcher *m, ic_bytes b)
{
    const uint8_t *raw = m->resp->raw.ptr;
    if (b.ptr >= raw && b.ptr <= raw + m->resp->raw.len)
        return (size_t)(b.ptr - raw);
    return line_end(m->resp);
}

static const ic_bytes no_label = { (const uint8_t *)"", 0 };

/* ---- sequence layouts --------------------------------------------------- */

typedef enum seq_shape { SHAPE_ORDERED, SHAPE_SET, SHAPE_PAIRS } seq_shape;

typedef struct layout {
    seq_shape shape;
    const char *what;          /* for SET/PAIRS messages: "FLAGS", "FETCH" */
    const char *noun;          /* what ends an ORDERED sequence: "list", "line" */
    int special;               /* ORDERED: index of the child list compared otherwise, or -1 */
    seq_shape special_shape;
    const char *special_what;
} layout;

static const layout nested_list = { SHAPE_ORDERED, "", "list", -1, SHAPE_ORDERED, "" };

/* Response names (and response code names) whose arguments are not plain
 * ordered lists. */
static const layout known_layouts[] = {
    { SHAPE_SET, "CAPABILITY", "line", -1, SHAPE_ORDERED, "" },
    { SHAPE_SET, "ENABLED", "line", -1, SHAPE_ORDERED, "" },
    { SHAPE_ORDERED, "FETCH", "line", 0, SHAPE_PAIRS, "FETCH" },
    { SHAPE_ORDERED, "STATUS", "line", 1, SHAPE_PAIRS, "STATUS" },
    { SHAPE_ORDERED, "FLAGS", "line", 0, SHAPE_SET, "FLAGS" },
    { SHAPE_ORDERED, "LIST", "line", 0, SHAPE_SET, "LIST" },
    { SHAPE_ORDERED, "LSUB", "line", 0, SHAPE_SET, "LSUB" },
    { SHAPE_ORDERED, "PERMANENTFLAGS", "line", 0, SHAPE_SET, "PERMANENTFLAGS" },
};

static layout layout_of(ic_bytes name, const char *noun)
{
    layout lay = { SHAPE_ORDERED, "", noun, -1, SHAPE_ORDERED, "" };
    for (size_t i = 0; i < sizeof known_layouts / sizeof known_layouts[0]; i++)
        if (ic_bytes_case_eq_str(name, known_layouts[i].what)) {
            lay = known_layouts[i];
            lay.noun = noun;
        }
    return lay;
}

static layout child_layout(const layout *parent, size_t index)
{
    if (parent->special < 0 || (size_t)parent->special != index)
        return nested_list;
    layout lay = nested_list;
    lay.shape = parent->special_shape;
    lay.what = parent->special_what;
    return lay;
}

/* The value of a FETCH/STATUS item: FLAGS is a set, anything else ordered. */
static layout item_value_layout(const ic_node *name)
{
    layout lay = nested_list;
    if (ic_bytes_case_eq_str(name->value, "FLAGS")) {
        lay.shape = SHAPE_SET;
        lay.what = "FLAGS";
    }
    return lay;
}

/* ---- tokens ------------------------------------------------------------- */

static bool match_sequence(matcher *m, const ic_node *p, const ic_node *r, size_t end,
                           const layout *lay, ic_bytes label);

static bool is_inbox(const ic_node *n)
{
    return n->type != IC_NODE_LIST && n->type != IC_NODE_NIL && ic_bytes_case_eq_str(n->value, "INBOX");
}

static bool is_string(const ic_node *n)
{
    return n->type == IC_NODE_QUOTED || n->type == IC_NODE_LITERAL;
}

/* Numerically: for digit strings that is equality without leading zeros,
 * which also holds for numbers too big for 64 bits. */
static bool numbers_equal(const ic_node *a, const ic_node *b)
{
    return bytes_eq(strip_leading_zeros(a->value), strip_leading_zeros(b->value));
}

/* Two non-list tokens.  NIL equals only NIL; strings compare exactly, also
 * against an atom (a mailbox name may come either way); atoms compare
 * case-insensitively. */
/* Whether r is the mailbox name of a LIST, LSUB or STATUS response: names
 * are case-sensitive (RFC 3501 §5.1; modified UTF-7's base64 part above
 * all), INBOX excepted, while other atoms are keywords and compare without
 * case. */
static bool is_mailbox_name(const matcher *m, const ic_node *r)
{
    const ic_response *resp = m->resp;
    if (resp->kind != IC_RESP_UNTAGGED)
        return false;
    if (ic_bytes_case_eq_str(resp->name, "LIST") || ic_bytes_case_eq_str(resp->name, "LSUB"))
        return ic_node_nth(resp->args, 2) == r;
    return ic_bytes_case_eq_str(resp->name, "STATUS") && resp->args == r;
}

static bool scalars_equal(const matcher *m, const ic_node *p, const ic_node *r)
{
    if (p->type == IC_NODE_NIL || r->type == IC_NODE_NIL)
        return p->type == r->type;
    if (p->type == IC_NODE_NUMBER && r->type == IC_NODE_NUMBER)
        return numbers_equal(p, r);
    if (is_inbox(p) && is_inbox(r))
        return true;
    if (is_string(p) || is_string(r) || is_mailbox_name(m, r))
        return bytes_eq(p->value, r->value);
    return bytes_case_eq(p->value, r->value);
}

/* What a capture holds: a list's bytes as sent, any other token's value. */
static ic_bytes capture_value(const ic_node *r)
{
    return r->type == IC_NODE_LIST ? r->raw : r->value;
}

static bool equals_binding(const matcher *m, const ic_node *r, ic_bytes bound)
{
    ic_bytes value = capture_value(r);
    if (is_string(r) || r->type == IC_NODE_LIST || is_mailbox_name(m, r))
        return bytes_eq(value, bound) || (is_inbox(r) && ic_bytes_case_eq_str(bound, "INBOX"));
    return bytes_case_eq(value, bound);
}

static bool match_var(matcher *m, ic_bytes var, const ic_node *r, ic_bytes label)
{
    char name[VAR_NAME_MAX];
    if (var.len - 1 >= sizeof name)
        return FAIL(m, r->offset, "variable name %s is too long", show(m, var));
    memcpy(name, var.ptr + 1, var.len - 1);
    name[var.len - 1] = '\0';
    ic_bindings *b = m->ctx->bindings;
    const ic_binding *bound = b ? ic_bindings_get(b, name) : NULL;
    if (bound) {
        if (equals_binding(m, r, ic_buf_bytes(&bound->value)))
            return hit(m);
        return FAIL(m, r->offset, "expected %s$%s (%s), got %s%s", show_label(m, label), name,
                    show(m, ic_buf_bytes(&bound->value)), show_label(m, label), show(m, r->raw));
    }
    if (!b)
        return hit(m);
    if (ic_bindings_set(b, name, capture_value(r), false))
        return FAIL(m, r->offset, "out of memory capturing $%s", name);
    return hit(m);
}

static bool match_file(matcher *m, const ic_node *p, const ic_node *r, ic_bytes label)
{
    uint64_t index;
    ic_bytes digits = { p->value.ptr + 2, p->value.len - 2 };
    if (!digits_value(digits, &index) || index >= m->pat->nfiles)
        return FAIL(m, r->offset, "the pattern refers to file %s, which was not loaded", show(m, p->raw));
    ic_bytes want = ic_buf_bytes(&m->pat->files[index]);
    if (is_string(r) && bytes_eq(r->value, want))
        return hit(m);
    if (is_string(r))
        return FAIL(m, r->offset, "expected %sthe file's %zu bytes, got a different %zu-byte string",
                    show_label(m, label), want.len, r->value.len);
    return FAIL(m, r->offset, "expected %sthe file's %zu bytes, got %s%s", show_label(m, label),
                want.len, show_label(m, label), show(m, r->raw));
}

/* Position of the ")" closing a list. */
static size_t list_end(const ic_node *list)
{
    return list->offset + (list->raw.len ? list->raw.len - 1 : 0);
}

/* One pattern token against one response token; if_list says how to compare
 * their children when both are lists; label prefixes values in messages. */
static bool name_matches(ic_bytes want, ic_bytes got);

static bool match_node(matcher *m, const ic_node *p, const ic_node *r, const layout *if_list,
                       ic_bytes label)
{
    switch (classify(p)) {
    case TOK_WILDCARD:
    case TOK_ELLIPSIS:
        return hit(m);
    case TOK_VAR:
        return match_var(m, p->value, r, label);
    case TOK_FILE:
        return match_file(m, p, r, label);
    case TOK_DOLLAR: {
        ic_bytes want = { p->value.ptr + 1, p->value.len - 1 };
        if (r->type == IC_NODE_ATOM && bytes_case_eq(want, r->value))
            return hit(m);
        return FAIL(m, r->offset, "expected %s%s, got %s%s", show_label(m, label), show(m, want),
                    show_label(m, label), show(m, r->raw));
    }
    case TOK_ALT:
        if (r->type != IC_NODE_LIST && r->type != IC_NODE_NIL && name_matches(p->value, r->value))
            return hit(m);
        return FAIL(m, r->offset, "expected %sone of %s, got %s%s", show_label(m, label),
                    show(m, p->value), show_label(m, label), show(m, r->raw));
    case TOK_PLAIN:
        break;
    }
    bool lists = p->type == IC_NODE_LIST && r->type == IC_NODE_LIST;
    if (lists) {
        hit(m);
        return match_sequence(m, p->child, r->child, list_end(r), if_list, label);
    }
    if (p->type != IC_NODE_LIST && r->type != IC_NODE_LIST && scalars_equal(m, p, r))
        return hit(m);
    return FAIL(m, r->offset, "expected %s%s, got %s%s", show_label(m, label), show(m, p->raw),
                show_label(m, label), show(m, r->raw));
}

/* ---- sequences ---------------------------------------------------------- */

static bool match_ordered(matcher *m, const ic_node *p, const ic_node *r, size_t end,
                          const layout *lay, ic_bytes label)
{
    for (size_t i = 0; p; p = p->next, i++) {
        if (classify(p) == TOK_ELLIPSIS)
            return hit(m);     /* the rest of the list, zero or more elements */
        if (!r)
            return FAIL(m, end, "expected %s%s, got the end of the %s", show_label(m, label),
                        show(m, p->raw), lay->noun);
        layout child = child_layout(lay, i);
        if (!match_node(m, p, r, &child, label))
            return false;
        r = r->next;
    }
    if (r)
        return FAIL(m, r->offset, "expected the end of the %s, got %s", lay->noun, show(m, r->raw));
    return true;
}

/* A FETCH/STATUS item of the response by name (a BODY[...] name compares
 * as a whole), or NULL. */
static const ic_node *find_item(const ic_node *items, const ic_node *name)
{
    for (const ic_node *it = items; it; it = it->next ? it->next->next : NULL)
        if (it->type != IC_NODE_LIST && bytes_case_eq(it->value, name->value))
            return it;
    return NULL;
}

/* Name/value pairs in any order, extra response items allowed.  A "..."
 * is harmless; a trailing name without a value only requires the item. */
static bool match_pairs(matcher *m, const ic_node *p, const ic_node *r, size_t end, const char *what)
{
    while (p) {
        if (classify(p) == TOK_ELLIPSIS) {
            p = p->next;
            continue;
        }
        const ic_node *item = find_item(r, p);
        if (!item)
            return FAIL(m, end, "missing %s item %s", what, show(m, p->raw));
        hit(m);
        const ic_node *value = p->next;
        if (!value)
            return true;
        if (!item->next)
            return FAIL(m, item->offset, "expected %s %s, got %s without a value", show(m, p->raw),
                        show(m, value->raw), show(m, item->raw));
        layout lay = item_value_layout(p);
        if (!match_node(m, value, item->next, &lay, p->value))
            return false;
        p = value->next;
    }
    return true;
}

/* Tries p against one set member; a failed trial leaves no trace. */
static bool try_member(matcher *m, const ic_node *p, const ic_node *r)
{
    int score = m->score;
    size_t mark = m->ctx->bindings ? ic_bindings_mark(m->ctx->bindings) : 0;
    m->trial++;
    bool ok = match_node(m, p, r, &nested_list, no_label);
    m->trial--;
    if (!ok) {
        m->score = score;
        if (m->ctx->bindings)
            ic_bindings_rollback(m->ctx->bindings, mark);
    }
    return ok;
}

static bool claim_member(matcher *m, const ic_node *p, const ic_node *r, bool *used)
{
    for (size_t j = 0; r; r = r->next, j++)
        if (!used[j] && try_member(m, p, r)) {
            used[j] = true;
            return true;
        }
    return false;
}

/* Greedy first fit.  Plain members claim theirs before $name/$_ members,
 * so a wildcard cannot take the one member a plain one needs. */
static bool claim_members(matcher *m, const ic_node *p, const ic_node *r, bool *used, size_t end,
                          const char *what, bool variables)
{
    for (; p; p = p->next) {
        token_kind k = classify(p);
        if (k == TOK_ELLIPSIS || (k == TOK_VAR || k == TOK_WILDCARD) != variables)
            continue;
        if (!claim_member(m, p, r, used))
            return FAIL(m, end, "missing %s member %s", what, show(m, p->raw));
    }
    return true;
}

static bool has_ellipsis(const ic_node *p)
{
    for (; p; p = p->next)
        if (classify(p) == TOK_ELLIPSIS)
            return true;
    return false;
}

static bool match_set(matcher *m, const ic_node *p, const ic_node *r, size_t end, const char *what)
{
    size_t n = 0;
    for (const ic_node *x = r; x; x = x->next)
        n++;
    bool *used = calloc(n ? n : 1, sizeof *used);
    if (!used)
        return FAIL(m, end, "out of memory comparing %s", what);
    bool ok = claim_members(m, p, r, used, end, what, false) && claim_members(m, p, r, used, end, what, true);
    if (ok && !has_ellipsis(p)) {
        size_t j = 0;
        for (const ic_node *x = r; x && ok; x = x->next, j++)
            if (!used[j])
                ok = FAIL(m, x->offset, "unexpected %s member %s", what, show(m, x->raw));
    }
    free(used);
    return ok;
}

static bool match_sequence(matcher *m, const ic_node *p, const ic_node *r, size_t end,
                           const layout *lay, ic_bytes label)
{
    switch (lay->shape) {
    case SHAPE_SET:
        return match_set(m, p, r, end, lay->what);
    case SHAPE_PAIRS:
        return match_pairs(m, p, r, end, lay->what);
    case SHAPE_ORDERED:
        break;
    }
    return match_ordered(m, p, r, end, lay, label);
}

/* ---- the parts of a line ------------------------------------------------ */

static bool match_tag(matcher *m, ic_bytes file_tag)
{
    const ic_response *r = m->resp;
    const char *real = NULL;
    char *own = NULL;
    if (m->ctx->tag_map) {
        real = m->ctx->tag_map(m->ctx->tag_ctx, file_tag);
        if (!real)
            return FAIL(m, 0, "expected tagged %s, but no command was sent with that tag",
                        show(m, file_tag));
    } else {
        real = own = ic_bytes_dup(file_tag);    /* no mapping: tags as written */
        if (!own)
            return FAIL(m, 0, "out of memory comparing tags");
    }
    bool ok = r->kind == IC_RESP_TAGGED && ic_bytes_eq_str(r->tag, real);
    if (ok)
        hit(m);
    else if (m->ctx->tag_map)
        ok = FAIL(m, 0, "expected tagged %s (sent as %s), got %s", show(m, file_tag),
                  show(m, ic_bytes_from_str(real)), show_kind(m, r));
    else
        ok = FAIL(m, 0, "expected tagged %s, got %s", show(m, file_tag), show_kind(m, r));
    free(own);
    return ok;
}

static bool match_kind(matcher *m, const ic_response *pt)
{
    if (pt->kind == IC_RESP_TAGGED)
        return match_tag(m, pt->tag);
    if (m->resp->kind == pt->kind)
        return hit(m);
    return FAIL(m, 0, "expected %s, got %s", pt->kind == IC_RESP_UNTAGGED ? "untagged" : "continuation",
                show_kind(m, m->resp));
}

/* "NO|BAD": any alternative, case-insensitively. */
static bool name_matches(ic_bytes want, ic_bytes got)
{
    size_t from = 0;
    for (size_t i = 0; i <= want.len; i++)
        if (i == want.len || want.ptr[i] == '|') {
            if (bytes_case_eq((ic_bytes){ want.ptr + from, i - from }, got))
                return true;
            from = i + 1;
        }
    return false;
}

/* Status text, or continuation text: ignored when the pattern gives none,
 * "..." or "$_"; "$name" captures it; otherwise equal after trimming. */
static bool match_text(matcher *m, ic_bytes want, ic_bytes got)
{
    want = trim(want);
    got = trim(got);
    token_kind k = classify_text(want);
    if (!want.len || k == TOK_ELLIPSIS || k == TOK_WILDCARD)
        return true;
    if (k == TOK_VAR) {
        ic_node text = { .type = IC_NODE_QUOTED, .raw = got, .value = got, .offset = offset_of(m, got) };
        return match_var(m, want, &text, ic_bytes_from_str("text"));
    }
    if (bytes_eq(want, got))
        return hit(m);
    return FAIL(m, offset_of(m, got), "expected text \"%s\", got \"%s\"", show(m, want), show(m, got));
}

static bool match_code(matcher *m, const ic_response *pt)
{
    const ic_response *r = m->resp;
    if (!pt->has_code)
        return true;    /* any code, or none */
    if (!r->has_code)
        return FAIL(m, offset_of(m, r->text), "response code %s missing", show(m, pt->code.name));
    if (!bytes_case_eq(pt->code.name, r->code.name))
        return FAIL(m, r->code.offset, "expected response code %s, got %s", show(m, pt->code.name),
                    show(m, r->code.name));
    hit(m);
    layout lay = layout_of(r->code.name, "response code");
    size_t end = r->code.offset + 1 + r->code.raw.len;
    return match_sequence(m, pt->code.args, r->code.args, end, &lay, pt->code.name);
}

/* A pattern whose name is "NO|BAD" was not parsed as a status response (the
 * parser does not know the name), so its code and text are read by parsing
 * the line again with a plain condition in place of the alternatives. */
static ic_response *reparse_as_status(const ic_response *pt)
{
    const uint8_t *after = pt->name.ptr + pt->name.len;
    const uint8_t *end = pt->raw.ptr + pt->raw.len;
    if (after < pt->raw.ptr || after > end)
        return NULL;
    ic_buf line;
    ic_buf_init(&line, 0);
    ic_response *view = NULL;
    if (!ic_buf_append_str(&line, "* OK") && !ic_buf_append(&line, after, (size_t)(end - after)))
        ic_response_parse_copy(ic_buf_bytes(&line), IC_DEFAULT_MAX_DEPTH, &view, NULL);
    ic_buf_free(&line);
    return view;
}

static bool match_status(matcher *m, const ic_response *pt)
{
    if (pt->cond != IC_COND_NONE)
        return match_code(m, pt) && match_text(m, pt->text, m->resp->text);
    ic_response *view = reparse_as_status(pt);
    if (!view)
        return FAIL(m, 0, "cannot read the status part of the pattern");
    bool ok = match_code(m, view) && match_text(m, view->text, m->resp->text);
    ic_response_free(view);
    return ok;
}

/* The pattern's "[n] NAME args".  "* $n FETCH" and "* $_ EXPUNGE" parse with
 * the variable as the name (it is no number): shift it into the number. */
typedef struct pattern_head {
    bool has_number;
    ic_node number;
    ic_bytes name;
    const ic_node *args;
} pattern_head;

static void split_head(const ic_response *pt, pattern_head *h)
{
    memset(h, 0, sizeof *h);
    h->name = pt->name;
    h->args = pt->args;
    if (pt->has_number) {
        h->has_number = true;
        number_token(pt, &h->number);
        return;
    }
    token_kind k = classify_text(pt->name);
    bool name_follows = pt->args && pt->args->type == IC_NODE_ATOM && classify(pt->args) == TOK_PLAIN;
    if (pt->kind == IC_RESP_UNTAGGED && (k == TOK_VAR || k == TOK_WILDCARD) && name_follows) {
        h->has_number = true;
        h->number.type = IC_NODE_ATOM;
        h->number.raw = h->number.value = pt->name;
        h->name = pt->args->value;
        h->args = pt->args->next;
    }
}

static bool match_number(matcher *m, const pattern_head *h)
{
    const ic_response *r = m->resp;
    if (!h->has_number && !r->has_number)
        return true;
    if (!r->has_number)
        return FAIL(m, offset_of(m, r->name), "expected a message number before %s", show(m, r->name));
    ic_node got;
    number_token(r, &got);
    if (!h->has_number)
        return FAIL(m, got.offset, "expected %s without a message number, got %s %s", show(m, h->name),
                    show(m, got.raw), show(m, r->name));
    return match_node(m, &h->number, &got, &nested_list, ic_bytes_from_str("message number"));
}

static bool match_response(matcher *m)
{
    const ic_response *pt = m->pat->tree;
    const ic_response *r = m->resp;
    if (!pt)
        return FAIL(m, 0, "the pattern was not compiled");
    if (!match_kind(m, pt))
        return false;
    if (pt->kind == IC_RESP_CONTINUATION)
        return match_text(m, pt->text, r->text);
    pattern_head head;
    split_head(pt, &head);
    if (!name_matches(head.name, r->name))
        return FAIL(m, offset_of(m, r->name), "expected %s, got %s", show(m, head.name), show(m, r->name));
    hit(m);
    if (!match_number(m, &head))
        return false;
    if (r->cond != IC_COND_NONE)
        return match_status(m, pt);
    layout lay = layout_of(r->name, "line");
    return match_sequence(m, head.args, r->args, line_end(r), &lay, r->name);
}

bool ic_match_line(const ic_pattern *p, const ic_response *resp, ic_match_ctx *ctx, ic_match_miss *miss)
{
    matcher m;
    memset(&m, 0, sizeof m);
    m.pat = p;
    m.resp = resp;
    m.ctx = ctx;
    size_t mark = ctx->bindings ? ic_bindings_mark(ctx->bindings) : 0;
    bool ok = match_response(&m);
    if (!ok && ctx->bindings)
        ic_bindings_rollback(ctx->bindings, mark);
    if (miss) {
        *miss = m.miss;
        miss->score = m.score;
        if (ok)
            miss->why[0] = '\0';
    }
    return ok;
}

/* ---- set matching ------------------------------------------------------- */

typedef struct set_search {
    ic_set_item *items;
    size_t nitems;
    const ic_response *const *resp;
    size_t nresp;
    bool ordered;            /* EXPECT responses must increase in item order */
    bool exclusive;
    bool expect_only;        /* diagnosis pass: EXPECT items only */
    ic_match_ctx *ctx;
    bool *used;              /* per response */
    size_t *expect;          /* item indices of the EXPECT items, in order */
    size_t nexpect;
    size_t effort;
    bool gave_up;
    /* The deepest EXPECT position that no response could fill, and the
     * response that came closest then. */
    bool dead_end;
    size_t dead_pos;
    int nearest_response;
    ic_match_miss nearest;
    /* The first complete EXPECT assignment that OPTIONAL/FORBID/exclusive
     * checks rejected, and why. */
    bool rejected;
    ic_set_result rejection;
} set_search;

static void result_init(ic_set_result *res)
{
    memset(res, 0, sizeof *res);
    res->failed_response = -1;
    res->nearest_response = -1;
}

static bool spend(set_search *s)
{
    if (s->effort >= SET_EFFORT_CAP) {
        s->gave_up = true;
        return false;
    }
    s->effort++;
    return true;
}

static bool try_line(set_search *s, const ic_set_item *item, size_t r)
{
    return spend(s) && ic_match_line(item->pattern, s->resp[r], s->ctx, NULL);
}

/* A match that binds nothing: a FORBID line's unbound names capture only
 * for the rest of that line (so "$x $x" still means two equal tokens). */
static bool try_line_unbound(set_search *s, const ic_set_item *item, size_t r)
{
    size_t mark = ic_bindings_mark(s->ctx->bindings);
    bool ok = try_line(s, item, r);
    ic_bindings_rollback(s->ctx->bindings, mark);
    return ok;
}

static void take(set_search *s, ic_set_item *item, size_t r)
{
    s->used[r] = true;
    item->matched = (int)r;
}

static void release(set_search *s, ic_set_item *item)
{
    s->used[item->matched] = false;
    item->matched = -1;
}

/* Rendered text of a pattern or a response (without its CRLF), for
 * set-level messages. */
static void show_into(char *out, size_t size, ic_bytes b)
{
    char *text = ic_render_str(b, 160);
    snprintf(out, size, "%s", text ? text : "?");
    free(text);
}

static void show_response(char *out, size_t size, const ic_response *r)
{
    show_into(out, size, (ic_bytes){ r->raw.ptr, line_end(r) });
}

/* Which response comes closest to the item, by line-match score. */
static void find_nearest(set_search *s, const ic_set_item *item)
{
    s->nearest_response = -1;
    memset(&s->nearest, 0, sizeof s->nearest);
    for (size_t r = 0; r < s->nresp; r++) {
        if (s->used[r])
            continue;
        ic_match_miss miss;
        size_t mark = ic_bindings_mark(s->ctx->bindings);
        if (ic_match_line(item->pattern, s->resp[r], s->ctx, &miss)) {
            ic_bindings_rollback(s->ctx->bindings, mark);
            snprintf(miss.why, sizeof miss.why, "it matches, but out of order");
        }
        if (s->nearest_response < 0 || miss.score > s->nearest.score) {
            s->nearest_response = (int)r;
            s->nearest = miss;
        }
    }
}

static void note_dead_end(set_search *s, size_t pos)
{
    if (s->dead_end && pos <= s->dead_pos)
        return;
    s->dead_end = true;
    s->dead_pos = pos;
    find_nearest(s, &s->items[s->expect[pos]]);
}

/* The window an OPTIONAL item may take in an ordered command: after every
 * earlier matched item, before every later EXPECT item. */
static void optional_window(const set_search *s, size_t i, size_t *lo, size_t *hi)
{
    *lo = 0;
    *hi = s->nresp;
    if (!s->ordered)
        return;
    for (size_t j = 0; j < s->nitems; j++) {
        int at = s->items[j].matched;
        if (at < 0 || s->items[j].kind == IC_STEP_FORBID)
            continue;
        if (j < i && (size_t)at + 1 > *lo)
            *lo = (size_t)at + 1;
        if (j > i && s->items[j].kind == IC_STEP_EXPECT && (size_t)at < *hi)
            *hi = (size_t)at;
    }
}

static void bind_optionals(set_search *s)
{
    for (size_t i = 0; i < s->nitems && !s->gave_up; i++) {
        ic_set_item *item = &s->items[i];
        if (item->kind != IC_STEP_OPTIONAL)
            continue;
        size_t lo, hi;
        optional_window(s, i, &lo, &hi);
        for (size_t r = lo; r < hi; r++)
            if (!s->used[r] && try_line(s, item, r)) {
                take(s, item, r);
                break;
            }
    }
}

static void release_optionals(set_search *s)
{
    for (size_t i = 0; i < s->nitems; i++)
        if (s->items[i].kind == IC_STEP_OPTIONAL && s->items[i].matched >= 0)
            release(s, &s->items[i]);
}

/* A FORBID pattern may use captures; still-unbound names match anything
 * and stay unbound. */
static bool no_forbidden(set_search *s, ic_set_result *why)
{
    for (size_t i = 0; i < s->nitems; i++) {
        if (s->items[i].kind != IC_STEP_FORBID)
            continue;
        for (size_t r = 0; r < s->nresp; r++) {
            if (!try_line_unbound(s, &s->items[i], r))
                continue;
            char shown[200];
            show_response(shown, sizeof shown, s->resp[r]);
            why->failed_item = i;
            why->failed_response = (int)r;
            snprintf(why->message, sizeof why->message, "forbidden response received: \"%s\"", shown);
            return false;
        }
        if (s->gave_up)
            return false;
    }
    return true;
}

static bool exclusive_ok(const set_search *s, ic_set_result *why)
{
    if (!s->exclusive)
        return true;
    for (size_t r = 0; r < s->nresp; r++) {
        if (s->used[r] || s->resp[r]->kind != IC_RESP_UNTAGGED)
            continue;
        char shown[200];
        show_response(shown, sizeof shown, s->resp[r]);
        why->failed_item = 0;
        why->failed_response = (int)r;
        snprintf(why->message, sizeof why->message,
                 "unexpected untagged response \"%s\" (the command is exclusive)", shown);
        return false;
    }
    return true;
}

/* A complete EXPECT assignment: bind the OPTIONAL items and check the rest;
 * a rejection is remembered and the search goes on. */
static bool accept_assignment(set_search *s)
{
    if (s->expect_only)
        return true;
    size_t mark = ic_bindings_mark(s->ctx->bindings);
    bind_optionals(s);
    ic_set_result why;
    result_init(&why);
    if (!s->gave_up && no_forbidden(s, &why) && exclusive_ok(s, &why))
        return true;
    if (!s->gave_up && !s->rejected) {
        s->rejected = true;
        s->rejection = why;
    }
    release_optionals(s);
    ic_bindings_rollback(s->ctx->bindings, mark);
    return false;
}

/* Fills EXPECT positions pos.. with distinct responses, backtracking. */
static bool assign(set_search *s, size_t pos)
{
    if (pos == s->nexpect)
        return accept_assignment(s);
    ic_set_item *item = &s->items[s->expect[pos]];
    size_t from = 0;
    if (s->ordered && pos > 0)
        from = (size_t)s->items[s->expect[pos - 1]].matched + 1;
    for (size_t r = from; r < s->nresp && !s->gave_up; r++) {
        if (s->used[r])
            continue;
        size_t mark = ic_bindings_mark(s->ctx->bindings);
        if (!try_line(s, item, r))
            continue;
        take(s, item, r);
        if (assign(s, pos + 1))
            return true;
        release(s, item);
        ic_bindings_rollback(s->ctx->bindings, mark);
    }
    if (!s->gave_up)
        note_dead_end(s, pos);
    return false;
}

static bool search_init(set_search *s, ic_set_item *items, size_t nitems, const ic_response *const *resp,
                        size_t nresp, ic_match_ctx *ctx)
{
    memset(s, 0, sizeof *s);
    s->items = items;
    s->nitems = nitems;
    s->resp = resp;
    s->nresp = nresp;
    s->ctx = ctx;
    s->nearest_response = -1;
    s->used = calloc(nresp ? nresp : 1, sizeof *s->used);
    s->expect = calloc(nitems ? nitems : 1, sizeof *s->expect);
    if (!s->used || !s->expect)
        return false;
    for (size_t i = 0; i < nitems; i++) {
        items[i].matched = -1;
        if (items[i].kind == IC_STEP_EXPECT)
            s->expect[s->nexpect++] = i;
    }
    return true;
}

static void search_free(set_search *s)
{
    free(s->used);
    free(s->expect);
}

static void report_missing(const set_search *s, ic_set_result *res)
{
    if (!s->dead_end) {
        snprintf(res->message, sizeof res->message, "no assignment of responses satisfies the lines");
        return;
    }
    size_t item = s->expect[s->dead_pos];
    char shown[200];
    show_into(shown, sizeof shown, ic_bytes_from_str(s->items[item].pattern->text));
    res->failed_item = item;
    res->nearest_response = s->nearest_response;
    res->nearest = s->nearest;
    snprintf(res->message, sizeof res->message, "no response matched \"%s\"", shown);
}

static void report_gave_up(const set_search *s, ic_set_result *res)
{
    res->failed_item = s->dead_end ? s->expect[s->dead_pos] : 0;
    snprintf(res->message, sizeof res->message,
             "matching gave up after %zu comparisons; make the patterns more specific", s->effort);
}

/* An unordered assignment exists: name the first adjacent pair of EXPECT
 * items whose responses came in the wrong order. */
static void report_order(const set_search *s, ic_set_result *res)
{
    for (size_t k = 1; k < s->nexpect; k++) {
        const ic_set_item *before = &s->items[s->expect[k - 1]];
        const ic_set_item *after = &s->items[s->expect[k]];
        if (after->matched > before->matched)
            continue;
        char a[160], b[160];
        show_into(a, sizeof a, ic_bytes_from_str(after->pattern->text));
        show_into(b, sizeof b, ic_bytes_from_str(before->pattern->text));
        res->failed_item = s->expect[k];
        res->failed_response = after->matched;
        snprintf(res->message, sizeof res->message,
                 "responses matched out of order: \"%s\" matched response %d but \"%s\" matched response %d",
                 a, after->matched + 1, b, before->matched + 1);
        return;
    }
    snprintf(res->message, sizeof res->message, "responses matched out of order");
}

/* The ordered search failed: if the EXPECT items can be matched at all,
 * the order is what is wrong.  Returns false when that is not known. */
static bool explain_order(const set_search *s, ic_set_result *res)
{
    set_search plain;
    bool known = false;
    if (search_init(&plain, s->items, s->nitems, s->resp, s->nresp, s->ctx)) {
        plain.expect_only = true;
        if (assign(&plain, 0)) {
            report_order(&plain, res);
            known = true;
        } else if (!plain.gave_up) {
            report_missing(&plain, res);
            known = true;
        }
    }
    search_free(&plain);
    return known;
}

static void explain_failure(const set_search *s, ic_set_result *res)
{
    if (s->rejected) {
        *res = s->rejection;
        return;
    }
    if (s->gave_up) {
        report_gave_up(s, res);
        return;
    }
    if (s->ordered && explain_order(s, res))
        return;
    report_missing(s, res);
}

bool ic_match_set(ic_set_item *items, size_t nitems, const ic_response *const *responses,
                  size_t nresponses, bool ordered, bool exclusive, ic_match_ctx *ctx,
                  ic_set_result *result)
{
    result_init(result);
    /* Without caller bindings, captures still have to hold across items. */
    ic_bindings scratch;
    ic_bindings_init(&scratch);
    ic_match_ctx local = *ctx;
    if (!local.bindings)
        local.bindings = &scratch;
    size_t entry = ic_bindings_mark(local.bindings);

    set_search s;
    bool ok = false;
    if (!search_init(&s, items, nitems, responses, nresponses, &local)) {
        snprintf(result->message, sizeof result->message, "out of memory matching responses");
    } else {
        s.ordered = ordered;
        s.exclusive = exclusive;
        ok = assign(&s, 0);
        if (!ok)
            explain_failure(&s, result);
    }
    search_free(&s);
    if (!ok) {
        /* A failed set match leaves the bindings as they were. */
        ic_bindings_rollback(local.bindings, entry);
        for (size_t i = 0; i < nitems; i++)
            items[i].matched = -1;
    }
    result->ok = ok;
    ic_bindings_free(&scratch);
    return ok;
}
