/* validate_test.c: extraction of example dialogues from spec text and
 * every check class of `imapconform validate`, asserting line:col and rule. */
#include <stdio.h>
#include <string.h>
#include "testutil.h"
#include "ic_validate.h"

/* Validates text; returns the report (caller frees both). */
static void run(const char *text, ic_val_doc *doc, ic_val_report *rep)
{
    memset(doc, 0, sizeof *doc);
    memset(rep, 0, sizeof *rep);
    ck_assert_int_eq(ic_validate_text(BYTES(text), doc, rep), IC_OK);
}

/* True when rep holds rule at line:col with that severity. */
static bool has(const ic_val_report *rep, unsigned line, unsigned col, ic_val_severity sev,
                const char *rule)
{
    for (size_t i = 0; i < rep->n; i++)
        if (rep->items[i].at.line == line && rep->items[i].at.col == col &&
            rep->items[i].severity == sev && strcmp(rep->items[i].rule, rule) == 0)
            return true;
    return false;
}

static void dump(const ic_val_report *rep)
{
    ic_buf b;
    ic_buf_init(&b, 0);
    for (size_t i = 0; i < rep->n; i++)
        ic_val_diag_format(&rep->items[i], "t", &b);
    if (b.len)
        fprintf(stderr, "%s", (char *)b.data);
    ic_buf_free(&b);
}

#define EXPECT(rep, line, col, sev, rule)                                     \
    do {                                                                      \
        if (!has(rep, line, col, sev, rule))                                  \
            dump(rep);                                                        \
        ck_assert_msg(has(rep, line, col, sev, rule), "no %s at %u:%u", rule, \
                      (unsigned)(line), (unsigned)(col));                     \
    } while (0)

static const char *line_text(const ic_val_doc *doc, size_t d, size_t i)
{
    return (const char *)doc->dialogues[d].lines[i].text.data;
}

START_TEST(extract_rfc_page_break_and_wrap)
{
    static const char text[] =
        "   Example 1:\n"
        "     C: A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001\n"
        "         41,43:211,214:541))\n"
        "     S: * 172 EXISTS\n"
        "\n"
        "Melnikov                  Standards Track                 [Page 4]\n"
        "\f\n"
        "RFC 7162             IMAP CONDSTORE & QRESYNC                May 2014\n"
        "\n"
        "     S: A142 OK SELECT completed\n"
        "\n"
        "   Prose ends it.\n";
    ic_val_doc doc;
    ic_val_report rep;
    run(text, &doc, &rep);
    ck_assert_uint_eq(doc.n, 1);
    ck_assert_uint_eq(doc.dialogues[0].n, 3);
    ck_assert_str_eq(line_text(&doc, 0, 0),
                     "A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 41,43:211,214:541))\r\n");
    ck_assert_str_eq(line_text(&doc, 0, 2), "A142 OK SELECT completed\r\n");
    /* the joined part keeps its own source position */
    ic_val_pos p = ic_val_line_pos(&doc.dialogues[0].lines[0], 57);
    ck_assert_uint_eq(p.line, 3);
    ck_assert_uint_eq(p.col, 10);
    ck_assert_uint_eq(rep.n, 0);
    ic_val_report_free(&rep);
    ic_val_doc_free(&doc);
}
END_TEST

START_TEST(extract_markdown_blocks)
{
    static const char text[] =
        "Text with \"C:\" in prose.\n"
        "```\n"
        "C: a1 NOOP\n"
        "S: a1 OK done\n"
        "```\n"
        "More text.\n"
        "```imap\n"
        "C: a2 NOOP\n"
        "S: a2 OK done\n"
        "```\n";
    ic_val_doc doc;
    ic_val_report rep;
    run(text, &doc, &rep);
    ck_assert_uint_eq(doc.n, 2);
    ck_assert_str_eq(line_text(&doc, 1, 0), "a2 NOOP\r\n");
    ck_assert_uint_eq(rep.n, 0);
    ic_val_report_free(&rep);
    ic_val_doc_free(&doc);
}
END_TEST

START_TEST(extract_literals)
{
    static const char text[] =
        "C: A003 APPEND saved (\\Seen) {22}\n"
        "S: + Ready for literal data\n"
        "C: Subject: hi\n"
        "C: \n"
        "C: Hello\n"
        "C:\n"
        "S: A003 OK APPEND completed\n"
        "C: A004 FETCH 1 BODY[HEADER]\n"
        "S: * 1 FETCH (BODY[HEADER] {12}\n"
        "S: Subject: x\n"
        "S: )\n"
        "S: A004 OK done\n";
    ic_val_doc doc;
    ic_val_report rep;
    run(text, &doc, &rep);
    ck_assert_uint_eq(doc.n, 1);
    ck_assert_uint_eq(doc.dialogues[0].n, 6);
    ck_assert_str_eq(line_text(&doc, 0, 0),
                     "A003 APPEND saved (\\Seen) {22}\r\nSubject: hi\r\n\r\nHello\r\n\r\n");
    ck_assert_str_eq(line_text(&doc, 0, 1), "+ Ready for literal data\r\n");
    ck_assert_str_eq(line_text(&doc, 0, 4), "* 1 FETCH (BODY[HEADER] {12}\r\nSubject: x\r\n)\r\n");
    ck_assert_uint_eq(rep.n, 0);
    ic_val_report_free(&rep);
    ic_val_doc_free(&doc);
}
END_TEST

START_TEST(extract_literal_miscount_warned_and_corrected)
{
    static const char text[] =
        "S: * 1 FETCH (BODY[] {5}\n"
        "S: abcdef\n"
        "S: )\n";
    ic_val_doc doc;
    ic_val_report rep;
    run(text, &doc, &rep);
    EXPECT(&rep, 1, 23, IC_VAL_WARNING, "literal");
    ck_assert_uint_eq(rep.errors, 0);   /* the rest is checked with the corrected count */
    ck_assert_str_eq(line_text(&doc, 0, 0), "* 1 FETCH (BODY[] {8}\r\nabcdef\r\n)\r\n");
    ic_val_report_free(&rep);
    ic_val_doc_free(&doc);
}
END_TEST

START_TEST(typography_named_with_column)
{
    ic_val_doc doc;
    ic_val_report rep;
    run("C: a23 LIST (CHANGEDSINCE (821102884)) \xe2\x80\x9c\xe2\x80\x9d *\n"
        "S: a23\xc2\xa0OK done\n", &doc, &rep);
    EXPECT(&rep, 1, 40, IC_VAL_ERROR, "typography");
    EXPECT(&rep, 1, 41, IC_VAL_ERROR, "typography");
    EXPECT(&rep, 2, 7, IC_VAL_ERROR, "typography");
    ck_assert(strstr(rep.items[0].message, "LEFT DOUBLE QUOTATION MARK") != NULL);
    ck_assert(strstr(rep.items[2].message, "NO-BREAK SPACE") != NULL);
    ck_assert_uint_eq(rep.n, 3);   /* replaced by ASCII: no grammar noise */
    ic_val_report_free(&rep);
    ic_val_doc_free(&doc);
}
END_TEST

START_TEST(grammar_rule_and_column)
{
    ic_val_doc doc;
    ic_val_report rep;
    run("C: A1 SELECT INBOX\n"
        "S: * OK [HIGHESTMODSEQ 715194045007]\n"
        "S: A1 OK done\n", &doc, &rep);
    EXPECT(&rep, 2, 37, IC_VAL_ERROR, "resp-text");
    ck_assert_uint_eq(rep.n, 1);
    ic_val_report_free(&rep);
    ic_val_doc_free(&doc);
}
END_TEST

START_TEST(command_checks)
{
    ic_val_doc doc;
    ic_val_report rep;
    run("C: a+1 NOOP\n"
        "C: a2 SELECT (INBOX\n"
        "C: a3 SELECT \"INBOX\n"
        "C: a4 LIST (CHANGEDSINCE 821102884) \"\" *\n"
        "C: a5 LIST (CHANGEDSINCE (0)) \"\" *\n"
        "C: a6 LIST (CHANGEDSINCE (9223372036854775807)) \"\" *\n"
        "C: a7 list (changedsince (9223372036854775808)) \"\" *\n"
        "C: a8  NOOP\n", &doc, &rep);
    EXPECT(&rep, 1, 5, IC_VAL_ERROR, "tag");
    EXPECT(&rep, 2, 14, IC_VAL_ERROR, "parens");
    EXPECT(&rep, 3, 14, IC_VAL_ERROR, "quoted");
    EXPECT(&rep, 4, 26, IC_VAL_ERROR, "list-changedsince");
    EXPECT(&rep, 5, 27, IC_VAL_ERROR, "mod-sequence-value");
    EXPECT(&rep, 7, 27, IC_VAL_ERROR, "mod-sequence-value");
    EXPECT(&rep, 8, 7, IC_VAL_ERROR, "command");
    ck_assert_uint_eq(rep.errors, 7);   /* a6 (2^63-1) is fine */
    ic_val_report_free(&rep);
    ic_val_doc_free(&doc);
}
END_TEST

START_TEST(dialogue_consistency)
{
    ic_val_doc doc;
    ic_val_report rep;
    run("C: a1 NOOP\n"
        "S: a9 OK done\n"
        "C: a3 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 5)\n"
        "S: * VANISHED (EARLIER) 1:3\n"
        "S: a3 OK done\n"
        "C: a4 COPY 1 Trash\n"
        "S: a4 OK [APPENDUID 1 2] done\n"
        "C: a5 APPEND Trash {0}\n"
        "C:\n"
        "S: a5 OK [COPYUID 1 2 3] done\n"
        "C: a6 STORE 1 +FLAGS (\\Seen)\n"
        "S: a6 OK [MODIFIED 1] done\n", &doc, &rep);
    EXPECT(&rep, 1, 4, IC_VAL_WARNING, "dialogue-completion");
    EXPECT(&rep, 2, 4, IC_VAL_WARNING, "dialogue-tag");
    EXPECT(&rep, 4, 15, IC_VAL_WARNING, "vanished-earlier");
    EXPECT(&rep, 7, 11, IC_VAL_ERROR, "appenduid");
    EXPECT(&rep, 10, 11, IC_VAL_ERROR, "copyuid");
    EXPECT(&rep, 12, 11, IC_VAL_WARNING, "modified");
    ck_assert_uint_eq(rep.errors, 2);
    ck_assert_uint_eq(rep.warnings, 4);
    ic_val_report_free(&rep);
    ic_val_doc_free(&doc);
}
END_TEST

START_TEST(dialogue_consistency_accepts_right_use)
{
    ic_val_doc doc;
    ic_val_report rep;
    run("C: a1 SELECT INBOX (QRESYNC (1 2))\n"
        "S: * VANISHED (EARLIER) 1:3\n"
        "S: a1 OK done\n"
        "C: a2 UID MOVE 1 Trash\n"
        "S: * OK [COPYUID 1 1 2] moved\n"
        "S: a2 OK done\n"
        "C: a3 STORE 1 (UNCHANGEDSINCE 5) +FLAGS (\\Seen)\n"
        "S: a3 OK [MODIFIED 1] done\n"
        "C: a4 IDLE\n"
        "S: + idling\n"
        "C: DONE\n"
        "S: a4 OK done\n", &doc, &rep);
    if (rep.n)
        dump(&rep);
    ck_assert_uint_eq(rep.n, 0);
    ic_val_report_free(&rep);
    ic_val_doc_free(&doc);
}
END_TEST

START_TEST(prose_slashed_flag)
{
    ic_val_doc doc;
    ic_val_report rep;
    run("search for flag value \xe2\x80\x9c/unseen\xe2\x80\x9d, see http://x/seen\n", &doc, &rep);
    EXPECT(&rep, 1, 24, IC_VAL_WARNING, "flag-slash");
    ck_assert_uint_eq(rep.n, 1);
    ck_assert(strstr(rep.items[0].message, "\\Seen") != NULL);
    ic_val_report_free(&rep);
    ic_val_doc_free(&doc);
}
END_TEST

START_TEST(format_is_compiler_style)
{
    ic_val_report rep = { 0 };
    ck_assert_int_eq(ic_val_report_add(&rep, (ic_val_pos){ 3, 7 }, IC_VAL_ERROR, 0, "tag", "bad %s",
                                       "tag"), IC_OK);
    ic_buf b;
    ic_buf_init(&b, 0);
    ic_val_diag_format(&rep.items[0], "spec.txt", &b);
    ck_assert_str_eq((char *)b.data, "spec.txt:3:7: error: bad tag [tag]\n");
    ic_buf_free(&b);
    ic_val_report_free(&rep);
}
END_TEST

START_TEST(empty_command_line_has_a_position)
{
    ic_val_doc doc;
    ic_val_report rep;
    run("  C:\n", &doc, &rep);
    EXPECT(&rep, 1, 5, IC_VAL_ERROR, "tag");
    ck_assert_uint_eq(rep.n, 1);   /* no completion warning for a line without a tag */
    ic_val_report_free(&rep);
    ic_val_doc_free(&doc);
}
END_TEST

static Suite *validate_suite(void)
{
    Suite *s = suite_create("validate");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, extract_rfc_page_break_and_wrap);
    tcase_add_test(tc, extract_markdown_blocks);
    tcase_add_test(tc, extract_literals);
    tcase_add_test(tc, extract_literal_miscount_warned_and_corrected);
    tcase_add_test(tc, typography_named_with_column);
    tcase_add_test(tc, grammar_rule_and_column);
    tcase_add_test(tc, command_checks);
    tcase_add_test(tc, dialogue_consistency);
    tcase_add_test(tc, dialogue_consistency_accepts_right_use);
    tcase_add_test(tc, prose_slashed_flag);
    tcase_add_test(tc, format_is_compiler_style);
    tcase_add_test(tc, empty_command_line_has_a_position);
    suite_add_tcase(s, tc);
    return s;
}

IC_TEST_MAIN(validate_suite)
