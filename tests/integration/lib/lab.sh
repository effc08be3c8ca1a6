# shellcheck shell=bash
# lab.sh: pieces shared by the throwaway servers of the tests (sourced by
# lib/dovecot.sh and lib/cyrus.sh): a test CA and server certificate, a port
# probe and a greeting reader, all on 127.0.0.1 only.

# Writes the test CA and a server certificate for localhost / 127.0.0.1.
lab_make_tls() {
    local tls=$1
    mkdir -p "$tls"
    if [ -s "$tls/server.pem" ] && [ -s "$tls/server.key" ] && [ -s "$tls/ca.pem" ]; then
        return 0
    fi
    (
        set -e
        umask 077
        openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 7 -subj "/CN=imapconform test CA" \
            -addext "basicConstraints=critical,CA:TRUE" \
            -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
        openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
            -keyout "$tls/server.key" -out "$tls/server.csr" -subj "/CN=localhost" 2>/dev/null
        printf '%s\n' \
            "basicConstraints=critical,CA:FALSE" \
            "keyUsage=critical,digitalSignature,keyEncipherment" \
            "extendedKeyUsage=serverAuth" \
            "subjectAltName=DNS:localhost,IP:127.0.0.1" >"$tls/server.ext"
        openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
            -CAcreateserial -days 7 -sha256 -extfile "$tls/server.ext" \
            -out "$tls/server.pem" 2>/dev/null
        chmod 644 "$tls/ca.pem" "$tls/server.pem"
    ) || {
        echo "lab_make_tls: cannot create the test certificates in $tls (openssl failed)" >&2
        return 1
    }
}

# True when something accepts TCP connections on 127.0.0.1:$1.
lab_port_busy() {
    # shellcheck disable=SC2016  # $1 is expanded by the inner bash
    timeout 3 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# Reads the IMAP greeting on 127.0.0.1:$1 into stdout; fails if none comes.
lab_greeting() {
    # shellcheck disable=SC2016  # $1 is expanded by the inner bash
    timeout 3 bash -c '
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
        IFS= read -r -t 2 line <&3 || exit 1
        printf "%s\n" "${line%$'"'"'\r'"'"'}"
        printf "z LOGOUT\r\n" >&3
        exit 0' _ "$1" 2>/dev/null
}
