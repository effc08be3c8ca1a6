/* xml.c: text made safe for XML 1.0 files and terminals (see ic_report.h
 * and report_internal.h). */
#include "report_internal.h"
#include "ic_render.h"

#include <string.h>

/* Bytes of rendered text that ic_render would escape a second time but that
 * are already what they should be: backslashes start the escapes ic_render
 * made, newlines and tabs are layout. */
static bool kept_as_is(char c)
{
    return c == '\\' || c == '\n' || c == '\t';
}

static const char *xml_entity(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&apos;";
    default: return NULL;
    }
}

/* Passes every run between the kept bytes (and, for XML, the five special
 * characters) through ic_render: on rendered text that changes nothing, and
 * anything else (ESC, NUL, invalid UTF-8, U+FFFE) becomes a visible escape
 * instead of reaching a terminal or making an XML parser give up.  The
 * split bytes are ASCII, so a valid UTF-8 sequence is never split. */
static int clean_text(const char *text, size_t len, bool xml, ic_buf *out)
{
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && !kept_as_is(text[end]) && !(xml && xml_entity(text[end])))
            end++;
        int rc = ic_render((ic_bytes){ (const uint8_t *)text + i, end - i },
                           IC_RENDER_UNLIMITED, out);
        if (rc || end == len)
            return rc;
        const char *entity = xml ? xml_entity(text[end]) : NULL;
        rc = entity ? ic_buf_append_str(out, entity) : ic_buf_append(out, text + end, 1);
        if (rc)
            return rc;
        i = end + 1;
    }
    return IC_OK;
}

int rep_clean(const char *text, size_t len, ic_buf *out)
{
    return clean_text(text, len, false, out);
}

int rep_xml_escape(const char *text, size_t len, ic_buf *out)
{
    return clean_text(text, len, true, out);
}

int ic_xml_escape(const char *text, ic_buf *out)
{
    return text ? rep_xml_escape(text, strlen(text), out) : IC_OK;
}
