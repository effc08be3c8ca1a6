# shellcheck shell=bash
# dovecot.sh: a throwaway Dovecot on 127.0.0.1 for the integration tests and
# the demo.  Source it from bash, then:
#
#   dovecot_start LABDIR [main|nomodseq]   write LABDIR/dovecot.conf, a test CA and
#                                          server certificate, users, and start it
#   dovecot_stop LABDIR                    stop it by the PID in LABDIR/dovecot.pid
#   dovecot_seed LABDIR USER MAILBOX COUNT append COUNT small messages (after start)
#
# Everything lives under LABDIR (config, base_dir, state_dir, logs, mail,
# TLS files); nothing is read from /etc/dovecot.  Users user1..user4 with
# passwords pass1..pass4.  Ports (127.0.0.1 only), from the environment:
#   main:     IMAP_PORT (default 10143; plain + STARTTLS), IMAPS_PORT (default 10993; implicit TLS)
#   nomodseq: NOMODSEQ_PORT (default 10144; plain + STARTTLS), NOMODSEQ_IMAPS_PORT (default 0 = off)
# The nomodseq variant keeps its indexes in memory (INDEX=MEMORY), so every
# mailbox answers SELECT with [NOMODSEQ]; it runs beside the main one when it
# has its own LABDIR.
#
# After a successful start, LABDIR/dovecot.env holds the ports chosen
# (DOVECOT_IMAP_PORT=..., DOVECOT_IMAPS_PORT=...), LABDIR/tls/ca.pem is the
# CA to trust, and LABDIR/dovecot.pid the master's PID.
# The functions return non-zero with a message on stderr; they never exit.
# Needs root (Dovecot switches to the dovecot/dovenull/nobody users).

# shellcheck source=tests/integration/lib/lab.sh
. "$(dirname "${BASH_SOURCE[0]}")/lab.sh"

_dovecot_conf() {
    local lab=$1 variant=$2 imap_port=$3 imaps_port=$4
    local mail_location="maildir:~/Maildir"
    [ "$variant" = nomodseq ] && mail_location="maildir:~/Maildir:INDEX=MEMORY"
    local ssl_imaps=""
    [ "$imaps_port" != 0 ] && ssl_imaps="ssl = yes"
    cat <<EOF
# Written by tests/integration/lib/dovecot.sh (variant $variant); owns everything.
instance_name = imapconform-$variant
base_dir = $lab/run
state_dir = $lab/state
log_path = $lab/log/dovecot.log
info_log_path = $lab/log/dovecot.log
debug_log_path = $lab/log/dovecot.log
log_timestamp = "%Y-%m-%d %H:%M:%S "
protocols = imap
listen = 127.0.0.1
shutdown_clients = yes

disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $lab/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $lab/users
  default_fields = uid=nobody gid=nogroup home=$lab/mail/%u
}
mail_uid = nobody
mail_gid = nogroup
first_valid_uid = 1
first_valid_gid = 1
mail_location = $mail_location

ssl = yes
ssl_cert = <$lab/tls/server.pem
ssl_key = <$lab/tls/server.key
ssl_min_protocol = TLSv1.2

namespace inbox {
  inbox = yes
  prefix =
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \\Junk
    auto = subscribe
  }
}

# METADATA needs both of these; NOTIFY needs the mailbox list index.
imap_metadata = yes
mail_attribute_dict = file:%h/dovecot-attributes
mailbox_list_index = yes
# ACL (and RIGHTS=texk)
mail_plugins = \$mail_plugins acl
plugin {
  acl = vfile
}
protocol imap {
  mail_plugins = \$mail_plugins imap_acl
}

# Every listener we do not want gets port = 0: a listener left out keeps its
# built-in port (imaps would bind 993).
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps_port
    $ssl_imaps
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
service lmtp {
  inet_listener lmtp {
    port = 0
  }
}
service imap-urlauth-login {
  inet_listener imap-urlauth {
    port = 0
  }
}
service doveadm {
  inet_listener doveadm {
    port = 0
  }
}
EOF
}

dovecot_start() {
    local lab=${1:?dovecot_start: LABDIR missing} variant=${2:-main}
    local imap_port imaps_port
    case "$variant" in
        main)
            imap_port=${IMAP_PORT:-10143}
            imaps_port=${IMAPS_PORT:-10993} ;;
        nomodseq)
            imap_port=${NOMODSEQ_PORT:-10144}
            imaps_port=${NOMODSEQ_IMAPS_PORT:-0} ;;
        *)
            echo "dovecot_start: unknown variant \"$variant\" (main or nomodseq)" >&2
            return 2 ;;
    esac
    if ! command -v dovecot >/dev/null 2>&1; then
        echo "dovecot_start: dovecot is not installed (run ci/install-deps.sh)" >&2
        return 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "dovecot_start: the test Dovecot must be started as root (it switches to the dovecot and nobody users)" >&2
        return 1
    fi
    if [ -f "$lab/dovecot.pid" ] && kill -0 "$(cat "$lab/dovecot.pid")" 2>/dev/null; then
        echo "dovecot_start: a Dovecot from $lab is already running (PID $(cat "$lab/dovecot.pid")); dovecot_stop it first" >&2
        return 1
    fi
    local port
    for port in "$imap_port" "$imaps_port"; do
        [ "$port" = 0 ] && continue
        if lab_port_busy "$port"; then
            echo "dovecot_start: port 127.0.0.1:$port is already in use (another Dovecot or another program); stop it or choose another port with IMAP_PORT/IMAPS_PORT/NOMODSEQ_PORT" >&2
            return 1
        fi
    done

    mkdir -p "$lab" || return 1
    lab=$(cd "$lab" && pwd) || return 1
    case "$lab" in
        *[[:space:]]*)
            echo "dovecot_start: the lab path \"$lab\" contains white space, which dovecot.conf cannot hold; use another TMPDIR" >&2
            return 1 ;;
    esac
    # Dovecot's users (dovecot, nobody) must be able to walk down to the lab.
    local d=${lab%/*}
    while [ -n "$d" ]; do
        if [ "$(( 0$(stat -c %a "$d") & 1 ))" -eq 0 ]; then
            echo "dovecot_start: $d is not searchable by other users, so Dovecot's mail processes (user nobody) cannot reach $lab; use a TMPDIR under /tmp" >&2
            return 1
        fi
        d=${d%/*}
    done
    # The mail processes run as nobody and the auth process as dovecot: the
    # lab dir (mktemp -d makes it 0700) must be traversable by them.
    chmod 755 "$lab"
    mkdir -p "$lab/run" "$lab/state" "$lab/log" "$lab/mail" || return 1
    chown nobody:nogroup "$lab/mail"
    lab_make_tls "$lab/tls" || return 1
    local n
    : >"$lab/users"
    for n in 1 2 3 4; do
        printf 'user%s:{PLAIN}pass%s::::::\n' "$n" "$n" >>"$lab/users"
    done
    chmod 644 "$lab/users"
    _dovecot_conf "$lab" "$variant" "$imap_port" "$imaps_port" >"$lab/dovecot.conf"
    printf 'DOVECOT_VARIANT=%s\nDOVECOT_IMAP_PORT=%s\nDOVECOT_IMAPS_PORT=%s\n' \
        "$variant" "$imap_port" "$imaps_port" >"$lab/dovecot.env"
    rm -f "$lab/dovecot.pid" "$lab/run/master.pid"

    # The master keeps stdio open: redirect all three, or a $(...) around
    # this function would never return.
    if ! dovecot -c "$lab/dovecot.conf" </dev/null >>"$lab/log/stdout.log" 2>>"$lab/log/stderr.log"; then
        echo "dovecot_start: dovecot -c $lab/dovecot.conf failed:" >&2
        tail -n 20 "$lab/log/stderr.log" "$lab/log/dovecot.log" >&2 2>/dev/null
        return 1
    fi

    local deadline=$((SECONDS + 15)) greeting="" pid=""
    while [ "$SECONDS" -lt "$deadline" ]; do
        if [ -z "$pid" ] && [ -s "$lab/run/master.pid" ]; then
            pid=$(cat "$lab/run/master.pid")
            printf '%s\n' "$pid" >"$lab/dovecot.pid"
        fi
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            break
        fi
        if [ -n "$pid" ] && greeting=$(lab_greeting "$imap_port") && [ "${greeting#\* OK}" != "$greeting" ]; then
            if [ "$imaps_port" = 0 ] || lab_port_busy "$imaps_port"; then
                local where="imap 127.0.0.1:$imap_port"
                [ "$imaps_port" != 0 ] && where="$where, imaps 127.0.0.1:$imaps_port"
                echo "dovecot ($variant) is up: $where (PID $pid, lab $lab)"
                return 0
            fi
        fi
        greeting=""
        sleep 0.2
    done
    echo "dovecot_start: Dovecot ($variant) did not answer an IMAP greeting on 127.0.0.1:$imap_port within 15 s; last log lines:" >&2
    tail -n 20 "$lab/log/stderr.log" "$lab/log/dovecot.log" >&2 2>/dev/null
    [ -n "$pid" ] && dovecot_stop "$lab" >/dev/null 2>&1
    return 1
}

dovecot_stop() {
    local lab=${1:?dovecot_stop: LABDIR missing} pid
    if [ ! -s "$lab/dovecot.pid" ]; then
        return 0
    fi
    pid=$(cat "$lab/dovecot.pid")
    case "$pid" in
        ''|*[!0-9]*)
            echo "dovecot_stop: $lab/dovecot.pid does not hold a PID" >&2
            return 1 ;;
    esac
    # Only signal the process if it is still the master started with this
    # lab's configuration (the PID may have been reused).
    if ! kill -0 "$pid" 2>/dev/null ||
        ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$lab/dovecot.conf"; then
        rm -f "$lab/dovecot.pid"
        return 0
    fi
    # The master's children (anvil, log, auth, imap-login, imap, ...), taken
    # by parent PID while the master is alive: the master can exit before
    # the last of them, which would keep the port busy.
    local kids k i
    kids=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ')
    kill -TERM "$pid" 2>/dev/null
    for ((i = 0; i < 100; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "dovecot_stop: PID $pid did not exit within 10 s; sending KILL" >&2
        kill -KILL "$pid" 2>/dev/null
    fi
    for k in $kids; do
        for ((i = 0; i < 50; i++)); do
            kill -0 "$k" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$k" 2>/dev/null; then
            echo "dovecot_stop: child PID $k of $pid still running; sending KILL" >&2
            kill -KILL "$k" 2>/dev/null
        fi
    done
    rm -f "$lab/dovecot.pid"
    return 0
}

# dovecot_seed LABDIR USER MAILBOX COUNT: appends COUNT small messages with
# doveadm save (the running server answers doveadm's userdb lookup).
dovecot_seed() {
    local lab=${1:?dovecot_seed: LABDIR missing} user=${2:?user missing} mbox=${3:?mailbox missing}
    local count=${4:?count missing} i out rc=0
    local conf="$lab/dovecot.conf"
    if [ "$mbox" != INBOX ]; then
        # "already exists" is fine
        doveadm -c "$conf" mailbox create -u "$user" "$mbox" >/dev/null 2>&1 || true
    fi
    for ((i = 1; i <= count; i++)); do
        out=$(printf '%s\r\n' \
            "From: Seed Sender <seed@example.org>" \
            "To: $user@example.org" \
            "Subject: seed message $i" \
            "Date: Mon, 1 Jan 2024 12:00:00 +0000" \
            "Message-ID: <seed-$i-$RANDOM@imapconform.test>" \
            "" \
            "Seed message $i for $mbox." |
            doveadm -c "$conf" save -u "$user" -m "$mbox" 2>&1) || rc=1
        # In-memory indexes (nomodseq) make doveadm log a harmless stat() error.
        out=$(printf '%s\n' "$out" | grep -v 'dovecot.index.log) failed: No such file or directory' || true)
        if [ -n "$out" ]; then
            printf 'dovecot_seed: %s\n' "$out" >&2
        fi
        if [ "$rc" -ne 0 ]; then
            echo "dovecot_seed: doveadm save -u $user -m $mbox failed at message $i" >&2
            return 1
        fi
    done
    return 0
}
