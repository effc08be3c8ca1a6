#!/usr/bin/env bash
# test_run.sh: `imapconform run` (and `run --list`, `lint`) with the project's
# scenarios/ against the lab Dovecot: every scenario passes, the JUnit report
# validates and parses, transcripts hold no password, scenario errors stop
# the run before anything is sent, an unreachable target or a refused login
# gives exit 3, and nothing is left under the run's prefix afterwards.
#
# Run by tests/integration/run.sh, which exports IC_BIN, LAB, IMAP_PORT,
# IMAPS_PORT, CA_FILE and FAKESERVER (Dovecot users user1..user4 / pass1..pass4).
# Contract under test:
#   imapconform run TARGET [PATH...] --user U --password-env VAR
#       [--user2 U --password2-env VAR] [--junit FILE] [--transcripts DIR]
#       [--prefix NAME] [--no-sweep] [--timeout MS]
#   one line per scenario ("PASS id", "UNSUPPORTED id" + indented reason, ...),
#   last line "imapconform: N passed, N failed, N skipped";
#   exit 0 no FAIL/ERROR, 1 FAIL/ERROR, 2 usage/scenario error (nothing sent),
#   3 unreachable or login refused, 4 TLS verification.
set -uo pipefail

: "${IC_BIN:?IC_BIN not set (run through tests/integration/run.sh)}"
: "${LAB:?LAB not set}" "${IMAP_PORT:?}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$ROOT" || exit 1
WORK=$(mktemp -d "$LAB/test_run.XXXXXX")
ASSERT_DIR=$WORK
# shellcheck source=tests/integration/lib/assert.sh
. "$HERE/lib/assert.sh"
# shellcheck source=tests/integration/lib/dovecot.sh
. "$HERE/lib/dovecot.sh"

PY=/usr/bin/python3                 # the system Python (junitparser is installed there)
IMAP_LIST=$HERE/lib/imap_list.py
TARGET=imap://127.0.0.1:$IMAP_PORT
export IC_TEST_PASSWORD=pass1 IC_TEST_PASSWORD2=pass2
PREFIX=imapconform-itrun-$$
T=(--timeout 10000 --connect-timeout 5000)
LISTENER_PID=""

# shellcheck disable=SC2317  # called by the trap
cleanup() {
    if [ -n "$LISTENER_PID" ]; then
        kill "$LISTENER_PID" 2>/dev/null
        wait "$LISTENER_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -x "$IC_BIN" ]; then
    echo "test_run: $IC_BIN is missing or not executable (run make first)"
    exit 1
fi

# shellcheck disable=SC2317  # called through assert_exit
ic() {
    timeout 120 "$IC_BIN" "$@"
}

# mailboxes USER PASS PATTERN: the names imap_list.py finds (into $WORK/list);
# fails the case when the helper itself fails (an error is not "none found").
mailboxes() {
    local rc
    timeout 20 "$PY" "$IMAP_LIST" "$IMAP_PORT" "$1" "$2" "$3" >"$WORK/list" 2>"$WORK/list.err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        _assert_fail "imap_list.py $IMAP_PORT $1 *** $3 failed (exit $rc)"
        _assert_show stderr "$WORK/list.err"
        return 1
    fi
    return 0
}

# A snapshot of scenarios/ (files may change while the test runs); every
# command below runs in $WORK/suite, so "scenarios" is the snapshot (also as
# the tool's default directory).
mkdir -p "$WORK/suite" && cp -r "$ROOT/scenarios" "$WORK/suite/" && cd "$WORK/suite" || exit 1

# The scenario ids, read from the files themselves (independent of the tool),
# with the tool's search rules (src/scenario/find.c): *.yaml and *.yml, not
# hidden, not under profiles/, transcripts/ or requirements/, not requirements.yaml.
mapfile -t IDS < <(find scenarios \( -name '.?*' -o -name profiles -o -name transcripts \
    -o -name requirements \) -prune -o \( -name '*.yaml' -o -name '*.yml' \) \
    -not -name requirements.yaml -type f -print0 | xargs -0 sed -n 's/^id: *//p' | sort)
N=${#IDS[@]}

# --- (g, set-up) a leftover under the prefix, which the end-of-run sweep must remove
# It also proves that the "nothing left" check below can see a mailbox.
assert_begin "set-up: a mailbox planted under the run prefix is visible to imap_list.py"
[ "$N" -ge 5 ] || _assert_fail "expected at least 5 scenario files under scenarios/, found $N"
if dovecot_seed "$LAB" user1 "$PREFIX-planted" 1 && mailboxes user1 pass1 "$PREFIX-*"; then
    assert_contains "$WORK/list" "$PREFIX-planted"
fi

# --- (a) the whole suite with two users --------------------------------------------
# Dovecot's confirmed deviations (each with its RFC citation) are listed in
# tests/expected/dovecot/: they show as XFAIL; anything else must pass.
assert_begin "run scenarios/ with user1 and user2: exit 0, PASS (or a listed XFAIL) per scenario"
assert_exit 0 ic run "$TARGET" scenarios --user user1 --password-env IC_TEST_PASSWORD \
    --user2 user2 --password2-env IC_TEST_PASSWORD2 --prefix "$PREFIX" \
    --expect "$ROOT/tests/expected/dovecot" \
    --junit "$WORK/junit.xml" --transcripts "$WORK/tx" "${T[@]}"
cp "$OUT" "$WORK/run.out"
cp "$ERR" "$WORK/run.err"
RUN_OUT=$WORK/run.out
# Verdict lines: "VERDICT  id  (time)".
grep -E '^(PASS|FAIL|NON-STRICT|INFO|UNSUPPORTED|ERROR|XFAIL|XPASS) ' "$RUN_OUT" >"$WORK/verdicts"
assert_line_count "$WORK/verdicts" "$N"
assert_not_matches "$RUN_OUT" '^(FAIL|ERROR|NON-STRICT|INFO|XPASS) '
not_passed=()
for id in "${IDS[@]}"; do
    grep -qE "^(PASS|UNSUPPORTED|XFAIL) +${id//./\\.}( |$)" "$RUN_OUT" || not_passed+=("$id")
done
if [ "${#not_passed[@]}" -ne 0 ]; then
    _assert_fail "expected \"PASS id\" (or UNSUPPORTED with a reason) for every scenario; not for:" \
        "${not_passed[@]}"
    grep -E -A 8 '^(FAIL|ERROR|NON-STRICT|INFO) ' "$RUN_OUT" | head -n 80 | sed 's/^/        | /'
fi
# An UNSUPPORTED line must be followed by an indented, non-empty reason.
awk '/^UNSUPPORTED / { want = $2; next }
     want != "" { if ($0 !~ /^  +[^ ]/) print want; want = "" }
     END { if (want != "") print want }' "$RUN_OUT" >"$WORK/unsupported-without-reason"
if [ -s "$WORK/unsupported-without-reason" ]; then
    _assert_fail "UNSUPPORTED without a reason line for: $(tr '\n' ' ' <"$WORK/unsupported-without-reason")"
fi
# Closing line: exactly the last line, N passed (PASS + the non-failing verdicts).
tail -n 1 "$RUN_OUT" >"$WORK/last"
unsupported=$(grep -c '^UNSUPPORTED ' "$RUN_OUT")
assert_matches "$WORK/last" "^imapconform: $((N - unsupported)) passed, 0 failed, $unsupported skipped\$"
assert_not_contains "$RUN_OUT" pass1
assert_not_contains "$RUN_OUT" pass2
assert_not_contains "$WORK/run.err" pass1

# --- (b) the JUnit report ------------------------------------------------------------
assert_begin "JUnit report: valid under junit-10.xsd"
if [ -s "$WORK/junit.xml" ]; then
    assert_exit 0 xmllint --noout --schema "$ROOT/tests/data/junit-10.xsd" "$WORK/junit.xml"
else
    _assert_fail "expected $WORK/junit.xml to exist and be non-empty"
fi

assert_begin "JUnit report: junitparser reads $N tests, 0 failures, 0 errors, every id once"
# shellcheck disable=SC2016  # Python source
assert_exit 0 timeout 30 "$PY" -c '
import sys
from junitparser import JUnitXml
x = JUnitXml.fromfile(sys.argv[1])
names = sorted(c.name for s in x for c in s)
print("tests=%d failures=%d errors=%d" % (x.tests, x.failures, x.errors))
for n in names:
    print("case " + n)
' "$WORK/junit.xml"
assert_contains "$OUT" "tests=$N failures=0 errors=0"
for id in "${IDS[@]}"; do
    assert_contains "$OUT" "case $id"
done
grep '^case ' "$OUT" >"$WORK/cases"
assert_line_count "$WORK/cases" "$N"

# --- (c) transcripts -----------------------------------------------------------------
assert_begin "transcripts: one per scenario, passwords shown as ***, never in clear"
for id in "${IDS[@]}"; do
    if [ ! -s "$WORK/tx/$id.txt" ]; then
        _assert_fail "expected a transcript $WORK/tx/$id.txt"
    fi
done
find "$WORK/tx" -type f >"$WORK/tx-files"
assert_line_count "$WORK/tx-files" "$N"
cat "$WORK"/tx/*.txt >"$WORK/tx-all" 2>/dev/null
assert_contains "$WORK/tx-all" 'AUTHENTICATE PLAIN ***'
assert_not_contains "$WORK/tx-all" pass1
assert_not_contains "$WORK/tx-all" pass2
# The SASL PLAIN response of user1/pass1 and user2/pass2, base64 ("\0user1\0pass1").
for u in 1 2; do
    b64=$(printf '\0user%s\0pass%s' "$u" "$u" | base64)
    assert_not_contains "$WORK/tx-all" "$b64"
    assert_not_contains "$WORK/junit.xml" "$b64"
done
assert_not_contains "$WORK/junit.xml" pass1
assert_not_contains "$WORK/junit.xml" pass2

# --- (d) --list needs no server ------------------------------------------------------
assert_begin "run --list: every scenario id, no target needed"
if assert_exit 0 ic run --list; then
    for id in "${IDS[@]}"; do
        assert_matches "$OUT" "^${id//./\\.} "
    done
    tail -n 1 "$OUT" >"$WORK/last"
    assert_matches "$WORK/last" "^$N scenarios\$"
fi
assert_begin "run --list with a selection: only the matching ids"
if assert_exit 0 ic run --list scenarios --filter 'base.*'; then
    assert_matches "$OUT" '^base\.'
    assert_not_matches "$OUT" '^(qresync|uidplus)\.'
fi

# --- (e) lint, and a scenario error stops the run before anything is sent ----------
assert_begin "lint scenarios: exit 0"
if assert_exit 0 ic lint scenarios; then
    assert_contains "$OUT" "$N scenarios valid"
fi

# A listener that records every connection it accepts: the target of a run that
# must not connect.  It prints its port, then one "accepted" line per connection.
start_listener() {
    : >"$WORK/listener.out"
    # shellcheck disable=SC2016  # Python source
    timeout 60 "$PY" -u -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
print(s.getsockname()[1])
while True:
    c, _ = s.accept()
    print("accepted")
    c.close()
' >"$WORK/listener.out" 2>/dev/null &
    LISTENER_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        LISTENER_PORT=$(head -n 1 "$WORK/listener.out")
        [ -n "$LISTENER_PORT" ] && return 0
        sleep 0.05
    done
    _assert_fail "the recording listener did not start"
    return 1
}
stop_listener() {
    kill "$LISTENER_PID" 2>/dev/null
    wait "$LISTENER_PID" 2>/dev/null
    LISTENER_PID=""
}

mkdir -p "$WORK/bad"
cat >"$WORK/bad/broken.yaml" <<'EOF'
id: test.broken.step
title: A scenario with an unknown step key
requirements: [IMAP-01]
dialogue:
  - C: a1 CAPABILITY
  - S: '* CAPABILITY IMAP4rev1 ...'
  - expect: a1 OK
EOF
assert_begin "the connection detector works (it sees a connection)"
if start_listener; then
    # shellcheck disable=SC2016  # $1 is expanded by the inner bash
    timeout 5 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$LISTENER_PORT" 2>/dev/null
    sleep 0.3
    stop_listener
    assert_contains "$WORK/listener.out" accepted
fi

assert_begin "a scenario error: exit 2, file:line:col: on stderr, no verdict line, no connection"
if start_listener; then
    assert_exit 2 ic run "imap://127.0.0.1:$LISTENER_PORT" "$WORK/bad/broken.yaml" \
        --requirements scenarios/requirements --user user1 --password-env IC_TEST_PASSWORD "${T[@]}"
    assert_matches "$ERR" "broken\.yaml:7:[0-9]+: "
    assert_contains "$ERR" "expect"
    assert_not_matches "$OUT" '^(PASS|FAIL|NON-STRICT|INFO|UNSUPPORTED|ERROR) '
    sleep 0.3
    stop_listener
    assert_not_contains "$WORK/listener.out" accepted
fi
assert_begin "lint of the broken scenario: exit 1 with file:line:col:"
if assert_exit 1 ic lint "$WORK/bad" --requirements scenarios/requirements; then
    cat "$OUT" "$ERR" >"$WORK/lint-all"
    assert_matches "$WORK/lint-all" "broken\.yaml:7:[0-9]+: "
fi

# --- (f) unreachable target, refused login -----------------------------------------
CLOSED_PORT=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
assert_begin "closed port: exit 3 naming 127.0.0.1:port, no verdict counted as PASS"
if assert_exit 3 ic run "imap://127.0.0.1:$CLOSED_PORT" scenarios --user user1 \
    --password-env IC_TEST_PASSWORD "${T[@]}"; then
    assert_contains "$ERR" "127.0.0.1:$CLOSED_PORT"
    assert_not_matches "$OUT" '^PASS '
fi

assert_begin "wrong password: exit 3, the password not echoed"
if IC_TEST_PASSWORD=wrong-secret-42 assert_exit 3 ic run "$TARGET" scenarios --user user1 \
    --password-env IC_TEST_PASSWORD --prefix "$PREFIX-wrong" "${T[@]}"; then
    assert_contains "$ERR" "127.0.0.1:$IMAP_PORT"
    assert_contains "$ERR" user1
    assert_not_matches "$OUT" '^PASS '
fi
assert_not_contains "$OUT" wrong-secret-42
assert_not_contains "$ERR" wrong-secret-42

# --- (g) nothing left under the prefix -----------------------------------------------
assert_begin "after the run: no mailbox under the prefix, for user1 and user2"
for u in 1 2; do
    if mailboxes "user$u" "pass$u" "$PREFIX*"; then
        if [ -s "$WORK/list" ]; then
            _assert_fail "expected no mailbox under $PREFIX for user$u, found:"
            _assert_show "imap_list.py" "$WORK/list"
        fi
    fi
done
# The lab's own mailboxes are still there (the sweep is limited to the prefix).
if mailboxes user1 pass1 '*'; then
    assert_contains "$WORK/list" INBOX
fi

assert_finish
