/* check.c: what a step may say given the steps before it, checked while the
 * dialogue is read so a scenario with a broken flow never reaches a server:
 *  - S lines (all kinds) only on a connection that has sent a C line;
 *  - a continuation C line (no tag) only after a command on its connection;
 *  - a file tag is used by one C line only (across all connections);
 *  - an S line's tag was sent by an earlier C line on the same connection;
 *  - variables in C lines and assertions are bound: fixture mailboxes,
 *    $user and $user2 (the login names), or captured by an earlier S /
 *    S optional line ("S must not" binds nothing).
 */
#include "scenario_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The earlier C step that sent file tag (on any connection), or NULL. */
static const ic_step *tag_sender(const ic_scenario *sc, size_t before, const char *tag,
                                 size_t tag_len)
{
    for (size_t i = 0; i < before; i++) {
        const ic_step *s = &sc->steps[i];
        if (s->kind == IC_STEP_SEND && s->send.tag && strlen(s->send.tag) == tag_len &&
            memcmp(s->send.tag, tag, tag_len) == 0)
            return s;
    }
    return NULL;
}

/* Fails at the file position of a byte offset in the step's value. */
static int fail_at_offset(sc_loader *ld, const sc_node *value, size_t offset, const char *fmt,
                          ...) __attribute__((format(printf, 4, 5)));
static int fail_at_offset(sc_loader *ld, const sc_node *value, size_t offset, const char *fmt,
                          ...)
{
    int line, col;
    sc_scalar_pos(&ld->doc, value, offset, &line, &col);
    char what[IC_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return sc_fail_at(&ld->doc, line, col, ld->err, "%s", what);
}

static int unbound(sc_loader *ld, const ic_step *st, const sc_node *value, const char *name)
{
    return fail_at_offset(ld, value, sc_find_var(st->text, name),
                          "$%s is not bound here: it is neither a fixture mailbox, $user, $user2 "
                          "nor captured by an earlier S line%s", name,
                          st->kind == IC_STEP_ASSERT ? "" : " (write $$ for a literal \"$\")");
}

static int check_send(sc_loader *ld, size_t index, const sc_node *value)
{
    ic_scenario *sc = ld->sc;
    const ic_step *st = &sc->steps[index];
    if (st->send.tag) {
        const ic_step *first = tag_sender(sc, index, st->send.tag, strlen(st->send.tag));
        if (first)
            return fail_at_offset(ld, value, 0, "tag \"%s\" is already used at line %d",
                                  st->send.tag, first->line);
        ld->conn_has_command[st->conn] = true;
    } else if (!ld->conn_has_command[st->conn]) {
        return fail_at_offset(ld, value, 0, "a line without a tag continues a command, but "
                              "connection %d has not sent one (a command starts with a tag: "
                              "a1 NOOP)", st->conn);
    }
    for (size_t i = 0; i < st->send.nsegments; i++) {
        const ic_segment *seg = &st->send.segments[i];
        if (seg->kind == IC_SEG_VAR && !sc_is_bound(ld, (const char *)seg->data.data))
            return unbound(ld, st, value, (const char *)seg->data.data);
    }
    ld->conn_sent[st->conn] = true;
    return IC_OK;
}

typedef struct bind_ctx {
    sc_loader *ld;
    int rc;
} bind_ctx;

static void bind_capture(void *ctx, const char *name, size_t len)
{
    bind_ctx *b = ctx;
    if (!b->rc)
        b->rc = sc_bind(b->ld, name, len);
}

static int check_expect(sc_loader *ld, size_t index, const sc_node *value)
{
    ic_scenario *sc = ld->sc;
    const ic_step *st = &sc->steps[index];
    const char *key = st->kind == IC_STEP_EXPECT ? "" : st->kind == IC_STEP_OPTIONAL ? " optional"
                                                                                    : " must not";
    if (!ld->conn_sent[st->conn])
        return sc_fail_at(&ld->doc, st->line, st->col, ld->err, "S%d%s line before any C%d "
                          "line: connection %d has sent nothing to respond to", st->conn, key,
                          st->conn, st->conn);
    const ic_response *tree = st->pattern.tree;
    if (tree->kind == IC_RESP_TAGGED) {
        const ic_step *sender = tag_sender(sc, index, (const char *)tree->tag.ptr, tree->tag.len);
        char tag[64];
        snprintf(tag, sizeof tag, "%.*s", (int)(tree->tag.len > 60 ? 60 : tree->tag.len),
                 (const char *)tree->tag.ptr);
        if (!sender || sender->conn != st->conn) {
            char where[96] = "";
            if (sender)
                snprintf(where, sizeof where, " (it was sent on connection %d at line %d)",
                         sender->conn, sender->line);
            return fail_at_offset(ld, value, 0, "S line names tag \"%s\" but no earlier C line "
                                  "on connection %d sent it%s", tag, st->conn, where);
        }
    }
    if (st->kind == IC_STEP_FORBID)
        return IC_OK;
    bind_ctx b = { ld, IC_OK };
    sc_pattern_variables(&st->pattern, bind_capture, &b);
    return b.rc;
}

typedef struct unbound_ctx {
    const sc_loader *ld;
    char name[128];
} unbound_ctx;

static void note_unbound(void *ctx, const char *name)
{
    unbound_ctx *u = ctx;
    if (!u->name[0] && !sc_is_bound(u->ld, name))
        snprintf(u->name, sizeof u->name, "%s", name);
}

static int check_assert(sc_loader *ld, size_t index, const sc_node *value)
{
    const ic_step *st = &ld->sc->steps[index];
    unbound_ctx u = { ld, "" };
    ic_expr_variables(st->expr, note_unbound, &u);
    return u.name[0] ? unbound(ld, st, value, u.name) : IC_OK;
}

int sc_check_step(sc_loader *ld, size_t index, const sc_node *item)
{
    ic_step *st = &ld->sc->steps[index];
    const sc_node *value = SC_VALUE(item, 0);
    if (st->conn)
        ld->sc->conns[st->conn].used = true;
    switch (st->kind) {
    case IC_STEP_SEND:
        return check_send(ld, index, value);
    case IC_STEP_EXPECT:
    case IC_STEP_OPTIONAL:
    case IC_STEP_FORBID:
        return check_expect(ld, index, value);
    case IC_STEP_ASSERT:
        return check_assert(ld, index, value);
    default:
        return IC_OK;
    }
}
