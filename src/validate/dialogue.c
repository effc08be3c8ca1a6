/* dialogue.c: checks each S: line against the strict grammar, each C: line
 * with the light command check, and the dialogue's consistency: tags,
 * completions, VANISHED (EARLIER), APPENDUID, COPYUID, MODIFIED. */
#include "validate_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "ic_grammar.h"

typedef struct cmd_info {
    const ic_val_line *line;
    char tag[64];
    char name[32];          /* upper case; "UID FETCH" for UID commands */
    bool unchangedsince;
    bool vanished_modifier;
    bool qresync;
    bool completed;
    bool got_continuation;  /* a "+" came while it was open */
} cmd_info;

typedef struct dlg_ctx {
    size_t index;
    ic_val_report *rep;
    cmd_info *cmds;
    size_t n;
} dlg_ctx;

int ic_val_check_response(const ic_val_line *l, size_t dialogue, ic_val_report *rep)
{
    if (l->elided)
        return IC_OK;
    ic_grammar_result r;
    ic_grammar_verdict v = ic_grammar_check(ic_buf_bytes(&l->text), IC_GRAMMAR_STRICT, &r);
    if (v != IC_GRAMMAR_VIOLATION && v != IC_GRAMMAR_WARNING)
        return IC_OK;
    return ic_val_report_add(rep, ic_val_line_pos(l, r.offset),
                             v == IC_GRAMMAR_VIOLATION ? IC_VAL_ERROR : IC_VAL_WARNING, dialogue,
                             r.rule, "%s", r.message);
}

/* Copies the whitespace-delimited word at *off into out (upper-cased for
 * names; tags keep their case). */
static void word_at(const ic_val_line *l, size_t *off, char *out, size_t cap, bool upper)
{
    const uint8_t *t = l->text.data;
    size_t i = *off, k = 0;
    while (i < l->text.len && t[i] == ' ')
        i++;
    while (i < l->text.len && t[i] != ' ' && t[i] != '\r' && t[i] != '\n') {
        if (k + 1 < cap)
            out[k++] = (char)(upper ? toupper(t[i]) : t[i]);
        i++;
    }
    out[k] = 0;
    *off = i;
}

static void next_word(const ic_val_line *l, size_t *off, char *out, size_t cap)
{
    word_at(l, off, out, cap, true);
}

static bool contains_word(const ic_val_line *l, const char *word)
{
    size_t wl = strlen(word);
    for (size_t i = 0; i + wl <= l->text.len; i++)
        if (strncasecmp((const char *)l->text.data + i, word, wl) == 0 &&
            (i == 0 || !isalnum(l->text.data[i - 1])) &&
            (i + wl == l->text.len || !isalnum(l->text.data[i + wl])))
            return true;
    return false;
}

static bool is_named(const cmd_info *c, const char *a, const char *b)
{
    return strcmp(c->name, a) == 0 || (b && strcmp(c->name, b) == 0);
}

static int add_command(dlg_ctx *x, const ic_val_line *l)
{
    cmd_info *p = realloc(x->cmds, (x->n + 1) * sizeof *p);
    if (!p)
        return IC_ERR_NOMEM;
    x->cmds = p;
    cmd_info *c = &p[x->n++];
    memset(c, 0, sizeof *c);
    c->line = l;
    size_t off = 0;
    word_at(l, &off, c->tag, sizeof c->tag, false);
    next_word(l, &off, c->name, sizeof c->name);
    if (strcmp(c->name, "UID") == 0) {
        char sub[24];
        next_word(l, &off, sub, sizeof sub);
        strcpy(c->name, "UID ");
        strncat(c->name, sub, sizeof c->name - 5);
    }
    c->unchangedsince = contains_word(l, "UNCHANGEDSINCE");
    c->vanished_modifier = is_named(c, "UID FETCH", NULL) && contains_word(l, "VANISHED");
    c->qresync = is_named(c, "SELECT", "EXAMINE") && contains_word(l, "QRESYNC");
    return IC_OK;
}

/* The most recent open command; NULL when none. */
static cmd_info *open_command(dlg_ctx *x)
{
    for (size_t i = x->n; i > 0; i--)
        if (!x->cmds[i - 1].completed)
            return &x->cmds[i - 1];
    return NULL;
}

/* IDLE's DONE and AUTHENTICATE's responses follow a "+": data, not commands. */
static bool is_continuation_data(dlg_ctx *x)
{
    cmd_info *c = open_command(x);
    return c && c->got_continuation && is_named(c, "IDLE", "AUTHENTICATE");
}

static cmd_info *command_for_tag(dlg_ctx *x, const char *tag)
{
    cmd_info *done = NULL;
    for (size_t i = x->n; i > 0; i--) {
        cmd_info *c = &x->cmds[i - 1];
        if (strcmp(c->tag, tag) != 0)
            continue;
        if (!c->completed)
            return c;
        done = done ? done : c;
    }
    return done;
}

static int diag(dlg_ctx *x, const ic_val_line *l, size_t off, ic_val_severity sev,
                const char *rule, const char *msg, const char *arg)
{
    return ic_val_report_add(x->rep, ic_val_line_pos(l, off), sev, x->index, rule, msg, arg);
}

/* Offset of the response code name after "[" in a status response whose
 * status word ends at off, or 0. */
static size_t code_offset(const ic_val_line *l, size_t off, char *code, size_t cap)
{
    if (off + 2 >= l->text.len || l->text.data[off + 1] != '[')
        return 0;
    size_t k = 0, i = off + 2;
    while (i < l->text.len && (isalnum(l->text.data[i]) || l->text.data[i] == '-') && k + 1 < cap)
        code[k++] = (char)toupper(l->text.data[i++]);
    code[k] = 0;
    return k ? off + 2 : 0;
}

static bool is_copy_or_move(const cmd_info *c)
{
    return is_named(c, "COPY", "MOVE") || is_named(c, "UID COPY", "UID MOVE");
}

/* Response codes on a status response; cmd is the command it answers
 * (NULL for an untagged one or an unknown tag, judged only when untagged). */
static int check_codes(dlg_ctx *x, const ic_val_line *l, size_t status_end, const char *status,
                       const cmd_info *cmd, bool tagged)
{
    char code[32];
    size_t at = code_offset(l, status_end, code, sizeof code);
    if (at == 0 || (tagged && !cmd))
        return IC_OK;
    bool ok = strcmp(status, "OK") == 0;
    if (strcmp(code, "APPENDUID") == 0 && !(tagged && ok && is_named(cmd, "APPEND", NULL)))
        return diag(x, l, at, IC_VAL_ERROR, "appenduid",
                    "APPENDUID belongs only on the tagged OK of APPEND (RFC 4315)%s", "");
    if (strcmp(code, "COPYUID") == 0) {
        /* RFC 6851: MOVE sends COPYUID in an untagged OK before the expunges. */
        cmd_info *open = open_command(x);
        bool fine = tagged ? ok && is_copy_or_move(cmd)
                           : ok && open && is_named(open, "MOVE", "UID MOVE");
        if (!fine)
            return diag(x, l, at, IC_VAL_ERROR, "copyuid",
                        "COPYUID belongs only on the tagged OK of COPY/MOVE "
                        "(or MOVE's untagged OK, RFC 6851)%s", "");
    }
    if (strcmp(code, "MODIFIED") == 0 && !(tagged && cmd->unchangedsince))
        return diag(x, l, at, IC_VAL_WARNING, "modified",
                    "MODIFIED answers a STORE with UNCHANGEDSINCE (RFC 7162 3.1.3); "
                    "no such command here%s", "");
    return IC_OK;
}

static int check_vanished_earlier(dlg_ctx *x, const ic_val_line *l, size_t off)
{
    if (l->text.len - off < 10 || strncasecmp((const char *)l->text.data + off, " (EARLIER)", 10) != 0)
        return IC_OK;
    for (size_t i = 0; i < x->n; i++)
        if (!x->cmds[i].completed && (x->cmds[i].vanished_modifier || x->cmds[i].qresync))
            return IC_OK;
    return diag(x, l, off + 1, IC_VAL_WARNING, "vanished-earlier",
                "VANISHED (EARLIER) comes only during UID FETCH ... (VANISHED) or SELECT/EXAMINE "
                "with QRESYNC (RFC 7162 3.2.10); no such command is in progress%s", "");
}

static int untagged(dlg_ctx *x, const ic_val_line *l)
{
    size_t off = 1;
    char word[32];
    next_word(l, &off, word, sizeof word);
    if (strcmp(word, "VANISHED") == 0)
        return check_vanished_earlier(x, l, off);
    if (!strcmp(word, "OK") || !strcmp(word, "NO") || !strcmp(word, "BAD") ||
        !strcmp(word, "BYE") || !strcmp(word, "PREAUTH"))
        return check_codes(x, l, off, word, NULL, false);
    return IC_OK;
}

static int tagged(dlg_ctx *x, const ic_val_line *l)
{
    size_t off = 0;
    char tag[64], status[16];
    word_at(l, &off, tag, sizeof tag, false);
    cmd_info *cmd = command_for_tag(x, tag);
    if (!cmd) {
        int rc = diag(x, l, 0, IC_VAL_WARNING, "dialogue-tag",
                      "tagged response %s answers no command of this example", tag);
        if (rc != IC_OK)
            return rc;
    } else {
        cmd->completed = true;
    }
    next_word(l, &off, status, sizeof status);
    return check_codes(x, l, off, status, cmd, true);
}

static int server_line(dlg_ctx *x, const ic_val_line *l)
{
    int rc = ic_val_check_response(l, x->index, x->rep);
    if (rc != IC_OK || l->elided || l->text.len < 3)
        return rc;
    if (l->text.data[0] == '+') {
        cmd_info *c = open_command(x);
        if (c)
            c->got_continuation = true;
        return IC_OK;
    }
    return l->text.data[0] == '*' ? untagged(x, l) : tagged(x, l);
}

static int client_line(dlg_ctx *x, const ic_val_line *l)
{
    if (l->elided || is_continuation_data(x))
        return IC_OK;
    int rc = ic_val_check_command(l, x->index, x->rep);
    bool has_tag = l->text.len > 2 && l->text.data[0] != ' ' && l->text.data[0] != '\r';
    return rc != IC_OK || !has_tag ? rc : add_command(x, l);
}

static int missing_completions(dlg_ctx *x)
{
    for (size_t i = 0; i < x->n; i++) {
        const cmd_info *c = &x->cmds[i];
        if (c->completed)
            continue;
        int rc = diag(x, c->line, 0, IC_VAL_WARNING, "dialogue-completion",
                      "command %s gets no tagged completion in this example", c->tag);
        if (rc != IC_OK)
            return rc;
    }
    return IC_OK;
}

int ic_val_check_dialogue(const ic_val_dialogue *d, size_t dialogue, ic_val_report *rep)
{
    dlg_ctx x = { dialogue, rep, NULL, 0 };
    int rc = IC_OK;
    for (size_t i = 0; i < d->n && rc == IC_OK; i++)
        rc = d->lines[i].dir == 'S' ? server_line(&x, &d->lines[i]) : client_line(&x, &d->lines[i]);
    if (rc == IC_OK)
        rc = missing_completions(&x);
    free(x.cmds);
    return rc;
}
