/* validate_internal.h: shared between the files of src/validate. */
#ifndef IC_VALIDATE_INTERNAL_H
#define IC_VALIDATE_INTERNAL_H

#include <stdint.h>
#include "ic_validate.h"

/* A character word processors put where IMAP needs ASCII. */
typedef struct ic_val_typo {
    uint32_t cp;
    const char *name;    /* Unicode name, e.g. "LEFT DOUBLE QUOTATION MARK" */
    const char *ascii;   /* what the author almost certainly meant */
} ic_val_typo;

/* Decodes one UTF-8 sequence at p (n bytes available): returns its length
 * and sets *cp, or 0 when the bytes are not valid UTF-8. */
size_t ic_val_utf8_decode(const uint8_t *p, size_t n, uint32_t *cp);
const ic_val_typo *ic_val_typo_find(uint32_t cp);

/* Logical-line building (line.c). */
int ic_val_line_append(ic_val_line *l, const void *bytes, size_t n, ic_val_pos at);
int ic_val_line_replace(ic_val_line *l, size_t off, size_t oldlen, const char *with);
void ic_val_line_free(ic_val_line *l);

/* Checks (checks.c, command.c, dialogue.c). */
int ic_val_check_response(const ic_val_line *l, size_t dialogue, ic_val_report *rep);
int ic_val_check_command(const ic_val_line *l, size_t dialogue, ic_val_report *rep);
int ic_val_check_dialogue(const ic_val_dialogue *d, size_t dialogue, ic_val_report *rep);
int ic_val_check_prose(ic_bytes text, ic_val_report *rep);

#endif
