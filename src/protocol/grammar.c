/* grammar.c: the strict grammar checker for server responses (ic_grammar.h).
 *
 * A cursor walks the raw bytes of one framed response; every byte is read
 * through peek_at(), which bounds-checks, so no input can make the checker
 * read outside the response.  Each ABNF production the suite cares about has
 * one function that returns true when the rule matched and false after
 * recording a violation.  Nothing is retried: where the grammar offers
 * alternatives, the next byte(s) decide before anything is consumed (RFC 3501
 * s9: an earlier alternative takes priority over a later overlapping one), so
 * the first violation found is the one reported.  Nested lists count against
 * IC_DEFAULT_MAX_DEPTH, so recursion is bounded.
 *
 * Checked against the full ABNF: response framing (greeting, tagged,
 * untagged, continuation), resp-text and every known response code, and the
 * data responses CAPABILITY, ENABLED, FLAGS, LIST/LSUB (RFC 5258), STATUS,
 * SEARCH, ESEARCH, EXISTS, RECENT, EXPUNGE, VANISHED, NAMESPACE, ID and
 * FETCH, including section specs, INTERNALDATE, ENVELOPE and BODY /
 * BODYSTRUCTURE (RFC 3501 body grammar, RFC 9051 message/global).
 *
 * Checked generically (token syntax only): untagged responses with a name
 * the checker does not know, FETCH items it does not know (verdict UNKNOWN),
 * the FETCH items EMAILID, THREADID, SAVEDATE and PREVIEW (one generic value
 * each), the argument of unknown response codes (the RFC 3501 catch-all),
 * and the continuation request text (resp-text / base64 is not decidable).
 */
#include "ic_grammar.h"
#include "ic_limits.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ======================================================================
 * Cursor and result recording
 * ====================================================================== */

typedef struct cursor {
    const uint8_t *p;
    size_t len;
    size_t pos;                /* invariant: pos <= len */
    unsigned flags;
    int depth;                 /* open parenthesised lists */
    ic_grammar_result *res;
    bool unknown;              /* something was only checked generically */
    size_t unknown_at;
    char unknown_what[64];
} cursor;

typedef struct span {
    size_t start;
    size_t len;
} span;

enum { END = -1 };

static int peek_at(const cursor *c, size_t ahead)
{
    if (ahead >= c->len - c->pos)
        return END;
    return c->p[c->pos + ahead];
}

static int peek(const cursor *c)
{
    return peek_at(c, 0);
}

static bool at(const cursor *c, int ch)
{
    return peek(c) == ch;
}

static bool accept(cursor *c, int ch)
{
    if (!at(c, ch))
        return false;
    c->pos++;
    return true;
}

static void skip(cursor *c, size_t n)
{
    c->pos += n < c->len - c->pos ? n : c->len - c->pos;
}

static bool at_line_end(const cursor *c)
{
    int b = peek(c);
    return b == END || b == '\r' || b == '\n';
}

/* ---- character classes (b is a byte or END) ---- */

static bool is_digit(int b)
{
    return b >= '0' && b <= '9';
}

static bool is_alpha(int b)
{
    return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z');
}

static int ascii_upper(int b)
{
    return b >= 'a' && b <= 'z' ? b - 'a' + 'A' : b;
}

/* RFC 3501 s9: ATOM-CHAR = <any CHAR except atom-specials>, atom-specials =
 * "(" / ")" / "{" / SP / CTL / "%" / "*" / DQUOTE / "\" / "]".  CHAR is
 * 7-bit, so no 8-bit byte is an ATOM-CHAR. */
static bool is_atom_char(int b)
{
    return b > 0x20 && b < 0x7f && strchr("(){%*\"\\]", b) == NULL;
}

static bool is_astring_char(int b)
{
    return is_atom_char(b) || b == ']';
}

/* tag = 1*<any ASTRING-CHAR except "+"> */
static bool is_tag_char(int b)
{
    return is_astring_char(b) && b != '+';
}

/* Response and FETCH item names: an atom that stops before a "[" section. */
static bool is_name_char(int b)
{
    return is_atom_char(b) && b != '[';
}

/* RFC 4466 s2.1: tagged-label-fchar / tagged-label-char */
static bool is_label_fchar(int b)
{
    return is_alpha(b) || b == '-' || b == '_' || b == '.';
}

static bool is_label_char(int b)
{
    return is_label_fchar(b) || is_digit(b) || b == ':';
}

/* Generic token syntax: any visible 7-bit byte except list, string and
 * section delimiters (covers atoms, flags like \Seen, patterns like %). */
static bool is_word_char(int b)
{
    return b > 0x20 && b < 0x7f && strchr("()\"{[", b) == NULL;
}

/* Section keywords: HEADER.FIELDS.NOT and friends. */
static bool is_keyword_char(int b)
{
    return is_alpha(b) || b == '.';
}

static size_t run_length(const cursor *c, bool (*in_class)(int))
{
    size_t n = 0;
    while (in_class(peek_at(c, n)))
        n++;
    return n;
}

/* N1: all keywords are case-insensitive. */
static bool span_is(const cursor *c, span s, const char *word)
{
    size_t n = strlen(word);
    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (ascii_upper(c->p[s.start + i]) != ascii_upper((unsigned char)word[i]))
            return false;
    return true;
}

static bool looking_at(const cursor *c, size_t ahead, const char *word)
{
    for (size_t i = 0; word[i]; i++)
        if (ascii_upper(peek_at(c, ahead + i)) != ascii_upper((unsigned char)word[i]))
            return false;
    return true;
}

/* Finds the entry named like s in a table whose entries start with a
 * `const char *name` member. */
static const void *find_by_name(const cursor *c, span s, const void *table, size_t stride,
                                size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const void *entry = (const char *)table + i * stride;
        if (span_is(c, s, *(const char *const *)entry))
            return entry;
    }
    return NULL;
}

#define FIND(c, s, table) find_by_name((c), (s), (table), sizeof((table)[0]), ARRAY_LEN(table))

/* ---- describing what was found, for messages ---- */

typedef struct found_text {
    char text[80];
} found_text;

/* A short, escaped excerpt of the bytes at `where`, stopping at the line end;
 * "CRLF", "bare LF" or "end of input" when that is what is there. */
static found_text found_at(const cursor *c, size_t where)
{
    enum { EXCERPT = 16 };
    found_text f;
    size_t avail = where < c->len ? c->len - where : 0;
    const uint8_t *s = c->p + (where < c->len ? where : c->len);
    if (avail == 0) {
        snprintf(f.text, sizeof f.text, "end of input");
        return f;
    }
    if (s[0] == '\r' && avail > 1 && s[1] == '\n') {
        snprintf(f.text, sizeof f.text, "CRLF");
        return f;
    }
    if (s[0] == '\n' || s[0] == '\r') {
        snprintf(f.text, sizeof f.text, s[0] == '\n' ? "bare LF" : "CR without LF");
        return f;
    }
    size_t o = 0, i;
    f.text[o++] = '"';
    for (i = 0; i < avail && i < EXCERPT && s[i] != '\r' && s[i] != '\n'; i++) {
        uint8_t b = s[i];
        if (b == '"' || b == '\\') {
            f.text[o++] = '\\';
            f.text[o++] = (char)b;
        } else if (b >= 0x20 && b < 0x7f) {
            f.text[o++] = (char)b;
        } else {
            o += (size_t)snprintf(f.text + o, 5, "\\x%02X", b);
        }
    }
    if (i == EXCERPT && i < avail && s[i] != '\r' && s[i] != '\n') {
        memcpy(f.text + o, "...", 3);
        o += 3;
    }
    f.text[o++] = '"';
    f.text[o] = '\0';
    return f;
}

static found_text found(const cursor *c)
{
    return found_at(c, c->pos);
}

static void record(cursor *c, ic_grammar_verdict v, size_t where, const char *rule,
                   const char *fmt, va_list ap)
{
    ic_grammar_result *r = c->res;
    r->verdict = v;
    r->offset = where;
    snprintf(r->rule, sizeof r->rule, "%s", rule);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
}

/* Records the first violation; returns false so callers can `return
 * violation(...)`. */
__attribute__((format(printf, 4, 5)))
static bool violation(cursor *c, size_t where, const char *rule, const char *fmt, ...)
{
    if (c->res->verdict != IC_GRAMMAR_VIOLATION) {
        va_list ap;
        va_start(ap, fmt);
        record(c, IC_GRAMMAR_VIOLATION, where, rule, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* Records the first warning, unless something worse is already there. */
__attribute__((format(printf, 4, 5)))
static void warning(cursor *c, size_t where, const char *rule, const char *fmt, ...)
{
    if (c->res->verdict == IC_GRAMMAR_OK) {
        va_list ap;
        va_start(ap, fmt);
        record(c, IC_GRAMMAR_WARNING, where, rule, fmt, ap);
        va_end(ap);
    }
}

/* Notes that the construct at s is only checked generically. */
static void note_unknown(cursor *c, span s, const char *kind)
{
    if (c->unknown)
        return;
    c->unknown = true;
    c->unknown_at = s.start;
    int n = s.len > 32 ? 32 : (int)s.len;
    snprintf(c->unknown_what, sizeof c->unknown_what, "%s %.*s", kind, n,
             (const char *)c->p + s.start);
}

/* ======================================================================
 * Lexical primitives
 * ====================================================================== */

/* RFC 3501 s9 (2): SP is exactly one space (N2). */
static bool expect_sp(cursor *c, const char *rule, const char *after)
{
    if (!at(c, ' '))
        return violation(c, c->pos, rule, "expected SP after %s, found %s", after,
                         found(c).text);
    c->pos++;
    if (at(c, ' '))
        return violation(c, c->pos, "SP", "SP is exactly one space, but a second space follows %s",
                         after);
    return true;
}

static bool expect_char(cursor *c, int ch, const char *rule, const char *context)
{
    if (accept(c, ch))
        return true;
    return violation(c, c->pos, rule, "expected \"%c\" %s, found %s", ch, context,
                     found(c).text);
}

static bool expect_crlf(cursor *c, const char *rule, const char *after)
{
    if (at(c, '\r') && peek_at(c, 1) == '\n') {
        skip(c, 2);
        return true;
    }
    if (at(c, '\n'))
        return violation(c, c->pos, "CRLF",
                         "line ends in a bare LF after %s; IMAP lines end in CRLF",
                         after);
    if (at(c, '\r'))
        return violation(c, c->pos, "CRLF", "CR without LF after %s; IMAP lines end in CRLF",
                         after);
    if (at(c, END))
        return violation(c, c->pos, "CRLF", "expected CRLF after %s, found end of input", after);
    return violation(c, c->pos, rule, "expected CRLF after %s, found %s", after, found(c).text);
}

/* The CRLF that ends the response; nothing may follow it. */
static bool final_crlf(cursor *c, const char *rule, const char *after)
{
    if (!expect_crlf(c, rule, after))
        return false;
    if (c->pos != c->len)
        return violation(c, c->pos, "CRLF",
                         "%zu bytes follow the final CRLF (one response expected)",
                         c->len - c->pos);
    return true;
}

/* ---- numbers ---- */

typedef struct num_spec {
    const char *rule;
    const char *noun;          /* how messages name the value */
    uint64_t min, max;
    int bits;
    bool leading_zero_ok;
} num_spec;

/* RFC 3501 s9: number = 1*DIGIT (32-bit), nz-number = digit-nz *DIGIT (N5). */
static const num_spec NUMBER = { "number", "number", 0, UINT32_MAX, 32, true };
static const num_spec NZ_NUMBER = { "nz-number", "nz-number", 1, UINT32_MAX, 32, false };
/* RFC 7162 s7: mod-sequence-value is 1..2^63-1; mod-sequence-valzer adds 0 (N6). */
static const num_spec MODSEQ_VALUE = { "mod-sequence-value", "mod-sequence", 1, INT64_MAX, 63,
                                        true };
static const num_spec MODSEQ_VALZER = { "mod-sequence-valzer", "mod-sequence", 0, INT64_MAX, 63,
                                         true };
/* RFC 9051 s9 / RFC 8438: number64 = 1*DIGIT, 0..2^63-1. */
static const num_spec NUMBER64 = { "number64", "number64", 0, INT64_MAX, 63, true };

static bool number(cursor *c, const num_spec *spec, const char *what, uint64_t *out)
{
    size_t start = c->pos;
    size_t n = run_length(c, is_digit);
    if (n == 0)
        return violation(c, start, spec->rule, "expected %s (%s), found %s", spec->rule, what,
                         found(c).text);
    uint64_t value = 0;
    bool overflow = false;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(c->p[start + i] - '0');
        if (value > (UINT64_MAX - d) / 10)
            overflow = true;
        else
            value = value * 10 + d;
    }
    const char *digits = (const char *)c->p + start;
    int shown = n > 40 ? 40 : (int)n;
    if (!spec->leading_zero_ok && n > 1 && digits[0] == '0')
        return violation(c, start, spec->rule,
                         "%s must not have a leading zero (%s = digit-nz *DIGIT), found \"%.*s\"",
                         spec->noun, spec->rule, shown, digits);
    if (overflow || value > spec->max)
        return violation(c, start, spec->rule, "%s %.*s%s exceeds %d bits (%s is %" PRIu64
                         "..%" PRIu64 ")", spec->noun, shown, digits, n > 40 ? "..." : "",
                         spec->bits, spec->rule, spec->min, spec->max);
    if (value < spec->min)
        return violation(c, start, spec->rule, "%s %" PRIu64 " is not allowed here (%s is %"
                         PRIu64 "..%" PRIu64 ")", spec->noun, value, spec->rule, spec->min,
                         spec->max);
    c->pos += n;
    if (out)
        *out = value;
    return true;
}

/* ---- atoms ---- */

static bool token_run(cursor *c, bool (*in_class)(int), const char *rule, const char *what,
                      span *out)
{
    size_t start = c->pos;
    size_t n = run_length(c, in_class);
    int after = peek_at(c, n);
    if (after >= 0x80)
        return violation(c, start + n, "ATOM-CHAR",
                         "8-bit byte 0x%02X in %s (ATOM-CHAR is 7-bit; non-ASCII needs a string)",
                         (unsigned)after, what);
    if (n == 0)
        return violation(c, start, rule, "expected %s, found %s", what, found(c).text);
    c->pos += n;
    if (out)
        *out = (span){ start, n };
    return true;
}

static bool atom(cursor *c, const char *rule, const char *what, span *out)
{
    return token_run(c, is_atom_char, rule, what, out);
}

/* RFC 4466 s2.1: tagged-ext-label = tagged-label-fchar *tagged-label-char */
static bool tagged_ext_label(cursor *c, const char *rule, span *out)
{
    if (!is_label_fchar(peek(c)))
        return violation(c, c->pos, rule, "expected a label (tagged-ext-label), found %s",
                         found(c).text);
    return token_run(c, is_label_char, rule, "a label (tagged-ext-label)", out);
}

/* ---- strings ---- */

typedef struct str_value {
    span content;              /* between the quotes (escapes kept) or the literal's bytes */
    size_t octets;             /* unescaped length */
} str_value;

/* RFC 3501 s9: quoted = DQUOTE *QUOTED-CHAR DQUOTE, QUOTED-CHAR = <any
 * TEXT-CHAR except quoted-specials> / "\" quoted-specials. */
static bool quoted(cursor *c, str_value *out)
{
    size_t open = c->pos;
    if (!expect_char(c, '"', "quoted", "to open a quoted string"))
        return false;
    size_t octets = 0;
    for (;;) {
        int b = peek(c);
        if (b == '"')
            break;
        if (b == END)
            return violation(c, open, "quoted",
                             "quoted string is not closed before the end of input");
        if (b == '\r' || b == '\n')
            return violation(c, c->pos, "QUOTED-CHAR",
                             "quoted string is not closed before the line end (QUOTED-CHAR "
                             "excludes CR and LF)");
        if (b == 0)
            return violation(c, c->pos, "QUOTED-CHAR", "NUL byte in a quoted string");
        if (b == '\\') {
            int escaped = peek_at(c, 1);
            if (escaped != '"' && escaped != '\\')
                return violation(c, c->pos, "QUOTED-CHAR",
                                 "\"\\\" in a quoted string may only escape DQUOTE or \"\\\", "
                                 "found %s",
                                 found_at(c, c->pos + 1).text);
            c->pos++;
        } else if (b >= 0x80) {
            warning(c, c->pos, "QUOTED-CHAR",
                    "8-bit byte 0x%02X in a quoted string (RFC 3501 QUOTED-CHAR is 7-bit; UTF-8 "
                    "needs RFC 6855/9051)",
                    (unsigned)b);
        }
        c->pos++;
        octets++;
    }
    if (out)
        *out = (str_value){ { open + 1, c->pos - open - 1 }, octets };
    c->pos++;
    return true;
}

/* RFC 3501 s9: literal = "{" number "}" CRLF *CHAR8 (CHAR8 = %x01-ff);
 * RFC 3516 s4.2: literal8 = "~{" number "}" CRLF *OCTET. */
static bool literal(cursor *c, bool literal8_ok, str_value *out)
{
    size_t start = c->pos;
    bool is_literal8 = accept(c, '~');
    if (is_literal8 && !literal8_ok)
        return violation(c, start, "literal8",
                         "literal8 (~{n}) is only allowed for BINARY[] data (RFC 3516 s4.2)");
    if (!expect_char(c, '{', "literal", "to open a literal"))
        return false;
    uint64_t n;
    if (!number(c, is_literal8 ? &NUMBER64 : &NUMBER, "literal length", &n))
        return false;
    if (at(c, '+'))
        return violation(c, c->pos, "literal",
                         "{n+} is a client-only literal (RFC 7888); servers send {n}");
    if (!expect_char(c, '}', "literal", "after the literal length"))
        return false;
    if (!expect_crlf(c, "literal", "the literal announcement"))
        return false;
    size_t remaining = c->len - c->pos;
    if (n > remaining)
        return violation(c, start, "literal",
                         "literal announces %" PRIu64 " bytes but only %zu remain in the response",
                         n, remaining);
    if (!is_literal8 && n > 0) {
        const uint8_t *nul = memchr(c->p + c->pos, 0, (size_t)n);
        if (nul)
            return violation(c, (size_t)(nul - c->p), "CHAR8",
                             "NUL byte in a literal (CHAR8 is %%x01-ff; literal8 may hold NUL)");
    }
    if (out)
        *out = (str_value){ { c->pos, (size_t)n }, (size_t)n };
    c->pos += (size_t)n;
    return true;
}

static bool at_literal(const cursor *c)
{
    return at(c, '{') || (at(c, '~') && peek_at(c, 1) == '{');
}

/* string = quoted / literal */
static bool string(cursor *c, const char *rule, const char *what, str_value *out)
{
    if (at(c, '"'))
        return quoted(c, out);
    if (at_literal(c))
        return literal(c, false, out);
    return violation(c, c->pos, rule, "expected %s (a quoted string or literal), found %s", what,
                     found(c).text);
}

/* astring = 1*ASTRING-CHAR / string */
static bool astring(cursor *c, const char *rule, const char *what, str_value *out)
{
    if (at(c, '"') || at_literal(c))
        return string(c, rule, what, out);
    span s = { 0, 0 };
    if (!token_run(c, is_astring_char, rule, what, &s))
        return false;
    if (out)
        *out = (str_value){ s, s.len };
    return true;
}

/* nil = "NIL", not followed by more astring characters */
static bool accept_nil(cursor *c)
{
    if (!looking_at(c, 0, "NIL") || is_astring_char(peek_at(c, 3)))
        return false;
    skip(c, 3);
    return true;
}

/* nstring = string / nil; RFC 3516 allows literal8 for BINARY data. */
static bool nstring_or_literal8(cursor *c, const char *rule, const char *what, bool literal8_ok,
                                str_value *out)
{
    if (accept_nil(c)) {
        if (out)
            *out = (str_value){ { c->pos, 0 }, 0 };
        return true;
    }
    if (at(c, '"'))
        return quoted(c, out);
    if (at_literal(c))
        return literal(c, literal8_ok, out);
    return violation(c, c->pos, rule, "expected %s (a string or NIL), found %s", what,
                     found(c).text);
}

static bool nstring(cursor *c, const char *rule, const char *what)
{
    return nstring_or_literal8(c, rule, what, false, NULL);
}

static bool string_value_is(const cursor *c, str_value v, const char *word)
{
    return span_is(c, v.content, word);
}

/* ---- lists ---- */

enum {
    LIST_MAY_BE_EMPTY = 1u << 0,
    LIST_ADJACENT_SUBLISTS = 1u << 1   /* "(a)(b)" without SP, RFC 5256 THREAD */
};

typedef bool (*item_fn)(cursor *c, void *ctx);

static bool open_list(cursor *c, const char *rule, const char *what)
{
    size_t open = c->pos;
    if (!accept(c, '('))
        return violation(c, c->pos, rule, "expected \"(\" to open %s, found %s", what,
                         found(c).text);
    if (c->depth >= IC_DEFAULT_MAX_DEPTH)
        return violation(c, open, rule, "lists nested deeper than %d levels",
                         IC_DEFAULT_MAX_DEPTH);
    c->depth++;
    return true;
}

static bool close_list(cursor *c, const char *rule, const char *what)
{
    if (!accept(c, ')'))
        return violation(c, c->pos, rule, "expected \")\" to close %s, found %s", what,
                         found(c).text);
    c->depth--;
    return true;
}

/* "(" [item *(SP item)] ")": the shape of most IMAP lists. */
static bool paren_list(cursor *c, const char *rule, unsigned shape, item_fn item, void *ctx)
{
    size_t open = c->pos;
    if (!open_list(c, rule, rule))
        return false;
    if (accept(c, ')')) {
        c->depth--;
        if (!(shape & LIST_MAY_BE_EMPTY))
            return violation(c, open, rule, "empty list \"()\" is not allowed in %s", rule);
        return true;
    }
    for (;;) {
        bool item_is_list = at(c, '(');
        if (!item(c, ctx))
            return false;
        if (accept(c, ')'))
            break;
        if ((shape & LIST_ADJACENT_SUBLISTS) && item_is_list && at(c, '('))
            continue;
        if (!at(c, ' '))
            return violation(c, c->pos, rule, "expected SP or \")\" in %s, found %s", rule,
                             found(c).text);
        if (!expect_sp(c, rule, "a list element"))
            return false;
    }
    c->depth--;
    return true;
}

/* "(" 1*item ")" where items are lists that follow each other without SP
 * (env address lists, RFC 2342 Namespace). */
static bool paren_concat(cursor *c, const char *rule, item_fn item, void *ctx)
{
    if (!open_list(c, rule, rule))
        return false;
    do {
        if (!at(c, '('))
            return violation(c, c->pos, rule,
                             "expected \"(\" (%s holds one or more lists), found %s",
                             rule, found(c).text);
        if (!item(c, ctx))
            return false;
    } while (at(c, '('));
    if (at(c, ' ') && peek_at(c, 1) == '(')
        return violation(c, c->pos, rule, "the lists inside %s follow each other without SP", rule);
    return close_list(c, rule, rule);
}

/* A fixed sequence of fields separated by SP, optionally in parentheses. */
typedef struct field {
    const char *what;
    bool (*check)(cursor *c, const char *what);
} field;

static bool field_sequence(cursor *c, const char *rule, const field *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0) {
            if (at(c, ')'))
                return violation(c, c->pos, rule, "%s has %zu fields, found \")\" after %zu",
                                 rule, n, i);
            if (!expect_sp(c, rule, fields[i - 1].what))
                return false;
        }
        if (!fields[i].check(c, fields[i].what))
            return false;
    }
    return true;
}

static bool paren_tuple(cursor *c, const char *rule, const field *fields, size_t n)
{
    if (!open_list(c, rule, rule) || !field_sequence(c, rule, fields, n))
        return false;
    if (at(c, ' '))
        return violation(c, c->pos, rule, "%s has exactly %zu fields, found more", rule, n);
    return close_list(c, rule, rule);
}

/* ---- flags ---- */

typedef enum flag_use {
    FLAG_PLAIN,                /* flag / flag-fetch */
    FLAG_PERM,                 /* flag-perm: also "\*" */
    FLAG_MAILBOX_ATTR          /* LIST attributes: "\" atom only */
} flag_use;

/* RFC 3501 s9: flag = "\Answered" / ... / flag-keyword / flag-extension;
 * flag-extension = "\" atom; flag-keyword = atom. */
static bool flag(cursor *c, flag_use use, span *out)
{
    size_t start = c->pos;
    if (accept(c, '\\')) {
        if (at(c, '*')) {
            if (use != FLAG_PERM)
                return violation(c, start, "flag",
                                 "\\* is only allowed in PERMANENTFLAGS (flag-perm)");
            c->pos++;
        } else if (!atom(c, "flag", "a flag name after \"\\\" (flag-extension = \"\\\" atom)",
                         NULL)) {
            return false;
        }
    } else if (use == FLAG_MAILBOX_ATTR) {
        return violation(c, start, "mbx-list-flags",
                         "expected a mailbox attribute (\"\\\" atom), found %s", found(c).text);
    } else if (!atom(c, "flag", "a flag (\"\\\" atom or keyword atom)", NULL)) {
        return false;
    }
    if (out)
        *out = (span){ start, c->pos - start };
    return true;
}

static bool flag_item(cursor *c, void *ctx)
{
    return flag(c, *(const flag_use *)ctx, NULL);
}

/* flag-list = "(" [flag *(SP flag)] ")" */
static bool flag_list(cursor *c, const char *rule, flag_use use)
{
    return paren_list(c, rule, LIST_MAY_BE_EMPTY, flag_item, &use);
}

/* ---- sets ---- */

/* seq-number = nz-number / "*"; uid-set (RFC 4315) and known-uids (RFC 7162)
 * reuse the shape but forbid "*" (N7). */
static bool seq_number(cursor *c, const char *rule, bool star_ok)
{
    if (at(c, '*')) {
        if (!star_ok)
            return violation(c, c->pos, rule, "\"*\" is not allowed in %s (RFC 4315 / RFC 7162)",
                             rule);
        c->pos++;
        return true;
    }
    return number(c, &NZ_NUMBER, rule, NULL);
}

/* sequence-set = (seq-number / seq-range) *("," sequence-set) */
static bool sequence_set(cursor *c, const char *rule, bool star_ok)
{
    do {
        if (!seq_number(c, rule, star_ok))
            return false;
        if (accept(c, ':') && !seq_number(c, rule, star_ok))
            return false;
    } while (accept(c, ','));
    return true;
}

/* ---- RFC 4466 tagged-ext ---- */

/* tagged-ext-comp is left-recursive in the RFC (N9); checked as
 * comp-item *(SP comp-item), comp-item = astring / "(" tagged-ext-comp ")". */
static bool tagged_ext_comp_item(cursor *c, void *ctx)
{
    (void)ctx;
    if (at(c, '('))
        return paren_list(c, "tagged-ext-comp", 0, tagged_ext_comp_item, NULL);
    return astring(c, "tagged-ext-comp", "an astring or \"(\" (tagged-ext-comp)", NULL);
}

/* tagged-ext-val = tagged-ext-simple / "(" [tagged-ext-comp] ")";
 * tagged-ext-simple = sequence-set / number. */
static bool tagged_ext_val(cursor *c)
{
    if (at(c, '('))
        return paren_list(c, "tagged-ext-comp", LIST_MAY_BE_EMPTY, tagged_ext_comp_item, NULL);
    if (at(c, '*'))
        return sequence_set(c, "sequence-set", true);
    if (is_digit(peek(c))) {
        int after = peek_at(c, run_length(c, is_digit));
        if (after == ':' || after == ',')
            return sequence_set(c, "sequence-set", true);
        return number(c, &NUMBER, "tagged-ext-simple", NULL);
    }
    return violation(c, c->pos, "tagged-ext-val",
                     "expected a sequence-set, a number or \"(\" (tagged-ext-val), found %s",
                     found(c).text);
}

/* ---- generic tokens, for what the checker does not know ---- */

static bool generic_value(cursor *c);

static bool generic_item(cursor *c, void *ctx)
{
    (void)ctx;
    return generic_value(c);
}

/* A "[...]" inside an atom, as in BODY[HEADER.FIELDS (A B)]. */
static bool bracket_section(cursor *c)
{
    size_t open = c->pos++;
    while (!at(c, ']')) {
        int b = peek(c);
        if (b == END || b == '\r' || b == '\n')
            return violation(c, open, "atom", "\"[\" is not closed by \"]\" before the line end");
        if (b == 0)
            return violation(c, c->pos, "TEXT-CHAR", "NUL byte inside \"[...]\"");
        c->pos++;
    }
    c->pos++;
    return true;
}

static bool generic_word(cursor *c)
{
    size_t start = c->pos;
    for (;;) {
        if (at(c, '[')) {
            if (!bracket_section(c))
                return false;
        } else if (is_word_char(peek(c))) {
            c->pos++;
        } else {
            break;
        }
    }
    if (peek(c) >= 0x80)
        return violation(c, c->pos, "ATOM-CHAR",
                         "8-bit byte 0x%02X in an atom (ATOM-CHAR is 7-bit; use a string)",
                         (unsigned)peek(c));
    if (c->pos == start)
        return violation(c, start, "response-data",
                         "expected an atom, string, literal or list, found %s", found(c).text);
    return true;
}

static bool generic_value(cursor *c)
{
    if (at(c, '('))
        return paren_list(c, "response-data", LIST_MAY_BE_EMPTY | LIST_ADJACENT_SUBLISTS,
                          generic_item, NULL);
    if (at(c, '"'))
        return quoted(c, NULL);
    if (at_literal(c))
        return literal(c, true, NULL);
    return generic_word(c);
}

/* *(SP value) up to the line end, with THREAD-style adjacent lists. */
static bool generic_values(cursor *c, const char *after)
{
    bool prev_list = false;
    for (;;) {
        if (at(c, ' ')) {
            if (!expect_sp(c, "response-data", after))
                return false;
        } else if (!(prev_list && at(c, '('))) {
            return true;
        }
        prev_list = at(c, '(');
        if (!generic_value(c))
            return false;
        after = "a value";
    }
}

/* ======================================================================
 * resp-text and response codes
 * ====================================================================== */

/* N3: RFC 3501 requires text = 1*TEXT-CHAR after a response code and after
 * OK/NO/BAD/BYE; RFC 9051 made it optional.  Strict: violation; with
 * IC_GRAMMAR_LENIENT_TEXT: warning (also for "]" CRLF, which RFC 9051 still
 * rejects for lack of the SP, because servers copying the RFC 7162 examples
 * send exactly that). */
static bool missing_text(cursor *c, const char *message)
{
    if (c->flags & IC_GRAMMAR_LENIENT_TEXT) {
        warning(c, c->pos, "resp-text", "%s", message);
        return true;
    }
    return violation(c, c->pos, "resp-text", "%s", message);
}

/* text = 1*TEXT-CHAR; TEXT-CHAR = <any CHAR except CR and LF>.  8-bit bytes
 * are outside CHAR but common (UTF-8 text): warning.  Stops at the line end
 * and, for response-code arguments, at "]". */
static bool text_chars(cursor *c, bool stop_at_bracket)
{
    for (;;) {
        int b = peek(c);
        if (b == END || b == '\r' || b == '\n' || (stop_at_bracket && b == ']'))
            return true;
        if (b == 0)
            return violation(c, c->pos, "TEXT-CHAR",
                             "NUL byte in text (TEXT-CHAR is a CHAR, %%x01-7F)");
        if (b >= 0x80)
            warning(c, c->pos, "TEXT-CHAR",
                    "8-bit byte 0x%02X in text (RFC 3501 TEXT-CHAR is 7-bit)", (unsigned)b);
        c->pos++;
    }
}

typedef struct code_kind code_kind;
struct code_kind {
    const char *name;
    const char *rule;
    bool (*check)(cursor *c, const code_kind *k);
};

static bool code_bare(cursor *c, const code_kind *k)
{
    (void)c;
    (void)k;
    return true;
}

/* "BADCHARSET" [SP "(" astring *(SP astring) ")"] */
static bool charset_item(cursor *c, void *ctx)
{
    (void)ctx;
    return astring(c, "resp-text-code", "a charset (astring)", NULL);
}

static bool code_badcharset(cursor *c, const code_kind *k)
{
    if (!at(c, ' '))
        return true;
    return expect_sp(c, k->rule, k->name) && paren_list(c, "resp-text-code", 0, charset_item, NULL);
}

/* capability-data = "CAPABILITY" *(SP capability) SP "IMAP4rev1" *(SP capability);
 * capability = ("AUTH=" auth-type) / atom.  IMAP4rev2 (RFC 9051) also counts. */
static bool capability_list(cursor *c, bool need_imap4rev)
{
    size_t start = c->pos;
    bool has_imap4rev = false;
    while (at(c, ' ')) {
        if (!expect_sp(c, "capability-data", "a capability"))
            return false;
        span cap = { 0, 0 };
        if (!atom(c, "capability", "a capability (atom)", &cap))
            return false;
        has_imap4rev |= span_is(c, cap, "IMAP4rev1") || span_is(c, cap, "IMAP4rev2");
    }
    if (need_imap4rev && !has_imap4rev)
        return violation(c, start, "capability-data",
                         "capability-data must list IMAP4rev1 (RFC 3501 s9) or IMAP4rev2");
    return true;
}

static bool code_capability(cursor *c, const code_kind *k)
{
    (void)k;
    return capability_list(c, true);
}

/* "PERMANENTFLAGS" SP "(" [flag-perm *(SP flag-perm)] ")" */
static bool code_permanentflags(cursor *c, const code_kind *k)
{
    return expect_sp(c, k->rule, k->name) && flag_list(c, "flag-perm", FLAG_PERM);
}

/* "UIDNEXT" / "UIDVALIDITY" / "UNSEEN" SP nz-number */
static bool code_nz_number(cursor *c, const code_kind *k)
{
    return expect_sp(c, k->rule, k->name) && number(c, &NZ_NUMBER, k->name, NULL);
}

/* RFC 4315 s4: resp-code-apnd = "APPENDUID" SP nz-number SP append-uid;
 * append-uid = uniqueid / uid-set (MULTIAPPEND).  "123:123" is a valid
 * uid-set; whether a single APPEND may use it is checked elsewhere. */
static bool code_appenduid(cursor *c, const code_kind *k)
{
    return expect_sp(c, k->rule, k->name) && number(c, &NZ_NUMBER, "UIDVALIDITY", NULL) &&
           expect_sp(c, k->rule, "the UIDVALIDITY") && sequence_set(c, "uid-set", false);
}

/* RFC 4315 s4: resp-code-copy = "COPYUID" SP nz-number SP uid-set SP uid-set */
static bool code_copyuid(cursor *c, const code_kind *k)
{
    return expect_sp(c, k->rule, k->name) && number(c, &NZ_NUMBER, "UIDVALIDITY", NULL) &&
           expect_sp(c, k->rule, "the UIDVALIDITY") && sequence_set(c, "uid-set", false) &&
           expect_sp(c, k->rule, "the source uid-set") && sequence_set(c, "uid-set", false);
}

/* RFC 7162 s7: "HIGHESTMODSEQ" SP mod-sequence-value (0 not allowed, N6) */
static bool code_highestmodseq(cursor *c, const code_kind *k)
{
    return expect_sp(c, k->rule, k->name) && number(c, &MODSEQ_VALUE, k->name, NULL);
}

/* RFC 7162 s7: "MODIFIED" SP sequence-set (Erratum 3506) */
static bool code_modified(cursor *c, const code_kind *k)
{
    return expect_sp(c, k->rule, k->name) && sequence_set(c, "sequence-set", true);
}

/* Known codes are parsed by their own rule before the catch-all (N4). */
static const code_kind known_codes[] = {
    { "ALERT", "resp-text-code", code_bare },
    { "PARSE", "resp-text-code", code_bare },
    { "READ-ONLY", "resp-text-code", code_bare },
    { "READ-WRITE", "resp-text-code", code_bare },
    { "TRYCREATE", "resp-text-code", code_bare },
    { "UIDNOTSTICKY", "resp-text-code", code_bare },        /* RFC 4315 */
    { "NOMODSEQ", "resp-text-code", code_bare },            /* RFC 7162 */
    { "CLOSED", "resp-text-code", code_bare },              /* RFC 7162 */
    { "BADCHARSET", "resp-text-code", code_badcharset },
    { "CAPABILITY", "capability-data", code_capability },
    { "PERMANENTFLAGS", "resp-text-code", code_permanentflags },
    { "UIDNEXT", "resp-text-code", code_nz_number },
    { "UIDVALIDITY", "resp-text-code", code_nz_number },
    { "UNSEEN", "resp-text-code", code_nz_number },
    { "APPENDUID", "resp-code-apnd", code_appenduid },
    { "COPYUID", "resp-code-copy", code_copyuid },
    { "HIGHESTMODSEQ", "resp-text-code", code_highestmodseq },
    { "MODIFIED", "resp-text-code", code_modified },
};

/* The catch-all: atom [SP 1*<any TEXT-CHAR except "]">] */
static bool code_other(cursor *c, span name)
{
    if (!accept(c, ' '))
        return true;
    if (at(c, ']') || at_line_end(c))
        return violation(c, c->pos, "resp-text-code",
                         "expected text after \"%.*s \" (atom [SP 1*<any TEXT-CHAR except "
                         "\"]\">]), found %s",
                         (int)(name.len > 32 ? 32 : name.len), (const char *)c->p + name.start,
                         found(c).text);
    return text_chars(c, true);
}

/* "[" resp-text-code "]" */
static bool resp_text_code(cursor *c)
{
    c->pos++;                  /* "[" */
    span name = { 0, 0 };
    if (!token_run(c, is_name_char, "resp-text-code", "a response code (atom)", &name))
        return false;
    const code_kind *k = FIND(c, name, known_codes);
    if (k ? !k->check(c, k) : !code_other(c, name))
        return false;
    if (!accept(c, ']'))
        return violation(c, c->pos, k ? k->rule : "resp-text-code",
                         "expected \"]\" to end the %.*s response code, found %s",
                         (int)(name.len > 32 ? 32 : name.len), (const char *)c->p + name.start,
                         found(c).text);
    return true;
}

/* resp-text = ["[" resp-text-code "]" SP] text, after the SP that follows
 * the condition; text may itself start with SP, so no double-space check. */
static bool resp_text(cursor *c)
{
    if (at(c, '[')) {
        if (!resp_text_code(c))
            return false;
        if (at_line_end(c))
            return missing_text(c, "expected SP and text after \"]\" (resp-text = [\"[\" "
                                   "resp-text-code \"]\" SP] text; RFC 9051 also needs the SP)");
        if (!accept(c, ' '))
            return violation(c, c->pos, "resp-text",
                             "expected SP after \"]\" (resp-text = [\"[\" resp-text-code \"]\" "
                             "SP] text), found %s",
                             found(c).text);
        if (at_line_end(c))
            return missing_text(c, "expected text after \"]\" (resp-text = [\"[\" "
                                   "resp-text-code \"]\" SP] text)");
    }
    return text_chars(c, false);
}

/* resp-cond-state / resp-cond-bye / resp-cond-auth:
 * ("OK" / "NO" / "BAD" / "BYE" / "PREAUTH") SP resp-text, after the keyword. */
static bool cond_resp_text(cursor *c, const char *cond, const char *rule)
{
    if (at_line_end(c)) {
        char message[128];
        snprintf(message, sizeof message, "expected SP and text after %s (resp-text = [\"[\" "
                                          "resp-text-code \"]\" SP] text)", cond);
        return missing_text(c, message);
    }
    if (!accept(c, ' '))
        return violation(c, c->pos, rule, "expected SP after %s, found %s", cond, found(c).text);
    if (at_line_end(c))
        return missing_text(c, "expected text after SP (resp-text = [\"[\" resp-text-code \"]\" "
                               "SP] text)");
    return resp_text(c);
}

/* ======================================================================
 * Mailbox data: CAPABILITY, ENABLED, FLAGS, LIST/LSUB, STATUS, SEARCH,
 * ESEARCH, VANISHED, NAMESPACE, ID
 * ====================================================================== */

typedef struct resp_kind resp_kind;
struct resp_kind {
    const char *name;
    const char *rule;
    bool (*check)(cursor *c, const resp_kind *k);
};

static bool resp_capability(cursor *c, const resp_kind *k)
{
    (void)k;
    return capability_list(c, true);
}

/* RFC 5161 s4: enable-data = "ENABLED" *(SP capability) */
static bool resp_enabled(cursor *c, const resp_kind *k)
{
    (void)k;
    return capability_list(c, false);
}

/* "FLAGS" SP flag-list: flag excludes "\*" */
static bool resp_flags(cursor *c, const resp_kind *k)
{
    return expect_sp(c, k->rule, k->name) && flag_list(c, "flag-list", FLAG_PLAIN);
}

/* mailbox = "INBOX" / astring */
static bool mailbox(cursor *c)
{
    return astring(c, "mailbox", "a mailbox name (astring)", NULL);
}

/* DQUOTE QUOTED-CHAR DQUOTE / nil: LIST delimiter and RFC 2342 Namespace-Descr */
static bool hierarchy_delimiter(cursor *c, const char *rule)
{
    if (accept_nil(c))
        return true;
    size_t start = c->pos;
    str_value v = { { 0, 0 }, 0 };
    if (!at(c, '"'))
        return violation(c, start, rule,
                         "expected the hierarchy delimiter (one quoted character or NIL), found %s",
                         found(c).text);
    if (!quoted(c, &v))
        return false;
    if (v.octets != 1)
        return violation(c, start, rule,
                         "the hierarchy delimiter must be exactly one QUOTED-CHAR (DQUOTE "
                         "QUOTED-CHAR DQUOTE / nil), found %zu",
                         v.octets);
    return true;
}

typedef struct list_attrs {
    span selectability;        /* the first of \Noselect/\Marked/\Unmarked/\NonExistent */
    span children;             /* the first of \HasChildren/\HasNoChildren */
} list_attrs;

static bool attr_is_one_of(const cursor *c, span attr, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (span_is(c, attr, names[i]))
            return true;
    return false;
}

/* Remembers the first attribute of a group; a second one is a violation. */
static bool at_most_one(cursor *c, span attr, span *seen, const char *rule, const char *why)
{
    if (seen->len) {
        return violation(c, attr.start, rule, "%.*s after %.*s: %s",
                         (int)(attr.len > 40 ? 40 : attr.len), (const char *)c->p + attr.start,
                         (int)(seen->len > 40 ? 40 : seen->len), (const char *)c->p + seen->start,
                         why);
    }
    *seen = attr;
    return true;
}

/* N10: RFC 3501 mbx-list-sflag ("only one per LIST response") plus RFC 5258
 * \NonExistent; RFC 5258 child-mbox-flag ("at most one possible"). */
static bool list_attr_item(cursor *c, void *ctx)
{
    static const char *const selectability[] = { "\\Noselect", "\\Marked", "\\Unmarked",
                                                  "\\NonExistent" };
    static const char *const children[] = { "\\HasChildren", "\\HasNoChildren" };
    list_attrs *attrs = ctx;
    span attr = { 0, 0 };
    if (!flag(c, FLAG_MAILBOX_ATTR, &attr))
        return false;
    if (attr_is_one_of(c, attr, selectability, ARRAY_LEN(selectability)))
        return at_most_one(c, attr, &attrs->selectability, "mbx-list-flags",
                           "only one of \\Noselect, \\Marked, \\Unmarked, \\NonExistent per LIST "
                           "response (RFC 3501 mbx-list-sflag, RFC 5258)");
    if (attr_is_one_of(c, attr, children, ARRAY_LEN(children)))
        return at_most_one(c, attr, &attrs->children, "child-mbox-flag",
                           "only one of \\HasChildren, \\HasNoChildren per LIST reply (RFC 5258)");
    return true;
}

/* RFC 5258 s6: childinfo-extended-item payload: selection options, always quoted */
static bool childinfo_item(cursor *c, void *ctx)
{
    (void)ctx;
    if (!at(c, '"'))
        return violation(c, c->pos, "childinfo-extended-item",
                         "CHILDINFO selection options are always quoted (RFC 5258 s6), found %s",
                         found(c).text);
    return quoted(c, NULL);
}

/* mbox-list-extended-item = mbox-list-extended-item-tag SP tagged-ext-val */
static bool mbox_list_extended_item(cursor *c, void *ctx)
{
    (void)ctx;
    str_value tag = { { 0, 0 }, 0 };
    if (!astring(c, "mbox-list-extended-item-tag", "an extended item tag (astring)", &tag) ||
        !expect_sp(c, "mbox-list-extended-item", "the extended item tag"))
        return false;
    if (string_value_is(c, tag, "CHILDINFO"))
        return paren_list(c, "childinfo-extended-item", 0, childinfo_item, NULL);
    return tagged_ext_val(c);
}

/* RFC 5258 s6: mailbox-list = "(" [mbx-list-flags] ")" SP
 *   (DQUOTE QUOTED-CHAR DQUOTE / nil) SP mailbox [SP mbox-list-extended] */
static bool mailbox_list(cursor *c)
{
    list_attrs attrs = { { 0, 0 }, { 0, 0 } };
    if (!paren_list(c, "mbx-list-flags", LIST_MAY_BE_EMPTY, list_attr_item, &attrs) ||
        !expect_sp(c, "mailbox-list", "the mailbox attributes") ||
        !hierarchy_delimiter(c, "mailbox-list") ||
        !expect_sp(c, "mailbox-list", "the hierarchy delimiter") || !mailbox(c))
        return false;
    if (!at(c, ' '))
        return true;
    if (!expect_sp(c, "mailbox-list", "the mailbox name"))
        return false;
    if (!at(c, '('))
        return violation(c, c->pos, "mailbox-list",
                         "expected \"(\" (mbox-list-extended) or CRLF after the mailbox name, "
                         "found %s; a mailbox name with SP must be quoted",
                         found(c).text);
    return paren_list(c, "mbox-list-extended", LIST_MAY_BE_EMPTY, mbox_list_extended_item, NULL);
}

static bool resp_list(cursor *c, const resp_kind *k)
{
    return expect_sp(c, k->rule, k->name) && mailbox_list(c);
}

/* ---- labelled values: STATUS items and ESEARCH return data ---- */

typedef enum value_kind {
    VALUE_NUMBER,              /* per num_spec */
    VALUE_NUMBER_OR_NIL,
    VALUE_SEQUENCE_SET,
    VALUE_OBJECTID,            /* RFC 8474: "(" objectid ")" */
} value_kind;

typedef struct labelled_kind {
    const char *name;
    value_kind kind;
    const num_spec *spec;
} labelled_kind;

/* RFC 4466 status-att-val + RFC 7162 HIGHESTMODSEQ (valzer, N5/N6) + known
 * extras: RFC 8438 SIZE, RFC 9051 DELETED, RFC 7889 APPENDLIMIT, RFC 8474
 * MAILBOXID, RFC 9208 DELETED-STORAGE. */
static const labelled_kind status_items[] = {
    { "MESSAGES", VALUE_NUMBER, &NUMBER },
    { "RECENT", VALUE_NUMBER, &NUMBER },
    { "UIDNEXT", VALUE_NUMBER, &NZ_NUMBER },
    { "UIDVALIDITY", VALUE_NUMBER, &NZ_NUMBER },
    { "UNSEEN", VALUE_NUMBER, &NUMBER },
    { "HIGHESTMODSEQ", VALUE_NUMBER, &MODSEQ_VALZER },
    { "SIZE", VALUE_NUMBER, &NUMBER64 },
    { "DELETED", VALUE_NUMBER, &NUMBER },
    { "DELETED-STORAGE", VALUE_NUMBER, &NUMBER64 },
    { "APPENDLIMIT", VALUE_NUMBER_OR_NIL, &NUMBER },
    { "MAILBOXID", VALUE_OBJECTID, NULL },
};

/* RFC 4731 s3 search-return-data, + MODSEQ (RFC 4731 s4 / RFC 7162). */
static const labelled_kind esearch_items[] = {
    { "MIN", VALUE_NUMBER, &NZ_NUMBER },
    { "MAX", VALUE_NUMBER, &NZ_NUMBER },
    { "COUNT", VALUE_NUMBER, &NUMBER },
    { "ALL", VALUE_SEQUENCE_SET, NULL },
    { "MODSEQ", VALUE_NUMBER, &MODSEQ_VALUE },
};

static bool is_objectid_char(int b)
{
    return is_alpha(b) || is_digit(b) || b == '_' || b == '-';
}

/* RFC 8474 s7: objectid = 1*255(ALPHA / DIGIT / "_" / "-"), in parentheses */
static bool paren_objectid(cursor *c, const char *rule)
{
    if (!open_list(c, rule, "the object id"))
        return false;
    size_t n = run_length(c, is_objectid_char);
    if (n == 0 || n > 255)
        return violation(c, c->pos, "objectid",
                         "expected an objectid (1*255(ALPHA / DIGIT / \"_\" / \"-\")), found %s",
                         found(c).text);
    skip(c, n);
    return close_list(c, rule, "the object id");
}

static bool labelled_value(cursor *c, const labelled_kind *k, const char *rule)
{
    switch (k->kind) {
    case VALUE_NUMBER_OR_NIL:
        if (accept_nil(c))
            return true;
        /* fall through */
    case VALUE_NUMBER:
        return number(c, k->spec, k->name, NULL);
    case VALUE_SEQUENCE_SET:
        return sequence_set(c, "sequence-set", true);
    case VALUE_OBJECTID:
        return paren_objectid(c, rule);
    }
    return false;
}

/* label SP value; labels not in the table take RFC 4466 tagged-ext-val.
 * Unknown STATUS items are accepted silently: RFC 4466 s2.1 tells
 * extensions to use exactly this tagged-ext syntax. */
static bool labelled_item(cursor *c, const labelled_kind *table, size_t count, const char *rule)
{
    span label = { 0, 0 };
    if (!tagged_ext_label(c, rule, &label))
        return false;
    if (!expect_sp(c, rule, "the item name"))
        return false;
    const labelled_kind *k = find_by_name(c, label, table, sizeof table[0], count);
    return k ? labelled_value(c, k, rule) : tagged_ext_val(c);
}

static bool status_item(cursor *c, void *ctx)
{
    (void)ctx;
    return labelled_item(c, status_items, ARRAY_LEN(status_items), "status-att-val");
}

/* RFC 4466: "STATUS" SP mailbox SP "(" [status-att-val *(SP status-att-val)] ")" */
static bool resp_status(cursor *c, const resp_kind *k)
{
    return expect_sp(c, k->rule, k->name) && mailbox(c) &&
           expect_sp(c, k->rule, "the mailbox name") &&
           paren_list(c, "status-att-list", LIST_MAY_BE_EMPTY, status_item, NULL);
}

/* RFC 7162 s7: search-sort-mod-seq = "(" "MODSEQ" SP mod-sequence-value ")" */
static bool search_sort_mod_seq(cursor *c)
{
    if (!open_list(c, "search-sort-mod-seq", "(MODSEQ n)"))
        return false;
    if (!looking_at(c, 0, "MODSEQ"))
        return violation(c, c->pos, "search-sort-mod-seq", "expected MODSEQ after \"(\", found %s",
                         found(c).text);
    skip(c, 6);
    return expect_sp(c, "search-sort-mod-seq", "MODSEQ") &&
           number(c, &MODSEQ_VALUE, "the highest mod-sequence of the results", NULL) &&
           close_list(c, "search-sort-mod-seq", "(MODSEQ n)");
}

/* mailbox-data =/ "SEARCH" [1*(SP nz-number) SP search-sort-mod-seq] */
static bool resp_search(cursor *c, const resp_kind *k)
{
    bool any_number = false;
    while (at(c, ' ')) {
        if (!expect_sp(c, k->rule, any_number ? "a number" : k->name))
            return false;
        if (at(c, '(')) {
            if (!any_number)
                return violation(c, c->pos, "search-sort-mod-seq",
                                 "(MODSEQ n) needs at least one number before it (\"SEARCH\" "
                                 "[1*(SP nz-number) SP search-sort-mod-seq])");
            return search_sort_mod_seq(c);
        }
        if (!number(c, &NZ_NUMBER, "a message number or UID", NULL))
            return false;
        any_number = true;
    }
    return true;
}

/* RFC 4466 s2.6.2: search-correlator = SP "(" "TAG" SP tag-string ")";
 * RFC 7377 adds SP "MAILBOX" SP mailbox SP "UIDVALIDITY" SP nz-number. */
static bool search_correlator(cursor *c)
{
    const char *rule = "search-correlator";
    if (!open_list(c, rule, "the search correlator"))
        return false;
    if (!looking_at(c, 0, "TAG"))
        return violation(c, c->pos, rule, "expected TAG after \"(\", found %s", found(c).text);
    skip(c, 3);
    if (!expect_sp(c, rule, "TAG") || !string(c, rule, "the command tag (tag-string)", NULL))
        return false;
    if (at(c, ' ') && looking_at(c, 1, "MAILBOX ")) {
        skip(c, 8);
        if (!expect_sp(c, rule, "MAILBOX") || !mailbox(c) || !expect_sp(c, rule, "the mailbox"))
            return false;
        if (!looking_at(c, 0, "UIDVALIDITY"))
            return violation(c, c->pos, rule, "expected UIDVALIDITY after the mailbox, found %s",
                             found(c).text);
        skip(c, 11);
        if (!expect_sp(c, rule, "UIDVALIDITY") || !number(c, &NZ_NUMBER, "UIDVALIDITY", NULL))
            return false;
    }
    return close_list(c, rule, "the search correlator");
}

/* RFC 4466: esearch-response = "ESEARCH" [search-correlator] [SP "UID"]
 *   *(SP search-return-data) */
static bool resp_esearch(cursor *c, const resp_kind *k)
{
    if (at(c, ' ') && peek_at(c, 1) == '(') {
        c->pos++;
        if (!search_correlator(c))
            return false;
    }
    if (at(c, ' ') && looking_at(c, 1, "UID") && !is_label_char(peek_at(c, 4)))
        skip(c, 4);
    while (at(c, ' ')) {
        if (!expect_sp(c, k->rule, "the previous item") ||
            !labelled_item(c, esearch_items, ARRAY_LEN(esearch_items), "search-return-data"))
            return false;
    }
    return true;
}

/* RFC 7162 s7: expunged-resp = "VANISHED" [SP "(EARLIER)"] SP known-uids */
static bool resp_vanished(cursor *c, const resp_kind *k)
{
    if (!expect_sp(c, k->rule, k->name))
        return false;
    if (at(c, '(')) {
        if (!looking_at(c, 0, "(EARLIER)"))
            return violation(c, c->pos, k->rule,
                             "expected (EARLIER) or known-uids after VANISHED, found %s",
                             found(c).text);
        skip(c, 9);
        if (!expect_sp(c, k->rule, "(EARLIER)"))
            return false;
    }
    return sequence_set(c, "known-uids", false);
}

/* ---- RFC 2342 NAMESPACE ---- */

static bool string_item(cursor *c, void *ctx)
{
    return string(c, (const char *)ctx, "a string", NULL);
}

/* Namespace-Descr = "(" string SP (DQUOTE QUOTED-CHAR DQUOTE / nil)
 *   *(Namespace-Response-Extension) ")";
 * Namespace-Response-Extension = SP string SP "(" string *(SP string) ")" */
static bool namespace_descr(cursor *c, void *ctx)
{
    (void)ctx;
    const char *rule = "Namespace-Descr";
    if (!open_list(c, rule, rule) || !string(c, rule, "the namespace prefix", NULL) ||
        !expect_sp(c, rule, "the namespace prefix") || !hierarchy_delimiter(c, rule))
        return false;
    while (at(c, ' ')) {
        const char *ext = "Namespace-Response-Extension";
        if (!expect_sp(c, ext, "the previous namespace field") ||
            !string(c, ext, "an extension name", NULL) ||
            !expect_sp(c, ext, "the extension name") ||
            !paren_list(c, ext, 0, string_item, (void *)ext))
            return false;
    }
    return close_list(c, rule, rule);
}

/* Namespace = nil / "(" 1*Namespace-Descr ")" */
static bool namespace(cursor *c)
{
    if (accept_nil(c))
        return true;
    if (!at(c, '('))
        return violation(c, c->pos, "Namespace", "expected \"(\" or NIL (Namespace), found %s",
                         found(c).text);
    return paren_concat(c, "Namespace", namespace_descr, NULL);
}

/* Namespace-Response = "NAMESPACE" SP Namespace SP Namespace SP Namespace */
static bool resp_namespace(cursor *c, const resp_kind *k)
{
    static const char *const which[] = { "NAMESPACE", "the personal namespaces",
                                         "the other users' namespaces" };
    for (size_t i = 0; i < ARRAY_LEN(which); i++)
        if (!expect_sp(c, k->rule, which[i]) || !namespace(c))
            return false;
    return true;
}

/* ---- RFC 2971 ID ---- */

typedef struct id_params {
    size_t pairs;
} id_params;

/* RFC 2971 s3.3: fields at most 30 octets, values at most 1024, at most 30 pairs. */
static bool id_pair(cursor *c, void *ctx)
{
    id_params *params = ctx;
    const char *rule = "id-params-list";
    size_t start = c->pos;
    str_value name = { { 0, 0 }, 0 };
    str_value value = { { 0, 0 }, 0 };
    if (++params->pairs > 30)
        return violation(c, start, rule, "more than 30 field-value pairs (RFC 2971 s3.3)");
    if (!string(c, rule, "a field name (string)", &name))
        return false;
    if (name.octets > 30)
        return violation(c, start, rule, "field name of %zu octets; at most 30 (RFC 2971 s3.3)",
                         name.octets);
    size_t value_at = c->pos + 1;
    if (!expect_sp(c, rule, "the field name") ||
        !nstring_or_literal8(c, rule, "a field value", false, &value))
        return false;
    if (value.octets > 1024)
        return violation(c, value_at, rule,
                         "field value of %zu octets; at most 1024 (RFC 2971 s3.3)",
                         value.octets);
    return true;
}

/* RFC 2971 s4: id_response ::= "ID" SPACE id_params_list;
 * id_params_list ::= "(" #(string SPACE nstring) ")" / nil.  "#" allows an
 * empty list, so "()" is accepted. */
static bool resp_id(cursor *c, const resp_kind *k)
{
    if (!expect_sp(c, k->rule, k->name))
        return false;
    if (accept_nil(c))
        return true;
    id_params params = { 0 };
    return paren_list(c, "id-params-list", LIST_MAY_BE_EMPTY, id_pair, &params);
}

/* ======================================================================
 * Message data: FETCH msg-att
 * ====================================================================== */

static bool body(cursor *c);

static bool fld_nstring(cursor *c, const char *what)
{
    return nstring(c, "nstring", what);
}

static bool fld_string(cursor *c, const char *what)
{
    return string(c, "string", what, NULL);
}

static bool fld_number(cursor *c, const char *what)
{
    return number(c, &NUMBER, what, NULL);
}

/* ---- envelope (RFC 3501 s9) ---- */

static const field address_fields[] = {
    { "addr-name", fld_nstring },
    { "addr-adl", fld_nstring },
    { "addr-mailbox", fld_nstring },
    { "addr-host", fld_nstring },
};

/* address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")" */
static bool address(cursor *c, void *ctx)
{
    (void)ctx;
    return paren_tuple(c, "address", address_fields, ARRAY_LEN(address_fields));
}

/* env-from etc. = "(" 1*address ")" / nil */
static bool fld_address_list(cursor *c, const char *what)
{
    if (accept_nil(c))
        return true;
    if (!at(c, '('))
        return violation(c, c->pos, "envelope",
                         "expected %s (\"(\" 1*address \")\" / nil), found %s",
                         what, found(c).text);
    return paren_concat(c, "address-list", address, NULL);
}

static const field envelope_fields[] = {
    { "env-date", fld_nstring },
    { "env-subject", fld_nstring },
    { "env-from", fld_address_list },
    { "env-sender", fld_address_list },
    { "env-reply-to", fld_address_list },
    { "env-to", fld_address_list },
    { "env-cc", fld_address_list },
    { "env-bcc", fld_address_list },
    { "env-in-reply-to", fld_nstring },
    { "env-message-id", fld_nstring },
};

static bool envelope(cursor *c)
{
    return paren_tuple(c, "envelope", envelope_fields, ARRAY_LEN(envelope_fields));
}

static bool fld_envelope(cursor *c, const char *what)
{
    (void)what;
    return envelope(c);
}

static bool fld_body(cursor *c, const char *what)
{
    (void)what;
    return body(c);
}

/* ---- body structure (RFC 3501 s9, RFC 9051 message/global) ---- */

static bool string_pair(cursor *c, void *ctx)
{
    const char *rule = ctx;
    return string(c, rule, "a parameter name", NULL) && expect_sp(c, rule, "the parameter name") &&
           string(c, rule, "a parameter value", NULL);
}

/* body-fld-param = "(" string SP string *(SP string SP string) ")" / nil */
static bool fld_param(cursor *c, const char *what)
{
    (void)what;
    if (accept_nil(c))
        return true;
    return paren_list(c, "body-fld-param", 0, string_pair, "body-fld-param");
}

/* body-fld-dsp = "(" string SP body-fld-param ")" / nil */
static bool fld_disposition(cursor *c, const char *what)
{
    static const field disposition_fields[] = {
        { "the disposition type", fld_string },
        { "the disposition parameters", fld_param },
    };
    (void)what;
    if (accept_nil(c))
        return true;
    return paren_tuple(c, "body-fld-dsp", disposition_fields, ARRAY_LEN(disposition_fields));
}

/* body-fld-lang = nstring / "(" string *(SP string) ")" */
static bool fld_language(cursor *c, const char *what)
{
    if (at(c, '('))
        return paren_list(c, "body-fld-lang", 0, string_item, "body-fld-lang");
    return nstring(c, "body-fld-lang", what);
}

/* body-extension = nstring / number / "(" body-extension *(SP body-extension) ")" */
static bool body_extension(cursor *c, void *ctx)
{
    (void)ctx;
    if (at(c, '('))
        return paren_list(c, "body-extension", 0, body_extension, NULL);
    if (is_digit(peek(c)))
        return number(c, &NUMBER, "a body extension number", NULL);
    return nstring(c, "body-extension", "a body extension (nstring, number or list)");
}

/* [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]]],
 * the tail shared by body-ext-1part and body-ext-mpart. */
static bool body_ext_tail(cursor *c, const char *rule)
{
    static const field optional_fields[] = {
        { "body-fld-dsp", fld_disposition },
        { "body-fld-lang", fld_language },
        { "body-fld-loc", fld_nstring },
    };
    const char *after = "the body extension";
    for (size_t i = 0; i < ARRAY_LEN(optional_fields) && at(c, ' '); i++) {
        if (!expect_sp(c, rule, after) ||
            !optional_fields[i].check(c, optional_fields[i].what))
            return false;
        after = optional_fields[i].what;
    }
    while (at(c, ' '))
        if (!expect_sp(c, rule, "a body extension") || !body_extension(c, NULL))
            return false;
    return true;
}

static const field body_fields[] = {
    { "body-fld-param", fld_param },
    { "body-fld-id", fld_nstring },
    { "body-fld-desc", fld_nstring },
    { "body-fld-enc", fld_string },
    { "body-fld-octets", fld_number },
};

/* body-type-msg's tail after body-fields: SP envelope SP body SP body-fld-lines */
static const field message_fields[] = {
    { "envelope", fld_envelope },
    { "body", fld_body },
    { "body-fld-lines", fld_number },
};

/* body-type-1part = (body-type-basic / body-type-msg / body-type-text)
 *   [SP body-ext-1part]; the media type decides the form. */
static bool body_1part(cursor *c)
{
    const char *rule = "body-type-1part";
    str_value type = { { 0, 0 }, 0 };
    str_value subtype = { { 0, 0 }, 0 };
    if (!string(c, rule, "the media type", &type) || !expect_sp(c, rule, "the media type") ||
        !string(c, rule, "the media subtype", &subtype) ||
        !expect_sp(c, rule, "the media subtype") ||
        !field_sequence(c, "body-fields", body_fields, ARRAY_LEN(body_fields)))
        return false;
    bool is_message = string_value_is(c, type, "MESSAGE");
    /* RFC 9051 adds MESSAGE/GLOBAL to media-message; RFC 3501 servers send
     * it as body-type-basic, so an envelope must follow to take that form. */
    bool global_as_message = string_value_is(c, subtype, "GLOBAL") && at(c, ' ') &&
                             peek_at(c, 1) == '(';
    if (is_message && (string_value_is(c, subtype, "RFC822") || global_as_message)) {
        if (!expect_sp(c, "body-type-msg", "body-fields") ||
            !field_sequence(c, "body-type-msg", message_fields, ARRAY_LEN(message_fields)))
            return false;
    } else if (string_value_is(c, type, "TEXT")) {
        if (!expect_sp(c, "body-type-text", "body-fields") ||
            !number(c, &NUMBER, "body-fld-lines", NULL))
            return false;
    }
    if (!at(c, ' '))
        return true;
    /* body-ext-1part = body-fld-md5 [SP body-fld-dsp ...] */
    return expect_sp(c, rule, "the body fields") && nstring(c, "body-fld-md5", "body-fld-md5") &&
           body_ext_tail(c, "body-ext-1part");
}

/* body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart];
 * body-ext-mpart = body-fld-param [SP body-fld-dsp ...] */
static bool body_mpart(cursor *c)
{
    const char *rule = "body-type-mpart";
    do {
        if (!body(c))
            return false;
    } while (at(c, '('));
    if (at(c, ' ') && peek_at(c, 1) == '(')
        return violation(c, c->pos, rule,
                         "the parts of a multipart body follow each other without SP (1*body SP "
                         "media-subtype)");
    if (!expect_sp(c, rule, "the body parts") ||
        !string(c, rule, "the multipart subtype", NULL))
        return false;
    if (!at(c, ' '))
        return true;
    return expect_sp(c, rule, "the multipart subtype") && fld_param(c, "body-fld-param") &&
           body_ext_tail(c, "body-ext-mpart");
}

/* body = "(" (body-type-1part / body-type-mpart) ")" */
static bool body(cursor *c)
{
    if (!open_list(c, "body", "a body structure"))
        return false;
    if (!(at(c, '(') ? body_mpart(c) : body_1part(c)))
        return false;
    return close_list(c, "body", "the body structure");
}

/* ---- sections and dates ---- */

/* section-part = nz-number *("." nz-number) */
static bool section_part(cursor *c)
{
    do {
        if (!number(c, &NZ_NUMBER, "a section part number", NULL))
            return false;
    } while (at(c, '.') && is_digit(peek_at(c, 1)) && accept(c, '.'));
    return true;
}

static bool header_name_item(cursor *c, void *ctx)
{
    (void)ctx;
    return astring(c, "header-list", "a header field name (astring)", NULL);
}

/* section-msgtext = "HEADER" / "HEADER.FIELDS" [".NOT"] SP header-list / "TEXT";
 * section-text = section-msgtext / "MIME" (only after a section-part) */
static bool section_text(cursor *c, bool after_part)
{
    size_t start = c->pos;
    span word = { start, run_length(c, is_keyword_char) };
    skip(c, word.len);
    if (span_is(c, word, "HEADER.FIELDS") || span_is(c, word, "HEADER.FIELDS.NOT"))
        return expect_sp(c, "section-msgtext", "HEADER.FIELDS") &&
               paren_list(c, "header-list", 0, header_name_item, NULL);
    if (span_is(c, word, "HEADER") || span_is(c, word, "TEXT") ||
        (after_part && span_is(c, word, "MIME")))
        return true;
    return violation(c, start, "section-spec",
                     "expected HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT%s in the section, "
                     "found %s",
                     after_part ? " or MIME" : "", found_at(c, start).text);
}

/* section = "[" [section-spec] "]";
 * section-spec = section-msgtext / (section-part ["." section-text]) */
static bool section(cursor *c)
{
    if (!expect_char(c, '[', "section", "to open the section"))
        return false;
    if (is_digit(peek(c))) {
        if (!section_part(c))
            return false;
        if (accept(c, '.') && !section_text(c, true))
            return false;
    } else if (!at(c, ']') && !section_text(c, false)) {
        return false;
    }
    return expect_char(c, ']', "section", "to close the section");
}

/* RFC 3516 s4.2: section-binary = "[" [section-part] "]" */
static bool section_binary(cursor *c)
{
    if (!expect_char(c, '[', "section-binary", "to open the section"))
        return false;
    if (!at(c, ']') && !section_part(c))
        return false;
    return expect_char(c, ']', "section-binary", "to close the section");
}

/* ["<" number ">"]: the origin octet of a partial fetch */
static bool optional_origin(cursor *c)
{
    if (!accept(c, '<'))
        return true;
    return number(c, &NUMBER, "the origin octet", NULL) &&
           expect_char(c, '>', "msg-att", "after the origin octet");
}

static bool month_here(const cursor *c)
{
    static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    for (size_t i = 0; i < ARRAY_LEN(months); i++)
        if (looking_at(c, 0, months[i]))
            return true;
    return false;
}

/* date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP
 * zone DQUOTE; date-day-fixed = (SP DIGIT) / 2DIGIT; zone = ("+" / "-") 4DIGIT.
 * Shape letters: D day's first char, d DIGIT, M month, z zone sign. */
static bool date_time(cursor *c)
{
    static const char shape[] = "\"Dd-M-dddd dd:dd:dd zdddd\"";
    for (const char *s = shape; *s; s++) {
        int b = peek(c);
        bool ok;
        switch (*s) {
        case 'D': ok = b == ' ' || is_digit(b); break;
        case 'd': ok = is_digit(b); break;
        case 'M': ok = month_here(c); break;
        case 'z': ok = b == '+' || b == '-'; break;
        default: ok = b == *s; break;
        }
        if (!ok)
            return violation(c, c->pos, "date-time",
                             "expected date-time \"dd-Mon-yyyy hh:mm:ss +zzzz\", found %s",
                             found(c).text);
        skip(c, *s == 'M' ? 3 : 1);
    }
    return true;
}

/* ---- msg-att items ---- */

typedef struct att_kind att_kind;
struct att_kind {
    const char *name;
    bool (*check)(cursor *c, const att_kind *k);
};

static bool att_sp(cursor *c, const att_kind *k)
{
    return expect_sp(c, "msg-att", k->name);
}

/* "FLAGS" SP "(" [flag-fetch *(SP flag-fetch)] ")"; flag-fetch = flag / "\Recent" */
static bool att_flags(cursor *c, const att_kind *k)
{
    return att_sp(c, k) && flag_list(c, "flag-fetch", FLAG_PLAIN);
}

/* "UID" SP uniqueid */
static bool att_uid(cursor *c, const att_kind *k)
{
    return att_sp(c, k) && number(c, &NZ_NUMBER, "the UID (uniqueid)", NULL);
}

/* RFC 7162 s7: fetch-mod-resp = "MODSEQ" SP "(" permsg-modsequence ")" */
static bool att_modseq(cursor *c, const att_kind *k)
{
    return att_sp(c, k) && open_list(c, "fetch-mod-resp", "the MODSEQ value") &&
           number(c, &MODSEQ_VALUE, "permsg-modsequence", NULL) &&
           close_list(c, "fetch-mod-resp", "the MODSEQ value");
}

static bool att_internaldate(cursor *c, const att_kind *k)
{
    return att_sp(c, k) && date_time(c);
}

static bool att_number(cursor *c, const att_kind *k)
{
    return att_sp(c, k) && number(c, &NUMBER, k->name, NULL);
}

static bool att_nstring(cursor *c, const att_kind *k)
{
    return att_sp(c, k) && nstring(c, "msg-att", k->name);
}

/* "BODY" section ["<" number ">"] SP nstring  /  "BODY" SP body */
static bool att_body(cursor *c, const att_kind *k)
{
    if (!at(c, '['))
        return att_sp(c, k) && body(c);
    return section(c) && optional_origin(c) && att_sp(c, k) &&
           nstring(c, "msg-att", "the section data");
}

static bool att_bodystructure(cursor *c, const att_kind *k)
{
    return att_sp(c, k) && body(c);
}

static bool att_envelope(cursor *c, const att_kind *k)
{
    return att_sp(c, k) && envelope(c);
}

/* RFC 3516 s4.2: "BINARY" section-binary SP (nstring / literal8).  The
 * origin is accepted as for BODY[]<origin>, which servers mirror. */
static bool att_binary(cursor *c, const att_kind *k)
{
    return section_binary(c) && optional_origin(c) && att_sp(c, k) &&
           nstring_or_literal8(c, "msg-att", "the binary data", true, NULL);
}

/* RFC 3516 s4.2: "BINARY.SIZE" section-binary SP number */
static bool att_binary_size(cursor *c, const att_kind *k)
{
    return section_binary(c) && att_sp(c, k) && number(c, &NUMBER, k->name, NULL);
}

/* Known items whose values are checked as one generic value. */
static bool att_generic(cursor *c, const att_kind *k)
{
    return att_sp(c, k) && generic_value(c);
}

/* BODY.PEEK / BINARY.PEEK are fetch-att forms; responses drop ".PEEK". */
static bool att_peek(cursor *c, const att_kind *k)
{
    return violation(c, c->pos - strlen(k->name), "msg-att",
                     "%s is a command form; responses name the item without .PEEK",
                     k->name);
}

static const att_kind att_kinds[] = {
    { "FLAGS", att_flags },
    { "UID", att_uid },
    { "MODSEQ", att_modseq },
    { "INTERNALDATE", att_internaldate },
    { "RFC822.SIZE", att_number },
    { "RFC822", att_nstring },
    { "RFC822.HEADER", att_nstring },
    { "RFC822.TEXT", att_nstring },
    { "BODY", att_body },
    { "BODYSTRUCTURE", att_bodystructure },
    { "ENVELOPE", att_envelope },
    { "BINARY", att_binary },
    { "BINARY.SIZE", att_binary_size },
    { "EMAILID", att_generic },              /* RFC 8474 */
    { "THREADID", att_generic },             /* RFC 8474 */
    { "SAVEDATE", att_generic },             /* RFC 8514 */
    { "PREVIEW", att_generic },              /* RFC 8970 */
    { "BODY.PEEK", att_peek },
    { "BINARY.PEEK", att_peek },
};

/* Items the checker does not know: optional "[...]" and "<n>", SP, one
 * generic value; the verdict becomes UNKNOWN. */
static bool att_unknown(cursor *c, span name)
{
    note_unknown(c, name, "FETCH item");
    if (at(c, '[') && !bracket_section(c))
        return false;
    return optional_origin(c) && expect_sp(c, "msg-att", "the item name") && generic_value(c);
}

static bool msg_att_item(cursor *c, void *ctx)
{
    (void)ctx;
    span name = { 0, 0 };
    if (!token_run(c, is_name_char, "msg-att", "a FETCH data item name", &name))
        return false;
    const att_kind *k = FIND(c, name, att_kinds);
    return k ? k->check(c, k) : att_unknown(c, name);
}

/* message-data = nz-number SP "FETCH" SP msg-att;
 * msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP ...) ")" */
static bool resp_fetch(cursor *c, const resp_kind *k)
{
    return expect_sp(c, k->rule, k->name) && paren_list(c, "msg-att", 0, msg_att_item, NULL);
}

/* ======================================================================
 * Response framing and the public API
 * ====================================================================== */

static const resp_kind untagged_kinds[] = {
    { "CAPABILITY", "capability-data", resp_capability },
    { "ENABLED", "enable-data", resp_enabled },
    { "FLAGS", "mailbox-data", resp_flags },
    { "LIST", "mailbox-data", resp_list },
    { "LSUB", "mailbox-data", resp_list },
    { "STATUS", "mailbox-data", resp_status },
    { "SEARCH", "mailbox-data", resp_search },
    { "ESEARCH", "esearch-response", resp_esearch },
    { "VANISHED", "expunged-resp", resp_vanished },
    { "NAMESPACE", "Namespace-Response", resp_namespace },
    { "ID", "id-response", resp_id },
};

typedef struct numbered_kind {
    resp_kind kind;            /* first member: FIND looks at kind.name */
    const num_spec *spec;      /* of the leading number */
} numbered_kind;

static bool resp_nothing_more(cursor *c, const resp_kind *k)
{
    (void)c;
    (void)k;
    return true;
}

/* mailbox-data: number SP "EXISTS" / number SP "RECENT";
 * message-data: nz-number SP ("EXPUNGE" / ("FETCH" SP msg-att)) */
static const numbered_kind numbered_kinds[] = {
    { { "EXISTS", "mailbox-data", resp_nothing_more }, &NUMBER },
    { { "RECENT", "mailbox-data", resp_nothing_more }, &NUMBER },
    { { "EXPUNGE", "message-data", resp_nothing_more }, &NZ_NUMBER },
    { { "FETCH", "message-data", resp_fetch }, &NZ_NUMBER },
};

typedef enum cond {
    COND_OTHER, COND_OK, COND_NO, COND_BAD, COND_BYE, COND_PREAUTH
} cond;

static cond cond_of(const cursor *c, span name)
{
    static const char *const names[] = { "OK", "NO", "BAD", "BYE", "PREAUTH" };
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (span_is(c, name, names[i]))
            return (cond)(COND_OK + i);
    return COND_OTHER;
}

/* response_name: the name as sent, upper-cased, non-printables as "?". */
static void name_response(cursor *c, span name)
{
    char *out = c->res->response_name;
    size_t n = name.len < sizeof c->res->response_name - 1 ? name.len
                                                            : sizeof c->res->response_name - 1;
    for (size_t i = 0; i < n; i++) {
        int b = c->p[name.start + i];
        out[i] = b > 0x20 && b < 0x7f ? (char)ascii_upper(b) : '?';
    }
    out[n] = '\0';
}

/* A response name: the atom up to SP, "[" or the line end. */
static bool response_name(cursor *c, const char *rule, const char *what, span *name)
{
    if (!token_run(c, is_name_char, rule, what, name))
        return false;
    name_response(c, *name);
    return true;
}

/* A known response: its own rule, then the final CRLF. */
static bool known_response(cursor *c, const resp_kind *k)
{
    return k->check(c, k) && final_crlf(c, k->rule, k->name);
}

/* An unknown response: generic token syntax (verdict UNKNOWN). */
static bool unknown_response(cursor *c, span name)
{
    note_unknown(c, name, "response");
    return generic_values(c, "the response name") &&
           final_crlf(c, "response-data", "the response");
}

/* A status response after "* " or the tag, up to the final CRLF. */
static bool status_response(cursor *c, cond kind)
{
    const char *rule = kind == COND_BYE ? "resp-cond-bye"
                     : kind == COND_PREAUTH ? "resp-cond-auth" : "resp-cond-state";
    return cond_resp_text(c, c->res->response_name, rule) &&
           final_crlf(c, rule, "the response text");
}

/* "* " number SP name ...: the name decides the number's rule, so it is
 * looked up before the number is checked. */
static bool untagged_numbered(cursor *c)
{
    size_t digits = run_length(c, is_digit);
    span name = { c->pos + digits + 1, 0 };
    if (peek_at(c, digits) == ' ')
        while (is_name_char(peek_at(c, digits + 1 + name.len)))
            name.len++;
    name_response(c, name);
    const numbered_kind *k = FIND(c, name, numbered_kinds);
    if (!number(c, k ? k->spec : &NUMBER, k ? k->kind.name : "the message number", NULL) ||
        !expect_sp(c, k ? k->kind.rule : "response-data", "the number") ||
        !response_name(c, "message-data", "EXISTS, RECENT, EXPUNGE or FETCH", &name))
        return false;
    return k ? known_response(c, &k->kind) : unknown_response(c, name);
}

/* greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF */
static bool greeting_response(cursor *c)
{
    size_t start = c->pos;
    span name = { 0, 0 };
    if (is_digit(peek(c)) || !response_name(c, "greeting", "OK, PREAUTH or BYE", &name))
        return violation(c, start, "greeting",
                         "expected OK, PREAUTH or BYE in the greeting, found %s",
                         found_at(c, start).text);
    cond kind = cond_of(c, name);
    if (kind != COND_OK && kind != COND_PREAUTH && kind != COND_BYE)
        return violation(c, start, "greeting",
                         "expected OK, PREAUTH or BYE in the greeting (greeting = \"*\" SP "
                         "(resp-cond-auth / resp-cond-bye) CRLF), found %s",
                         found_at(c, start).text);
    return status_response(c, kind);
}

/* response-data = "*" SP response-payload CRLF */
static bool untagged(cursor *c, bool greeting)
{
    c->pos++;                  /* "*" */
    if (!expect_sp(c, greeting ? "greeting" : "response-data", "\"*\""))
        return false;
    if (greeting)
        return greeting_response(c);
    if (is_digit(peek(c)))
        return untagged_numbered(c);
    size_t start = c->pos;
    span name = { 0, 0 };
    if (!response_name(c, "response-data", "a response name", &name))
        return false;
    cond kind = cond_of(c, name);
    if (kind == COND_PREAUTH)
        return violation(c, start, "response-data",
                         "PREAUTH is only allowed in the greeting (resp-cond-auth)");
    if (kind != COND_OTHER)
        return status_response(c, kind);
    const resp_kind *k = FIND(c, name, untagged_kinds);
    return k ? known_response(c, k) : unknown_response(c, name);
}

/* response-tagged = tag SP resp-cond-state CRLF */
static bool tagged(cursor *c)
{
    size_t n = run_length(c, is_tag_char);
    if (peek_at(c, n) == '+')
        return violation(c, c->pos + n, "tag",
                         "\"+\" is not allowed in a tag (tag = 1*<any ASTRING-CHAR except \"+\">)");
    if (!token_run(c, is_tag_char, "tag", "a tag (1*<any ASTRING-CHAR except \"+\">)", NULL) ||
        !expect_sp(c, "response-tagged", "the tag"))
        return false;
    size_t start = c->pos;
    span name = { 0, 0 };
    if (!response_name(c, "resp-cond-state", "OK, NO or BAD", &name))
        return false;
    cond kind = cond_of(c, name);
    if (kind != COND_OK && kind != COND_NO && kind != COND_BAD)
        return violation(c, start, "resp-cond-state",
                         "expected OK, NO or BAD after the tag (response-tagged = tag SP "
                         "resp-cond-state CRLF), found %s", found_at(c, start).text);
    return status_response(c, kind);
}

/* continue-req = "+" SP (resp-text / base64) CRLF.  The two alternatives
 * overlap (base64 may be empty), so any text after "+ " is accepted; a bare
 * "+" without SP is common practice but not the grammar: warning. */
static bool continuation(cursor *c)
{
    snprintf(c->res->response_name, sizeof c->res->response_name, "+");
    c->pos++;
    if (at_line_end(c))
        warning(c, c->pos, "continue-req",
                "bare \"+\" without SP (continue-req = \"+\" SP (resp-text / base64) CRLF)");
    else if (!accept(c, ' '))
        return violation(c, c->pos, "continue-req", "expected SP after \"+\", found %s",
                         found(c).text);
    return text_chars(c, false) && final_crlf(c, "continue-req", "the continuation text");
}

static void check_response(cursor *c, bool greeting)
{
    if (c->len == 0)
        violation(c, 0, "response", "empty response");
    else if (at(c, '*'))
        untagged(c, greeting);
    else if (greeting)
        violation(c, 0, "greeting", "a greeting starts with \"* \", found %s", found(c).text);
    else if (at(c, '+'))
        continuation(c);
    else
        tagged(c);
}

static ic_grammar_verdict run_check(ic_bytes response, unsigned flags, ic_grammar_result *res,
                                    bool greeting)
{
    static const uint8_t empty[1];
    ic_grammar_result scratch;
    if (!res)
        res = &scratch;
    memset(res, 0, sizeof *res);
    res->verdict = IC_GRAMMAR_OK;
    cursor c = {
        .p = response.ptr ? response.ptr : empty,
        .len = response.ptr ? response.len : 0,
        .flags = flags,
        .res = res,
    };
    check_response(&c, greeting);
    if (res->verdict == IC_GRAMMAR_OK && c.unknown) {
        res->verdict = IC_GRAMMAR_UNKNOWN;
        res->offset = c.unknown_at;
        snprintf(res->message, sizeof res->message,
                 "%s is not known to the checker; its tokens are well-formed", c.unknown_what);
    }
    return res->verdict;
}

ic_grammar_verdict ic_grammar_check(ic_bytes response, unsigned flags, ic_grammar_result *res)
{
    return run_check(response, flags, res, false);
}

ic_grammar_verdict ic_grammar_check_greeting(ic_bytes response, unsigned flags,
                                             ic_grammar_result *res)
{
    return run_check(response, flags, res, true);
}

const char *ic_grammar_verdict_name(ic_grammar_verdict v)
{
    switch (v) {
    case IC_GRAMMAR_OK: return "ok";
    case IC_GRAMMAR_UNKNOWN: return "unknown";
    case IC_GRAMMAR_WARNING: return "warning";
    case IC_GRAMMAR_VIOLATION: return "violation";
    }
    return "invalid";
}
