# shellcheck shell=bash
# assert.sh: small assertions for the integration tests.  Source it, call
# assert_begin NAME before each case, and assert_finish at the end (it exits
# 1 if any assertion failed).  Failures print what was expected and what was
# got; the test script keeps going so one run shows every failure.
#
#   assert_exit CODE CMD...          runs CMD (stdout -> $OUT, stderr -> $ERR) and
#                                    checks its exit status
#   assert_contains FILE TEXT        FILE contains TEXT (fixed string)
#   assert_not_contains FILE TEXT    FILE does not contain TEXT
#   assert_matches FILE REGEX        some line of FILE matches the extended regex
#   assert_not_matches FILE REGEX    no line of FILE matches the extended regex
#   assert_line_count FILE N         FILE has exactly N lines
#
# $OUT and $ERR are files in $ASSERT_DIR (a fresh temporary directory unless
# the caller set it).

ASSERT_DIR=${ASSERT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/ic-assert.XXXXXX")}
OUT=$ASSERT_DIR/stdout
ERR=$ASSERT_DIR/stderr
ASSERT_FAILED=0        # failed cases
ASSERT_CASES=0
ASSERT_CASE=""
ASSERT_CASE_FAILED=0
: >"$OUT"
: >"$ERR"

_assert_fail() {
    ASSERT_CASE_FAILED=1
    printf '    FAILED: %s\n' "$1"
    shift
    local line
    for line in "$@"; do
        printf '      %s\n' "$line"
    done
}

# Shows a file's content (at most 40 lines), indented.
_assert_show() {
    local label=$1 file=$2
    if [ -s "$file" ]; then
        printf '      %s:\n' "$label"
        head -n 40 "$file" | sed 's/^/        | /'
    else
        printf '      %s: (empty)\n' "$label"
    fi
}

_assert_close_case() {
    if [ -n "$ASSERT_CASE" ]; then
        if [ "$ASSERT_CASE_FAILED" -ne 0 ]; then
            printf 'not ok - %s\n' "$ASSERT_CASE"
            ASSERT_FAILED=$((ASSERT_FAILED + 1))
        else
            printf 'ok - %s\n' "$ASSERT_CASE"
        fi
    fi
    ASSERT_CASE=""
    ASSERT_CASE_FAILED=0
}

assert_begin() {
    _assert_close_case
    ASSERT_CASE=$1
    ASSERT_CASES=$((ASSERT_CASES + 1))
}

# Ends the test file: exits 0 when every case passed, 1 otherwise.
assert_finish() {
    _assert_close_case
    if [ "$ASSERT_CASES" -eq 0 ]; then
        echo "no test case ran"
        exit 1
    fi
    echo "$((ASSERT_CASES - ASSERT_FAILED)) of $ASSERT_CASES cases passed"
    [ "$ASSERT_FAILED" -eq 0 ] || exit 1
    exit 0
}

assert_exit() {
    local want=$1 got
    shift
    "$@" >"$OUT" 2>"$ERR"
    got=$?
    if [ "$got" -ne "$want" ]; then
        _assert_fail "expected exit $want, got $got" "command: $*"
        _assert_show stdout "$OUT"
        _assert_show stderr "$ERR"
        return 1
    fi
    return 0
}

assert_contains() {
    local file=$1 text=$2
    if ! grep -qF -- "$text" "$file" 2>/dev/null; then
        _assert_fail "expected $(basename "$file") to contain: $text"
        _assert_show "$(basename "$file") was" "$file"
        return 1
    fi
    return 0
}

assert_not_contains() {
    local file=$1 text=$2
    if grep -qF -- "$text" "$file" 2>/dev/null; then
        _assert_fail "expected $(basename "$file") NOT to contain: $text" \
            "found: $(grep -F -- "$text" "$file" | head -n 3 | tr '\n' ' ')"
        return 1
    fi
    return 0
}

assert_matches() {
    local file=$1 regex=$2
    if ! grep -qE -- "$regex" "$file" 2>/dev/null; then
        _assert_fail "expected a line of $(basename "$file") to match the regex: $regex"
        _assert_show "$(basename "$file") was" "$file"
        return 1
    fi
    return 0
}

assert_not_matches() {
    local file=$1 regex=$2
    if grep -qE -- "$regex" "$file" 2>/dev/null; then
        _assert_fail "expected no line of $(basename "$file") to match the regex: $regex" \
            "found: $(grep -E -- "$regex" "$file" | head -n 3 | tr '\n' ' ')"
        return 1
    fi
    return 0
}

assert_line_count() {
    local file=$1 want=$2 got
    got=$(wc -l <"$file" 2>/dev/null || echo 0)
    if [ "$got" -ne "$want" ]; then
        _assert_fail "expected $(basename "$file") to have $want line(s), got $got"
        _assert_show "$(basename "$file") was" "$file"
        return 1
    fi
    return 0
}
