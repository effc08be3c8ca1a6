/* expr_test.c: the assertion language: operators, functions (nth() among
 * them), precedence, compile errors with columns, evaluation errors and
 * explanations. */
#include <string.h>
#include "testutil.h"
#include "ic_error.h"
#include "ic_expr.h"

typedef struct binding {
    const char *name, *text;
} binding;

static const binding scenario_vars[] = {
    { "m1", "7" }, { "m2", "5" }, { "u2", "4" }, { "zero", "0" },
    { "src", "1:3" }, { "dst", "5:6" }, { "vanished", "2:4,9" }, { "expunged", "9,4,3,2" },
    { "star", "5:*" }, { "starset", "*" }, { "single", "5" }, { "pair", "5:5" }, { "list", "5,6" },
    { "big", "5000000000" }, { "huge", "18446744073709551615" }, { "padded", "007" },
    { "word", "abc" }, { "spaced", "1, 2" },
    /* COPYUID-like sets for nth(): written order, ranges ascending */
    { "cdst", "4:6" }, { "crev", "6,5,4" }, { "cdown", "6:4" }, { "cmix", "9,2:3" },
    { "i1", "1" }, { "i2", "2" }, { "i3", "3" }, { "i4", "4" }, { "slot", "2:2" },
    { NULL, NULL },
};

static bool lookup(void *ctx, const char *name, ic_bytes *value)
{
    for (const binding *b = ctx; b->name; b++) {
        if (strcmp(b->name, name) == 0) {
            *value = BYTES(b->text);
            return true;
        }
    }
    return false;
}

static ic_expr *compile_ok(const char *text)
{
    ic_expr *e = NULL;
    ic_error err = { 0 };
    int rc = ic_expr_compile(text, &e, &err);
    ck_assert_msg(rc == IC_OK, "compile \"%s\": %s", text, err.msg);
    ck_assert_ptr_nonnull(e);
    return e;
}

/* Compiles and evaluates against scenario_vars; explain gets the account. */
static int eval_text(const char *text, bool *result, ic_buf *explain, ic_error *err)
{
    ic_expr *e = compile_ok(text);
    int rc = ic_expr_eval(e, lookup, (void *)scenario_vars, result, explain, err);
    ic_expr_free(e);
    return rc;
}

static const struct {
    const char *text;
    bool result;
} truth_cases[] = {
    /* comparisons of numbers */
    { "$m1 > $m2", true }, { "$m2 > $m1", false },
    { "$m2 < $m1", true }, { "$m1 < $m2", false },
    { "$m1 <= 7", true }, { "$m1 <= 6", false },
    { "$m1 >= 7", true }, { "$m1 >= 8", false },
    { "$m1 == 7", true }, { "$m1 == 8", false },
    { "$m1 != 8", true }, { "$m1 != 7", false },
    { "$m1 < 7", false }, { "$m1 > 7", false }, { "7 <= $m1", true }, { "7 >= $m1", true },
    { "$padded == 7", true }, { "$zero == 0", true },
    { "$big > 4294967295", true }, { "$huge == 18446744073709551615", true },
    /* sets compare as sets */
    { "$vanished == $expunged", true }, { "$vanished == 2:4", false },
    { "$vanished != 2:4", true }, { "$vanished != $expunged", false },
    { "$starset == *", true }, { "$star == 5:*", true }, { "$star == *:5", true },
    /* a number against a set is equal only to exactly {n} */
    { "$u2 == 4:4", true }, { "$u2 == 4,4", true }, { "$u2 == 4:5", false },
    { "$single == 5", true }, { "$pair == 5", true }, { "$list == 5", false },
    { "$pair != 5", false }, { "$huge == *", false }, { "$starset == 18446744073709551615", false },
    /* one-member sets order as their member */
    { "$pair < 6", true }, { "5:5 >= 6", false },
    /* in, not in */
    { "$u2 in $vanished", true }, { "$m1 in $vanished", false },
    { "$u2 not in $vanished", false }, { "$m1 not in $vanished", true },
    { "9 in $star", true }, { "4 in $star", false }, { "4294967295 in $star", true },
    { "$big in $star", false }, { "$huge in $star", false },
    { "* in $star", true }, { "* in $vanished", false }, { "$starset in $star", true },
    { "$pair in 1:9", true }, { "5 in 5", true }, { "5 in 6", false }, { "* in 5", false },
    { "$huge in 18446744073709551615", true }, { "0 in $zero", true },
    /* subset */
    { "$dst subset 1:10", true }, { "$dst subset $src", false },
    { "4 subset $vanished", true }, { "$vanished subset 2:9", true },
    { "$expunged subset 4", false }, { "4 subset 4", true }, { "$src subset $src", true },
    { "$star subset 1:*", true }, { "1:* subset $star", false },
    /* functions */
    { "count($dst) == 2", true }, { "count($dst) == count($src)", false },
    { "count($src) == 3", true }, { "count($u2) == 1", true }, { "count($vanished) == 4", true },
    { "count(1:*) == 4294967296", true }, { "count(1:4294967295) == 4294967295", true },
    { "count(*) == 1", true },
    { "min($vanished) == 2", true }, { "min($vanished) == 3", false },
    { "max($vanished) == 9", true }, { "max($vanished) == 8", false },
    { "min($star) == 5", true }, { "max($star) == *", true }, { "max($star) == 5", false },
    { "min(7) == 7", true }, { "max(7) == 8", false }, { "max(count($src)) == 3", true },
    { "is_number($u2)", true }, { "is_number($zero)", true }, { "is_number($pair)", false },
    { "is_number($list)", false }, { "is_number($starset)", false }, { "is_number($src)", false },
    { "is_number(count($dst))", true }, { "is_number(5)", true }, { "is_number(5:5)", false },
    { "is_number(max($star))", false }, { "is_number(max($src))", true },
    { "has_star($star)", true }, { "has_star($starset)", true }, { "has_star($dst)", false },
    { "has_star(5)", false }, { "has_star(*)", true }, { "has_star(max($star))", true },
    /* nth(): 1-based, written order of the elements, each range ascending
     * (RFC 4315 section 3: 12:10 is 10,11,12) */
    { "nth($cdst, 1) == 4", true }, { "nth($cdst, 2) == 5", true }, { "nth($cdst, 3) == 6", true },
    { "nth($cdst, 1) == 6", false },
    { "nth($crev, 1) == 6", true }, { "nth($crev, 3) == 4", true }, { "nth($crev, 1) == 4", false },
    { "nth($cdown, 1) == 4", true }, { "nth($cdown, 3) == 6", true }, { "nth($cdown, 1) == 6", false },
    { "nth($cmix, 1) == 9", true }, { "nth($cmix, 2) == 2", true }, { "nth($cmix, 3) == 3", true },
    { "nth($expunged, 2) == 4", true }, { "nth($vanished, 4) == 9", true },
    { "nth($cdst, $i2) == 5", true }, { "nth($crev, $i2) == 5", true }, { "nth($cmix, $i1) == 2", false },
    { "nth($cdst, $slot) == 5", true },                 /* a one-member set is a number */
    { "nth($src, 1) == nth($cdst, 1)", false }, { "nth($src, 3) < nth($cdst, 1)", true },
    { "nth(7:5, 1) == 5", true }, { "nth(9,2:3, 1) == 9", true }, { "nth(9,2:3 , 3) == 3", true },
    { "nth( $cdst ,3 )==6", true }, { "nth($u2, 1) == 4", true }, { "nth(5, 1) == 5", true },
    { "nth($star, 1) == 5", true }, { "nth($starset, 1) == *", true }, { "nth(4294967295:*, 2) == *", true },
    { "is_number(nth($starset, 1))", false }, { "is_number(nth($cdst, 1))", true },
    { "nth($cdst, count($src)) == max($cdst)", true }, { "nth($cdst, nth($cmix, 2)) == 5", true },
    { "nth($crev, 2) in $cdst", true }, { "count(nth($cdst, 2)) == 1", true },
    /* not, and, or */
    { "not $m1 == 7", false }, { "not $m1 == 8", true }, { "not not $m1 == 7", true },
    { "$m1 == 7 and $m2 == 5", true }, { "$m1 == 7 and $m2 == 6", false },
    { "$m1 == 8 and $m2 == 5", false }, { "$m1 == 8 or $m2 == 5", true },
    { "$m1 == 8 or $m2 == 6", false }, { "$m1 == 7 or $m2 == 6", true },
    { "$m1 == 8 and $unbound == 1", false }, { "$m1 == 7 or $unbound == 1", true },
    /* precedence: not binds tighter than and, and tighter than or */
    { "$m1 == 7 or $m1 == 8 and $m2 == 6", true },
    { "$m1 == 8 and $m2 == 6 or $m1 == 7", true },
    { "not $m1 == 8 and $m2 == 6", false },
    { "not $m1 == 7 or $m2 == 5", true },
    { "not $u2 in $vanished", false },
    /* parentheses */
    { "($m1 == 7 or $m1 == 8) and $m2 == 6", false },
    { "not ($m1 == 8 and $m2 == 6)", true },
    { "not ($m1 == 7 or $m2 == 6)", false },
    { "((($m1))) == (7)", true },
    /* the documented examples, and layout */
    { "$u2 in $vanished and not has_star($dst)", true },
    { "count( $dst )==2", true }, { "\t$m1\n>\r\n$m2 ", true },
};

START_TEST(operators_and_functions_evaluate)
{
    bool result = !truth_cases[_i].result;
    ic_error err = { 0 };
    int rc = eval_text(truth_cases[_i].text, &result, NULL, &err);
    ck_assert_msg(rc == IC_OK, "eval \"%s\": %s", truth_cases[_i].text, err.msg);
    ck_assert_msg(result == truth_cases[_i].result, "\"%s\" should be %s", truth_cases[_i].text,
                  truth_cases[_i].result ? "true" : "false");
}
END_TEST

static const struct {
    const char *text;
    const char *message;
} compile_error_cases[] = {
    { "", "column 1: empty expression" },
    { "  ", "column 1: empty expression" },
    { "$m1 ==", "column 7: expected an operand after \"==\"" },
    { "$m1 == )", "column 8: expected an operand after \"==\", found \")\"" },
    { "$m1 in", "column 7: expected an operand after \"in\"" },
    { "== 1", "column 1: expected an operand at the start" },
    { "$a == 1 and", "column 12: expected an operand after \"and\"" },
    { "not", "column 4: expected an operand after \"not\"" },
    { "($m1 == 7", "column 10: expected \")\" to close \"(\" at column 1, found end of expression" },
    { "(($m1 == 7) or $a == 1", "column 23: expected \")\" to close \"(\" at column 1, "
      "found end of expression" },
    { "$m1 == 7)", "column 9: unexpected \")\" without a matching \"(\"" },
    { "$m1 == 7 $m2", "column 10: unexpected \"$m2\" after a complete expression" },
    { "$a not $b", "column 4: unexpected \"not\" after a complete expression" },
    { "$a == 1 == 2", "column 9: unexpected \"==\": comparisons do not chain; join them with \"and\"" },
    { "$a < $b < $c", "column 9: unexpected \"<\": comparisons do not chain; join them with \"and\"" },
    { "foo($a) == 1", "column 1: unknown function \"foo\" (functions: count, min, max, nth, "
      "is_number, has_star)" },
    { "$a == sum ($b)", "column 7: unknown function \"sum\"" },
    { "$a == bar", "column 7: unknown word \"bar\" (variables start with \"$\"; operators: and, or, "
      "not, in, not in, subset)" },
    { "$a = 1", "column 4: \"=\" is not an operator; use \"==\"" },
    { "!$a", "column 1: \"!\" is not an operator; use \"!=\" or \"not\"" },
    { "$a == 1 # note", "column 9: unexpected character '#'" },
    { "$a == \x01", "column 7: unexpected byte 0x01" },
    { "$ == 1", "column 1: expected a variable name after \"$\"" },
    { "$a == 1:,3", "column 7: invalid sequence-set literal: sequence set \"1:,3\": expected a number "
      "or \"*\", found ',' at offset 2" },
    { "$a in 1,01", "column 7: invalid sequence-set literal: sequence set \"1,01\": leading zero" },
    { "$a == 99999999999999999999", "column 7: number 99999999999999999999 does not fit in 64 bits" },
    { "$a", "column 1: an assertion needs a condition, but \"$a\" is a value (compare it with ==, <, "
      "in, ...)" },
    { "count($a)", "column 1: an assertion needs a condition, but \"count($a)\" is a value" },
    { "$a and $b == 1", "column 1: \"and\" needs a condition, but \"$a\" is a value" },
    { "$b == 1 or 5", "column 12: \"or\" needs a condition, but \"5\" is a value" },
    { "not $a", "column 5: \"not\" needs a condition, but \"$a\" is a value" },
    { "($a == 1) == 2", "column 2: \"==\" needs a value (a variable, number, set, count, min, max "
      "or nth), but \"$a == 1\" is a condition" },
    { "($a ==\n1) == 2", "column 2: \"==\" needs a value (a variable, number, set, count, min, "
      "max or nth), but \"$a == 1\" is a condition" },   /* messages stay on one line */
    { "$x in is_number($a)", "column 7: \"in\" needs a value" },
    { "count($a == 1) == 2", "column 7: count() needs a value" },
    { "count $a", "column 7: expected \"(\" after \"count\", found \"$a\"" },
    { "count($a", "column 9: expected \")\" after the argument of count(), found end of expression" },
    { "count($a $b)", "column 10: expected \")\" after the argument of count(), found \"$b\"" },
    /* nth() takes exactly two arguments, separated by "," */
    { "nth($d) == 1", "column 7: expected \",\" and an index after the set in nth(), found \")\"" },
    { "nth($d 2) == 1", "column 8: expected \",\" and an index after the set in nth(), found \"2\"" },
    { "nth($d, ) == 1", "column 9: expected an operand after \",\", found \")\"" },
    { "nth($d, 1, 2) == 1", "column 10: expected \")\" after the arguments of nth(), found \",\"" },
    { "nth($d, 1", "column 10: expected \")\" after the arguments of nth(), found end of expression" },
    { "nth $d, 1) == 1", "column 5: expected \"(\" after \"nth\", found \"$d\"" },
    { "nth() == 1", "column 5: expected an operand after \"(\", found \")\"" },
    { "nth(4:6,2) == 5", "column 10: expected \",\" and an index after the set in nth(), found \")\" "
      "(the set literal took the comma: put a space after it, as in nth(4:6, 2))" },
    { "nth($d == 1, 2) == 1", "column 5: nth() needs a value" },
    { "nth($d, $i == 1) == 1", "column 9: nth() needs a value" },
    { "nth($d, 1)", "column 1: an assertion needs a condition, but \"nth($d, 1)\" is a value" },
    { "$a == 1, 2", "column 8: unexpected \",\" outside nth() (a set literal is written without "
      "spaces, as in 1:3,5)" },
    { "$a in 1:3, 5", "column 10: unexpected \",\" outside nth()" },
    { "count($a, 1) == 1", "column 9: expected \")\" after the argument of count(), found \",\"" },
    { "$a == 1,,2", "column 7: invalid sequence-set literal: sequence set \"1,,2\"" },
};

static void assert_compile_fails(const char *text, const char *message)
{
    ic_expr *e = (ic_expr *)&e;   /* must be reset to NULL */
    ic_error err = { 0 };
    ck_assert_int_eq(ic_expr_compile(text, &e, &err), IC_ERR_SCENARIO);
    ck_assert_ptr_null(e);
    ck_assert_msg(strncmp(err.msg, message, strlen(message)) == 0, "\"%s\": got \"%s\", want \"%s\"",
                  text, err.msg, message);
}

START_TEST(compile_errors_name_the_column)
{
    assert_compile_fails(compile_error_cases[_i].text, compile_error_cases[_i].message);
}
END_TEST

/* "(((... $a == 1 ...)))" with depth parentheses, or "not not ... $a == 1". */
static char *nested(int depth, bool with_not)
{
    ic_buf b;
    ic_buf_init(&b, 0);
    for (int i = 0; i < depth; i++)
        ic_buf_append_str(&b, with_not ? "not " : "(");
    ic_buf_append_str(&b, "$a == 1");
    for (int i = 0; i < depth && !with_not; i++)
        ic_buf_append_str(&b, ")");
    return ic_buf_steal(&b);
}

START_TEST(nesting_is_capped_at_64)
{
    for (int with_not = 0; with_not <= 1; with_not++) {
        char *deep_enough = nested(64, with_not);
        char *too_deep = nested(65, with_not);
        ic_expr_free(compile_ok(deep_enough));
        assert_compile_fails(too_deep, with_not ? "column 257: expression nested more than 64 levels"
                                                : "column 65: expression nested more than 64 levels");
        free(deep_enough);
        free(too_deep);
    }
    /* functions nest too */
    char text[64 * 6 + 64] = "";
    for (int i = 0; i < 65; i++)
        strcat(text, "min(");
    strcat(text, "$a");
    for (int i = 0; i < 65; i++)
        strcat(text, ")");
    strcat(text, " == 1");
    assert_compile_fails(text, "column 257: expression nested more than 64 levels");
}
END_TEST

START_TEST(length_is_capped_at_4096)
{
    char text[4098];
    memset(text, ' ', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    memcpy(text, "$a == 1", 7);
    text[4096] = '\0';
    ic_expr_free(compile_ok(text));
    text[4096] = ' ';
    assert_compile_fails(text, "column 4097: expression is 4097 bytes long; the limit is 4096");
}
END_TEST

START_TEST(long_and_chain_compiles)
{
    /* chains are loops, not nesting: many operands are fine */
    ic_buf b;
    ic_buf_init(&b, 0);
    for (int i = 0; i < 300; i++)
        ic_buf_append_str(&b, i ? " and $m1 == 7" : "$m1 == 7");
    char *text = ic_buf_steal(&b);
    bool result = false;
    ic_error err;
    ck_assert_int_eq(eval_text(text, &result, NULL, &err), IC_OK);
    ck_assert(result);
    free(text);
}
END_TEST

static const struct {
    const char *text;
    const char *message;
} eval_error_cases[] = {
    { "$nope == 1", "$nope is unbound: no earlier step captured it" },
    { "$m1 == 7 and $nope == 1", "$nope is unbound" },
    { "count($nope) == 1", "$nope is unbound" },
    { "$word == 1", "$word = \"abc\" is neither a number nor a set" },
    { "is_number($spaced)", "$spaced = \"1, 2\" is neither a number nor a set" },
    { "$src < 5", "\"<\" compares numbers, but $src = 1:3 is a set of 3 members" },
    { "5 > 1:3", "\">\" compares numbers, but 1:3 is a set of 3 members" },
    { "$m1 <= $list", "\"<=\" compares numbers, but $list = 5,6 is a set of 2 members" },
    { "$starset >= 1", "\">=\" compares numbers, but $starset = * is \"*\", not a number" },
    { "max($star) > 5", "\">\" compares numbers, but max($star) = * ($star = 5:*) is \"*\", not a number" },
    { "$src in $vanished", "\"in\" needs one number on its left, but $src = 1:3 is a set of 3 members "
      "(use \"subset\" to compare sets)" },
    { "1:2 not in $vanished", "\"not in\" needs one number on its left, but 1:2 is a set of 2 members" },
    { "$big subset 1:*", "\"subset\" compares sets, but $big = 5000000000 is above 4294967295, so not "
      "a sequence number" },
    { "$src subset $huge", "\"subset\" compares sets, but $huge = 18446744073709551615 is above" },
    /* nth(): out of range names the set and its count; the index must be a number */
    { "nth($cdst, 4) == 1", "nth($cdst, 4): index 4 is out of range: $cdst = 4:6 has 3 members "
      "(indices start at 1)" },
    { "nth($cdst, 0) == 1", "nth($cdst, 0): index 0 is out of range: $cdst = 4:6 has 3 members" },
    { "nth($crev, $i4) == 1", "nth($crev, $i4): index 4 is out of range: $crev = 6,5,4 has 3 members" },
    { "nth($u2, 2) == 1", "nth($u2, 2): index 2 is out of range: $u2 = 4 has 1 member (indices" },
    { "nth(4:6, 9) == 1", "nth(4:6, 9): index 9 is out of range: 4:6 has 3 members" },
    { "nth($cdst, 18446744073709551615) == 1", "nth($cdst, 18446744073709551615): index "
      "18446744073709551615 is out of range: $cdst = 4:6 has 3 members" },
    { "nth($cdst, $src) == 1", "nth($cdst, $src): the index must be a number, but $src = 1:3 is a set "
      "of 3 members" },
    { "nth($cdst, *) == 1", "nth($cdst, *): the index must be a number, but * is \"*\", not a number" },
    { "nth($nope, 1) == 1", "$nope is unbound" },
    { "nth($cdst, $nope) == 1", "$nope is unbound" },
    { "nth($word, 1) == 1", "$word = \"abc\" is neither a number nor a set" },
    { "nth($starset, 1) > 1", "\">\" compares numbers, but nth($starset, 1) = * ($starset = *) is \"*\"" },
};

START_TEST(eval_errors_name_the_operand)
{
    bool result;
    ic_error err = { 0 };
    ck_assert_int_eq(eval_text(eval_error_cases[_i].text, &result, NULL, &err), IC_ERR_SCENARIO);
    ck_assert_msg(strncmp(err.msg, eval_error_cases[_i].message, strlen(eval_error_cases[_i].message)) == 0,
                  "\"%s\": got \"%s\"", eval_error_cases[_i].text, err.msg);
}
END_TEST

static const struct {
    const char *text;
    const char *explain;
} explain_cases[] = {
    { "$m2 > $m1", "$m2 = 5, $m1 = 7" },
    { "count($dst) == count($src)", "count($dst) = 2 ($dst = 5:6), count($src) = 3 ($src = 1:3)" },
    { "count($dst) > 5", "count($dst) = 2 ($dst = 5:6)" },
    { "max($star) == 5", "max($star) = * ($star = 5:*)" },
    { "count(1:3) == 4", "count(1:3) = 3" },
    { "$vanished == 2:4", "$vanished = 2:4,9" },        /* the text as captured */
    { "$expunged != $vanished", "$expunged = 9,4,3,2, $vanished = 2:4,9" },
    { "$u2 in $dst", "$u2 = 4, $dst = 5:6" },
    { "$dst subset $src", "$dst = 5:6, $src = 1:3" },
    { "1 == 2", "1 == 2 is false" },
    { "1\n==\t2", "1 == 2 is false" },
    { "is_number(5:5)", "is_number(5:5) is false" },
    { "is_number($pair)", "$pair = 5:5" },
    { "not has_star($star)", "$star = 5:*" },
    { "not (1 == 1)", "1 == 1 is true" },
    /* and: the false side; or: both sides; an operand is named once */
    { "$m1 == 7 and $m2 == 6", "$m2 = 5" },
    { "$m1 == 8 and $m2 == 5", "$m1 = 7" },
    { "$m1 == 8 or $m2 == 6", "$m1 = 7, $m2 = 5" },
    { "$m1 == 8 or $m1 == 9", "$m1 = 7" },
    { "$m1 == 7 and $m1 == 9", "$m1 = 7" },
    /* not: what made the inside true */
    { "not ($m1 == 7 and $m2 == 5)", "$m1 = 7, $m2 = 5" },
    { "not ($m1 == 8 or $m2 == 5)", "$m2 = 5" },
    { "$u2 in $vanished and has_star($dst)", "$dst = 5:6" },
    /* nth(): the call, its value, and the operands it read (an entry may hold ", ") */
    { "nth($cdst, 2) == 6", "nth($cdst, 2) = 5 ($cdst = 4:6)" },
    { "nth($crev, $i1) == 4", "nth($crev, $i1) = 6 ($crev = 6,5,4, $i1 = 1)" },
    { "nth(7:5, 1) == 7", "nth(7:5, 1) = 5" },
    { "nth(4:6, $i3) == 5", "nth(4:6, $i3) = 6 ($i3 = 3)" },
    { "nth($src, 1) == $m1 and nth($cdst, 1) == 4", "nth($src, 1) = 1 ($src = 1:3), $m1 = 7" },
    { "nth($src, 1) == nth($crev, 1)", "nth($src, 1) = 1 ($src = 1:3), nth($crev, 1) = 6 ($crev = 6,5,4)" },
    { "nth($crev, 1) == 4 or nth($crev, 1) == 5", "nth($crev, 1) = 6 ($crev = 6,5,4)" },
    { "nth($cdst, $i2) == 4 or nth($cdst, 2) == 4",          /* "nth($cdst" is no entry of its own */
      "nth($cdst, $i2) = 5 ($cdst = 4:6, $i2 = 2), nth($cdst, 2) = 5 ($cdst = 4:6)" },
};

START_TEST(explain_lists_operand_values)
{
    bool result = true;
    ic_error err = { 0 };
    ic_buf explain;
    ic_buf_init(&explain, 0);
    ck_assert_int_eq(eval_text(explain_cases[_i].text, &result, &explain, &err), IC_OK);
    ck_assert(!result);
    ck_assert_ptr_nonnull(explain.data);
    ck_assert_msg(strcmp((char *)explain.data, explain_cases[_i].explain) == 0,
                  "\"%s\": got \"%s\"", explain_cases[_i].text, (char *)explain.data);
    ic_buf_free(&explain);
}
END_TEST

START_TEST(explain_untouched_when_true_and_appended_when_false)
{
    bool result = false;
    ic_error err;
    ic_buf explain;
    ic_buf_init(&explain, 0);
    ic_buf_append_str(&explain, "step 4: ");
    ck_assert_int_eq(eval_text("$m1 > $m2", &result, &explain, &err), IC_OK);
    ck_assert(result);
    ck_assert_str_eq((char *)explain.data, "step 4: ");
    ck_assert_int_eq(eval_text("$m1 < $m2", &result, &explain, &err), IC_OK);
    ck_assert(!result);
    ck_assert_str_eq((char *)explain.data, "step 4: $m1 = 7, $m2 = 5");
    ic_buf_free(&explain);
}
END_TEST

START_TEST(explain_bounds_long_values)
{
    ic_buf text;
    ic_buf_init(&text, 0);
    for (int i = 1; i < 2000; i += 2)
        ic_buf_printf(&text, i > 1 ? ",%d" : "%d", i);
    const binding vars[] = { { "long", (char *)text.data }, { NULL, NULL } };
    ic_expr *e = compile_ok("$long == 1");
    bool result = true;
    ic_buf explain;
    ic_buf_init(&explain, 0);
    ic_error err;
    ck_assert_int_eq(ic_expr_eval(e, lookup, (void *)vars, &result, &explain, &err), IC_OK);
    ck_assert(!result);
    ck_assert_ptr_nonnull(strstr((char *)explain.data, "$long = 1,3,5,"));
    ck_assert_ptr_nonnull(strstr((char *)explain.data, " more bytes)"));
    ck_assert_uint_lt(explain.len, 300);
    ic_buf_free(&explain);
    ic_buf_free(&text);
    ic_expr_free(e);
}
END_TEST

START_TEST(compiled_once_evaluated_per_binding)
{
    ic_expr *e = compile_ok("$uid in $set");
    const binding member[] = { { "uid", "3" }, { "set", "1:5" }, { NULL, NULL } };
    const binding outside[] = { { "uid", "9" }, { "set", "1:5" }, { NULL, NULL } };
    bool result = false;
    ic_error err;
    ck_assert_int_eq(ic_expr_eval(e, lookup, (void *)member, &result, NULL, &err), IC_OK);
    ck_assert(result);
    ck_assert_int_eq(ic_expr_eval(e, lookup, (void *)outside, &result, NULL, &err), IC_OK);
    ck_assert(!result);
    ic_expr_free(e);
    ic_expr_free(NULL);
}
END_TEST

static void collect_name(void *ctx, const char *name)
{
    ic_buf *names = ctx;
    ic_buf_printf(names, "%s%s", names->len ? " " : "", name);
}

START_TEST(variables_listed_once_in_order)
{
    ic_expr *e = compile_ok("$b == $a and ($a in $c.x-1 or count($d) > count($b)) and not $b == 1");
    ic_buf names;
    ic_buf_init(&names, 0);
    ic_expr_variables(e, collect_name, &names);
    ck_assert_str_eq((char *)names.data, "b a c.x-1 d");
    ic_buf_free(&names);
    ic_expr_free(e);

    e = compile_ok("1 in 1:3");
    ic_buf_init(&names, 0);
    ic_expr_variables(e, collect_name, &names);
    ck_assert_uint_eq(names.len, 0);
    ic_buf_free(&names);
    ic_expr_free(e);
}
END_TEST

#define TABLE_TEST(tc, fn, table) tcase_add_loop_test(tc, fn, 0, (int)(sizeof table / sizeof table[0]))

static Suite *expr_suite(void)
{
    Suite *s = suite_create("expr");
    TCase *tc = tcase_create("core");
    TABLE_TEST(tc, operators_and_functions_evaluate, truth_cases);
    TABLE_TEST(tc, compile_errors_name_the_column, compile_error_cases);
    tcase_add_test(tc, nesting_is_capped_at_64);
    tcase_add_test(tc, length_is_capped_at_4096);
    tcase_add_test(tc, long_and_chain_compiles);
    TABLE_TEST(tc, eval_errors_name_the_operand, eval_error_cases);
    TABLE_TEST(tc, explain_lists_operand_values, explain_cases);
    tcase_add_test(tc, explain_untouched_when_true_and_appended_when_false);
    tcase_add_test(tc, explain_bounds_long_values);
    tcase_add_test(tc, compiled_once_evaluated_per_binding);
    tcase_add_test(tc, variables_listed_once_in_order);
    suite_add_tcase(s, tc);
    return s;
}

IC_TEST_MAIN(expr_suite)
