/* ic_transcript.h: wire dialogues written for people, in the RFC's own
 * notation: "C: " for what the client sent, "S: " for what the server sent,
 * "-- " for notes.  Every line is rendered with ic_render, so control bytes
 * and invalid UTF-8 show as escapes; secrets were already replaced by "***"
 * before the bytes reach here (see ic_command.h).
 *
 * ic_transcript_hook matches ic_wire_hook with a FILE * as context; the
 * caller owns and closes the FILE.
 */
#ifndef IC_TRANSCRIPT_H
#define IC_TRANSCRIPT_H

#include <stdio.h>
#include "ic_buf.h"
#include "ic_session.h"

/* Appends the rendered lines of bytes to out, each prefixed with prefix
 * (e.g. "C: "); only CRLF ends a line (a bare CR or LF shows as an escape),
 * and a last line without CRLF is still written.  Reversible: ic_unrender of
 * each line plus CRLF gives the bytes back. */
int ic_transcript_format(ic_bytes bytes, const char *prefix, ic_buf *out);
void ic_transcript_hook(void *file, ic_wire_dir dir, ic_bytes bytes);

#endif
