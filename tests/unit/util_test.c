/* util_test.c: ic_buf caps, ic_render escaping, ic_error formatting. */
#include <string.h>
#include "testutil.h"
#include "ic_error.h"
#include "ic_render.h"

static char *render(const char *s, size_t n, size_t max)
{
    return ic_render_str((ic_bytes){ (const uint8_t *)s, n }, max);
}

#define RENDER_IS(in, expect)                                   \
    do {                                                        \
        char *got_ = render(in, sizeof(in) - 1, IC_RENDER_UNLIMITED); \
        ck_assert_str_eq(got_, expect);                         \
        free(got_);                                             \
    } while (0)

START_TEST(render_printable_passes) { RENDER_IS("* OK ready", "* OK ready"); }
END_TEST
START_TEST(render_crlf_and_controls) { RENDER_IS("a\r\n\t\x01\x7f\\", "a\\r\\n\\t\\x01\\x7F\\\\"); }
END_TEST
START_TEST(render_flags_keep_single_backslash)
{
    RENDER_IS("FLAGS (\\Seen \\*)", "FLAGS (\\Seen \\*)");
    RENDER_IS("a\\rb", "a\\\\rb");   /* a literal backslash before r must not read as CR */
    RENDER_IS("x\\", "x\\\\");
}
END_TEST
START_TEST(render_nul_is_escaped) { RENDER_IS("a\0b", "a\\x00b"); }
END_TEST
START_TEST(render_valid_utf8_kept) { RENDER_IS("caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"); }
END_TEST
START_TEST(render_invalid_utf8_escaped)
{
    RENDER_IS("\xc3", "\\xC3");                 /* truncated */
    RENDER_IS("\xc0\xaf", "\\xC0\\xAF");        /* overlong */
    RENDER_IS("\xed\xa0\x80", "\\xED\\xA0\\x80"); /* surrogate */
    RENDER_IS("\xc2\x85", "\\xC2\\x85");        /* C1 control NEL */
    RENDER_IS("\xef\xbf\xbe", "\\xEF\\xBF\\xBE"); /* U+FFFE */
    RENDER_IS("\xff", "\\xFF");
}
END_TEST
START_TEST(render_truncates_with_count)
{
    char *got = render("abcdefghij", 10, 4);
    ck_assert_str_eq(got, "abcd...(6 more bytes)");
    free(got);
    /* an escape is never cut in half */
    got = render("ab\r\n", 4, 3);
    ck_assert_str_eq(got, "ab...(2 more bytes)");
    free(got);
}
END_TEST

START_TEST(buf_cap_refuses_and_keeps_content)
{
    ic_buf b;
    ic_buf_init(&b, 8);
    ck_assert_int_eq(ic_buf_append_str(&b, "12345678"), IC_OK);
    ck_assert_int_eq(ic_buf_append_str(&b, "9"), IC_ERR_NOMEM);
    ck_assert_uint_eq(b.len, 8);
    ck_assert_str_eq((char *)b.data, "12345678");
    ic_buf_consume(&b, 3);
    ck_assert_str_eq((char *)b.data, "45678");
    ck_assert_int_eq(ic_buf_printf(&b, "%d", 12), IC_OK);
    ck_assert_str_eq((char *)b.data, "4567812");
    ic_buf_free(&b);
}
END_TEST

START_TEST(bytes_compare)
{
    ck_assert(ic_bytes_case_eq_str(BYTES("inbox"), "INBOX"));
    ck_assert(!ic_bytes_eq_str(BYTES("inbox"), "INBOX"));
    ic_bytes with_nul = { (const uint8_t *)"IN\0OX", 5 };
    ck_assert(!ic_bytes_case_eq_str(with_nul, "INBOX"));
}
END_TEST

START_TEST(error_prefix_and_names)
{
    ic_error e;
    ck_assert_int_eq(ic_fail(&e, IC_ERR_TIMEOUT, "no answer in %d ms", 5), IC_ERR_TIMEOUT);
    ic_error_prefix(&e, "%s:%d", "127.0.0.1", 143);
    ck_assert_str_eq(e.msg, "127.0.0.1:143: no answer in 5 ms");
    ck_assert_str_eq(ic_code_name(IC_ERR_TLS_VERIFY), "tls-verify");
    ck_assert_int_eq(ic_fail(NULL, IC_ERR_IO, "ignored"), IC_ERR_IO);
}
END_TEST

START_TEST(unrender_reverses_render)
{
    static const char raw[] = "a\\b\\r\\\r\n\x01\xff caf\xc3\xa9\0z\\x41\\";
    ic_bytes in = { (const uint8_t *)raw, sizeof raw - 1 };
    char *shown = ic_render_str(in, IC_RENDER_UNLIMITED);
    ic_buf back;
    ic_buf_init(&back, 0);
    ck_assert_int_eq(ic_unrender(shown, strlen(shown), &back), IC_OK);
    ck_assert_uint_eq(back.len, in.len);
    ck_assert_int_eq(memcmp(back.data, raw, in.len), 0);
    ic_buf_reset(&back);
    ck_assert_int_eq(ic_unrender("ok\\q", 4, &back), IC_OK);
    ck_assert_uint_eq(back.len, 4);   /* a backslash before q is itself */
    ck_assert_int_eq(ic_unrender("bad\\x4", 6, &back), IC_ERR_USAGE);
    ic_buf_free(&back);
    free(shown);
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, render_printable_passes);
    tcase_add_test(tc, render_crlf_and_controls);
    tcase_add_test(tc, render_nul_is_escaped);
    tcase_add_test(tc, render_flags_keep_single_backslash);
    tcase_add_test(tc, render_valid_utf8_kept);
    tcase_add_test(tc, render_invalid_utf8_escaped);
    tcase_add_test(tc, render_truncates_with_count);
    tcase_add_test(tc, buf_cap_refuses_and_keeps_content);
    tcase_add_test(tc, bytes_compare);
    tcase_add_test(tc, error_prefix_and_names);
    tcase_add_test(tc, unrender_reverses_render);
    suite_add_tcase(s, tc);
    return s;
}

IC_TEST_MAIN(util_suite)
