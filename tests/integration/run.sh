#!/usr/bin/env bash
# run.sh: the integration tests (`make integration`).  Starts a throwaway
# Dovecot on 127.0.0.1 (tests/integration/lib/dovecot.sh), runs every
# tests/integration/test_*.sh against it, stops it, and prints one line per
# test file and the summary line "integration: N passed, N failed".
# Exit 1 when a test failed or none ran.
#
# A second Dovecot, the NOMODSEQ variant (in-memory indexes: every mailbox
# answers SELECT with [NOMODSEQ]), runs beside it on NOMODSEQ_PORT, with its
# own lab dir $LAB/nomodseq (exported as NOMODSEQ_LAB); if it cannot start,
# NOMODSEQ_PORT is left unset and the tests that need it fail on their own.
#
# Environment (all optional): IC_BIN (default bin/imapconform), IMAP_PORT
# (10143), IMAPS_PORT (10993), NOMODSEQ_PORT (10144), TMPDIR, IC_KEEP_LAB=1
# (keep the lab dir), IC_TESTS="test_a test_b" (run only these), IC_TEST_TIMEOUT (seconds per
# test file, default 300).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/tests/integration
cd "$ROOT" || exit 1

IC_BIN=${IC_BIN:-$ROOT/bin/imapconform}
case "$IC_BIN" in
    /*) ;;
    *) IC_BIN=$ROOT/$IC_BIN ;;
esac
if [ ! -x "$IC_BIN" ]; then
    echo "integration: $IC_BIN not found; run make first"
    echo "integration: 0 passed, 1 failed"
    exit 1
fi

# Cheap check first; the installer runs (and needs root or sudo) only when
# something is missing.
if ! "$ROOT/ci/install-deps.sh" --check >/dev/null 2>&1; then
    "$ROOT/ci/install-deps.sh" || {
        echo "integration: dependencies missing (see above)"
        echo "integration: 0 passed, 1 failed"
        exit 1
    }
fi

# shellcheck source=tests/integration/lib/dovecot.sh
. "$HERE/lib/dovecot.sh"

export IMAP_PORT=${IMAP_PORT:-10143}
export IMAPS_PORT=${IMAPS_PORT:-10993}
NOMODSEQ_PORT=${NOMODSEQ_PORT:-10144}
LAB=$(mktemp -d "${TMPDIR:-/tmp}/imapconform-it.XXXXXX") || exit 1
export LAB IC_BIN
export CA_FILE=$LAB/tls/ca.pem
export NOMODSEQ_LAB=$LAB/nomodseq
export FAKESERVER="python3 $HERE/lib/fakeserver.py"
export IC_ROOT=$ROOT

# shellcheck disable=SC2317  # called by the trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "${child:-}" ]; then
        kill -TERM "$child" 2>/dev/null
        wait "$child" 2>/dev/null
    fi
    dovecot_stop "$NOMODSEQ_LAB"
    dovecot_stop "$LAB"
    if [ "${IC_KEEP_LAB:-0}" = 1 ]; then
        echo "integration: lab kept in $LAB"
    else
        rm -rf "$LAB"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! dovecot_start "$LAB" main; then
    echo "integration: could not start Dovecot (see above)"
    echo "integration: 0 passed, 1 failed"
    exit 1
fi
if NOMODSEQ_IMAPS_PORT=0 dovecot_start "$NOMODSEQ_LAB" nomodseq; then
    export NOMODSEQ_PORT
else
    echo "integration: could not start the NOMODSEQ Dovecot on port $NOMODSEQ_PORT (tests needing it will fail)"
    unset NOMODSEQ_PORT
fi

if [ -n "${IC_TESTS:-}" ]; then
    read -r -a names <<<"$IC_TESTS"
    tests=()
    for n in "${names[@]}"; do
        tests+=("$HERE/${n%.sh}.sh")
    done
else
    tests=("$HERE"/test_*.sh)
    [ -e "${tests[0]}" ] || tests=()
fi

passed=0
failed=0
child=""
for t in "${tests[@]}"; do
    name=$(basename "$t" .sh)
    log=$LAB/$name.log
    if [ ! -f "$t" ]; then
        echo "FAIL $name (no such test file)"
        failed=$((failed + 1))
        continue
    fi
    start=$SECONDS
    # In the background, so that a TERM to this script runs its trap at once
    # (a trap waits for a foreground child to finish).
    timeout "${IC_TEST_TIMEOUT:-300}" bash "$t" >"$log" 2>&1 </dev/null &
    child=$!
    wait "$child"
    rc=$?
    child=""
    if [ "$rc" -eq 0 ]; then
        echo "PASS $name ($((SECONDS - start)) s)"
        passed=$((passed + 1))
    else
        [ "$rc" -eq 124 ] && echo "(killed after ${IC_TEST_TIMEOUT:-300} s)" >>"$log"
        echo "FAIL $name (exit $rc, $((SECONDS - start)) s); its output:"
        sed 's/^/    /' "$log"
        failed=$((failed + 1))
    fi
done

if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    echo "no test file ran (tests/integration/test_*.sh)"
fi
echo "integration: $passed passed, $failed failed"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
exit 0
