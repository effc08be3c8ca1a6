/* junit.c: JUnit XML valid under junit-10.xsd (the Jenkins xUnit plugin's
 * schema, tests/data/junit-10.xsd), in the "rich" layout of
 * shared/notes/ecosystem.md 1.3: <testsuites name tests failures errors
 * time>, one <testsuite> per area, testcase-level <system-out>.
 *
 * Verdicts to JUnit, keeping tests = passed + failures + errors + skipped
 * in every suite and a JUnit "failure" exactly when the exit status says
 * the run failed:
 *   PASS         a plain testcase
 *   FAIL         <failure type="FAIL">
 *   ERROR        <error type="ERROR">
 *   UNSUPPORTED  <skipped>reason</skipped> (text, no attributes: other
 *                schemas reject them and Jenkins reads either)
 *   NON-STRICT   a passed testcase whose system-out starts with
 *   INFO         "NON-STRICT: ..." / "INFO: ..." and the detail block: a
 *                SHOULD or MAY deviation must not turn a vendor's CI red.
 *   XFAIL        a passed testcase, "XFAIL: ..." first in system-out
 *   XPASS        <failure type="XPASS">: a listed known failure now passes
 * Messages go both in @message (one line; GitHub actions show it) and in
 * the element text (GitLab ignores the attribute).
 */
#include "report_internal.h"

#include <string.h>
#include <time.h>

#define MESSAGE_ATTR_MAX 500             /* bytes of @message before "..." */
#define TRANSCRIPT_MAX (1u << 20)        /* bytes of transcript per testcase */

/* The document is built in memory and written in one go; the first failed
 * append sticks, so the writers below need not check each call. */
typedef struct xml_out {
    ic_buf buf;
    int rc;
} xml_out;

static void keep_error(xml_out *x, int rc)
{
    if (!x->rc)
        x->rc = rc;
}

static void put(xml_out *x, const char *raw)
{
    if (!x->rc)
        x->rc = ic_buf_append_str(&x->buf, raw);
}

static void put_text_n(xml_out *x, const char *text, size_t len)
{
    if (!x->rc)
        x->rc = rep_xml_escape(text, len, &x->buf);
}

static void put_text(xml_out *x, const char *text)
{
    if (text)
        put_text_n(x, text, strlen(text));
}

static void put_attr(xml_out *x, const char *name, const char *value)
{
    if (!value)
        return;
    put(x, " ");
    put(x, name);
    put(x, "=\"");
    put_text(x, value);
    put(x, "\"");
}

static void put_count(xml_out *x, const char *name, size_t value)
{
    char text[32];
    snprintf(text, sizeof text, "%zu", value);
    put_attr(x, name, text);
}

/* "%.3f" gives a '.' as long as nobody sets a non-C LC_NUMERIC, which this
 * program never does; SUREFIRE_TIME wants exactly that form. */
static void put_seconds(xml_out *x, const char *name, double seconds)
{
    char text[64];
    snprintf(text, sizeof text, "%.3f", seconds > 0 ? seconds : 0.0);
    put_attr(x, name, text);
}

/* ---- per-result text --------------------------------------------------------- */

static const char *area_of(const ic_result *r)
{
    return r->scenario && r->scenario->area ? r->scenario->area : "imapconform";
}

static const char *id_of(const ic_result *r)
{
    return r->scenario && r->scenario->id ? r->scenario->id : "?";
}

/* Drops the end of an over-long line without splitting a UTF-8 sequence. */
static int truncate_line(ic_buf *line, size_t max)
{
    if (line->len <= max)
        return IC_OK;
    size_t keep = max;
    while (keep && (line->data[keep] & 0xC0) == 0x80)
        keep--;
    line->len = keep;
    line->data[keep] = '\0';
    return ic_buf_append_str(line, "...");
}

/* "UIDPLUS-13: message", cleaned, on one line, at most ~500 bytes. */
static int one_line_summary(const ic_result *r, ic_buf *out)
{
    ic_buf raw;
    ic_buf_init(&raw, 0);
    int rc = r->requirement ? ic_buf_printf(&raw, "%s: ", r->requirement) : IC_OK;
    if (!rc)
        rc = ic_buf_append_str(&raw, r->message ? r->message : ic_verdict_name(r->verdict));
    size_t start = out->len;
    if (!rc)
        rc = rep_clean((const char *)raw.data, raw.len, out);
    ic_buf_free(&raw);
    for (size_t i = start; i < out->len; i++)
        if (out->data[i] == '\n' || out->data[i] == '\t')
            out->data[i] = ' ';
    return rc ? rc : truncate_line(out, start + MESSAGE_ATTR_MAX);
}

/* <failure> or <error>: the summary as @message, the detail block as text. */
static void put_problem(xml_out *x, const char *element, const ic_result *r)
{
    ic_buf summary, detail;
    ic_buf_init(&summary, 0);
    ic_buf_init(&detail, 0);
    keep_error(x, one_line_summary(r, &summary));
    keep_error(x, rep_detail(r, "", &detail));
    put(x, "      <");
    put(x, element);
    put_attr(x, "type", ic_verdict_name(r->verdict));
    put_attr(x, "message", summary.len ? (const char *)summary.data : "");
    put(x, ">");
    put_text_n(x, (const char *)detail.data, detail.len);
    put(x, "</");
    put(x, element);
    put(x, ">\n");
    ic_buf_free(&summary);
    ic_buf_free(&detail);
}

/* Cut at a line end, with a note saying how much is missing: CI products
 * cap report sizes, and the transcript files hold everything. */
static void put_transcript(xml_out *x, const ic_buf *transcript)
{
    size_t shown = transcript->len;
    if (shown > TRANSCRIPT_MAX) {
        shown = TRANSCRIPT_MAX;
        while (shown && transcript->data[shown - 1] != '\n')
            shown--;
    }
    put_text_n(x, (const char *)transcript->data, shown);
    if (shown < transcript->len) {
        char note[96];
        snprintf(note, sizeof note, "-- transcript cut here: %zu more bytes\n",
                 transcript->len - shown);
        put(x, note);
    }
}

/* For NON-STRICT, INFO and XFAIL, which pass in JUnit, the finding comes
 * first. */
static void put_system_out(xml_out *x, const ic_result *r)
{
    bool finding = r->verdict == IC_VERDICT_NONSTRICT || r->verdict == IC_VERDICT_INFO ||
                   r->verdict == IC_VERDICT_XFAIL;
    if (!finding && !r->transcript.len)
        return;
    put(x, "      <system-out>");
    if (finding) {
        ic_buf text;
        ic_buf_init(&text, 0);
        int rc = ic_buf_printf(&text, "%s: ", ic_verdict_name(r->verdict));
        if (!rc)
            rc = one_line_summary(r, &text);
        if (!rc)
            rc = ic_buf_append(&text, "\n", 1);
        if (!rc)
            rc = rep_detail(r, "  ", &text);
        if (!rc && r->transcript.len)
            rc = ic_buf_append(&text, "\n", 1);
        keep_error(x, rc);
        put_text_n(x, (const char *)text.data, text.len);
        ic_buf_free(&text);
    }
    put_transcript(x, &r->transcript);
    put(x, "</system-out>\n");
}

static void put_testcase(xml_out *x, const ic_result *r)
{
    put(x, "    <testcase");
    put_attr(x, "classname", area_of(r));
    put_attr(x, "name", id_of(r));
    put_seconds(x, "time", r->seconds);
    put(x, ">\n");
    switch (r->verdict) {
    case IC_VERDICT_FAIL:
    case IC_VERDICT_XPASS:
        put_problem(x, "failure", r);
        break;
    case IC_VERDICT_ERROR:
        put_problem(x, "error", r);
        break;
    case IC_VERDICT_UNSUPPORTED:
        put(x, "      <skipped>");
        put_text(x, r->message ? r->message : "unsupported");
        put(x, "</skipped>\n");
        break;
    default:
        break;
    }
    put_system_out(x, r);
    put(x, "    </testcase>\n");
}

/* ---- suites ------------------------------------------------------------------ */

static void put_property(xml_out *x, const char *name, const char *value)
{
    if (!value)
        return;
    put(x, "      <property");
    put_attr(x, "name", name);
    put_attr(x, "value", value);
    put(x, "/>\n");
}

static void put_properties(xml_out *x, const ic_junit_meta *meta)
{
    if (!meta || !(meta->target || meta->tool_version || meta->tls))
        return;
    put(x, "    <properties>\n");
    put_property(x, "target", meta->target);
    put_property(x, "tool_version", meta->tool_version);
    put_property(x, "tls", meta->tls);
    put(x, "    </properties>\n");
}

static bool same_area(const ic_result *a, const ic_result *b)
{
    return strcmp(area_of(a), area_of(b)) == 0;
}

/* The suite of the area of results[first], which is that area's first
 * appearance; its testcases keep the order of results. */
static void put_suite(xml_out *x, const ic_result *results, size_t n, size_t first,
                      const ic_junit_meta *meta, const char *timestamp)
{
    ic_tally tally = { 0 };
    double seconds = 0;
    for (size_t i = first; i < n; i++) {
        if (same_area(&results[i], &results[first])) {
            ic_tally_add(&tally, results[i].verdict);
            seconds += results[i].seconds;
        }
    }
    put(x, "  <testsuite");
    put_attr(x, "name", area_of(&results[first]));
    put_count(x, "tests", ic_tally_total(&tally));
    put_count(x, "failures", tally.fail + tally.xpass);
    put_count(x, "errors", tally.error);
    put_count(x, "skipped", tally.unsupported);
    put_seconds(x, "time", seconds);
    put_attr(x, "timestamp", timestamp);
    put_attr(x, "hostname", meta ? meta->hostname : NULL);
    put(x, ">\n");
    put_properties(x, meta);
    for (size_t i = first; i < n; i++)
        if (same_area(&results[i], &results[first]))
            put_testcase(x, &results[i]);
    put(x, "  </testsuite>\n");
}

static bool area_seen_before(const ic_result *results, size_t index)
{
    for (size_t i = 0; i < index; i++)
        if (same_area(&results[i], &results[index]))
            return true;
    return false;
}

/* Local time without a zone: the form every JUnit schema accepts. */
static void local_timestamp(char *out, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm) || !strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm))
        snprintf(out, size, "1970-01-01T00:00:00");
}

/* No skipped attribute on <testsuites>: junit-10.xsd rejects it. */
static void put_document(xml_out *x, const ic_result *results, size_t n,
                         const ic_junit_meta *meta)
{
    char timestamp[32];
    local_timestamp(timestamp, sizeof timestamp);
    ic_tally tally = { 0 };
    double seconds = 0;
    for (size_t i = 0; i < n; i++) {
        ic_tally_add(&tally, results[i].verdict);
        seconds += results[i].seconds;
    }
    put(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
    put_attr(x, "name", "imapconform");
    put_count(x, "tests", ic_tally_total(&tally));
    put_count(x, "failures", tally.fail + tally.xpass);
    put_count(x, "errors", tally.error);
    put_seconds(x, "time", seconds);
    put(x, ">\n");
    for (size_t i = 0; i < n; i++)
        if (!area_seen_before(results, i))
            put_suite(x, results, n, i, meta, timestamp);
    put(x, "</testsuites>\n");
}

int ic_junit_write(const char *path, const ic_result *results, size_t n,
                   const ic_junit_meta *meta, ic_error *err)
{
    xml_out x = { .rc = IC_OK };
    ic_buf_init(&x.buf, 0);
    put_document(&x, results, n, meta);
    int rc = x.rc ? ic_fail(err, x.rc, "cannot write %s: out of memory", path)
                  : rep_write_file(path, x.buf.data, x.buf.len, err);
    ic_buf_free(&x.buf);
    return rc;
}
