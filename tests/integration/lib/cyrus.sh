# shellcheck shell=bash
# cyrus.sh: a throwaway Cyrus IMAP 3.6 (Debian 12) on 127.0.0.1 for the
# integration tests.  Source it from bash, then:
#
#   cyrus_start LABDIR   write LABDIR/imapd.conf and LABDIR/cyrus.conf, a test
#                        CA and server certificate, users, and start the master
#   cyrus_stop LABDIR    stop it by the PID in LABDIR/cyrus.pid
#
# Everything lives under LABDIR (configuration, databases, spool, sockets,
# proc and lock directories, logs, TLS files); nothing is read from /etc.
# Users user1..user4 with passwords pass1..pass4 (sasldb, realm "localhost" =
# servername), plus the admin "cyrus" (password "cyrus").  Ports (127.0.0.1
# only), from the environment:
#   CYRUS_PORT        (default 10145; plain + STARTTLS)
#   CYRUS_IMAPS_PORT  (default 10995; implicit TLS)
#
# The binaries: cyrus-common provides master, ctl_cyrusdb, lmtpd and friends
# in /usr/lib/cyrus/bin; imapd itself is in the cyrus-imapd package, which
# Conflicts with dovecot-imapd, so ci/install-deps.sh unpacks it (dpkg-deb -x)
# into /var/cache/imapconform/cyrus-imapd/root.  CYRUS_IMAPD overrides the
# path of imapd.
#
# After a successful start, LABDIR/cyrus.env holds the ports chosen
# (CYRUS_IMAP_PORT=..., CYRUS_IMAPS_PORT=...), LABDIR/tls/ca.pem is the CA to
# trust, LABDIR/cyrus.pid the master's PID, and LABDIR/conf/log/userN/ the
# protocol telemetry of every session of userN (Cyrus logs only through
# syslog otherwise; master's own output is in LABDIR/log/master.log and
# LABDIR/log/master.out).
# The functions return non-zero with a message on stderr; they never exit.
# Needs root (the master switches to the cyrus user, which owns the lab).

# shellcheck source=tests/integration/lib/lab.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

CYRUS_BIN_DIR=${CYRUS_BIN_DIR:-/usr/lib/cyrus/bin}
CYRUS_IMAPD_CACHE=${CYRUS_IMAPD_CACHE:-/var/cache/imapconform/cyrus-imapd}
CYRUS_IMAPD=${CYRUS_IMAPD:-$CYRUS_IMAPD_CACHE/root/usr/lib/cyrus/bin/imapd}

# Shows the end of what the lab logged (stderr).
_cyrus_log_tail() {
    local lab=$1
    tail -n 20 "$lab/log/master.log" "$lab/log/master.out" >&2 2>/dev/null
}

_cyrus_imapd_conf() {
    local lab=$1
    cat <<EOF
# Written by tests/integration/lib/cyrus.sh; owns everything.
configdirectory: $lab/conf
defaultpartition: default
partition-default: $lab/spool
proc_path: $lab/run/proc
mboxname_lockpath: $lab/run/lock
sievedir: $lab/sieve
idlesocket: $lab/run/socket/idle
notifysocket: $lab/run/socket/notify
lmtpsocket: $lab/run/socket/lmtp
syslog_prefix: imapconform-cyrus
servername: localhost
admins: cyrus
unixhierarchysep: yes
altnamespace: yes
allowplaintext: yes
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: $lab/conf/sasldb2
sasl_mech_list: PLAIN LOGIN
autocreate_quota: 0
autocreate_inbox_folders: Drafts | Sent | Trash | Junk
xlist-drafts: Drafts
xlist-sent: Sent
xlist-trash: Trash
xlist-junk: Junk
tls_server_cert: $lab/tls/server.pem
tls_server_key: $lab/tls/server.key
EOF
}

_cyrus_cyrus_conf() {
    local lab=$1 imap_port=$2 imaps_port=$3 imapd=$4 bin=$CYRUS_BIN_DIR
    # master does not pass its -C on: every cmd= names the configuration.
    cat <<EOF
# Written by tests/integration/lib/cyrus.sh.
START {
  recover cmd="$bin/ctl_cyrusdb -C $lab/imapd.conf -r"
}
SERVICES {
  imap cmd="$imapd -C $lab/imapd.conf" listen="127.0.0.1:$imap_port" prefork=0
  imaps cmd="$imapd -s -C $lab/imapd.conf" listen="127.0.0.1:$imaps_port" prefork=0
  lmtpunix cmd="$bin/lmtpd -C $lab/imapd.conf" listen="$lab/run/socket/lmtp" prefork=0
}
EVENTS {
  checkpoint cmd="$bin/ctl_cyrusdb -C $lab/imapd.conf -c" period=30
}
EOF
}

cyrus_start() {
    local lab=${1:?cyrus_start: LABDIR missing}
    local imap_port=${CYRUS_PORT:-10145} imaps_port=${CYRUS_IMAPS_PORT:-10995}
    local b
    for b in "$CYRUS_BIN_DIR/master" "$CYRUS_BIN_DIR/ctl_cyrusdb" "$CYRUS_IMAPD"; do
        if [ ! -x "$b" ]; then
            echo "cyrus_start: $b is missing (run ci/install-deps.sh: cyrus-common, and cyrus-imapd unpacked into $CYRUS_IMAPD_CACHE)" >&2
            return 1
        fi
    done
    if ! command -v saslpasswd2 >/dev/null 2>&1; then
        echo "cyrus_start: saslpasswd2 is not installed (package sasl2-bin; run ci/install-deps.sh)" >&2
        return 1
    fi
    if ! getent passwd cyrus >/dev/null; then
        echo "cyrus_start: the system user \"cyrus\" does not exist (created by cyrus-common)" >&2
        return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "cyrus_start: the test Cyrus must be started as root (its master switches to the cyrus user)" >&2
        return 1
    fi
    if [ -f "$lab/cyrus.pid" ] && kill -0 "$(cat "$lab/cyrus.pid")" 2>/dev/null; then
        echo "cyrus_start: a Cyrus from $lab is already running (PID $(cat "$lab/cyrus.pid")); cyrus_stop it first" >&2
        return 1
    fi
    local port
    for port in "$imap_port" "$imaps_port"; do
        if lab_port_busy "$port"; then
            echo "cyrus_start: port 127.0.0.1:$port is already in use (another Cyrus or another program); stop it or choose another port with CYRUS_PORT/CYRUS_IMAPS_PORT" >&2
            return 1
        fi
    done

    mkdir -p "$lab" || return 1
    lab=$(cd "$lab" && pwd) || return 1
    case "$lab" in
        *[[:space:]\"]*)
            echo "cyrus_start: the lab path \"$lab\" contains white space or a quote, which cyrus.conf cannot hold; use another TMPDIR" >&2
            return 1 ;;
    esac
    # The cyrus user must be able to walk down to the lab.
    local d=${lab%/*}
    while [ -n "$d" ]; do
        if [ "$(( 0$(stat -c %a "$d") & 1 ))" -eq 0 ]; then
            echo "cyrus_start: $d is not searchable by other users, so Cyrus (user cyrus) cannot reach $lab; use a TMPDIR under /tmp" >&2
            return 1
        fi
        d=${d%/*}
    done
    chmod 755 "$lab"
    local n
    mkdir -p "$lab/conf" "$lab/spool" "$lab/sieve" "$lab/log" \
        "$lab/run/proc" "$lab/run/lock" "$lab/run/socket" || return 1
    for n in 1 2 3 4; do
        mkdir -p "$lab/conf/log/user$n" || return 1
    done
    lab_make_tls "$lab/tls" || return 1
    _cyrus_imapd_conf "$lab" >"$lab/imapd.conf"
    _cyrus_cyrus_conf "$lab" "$imap_port" "$imaps_port" "$CYRUS_IMAPD" >"$lab/cyrus.conf"
    rm -f "$lab/conf/sasldb2"
    for n in 1 2 3 4; do
        if ! printf 'pass%s' "$n" | saslpasswd2 -f "$lab/conf/sasldb2" -c -p -u localhost "user$n"; then
            echo "cyrus_start: saslpasswd2 could not add user$n to $lab/conf/sasldb2" >&2
            return 1
        fi
    done
    printf 'cyrus' | saslpasswd2 -f "$lab/conf/sasldb2" -c -p -u localhost cyrus || {
        echo "cyrus_start: saslpasswd2 could not add the admin cyrus" >&2
        return 1
    }
    chown -R cyrus:mail "$lab/conf" "$lab/spool" "$lab/sieve" "$lab/log" "$lab/run" "$lab/tls" || return 1
    chmod 644 "$lab/imapd.conf" "$lab/cyrus.conf"
    printf 'CYRUS_IMAP_PORT=%s\nCYRUS_IMAPS_PORT=%s\n' "$imap_port" "$imaps_port" >"$lab/cyrus.env"
    rm -f "$lab/cyrus.pid"

    # -d: master forks into the background and writes its PID to -p.  All
    # three stdio redirected, or a $(...) around this function would hang.
    if ! "$CYRUS_BIN_DIR/master" -C "$lab/imapd.conf" -M "$lab/cyrus.conf" -p "$lab/cyrus.pid" \
        -d -L "$lab/log/master.log" </dev/null >>"$lab/log/master.out" 2>&1; then
        echo "cyrus_start: $CYRUS_BIN_DIR/master -C $lab/imapd.conf failed; last log lines:" >&2
        _cyrus_log_tail "$lab"
        return 1
    fi

    local deadline=$((SECONDS + ${CYRUS_START_TIMEOUT:-20})) greeting="" pid=""
    while [ "$SECONDS" -lt "$deadline" ]; do
        if [ -z "$pid" ] && [ -s "$lab/cyrus.pid" ]; then
            pid=$(tr -dc 0-9 <"$lab/cyrus.pid")
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            echo "cyrus_start: the Cyrus master (PID $pid) exited during startup; last log lines:" >&2
            _cyrus_log_tail "$lab"
            return 1
        fi
        if [ -n "$pid" ] && greeting=$(lab_greeting "$imap_port") && [ "${greeting#\* OK}" != "$greeting" ]; then
            if lab_port_busy "$imaps_port"; then
                echo "cyrus is up: imap 127.0.0.1:$imap_port, imaps 127.0.0.1:$imaps_port (PID $pid, lab $lab)"
                return 0
            fi
        fi
        [ -n "$greeting" ] && [ "${greeting#\* OK}" = "$greeting" ] &&
            printf 'cyrus_start: greeting was: %s\n' "$greeting" >>"$lab/log/master.log"
        greeting=""
        sleep 0.2
    done
    echo "cyrus_start: Cyrus did not answer an IMAP greeting on 127.0.0.1:$imap_port within ${CYRUS_START_TIMEOUT:-20} s; last log lines:" >&2
    _cyrus_log_tail "$lab"
    [ -n "$pid" ] && cyrus_stop "$lab" >/dev/null 2>&1
    return 1
}

cyrus_stop() {
    local lab=${1:?cyrus_stop: LABDIR missing} pid
    if [ ! -s "$lab/cyrus.pid" ]; then
        return 0
    fi
    pid=$(tr -dc 0-9 <"$lab/cyrus.pid")
    if [ -z "$pid" ]; then
        echo "cyrus_stop: $lab/cyrus.pid does not hold a PID" >&2
        return 1
    fi
    # Only signal the process if it is still the master started with this
    # lab's configuration (the PID may have been reused).
    if ! kill -0 "$pid" 2>/dev/null ||
        ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$lab/imapd.conf"; then
        rm -f "$lab/cyrus.pid"
        return 0
    fi
    # The master's children (imapd, lmtpd, ...), taken by parent PID while
    # the master is alive.
    local kids k i
    kids=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ')
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "cyrus_stop: PID $pid did not exit within 10 s; sending KILL" >&2
        kill -KILL "$pid" 2>/dev/null
    fi
    for k in $kids; do
        for ((i = 0; i < 50; i++)); do
            kill -0 "$k" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$k" 2>/dev/null; then
            echo "cyrus_stop: child PID $k of $pid still running; sending KILL" >&2
            kill -KILL "$k" 2>/dev/null
        fi
    done
    rm -f "$lab/cyrus.pid"
    return 0
}
