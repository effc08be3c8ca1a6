#!/usr/bin/env bash
# test_probe.sh: `imapconform probe` against the lab Dovecot (plain, STARTTLS,
# implicit TLS) and against scripted fake servers (grammar violations,
# missing SHALL extensions, a server that never answers).
#
# Run by tests/integration/run.sh, which exports IC_BIN, LAB, IMAP_PORT,
# IMAPS_PORT, CA_FILE and FAKESERVER.  Usage contract under test:
#   imapconform probe TARGET [--user U] [--password-env VAR | --password-file FILE]
#       [--starttls] [--cafile FILE] [--insecure] [--timeout MS] [--connect-timeout MS]
#   exit 0 fine, 1 SHALL missing or grammar violation, 2 usage, 3 unreachable /
#   TLS handshake / authentication, 4 certificate verification.
set -uo pipefail

: "${IC_BIN:?IC_BIN not set (run through tests/integration/run.sh)}"
: "${LAB:?LAB not set}" "${IMAP_PORT:?}" "${IMAPS_PORT:?}" "${CA_FILE:?}" "${FAKESERVER:?}"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=$HERE/data
WORK=$(mktemp -d "$LAB/test_probe.XXXXXX")
ASSERT_DIR=$WORK
# shellcheck source=tests/integration/lib/assert.sh
. "$HERE/lib/assert.sh"
read -r -a FAKE <<<"$FAKESERVER"

PLAIN=imap://127.0.0.1:$IMAP_PORT
IMPLICIT=imaps://127.0.0.1:$IMAPS_PORT
export IC_TEST_PASSWORD=pass1
# Short waits: every server here answers at once or not at all.
T=(--timeout 5000 --connect-timeout 5000)

# shellcheck disable=SC2317  # called through assert_exit
probe() {
    timeout 30 "$IC_BIN" probe "$@"
}

# --- fake servers -----------------------------------------------------------
FAKE_PID=""
FAKE_PORT=""
FAKE_LOG=""

# fake_start ARGS...: starts the fake server on a free port (FAKE_PORT) with
# ARGS (e.g. --script FILE, or --stall).
fake_start() {
    local portfile=$WORK/fake.port
    FAKE_LOG=$WORK/fake.log
    : >"$portfile"
    "${FAKE[@]}" --port 0 --timeout 5 "$@" >"$portfile" 2>"$FAKE_LOG" &
    FAKE_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        FAKE_PORT=$(head -n 1 "$portfile")
        [ -n "$FAKE_PORT" ] && return 0
        kill -0 "$FAKE_PID" 2>/dev/null || break
        sleep 0.05
    done
    _assert_fail "the fake server did not start" "$(cat "$FAKE_LOG")"
    return 1
}

# fake_wait: waits (max 15 s) for the fake server to exit and checks that it
# played its script to the end (exit 0); else shows its log.
fake_wait() {
    local i rc
    [ -n "$FAKE_PID" ] || return 1
    for ((i = 0; i < 150; i++)); do
        kill -0 "$FAKE_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$FAKE_PID" 2>/dev/null; then
        kill "$FAKE_PID" 2>/dev/null
        _assert_fail "the fake server was still running 15 s after the probe ended"
    fi
    wait "$FAKE_PID"
    rc=$?
    FAKE_PID=""
    if [ "$rc" -ne 0 ]; then
        _assert_fail "the fake server exited with $rc (its script was not followed)"
        _assert_show "fake server log" "$FAKE_LOG"
        return 1
    fi
    return 0
}

# shellcheck disable=SC2317  # called by the trap
cleanup() {
    if [ -n "$FAKE_PID" ]; then
        kill "$FAKE_PID" 2>/dev/null
        wait "$FAKE_PID" 2>/dev/null
    fi
}
trap cleanup EXIT

if [ ! -x "$IC_BIN" ]; then
    echo "test_probe: $IC_BIN is missing or not executable (run make first)"
    exit 1
fi

# --- (a) plain IMAP, password from the environment --------------------------
assert_begin "plain imap:// with --password-env: exit 0, SHALL present, tls none, no password"
if assert_exit 0 probe "$PLAIN" --user user1 --password-env IC_TEST_PASSWORD "${T[@]}"; then
    assert_matches "$OUT" '^greeting: +\* OK'
    assert_matches "$OUT" '^tls: +none$'
    assert_matches "$OUT" '^capabilities \(before login\): +.*IMAP4rev1'
    assert_matches "$OUT" '^capabilities \(after login\): +.*UIDPLUS'
    assert_matches "$OUT" '^ +UIDPLUS +SHALL +present'
    assert_matches "$OUT" '^ +LIST-STATUS +SHALL +present'
    assert_matches "$OUT" '^grammar: +[0-9]+ responses checked, 0 violations'
    assert_matches "$OUT" '^result: '
    tail -n 1 "$OUT" >"$WORK/last-line"
    assert_matches "$WORK/last-line" '^result: '
fi
assert_not_contains "$OUT" pass1
assert_not_contains "$ERR" pass1

# --- (b) STARTTLS verified with the lab CA ------------------------------------
assert_begin "imap:// --starttls --cafile: exit 0, TLS verified"
if assert_exit 0 probe "$PLAIN" --starttls --cafile "$CA_FILE" --user user1 \
    --password-env IC_TEST_PASSWORD "${T[@]}"; then
    assert_matches "$OUT" '^tls: +TLSv1\.[23] .*verified'
    assert_not_contains "$OUT" "NOT verified"
    assert_matches "$OUT" '^ +UIDPLUS +SHALL +present'
fi
assert_not_contains "$OUT" pass1
assert_not_contains "$ERR" pass1

# --- (c) implicit TLS verified with the lab CA --------------------------------
assert_begin "imaps:// --cafile: exit 0, TLS verified"
if assert_exit 0 probe "$IMPLICIT" --cafile "$CA_FILE" --user user1 \
    --password-env IC_TEST_PASSWORD "${T[@]}"; then
    assert_matches "$OUT" '^tls: +TLSv1\.[23] .*verified'
    assert_not_contains "$OUT" "NOT verified"
    assert_matches "$OUT" '^ +LIST-STATUS +SHALL +present'
fi

# --- (d) implicit TLS against the system store: the lab CA is not trusted -----
assert_begin "imaps:// without --cafile: exit 4, one stderr line naming the server"
if assert_exit 4 probe "$IMPLICIT" --user user1 --password-env IC_TEST_PASSWORD "${T[@]}"; then
    assert_line_count "$ERR" 1
    assert_contains "$ERR" "127.0.0.1:$IMAPS_PORT"
    assert_contains "$ERR" "verification"
fi
assert_not_contains "$OUT" pass1
assert_not_contains "$ERR" pass1

# --- (e) --insecure skips verification ------------------------------------------
assert_begin "imaps:// --insecure: exit 0, TLS not verified"
if assert_exit 0 probe "$IMPLICIT" --insecure --user user1 --password-env IC_TEST_PASSWORD "${T[@]}"; then
    assert_matches "$OUT" '^tls: +TLSv1\.[23] '
    assert_matches "$OUT" '^ +UIDPLUS +SHALL +present'
fi

# --- (f) wrong password ----------------------------------------------------------
assert_begin "wrong password: exit 3, the password not echoed"
if IC_TEST_PASSWORD=wrong-secret-42 assert_exit 3 probe "$PLAIN" --user user1 \
    --password-env IC_TEST_PASSWORD "${T[@]}"; then
    assert_contains "$ERR" "127.0.0.1:$IMAP_PORT"
fi
assert_not_contains "$OUT" wrong-secret-42
assert_not_contains "$ERR" wrong-secret-42

# --- (g) nothing listening -------------------------------------------------------
# A port that was free a moment ago (bound and released by python).
CLOSED_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
assert_begin "closed port: exit 3 naming host:port"
if assert_exit 3 probe "imap://127.0.0.1:$CLOSED_PORT" "${T[@]}"; then
    assert_contains "$ERR" "127.0.0.1:$CLOSED_PORT"
fi

# --- (h) usage errors ------------------------------------------------------------
assert_begin "usage errors: exit 2"
assert_exit 2 probe "http://127.0.0.1:$IMAP_PORT"
assert_exit 2 probe "127.0.0.1:$IMAP_PORT"
assert_exit 2 probe "imap://127.0.0.1:99999"
assert_exit 2 probe "$PLAIN" --no-such-option
assert_exit 2 probe
assert_exit 2 probe "$PLAIN" --timeout nope
assert_exit 2 probe "$PLAIN" --user user1                    # no password source
assert_exit 2 probe "$PLAIN" --user user1 --password-env IC_TEST_UNSET_VARIABLE
assert_exit 2 probe "$IMPLICIT" --starttls --user user1 --password-env IC_TEST_PASSWORD

# --- (i) password from a file ----------------------------------------------------
assert_begin "--password-file: exit 0, and a wrong one gives exit 3"
printf 'pass1\n' >"$WORK/password"
chmod 600 "$WORK/password"
if assert_exit 0 probe "$PLAIN" --user user1 --password-file "$WORK/password" "${T[@]}"; then
    assert_matches "$OUT" '^capabilities \(after login\): +.*LIST-STATUS'
fi
assert_not_contains "$OUT" pass1
printf 'not-the-password\n' >"$WORK/password.bad"
assert_exit 3 probe "$PLAIN" --user user1 --password-file "$WORK/password.bad" "${T[@]}"
assert_not_contains "$ERR" not-the-password
assert_exit 2 probe "$PLAIN" --user user1 --password-file "$WORK/no-such-file" "${T[@]}"

# --- fake servers: a well-formed one first (the fake server itself is sound) ---
assert_begin "fake server, well-formed, every SHALL extension: exit 0"
if fake_start --script "$DATA/probe_ok.script"; then
    if assert_exit 0 probe "imap://127.0.0.1:$FAKE_PORT" "${T[@]}"; then
        assert_matches "$OUT" '^ +UIDPLUS +SHALL +present'
        assert_matches "$OUT" '^grammar: +[0-9]+ responses checked, 0 violations'
    fi
    fake_wait
fi

# --- (j) grammar violations ------------------------------------------------------
# script, then the ABNF rule(s) the violation may name (an extended regex):
# HIGHESTMODSEQ 0 breaks RFC 7162 mod-sequence-value (>= 1); a double space
# breaks SP (exactly one space) inside RFC 3501 capability-data; "[CLOSED]"
# without text breaks RFC 3501 resp-text.
for spec in "probe_bad_modseq mod-sequence-value" \
    "probe_cap_double_space SP|capability-data" \
    "probe_closed_no_text resp-text"; do
    read -r script rule <<<"$spec"
    assert_begin "fake server $script: exit 1, grammar violation [$rule]"
    fake_start --script "$DATA/$script.script" || continue
    if assert_exit 1 probe "imap://127.0.0.1:$FAKE_PORT" "${T[@]}"; then
        assert_matches "$OUT" "grammar violation \[($rule)\]"
        assert_matches "$OUT" '^grammar: +[0-9]+ responses checked, [1-9][0-9]* violation'
        assert_matches "$OUT" '^result: '
    fi
    fake_wait
done

# --- (k) SHALL extensions missing ------------------------------------------------
assert_begin "fake server without UIDPLUS and LIST-STATUS: exit 1, missing"
if fake_start --script "$DATA/probe_missing_shall.script"; then
    if assert_exit 1 probe "imap://127.0.0.1:$FAKE_PORT" "${T[@]}"; then
        assert_matches "$OUT" '^ +UIDPLUS +SHALL +missing'
        assert_matches "$OUT" '^ +LIST-STATUS +SHALL +missing'
        assert_not_matches "$OUT" '^grammar violation'
    fi
    fake_wait
fi

# --- (l) a server that accepts and never speaks ----------------------------------
assert_begin "stalled server with --timeout 500: exit 3 within 3 s"
if fake_start --stall; then
    start_ms=$(date +%s%3N)
    if assert_exit 3 timeout 20 "$IC_BIN" probe "imap://127.0.0.1:$FAKE_PORT" --timeout 500 \
        --connect-timeout 500; then
        assert_contains "$ERR" "127.0.0.1:$FAKE_PORT"
    fi
    elapsed_ms=$(($(date +%s%3N) - start_ms))
    if [ "$elapsed_ms" -gt 3000 ]; then
        _assert_fail "the probe took $elapsed_ms ms (expected at most 3000 ms with --timeout 500)"
    fi
    fake_wait
fi

assert_finish
