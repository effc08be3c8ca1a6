/* transport_test.c: target URLs, TCP deadlines, plaintext and TLS I/O.
 * Network use is loopback only (127.0.0.1 and ::1).  The TLS tests build
 * their own CA and certificates with OpenSSL and run a small server thread. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include "testutil.h"
#include "ic_transport.h"

#define EXPECTED_FORM "expected imap://host[:port] or imaps://host[:port]"
#define SERVER_GREETING "* OK hi\r\n"

/* ---- small helpers ------------------------------------------------------ */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ic_timeouts timeouts_of(int ms)
{
    return (ic_timeouts){ .connect_ms = ms, .read_ms = ms, .write_ms = ms };
}

static ic_target target_for(const char *scheme, const char *host, int port)
{
    char url[128];
    ic_target t;
    ic_error e;
    if (strchr(host, ':'))
        snprintf(url, sizeof url, "%s://[%s]:%d", scheme, host, port);
    else
        snprintf(url, sizeof url, "%s://%s:%d", scheme, host, port);
    ck_assert_msg(ic_target_parse(url, &t, &e) == IC_OK, "%s: %s", url, e.msg);
    return t;
}

/* A socket listening on the loopback address of family, on a free port. */
static int listen_loopback(int family, int backlog, int *port)
{
    struct sockaddr_storage ss = { 0 };
    socklen_t len;
    if (family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    }
    int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&ss, len), 0);
    ck_assert_int_eq(listen(fd, backlog), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
    *port = ntohs(family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                     : ((struct sockaddr_in *)&ss)->sin_port);
    return fd;
}

/* A loopback port nothing listens on: bound once, then released. */
static int closed_port(void)
{
    int port;
    close(listen_loopback(AF_INET, 1, &port));
    return port;
}

/* Reads from c until a CRLF and checks the whole line. */
static void expect_line(ic_conn *c, const char *line)
{
    char buf[256];
    size_t len = 0;
    ic_error e;
    while (len < 2 || buf[len - 2] != '\r' || buf[len - 1] != '\n') {
        ck_assert_uint_lt(len, sizeof buf - 1);
        ssize_t n = ic_conn_read(c, buf + len, sizeof buf - 1 - len, &e);
        ck_assert_msg(n > 0, "read: %s", e.msg);
        len += (size_t)n;
    }
    buf[len] = '\0';
    ck_assert_str_eq(buf, line);
}

static void write_str(ic_conn *c, const char *s)
{
    ic_error e;
    ck_assert_msg(ic_conn_write(c, s, strlen(s), &e) == IC_OK, "write: %s", e.msg);
}

static void assert_contains(const char *haystack, const char *needle)
{
    ck_assert_msg(strstr(haystack, needle), "\"%s\" does not contain \"%s\"", haystack, needle);
}

/* ---- target URLs -------------------------------------------------------- */

static void check_target(const char *url, const char *host, const char *port, bool tls, bool ip)
{
    ic_target t;
    ic_error e;
    ck_assert_msg(ic_target_parse(url, &t, &e) == IC_OK, "%s: %s", url, e.msg);
    ck_assert_str_eq(t.host, host);
    ck_assert_str_eq(t.port, port);
    ck_assert_msg(t.implicit_tls == tls, "%s: implicit_tls", url);
    ck_assert_msg(t.host_is_ip == ip, "%s: host_is_ip", url);
}

START_TEST(target_valid_forms)
{
    check_target("imap://mail.example.org", "mail.example.org", "143", false, false);
    check_target("imaps://mail.example.org", "mail.example.org", "993", true, false);
    check_target("imap://127.0.0.1:10143", "127.0.0.1", "10143", false, true);
    check_target("imaps://[::1]:10993/", "::1", "10993", true, true);
    check_target("IMAPS://[2001:db8::1]", "2001:db8::1", "993", true, true);
    check_target("imap://localhost:1/", "localhost", "1", false, false);
    check_target("imap://mx_1.example:65535", "mx_1.example", "65535", false, false);
    check_target("imap://1.2.3", "1.2.3", "143", false, false);   /* not a dotted quad */
}
END_TEST

/* Each rejected form, and what the message must say about it. */
static const struct {
    const char *url;
    const char *what;    /* NULL: the message is only the expected form */
} bad_targets[] = {
    { "imap:/x", NULL },
    { "mail.example.org:143", NULL },
    { "", NULL },
    { "http://mail.example.org", "unsupported scheme \"http\"" },
    { "imapx://h", "unsupported scheme \"imapx\"" },
    { "imap://", "empty host" },
    { "imaps://:993", "empty host" },
    { "imap://[]:143", "empty host" },
    { "imap://h:0", "bad port \"0\" (must be 1 to 65535)" },
    { "imap://h:65536", "bad port \"65536\" (must be 1 to 65535)" },
    { "imap://h:", "bad port \"\" (must be 1 to 65535)" },
    { "imap://h:x1", "bad port \"x1\" (must be 1 to 65535)" },
    { "imap://h:143x", "unexpected \"x\" after the host or port" },
    { "imap://h?x=1", "unexpected \"?x=1\" after the host or port" },
    { "imap://h:143/INBOX", "a path (\"/INBOX\") is not supported" },
    { "imap://h//", "a path (\"//\") is not supported" },
    { "imap://user@h", "a user name in the URL is not supported (use --user)" },
    { "imaps://user:pw@h:993", "a user name in the URL is not supported (use --user)" },
    { "imap://::1:143", "an IPv6 address must be in brackets, e.g. imap://[::1]:143" },
    { "imap://[::1:143", "missing \"]\" after the IPv6 address" },
    { "imap://[mail.example.org]", "not an IPv6 address inside [ ]" },
    { "imap://[::1]x", "unexpected \"x\" after the host or port" },
};

START_TEST(target_invalid_forms)
{
    const char *url = bad_targets[_i].url;
    const char *what = bad_targets[_i].what;
    char expect[512];
    if (what)
        snprintf(expect, sizeof expect, "bad target \"%s\": %s; " EXPECTED_FORM, url, what);
    else
        snprintf(expect, sizeof expect, "bad target \"%s\": " EXPECTED_FORM, url);
    ic_target t;
    ic_error e;
    ck_assert_int_eq(ic_target_parse(url, &t, &e), IC_ERR_USAGE);
    ck_assert_int_eq(e.code, IC_ERR_USAGE);
    ck_assert_str_eq(e.msg, expect);
}
END_TEST

START_TEST(target_control_character_not_echoed)
{
    ic_target t;
    ic_error e;
    ck_assert_int_eq(ic_target_parse("imap://h\r\nx", &t, &e), IC_ERR_USAGE);
    ck_assert_str_eq(e.msg, "bad target: it contains a control character; " EXPECTED_FORM);
}
END_TEST

START_TEST(target_host_too_long)
{
    char url[400] = "imap://";
    memset(url + 7, 'a', 300);
    ic_target t;
    ic_error e;
    ck_assert_int_eq(ic_target_parse(url, &t, &e), IC_ERR_USAGE);
    assert_contains(e.msg, "host name longer than 255 characters");
}
END_TEST

/* ---- TCP: connect, deadlines, plaintext I/O ------------------------------ */

START_TEST(connect_refused_names_the_address)
{
    int port = closed_port();
    ic_target t = target_for("imap", "127.0.0.1", port);
    ic_timeouts to = timeouts_of(2000);
    ic_error e;
    ck_assert_ptr_null(ic_conn_connect(&t, &to, NULL, &e));
    ck_assert_int_eq(e.code, IC_ERR_CONNECT);
    char expect[200];
    snprintf(expect, sizeof expect, "127.0.0.1:%d: connection refused; "
             "is the server running and listening there?", port);
    ck_assert_str_eq(e.msg, expect);
}
END_TEST

/* IPv6 loopback end to end: the peer is written [::1]:port. */
START_TEST(connect_ipv6_round_trip)
{
    int port;
    int lfd = listen_loopback(AF_INET6, 1, &port);
    ic_target t = target_for("imap", "::1", port);
    ic_timeouts to = timeouts_of(2000);
    ic_error e;
    ic_conn *c = ic_conn_connect(&t, &to, NULL, &e);
    ck_assert_msg(c != NULL, "%s", e.msg);
    char peer[64];
    snprintf(peer, sizeof peer, "[::1]:%d", port);
    ck_assert_str_eq(ic_conn_peer(c), peer);
    int sfd = accept(lfd, NULL, NULL);
    ck_assert_int_ge(sfd, 0);
    ck_assert_int_eq(send(sfd, SERVER_GREETING, strlen(SERVER_GREETING), 0), (ssize_t)strlen(SERVER_GREETING));
    expect_line(c, SERVER_GREETING);
    write_str(c, "a NOOP\r\n");
    char buf[16] = { 0 };
    ck_assert_int_eq(recv(sfd, buf, sizeof buf - 1, 0), 8);
    ck_assert_str_eq(buf, "a NOOP\r\n");
    ic_tls_info info;
    ic_conn_tls_info(c, &info);
    ck_assert(!info.active);
    ic_conn_close(c);
    close(sfd);
    close(lfd);
}
END_TEST

/* The server's kernel completes the TCP handshake (backlog), but nobody
 * ever sends: the read must give up at its deadline. */
START_TEST(read_deadline_on_silent_server)
{
    int port;
    int lfd = listen_loopback(AF_INET, 1, &port);
    ic_target t = target_for("imap", "127.0.0.1", port);
    ic_timeouts to = timeouts_of(2000);
    ic_error e;
    ic_conn *c = ic_conn_connect(&t, &to, NULL, &e);
    ck_assert_msg(c != NULL, "%s", e.msg);
    ic_conn_set_read_timeout(c, 200);
    ck_assert_int_eq(ic_conn_read_timeout(c), 200);
    char buf[64];
    int64_t start = now_ms();
    ck_assert_int_eq(ic_conn_read(c, buf, sizeof buf, &e), IC_ERR_TIMEOUT);
    int64_t took = now_ms() - start;
    ck_assert_msg(took >= 150 && took < 2000, "read gave up after %lld ms", (long long)took);
    char expect[200];
    snprintf(expect, sizeof expect, "127.0.0.1:%d: no data within 200 ms; "
             "raise --timeout or check that the server is responding", port);
    ck_assert_str_eq(e.msg, expect);
    ic_conn_close(c);
    close(lfd);
}
END_TEST

static ic_conn *pair_conn(int *peer_fd, int ms)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    ic_timeouts to = timeouts_of(ms);
    ic_conn *c = ic_conn_from_fd(sv[0], "pair:1", &to);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(ic_conn_fd(c), sv[0]);
    *peer_fd = sv[1];
    return c;
}

/* Starts a non-blocking connect to port and gives it up to 100 ms. */
static int start_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    (void)connect(fd, (struct sockaddr *)&a, sizeof a);
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    (void)poll(&pfd, 1, 100);
    return fd;
}

/* With the listener's accept queue full, the kernel drops further SYNs:
 * a loopback stand-in for an address that never answers. */
START_TEST(connect_deadline_when_syn_unanswered)
{
    int port;
    int lfd = listen_loopback(AF_INET, 0, &port);
    int fillers[3];
    for (int i = 0; i < 3; i++)
        fillers[i] = start_connect(port);
    ic_target t = target_for("imap", "127.0.0.1", port);
    ic_timeouts to = timeouts_of(200);
    ic_error e;
    int64_t start = now_ms();
    ck_assert_ptr_null(ic_conn_connect(&t, &to, NULL, &e));
    int64_t took = now_ms() - start;
    ck_assert_int_eq(e.code, IC_ERR_TIMEOUT);
    ck_assert_msg(took >= 150 && took < 2000, "connect gave up after %lld ms", (long long)took);
    char expect[200];
    snprintf(expect, sizeof expect, "127.0.0.1:%d: no answer within 200 ms (connect); "
             "raise --connect-timeout or check the address", port);
    ck_assert_str_eq(e.msg, expect);
    for (int i = 0; i < 3; i++)
        close(fillers[i]);
    close(lfd);
}
END_TEST

static void ignore_alarm(int sig)
{
    (void)sig;
}

/* Signals interrupting poll must not cut the wait short nor stretch it. */
START_TEST(read_deadline_survives_signals)
{
    int peer;
    ic_conn *c = pair_conn(&peer, 300);
    struct sigaction sa = { .sa_handler = ignore_alarm }, old_sa;
    ck_assert_int_eq(sigaction(SIGALRM, &sa, &old_sa), 0);   /* no SA_RESTART */
    struct itimerval every_20ms = { { 0, 20000 }, { 0, 20000 } }, off = { { 0, 0 }, { 0, 0 } };
    ck_assert_int_eq(setitimer(ITIMER_REAL, &every_20ms, NULL), 0);
    char buf[16];
    ic_error e;
    int64_t start = now_ms();
    ssize_t rc = ic_conn_read(c, buf, sizeof buf, &e);
    int64_t took = now_ms() - start;
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old_sa, NULL);
    ck_assert_msg(rc == IC_ERR_TIMEOUT, "rc %zd: %s", rc, e.msg);
    ck_assert_msg(took >= 250 && took < 2000, "read gave up after %lld ms", (long long)took);
    ic_conn_close(c);
    close(peer);
}
END_TEST

/* A TLS client facing a silent peer must give up at the connect deadline. */
START_TEST(tls_handshake_deadline_on_silent_server)
{
    int port;
    int lfd = listen_loopback(AF_INET, 1, &port);
    ic_target t = target_for("imaps", "127.0.0.1", port);
    ic_timeouts to = timeouts_of(200);
    ic_error e;
    int64_t start = now_ms();
    ck_assert_ptr_null(ic_conn_connect(&t, &to, NULL, &e));
    int64_t took = now_ms() - start;
    ck_assert_int_eq(e.code, IC_ERR_TIMEOUT);
    ck_assert_msg(took >= 150 && took < 2000, "handshake gave up after %lld ms", (long long)took);
    char expect[200];
    snprintf(expect, sizeof expect, "127.0.0.1:%d: no answer within 200 ms (TLS handshake); "
             "raise --connect-timeout or check that the port speaks TLS", port);
    ck_assert_str_eq(e.msg, expect);
    close(lfd);
}
END_TEST

START_TEST(from_fd_round_trip_then_eof)
{
    int peer;
    ic_conn *c = pair_conn(&peer, 2000);
    ck_assert_str_eq(ic_conn_peer(c), "pair:1");
    write_str(c, "a CAPABILITY\r\n");
    char buf[32] = { 0 };
    ck_assert_int_eq(read(peer, buf, sizeof buf - 1), 14);
    ck_assert_str_eq(buf, "a CAPABILITY\r\n");
    ck_assert_int_eq(write(peer, SERVER_GREETING, strlen(SERVER_GREETING)), (ssize_t)strlen(SERVER_GREETING));
    expect_line(c, SERVER_GREETING);
    close(peer);
    ic_error e;
    ck_assert_int_eq(ic_conn_read(c, buf, sizeof buf, &e), IC_ERR_EOF);
    ck_assert_str_eq(e.msg, "pair:1: server closed the connection");
    ic_conn_close(c);
}
END_TEST

/* A peer that has gone away is an error to report, not SIGPIPE (which
 * would kill this forked test with signal 13). */
START_TEST(write_to_closed_peer_is_io_error)
{
    int peer;
    ic_conn *c = pair_conn(&peer, 2000);
    close(peer);
    ic_error e;
    ck_assert_int_eq(ic_conn_write(c, "x", 1, &e), IC_ERR_IO);
    ck_assert_str_eq(e.msg, "pair:1: send failed: Broken pipe");
    ic_conn_close(c);
}
END_TEST

/* A peer that never reads fills the socket buffers: the write must stop. */
START_TEST(write_deadline_when_peer_does_not_read)
{
    int peer;
    ic_conn *c = pair_conn(&peer, 200);
    size_t n = 8u << 20;
    char *big = calloc(1, n);
    ck_assert_ptr_nonnull(big);
    ic_error e;
    int64_t start = now_ms();
    ck_assert_int_eq(ic_conn_write(c, big, n, &e), IC_ERR_TIMEOUT);
    int64_t took = now_ms() - start;
    ck_assert_msg(took >= 150 && took < 2000, "write gave up after %lld ms", (long long)took);
    ck_assert_str_eq(e.msg, "pair:1: could not send within 200 ms (the server is not reading); "
                            "raise --timeout or check that the server is responding");
    free(big);
    ic_conn_close(c);
    close(peer);
}
END_TEST

START_TEST(read_of_zero_bytes_is_refused)
{
    int peer;
    ic_conn *c = pair_conn(&peer, 200);
    char buf[1];
    ic_error e;
    ck_assert_int_eq(ic_conn_read(c, buf, 0, &e), IC_ERR_INTERNAL);
    ic_conn_close(c);
    close(peer);
}
END_TEST

/* ---- a test PKI ---------------------------------------------------------- */

static struct {
    char dir[64];
    EVP_PKEY *ca_key;
    X509 *ca;
    EVP_PKEY *key;       /* one key for every server certificate */
    X509 *leaf;          /* CA-signed; SAN DNS:localhost, IP:127.0.0.1 */
    X509 *leaf_no_ip;    /* CA-signed; SAN DNS:localhost only */
    X509 *pinned;        /* self-signed leaf; SAN DNS:localhost, IP:127.0.0.1 */
    char ca_pem[128];
    char pinned_pem[128];
    char leaf_pem[128];  /* the CA-signed leaf alone, pinned without its CA */
} pki;

static void add_ext(X509 *cert, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    ck_assert_ptr_nonnull(ext);
    ck_assert_int_eq(X509_add_ext(cert, ext, -1), 1);
    X509_EXTENSION_free(ext);
}

/* issuer NULL: self-signed. */
static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                       const char *san, bool is_ca)
{
    static long serial = 1;
    X509 *cert = X509_new();
    ck_assert_ptr_nonnull(cert);
    ck_assert_int_eq(X509_set_version(cert, X509_VERSION_3), 1);
    ck_assert_int_eq(ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    ck_assert_int_eq(X509_set_pubkey(cert, key), 1);
    X509_NAME *name = X509_get_subject_name(cert);
    ck_assert_int_eq(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                                (const unsigned char *)cn, -1, -1, 0), 1);
    ck_assert_int_eq(X509_set_issuer_name(cert, issuer ? X509_get_subject_name(issuer) : name), 1);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
    add_ext(cert, &ctx, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(cert, &ctx, NID_key_usage,
            is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    add_ext(cert, &ctx, NID_subject_key_identifier, "hash");
    if (san)
        add_ext(cert, &ctx, NID_subject_alt_name, san);
    ck_assert_int_gt(X509_sign(cert, issuer_key ? issuer_key : key, EVP_sha256()), 0);
    return cert;
}

static void write_pem(const char *path, X509 *cert)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(PEM_write_X509(f, cert), 1);
    ck_assert_int_eq(fclose(f), 0);
}

static EVP_PKEY *make_key(void)
{
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");   /* fast, unlike RSA */
    ck_assert_ptr_nonnull(key);
    return key;
}

static void pki_setup(void)
{
    snprintf(pki.dir, sizeof pki.dir, "/tmp/ic-transport-test-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(pki.dir));
    pki.ca_key = make_key();
    pki.key = make_key();
    pki.ca = make_cert("imapconform test CA", pki.ca_key, NULL, NULL, NULL, true);
    pki.leaf = make_cert("imapconform test server", pki.key, pki.ca, pki.ca_key,
                         "DNS:localhost,IP:127.0.0.1", false);
    pki.leaf_no_ip = make_cert("imapconform test server", pki.key, pki.ca, pki.ca_key,
                               "DNS:localhost", false);
    pki.pinned = make_cert("imapconform pinned server", pki.key, NULL, NULL,
                           "DNS:localhost,IP:127.0.0.1", false);
    snprintf(pki.ca_pem, sizeof pki.ca_pem, "%s/ca.pem", pki.dir);
    snprintf(pki.pinned_pem, sizeof pki.pinned_pem, "%s/pinned.pem", pki.dir);
    snprintf(pki.leaf_pem, sizeof pki.leaf_pem, "%s/leaf.pem", pki.dir);
    write_pem(pki.ca_pem, pki.ca);
    write_pem(pki.pinned_pem, pki.pinned);
    write_pem(pki.leaf_pem, pki.leaf);
}

static void pki_teardown(void)
{
    unlink(pki.ca_pem);
    unlink(pki.pinned_pem);
    unlink(pki.leaf_pem);
    rmdir(pki.dir);
    X509_free(pki.ca);
    X509_free(pki.leaf);
    X509_free(pki.leaf_no_ip);
    X509_free(pki.pinned);
    EVP_PKEY_free(pki.ca_key);
    EVP_PKEY_free(pki.key);
}

/* ---- a one-connection test server ---------------------------------------- */

typedef enum serve_mode {
    SERVE_TLS,             /* handshake, send the greeting, read until the client leaves */
    SERVE_STARTTLS,        /* plaintext greeting and one exchange, then as SERVE_TLS */
    SERVE_TLS_THEN_CLOSE,  /* handshake, then close without close_notify */
    SERVE_PLAIN            /* plaintext greeting only */
} serve_mode;

typedef struct test_server {
    serve_mode mode;
    SSL_CTX *ctx;
    int listen_fd;
    int port;
    pthread_t thread;
    bool handshake_ok;     /* results: read them after server_finish */
    char sni[64];          /* the name the client sent; "" for none */
} test_server;

static int select_imap(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *arg)
{
    static const unsigned char imap[] = "\x04imap";
    unsigned char *selected = NULL;
    (void)ssl;
    (void)arg;
    if (SSL_select_next_proto(&selected, outlen, imap, sizeof imap - 1, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = selected;
    return SSL_TLSEXT_ERR_OK;
}

static SSL_CTX *server_ctx(X509 *cert)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    ck_assert_ptr_nonnull(ctx);
    ck_assert_int_eq(SSL_CTX_use_certificate(ctx, cert), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey(ctx, pki.key), 1);
    SSL_CTX_set_alpn_select_cb(ctx, select_imap, NULL);
    return ctx;
}

/* Waits up to 5 s for the client, so a failed test cannot hang here. */
static int accept_client(int listen_fd)
{
    struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
    if (poll(&pfd, 1, 5000) != 1)
        return -1;
    int fd = accept(listen_fd, NULL, NULL);
    struct timeval tv = { .tv_sec = 5 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

static void plain_send(int fd, const char *s)
{
    (void)!send(fd, s, strlen(s), MSG_NOSIGNAL);
}

/* Reads one line of the STARTTLS exchange, byte by byte so no TLS byte is taken. */
static void plain_skip_line(int fd)
{
    char ch = 0;
    while (ch != '\n' && recv(fd, &ch, 1, 0) == 1)
        ;
}

static void serve_tls(test_server *s, int fd)
{
    SSL *ssl = SSL_new(s->ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) == 1) {
        s->handshake_ok = true;
        const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        snprintf(s->sni, sizeof s->sni, "%s", sni ? sni : "");
        if (s->mode != SERVE_TLS_THEN_CLOSE) {
            char buf[256];
            SSL_write(ssl, SERVER_GREETING, (int)strlen(SERVER_GREETING));
            while (SSL_read(ssl, buf, sizeof buf) > 0)
                ;
        }
    }
    SSL_free(ssl);
}

static void *serve(void *arg)
{
    test_server *s = arg;
    /* SIGPIPE from this thread's writes stays blocked here; the client
     * side (the test itself) keeps the default, so the library's own
     * SIGPIPE-safety is still what is tested. */
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
    int fd = accept_client(s->listen_fd);
    if (fd < 0)
        return NULL;
    if (s->mode == SERVE_PLAIN || s->mode == SERVE_STARTTLS)
        plain_send(fd, s->mode == SERVE_PLAIN ? SERVER_GREETING : "* OK plain\r\n");
    if (s->mode == SERVE_STARTTLS) {
        plain_skip_line(fd);
        plain_send(fd, "a OK begin TLS\r\n");
    }
    if (s->mode == SERVE_PLAIN) {
        char buf[256];
        while (recv(fd, buf, sizeof buf, 0) > 0)
            ;
    } else {
        serve_tls(s, fd);
    }
    close(fd);
    OPENSSL_thread_stop();
    return NULL;
}

static void server_start(test_server *s, serve_mode mode, X509 *cert)
{
    memset(s, 0, sizeof *s);
    s->mode = mode;
    s->ctx = cert ? server_ctx(cert) : NULL;
    s->listen_fd = listen_loopback(AF_INET, 1, &s->port);
    ck_assert_int_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_finish(test_server *s)
{
    pthread_join(s->thread, NULL);
    close(s->listen_fd);
    SSL_CTX_free(s->ctx);
}

static ic_tls_options tls_opts(const char *cafile)
{
    ic_tls_options o;
    ic_tls_options_default(&o);
    o.cafile = cafile;
    return o;
}

static ic_conn *connect_to(const test_server *s, const char *scheme, const ic_tls_options *o,
                           ic_error *e)
{
    ic_target t = target_for(scheme, "127.0.0.1", s->port);
    ic_timeouts to = timeouts_of(3000);
    return ic_conn_connect(&t, &to, o, e);
}

/* Connects over TLS expecting failure with code; the error is left in e. */
static void expect_tls_failure(serve_mode mode, X509 *cert, const ic_tls_options *o,
                               ic_code code, ic_error *e)
{
    test_server s;
    server_start(&s, mode, cert);
    ck_assert_ptr_null(connect_to(&s, "imaps", o, e));
    server_finish(&s);
    ck_assert_msg(e->code == code, "code %d, message: %s", e->code, e->msg);
    ck_assert_ptr_null(strchr(e->msg, '\n'));
}

/* ---- TLS ------------------------------------------------------------------ */

START_TEST(tls_verified_with_cafile)
{
    test_server s;
    server_start(&s, SERVE_TLS, pki.leaf);
    ic_tls_options o = tls_opts(pki.ca_pem);
    ic_error e;
    ic_conn *c = connect_to(&s, "imaps", &o, &e);
    ck_assert_msg(c != NULL, "%s", e.msg);
    expect_line(c, SERVER_GREETING);
    ic_tls_info info;
    ic_conn_tls_info(c, &info);
    ck_assert(info.active);
    ck_assert(info.verified);
    ck_assert_int_eq(info.verify_result, 0);
    ck_assert_str_eq(info.verify_reason, "ok");
    ck_assert_msg(strncmp(info.version, "TLSv1.", 6) == 0, "version %s", info.version);
    ck_assert_str_ne(info.cipher, "");
    ck_assert_str_eq(info.alpn, "imap");
    ck_assert_str_eq(info.subject, "CN=imapconform test server");
    ck_assert_str_eq(info.issuer, "CN=imapconform test CA");
    ic_conn_close(c);
    server_finish(&s);
    ck_assert(s.handshake_ok);
    ck_assert_str_eq(s.sni, "");   /* never SNI for an address (RFC 6066 section 3) */
}
END_TEST

START_TEST(tls_alpn_off_offers_nothing)
{
    test_server s;
    server_start(&s, SERVE_TLS, pki.leaf);
    ic_tls_options o = tls_opts(pki.ca_pem);
    o.alpn = false;
    ic_error e;
    ic_conn *c = connect_to(&s, "imaps", &o, &e);
    ck_assert_msg(c != NULL, "%s", e.msg);
    ic_tls_info info;
    ic_conn_tls_info(c, &info);
    ck_assert_str_eq(info.alpn, "");
    ic_conn_close(c);
    server_finish(&s);
}
END_TEST

START_TEST(tls_sni_override_is_sent_and_checked)
{
    test_server s;
    server_start(&s, SERVE_TLS, pki.leaf_no_ip);
    ic_tls_options o = tls_opts(pki.ca_pem);
    o.sni = "localhost";
    ic_error e;
    ic_conn *c = connect_to(&s, "imaps", &o, &e);
    ck_assert_msg(c != NULL, "%s", e.msg);
    ic_tls_info info;
    ic_conn_tls_info(c, &info);
    ck_assert(info.verified);
    ic_conn_close(c);
    server_finish(&s);
    ck_assert_str_eq(s.sni, "localhost");

    o.sni = "imap.example.org";
    expect_tls_failure(SERVE_TLS, pki.leaf, &o, IC_ERR_TLS_VERIFY, &e);
    assert_contains(e.msg, ": TLS certificate verification failed: hostname mismatch (verify code 62); ");
}
END_TEST

START_TEST(tls_system_store_rejects_private_ca)
{
    ic_tls_options o = tls_opts(NULL);
    ic_error e;
    expect_tls_failure(SERVE_TLS, pki.leaf, &o, IC_ERR_TLS_VERIFY, &e);
    ck_assert_msg(strncmp(e.msg, "127.0.0.1:", 10) == 0, "%s", e.msg);
    assert_contains(e.msg, ": TLS certificate verification failed: ");
    assert_contains(e.msg, " (verify code 20); use --cafile FILE to trust a private CA or pinned "
                           "certificate, or --insecure to skip verification");
}
END_TEST

START_TEST(tls_address_missing_from_san)
{
    ic_tls_options o = tls_opts(pki.ca_pem);
    ic_error e;
    expect_tls_failure(SERVE_TLS, pki.leaf_no_ip, &o, IC_ERR_TLS_VERIFY, &e);
    assert_contains(e.msg, ": TLS certificate verification failed: IP address mismatch "
                           "(verify code 64); ");
}
END_TEST

START_TEST(tls_insecure_still_records_result)
{
    test_server s;
    server_start(&s, SERVE_TLS, pki.leaf);
    ic_tls_options o = tls_opts(NULL);
    o.insecure = true;
    ic_error e;
    ic_conn *c = connect_to(&s, "imaps", &o, &e);
    ck_assert_msg(c != NULL, "%s", e.msg);
    expect_line(c, SERVER_GREETING);
    ic_tls_info info;
    ic_conn_tls_info(c, &info);
    ck_assert(info.active);
    ck_assert(!info.verified);
    ck_assert_int_eq(info.verify_result, 20);
    ck_assert_str_eq(info.verify_reason, "unable to get local issuer certificate");
    ic_conn_close(c);
    server_finish(&s);
}
END_TEST

/* A pinned certificate is trusted as it is, whoever issued it. */
static void expect_pinned_ok(X509 *cert, const char *pem, const char *subject)
{
    test_server s;
    server_start(&s, SERVE_TLS, cert);
    ic_tls_options o = tls_opts(pem);
    ic_error e;
    ic_conn *c = connect_to(&s, "imaps", &o, &e);
    ck_assert_msg(c != NULL, "%s", e.msg);
    expect_line(c, SERVER_GREETING);
    ic_tls_info info;
    ic_conn_tls_info(c, &info);
    ck_assert(info.verified);
    ck_assert_str_eq(info.subject, subject);
    ic_conn_close(c);
    server_finish(&s);
}

START_TEST(tls_pinned_self_signed_leaf)
{
    expect_pinned_ok(pki.pinned, pki.pinned_pem, "CN=imapconform pinned server");
}
END_TEST

/* Needs X509_V_FLAG_PARTIAL_CHAIN: the chain ends at the leaf, not a root. */
START_TEST(tls_pinned_ca_signed_leaf)
{
    expect_pinned_ok(pki.leaf, pki.leaf_pem, "CN=imapconform test server");
}
END_TEST

START_TEST(tls_unreadable_cafile)
{
    char missing[160];
    snprintf(missing, sizeof missing, "%s/missing.pem", pki.dir);
    ic_tls_options o = tls_opts(missing);
    ic_error e;
    expect_tls_failure(SERVE_TLS, pki.leaf, &o, IC_ERR_USAGE, &e);
    char expect[300];
    snprintf(expect, sizeof expect, ": cannot load --cafile \"%s\": error:", missing);
    assert_contains(e.msg, expect);
}
END_TEST

START_TEST(tls_against_plaintext_server)
{
    ic_tls_options o = tls_opts(pki.ca_pem);
    ic_error e;
    expect_tls_failure(SERVE_PLAIN, NULL, &o, IC_ERR_TLS, &e);
    assert_contains(e.msg, ": TLS handshake failed: error:");
    assert_contains(e.msg, "wrong version number; the server did not answer in TLS: "
                           "for a plaintext port use imap://");
}
END_TEST

START_TEST(tls_starttls_upgrade)
{
    test_server s;
    server_start(&s, SERVE_STARTTLS, pki.leaf);
    ic_tls_options o = tls_opts(pki.ca_pem);
    ic_error e;
    ic_conn *c = connect_to(&s, "imap", &o, &e);
    ck_assert_msg(c != NULL, "%s", e.msg);
    expect_line(c, "* OK plain\r\n");
    write_str(c, "a STARTTLS\r\n");
    expect_line(c, "a OK begin TLS\r\n");
    ic_tls_info info;
    ic_conn_tls_info(c, &info);
    ck_assert(!info.active);
    ck_assert_msg(ic_conn_start_tls(c, &o, &e) == IC_OK, "%s", e.msg);
    ic_conn_tls_info(c, &info);
    ck_assert(info.active);
    ck_assert(info.verified);
    expect_line(c, SERVER_GREETING);
    ck_assert_int_eq(ic_conn_start_tls(c, &o, &e), IC_ERR_INTERNAL);
    ic_conn_close(c);
    server_finish(&s);
    ck_assert(s.handshake_ok);
}
END_TEST

/* ic_conn_from_fd takes the host to verify from the peer name. */
START_TEST(tls_over_adopted_socket)
{
    test_server s;
    server_start(&s, SERVE_TLS, pki.leaf);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)s.port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char peer[32];
    snprintf(peer, sizeof peer, "127.0.0.1:%d", s.port);
    ic_timeouts to = timeouts_of(3000);
    ic_conn *c = ic_conn_from_fd(fd, peer, &to);
    ck_assert_ptr_nonnull(c);
    ic_tls_options o = tls_opts(pki.ca_pem);
    ic_error e;
    ck_assert_msg(ic_conn_start_tls(c, &o, &e) == IC_OK, "%s", e.msg);
    expect_line(c, SERVER_GREETING);
    ic_conn_close(c);
    server_finish(&s);
}
END_TEST

START_TEST(tls_read_eof_without_close_notify)
{
    test_server s;
    server_start(&s, SERVE_TLS_THEN_CLOSE, pki.leaf);
    ic_tls_options o = tls_opts(pki.ca_pem);
    ic_error e;
    ic_conn *c = connect_to(&s, "imaps", &o, &e);
    ck_assert_msg(c != NULL, "%s", e.msg);
    server_finish(&s);
    char buf[64];
    ck_assert_int_eq(ic_conn_read(c, buf, sizeof buf, &e), IC_ERR_EOF);
    char expect[100];
    snprintf(expect, sizeof expect, "127.0.0.1:%d: server closed the connection", s.port);
    ck_assert_str_eq(e.msg, expect);
    ic_conn_close(c);
}
END_TEST

/* Writing into a TLS connection the server has dropped fails with an
 * error, never SIGPIPE (which would kill this forked test). */
START_TEST(tls_write_after_server_left)
{
    test_server s;
    server_start(&s, SERVE_TLS_THEN_CLOSE, pki.leaf);
    ic_tls_options o = tls_opts(pki.ca_pem);
    ic_error e;
    ic_conn *c = connect_to(&s, "imaps", &o, &e);
    ck_assert_msg(c != NULL, "%s", e.msg);
    server_finish(&s);
    static char chunk[16384];
    int rc = IC_OK;
    for (int i = 0; i < 200 && rc == IC_OK; i++) {
        rc = ic_conn_write(c, chunk, sizeof chunk, &e);
        if (rc == IC_OK)
            usleep(5000);    /* let the peer's reset arrive */
    }
    ck_assert_msg(rc == IC_ERR_IO || rc == IC_ERR_EOF, "rc %d: %s", rc, e.msg);
    ck_assert_msg(strncmp(e.msg, "127.0.0.1:", 10) == 0, "%s", e.msg);
    ic_conn_close(c);
}
END_TEST

static Suite *transport_suite(void)
{
    Suite *s = suite_create("transport");
    TCase *target = tcase_create("target");
    tcase_add_test(target, target_valid_forms);
    tcase_add_loop_test(target, target_invalid_forms, 0,
                        (int)(sizeof bad_targets / sizeof bad_targets[0]));
    tcase_add_test(target, target_host_too_long);
    tcase_add_test(target, target_control_character_not_echoed);
    suite_add_tcase(s, target);

    TCase *tcp = tcase_create("tcp");
    tcase_set_timeout(tcp, 20);
    tcase_add_test(tcp, connect_refused_names_the_address);
    tcase_add_test(tcp, connect_ipv6_round_trip);
    tcase_add_test(tcp, read_deadline_on_silent_server);
    tcase_add_test(tcp, connect_deadline_when_syn_unanswered);
    tcase_add_test(tcp, read_deadline_survives_signals);
    tcase_add_test(tcp, tls_handshake_deadline_on_silent_server);
    tcase_add_test(tcp, from_fd_round_trip_then_eof);
    tcase_add_test(tcp, write_to_closed_peer_is_io_error);
    tcase_add_test(tcp, write_deadline_when_peer_does_not_read);
    tcase_add_test(tcp, read_of_zero_bytes_is_refused);
    suite_add_tcase(s, tcp);

    TCase *tls = tcase_create("tls");
    tcase_set_timeout(tls, 20);
    tcase_add_unchecked_fixture(tls, pki_setup, pki_teardown);
    tcase_add_test(tls, tls_verified_with_cafile);
    tcase_add_test(tls, tls_alpn_off_offers_nothing);
    tcase_add_test(tls, tls_sni_override_is_sent_and_checked);
    tcase_add_test(tls, tls_system_store_rejects_private_ca);
    tcase_add_test(tls, tls_address_missing_from_san);
    tcase_add_test(tls, tls_insecure_still_records_result);
    tcase_add_test(tls, tls_pinned_self_signed_leaf);
    tcase_add_test(tls, tls_pinned_ca_signed_leaf);
    tcase_add_test(tls, tls_unreadable_cafile);
    tcase_add_test(tls, tls_against_plaintext_server);
    tcase_add_test(tls, tls_starttls_upgrade);
    tcase_add_test(tls, tls_over_adopted_socket);
    tcase_add_test(tls, tls_read_eof_without_close_notify);
    tcase_add_test(tls, tls_write_after_server_left);
    suite_add_tcase(s, tls);
    return s;
}

IC_TEST_MAIN(transport_suite)
