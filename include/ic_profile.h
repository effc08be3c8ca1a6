/* ic_profile.h: conformance profiles (a named standard and version: which
 * extensions apply and at which level) and the grading of a run's results
 * under one profile.
 *
 * A profile is a YAML file in scenarios/profiles/ (docs/profiles.md):
 *
 *   name: oma-cpm-2.1
 *   title: OMA CPM 2.1 Message Storage Server
 *   summary: one line for `imapconform profiles`
 *   reference: OMA-TS-CPM_Message_Storage-V2_1 (CR 003)
 *   extensions:
 *     - name: UIDPLUS               # what the scorecard calls it
 *       capability: UIDPLUS         # the CAPABILITY atom that signals it (omit: always present)
 *       level: SHALL                # SHALL/MUST, SHOULD, MAY
 *       reference: RFC 4315
 *       areas: [uidplus]            # scenario areas (first id segment) that test it
 *   requirements:                   # optional: levels the profile sets for single requirements
 *     - id: NOMS-01
 *       level: SHALL
 *
 * A profile with `overlay: false` (the "rfc" profile) selects every area and
 * grades nothing: each requirement keeps its RFC level.
 *
 * Ownership: loaders return objects freed with the matching *_free; a
 * grading borrows the profile and results, which must outlive it.
 * Errors: IC_ERR_SCENARIO with "file:line:col: ..." for a malformed file,
 * IC_ERR_USAGE for an unknown name or unreadable path; IC_ERR_NOMEM.
 */
#ifndef IC_PROFILE_H
#define IC_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include "ic_engine.h"
#include "ic_error.h"
#include "ic_scenario.h"

typedef struct ic_profile_ext {
    char *name;               /* "UIDPLUS" */
    char *capability;         /* "UIDPLUS", or NULL: always present (IMAP4rev1 behaviour) */
    char *keyword;            /* the level as the profile writes it: "SHALL" */
    ic_level level;
    char *reference;          /* "RFC 4315", or NULL */
    char **areas;             /* scenario areas this extension's scenarios live in */
    size_t nareas;
} ic_profile_ext;

typedef struct ic_profile_req {
    char *id;                 /* requirement ID */
    char *keyword;            /* level as written */
    ic_level level;
} ic_profile_req;

typedef struct ic_profile {
    char *name;               /* "oma-cpm-2.1" */
    char *title;
    char *summary;
    char *reference;          /* or NULL */
    bool overlay;             /* false: RFC levels only, every area selected */
    ic_profile_ext *exts;
    size_t nexts;
    ic_profile_req *reqs;
    size_t nreqs;
    char *file;
} ic_profile;

typedef struct ic_profile_set {
    ic_profile **items;       /* sorted by name */
    size_t n;
} ic_profile_set;

/* Loads one profile file. */
int ic_profile_load(const char *path, ic_profile **out, ic_error *err);
void ic_profile_free(ic_profile *p);

/* Loads every *.yaml in dir (the profiles/ directory beside the scenarios). */
int ic_profile_set_load(const char *dir, ic_profile_set *out, ic_error *err);
void ic_profile_set_free(ic_profile_set *s);
const ic_profile *ic_profile_set_find(const ic_profile_set *s, const char *name);

/* The default profile's name: the newest OMA one. */
#define IC_PROFILE_DEFAULT "oma-cpm-2.1"

/* The extension whose areas contain area, or NULL (not in the profile). */
const ic_profile_ext *ic_profile_ext_for_area(const ic_profile *p, const char *area);

/* true when the profile selects scenarios of this area (overlay off: all). */
bool ic_profile_selects(const ic_profile *p, const char *area);

/* ---- grading ------------------------------------------------------------- */

/* What the grading found for one extension of the profile. */
typedef struct ic_ext_grade {
    const ic_profile_ext *ext;
    bool advertised;          /* capability in the server's list (or always present) */
    bool tested;              /* some selected scenario of its areas ran to a verdict
                               * other than UNSUPPORTED */
    bool met;                 /* SHALL/SHOULD: advertised and no FAIL/ERROR/XPASS
                               * (SHOULD: NON-STRICT counts as not met); MAY: supported */
    size_t scenarios;         /* results of its areas */
    size_t pass, fail, nonstrict, unsupported, other;
} ic_ext_grade;

/* One requirement's verdict, aggregated over the scenarios that cover it:
 * the worst of ERROR > FAIL > XPASS > NON-STRICT > XFAIL > INFO > PASS >
 * UNSUPPORTED; a requirement no selected scenario covers is not_run; an
 * untestable one (reason in the requirement list) keeps untestable = true. */
typedef struct ic_req_grade {
    const ic_requirement *req;
    const char *keyword;      /* level under the profile (profile override, else the req's) */
    ic_level level;
    ic_verdict verdict;       /* meaningful when !not_run && !untestable */
    bool not_run;
    bool untestable;
    size_t deciding;          /* index into results of the scenario that decided it */
    const ic_profile_ext *ext;  /* the extension it belongs to (by the scenario's area), or NULL */
} ic_req_grade;

/* Met / not met per level (SHALL+MUST together, SHOULD, MAY = supported). */
typedef struct ic_level_score {
    size_t met, not_met, unsupported, not_run, untestable;
} ic_level_score;

typedef struct ic_grading {
    const ic_profile *profile;
    ic_ext_grade *exts;       /* one per profile extension, in profile order */
    size_t nexts;
    ic_req_grade *reqs;       /* one per requirement of reqs, in list order */
    size_t nreqs;
    ic_level_score by_level[3];   /* indexed by ic_level */
} ic_grading;

/* Grades one result under p, given the server's capability list
 * (space-separated, as after login).  Called for each result as it
 * arrives, before --expect is applied:
 *  - a result UNSUPPORTED because the server does not advertise a
 *    capability of an extension the profile makes SHALL becomes FAIL (SHOULD:
 *    NON-STRICT), its message naming the profile and level; MAY stays
 *    UNSUPPORTED;
 *  - a requirement the profile lists gets the profile's level: a failure
 *    of it is re-graded FAIL / NON-STRICT / INFO accordingly;
 *  - with overlay off (or p NULL), the result is unchanged.
 * r is changed in place (verdict, message, keyword: strings reallocated).
 * Returns IC_OK or IC_ERR_NOMEM. */
int ic_profile_grade_result(const ic_profile *p, const char *capabilities,
                            const ic_reqlist *reqs, ic_result *r);

/* The scorecard of a whole run (after grading and --expect): per extension,
 * per requirement, per level.  out is filled; free with ic_grading_free. */
int ic_grading_summarize(const ic_profile *p, const char *capabilities, const ic_reqlist *reqs,
                         const ic_result *results, size_t n, ic_grading *out, ic_error *err);
void ic_grading_free(ic_grading *g);

#endif
