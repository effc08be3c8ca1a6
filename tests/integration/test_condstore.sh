#!/usr/bin/env bash
# test_condstore.sh: the ENABLE (RFC 5161) and CONDSTORE (RFC 7162 §3.1)
# scenarios, scenarios/enable and scenarios/condstore.
#   (a) against the suite's Dovecot: every scenario PASSes, or gives exactly the
#       verdict tests/expected/dovecot/condstore.yaml records for it (with
#       `run --expect` those become XFAIL and the run exits 0);
#   (b) replays, table-driven (CASES below): every good/ recording must PASS
#       (and the responder must see the client follow it to the end); every
#       faulty transcript must give the verdict of its row, with the requirement
#       ID (or, for a rule the grammar checker enforces first, the grammar rule)
#       in the output.
# tests/data/responder/condstore/make-faulty.py rebuilds the faulty transcripts
# from good/ (and good/ itself from a new recording with --raw DIR).
#
# Run by tests/integration/run.sh (exports IC_BIN, LAB, IMAP_PORT).
set -uo pipefail

: "${IC_BIN:?IC_BIN not set (run through tests/integration/run.sh)}"
: "${LAB:?LAB not set}"
: "${IMAP_PORT:?IMAP_PORT not set}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1
DATA=tests/data/responder/condstore
EXPECT=tests/expected/dovecot/condstore.yaml
SCENARIOS=(scenarios/enable scenarios/condstore)
WORK=$(mktemp -d "$LAB/test_condstore.XXXXXX")
ASSERT_DIR=$WORK
# shellcheck source=tests/integration/lib/assert.sh
. "$HERE/lib/assert.sh"
# shellcheck source=tests/integration/lib/replay.sh
. "$HERE/lib/replay.sh"

export IC_TEST_PASSWORD=pass1     # user1 on the lab Dovecot; the recordings show ***
export IC_TEST_PASSWORD2=pass2    # user2
PREFIX=imapconform-rt             # the prefix the recordings were made with
SERVE_IDLE_MS=3000
SERVE_PID=""

# One row per faulty transcript $DATA/<case>.txt, fields separated by " | ":
#   case | kind | expected verdict | texts the run's output must contain (" ;; "-separated)
# kind: edit  = good/<id>.txt with one server line changed, removed or added
#       real  = Dovecot's own, unedited dialogue (a recorded deviation; its
#               good/<id>.txt is that dialogue corrected by hand, "# fixed: ...")
# The scenario is the one named by the transcript's "# id:" line.  CS-48 is
# enforced by the grammar checker on every response before any scenario line
# sees the value, so its row expects the grammar rule instead of the ID.
CASES=$(
    cat <<'EOF'
enable-01-capability-without-enable      | edit | FAIL       | requirement ENABLE-01 ;; missing CAPABILITY member ENABLE
enable-02-unknown-argument-bad           | edit | FAIL       | requirement ENABLE-02 ;; expected OK, got BAD
enable-03-idle-enabled                   | edit | FAIL       | requirement ENABLE-03 ;; forbidden response received: "* ENABLED IDLE"
enable-04-condstore-not-in-effect        | edit | FAIL       | requirement ENABLE-04 ;; no response matched "* OK [HIGHESTMODSEQ $h] ..."
enable-05-condstore-lost-after-close     | edit | FAIL       | requirement ENABLE-05 ;; missing FETCH item MODSEQ
enable-06-no-enabled-response            | edit | FAIL       | requirement ENABLE-06 ;; no response matched "* ENABLED ..."
enable-06-dovecot-no-empty-enabled       | real | FAIL       | requirement ENABLE-06 ;; no response matched "* ENABLED ..."
enable-07-bad-argument-accepted          | edit | FAIL       | requirement ENABLE-07 ;; expected BAD, got OK
enable-07-dovecot-no-arguments-ok        | real | FAIL       | requirement ENABLE-07 ;; expected BAD, got OK
enable-09-not-additive                   | edit | FAIL       | requirement ENABLE-09 ;; no response matched "* VANISHED $u3"
enable-10-enabled-repeats-earlier        | edit | NON-STRICT | requirement ENABLE-10 ;; forbidden response received: "* ENABLED CONDSTORE"
enable-12-capability-changed             | edit | FAIL       | requirement ENABLE-12 ;; forbidden response received: "* CAPABILITY
enable-13-unknown-echoed                 | edit | FAIL       | requirement ENABLE-13 ;; forbidden response received: "* ENABLED X-IMAPCONFORM-NO-SUCH-EXTENSION
enable-14-lower-case-ignored             | edit | FAIL       | requirement ENABLE-14 ;; missing ENABLED member CONDSTORE
cs-01-capability-without-condstore       | edit | FAIL       | requirement CS-01 ;; missing CAPABILITY member CONDSTORE
cs-02-message-without-modseq             | edit | FAIL       | requirement CS-02 ;; no response matched "* 3 FETCH (MODSEQ ($m3))"
cs-03-same-modseq-two-sessions           | edit | FAIL       | requirement CS-03 ;; $m1 != $m2
cs-04-modseq-decreasing                  | edit | FAIL       | requirement CS-04 ;; $m2 > $m1
cs-05-flag-removal-keeps-modseq          | edit | FAIL       | requirement CS-05 ;; $m3 != $m1
cs-06-no-op-store-bumps-modseq           | edit | NON-STRICT | requirement CS-06 ;; expected MODSEQ $m1 (3)
cs-07-append-modseq-not-higher           | edit | FAIL       | requirement CS-07 ;; $appended > $m2
cs-09-store-fetch-without-modseq         | edit | FAIL       | requirement CS-09 ;; missing FETCH item MODSEQ
cs-10-unsolicited-fetch-without-modseq   | edit | FAIL       | requirement CS-10 ;; missing FETCH item MODSEQ
cs-11-no-highestmodseq-on-first-enabling | edit | FAIL       | requirement CS-11 ;; no response matched "* OK [HIGHESTMODSEQ $h] ..."
cs-12-select-after-enable-without-code   | edit | FAIL       | requirement CS-12 ;; no response matched "* OK [HIGHESTMODSEQ $h] ..."
cs-13-examine-without-highestmodseq      | edit | FAIL       | requirement CS-13 ;; no response matched "* OK [HIGHESTMODSEQ $h2] ..."
cs-14-highestmodseq-below-max            | edit | FAIL       | requirement CS-14 ;; $h >= $m2
cs-16-conditional-store-reports-modified | edit | FAIL       | requirement CS-16 ;; forbidden response received: "t3 OK [MODIFIED 1]
cs-17-silent-conditional-store-no-fetch  | edit | FAIL       | requirement CS-17 ;; no response matched "* 1 FETCH (MODSEQ ($m1))"
cs-18-failed-store-performed             | edit | FAIL       | requirement CS-18 ;; missing FLAGS member Processed
cs-19-no-modified-code                   | edit | FAIL       | requirement CS-19 ;; response code MODIFIED missing
cs-19-uid-store-modified-message-number  | edit | FAIL       | requirement CS-19 ;; $modified == $u2
cs-20-modified-stops-at-first-failure    | edit | FAIL       | requirement CS-20 ;; $modified == 2,4
cs-21-unchangedsince-zero-succeeds       | edit | FAIL       | requirement CS-21 ;; response code MODIFIED missing
cs-22-dovecot-spurious-modified          | real | NON-STRICT | requirement CS-22 ;; forbidden response received: "t4 OK [MODIFIED 1]
cs-23-replace-flags-performed            | edit | FAIL       | requirement CS-23 ;; response code MODIFIED missing
cs-24-modified-without-fetch             | edit | NON-STRICT | requirement CS-24 ;; no response matched "* 2 FETCH (FLAGS (Processed ...) MODSEQ ($m))"
cs-26-duplicate-fails                    | edit | FAIL       | requirement CS-26 ;; forbidden response received: "t2 OK [MODIFIED 2]
cs-27-modseq-not-updated-by-other-session | edit | FAIL      | requirement CS-27 ;; $m3 > $m2
cs-28-changedsince-greater-or-equal      | edit | FAIL       | requirement CS-28 ;; forbidden response received: "* 2 FETCH
cs-29-changedsince-without-modseq        | edit | FAIL       | requirement CS-29 ;; missing FETCH item MODSEQ
cs-30-fetch-modseq-not-returned          | edit | FAIL       | requirement CS-30 ;; missing FETCH item MODSEQ
cs-31-dovecot-unsolicited-without-uid    | real | NON-STRICT | requirement CS-31 ;; missing FETCH item UID
cs-32-other-session-change-not-reported  | edit | FAIL       | requirement CS-32 ;; no response matched "* 3 FETCH (FLAGS (\Seen ...) MODSEQ ($m3))"
cs-33-search-modseq-strictly-greater     | edit | FAIL       | requirement CS-33 ;; no response matched "* SEARCH $a $b (MODSEQ $x)"
cs-35-entry-name-rejected                | edit | FAIL       | requirement CS-35 ;; expected OK, got BAD
cs-36-search-without-suffix              | edit | FAIL       | requirement CS-36 ;; no response matched "* SEARCH $a $b (MODSEQ $x)"
cs-37-suffix-without-modseq-criterion    | edit | FAIL       | requirement CS-37 ;; no response matched "* SEARCH $c $d $e"
cs-38-status-differs-from-select         | edit | FAIL       | requirement CS-38 ;; no response matched "* OK [HIGHESTMODSEQ $hs] ..."
cs-39-select-param-no-modseq             | edit | FAIL       | requirement CS-39 ;; missing FETCH item MODSEQ
cs-40-examine-condstore-rejected         | edit | FAIL       | requirement CS-40 ;; expected OK, got BAD
cs-41-sort-without-suffix                | edit | FAIL       | requirement CS-41 ;; no response matched "* SORT 2 3 (MODSEQ $x)"
cs-42-thread-with-suffix                 | edit | FAIL       | requirement CS-42 ;; no response matched "* THREAD $t1 $t2 $t3"
cs-43-esearch-without-modseq             | edit | FAIL       | requirement CS-43 ;; no response matched "* ESEARCH (TAG $_) ALL $all MODSEQ $x"
cs-44-esort-without-modseq               | edit | FAIL       | requirement CS-44 ;; no response matched "* ESEARCH (TAG $_) ALL $all MODSEQ $x"
cs-45-fetch-of-seen-message-bumps-modseq | edit | NON-STRICT | requirement CS-45 ;; expected MODSEQ $m1 (3)
cs-46-lower-case-examine-rejected        | edit | FAIL       | requirement CS-46 ;; expected OK, got BAD
cs-48-modseq-out-of-range                | edit | FAIL       | grammar violation [mod-sequence-value] ;; exceeds 63 bits
cs-49-flag-extension-generated           | edit | FAIL       | requirement CS-49 ;; unexpected FLAGS member \XImapconform
cs-50-highestmodseq-decreased            | edit | FAIL       | requirement CS-50 ;; $h2 >= $m3
EOF
)

# The requirement a grammar rule stands for (rows expecting "grammar violation").
declare -A GRAMMAR_RULE=([CS-48]=mod-sequence-value)

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
    echo "test_condstore: $IC_BIN is missing or not executable (run make first)"
    exit 1
fi

# field N (1-based) of a " | "-separated row
field() {
    local row=$1 n=$2 i
    for ((i = 1; i < n; i++)); do
        row=${row#* | }
    done
    trim "${row%% | *}"
}

# the scenario file with this id
scenario_file() {
    grep -lx "id: $1" scenarios/enable/*.yaml scenarios/condstore/*.yaml 2>/dev/null | head -n 1
}

# the id a transcript was recorded from
transcript_id() {
    sed -n 's/^# id: //p' "$1" | head -n 1
}

# --- (a) the scenarios against the suite's Dovecot -----------------------------------------
assert_begin "condstore: the scenarios lint clean"
assert_exit 0 timeout 30 "$IC_BIN" lint "${SCENARIOS[@]}"

assert_begin "condstore: every ENABLE- and CS- requirement is covered or explained"
for area in ENABLE- CS-; do
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
nscen=$(timeout 30 "$IC_BIN" run --list "${SCENARIOS[@]}" 2>/dev/null | grep -cE '^(enable|condstore)\.')
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

# --- (b) the replay data is what CASES says ---------------------------------------------------
assert_begin "replay data: one good recording per scenario, one faulty transcript per row, no passwords"
declare -A ROW_OF=()
while IFS= read -r row; do
    [ -n "$row" ] || continue
    name=$(field "$row" 1) kind=$(field "$row" 2)
    ROW_OF[$name]=$row
    f=$DATA/$name.txt
    if [ ! -f "$f" ]; then
        _assert_fail "row $name: no $f"
        continue
    fi
    head -n 1 "$f" | grep -qE '^# fault: .{10,}' ||
        _assert_fail "$f: the first line must be \"# fault: <what was changed>\""
    id=$(transcript_id "$f")
    good=$DATA/good/$id.txt
    if [ ! -f "$good" ]; then
        _assert_fail "$f: its \"# id: $id\" has no recording $good"
        continue
    fi
    case "$kind" in
        edit)
            # exactly one server line changed, removed or added (headers aside)
            diff <(grep -v '^# ' "$f") <(grep -v '^# ' "$good") | grep '^[<>]' >"$WORK/diff"
            changed=$(wc -l <"$WORK/diff")
            if [ "$changed" -lt 1 ] || [ "$changed" -gt 2 ] || grep -qv '^[<>] S[0-9]: ' "$WORK/diff"; then
                _assert_fail "$f: expected one edited server line against $good, got:"
                _assert_show "diff" "$WORK/diff"
            fi
            ;;
        real)
            head -n 1 "$good" | grep -q '^# fixed: ' ||
                _assert_fail "$good should start with \"# fixed: \" (a real row names Dovecot's dialogue)"
            ;;
        *) _assert_fail "unknown kind \"$kind\" in: $row" ;;
    esac
done <<<"$CASES"
while read -r id; do
    [ -f "$DATA/good/$id.txt" ] || _assert_fail "scenario $id has no recording $DATA/good/$id.txt"
done < <(timeout 30 "$IC_BIN" run --list "${SCENARIOS[@]}" 2>/dev/null | grep -oE '^(enable|condstore)\.[^ ]+')
for f in "$DATA"/*.txt; do
    name=$(basename "$f" .txt)
    [ -n "${ROW_OF[$name]:-}" ] || _assert_fail "$f is used by no row of CASES"
done
if grep -lE 'pass[0-9]' "$DATA"/good/*.txt "$DATA"/*.txt >"$WORK/pw" 2>/dev/null; then
    _assert_fail "these files contain a password: $(tr '\n' ' ' <"$WORK/pw")"
fi

assert_begin "replay data: every covered requirement has a faulty transcript that names it"
while read -r req _; do
    rule=${GRAMMAR_RULE[$req]:-}
    if ! grep -qF "requirement $req " <<<"$CASES" &&
        { [ -z "$rule" ] || ! grep -qF "grammar violation [$rule]" <<<"$CASES"; }; then
        _assert_fail "no row of CASES expects \"requirement $req\"${rule:+ or \"grammar violation [$rule]\"}"
    fi
done < <(for area in ENABLE- CS-; do
    timeout 30 "$IC_BIN" coverage "${SCENARIOS[@]}" --area "$area"
done | grep -E '^(ENABLE|CS)-[0-9]+ ' | grep -v 'untestable:')

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
    [ -n "$row" ] || continue
    name=$(field "$row" 1) verdict=$(field "$row" 3) texts=$(field "$row" 4)
    transcript=$DATA/$name.txt
    [ -f "$transcript" ] || continue     # reported above
    id=$(transcript_id "$transcript")
    scenario=$(scenario_file "$id")
    want_rc=0
    [ "$verdict" = FAIL ] && want_rc=1
    assert_begin "faulty: $name ($id) -> $verdict"
    echo "    $(head -n 1 "$transcript")"
    if [ -z "$scenario" ]; then
        _assert_fail "no scenario file with id $id"
        continue
    fi
    serve_start "$transcript" || continue
    replay "$scenario" "$want_rc"
    serve_stop
    assert_line_count "$WORK/verdicts" 1
    assert_matches "$WORK/verdicts" "^$verdict +${id//./\\.}( |\$)"
    contains_all "$WORK/run.out" "the run's output" "$texts"
done <<<"$CASES"

assert_finish
