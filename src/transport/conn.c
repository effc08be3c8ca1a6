/* conn.c: TCP connect, deadlines, plaintext I/O and the connection's
 * lifetime (see ic_transport.h).  TLS lives in tls.c. */
#include "transport_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- deadlines and waiting ---------------------------------------------- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t ic_transport_deadline(int ms)
{
    return now_ms() + (ms > 0 ? ms : 0);
}

static int timed_out(const ic_conn *c, ic_wait_kind kind, ic_error *err)
{
    switch (kind) {
    case IC_WAIT_CONNECT:
        return ic_fail(err, IC_ERR_TIMEOUT, "%s: no answer within %d ms (connect); "
                       "raise --connect-timeout or check the address", c->peer, c->to.connect_ms);
    case IC_WAIT_HANDSHAKE:
        return ic_fail(err, IC_ERR_TIMEOUT, "%s: no answer within %d ms (TLS handshake); "
                       "raise --connect-timeout or check that the port speaks TLS",
                       c->peer, c->to.connect_ms);
    case IC_WAIT_READ:
        return ic_fail(err, IC_ERR_TIMEOUT, "%s: no data within %d ms; "
                       "raise --timeout or check that the server is responding",
                       c->peer, c->to.read_ms);
    case IC_WAIT_WRITE:
        break;
    }
    return ic_fail(err, IC_ERR_TIMEOUT, "%s: could not send within %d ms (the server is not "
                   "reading); raise --timeout or check that the server is responding",
                   c->peer, c->to.write_ms);
}

static volatile sig_atomic_t *interrupt_flag;

void ic_transport_set_interrupt(volatile sig_atomic_t *flag)
{
    interrupt_flag = flag;
}

int ic_transport_wait(const ic_conn *c, short events, int64_t deadline, ic_wait_kind kind,
                      ic_error *err)
{
    struct pollfd pfd = { .fd = c->fd, .events = events };
    for (;;) {
        int64_t left = deadline - now_ms();
        int ready = poll(&pfd, 1, left <= 0 ? 0 : left > INT_MAX ? INT_MAX : (int)left);
        if (ready > 0 && (pfd.revents & POLLNVAL))
            return ic_fail(err, IC_ERR_IO, "%s: the socket is not open", c->peer);
        if (ready > 0)
            return IC_OK;
        if (ready == 0)
            return timed_out(c, kind, err);
        if (errno != EINTR)
            return ic_transport_io_error(c, "poll", errno, err);
        if (interrupt_flag && *interrupt_flag)
            return ic_fail(err, IC_ERR_INTERRUPTED, "%s: interrupted", c->peer);
    }
}

int ic_transport_eof(const ic_conn *c, ic_error *err)
{
    return ic_fail(err, IC_ERR_EOF, "%s: server closed the connection", c->peer);
}

int ic_transport_io_error(const ic_conn *c, const char *what, int error, ic_error *err)
{
    return ic_fail(err, IC_ERR_IO, "%s: %s failed: %s", c->peer, what,
                   error ? strerror(error) : "unknown error");
}

/* ---- creating connections ----------------------------------------------- */

static ic_conn *conn_alloc(const ic_timeouts *to)
{
    ic_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->fd = -1;
    if (to)
        c->to = *to;
    else
        ic_timeouts_default(&c->to);
    return c;
}

static void format_peer(char *out, size_t size, const char *host, const char *port)
{
    if (strchr(host, ':'))
        snprintf(out, size, "[%s]:%s", host, port);
    else
        snprintf(out, size, "%s:%s", host, port);
}

static int connect_failed(const ic_conn *c, const struct addrinfo *ai, int error, ic_error *err)
{
    if (error == ECONNREFUSED)
        return ic_fail(err, IC_ERR_CONNECT, "%s: connection refused; "
                       "is the server running and listening there?", c->peer);
    char addr[NI_MAXHOST] = "?";
    getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof addr, NULL, 0, NI_NUMERICHOST);
    return ic_fail(err, IC_ERR_CONNECT, "%s: cannot connect to %s: %s", c->peer, addr,
                   strerror(error));
}

/* Waits out a connect in progress on c->fd and collects its outcome. */
static int finish_connect(ic_conn *c, const struct addrinfo *ai, ic_error *err)
{
    int rc = ic_transport_wait(c, POLLOUT, ic_transport_deadline(c->to.connect_ms),
                               IC_WAIT_CONNECT, err);
    if (rc)
        return rc;
    int so_error = 0;
    socklen_t len = sizeof so_error;
    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0)
        so_error = errno;
    return so_error ? connect_failed(c, ai, so_error, err) : IC_OK;
}

/* Non-blocking connect to one address; on success c->fd is the socket. */
static int connect_address(ic_conn *c, const struct addrinfo *ai, ic_error *err)
{
    c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (c->fd < 0)
        return ic_fail(err, IC_ERR_CONNECT, "%s: cannot create a socket: %s", c->peer,
                       strerror(errno));
    int rc = IC_OK;
    if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        /* After EINTR the connect goes on in the background, as with EINPROGRESS. */
        if (errno == EINPROGRESS || errno == EINTR)
            rc = finish_connect(c, ai, err);
        else
            rc = connect_failed(c, ai, errno, err);
    }
    if (rc) {
        close(c->fd);
        c->fd = -1;
    }
    return rc;
}

static int resolve(const ic_conn *c, const ic_target *t, struct addrinfo **out, ic_error *err)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = AI_NUMERICSERV | (t->host_is_ip ? AI_NUMERICHOST : 0),
    };
    int gai = getaddrinfo(t->host, t->port, &hints, out);
    if (gai == 0)
        return IC_OK;
    return ic_fail(err, IC_ERR_CONNECT, "%s: cannot resolve host \"%s\": %s", c->peer, t->host,
                   gai == EAI_SYSTEM ? strerror(errno) : gai_strerror(gai));
}

/* Tries every address in turn; the error reported is the last one's. */
static int connect_any(ic_conn *c, const ic_target *t, ic_error *err)
{
    struct addrinfo *list = NULL;
    int rc = resolve(c, t, &list, err);
    if (rc)
        return rc;
    rc = ic_fail(err, IC_ERR_CONNECT, "%s: host \"%s\" has no address", c->peer, t->host);
    for (const struct addrinfo *ai = list; ai && rc; ai = ai->ai_next)
        rc = connect_address(c, ai, err);
    freeaddrinfo(list);
    return rc;
}

ic_conn *ic_conn_connect(const ic_target *t, const ic_timeouts *to,
                         const ic_tls_options *tls, ic_error *err)
{
    ic_conn *c = conn_alloc(to);
    if (!c) {
        ic_fail(err, IC_ERR_NOMEM, "%s:%s: out of memory", t->host, t->port);
        return NULL;
    }
    format_peer(c->peer, sizeof c->peer, t->host, t->port);
    snprintf(c->host, sizeof c->host, "%s", t->host);
    c->host_is_ip = t->host_is_ip;
    int rc = connect_any(c, t, err);
    if (!rc && t->implicit_tls)
        rc = ic_conn_start_tls(c, tls, err);
    if (rc) {
        ic_conn_close(c);
        return NULL;
    }
    return c;
}

/* The host part of "host:port", "[v6]:port" or a bare name. */
static void host_from_peer(const char *peer, char *out, size_t size)
{
    size_t len = strlen(peer);
    const char *colon = strrchr(peer, ':');
    if (peer[0] == '[' && strchr(peer, ']')) {
        peer++;
        len = (size_t)(strchr(peer, ']') - peer);
    } else if (colon && colon == strchr(peer, ':')) {
        len = (size_t)(colon - peer);
    }
    snprintf(out, size, "%.*s", (int)len, peer);
}

ic_conn *ic_conn_from_fd(int fd, const char *peer_name, const ic_timeouts *to)
{
    ic_conn *c = conn_alloc(to);
    int flags = fcntl(fd, F_GETFL);
    if (!c || flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        free(c);
        close(fd);    /* the fd was handed over: do not leak it on failure */
        return NULL;
    }
    c->fd = fd;
    snprintf(c->peer, sizeof c->peer, "%s", peer_name ? peer_name : "peer");
    host_from_peer(c->peer, c->host, sizeof c->host);
    c->host_is_ip = ic_transport_is_ip_literal(c->host);
    return c;
}

/* ---- plaintext I/O ------------------------------------------------------ */

static bool would_block(int error)
{
    return error == EAGAIN || error == EWOULDBLOCK;
}

static ssize_t plain_read(ic_conn *c, void *buf, size_t n, ic_error *err)
{
    int64_t deadline = ic_transport_deadline(c->to.read_ms);
    for (;;) {
        ssize_t got = recv(c->fd, buf, n, 0);
        if (got > 0)
            return got;
        if (got == 0)
            return ic_transport_eof(c, err);
        if (errno == EINTR)
            continue;
        if (!would_block(errno))
            return ic_transport_io_error(c, "receive", errno, err);
        int rc = ic_transport_wait(c, POLLIN, deadline, IC_WAIT_READ, err);
        if (rc)
            return rc;
    }
}

/* Each wait for room is bounded by the write timeout; progress restarts it. */
static int plain_write(ic_conn *c, const unsigned char *p, size_t n, ic_error *err)
{
    int64_t deadline = ic_transport_deadline(c->to.write_ms);
    while (n > 0) {
        /* MSG_NOSIGNAL: a peer that has gone away is an error, not SIGPIPE. */
        ssize_t sent = send(c->fd, p, n, MSG_NOSIGNAL);
        if (sent > 0) {
            p += sent;
            n -= (size_t)sent;
            deadline = ic_transport_deadline(c->to.write_ms);
            continue;
        }
        if (sent < 0 && errno == EINTR)
            continue;
        if (sent < 0 && !would_block(errno))
            return ic_transport_io_error(c, "send", errno, err);
        int rc = ic_transport_wait(c, POLLOUT, deadline, IC_WAIT_WRITE, err);
        if (rc)
            return rc;
    }
    return IC_OK;
}

ssize_t ic_conn_read(ic_conn *c, void *buf, size_t n, ic_error *err)
{
    if (n == 0)
        return ic_fail(err, IC_ERR_INTERNAL, "%s: read of 0 bytes requested", c->peer);
    if (n > SSIZE_MAX)
        n = SSIZE_MAX;
    return c->ssl ? ic_transport_tls_read(c, buf, n, err) : plain_read(c, buf, n, err);
}

int ic_conn_write(ic_conn *c, const void *buf, size_t n, ic_error *err)
{
    return c->ssl ? ic_transport_tls_write(c, buf, n, err) : plain_write(c, buf, n, err);
}

/* ---- accessors and closing ---------------------------------------------- */

void ic_conn_set_read_timeout(ic_conn *c, int ms)
{
    c->to.read_ms = ms;
}

int ic_conn_read_timeout(const ic_conn *c)
{
    return c->to.read_ms;
}

const char *ic_conn_peer(const ic_conn *c)
{
    return c->peer;
}

int ic_conn_fd(const ic_conn *c)
{
    return c->fd;
}

void ic_conn_close(ic_conn *c)
{
    if (!c)
        return;
    ic_transport_tls_free(c);
    if (c->fd >= 0)
        close(c->fd);
    free(c);
}
