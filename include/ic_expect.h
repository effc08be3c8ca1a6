/* ic_expect.h: known failures ("waivers") with a ratchet.
 *
 * An expectations file (or a directory of *.yaml files) is a YAML list:
 *
 *   - id: uidplus.copyuid.order          # a scenario id or a requirement id
 *     verdict: FAIL                      # FAIL (default), NON-STRICT or ERROR
 *     reason: "RFC 4315 §3: ... (Dovecot 2.3.19 sends ...)"
 *
 * A result that fails as expected becomes XFAIL and does not fail the run;
 * a listed scenario that now passes becomes XPASS and fails the run unless
 * allowed, so the list can only shrink.  A failure with another verdict than
 * the one listed keeps its own verdict (a change worth seeing).
 *
 * Ownership: ic_expect_load returns a list freed with ic_expect_free; the
 * results are changed in place by ic_expect_apply (strings reallocated).
 * Errors: IC_ERR_SCENARIO "file:line:col: ..." for a malformed file,
 * IC_ERR_USAGE for an unreadable one.
 */
#ifndef IC_EXPECT_H
#define IC_EXPECT_H

#include <stdbool.h>
#include "ic_engine.h"

typedef struct ic_expectation {
    char *id;
    ic_verdict verdict;
    char *reason;
    char *file;
    int line;
    bool used;            /* matched some result in this run */
} ic_expectation;

typedef struct ic_expectations {
    ic_expectation *items;
    size_t n;
} ic_expectations;

int ic_expect_load(const char *path, ic_expectations **out, ic_error *err);
void ic_expect_free(ic_expectations *e);

/* Checks every id names a scenario in ids[] or a requirement in reqs;
 * returns the first unknown one (with its position in err), or IC_OK. */
int ic_expect_check_ids(const ic_expectations *e, char *const *ids, size_t nids,
                        const ic_reqlist *reqs, ic_error *err);

/* Turns r into XFAIL or XPASS when an expectation covers it. */
void ic_expect_apply(ic_expectations *e, ic_result *r);

#endif
