#!/usr/bin/env bash
# test_qresync.sh: the QRESYNC (RFC 7162 §3.2), NOMODSEQ (RFC 7162 §3.1.2.2 etc.,
# OMA CPM 2.0) and OMA fallback sync scenarios: scenarios/qresync,
# scenarios/nomodseq, scenarios/sync.
#   (a) lint, and every QR-/NOMS-/OMA- requirement of these areas is covered;
#   (b) against the suite's two Dovecots (the main one, whose mailboxes keep
#       mod-sequences, and the NOMODSEQ variant, INDEX=MEMORY): every scenario
#       gives the verdict of the tables below - PASS, the FAIL/NON-STRICT that
#       tests/expected/dovecot/qresync.yaml and tests/expected/dovecot-nomodseq/
#       record (and with `run --expect` those become XFAIL and the run exits 0),
#       or the UNSUPPORTED/INFO of MAIN_OTHER/NOMS_OTHER (--expect cannot list
#       those): QRESYNC scenarios are UNSUPPORTED on NOMODSEQ mailboxes and the
#       NOMODSEQ scenarios on mailboxes with mod-sequences;
#   (c) replays, table-driven (CASES below), each bounded with `timeout`: every
#       good/ recording must PASS with the responder seeing the client follow it
#       to the end; every faulty transcript must give the verdict of its row with
#       the requirement ID and the texts of the row in the output.
# tests/data/responder/qresync/make-faulty.py rebuilds the faulty transcripts
# (and the hand-corrected good ones) from the recordings.
#
# Run by tests/integration/run.sh (exports IC_BIN, LAB, IMAP_PORT and, when the
# NOMODSEQ Dovecot is up, NOMODSEQ_PORT).
set -uo pipefail

: "${IC_BIN:?IC_BIN not set (run through tests/integration/run.sh)}"
: "${LAB:?LAB not set}"
: "${IMAP_PORT:?IMAP_PORT not set}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1
DATA=tests/data/responder/qresync
EXPECT_MAIN=tests/expected/dovecot/qresync.yaml
EXPECT_NOMS_DIR=tests/expected/dovecot-nomodseq
EXPECT_NOMS=("$EXPECT_NOMS_DIR/qresync.yaml" "$EXPECT_NOMS_DIR/nomodseq.yaml")
SCENARIOS=(scenarios/qresync scenarios/nomodseq scenarios/sync)
AREAS=(QR- NOMS- OMA-)
WORK=$(mktemp -d "$LAB/test_qresync.XXXXXX")
ASSERT_DIR=$WORK
# shellcheck source=tests/integration/lib/assert.sh
. "$HERE/lib/assert.sh"
# shellcheck source=tests/integration/lib/replay.sh
. "$HERE/lib/replay.sh"

export IC_TEST_PASSWORD=pass1     # user1 on the lab Dovecots; the recordings show ***
export IC_TEST_PASSWORD2=pass2    # user2
PREFIX=imapconform-rt             # the prefix the recordings were made with
SERVE_IDLE_MS=3000
SERVE_PID=""
USERS=(--user user1 --password-env IC_TEST_PASSWORD --user2 user2 --password2-env IC_TEST_PASSWORD2)

# Verdicts other than PASS that --expect cannot hold, per server:
#   id | verdict | a text its message must contain
MAIN_OTHER=$(
    cat <<'EOF'
nomodseq.select.signalled             | UNSUPPORTED | FETCH MODSEQ is answered
nomodseq.reject.fetch-changedsince    | UNSUPPORTED | this mailbox keeps mod-sequences
nomodseq.reject.fetch-modseq          | UNSUPPORTED | this mailbox keeps mod-sequences
nomodseq.reject.search-modseq         | UNSUPPORTED | this mailbox keeps mod-sequences
nomodseq.reject.store-unchangedsince  | UNSUPPORTED | this mailbox keeps mod-sequences
nomodseq.status.highestmodseq-zero    | UNSUPPORTED | this mailbox keeps mod-sequences
nomodseq.status.list-status-zero      | UNSUPPORTED | this mailbox keeps mod-sequences
nomodseq.select.qresync-ignored       | UNSUPPORTED | this mailbox keeps mod-sequences
nomodseq.expunge.reported             | UNSUPPORTED | this mailbox keeps mod-sequences
nomodseq.vanished.uid-fetch           | UNSUPPORTED | this mailbox keeps mod-sequences
EOF
)
NOMS_OTHER=$(
    cat <<'EOF'
qresync.enable.highestmodseq                     | UNSUPPORTED | FETCH MODSEQ is refused
qresync.close.no-highestmodseq                   | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.expunge.vanished                         | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.fetch.vanished-bad                       | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.fetch.vanished-changedsince-1            | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.fetch.vanished-earlier                   | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.select.resync                            | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.select.uidvalidity-mismatch              | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.uid-expunge.vanished                     | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.vanished.other-session                   | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.vanished.previously-expunged             | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.vanished.not-during-fetch-store-search   | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.expunge.nothing-deleted                  | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.move.modseq                              | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.vanished.not-combined                    | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.vanished.renumbers                       | UNSUPPORTED | the mailbox keeps no mod-sequences
qresync.select.uid-set                           | UNSUPPORTED | the mailbox keeps no mod-sequences
sync.fallback.qresync-agrees                     | UNSUPPORTED | the mailbox keeps no mod-sequences
sync.fallback.vanished                           | UNSUPPORTED | the VANISHED UID FETCH modifier is refused
nomodseq.expunge.reported                        | INFO        | requirement NOMS-07
EOF
)

# One row per faulty transcript $DATA/<case>.txt, fields separated by " | ":
#   case | base | expected verdict | texts the run's output must contain (" ;; "-separated)
# base: the good recording the case is one edit of (relative to $DATA), or
#       "real" for Dovecot's own unedited dialogue (a recorded deviation; the
#       good/<id>.txt of its scenario is that dialogue corrected by hand and
#       starts with "# corrected: ").
# The scenario is the one named by the transcript's "# id:" line.
CASES=$(
    cat <<'EOF'
qr01-capability-without-qresync              | good/qresync.capability.advertised.txt | FAIL | requirement QR-01 ;; no response matched "* CAPABILITY QRESYNC ..."
qr03-capability-without-condstore            | good/qresync.capability.advertised.txt | NON-STRICT | requirement QR-03 (SHOULD ;; no response matched "* CAPABILITY CONDSTORE ..."
qr04-move-highestmodseq-unchanged            | good/qresync.move.modseq.txt | FAIL | requirement QR-04 ;; assertion failed: $h1 > $h0
qr05-move-uid-forgotten                      | good/qresync.move.modseq.txt | FAIL | requirement QR-05 ;; no response matched "* VANISHED (EARLIER) $vanished"
qr08-capability-without-enable               | good/qresync.enable.enabled.txt | FAIL | requirement QR-08 ;; missing CAPABILITY member ENABLE
qr09-enable-condstore-qresync-not-enabled    | good/qresync.enable.enabled.txt | FAIL | requirement QR-09 ;; missing ENABLED member QRESYNC
qr11-no-highestmodseq-no-nomodseq            | good/qresync.enable.highestmodseq.txt | FAIL | requirement QR-11 ;; no response matched "* OK [HIGHESTMODSEQ $h] ..."
qr12-expunge-in-second-mailbox               | good/qresync.expunge.vanished.txt | FAIL | requirement QR-12 ;; (expected VANISHED, got EXPUNGE)
qr13-qresync-param-without-enable-ok         | good/qresync.select.bad-without-enable.txt | FAIL | requirement QR-13 ;; no response matched "a1 BAD"
qr14-vanished-without-enable-ok              | good/qresync.select.bad-without-enable.txt | FAIL | requirement QR-14 ;; no response matched "a4 BAD"
qr16-store-fetch-without-uid                 | good/qresync.expunge.vanished.txt | FAIL | requirement QR-16 ;; missing FETCH item UID
qr18-missing-modseq-accepted                 | good/qresync.select.invalid-missing-modseq.txt | FAIL | requirement QR-18 ;; (expected BAD, got OK)
dovecot-qresync-uidvalidity-zero-accepted    | real | FAIL | requirement QR-18 ;; (expected BAD, got OK)
qr19-qresync-select-without-exists           | good/qresync.select.resync.txt | FAIL | requirement QR-19 ;; no response matched "* 3 EXISTS"
qr20-uidvalidity-mismatch-reported           | good/qresync.select.uidvalidity-mismatch.txt | FAIL | requirement QR-20 ;; forbidden response received: "* VANISHED (EARLIER) 2"
qr21-qresync-select-fetch-without-uid        | good/qresync.select.resync.txt | FAIL | requirement QR-21 ;; missing FETCH item UID
qr21-qresync-select-vanished-without-earlier | good/qresync.select.resync.txt | FAIL | requirement QR-21 ;; no response matched "* VANISHED (EARLIER) $vanished"
qr22-known-uids-ignored                      | good/qresync.select.uid-set.txt | NON-STRICT | requirement QR-22 (SHOULD ;; forbidden response received: "* 2 FETCH (UID 3
qr23-default-set-stops-at-last-message       | good/qresync.select.uid-set.txt | FAIL | requirement QR-23 ;; assertion failed: $u5 in $vanished
qr24-empty-mailbox-vanished-earlier          | good/qresync.select.empty-mailbox.txt | FAIL | requirement QR-24 ;; forbidden response received: "* VANISHED (EARLIER) 1"
qr25-qresync-select-changedsince-ignored     | good/qresync.select.resync.txt | FAIL | requirement QR-25 ;; forbidden response received: "* 1 FETCH (UID 1
qr25-uid-fetch-changedsince-ignored          | good/qresync.fetch.vanished-earlier.txt | FAIL | requirement QR-25 ;; forbidden response received: "* 1 FETCH (UID 1
qr27-vanished-on-fetch-accepted              | good/qresync.fetch.vanished-bad.txt | FAIL | requirement QR-27 ;; no response matched "a3 BAD"
qr28-vanished-without-changedsince-accepted  | good/qresync.fetch.vanished-bad.txt | FAIL | requirement QR-28 ;; no response matched "a4 BAD"
qr29-vanished-earlier-missing                | good/qresync.fetch.vanished-earlier.txt | FAIL | requirement QR-29 ;; no response matched "* VANISHED (EARLIER) $vanished"
qr29-vanished-earlier-outside-uid-set        | good/qresync.fetch.vanished-earlier.txt | FAIL | requirement QR-29 ;; forbidden response received: "* VANISHED (EARLIER) 2"
qr30-qresync-select-fetch-before-vanished    | good/qresync.select.resync.txt | FAIL | requirement QR-30 ;; responses matched out of order
qr30-uid-fetch-fetch-before-vanished         | good/qresync.fetch.vanished-earlier.txt | FAIL | requirement QR-30 ;; responses matched out of order
qr31-changedsince-1-misses-last-uid          | good/qresync.fetch.vanished-changedsince-1.txt | FAIL | requirement QR-31 ;; assertion failed: $u5 in $vanished
qr32-vanished-earlier-on-noop                | good/qresync.vanished.renumbers.txt | FAIL | requirement QR-32 ;; forbidden response received: "* VANISHED (EARLIER) 2,4"
qr33-highestmodseq-not-increased             | good/qresync.expunge.vanished.txt | FAIL | requirement QR-33 ;; assertion failed: $h1 > $m2 and $h1 > $m4
qr34-expunge-without-highestmodseq           | good/qresync.expunge.vanished.txt | FAIL | requirement QR-34 ;; response code HIGHESTMODSEQ missing
qr36-empty-expunge-raises-highestmodseq      | good/qresync.expunge.nothing-deleted.txt | NON-STRICT | requirement QR-36 (SHOULD ;; assertion failed: $h1 == $h0
qr37-close-sends-vanished                    | good/qresync.close.no-highestmodseq.txt | FAIL | requirement QR-37 ;; forbidden response received: "* VANISHED 2"
qr38-close-expunge-forgotten                 | good/qresync.close.no-highestmodseq.txt | FAIL | requirement QR-38 ;; no response matched "* VANISHED (EARLIER) $vanished"
qr39-close-with-highestmodseq                | good/qresync.close.no-highestmodseq.txt | FAIL | requirement QR-39 ;; forbidden response received: "t4 OK [HIGHESTMODSEQ 6]
qr40-uid-expunge-without-highestmodseq       | good/qresync.uid-expunge.vanished.txt | FAIL | requirement QR-40 ;; response code HIGHESTMODSEQ missing
qr41-uid-expunge-unreported                  | good/qresync.expunge.nothing-deleted.txt | FAIL | requirement QR-41 ;; no response matched "* VANISHED $u1"
qr42-expunge-instead-of-vanished             | good/qresync.expunge.vanished.txt | FAIL | requirement QR-42 ;; forbidden response received: "* 2 EXPUNGE"
qr42-uid-expunge-instead-of-vanished         | good/qresync.uid-expunge.vanished.txt | FAIL | requirement QR-42 ;; forbidden response received: "* 3 EXPUNGE"
qr42-other-session-expunge-instead-of-vanished | good/qresync.vanished.other-session.txt | FAIL | requirement QR-42 ;; forbidden response received: "* 2 EXPUNGE"
qr43-expunge-vanished-earlier                | good/qresync.expunge.vanished.txt | FAIL | requirement QR-43 ;; forbidden response received: "* VANISHED (EARLIER) 2,4"
qr43-other-session-vanished-earlier          | good/qresync.vanished.other-session.txt | FAIL | requirement QR-43 ;; forbidden response received: "* VANISHED (EARLIER) 2"
qr44-pending-expunge-in-vanished-earlier     | good/qresync.vanished.not-combined.txt | FAIL | requirement QR-44 ;; assertion failed: $u4 not in $early
qr45-no-renumbering                          | good/qresync.vanished.renumbers.txt | FAIL | requirement QR-45 ;; no response matched "* 3 FETCH (UID $u5)"
qr46-vanished-repeats-expunged-uid           | good/qresync.vanished.previously-expunged.txt | FAIL | requirement QR-46 ;; $vanished = 2:3
qr47-vanished-during-fetch                   | good/qresync.vanished.not-during-fetch-store-search.txt | FAIL | requirement QR-47 ;; forbidden response received: "* VANISHED 2"
qr47-vanished-during-search                  | good/qresync.vanished.not-during-fetch-store-search.txt | FAIL | requirement QR-47 ;; forbidden response received: "* VANISHED 2"
qr48-vanished-during-uid-search-numbers      | good/qresync.vanished.not-during-fetch-store-search.txt | FAIL | requirement QR-48 ;; forbidden response received: "* VANISHED 2"
qr49-examine-without-closed                  | good/qresync.closed.after-enable.txt | FAIL | requirement QR-49 ;; no response matched "* OK [CLOSED] ..."
qr50-select-without-closed                   | good/qresync.closed.select-another.txt | FAIL | requirement QR-50 ;; no response matched "* OK [CLOSED] ..."
qr51-closed-after-exists                     | good/qresync.closed.select-another.txt | FAIL | requirement QR-51 ;; responses matched out of order
qr53-long-line-rejected                      | good/qresync.long-command-line.txt | NON-STRICT | requirement QR-53 (SHOULD ;; no response matched "a3 OK"
noms02-no-nomodseq-no-highestmodseq          | good/nomodseq.select.signalled.txt | FAIL | requirement NOMS-02 ;; no response matched "* OK [NOMODSEQ] ..."
noms03-changedsince-no-instead-of-bad        | good/nomodseq.reject.fetch-changedsince.txt | FAIL | requirement NOMS-03 ;; (expected BAD, got NO)
dovecot-search-modseq-accepted               | real | FAIL | requirement NOMS-03 ;; (expected BAD, got OK)
dovecot-status-highestmodseq-nonzero         | real | FAIL | requirement NOMS-04 ;; (expected HIGHESTMODSEQ 0, got HIGHESTMODSEQ 2)
dovecot-list-status-highestmodseq-nonzero    | real | FAIL | requirement NOMS-04 ;; (expected HIGHESTMODSEQ 0, got HIGHESTMODSEQ 2)
noms06-qresync-param-not-ignored             | good/nomodseq.select.qresync-ignored.txt | FAIL | requirement NOMS-06 ;; forbidden response received: "* VANISHED (EARLIER) 2"
dovecot-nomodseq-expunge-vanished            | real | INFO | requirement NOMS-07 ;; no response matched "* 2 EXPUNGE"
noms08-nomodseq-expunge-highestmodseq        | good/nomodseq.expunge.reported.txt | FAIL | requirement NOMS-08 ;; forbidden response received: "t5 OK [HIGHESTMODSEQ 4]
noms10-vanished-earlier-lists-existing-uid   | good/qresync.fetch.vanished-earlier.txt | FAIL | requirement NOMS-10 ;; $vanished = 2,4
oma-noms01-plain-select-without-nomodseq     | good/nomodseq.select.signalled.txt | FAIL | requirement OMA-NOMS-01 ;; no response matched "* OK [NOMODSEQ] ..."
dovecot-vanished-uid-fetch-refused           | real | NON-STRICT | requirement OMA-NOMS-02 (SHOULD ;; no response matched "a6 OK"
oma-noms02-vanished-earlier-missing          | good/nomodseq.vanished.uid-fetch.txt | NON-STRICT | requirement OMA-NOMS-02 (SHOULD ;; no response matched "* VANISHED (EARLIER) $vanished"
oma-sync-new-message-missing                 | good/sync.fallback.without-vanished.nomodseq.txt | FAIL | requirement OMA-SYNC-01 ;; no response matched "* $_ FETCH (UID $n2)"
oma-sync-known-search-keeps-expunged         | good/sync.fallback.without-vanished.nomodseq.txt | FAIL | requirement OMA-SYNC-01 ;; $still = 1,3:6
oma-sync-unseen-search-incomplete            | good/sync.fallback.without-vanished.nomodseq.txt | FAIL | requirement OMA-SYNC-01 ;; $unseen = 8
oma-sync-vanished-incomplete                 | good/sync.fallback.vanished.txt | FAIL | requirement OMA-SYNC-01 ;; $vanished = 2
oma-sync-qresync-disagrees                   | good/sync.fallback.qresync-agrees.txt | FAIL | requirement QR-25 ;; assertion failed: $vq == $vanished
EOF
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
    echo "test_qresync: $IC_BIN is missing or not executable (run make first)"
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
    grep -lx "id: $1" scenarios/qresync/*.yaml scenarios/nomodseq/*.yaml scenarios/sync/*.yaml \
        2>/dev/null | head -n 1
}

# the id a transcript was recorded from
transcript_id() {
    sed -n 's/^# id: //p' "$1" | head -n 1
}

# the ids of the scenarios under test, one per line
scenario_ids() {
    timeout 30 "$IC_BIN" run --list "${SCENARIOS[@]}" 2>/dev/null |
        grep -oE '^(qresync|nomodseq|sync)\.[^ ]+'
}

# expected_verdicts NAME EXPECT-FILES... <<< OTHER-TABLE: fills the associative
# array NAME with id -> verdict (FAIL/NON-STRICT from the expectation files,
# UNSUPPORTED/INFO from the table on stdin) and NAME_TEXT with id -> text.
declare -A WANT=() WANT_TEXT=()
expected_verdicts() {
    WANT=()
    WANT_TEXT=()
    local f id verdict text row
    for f in "$@"; do
        while IFS=$'\t' read -r id verdict; do
            WANT[$id]=$verdict
            WANT_TEXT[$id]="known failure"
        done < <(awk '/^- id:/ { id = $3 } /^  verdict:/ { print id "\t" $2 }' "$f")
    done
    while IFS= read -r row; do
        [ -n "$row" ] || continue
        id=$(field "$row" 1) verdict=$(field "$row" 2) text=$(field "$row" 3)
        WANT[$id]=$verdict
        WANT_TEXT[$id]=$text
    done
}

# live SERVER-NAME PORT EXPECT(file or dir) EXPECT-FILES...: runs the scenarios
# twice against a lab Dovecot (plain, then with --expect) and checks the verdicts
# against WANT (filled by expected_verdicts).
live() {
    local name=$1 port=$2 expect=$3 id verdict want
    shift 3
    assert_begin "$name: every scenario gives the verdict its tables record (PASS otherwise)"
    [ "${#WANT[@]}" -ge 1 ] || _assert_fail "no expected verdicts read"
    timeout 300 "$IC_BIN" run "imap://127.0.0.1:$port" "${SCENARIOS[@]}" "${USERS[@]}" \
        --timeout 10000 --color never --transcripts "$WORK/$name" >"$WORK/$name.out" 2>&1
    grep -E '^(PASS|FAIL|NON-STRICT|INFO|UNSUPPORTED|ERROR) ' "$WORK/$name.out" >"$WORK/$name.verdicts"
    assert_line_count "$WORK/$name.verdicts" "$(scenario_ids | wc -l)"
    while read -r verdict id _; do
        want=${WANT[$id]:-PASS}
        if [ "$verdict" != "$want" ]; then
            _assert_fail "$id: expected $want, got $verdict"
            grep -A8 -F " $id " "$WORK/$name.out" | sed 's/^/        | /'
        elif [ "$verdict" != PASS ] && [ "${WANT_TEXT[$id]}" != "known failure" ] &&
            ! grep -A3 -F " $id " "$WORK/$name.out" | grep -qF -- "${WANT_TEXT[$id]}"; then
            _assert_fail "$id: $verdict, but its message lacks \"${WANT_TEXT[$id]}\""
            grep -A4 -F " $id " "$WORK/$name.out" | sed 's/^/        | /'
        fi
    done <"$WORK/$name.verdicts"
    for id in "${!WANT[@]}"; do
        grep -qE "^[A-Z-]+ +${id//./\\.}( |\$)" "$WORK/$name.verdicts" ||
            _assert_fail "the tables name $id, which the run did not report"
    done

    assert_begin "$name: with --expect $expect the known deviations are XFAIL and the run exits 0"
    assert_exit 0 timeout 300 "$IC_BIN" run "imap://127.0.0.1:$port" "${SCENARIOS[@]}" "${USERS[@]}" \
        --timeout 10000 --color never --expect "$expect"
    for id in "${!WANT[@]}"; do
        case "${WANT[$id]}" in
            FAIL | NON-STRICT) assert_matches "$OUT" "^XFAIL +${id//./\\.}( |\$)" ;;
        esac
    done
    assert_not_matches "$OUT" '^(FAIL|NON-STRICT|ERROR|XPASS) '
}

# --- (a) lint and coverage -----------------------------------------------------------------
assert_begin "qresync: the scenarios lint clean"
assert_exit 0 timeout 30 "$IC_BIN" lint "${SCENARIOS[@]}"

assert_begin "qresync: every QR-, NOMS- and OMA- requirement of these areas is covered or explained"
for area in "${AREAS[@]}"; do
    assert_exit 0 timeout 30 "$IC_BIN" coverage "${SCENARIOS[@]}" --area "$area" --strict
done

# --- (b) the scenarios against the two lab Dovecots ---------------------------------------
expected_verdicts "$EXPECT_MAIN" <<<"$MAIN_OTHER"
live dovecot "$IMAP_PORT" "$EXPECT_MAIN"

if [ -n "${NOMODSEQ_PORT:-}" ]; then
    expected_verdicts "${EXPECT_NOMS[@]}" <<<"$NOMS_OTHER"
    live dovecot-nomodseq "$NOMODSEQ_PORT" "$EXPECT_NOMS_DIR"
else
    assert_begin "dovecot-nomodseq: the NOMODSEQ Dovecot is running"
    _assert_fail "NOMODSEQ_PORT is not set: run.sh could not start the NOMODSEQ Dovecot"
fi

# --- (c) the replay data is what CASES says ----------------------------------------------------
assert_begin "replay data: a good recording per scenario, one faulty transcript per row, no passwords"
declare -A ROW_OF=()
while IFS= read -r row; do
    [ -n "$row" ] || continue
    name=$(field "$row" 1) base=$(field "$row" 2)
    ROW_OF[$name]=$row
    f=$DATA/$name.txt
    if [ ! -f "$f" ]; then
        _assert_fail "row $name: no $f"
        continue
    fi
    head -n 1 "$f" | grep -qE '^# fault: .{10,}' ||
        _assert_fail "$f: the first line must be \"# fault: <what is wrong>\""
    id=$(transcript_id "$f")
    if [ "$base" = real ]; then
        good=$DATA/good/$id.txt
        head -n 1 "$good" 2>/dev/null | grep -q '^# corrected: ' ||
            _assert_fail "$good should exist and start with \"# corrected: \" (row $name is Dovecot's dialogue)"
        continue
    fi
    good=$DATA/$base
    if [ ! -f "$good" ] || [ "$(transcript_id "$good")" != "$id" ]; then
        _assert_fail "row $name: $good is missing or not a recording of $id"
        continue
    fi
    # one edit: a server line changed, removed, added or moved (headers aside)
    diff <(grep -v '^# ' "$f") <(grep -v '^# ' "$good") | grep '^[<>]' >"$WORK/diff"
    changed=$(wc -l <"$WORK/diff")
    if [ "$changed" -lt 1 ] || [ "$changed" -gt 2 ] || grep -qv '^[<>] S[0-9]: ' "$WORK/diff"; then
        _assert_fail "$f: expected one edited server line against $good, got:"
        _assert_show "diff" "$WORK/diff"
    fi
done <<<"$CASES"
while read -r id; do
    [ -f "$DATA/good/$id.txt" ] || _assert_fail "scenario $id has no recording $DATA/good/$id.txt"
done < <(scenario_ids)
for f in "$DATA"/*.txt; do
    name=$(basename "$f" .txt)
    [ -n "${ROW_OF[$name]:-}" ] || _assert_fail "$f is used by no row of CASES"
done
if grep -lE 'pass[0-9]' "$DATA"/good/*.txt "$DATA"/*.txt >"$WORK/pw" 2>/dev/null; then
    _assert_fail "these files contain a password: $(tr '\n' ' ' <"$WORK/pw")"
fi

assert_begin "replay data: every covered requirement has a faulty transcript that names it"
while read -r req _; do
    grep -qF "requirement $req " <<<"$CASES" || _assert_fail "no row of CASES expects \"requirement $req\""
done < <(for area in "${AREAS[@]}"; do
    timeout 30 "$IC_BIN" coverage "${SCENARIOS[@]}" --area "$area"
done | grep -E '^[A-Z]+(-[A-Z0-9]+)*-[0-9]+ ' | grep -v 'untestable:')

# --- (c) replay every good recording: PASS ----------------------------------------------------
for good in "$DATA"/good/*.txt; do
    id=$(transcript_id "$good")
    scenario=$(scenario_file "$id")
    assert_begin "good: $(basename "$good") -> PASS"
    if [ -z "$scenario" ]; then
        _assert_fail "no scenario file with id \"$id\""
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

# --- (c) replay every faulty transcript: the row's verdict and texts ------------------------
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
    if [ -z "$scenario" ]; then
        _assert_fail "no scenario file with id \"$id\""
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
