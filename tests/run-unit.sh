#!/bin/sh
# Runs Check unit-test binaries; fails when any fails, or when one ran no
# check at all (Check prints "100%: Checks: 0" and exits 0 then).
# VALGRIND, when set, is a command prefix (e.g. "valgrind -q ...").
status=0
for t in "$@"; do
    # shellcheck disable=SC2086  # VALGRIND is a word list on purpose
    out=$($VALGRIND "$t" 2>&1); rc=$?
    printf '%s\n' "$out" | grep -v '^Running suite' | sed "s|^|$(basename "$t"): |"
    if [ $rc -ne 0 ]; then status=1; fi
    if printf '%s\n' "$out" | grep -q 'Checks: 0,'; then
        echo "$(basename "$t"): ran no checks"; status=1
    fi
done
exit $status
