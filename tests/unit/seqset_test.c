/* seqset_test.c: sequence-set parsing, normalisation, counting, set algebra,
 * written-order walking and formatting. */
#include <string.h>
#include "testutil.h"
#include "ic_error.h"
#include "ic_seqset.h"

#define STAR IC_SEQ_STAR
#define NUMBER_MAX UINT64_C(4294967295)

static ic_seqset *parse_ok(const char *text, bool allow_zero)
{
    ic_seqset *s = NULL;
    ic_error err = { 0 };
    int rc = ic_seqset_parse(BYTES(text), allow_zero, &s, &err);
    ck_assert_msg(rc == IC_OK, "parse \"%s\": %s", text, err.msg);
    ck_assert_ptr_nonnull(s);
    return s;
}

static ic_seqset *parse(const char *text)
{
    return parse_ok(text, false);
}

/* Formats s and frees it. */
static char *format_and_free(ic_seqset *s)
{
    ck_assert_ptr_nonnull(s);
    ic_buf out;
    ic_buf_init(&out, 0);
    ck_assert_int_eq(ic_seqset_format(s, &out), IC_OK);
    ic_seqset_free(s);
    return ic_buf_steal(&out);
}

static const struct {
    const char *text;
    bool allow_zero;
    const char *normalised;
    uint64_t count;
    size_t nwritten;
    size_t nnorm;
} valid_cases[] = {
    { "1", false, "1", 1, 1, 1 },
    { "*", false, "*", 1, 1, 1 },
    { "4294967295", false, "4294967295", 1, 1, 1 },
    { "1:3,7", false, "1:3,7", 4, 2, 2 },
    { "5,3,2,1", false, "1:3,5", 4, 4, 2 },
    { "7:5,9", false, "5:7,9", 4, 2, 2 },
    { "3:1,2:4", false, "1:4", 4, 2, 1 },        /* overlapping */
    { "1:2,3:4", false, "1:4", 4, 2, 1 },        /* adjacent */
    { "1:2,4:5", false, "1:2,4:5", 4, 2, 2 },    /* gap of one stays */
    { "5:5", false, "5", 1, 1, 1 },
    { "2,2,2", false, "2", 1, 3, 1 },
    { "5:*", false, "5:*", 4294967292, 1, 1 },
    { "*:5", false, "5:*", 4294967292, 1, 1 },
    { "1:*", false, "1:*", 4294967296, 1, 1 },
    { "4294967295,*", false, "4294967295:*", 2, 2, 1 },
    { "*,1,*", false, "1,*", 2, 3, 2 },
    { "1:4294967295", false, "1:4294967295", 4294967295, 1, 1 },
    { "0", true, "0", 1, 1, 1 },
    { "0:*", true, "0:*", 4294967297, 1, 1 },
    { "10:12,1,11:20,3", false, "1,3,10:20", 13, 4, 3 },
};

START_TEST(parse_valid_normalises_and_counts)
{
    ic_seqset *s = parse_ok(valid_cases[_i].text, valid_cases[_i].allow_zero);
    ck_assert_msg(ic_seqset_count(s) == valid_cases[_i].count, "count of \"%s\" = %llu",
                  valid_cases[_i].text, (unsigned long long)ic_seqset_count(s));
    ck_assert_uint_eq(s->nwritten, valid_cases[_i].nwritten);
    ck_assert_uint_eq(s->nnorm, valid_cases[_i].nnorm);
    for (size_t i = 0; i < s->nnorm; i++) {
        ck_assert(s->norm[i].first <= s->norm[i].last);
        if (i > 0)
            ck_assert(s->norm[i - 1].last < s->norm[i].first);
    }
    char *text = format_and_free(s);
    ck_assert_str_eq(text, valid_cases[_i].normalised);
    free(text);
}
END_TEST

static const struct {
    const char *text;
    bool allow_zero;
    const char *message;   /* a part of the error, naming the offset */
} invalid_cases[] = {
    { "", false, "empty at offset 0" },
    { "1,", false, "expected a number or \"*\", found end of text at offset 2" },
    { ",1", false, "found ',' at offset 0" },
    { ":", false, "found ':' at offset 0" },
    { "1:", false, "found end of text at offset 2" },
    { "1,,2", false, "found ',' at offset 2" },
    { "1, 2", false, "found byte 0x20 at offset 2" },
    { " 1", false, "at offset 0" },
    { "1 ", false, "expected \",\" or \":\", found byte 0x20 at offset 1" },
    { "1:2:3", false, "expected \",\", found ':' at offset 3" },
    { "01", false, "leading zero in a number at offset 0" },
    { "3,007", true, "leading zero in a number at offset 2" },
    { "0", false, "0 is not a sequence number (they start at 1) at offset 0" },
    { "1:0", false, "at offset 2" },
    { "4294967296", false, "number larger than 4294967295 at offset 0" },
    { "1:99999999999999999999999", false, "number larger than 4294967295 at offset 2" },
    { "**", false, "found '*' at offset 1" },
    { "1a", false, "found 'a' at offset 1" },
    { "-1", false, "found '-' at offset 0" },
};

START_TEST(parse_invalid_names_offset)
{
    ic_seqset *s = (ic_seqset *)&s;   /* must be reset to NULL */
    ic_error err = { 0 };
    int rc = ic_seqset_parse(BYTES(invalid_cases[_i].text), invalid_cases[_i].allow_zero, &s, &err);
    ck_assert_int_eq(rc, IC_ERR_USAGE);
    ck_assert_ptr_null(s);
    ck_assert_msg(strstr(err.msg, invalid_cases[_i].message) != NULL, "\"%s\": got \"%s\"",
                  invalid_cases[_i].text, err.msg);
}
END_TEST

START_TEST(parse_error_quotes_text_and_nul_safe)
{
    ic_seqset *s = NULL;
    ic_error err = { 0 };
    ic_bytes with_nul = { (const uint8_t *)"1\0" "2", 3 };
    ck_assert_int_eq(ic_seqset_parse(with_nul, false, &s, &err), IC_ERR_USAGE);
    ck_assert_str_eq(err.msg, "sequence set \"1\\x002\": expected \",\" or \":\", found byte 0x00 at offset 1");
    /* the text is only as long as given: no read past len */
    ck_assert_int_eq(ic_seqset_parse((ic_bytes){ (const uint8_t *)"12", 1 }, false, &s, &err), IC_OK);
    char *text = format_and_free(s);
    ck_assert_str_eq(text, "1");
    free(text);
}
END_TEST

START_TEST(full_range_counts_exactly_in_one_range)
{
    ic_seqset *s = parse("1:4294967295,1:4294967295");
    ck_assert_uint_eq(s->nnorm, 1);
    ck_assert_uint_eq(ic_seqset_count(s), NUMBER_MAX);
    uint64_t v = 0;
    ck_assert(ic_seqset_nth_written(s, 2 * NUMBER_MAX - 1, &v));
    ck_assert_uint_eq(v, NUMBER_MAX);
    ck_assert(!ic_seqset_nth_written(s, 2 * NUMBER_MAX, &v));
    ck_assert(ic_seqset_contains(s, NUMBER_MAX));
    ck_assert(!ic_seqset_contains(s, STAR));
    ic_seqset_free(s);
}
END_TEST

static const struct {
    const char *set;
    uint64_t value;
    bool member;
} contains_cases[] = {
    { "1:3,7", 1, true },
    { "1:3,7", 3, true },
    { "1:3,7", 4, false },
    { "1:3,7", 7, true },
    { "1:3,7", 8, false },
    { "1:3,7", 0, false },
    { "1:3,7", STAR, false },
    { "5:*", 5, true },
    { "5:*", 4, false },
    { "5:*", NUMBER_MAX, true },
    { "5:*", STAR, true },
    { "5:*", NUMBER_MAX + 1, false },        /* not a sequence number, not "*" */
    { "5:*", UINT64_C(1) << 40, false },
    { "*", STAR, true },
    { "*", NUMBER_MAX, false },
    { "9:7,20:30,2", 25, true },
    { "9:7,20:30,2", 19, false },
};

START_TEST(contains_checks_membership)
{
    ic_seqset *s = parse(contains_cases[_i].set);
    ck_assert_msg(ic_seqset_contains(s, contains_cases[_i].value) == contains_cases[_i].member,
                  "%s contains %llu", contains_cases[_i].set,
                  (unsigned long long)contains_cases[_i].value);
    ic_seqset_free(s);
}
END_TEST

static const struct {
    const char *a, *b;
    bool equal, a_in_b, b_in_a;
} relation_cases[] = {
    { "1:3,5", "5,3,2,1", true, true, true },
    { "1:3", "1:4", false, true, false },
    { "1:3,5", "1:5", false, true, false },
    { "1:5", "1,2,4,5", false, false, true },
    { "1:*", "*", false, false, true },
    { "4294967295:*", "*,4294967295", true, true, true },
    { "2", "2:2", true, true, true },
    { "1,3", "2,4", false, false, false },
    { "10:20", "1:9,21:30", false, false, false },
    { "1:2,8:9", "1:9", false, true, false },
    { "5", "1:4,6:9", false, false, false },
};

START_TEST(equal_and_subset_compare_as_sets)
{
    ic_seqset *a = parse(relation_cases[_i].a);
    ic_seqset *b = parse(relation_cases[_i].b);
    ck_assert_msg(ic_seqset_equal(a, b) == relation_cases[_i].equal, "%s == %s",
                  relation_cases[_i].a, relation_cases[_i].b);
    ck_assert_msg(ic_seqset_equal(b, a) == relation_cases[_i].equal, "%s == %s",
                  relation_cases[_i].b, relation_cases[_i].a);
    ck_assert_msg(ic_seqset_subset(a, b) == relation_cases[_i].a_in_b, "%s subset %s",
                  relation_cases[_i].a, relation_cases[_i].b);
    ck_assert_msg(ic_seqset_subset(b, a) == relation_cases[_i].b_in_a, "%s subset %s",
                  relation_cases[_i].b, relation_cases[_i].a);
    ic_seqset_free(a);
    ic_seqset_free(b);
}
END_TEST

static const struct {
    const char *a, *b, *sum, *a_minus_b;
} algebra_cases[] = {
    { "1:3", "5:7", "1:3,5:7", "1:3" },
    { "1:3", "4:7", "1:7", "1:3" },
    { "1:10", "3:4", "1:10", "1:2,5:10" },
    { "1:10", "1:10", "1:10", "" },
    { "1:10", "2,4,6:7,10", "1:10", "1,3,5,8:9" },
    { "1:3,7:9,20", "2:8", "1:9,20", "1,9,20" },
    { "5:*", "10:20", "5:*", "5:9,21:*" },
    { "1:*", "*", "1:*", "1:4294967295" },
    { "*", "4294967295", "4294967295:*", "*" },
    { "4294967295", "1:*", "1:*", "" },
    { "1:4294967295", "1:4294967294", "1:4294967295", "4294967295" },
    { "3:4,8:9", "1:2,5:7,10:12", "1:12", "3:4,8:9" },
    { "2:3,5:6", "1:2,3:5", "1:6", "6" },
};

START_TEST(union_and_difference)
{
    ic_seqset *a = parse(algebra_cases[_i].a);
    ic_seqset *b = parse(algebra_cases[_i].b);
    ic_seqset *sum_ab = ic_seqset_union(a, b);
    ic_seqset *sum_ba = ic_seqset_union(b, a);
    ic_seqset *diff = ic_seqset_difference(a, b);
    ck_assert_ptr_nonnull(diff);
    ck_assert(diff->has_star == (strchr(algebra_cases[_i].a_minus_b, '*') != NULL));
    ck_assert_uint_eq(diff->nwritten, diff->nnorm);
    ck_assert(!ic_seqset_is_single(diff));   /* a result was not written alone */
    char *sum_ab_text = format_and_free(sum_ab);
    char *sum_ba_text = format_and_free(sum_ba);
    char *diff_text = format_and_free(diff);
    ck_assert_str_eq(sum_ab_text, algebra_cases[_i].sum);
    ck_assert_str_eq(sum_ba_text, algebra_cases[_i].sum);
    ck_assert_str_eq(diff_text, algebra_cases[_i].a_minus_b);
    free(sum_ab_text);
    free(sum_ba_text);
    free(diff_text);
    ic_seqset_free(a);
    ic_seqset_free(b);
}
END_TEST

START_TEST(empty_result_has_no_min_max_or_members)
{
    ic_seqset *a = parse("1:5");
    ic_seqset *empty = ic_seqset_difference(a, a);
    ck_assert_ptr_nonnull(empty);
    uint64_t v = 42;
    ck_assert(!ic_seqset_min(empty, &v));
    ck_assert(!ic_seqset_max(empty, &v));
    ck_assert_uint_eq(v, 42);
    ck_assert_uint_eq(ic_seqset_count(empty), 0);
    ck_assert(!ic_seqset_contains(empty, 1));
    ck_assert(!ic_seqset_nth_written(empty, 0, &v));
    ck_assert(ic_seqset_subset(empty, a));
    ck_assert(!ic_seqset_subset(a, empty));
    ic_seqset *back = ic_seqset_union(empty, a);
    ck_assert(ic_seqset_equal(back, a));
    ic_seqset_free(back);
    ic_seqset_free(empty);
    ic_seqset_free(a);
}
END_TEST

static const struct {
    const char *set;
    uint64_t min, max;
} min_max_cases[] = {
    { "7", 7, 7 },
    { "9:3,20", 3, 20 },
    { "5:*", 5, STAR },
    { "*", STAR, STAR },
    { "0,4", 0, 4 },
};

START_TEST(min_and_max)
{
    ic_seqset *s = parse_ok(min_max_cases[_i].set, true);
    uint64_t lo = 1, hi = 1;
    ck_assert(ic_seqset_min(s, &lo));
    ck_assert(ic_seqset_max(s, &hi));
    ck_assert_uint_eq(lo, min_max_cases[_i].min);
    ck_assert_uint_eq(hi, min_max_cases[_i].max);
    ic_seqset_free(s);
}
END_TEST

static const struct {
    const char *set;
    uint64_t members[6];
    size_t n;
} walk_cases[] = {
    /* RFC 4315 section 3: a range is walked ascending whichever way it is
     * written; the comma-separated elements keep their written order */
    { "4:2", { 2, 3, 4 }, 3 },
    { "2:4", { 2, 3, 4 }, 3 },
    { "7:5,9", { 5, 6, 7, 9 }, 4 },
    { "9,2:3", { 9, 2, 3 }, 3 },
    { "9,3:2", { 9, 2, 3 }, 3 },
    { "6,5,4", { 6, 5, 4 }, 3 },                     /* a reversed COPYUID set */
    { "9,1:2,9", { 9, 1, 2, 9 }, 4 },                /* written, not normalised */
    { "4294967294:*", { 4294967294, 4294967295, STAR }, 3 },
    { "*:4294967294", { 4294967294, 4294967295, STAR }, 3 },
    { "*", { STAR }, 1 },
};

START_TEST(nth_written_keeps_element_order_walks_ranges_ascending)
{
    ic_seqset *s = parse(walk_cases[_i].set);
    uint64_t v;
    for (size_t i = 0; i < walk_cases[_i].n; i++) {
        ck_assert(ic_seqset_nth_written(s, i, &v));
        ck_assert_msg(v == walk_cases[_i].members[i], "%s [%zu] = %llu", walk_cases[_i].set, i,
                      (unsigned long long)v);
    }
    ck_assert(!ic_seqset_nth_written(s, walk_cases[_i].n, &v));
    ck_assert(!ic_seqset_nth_written(s, UINT64_MAX, &v));
    ic_seqset_free(s);
}
END_TEST

static const struct {
    const char *set;
    bool has_star, single;
} flag_cases[] = {
    { "5", false, true },
    { "5:5", false, false },
    { "5,6", false, false },
    { "5,5", false, false },
    { "*", true, true },
    { "*:*", true, false },
    { "1:*", true, false },
    { "*:1", true, false },
    { "1:3,*", true, false },
    { "1:4294967295", false, false },
};

START_TEST(has_star_and_is_single)
{
    ic_seqset *s = parse(flag_cases[_i].set);
    ck_assert_msg(s->has_star == flag_cases[_i].has_star, "has_star(%s)", flag_cases[_i].set);
    ck_assert_msg(ic_seqset_is_single(s) == flag_cases[_i].single, "is_single(%s)", flag_cases[_i].set);
    ic_seqset_free(s);
}
END_TEST

START_TEST(format_appends)
{
    ic_buf out;
    ic_buf_init(&out, 0);
    ic_buf_append_str(&out, "UID ");
    ic_seqset *s = parse("*,9:7,1");
    ck_assert_int_eq(ic_seqset_format(s, &out), IC_OK);
    ck_assert_str_eq((char *)out.data, "UID 1,7:9,*");
    ic_seqset_free(s);
    ic_buf_free(&out);
}
END_TEST

START_TEST(format_respects_buffer_cap)
{
    ic_buf out;
    ic_buf_init(&out, 4);
    ic_seqset *s = parse("1:3,70");
    ck_assert_int_eq(ic_seqset_format(s, &out), IC_ERR_NOMEM);
    ic_seqset_free(s);
    ic_buf_free(&out);
}
END_TEST

START_TEST(free_accepts_null)
{
    ic_seqset_free(NULL);
}
END_TEST

#define TABLE_TEST(tc, fn, table) tcase_add_loop_test(tc, fn, 0, (int)(sizeof table / sizeof table[0]))

static Suite *seqset_suite(void)
{
    Suite *s = suite_create("seqset");
    TCase *tc = tcase_create("core");
    TABLE_TEST(tc, parse_valid_normalises_and_counts, valid_cases);
    TABLE_TEST(tc, parse_invalid_names_offset, invalid_cases);
    tcase_add_test(tc, parse_error_quotes_text_and_nul_safe);
    tcase_add_test(tc, full_range_counts_exactly_in_one_range);
    TABLE_TEST(tc, contains_checks_membership, contains_cases);
    TABLE_TEST(tc, equal_and_subset_compare_as_sets, relation_cases);
    TABLE_TEST(tc, union_and_difference, algebra_cases);
    tcase_add_test(tc, empty_result_has_no_min_max_or_members);
    TABLE_TEST(tc, min_and_max, min_max_cases);
    TABLE_TEST(tc, nth_written_keeps_element_order_walks_ranges_ascending, walk_cases);
    TABLE_TEST(tc, has_star_and_is_single, flag_cases);
    tcase_add_test(tc, format_appends);
    tcase_add_test(tc, format_respects_buffer_cap);
    tcase_add_test(tc, free_accepts_null);
    suite_add_tcase(s, tc);
    return s;
}

IC_TEST_MAIN(seqset_suite)
