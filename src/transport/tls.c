/* tls.c: the OpenSSL 3 client side of a connection: context and trust,
 * handshake under the connect deadline, record I/O under the read/write
 * deadlines, and what the handshake negotiated (see ic_transport.h). */
#include "transport_int.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

/* ALPN wire format: length-prefixed "imap" (IANA registry, RFC 2595). */
static const unsigned char IMAP_ALPN[] = "\x04imap";

void ic_tls_options_default(ic_tls_options *o)
{
    memset(o, 0, sizeof *o);
    o->alpn = true;
}

/* Fails with what, then OpenSSL's first queued error (the root cause). */
static int openssl_fail(const ic_conn *c, ic_code code, const char *what, ic_error *err)
{
    char detail[256] = "no detail from OpenSSL";
    unsigned long e = ERR_get_error();
    if (e)
        ERR_error_string_n(e, detail, sizeof detail);
    ERR_clear_error();
    return ic_fail(err, code, "%s: %s: %s", c->peer, what, detail);
}

/* ---- a socket BIO that never raises SIGPIPE ------------------------------
 * OpenSSL's own socket BIO writes with write(2), which raises SIGPIPE when
 * the server has gone; this one sends with MSG_NOSIGNAL so the library
 * needs no process-wide signal disposition. */

static int bio_socket(BIO *b)
{
    return (int)(intptr_t)BIO_get_data(b);
}

static bool retryable(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

static int bio_send(BIO *b, const char *data, int len)
{
    BIO_clear_retry_flags(b);
    ssize_t sent = send(bio_socket(b), data, (size_t)len, MSG_NOSIGNAL);
    if (sent < 0 && retryable(errno))
        BIO_set_retry_write(b);
    return (int)sent;
}

static int bio_recv(BIO *b, char *data, int len)
{
    BIO_clear_retry_flags(b);
    ssize_t got = recv(bio_socket(b), data, (size_t)len, 0);
    if (got == 0)
        BIO_set_flags(b, BIO_FLAGS_IN_EOF);   /* OpenSSL asks BIO_eof() to tell EOF apart */
    else if (got < 0 && retryable(errno))
        BIO_set_retry_read(b);
    return (int)got;
}

static long bio_ctrl(BIO *b, int cmd, long num, void *ptr)
{
    (void)num;
    switch (cmd) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_EOF:
        return BIO_test_flags(b, BIO_FLAGS_IN_EOF) != 0;
    case BIO_C_GET_FD:
        if (ptr)
            *(int *)ptr = bio_socket(b);
        return bio_socket(b);
    default:
        return 0;
    }
}

static int attach_socket_bio(ic_conn *c, ic_error *err)
{
    c->bio_method = BIO_meth_new(BIO_TYPE_SOCKET, "imapconform socket");
    if (!c->bio_method || !BIO_meth_set_write(c->bio_method, bio_send) ||
        !BIO_meth_set_read(c->bio_method, bio_recv) || !BIO_meth_set_ctrl(c->bio_method, bio_ctrl))
        return openssl_fail(c, IC_ERR_TLS, "cannot set up the TLS socket", err);
    BIO *bio = BIO_new(c->bio_method);
    if (!bio)
        return openssl_fail(c, IC_ERR_TLS, "cannot set up the TLS socket", err);
    BIO_set_data(bio, (void *)(intptr_t)c->fd);
    BIO_set_init(bio, 1);
    SSL_set_bio(c->ssl, bio, bio);    /* the SSL now owns the BIO */
    return IC_OK;
}

/* ---- context and session ------------------------------------------------ */

/* Trust anchors: --cafile, else the system store.  The system store is
 * loaded with --insecure too, so the recorded verify result means something. */
static int load_trust(ic_conn *c, const ic_tls_options *o, ic_error *err)
{
    if (!o->cafile) {
        if (SSL_CTX_set_default_verify_paths(c->ssl_ctx) != 1)
            return openssl_fail(c, IC_ERR_TLS, "cannot load the system CA store", err);
        return IC_OK;
    }
    if (SSL_CTX_load_verify_locations(c->ssl_ctx, o->cafile, NULL) != 1) {
        char what[IC_ERROR_MSG_MAX / 2];
        snprintf(what, sizeof what, "cannot load --cafile \"%.400s\"", o->cafile);
        return openssl_fail(c, IC_ERR_USAGE, what, err);
    }
    /* Lets a pinned leaf (or an intermediate) in cafile end the chain. */
    X509_VERIFY_PARAM_set_flags(SSL_CTX_get0_param(c->ssl_ctx), X509_V_FLAG_PARTIAL_CHAIN);
    return IC_OK;
}

static int new_context(ic_conn *c, const ic_tls_options *o, ic_error *err)
{
    c->ssl_ctx = SSL_CTX_new(TLS_client_method());
    if (!c->ssl_ctx)
        return openssl_fail(c, IC_ERR_TLS, "cannot create a TLS context", err);
    SSL_CTX_set_min_proto_version(c->ssl_ctx, TLS1_2_VERSION);   /* RFC 8996, RFC 8314 */
    /* IMAP frames its own data, so a missing close_notify truncates nothing. */
    SSL_CTX_set_options(c->ssl_ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_verify(c->ssl_ctx, o->insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER, NULL);
    return load_trust(c, o, err);
}

/* The name (or address) sent in SNI and checked against the certificate. */
static int set_peer_identity(ic_conn *c, const ic_tls_options *o, ic_error *err)
{
    const char *name = o->sni ? o->sni : c->host;
    bool is_ip = o->sni ? ic_transport_is_ip_literal(o->sni) : c->host_is_ip;
    if (is_ip) {
        /* RFC 6066 section 3: no SNI for addresses; match an iPAddress SAN. */
        if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), name) != 1)
            return openssl_fail(c, IC_ERR_TLS, "cannot set the address to verify", err);
        return IC_OK;
    }
    if (SSL_set_tlsext_host_name(c->ssl, name) != 1 || SSL_set1_host(c->ssl, name) != 1)
        return openssl_fail(c, IC_ERR_TLS, "cannot set the host name to verify", err);
    return IC_OK;
}

static int new_session(ic_conn *c, const ic_tls_options *o, ic_error *err)
{
    c->ssl = SSL_new(c->ssl_ctx);
    if (!c->ssl)
        return openssl_fail(c, IC_ERR_TLS, "cannot create a TLS session", err);
    /* Partial writes let ic_conn_write restart its deadline on progress. */
    SSL_set_mode(c->ssl, SSL_MODE_ENABLE_PARTIAL_WRITE);
    int rc = attach_socket_bio(c, err);
    if (!rc)
        rc = set_peer_identity(c, o, err);
    /* SSL_set_alpn_protos returns 0 on success, unlike its neighbours. */
    if (!rc && o->alpn && SSL_set_alpn_protos(c->ssl, IMAP_ALPN, sizeof IMAP_ALPN - 1) != 0)
        rc = openssl_fail(c, IC_ERR_TLS, "cannot offer ALPN \"imap\"", err);
    return rc;
}

/* ---- failures and waiting ----------------------------------------------- */

static int verify_failure(const ic_conn *c, ic_error *err)
{
    long code = SSL_get_verify_result(c->ssl);
    ERR_clear_error();
    return ic_fail(err, IC_ERR_TLS_VERIFY, "%s: TLS certificate verification failed: %s "
                   "(verify code %ld); use --cafile FILE to trust a private CA or pinned "
                   "certificate, or --insecure to skip verification",
                   c->peer, X509_verify_cert_error_string(code), code);
}

static int handshake_failure(const ic_conn *c, int ssl_error, int saved_errno, ic_error *err)
{
    if (c->verify_peer && SSL_get_verify_result(c->ssl) != X509_V_OK)
        return verify_failure(c, err);
    if (ERR_peek_error() == 0 && (ssl_error == SSL_ERROR_ZERO_RETURN || ssl_error == SSL_ERROR_SYSCALL))
        return ic_fail(err, IC_ERR_TLS, "%s: TLS handshake failed: %s", c->peer,
                       saved_errno ? strerror(saved_errno) : "the server closed the connection");
    unsigned long first = ERR_peek_error();
    int rc = openssl_fail(c, IC_ERR_TLS, "TLS handshake failed", err);
    if (err && ERR_GET_LIB(first) == ERR_LIB_SSL &&
        ERR_GET_REASON(first) == SSL_R_WRONG_VERSION_NUMBER) {
        /* The usual cause: imaps:// pointed at a plaintext port such as 143. */
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof err->msg - len,
                 "; the server did not answer in TLS: for a plaintext port use imap://");
    }
    return rc;
}

/* A failed SSL_read/SSL_write on an established session. */
static int record_failure(const ic_conn *c, int ssl_error, int saved_errno, ic_wait_kind kind,
                          ic_error *err)
{
    bool queue_empty = ERR_peek_error() == 0;
    if (ssl_error == SSL_ERROR_ZERO_RETURN || (ssl_error == SSL_ERROR_SYSCALL && queue_empty &&
                                               saved_errno == 0)) {
        ERR_clear_error();
        return ic_transport_eof(c, err);
    }
    if (ssl_error == SSL_ERROR_SYSCALL && queue_empty)
        return ic_transport_io_error(c, kind == IC_WAIT_READ ? "receive" : "send", saved_errno, err);
    return openssl_fail(c, IC_ERR_TLS, "TLS error", err);
}

/* After an SSL call returned ret: waits for what OpenSSL wants (IC_OK means
 * call again), or turns its failure into an ic_error. */
static int await_ssl(const ic_conn *c, int ret, int64_t deadline, ic_wait_kind kind, ic_error *err)
{
    int saved_errno = errno;
    int ssl_error = SSL_get_error(c->ssl, ret);
    if (ssl_error == SSL_ERROR_WANT_READ)
        return ic_transport_wait(c, POLLIN, deadline, kind, err);
    if (ssl_error == SSL_ERROR_WANT_WRITE)
        return ic_transport_wait(c, POLLOUT, deadline, kind, err);
    if (kind == IC_WAIT_HANDSHAKE)
        return handshake_failure(c, ssl_error, saved_errno, err);
    return record_failure(c, ssl_error, saved_errno, kind, err);
}

static int run_handshake(ic_conn *c, ic_error *err)
{
    int64_t deadline = ic_transport_deadline(c->to.connect_ms);
    for (;;) {
        ERR_clear_error();
        errno = 0;
        int ret = SSL_connect(c->ssl);
        if (ret == 1) {
            c->tls_established = true;
            return IC_OK;
        }
        int rc = await_ssl(c, ret, deadline, IC_WAIT_HANDSHAKE, err);
        if (rc)
            return rc;
    }
}

int ic_conn_start_tls(ic_conn *c, const ic_tls_options *tls, ic_error *err)
{
    ic_tls_options defaults;
    if (!tls) {
        ic_tls_options_default(&defaults);
        tls = &defaults;
    }
    if (c->ssl_ctx)
        return ic_fail(err, IC_ERR_INTERNAL, "%s: TLS was already started on this connection",
                       c->peer);
    c->verify_peer = !tls->insecure;
    int rc = new_context(c, tls, err);
    if (!rc)
        rc = new_session(c, tls, err);
    if (rc) {
        ic_transport_tls_free(c);    /* nothing was sent: the connection is still plaintext */
        return rc;
    }
    /* A failed handshake keeps the SSL, so later reads fail rather than
     * fall back to plaintext. */
    return run_handshake(c, err);
}

/* ---- record I/O --------------------------------------------------------- */

/* SSL_read first: a record may already be buffered, and then poll would
 * wait for bytes that have already arrived. */
ssize_t ic_transport_tls_read(ic_conn *c, void *buf, size_t n, ic_error *err)
{
    int64_t deadline = ic_transport_deadline(c->to.read_ms);
    for (;;) {
        size_t got = 0;
        ERR_clear_error();
        errno = 0;
        int ret = SSL_read_ex(c->ssl, buf, n, &got);
        if (ret == 1)
            return (ssize_t)got;
        int rc = await_ssl(c, ret, deadline, IC_WAIT_READ, err);
        if (rc)
            return rc;
    }
}

int ic_transport_tls_write(ic_conn *c, const void *buf, size_t n, ic_error *err)
{
    const unsigned char *p = buf;
    int64_t deadline = ic_transport_deadline(c->to.write_ms);
    while (n > 0) {
        size_t sent = 0;
        ERR_clear_error();
        errno = 0;
        int ret = SSL_write_ex(c->ssl, p, n, &sent);
        if (ret == 1) {
            p += sent;
            n -= sent;
            deadline = ic_transport_deadline(c->to.write_ms);
            continue;
        }
        int rc = await_ssl(c, ret, deadline, IC_WAIT_WRITE, err);
        if (rc)
            return rc;
    }
    return IC_OK;
}

void ic_transport_tls_free(ic_conn *c)
{
    if (c->ssl) {
        /* One non-blocking try at close_notify; nobody waits for the reply. */
        if (SSL_is_init_finished(c->ssl))
            (void)SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    SSL_CTX_free(c->ssl_ctx);
    BIO_meth_free(c->bio_method);    /* after SSL_free, which frees the BIO */
    ERR_clear_error();
    c->ssl = NULL;
    c->ssl_ctx = NULL;
    c->bio_method = NULL;
    c->tls_established = false;
}

/* ---- what was negotiated ------------------------------------------------ */

/* An X509 name on one line, RFC 2253 style (control bytes escaped). */
static void name_line(const X509_NAME *name, char *out, size_t size)
{
    out[0] = '\0';
    BIO *mem = BIO_new(BIO_s_mem());
    if (!mem)
        return;
    if (X509_NAME_print_ex(mem, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *data = NULL;
        long len = BIO_get_mem_data(mem, &data);
        if (data && len > 0)
            snprintf(out, size, "%.*s", (int)len, data);
    }
    BIO_free(mem);
}

static void copy_alpn(const SSL *ssl, char *out, size_t size)
{
    const unsigned char *proto = NULL;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl, &proto, &len);
    snprintf(out, size, "%.*s", proto ? (int)len : 0, proto ? (const char *)proto : "");
}

void ic_conn_tls_info(const ic_conn *c, ic_tls_info *out)
{
    memset(out, 0, sizeof *out);
    if (!c || !c->ssl || !c->tls_established)
        return;
    out->active = true;
    snprintf(out->version, sizeof out->version, "%s", SSL_get_version(c->ssl));
    snprintf(out->cipher, sizeof out->cipher, "%s", SSL_get_cipher_name(c->ssl));
    copy_alpn(c->ssl, out->alpn, sizeof out->alpn);
    X509 *cert = SSL_get0_peer_certificate(c->ssl);
    if (cert) {
        name_line(X509_get_subject_name(cert), out->subject, sizeof out->subject);
        name_line(X509_get_issuer_name(cert), out->issuer, sizeof out->issuer);
    }
    out->verify_result = SSL_get_verify_result(c->ssl);
    snprintf(out->verify_reason, sizeof out->verify_reason, "%s",
             X509_verify_cert_error_string(out->verify_result));
    out->verified = c->verify_peer && out->verify_result == X509_V_OK;
}
