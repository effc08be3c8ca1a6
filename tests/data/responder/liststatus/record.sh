#!/usr/bin/env bash
# record.sh: regenerates the replay data of the LIST-STATUS / LIST-EXTENDED
# scenarios (scenarios/liststatus, scenarios/listext):
#   good/<scenario id>.txt   a recording of every scenario against a real Dovecot;
#                            for the scenarios Dovecot fails, the recording corrected
#                            by the "correct" row of cases.txt (first line "# corrected:")
#   faulty/<name>.txt        a good recording with one small edit (a "fault" row), or
#                            Dovecot's own deviating recording (a "real" row); first
#                            line "# fault: <what>"
# Not run by `make check`: the files it writes are committed, and
# tests/integration/test_liststatus.sh replays them with `imapconform serve`.
#
# Usage (from anywhere):
#   tests/data/responder/liststatus/record.sh
#       starts a throwaway Dovecot (tests/integration/lib/dovecot.sh; needs root) on
#       127.0.0.1:$RECORD_IMAP_PORT (default 10443) and $RECORD_IMAPS_PORT (default
#       11443), records, and stops it;
#   tests/data/responder/liststatus/record.sh imap://127.0.0.1:PORT
#       records against a server that is already running, as $RECORD_USER (default
#       user1) with the password in $RECORD_PASSWORD (default pass1).
# Environment: IC_BIN (default bin/imapconform).
#
# Every recording uses the fixed prefix imapconform-rt (mailbox names are part of
# the dialogue; the replays use the same --prefix and --no-sweep).  The run must
# give PASS for every scenario except the known Dovecot deviations listed in
# tests/expected/dovecot/liststatus.yaml (XFAIL), or nothing is written.  A sed
# edit that no longer changes its recording, or changes more than two lines, is
# an error: update cases.txt.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../../.." && pwd)
IC_BIN=${IC_BIN:-$ROOT/bin/imapconform}
PREFIX=imapconform-rt
EXPECT=$ROOT/tests/expected/dovecot/liststatus.yaml
SCENARIOS=("$ROOT/scenarios/liststatus" "$ROOT/scenarios/listext")

if [ ! -x "$IC_BIN" ]; then
    echo "record.sh: $IC_BIN not found; run make first" >&2
    exit 1
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ic-lstat-record.XXXXXX")
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
    LAB=$(mktemp -d "${TMPDIR:-/tmp}/ic-lstat-record-lab.XXXXXX")
    IMAP_PORT=${RECORD_IMAP_PORT:-10443} IMAPS_PORT=${RECORD_IMAPS_PORT:-11443} \
        dovecot_start "$LAB" main
    TARGET=imap://127.0.0.1:${RECORD_IMAP_PORT:-10443}
    USER_NAME=user1
    export IC_RECORD_PASSWORD=pass1
fi

# --- the cases table ----------------------------------------------------------------
# field N (1-based) of a " | "-separated row
field() {
    local row=$1 n=$2 i
    for ((i = 1; i < n; i++)); do
        row=${row#* | }
    done
    printf '%s' "${row%% | *}"
}
# the last field (the sed script may contain anything but " | ")
last_field() {
    printf '%s' "${1##* | }"
}
# expands <x> into the fixture mailbox name x of scenario id $2
expand() {
    local slug=${2//./_}
    printf '%s' "$1" | sed "s/<\([a-z0-9]*\)>/$PREFIX-$slug-\1/g"
}
rows() {
    grep -vE '^[[:space:]]*(#|$)' "$HERE/cases.txt"
}
# the number of lines that differ between two files
changed_lines() {
    diff "$1" "$2" | grep -c '^[<>]' || true
}
# a file without its first line when that is a "# corrected:" comment
body_of() {
    sed '1{/^# corrected: /d}' "$1"
}

# --- record ---------------------------------------------------------------------------
cd "$ROOT"
"$IC_BIN" lint "${SCENARIOS[@]}"
status=0
timeout 300 "$IC_BIN" run "$TARGET" "${SCENARIOS[@]}" --user "$USER_NAME" \
    --password-env IC_RECORD_PASSWORD --prefix "$PREFIX" --record "$WORK/rec" \
    --expect "$EXPECT" --timeout 10000 | tee "$WORK/run.out" || status=$?
if [ "$status" -ne 0 ] ||
    grep -qvE '^(PASS |XFAIL |  |$|[0-9]+ scenarios? in |imapconform: )' "$WORK/run.out"; then
    echo "record.sh: the recording run gave other verdicts than PASS and the expected XFAIL (exit $status); nothing written" >&2
    exit 1
fi

mkdir -p "$WORK/good" "$WORK/faulty"
cp "$WORK"/rec/*.txt "$WORK/good/"
while IFS= read -r row; do
    kind=$(field "$row" 1) id=$(field "$row" 3)
    [ "$kind" = correct ] || continue
    comment=$(expand "$(field "$row" 6)" "$id") script=$(expand "$(last_field "$row")" "$id")
    src=$WORK/rec/$id.txt
    [ -f "$src" ] || { echo "record.sh: correct $id: no recording" >&2; exit 1; }
    {
        printf '# corrected: %s\n' "$comment"
        sed -e "$script" "$src"
    } >"$WORK/good/$id.txt"
    n=$(changed_lines <(body_of "$WORK/good/$id.txt") "$src")
    if [ "$n" -lt 1 ] || [ "$n" -gt 2 ]; then
        echo "record.sh: correct $id: the edit changed $n lines (want 1 or 2): $script" >&2
        exit 1
    fi
done < <(rows)

while IFS= read -r row; do
    kind=$(field "$row" 1) name=$(field "$row" 2) id=$(field "$row" 3)
    [ "$kind" = fault ] || [ "$kind" = real ] || continue
    comment=$(expand "$(field "$row" 6)" "$id") script=$(expand "$(last_field "$row")" "$id")
    good=$WORK/good/$id.txt
    [ -f "$good" ] || { echo "record.sh: $name: no recording of $id" >&2; exit 1; }
    if [ "$kind" = real ]; then
        src=$WORK/rec/$id.txt
        script=""
    else
        src=$good
    fi
    {
        printf '# fault: %s\n' "$comment"
        if [ -n "$script" ]; then
            body_of "$src" | sed -e "$script"
        else
            cat "$src"
        fi
    } >"$WORK/faulty/$name.txt"
    n=$(changed_lines <(tail -n +2 "$WORK/faulty/$name.txt") <(body_of "$good"))
    if [ "$n" -lt 1 ] || [ "$n" -gt 2 ]; then
        echo "record.sh: $name: differs from good/$id.txt in $n lines (want 1 or 2); update cases.txt" >&2
        exit 1
    fi
done < <(rows)

rm -rf "$HERE/good" "$HERE/faulty"
mkdir -p "$HERE/good" "$HERE/faulty"
cp "$WORK"/good/*.txt "$HERE/good/"
cp "$WORK"/faulty/*.txt "$HERE/faulty/"
echo "record.sh: wrote $(find "$HERE/good" -name '*.txt' | wc -l) good recordings and" \
    "$(find "$HERE/faulty" -name '*.txt' | wc -l) faulty transcripts"
echo "record.sh: now run IC_TESTS=test_liststatus bash tests/integration/run.sh"
