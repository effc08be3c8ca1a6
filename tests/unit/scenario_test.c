/* scenario_test.c: the scenario loader (ic_scenario.h): the documented
 * example loaded field by field, the requirement list, the pattern and
 * C-line compilers, file discovery, and one bad file per error class with
 * the exact "file:line:col" it must report. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"
#include "ic_scenario.h"

#define DATA "tests/data/scenarios"
#define REQS DATA "/requirements.yaml"
#define GOOD DATA "/good/vanished-other-session.yaml"
#define PLAIN_EML_CRLF \
    "From: a@example.org\r\nTo: b@example.org\r\nSubject: plain\r\n\r\nHello.\r\n"

/* ---- helpers ---------------------------------------------------------------------- */

static char tmpdir[64];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ic-scenario-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    ck_assert_int_eq(system(cmd), 0);
}

/* Writes content to tmpdir/name; returns the path (static buffer). */
static const char *write_tmp(const char *name, const char *content, size_t len)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(content, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

/* Loads content as a scenario from a fresh temporary directory, removed
 * before the caller asserts anything (a failed assertion ends the test, and
 * nothing must be left behind); path receives the file's path. */
static int load_tmp_scenario(const char *content, size_t len, const ic_reqlist *reqs,
                             ic_scenario **sc, ic_error *err, char path[256])
{
    make_tmpdir();
    snprintf(path, 256, "%s", write_tmp("scenario.yaml", content, len));
    int rc = ic_scenario_load(path, reqs, sc, err);
    remove_tmpdir();
    return rc;
}

static ic_reqlist *load_reqs(void)
{
    ic_reqlist *reqs = NULL;
    ic_error err;
    int rc = ic_reqlist_load(REQS, &reqs, &err);
    ck_assert_msg(rc == IC_OK, "%s", err.msg);
    return reqs;
}

/* The error must start "path:line:col: " and contain want. */
static void assert_error_at(const ic_error *err, const char *path, int line, int col,
                            const char *want)
{
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s:%d:%d: ", path, line, col);
    ck_assert_msg(strncmp(err->msg, prefix, strlen(prefix)) == 0, "expected \"%s...\", got \"%s\"",
                  prefix, err->msg);
    ck_assert_msg(strstr(err->msg, want) != NULL, "expected \"%s\" in \"%s\"", want, err->msg);
}

static ic_bytes seg_bytes(const ic_segment *s)
{
    return ic_buf_bytes(&s->data);
}

#define ASSERT_SEG(seg, k, text)                                                  \
    do {                                                                          \
        ck_assert_int_eq((seg)->kind, (k));                                       \
        ck_assert_msg(ic_bytes_eq_str(seg_bytes(seg), text), "segment \"%s\"",   \
                      (const char *)(seg)->data.data);                            \
    } while (0)

/* ---- the documented example ---------------------------------------------------- */

static ic_scenario *load_good(ic_reqlist **reqs_out)
{
    ic_reqlist *reqs = load_reqs();
    ic_scenario *sc = NULL;
    ic_error err;
    int rc = ic_scenario_load(GOOD, reqs, &sc, &err);
    ck_assert_msg(rc == IC_OK, "%s", err.msg);
    *reqs_out = reqs;
    return sc;
}

START_TEST(dollar_keywords_and_status_alternative_captures)
{
    ic_reqlist *reqs = load_reqs();
    ic_scenario *sc = NULL;
    ic_error err;
    int rc = ic_scenario_load("tests/data/scenarios/good/dollar-and-alternatives.yaml", reqs, &sc,
                              &err);
    ck_assert_msg(rc == IC_OK, "%s", err.msg);
    ic_scenario_free(sc);
    ic_reqlist_free(reqs);
}
END_TEST

START_TEST(good_metadata)
{
    ic_reqlist *reqs;
    ic_scenario *sc = load_good(&reqs);
    ck_assert_str_eq(sc->path, GOOD);
    ck_assert_str_eq(sc->dir, DATA "/good");
    ck_assert_str_eq(sc->id, "qresync.vanished.other-session");
    ck_assert_str_eq(sc->area, "qresync");
    ck_assert_str_eq(sc->title,
                     "Expunges made by another session arrive as VANISHED once QRESYNC is enabled");
    ck_assert_uint_eq(sc->nrequirements, 2);
    ck_assert_str_eq(sc->requirements[0], "QR-42");
    ck_assert_str_eq(sc->requirements[1], "QR-43");
    ck_assert_int_eq(sc->level, IC_LEVEL_MUST);
    ck_assert(sc->level_explicit);
    ck_assert_str_eq(sc->reference, "RFC 7162 \xc2\xa7" "3.2.10");
    ck_assert_uint_eq(sc->nrequires, 1);
    ck_assert_str_eq(sc->requires[0], "QRESYNC");
    ck_assert_uint_eq(sc->ntags, 2);
    ck_assert_str_eq(sc->tags[1], "two-sessions");
    ck_assert(!sc->exclusive);
    ck_assert_str_eq(sc->description,
                     "Connection 2 expunges a message while connection 1 has QRESYNC enabled.\n");
    ic_scenario_free(sc);
    ic_reqlist_free(reqs);
}
END_TEST

START_TEST(good_fixture)
{
    ic_reqlist *reqs;
    ic_scenario *sc = load_good(&reqs);
    ck_assert_uint_eq(sc->nmailboxes, 4);
    const ic_fixture_mailbox *box = &sc->mailboxes[0], *seen = &sc->mailboxes[1];
    ck_assert_str_eq(box->name, "box");
    ck_assert(box->create);
    ck_assert_uint_eq(box->generated, 3);
    ck_assert_uint_eq(box->nmessages, 0);
    ck_assert_int_eq(box->line, 15);
    ck_assert_str_eq(seen->name, "seen");
    ck_assert_uint_eq(seen->generated, 0);
    ck_assert_uint_eq(seen->nmessages, 2);
    ck_assert_str_eq(seen->messages[0].file, "messages/plain.eml");
    ck_assert_uint_eq(seen->messages[0].nflags, 1);
    ck_assert_str_eq(seen->messages[0].flags[0], "\\Seen");
    ck_assert(ic_bytes_eq_str(ic_buf_bytes(&seen->messages[0].content), PLAIN_EML_CRLF));
    ck_assert_str_eq(seen->messages[1].file, "messages/plain.eml");
    ck_assert_uint_eq(seen->messages[1].nflags, 0);
    ck_assert_str_eq(sc->mailboxes[2].name, "dest");
    ck_assert(sc->mailboxes[2].create);
    ck_assert_str_eq(sc->mailboxes[3].name, "gone");
    ck_assert(!sc->mailboxes[3].create);

    ck_assert(sc->conns[1].used && sc->conns[1].login);
    ck_assert_int_eq(sc->conns[1].user, 1);
    ck_assert(sc->conns[2].used && sc->conns[2].login);
    ck_assert(sc->conns[3].used);
    ck_assert_int_eq(sc->conns[3].user, 2);
    ck_assert(!sc->conns[3].login);
    ck_assert(!sc->conns[4].used);
    ck_assert(sc->conns[4].login);
    ic_scenario_free(sc);
    ic_reqlist_free(reqs);
}
END_TEST

START_TEST(good_commands)
{
    ic_reqlist *reqs;
    ic_scenario *sc = load_good(&reqs);
    ck_assert_uint_eq(sc->nsteps, 26);
    const ic_step *st = &sc->steps[0];
    ck_assert_int_eq(st->kind, IC_STEP_SEND);
    ck_assert_int_eq(st->conn, 1);
    ck_assert_int_eq(st->line, 22);
    ck_assert_int_eq(st->col, 5);
    ck_assert_str_eq(st->text, "a1 ENABLE QRESYNC");
    ck_assert_str_eq(st->send.tag, "a1");
    ck_assert_uint_eq(st->send.nsegments, 1);
    ASSERT_SEG(&st->send.segments[0], IC_SEG_TEXT, "ENABLE QRESYNC");

    st = &sc->steps[2];                     /* C1: a2 SELECT $box, ordered */
    ck_assert(st->ordered && !st->exclusive);
    ck_assert_uint_eq(st->send.nsegments, 2);
    ASSERT_SEG(&st->send.segments[0], IC_SEG_TEXT, "SELECT ");
    ASSERT_SEG(&st->send.segments[1], IC_SEG_VAR, "box");

    st = &sc->steps[6];                     /* C2 */
    ck_assert_int_eq(st->conn, 2);
    ck_assert_str_eq(st->send.tag, "b1");

    st = &sc->steps[14];                    /* APPEND with $$ and {@file+} */
    ck_assert_str_eq(st->send.tag, "a5");
    ck_assert_uint_eq(st->send.nsegments, 4);
    ASSERT_SEG(&st->send.segments[0], IC_SEG_TEXT, "APPEND ");
    ASSERT_SEG(&st->send.segments[1], IC_SEG_VAR, "seen");
    ASSERT_SEG(&st->send.segments[2], IC_SEG_TEXT, " (\\Seen $Forwarded) ");
    ASSERT_SEG(&st->send.segments[3], IC_SEG_LITERAL, PLAIN_EML_CRLF);
    ck_assert(st->send.segments[3].non_sync);

    st = &sc->steps[16];                    /* IDLE, exclusive */
    ck_assert(st->exclusive && !st->ordered);
    st = &sc->steps[18];                    /* DONE continues IDLE */
    ck_assert_ptr_null(st->send.tag);
    ck_assert_uint_eq(st->send.nsegments, 1);
    ASSERT_SEG(&st->send.segments[0], IC_SEG_TEXT, "DONE");

    st = &sc->steps[22];                    /* {=...} and a quoted string left alone */
    ck_assert_int_eq(st->conn, 3);
    ck_assert_uint_eq(st->send.nsegments, 3);
    ASSERT_SEG(&st->send.segments[0], IC_SEG_TEXT, "LOGIN ");
    ASSERT_SEG(&st->send.segments[1], IC_SEG_LITERAL, "user{1}");
    ck_assert(!st->send.segments[1].non_sync);
    ASSERT_SEG(&st->send.segments[2], IC_SEG_TEXT, " \"pa$s {@x}\"");
    ic_scenario_free(sc);
    ic_reqlist_free(reqs);
}
END_TEST

START_TEST(good_checks)
{
    ic_reqlist *reqs;
    ic_scenario *sc = load_good(&reqs);
    const ic_step *st = &sc->steps[1];
    ck_assert_int_eq(st->kind, IC_STEP_EXPECT);
    ck_assert_str_eq(st->pattern.text, "* ENABLED QRESYNC");
    ck_assert_int_eq(st->pattern.tree->kind, IC_RESP_UNTAGGED);
    ck_assert(ic_bytes_eq_str(st->pattern.tree->name, "ENABLED"));

    st = &sc->steps[5];                     /* '* 2 FETCH (UID $u2)' */
    const ic_response *t = st->pattern.tree;
    ck_assert(t->has_number);
    ck_assert_uint_eq(t->number, 2);
    ck_assert(ic_bytes_eq_str(t->name, "FETCH"));
    ck_assert_uint_eq(t->nargs, 1);
    ck_assert_int_eq(t->args->type, IC_NODE_LIST);
    ck_assert_uint_eq(t->args->nchildren, 2);
    ck_assert(ic_bytes_eq_str(ic_node_nth(t->args->child, 1)->value, "$u2"));

    st = &sc->steps[9];                     /* S2: b3 OK */
    ck_assert_int_eq(st->conn, 2);
    ck_assert_int_eq(st->pattern.tree->kind, IC_RESP_TAGGED);
    ck_assert(ic_bytes_eq_str(st->pattern.tree->tag, "b3"));
    ck_assert_int_eq(st->pattern.tree->cond, IC_COND_OK);

    st = &sc->steps[11];                    /* VANISHED with options */
    ck_assert_int_eq(st->within_ms, 1500);
    ck_assert_str_eq(st->requirement, "QR-42");
    ck_assert_str_eq(st->because, "the other session expunged it");
    ck_assert_ptr_null(st->unsupported_reason);

    st = &sc->steps[12];
    ck_assert_int_eq(st->kind, IC_STEP_FORBID);
    ck_assert_str_eq(st->requirement, "QR-43");
    ck_assert(ic_bytes_eq_str(st->pattern.tree->name, "$_"));

    st = &sc->steps[13];
    ck_assert_int_eq(st->kind, IC_STEP_ASSERT);
    ck_assert_int_eq(st->conn, 0);
    ck_assert_ptr_nonnull(st->expr);
    ck_assert_str_eq(st->unsupported_reason, "no UID was reported");

    st = &sc->steps[15];
    ck_assert_int_eq(st->kind, IC_STEP_OPTIONAL);
    ck_assert(st->pattern.tree->has_code);
    ck_assert(ic_bytes_eq_str(st->pattern.tree->code.name, "APPENDUID"));
    ck_assert_uint_eq(st->pattern.tree->code.nargs, 2);

    st = &sc->steps[17];
    ck_assert_int_eq(st->pattern.tree->kind, IC_RESP_CONTINUATION);

    st = &sc->steps[21];                    /* {@file} in a pattern */
    ck_assert_uint_eq(st->pattern.nfiles, 1);
    ck_assert(ic_bytes_eq_str(ic_buf_bytes(&st->pattern.files[0]), PLAIN_EML_CRLF));
    const ic_node *body = ic_node_nth(st->pattern.tree->args->child, 1);
    ck_assert(ic_bytes_eq_str(body->value, "$@0"));

    st = &sc->steps[24];
    ck_assert_int_eq(st->kind, IC_STEP_SLEEP);
    ck_assert_int_eq(st->sleep_ms, 500);
    st = &sc->steps[25];
    ck_assert_int_eq(st->kind, IC_STEP_NOTE);
    ck_assert_str_eq(st->text, "done");
    ic_scenario_free(sc);
    ic_reqlist_free(reqs);
}
END_TEST

START_TEST(default_level_is_strictest)
{
    static const char yaml[] = "id: a.b\ntitle: t\nrequirements: [UIDPLUS-11, UIDPLUS-07]\n"
                               "dialogue:\n  - C: a1 NOOP\n";
    char path[256];
    ic_reqlist *reqs = load_reqs();
    ic_scenario *sc = NULL;
    ic_error err;
    ck_assert_msg(load_tmp_scenario(yaml, sizeof yaml - 1, reqs, &sc, &err, path) == IC_OK, "%s",
                  err.msg);
    ck_assert_int_eq(sc->level, IC_LEVEL_SHOULD);
    ck_assert(!sc->level_explicit);
    ck_assert_ptr_null(sc->reference);
    ck_assert_int_eq(sc->steps[0].conn, 1);    /* "C" is connection 1 */
    ic_scenario_free(sc);
    /* Without a requirement list: MUST, and any well-formed ID is accepted. */
    ck_assert_msg(load_tmp_scenario(yaml, sizeof yaml - 1, NULL, &sc, &err, path) == IC_OK, "%s",
                  err.msg);
    ck_assert_int_eq(sc->level, IC_LEVEL_MUST);
    ic_scenario_free(sc);
    ic_reqlist_free(reqs);
}
END_TEST

/* ---- requirement list ---------------------------------------------------------------- */

START_TEST(reqlist_loads)
{
    ic_reqlist *reqs = load_reqs();
    ck_assert_str_eq(reqs->path, REQS);
    ck_assert_uint_eq(reqs->n, 4);
    const ic_requirement *r = ic_reqlist_find(reqs, "QR-43");
    ck_assert_ptr_nonnull(r);
    ck_assert_str_eq(r->id, "QR-43");
    ck_assert_str_eq(r->ref, "RFC 7162 \xc2\xa7" "3.2.10");
    ck_assert_str_eq(r->keyword, "MUST NOT");
    ck_assert_int_eq(r->level, IC_LEVEL_MUST);
    ck_assert_str_eq(r->statement, "Such a VANISHED response MUST NOT contain the EARLIER tag.");
    ck_assert_ptr_null(r->untestable);
    ck_assert_int_eq(r->line, 7);
    r = ic_reqlist_find(reqs, "UIDPLUS-11");
    ck_assert_int_eq(r->level, IC_LEVEL_MAY);
    ck_assert_ptr_nonnull(strstr(r->untestable, "sticky"));
    ck_assert_ptr_null(ic_reqlist_find(reqs, "QR-99"));
    ic_reqlist_free(reqs);
}
END_TEST

static const struct bad_reqlist {
    const char *yaml;
    int line, col;
    const char *want;
} bad_reqlists[] = {
    { "QR-1:\n  ref: x\n  level: MUST\n  statement: s\nQR-1:\n  ref: y\n", 5, 1,
      "duplicate key \"QR-1\" (first at line 1)" },
    { "qr-1:\n  ref: x\n", 1, 1, "invalid requirement ID \"qr-1\"" },
    { "OMA--NOMS-1:\n  ref: x\n", 1, 1, "invalid requirement ID \"OMA--NOMS-1\"" },
    { "OMA-NOMS-X:\n  ref: x\n", 1, 1, "invalid requirement ID \"OMA-NOMS-X\"" },
    { "OMA-NOMS-01:\n  ref: x\n  level: MUST\n", 2, 3, "requirement OMA-NOMS-01 has no \"statement\"" },
    { "QR-1:\n  ref: x\n  level: MUST\n", 2, 3, "requirement QR-1 has no \"statement\"" },
    { "QR-1:\n  ref: x\n  level: OUGHT\n  statement: s\n", 3, 10, "unknown level \"OUGHT\"" },
    { "QR-1:\n  ref: x\n  levle: MUST\n  statement: s\n", 3, 3,
      "unknown key \"levle\" in requirement QR-1 (expected one of: ref, level, statement, "
      "untestable; did you mean \"level\"?)" },
    { "- QR-1\n", 1, 1, "a requirement list is a mapping" },
};

START_TEST(reqlist_errors)
{
    make_tmpdir();
    const struct bad_reqlist *c = &bad_reqlists[_i];
    const char *path = write_tmp("requirements.yaml", c->yaml, strlen(c->yaml));
    ic_reqlist *reqs = (ic_reqlist *)1;
    ic_error err;
    int rc = ic_reqlist_load(path, &reqs, &err);
    remove_tmpdir();    /* before any assertion can end the test */
    ck_assert_int_eq(rc, IC_ERR_SCENARIO);
    ck_assert_ptr_null(reqs);
    assert_error_at(&err, path, c->line, c->col, c->want);
}
END_TEST

START_TEST(reqlist_missing_file)
{
    ic_reqlist *reqs = NULL;
    ic_error err;
    ck_assert_int_eq(ic_reqlist_load(DATA "/nope.yaml", &reqs, &err), IC_ERR_USAGE);
    ck_assert_str_eq(err.msg, DATA "/nope.yaml: cannot open: No such file or directory");
}
END_TEST

START_TEST(levels_parse)
{
    ic_level l = IC_LEVEL_MAY;
    ck_assert(ic_level_parse("  must \t not ", &l));
    ck_assert_int_eq(l, IC_LEVEL_MUST);
    ck_assert(ic_level_parse("Recommended", &l));
    ck_assert_int_eq(l, IC_LEVEL_SHOULD);
    ck_assert(ic_level_parse("SHALL NOT", &l));
    ck_assert_int_eq(l, IC_LEVEL_MUST);
    ck_assert(ic_level_parse("info", &l));
    ck_assert_int_eq(l, IC_LEVEL_MAY);
    ck_assert(!ic_level_parse("MUSTNOT", &l));
    ck_assert(!ic_level_parse("", &l));
    ck_assert_str_eq(ic_level_name(IC_LEVEL_SHOULD), "SHOULD");
    ck_assert_str_eq(ic_level_name(IC_LEVEL_MAY), "MAY");
}
END_TEST

/* ---- patterns and C lines on their own ---------------------------------------------- */

static const struct bad_pattern {
    const char *text;
    const char *want;
} bad_patterns[] = {
    { "* 1 FETCH (UID 5", "column 11: unbalanced '('" },
    { "* 1 FETCH (... UID)", "column 12: \"...\" must be the last item" },
    { "* SEARCH ... 5", "column 10: \"...\" must be the last item" },
    { "* 1 FETCH (UID $1x)", "column 16: \"$1x\" is not a variable" },
    { "* OK [APPENDUID $@0 1]", "column 17: \"$@\" is reserved" },
    { "\"x\" OK", "column 1: a pattern starts with \"*\", \"+\" or a tag" },
    { "* 1 FETCH (BODY[] {@nope.eml})", "column 19: cannot read file \"nope.eml\" (resolved to " },
    { "* X {@nope.eml", "column 5: \"{@\" without a closing \"}\"" },
    { "  ", "column 1: empty pattern" },
};

START_TEST(pattern_errors)
{
    const struct bad_pattern *c = &bad_patterns[_i];
    ic_pattern p;
    ic_error err;
    ck_assert_int_eq(ic_pattern_compile(c->text, DATA, &p, &err), IC_ERR_SCENARIO);
    ck_assert_msg(strncmp(err.msg, c->want, strlen(c->want)) == 0, "expected \"%s\", got \"%s\"",
                  c->want, err.msg);
    ck_assert_ptr_null(p.tree);
    ck_assert_ptr_null(p.files);
}
END_TEST

START_TEST(pattern_quoted_file_reference_is_text)
{
    ic_pattern p;
    ic_error err;
    ck_assert_int_eq(ic_pattern_compile("* 1 FETCH (X \"{@nope}\" ...)", DATA, &p, &err), IC_OK);
    ck_assert_uint_eq(p.nfiles, 0);
    const ic_node *q = ic_node_nth(p.tree->args->child, 1);
    ck_assert_int_eq(q->type, IC_NODE_QUOTED);
    ck_assert(ic_bytes_eq_str(q->value, "{@nope}"));
    ic_pattern_free(&p);
    ck_assert_ptr_null(p.text);
}
END_TEST

START_TEST(send_line_segments)
{
    ic_send_line l;
    ic_error err;
    ck_assert_int_eq(ic_send_line_compile("t.1 X $a$b $ $1 {=a}{@good/messages/plain.eml} Y", DATA,
                                          &l, &err), IC_OK);
    ck_assert_str_eq(l.tag, "t.1");
    ck_assert_uint_eq(l.nsegments, 7);
    ASSERT_SEG(&l.segments[0], IC_SEG_TEXT, "X ");
    ASSERT_SEG(&l.segments[1], IC_SEG_VAR, "a");
    ASSERT_SEG(&l.segments[2], IC_SEG_VAR, "b");
    ASSERT_SEG(&l.segments[3], IC_SEG_TEXT, " $ $1 ");
    ASSERT_SEG(&l.segments[4], IC_SEG_LITERAL, "a");
    ASSERT_SEG(&l.segments[5], IC_SEG_LITERAL, PLAIN_EML_CRLF);
    ck_assert(!l.segments[5].non_sync);
    ASSERT_SEG(&l.segments[6], IC_SEG_TEXT, " Y");
    ic_send_line_free(&l);
}
END_TEST

static const struct bad_send_line {
    const char *text;
    const char *want;
} bad_send_lines[] = {
    { "\"a1\" NOOP", "column 1: \"\"a1\"\" is not a tag" },
    { "a1 ", "column 4: nothing after the tag \"a1\"" },
    { "a1 APPEND INBOX {@missing.eml}", "column 17: cannot read file \"missing.eml\" (resolved to "
                                        DATA "/missing.eml): No such file or directory" },
    { "a1 LOGIN {=x", "column 10: \"{=\" without a matching \"}\"" },
    { "a1 X {@}", "column 6: \"{@...}\" needs a file name" },
};

START_TEST(send_line_errors)
{
    const struct bad_send_line *c = &bad_send_lines[_i];
    ic_send_line l;
    ic_error err;
    ck_assert_int_eq(ic_send_line_compile(c->text, DATA, &l, &err), IC_ERR_SCENARIO);
    ck_assert_msg(strncmp(err.msg, c->want, strlen(c->want)) == 0, "expected \"%s\", got \"%s\"",
                  c->want, err.msg);
    ck_assert_ptr_null(l.tag);
    ck_assert_ptr_null(l.segments);
}
END_TEST

/* ---- finding files -------------------------------------------------------------------- */

START_TEST(find_walks_sorted_and_skips)
{
    char *paths[] = { DATA "/find", DATA "/find/a.yaml", DATA "/find/requirements.yaml" };
    char **found = NULL;
    size_t n = 0;
    ic_error err;
    ck_assert_msg(ic_scenario_find(paths, 3, &found, &n, &err) == IC_OK, "%s", err.msg);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(found[0], DATA "/find/a.yaml");
    ck_assert_str_eq(found[1], DATA "/find/b.yml");
    ck_assert_str_eq(found[2], DATA "/find/sub/c.yaml");
    ck_assert_ptr_null(found[3]);
    ic_scenario_paths_free(found);
}
END_TEST

START_TEST(find_missing_path)
{
    char *paths[] = { DATA "/find", DATA "/no-such-dir" };
    char **found = (char **)1;
    size_t n = 7;
    ic_error err;
    ck_assert_int_eq(ic_scenario_find(paths, 2, &found, &n, &err), IC_ERR_USAGE);
    ck_assert_str_eq(err.msg, "no such file or directory: " DATA "/no-such-dir");
    ck_assert_ptr_null(found);
    ck_assert_uint_eq(n, 0);
}
END_TEST

/* ---- one bad scenario per error class ----------------------------------------------- */

#define HEAD "id: t.case\ntitle: T\nrequirements: [QR-42]\n"   /* lines 1-3 */
#define DIALOGUE HEAD "dialogue:\n"                            /* steps from line 5 */

static const struct bad_scenario {
    const char *name;
    const char *yaml;
    int line, col;
    const char *want;
} bad_scenarios[] = {
    { "yaml syntax", "id: a.b\ntitle: x\n  bad: indent\n", 3, 6,
      "YAML syntax error: mapping values are not allowed in this context" },
    { "tab indentation", "id: a.b\nfixture:\n\tmailboxes: {}\n", 3, 1,
      "tab character: YAML indentation must use spaces" },
    { "invalid utf-8", "id: a.b\ntitle: caf\xc3\xa9 \xff\n", 2, 13,
      "not valid UTF-8: invalid leading UTF-8 octet (byte 0xFF)" },
    { "alias", "id: &a x.y\ntitle: *a\n", 2, 8, "aliases are not supported" },
    { "duplicate key", "id: a.b\nid: a.c\n", 2, 1, "duplicate key \"id\" (first at line 1)" },
    { "second document", "id: a.b\n---\nid: c.d\n", 2, 1, "a second YAML document" },
    { "unquoted star", DIALOGUE "  - C1: a1 NOOP\n  - S1: * OK\n", 6, 9,
      "a value starting with \"*\" must be quoted" },
    { "not a mapping", "- id: a.b\n", 1, 1, "a scenario is a mapping" },
    { "unknown top-level key", "id: a.b\ntitle: t\nrequirment: [QR-42]\n", 3, 1,
      "unknown key \"requirment\" in the scenario (expected one of: id, title, requirements, "
      "level, reference, requires, tags, exclusive, description, fixture, dialogue; "
      "did you mean \"requirements\"?)" },
    { "bad id", "id: Foo.bar\n", 1, 5, "invalid id \"Foo.bar\"" },
    { "one-segment id", "id: foo\n", 1, 5, "invalid id \"foo\"" },
    { "missing title", "id: a.b\nrequirements: [QR-42]\ndialogue:\n  - C: a1 NOOP\n", 1, 1,
      "the scenario has no \"title\" (a required key)" },
    { "empty requirements", "id: a.b\ntitle: t\nrequirements: []\n", 3, 15,
      "requirements is empty" },
    { "unknown requirement", "id: a.b\ntitle: t\nrequirements: [QR-42, QR-99]\n", 3, 23,
      "unknown requirement \"QR-99\" (not in " REQS ")" },
    { "bad level", HEAD "level: MUSTT\n", 4, 8, "unknown level \"MUSTT\"" },
    { "non-boolean exclusive", HEAD "exclusive: \"true\"\n", 4, 12,
      "exclusive must be true or false (unquoted), not the string \"true\"" },
    { "bad mailbox name", HEAD "fixture:\n  mailboxes:\n    my-box: {}\n", 6, 5,
      "mailbox \"my-box\" needs a name usable as a variable" },
    { "unknown mailbox key", HEAD "fixture:\n  mailboxes:\n    box: { mesages: 3 }\n", 6, 12,
      "unknown key \"mesages\" in mailbox \"box\"" },
    { "bad connection", HEAD "fixture:\n  connections:\n    10: { user: 2 }\n", 6, 5,
      "connection \"10\" must be a number from 1 to 9" },
    { "bad user", HEAD "fixture:\n  connections:\n    2: { user: 3 }\n", 6, 16,
      "user must be 1 or 2" },
    { "missing message file", HEAD "fixture:\n  mailboxes:\n    box: { messages: [nope.eml] }\n",
      6, 23, "cannot read file \"nope.eml\" (resolved to " },
    { "messages without create", HEAD "fixture:\n  mailboxes:\n    g: { create: false, "
      "messages: 2 }\n", 6, 25, "mailbox \"g\" has create: false, so it cannot have messages" },
    { "empty dialogue", DIALOGUE, 4, 10, "dialogue has no steps" },
    { "unknown step key", DIALOGUE "  - C1: a1 NOOP\n  - X1: foo\n", 6, 5,
      "unknown step \"X1\" (expected one of: C, C1..C9, S, S1..S9, S optional" },
    { "connection 0", DIALOGUE "  - C0: a1 NOOP\n", 5, 5, "connections are numbered 1 to 9" },
    { "option first", DIALOGUE "  - ordered: true\n    C1: a1 NOOP\n", 5, 5,
      "\"ordered\" is an option; a step's first key names the step" },
    { "two steps in one item", DIALOGUE "  - C1: a1 NOOP\n    S1: a1 OK\n", 6, 5,
      "a second step \"S1\" in one list item" },
    { "unknown option", DIALOGUE "  - C1: a1 NOOP\n    orderd: true\n", 6, 5,
      "unknown step option \"orderd\" (expected one of: ordered," },
    { "option on the wrong step", DIALOGUE "  - C1: a1 NOOP\n    within: 2s\n", 6, 5,
      "option \"within\" is not allowed on C steps (only on S)" },
    { "unsupported if missing on assert", DIALOGUE "  - assert: 1 < 2\n"
      "    unsupported if missing: x\n", 6, 5,
      "option \"unsupported if missing\" is not allowed on assert steps (only on S)" },
    { "non-boolean ordered", DIALOGUE "  - C1: a1 NOOP\n    ordered: yes\n", 6, 14,
      "ordered must be true or false (unquoted), not \"yes\"" },
    { "bad duration", DIALOGUE "  - sleep: 2\n", 5, 12, "bad duration \"2\" for sleep" },
    { "sleep too long", DIALOGUE "  - sleep: 31s\n", 5, 12,
      "sleep: 31s is out of range (more than 0, at most 30s)" },
    { "within too long", DIALOGUE "  - C1: a1 NOOP\n  - S1: a1 OK\n    within: 121s\n", 7, 13,
      "within: 121s is out of range (more than 0, at most 120s)" },
    { "unknown requirement option", DIALOGUE "  - C1: a1 NOOP\n  - S1: a1 OK\n"
      "    requirement: QR-7\n", 7, 18, "unknown requirement \"QR-7\"" },
    { "S before C", DIALOGUE "  - S1: '* OK'\n", 5, 5,
      "S1 line before any C1 line: connection 1 has sent nothing to respond to" },
    { "S must not before C", DIALOGUE "  - C1: a1 NOOP\n  - S2 must not: '* BYE'\n", 6, 5,
      "S2 must not line before any C2 line" },
    { "continuation without command", DIALOGUE "  - C1: DONE\n", 5, 9,
      "a line without a tag continues a command, but connection 1 has not sent one" },
    { "unknown tag in S", DIALOGUE "  - C1: a1 NOOP\n  - S1: a9 OK\n", 6, 9,
      "S line names tag \"a9\" but no earlier C line on connection 1 sent it" },
    { "tag of another connection", DIALOGUE "  - C1: a1 NOOP\n  - C2: b1 NOOP\n  - S2: a1 OK\n",
      7, 9, "no earlier C line on connection 2 sent it (it was sent on connection 1 at line 5)" },
    { "duplicate tag", DIALOGUE "  - C1: a1 NOOP\n  - C2: a1 NOOP\n", 6, 9,
      "tag \"a1\" is already used at line 5" },
    { "unbound variable in C", DIALOGUE "  - C1: a1 SELECT $nobox\n", 5, 19,
      "$nobox is not bound here: it is neither a fixture mailbox, $user, $user2 nor captured by "
      "an earlier S line" },
    { "login names are bound", DIALOGUE "  - C1: a1 LOGIN $user x\n  - C2: b1 LOGIN $user2 y\n"
      "  - C2: b2 LOGIN $user3 z\n", 7, 18, "$user3 is not bound here" },
    { "mailbox named like a login", HEAD "fixture:\n  mailboxes:\n    user2: {}\n", 6, 5,
      "mailbox name \"user2\" is taken: $user2 is a login name" },
    { "bad pattern in double quotes", DIALOGUE "  - C1: a1 FETCH 1 (UID)\n"
      "  - S1: \"* 1 FETCH (X \\\"y\\\" ...) (UID 5\"\n", 6, 34, "S1 pattern: unbalanced '('" },
    { "unbound variable after single quotes", DIALOGUE "  - C1: 'a1 LOGIN ''x'' $nobody'\n", 5, 25,
      "$nobody is not bound here" },
    { "must-not does not bind", DIALOGUE "  - C1: a1 NOOP\n  - S1 must not: '* $n EXISTS'\n"
      "  - C1: a2 FETCH $n FLAGS\n", 7, 18, "$n is not bound here" },
    { "unbound variable in assert", DIALOGUE "  - C1: a1 NOOP\n  - assert: $x > 1\n", 6, 13,
      "$x is not bound here" },
    { "bad assert syntax", DIALOGUE "  - assert: 1 < 2 )\n", 5, 19, "assertion: " },
    { "bad pattern", DIALOGUE "  - C1: a1 FETCH 1 (UID)\n  - S1: '* 1 FETCH (UID 5'\n", 6, 20,
      "S1 pattern: unbalanced '('" },
    { "dots not last", DIALOGUE "  - C1: a1 FETCH 1 (UID)\n  - S1: '* 1 FETCH (... UID 5)'\n",
      6, 21, "S1 pattern: \"...\" must be the last item of a list or of the line" },
    { "missing literal file", DIALOGUE "  - C1: a1 APPEND INBOX {@nope.eml}\n", 5, 25,
      "C1 line: cannot read file \"nope.eml\" (resolved to " },
    { "not a tag", DIALOGUE "  - C1: '(a1) NOOP'\n", 5, 10, "C1 line: \"(a1)\" is not a tag" },
};

START_TEST(bad_scenario_reports_position)
{
    const struct bad_scenario *c = &bad_scenarios[_i];
    char path[256];
    ic_reqlist *reqs = load_reqs();
    ic_scenario *sc = (ic_scenario *)1;
    ic_error err;
    int rc = load_tmp_scenario(c->yaml, strlen(c->yaml), reqs, &sc, &err, path);
    ck_assert_msg(rc == IC_ERR_SCENARIO, "case \"%s\": rc %d, %s", c->name, rc,
                  rc ? err.msg : "loaded");
    ck_assert_ptr_null(sc);
    assert_error_at(&err, path, c->line, c->col, c->want);
    ic_reqlist_free(reqs);
}
END_TEST

START_TEST(too_deep_nesting)
{
    char yaml[300] = "id: ";
    memset(yaml + 4, '[', 100);
    memset(yaml + 104, ']', 100);
    yaml[204] = '\n';
    char path[256];
    ic_scenario *sc = NULL;
    ic_error err;
    ck_assert_int_eq(load_tmp_scenario(yaml, 205, NULL, &sc, &err, path), IC_ERR_SCENARIO);
    /* The root mapping is level 1, so the 32nd "[" (column 4 + 32) is level 33. */
    assert_error_at(&err, path, 1, 36, "nesting deeper than 32 levels");
}
END_TEST

START_TEST(too_many_nodes)
{
    enum { ITEMS = 20000 };
    static char yaml[4 + 2 * ITEMS + 2];
    memcpy(yaml, "x: [", 4);
    for (size_t i = 0; i < ITEMS; i++)
        memcpy(yaml + 4 + 2 * i, "a,", 2);
    yaml[4 + 2 * ITEMS - 1] = ']';
    yaml[4 + 2 * ITEMS] = '\n';
    char path[256];
    ic_scenario *sc = NULL;
    ic_error err;
    ck_assert_int_eq(load_tmp_scenario(yaml, 4 + 2 * ITEMS + 1, NULL, &sc, &err, path),
                     IC_ERR_SCENARIO);
    /* Nodes 1-3 are the mapping, "x" and the list: item 19998 (column 5 + 2 * 19997) is
     * node 20001. */
    assert_error_at(&err, path, 1, 39999, "too many YAML nodes (the limit is 20000)");
}
END_TEST

START_TEST(file_too_big)
{
    size_t n = IC_SCENARIO_MAX_FILE + 1;
    char *yaml = malloc(n);
    ck_assert_ptr_nonnull(yaml);
    memset(yaml, '#', n);
    char path[256];
    ic_scenario *sc = NULL;
    ic_error err;
    int rc = load_tmp_scenario(yaml, n, NULL, &sc, &err, path);
    free(yaml);
    ck_assert_int_eq(rc, IC_ERR_SCENARIO);
    assert_error_at(&err, path, 1, 1, "file too big: 1048577 bytes, the limit is 1048576");
}
END_TEST

START_TEST(missing_scenario_file)
{
    ic_scenario *sc = NULL;
    ic_error err;
    ck_assert_int_eq(ic_scenario_load(DATA "/nope.yaml", NULL, &sc, &err), IC_ERR_USAGE);
    ck_assert_str_eq(err.msg, DATA "/nope.yaml: cannot open: No such file or directory");
    ck_assert_ptr_null(sc);
}
END_TEST

START_TEST(reqlist_directory_merges_and_rejects_duplicates)
{
    ic_reqlist *l = NULL;
    ic_error err;
    ck_assert_int_eq(ic_reqlist_load("tests/data/scenarios/reqdir", &l, &err), IC_OK);
    ck_assert_uint_eq(l->n, 2);
    ck_assert_ptr_nonnull(ic_reqlist_find(l, "A-01"));
    ck_assert_int_eq(ic_reqlist_find(l, "B-01")->level, IC_LEVEL_SHOULD);
    ck_assert_str_eq(ic_reqlist_find(l, "B-01")->file, "tests/data/scenarios/reqdir/b.yaml");
    ic_reqlist_free(l);
    ck_assert_int_eq(ic_reqlist_load("tests/data/scenarios/reqdir-dup", &l, &err), IC_ERR_SCENARIO);
    ck_assert_str_eq(err.msg, "tests/data/scenarios/reqdir-dup/b.yaml:5:1: requirement A-01 is "
                              "already defined in tests/data/scenarios/reqdir-dup/a.yaml:1");
}
END_TEST

static Suite *scenario_suite(void)
{
    Suite *s = suite_create("scenario");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, good_metadata);
    tcase_add_test(tc, dollar_keywords_and_status_alternative_captures);
    tcase_add_test(tc, reqlist_directory_merges_and_rejects_duplicates);
    tcase_add_test(tc, good_fixture);
    tcase_add_test(tc, good_commands);
    tcase_add_test(tc, good_checks);
    tcase_add_test(tc, default_level_is_strictest);
    tcase_add_test(tc, reqlist_loads);
    tcase_add_loop_test(tc, reqlist_errors, 0, sizeof bad_reqlists / sizeof bad_reqlists[0]);
    tcase_add_test(tc, reqlist_missing_file);
    tcase_add_test(tc, levels_parse);
    tcase_add_loop_test(tc, pattern_errors, 0, sizeof bad_patterns / sizeof bad_patterns[0]);
    tcase_add_test(tc, pattern_quoted_file_reference_is_text);
    tcase_add_test(tc, send_line_segments);
    tcase_add_loop_test(tc, send_line_errors, 0, sizeof bad_send_lines / sizeof bad_send_lines[0]);
    tcase_add_test(tc, find_walks_sorted_and_skips);
    tcase_add_test(tc, find_missing_path);
    tcase_add_loop_test(tc, bad_scenario_reports_position, 0,
                        sizeof bad_scenarios / sizeof bad_scenarios[0]);
    tcase_add_test(tc, too_deep_nesting);
    tcase_add_test(tc, too_many_nodes);
    tcase_add_test(tc, file_too_big);
    tcase_add_test(tc, missing_scenario_file);
    suite_add_tcase(s, tc);
    return s;
}

IC_TEST_MAIN(scenario_suite)
