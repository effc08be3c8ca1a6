/* ic_engine.h: runs one scenario against a server and produces one result
 * record: fixtures, connections, sending C: lines, matching S: lines,
 * assertions, cleanup.  Knows nothing of output formats.
 *
 * Ownership: ic_engine_run fills a caller-provided ic_result whose strings
 * it allocates; ic_result_free frees them.  The result keeps a pointer to
 * the scenario, which must outlive it.
 * Errors: ic_engine_run itself returns IC_OK unless memory runs out;
 * everything that goes wrong with the server or scenario is a verdict
 * (ERROR for the tool/connection, FAIL etc. for the server).
 */
#ifndef IC_ENGINE_H
#define IC_ENGINE_H

#include <signal.h>
#include <stdbool.h>
#include "ic_buf.h"
#include "ic_scenario.h"
#include "ic_session.h"

typedef enum ic_verdict {
    IC_VERDICT_PASS = 0,
    IC_VERDICT_FAIL,
    IC_VERDICT_NONSTRICT,
    IC_VERDICT_INFO,
    IC_VERDICT_UNSUPPORTED,
    IC_VERDICT_ERROR,
    IC_VERDICT_XFAIL,        /* failed as listed in --expect: not a failure of the run */
    IC_VERDICT_XPASS         /* listed in --expect but passed: fails the run (the ratchet) */
} ic_verdict;

const char *ic_verdict_name(ic_verdict v);       /* "PASS", "NON-STRICT", ... */
ic_verdict ic_verdict_for_level(ic_level l);     /* MUST→FAIL, SHOULD→NON-STRICT, MAY→INFO */

typedef struct ic_run_user {
    const char *name;
    const char *password;
} ic_run_user;

typedef struct ic_run_config {
    ic_session_options session;    /* target, TLS, limits; hook is the engine's own */
    ic_run_user users[3];          /* [1] and [2]; [0] unused */
    const char *prefix;            /* run prefix for every mailbox the run creates */
    volatile sig_atomic_t *interrupted;  /* set by SIGINT; may be NULL */
} ic_run_config;

typedef struct ic_result {
    const ic_scenario *scenario;
    ic_verdict verdict;
    char *requirement;        /* the requirement a failure is attributed to, or NULL */
    ic_level level;           /* of that requirement (or the scenario) */
    char *keyword;            /* the level as the requirement writes it ("MUST NOT",
                               * "SHALL", "INFO"), or NULL: then the level's name */
    char *reference;          /* RFC/OMA section for the message, or NULL */
    char *location;           /* "scenarios/x.yaml:14" of the deciding step, or NULL */
    char *message;            /* one line: why this verdict (NULL for PASS) */
    char *expected;           /* pattern(s) expected, or NULL */
    char *received;           /* rendered responses actually received, or NULL */
    char *nearest;            /* nearest miss, or NULL */
    ic_buf transcript;        /* every connection: "-- open N", "CN: ...", "SN: ..." lines */
    double seconds;
    int conn_error;           /* ic_code when set-up could not connect/log in (the target is
                               * unreachable for every scenario), else 0 */
    ic_tls_info tls;          /* of the set-up connection */
} ic_result;

void ic_result_free(ic_result *r);

/* Runs sc.  reqs supplies requirement levels (may be NULL). */
int ic_engine_run(const ic_run_config *cfg, const ic_scenario *sc, const ic_reqlist *reqs,
                  ic_result *out);

/* Deletes every mailbox under cfg->prefix (end of run, after Ctrl-C).
 * Returns the number deleted, or a negative ic_code with err set. */
int ic_engine_sweep_prefix(const ic_run_config *cfg, ic_error *err);

#endif
