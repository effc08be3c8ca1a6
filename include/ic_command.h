/* ic_command.h: building IMAP commands, literals included.
 *
 * A command is a tag plus a sequence of parts: raw text, and literals.  The
 * session writes it, waiting for "+" before each synchronizing literal
 * ({n}), or not waiting when LITERAL+ ({n+}) is in use.  Parts can be marked
 * secret (passwords): transcripts and reports show them as "***".
 *
 * Ownership: the command owns copies of everything appended; free with
 * ic_command_free.  Append functions return IC_OK or IC_ERR_NOMEM.
 */
#ifndef IC_COMMAND_H
#define IC_COMMAND_H

#include <stdbool.h>
#include "ic_buf.h"
#include "ic_error.h"

typedef enum ic_part_kind { IC_PART_TEXT, IC_PART_LITERAL } ic_part_kind;

typedef struct ic_part {
    ic_part_kind kind;
    ic_buf data;
    bool secret;
    bool literal8;         /* ~{n} (BINARY); the writer still adds "+" under LITERAL+ */
    bool non_sync;         /* always {n+}, whatever the server advertises (tests of servers) */
} ic_part;

typedef struct ic_command {
    char tag[32];
    ic_part *parts;
    size_t nparts;
    size_t alloc;
} ic_command;

ic_command *ic_command_new(const char *tag);
void ic_command_free(ic_command *c);
int ic_command_text(ic_command *c, const char *s);
int ic_command_bytes(ic_command *c, ic_bytes b, bool secret);
int ic_command_literal(ic_command *c, ic_bytes b, bool secret);
/* Appends b as an IMAP astring: atom when possible, quoted string when it has
 * only TEXT-CHARs, literal otherwise (8-bit, CR/LF, NUL). */
int ic_command_astring(ic_command *c, ic_bytes b, bool secret);

/* The command's wire bytes up to (and including) each literal's
 * announcement, for the writer.  Literal announcements use {n+} when
 * literal_plus, else {n}.  Appends the whole command (with CRLF) to out,
 * rendering secrets as "***" when redact; used for transcripts too. */
int ic_command_serialize(const ic_command *c, bool literal_plus, bool redact, ic_buf *out);

#endif
