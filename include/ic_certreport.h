/* ic_certreport.h: the certification report of one run: report.json (the
 * machine-readable record, schema in docs/report.schema.json) and
 * report.html (self-contained: inline CSS, no scripts or external assets;
 * prints well), written into one directory with the scenarios' transcripts
 * under transcripts/ (each requirement links to the transcript of the
 * scenario that decided it).  Also reads report.json back for `compare`.
 *
 * Ownership: the writer borrows everything; ic_certreport_load returns an
 * object freed with ic_certreport_free.
 * Errors: IC_ERR_USAGE naming the path and the system's reason (cannot
 * write / read), IC_ERR_SCENARIO "path: ..." for a report.json that is not
 * one of ours, IC_ERR_NOMEM.
 */
#ifndef IC_CERTREPORT_H
#define IC_CERTREPORT_H

#include "ic_engine.h"
#include "ic_expect.h"
#include "ic_identity.h"
#include "ic_profile.h"

typedef struct ic_certreport_meta {
    const char *tool_version;     /* IC_VERSION */
    const char *scenario_hash;    /* hex SHA-256 over the selected scenario files, see below */
    const char *started;          /* ISO 8601 UTC */
    double seconds;               /* run wall time */
    const char *prefix;           /* run prefix */
} ic_certreport_meta;

/* Hex SHA-256 (64 chars + NUL into out) over the ids and file bytes of the
 * selected scenarios, in order, and of the requirement files, so two
 * reports with equal hashes ran the same scenario set. */
int ic_certreport_scenario_hash(ic_scenario *const *sel, size_t n, const ic_reqlist *reqs,
                                char out[65], ic_error *err);

/* Writes DIR/report.json, DIR/report.html and DIR/transcripts/<id>.txt. */
int ic_certreport_write(const char *dir, const ic_certreport_meta *meta,
                        const ic_identity *identity, const ic_grading *grading,
                        const ic_result *results, size_t n,
                        const ic_expectations *waivers, ic_error *err);

/* ---- reading back, for `imapconform compare` ---------------------------- */

typedef struct ic_certreport_req {
    char *id;
    char *verdict;            /* "PASS", "FAIL", ..., "NOT-RUN", "UNTESTABLE" */
    char *level;              /* keyword under the profile */
} ic_certreport_req;

typedef struct ic_certreport {
    char *path;
    char *profile;
    char *tool_version;
    char *scenario_hash;
    char *target;
    ic_certreport_req *reqs;
    size_t nreqs;
} ic_certreport;

int ic_certreport_load(const char *path, ic_certreport **out, ic_error *err);
void ic_certreport_free(ic_certreport *r);

#endif
