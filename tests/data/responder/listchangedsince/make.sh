#!/usr/bin/env bash
# make.sh: writes the replay data of the LIST-CHANGEDSINCE scenarios
# (scenarios/listchangedsince) from base/ and cases.txt:
#   good/<id>.txt     base/<id>.txt with the "script" rows of cases.txt applied and
#                     LIST-CHANGEDSINCE added to every capability list: what a correct
#                     server answers (first line "# scripted: ..."); a scenario without
#                     script rows keeps its real Dovecot recording unedited
#   faulty/<name>.txt good/<id>.txt with one "fault" row applied (at most two lines
#                     changed), or base/<id>.txt with only the capability added
#                     ("dovecot" row); first line "# fault: ..."
# base/ holds recordings against Dovecot (--record, prefix imapconform-rt) of the
# same dialogues with plain LIST commands (Dovecot lacks the capability; see
# README.md).  Run from anywhere; no server needed.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PREFIX=imapconform-rt

field() {
    local row=$1 n=$2 i
    for ((i = 1; i < n; i++)); do
        row=${row#* | }
    done
    printf '%s' "${row%% | *}"
}
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
changed_lines() {
    diff "$1" "$2" | grep -c '^[<>]' || true
}
add_capability() {
    sed -e '/CAPABILITY .*LIST-STATUS/s/ LIST-STATUS / LIST-STATUS LIST-CHANGEDSINCE /' "$1"
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ic-lcs-make.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/good" "$WORK/faulty"

# good/: base recordings, scripted where cases.txt says so
for base in "$HERE"/base/*.txt; do
    id=$(basename "$base" .txt)
    comments="" scripted=0
    cp "$base" "$WORK/body"
    while IFS= read -r row; do
        if [ "$(field "$row" 1)" != script ] || [ "$(field "$row" 3)" != "$id" ]; then
            continue
        fi
        scripted=1
        comments="${comments:+$comments; }$(expand "$(field "$row" 6)" "$id")"
        script=$(expand "$(last_field "$row")" "$id")
        if [ "$script" != - ]; then
            sed -e "$script" "$WORK/body" >"$WORK/next"
            if cmp -s "$WORK/body" "$WORK/next"; then
                echo "make.sh: script row for $id changed nothing: $script" >&2
                exit 1
            fi
            mv "$WORK/next" "$WORK/body"
        fi
    done < <(rows)
    if [ "$scripted" -eq 1 ]; then
        {
            printf '# scripted: %s\n' "$comments"
            add_capability "$WORK/body"
        } >"$WORK/good/$id.txt"
    else
        cp "$WORK/body" "$WORK/good/$id.txt"
    fi
done

# faulty/
while IFS= read -r row; do
    kind=$(field "$row" 1) name=$(field "$row" 2) id=$(field "$row" 3)
    [ "$kind" = fault ] || [ "$kind" = dovecot ] || continue
    comment=$(expand "$(field "$row" 6)" "$id") script=$(expand "$(last_field "$row")" "$id")
    good=$WORK/good/$id.txt
    [ -f "$good" ] || { echo "make.sh: $name: no good/$id.txt" >&2; exit 1; }
    sed '1{/^# scripted: /d}' "$good" >"$WORK/goodbody"
    {
        printf '# fault: %s\n' "$comment"
        if [ "$kind" = dovecot ]; then
            add_capability "$HERE/base/$id.txt"
        else
            sed -e "$script" "$WORK/goodbody"
        fi
    } >"$WORK/faulty/$name.txt"
    if [ "$kind" = fault ]; then
        n=$(changed_lines <(tail -n +2 "$WORK/faulty/$name.txt") "$WORK/goodbody")
        if [ "$n" -lt 1 ] || [ "$n" -gt 4 ]; then
            echo "make.sh: $name: differs from good/$id.txt in $n diff lines (want 1 to 4: at most two lines edited)" >&2
            exit 1
        fi
    fi
done < <(rows)

rm -rf "$HERE/good" "$HERE/faulty"
mkdir -p "$HERE/good" "$HERE/faulty"
cp "$WORK"/good/*.txt "$HERE/good/"
cp "$WORK"/faulty/*.txt "$HERE/faulty/"
echo "make.sh: wrote $(find "$HERE/good" -name '*.txt' | wc -l) good and" \
    "$(find "$HERE/faulty" -name '*.txt' | wc -l) faulty transcripts"
