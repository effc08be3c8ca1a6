/* ic_response.h: a server response as a tree (the lenient parser).
 *
 * ic_response_parse turns the bytes of one framed response (from ic_reader)
 * into a tree of tokens.  It is deliberately tolerant, so the engine can
 * match and report on anything a server sends; strictness lives in the
 * grammar checker (ic_grammar.h), which judges the same bytes.  The parser
 * fails (IC_ERR_PROTOCOL, with the byte offset) only where no tree can be
 * built: unbalanced parentheses or brackets, an unterminated quoted string,
 * a literal whose announced size does not match the bytes, nesting over the
 * depth cap, a missing CRLF.
 *
 * Shape:
 *  - kind: tagged ("a1 OK ..."), untagged ("* ..."), continuation ("+ ...").
 *  - For status responses (OK/NO/BAD/PREAUTH/BYE, tagged or untagged):
 *    cond is set, code holds the "[...]" response code (name + argument
 *    tokens) if present, text the human-readable rest.
 *  - For "* <n> NAME ..." (EXISTS, RECENT, EXPUNGE, FETCH): has_number, number,
 *    name, then args.
 *  - For "* NAME ..." (CAPABILITY, LIST, STATUS, SEARCH, VANISHED, ...): name,
 *    then args as tokens.
 *  - For continuation: text is the rest of the line after "+ " (or "+").
 * Tokens: atoms (including things like BODY[HEADER.FIELDS (A B)]<0.10>, which
 * are one atom with their bracketed section), numbers (digit-only atoms also
 * carry their numeric value when it fits in 64 bits), quoted strings (value
 * unescaped), literals (value = the literal's bytes), NIL, and lists.
 *
 * Ownership: ic_response_parse allocates the response and all its nodes in
 * one arena; ic_response_free frees everything.  All ic_bytes in the tree
 * point either into the arena or into the input bytes, which the caller must
 * keep alive as long as it uses the tree (the reader's bytes are valid until
 * its next call: copy the input first if the tree must live longer; see
 * ic_response_parse_copy).
 */
#ifndef IC_RESPONSE_H
#define IC_RESPONSE_H

#include <stdbool.h>
#include <stdint.h>
#include "ic_buf.h"
#include "ic_error.h"

typedef enum ic_node_type {
    IC_NODE_ATOM,
    IC_NODE_NUMBER,     /* an atom of digits only; num valid if num_ok */
    IC_NODE_QUOTED,
    IC_NODE_LITERAL,
    IC_NODE_NIL,
    IC_NODE_LIST
} ic_node_type;

typedef struct ic_node {
    ic_node_type type;
    ic_bytes raw;          /* the token as sent (quotes, {n}CRLF, parens included) */
    ic_bytes value;        /* atom/number text, unescaped quoted content, literal bytes */
    uint64_t num;          /* IC_NODE_NUMBER: the value, if num_ok */
    bool num_ok;           /* false when the digits overflow 64 bits */
    bool literal8;         /* literal sent as ~{n} */
    size_t offset;         /* byte offset of raw in the response */
    struct ic_node *child; /* IC_NODE_LIST: first element */
    struct ic_node *next;  /* next sibling */
    size_t nchildren;
} ic_node;

typedef enum ic_resp_kind {
    IC_RESP_TAGGED,
    IC_RESP_UNTAGGED,
    IC_RESP_CONTINUATION
} ic_resp_kind;

typedef enum ic_cond {
    IC_COND_NONE = 0,      /* not a status response */
    IC_COND_OK,
    IC_COND_NO,
    IC_COND_BAD,
    IC_COND_PREAUTH,
    IC_COND_BYE
} ic_cond;

typedef struct ic_resp_code {
    ic_bytes name;         /* "APPENDUID", "CAPABILITY", ... as sent */
    ic_node *args;         /* tokens after the name, up to "]" (sibling chain) */
    size_t nargs;
    ic_bytes raw;          /* everything between "[" and "]" */
    size_t offset;         /* offset of "[" */
} ic_resp_code;

typedef struct ic_response {
    ic_resp_kind kind;
    ic_bytes raw;          /* the whole response, as given to the parser */
    ic_bytes tag;          /* tagged only */
    ic_cond cond;
    bool has_code;
    ic_resp_code code;
    ic_bytes text;         /* status text, or continuation text */
    bool has_number;       /* "* 5 FETCH": number = 5 */
    uint64_t number;
    ic_bytes name;         /* "FETCH", "LIST", "OK", ...; empty for continuation */
    ic_node *args;         /* data tokens after name (sibling chain) */
    size_t nargs;
    void *arena_;          /* private */
} ic_response;

/* Parses one framed response.  max_depth caps list nesting.  Returns IC_OK
 * and *out (free with ic_response_free), or IC_ERR_PROTOCOL / IC_ERR_NOMEM
 * with err naming the offset. */
int ic_response_parse(ic_bytes in, int max_depth, ic_response **out, ic_error *err);
/* Same, but copies the input into the arena first so the tree owns all its
 * bytes. */
int ic_response_parse_copy(ic_bytes in, int max_depth, ic_response **out, ic_error *err);
void ic_response_free(ic_response *r);

const char *ic_cond_name(ic_cond c);
/* The n-th (0-based) sibling starting at first, or NULL. */
const ic_node *ic_node_nth(const ic_node *first, size_t n);
/* For a FETCH's attribute list: the value node that follows the item named
 * name (case-insensitive, e.g. "UID", "MODSEQ"), or NULL. */
const ic_node *ic_node_plist_get(const ic_node *list, const char *name);

#endif
