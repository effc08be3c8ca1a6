/* ic_report.h: result records to the forms people and CI read: the console
 * (one line per scenario, progress and colour only on a TTY, a closing
 * "N passed, N failed, N skipped" line), JUnit XML (valid under
 * junit-10.xsd, see shared/notes/ecosystem.md 1.3-1.4), and transcript
 * files (one per scenario).  Server bytes are always rendered with
 * ic_render before they reach any output.
 *
 * Ownership: reporters borrow the results; the caller keeps them alive
 * until the report is written.  Errors: IC_OK or IC_ERR_USAGE (cannot
 * write a file: err names the path and the system's reason).
 */
#ifndef IC_REPORT_H
#define IC_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include "ic_engine.h"

typedef struct ic_tally {
    size_t pass, fail, nonstrict, info, unsupported, error, xfail, xpass;
} ic_tally;

void ic_tally_add(ic_tally *t, ic_verdict v);
size_t ic_tally_total(const ic_tally *t);

/* ---- console ------------------------------------------------------------ */

typedef struct ic_console {
    FILE *out;
    bool color;           /* decided by ic_console_init from the TTY, NO_COLOR and --color */
    bool progress;        /* a \r progress line, TTY only */
    bool verbose;         /* print the transcript of failures */
    size_t total;         /* scenarios to run, for the progress line */
    size_t done;
} ic_console;

typedef enum ic_color_mode { IC_COLOR_AUTO, IC_COLOR_ALWAYS, IC_COLOR_NEVER } ic_color_mode;

void ic_console_init(ic_console *c, FILE *out, ic_color_mode mode, size_t total);
void ic_console_start(ic_console *c, const ic_scenario *sc);     /* progress line */
void ic_console_result(ic_console *c, const ic_result *r);       /* one line (+ details on failure) */
/* Prints the last line "imapconform: N passed, N failed, N skipped" with
 * passed = PASS+NON-STRICT+INFO+XFAIL, failed = FAIL+ERROR+XPASS, skipped = UNSUPPORTED
 * (what CI log readers recognise); the line before gives each verdict's
 * count and the time. */
void ic_console_summary(ic_console *c, const ic_tally *t, double seconds);

/* ---- JUnit XML ---------------------------------------------------------- */

typedef struct ic_junit_meta {
    const char *target;       /* for <property name="target"> */
    const char *hostname;
    const char *tool_version;
    const char *tls;          /* negotiated TLS summary or NULL */
} ic_junit_meta;

/* One <testsuite> per area (scenario id's first segment), one <testcase>
 * per result: PASS plain, FAIL as <failure>, ERROR as <error>, UNSUPPORTED
 * as <skipped> with the reason as text, XPASS as <failure>, NON-STRICT, INFO
 * and XFAIL as passes with
 * the finding first in system-out (a SHOULD deviation does not turn CI
 * red).  The transcript goes in the testcase's <system-out>.  IC_ERR_NOMEM
 * on OOM. */
int ic_junit_write(const char *path, const ic_result *results, size_t n,
                   const ic_junit_meta *meta, ic_error *err);

/* ---- transcripts -------------------------------------------------------- */

/* Writes DIR/<scenario id>.txt for each result: a "# " header (id, title,
 * verdict, requirement, at, message) then the transcript.  Creates DIR if
 * needed. */
int ic_transcripts_write(const char *dir, const ic_result *results, size_t n, ic_error *err);

/* XML 1.0 text escaping of already-rendered text (& < > " and ') into out;
 * any byte XML 1.0 cannot hold becomes an ic_render escape. */
int ic_xml_escape(const char *text, ic_buf *out);

#endif
