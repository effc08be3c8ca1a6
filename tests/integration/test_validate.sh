#!/bin/sh
# `imapconform validate` on the sample documents and (when present) the
# OMA CR 003 whose LIST-CHANGEDSINCE examples carry curly quotes.
# Needs no server: run by tests/integration/run.sh (IC_BIN) or alone after
# `make` (sh tests/integration/test_validate.sh).
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BIN=${IC_BIN:-$ROOT/bin/imapconform}
D=tests/data/validate
fail=0
check() {   # check NAME EXPECTED_RC OUTPUT_PATTERN... (each must appear)
    name=$1 want=$2; shift 2
    out=$("$BIN" validate "$name" 2>&1); rc=$?
    if [ "$rc" -ne "$want" ]; then echo "FAIL $name: exit $rc, want $want"; echo "$out"; fail=1; fi
    for pat in "$@"; do
        if ! printf '%s\n' "$out" | grep -q -- "$pat"; then
            echo "FAIL $name: no line matching: $pat"; echo "$out"; fail=1
        fi
    done
}
check $D/good.txt 0 '0 errors, 0 warnings'
check $D/good.md 0 '0 errors, 0 warnings'
check $D/bad_typography.txt 1 'bad_typography.txt:3:12: error: U+201C LEFT DOUBLE QUOTATION MARK' \
    ':5:6: error: U+00A0 NO-BREAK SPACE' ':5:15: error: U+2014 EM DASH'
check $D/bad_grammar.txt 1 'bad_grammar.txt:2:51: error: .*\[resp-text\]' ':3:43: error: .*\[mod-sequence-value\]'
check $D/bad_command.txt 1 ':1:5: error: .*\[tag\]' ':4:14: error: .*\[parens\]' ':7:14: error: .*\[quoted\]' \
    ':10:26: error: .*\[list-changedsince\]' ':13:27: error: .*\[mod-sequence-value\]'
check $D/bad_dialogue.txt 1 ':2:4: warning: .*\[dialogue-tag\]' ':4:4: warning: .*\[dialogue-completion\]' \
    ':7:15: warning: .*\[vanished-earlier\]' ':11:11: error: .*\[appenduid\]' \
    ':15:11: error: .*\[copyuid\]' ':18:11: warning: .*\[modified\]'
# RFC 7162 ships "* OK [HIGHESTMODSEQ n]" and "* OK [CLOSED]" with no text; the
# page break, the wrapped STORE, MODIFIED and VANISHED (EARLIER) are fine.
check $D/rfc7162_style.txt 1 ':11:42: error: .*\[resp-text\]' ':33:22: error: .*\[resp-text\]' \
    '3 example dialogues, 20 protocol lines: 2 errors, 0 warnings'
# usage and unreadable files
"$BIN" validate >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: no FILE must exit 2"; fail=1; }
"$BIN" validate $D/no-such-file >/dev/null 2>&1; [ $? -eq 2 ] || { echo "FAIL: unreadable must exit 2"; fail=1; }
# JUnit: one testcase per dialogue (1 in bad_dialogue.txt, 1 in good.txt, 2 in good.md),
# valid under junit-10.xsd when xmllint is there
tmp=$(mktemp); "$BIN" validate --junit "$tmp" $D/bad_dialogue.txt $D/good.txt $D/good.md >/dev/null
n=$(grep -c '<testcase' "$tmp"); [ "$n" -eq 4 ] || { echo "FAIL: junit has $n testcases, want 4"; fail=1; }
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout --schema tests/data/junit-10.xsd "$tmp" 2>/dev/null || { echo "FAIL: junit not valid"; fail=1; }
fi
grep -q '<failure' "$tmp" || { echo "FAIL: junit lacks the failure"; fail=1; }
rm -f "$tmp"
spec=$(ls ../shared/spec/003_*.txt 2>/dev/null | head -n 1)
if [ -n "$spec" ]; then
    check "$spec" 1 ':134:40: error: U+201C LEFT DOUBLE QUOTATION MARK' ':150:41: error: U+201D RIGHT DOUBLE'
fi
[ $fail -eq 0 ] && echo "test_validate: all passed"
exit $fail
