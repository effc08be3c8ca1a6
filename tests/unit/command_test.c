/* command_test.c: command building, astring choice, literals, redaction. */
#include <string.h>
#include "testutil.h"
#include "ic_command.h"
#include "ic_error.h"

static char *serialize(const ic_command *c, bool plus, bool redact)
{
    ic_buf out;
    ic_buf_init(&out, 0);
    ck_assert_int_eq(ic_command_serialize(c, plus, redact, &out), IC_OK);
    return ic_buf_steal(&out);
}

#define ASTRING_IS(input, expect)                                          \
    do {                                                                   \
        ic_command *c_ = ic_command_new("");                               \
        ck_assert_int_eq(ic_command_astring(c_, BYTES(input), false), 0);  \
        char *s_ = serialize(c_, false, false);                            \
        ck_assert_str_eq(s_, expect);                                      \
        free(s_);                                                          \
        ic_command_free(c_);                                               \
    } while (0)

START_TEST(astring_picks_atom_quoted_or_literal)
{
    ASTRING_IS("user1", "user1\r\n");
    ASTRING_IS("two words", "\"two words\"\r\n");
    ASTRING_IS("q\"b\\s", "\"q\\\"b\\\\s\"\r\n");
    ASTRING_IS("", "\"\"\r\n");
    ASTRING_IS("a*b", "\"a*b\"\r\n");
    ASTRING_IS("caf\xc3\xa9", "{5}\r\ncaf\xc3\xa9\r\n");
    ASTRING_IS("line\r\nbreak", "{11}\r\nline\r\nbreak\r\n");
}
END_TEST

START_TEST(login_redacts_password)
{
    ic_command *c = ic_command_new("a1");
    ic_command_text(c, "LOGIN ");
    ic_command_astring(c, BYTES("user1"), false);
    ic_command_text(c, " ");
    ic_command_astring(c, BYTES("s3cret pw"), true);
    char *wire = serialize(c, false, false);
    char *shown = serialize(c, false, true);
    ck_assert_str_eq(wire, "a1 LOGIN user1 \"s3cret pw\"\r\n");
    ck_assert_str_eq(shown, "a1 LOGIN user1 ***\r\n");
    ck_assert_ptr_null(strstr(shown, "s3cret"));
    free(wire);
    free(shown);
    ic_command_free(c);
}
END_TEST

START_TEST(literal_announcement_sync_and_plus)
{
    ic_command *c = ic_command_new("a2");
    ic_command_text(c, "APPEND box (\\Seen) ");
    ic_command_literal(c, BYTES("Subject: x\r\n\r\nhi\r\n"), false);
    char *sync = serialize(c, false, false);
    char *plus = serialize(c, true, false);
    ck_assert_str_eq(sync, "a2 APPEND box (\\Seen) {18}\r\nSubject: x\r\n\r\nhi\r\n\r\n");
    ck_assert_str_eq(plus, "a2 APPEND box (\\Seen) {18+}\r\nSubject: x\r\n\r\nhi\r\n\r\n");
    c->parts[c->nparts - 1].non_sync = true;   /* forced {n+} even without LITERAL+ */
    char *forced = serialize(c, false, false);
    ck_assert_str_eq(forced, plus);
    free(forced);
    free(sync);
    free(plus);
    ic_command_free(c);
}
END_TEST

START_TEST(literal8_announcement)
{
    ic_command *c = ic_command_new("a3");
    ic_command_text(c, "APPEND box ");
    ic_command_literal(c, (ic_bytes){ (const uint8_t *)"a\0b", 3 }, false);
    c->parts[c->nparts - 1].literal8 = true;
    ic_buf out;
    ic_buf_init(&out, 0);
    ck_assert_int_eq(ic_command_serialize(c, false, false, &out), IC_OK);
    ck_assert_uint_eq(out.len, strlen("a3 APPEND box ~{3}\r\n") + 3 + 2);
    ck_assert_int_eq(memcmp(out.data, "a3 APPEND box ~{3}\r\na\0b\r\n", out.len), 0);
    ic_buf_free(&out);
    ic_command_free(c);
}
END_TEST

static Suite *command_suite(void)
{
    Suite *s = suite_create("command");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, astring_picks_atom_quoted_or_literal);
    tcase_add_test(tc, login_redacts_password);
    tcase_add_test(tc, literal_announcement_sync_and_plus);
    tcase_add_test(tc, literal8_announcement);
    suite_add_tcase(s, tc);
    return s;
}

IC_TEST_MAIN(command_suite)
