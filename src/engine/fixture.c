/* fixture.c: the scenario's world on the server: mailbox names under the
 * run prefix, seeding, clean-up, and the guard that keeps a run away from
 * everything else in the account. */
#include "engine_internal.h"
#include "ic_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RENDER_LINES_MAX 60
#define RENDER_LINE_MAX 300

/* ---- namespace and names ------------------------------------------------ */

/* The first personal namespace's prefix, from "* NAMESPACE (("p" "d")...) ...". */
static void take_personal_prefix(eng_run *run, const ic_reply *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const ic_response *resp = r->items[i].resp;
        if (!resp || !ic_bytes_case_eq_str(resp->name, "NAMESPACE") || !resp->args)
            continue;
        const ic_node *personal = resp->args;
        if (personal->type != IC_NODE_LIST || !personal->child ||
            personal->child->type != IC_NODE_LIST || !personal->child->child)
            return;
        ic_bytes prefix = personal->child->child->value;
        if (prefix.len < sizeof run->ns_prefix) {
            memcpy(run->ns_prefix, prefix.ptr, prefix.len);
            run->ns_prefix[prefix.len] = '\0';
        }
        return;
    }
}

/* The scenario id as a mailbox-name part: dots would be hierarchy
 * delimiters on some servers. */
static void slug_of(const char *id, char *out, size_t n)
{
    size_t i = 0;
    for (; id[i] && i + 1 < n; i++)
        out[i] = id[i] == '.' ? '_' : id[i];
    out[i] = '\0';
}

int eng_discover_namespace(eng_run *run, ic_error *err)
{
    run->ns_prefix[0] = '\0';
    if (ic_session_has_cap(run->admin.session, "NAMESPACE")) {
        ic_reply r;
        int rc = ic_session_simple(run->admin.session, "NAMESPACE", &r, err);
        if (!rc)
            take_personal_prefix(run, &r);
        ic_reply_free(&r);
        if (rc)
            return rc;
    }
    char slug[256];
    slug_of(run->sc->id, slug, sizeof slug);
    snprintf(run->run_base, sizeof run->run_base, "%s%s-", run->ns_prefix, run->cfg->prefix);
    snprintf(run->base, sizeof run->base, "%s%s-", run->run_base, slug);
    return IC_OK;
}

/* ---- seeding ------------------------------------------------------------- */

static void generated_message(const eng_run *run, size_t n, ic_buf *out)
{
    ic_buf_printf(out,
                  "From: imapconform <fixture@imapconform.invalid>\r\n"
                  "To: test <test@imapconform.invalid>\r\n"
                  "Subject: imapconform message %zu\r\n"
                  "Message-ID: <imapconform.%zu.%s@imapconform.invalid>\r\n"
                  "Date: Tue, 24 Nov 2026 00:00:00 +0000\r\n"
                  "MIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=us-ascii\r\n"
                  "\r\n"
                  "Message %zu of the imapconform fixture for %s.\r\n",
                  n, n, run->cfg->prefix, n, run->sc->id);
}

static int append_message(eng_run *run, const char *mailbox, ic_bytes content,
                          char *const *flags, size_t nflags, ic_error *err)
{
    ic_command *cmd = ic_command_new(NULL);
    int rc = cmd ? ic_command_text(cmd, "APPEND ") : IC_ERR_NOMEM;
    if (!rc)
        rc = ic_command_astring(cmd, ic_bytes_from_str(mailbox), false);
    if (!rc)
        rc = ic_command_text(cmd, " (");
    for (size_t i = 0; !rc && i < nflags; i++) {
        rc = ic_command_text(cmd, flags[i]);
        if (!rc && i + 1 < nflags)
            rc = ic_command_text(cmd, " ");
    }
    if (!rc)
        rc = ic_command_text(cmd, ") ");
    if (!rc)
        rc = ic_command_literal(cmd, content, false);
    ic_reply r;
    memset(&r, 0, sizeof r);
    if (!rc)
        rc = ic_session_command(run->admin.session, cmd, &r, err);
    else
        rc = ic_fail(err, IC_ERR_NOMEM, "out of memory");
    if (!rc && (!r.tagged || !r.tagged->resp || r.tagged->resp->cond != IC_COND_OK))
        rc = ic_fail(err, IC_ERR_PROTOCOL, "set-up APPEND to %s was refused", mailbox);
    if (!rc && !eng_check_grammar(run, &run->admin, 0, NULL))
        rc = ic_fail(err, IC_ERR_PROTOCOL, "grammar violation during set-up");
    ic_reply_free(&r);
    ic_command_free(cmd);
    return rc;
}

static int simple_ok(eng_run *run, const char *verb, const char *mailbox, ic_error *err)
{
    ic_command *cmd = ic_command_new(NULL);
    int rc = cmd ? ic_command_text(cmd, verb) : IC_ERR_NOMEM;
    if (!rc)
        rc = ic_command_astring(cmd, ic_bytes_from_str(mailbox), false);
    ic_reply r;
    memset(&r, 0, sizeof r);
    rc = rc ? ic_fail(err, IC_ERR_NOMEM, "out of memory")
            : ic_session_command(run->admin.session, cmd, &r, err);
    if (!rc && (!r.tagged || !r.tagged->resp || r.tagged->resp->cond != IC_COND_OK)) {
        char *shown = r.tagged ? ic_render_str(ic_buf_bytes(&r.tagged->raw), 200) : NULL;
        rc = ic_fail(err, IC_ERR_PROTOCOL, "set-up %s%s failed: %s", verb, mailbox,
                     shown ? shown : "no answer");
        free(shown);
    }
    if (!rc && !eng_check_grammar(run, &run->admin, 0, NULL))
        rc = ic_fail(err, IC_ERR_PROTOCOL, "grammar violation during set-up");
    ic_reply_free(&r);
    ic_command_free(cmd);
    return rc;
}

static int seed_mailbox(eng_run *run, const ic_fixture_mailbox *mb, const char *name,
                        ic_error *err)
{
    int rc = simple_ok(run, "CREATE ", name, err);
    ic_buf msg;
    ic_buf_init(&msg, 0);
    for (size_t i = 0; !rc && i < mb->generated; i++) {
        ic_buf_reset(&msg);
        generated_message(run, i + 1, &msg);
        rc = append_message(run, name, ic_buf_bytes(&msg), NULL, 0, err);
    }
    ic_buf_free(&msg);
    for (size_t i = 0; !rc && i < mb->nmessages; i++) {
        const ic_fixture_message *m = &mb->messages[i];
        ic_buf gen;
        ic_buf_init(&gen, 0);
        if (!m->file)
            generated_message(run, mb->generated + i + 1, &gen);
        rc = append_message(run, name, m->file ? ic_buf_bytes(&m->content) : ic_buf_bytes(&gen),
                            m->flags, m->nflags, err);
        ic_buf_free(&gen);
    }
    return rc;
}

int eng_setup_fixture(eng_run *run, ic_error *err)
{
    for (size_t i = 0; i < run->sc->nmailboxes; i++) {
        const ic_fixture_mailbox *mb = &run->sc->mailboxes[i];
        char name[1024];
        snprintf(name, sizeof name, "%s%s", run->base, mb->name);
        if (ic_bindings_set(&run->bindings, mb->name, ic_bytes_from_str(name), true))
            return ic_fail(err, IC_ERR_NOMEM, "out of memory");
        if (mb->create) {
            int rc = seed_mailbox(run, mb, name, err);
            if (rc)
                return rc;
        }
    }
    return IC_OK;
}

/* ---- clean-up ------------------------------------------------------------ */

/* Mailbox names from "* LIST (...) delim name" responses. */
static size_t listed_names(const ic_reply *r, char ***out)
{
    char **names = calloc(r->n + 1, sizeof *names);
    size_t n = 0;
    for (size_t i = 0; names && i < r->n; i++) {
        const ic_response *resp = r->items[i].resp;
        if (!resp || !ic_bytes_case_eq_str(resp->name, "LIST"))
            continue;
        const ic_node *name = ic_node_nth(resp->args, 2);
        if (name && (names[n] = ic_bytes_dup(name->value)))
            n++;
    }
    *out = names;
    return n;
}

/* Children before parents: longer names first. */
static int longer_first(const void *a, const void *b)
{
    size_t la = strlen(*(char *const *)a), lb = strlen(*(char *const *)b);
    return la < lb ? 1 : la > lb ? -1 : 0;
}

int eng_delete_matching(eng_conn *c, const char *pattern, ic_error *err)
{
    ic_command *cmd = ic_command_new(NULL);
    int rc = cmd ? ic_command_text(cmd, "LIST \"\" ") : IC_ERR_NOMEM;
    if (!rc)
        rc = ic_command_astring(cmd, ic_bytes_from_str(pattern), false);
    ic_reply r;
    memset(&r, 0, sizeof r);
    rc = rc ? ic_fail(err, IC_ERR_NOMEM, "out of memory")
            : ic_session_command(c->session, cmd, &r, err);
    ic_command_free(cmd);
    char **names = NULL;
    size_t n = rc ? 0 : listed_names(&r, &names);
    ic_reply_free(&r);
    if (!rc && names)
        qsort(names, n, sizeof *names, longer_first);
    int deleted = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        ic_command *del = ic_command_new(NULL);
        rc = del && !ic_command_text(del, "DELETE ") &&
                     !ic_command_astring(del, ic_bytes_from_str(names[i]), false)
                 ? ic_session_command(c->session, del, &r, err)
                 : ic_fail(err, IC_ERR_NOMEM, "out of memory");
        if (!rc && r.tagged && r.tagged->resp && r.tagged->resp->cond == IC_COND_OK)
            deleted++;
        if (!rc)
            ic_reply_free(&r);
        ic_command_free(del);
    }
    for (size_t i = 0; names && i < n; i++)
        free(names[i]);
    free(names);
    return rc ? rc : deleted;
}

static void cleanup_as(eng_run *run, int user)
{
    ic_error err;
    ic_error_clear(&err);
    eng_conn *c = &run->admin;
    eng_conn_close(c);
    if (eng_conn_open(run, c, 0, user, true, &err) == IC_OK) {
        char pattern[800];
        snprintf(pattern, sizeof pattern, "%s*", run->base);
        int rc = eng_delete_matching(c, pattern, &err);
        if (rc < 0) {
            char note[IC_ERROR_MSG_MAX + 32];
            snprintf(note, sizeof note, "-- clean-up failed: %s\n", err.msg);
            ic_buf_append_str(&run->res->transcript, note);
        }
    } else {
        char note[IC_ERROR_MSG_MAX + 32];
        snprintf(note, sizeof note, "-- clean-up could not connect: %s\n", err.msg);
        ic_buf_append_str(&run->res->transcript, note);
    }
    eng_conn_close(c);
}

void eng_cleanup(eng_run *run)
{
    if (!run->base[0])
        return;   /* set-up never got far enough to name anything */
    ic_buf_append_str(&run->res->transcript, "-- clean-up\n");
    cleanup_as(run, 1);
    if (run->uses_user2 && run->cfg->users[2].name)
        cleanup_as(run, 2);
}

/* ---- the guard ------------------------------------------------------------ */

typedef struct token_cursor {
    const uint8_t *p;
    size_t len, pos;
} token_cursor;

/* Reads the next astring (atom, quoted or literal) into out. */
static bool next_astring(token_cursor *t, ic_buf *out)
{
    ic_buf_reset(out);
    while (t->pos < t->len && t->p[t->pos] == ' ')
        t->pos++;
    if (t->pos >= t->len)
        return false;
    const uint8_t *p = t->p;
    if (p[t->pos] == '"') {
        for (t->pos++; t->pos < t->len && p[t->pos] != '"'; t->pos++) {
            if (p[t->pos] == '\\' && t->pos + 1 < t->len)
                t->pos++;
            ic_buf_append(out, &p[t->pos], 1);
        }
        t->pos++;
        return true;
    }
    if (p[t->pos] == '{') {
        size_t n = strtoul((const char *)p + t->pos + 1, NULL, 10);
        const uint8_t *nl = memchr(p + t->pos, '\n', t->len - t->pos);
        if (!nl)
            return false;
        size_t start = (size_t)(nl - p) + 1;
        size_t take = start + n <= t->len ? n : t->len - start;
        ic_buf_append(out, p + start, take);
        t->pos = start + take;
        return true;
    }
    size_t start = t->pos;
    while (t->pos < t->len && p[t->pos] != ' ' && p[t->pos] != '\r' && p[t->pos] != '(')
        t->pos++;
    ic_buf_append(out, p + start, t->pos - start);
    return true;
}

/* Which arguments of a command name mailboxes it would change. */
typedef struct guarded_command {
    const char *name;
    int first_arg;       /* 1-based index of the first guarded argument */
    int count;           /* how many consecutive guarded arguments */
} guarded_command;

static const guarded_command guarded[] = {
    { "CREATE", 1, 1 }, { "DELETE", 1, 1 }, { "RENAME", 1, 2 }, { "APPEND", 1, 1 },
    { "SELECT", 1, 1 }, { "COPY", 2, 1 }, { "MOVE", 2, 1 }, { "SETACL", 1, 1 },
    { "DELETEACL", 1, 1 }, { "SETMETADATA", 1, 1 }, { "SETANNOTATION", 1, 1 },
};

const char *eng_guard(const eng_run *run, ic_bytes command, char *msg, size_t n)
{
    token_cursor t = { command.ptr, command.len, 0 };
    ic_buf word;
    ic_buf_init(&word, 0);
    next_astring(&t, &word);                      /* the tag */
    next_astring(&t, &word);                      /* the command name */
    if (ic_bytes_case_eq_str(ic_buf_bytes(&word), "UID"))
        next_astring(&t, &word);
    const guarded_command *g = NULL;
    for (size_t i = 0; i < sizeof guarded / sizeof guarded[0]; i++)
        if (ic_bytes_case_eq_str(ic_buf_bytes(&word), guarded[i].name))
            g = &guarded[i];
    const char *refused = NULL;
    for (int arg = 1; g && arg < g->first_arg + g->count && next_astring(&t, &word); arg++) {
        if (arg < g->first_arg)
            continue;
        size_t plen = strlen(run->run_base);
        if (word.len >= plen && memcmp(word.data, run->run_base, plen) == 0)
            continue;
        char *shown = ic_render_str(ic_buf_bytes(&word), 100);
        snprintf(msg, n, "refusing %s on mailbox \"%s\" outside the run prefix \"%s\": the suite "
                 "only changes mailboxes it created", g->name, shown ? shown : "", run->run_base);
        free(shown);
        refused = msg;
        break;
    }
    ic_buf_free(&word);
    return refused;
}

/* ---- rendering ------------------------------------------------------------ */

char *eng_render_reply(const ic_reply *reply, int conn)
{
    ic_buf out;
    ic_buf_init(&out, 0);
    size_t shown = 0;
    for (size_t i = 0; i < reply->n && shown < RENDER_LINES_MAX; i++, shown++) {
        ic_buf_printf(&out, "%sS%d: ", out.len ? "\n" : "", conn);
        ic_bytes raw = ic_buf_bytes(&reply->items[i].raw);
        if (raw.len >= 2 && raw.ptr[raw.len - 2] == '\r' && raw.ptr[raw.len - 1] == '\n')
            raw.len -= 2;
        ic_render(raw, RENDER_LINE_MAX, &out);
    }
    if (reply->n > shown)
        ic_buf_printf(&out, "\n(%zu more responses)", reply->n - shown);
    if (!out.len)
        ic_buf_append_str(&out, "(no responses)");
    return ic_buf_steal(&out);
}
