/* transport_int.h: what the files of the transport module share (private;
 * the public contract is include/ic_transport.h).
 *
 * conn.c owns the socket, the deadlines and the plaintext path; tls.c owns
 * everything OpenSSL; target.c parses URLs.
 */
#ifndef IC_TRANSPORT_INT_H
#define IC_TRANSPORT_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <openssl/bio.h>
#include <openssl/types.h>
#include "ic_transport.h"

struct ic_conn {
    int fd;
    char peer[300];            /* "host:port" (IPv6 as [addr]:port), starts every message */
    char host[256];            /* name or address the certificate must match */
    bool host_is_ip;
    ic_timeouts to;
    /* TLS state; all NULL while plaintext. */
    SSL_CTX *ssl_ctx;
    SSL *ssl;
    BIO_METHOD *bio_method;    /* socket BIO that sends with MSG_NOSIGNAL */
    bool verify_peer;          /* verification was requested (not --insecure) */
    bool tls_established;      /* the handshake completed */
};

/* What a wait is for: decides which timeout applies and how a timeout reads. */
typedef enum ic_wait_kind {
    IC_WAIT_CONNECT,
    IC_WAIT_HANDSHAKE,
    IC_WAIT_READ,
    IC_WAIT_WRITE
} ic_wait_kind;

/* A CLOCK_MONOTONIC instant in milliseconds, ms from now. */
int64_t ic_transport_deadline(int ms);

/* Polls c->fd for events until deadline, retrying EINTR with the time left.
 * IC_OK when ready (including error/hangup conditions, which the next I/O
 * call reports); IC_ERR_TIMEOUT or IC_ERR_IO with err set otherwise. */
int ic_transport_wait(const ic_conn *c, short events, int64_t deadline, ic_wait_kind kind,
                      ic_error *err);

/* True for an IPv4 dotted quad or an IPv6 address (without brackets). */
bool ic_transport_is_ip_literal(const char *host);

/* The failures plaintext and TLS share, with one wording. */
int ic_transport_eof(const ic_conn *c, ic_error *err);
int ic_transport_io_error(const ic_conn *c, const char *what, int error, ic_error *err);

/* tls.c: the record layer once ic_conn_start_tls has run (c->ssl set).
 * Same return conventions as ic_conn_read/ic_conn_write. */
ssize_t ic_transport_tls_read(ic_conn *c, void *buf, size_t n, ic_error *err);
int ic_transport_tls_write(ic_conn *c, const void *buf, size_t n, ic_error *err);
/* Sends close_notify if the session is up (never waits), frees TLS state. */
void ic_transport_tls_free(ic_conn *c);

#endif
