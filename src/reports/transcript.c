/* transcript.c: wire dialogues in C:/S: notation (see ic_transcript.h). */
#include "ic_transcript.h"
#include "ic_error.h"
#include "ic_render.h"

#include <string.h>

/* Lines end at CRLF only, so a bare LF or CR inside a line stays visible as
 * an escape and the transcript can be turned back into the exact bytes
 * (ic_unrender), which the responder relies on.  No length cap: the reader
 * already bounds what a server can make us hold. */
int ic_transcript_format(ic_bytes bytes, const char *prefix, ic_buf *out)
{
    size_t i = 0;
    int rc = IC_OK;
    while (!rc && i < bytes.len) {
        size_t end = i;
        while (end < bytes.len && !(bytes.ptr[end] == '\r' && end + 1 < bytes.len &&
                                    bytes.ptr[end + 1] == '\n'))
            end++;
        rc = ic_buf_append_str(out, prefix);
        if (!rc)
            rc = ic_render((ic_bytes){ bytes.ptr + i, end - i }, IC_RENDER_UNLIMITED, out);
        if (!rc)
            rc = ic_buf_append(out, "\n", 1);
        i = end < bytes.len ? end + 2 : bytes.len;
    }
    return rc;
}

void ic_transcript_hook(void *file, ic_wire_dir dir, ic_bytes bytes)
{
    static const char *const prefixes[] = { "C: ", "S: ", "-- " };
    ic_buf b;
    ic_buf_init(&b, 0);
    if (ic_transcript_format(bytes, prefixes[dir], &b) == IC_OK)
        fwrite(b.data, 1, b.len, file);
    ic_buf_free(&b);
}
