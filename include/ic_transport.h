/* ic_transport.h: bytes in and out of one server connection, with deadlines,
 * over TCP (IPv4/IPv6) and TLS (implicit, or started later for STARTTLS).
 * Knows nothing of IMAP.
 *
 * Ownership: ic_conn_connect returns a connection the caller frees with
 * ic_conn_close (which also frees TLS state).  Strings returned by the
 * accessors belong to the connection and live until ic_conn_close.
 * Errors: int functions return IC_OK or a negative ic_code with err filled;
 * messages start with "host:port: ".  Every wait is bounded by the
 * ic_timeouts given at connect time; nothing blocks forever.
 */
#ifndef IC_TRANSPORT_H
#define IC_TRANSPORT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "ic_error.h"
#include "ic_limits.h"

/* A parsed target URL: imap://host[:port] or imaps://host[:port].
 * IPv6 literals are written in brackets (imap://[::1]:10143). */
typedef struct ic_target {
    char host[256];        /* without brackets */
    char port[8];
    bool implicit_tls;     /* imaps:// */
    bool host_is_ip;       /* an IPv4 or IPv6 literal: no SNI */
} ic_target;

/* Parses url into t.  Default ports: 143 (imap), 993 (imaps).  A bare
 * "host:port" is not accepted: the scheme says whether TLS is implicit. */
int ic_target_parse(const char *url, ic_target *t, ic_error *err);

typedef struct ic_tls_options {
    const char *cafile;    /* CA bundle or pinned self-signed leaf; NULL = system store */
    bool insecure;         /* do not verify (the result is still recorded) */
    bool alpn;             /* offer ALPN "imap" (default true) */
    const char *sni;       /* override the name sent in SNI and checked; NULL = target host */
} ic_tls_options;

/* Sets the defaults (ALPN on).  A zero-filled struct means ALPN off. */
void ic_tls_options_default(ic_tls_options *o);

/* What the handshake negotiated; filled by ic_conn_tls_info. */
typedef struct ic_tls_info {
    bool active;
    char version[32];      /* "TLSv1.3" */
    char cipher[64];
    char alpn[32];         /* "" when the server selected none */
    char subject[256];     /* peer certificate subject, one line, "" if none */
    char issuer[256];
    long verify_result;    /* X509_V_OK (0) or the X509_V_ERR_* code */
    char verify_reason[128];
    bool verified;         /* verification was on and passed */
} ic_tls_info;

typedef struct ic_conn ic_conn;

/* TCP connect to t->host:t->port (all resolved addresses are tried in turn,
 * each bounded by the connect deadline; the name lookup itself is not).
 * When t->implicit_tls, the TLS handshake runs too, with its own connect
 * deadline.  Returns NULL with err set on failure: IC_ERR_CONNECT /
 * IC_ERR_TIMEOUT / IC_ERR_TLS / IC_ERR_TLS_VERIFY, or IC_ERR_USAGE for an
 * unreadable cafile. */
ic_conn *ic_conn_connect(const ic_target *t, const ic_timeouts *to,
                         const ic_tls_options *tls, ic_error *err);

/* Wraps an already connected socket (tests, the responder).  Takes the fd. */
ic_conn *ic_conn_from_fd(int fd, const char *peer_name, const ic_timeouts *to);

/* Runs the TLS handshake on the existing plaintext connection (STARTTLS).
 * The caller must have discarded any buffered plaintext first. */
int ic_conn_start_tls(ic_conn *c, const ic_tls_options *tls, ic_error *err);

/* Reads at most n bytes.  Returns the count (> 0); 0 never; on EOF returns
 * IC_ERR_EOF, on the read deadline IC_ERR_TIMEOUT, else IC_ERR_IO/IC_ERR_TLS.
 * Waits at most the read deadline. */
ssize_t ic_conn_read(ic_conn *c, void *buf, size_t n, ic_error *err);

/* Writes all n bytes, or fails (IC_ERR_TIMEOUT / IC_ERR_IO / IC_ERR_TLS). */
int ic_conn_write(ic_conn *c, const void *buf, size_t n, ic_error *err);

/* Changes the read deadline for following reads (e.g. a bounded IDLE wait). */
void ic_conn_set_read_timeout(ic_conn *c, int ms);
int ic_conn_read_timeout(const ic_conn *c);

/* While flag is set (non-NULL and non-zero), a wait that a signal
 * interrupts fails with IC_ERR_INTERRUPTED instead of waiting on, so Ctrl-C
 * acts at once.  NULL detaches it (clean-up after Ctrl-C must finish).
 * Process-wide; the run loop owns it. */
void ic_transport_set_interrupt(volatile sig_atomic_t *flag);

void ic_conn_tls_info(const ic_conn *c, ic_tls_info *out);
const char *ic_conn_peer(const ic_conn *c);   /* "host:port" as the user wrote it */
int ic_conn_fd(const ic_conn *c);
void ic_conn_close(ic_conn *c);

#endif
