/* ic_grammar.h: the strict grammar checker for server responses.
 *
 * Judges the raw bytes of one framed response (as from ic_reader) against
 * RFC 3501 section 9 plus the extension grammar the suite tests: RFC 4466,
 * 4315 (UIDPLUS), 5161 (ENABLE), 5258 (LIST-EXTENDED), 5819 (LIST-STATUS),
 * 7162 (CONDSTORE/QRESYNC), 4731 (ESEARCH), 2342 (NAMESPACE), 2971 (ID).
 * It is a hand-written recursive-descent checker over the bytes, independent
 * of the lenient tree parser, so a bug in one is caught by the other.
 *
 * Rules enforced that lenient clients let slip: SP is exactly one space;
 * resp-text needs text after a response code ("* OK [CLOSED]" is a
 * violation under IMAP4rev1; IC_GRAMMAR_LENIENT_TEXT makes it a warning);
 * number/nz-number are 32-bit; mod-sequences are 1..2^63-1 (0 only where
 * mod-sequence-valzer allows it); known response codes (APPENDUID, COPYUID,
 * UIDNOTSTICKY, HIGHESTMODSEQ, NOMODSEQ, MODIFIED, CLOSED, CAPABILITY,
 * PERMANENTFLAGS, UIDNEXT, UIDVALIDITY, UNSEEN, ...) are parsed by their own
 * rule before the catch-all atom; no "*" in uid-set / known-uids; at most one
 * selectability flag in LIST; lines end in CRLF.
 *
 * Untagged responses whose name the checker does not know (METADATA,
 * MYRIGHTS, vendor ones) are checked only for generic token syntax and
 * reported as IC_GRAMMAR_UNKNOWN, which is not a violation.
 *
 * No allocation; the result is a fixed struct.  Thread-safe.
 */
#ifndef IC_GRAMMAR_H
#define IC_GRAMMAR_H

#include <stddef.h>
#include "ic_buf.h"

typedef enum ic_grammar_verdict {
    IC_GRAMMAR_OK = 0,
    IC_GRAMMAR_UNKNOWN,     /* well-formed tokens, response type not known to the checker */
    IC_GRAMMAR_WARNING,     /* accepted, but deviates from the strict grammar (lenient mode) */
    IC_GRAMMAR_VIOLATION
} ic_grammar_verdict;

enum {
    IC_GRAMMAR_STRICT = 0,
    IC_GRAMMAR_LENIENT_TEXT = 1u << 0  /* RFC 9051 resp-text: text after a code may be empty */
};

typedef struct ic_grammar_result {
    ic_grammar_verdict verdict;
    char rule[64];          /* the ABNF rule that failed, e.g. "resp-text", "nz-number" */
    size_t offset;          /* byte offset in the response where it failed */
    char message[256];      /* one line: what was expected there */
    char response_name[32]; /* "FETCH", "OK", "LIST", ... as recognised */
} ic_grammar_result;

/* Checks one response.  Always fills *res; returns res->verdict. */
ic_grammar_verdict ic_grammar_check(ic_bytes response, unsigned flags, ic_grammar_result *res);

/* Checks a greeting: like ic_grammar_check but only "* OK", "* PREAUTH" or
 * "* BYE" are allowed (RFC 3501 greeting). */
ic_grammar_verdict ic_grammar_check_greeting(ic_bytes response, unsigned flags,
                                             ic_grammar_result *res);

const char *ic_grammar_verdict_name(ic_grammar_verdict v);

#endif
