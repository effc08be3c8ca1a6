/* ic_expr.h: the assertion language of scenarios (docs/scenario-format.md §5).
 *
 *   expr  := or ;  or := and ("or" and)* ;  and := not ("and" not)*
 *   not   := "not" not | cmp
 *   cmp   := term [ ("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in" | "subset") term ]
 *   term  := $name | number | seqset-literal | func "(" term ")"
 *          | "nth" "(" term "," term ")" | "(" expr ")"
 *   func  := count | min | max | is_number | has_star
 *
 * Values are numbers, sequence sets (ranges, never expanded) and booleans; a
 * captured variable's text is read as a number when it is one, else as a
 * set.  Comparisons of a number with a one-member set compare the member.
 * nth(set, i) is the i-th member (1-based) in written order: the elements
 * in the order written, each range ascending however written (RFC 4315
 * section 3), so with $s = 6,5,4 nth($s, 1) is 6 and nth(6:4, 1) is 4: the order in
 * which COPYUID and APPENDUID sets correspond.  A literal set as the first
 * argument needs a space after its comma ("nth(4:6, 2)"), since "4:6,2" is
 * one set.  An index of 0 or past the end is an eval error naming the set
 * and its count.
 *
 * Ownership: ic_expr_compile allocates; ic_expr_free frees.  Errors:
 * compile returns IC_ERR_SCENARIO with err giving the column (1-based) in the
 * expression; eval returns IC_ERR_SCENARIO for an unbound variable or a type
 * mismatch, naming it.
 */
#ifndef IC_EXPR_H
#define IC_EXPR_H

#include <stdbool.h>
#include "ic_buf.h"
#include "ic_error.h"

typedef struct ic_expr ic_expr;

/* Looks up a variable (name without "$"); returns false when unbound. */
typedef bool (*ic_var_lookup_fn)(void *ctx, const char *name, ic_bytes *value);

int ic_expr_compile(const char *text, ic_expr **out, ic_error *err);
void ic_expr_free(ic_expr *e);

/* Evaluates to *result.  On false, explain (if non-NULL) receives a one-line
 * account with the operand values, e.g. "count($dst) = 2, count($src) = 3". */
int ic_expr_eval(const ic_expr *e, ic_var_lookup_fn lookup, void *ctx, bool *result,
                 ic_buf *explain, ic_error *err);

/* Calls fn for every variable name the expression uses (for lint). */
void ic_expr_variables(const ic_expr *e, void (*fn)(void *ctx, const char *name), void *ctx);

#endif
