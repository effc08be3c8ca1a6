/* ic_render.h: the single helper that turns raw server bytes into text a
 * person (and an XML or JSON file) can safely hold.
 *
 * Printable ASCII and valid UTF-8 (excluding C1 controls, surrogates,
 * U+FFFE/U+FFFF) pass through; everything else becomes a C-style escape:
 * \r \n \t and \xHH for other control bytes and for each byte of an invalid
 * UTF-8 sequence.  A backslash is written \\ only before r, n, t, x, a
 * backslash or at the end, so flags read as \Seen.  The output is therefore valid UTF-8 and valid XML 1.0 text
 * (before XML escaping of < > & " which is the XML writer's job).
 * Output is bounded: at most max_out bytes are written, and when the input
 * did not fit, "...(N more bytes)" is appended.  Appends to out; returns
 * IC_OK or IC_ERR_NOMEM.
 */
#ifndef IC_RENDER_H
#define IC_RENDER_H

#include "ic_buf.h"

#define IC_RENDER_UNLIMITED ((size_t)-1)

int ic_render(ic_bytes in, size_t max_out, ic_buf *out);
/* Reverses ic_render of untruncated output: \r \n \t \\ and \xHH become
 * bytes again, any other backslash and everything else is copied.  Appends
 * to out.  IC_ERR_USAGE on a malformed \x escape. */
int ic_unrender(const char *text, size_t len, ic_buf *out);
/* Convenience: renders into a malloc'd string the caller frees (NULL on OOM). */
char *ic_render_str(ic_bytes in, size_t max_out);

#endif
