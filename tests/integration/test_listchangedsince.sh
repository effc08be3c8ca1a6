#!/usr/bin/env bash
# test_listchangedsince.sh: the LIST-CHANGEDSINCE scenarios (OMA CPM 2.1
# Appendix I), scenarios/listchangedsince.
#   (a) lint and coverage (--area LCS- --strict);
#   (b) against the suite's Dovecot, which does not implement the option:
#       listchangedsince.capability.unknown-option-bad PASSes (BAD to the
#       unknown option, RFC 5258 §3) and every other scenario is UNSUPPORTED
#       (they require LIST-CHANGEDSINCE, or need the option accepted); the same
#       on the NOMODSEQ Dovecot when it is up (NOMODSEQ_PORT);
#   (c) replays, table-driven from tests/data/responder/listchangedsince/cases.txt:
#       every good/ transcript (scripted from a Dovecot recording, or a real
#       one) must PASS with the responder seeing the client follow it to the
#       end; every faulty/ transcript must give its row's verdict, with the
#       requirement ID and the key phrase in the output.
# tests/data/responder/listchangedsince/make.sh regenerates good/ and faulty/.
#
# Run by tests/integration/run.sh (exports IC_BIN, LAB, IMAP_PORT).
set -uo pipefail

: "${IC_BIN:?IC_BIN not set (run through tests/integration/run.sh)}"
: "${LAB:?LAB not set}"
: "${IMAP_PORT:?IMAP_PORT not set}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1
DATA=tests/data/responder/listchangedsince
SCENARIOS=scenarios/listchangedsince
BAD_CHECK=listchangedsince.capability.unknown-option-bad
WORK=$(mktemp -d "$LAB/test_listchangedsince.XXXXXX")
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
    echo "test_listchangedsince: $IC_BIN is missing or not executable (run make first)"
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
    grep -lx "id: $1" "$SCENARIOS"/*.yaml 2>/dev/null | head -n 1
}

# --- (a) lint, coverage ---------------------------------------------------------------------
assert_begin "listchangedsince: the scenarios lint clean"
assert_exit 0 timeout 30 "$IC_BIN" lint "$SCENARIOS"

assert_begin "listchangedsince: every LCS- requirement is covered or explained"
assert_exit 0 timeout 30 "$IC_BIN" coverage "$SCENARIOS" --area LCS- --strict

# --- (b) against Dovecot ----------------------------------------------------------------------
# live NAME PORT: runs every scenario; the BAD check PASSes, the rest are UNSUPPORTED.
live() {
    local name=$1 port=$2 nscen verdict id
    assert_begin "$name: $BAD_CHECK PASSes, every other scenario is UNSUPPORTED"
    timeout 120 "$IC_BIN" run "imap://127.0.0.1:$port" "$SCENARIOS" \
        --user user1 --password-env IC_TEST_PASSWORD --user2 user2 --password2-env IC_TEST_PASSWORD2 \
        --timeout 10000 --color never >"$WORK/$name.out" 2>&1
    grep -E '^(PASS|FAIL|NON-STRICT|INFO|UNSUPPORTED|ERROR) ' "$WORK/$name.out" >"$WORK/$name.verdicts"
    nscen=$(timeout 30 "$IC_BIN" run --list "$SCENARIOS" 2>/dev/null | grep -c '^listchangedsince\.')
    [ "$nscen" -ge 10 ] || _assert_fail "run --list shows only $nscen scenarios"
    assert_line_count "$WORK/$name.verdicts" "$nscen"
    while read -r verdict id _; do
        if [ "$id" = "$BAD_CHECK" ]; then
            [ "$verdict" = PASS ] || _assert_fail "$id: expected PASS, got $verdict"
        elif [ "$verdict" != UNSUPPORTED ]; then
            _assert_fail "$id: expected UNSUPPORTED, got $verdict"
            grep -A6 -F " $id " "$WORK/$name.out" | sed 's/^/        | /'
        fi
    done <"$WORK/$name.verdicts"
    assert_matches "$WORK/$name.verdicts" "^PASS +${BAD_CHECK//./\\.} "
}
live dovecot "$IMAP_PORT"
if [ -n "${NOMODSEQ_PORT:-}" ]; then
    live dovecot-nomodseq "$NOMODSEQ_PORT"
else
    echo "    (NOMODSEQ_PORT not set: the NOMODSEQ Dovecot run is skipped)"
fi

# --- (c) the replay data is what cases.txt says -----------------------------------------------
assert_begin "replay data: one good transcript per scenario, one faulty transcript per case row, no passwords"
declare -A ROW_OF=()
declare -A SCRIPTED=()
while IFS= read -r row; do
    kind=$(field "$row" 1) name=$(field "$row" 2) id=$(field "$row" 3)
    case "$kind" in
        fault | dovecot)
            ROW_OF[$name]=$row
            [ -f "$DATA/faulty/$name.txt" ] || _assert_fail "cases.txt row $name: no $DATA/faulty/$name.txt"
            ;;
        script) SCRIPTED[$id]=1 ;;
        *) _assert_fail "cases.txt: unknown kind \"$kind\" in: $row" ;;
    esac
done < <(case_rows)
while read -r id; do
    good=$DATA/good/$id.txt
    if [ ! -f "$good" ]; then
        _assert_fail "scenario $id has no transcript $good"
    elif [ -n "${SCRIPTED[$id]:-}" ]; then
        head -n 1 "$good" | grep -qE '^# scripted: .{10,}' ||
            _assert_fail "$good is scripted (cases.txt) but does not start with \"# scripted: <what>\""
    elif head -n 1 "$good" | grep -q '^# scripted: '; then
        _assert_fail "$good says \"# scripted:\" but no script row of cases.txt names $id"
    fi
done < <(timeout 30 "$IC_BIN" run --list "$SCENARIOS" 2>/dev/null | grep -oE '^listchangedsince\.[^ ]+')
for f in "$DATA"/faulty/*.txt; do
    name=$(basename "$f" .txt)
    row=${ROW_OF[$name]:-}
    if [ -z "$row" ]; then
        _assert_fail "$f is used by no row of $DATA/cases.txt"
        continue
    fi
    head -n 1 "$f" | grep -qE '^# fault: .{10,}' ||
        _assert_fail "$f: the first line must be \"# fault: <what was edited>\""
    [ "$(field "$row" 1)" = fault ] || continue
    id=$(sed -n 's/^# id: //p' "$f" | head -n 1)
    good=$DATA/good/$id.txt
    if [ ! -f "$good" ]; then
        _assert_fail "$f: its \"# id: $id\" has no transcript $good"
        continue
    fi
    changed=$(diff <(tail -n +2 "$f") <(sed '1{/^# scripted: /d}' "$good") | grep -c '^[<>]')
    if [ "$changed" -lt 1 ] || [ "$changed" -gt 4 ]; then
        _assert_fail "$f: expected at most two edited lines against $good, got $changed diff lines"
    fi
done
if grep -lE 'pass[0-9]' "$DATA"/good/*.txt "$DATA"/faulty/*.txt >"$WORK/pw" 2>/dev/null; then
    _assert_fail "these files contain a password: $(tr '\n' ' ' <"$WORK/pw")"
fi

assert_begin "replay data: every covered LCS requirement has a faulty transcript that names it"
while read -r req _; do
    grep -qF "requirement $req " "$DATA/cases.txt" ||
        _assert_fail "no case row of $DATA/cases.txt expects \"requirement $req\""
done < <(timeout 30 "$IC_BIN" coverage "$SCENARIOS" --area LCS- | grep -E '^LCS-[0-9]+ ' | grep -v 'untestable:')

# --- (c) replay every good transcript: PASS ---------------------------------------------------
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
        _assert_fail "expected imapconform serve to exit 0 (the client followed the transcript), got $SERVE_RC"
        _assert_show "serve stderr" "$WORK/serve.err"
    fi
done

# --- (c) replay every faulty transcript: the row's verdict and texts --------------------------
while IFS= read -r row; do
    kind=$(field "$row" 1) name=$(field "$row" 2) id=$(field "$row" 3)
    [ "$kind" = fault ] || [ "$kind" = dovecot ] || continue
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
