# shellcheck shell=bash
# replay.sh: helpers for replaying recorded transcripts through
# `imapconform serve` (sourced after lib/assert.sh).  Callers set WORK,
# IC_BIN, PREFIX and SERVE_IDLE_MS, and export IC_TEST_PASSWORD and
# IC_TEST_PASSWORD2.

# --- helpers ----------------------------------------------------------------------------
trim() {
    local s=$1
    s=${s#"${s%%[![:space:]]*}"}
    s=${s%"${s##*[![:space:]]}"}
    printf '%s' "$s"
}

# contains_all FILE LABEL TEXTS: every " ;; "-separated text occurs in FILE.
contains_all() {
    local file=$1 label=$2 texts=$3 t missing=0
    [ "$texts" = - ] && return 0
    while [ -n "$texts" ]; do
        t=${texts%% ;; *}
        if [ "$t" = "$texts" ]; then texts=""; else texts=${texts#* ;; }; fi
        t=$(trim "$t")
        [ -z "$t" ] && continue
        if ! grep -qF -- "$t" "$file"; then
            _assert_fail "expected $label to contain: $t"
            missing=1
        fi
    done
    [ "$missing" -eq 0 ] || _assert_show "$label was" "$file"
}

# serve_start TRANSCRIPT: starts the responder; sets SERVE_PID and SERVE_PORT.
serve_start() {
    : >"$WORK/serve.out"
    : >"$WORK/serve.err"
    timeout 60 "$IC_BIN" serve "$1" --listen 127.0.0.1:0 --idle-timeout "$SERVE_IDLE_MS" \
        >"$WORK/serve.out" 2>"$WORK/serve.err" </dev/null &
    SERVE_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        SERVE_PORT=$(sed -n 's/^listening on 127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$WORK/serve.out")
        [ -n "$SERVE_PORT" ] && return 0
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.05
    done
    _assert_fail "imapconform serve $1 did not print \"listening on 127.0.0.1:PORT\""
    _assert_show "serve stderr" "$WORK/serve.err"
    serve_stop
    return 1
}

# serve_wait: waits (at most SERVE_IDLE_MS + 5 s) for the responder to exit; sets SERVE_RC.
serve_wait() {
    local i limit=$(((SERVE_IDLE_MS + 5000) / 100))
    for ((i = 0; i < limit; i++)); do
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$SERVE_PID" 2>/dev/null; then
        _assert_fail "imapconform serve was still running $((limit / 10)) s after the run; killed"
        kill "$SERVE_PID" 2>/dev/null
    fi
    wait "$SERVE_PID"
    # shellcheck disable=SC2034  # read by the sourcing test
    SERVE_RC=$?
    SERVE_PID=""
}

# serve_stop: ends the responder at once (a faulty replay stops mid-recording).
serve_stop() {
    kill "$SERVE_PID" 2>/dev/null
    wait "$SERVE_PID" 2>/dev/null
    SERVE_PID=""
}

# replay SCENARIO-FILE EXIT: runs the scenario against the responder started by
# serve_start and checks the run's exit status; the run's output lands in
# $WORK/run.out, its verdict lines in $WORK/verdicts.
replay() {
    assert_exit "$2" timeout 60 "$IC_BIN" run "imap://127.0.0.1:$SERVE_PORT" "$1" \
        --user user1 --password-env IC_TEST_PASSWORD --user2 user2 --password2-env IC_TEST_PASSWORD2 \
        --prefix "$PREFIX" --no-sweep --timeout 3000 --connect-timeout 3000 --color never
    cp "$OUT" "$WORK/run.out"
    grep -E '^(PASS|FAIL|NON-STRICT|INFO|UNSUPPORTED|ERROR|XFAIL|XPASS) ' "$WORK/run.out" \
        >"$WORK/verdicts"
}
