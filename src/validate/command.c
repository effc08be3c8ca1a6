/* command.c: the light check of C: lines.  Not a command grammar: tag
 * syntax, one SP and a command name, balanced parentheses and quotes, and
 * the OMA LIST-CHANGEDSINCE selection option
 * (list-select-independent-opt =/ "CHANGEDSINCE" SP "(" mod-sequence-value ")"). */
#include "validate_internal.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define MODSEQ_MAX 9223372036854775807ULL   /* 2^63-1, RFC 7162 mod-sequence-value */

typedef struct cmd_ctx {
    const ic_val_line *l;
    size_t dialogue;
    ic_val_report *rep;
    size_t len;          /* text length without the CRLF */
} cmd_ctx;

static int err_at(cmd_ctx *c, size_t off, const char *rule, const char *msg)
{
    return ic_val_report_add(c->rep, ic_val_line_pos(c->l, off), IC_VAL_ERROR, c->dialogue, rule,
                             "%s", msg);
}

/* tag = 1*<any ASTRING-CHAR except "+">: ATOM-CHAR or "]". */
static bool is_tag_char(uint8_t ch)
{
    return ch > 0x20 && ch < 0x7f && !strchr("(){%*\"\\+", ch);
}

/* Checks "tag SP name"; sets *name_off and *name_len.  Returns false when the
 * line is too broken to look further. */
static bool check_tag(cmd_ctx *c, size_t *name_off, size_t *name_len, int *rc)
{
    const uint8_t *t = c->l->text.data;
    size_t i = 0;
    while (i < c->len && is_tag_char(t[i]))
        i++;
    if (i == 0 || (i < c->len && t[i] != ' ')) {
        *rc = err_at(c, i, "tag", i == 0 ? "a command starts with a tag (1*<any ASTRING-CHAR except \"+\">)"
                                         : "character not allowed in a tag; expected SP after it");
        return false;
    }
    if (i + 1 >= c->len || t[i + 1] == ' ') {
        *rc = err_at(c, i + (i < c->len), "command",
                     i + 1 >= c->len ? "expected SP and a command name after the tag"
                                     : "exactly one SP between tag and command");
        return false;
    }
    size_t n = i + 1;
    while (n < c->len && isalnum(t[n]))
        n++;
    if (n == i + 1) {
        *rc = err_at(c, i + 1, "command", "expected a command name (atom) after the tag");
        return false;
    }
    *name_off = i + 1;
    *name_len = n - i - 1;
    return true;
}

/* Skips a literal "{N}" / "{N+}" ending a line segment: returns the offset
 * after its data, or 0 when off is not a literal start. */
static size_t skip_literal(const cmd_ctx *c, size_t off)
{
    const uint8_t *t = c->l->text.data;
    size_t i = off + 1, n = 0;
    while (i < c->len && isdigit(t[i]))
        n = n * 10 + (t[i++] - '0');
    if (i < c->len && (t[i] == '+' || t[i] == '-'))
        i++;
    if (i == off + 1 || i + 2 >= c->l->text.len || t[i] != '}' || t[i + 1] != '\r')
        return 0;
    return i + 3 + n;
}

static int check_balance(cmd_ctx *c)
{
    const uint8_t *t = c->l->text.data;
    size_t open[64], depth = 0;
    for (size_t i = 0; i < c->len; i++) {
        size_t after;
        if (t[i] == '"') {
            size_t q = i++;
            while (i < c->len && t[i] != '"')
                i += t[i] == '\\' ? 2 : 1;
            if (i >= c->len)
                return err_at(c, q, "quoted", "quoted string is not closed");
        } else if (t[i] == '{' && (after = skip_literal(c, i)) != 0) {
            i = after - 1;
        } else if (t[i] == '(') {
            if (depth < 64)
                open[depth] = i;
            depth++;
        } else if (t[i] == ')') {
            if (depth == 0)
                return err_at(c, i, "parens", "\")\" without a matching \"(\"");
            depth--;
        }
    }
    if (depth > 0)
        return err_at(c, depth <= 64 ? open[depth - 1] : 0, "parens", "\"(\" is never closed");
    return IC_OK;
}

/* At t[i] == "CHANGEDSINCE": checks SP "(" mod-sequence-value ")". */
static int check_changedsince_value(cmd_ctx *c, size_t i)
{
    const uint8_t *t = c->l->text.data;
    i += strlen("CHANGEDSINCE");
    if (i >= c->len || t[i] != ' ')
        return err_at(c, i, "list-changedsince", "expected SP after CHANGEDSINCE");
    if (++i >= c->len || t[i] != '(')
        return err_at(c, i, "list-changedsince",
                      "expected \"(\": the option is CHANGEDSINCE (mod-sequence-value), parenthesised");
    size_t d = ++i;
    unsigned long long v = 0;
    bool overflow = false;
    while (i < c->len && isdigit(t[i])) {
        unsigned digit = t[i++] - '0';
        overflow |= v > (MODSEQ_MAX - digit) / 10;
        v = v * 10 + digit;
    }
    if (i == d)
        return err_at(c, i, "list-changedsince", "expected a mod-sequence-value (1*DIGIT)");
    if (overflow || v == 0)
        return err_at(c, d, "mod-sequence-value", "mod-sequence-value must be 1..2^63-1");
    if (i >= c->len || t[i] != ')')
        return err_at(c, i, "list-changedsince", "expected \")\" after the mod-sequence-value");
    return IC_OK;
}

/* LIST (selection-options) ...: finds CHANGEDSINCE among the options. */
static int check_list_selection(cmd_ctx *c, size_t after_name)
{
    const uint8_t *t = c->l->text.data;
    size_t i = after_name;
    if (i + 1 >= c->len || t[i] != ' ' || t[i + 1] != '(')
        return IC_OK;
    int depth = 0;
    for (i = i + 1; i < c->len; i++) {
        if (t[i] == '(')
            depth++;
        else if (t[i] == ')' && --depth == 0)
            break;
        else if (depth == 1 && c->len - i >= 12 &&
                 strncasecmp((const char *)t + i, "CHANGEDSINCE", 12) == 0 &&
                 (t[i - 1] == '(' || t[i - 1] == ' '))
            return check_changedsince_value(c, i);
    }
    return IC_OK;
}

int ic_val_check_command(const ic_val_line *l, size_t dialogue, ic_val_report *rep)
{
    if (l->elided)
        return IC_OK;
    cmd_ctx c = { l, dialogue, rep, l->text.len >= 2 ? l->text.len - 2 : 0 };
    size_t name_off = 0, name_len = 0;
    int rc = IC_OK;
    if (!check_tag(&c, &name_off, &name_len, &rc))
        return rc;
    if ((rc = check_balance(&c)) != IC_OK)
        return rc;
    if (name_len == 4 && strncasecmp((const char *)l->text.data + name_off, "LIST", 4) == 0)
        return check_list_selection(&c, name_off + name_len);
    return IC_OK;
}
