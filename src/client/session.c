/* session.c: one IMAP client connection (see ic_session.h).
 *
 * Every response read here goes through the same path (receive_one): framed
 * by the reader, judged by the strict grammar checker, parsed leniently,
 * shown to the wire hook, and recorded as a finding when the grammar
 * objects.  Commands, logins and STARTTLS are built on that one path.
 */
#include "ic_session.h"
#include "ic_reader.h"
#include "ic_render.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define FINDING_RENDER_MAX 512

struct ic_session {
    ic_session_options opts;
    char tag_prefix[16];
    ic_conn *conn;
    ic_reader *reader;
    ic_buf caps;               /* "CAP1 CAP2 ...", as the server sent them */
    ic_received greeting;
    bool have_greeting;
    bool authenticated;
    unsigned tag_counter;
    size_t starttls_discarded;
    const char *auth_method;
    ic_finding *findings;
    size_t nfindings, findings_alloc;
};

void ic_session_options_default(ic_session_options *o)
{
    memset(o, 0, sizeof *o);
    ic_timeouts_default(&o->timeouts);
    ic_limits_default(&o->limits);
    ic_tls_options_default(&o->tls);
    o->starttls = IC_STARTTLS_AUTO;
    o->tag_prefix = "ic";
}

/* ---- received responses ------------------------------------------------ */

static void received_free(ic_received *r)
{
    ic_response_free(r->resp);
    ic_buf_free(&r->raw);
    memset(r, 0, sizeof *r);
}

void ic_reply_free(ic_reply *r)
{
    for (size_t i = 0; i < r->n; i++)
        received_free(&r->items[i]);
    free(r->items);
    memset(r, 0, sizeof *r);
}

size_t ic_reply_violations(const ic_reply *r)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->items[i].grammar.verdict == IC_GRAMMAR_VIOLATION;
    return n;
}

static ic_received *reply_push(ic_reply *r)
{
    if (r->n == r->alloc) {
        size_t n = r->alloc ? r->alloc * 2 : 16;
        ic_received *p = realloc(r->items, n * sizeof *p);
        if (!p)
            return NULL;
        r->items = p;
        r->alloc = n;
    }
    ic_received *item = &r->items[r->n++];
    memset(item, 0, sizeof *item);
    return item;
}

static ssize_t conn_source_read(void *ctx, void *buf, size_t n, ic_error *err)
{
    return ic_conn_read(ctx, buf, n, err);
}

static void hook(ic_session *s, ic_wire_dir dir, ic_bytes b)
{
    if (s->opts.hook)
        s->opts.hook(s->opts.hook_ctx, dir, b);
}

static void note(ic_session *s, const char *text)
{
    hook(s, IC_WIRE_NOTE, ic_bytes_from_str(text));
}

static int record_finding(ic_session *s, const ic_received *r)
{
    if (s->nfindings == s->findings_alloc) {
        size_t n = s->findings_alloc ? s->findings_alloc * 2 : 8;
        ic_finding *p = realloc(s->findings, n * sizeof *p);
        if (!p)
            return IC_ERR_NOMEM;
        s->findings = p;
        s->findings_alloc = n;
    }
    ic_finding *f = &s->findings[s->nfindings];
    f->grammar = r->grammar;
    f->line = ic_render_str(ic_buf_bytes(&r->raw), FINDING_RENDER_MAX);
    if (!f->line)
        return IC_ERR_NOMEM;
    s->nfindings++;
    return IC_OK;
}

/* The lenient parser failing where the strict checker passed would be a bug
 * in one of them; surface it as a violation rather than lose it. */
static void note_parse_failure(ic_received *r)
{
    if (r->grammar.verdict == IC_GRAMMAR_VIOLATION)
        return;
    r->grammar.verdict = IC_GRAMMAR_VIOLATION;
    snprintf(r->grammar.rule, sizeof r->grammar.rule, "response");
    snprintf(r->grammar.message, sizeof r->grammar.message, "%.250s", r->parse_error.msg);
}

/* Reads, checks and parses one response into r. */
static int receive_one(ic_session *s, bool greeting, ic_received *r, ic_error *err)
{
    ic_raw_response raw;
    int rc = ic_reader_next(s->reader, &raw, err);
    if (rc == IC_ERR_PROTOCOL || rc == IC_ERR_NOMEM)
        ic_error_prefix(err, "%s", ic_conn_peer(s->conn));   /* transport errors name it already */
    if (rc)
        return rc;
    ic_buf_init(&r->raw, 0);
    if (ic_buf_append(&r->raw, raw.bytes.ptr, raw.bytes.len))
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    ic_bytes bytes = ic_buf_bytes(&r->raw);
    hook(s, IC_WIRE_RECEIVED, bytes);
    if (greeting)
        ic_grammar_check_greeting(bytes, s->opts.grammar_flags, &r->grammar);
    else
        ic_grammar_check(bytes, s->opts.grammar_flags, &r->grammar);
    if (ic_response_parse(bytes, s->opts.limits.max_depth, &r->resp, &r->parse_error)) {
        r->resp = NULL;
        note_parse_failure(r);
    }
    if (r->grammar.verdict == IC_GRAMMAR_VIOLATION || r->grammar.verdict == IC_GRAMMAR_WARNING)
        return record_finding(s, r) ? ic_fail(err, IC_ERR_NOMEM, "out of memory") : IC_OK;
    return IC_OK;
}

/* Whether r completes the command tagged tag; also works on responses the
 * lenient parser could not read, so a malformed completion cannot hang us. */
static bool completes(const ic_received *r, const char *tag)
{
    size_t n = strlen(tag);
    return r->raw.len > n && memcmp(r->raw.data, tag, n) == 0 && r->raw.data[n] == ' ';
}

static bool is_continuation(const ic_received *r)
{
    return r->raw.len > 0 && r->raw.data[0] == '+';
}

/* ---- capabilities ------------------------------------------------------ */

static int set_caps_from_nodes(ic_session *s, const ic_node *first)
{
    ic_buf_reset(&s->caps);
    int rc = IC_OK;
    for (const ic_node *n = first; n && !rc; n = n->next) {
        if (s->caps.len)
            rc = ic_buf_append(&s->caps, " ", 1);
        if (!rc)
            rc = ic_buf_append(&s->caps, n->value.ptr, n->value.len);
    }
    return rc;
}

/* Takes capabilities from a CAPABILITY response code or untagged response
 * anywhere in the reply.  Returns true if one was found. */
static bool take_caps(ic_session *s, const ic_received *items, size_t n)
{
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        const ic_response *r = items[i].resp;
        if (!r)
            continue;
        if (r->has_code && ic_bytes_case_eq_str(r->code.name, "CAPABILITY"))
            found = !set_caps_from_nodes(s, r->code.args);
        else if (r->kind == IC_RESP_UNTAGGED && ic_bytes_case_eq_str(r->name, "CAPABILITY"))
            found = !set_caps_from_nodes(s, r->args);
    }
    return found;
}

bool ic_session_has_cap(const ic_session *s, const char *cap)
{
    size_t n = strlen(cap);
    const char *p = s->caps.len ? (const char *)s->caps.data : "";
    while (*p) {
        size_t len = strcspn(p, " ");
        if (len == n && strncasecmp(p, cap, n) == 0)
            return true;
        p += len;
        p += *p == ' ';
    }
    return false;
}

const char *ic_session_capabilities(const ic_session *s)
{
    return s->caps.len ? (const char *)s->caps.data : "";
}

/* ---- sending ------------------------------------------------------------ */

static int send_bytes(ic_session *s, ic_bytes b, ic_error *err)
{
    return ic_conn_write(s->conn, b.ptr, b.len, err);   /* its errors name host:port */
}

static void next_tag(ic_session *s, char *out, size_t n)
{
    snprintf(out, n, "%s%u", s->tag_prefix, ++s->tag_counter);
}

/* RFC 7888: LITERAL+ allows any size; LITERAL- only up to 4096 bytes. */
static bool may_use_literal_plus(const ic_session *s, const ic_command *cmd)
{
    if (ic_session_has_cap(s, "LITERAL+"))
        return true;
    if (!ic_session_has_cap(s, "LITERAL-"))
        return false;
    for (size_t i = 0; i < cmd->nparts; i++)
        if (cmd->parts[i].kind == IC_PART_LITERAL && cmd->parts[i].data.len > 4096)
            return false;
    return true;
}

/* Reads responses into out until a continuation request (returns IC_OK with
 * *got_cont) or the tagged completion (returns IC_OK, *got_cont false). */
static int read_until_continuation(ic_session *s, const char *tag, ic_reply *out,
                                   bool *got_cont, ic_error *err)
{
    for (;;) {
        ic_received *r = reply_push(out);
        if (!r)
            return ic_fail(err, IC_ERR_NOMEM, "out of memory");
        int rc = receive_one(s, false, r, err);
        if (rc) {
            out->n--;
            return rc;
        }
        if (is_continuation(r)) {
            *got_cont = true;
            return IC_OK;
        }
        if (completes(r, tag)) {
            out->tagged = r;
            *got_cont = false;
            return IC_OK;
        }
    }
}

/* Writes the command, waiting for "+" before each synchronizing literal.
 * Sets out->tagged if the server completes the command early (refusing a
 * literal). */
static int write_command(ic_session *s, const ic_command *cmd, bool plus, ic_reply *out,
                         ic_error *err)
{
    ic_buf chunk;
    ic_buf_init(&chunk, 0);
    int rc = ic_buf_printf(&chunk, "%s ", cmd->tag);
    for (size_t i = 0; !rc && i < cmd->nparts; i++) {
        const ic_part *p = &cmd->parts[i];
        if (p->kind == IC_PART_TEXT) {
            rc = ic_buf_append(&chunk, p->data.data, p->data.len);
            continue;
        }
        bool part_plus = plus || p->non_sync;
        rc = ic_buf_printf(&chunk, "%s{%zu%s}\r\n", p->literal8 ? "~" : "", p->data.len,
                           part_plus ? "+" : "");
        if (!rc && !part_plus) {
            bool cont = false;
            rc = send_bytes(s, ic_buf_bytes(&chunk), err);
            ic_buf_reset(&chunk);
            if (!rc)
                rc = read_until_continuation(s, cmd->tag, out, &cont, err);
            if (!rc && !cont)
                break;   /* the server answered instead of inviting the literal */
        }
        if (!rc)
            rc = ic_buf_append(&chunk, p->data.data, p->data.len);
    }
    if (!rc && !out->tagged)
        rc = ic_buf_append(&chunk, "\r\n", 2);
    if (!rc && !out->tagged)
        rc = send_bytes(s, ic_buf_bytes(&chunk), err);
    if (rc == IC_ERR_NOMEM)
        ic_fail(err, rc, "out of memory writing a command");
    ic_buf_free(&chunk);
    return rc;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads one response into out; sets out->tagged when it completes tag. */
static int read_into(ic_session *s, const char *tag, ic_reply *out, ic_received **got,
                     ic_error *err)
{
    ic_received *r = reply_push(out);
    if (!r)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    int rc = receive_one(s, false, r, err);
    if (rc) {
        out->n--;
        return rc;
    }
    if (tag && completes(r, tag))
        out->tagged = r;
    *got = r;
    return IC_OK;
}

/* Reads until the tagged completion of tag, or (stop_at_continuation) a
 * continuation request.  A BYE is kept like any response: after LOGOUT the
 * tagged OK follows; otherwise the server closes and the next read says
 * EOF. */
static int read_until_done(ic_session *s, const char *tag, bool stop_at_continuation,
                           ic_reply *out, ic_error *err)
{
    while (!out->tagged) {
        ic_received *r;
        int rc = read_into(s, tag, out, &r, err);
        if (rc)
            return rc;
        if (stop_at_continuation && is_continuation(r))
            break;
    }
    return IC_OK;
}

static int read_until_tagged(ic_session *s, const char *tag, ic_reply *out, ic_error *err)
{
    return read_until_done(s, tag, false, out, err);
}

static int run_command(ic_session *s, ic_command *cmd, bool stop_at_continuation,
                       ic_reply *out, ic_error *err)
{
    memset(out, 0, sizeof *out);
    if (!cmd->tag[0])
        next_tag(s, cmd->tag, sizeof cmd->tag);
    bool plus = may_use_literal_plus(s, cmd);
    ic_buf shown;
    ic_buf_init(&shown, 0);
    if (ic_command_serialize(cmd, plus, true, &shown) == IC_OK)
        hook(s, IC_WIRE_SENT, ic_buf_bytes(&shown));
    ic_buf_free(&shown);
    double start = now_seconds();
    int rc = write_command(s, cmd, plus, out, err);
    if (!rc)
        rc = read_until_done(s, cmd->tag, stop_at_continuation, out, err);
    out->seconds = now_seconds() - start;
    return rc;
}

int ic_session_command(ic_session *s, ic_command *cmd, ic_reply *out, ic_error *err)
{
    return run_command(s, cmd, false, out, err);
}

int ic_session_start(ic_session *s, ic_command *cmd, ic_reply *out, ic_error *err)
{
    return run_command(s, cmd, true, out, err);
}

int ic_session_continue(ic_session *s, const char *tag, ic_bytes line, bool secret,
                        ic_reply *out, ic_error *err)
{
    ic_buf b;
    ic_buf_init(&b, 0);
    int rc = ic_buf_append(&b, line.ptr, line.len);
    if (!rc)
        rc = ic_buf_append(&b, "\r\n", 2);
    if (rc) {
        ic_buf_free(&b);
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    }
    hook(s, IC_WIRE_SENT, secret ? IC_BYTES("***\r\n") : ic_buf_bytes(&b));
    rc = send_bytes(s, ic_buf_bytes(&b), err);
    ic_buf_free(&b);
    if (!rc)
        rc = read_until_done(s, tag, true, out, err);
    return rc;
}

int ic_session_read_one(ic_session *s, const char *tag, int ms, ic_reply *out, ic_error *err)
{
    int saved = ic_conn_read_timeout(s->conn);
    ic_conn_set_read_timeout(s->conn, ms > 0 ? ms : 1);
    ic_received *r;
    int rc = read_into(s, tag, out, &r, err);
    ic_conn_set_read_timeout(s->conn, saved);
    return rc;
}

int ic_session_simple(ic_session *s, const char *text, ic_reply *out, ic_error *err)
{
    ic_command *cmd = ic_command_new(NULL);
    if (!cmd || ic_command_text(cmd, text)) {
        ic_command_free(cmd);
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    }
    int rc = ic_session_command(s, cmd, out, err);
    ic_command_free(cmd);
    return rc;
}

int ic_session_wait(ic_session *s, int ms, ic_reply *out, ic_error *err)
{
    double deadline = now_seconds() + ms / 1000.0;
    int rc = IC_OK;
    for (;;) {
        int left = (int)((deadline - now_seconds()) * 1000.0);
        if (left <= 0)
            break;
        rc = ic_session_read_one(s, NULL, left, out, err);
        if (rc == IC_ERR_TIMEOUT) {
            ic_error_clear(err);
            rc = IC_OK;
            break;
        }
        if (rc)
            break;
    }
    return rc;
}

/* ---- status helpers ----------------------------------------------------- */

static ic_cond tagged_cond(const ic_reply *r)
{
    return r->tagged && r->tagged->resp ? r->tagged->resp->cond : IC_COND_NONE;
}

/* One-line rendering of the tagged response's text for error messages. */
static void tagged_text(const ic_reply *r, char *out, size_t n)
{
    ic_bytes text = r->tagged && r->tagged->resp ? r->tagged->resp->text
                                                  : (r->tagged ? ic_buf_bytes(&r->tagged->raw)
                                                               : IC_BYTES("(no answer)"));
    char *shown = ic_render_str(text, 200);
    snprintf(out, n, "%s", shown ? shown : "");
    free(shown);
}

int ic_session_refresh_capabilities(ic_session *s, ic_error *err)
{
    ic_reply r;
    int rc = ic_session_simple(s, "CAPABILITY", &r, err);
    if (!rc && tagged_cond(&r) != IC_COND_OK) {
        char text[256];
        tagged_text(&r, text, sizeof text);
        rc = ic_fail(err, IC_ERR_PROTOCOL, "%s: CAPABILITY failed: %s", ic_conn_peer(s->conn), text);
    } else if (!rc && !take_caps(s, r.items, r.n)) {
        rc = ic_fail(err, IC_ERR_PROTOCOL, "%s: CAPABILITY completed without a CAPABILITY response",
                     ic_conn_peer(s->conn));
    }
    ic_reply_free(&r);
    return rc;
}

/* ---- STARTTLS ------------------------------------------------------------ */

int ic_session_starttls(ic_session *s, ic_error *err)
{
    if (!ic_session_has_cap(s, "STARTTLS"))
        return ic_fail(err, IC_ERR_TLS, "%s: server does not advertise STARTTLS; use imaps:// "
                       "for implicit TLS or drop --starttls", ic_conn_peer(s->conn));
    ic_reply r;
    int rc = ic_session_simple(s, "STARTTLS", &r, err);
    if (!rc && tagged_cond(&r) != IC_COND_OK) {
        char text[256];
        tagged_text(&r, text, sizeof text);
        rc = ic_fail(err, IC_ERR_TLS, "%s: STARTTLS refused: %s", ic_conn_peer(s->conn), text);
    }
    ic_reply_free(&r);
    if (rc)
        return rc;
    /* RFC 3501 6.2.1 / RFC 2595 3.1: nothing sent in plaintext after the
     * tagged OK may be trusted inside TLS. */
    s->starttls_discarded = ic_reader_discard_buffered(s->reader);
    if (s->starttls_discarded) {
        char msg[128];
        snprintf(msg, sizeof msg, "discarded %zu plaintext bytes received after STARTTLS OK",
                 s->starttls_discarded);
        note(s, msg);
    }
    rc = ic_conn_start_tls(s->conn, &s->opts.tls, err);
    if (rc)
        return rc;
    ic_buf_reset(&s->caps);    /* cached capabilities are void after STARTTLS */
    return ic_session_refresh_capabilities(s, err);
}

/* ---- open / close ------------------------------------------------------- */

static int read_greeting(ic_session *s, ic_error *err)
{
    int rc = receive_one(s, true, &s->greeting, err);
    if (rc)
        return rc;
    s->have_greeting = true;
    const ic_response *g = s->greeting.resp;
    if (g && g->cond == IC_COND_BYE) {
        char *text = ic_render_str(g->text, 200);
        rc = ic_fail(err, IC_ERR_CONNECT, "%s: server refused the connection: BYE %s",
                     ic_conn_peer(s->conn), text ? text : "");
        free(text);
        return rc;
    }
    s->authenticated = g && g->cond == IC_COND_PREAUTH;
    return IC_OK;
}

static bool should_starttls(const ic_session *s)
{
    if (s->opts.target.implicit_tls || s->authenticated)
        return false;
    if (s->opts.starttls == IC_STARTTLS_REQUIRE)
        return true;
    return s->opts.starttls == IC_STARTTLS_AUTO && ic_session_has_cap(s, "LOGINDISABLED") &&
           ic_session_has_cap(s, "STARTTLS");
}

ic_session *ic_session_open(const ic_session_options *o, ic_error *err)
{
    ic_session *s = calloc(1, sizeof *s);
    if (!s) {
        ic_fail(err, IC_ERR_NOMEM, "out of memory");
        return NULL;
    }
    s->opts = *o;
    snprintf(s->tag_prefix, sizeof s->tag_prefix, "%s", o->tag_prefix ? o->tag_prefix : "ic");
    ic_buf_init(&s->caps, 0);
    s->conn = ic_conn_connect(&o->target, &o->timeouts, &o->tls, err);
    if (!s->conn) {
        free(s);
        return NULL;
    }
    s->reader = ic_reader_new((ic_source){ conn_source_read, s->conn }, &o->limits);
    int rc = s->reader ? read_greeting(s, err) : ic_fail(err, IC_ERR_NOMEM, "out of memory");
    if (!rc && !take_caps(s, &s->greeting, 1))
        rc = ic_session_refresh_capabilities(s, err);
    if (!rc && should_starttls(s))
        rc = ic_session_starttls(s, err);
    if (rc) {
        ic_session_close(s);
        return NULL;
    }
    return s;
}

void ic_session_close(ic_session *s)
{
    if (!s)
        return;
    ic_reader_free(s->reader);
    ic_conn_close(s->conn);
    received_free(&s->greeting);
    ic_buf_free(&s->caps);
    for (size_t i = 0; i < s->nfindings; i++)
        free(s->findings[i].line);
    free(s->findings);
    free(s);
}

/* ---- authentication ------------------------------------------------------ */

static int build_login(ic_command *cmd, const char *user, const char *password)
{
    int rc = ic_command_text(cmd, "LOGIN ");
    if (!rc)
        rc = ic_command_astring(cmd, ic_bytes_from_str(user), false);
    if (!rc)
        rc = ic_command_text(cmd, " ");
    if (!rc)
        rc = ic_command_astring(cmd, ic_bytes_from_str(password), true);
    return rc;
}

/* base64("\0user\0password") (RFC 4616), malloc'd. */
static char *plain_credentials(const char *user, const char *password)
{
    size_t ulen = strlen(user), plen = strlen(password), n = ulen + plen + 2;
    unsigned char *raw = malloc(n);
    char *b64 = malloc(4 * ((n + 2) / 3) + 1);
    if (raw && b64) {
        raw[0] = '\0';
        memcpy(raw + 1, user, ulen);
        raw[1 + ulen] = '\0';
        memcpy(raw + 2 + ulen, password, plen);
        EVP_EncodeBlock((unsigned char *)b64, raw, (int)n);
        OPENSSL_cleanse(raw, n);
    } else {
        free(b64);
        b64 = NULL;
    }
    free(raw);
    return b64;
}

/* AUTHENTICATE PLAIN, with the initial response inline under SASL-IR
 * (RFC 4959), else after the server's "+" continuation. */
static int authenticate_plain(ic_session *s, const char *user, const char *password,
                              ic_reply *out, ic_error *err)
{
    char *b64 = plain_credentials(user, password);
    if (!b64)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    bool sasl_ir = ic_session_has_cap(s, "SASL-IR");
    ic_command *cmd = ic_command_new(NULL);
    int rc = cmd ? ic_command_text(cmd, "AUTHENTICATE PLAIN") : IC_ERR_NOMEM;
    if (!rc && sasl_ir)
        rc = ic_command_text(cmd, " ");
    if (!rc && sasl_ir)
        rc = ic_command_bytes(cmd, ic_bytes_from_str(b64), true);
    if (rc) {
        rc = ic_fail(err, IC_ERR_NOMEM, "out of memory");
    } else if (sasl_ir) {
        rc = ic_session_command(s, cmd, out, err);
    } else {
        memset(out, 0, sizeof *out);
        next_tag(s, cmd->tag, sizeof cmd->tag);
        ic_buf line;
        ic_buf_init(&line, 0);
        ic_command_serialize(cmd, false, true, &line);
        hook(s, IC_WIRE_SENT, ic_buf_bytes(&line));
        ic_buf_reset(&line);
        ic_command_serialize(cmd, false, false, &line);
        bool cont = false;
        rc = send_bytes(s, ic_buf_bytes(&line), err);
        if (!rc)
            rc = read_until_continuation(s, cmd->tag, out, &cont, err);
        if (!rc && cont) {
            hook(s, IC_WIRE_SENT, IC_BYTES("***\r\n"));
            ic_buf_reset(&line);
            ic_buf_printf(&line, "%s\r\n", b64);
            rc = send_bytes(s, ic_buf_bytes(&line), err);
            if (!rc)
                rc = read_until_tagged(s, cmd->tag, out, err);
        }
        OPENSSL_cleanse(line.data, line.len);
        ic_buf_free(&line);
    }
    OPENSSL_cleanse(b64, strlen(b64));
    free(b64);
    ic_command_free(cmd);
    return rc;
}

static bool use_plain(const ic_session *s)
{
    const char *mech = s->opts.auth_mech;
    if (mech)
        return strcasecmp(mech, "PLAIN") == 0;
    return ic_session_has_cap(s, "AUTH=PLAIN");
}

int ic_session_login(ic_session *s, const char *user, const char *password, ic_error *err)
{
    bool plain = use_plain(s);
    if (!plain && ic_session_has_cap(s, "LOGINDISABLED"))
        return ic_fail(err, IC_ERR_AUTH, "%s: server advertises LOGINDISABLED%s; use --starttls or "
                       "imaps://", ic_conn_peer(s->conn),
                       ic_session_has_cap(s, "AUTH=PLAIN") ? "" : " and no AUTH=PLAIN");
    ic_reply r;
    int rc;
    if (plain) {
        rc = authenticate_plain(s, user, password, &r, err);
    } else {
        ic_command *cmd = ic_command_new(NULL);
        rc = cmd && !build_login(cmd, user, password) ? ic_session_command(s, cmd, &r, err)
                                                      : ic_fail(err, IC_ERR_NOMEM, "out of memory");
        ic_command_free(cmd);
    }
    if (!rc && tagged_cond(&r) != IC_COND_OK) {
        char text[256];
        tagged_text(&r, text, sizeof text);
        rc = ic_fail(err, IC_ERR_AUTH, "%s: %s as %s refused (\"%s\"); check the user and password",
                     ic_conn_peer(s->conn), plain ? "AUTHENTICATE PLAIN" : "LOGIN", user, text);
    }
    if (!rc) {
        s->authenticated = true;
        s->auth_method = !plain ? "LOGIN"
                         : ic_session_has_cap(s, "SASL-IR") ? "AUTHENTICATE PLAIN (SASL-IR)"
                                                            : "AUTHENTICATE PLAIN";
        ic_buf_reset(&s->caps);    /* capabilities may change after login */
        if (!take_caps(s, r.items, r.n))
            rc = ic_session_refresh_capabilities(s, err);
    }
    ic_reply_free(&r);
    return rc;
}

int ic_session_logout(ic_session *s, ic_error *err)
{
    ic_reply r;
    int rc = ic_session_simple(s, "LOGOUT", &r, err);
    ic_reply_free(&r);
    if (rc == IC_ERR_EOF) {   /* some servers close right after BYE */
        ic_error_clear(err);
        rc = IC_OK;
    }
    return rc;
}

/* ---- accessors ------------------------------------------------------------ */

const ic_received *ic_session_greeting(const ic_session *s)
{
    return s->have_greeting ? &s->greeting : NULL;
}

size_t ic_session_starttls_discarded(const ic_session *s)
{
    return s->starttls_discarded;
}

bool ic_session_authenticated(const ic_session *s)
{
    return s->authenticated;
}

const char *ic_session_auth_method(const ic_session *s)
{
    return s->auth_method ? s->auth_method : "";
}

ic_conn *ic_session_conn(ic_session *s)
{
    return s->conn;
}

const ic_finding *ic_session_findings(const ic_session *s, size_t *n)
{
    *n = s->nfindings;
    return s->findings;
}
