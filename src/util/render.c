/* render.c: raw server bytes to safe, readable text (see ic_render.h). */
#include "ic_render.h"
#include "ic_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0 if invalid.  Rejects
 * overlongs, surrogates, > U+10FFFF, C1 controls and U+FFFE/U+FFFF, none of
 * which XML 1.0 or a terminal should receive raw. */
static size_t utf8_seq_len(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) { len = 2; cp = c & 0x1F; }
    else if (c >= 0xE0 && c <= 0xEF) { len = 3; cp = c & 0x0F; }
    else if (c >= 0xF0 && c <= 0xF4) { len = 4; cp = c & 0x07; }
    else
        return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF)
        return 0;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F) ||
        cp == 0xFFFE || cp == 0xFFFF)
        return 0;
    return len;
}

/* Writes the rendering of one unit (escape or UTF-8 sequence) into tmp;
 * returns its length and the input bytes it consumed in *used. */
/* A backslash is written single only before a printable ASCII character
 * that cannot continue an escape (not r, n, t, x or a backslash), so IMAP
 * flags stay readable as \Seen while the rendering stays reversible: before
 * anything that itself renders as an escape, or at the end, it is doubled. */
static bool backslash_needs_escape(const uint8_t *p, size_t n)
{
    return n < 2 || p[1] < 0x20 || p[1] > 0x7E || strchr("rntx\\", p[1]) != NULL;
}

static size_t render_unit(const uint8_t *p, size_t n, char tmp[8], size_t *used)
{
    uint8_t c = p[0];
    *used = 1;
    switch (c) {
    case '\r': tmp[0] = '\\'; tmp[1] = 'r'; return 2;
    case '\n': tmp[0] = '\\'; tmp[1] = 'n'; return 2;
    case '\t': tmp[0] = '\\'; tmp[1] = 't'; return 2;
    case '\\':
        tmp[0] = '\\';
        tmp[1] = '\\';
        return backslash_needs_escape(p, n) ? 2 : 1;
    default: break;
    }
    if (c >= 0x20 && c < 0x7F) {
        tmp[0] = (char)c;
        return 1;
    }
    size_t len = c >= 0x80 ? utf8_seq_len(p, n) : 0;
    if (len) {
        for (size_t i = 0; i < len; i++)
            tmp[i] = (char)p[i];
        *used = len;
        return len;
    }
    snprintf(tmp, 8, "\\x%02X", c);
    return 4;
}

int ic_render(ic_bytes in, size_t max_out, ic_buf *out)
{
    size_t written = 0, i = 0;
    while (i < in.len) {
        char tmp[8];
        size_t used;
        size_t len = render_unit(in.ptr + i, in.len - i, tmp, &used);
        if (max_out != IC_RENDER_UNLIMITED && written + len > max_out)
            break;
        int rc = ic_buf_append(out, tmp, len);
        if (rc)
            return rc;
        written += len;
        i += used;
    }
    if (i < in.len)
        return ic_buf_printf(out, "...(%zu more bytes)", in.len - i);
    return IC_OK;
}

char *ic_render_str(ic_bytes in, size_t max_out)
{
    ic_buf b;
    ic_buf_init(&b, 0);
    if (ic_render(in, max_out, &b)) {
        ic_buf_free(&b);
        return NULL;
    }
    return ic_buf_steal(&b);
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int ic_unrender(const char *text, size_t len, ic_buf *out)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t byte = (uint8_t)text[i];
        if (byte == '\\' && i + 1 < len && strchr("rntx\\", text[i + 1]) && text[i + 1]) {
            char e = text[++i];
            if (e == 'r') byte = '\r';
            else if (e == 'n') byte = '\n';
            else if (e == 't') byte = '\t';
            else if (e == '\\') byte = '\\';
            else if (i + 2 < len && hex_value(text[i + 1]) >= 0 &&
                     hex_value(text[i + 2]) >= 0) {
                byte = (uint8_t)(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
                i += 2;
            } else
                return IC_ERR_USAGE;
        }
        int rc = ic_buf_append(out, &byte, 1);
        if (rc)
            return rc;
    }
    return IC_OK;
}
