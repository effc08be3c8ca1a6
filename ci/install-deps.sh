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
#
# Cyrus IMAP (tests/integration/test_cyrus.sh): cyrus-common, cyrus-admin and
# the SASL packages are installed normally, but the cyrus-imapd package (imapd)
# Conflicts with dovecot-imapd, so it is never installed: this script fetches
# it with `apt-get download cyrus-imapd=<cyrus-common's version>` and unpacks
# it with `dpkg-deb -x` into $CYRUS_IMAPD_CACHE/root (default
# /var/cache/imapconform/cyrus-imapd), which tests/integration/lib/cyrus.sh
# reads. cyrus-common depends on default-mta, so exim4 is installed too (not
# used, never started by us). The test Cyrus runs on 127.0.0.1:10145/10995.
set -euo pipefail

PACKAGES=(
    build-essential pkg-config libssl-dev openssl libyaml-dev check libsubunit-dev
    clang libclang-rt-14-dev valgrind
    dovecot-imapd dovecot-core
    libxml2-utils python3 python3-junitparser procps ca-certificates
    cyrus-common cyrus-admin sasl2-bin libsasl2-modules libsasl2-modules-db
)
# imapd of cyrus-imapd, unpacked (not installed); see above.
CYRUS_IMAPD_CACHE=${CYRUS_IMAPD_CACHE:-/var/cache/imapconform/cyrus-imapd}
CYRUS_IMAPD_BIN=$CYRUS_IMAPD_CACHE/root/usr/lib/cyrus/bin/imapd
# Ports the integration tests and the demo give their Dovecot instances.
TEST_PORTS=("${IMAP_PORT:-10143}" "${IMAPS_PORT:-10993}" "${NOMODSEQ_PORT:-10144}"
    "${CYRUS_PORT:-10145}" "${CYRUS_IMAPS_PORT:-10995}")

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

# True when the unpacked imapd is there and matches cyrus-common's version.
cyrus_imapd_ok() {
    local want
    want=$(dpkg-query -W -f='${Version}' cyrus-common 2>/dev/null || true)
    [ -n "$want" ] && [ -x "$CYRUS_IMAPD_BIN" ] &&
        [ "$(cat "$CYRUS_IMAPD_CACHE/version" 2>/dev/null)" = "$want" ]
}

if $check_only; then
    rc=0
    if [ ${#missing[@]} -ne 0 ]; then
        echo "install-deps.sh: missing packages: ${missing[*]}"
        rc=1
    fi
    if ! cyrus_imapd_ok; then
        echo "install-deps.sh: missing: cyrus-imapd unpacked into $CYRUS_IMAPD_CACHE/root (matching cyrus-common)"
        rc=1
    fi
    exit "$rc"
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

# cyrus-imapd: downloaded and unpacked, never installed (it Conflicts with
# dovecot-imapd). The version must be cyrus-common's (same libcyrus).
if cyrus_imapd_ok; then
    echo "install-deps.sh: cyrus-imapd is unpacked in $CYRUS_IMAPD_CACHE/root; nothing to do"
else
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "install-deps.sh: cyrus-imapd must be unpacked into $CYRUS_IMAPD_CACHE/root as root (apt-get download cyrus-imapd; dpkg-deb -x)" >&2
        exit 2
    fi
    cyrus_version=$(dpkg-query -W -f='${Version}' cyrus-common)
    echo "install-deps.sh: unpacking cyrus-imapd $cyrus_version into $CYRUS_IMAPD_CACHE/root"
    "${SUDO[@]}" mkdir -p "$CYRUS_IMAPD_CACHE"
    dl=$("${SUDO[@]}" mktemp -d "$CYRUS_IMAPD_CACHE/download.XXXXXX")
    # apt's sandbox user must be able to write there (else a warning).
    if getent passwd _apt >/dev/null; then
        "${SUDO[@]}" chown _apt "$dl"
    fi
    if ! (cd "$dl" && "${SUDO[@]}" apt-get download -q "cyrus-imapd=$cyrus_version"); then
        # the package lists may be stale (a security update): refresh once
        "${SUDO[@]}" apt-get update
        (cd "$dl" && "${SUDO[@]}" apt-get download -q "cyrus-imapd=$cyrus_version") || {
            echo "install-deps.sh: apt-get download cyrus-imapd=$cyrus_version failed" >&2
            "${SUDO[@]}" rm -rf "$dl"
            exit 2
        }
    fi
    "${SUDO[@]}" rm -rf "$CYRUS_IMAPD_CACHE/root.new"
    "${SUDO[@]}" dpkg-deb -x "$dl"/cyrus-imapd_*.deb "$CYRUS_IMAPD_CACHE/root.new"
    "${SUDO[@]}" rm -rf "$CYRUS_IMAPD_CACHE/root" "$dl"
    "${SUDO[@]}" mv "$CYRUS_IMAPD_CACHE/root.new" "$CYRUS_IMAPD_CACHE/root"
    printf '%s\n' "$cyrus_version" | "${SUDO[@]}" tee "$CYRUS_IMAPD_CACHE/version" >/dev/null
    if ! cyrus_imapd_ok; then
        echo "install-deps.sh: $CYRUS_IMAPD_BIN missing after unpacking cyrus-imapd" >&2
        exit 2
    fi
fi
if ! getent passwd cyrus >/dev/null; then
    echo "install-deps.sh: warning: system user \"cyrus\" does not exist; the test Cyrus needs it (cyrus-common creates it)" >&2
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
