/* fixture.c: the "fixture" key (docs/scenario-format.md §2):
 *
 *   fixture:
 *     mailboxes:
 *       box: { messages: 3 }                       # 3 generated messages
 *       seen: { messages: [ messages/a.eml, { file: messages/b.eml, flags: [\Seen] } ] }
 *       dest: {}                                   # or "dest:" alone
 *       gone: { create: false }
 *     connections:
 *       3: { user: 2, login: false }
 *
 * A list item of messages without "file" is a generated message (with the
 * given flags).  Each mailbox name becomes a variable bound from the start
 * (except "user" and "user2", which the engine binds to the login names).
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIXTURE_MAX_GENERATED 10000

typedef struct mailbox_ctx {
    sc_loader *ld;
    ic_fixture_mailbox *mb;
    const sc_node *messages_key;
} mailbox_ctx;

typedef struct message_ctx {
    sc_loader *ld;
    ic_fixture_message *msg;
} message_ctx;

static int nomem(ic_error *err)
{
    return ic_fail(err, IC_ERR_NOMEM, "out of memory");
}

/* ---- messages ---------------------------------------------------------------- */

static int message_file(void *ctx, const sc_node *key, const sc_node *value)
{
    message_ctx *c = ctx;
    sc_loader *ld = c->ld;
    (void)key;
    int rc = sc_get_string(&ld->doc, value, "file", false, &c->msg->file, ld->err);
    if (!rc && (rc = sc_read_file_crlf(ld->sc->dir, c->msg->file, IC_SCENARIO_MAX_LITERAL_FILE,
                                       &c->msg->content, ld->err))) {
        char msg[IC_ERROR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", ld->err ? ld->err->msg : "");
        return sc_fail_node(&ld->doc, value, ld->err, "%s", msg);
    }
    return rc;
}

static int message_flags(void *ctx, const sc_node *key, const sc_node *value)
{
    message_ctx *c = ctx;
    (void)key;
    return sc_get_word_list(&c->ld->doc, value, "flags", &c->msg->flags, &c->msg->nflags,
                            c->ld->err);
}

static const sc_key_handler message_keys[] = {
    { "file", false, message_file },
    { "flags", false, message_flags },
};

static int message_list(mailbox_ctx *c, const sc_node *list)
{
    ic_fixture_mailbox *mb = c->mb;
    if (!(mb->messages = calloc(list->n + 1, sizeof *mb->messages)))
        return nomem(c->ld->err);
    for (size_t i = 0; i < list->n; i++) {
        const sc_node *item = list->items[i];
        message_ctx mc = { c->ld, &mb->messages[mb->nmessages++] };
        ic_buf_init(&mc.msg->content, 0);
        int rc = item->type == SC_SCALAR
                     ? message_file(&mc, NULL, item)
                     : sc_dispatch(&c->ld->doc, item, message_keys,
                                   sizeof message_keys / sizeof message_keys[0], &mc,
                                   "a message (a file name, or {file, flags})", c->ld->err);
        if (rc)
            return rc;
    }
    return IC_OK;
}

static int mailbox_messages(void *ctx, const sc_node *key, const sc_node *value)
{
    mailbox_ctx *c = ctx;
    c->messages_key = key;
    if (value->type == SC_SEQUENCE)
        return message_list(c, value);
    unsigned long n;
    if (value->type != SC_SCALAR)
        return sc_fail_node(&c->ld->doc, value, c->ld->err, "messages is a number or a list of "
                            "message files, not a %s", sc_type_name(value->type));
    int rc = sc_get_uint(&c->ld->doc, value, "messages", FIXTURE_MAX_GENERATED, &n, c->ld->err);
    c->mb->generated = n;
    return rc;
}

static int mailbox_create(void *ctx, const sc_node *key, const sc_node *value)
{
    mailbox_ctx *c = ctx;
    (void)key;
    return sc_get_bool(&c->ld->doc, value, "create", &c->mb->create, c->ld->err);
}

static const sc_key_handler mailbox_keys[] = {
    { "messages", false, mailbox_messages },
    { "create", false, mailbox_create },
};

static int load_mailbox(sc_loader *ld, const sc_node *key, const sc_node *value)
{
    ic_scenario *sc = ld->sc;
    ic_fixture_mailbox *mb = &sc->mailboxes[sc->nmailboxes++];
    mb->create = true;
    mb->line = key->line;
    if (!(mb->name = strdup(key->text)))
        return nomem(ld->err);
    if (!sc_is_var_name(key->text, key->len))
        return sc_fail_node(&ld->doc, key, ld->err, "mailbox \"%s\" needs a name usable as a "
                            "variable: letters, digits and \"_\", not starting with a digit",
                            key->text);
    for (size_t i = 0; sc_builtin_variables[i]; i++)
        if (strcmp(key->text, sc_builtin_variables[i]) == 0)
            return sc_fail_node(&ld->doc, key, ld->err, "mailbox name \"%s\" is taken: $%s is "
                                "a login name", key->text, key->text);
    if (sc_is_null(value))
        return sc_bind(ld, key->text, key->len);
    char what[128];
    snprintf(what, sizeof what, "mailbox \"%.60s\"", key->text);
    mailbox_ctx c = { ld, mb, NULL };
    int rc = sc_dispatch(&ld->doc, value, mailbox_keys,
                         sizeof mailbox_keys / sizeof mailbox_keys[0], &c, what, ld->err);
    if (!rc && !mb->create && (mb->generated || mb->nmessages))
        return sc_fail_node(&ld->doc, c.messages_key, ld->err, "mailbox \"%s\" has create: false,"
                            " so it cannot have messages", mb->name);
    return rc ? rc : sc_bind(ld, key->text, key->len);
}

static int fixture_mailboxes(void *ctx, const sc_node *key, const sc_node *value)
{
    sc_loader *ld = ctx;
    (void)key;
    if (sc_is_null(value))
        return IC_OK;
    int rc = sc_expect(&ld->doc, value, SC_MAPPING, "mailboxes", ld->err);
    if (rc)
        return rc;
    if (!(ld->sc->mailboxes = calloc(value->n + 1, sizeof *ld->sc->mailboxes)))
        return nomem(ld->err);
    for (size_t i = 0; i < value->n && !rc; i++)
        rc = load_mailbox(ld, SC_KEY(value, i), SC_VALUE(value, i));
    return rc;
}

/* ---- connections -------------------------------------------------------------- */

typedef struct conn_ctx {
    sc_loader *ld;
    ic_fixture_conn *conn;
} conn_ctx;

static int conn_user(void *ctx, const sc_node *key, const sc_node *value)
{
    conn_ctx *c = ctx;
    (void)key;
    unsigned long user = 0;
    if (value->type != SC_SCALAR || value->style != SC_STYLE_PLAIN ||
        (strcmp(value->text, "1") != 0 && strcmp(value->text, "2") != 0))
        return sc_fail_node(&c->ld->doc, value, c->ld->err, "user must be 1 or 2 (2 is the "
                            "second user given with --user2)");
    user = strtoul(value->text, NULL, 10);
    c->conn->user = (int)user;
    return IC_OK;
}

static int conn_login(void *ctx, const sc_node *key, const sc_node *value)
{
    conn_ctx *c = ctx;
    (void)key;
    return sc_get_bool(&c->ld->doc, value, "login", &c->conn->login, c->ld->err);
}

static const sc_key_handler conn_keys[] = {
    { "user", false, conn_user },
    { "login", false, conn_login },
};

static int fixture_connections(void *ctx, const sc_node *key, const sc_node *value)
{
    sc_loader *ld = ctx;
    (void)key;
    if (sc_is_null(value))
        return IC_OK;
    int rc = sc_expect(&ld->doc, value, SC_MAPPING, "connections", ld->err);
    for (size_t i = 0; i < value->n && !rc; i++) {
        const sc_node *k = SC_KEY(value, i), *v = SC_VALUE(value, i);
        if (k->style != SC_STYLE_PLAIN || k->len != 1 || k->text[0] < '1' || k->text[0] > '9')
            return sc_fail_node(&ld->doc, k, ld->err, "connection \"%s\" must be a number from 1 "
                                "to %d", k->text, IC_SCENARIO_MAX_CONNS);
        conn_ctx c = { ld, &ld->sc->conns[k->text[0] - '0'] };
        c.conn->used = true;
        char what[32];
        snprintf(what, sizeof what, "connection %c", k->text[0]);
        if (!sc_is_null(v))
            rc = sc_dispatch(&ld->doc, v, conn_keys, sizeof conn_keys / sizeof conn_keys[0], &c,
                             what, ld->err);
    }
    return rc;
}

static const sc_key_handler fixture_keys[] = {
    { "mailboxes", false, fixture_mailboxes },
    { "connections", false, fixture_connections },
};

int sc_load_fixture(sc_loader *ld, const sc_node *value)
{
    if (sc_is_null(value))
        return IC_OK;
    return sc_dispatch(&ld->doc, value, fixture_keys, sizeof fixture_keys / sizeof fixture_keys[0],
                       ld, "fixture", ld->err);
}

void sc_fixture_free(ic_scenario *sc)
{
    for (size_t i = 0; i < sc->nmailboxes; i++) {
        ic_fixture_mailbox *mb = &sc->mailboxes[i];
        for (size_t j = 0; j < mb->nmessages; j++) {
            free(mb->messages[j].file);
            ic_buf_free(&mb->messages[j].content);
            sc_free_strings(mb->messages[j].flags, mb->messages[j].nflags);
        }
        free(mb->messages);
        free(mb->name);
    }
    free(sc->mailboxes);
}
