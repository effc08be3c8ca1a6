/* command.c: IMAP command building and serialisation (see ic_command.h). */
#include "ic_command.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Commands are bounded so a scenario mistake cannot exhaust memory; literal
 * bodies (messages) are the large part. */
#define COMMAND_PART_CAP (64u * 1024 * 1024)

ic_command *ic_command_new(const char *tag)
{
    ic_command *c = calloc(1, sizeof *c);
    if (c && tag)
        snprintf(c->tag, sizeof c->tag, "%s", tag);
    return c;
}

void ic_command_free(ic_command *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nparts; i++)
        ic_buf_free(&c->parts[i].data);
    free(c->parts);
    free(c);
}

static int add_part(ic_command *c, ic_part_kind kind, ic_bytes b, bool secret)
{
    if (c->nparts == c->alloc) {
        size_t n = c->alloc ? c->alloc * 2 : 8;
        ic_part *p = realloc(c->parts, n * sizeof *p);
        if (!p)
            return IC_ERR_NOMEM;
        c->parts = p;
        c->alloc = n;
    }
    ic_part *part = &c->parts[c->nparts];
    memset(part, 0, sizeof *part);
    part->kind = kind;
    part->secret = secret;
    ic_buf_init(&part->data, COMMAND_PART_CAP);
    int rc = ic_buf_append(&part->data, b.ptr, b.len);
    if (rc) {
        ic_buf_free(&part->data);
        return rc;
    }
    c->nparts++;
    return IC_OK;
}

int ic_command_bytes(ic_command *c, ic_bytes b, bool secret)
{
    return add_part(c, IC_PART_TEXT, b, secret);
}

int ic_command_text(ic_command *c, const char *s)
{
    return add_part(c, IC_PART_TEXT, ic_bytes_from_str(s), false);
}

int ic_command_literal(ic_command *c, ic_bytes b, bool secret)
{
    return add_part(c, IC_PART_LITERAL, b, secret);
}

/* RFC 3501 ATOM-CHAR: any CHAR except atom-specials. */
static bool is_atom_char(uint8_t ch)
{
    if (ch <= 0x20 || ch >= 0x7F)
        return false;
    return !strchr("(){%*\"\\]", ch);
}

static bool is_quotable(uint8_t ch)
{
    return ch >= 0x01 && ch <= 0x7F && ch != '\r' && ch != '\n';
}

int ic_command_astring(ic_command *c, ic_bytes b, bool secret)
{
    bool atom = b.len > 0, quotable = true;
    for (size_t i = 0; i < b.len; i++) {
        atom = atom && is_atom_char(b.ptr[i]);
        quotable = quotable && is_quotable(b.ptr[i]);
    }
    if (atom)
        return ic_command_bytes(c, b, secret);
    if (!quotable)
        return ic_command_literal(c, b, secret);
    ic_buf q;
    ic_buf_init(&q, COMMAND_PART_CAP);
    int rc = ic_buf_append(&q, "\"", 1);
    for (size_t i = 0; !rc && i < b.len; i++) {
        if (b.ptr[i] == '"' || b.ptr[i] == '\\')
            rc = ic_buf_append(&q, "\\", 1);
        if (!rc)
            rc = ic_buf_append(&q, &b.ptr[i], 1);
    }
    if (!rc)
        rc = ic_buf_append(&q, "\"", 1);
    if (!rc)
        rc = ic_command_bytes(c, ic_buf_bytes(&q), secret);
    ic_buf_free(&q);
    return rc;
}

static int append_part(const ic_part *p, bool redact, ic_buf *out)
{
    if (p->secret && redact)
        return ic_buf_append_str(out, "***");
    return ic_buf_append(out, p->data.data, p->data.len);
}

int ic_command_serialize(const ic_command *c, bool literal_plus, bool redact, ic_buf *out)
{
    int rc = IC_OK;
    if (c->tag[0]) {
        rc = ic_buf_append_str(out, c->tag);
        if (!rc)
            rc = ic_buf_append(out, " ", 1);
    }
    for (size_t i = 0; !rc && i < c->nparts; i++) {
        const ic_part *p = &c->parts[i];
        if (p->kind == IC_PART_LITERAL)
            rc = ic_buf_printf(out, "%s{%zu%s}\r\n", p->literal8 ? "~" : "", p->data.len,
                               literal_plus || p->non_sync ? "+" : "");
        if (!rc)
            rc = append_part(p, redact, out);
    }
    if (!rc)
        rc = ic_buf_append(out, "\r\n", 2);
    return rc;
}
