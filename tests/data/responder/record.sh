#!/usr/bin/env bash
# record.sh: regenerates the responder test data (tests/data/responder/):
#   recorded/<scenario id>.txt   transcripts of scenarios/*.yaml against a real Dovecot
#   faulty/<name>.txt            each one a recording with one small edit (the FAULTS
#                                table below), first line "# fault: what was edited"
# Not run by `make check`: the files it writes are committed, and
# tests/integration/test_responder.sh replays them with `imapconform serve`.
#
# Usage (from anywhere):
#   tests/data/responder/record.sh
#       starts a throwaway Dovecot (tests/integration/lib/dovecot.sh; needs root)
#       on 127.0.0.1:$RECORD_IMAP_PORT (default 10343) and $RECORD_IMAPS_PORT
#       (default 10993+350 = 11343), records, and stops it;
#   tests/data/responder/record.sh imap://127.0.0.1:PORT
#       records against a server that is already running, as $RECORD_USER
#       (default user1) with the password in $RECORD_PASSWORD (default pass1).
# Environment: IC_BIN (default bin/imapconform).
#
# Every recording uses the fixed prefix imapconform-rt (mailbox names are part
# of the dialogue, so test_responder.sh replays with the same --prefix and
# --no-sweep).  The run must PASS every scenario, or nothing is written.
# A FAULTS edit that no longer changes its recording (the server answered
# differently) is an error: update the edit.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
IC_BIN=${IC_BIN:-$ROOT/bin/imapconform}
PREFIX=imapconform-rt

# --- the faulty copies: NAME  SOURCE-SCENARIO-ID  'fault comment'  'sed script' ---
# Keep each edit minimal (one line deleted, added or changed, or two swapped):
# test_responder.sh checks that a faulty file differs from its recording by at
# most two lines.
FAULTS=()
fault() { FAULTS+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4"); }
fault expunge-missing rt.expunge.other-session \
    'the NOOP response lacks "* 2 EXPUNGE" (the S1 line deleted)' \
    '/^S1: \* 2 EXPUNGE$/d'
fault expunge-forbidden rt.expunge.other-session \
    'the NOOP response also has "* 1 EXPUNGE", a message nobody expunged (S1 line added)' \
    '/^S1: \* 2 EXPUNGE$/a S1: * 1 EXPUNGE'
fault expunge-no-tagged rt.expunge.other-session \
    'the tagged OK of NOOP is missing (line deleted): the client waits until --timeout' \
    '/^S1: t[0-9]* OK NOOP /d'
fault expunge-double-space rt.expunge.other-session \
    '"* 2  EXPUNGE" with two spaces after the number (grammar: SP is one space)' \
    's/^S1: \* 2 EXPUNGE$/S1: * 2  EXPUNGE/'
# shellcheck disable=SC2016  # a literal $u
fault capture-wrong-uid rt.capture.uid-reused \
    'UID SEARCH answers "* SEARCH 3", not the UID 2 that FETCH reported and $u captured' \
    's/^S1: \* SEARCH 2$/S1: * SEARCH 3/'
fault ordered-swapped rt.ordered.fetch-range \
    'the two FETCH responses of FETCH 1:2 come in reverse order (lines swapped)' \
    '/^S1: \* 1 FETCH (UID 1)$/{h;d};/^S1: \* 2 FETCH (UID 2)$/G'
fault ordered-extra rt.ordered.fetch-range \
    'an extra untagged "* 1 FETCH (FLAGS (\Seen))" after the two expected ones (the command is exclusive)' \
    '/^S1: \* 2 FETCH (UID 2)$/a S1: * 1 FETCH (FLAGS (\\Seen))'
fault copyuid-count rt.copyuid.counts \
    'COPYUID names 3 source UIDs but 2 destination UIDs (destination 1:3 changed to 1:2)' \
    's/\(\[COPYUID [0-9]* 1:3\) 1:3\]/\1 1:2]/'
fault copyuid-no-uidplus rt.copyuid.counts \
    'the set-up login response does not list UIDPLUS, which the scenario requires' \
    '0,/^S0: ic1 OK \[CAPABILITY /{/^S0: ic1 OK \[CAPABILITY /s/ UIDPLUS / /}'
fault idle-no-exists rt.idle.exists \
    'the "* 2 EXISTS" that IDLE should report after the other session'"'"'s APPEND is missing (line deleted)' \
    '/^S1: \* 2 EXISTS$/d'
fault condstore-modseq-zero rt.condstore.highestmodseq \
    'SELECT reports "[HIGHESTMODSEQ 0]" (grammar: mod-sequence-value is at least 1)' \
    's/^S1: \* OK \[HIGHESTMODSEQ [0-9]*\]/S1: * OK [HIGHESTMODSEQ 0]/'
fault condstore-not-enabled rt.condstore.highestmodseq \
    'ENABLE CONDSTORE completes without "* ENABLED CONDSTORE" (line deleted)' \
    '/^S1: \* ENABLED CONDSTORE$/d'
fault capability-no-uidplus rt.capability.uidplus \
    'the untagged CAPABILITY response lacks UIDPLUS (a SHOULD-level check)' \
    '/^S1: \* CAPABILITY /s/ UIDPLUS / /'

# --- the target -----------------------------------------------------------------
if [ ! -x "$IC_BIN" ]; then
    echo "record.sh: $IC_BIN not found; run make first" >&2
    exit 1
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ic-record.XXXXXX")
LAB=""
# shellcheck disable=SC2317  # called by the trap
cleanup() {
    if [ -n "$LAB" ]; then
        dovecot_stop "$LAB"
        rm -rf "$LAB"
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ $# -ge 1 ]; then
    TARGET=$1
    USER_NAME=${RECORD_USER:-user1}
    export IC_RECORD_PASSWORD=${RECORD_PASSWORD:-pass1}
else
    # shellcheck source=tests/integration/lib/dovecot.sh
    . "$ROOT/tests/integration/lib/dovecot.sh"
    LAB=$(mktemp -d "${TMPDIR:-/tmp}/ic-record-lab.XXXXXX")
    IMAP_PORT=${RECORD_IMAP_PORT:-10343} IMAPS_PORT=${RECORD_IMAPS_PORT:-11343} \
        dovecot_start "$LAB" main
    TARGET=imap://127.0.0.1:${RECORD_IMAP_PORT:-10343}
    USER_NAME=user1
    export IC_RECORD_PASSWORD=pass1
fi

# --- record -----------------------------------------------------------------------
cd "$ROOT"
"$IC_BIN" lint "$HERE/scenarios" --requirements "$HERE/requirements.yaml"
status=0
timeout 300 "$IC_BIN" run "$TARGET" "$HERE/scenarios" --requirements "$HERE/requirements.yaml" \
    --user "$USER_NAME" --password-env IC_RECORD_PASSWORD --prefix "$PREFIX" \
    --record "$WORK/rec" --timeout 10000 | tee "$WORK/run.out" || status=$?
if [ "$status" -ne 0 ] || grep -qvE '^(PASS |$|[0-9]+ scenarios? in |imapconform: )' "$WORK/run.out"; then
    echo "record.sh: the recording run did not PASS every scenario (exit $status); nothing written" >&2
    exit 1
fi

rm -f "$HERE"/recorded/*.txt "$HERE"/faulty/*.txt
mkdir -p "$HERE/recorded" "$HERE/faulty"
cp "$WORK"/rec/*.txt "$HERE/recorded/"

for entry in "${FAULTS[@]}"; do
    IFS=$'\t' read -r name src comment script <<<"$entry"
    if [ ! -f "$HERE/recorded/$src.txt" ]; then
        echo "record.sh: fault $name: no recording $src.txt" >&2
        exit 1
    fi
    {
        printf '# fault: %s\n' "$comment"
        sed -e "$script" "$HERE/recorded/$src.txt"
    } >"$HERE/faulty/$name.txt"
    if tail -n +2 "$HERE/faulty/$name.txt" | cmp -s - "$HERE/recorded/$src.txt"; then
        echo "record.sh: fault $name: the edit ($script) changed nothing in $src.txt; update it" >&2
        exit 1
    fi
done
echo "record.sh: wrote $(find "$HERE/recorded" -name '*.txt' | wc -l) recordings and ${#FAULTS[@]} faulty copies"
echo "record.sh: now run IC_TESTS=test_responder bash tests/integration/run.sh"
