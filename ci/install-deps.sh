#!/usr/bin/env bash
# install-deps.sh: installs what imapconform needs to build and to run every
# test on Debian 12 (bookworm), and nothing when it is all there already.
#
#   ci/install-deps.sh           install what is missing (apt-get, as root or via sudo)
#   ci/install-deps.sh --check   only report: exit 0 when nothing is missing, 1 otherwise
#
# Exit codes: 0 everything is installed; 1 (--check) something is missing;
# 2 something is missing and this user cannot install it (no root, no sudo),
# or this is not a dpkg/apt system.
#
# The package install never starts a server of ours. Installing dovecot-core
# may start the distribution's own Dovecot on ports 143/993 (where the
# service policy allows it); that one is left alone: the tests run their own
# instance with its own configuration on 127.0.0.1 high ports (10143, 10993,
# 10144), and this script checks that nothing else is listening there.
set -euo pipefail

PACKAGES=(
    build-essential pkg-config libssl-dev openssl libyaml-dev check libsubunit-dev
    clang libclang-rt-14-dev valgrind
    dovecot-imapd dovecot-core
    libxml2-utils python3 python3-junitparser procps ca-certificates
)
# Ports the integration tests and the demo give their Dovecot instances.
TEST_PORTS=("${IMAP_PORT:-10143}" "${IMAPS_PORT:-10993}" "${NOMODSEQ_PORT:-10144}")

check_only=false
case "${1:-}" in
    --check) check_only=true ;;
    "") ;;
    -h|--help)
        sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
        exit 0 ;;
    *)
        echo "install-deps.sh: unknown argument \"$1\" (use --check or nothing)" >&2
        exit 2 ;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps.sh: dpkg-query not found; this script supports Debian 12 only. Needed: ${PACKAGES[*]}" >&2
    exit 2
fi

missing=()
for p in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    if [ "$status" != "install ok installed" ]; then
        missing+=("$p")
    fi
done

if $check_only; then
    if [ ${#missing[@]} -eq 0 ]; then
        exit 0
    fi
    echo "install-deps.sh: missing packages: ${missing[*]}"
    exit 1
fi

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps.sh: all ${#PACKAGES[@]} packages are installed; nothing to do"
else
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "install-deps.sh: missing packages: ${missing[*]}; install them as root with: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
        exit 2
    fi
    echo "install-deps.sh: installing: ${missing[*]}"
    "${SUDO[@]}" apt-get update
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
    still=()
    for p in "${missing[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
        [ "$status" = "install ok installed" ] || still+=("$p")
    done
    if [ ${#still[@]} -ne 0 ]; then
        echo "install-deps.sh: still missing after apt-get install: ${still[*]}" >&2
        exit 2
    fi
    echo "install-deps.sh: installed: ${missing[*]}"
fi

# Our Dovecot instances run as root and switch to these users (created by
# dovecot-core's postinst), and store mail as nobody:nogroup.
for u in dovecot dovenull nobody; do
    if ! getent passwd "$u" >/dev/null; then
        echo "install-deps.sh: warning: system user \"$u\" does not exist; the test Dovecot needs it" >&2
    fi
done
if ! getent group nogroup >/dev/null; then
    echo "install-deps.sh: warning: group \"nogroup\" does not exist; the test Dovecot needs it" >&2
fi

# A Dovecot started by the package listens on 143/993 with /etc/dovecot's
# configuration; ours never read it. Only say so, and warn if one of the
# test ports is already answering (another instance, or another program).
for port in "${TEST_PORTS[@]}"; do
    # shellcheck disable=SC2016  # $1 is expanded by the inner bash
    if timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$port" 2>/dev/null; then
        echo "install-deps.sh: note: 127.0.0.1:$port is already in use; the tests need it free (or set IMAP_PORT/IMAPS_PORT/NOMODSEQ_PORT)" >&2
    fi
done
exit 0
