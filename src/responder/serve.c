/* serve.c: the responder (see ic_responder.h).  Single-threaded: poll over
 * the listening socket and every client, so one scenario's several
 * connections are served side by side. */
#include "ic_responder.h"
#include "ic_render.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 32
#define CLIENT_LINE_MAX (1u << 20)
#define TAG_MAX 32

/* ---- loading ---------------------------------------------------------------- */

static ic_tx_event *push_event(ic_tx_section *s)
{
    if (s->n == s->alloc) {
        size_t n = s->alloc ? s->alloc * 2 : 32;
        ic_tx_event *p = realloc(s->events, n * sizeof *p);
        if (!p)
            return NULL;
        s->events = p;
        s->alloc = n;
    }
    ic_tx_event *e = &s->events[s->n++];
    memset(e, 0, sizeof *e);
    ic_buf_init(&e->bytes, 0);
    return e;
}

static ic_tx_section *push_section(ic_tx *t, int number)
{
    if (t->n == t->alloc) {
        size_t n = t->alloc ? t->alloc * 2 : 8;
        ic_tx_section *p = realloc(t->sections, n * sizeof *p);
        if (!p)
            return NULL;
        t->sections = p;
        t->alloc = n;
    }
    ic_tx_section *s = &t->sections[t->n++];
    memset(s, 0, sizeof *s);
    s->number = number;
    return s;
}

/* The section that lines labelled `number` belong to: the latest open one. */
static ic_tx_section *section_for(ic_tx *t, int number)
{
    for (size_t i = t->n; i-- > 0;)
        if (t->sections[i].number == number)
            return &t->sections[i];
    return NULL;
}

static int load_line(ic_tx *t, char *line, int lineno, ic_tx_section **last, ic_error *err)
{
    size_t len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    int number, ms;
    if (sscanf(line, "-- open %d", &number) == 1)
        return (*last = push_section(t, number)) ? IC_OK : IC_ERR_NOMEM;
    if (sscanf(line, "-- sleep %d", &ms) == 1 && *last) {
        ic_tx_event *e = push_event(*last);
        if (!e)
            return IC_ERR_NOMEM;
        e->dir = 'P';
        e->sleep_ms = ms;
        e->line = lineno;
        return IC_OK;
    }
    /* "CN: " or "SN: " then the rendered bytes, taken exactly: a leading
     * space after the prefix is part of the line (sscanf's " " would eat it). */
    char dir = line[0];
    char *after = NULL;
    if (dir != 'C' && dir != 'S')
        return IC_OK;   /* headers, notes, blank lines */
    number = (int)strtol(line + 1, &after, 10);
    if (after == line + 1 || after[0] != ':' || after[1] != ' ')
        return IC_OK;
    int consumed = (int)(after + 2 - line);
    ic_tx_section *s = section_for(t, number);
    if (!s)
        return ic_fail(err, IC_ERR_USAGE, "%s:%d: line for connection %d before \"-- open %d\"",
                       t->path, lineno, number, number);
    ic_tx_event *e = push_event(s);
    if (!e)
        return IC_ERR_NOMEM;
    e->dir = dir;
    e->line = lineno;
    *last = s;
    if (ic_unrender(line + consumed, len - (size_t)consumed, &e->bytes))
        return ic_fail(err, IC_ERR_USAGE, "%s:%d: malformed escape in the recorded line", t->path,
                       lineno);
    return IC_OK;
}

int ic_transcript_load(const char *path, ic_tx **out, ic_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return ic_fail(err, IC_ERR_USAGE, "cannot read transcript %s: %s", path, strerror(errno));
    ic_tx *t = calloc(1, sizeof *t);
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, rc = t ? IC_OK : IC_ERR_NOMEM;
    ic_tx_section *last = NULL;
    if (t)
        t->path = strdup(path);
    while (!rc && getline(&line, &cap, f) >= 0)
        rc = load_line(t, line, ++lineno, &last, err);
    free(line);
    fclose(f);
    if (!rc && t->n == 0)
        rc = ic_fail(err, IC_ERR_USAGE, "%s: no \"-- open N\" section: not a transcript", path);
    if (rc == IC_ERR_NOMEM)
        ic_fail(err, rc, "out of memory reading %s", path);
    if (rc) {
        ic_transcript_free(t);
        return rc;
    }
    *out = t;
    return IC_OK;
}

void ic_transcript_free(ic_tx *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++) {
        for (size_t j = 0; j < t->sections[i].n; j++)
            ic_buf_free(&t->sections[i].events[j].bytes);
        free(t->sections[i].events);
    }
    free(t->sections);
    free(t->path);
    free(t);
}

/* ---- serving ---------------------------------------------------------------- */

typedef struct tag_pair {
    char recorded[TAG_MAX];
    char client[TAG_MAX];
} tag_pair;

typedef struct client {
    int fd;
    int index;                /* which accepted connection: section index */
    const ic_tx_section *section;
    size_t pos;               /* next event */
    ic_buf in;
    tag_pair tags[256];
    size_t ntags;
    bool failed;
} client;

typedef struct server {
    const ic_tx *t;
    const ic_responder_options *o;
    int listen_fd;
    client clients[MAX_CLIENTS];
    size_t nclients;
    int accepted;
    int finished;             /* sections played to their end */
    int deviations;
    char first_problem[1024];
} server;

static void logf_(const server *sv, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(const server *sv, const char *fmt, ...)
{
    if (!sv->o->log)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("serve: ", sv->o->log);
    vfprintf(sv->o->log, fmt, ap);
    fputc('\n', sv->o->log);
    va_end(ap);
    fflush(sv->o->log);
}

static size_t first_token_len(ic_bytes b)
{
    size_t n = 0;
    while (n < b.len && b.ptr[n] != ' ')
        n++;
    return n;
}

static const char *client_tag_for(const client *c, ic_bytes recorded)
{
    for (size_t i = 0; i < c->ntags; i++)
        if (ic_bytes_eq_str(recorded, c->tags[i].recorded))
            return c->tags[i].client;
    return NULL;
}

/* Sends one recorded S line with the recorded tag replaced. */
static int send_line(client *c, ic_bytes line)
{
    ic_buf out;
    ic_buf_init(&out, 0);
    size_t tlen = first_token_len(line);
    const char *mapped = client_tag_for(c, (ic_bytes){ line.ptr, tlen });
    if (mapped) {
        ic_buf_append_str(&out, mapped);
        ic_buf_append(&out, line.ptr + tlen, line.len - tlen);
    } else {
        ic_buf_append(&out, line.ptr, line.len);
    }
    ic_buf_append(&out, "\r\n", 2);
    ssize_t w = send(c->fd, out.data, out.len, MSG_NOSIGNAL);
    int rc = w == (ssize_t)out.len ? IC_OK : IC_ERR_IO;
    ic_buf_free(&out);
    return rc;
}

static void pause_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Sends every S line (and pause) up to the next C line. */
static void play_server_lines(client *c)
{
    while (c->pos < c->section->n && c->section->events[c->pos].dir != 'C') {
        const ic_tx_event *e = &c->section->events[c->pos++];
        if (e->dir == 'P')
            pause_ms(e->sleep_ms);
        else if (send_line(c, ic_buf_bytes(&e->bytes)))
            return;
    }
}

/* A recorded line with "***" matches when the parts around it are a prefix
 * and suffix of the client's line. */
static bool redacted_match(ic_bytes rec, ic_bytes got)
{
    const uint8_t *star = NULL;
    for (size_t i = 0; i + 3 <= rec.len; i++)
        if (memcmp(rec.ptr + i, "***", 3) == 0)
            star = rec.ptr + i;
    if (!star)
        return rec.len == got.len && memcmp(rec.ptr, got.ptr, got.len) == 0;
    size_t pre = (size_t)(star - rec.ptr), post = rec.len - pre - 3;
    return got.len >= pre + post && memcmp(rec.ptr, got.ptr, pre) == 0 &&
           memcmp(rec.ptr + pre + 3, got.ptr + got.len - post, post) == 0;
}

static void remember_tag(client *c, ic_bytes rec, ic_bytes got)
{
    if (c->ntags == sizeof c->tags / sizeof c->tags[0])
        return;
    size_t rl = first_token_len(rec), gl = first_token_len(got);
    if (!rl || !gl || rl >= TAG_MAX || gl >= TAG_MAX)
        return;
    tag_pair *p = &c->tags[c->ntags++];
    memcpy(p->recorded, rec.ptr, rl);
    p->recorded[rl] = '\0';
    memcpy(p->client, got.ptr, gl);
    p->client[gl] = '\0';
}

/* Compares a client line with the next recorded C line: the first token may
 * differ (a tag), the rest must match. */
static bool client_line_matches(client *c, const ic_tx_event *e, ic_bytes got)
{
    ic_bytes rec = ic_buf_bytes(&e->bytes);
    if (redacted_match(rec, got))
        return true;
    size_t rl = first_token_len(rec), gl = first_token_len(got);
    ic_bytes rec_rest = { rec.ptr + rl, rec.len - rl }, got_rest = { got.ptr + gl, got.len - gl };
    if (rl == rec.len || gl == got.len || !redacted_match(rec_rest, got_rest))
        return false;
    remember_tag(c, rec, got);
    return true;
}

static void deviate(server *sv, client *c, const char *what, ic_bytes got)
{
    char *shown = ic_render_str(got, 300);
    const ic_tx_event *e = c->pos < c->section->n ? &c->section->events[c->pos] : NULL;
    char *want = e ? ic_render_str(ic_buf_bytes(&e->bytes), 300) : NULL;
    char msg[1024];
    snprintf(msg, sizeof msg, "connection %d (section \"-- open %d\"): %s: got \"%s\"%s%s%s", c->index + 1,
             c->section->number, what, shown ? shown : "", want ? ", transcript line " : "",
             want ? "expected \"" : "", want ? want : "");
    if (want)
        strncat(msg, "\"", sizeof msg - strlen(msg) - 1);
    logf_(sv, "%s", msg);
    if (!sv->first_problem[0])
        snprintf(sv->first_problem, sizeof sv->first_problem, "%s", msg);
    free(shown);
    free(want);
    static const char bye[] = "* BYE imapconform responder: the client left the recorded dialogue\r\n";
    send(c->fd, bye, sizeof bye - 1, MSG_NOSIGNAL);
    c->failed = true;
    sv->deviations++;
}

static void client_close(server *sv, client *c);

static void handle_client_line(server *sv, client *c, ic_bytes line)
{
    const ic_tx_event *e = c->pos < c->section->n ? &c->section->events[c->pos] : NULL;
    if (!e || e->dir != 'C') {
        deviate(sv, c, "a line the transcript does not have", line);
        return;
    }
    if (!client_line_matches(c, e, line)) {
        deviate(sv, c, "a different line", line);
        return;
    }
    c->pos++;
    play_server_lines(c);
    /* The recording ends where the server closed the connection. */
    if (c->pos >= c->section->n)
        client_close(sv, c);
}

static void client_close(server *sv, client *c)
{
    if (c->fd < 0)
        return;
    if (!c->failed && c->pos >= c->section->n)
        sv->finished++;
    else if (!c->failed) {
        char msg[300];
        snprintf(msg, sizeof msg, "connection %d closed with %zu recorded events left",
                 c->index + 1, c->section->n - c->pos);
        logf_(sv, "%s", msg);
        if (!sv->first_problem[0])
            snprintf(sv->first_problem, sizeof sv->first_problem, "%s", msg);
    }
    close(c->fd);
    c->fd = -1;
    ic_buf_free(&c->in);
}

static void client_readable(server *sv, client *c)
{
    uint8_t buf[8192];
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n <= 0 || ic_buf_append(&c->in, buf, (size_t)n)) {
        client_close(sv, c);
        return;
    }
    for (;;) {
        const uint8_t *nl = c->fd >= 0 && c->in.len ? memchr(c->in.data, '\n', c->in.len) : NULL;
        if (!nl || c->failed)
            break;
        size_t len = (size_t)(nl - c->in.data);
        ic_bytes line = { c->in.data, len && c->in.data[len - 1] == '\r' ? len - 1 : len };
        handle_client_line(sv, c, line);
        ic_buf_consume(&c->in, len + 1);
    }
    if (c->failed || (c->fd >= 0 && c->pos >= c->section->n))
        client_close(sv, c);
}

static void accept_client(server *sv)
{
    int fd = accept(sv->listen_fd, NULL, NULL);
    if (fd < 0)
        return;
    if ((size_t)sv->accepted >= sv->t->n || sv->nclients >= MAX_CLIENTS) {
        static const char bye[] = "* BYE imapconform responder: no more recorded connections\r\n";
        send(fd, bye, sizeof bye - 1, MSG_NOSIGNAL);
        close(fd);
        logf_(sv, "refused connection %d: the transcript has %zu", sv->accepted + 1, sv->t->n);
        sv->accepted++;
        return;
    }
    client *c = &sv->clients[sv->nclients++];
    memset(c, 0, sizeof *c);
    c->fd = fd;
    c->index = sv->accepted++;
    c->section = &sv->t->sections[c->index];
    ic_buf_init(&c->in, CLIENT_LINE_MAX);
    play_server_lines(c);
}

static int open_listener(server *sv, ic_error *err)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_NUMERICHOST | AI_PASSIVE };
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo(sv->o->host, sv->o->port, &hints, &ai);
    if (gai)
        return ic_fail(err, IC_ERR_USAGE, "cannot listen on %s:%s: %s (give a numeric loopback "
                       "address)", sv->o->host, sv->o->port, gai_strerror(gai));
    int fd = socket(ai->ai_family, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 16)) {
        int e = errno;
        freeaddrinfo(ai);
        if (fd >= 0)
            close(fd);
        return ic_fail(err, IC_ERR_USAGE, "cannot listen on %s:%s: %s", sv->o->host, sv->o->port,
                       strerror(e));
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    char host[64], port[16];
    getnameinfo((struct sockaddr *)&ss, sl, host, sizeof host, port, sizeof port,
                NI_NUMERICHOST | NI_NUMERICSERV);
    freeaddrinfo(ai);
    if (sv->o->ready) {
        fprintf(sv->o->ready, "listening on %s:%s\n", host, port);
        fflush(sv->o->ready);
    }
    sv->listen_fd = fd;
    return IC_OK;
}

static bool all_done(const server *sv)
{
    if ((size_t)sv->accepted < sv->t->n)
        return false;
    for (size_t i = 0; i < sv->nclients; i++)
        if (sv->clients[i].fd >= 0)
            return false;
    return true;
}

static int serve_loop(server *sv, ic_error *err)
{
    while (!all_done(sv)) {
        struct pollfd pfd[MAX_CLIENTS + 1];
        client *who[MAX_CLIENTS + 1];
        nfds_t n = 0;
        pfd[n] = (struct pollfd){ sv->listen_fd, POLLIN, 0 };
        who[n++] = NULL;
        for (size_t i = 0; i < sv->nclients; i++)
            if (sv->clients[i].fd >= 0) {
                pfd[n] = (struct pollfd){ sv->clients[i].fd, POLLIN, 0 };
                who[n++] = &sv->clients[i];
            }
        int r = poll(pfd, n, sv->o->idle_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return ic_fail(err, IC_ERR_TIMEOUT, "no activity for %d ms (%d of %zu recorded "
                           "connections came)", sv->o->idle_ms, sv->accepted, sv->t->n);
        for (nfds_t i = 0; i < n; i++) {
            if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (who[i])
                client_readable(sv, who[i]);
            else
                accept_client(sv);
        }
    }
    return IC_OK;
}

int ic_responder_serve(const ic_tx *t, const ic_responder_options *o, ic_error *err)
{
    server *sv = calloc(1, sizeof *sv);
    if (!sv)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    sv->t = t;
    sv->o = o;
    int rc = open_listener(sv, err);
    if (!rc)
        rc = serve_loop(sv, err);
    /* A client that left the recording is the verdict, even if the server
     * then idled out waiting for connections that never came. */
    if (rc == IC_ERR_TIMEOUT && sv->deviations)
        rc = ic_fail(err, IC_ERR_PROTOCOL, "%s", sv->first_problem);
    for (size_t i = 0; i < sv->nclients; i++)
        client_close(sv, &sv->clients[i]);
    if (!rc && (sv->deviations || sv->finished < (int)t->n))
        rc = ic_fail(err, IC_ERR_PROTOCOL, "%s", sv->first_problem[0] ? sv->first_problem
                                                  : "not every recorded connection was played");
    if (sv->listen_fd > 0)
        close(sv->listen_fd);
    free(sv);
    return rc;
}
