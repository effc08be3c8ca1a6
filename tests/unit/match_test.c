/* match_test.c: line patterns against responses (ic_match_line), set
 * matching (ic_match_set) and captured variables (ic_bindings). */
#include <stdio.h>
#include <string.h>
#include "testutil.h"
#include "ic_match.h"

/* ---- helpers ------------------------------------------------------------ */

static ic_response *parse_line(const char *text)
{
    size_t n = strlen(text);
    char *line = malloc(n + 3);
    ck_assert_ptr_nonnull(line);
    memcpy(line, text, n);
    memcpy(line + n, "\r\n", 3);
    ic_response *r = NULL;
    ic_error err;
    int rc = ic_response_parse_copy((ic_bytes){ (const uint8_t *)line, n + 2 }, 0, &r, &err);
    ck_assert_msg(rc == IC_OK, "cannot parse \"%s\": %s", text, err.msg);
    free(line);
    return r;
}

/* A pattern as the loader would build it, without the loader. */
static void pattern_init(ic_pattern *p, const char *text)
{
    p->text = strdup(text);
    p->tree = parse_line(text);
    p->files = NULL;
    p->nfiles = 0;
}

static void pattern_done(ic_pattern *p)
{
    free(p->text);
    ic_response_free(p->tree);
}

/* File tags a1, a2, a3 were sent as ic1, ic2, ic5; nothing else was sent. */
static const char *map_tag(void *ctx, ic_bytes file_tag)
{
    (void)ctx;
    static const char *const map[][2] = { { "a1", "ic1" }, { "a2", "ic2" }, { "a3", "ic5" } };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (ic_bytes_eq_str(file_tag, map[i][0]))
            return map[i][1];
    return NULL;
}

static ic_bindings bindings;
static ic_match_ctx ctx;

static void setup(void)
{
    ic_bindings_init(&bindings);
    ctx = (ic_match_ctx){ map_tag, NULL, &bindings };
}

static void teardown(void)
{
    ic_bindings_free(&bindings);
}

/* Matches one pattern against one response line with the shared bindings. */
static bool match(const char *pattern, const char *response, ic_match_miss *miss)
{
    ic_pattern p;
    pattern_init(&p, pattern);
    ic_response *r = parse_line(response);
    bool ok = ic_match_line(&p, r, &ctx, miss);
    ic_response_free(r);
    pattern_done(&p);
    return ok;
}

static const char *bound(const char *name)
{
    const ic_binding *b = ic_bindings_get(&bindings, name);
    return b ? (const char *)b->value.data : NULL;
}

#define MATCHES(pat, resp)                                                  \
    do {                                                                    \
        ic_match_miss m_;                                                   \
        ck_assert_msg(match(pat, resp, &m_), "%s vs %s: %s", pat, resp, m_.why); \
    } while (0)

#define DIFFERS(pat, resp, expect_why)                                      \
    do {                                                                    \
        ic_match_miss m_;                                                   \
        ck_assert_msg(!match(pat, resp, &m_), "%s matched %s", pat, resp);  \
        ck_assert_str_eq(m_.why, expect_why);                               \
    } while (0)

/* ---- single lines, table-driven ---------------------------------------- */

typedef struct line_case {
    const char *pattern;
    const char *response;
    const char *why;       /* NULL: must match */
} line_case;

static const line_case line_cases[] = {
    /* first token: tag mapping, untagged, continuation */
    { "a1 OK", "ic1 OK done", NULL },
    { "a1 OK", "ic2 OK done", "expected tagged a1 (sent as ic1), got tagged ic2" },
    { "a3 OK", "* OK hi", "expected tagged a3 (sent as ic5), got untagged" },
    { "a9 OK", "a9 OK", "expected tagged a9, but no command was sent with that tag" },
    { "* OK", "ic1 OK", "expected untagged, got tagged ic1" },
    { "* OK", "+ ready", "expected untagged, got continuation" },
    { "+", "+ go ahead", NULL },
    { "+ ...", "+ idling", NULL },
    { "+ idling", "+ idling", NULL },
    { "+ idling", "+ waiting", "expected text \"idling\", got \"waiting\"" },
    { "+", "* OK", "expected continuation, got untagged" },
    /* mailbox names are case-sensitive (RFC 3501 §5.1), keywords are not */
    { "* LIST () \"/\" box&AOQ-bung", "* LIST () \"/\" box&AOQ-Bung", "expected LIST box&AOQ-bung, got LIST box&AOQ-Bung" },
    { "* STATUS Box (MESSAGES 1)", "* STATUS box (MESSAGES 1)", "expected STATUS Box, got STATUS box" },
    { "* STATUS inbox (MESSAGES 1)", "* STATUS INBOX (MESSAGES 1)", NULL },
    { "* LIST (\\noselect) \"/\" a", "* LIST (\\Noselect) \"/\" a", NULL },
    /* "A|B" in any token position: one of the alternatives */
    { "* LIST (\\Noselect|\\NonExistent ...) \"/\" a", "* LIST (\\HasChildren \\NonExistent) \"/\" a", NULL },
    { "* LIST (\\Noselect|\\NonExistent ...) \"/\" a", "* LIST (\\HasChildren) \"/\" a",
      "missing LIST member \\Noselect|\\NonExistent" },
    { "* CAPABILITY IMAP4rev1 CONDSTORE|QRESYNC ...", "* CAPABILITY IMAP4rev1 QRESYNC LIST-CHANGEDSINCE", NULL },
    { "* CAPABILITY IMAP4rev1 CONDSTORE|QRESYNC ...", "* CAPABILITY IMAP4rev1 LIST-CHANGEDSINCE",
      "missing CAPABILITY member CONDSTORE|QRESYNC" },
    /* "$$Name" is the literal keyword $Name, not a capture */
    { "* 1 FETCH (FLAGS ($$Forwarded ...))", "* 1 FETCH (FLAGS (\\Seen $Forwarded))", NULL },
    { "* FLAGS ($$Junk)", "* FLAGS ($NotJunk)", "missing FLAGS member $$Junk" },
    /* status: alternatives, codes, text */
    { "a1 NO|BAD", "ic1 BAD nope", NULL },
    { "a1 NO|BAD", "ic1 no nope", NULL },
    { "a1 NO|BAD", "ic1 OK fine", "expected NO|BAD, got OK" },
    { "a1 NO|BAD [TRYCREATE] ...", "ic1 NO [TRYCREATE] no such mailbox", NULL },
    { "a1 NO|BAD [TRYCREATE]", "ic1 NO no such mailbox", "response code TRYCREATE missing" },
    { "a1 NO|BAD [TRYCREATE] nope", "ic1 BAD [TRYCREATE] other", "expected text \"nope\", got \"other\"" },
    { "a1 OK [READ-WRITE]", "ic1 OK [READ-ONLY] done", "expected response code READ-WRITE, got READ-ONLY" },
    { "a1 OK [read-write]", "ic1 OK [READ-WRITE] done", NULL },
    { "a1 OK", "ic1 OK [READ-WRITE] done", NULL },
    { "a1 OK", "ic1 OK", NULL },
    { "a1 OK done", "ic1 OK  done ", NULL },
    { "a1 OK done", "ic1 OK Done", "expected text \"done\", got \"Done\"" },
    { "a1 OK ...", "ic1 OK whatever", NULL },
    { "a1 OK [READ-WRITE] done", "ic1 OK [READ-WRITE] done", NULL },
    { "* OK [UIDVALIDITY 42] ...", "* OK [UIDVALIDITY 42] ok", NULL },
    { "* OK [UIDVALIDITY 43]", "* OK [UIDVALIDITY 42] ok", "expected UIDVALIDITY 43, got UIDVALIDITY 42" },
    { "* OK [APPENDUID 1 $_]", "* OK [APPENDUID 1] ok", "expected APPENDUID $_, got the end of the response code" },
    { "* OK [PERMANENTFLAGS (\\Seen \\*)]", "* OK [PERMANENTFLAGS (\\* \\Seen)] ok", NULL },
    { "* OK [PERMANENTFLAGS (\\Seen \\*)]", "* OK [PERMANENTFLAGS (\\Seen \\Deleted \\*)] ok",
      "unexpected PERMANENTFLAGS member \\Deleted" },
    { "* OK [PERMANENTFLAGS (\\Seen ...)]", "* OK [PERMANENTFLAGS (\\Deleted \\Seen \\*)] ok", NULL },
    { "* OK [CAPABILITY IMAP4rev1 IDLE ...]", "* OK [CAPABILITY IDLE UIDPLUS IMAP4rev1] hi", NULL },
    { "* OK [CAPABILITY IMAP4rev1 IDLE]", "* OK [CAPABILITY IDLE UIDPLUS IMAP4rev1] hi",
      "unexpected CAPABILITY member UIDPLUS" },
    /* message numbers */
    { "* 3 EXPUNGE", "* 3 EXPUNGE", NULL },
    { "* 3 EXPUNGE", "* 4 EXPUNGE", "expected message number 3, got message number 4" },
    { "* 003 EXISTS", "* 3 EXISTS", NULL },
    { "* $_ EXPUNGE", "* 9 EXPUNGE", NULL },
    { "* $_ EXPUNGE", "* 9 EXISTS", "expected EXPUNGE, got EXISTS" },
    { "* VANISHED $_", "* 3 EXPUNGE", "expected VANISHED, got EXPUNGE" },
    { "* $_ EXPUNGE", "* EXPUNGE", "expected a message number before EXPUNGE" },
    { "* EXISTS", "* 3 EXISTS", "expected EXISTS without a message number, got 3 EXISTS" },
    { "* SEARCH 99999999999999999999999", "* SEARCH 099999999999999999999999", NULL },
    { "* SEARCH 99999999999999999999999", "* SEARCH 99999999999999999999998",
      "expected SEARCH 99999999999999999999999, got SEARCH 99999999999999999999998" },
    { "* SEARCH 2 7", "* SEARCH 2 07", NULL },
    /* tokens */
    { "* XYZ Abc", "* XYZ aBC", NULL },
    { "* xyz abc", "* XYZ abd", "expected XYZ abc, got XYZ abd" },
    { "* LIST () \"/\" INBOX", "* LIST () \"/\" inbox", NULL },
    { "* LIST () \"/\" INBOX", "* LIST () \"/\" \"Inbox\"", NULL },
    { "* LIST () \"/\" foo", "* LIST () \"/\" \"foo\"", NULL },
    { "* LIST () \"/\" foo", "* LIST () \"/\" \"Foo\"", "expected LIST foo, got LIST \"Foo\"" },
    { "* XYZ \"hello\"", "* XYZ {5}\r\nhello", NULL },
    { "* XYZ {5}\r\nhello", "* XYZ \"hello\"", NULL },
    { "* XYZ \"hello\"", "* XYZ {5}\r\nhellO", "expected XYZ \"hello\", got XYZ {5}\\r\\nhellO" },
    { "* XYZ NIL", "* XYZ nil", NULL },
    { "* XYZ NIL", "* XYZ \"NIL\"", "expected XYZ NIL, got XYZ \"NIL\"" },
    { "* XYZ \"NIL\"", "* XYZ NIL", "expected XYZ \"NIL\", got XYZ NIL" },
    { "* XYZ \"$_\"", "* XYZ abc", "expected XYZ \"$_\", got XYZ abc" },
    { "* XYZ $_ b", "* XYZ (1 (2)) b", NULL },
    { "* XYZ $_ b", "* XYZ (1 (2)) c", "expected XYZ b, got XYZ c" },
    /* lists and "..." */
    { "* XYZ (a b)", "* XYZ (a b c)", "expected the end of the list, got c" },
    { "* XYZ (a ...)", "* XYZ (a b c)", NULL },
    { "* XYZ (a ...)", "* XYZ (a)", NULL },
    { "* XYZ (b ...)", "* XYZ (a b)", "expected XYZ b, got XYZ a" },
    { "* XYZ (a b c)", "* XYZ (a b)", "expected XYZ c, got the end of the list" },
    { "* XYZ a ...", "* XYZ a b c", NULL },
    { "* XYZ a", "* XYZ a b", "expected the end of the line, got b" },
    { "* XYZ (a)", "* XYZ a", "expected XYZ (a), got XYZ a" },
    { "* XYZ (a (b c))", "* XYZ (A (B C))", NULL },
    /* FETCH items by name, any order, extras allowed */
    { "* 1 FETCH (UID 7)", "* 1 FETCH (FLAGS (\\Seen) UID 7 MODSEQ (5))", NULL },
    { "* 1 FETCH (MODSEQ (5) UID 7)", "* 1 FETCH (UID 7 MODSEQ (5))", NULL },
    { "* 1 FETCH (UID 7)", "* 1 FETCH (UID 9)", "expected UID 7, got UID 9" },
    { "* 1 FETCH (MODSEQ (5))", "* 1 FETCH (UID 9)", "missing FETCH item MODSEQ" },
    { "* 1 FETCH (MODSEQ (5) UID 9)", "* 1 FETCH (UID 9 MODSEQ (4))", "expected MODSEQ 5, got MODSEQ 4" },
    { "* 1 FETCH (UID 7 ...)", "* 1 FETCH (UID 7 FLAGS ())", NULL },
    { "* 1 FETCH (UID 7)", "* 2 FETCH (UID 7)", "expected message number 1, got message number 2" },
    { "* 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] \"x\")", "* 1 FETCH (body[header.fields (subject)] {1}\r\nx)",
      NULL },
    { "* 1 FETCH (BODY[HEADER] $_)", "* 1 FETCH (BODY[TEXT] \"x\")", "missing FETCH item BODY[HEADER]" },
    /* FLAGS in FETCH as a set */
    { "* 1 FETCH (FLAGS (\\Seen \\Answered))", "* 1 FETCH (UID 3 FLAGS (\\Answered \\Seen))", NULL },
    { "* 1 FETCH (FLAGS (\\Seen \\Answered))", "* 1 FETCH (FLAGS (\\Seen))", "missing FLAGS member \\Answered" },
    { "* 1 FETCH (FLAGS (\\Seen \\Answered))", "* 1 FETCH (FLAGS (\\Answered \\Recent \\Seen))",
      "unexpected FLAGS member \\Recent" },
    { "* 1 FETCH (FLAGS (\\Seen ...))", "* 1 FETCH (FLAGS (\\Answered \\Recent \\Seen))", NULL },
    { "* 1 FETCH (FLAGS (... \\Seen))", "* 1 FETCH (FLAGS (\\Answered \\Seen))", NULL },
    { "* 1 FETCH (FLAGS ())", "* 1 FETCH (FLAGS ())", NULL },
    { "* 1 FETCH (FLAGS ())", "* 1 FETCH (FLAGS (\\seen))", "unexpected FLAGS member \\seen" },
    { "* 1 FETCH (FLAGS ($_ \\Seen))", "* 1 FETCH (FLAGS (\\Seen \\Draft))", NULL },
    /* STATUS items by name */
    { "* STATUS foo (UIDNEXT $_ MESSAGES 3)", "* STATUS \"foo\" (MESSAGES 3 UIDNEXT 10 UNSEEN 0)", NULL },
    { "* STATUS foo (MESSAGES 4)", "* STATUS foo (MESSAGES 3)", "expected MESSAGES 4, got MESSAGES 3" },
    { "* STATUS foo (UNSEEN 0)", "* STATUS foo (MESSAGES 3)", "missing STATUS item UNSEEN" },
    { "* STATUS bar (MESSAGES 3)", "* STATUS foo (MESSAGES 3)", "expected STATUS bar, got STATUS foo" },
    /* flag and capability lists as sets */
    { "* FLAGS (\\Seen \\Deleted)", "* FLAGS (\\Deleted \\Seen)", NULL },
    { "* FLAGS (\\Seen \\Deleted)", "* FLAGS (\\Deleted)", "missing FLAGS member \\Seen" },
    { "* LIST (\\HasNoChildren) \"/\" foo", "* LIST (\\Marked \\HasNoChildren) \"/\" foo",
      "unexpected LIST member \\Marked" },
    { "* LIST (\\HasNoChildren ...) \"/\" foo", "* LIST (\\Marked \\HasNoChildren) \"/\" foo", NULL },
    { "* LSUB () \"/\" foo", "* LSUB (\\Noselect) \"/\" foo", "unexpected LSUB member \\Noselect" },
    { "* CAPABILITY IMAP4rev1 IDLE ...", "* CAPABILITY IDLE IMAP4rev1 UIDPLUS", NULL },
    { "* CAPABILITY IMAP4rev1 QRESYNC ...", "* CAPABILITY IDLE IMAP4rev1 UIDPLUS",
      "missing CAPABILITY member QRESYNC" },
    { "* CAPABILITY IMAP4rev1", "* CAPABILITY IDLE IMAP4rev1", "unexpected CAPABILITY member IDLE" },
    { "* ENABLED QRESYNC", "* ENABLED qresync", NULL },
    { "* ENABLED QRESYNC", "* ENABLED", "missing ENABLED member QRESYNC" },
    { "* ENABLED ...", "* ENABLED", NULL },
};

START_TEST(line_case_table)
{
    const line_case *c = &line_cases[_i];
    ic_match_miss miss;
    size_t before = bindings.n;
    bool ok = match(c->pattern, c->response, &miss);
    if (!c->why) {
        ck_assert_msg(ok, "row %d: \"%s\" should match \"%s\" but: %s", _i, c->pattern, c->response, miss.why);
        ck_assert_str_eq(miss.why, "");
    } else {
        ck_assert_msg(!ok, "row %d: \"%s\" should not match \"%s\"", _i, c->pattern, c->response);
        ck_assert_msg(strcmp(miss.why, c->why) == 0, "row %d: why is \"%s\", expected \"%s\"", _i, miss.why,
                      c->why);
        ck_assert_uint_eq(bindings.n, before);
    }
}
END_TEST

START_TEST(miss_offset_and_score)
{
    ic_match_miss miss;
    ck_assert(!match("* 1 FETCH (UID 7)", "* 1 FETCH (UID 9)", &miss));
    ck_assert_uint_eq(miss.offset, strlen("* 1 FETCH (UID "));
    /* kind, name, number, the list, the UID item */
    ck_assert_int_eq(miss.score, 5);
    ck_assert(!match("* 1 FETCH (UID 7)", "* 3 EXISTS", &miss));
    ck_assert_int_eq(miss.score, 1);
    ck_assert_uint_eq(miss.offset, strlen("* 3 "));
    ck_assert(match("a1 NO", "ic1 NO", &miss));
    ck_assert(!match("a1 NO [ALERT]", "ic1 NO oops", &miss));
    ck_assert_uint_eq(miss.offset, strlen("ic1 NO "));
    ck_assert(match("* 1 FETCH (UID 7)", "* 1 FETCH (UID 7)", &miss));
    ck_assert_int_eq(miss.score, 6);
}
END_TEST

START_TEST(no_tag_map_compares_tags_as_written)
{
    ctx.tag_map = NULL;
    MATCHES("a1 OK", "a1 OK done");
    DIFFERS("a1 OK", "a2 OK done", "expected tagged a1, got tagged a2");
}
END_TEST

/* ---- captures ----------------------------------------------------------- */

START_TEST(capture_then_reuse)
{
    MATCHES("* 2 FETCH (UID $u2)", "* 2 FETCH (FLAGS () UID 17)");
    ck_assert_str_eq(bound("u2"), "17");
    MATCHES("* VANISHED $u2", "* VANISHED 17");
    DIFFERS("* VANISHED $u2", "* VANISHED 18", "expected VANISHED $u2 (17), got VANISHED 18");
    ck_assert_str_eq(bound("u2"), "17");
    ck_assert_uint_eq(bindings.n, 1);
}
END_TEST

START_TEST(capture_message_number)
{
    MATCHES("* $n EXISTS", "* 12 EXISTS");
    ck_assert_str_eq(bound("n"), "12");
    MATCHES("* $n FETCH (UID 3)", "* 12 FETCH (UID 3)");
    DIFFERS("* $n FETCH (UID 3)", "* 13 FETCH (UID 3)", "expected message number $n (12), got message number 13");
}
END_TEST

START_TEST(capture_rolled_back_on_failure)
{
    ic_match_miss miss;
    ck_assert(!match("* 1 FETCH (UID $x MODSEQ (9))", "* 1 FETCH (UID 7 MODSEQ (8))", &miss));
    ck_assert_str_eq(miss.why, "expected MODSEQ 9, got MODSEQ 8");
    ck_assert_ptr_null(bound("x"));
    ck_assert_uint_eq(bindings.n, 0);
}
END_TEST

START_TEST(capture_atoms_strings_lists)
{
    MATCHES("* XYZ $a", "* XYZ Foo");
    ck_assert_str_eq(bound("a"), "Foo");
    MATCHES("* XYZ $a", "* XYZ FOO");                        /* atoms: any case */
    DIFFERS("* XYZ $a", "* XYZ \"FOO\"", "expected XYZ $a (Foo), got XYZ \"FOO\"");
    MATCHES("* XYZ $s", "* XYZ \"Mixed Case\"");
    ck_assert_str_eq(bound("s"), "Mixed Case");
    MATCHES("* XYZ $s", "* XYZ {10}\r\nMixed Case");
    DIFFERS("* XYZ $s", "* XYZ \"mixed case\"", "expected XYZ $s (Mixed Case), got XYZ \"mixed case\"");
    MATCHES("* XYZ $l", "* XYZ (a (b) \"c\")");
    ck_assert_str_eq(bound("l"), "(a (b) \"c\")");
    MATCHES("* XYZ $l", "* XYZ (a (b) \"c\")");
    DIFFERS("* XYZ $l", "* XYZ (a (b))", "expected XYZ $l ((a (b) \"c\")), got XYZ (a (b))");
}
END_TEST

START_TEST(capture_status_text)
{
    MATCHES("a1 OK $msg", "ic1 OK [CAPABILITY IMAP4rev1] Logged in ");
    ck_assert_str_eq(bound("msg"), "Logged in");
    MATCHES("a2 NO $msg", "ic2 NO Logged in");
    DIFFERS("a2 NO $msg", "ic2 NO Logged out", "expected text $msg (Logged in), got text Logged out");
}
END_TEST

START_TEST(mailbox_binding_from_fixture)
{
    ck_assert_int_eq(ic_bindings_set(&bindings, "box", BYTES("pre.1.box"), true), IC_OK);
    MATCHES("* STATUS $box (MESSAGES 0)", "* STATUS \"pre.1.box\" (MESSAGES 0)");
    MATCHES("* STATUS $box (MESSAGES 0)", "* STATUS pre.1.box (MESSAGES 0)");
    DIFFERS("* STATUS $box (MESSAGES 0)", "* STATUS \"pre.1.Box\" (MESSAGES 0)",
            "expected STATUS $box (pre.1.box), got STATUS \"pre.1.Box\"");
}
END_TEST

START_TEST(file_content)
{
    ic_buf files[2];
    ic_buf_init(&files[0], 0);
    ic_buf_init(&files[1], 0);
    ck_assert_int_eq(ic_buf_append_str(&files[0], "Subject: x\r\n\r\nhi\r\n"), IC_OK);
    ck_assert_int_eq(ic_buf_append_str(&files[1], "hello"), IC_OK);
    ic_pattern p, short_p;
    pattern_init(&p, "* 1 FETCH (BODY[] $@0)");
    pattern_init(&short_p, "* 1 FETCH (BODY[] $@1)");
    p.files = short_p.files = files;
    p.nfiles = short_p.nfiles = 2;
    ic_match_miss miss;

    ic_response *same = parse_line("* 1 FETCH (BODY[] {18}\r\nSubject: x\r\n\r\nhi\r\n)");
    ck_assert_msg(ic_match_line(&p, same, &ctx, &miss), "%s", miss.why);
    ic_response *quoted = parse_line("* 1 FETCH (BODY[] \"hello\")");
    ck_assert_msg(ic_match_line(&short_p, quoted, &ctx, &miss), "%s", miss.why);
    ck_assert(!ic_match_line(&p, quoted, &ctx, &miss));
    ck_assert_str_eq(miss.why, "expected BODY[] the file's 18 bytes, got a different 5-byte string");
    ic_response *atom = parse_line("* 1 FETCH (BODY[] hello)");
    ck_assert(!ic_match_line(&short_p, atom, &ctx, &miss));     /* a file matches strings only */
    ic_response *other = parse_line("* 1 FETCH (BODY[] {17}\r\nSubject: y\r\n\r\nh\r\n)");
    ck_assert(!ic_match_line(&p, other, &ctx, &miss));
    ck_assert_str_eq(miss.why, "expected BODY[] the file's 18 bytes, got a different 17-byte string");
    ic_response *nil = parse_line("* 1 FETCH (BODY[] NIL)");
    ck_assert(!ic_match_line(&p, nil, &ctx, &miss));
    ck_assert_str_eq(miss.why, "expected BODY[] the file's 18 bytes, got BODY[] NIL");

    p.nfiles = 0;
    ck_assert(!ic_match_line(&p, same, &ctx, &miss));
    ck_assert_str_eq(miss.why, "the pattern refers to file $@0, which was not loaded");

    ic_response_free(same);
    ic_response_free(quoted);
    ic_response_free(other);
    ic_response_free(nil);
    ic_response_free(atom);
    ic_buf_free(&files[0]);
    ic_buf_free(&files[1]);
    pattern_done(&p);
    pattern_done(&short_p);
}
END_TEST

START_TEST(bindings_basics)
{
    ck_assert_int_eq(ic_bindings_set(&bindings, "a", BYTES("1"), false), IC_OK);
    size_t mark = ic_bindings_mark(&bindings);
    ck_assert_int_eq(ic_bindings_set(&bindings, "b", BYTES(""), false), IC_OK);
    ck_assert_int_eq(ic_bindings_set(&bindings, "c", BYTES("three"), true), IC_OK);
    ck_assert_str_eq(bound("b"), "");
    ck_assert(ic_bindings_get(&bindings, "c")->is_mailbox);
    ck_assert_int_eq(ic_bindings_set(&bindings, "a", BYTES("one"), false), IC_OK);   /* replaces */
    ck_assert_uint_eq(bindings.n, 3);
    ck_assert_str_eq(bound("a"), "one");
    ic_bytes v;
    ck_assert(ic_bindings_lookup(&bindings, "c", &v));
    ck_assert(v.len == 5 && memcmp(v.ptr, "three", 5) == 0);
    ic_bindings_rollback(&bindings, mark);
    ck_assert_uint_eq(bindings.n, 1);
    ck_assert(!ic_bindings_lookup(&bindings, "c", &v));
    ck_assert_ptr_null(ic_bindings_get(&bindings, "b"));
    for (int i = 0; i < 100; i++) {    /* growth */
        char name[16];
        snprintf(name, sizeof name, "v%d", i);
        ck_assert_int_eq(ic_bindings_set(&bindings, name, BYTES("x"), false), IC_OK);
    }
    ck_assert_str_eq(bound("v99"), "x");
    ck_assert_str_eq(bound("a"), "one");
}
END_TEST

/* ---- set matching ------------------------------------------------------- */

#define SET_MAX 24

typedef struct set_fixture {
    ic_pattern pats[SET_MAX];
    ic_set_item items[SET_MAX];
    size_t nitems;
    ic_response *resp[SET_MAX];
    size_t nresp;
    ic_set_result res;
} set_fixture;

static set_fixture fx;

static void set_setup(void)
{
    setup();
    memset(&fx, 0, sizeof fx);
}

static void set_teardown(void)
{
    for (size_t i = 0; i < fx.nitems; i++)
        pattern_done(&fx.pats[i]);
    for (size_t i = 0; i < fx.nresp; i++)
        ic_response_free(fx.resp[i]);
    teardown();
}

static void item(ic_step_kind kind, const char *pattern)
{
    ck_assert_uint_lt(fx.nitems, SET_MAX);
    pattern_init(&fx.pats[fx.nitems], pattern);
    fx.items[fx.nitems] = (ic_set_item){ &fx.pats[fx.nitems], kind, 42 };
    fx.nitems++;
}

static void expect(const char *pattern)
{
    item(IC_STEP_EXPECT, pattern);
}

static void received(const char *line)
{
    ck_assert_uint_lt(fx.nresp, SET_MAX);
    fx.resp[fx.nresp++] = parse_line(line);
}

static bool run_set(bool ordered, bool exclusive)
{
    return ic_match_set(fx.items, fx.nitems, (const ic_response *const *)fx.resp, fx.nresp, ordered, exclusive,
                        &ctx, &fx.res);
}

#define SET_OK(ordered, exclusive) \
    ck_assert_msg(run_set(ordered, exclusive) && fx.res.ok, "set failed: %s", fx.res.message)

#define SET_FAILS(ordered, exclusive, expect_message)                      \
    do {                                                                   \
        ck_assert(!run_set(ordered, exclusive));                           \
        ck_assert(!fx.res.ok);                                             \
        ck_assert_str_eq(fx.res.message, expect_message);                  \
    } while (0)

START_TEST(set_any_order_with_captures)
{
    expect("* VANISHED $u");
    expect("* 2 FETCH (UID $u)");
    expect("a1 OK");
    received("* 1 FETCH (UID 4)");
    received("* 2 FETCH (UID 5)");
    received("* VANISHED 5");
    received("ic1 OK done");
    SET_OK(false, false);
    ck_assert_int_eq(fx.items[0].matched, 2);
    ck_assert_int_eq(fx.items[1].matched, 1);
    ck_assert_int_eq(fx.items[2].matched, 3);
    ck_assert_str_eq(bound("u"), "5");
}
END_TEST

/* First fit gives "* $n FETCH (UID 7)" response 0 and leaves nothing for
 * "* 1 FETCH (UID $x)"; the search must move it to response 1. */
START_TEST(set_backtracks_over_captures)
{
    expect("* $n FETCH (UID 7)");
    expect("* 1 FETCH (UID $x)");
    received("* 1 FETCH (UID 7)");
    received("* 2 FETCH (UID 7)");
    SET_OK(false, false);
    ck_assert_int_eq(fx.items[0].matched, 1);
    ck_assert_int_eq(fx.items[1].matched, 0);
    ck_assert_str_eq(bound("n"), "2");
    ck_assert_str_eq(bound("x"), "7");
    ck_assert_uint_eq(bindings.n, 2);     /* the abandoned $n = 1 is gone */
}
END_TEST

START_TEST(set_backtracks_to_satisfy_a_later_capture)
{
    expect("* $n FETCH (UID $u)");
    expect("* VANISHED $u");
    received("* 1 FETCH (UID 4)");
    received("* 2 FETCH (UID 5)");
    received("* VANISHED 5");
    SET_OK(false, false);
    ck_assert_str_eq(bound("n"), "2");
    ck_assert_str_eq(bound("u"), "5");
}
END_TEST

START_TEST(set_failure_leaves_bindings_unchanged)
{
    ck_assert_int_eq(ic_bindings_set(&bindings, "box", BYTES("b"), true), IC_OK);
    expect("* $n FETCH (UID $u)");
    expect("* NOPE");
    received("* 1 FETCH (UID 4)");
    received("ic1 OK");
    SET_FAILS(false, false, "no response matched \"* NOPE\"");
    ck_assert_uint_eq(fx.res.failed_item, 1);
    ck_assert_uint_eq(bindings.n, 1);
    ck_assert_ptr_null(bound("u"));
    ck_assert_int_eq(fx.items[0].matched, -1);
    ck_assert_int_eq(fx.items[1].matched, -1);
}
END_TEST

START_TEST(set_distinct_responses)
{
    expect("* $_ EXISTS");
    expect("* $_ EXISTS");
    received("* 3 EXISTS");
    SET_FAILS(false, false, "no response matched \"* $_ EXISTS\"");
    ck_assert_uint_eq(fx.res.failed_item, 1);
}
END_TEST

START_TEST(set_optional_binds_when_present)
{
    item(IC_STEP_OPTIONAL, "* $e EXISTS");
    expect("a1 OK");
    received("* 4 EXISTS");
    received("ic1 OK");
    SET_OK(false, false);
    ck_assert_int_eq(fx.items[0].matched, 0);
    ck_assert_str_eq(bound("e"), "4");
}
END_TEST

START_TEST(set_optional_absent_is_fine)
{
    item(IC_STEP_OPTIONAL, "* $e EXISTS");
    expect("a1 OK");
    received("* 4 RECENT");
    received("ic1 OK");
    SET_OK(false, false);
    ck_assert_int_eq(fx.items[0].matched, -1);
    ck_assert_ptr_null(bound("e"));
}
END_TEST

START_TEST(set_forbidden_absent)
{
    expect("a1 OK");
    item(IC_STEP_FORBID, "* $_ EXPUNGE");
    received("* 3 EXISTS");
    received("ic1 OK");
    SET_OK(false, false);
    ck_assert_int_eq(fx.items[1].matched, -1);
}
END_TEST

START_TEST(set_forbidden_present)
{
    expect("a1 OK");
    item(IC_STEP_FORBID, "* $_ EXPUNGE");
    received("* 3 EXISTS");
    received("* 3 EXPUNGE");
    received("ic1 OK");
    SET_FAILS(false, false, "forbidden response received: \"* 3 EXPUNGE\"");
    ck_assert_uint_eq(fx.res.failed_item, 1);
    ck_assert_int_eq(fx.res.failed_response, 1);
}
END_TEST

START_TEST(set_forbidden_uses_captures)
{
    expect("* 2 FETCH (UID $u)");
    item(IC_STEP_FORBID, "* VANISHED $u");
    received("* 2 FETCH (UID 9)");
    received("* VANISHED 8");
    SET_OK(false, false);
    ic_bindings_rollback(&bindings, 0);
    received("* VANISHED 9");
    SET_FAILS(false, false, "forbidden response received: \"* VANISHED 9\"");
    ck_assert_int_eq(fx.res.failed_response, 2);
    ck_assert_ptr_null(bound("u"));
}
END_TEST

START_TEST(set_forbidden_unbound_is_wildcard)
{
    expect("a1 OK");
    item(IC_STEP_FORBID, "* VANISHED $zz");
    received("* VANISHED 8");
    received("ic1 OK");
    SET_FAILS(false, false, "forbidden response received: \"* VANISHED 8\"");
    ck_assert_ptr_null(bound("zz"));
}
END_TEST

/* Within one FORBID line a name still means one value; it stays unbound. */
START_TEST(set_forbidden_capture_is_line_local)
{
    expect("a1 OK");
    item(IC_STEP_FORBID, "* XYZ $q $q");
    received("* XYZ 1 2");
    received("ic1 OK");
    SET_OK(false, false);
    ck_assert_ptr_null(bound("q"));
    ck_assert_uint_eq(bindings.n, 0);
    received("* XYZ 3 3");
    SET_FAILS(false, false, "forbidden response received: \"* XYZ 3 3\"");
}
END_TEST

/* The first assignment ($u = 4) is forbidden; another one is not. */
START_TEST(set_search_continues_past_a_forbidden_assignment)
{
    expect("* $n FETCH (UID $u)");
    item(IC_STEP_FORBID, "* VANISHED $u");
    received("* 1 FETCH (UID 4)");
    received("* 2 FETCH (UID 5)");
    received("* VANISHED 4");
    SET_OK(false, false);
    ck_assert_int_eq(fx.items[0].matched, 1);
    ck_assert_str_eq(bound("u"), "5");
}
END_TEST

START_TEST(set_ordered_success)
{
    expect("* $x EXISTS");
    expect("* 2 EXISTS");
    expect("a1 OK");
    received("* 3 EXISTS");
    received("* 2 EXISTS");
    received("ic1 OK");
    SET_OK(true, false);
    ck_assert_str_eq(bound("x"), "3");
}
END_TEST

START_TEST(set_ordered_failure)
{
    expect("* $x EXISTS");
    expect("* 2 EXISTS");
    received("* 2 EXISTS");
    received("* 3 EXISTS");
    SET_OK(false, false);      /* any order: fine */
    ic_bindings_rollback(&bindings, 0);
    SET_FAILS(true, false,
              "responses matched out of order: \"* 2 EXISTS\" matched response 1 but \"* $x EXISTS\" matched "
              "response 2");
    ck_assert_uint_eq(fx.res.failed_item, 1);
    ck_assert_int_eq(fx.res.failed_response, 0);
    ck_assert_uint_eq(bindings.n, 0);
}
END_TEST

START_TEST(set_ordered_missing_is_reported_as_missing)
{
    expect("* 1 EXISTS");
    expect("* 9 EXISTS");
    received("* 1 EXISTS");
    received("* 2 EXISTS");
    SET_FAILS(true, false, "no response matched \"* 9 EXISTS\"");
    ck_assert_uint_eq(fx.res.failed_item, 1);
}
END_TEST

START_TEST(set_ordered_optional_stays_in_its_window)
{
    expect("* 1 EXISTS");
    item(IC_STEP_OPTIONAL, "* $_ RECENT");
    expect("a1 OK");
    received("* 0 RECENT");
    received("* 1 EXISTS");
    received("ic1 OK");
    SET_OK(true, false);
    ck_assert_int_eq(fx.items[1].matched, -1);
    SET_OK(false, false);
    ck_assert_int_eq(fx.items[1].matched, 0);
}
END_TEST

START_TEST(set_exclusive_failure)
{
    expect("* 1 EXISTS");
    expect("a1 OK");
    received("* 1 EXISTS");
    received("* 2 RECENT");
    received("+ go on");
    received("ic1 OK");
    SET_OK(false, false);
    SET_FAILS(false, true, "unexpected untagged response \"* 2 RECENT\" (the command is exclusive)");
    ck_assert_int_eq(fx.res.failed_response, 1);
}
END_TEST

START_TEST(set_exclusive_covered_by_optional)
{
    expect("* 1 EXISTS");
    item(IC_STEP_OPTIONAL, "* $_ RECENT");
    expect("a1 OK");
    received("* 1 EXISTS");
    received("* 2 RECENT");
    received("ic1 OK");
    SET_OK(false, true);
}
END_TEST

START_TEST(set_nearest_miss)
{
    expect("* 2 FETCH (UID 7 MODSEQ (5))");
    received("* 3 EXISTS");
    received("* 2 FETCH (UID 8)");
    received("* 2 FETCH (UID 7 MODSEQ (4))");
    received("* 2 FETCH (FLAGS ())");
    received("ic1 OK");
    SET_FAILS(false, false, "no response matched \"* 2 FETCH (UID 7 MODSEQ (5))\"");
    ck_assert_uint_eq(fx.res.failed_item, 0);
    ck_assert_int_eq(fx.res.nearest_response, 2);
    ck_assert_str_eq(fx.res.nearest.why, "expected MODSEQ 5, got MODSEQ 4");
    ck_assert_uint_eq(fx.res.nearest.offset, strlen("* 2 FETCH (UID 7 MODSEQ ("));
}
END_TEST

/* Nearest miss is judged with the captures of the deepest partial match. */
START_TEST(set_nearest_miss_uses_partial_captures)
{
    expect("* 1 FETCH (UID $u)");
    expect("* VANISHED $u");
    received("* 1 FETCH (UID 4)");
    received("* VANISHED 5");
    SET_FAILS(false, false, "no response matched \"* VANISHED $u\"");
    ck_assert_uint_eq(fx.res.failed_item, 1);
    ck_assert_int_eq(fx.res.nearest_response, 1);
    ck_assert_str_eq(fx.res.nearest.why, "expected VANISHED $u (4), got VANISHED 5");
    ck_assert_ptr_null(bound("u"));
}
END_TEST

START_TEST(set_effort_cap)
{
    for (int i = 0; i < 7; i++)
        expect("* $_ EXISTS");
    expect("* NOPE");
    for (int i = 0; i < 12; i++) {
        char line[32];
        snprintf(line, sizeof line, "* %d EXISTS", i);
        received(line);
    }
    SET_FAILS(false, false, "matching gave up after 100000 comparisons; make the patterns more specific");
}
END_TEST

START_TEST(set_tagged_alternatives)
{
    expect("a3 NO|BAD [TRYCREATE]");
    received("* 1 EXISTS");
    received("ic5 NO [TRYCREATE] no such mailbox");
    SET_OK(false, false);
    ck_assert_int_eq(fx.items[0].matched, 1);
}
END_TEST

START_TEST(set_empty_is_fine_unless_exclusive)
{
    received("* 1 EXISTS");
    received("ic1 OK");
    SET_OK(false, false);
    SET_FAILS(false, true, "unexpected untagged response \"* 1 EXISTS\" (the command is exclusive)");
}
END_TEST

static Suite *match_suite(void)
{
    Suite *s = suite_create("match");
    TCase *line = tcase_create("line");
    tcase_add_checked_fixture(line, setup, teardown);
    tcase_add_loop_test(line, line_case_table, 0, (int)(sizeof line_cases / sizeof line_cases[0]));
    tcase_add_test(line, miss_offset_and_score);
    tcase_add_test(line, no_tag_map_compares_tags_as_written);
    tcase_add_test(line, capture_then_reuse);
    tcase_add_test(line, capture_message_number);
    tcase_add_test(line, capture_rolled_back_on_failure);
    tcase_add_test(line, capture_atoms_strings_lists);
    tcase_add_test(line, capture_status_text);
    tcase_add_test(line, mailbox_binding_from_fixture);
    tcase_add_test(line, file_content);
    tcase_add_test(line, bindings_basics);
    suite_add_tcase(s, line);

    TCase *set = tcase_create("set");
    tcase_add_checked_fixture(set, set_setup, set_teardown);
    tcase_set_timeout(set, 30);
    tcase_add_test(set, set_any_order_with_captures);
    tcase_add_test(set, set_backtracks_over_captures);
    tcase_add_test(set, set_backtracks_to_satisfy_a_later_capture);
    tcase_add_test(set, set_failure_leaves_bindings_unchanged);
    tcase_add_test(set, set_distinct_responses);
    tcase_add_test(set, set_optional_binds_when_present);
    tcase_add_test(set, set_optional_absent_is_fine);
    tcase_add_test(set, set_forbidden_absent);
    tcase_add_test(set, set_forbidden_present);
    tcase_add_test(set, set_forbidden_uses_captures);
    tcase_add_test(set, set_forbidden_unbound_is_wildcard);
    tcase_add_test(set, set_forbidden_capture_is_line_local);
    tcase_add_test(set, set_search_continues_past_a_forbidden_assignment);
    tcase_add_test(set, set_ordered_success);
    tcase_add_test(set, set_ordered_failure);
    tcase_add_test(set, set_ordered_missing_is_reported_as_missing);
    tcase_add_test(set, set_ordered_optional_stays_in_its_window);
    tcase_add_test(set, set_exclusive_failure);
    tcase_add_test(set, set_exclusive_covered_by_optional);
    tcase_add_test(set, set_nearest_miss);
    tcase_add_test(set, set_nearest_miss_uses_partial_captures);
    tcase_add_test(set, set_effort_cap);
    tcase_add_test(set, set_tagged_alternatives);
    tcase_add_test(set, set_empty_is_fine_unless_exclusive);
    suite_add_tcase(s, set);
    return s;
}

IC_TEST_MAIN(match_suite)
