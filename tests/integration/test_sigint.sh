#!/usr/bin/env bash
# test_sigint.sh: Ctrl-C during `imapconform run`.  A scenario with fixture
# mailboxes and a 5 s sleep in the middle is started with a fixed --prefix;
# while it sleeps, its fixture mailbox must exist (so the final "nothing left"
# check is able to see one); then SIGINT goes to the imapconform process, which
# must end promptly with exit 1, say that it was interrupted, and leave no
# mailbox under the prefix.  A second case interrupts a run whose server
# (`imapconform serve` playing tests/data/responder/faulty/expunge-no-tagged.txt)
# never sends a tagged response: Ctrl-C must not wait for --timeout.
#
# Run by tests/integration/run.sh, which exports IC_BIN, LAB and IMAP_PORT
# (Dovecot users user1..user4 / pass1..pass4).
set -uo pipefail

: "${IC_BIN:?IC_BIN not set (run through tests/integration/run.sh)}"
: "${LAB:?LAB not set}" "${IMAP_PORT:?}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WORK=$(mktemp -d "$LAB/test_sigint.XXXXXX")
ASSERT_DIR=$WORK
# shellcheck source=tests/integration/lib/assert.sh
. "$HERE/lib/assert.sh"

PY=/usr/bin/python3
IMAP_LIST=$HERE/lib/imap_list.py
export IC_TEST_PASSWORD=pass1
PREFIX=imapconform-itsig-$$
# The fixture mailbox's full name: <namespace prefix ""><prefix>-<id with _>-<name>.
BOX=$PREFIX-sigint_slow_sleep-box
# After SIGINT: at most this long for the scenario to stop, clean up and exit.
# Clean-up on loopback takes well under a second; the sleep has 3.5 s left.
MAX_EXIT_MS=2500
# Absolute bound on the whole run (it is killed after this, and the case fails).
HARD_LIMIT_S=20
RUN_PID=""
SERVE_PID=""

# shellcheck disable=SC2317  # called by the trap
cleanup() {
    if [ -n "$RUN_PID" ] && kill -0 "$RUN_PID" 2>/dev/null; then
        kill -KILL "$RUN_PID" 2>/dev/null
        wait "$RUN_PID" 2>/dev/null
    fi
    if [ -n "$SERVE_PID" ]; then
        kill "$SERVE_PID" 2>/dev/null
        wait "$SERVE_PID" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -x "$IC_BIN" ]; then
    echo "test_sigint: $IC_BIN is missing or not executable (run make first)"
    exit 1
fi

now_ms() { date +%s%3N; }

# mailboxes PATTERN: the names imap_list.py finds (into $WORK/list); fails the
# case when the helper fails (an error is not "none found").
mailboxes() {
    local rc
    timeout 20 "$PY" "$IMAP_LIST" "$IMAP_PORT" user1 pass1 "$1" >"$WORK/list" 2>"$WORK/list.err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        _assert_fail "imap_list.py $IMAP_PORT user1 *** $1 failed (exit $rc)"
        _assert_show stderr "$WORK/list.err"
        return 1
    fi
    return 0
}

mkdir -p "$WORK/sc"
cat >"$WORK/sc/requirements.yaml" <<'EOF'
SIG-01:
  ref: RFC 3501 §6.4.5
  level: MUST
  statement: >-
    FETCH returns the UID of the first message (a scenario that takes a while,
    for the Ctrl-C test).
EOF
cat >"$WORK/sc/slow.yaml" <<'EOF'
id: sigint.slow.sleep
title: A scenario that sleeps 5 s between two commands, to be interrupted
requirements: [SIG-01]
fixture:
  mailboxes:
    box: { messages: 3 }
    dest: {}
dialogue:
  - C: a1 SELECT $box
  - S: '* 3 EXISTS'
  - sleep: 5s
  - C: a2 FETCH 1 (UID)
  - S: '* 1 FETCH (UID 1)'
EOF

assert_begin "the slow scenario is valid"
assert_exit 0 timeout 30 "$IC_BIN" lint "$WORK/sc"

assert_begin "before the run: nothing under the prefix"
if mailboxes "$PREFIX*" && [ -s "$WORK/list" ]; then
    _assert_fail "expected no mailbox under $PREFIX before the run" "found: $(tr '\n' ' ' <"$WORK/list")"
fi

# Started directly (not under timeout(1)), so that $! is imapconform itself
# and the SIGINT reaches it; bounded by HARD_LIMIT_S below.
start_ms=$(now_ms)
"$IC_BIN" run "imap://127.0.0.1:$IMAP_PORT" "$WORK/sc/slow.yaml" --user user1 \
    --password-env IC_TEST_PASSWORD --prefix "$PREFIX" --timeout 10000 --connect-timeout 5000 \
    >"$WORK/run.out" 2>"$WORK/run.err" </dev/null &
RUN_PID=$!

assert_begin "while the scenario sleeps: its fixture mailbox exists"
seen=0
for ((i = 0; i < 30; i++)); do       # at most ~3 s
    if ! kill -0 "$RUN_PID" 2>/dev/null; then
        break
    fi
    if mailboxes "$PREFIX*" && grep -qxF "$BOX" "$WORK/list" &&
        grep -qxF "$PREFIX-sigint_slow_sleep-dest" "$WORK/list"; then
        seen=1
        break
    fi
    sleep 0.1
done
if [ "$seen" -ne 1 ]; then
    _assert_fail "expected imap_list.py to find $BOX and $PREFIX-sigint_slow_sleep-dest while the run was in progress"
    _assert_show "imap_list.py" "$WORK/list"
    _assert_show "run stdout" "$WORK/run.out"
    _assert_show "run stderr" "$WORK/run.err"
fi

assert_begin "SIGINT about 1.5 s into the run: exit 1 within $MAX_EXIT_MS ms, 'interrupted'"
elapsed=$(($(now_ms) - start_ms))
if [ "$elapsed" -lt 1500 ]; then
    left=$((1500 - elapsed))
    sleep "$((left / 1000)).$(printf '%03d' $((left % 1000)))"
fi
if ! kill -0 "$RUN_PID" 2>/dev/null; then
    _assert_fail "imapconform had already exited before the SIGINT (the scenario should sleep 5 s)"
    _assert_show "run stdout" "$WORK/run.out"
fi
kill -INT "$RUN_PID" 2>/dev/null
sigint_ms=$(now_ms)
echo "    (SIGINT sent $((sigint_ms - start_ms)) ms after the start)"
while kill -0 "$RUN_PID" 2>/dev/null && [ $(($(now_ms) - start_ms)) -lt $((HARD_LIMIT_S * 1000)) ]; do
    sleep 0.05
done
if kill -0 "$RUN_PID" 2>/dev/null; then
    _assert_fail "imapconform was still running ${HARD_LIMIT_S} s after it started (SIGINT ignored?); killed"
    kill -KILL "$RUN_PID" 2>/dev/null
fi
exit_ms=$(($(now_ms) - sigint_ms))
wait "$RUN_PID"
rc=$?
RUN_PID=""
if [ "$rc" -ne 1 ]; then
    _assert_fail "expected exit 1 after SIGINT, got $rc"
fi
# BUG (reported to the lead): a `sleep:` step is not interrupted by SIGINT
# (src/engine/engine.c run_sleep() restarts nanosleep() until the full
# duration has passed), so the run only stops when the 5 s sleep is over,
# ~3.5 s after the SIGINT.  This check stays: Ctrl-C must act promptly.
if [ "$exit_ms" -gt "$MAX_EXIT_MS" ]; then
    _assert_fail "expected imapconform to exit within $MAX_EXIT_MS ms of the SIGINT, it took $exit_ms ms" \
        "(SIGINT sent $((sigint_ms - start_ms)) ms after the start, in the middle of the 5 s sleep)"
fi
assert_contains "$WORK/run.err" "interrupted"
assert_contains "$WORK/run.err" "$PREFIX"
# The scenario in progress is not counted as passed.
assert_matches "$WORK/run.out" '^ERROR +sigint\.slow\.sleep'
assert_not_matches "$WORK/run.out" '^PASS '
tail -n 1 "$WORK/run.out" >"$WORK/last"
assert_matches "$WORK/last" '^imapconform: 0 passed, 1 failed, 0 skipped$'

assert_begin "after the interrupted run: no mailbox under the prefix"
if mailboxes "$PREFIX*" && [ -s "$WORK/list" ]; then
    _assert_fail "expected no mailbox under $PREFIX after the interrupted run, found:"
    _assert_show "imap_list.py" "$WORK/list"
fi

# --- SIGINT while the client waits for a server that does not answer -------------------
# The responder plays tests/data/responder/faulty/expunge-no-tagged.txt: the
# tagged OK of NOOP never comes, so the client sits in a read bounded by
# --timeout 10000.  Ctrl-C must not wait for that timeout either.
ROOT=$(cd "$HERE/../.." && pwd)
RDATA=$ROOT/tests/data/responder
assert_begin "SIGINT while waiting for a stalled server (--timeout 10000): exit 1 within $MAX_EXIT_MS ms, 'interrupted'"
timeout 60 "$IC_BIN" serve "$RDATA/faulty/expunge-no-tagged.txt" --listen 127.0.0.1:0 \
    --idle-timeout 15000 >"$WORK/serve.out" 2>"$WORK/serve.err" </dev/null &
SERVE_PID=$!
SERVE_PORT=""
for ((i = 0; i < 100; i++)); do
    SERVE_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$WORK/serve.out")
    [ -n "$SERVE_PORT" ] && break
    sleep 0.05
done
if [ -z "$SERVE_PORT" ]; then
    _assert_fail "imapconform serve did not start"
    _assert_show "serve stderr" "$WORK/serve.err"
else
    start_ms=$(now_ms)
    "$IC_BIN" run "imap://127.0.0.1:$SERVE_PORT" "$RDATA/scenarios/expunge.yaml" \
        --requirements "$RDATA/requirements.yaml" --user user1 --password-env IC_TEST_PASSWORD \
        --prefix imapconform-rt --no-sweep --timeout 10000 --connect-timeout 3000 \
        >"$WORK/run2.out" 2>"$WORK/run2.err" </dev/null &
    RUN_PID=$!
    sleep 1.5    # the replay reaches the NOOP within milliseconds
    kill -INT "$RUN_PID" 2>/dev/null
    sigint_ms=$(now_ms)
    while kill -0 "$RUN_PID" 2>/dev/null && [ $(($(now_ms) - start_ms)) -lt $((HARD_LIMIT_S * 1000)) ]; do
        sleep 0.05
    done
    if kill -0 "$RUN_PID" 2>/dev/null; then
        _assert_fail "imapconform was still running ${HARD_LIMIT_S} s after it started; killed"
        kill -KILL "$RUN_PID" 2>/dev/null
    fi
    exit_ms=$(($(now_ms) - sigint_ms))
    wait "$RUN_PID"
    rc=$?
    RUN_PID=""
    [ "$rc" -eq 1 ] || _assert_fail "expected exit 1 after SIGINT, got $rc"
    # BUG (reported to the lead): SIGINT does not break a wait for the server
    # either; the run goes on until --timeout expires (~8.5 s here) and reports
    # the scenario as "no data within 10000 ms" instead of "interrupted".
    if [ "$exit_ms" -gt "$MAX_EXIT_MS" ]; then
        _assert_fail "expected imapconform to exit within $MAX_EXIT_MS ms of the SIGINT, it took $exit_ms ms"
    fi
    assert_contains "$WORK/run2.err" "interrupted"
    assert_matches "$WORK/run2.out" '^ERROR +rt\.expunge\.other-session'
    assert_contains "$WORK/run2.out" "interrupted"
    assert_not_matches "$WORK/run2.out" '^PASS '
fi
if [ -n "$SERVE_PID" ]; then
    kill "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
    SERVE_PID=""
fi

assert_finish
