/* target.c: imap://host[:port] and imaps://host[:port] (see ic_transport.h). */
#include "transport_int.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Letters, digits, '-', '.', '_': DNS names and IPv4 addresses. */
#define HOST_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._"
#define EXPECTED_FORM "expected imap://host[:port] or imaps://host[:port]"

bool ic_transport_is_ip_literal(const char *host)
{
    unsigned char addr[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

/* One message shape for every rejection: what is wrong, then the form. */
static int bad_target(ic_error *err, const char *url, const char *what)
{
    if (!what)
        return ic_fail(err, IC_ERR_USAGE, "bad target \"%s\": " EXPECTED_FORM, url);
    return ic_fail(err, IC_ERR_USAGE, "bad target \"%s\": %s; " EXPECTED_FORM, url, what);
}

/* Sets t->implicit_tls and returns what follows "scheme://", or NULL. */
static const char *parse_scheme(const char *url, ic_target *t, ic_error *err)
{
    const char *sep = strstr(url, "://");
    if (!sep) {
        bad_target(err, url, NULL);
        return NULL;
    }
    size_t len = (size_t)(sep - url);
    if (len == 4 && strncasecmp(url, "imap", 4) == 0)
        t->implicit_tls = false;
    else if (len == 5 && strncasecmp(url, "imaps", 5) == 0)
        t->implicit_tls = true;
    else {
        char what[80];
        snprintf(what, sizeof what, "unsupported scheme \"%.*s\"", (int)(len > 20 ? 20 : len), url);
        bad_target(err, url, what);
        return NULL;
    }
    return sep + 3;
}

/* "[v6addr]"; returns what follows the bracket, or NULL. */
static const char *parse_bracketed_host(const char *url, const char *p, ic_target *t, ic_error *err)
{
    const char *bracket_end = strchr(p, ']');
    if (!bracket_end) {
        bad_target(err, url, "missing \"]\" after the IPv6 address");
        return NULL;
    }
    size_t len = (size_t)(bracket_end - p - 1);
    unsigned char addr[sizeof(struct in6_addr)];
    if (len == 0 || len >= sizeof t->host) {
        bad_target(err, url, len ? "IPv6 address too long" : "empty host");
        return NULL;
    }
    memcpy(t->host, p + 1, len);
    t->host[len] = '\0';
    if (inet_pton(AF_INET6, t->host, addr) != 1) {
        bad_target(err, url, "not an IPv6 address inside [ ]");
        return NULL;
    }
    t->host_is_ip = true;
    return bracket_end + 1;
}

/* A name or IPv4 address; returns what follows it, or NULL. */
static const char *parse_plain_host(const char *url, const char *p, ic_target *t, ic_error *err)
{
    size_t len = strspn(p, HOST_CHARS);
    if (p[len] == ':' && strchr(p + len + 1, ':')) {
        bad_target(err, url, "an IPv6 address must be in brackets, e.g. imap://[::1]:143");
        return NULL;
    }
    if (len == 0) {
        bad_target(err, url, "empty host");
        return NULL;
    }
    if (len >= sizeof t->host) {
        bad_target(err, url, "host name longer than 255 characters");
        return NULL;
    }
    memcpy(t->host, p, len);
    t->host[len] = '\0';
    t->host_is_ip = ic_transport_is_ip_literal(t->host);
    return p + len;
}

static const char *parse_host(const char *url, const char *p, ic_target *t, ic_error *err)
{
    const char *authority_end = p + strcspn(p, "/");
    const char *at = memchr(p, '@', (size_t)(authority_end - p));
    if (at) {
        bad_target(err, url, "a user name in the URL is not supported (use --user)");
        return NULL;
    }
    if (*p == '[')
        return parse_bracketed_host(url, p, t, err);
    return parse_plain_host(url, p, t, err);
}

/* ":digits" (1..65535) or nothing; returns what follows, or NULL. */
static const char *parse_port(const char *url, const char *p, ic_target *t, ic_error *err)
{
    snprintf(t->port, sizeof t->port, "%s", t->implicit_tls ? "993" : "143");
    if (*p != ':')
        return p;
    p++;
    size_t len = strspn(p, "0123456789");
    long value = 0;
    for (size_t i = 0; i < len && value <= 65535; i++)
        value = value * 10 + (p[i] - '0');
    if (len == 0 || value < 1 || value > 65535) {
        char what[64];
        snprintf(what, sizeof what, "bad port \"%.*s\" (must be 1 to 65535)",
                 (int)(len ? (len > 10 ? 10 : len) : strcspn(p, "/")), p);
        bad_target(err, url, what);
        return NULL;
    }
    snprintf(t->port, sizeof t->port, "%ld", value);
    return p + len;
}

/* Only an optional trailing "/" may follow host[:port]. */
static int check_rest(const char *url, const char *rest, ic_error *err)
{
    if (rest[0] == '\0' || (rest[0] == '/' && rest[1] == '\0'))
        return IC_OK;
    char what[96];
    if (rest[0] == '/')
        snprintf(what, sizeof what, "a path (\"%.40s\") is not supported", rest);
    else
        snprintf(what, sizeof what, "unexpected \"%.40s\" after the host or port", rest);
    return bad_target(err, url, what);
}

static bool has_control_char(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

int ic_target_parse(const char *url, ic_target *t, ic_error *err)
{
    memset(t, 0, sizeof *t);
    if (!url)
        return bad_target(err, "", "no target given");
    if (has_control_char(url))    /* not echoed: messages stay one printable line */
        return ic_fail(err, IC_ERR_USAGE, "bad target: it contains a control character; "
                       EXPECTED_FORM);
    const char *p = parse_scheme(url, t, err);
    if (p)
        p = parse_host(url, p, t, err);
    if (p)
        p = parse_port(url, p, t, err);
    if (!p)
        return IC_ERR_USAGE;
    return check_rest(url, p, err);
}
