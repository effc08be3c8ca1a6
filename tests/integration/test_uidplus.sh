#!/usr/bin/env bash
# test_uidplus.sh: the UIDPLUS scenarios (scenarios/uidplus, RFC 4315).
#
#  (a) against the lab Dovecot: every scenario's verdict is PASS, or the one
#      tests/expected/dovecot/uidplus.yaml records for it (a known, RFC-checked
#      deviation of Dovecot 2.3.19); the same run with --expect exits 0;
#  (b) against recorded servers (imapconform serve): every correct recording in
#      tests/data/responder/uidplus/good/ replays to PASS, and every faulty one
#      (a recording with one edit, see make-faults.sh there) gives the verdict
#      and names the requirement of the CASES table below.
#
# Run by tests/integration/run.sh, which exports IC_BIN, LAB, IMAP_PORT,
# IMAPS_PORT and CA_FILE.
set -uo pipefail

: "${IC_BIN:?IC_BIN not set (run through tests/integration/run.sh)}"
: "${LAB:?LAB not set}" "${IMAP_PORT:?}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SCENARIOS=$ROOT/scenarios/uidplus
EXPECTED=$ROOT/tests/expected/dovecot/uidplus.yaml
DATA=$ROOT/tests/data/responder/uidplus
WORK=$(mktemp -d "$LAB/test_uidplus.XXXXXX")
ASSERT_DIR=$WORK
# shellcheck source=tests/integration/lib/assert.sh
. "$HERE/lib/assert.sh"

export IC_UIDPLUS_PASSWORD=pass1 IC_UIDPLUS_PASSWORD2=pass2
USERS=(--user user1 --password-env IC_UIDPLUS_PASSWORD --user2 user2 --password2-env IC_UIDPLUS_PASSWORD2)
PREFIX=imapconform-rt   # the prefix the recordings were made with

# --- faulty recordings: FILE  VERDICT  TEXT-THE-OUTPUT-MUST-CONTAIN ------------
# TEXT is the "requirement ..." line of the failure (its ID list), or the
# grammar rule for a "*" in a UID set (caught by the grammar checker first).
CASES=(
    "capability-no-uidplus         FAIL        requirement UIDPLUS-01"
    "expunge-keeps-deleted-in-set  FAIL        requirement UIDPLUS-02"
    "expunge-outside-set           FAIL        requirement UIDPLUS-03"
    "expunge-not-deleted-removed   FAIL        requirement UIDPLUS-03"
    "expunge-response-missing      FAIL        requirement UIDPLUS-04"
    "expunge-no-args-no            FAIL        requirement UIDPLUS-05"
    "examine-expunge-ok            FAIL        requirement UIDPLUS-05"
    "expunge-star-short            FAIL        requirement UIDPLUS-06"
    "returned-no-appenduid         NON-STRICT  requirement UIDPLUS-07, UIDPLUS-08"
    "no-read-right-appenduid       NON-STRICT  requirement UIDPLUS-09, UIDPLUS-10"
    "appenduid-wrong-uidvalidity   FAIL        requirement UIDPLUS-12"
    "appenduid-wrong-uid           FAIL        requirement UIDPLUS-12"
    "appenduid-uid-set             FAIL        requirement UIDPLUS-13"
    "appenduid-range               FAIL        requirement UIDPLUS-14"
    "multiappend-missing-uid       FAIL        requirement UIDPLUS-15"
    "multiappend-reversed          FAIL        requirement UIDPLUS-15"
    "multiappend-permuted          FAIL        requirement UIDPLUS-15"
    "multiappend-extra-uid         FAIL        requirement UIDPLUS-16"
    "multiappend-star              FAIL        grammar violation [uid-set]"
    "ascending-not-higher          FAIL        requirement UIDPLUS-17"
    "appenduid-untagged            FAIL        requirement UIDPLUS-18"
    "copy-count-mismatch           FAIL        requirement UIDPLUS-19"
    "copy-dst-not-copies           FAIL        requirement UIDPLUS-19"
    "copy-dst-reversed             FAIL        requirement UIDPLUS-19"
    "uid-copy-dst-permuted         FAIL        requirement UIDPLUS-19"
    "move-dst-reversed             FAIL        requirement UIDPLUS-19"
    "uid-copy-single-wrong-dst     FAIL        requirement UIDPLUS-19"
    "uid-copy-src-echoed           FAIL        requirement UIDPLUS-20"
    "uid-copy-src-star             FAIL        grammar violation [uid-set]"
    "copy-untagged                 FAIL        requirement UIDPLUS-21"
    "no-match-copyuid              FAIL        requirement UIDPLUS-22"
    "uidnotsticky-untagged-ok      FAIL        requirement UIDPLUS-23"
    "uidnotsticky-store            NON-STRICT  requirement UIDPLUS-24"
    "uidvalidity-changes           NON-STRICT  requirement UIDPLUS-25"
    "qresync-expunge-not-vanished  FAIL        requirement UIDPLUS-26"
    "qresync-no-highestmodseq      FAIL        requirement UIDPLUS-26"
    "read-only-removes             FAIL        requirement UIDPLUS-27"
    "move-no-copyuid               NON-STRICT  requirement UIDPLUS-28"
)

# The verdict tests/expected/dovecot/uidplus.yaml gives scenario $1 (PASS if none).
expected_verdict() {
    awk -v id="$1" '
        /^- id:/ { cur = $3 }
        /^  verdict:/ && cur == id { print $2; found = 1; exit }
        END { if (!found) print "PASS" }' "$EXPECTED"
}

# The scenario file whose id is $1.
scenario_file() {
    grep -l -x -- "id: $1" "$SCENARIOS"/*.yaml | head -n 1
}

# --- the responder ---------------------------------------------------------------
SERVE_PID=""
# serve_start FILE: starts `imapconform serve FILE`, sets SERVE_PORT.
serve_start() {
    local ready=$WORK/serve.ready
    : >"$ready"
    timeout 60 "$IC_BIN" serve "$1" --listen 127.0.0.1:0 --idle-timeout 10000 \
        >"$ready" 2>"$WORK/serve.err" &
    SERVE_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        SERVE_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$ready")
        [ -n "$SERVE_PORT" ] && return 0
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.05
    done
    _assert_fail "imapconform serve $1 did not start" "$(cat "$WORK/serve.err")"
    return 1
}

# serve_stop: waits (at most 10 s) for the responder; SERVE_RC is its exit code.
serve_stop() {
    local i
    for ((i = 0; i < 100; i++)); do
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID"
    SERVE_RC=$?
    SERVE_PID=""
}

# shellcheck disable=SC2317  # called by the trap
cleanup() {
    if [ -n "$SERVE_PID" ]; then
        kill "$SERVE_PID" 2>/dev/null
        wait "$SERVE_PID" 2>/dev/null
    fi
}
trap cleanup EXIT

# replay FILE: replays the recording FILE against its scenario; the run's
# stdout/stderr land in $OUT/$ERR, its exit code in RUN_RC, serve's in SERVE_RC.
replay() {
    local file=$1 id sc
    id=$(sed -n 's/^# id: //p' "$file" | head -n 1)
    sc=$(scenario_file "$id")
    if [ -z "$sc" ]; then
        _assert_fail "no scenario with id '$id' (from $file)"
        return 1
    fi
    serve_start "$file" || return 1
    timeout 60 "$IC_BIN" run "imap://127.0.0.1:$SERVE_PORT" "$sc" "${USERS[@]}" \
        --prefix "$PREFIX" --no-sweep --timeout 3000 --color never >"$OUT" 2>"$ERR"
    RUN_RC=$?
    serve_stop
    return 0
}

if [ ! -x "$IC_BIN" ]; then
    echo "test_uidplus: $IC_BIN is missing or not executable (run make first)"
    exit 1
fi

# --- (a) the lab Dovecot ---------------------------------------------------------
TARGET=imap://127.0.0.1:$IMAP_PORT
assert_begin "lab Dovecot: every uidplus scenario PASSes or gives its expected verdict"
timeout 120 "$IC_BIN" run "$TARGET" "$SCENARIOS" "${USERS[@]}" --color never \
    --transcripts "$WORK/transcripts" >"$WORK/dovecot.out" 2>"$WORK/dovecot.err"
rc=$?
ids=$(sed -n 's/^id: //p' "$SCENARIOS"/*.yaml | sort)
n=0
for id in $ids; do
    n=$((n + 1))
    want=$(expected_verdict "$id")
    got=$(awk -v id="$id" '$2 == id && $1 ~ /^[A-Z-]+$/ { print $1; exit }' "$WORK/dovecot.out")
    if [ "$got" != "$want" ]; then
        _assert_fail "$id: expected $want, got ${got:-no verdict line}" \
            "$(grep -A6 -F -- " $id " "$WORK/dovecot.out" | head -n 8)"
    fi
done
[ "$n" -ge 17 ] || _assert_fail "only $n scenarios found under $SCENARIOS"
if grep -q '^  verdict: FAIL' "$EXPECTED"; then
    [ "$rc" -eq 1 ] || _assert_fail "a run with an expected FAIL exited $rc (expected 1)"
fi
assert_not_contains "$WORK/dovecot.out" pass1
if grep -rq pass1 "$WORK/transcripts" 2>/dev/null; then
    _assert_fail "a transcript contains the password"
fi

assert_begin "lab Dovecot: with --expect the known deviations are XFAIL and the run exits 0"
if assert_exit 0 timeout 120 "$IC_BIN" run "$TARGET" "$SCENARIOS" "${USERS[@]}" --color never \
    --expect "$EXPECTED"; then
    xfails=$(grep -c '^  verdict:' "$EXPECTED")
    assert_matches "$OUT" "[0-9]+ PASS, 0 FAIL, 0 NON-STRICT, 0 INFO, 0 UNSUPPORTED, 0 ERROR, $xfails XFAIL"
fi

# --- (b) recorded servers ----------------------------------------------------------
for f in "$DATA"/good/*.txt; do
    id=$(basename "$f" .txt)
    assert_begin "replay good/$id.txt: PASS, serve followed the recording"
    replay "$f" || continue
    if [ "$RUN_RC" -ne 0 ]; then
        _assert_fail "run exited $RUN_RC (expected 0)"
        _assert_show stdout "$OUT"
    fi
    assert_matches "$OUT" "^PASS +$id"
    [ "$SERVE_RC" -eq 0 ] || _assert_fail "serve exited $SERVE_RC (expected 0)" "$(cat "$WORK/serve.err")"
done

for row in "${CASES[@]}"; do
    read -r name verdict text <<<"$row"
    file=$DATA/$name.txt
    assert_begin "replay $name.txt: $verdict, $text"
    if [ ! -f "$file" ]; then
        _assert_fail "missing $file"
        continue
    fi
    if ! head -n 1 "$file" | grep -q '^# fault: '; then
        _assert_fail "$file does not start with '# fault: '"
    fi
    replay "$file" || continue
    id=$(sed -n 's/^# id: //p' "$file" | head -n 1)
    want_rc=1
    [ "$verdict" = NON-STRICT ] && want_rc=0
    if [ "$RUN_RC" -ne "$want_rc" ]; then
        _assert_fail "run exited $RUN_RC (expected $want_rc)"
    fi
    assert_matches "$OUT" "^$verdict +$id"
    assert_contains "$OUT" "$text"
done

assert_begin "every faulty transcript in $DATA is in the CASES table"
for f in "$DATA"/*.txt; do
    name=$(basename "$f" .txt)
    found=0
    for row in "${CASES[@]}"; do
        [ "${row%% *}" = "$name" ] && found=1
    done
    [ "$found" -eq 1 ] || _assert_fail "$name.txt has no row in CASES"
done

assert_finish
