#!/usr/bin/env bash
# test_liststatus.sh: the LIST-STATUS (RFC 5819) and LIST-EXTENDED (RFC 5258 /
# RFC 4466) scenarios, scenarios/liststatus and scenarios/listext.
#   (a) against the suite's Dovecot: every scenario PASSes, or gives exactly the
#       verdict tests/expected/dovecot/liststatus.yaml records for it (and with
#       `run --expect` that file turns those into XFAIL and the run exits 0);
#   (b) replays, table-driven from tests/data/responder/liststatus/cases.txt:
#       every good/ recording must PASS (and the responder must see the client
#       follow it to the end); every faulty/ transcript must give the verdict of
#       its row, with the requirement ID (or, for the rules the grammar checker
#       enforces first, the grammar rule) and the key phrase in the output.
# tests/data/responder/liststatus/record.sh regenerates the replay data.
#
# Run by tests/integration/run.sh (exports IC_BIN, LAB, IMAP_PORT).
set -uo pipefail

: "${IC_BIN:?IC_BIN not set (run through tests/integration/run.sh)}"
: "${LAB:?LAB not set}"
: "${IMAP_PORT:?IMAP_PORT not set}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1
DATA=tests/data/responder/liststatus
EXPECT=tests/expected/dovecot/liststatus.yaml
SCENARIOS=(scenarios/liststatus scenarios/listext)
WORK=$(mktemp -d "$LAB/test_liststatus.XXXXXX")
ASSERT_DIR=$WORK
# shellcheck source=tests/integration/lib/assert.sh
. "$HERE/lib/assert.sh"
# shellcheck source=tests/integration/lib/replay.sh
. "$HERE/lib/replay.sh"

export IC_TEST_PASSWORD=pass1     # user1 on the lab Dovecot; the recordings show ***
export IC_TEST_PASSWORD2=pass2
PREFIX=imapconform-rt             # the prefix the recordings were made with
SERVE_IDLE_MS=3000
SERVE_PID=""

# The rules the grammar checker enforces on every response: a faulty transcript
# breaking them FAILs with "grammar violation [<rule>]" before any scenario
# line can name the requirement.
declare -A GRAMMAR_RULE=(
    [LEXT-26]=child-mbox-flag
    [LEXT-32]=childinfo-extended-item
    [LEXT-37]=mbx-list-flags
)

# shellcheck disable=SC2317  # called by the trap
cleanup() {
    if [ -n "$SERVE_PID" ]; then
        kill "$SERVE_PID" 2>/dev/null
        wait "$SERVE_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -x "$IC_BIN" ]; then
    echo "test_liststatus: $IC_BIN is missing or not executable (run make first)"
    exit 1
fi

# field N (1-based) of a " | "-separated row of cases.txt
field() {
    local row=$1 n=$2 i
    for ((i = 1; i < n; i++)); do
        row=${row#* | }
    done
    trim "${row%% | *}"
}

case_rows() {
    grep -vE '^[[:space:]]*(#|$)' "$DATA/cases.txt"
}

# the scenario file with this id
scenario_file() {
    grep -lx "id: $1" scenarios/liststatus/*.yaml scenarios/listext/*.yaml 2>/dev/null | head -n 1
}

# --- (a) the scenarios against the suite's Dovecot -----------------------------------------
assert_begin "liststatus: the scenarios lint clean"
assert_exit 0 timeout 30 "$IC_BIN" lint "${SCENARIOS[@]}"

assert_begin "liststatus: every LSTAT-, LEXT- and GEN- requirement is covered or explained"
for area in LSTAT- LEXT- GEN-; do
    assert_exit 0 timeout 30 "$IC_BIN" coverage "${SCENARIOS[@]}" --area "$area" --strict
done

# id -> verdict from the expectation file (a YAML list of {id, verdict, reason})
declare -A EXPECTED=()
while IFS=$'\t' read -r id verdict; do
    EXPECTED[$id]=$verdict
done < <(awk '/^- id:/ { id = $3 } /^  verdict:/ { print id "\t" $2 }' "$EXPECT")

assert_begin "dovecot: every scenario PASSes or gives the verdict $EXPECT records"
[ "${#EXPECTED[@]}" -ge 1 ] || _assert_fail "no {id, verdict} entries read from $EXPECT"
timeout 300 "$IC_BIN" run "imap://127.0.0.1:$IMAP_PORT" "${SCENARIOS[@]}" \
    --user user1 --password-env IC_TEST_PASSWORD --user2 user2 --password2-env IC_TEST_PASSWORD2 \
    --timeout 10000 --transcripts "$WORK/dovecot" >"$WORK/dovecot.out" 2>&1
grep -E '^(PASS|FAIL|NON-STRICT|INFO|UNSUPPORTED|ERROR) ' "$WORK/dovecot.out" >"$WORK/dovecot.verdicts"
nscen=$(timeout 30 "$IC_BIN" run --list "${SCENARIOS[@]}" 2>/dev/null | grep -cE '^(liststatus|listext)\.')
assert_line_count "$WORK/dovecot.verdicts" "$nscen"
while read -r verdict id _; do
    want=${EXPECTED[$id]:-PASS}
    if [ "$verdict" != "$want" ]; then
        _assert_fail "$id: expected $want, got $verdict"
        grep -A8 -F " $id " "$WORK/dovecot.out" | sed 's/^/        | /'
    fi
done <"$WORK/dovecot.verdicts"
for id in "${!EXPECTED[@]}"; do
    grep -qE "^[A-Z-]+ +${id//./\\.}( |\$)" "$WORK/dovecot.verdicts" ||
        _assert_fail "$EXPECT names $id, which the run did not report"
done

assert_begin "dovecot: with --expect $EXPECT the known deviations are XFAIL and the run exits 0"
assert_exit 0 timeout 300 "$IC_BIN" run "imap://127.0.0.1:$IMAP_PORT" "${SCENARIOS[@]}" \
    --user user1 --password-env IC_TEST_PASSWORD --user2 user2 --password2-env IC_TEST_PASSWORD2 \
    --timeout 10000 --expect "$EXPECT"
for id in "${!EXPECTED[@]}"; do
    assert_matches "$OUT" "^XFAIL +${id//./\\.}( |\$)"
done
assert_not_matches "$OUT" '^(FAIL|NON-STRICT|INFO|UNSUPPORTED|ERROR|XPASS) '

# --- (b) the replay data is what cases.txt says ---------------------------------------------
assert_begin "replay data: one good recording per scenario, one faulty transcript per case row, no passwords"
declare -A ROW_OF=()
while IFS= read -r row; do
    kind=$(field "$row" 1) name=$(field "$row" 2) id=$(field "$row" 3)
    case "$kind" in
        fault | real)
            ROW_OF[$name]=$row
            [ -f "$DATA/faulty/$name.txt" ] || _assert_fail "cases.txt row $name: no $DATA/faulty/$name.txt"
            ;;
        correct)
            head -n 1 "$DATA/good/$id.txt" 2>/dev/null | grep -q '^# corrected: ' ||
                _assert_fail "$DATA/good/$id.txt should start with \"# corrected: \" (a correct row names it)"
            ;;
        *) _assert_fail "cases.txt: unknown kind \"$kind\" in: $row" ;;
    esac
done < <(case_rows)
while read -r id; do
    [ -f "$DATA/good/$id.txt" ] || _assert_fail "scenario $id has no recording $DATA/good/$id.txt"
done < <(timeout 30 "$IC_BIN" run --list "${SCENARIOS[@]}" 2>/dev/null | grep -oE '^(liststatus|listext)\.[^ ]+')
for f in "$DATA"/faulty/*.txt; do
    name=$(basename "$f" .txt)
    [ -n "${ROW_OF[$name]:-}" ] || _assert_fail "$f is used by no row of $DATA/cases.txt"
    head -n 1 "$f" | grep -qE '^# fault: .{10,}' ||
        _assert_fail "$f: the first line must be \"# fault: <what was edited>\""
    id=$(sed -n 's/^# id: //p' "$f" | head -n 1)
    good=$DATA/good/$id.txt
    if [ ! -f "$good" ]; then
        _assert_fail "$f: its \"# id: $id\" has no recording $good"
        continue
    fi
    changed=$(diff <(tail -n +2 "$f") <(sed '1{/^# corrected: /d}' "$good") | grep -c '^[<>]')
    if [ "$changed" -lt 1 ] || [ "$changed" -gt 2 ]; then
        _assert_fail "$f: expected 1 or 2 changed lines against $good, got $changed"
    fi
done
if grep -lE 'pass[0-9]' "$DATA"/good/*.txt "$DATA"/faulty/*.txt >"$WORK/pw" 2>/dev/null; then
    _assert_fail "these files contain a password: $(tr '\n' ' ' <"$WORK/pw")"
fi

assert_begin "replay data: every covered requirement has a faulty transcript that names it"
while read -r req _; do
    rule=${GRAMMAR_RULE[$req]:-}
    if ! grep -qF "requirement $req " "$DATA/cases.txt" &&
        { [ -z "$rule" ] || ! grep -qF "grammar violation [$rule]" "$DATA/cases.txt"; }; then
        _assert_fail "no case row of $DATA/cases.txt expects \"requirement $req\"${rule:+ or \"grammar violation [$rule]\"}"
    fi
done < <(for area in LSTAT- LEXT- GEN-; do
    timeout 30 "$IC_BIN" coverage "${SCENARIOS[@]}" --area "$area"
done | grep -E '^(LSTAT|LEXT|GEN)-[0-9]+ ' | grep -v 'untestable:')

# --- (b) replay every good recording: PASS ----------------------------------------------------
for good in "$DATA"/good/*.txt; do
    id=$(basename "$good" .txt)
    scenario=$(scenario_file "$id")
    assert_begin "good: $id -> PASS"
    if [ -z "$scenario" ]; then
        _assert_fail "no scenario file with id $id"
        continue
    fi
    serve_start "$good" || continue
    replay "$scenario" 0
    serve_wait
    assert_line_count "$WORK/verdicts" 1
    assert_matches "$WORK/verdicts" "^PASS +${id//./\\.}( |\$)"
    if [ "$SERVE_RC" -ne 0 ]; then
        _assert_fail "expected imapconform serve to exit 0 (the client followed the recording), got $SERVE_RC"
        _assert_show "serve stderr" "$WORK/serve.err"
    fi
done

# --- (b) replay every faulty transcript: the row's verdict and texts ------------------------
while IFS= read -r row; do
    kind=$(field "$row" 1) name=$(field "$row" 2) id=$(field "$row" 3)
    [ "$kind" = fault ] || [ "$kind" = real ] || continue
    verdict=$(field "$row" 4) texts=$(field "$row" 5)
    transcript=$DATA/faulty/$name.txt
    scenario=$(scenario_file "$id")
    want_rc=0
    if [ "$verdict" = FAIL ] || [ "$verdict" = ERROR ]; then
        want_rc=1
    fi
    assert_begin "faulty: $name ($id) -> $verdict"
    echo "    $(head -n 1 "$transcript")"
    if [ -z "$scenario" ] || [ ! -f "$transcript" ]; then
        _assert_fail "bad row (no scenario with id $id, or no $transcript)"
        continue
    fi
    serve_start "$transcript" || continue
    replay "$scenario" "$want_rc"
    serve_stop
    assert_line_count "$WORK/verdicts" 1
    assert_matches "$WORK/verdicts" "^$verdict +${id//./\\.}( |\$)"
    contains_all "$WORK/run.out" "the run's output" "$texts"
done < <(case_rows)

assert_finish
