#!/usr/bin/env bash
# test_cyrus.sh: a second real server, Cyrus IMAP 3.6 (tests/integration/lib/cyrus.sh).
# Starts its own Cyrus in $LAB/cyrus on 127.0.0.1:CYRUS_PORT (default 10145,
# plain + STARTTLS) and CYRUS_IMAPS_PORT (default 10995), stops it by PID on
# exit, and checks:
#   (a) it comes up within 20 s (else the test FAILs with the log tail; it is
#       never skipped);
#   (b) `imapconform probe` logs in as user1, exits 0, and lists UIDPLUS and
#       LIST-STATUS as present;
#   (c) scenarios/listchangedsince: Cyrus has no LIST-CHANGEDSINCE, so
#       listchangedsince.capability.unknown-option-bad PASSes (BAD to the
#       unknown LIST option, RFC 5258 §3) and every other scenario is UNSUPPORTED;
#   (d) scenarios/uidplus and scenarios/liststatus with
#       --expect tests/expected/cyrus: every verdict is PASS, UNSUPPORTED or
#       XFAIL, every entry of the expectations is reported as XFAIL, and the
#       run exits 0.
#
# Run by tests/integration/run.sh (exports IC_BIN, LAB).
set -uo pipefail

: "${IC_BIN:?IC_BIN not set (run through tests/integration/run.sh)}"
: "${LAB:?LAB not set}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1
EXPECT=tests/expected/cyrus
CYRUS_LAB=$LAB/cyrus
export CYRUS_PORT=${CYRUS_PORT:-10145}
export CYRUS_IMAPS_PORT=${CYRUS_IMAPS_PORT:-10995}
TARGET=imap://127.0.0.1:$CYRUS_PORT
WORK=$(mktemp -d "$LAB/test_cyrus.XXXXXX")
ASSERT_DIR=$WORK
# shellcheck source=tests/integration/lib/assert.sh
. "$HERE/lib/assert.sh"
# shellcheck source=tests/integration/lib/cyrus.sh
. "$HERE/lib/cyrus.sh"

export IC_CYRUS_PASSWORD=pass1 IC_CYRUS_PASSWORD2=pass2
USERS=(--user user1 --password-env IC_CYRUS_PASSWORD --user2 user2 --password2-env IC_CYRUS_PASSWORD2)
BAD_CHECK=listchangedsince.capability.unknown-option-bad

# Verdicts that come from a scenario's own assumption, not from Cyrus:
# ID -> "VERDICT|fixed text the run's output must contain for it".
# (none at present; uidplus.codes.no-read-right now restores rights with
# SETACL, which Cyrus accepts, instead of DELETEACL of the owner's entry)
declare -A SCENARIO_ISSUES=()

# shellcheck disable=SC2317  # called by the trap
cleanup() {
    cyrus_stop "$CYRUS_LAB"
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -x "$IC_BIN" ]; then
    echo "test_cyrus: $IC_BIN is missing or not executable (run make first)"
    exit 1
fi

# --- (a) start ----------------------------------------------------------------------------------
assert_begin "cyrus: starts and greets on 127.0.0.1:$CYRUS_PORT within 20 s"
start=$SECONDS
if ! CYRUS_START_TIMEOUT=20 cyrus_start "$CYRUS_LAB" >"$WORK/start.out" 2>&1; then
    _assert_fail "cyrus_start $CYRUS_LAB failed"
    _assert_show "its output" "$WORK/start.out"
    assert_finish
fi
cat "$WORK/start.out"
echo "    (started in $((SECONDS - start)) s)"

# --- (b) probe ----------------------------------------------------------------------------------
assert_begin "cyrus: probe logs in, exits 0, UIDPLUS and LIST-STATUS present"
if assert_exit 0 timeout 30 "$IC_BIN" probe "$TARGET" --user user1 --password-env IC_CYRUS_PASSWORD \
    --timeout 10000; then
    assert_contains "$OUT" "Cyrus IMAP"
    assert_matches "$OUT" '^  UIDPLUS +SHALL +present '
    assert_matches "$OUT" '^  LIST-STATUS +SHALL +present '
    assert_matches "$OUT" '^result: OK'
fi

# run_scenarios NAME ARGS...: runs imapconform run on $TARGET; output in
# $WORK/NAME.out, verdict lines in $WORK/NAME.verdicts, exit status in RUN_RC.
run_scenarios() {
    local name=$1
    shift
    timeout 300 "$IC_BIN" run "$TARGET" "$@" "${USERS[@]}" --timeout 10000 --color never \
        >"$WORK/$name.out" 2>&1
    RUN_RC=$?
    grep -E '^(PASS|FAIL|NON-STRICT|INFO|UNSUPPORTED|ERROR|XFAIL|XPASS) ' "$WORK/$name.out" \
        >"$WORK/$name.verdicts"
}

# --- (c) LIST-CHANGEDSINCE: absent ---------------------------------------------------------------
assert_begin "cyrus: listchangedsince: $BAD_CHECK PASSes, every other scenario is UNSUPPORTED"
run_scenarios lcs scenarios/listchangedsince
[ "$RUN_RC" -eq 0 ] || _assert_fail "imapconform run exited $RUN_RC, expected 0"
nscen=$(timeout 30 "$IC_BIN" run --list scenarios/listchangedsince 2>/dev/null | grep -c '^listchangedsince\.')
[ "$nscen" -ge 10 ] || _assert_fail "run --list shows only $nscen scenarios"
assert_line_count "$WORK/lcs.verdicts" "$nscen"
while read -r verdict id _; do
    if [ "$id" = "$BAD_CHECK" ]; then
        [ "$verdict" = PASS ] || _assert_fail "$id: expected PASS, got $verdict"
    elif [ "$verdict" != UNSUPPORTED ]; then
        _assert_fail "$id: expected UNSUPPORTED, got $verdict"
        grep -A6 -F " $id " "$WORK/lcs.out" | sed 's/^/        | /'
    fi
done <"$WORK/lcs.verdicts"
assert_matches "$WORK/lcs.verdicts" "^PASS +${BAD_CHECK//./\\.} "

# --- (d) UIDPLUS and LIST-STATUS with the expectations ----------------------------------------------
declare -A EXPECTED=()
while IFS=$'\t' read -r id verdict; do
    EXPECTED[$id]=$verdict
done < <(awk '/^- id:/ { id = $3 } /^  verdict:/ { print id "\t" $2 }' "$EXPECT"/*.yaml)

for area in uidplus liststatus; do
    assert_begin "cyrus: $area with --expect $EXPECT: PASS, UNSUPPORTED or XFAIL only, exit 0"
    run_scenarios "$area" "scenarios/$area" --expect "$EXPECT"
    nscen=$(timeout 30 "$IC_BIN" run --list "scenarios/$area" 2>/dev/null | grep -c "^$area\\.")
    [ "$nscen" -ge 10 ] || _assert_fail "run --list shows only $nscen $area scenarios"
    assert_line_count "$WORK/$area.verdicts" "$nscen"
    [ "$RUN_RC" -eq 0 ] || _assert_fail "imapconform run --expect $EXPECT exited $RUN_RC, expected 0"
    while read -r verdict id _; do
        issue=${SCENARIO_ISSUES[$id]:-}
        if [ -n "$issue" ]; then
            if [ "$verdict" = PASS ]; then
                continue
            fi
            if [ "$verdict" != "${issue%%|*}" ]; then
                _assert_fail "$id: expected PASS or ${issue%%|*} (known scenario issue), got $verdict"
                grep -A8 -F " $id " "$WORK/$area.out" | sed 's/^/        | /'
            elif ! grep -A8 -F " $id " "$WORK/$area.out" | grep -qF -- "${issue#*|}"; then
                _assert_fail "$id: $verdict, but not for the known scenario issue (\"${issue#*|}\")"
                grep -A8 -F " $id " "$WORK/$area.out" | sed 's/^/        | /'
            else
                echo "    note: $id is ${issue%%|*} because of the scenario (DELETEACL of the owner's entry refused), not of Cyrus"
            fi
            continue
        fi
        case "$verdict" in
            PASS | UNSUPPORTED) ;;
            XFAIL)
                [ -n "${EXPECTED[$id]:-}" ] || _assert_fail "$id: XFAIL but $EXPECT does not name it"
                ;;
            *)
                _assert_fail "$id: got $verdict (expected PASS, UNSUPPORTED, or XFAIL from $EXPECT)"
                grep -A8 -F " $id " "$WORK/$area.out" | sed 's/^/        | /'
                ;;
        esac
    done <"$WORK/$area.verdicts"
    for id in "${!EXPECTED[@]}"; do
        case "$id" in
            "$area".*)
                assert_matches "$WORK/$area.verdicts" "^XFAIL +${id//./\\.}( |\$)" ;;
        esac
    done
    grep -E '^[0-9]+ scenarios? in ' "$WORK/$area.out" | sed 's/^/    /'
done

assert_begin "cyrus: still running after the runs, and stops by PID"
pid=$(cat "$CYRUS_LAB/cyrus.pid" 2>/dev/null)
if [ -z "$pid" ] || ! kill -0 "$pid" 2>/dev/null; then
    _assert_fail "the Cyrus master (PID ${pid:-none}) is gone"
else
    cyrus_stop "$CYRUS_LAB"
    if kill -0 "$pid" 2>/dev/null; then
        _assert_fail "PID $pid still running after cyrus_stop"
    fi
    if lab_port_busy "$CYRUS_PORT"; then
        _assert_fail "127.0.0.1:$CYRUS_PORT still accepts connections after cyrus_stop"
    fi
fi

assert_finish
