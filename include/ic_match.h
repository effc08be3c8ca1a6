/* ic_match.h: matching server responses against scenario line patterns,
 * with captured variables.  Pure: no I/O.
 *
 * Semantics are those of docs/scenario-format.md §4: file tags map to real
 * tags, "$name" captures on first use and must match afterwards, "$_" any one
 * token, "..." the rest of a list or line, status alternatives "NO|BAD",
 * codes must match when the pattern gives one, status text ignored unless
 * the pattern gives text; atoms case-insensitive, numbers numeric, strings
 * by value; FETCH and STATUS items by name in any order (extras allowed);
 * flag lists and capability lists as sets ("..." allows extras).
 *
 * Ownership: ic_bindings owns copies of every bound name and value; free
 * with ic_bindings_free.  ic_match_set's results borrow from its inputs.
 */
#ifndef IC_MATCH_H
#define IC_MATCH_H

#include <stdbool.h>
#include "ic_buf.h"
#include "ic_response.h"
#include "ic_scenario.h"

typedef struct ic_binding {
    char *name;          /* without "$" */
    ic_buf value;
    bool is_mailbox;     /* from a fixture: quote as astring when substituted */
} ic_binding;

typedef struct ic_bindings {
    ic_binding *items;
    size_t n, alloc;
} ic_bindings;

void ic_bindings_init(ic_bindings *b);
void ic_bindings_free(ic_bindings *b);
int ic_bindings_set(ic_bindings *b, const char *name, ic_bytes value, bool is_mailbox);
const ic_binding *ic_bindings_get(const ic_bindings *b, const char *name);
/* Undoes bindings made after a mark (for backtracking). */
size_t ic_bindings_mark(const ic_bindings *b);
void ic_bindings_rollback(ic_bindings *b, size_t mark);
/* ic_var_lookup_fn over bindings (for ic_expr_eval). */
bool ic_bindings_lookup(void *bindings, const char *name, ic_bytes *value);

/* Maps a file tag to the real tag the engine used; NULL if unknown. */
typedef const char *(*ic_tag_map_fn)(void *ctx, ic_bytes file_tag);

typedef struct ic_match_ctx {
    ic_tag_map_fn tag_map;
    void *tag_ctx;
    ic_bindings *bindings;
} ic_match_ctx;

/* How close a failed match came, for "nearest miss" messages. */
typedef struct ic_match_miss {
    int score;            /* tokens that matched before the first difference */
    size_t offset;        /* byte offset in the response where it differed */
    char why[256];        /* "expected UID, got FLAGS" */
} ic_match_miss;

/* Matches one pattern against one response.  On success the bindings hold
 * any new captures; on failure they are unchanged and miss (if non-NULL)
 * says where it differed. */
bool ic_match_line(const ic_pattern *p, const ic_response *resp, ic_match_ctx *ctx,
                   ic_match_miss *miss);

/* One pattern of a set match. */
typedef struct ic_set_item {
    const ic_pattern *pattern;
    ic_step_kind kind;     /* EXPECT, OPTIONAL or FORBID */
    int matched;           /* out: index of the response it matched, or -1 */
} ic_set_item;

typedef struct ic_set_result {
    bool ok;
    size_t failed_item;        /* which item failed (EXPECT missing, FORBID present, order) */
    int failed_response;       /* for FORBID / exclusive: the offending response, else -1 */
    int nearest_response;      /* for a missing EXPECT: closest response, or -1 */
    ic_match_miss nearest;
    char message[512];         /* one line: what went wrong */
} ic_set_result;

/* Matches the items against responses: EXPECT items each need a distinct
 * response (backtracking over captures), OPTIONAL items bind if they can,
 * FORBID items must match none.  ordered: matched responses must be in
 * item order.  exclusive: every untagged response must be matched by some
 * EXPECT/OPTIONAL item.  Effort is bounded; exceeding it is a failure with a
 * message saying so. */
bool ic_match_set(ic_set_item *items, size_t nitems, const ic_response *const *responses,
                  size_t nresponses, bool ordered, bool exclusive, ic_match_ctx *ctx,
                  ic_set_result *result);

#endif
