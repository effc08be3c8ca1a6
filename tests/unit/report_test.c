/* report_test.c: the console lines and summary, JUnit XML checked by its
 * schema (xmllint + tests/data/junit-10.xsd) and by a strict consumer
 * (python3-junitparser), transcript files, XML escaping, verdict names.
 * Run from the repository root (tests/data is found relative to it). */
#define _XOPEN_SOURCE 700          /* posix_openpt and friends, for the TTY tests */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "testutil.h"
#include "ic_render.h"
#include "ic_report.h"

#define XSD_PATH "tests/data/junit-10.xsd"
#define ESC "\033"

/* ---- fixtures: six results over two areas, one of each verdict ---------------- */

enum { R_PASS, R_FAIL, R_NONSTRICT, R_INFO, R_UNSUPPORTED, R_ERROR, NRESULTS };

static ic_scenario scenarios[NRESULTS] = {
    [R_PASS] = { .id = "uidplus.appenduid.single", .area = "uidplus",
                 .title = "APPEND returns APPENDUID", .path = "scenarios/uidplus/appenduid.yaml" },
    [R_FAIL] = { .id = "uidplus.copyuid.basic", .area = "uidplus",
                 .title = "COPY returns COPYUID", .path = "scenarios/uidplus/copyuid.yaml",
                 .reference = "RFC 4315 \xc2\xa7" "3" },
    [R_NONSTRICT] = { .id = "condstore.modseq.persist", .area = "condstore",
                      .title = "mod-sequences persist",
                      .path = "scenarios/condstore/persist.yaml" },
    [R_INFO] = { .id = "condstore.highestmodseq.select", .area = "condstore",
                 .title = "SELECT shows HIGHESTMODSEQ", .path = "scenarios/condstore/select.yaml" },
    [R_UNSUPPORTED] = { .id = "condstore.enable.basic", .area = "condstore",
                        .title = "ENABLE CONDSTORE", .path = "scenarios/condstore/enable.yaml" },
    [R_ERROR] = { .id = "uidplus.expunge.uid", .area = "uidplus",
                  .title = "UID EXPUNGE", .path = "scenarios/uidplus/expunge.yaml" },
};

/* What a hostile server sent: control bytes, an ANSI sequence, invalid
 * UTF-8, U+FFFE and XML's special characters. */
static const char server_bytes[] = "a2 OK \x01\x1b[2J\xff\xfe\xef\xbf\xbe ]]> <&>\"' done";

static char *rendered(const char *raw, size_t len)
{
    char *s = ic_render_str((ic_bytes){ (const uint8_t *)raw, len }, IC_RENDER_UNLIMITED);
    ck_assert_ptr_nonnull(s);
    return s;
}

static void set_text(char **field, const char *text)
{
    *field = strdup(text);
    ck_assert_ptr_nonnull(*field);
}

static void make_results(ic_result *r)
{
    memset(r, 0, NRESULTS * sizeof *r);
    for (int i = 0; i < NRESULTS; i++) {
        r[i].scenario = &scenarios[i];
        r[i].seconds = 0.125 * (i + 1);
        ic_buf_init(&r[i].transcript, 0);
        ic_buf_printf(&r[i].transcript, "-- open 1\nC1: a1 NOOP\nS1: a1 OK %s\n", scenarios[i].id);
    }
    r[R_PASS].seconds = 0.12;

    ic_result *f = &r[R_FAIL];
    f->verdict = IC_VERDICT_FAIL;
    set_text(&f->requirement, "UIDPLUS-13");
    f->level = IC_LEVEL_MUST;
    set_text(&f->reference, "RFC 4315 \xc2\xa7" "3");
    set_text(&f->location, "scenarios/uidplus/copyuid.yaml:14");
    char *shown = rendered(server_bytes, sizeof server_bytes - 1);
    size_t need = strlen(shown) + 64;
    f->message = malloc(need);
    snprintf(f->message, need, "expected COPYUID, got: %s", shown);
    set_text(&f->expected, "S1: a2 OK [COPYUID $v $src $dst] *");
    f->received = malloc(need);
    snprintf(f->received, need, "S1: * 3 EXISTS\nS1: %s", shown);
    set_text(&f->nearest, "S1: a2 OK done (no COPYUID code)");
    free(shown);

    ic_result *ns = &r[R_NONSTRICT];
    ns->verdict = IC_VERDICT_NONSTRICT;
    set_text(&ns->requirement, "CONDSTORE-7");
    ns->level = IC_LEVEL_SHOULD;
    set_text(&ns->location, "scenarios/condstore/persist.yaml:9");
    set_text(&ns->message, "NOMODSEQ not announced although mod-sequences reset");

    ic_result *in = &r[R_INFO];
    in->verdict = IC_VERDICT_INFO;
    set_text(&in->requirement, "CONDSTORE-2");
    in->level = IC_LEVEL_MAY;
    set_text(&in->message, "no HIGHESTMODSEQ in SELECT");

    ic_result *un = &r[R_UNSUPPORTED];
    un->verdict = IC_VERDICT_UNSUPPORTED;
    set_text(&un->message, "server does not advertise CONDSTORE");

    /* A raw ESC that escaped every rendering: the writers must not pass it on. */
    ic_result *er = &r[R_ERROR];
    er->verdict = IC_VERDICT_ERROR;
    set_text(&er->message, "connection 1: timeout after 5000 ms " ESC "[31mboom");
    ic_buf_append_str(&er->transcript, "S1: raw " ESC "[0m escape\n");
}

static void free_results(ic_result *r)
{
    for (int i = 0; i < NRESULTS; i++)
        ic_result_free(&r[i]);
}

static const ic_junit_meta test_meta = { "imaps://127.0.0.1:1993", "ci-runner", "0.1.0",
                                         "TLSv1.3 TLS_AES_256_GCM_SHA384, verified" };

/* ---- files, temp dirs and external tools ------------------------------------ */

static char *temp_dir(void)
{
    char *dir = strdup("/tmp/ic-report-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

static void remove_dir(char *dir)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(dir);
}

static char *path_in(const char *dir, const char *name)
{
    char *p = malloc(strlen(dir) + strlen(name) + 2);
    sprintf(p, "%s/%s", dir, name);
    return p;
}

/* The whole file as a NUL-terminated string; *len gets its size (embedded
 * NULs included). */
static char *slurp_stream(FILE *f, size_t *len)
{
    ic_buf b;
    ic_buf_init(&b, 0);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ck_assert_int_eq(ic_buf_append(&b, chunk, n), IC_OK);
    if (len)
        *len = b.len;
    ic_buf_append(&b, "", 0);
    return b.data ? ic_buf_steal(&b) : strdup("");
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s: %s", path, strerror(errno));
    char *s = slurp_stream(f, len);
    fclose(f);
    return s;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
}

static void require_tool(const char *path, const char *package)
{
    ck_assert_msg(access(path, X_OK) == 0, "%s is missing: run ci/install-deps.sh (package %s)",
                  path, package);
}

/* xmllint's exit status: 0 valid, 1 not well-formed, 3 schema-invalid. */
static int xmllint_status(const char *file)
{
    require_tool("/usr/bin/xmllint", "libxml2-utils");
    ck_assert_msg(access(XSD_PATH, R_OK) == 0,
                  "%s not found: run the unit tests from the repository root", XSD_PATH);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/xmllint --noout --schema %s '%s' 2>/dev/null", XSD_PATH,
             file);
    int status = system(cmd);
    ck_assert_msg(WIFEXITED(status), "xmllint did not run");
    return WEXITSTATUS(status);
}

/* Runs a Python script under /usr/bin/python3 (Debian's, which has
 * python3-junitparser; a pyenv python3 on PATH may not) with file as
 * argv[1]; returns what it printed. */
static char *python_output(const char *dir, const char *script, const char *file)
{
    require_tool("/usr/bin/python3", "python3");
    char *script_path = path_in(dir, "check.py");
    write_text(script_path, script);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s' '%s' 2>&1", script_path, file);
    free(script_path);
    FILE *p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    char *out = slurp_stream(p, NULL);
    int status = pclose(p);
    ck_assert_msg(!strstr(out, "No module named 'junitparser'"),
                  "/usr/bin/python3 has no junitparser: run ci/install-deps.sh "
                  "(package python3-junitparser)");
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "python failed:\n%s", out);
    return out;
}

static bool contains_byte(const char *data, size_t len, unsigned char byte)
{
    return memchr(data, byte, len) != NULL;
}

/* ---- verdicts, tally, result records ----------------------------------------- */

START_TEST(verdict_names_and_levels)
{
    ck_assert_str_eq(ic_verdict_name(IC_VERDICT_PASS), "PASS");
    ck_assert_str_eq(ic_verdict_name(IC_VERDICT_FAIL), "FAIL");
    ck_assert_str_eq(ic_verdict_name(IC_VERDICT_NONSTRICT), "NON-STRICT");
    ck_assert_str_eq(ic_verdict_name(IC_VERDICT_INFO), "INFO");
    ck_assert_str_eq(ic_verdict_name(IC_VERDICT_UNSUPPORTED), "UNSUPPORTED");
    ck_assert_str_eq(ic_verdict_name(IC_VERDICT_ERROR), "ERROR");
    ck_assert_str_eq(ic_verdict_name((ic_verdict)42), "UNKNOWN");
    ck_assert_int_eq(ic_verdict_for_level(IC_LEVEL_MUST), IC_VERDICT_FAIL);
    ck_assert_int_eq(ic_verdict_for_level(IC_LEVEL_SHOULD), IC_VERDICT_NONSTRICT);
    ck_assert_int_eq(ic_verdict_for_level(IC_LEVEL_MAY), IC_VERDICT_INFO);
}
END_TEST

/* Leaks would show under ASan; the zeroing makes a second free harmless. */
START_TEST(result_free_releases_and_zeroes)
{
    ic_result r[NRESULTS];
    make_results(r);
    ic_result_free(&r[R_FAIL]);
    ck_assert_ptr_null(r[R_FAIL].message);
    ck_assert_ptr_null(r[R_FAIL].received);
    ck_assert_ptr_null(r[R_FAIL].scenario);
    ck_assert_uint_eq(r[R_FAIL].transcript.len, 0);
    ic_result_free(&r[R_FAIL]);
    ic_result_free(NULL);
    free_results(r);
}
END_TEST

START_TEST(tally_counts_each_verdict)
{
    ic_tally t = { 0 };
    ic_verdict seq[] = { IC_VERDICT_PASS, IC_VERDICT_PASS, IC_VERDICT_FAIL, IC_VERDICT_NONSTRICT,
                         IC_VERDICT_INFO, IC_VERDICT_UNSUPPORTED, IC_VERDICT_ERROR,
                         IC_VERDICT_ERROR };
    for (size_t i = 0; i < sizeof seq / sizeof seq[0]; i++)
        ic_tally_add(&t, seq[i]);
    ck_assert_uint_eq(t.pass, 2);
    ck_assert_uint_eq(t.fail, 1);
    ck_assert_uint_eq(t.nonstrict, 1);
    ck_assert_uint_eq(t.info, 1);
    ck_assert_uint_eq(t.unsupported, 1);
    ck_assert_uint_eq(t.error, 2);
    ck_assert_uint_eq(ic_tally_total(&t), 8);
}
END_TEST

/* ---- XML escaping ------------------------------------------------------------- */

static void assert_escapes(const char *in, const char *expect)
{
    ic_buf b;
    ic_buf_init(&b, 0);
    ck_assert_int_eq(ic_xml_escape(in, &b), IC_OK);
    ck_assert_str_eq(b.data ? (char *)b.data : "", expect);
    ic_buf_free(&b);
}

START_TEST(xml_escape_cases)
{
    assert_escapes("", "");
    assert_escapes("a2 OK done", "a2 OK done");
    assert_escapes("<a href=\"x\">&'</a>", "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
    assert_escapes("]]>", "]]&gt;");
    assert_escapes("&amp;", "&amp;amp;");
    /* rendered text is left as it is: escapes, UTF-8, layout */
    assert_escapes("S1: \\x1B\\r caf\xc3\xa9\n\tend\\\\", "S1: \\x1B\\r caf\xc3\xa9\n\tend\\\\");
    /* bytes XML 1.0 cannot hold become visible escapes */
    assert_escapes("a" ESC "[31mb", "a\\x1B[31mb");
    assert_escapes("\x01\x7f", "\\x01\\x7F");
    assert_escapes("\xff<", "\\xFF&lt;");
    assert_escapes("\xef\xbf\xbe", "\\xEF\\xBF\\xBE");
    assert_escapes("\xed\xa0\x80", "\\xED\\xA0\\x80");
    assert_escapes("x\ry", "x\\ry");
    ic_buf b;
    ic_buf_init(&b, 0);
    ck_assert_int_eq(ic_xml_escape(NULL, &b), IC_OK);
    ck_assert_uint_eq(b.len, 0);
}
END_TEST

/* ---- JUnit ---------------------------------------------------------------------- */

static char *write_junit(const char *dir, const ic_result *r, size_t n)
{
    char *path = path_in(dir, "report.xml");
    ic_error err;
    ck_assert_msg(ic_junit_write(path, r, n, &test_meta, &err) == IC_OK, "%s", err.msg);
    return path;
}

static void assert_has(const char *text, const char *needle)
{
    ck_assert_msg(strstr(text, needle) != NULL, "missing: %s\nin:\n%.3000s", needle, text);
}

START_TEST(junit_counts_escaping_and_layout)
{
    ic_result r[NRESULTS];
    make_results(r);
    char *dir = temp_dir();
    char *path = write_junit(dir, r, NRESULTS);
    size_t len;
    char *xml = slurp(path, &len);

    ck_assert_msg(strncmp(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0, "%s", xml);
    assert_has(xml, "<testsuites name=\"imapconform\" tests=\"6\" failures=\"1\" errors=\"1\" "
                    "time=\"2.620\">");
    /* suites in order of first appearance, each with its own counts */
    char *uidplus = strstr(xml, "<testsuite name=\"uidplus\" tests=\"3\" failures=\"1\" "
                                "errors=\"1\" skipped=\"0\" time=\"1.120\" timestamp=\"");
    char *condstore = strstr(xml, "<testsuite name=\"condstore\" tests=\"3\" failures=\"0\" "
                                  "errors=\"0\" skipped=\"1\" time=\"1.500\" timestamp=\"");
    ck_assert_msg(uidplus && condstore && uidplus < condstore, "%s", xml);
    assert_has(xml, "hostname=\"ci-runner\">\n    <properties>\n"
                    "      <property name=\"target\" value=\"imaps://127.0.0.1:1993\"/>\n"
                    "      <property name=\"tool_version\" value=\"0.1.0\"/>\n"
                    "      <property name=\"tls\" value=\"TLSv1.3 TLS_AES_256_GCM_SHA384, "
                    "verified\"/>\n    </properties>\n");
    assert_has(xml, "<testcase classname=\"uidplus\" name=\"uidplus.appenduid.single\" "
                    "time=\"0.120\">\n      <system-out>-- open 1\n");
    /* the message on one line in @message and in full in the text */
    assert_has(xml, "<failure type=\"FAIL\" message=\"UIDPLUS-13: expected COPYUID, got: a2 OK "
                    "\\x01\\x1B[2J\\xFF\\xFE\\xEF\\xBF\\xBE ]]&gt; &lt;&amp;&gt;&quot;&apos; "
                    "done\">requirement UIDPLUS-13 (MUST, RFC 4315 \xc2\xa7" "3)\n"
                    "at scenarios/uidplus/copyuid.yaml:14\n"
                    "expected COPYUID, got: a2 OK \\x01\\x1B[2J");
    assert_has(xml, "expected: S1: a2 OK [COPYUID $v $src $dst] *\n"
                    "received: S1: * 3 EXISTS\n"
                    "          S1: a2 OK \\x01");
    assert_has(xml, "nearest:  S1: a2 OK done (no COPYUID code)\n</failure>\n");
    assert_has(xml, "<error type=\"ERROR\" message=\"connection 1: timeout after 5000 ms "
                    "\\x1B[31mboom\">");
    assert_has(xml, "<skipped>server does not advertise CONDSTORE</skipped>");
    /* NON-STRICT and INFO pass, the finding first in system-out */
    assert_has(xml, "name=\"condstore.modseq.persist\" time=\"0.375\">\n      <system-out>"
                    "NON-STRICT: CONDSTORE-7: NOMODSEQ not announced although mod-sequences "
                    "reset\n  requirement CONDSTORE-7 (SHOULD)\n");
    assert_has(xml, "<system-out>INFO: CONDSTORE-2: no HIGHESTMODSEQ in SELECT\n");
    ck_assert_msg(!strstr(xml, "type=\"NON-STRICT\"") && !strstr(xml, "type=\"INFO\""), "%s", xml);
    /* nothing a parser would refuse */
    ck_assert_msg(!contains_byte(xml, len, 0x1B), "raw ESC in the report");
    ck_assert_msg(!contains_byte(xml, len, 0xFF) && !contains_byte(xml, len, 0x01),
                  "raw server byte in the report");
    ck_assert_uint_eq(strlen(xml), len);

    free(xml);
    free(path);
    remove_dir(dir);
    free_results(r);
}
END_TEST

START_TEST(junit_validates_against_schema)
{
    ic_result r[NRESULTS];
    make_results(r);
    char *dir = temp_dir();
    char *path = write_junit(dir, r, NRESULTS);
    ck_assert_int_eq(xmllint_status(path), 0);
    ic_error err;
    ck_assert_int_eq(ic_junit_write(path, r, 0, &test_meta, &err), IC_OK);   /* empty run */
    ck_assert_int_eq(xmllint_status(path), 0);
    ck_assert_int_eq(ic_junit_write(path, r, 1, NULL, &err), IC_OK);          /* no meta */
    ck_assert_int_eq(xmllint_status(path), 0);
    free(path);
    remove_dir(dir);
    free_results(r);
}
END_TEST

/* The schema check above means something only if the same check rejects
 * what junit-10.xsd forbids. */
START_TEST(schema_check_rejects_invalid_reports)
{
    char *dir = temp_dir();
    char *path = path_in(dir, "broken.xml");
    write_text(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n"
                     "  <testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\">\n"
                     "    <testcase classname=\"a\" name=\"a.b\" time=\"0.100\"/>\n"
                     "  </testsuite>\n</testsuites>\n");
    ck_assert_int_eq(xmllint_status(path), 3);
    write_text(path, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites><testsuite name=\"a\" tests=\"1\" failures=\"0\" errors=\"0\">"
                     "<testcase name=\"x\"><system-out>" ESC "[0m</system-out></testcase>"
                     "</testsuite></testsuites>\n");
    ck_assert_int_eq(xmllint_status(path), 1);
    free(path);
    remove_dir(dir);
}
END_TEST

/* junitparser (what publish-unit-test-result-action uses) reads the counts
 * from the attributes and the outcome from each testcase: both must agree. */
static const char junitparser_script[] =
    "import sys\n"
    "from junitparser import JUnitXml\n"
    "x = JUnitXml.fromfile(sys.argv[1])\n"
    "for s in x:\n"
    "    kinds = sorted(type(o).__name__ for c in s for o in c.result)\n"
    "    print(s.name, s.tests, s.failures, s.errors, s.skipped, len(list(s)), *kinds)\n"
    "    for c in s:\n"
    "        for o in c.result:\n"
    "            print(' ', c.name, o.type, o.message or o.text)\n"
    "        if (c.system_out or '').startswith(('NON-STRICT:', 'INFO:')):\n"
    "            outcome = 'passed' if c.is_passed else '?'\n"
    "            print(' ', c.name, c.system_out.split(':')[0], outcome)\n";

START_TEST(junit_parses_with_junitparser)
{
    ic_result r[NRESULTS];
    make_results(r);
    char *dir = temp_dir();
    char *path = write_junit(dir, r, NRESULTS);
    char *out = python_output(dir, junitparser_script, path);
    ck_assert_str_eq(out,
        "uidplus 3 1 1 0 3 Error Failure\n"
        "  uidplus.copyuid.basic FAIL UIDPLUS-13: expected COPYUID, got: a2 OK "
        "\\x01\\x1B[2J\\xFF\\xFE\\xEF\\xBF\\xBE ]]> <&>\"' done\n"
        "  uidplus.expunge.uid ERROR connection 1: timeout after 5000 ms \\x1B[31mboom\n"
        "condstore 3 0 0 1 3 Skipped\n"
        "  condstore.modseq.persist NON-STRICT passed\n"
        "  condstore.highestmodseq.select INFO passed\n"
        "  condstore.enable.basic None server does not advertise CONDSTORE\n");
    free(out);
    free(path);
    remove_dir(dir);
    free_results(r);
}
END_TEST

/* @message is one line of at most ~500 bytes, cut between UTF-8 sequences;
 * a huge transcript is cut at a line end with a note. */
START_TEST(junit_caps_message_and_transcript)
{
    ic_result r[NRESULTS];
    make_results(r);
    ic_result *f = &r[R_FAIL];
    free(f->message);
    f->message = malloc(2 * 1000 + 16);
    strcpy(f->message, "first line\nx");
    for (int i = 0; i < 1000; i++)
        strcat(f->message, "\xc3\xa9");                /* 2-byte é, cut must not split it */
    for (int i = 0; i < 30000; i++)
        ic_buf_printf(&f->transcript, "S1: * %d FETCH (UID %d FLAGS (\\Seen))\n", i, i);
    ck_assert_uint_gt(f->transcript.len, 1u << 20);
    char *dir = temp_dir();
    char *path = write_junit(dir, r, NRESULTS);
    char *xml = slurp(path, NULL);
    const char *attr = strstr(xml, "message=\"UIDPLUS-13: first line x\xc3\xa9");
    ck_assert_msg(attr != NULL, "%.3000s", xml);
    const char *end = strchr(attr + 9, '"');
    /* "UIDPLUS-13: first line x" is 24 bytes, then 238 whole é (476 bytes) */
    ck_assert_int_eq(end - (attr + 9), 24 + 476 + 3);
    ck_assert_msg(strncmp(end - 5, "\xc3\xa9...", 5) == 0, "%.20s", end - 10);
    assert_has(xml, "S1: * 20000 FETCH");
    ck_assert_msg(!strstr(xml, "S1: * 29999 FETCH"), "transcript not cut");
    assert_has(xml, " more bytes\n</system-out>");
    ck_assert_msg(strstr(xml, "\n-- transcript cut here: ") != NULL, "no cut note");
    ck_assert_int_eq(xmllint_status(path), 0);
    free(xml);
    free(path);
    remove_dir(dir);
    free_results(r);
}
END_TEST

START_TEST(junit_write_error_names_path)
{
    ic_result r[NRESULTS];
    make_results(r);
    ic_error err;
    ck_assert_int_eq(ic_junit_write("/nonexistent-dir/report.xml", r, NRESULTS, NULL, &err),
                     IC_ERR_USAGE);
    ck_assert_str_eq(err.msg,
                     "cannot write /nonexistent-dir/report.xml: No such file or directory");
    free_results(r);
}
END_TEST

/* Written beside the target and renamed: no temporary file is left, and an
 * old report is replaced whole. */
START_TEST(junit_replaces_file_atomically)
{
    ic_result r[NRESULTS];
    make_results(r);
    char *dir = temp_dir();
    char *path = path_in(dir, "report.xml");
    write_text(path, "old content that is longer than nothing");
    ic_error err;
    ck_assert_int_eq(ic_junit_write(path, r, 1, NULL, &err), IC_OK);
    char *xml = slurp(path, NULL);
    ck_assert_msg(!strstr(xml, "old content"), "%s", xml);
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (e->d_name[0] != '.') {
            ck_assert_str_eq(e->d_name, "report.xml");
            files++;
        }
    closedir(d);
    ck_assert_int_eq(files, 1);
    free(xml);
    free(path);
    remove_dir(dir);
    free_results(r);
}
END_TEST

/* ---- console ---------------------------------------------------------------------- */

/* Runs the console over the fixtures into f; returns what was written. */
static void run_console(ic_console *c, const ic_result *r)
{
    ic_tally t = { 0 };
    for (int i = 0; i < NRESULTS; i++) {
        ic_console_start(c, r[i].scenario);
        ic_console_result(c, &r[i]);
        ic_tally_add(&t, r[i].verdict);
    }
    ic_console_summary(c, &t, 1.234);
}

static char *console_output(ic_color_mode mode, bool verbose, size_t *len)
{
    ic_result r[NRESULTS];
    make_results(r);
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ic_console c;
    ic_console_init(&c, f, mode, NRESULTS);
    ck_assert(!c.progress);
    c.verbose = verbose;
    run_console(&c, r);
    rewind(f);
    char *out = slurp_stream(f, len);
    fclose(f);
    free_results(r);
    return out;
}

static const char plain_console[] =
    "PASS        uidplus.appenduid.single  (0.12s)\n"
    "FAIL        uidplus.copyuid.basic  (0.25s)\n"
    "  requirement UIDPLUS-13 (MUST, RFC 4315 \xc2\xa7" "3)\n"
    "  at scenarios/uidplus/copyuid.yaml:14\n"
    "  expected COPYUID, got: a2 OK \\x01\\x1B[2J\\xFF\\xFE\\xEF\\xBF\\xBE ]]> <&>\"' done\n"
    "  expected: S1: a2 OK [COPYUID $v $src $dst] *\n"
    "  received: S1: * 3 EXISTS\n"
    "            S1: a2 OK \\x01\\x1B[2J\\xFF\\xFE\\xEF\\xBF\\xBE ]]> <&>\"' done\n"
    "  nearest:  S1: a2 OK done (no COPYUID code)\n"
    "NON-STRICT  condstore.modseq.persist  (0.38s)\n"
    "  requirement CONDSTORE-7 (SHOULD)\n"
    "  at scenarios/condstore/persist.yaml:9\n"
    "  NOMODSEQ not announced although mod-sequences reset\n"
    "INFO        condstore.highestmodseq.select  (0.50s)\n"
    "  requirement CONDSTORE-2 (MAY)\n"
    "  no HIGHESTMODSEQ in SELECT\n"
    "UNSUPPORTED condstore.enable.basic  (0.62s)\n"
    "  server does not advertise CONDSTORE\n"
    "ERROR       uidplus.expunge.uid  (0.75s)\n"
    "  connection 1: timeout after 5000 ms \\x1B[31mboom\n"
    "\n"
    "6 scenarios in 1.23s: 1 PASS, 1 FAIL, 1 NON-STRICT, 1 INFO, 1 UNSUPPORTED, 1 ERROR\n"
    "imapconform: 3 passed, 2 failed, 1 skipped\n";

START_TEST(console_plain_lines_and_summary)
{
    size_t len;
    char *out = console_output(IC_COLOR_AUTO, false, &len);
    ck_assert_str_eq(out, plain_console);
    ck_assert(!contains_byte(out, len, 0x1B));
    ck_assert(!contains_byte(out, len, '\r'));
    free(out);
}
END_TEST

START_TEST(console_summary_line_form)
{
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ic_console c;
    ic_console_init(&c, f, IC_COLOR_ALWAYS, 0);
    ic_tally t = { .pass = 118, .nonstrict = 2, .info = 1, .fail = 2, .error = 1,
                   .unsupported = 3 };
    ic_console_summary(&c, &t, 61.5);
    rewind(f);
    char *out = slurp_stream(f, NULL);
    fclose(f);
    const char *last = strstr(out, "\nimapconform: ");
    ck_assert_ptr_nonnull(last);
    /* even with colour on, the line CI parsers read has no escape codes */
    ck_assert_str_eq(last, "\nimapconform: 121 passed, 3 failed, 3 skipped\n");
    assert_has(out, "127 scenarios in 61.50s: 118 " ESC "[32mPASS" ESC "[0m");
    free(out);
}
END_TEST

START_TEST(console_color_always)
{
    char *out = console_output(IC_COLOR_ALWAYS, false, NULL);
    assert_has(out, ESC "[32mPASS" ESC "[0m        uidplus.appenduid.single  (0.12s)\n");
    assert_has(out, ESC "[31mFAIL" ESC "[0m        uidplus.copyuid.basic");
    assert_has(out, ESC "[33mNON-STRICT" ESC "[0m  condstore.modseq.persist");
    assert_has(out, ESC "[36mINFO" ESC "[0m");
    assert_has(out, ESC "[34mUNSUPPORTED" ESC "[0m ");
    assert_has(out, ESC "[1;35mERROR" ESC "[0m       uidplus.expunge.uid");
    /* the ESC inside the message is still shown as text, not sent */
    assert_has(out, "5000 ms \\x1B[31mboom\n");
    free(out);
}
END_TEST

START_TEST(console_color_never)
{
    size_t len;
    char *out = console_output(IC_COLOR_NEVER, false, &len);
    ck_assert_str_eq(out, plain_console);
    ck_assert(!contains_byte(out, len, 0x1B));
    free(out);
}
END_TEST

START_TEST(console_verbose_shows_transcripts_of_failures)
{
    char *out = console_output(IC_COLOR_NEVER, true, NULL);
    assert_has(out, "  nearest:  S1: a2 OK done (no COPYUID code)\n"
                    "  transcript:\n"
                    "    -- open 1\n"
                    "    C1: a1 NOOP\n"
                    "    S1: a1 OK uidplus.copyuid.basic\n"
                    "NON-STRICT  ");
    assert_has(out, "    S1: raw \\x1B[0m escape\n");
    ck_assert_msg(!strstr(out, "S1: a1 OK uidplus.appenduid.single"), "PASS transcript shown");
    ck_assert_msg(!strstr(out, "S1: a1 OK condstore.enable.basic"),
                  "UNSUPPORTED transcript shown");
    free(out);
}
END_TEST

/* A pseudo-terminal, so isatty() is true, in raw mode so what we read back
 * is exactly what was written. */
typedef struct pty_pair {
    int master;
    FILE *slave;
} pty_pair;

static pty_pair open_pty(void)
{
    pty_pair p;
    p.master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(p.master, 0);
    ck_assert_int_eq(grantpt(p.master), 0);
    ck_assert_int_eq(unlockpt(p.master), 0);
    int fd = open(ptsname(p.master), O_RDWR | O_NOCTTY);
    ck_assert_int_ge(fd, 0);
    struct termios tio;
    ck_assert_int_eq(tcgetattr(fd, &tio), 0);
    cfmakeraw(&tio);
    ck_assert_int_eq(tcsetattr(fd, TCSANOW, &tio), 0);
    p.slave = fdopen(fd, "w");
    ck_assert_ptr_nonnull(p.slave);
    return p;
}

static char *read_pty(pty_pair *p)
{
    ic_buf b;
    ic_buf_init(&b, 0);
    struct pollfd pfd = { p->master, POLLIN, 0 };
    char chunk[4096];
    while (poll(&pfd, 1, 200) > 0) {
        ssize_t n = read(p->master, chunk, sizeof chunk);
        if (n <= 0)
            break;
        ic_buf_append(&b, chunk, (size_t)n);
    }
    ic_buf_append(&b, "", 0);
    return b.data ? ic_buf_steal(&b) : strdup("");
}

static void close_pty(pty_pair *p)
{
    fclose(p->slave);
    close(p->master);
}

static void set_env(const char *name, const char *value)
{
    if (value)
        setenv(name, value, 1);
    else
        unsetenv(name);
}

/* ic_console_init on a terminal under the given environment (NULL: unset). */
static ic_console console_on_tty(pty_pair *p, const char *term, const char *no_color,
                                 const char *ci)
{
    set_env("TERM", term);
    set_env("NO_COLOR", no_color);
    set_env("CI", ci);
    ic_console c;
    ic_console_init(&c, p->slave, IC_COLOR_AUTO, NRESULTS);
    return c;
}

START_TEST(console_auto_decides_from_tty_and_environment)
{
    pty_pair p = open_pty();
    ic_console c = console_on_tty(&p, "xterm", NULL, NULL);
    ck_assert(c.color && c.progress);
    c = console_on_tty(&p, "xterm", "", NULL);           /* empty NO_COLOR does not count */
    ck_assert(c.color);
    c = console_on_tty(&p, "xterm", "1", NULL);
    ck_assert(!c.color && c.progress);
    c = console_on_tty(&p, "dumb", NULL, NULL);
    ck_assert(!c.color);
    c = console_on_tty(&p, "xterm", NULL, "true");
    ck_assert(c.color && !c.progress);
    c = console_on_tty(&p, "xterm", NULL, NULL);
    ic_console_init(&c, p.slave, IC_COLOR_NEVER, 1);
    ck_assert(!c.color && c.progress);
    close_pty(&p);
    /* not a terminal: neither, whatever the environment says */
    setenv("TERM", "xterm", 1);
    unsetenv("NO_COLOR");
    unsetenv("CI");
    FILE *f = tmpfile();
    ic_console_init(&c, f, IC_COLOR_AUTO, 1);
    ck_assert(!c.color && !c.progress);
    ic_console_init(&c, f, IC_COLOR_ALWAYS, 1);
    ck_assert(c.color && !c.progress);
    fclose(f);
}
END_TEST

START_TEST(console_progress_line_on_tty)
{
    ic_result r[NRESULTS];
    make_results(r);
    pty_pair p = open_pty();
    ic_console c = console_on_tty(&p, "xterm", "1", NULL);
    ic_console_start(&c, r[R_PASS].scenario);
    fflush(p.slave);
    char *shown = read_pty(&p);
    ck_assert_str_eq(shown, "\r[1/6] uidplus.appenduid.single");
    free(shown);
    ic_console_result(&c, &r[R_PASS]);
    ic_console_start(&c, r[R_FAIL].scenario);
    shown = read_pty(&p);
    /* cleared with as many spaces as it had characters, then the result */
    ck_assert_str_eq(shown, "\r                              \r"
                            "PASS        uidplus.appenduid.single  (0.12s)\n"
                            "\r[2/6] uidplus.copyuid.basic");
    free(shown);
    close_pty(&p);
    free_results(r);
}
END_TEST

/* ---- transcripts ------------------------------------------------------------------ */

START_TEST(transcripts_written_per_result)
{
    ic_result r[NRESULTS];
    make_results(r);
    char *dir = temp_dir();
    char *nested = path_in(dir, "a/b/transcripts");
    ic_error err;
    ck_assert_msg(ic_transcripts_write(nested, r, NRESULTS, &err) == IC_OK, "%s", err.msg);
    for (int i = 0; i < NRESULTS; i++) {
        char name[128];
        snprintf(name, sizeof name, "%s.txt", scenarios[i].id);
        char *file = path_in(nested, name);
        size_t len;
        char *text = slurp(file, &len);
        char head[160];
        snprintf(head, sizeof head, "# id: %s\n# title: %s\n# verdict: %s\n", scenarios[i].id,
                 scenarios[i].title, ic_verdict_name(r[i].verdict));
        ck_assert_msg(strncmp(text, head, strlen(head)) == 0, "%s", text);
        /* the transcript as recorded, after one blank line */
        const char *body = strstr(text, "\n\n");
        ck_assert_ptr_nonnull(body);
        if (i != R_ERROR)
            ck_assert_str_eq(body + 2, (const char *)r[i].transcript.data);
        ck_assert_msg(!contains_byte(text, len, 0x1B), "raw ESC in %s", file);
        free(text);
        free(file);
    }
    char *fail = path_in(nested, "uidplus.copyuid.basic.txt");
    char *text = slurp(fail, NULL);
    assert_has(text, "# verdict: FAIL\n"
                     "# requirement: UIDPLUS-13 (MUST, RFC 4315 \xc2\xa7" "3)\n"
                     "# at: scenarios/uidplus/copyuid.yaml:14\n"
                     "# message: expected COPYUID, got: a2 OK \\x01\\x1B[2J");
    free(text);
    free(fail);
    char *err_file = path_in(nested, "uidplus.expunge.uid.txt");
    size_t len;
    text = slurp(err_file, &len);
    assert_has(text, "# message: connection 1: timeout after 5000 ms \\x1B[31mboom\n\n"
                     "-- open 1\nC1: a1 NOOP\nS1: a1 OK uidplus.expunge.uid\n"
                     "S1: raw \\x1B[0m escape\n");
    free(text);
    free(err_file);
    free(nested);
    remove_dir(dir);
    free_results(r);
}
END_TEST

START_TEST(transcripts_errors)
{
    ic_result r[NRESULTS];
    make_results(r);
    char *dir = temp_dir();
    char *file = path_in(dir, "plain-file");
    write_text(file, "x");
    ic_error err;
    ck_assert_int_eq(ic_transcripts_write(file, r, NRESULTS, &err), IC_ERR_USAGE);
    ck_assert_msg(strstr(err.msg, file) && strstr(err.msg, "Not a directory"), "%s", err.msg);

    ic_scenario evil = scenarios[R_PASS];
    evil.id = "../escape";
    r[R_PASS].scenario = &evil;
    ck_assert_int_eq(ic_transcripts_write(dir, r, NRESULTS, &err), IC_ERR_USAGE);
    ck_assert_str_eq(err.msg, "cannot write a transcript for scenario id \"../escape\"");
    free(file);
    remove_dir(dir);
    free_results(r);
}
END_TEST

static Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *core = tcase_create("core");
    tcase_add_test(core, verdict_names_and_levels);
    tcase_add_test(core, result_free_releases_and_zeroes);
    tcase_add_test(core, tally_counts_each_verdict);
    tcase_add_test(core, xml_escape_cases);
    suite_add_tcase(s, core);

    TCase *junit = tcase_create("junit");
    tcase_set_timeout(junit, 30);     /* xmllint and python start-up, under ASan */
    tcase_add_test(junit, junit_counts_escaping_and_layout);
    tcase_add_test(junit, junit_validates_against_schema);
    tcase_add_test(junit, schema_check_rejects_invalid_reports);
    tcase_add_test(junit, junit_parses_with_junitparser);
    tcase_add_test(junit, junit_caps_message_and_transcript);
    tcase_add_test(junit, junit_write_error_names_path);
    tcase_add_test(junit, junit_replaces_file_atomically);
    suite_add_tcase(s, junit);

    TCase *console = tcase_create("console");
    tcase_add_test(console, console_plain_lines_and_summary);
    tcase_add_test(console, console_summary_line_form);
    tcase_add_test(console, console_color_always);
    tcase_add_test(console, console_color_never);
    tcase_add_test(console, console_verbose_shows_transcripts_of_failures);
    tcase_add_test(console, console_auto_decides_from_tty_and_environment);
    tcase_add_test(console, console_progress_line_on_tty);
    suite_add_tcase(s, console);

    TCase *transcripts = tcase_create("transcripts");
    tcase_add_test(transcripts, transcripts_written_per_result);
    tcase_add_test(transcripts, transcripts_errors);
    suite_add_tcase(s, transcripts);
    return s;
}

IC_TEST_MAIN(report_suite)
