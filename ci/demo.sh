#!/usr/bin/env bash
# demo.sh: the one-command demonstration on a fresh Debian 12 machine.
# Installs what is missing (ci/install-deps.sh), builds (make), starts a
# throwaway Dovecot on 127.0.0.1 (tests/integration/lib/dovecot.sh), then
#   1. imapconform probe: the server's identity card and OMA CPM table;
#   2. imapconform run: every scenario under scenarios/, over STARTTLS with
#      certificate verification, writing reports/junit.xml and
#      reports/transcripts/;
# stops the server and exits non-zero if either step did (0 fine, 1 a FAIL,
# ERROR, missing SHALL extension or grammar violation, 2 usage, 3
# unreachable/TLS/authentication, 4 certificate not verified).
#
# Ports come from IMAP_PORT (default 10143) and IMAPS_PORT (default 10993);
# IC_KEEP_LAB=1 keeps the server's folder for inspection.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if ! ci/install-deps.sh --check >/dev/null 2>&1; then
    ci/install-deps.sh
fi

echo "== make"
make

# shellcheck source=tests/integration/lib/dovecot.sh
. tests/integration/lib/dovecot.sh
export IMAP_PORT=${IMAP_PORT:-10143}
export IMAPS_PORT=${IMAPS_PORT:-10993}
LAB=$(mktemp -d "${TMPDIR:-/tmp}/imapconform-demo.XXXXXX")

# shellcheck disable=SC2317  # called by the trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    dovecot_stop "$LAB"
    if [ "${IC_KEEP_LAB:-0}" = 1 ]; then
        echo "demo: server folder kept in $LAB"
    else
        rm -rf "$LAB"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== starting a throwaway Dovecot on 127.0.0.1 (users user1..user4, passwords pass1..pass4)"
dovecot_start "$LAB" main

# Passwords travel in the environment, never on the command line.
export IMAPCONFORM_PASSWORD=pass1 IMAPCONFORM_PASSWORD2=pass2
conn=("imap://127.0.0.1:$IMAP_PORT" --starttls --cafile "$LAB/tls/ca.pem"
    --user user1 --password-env IMAPCONFORM_PASSWORD)

echo "== bin/imapconform probe ${conn[*]}"
probe_rc=0
bin/imapconform probe "${conn[@]}" || probe_rc=$?

mkdir -p reports
rm -rf reports/transcripts
echo "== bin/imapconform run ${conn[*]} --user2 user2 ... --junit reports/junit.xml"
run_rc=0
bin/imapconform run "${conn[@]}" --user2 user2 --password2-env IMAPCONFORM_PASSWORD2 \
    --junit reports/junit.xml --transcripts reports/transcripts || run_rc=$?

echo "== probe exit code: $probe_rc, run exit code: $run_rc (reports in reports/)"
exit $((probe_rc > run_rc ? probe_rc : run_rc))
