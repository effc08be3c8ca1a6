/* expect_test.c: known-failure files and their effect on results. */
#include <string.h>
#include "testutil.h"
#include "ic_expect.h"

static ic_scenario scenario_one = { .id = (char *)"area.case.one" };
static ic_scenario scenario_two = { .id = (char *)"area.case.two" };

static ic_result result(const ic_scenario *sc, ic_verdict v, const char *req, const char *msg)
{
    ic_result r;
    memset(&r, 0, sizeof r);
    r.scenario = sc;
    r.verdict = v;
    r.requirement = req ? strdup(req) : NULL;
    r.message = msg ? strdup(msg) : NULL;
    return r;
}

START_TEST(load_file_defaults_to_fail)
{
    ic_expectations *e;
    ic_error err;
    ck_assert_int_eq(ic_expect_load("tests/data/expect/basic.yaml", &e, &err), IC_OK);
    ck_assert_uint_eq(e->n, 2);
    ck_assert_str_eq(e->items[0].id, "area.case.one");
    ck_assert_int_eq(e->items[0].verdict, IC_VERDICT_FAIL);
    ck_assert_int_eq(e->items[1].verdict, IC_VERDICT_NONSTRICT);
    ck_assert_int_eq(e->items[1].line, 4);
    ic_expect_free(e);
}
END_TEST

START_TEST(load_directory_merges_files)
{
    ic_expectations *e;
    ic_error err;
    ck_assert_int_eq(ic_expect_load("tests/data/expect/dir", &e, &err), IC_OK);
    ck_assert_uint_eq(e->n, 3);
    ck_assert_int_eq(e->items[2].verdict, IC_VERDICT_ERROR);
    ck_assert_str_eq(e->items[2].file, "tests/data/expect/dir/b.yaml");
    ic_expect_free(e);
}
END_TEST

START_TEST(load_errors_name_the_position)
{
    ic_expectations *e;
    ic_error err;
    ck_assert_int_eq(ic_expect_load("tests/data/expect/bad-verdict.yaml", &e, &err), IC_ERR_SCENARIO);
    ck_assert_str_eq(err.msg, "tests/data/expect/bad-verdict.yaml:2:12: verdict \"PASS\" cannot be "
                              "expected (use FAIL, NON-STRICT or ERROR)");
    ck_assert_int_eq(ic_expect_load("tests/data/expect/missing-reason.yaml", &e, &err),
                     IC_ERR_SCENARIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "missing-reason.yaml:1:3: "));
    ck_assert_ptr_nonnull(strstr(err.msg, "\"reason\""));
    ck_assert_int_eq(ic_expect_load("tests/data/expect/none.yaml", &e, &err), IC_ERR_USAGE);
}
END_TEST

START_TEST(apply_xfail_by_scenario_and_by_requirement)
{
    ic_expectations *e;
    ic_error err;
    ck_assert_int_eq(ic_expect_load("tests/data/expect/basic.yaml", &e, &err), IC_OK);
    ic_result r = result(&scenario_one, IC_VERDICT_FAIL, "X-1", "no response matched");
    ic_expect_apply(e, &r);
    ck_assert_int_eq(r.verdict, IC_VERDICT_XFAIL);
    ck_assert_str_eq(r.message, "known failure: no response matched [RFC 1 §1: the server does x; "
                                "listed at tests/data/expect/basic.yaml:2]");
    ic_result_free(&r);
    /* REQ-7 is one of two requirements the failure was attributed to */
    r = result(&scenario_two, IC_VERDICT_NONSTRICT, "REQ-6, REQ-7", "should");
    ic_expect_apply(e, &r);
    ck_assert_int_eq(r.verdict, IC_VERDICT_XFAIL);
    ic_result_free(&r);
    /* REQ-70 is not REQ-7 */
    r = result(&scenario_two, IC_VERDICT_NONSTRICT, "REQ-70", "should");
    ic_expect_apply(e, &r);
    ck_assert_int_eq(r.verdict, IC_VERDICT_NONSTRICT);
    ic_result_free(&r);
    ic_expect_free(e);
}
END_TEST

START_TEST(apply_xpass_and_other_verdicts)
{
    ic_expectations *e;
    ic_error err;
    ck_assert_int_eq(ic_expect_load("tests/data/expect/basic.yaml", &e, &err), IC_OK);
    ic_result r = result(&scenario_one, IC_VERDICT_PASS, NULL, NULL);
    ic_expect_apply(e, &r);
    ck_assert_int_eq(r.verdict, IC_VERDICT_XPASS);
    ck_assert_ptr_nonnull(strstr(r.message, "remove the entry at tests/data/expect/basic.yaml:2"));
    ic_result_free(&r);
    /* listed as FAIL but now ERROR: a change worth seeing, kept as is */
    r = result(&scenario_one, IC_VERDICT_ERROR, NULL, "connection lost");
    ic_expect_apply(e, &r);
    ck_assert_int_eq(r.verdict, IC_VERDICT_ERROR);
    ck_assert_str_eq(r.message, "connection lost");
    ic_result_free(&r);
    ck_assert(e->items[0].used);
    ck_assert(!e->items[1].used);
    ic_expect_free(e);
}
END_TEST

START_TEST(check_ids_rejects_unknown)
{
    ic_expectations *e;
    ic_error err;
    ck_assert_int_eq(ic_expect_load("tests/data/expect/basic.yaml", &e, &err), IC_OK);
    char *ids[] = { (char *)"area.case.one" };
    ic_requirement req = { .id = (char *)"REQ-7" };
    ic_reqlist reqs = { .items = &req, .n = 1 };
    ck_assert_int_eq(ic_expect_check_ids(e, ids, 1, &reqs, &err), IC_OK);
    reqs.n = 0;
    ck_assert_int_eq(ic_expect_check_ids(e, ids, 1, &reqs, &err), IC_ERR_SCENARIO);
    ck_assert_str_eq(err.msg, "tests/data/expect/basic.yaml:4: \"REQ-7\" is neither a scenario id "
                              "nor a requirement id (remove it, or fix the spelling)");
    ic_expect_free(e);
}
END_TEST

static Suite *expect_suite(void)
{
    Suite *s = suite_create("expect");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, load_file_defaults_to_fail);
    tcase_add_test(tc, load_directory_merges_files);
    tcase_add_test(tc, load_errors_name_the_position);
    tcase_add_test(tc, apply_xfail_by_scenario_and_by_requirement);
    tcase_add_test(tc, apply_xpass_and_other_verdicts);
    tcase_add_test(tc, check_ids_rejects_unknown);
    suite_add_tcase(s, tc);
    return s;
}

IC_TEST_MAIN(expect_suite)
