#!/usr/bin/env bash
# make-faults.sh: the UIDPLUS responder data (tests/data/responder/uidplus/):
#   good/<scenario id>.txt   a run of every scenarios/uidplus scenario against a
#                            real Dovecot (--record, fixed prefix imapconform-rt);
#                            each must PASS on replay
#   <case>.txt               a faulty server: one good recording with ONE edit
#                            (a line changed, added or deleted; the FAULTS
#                            table below), first line "# fault: <the edit>"
# tests/integration/test_uidplus.sh replays them with `imapconform serve`.
#
# Usage:
#   make-faults.sh                     rewrite the faulty files from good/
#   make-faults.sh --record TARGET     first re-record good/ against TARGET
#                                      (imap://127.0.0.1:PORT, a Dovecot of
#                                      tests/integration/lib/dovecot.sh) as
#                                      $RECORD_USER (user1) / $RECORD_PASSWORD
#                                      (pass1), then rewrite the faulty files
# Environment: IC_BIN (default bin/imapconform).
#
# Two recordings get a documented edit when recorded (a "# edited:" header):
#  * uidplus.appenduid.multiappend: the client lines " {329+}" that continue a
#    MULTIAPPEND command start with a space; `serve` loses the leading space of
#    a recorded line (it reads "C1: " with sscanf "%c%d: %n", which skips all
#    white space), so the space is written as the escape \x20 (same bytes).
#  * uidplus.uid-expunge.read-only-no: Dovecot 2.3.19 answers UID EXPUNGE in an
#    EXAMINEd mailbox with "OK Expunge completed" (a known deviation,
#    tests/expected/dovecot/uidplus.yaml).  good/ holds the recording with that
#    line changed to the conforming NO; the unedited recording is the faulty
#    case examine-expunge-ok.txt.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../../.." && pwd)
IC_BIN=${IC_BIN:-$ROOT/bin/imapconform}
GOOD=$HERE/good
PREFIX=imapconform-rt

# --- the faults: NAME  SOURCE-SCENARIO-ID  'fault comment'  'sed script' ------
FAULTS=()
fault() { FAULTS+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4"); }

fault capability-no-uidplus uidplus.capability.advertised \
    'UIDPLUS removed from the untagged CAPABILITY response' \
    '/^S1: \* CAPABILITY /s/ UIDPLUS / /'
fault expunge-keeps-deleted-in-set uidplus.uid-expunge.deleted-in-set \
    'UID FETCH of the expunged UIDs 2:3 still returns UID 3: the server did not remove a \Deleted message of the set (S1 line added)' \
    '/^S1: t5 OK Fetch/i S1: * 2 FETCH (UID 3)'
fault expunge-outside-set uidplus.uid-expunge.deleted-in-set \
    'UID EXPUNGE also reports "* 1 EXPUNGE": message 1 has \Deleted but its UID is outside the set (S1 line added)' \
    '/^S1: t4 OK Expunge/i S1: * 1 EXPUNGE'
fault expunge-not-deleted-removed uidplus.uid-expunge.deleted-in-set \
    'message 4 (UID in the set, no \Deleted) is gone from the FETCH after UID EXPUNGE ("* 2 FETCH (UID 4 ...)" deleted)' \
    '/^S1: \* 2 FETCH (UID 4 FLAGS/d'
fault expunge-response-missing uidplus.uid-expunge.deleted-in-set \
    'UID EXPUNGE removes two messages but sends one EXPUNGE response ("* 2 EXPUNGE" deleted)' \
    '/^S1: \* 2 EXPUNGE$/d'
fault expunge-star-short uidplus.uid-expunge.set-forms \
    '"UID EXPUNGE 5:*" removes UID 5 only: its "* 4 EXPUNGE" response is deleted' \
    '/^S1: \* 4 EXPUNGE$/d'
fault expunge-no-args-no uidplus.uid-expunge.bad-arguments \
    '"UID EXPUNGE" without a sequence set answered NO instead of BAD' \
    's/^S1: t3 BAD /S1: t3 NO /'
fault returned-no-appenduid uidplus.codes.returned \
    'APPEND answered "OK" without the APPENDUID code' \
    's/^S1: t1 OK \[APPENDUID [0-9]* [0-9]*\] /S1: t1 OK /'
fault no-read-right-appenduid uidplus.codes.no-read-right \
    'APPEND into the mailbox the user may not SELECT or EXAMINE answered with APPENDUID' \
    's/^\(S3: t[0-9]* OK\) Append/\1 [APPENDUID 1795503628 1] Append/'
fault appenduid-wrong-uidvalidity uidplus.appenduid.single \
    'APPENDUID names UIDVALIDITY 1234567, not the mailbox'"'"'s' \
    's/^\(S1: t2 OK \[APPENDUID \)[0-9]* /\11234567 /'
fault appenduid-wrong-uid uidplus.appenduid.single \
    'APPENDUID names UID 4, but the appended message has UID 3' \
    's/^\(S1: t2 OK \[APPENDUID [0-9]*\) 3\]/\1 4]/'
fault appenduid-uid-set uidplus.appenduid.single \
    'APPENDUID of one appended message is the UID set "3,4"' \
    's/^\(S1: t2 OK \[APPENDUID [0-9]*\) 3\]/\1 3,4]/'
fault appenduid-range uidplus.appenduid.single \
    'APPENDUID of one appended message is the range "3:3"' \
    's/^\(S1: t2 OK \[APPENDUID [0-9]*\) 3\]/\1 3:3]/'
fault appenduid-untagged uidplus.appenduid.single \
    'an untagged "* OK [APPENDUID ...]" precedes the tagged OK of APPEND (S1 line added)' \
    '/^S1: t2 OK \[APPENDUID/i S1: * OK [APPENDUID 1795503628 3] Appended'
fault multiappend-missing-uid uidplus.appenduid.multiappend \
    'MULTIAPPEND APPENDUID "2:3,5" instead of "2:4": the third message'"'"'s UID 4 is missing' \
    's/^\(S1: t2 OK \[APPENDUID [0-9]*\) 2:4\]/\1 2:3,5]/'
fault multiappend-extra-uid uidplus.appenduid.multiappend \
    'MULTIAPPEND APPENDUID "2:5" for three messages (an extraneous UID)' \
    's/^\(S1: t2 OK \[APPENDUID [0-9]*\) 2:4\]/\1 2:5]/'
fault multiappend-reversed uidplus.appenduid.multiappend \
    'MULTIAPPEND APPENDUID "4,3,2" for messages a, b, c given UIDs 2, 3, 4: the right UIDs, not in transmission order' \
    's/^\(S1: t2 OK \[APPENDUID [0-9]*\) 2:4\]/\1 4,3,2]/'
fault multiappend-permuted uidplus.appenduid.multiappend \
    'MULTIAPPEND APPENDUID "2,4,3" for messages a, b, c given UIDs 2, 3, 4: b and c swapped' \
    's/^\(S1: t2 OK \[APPENDUID [0-9]*\) 2:4\]/\1 2,4,3]/'
fault multiappend-star uidplus.appenduid.multiappend \
    'MULTIAPPEND APPENDUID "2:*" (a UID set may not contain "*")' \
    's/^\(S1: t2 OK \[APPENDUID [0-9]*\) 2:4\]/\1 2:*]/'
fault ascending-not-higher uidplus.appenduid.ascending \
    'the second APPEND gets the same UID 3 as the first' \
    's/^\(S1: t3 OK \[APPENDUID [0-9]*\) 4\]/\1 3]/'
fault copy-count-mismatch uidplus.copyuid.copy \
    'COPYUID destination set "3:4" has two UIDs for three copied messages' \
    's/^\(S1: t6 OK \[COPYUID [0-9]* 2,4:5\) 3:5\]/\1 3:4]/'
fault copy-dst-not-copies uidplus.copyuid.copy \
    'COPYUID destination set "3:4,6": UID 6 is not a copy (the copy of UID 5 is UID 5)' \
    's/^\(S1: t6 OK \[COPYUID [0-9]* 2,4:5\) 3:5\]/\1 3:4,6]/'
fault copy-dst-reversed uidplus.copyuid.copy \
    'COPYUID "2,4:5 5,4,3": the right destination UIDs in reverse order (the copy of UID 2 is UID 3, not 5)' \
    's/^\(S1: t6 OK \[COPYUID [0-9]* 2,4:5\) 3:5\]/\1 5,4,3]/'
fault copy-untagged uidplus.copyuid.copy \
    'an untagged "* OK [COPYUID ...]" precedes the tagged OK of COPY (S1 line added)' \
    '/^S1: t6 OK \[COPYUID/i S1: * OK [COPYUID 1795503632 2,4:5 3:5] Copied'
fault uid-copy-src-echoed uidplus.copyuid.uid-copy \
    'COPYUID echoes the command'"'"'s range "1:4294967295" as the source set (extraneous UIDs)' \
    's/^\(S1: t4 OK \[COPYUID [0-9]*\) 1:3 /\1 1:4294967295 /'
fault uid-copy-src-star uidplus.copyuid.uid-copy \
    'COPYUID source set "1:*" (a UID set may not contain "*")' \
    's/^\(S1: t4 OK \[COPYUID [0-9]*\) 1:3 /\1 1:* /'
fault uid-copy-dst-permuted uidplus.copyuid.uid-copy \
    'COPYUID "1:3 5,7,6" for copies given UIDs 5, 6, 7: the copies of UIDs 2 and 3 swapped' \
    's/^\(S1: t4 OK \[COPYUID [0-9]* 1:3\) 5:7\]/\1 5,7,6]/'
fault uid-copy-single-wrong-dst uidplus.copyuid.uid-copy \
    'COPYUID of "UID COPY 2" names destination UID 7 (an earlier copy) instead of the new 8' \
    's/^\(S1: t8 OK \[COPYUID [0-9]* 2\) 8\]/\1 7]/'
fault no-match-copyuid uidplus.copyuid.no-match \
    'UID COPY of an expunged UID copies nothing but answers with a COPYUID' \
    's/^S1: t5 OK No messages/S1: t5 OK [COPYUID 1795503634 2 1] No messages/'
fault uidnotsticky-untagged-ok uidplus.uidnotsticky.persistent-uids \
    'SELECT sends UIDNOTSTICKY in an untagged OK instead of an untagged NO (S1 line added)' \
    '/^S1: t2 OK \[READ-WRITE\]/i S1: * OK [UIDNOTSTICKY] Non-persistent UIDs'
fault uidnotsticky-store uidplus.uidnotsticky.persistent-uids \
    'EXAMINE INBOX answers "* NO [UIDNOTSTICKY] Non-persistent UIDs" (S1 line added)' \
    '/^S1: t1 OK \[READ-ONLY\]/i S1: * NO [UIDNOTSTICKY] Non-persistent UIDs'
fault uidvalidity-changes uidplus.uidnotsticky.persistent-uids \
    'the second session sees UIDVALIDITY 1234567, without UIDNOTSTICKY' \
    '/^S2: \* OK \[UIDVALIDITY/s/\[UIDVALIDITY [0-9]*\]/[UIDVALIDITY 1234567]/'
fault qresync-expunge-not-vanished uidplus.uid-expunge.qresync \
    'with QRESYNC enabled, UID EXPUNGE reports "* 2 EXPUNGE" instead of "* VANISHED 2"' \
    's/^S1: \* VANISHED 2$/S1: * 2 EXPUNGE/'
fault qresync-no-highestmodseq uidplus.uid-expunge.qresync \
    'with QRESYNC enabled, the tagged OK of UID EXPUNGE lacks [HIGHESTMODSEQ]' \
    's/^S1: t5 OK \[HIGHESTMODSEQ [0-9]*\] /S1: t5 OK /'
fault read-only-removes uidplus.uid-expunge.read-only-unchanged \
    'UID EXPUNGE in the EXAMINEd mailbox reports "* 1 EXPUNGE" (S1 line added)' \
    '/^S1: t5 OK Expunge/i S1: * 1 EXPUNGE'
fault move-dst-reversed uidplus.copyuid.uid-move \
    'UID MOVE'"'"'s COPYUID "1:2 5,4": the moved UIDs 1 and 2 became 4 and 5, named in reverse order' \
    's/^\(S1: \* OK \[COPYUID [0-9]* 1:2\) 4:5\]/\1 5,4]/'
fault move-no-copyuid uidplus.copyuid.uid-move \
    'UID MOVE sends no COPYUID (the untagged "* OK [COPYUID ...]" deleted)' \
    '/^S1: \* OK \[COPYUID /d'

# --- recording ------------------------------------------------------------------
if [ "${1:-}" = --record ]; then
    target=${2:?usage: make-faults.sh --record imap://127.0.0.1:PORT}
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    export RECORD_PASSWORD=${RECORD_PASSWORD:-pass1}
    rc=0
    "$IC_BIN" run "$target" "$ROOT/scenarios/uidplus" --user "${RECORD_USER:-user1}" \
        --password-env RECORD_PASSWORD --prefix "$PREFIX" --record "$tmp" || rc=$?
    # Dovecot fails exactly uidplus.uid-expunge.read-only-no; anything else is wrong.
    for f in "$tmp"/*.txt; do
        id=$(basename "$f" .txt)
        verdict=$(sed -n 's/^# verdict: //p' "$f")
        want=PASS
        [ "$id" = uidplus.uid-expunge.read-only-no ] && want=FAIL
        if [ "$verdict" != "$want" ]; then
            echo "make-faults: $id recorded as $verdict (expected $want); nothing written" >&2
            exit 1
        fi
    done
    [ "$rc" -le 1 ] || exit "$rc"
    f=$tmp/uidplus.appenduid.multiappend.txt
    sed -i -e 's/^C1:  {/C1: \\x20{/' \
        -e '/^# verdict:/a # edited: client lines " {N+}" written "\\x20{N+}" (serve drops a leading space; same bytes)' "$f"
    f=$tmp/uidplus.uid-expunge.read-only-no.txt
    {
        echo "# fault: none added: Dovecot 2.3.19's own answer to UID EXPUNGE in an EXAMINEd mailbox, \"OK Expunge completed\" (a read-only mailbox cannot remove its \\Deleted messages: NO expected)"
        cat "$f"
    } >"$HERE/examine-expunge-ok.txt"
    sed -i -e 's/^\(S1: t5\) OK Expunge completed .*/\1 NO [READ-ONLY] Mailbox is read-only, nothing expunged/' \
        -e 's/^# verdict: FAIL/# verdict: PASS/' \
        -e '/^# verdict:/a # edited: Dovecot'"'"'s "t5 OK Expunge completed" replaced by the conforming NO (see examine-expunge-ok.txt)' "$f"
    mkdir -p "$GOOD"
    rm -f "$GOOD"/*.txt
    cp "$tmp"/*.txt "$GOOD"/
    echo "make-faults: recorded $(find "$GOOD" -name '*.txt' | wc -l) transcripts into $GOOD"
fi

# --- the faulty copies ------------------------------------------------------------
status=0
for entry in "${FAULTS[@]}"; do
    IFS=$'\t' read -r name id comment script <<<"$entry"
    src=$GOOD/$id.txt
    out=$HERE/$name.txt
    if [ ! -f "$src" ]; then
        echo "make-faults: $name: no recording $src" >&2
        status=1
        continue
    fi
    { echo "# fault: $comment"; sed -e "$script" "$src"; } >"$out"
    changed=$(diff <(sed 1d "$out") "$src" | grep -c '^[<>]' || true)
    if [ "$changed" -lt 1 ] || [ "$changed" -gt 2 ]; then
        echo "make-faults: $name: the edit changed $changed lines of $id (expected 1, or 2 for a changed line)" >&2
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "make-faults: wrote ${#FAULTS[@]} faulty transcripts"
exit "$status"
