/* ic_validate.h: checks the example dialogues (C: / S: lines) found in
 * specification text: RFC-style plain text (indentation, page breaks),
 * Markdown code blocks and word-processor exports.
 *
 * Extraction turns the text into dialogues of logical protocol lines
 * (wrapped lines joined, literals folded in, typographic characters
 * replaced by their ASCII look-alikes so later checks see what the author
 * meant); every byte of a logical line keeps its source line and column.
 * The checks then add diagnostics: typography, the strict response grammar
 * (ic_grammar_check) on S: lines, a light command check on C: lines, and
 * consistency within each dialogue.
 *
 * Ownership: ic_val_doc and ic_val_report own everything they point to and
 * are released with their _free function (safe on a zeroed struct).
 * Errors: IC_OK or IC_ERR_NOMEM; the text itself never makes a call fail.
 * Columns are 1-based and count characters (UTF-8 code points), not bytes.
 */
#ifndef IC_VALIDATE_H
#define IC_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include "ic_buf.h"
#include "ic_error.h"

typedef struct ic_val_pos {
    unsigned line;   /* 1-based source line */
    unsigned col;    /* 1-based character column */
} ic_val_pos;

/* One logical protocol line: what the sender would put on the wire. */
typedef struct ic_val_line {
    char dir;            /* 'C' or 'S' */
    ic_buf text;         /* ends in CRLF once complete; literals included */
    ic_val_pos *pos;     /* pos[i]: source position of text byte i */
    size_t npos_alloc;
    ic_val_pos start;    /* where the line's content starts (for an empty line) */
    bool elided;         /* "...", "<stage direction>": not checked */
    bool complete;
} ic_val_line;

typedef struct ic_val_dialogue {
    ic_val_line *lines;
    size_t n, alloc;
} ic_val_dialogue;

typedef enum ic_val_severity { IC_VAL_WARNING, IC_VAL_ERROR } ic_val_severity;

typedef struct ic_val_diag {
    ic_val_pos at;
    ic_val_severity severity;
    size_t dialogue;     /* index of the dialogue, or (size_t)-1 for prose */
    char rule[48];
    char message[384];
} ic_val_diag;

typedef struct ic_val_report {
    ic_val_diag *items;
    size_t n, alloc;
    size_t errors, warnings;
} ic_val_report;

typedef struct ic_val_doc {
    ic_val_dialogue *dialogues;
    size_t n, alloc;
} ic_val_doc;

/* Finds the dialogues of text.  Extraction problems (a literal whose size
 * does not match the example) go to rep. */
int ic_val_extract(ic_bytes text, ic_val_doc *doc, ic_val_report *rep);
void ic_val_doc_free(ic_val_doc *doc);

/* Runs every check over doc (and the prose of text) into rep. */
int ic_val_check(ic_bytes text, const ic_val_doc *doc, ic_val_report *rep);

/* Extract + check, diagnostics sorted by position. */
int ic_validate_text(ic_bytes text, ic_val_doc *doc, ic_val_report *rep);

int ic_val_report_add(ic_val_report *rep, ic_val_pos at, ic_val_severity sev, size_t dialogue,
                      const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
void ic_val_report_sort(ic_val_report *rep);
void ic_val_report_free(ic_val_report *rep);

/* Appends "file:line:col: error|warning: message [rule]\n". */
int ic_val_diag_format(const ic_val_diag *d, const char *file, ic_buf *out);

/* Source position of byte offset off of a logical line (clamped). */
ic_val_pos ic_val_line_pos(const ic_val_line *l, size_t off);

#endif
