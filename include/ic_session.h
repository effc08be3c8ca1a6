/* ic_session.h: one IMAP client connection: greeting, capabilities,
 * STARTTLS, authentication, and command/response exchanges with every
 * received line checked by the grammar checker.
 *
 * Ownership: ic_session_open returns a session the caller frees with
 * ic_session_close (which sends nothing; call ic_session_logout first for a
 * polite end).  ic_reply objects are filled by ic_session_command and freed
 * with ic_reply_free; their responses own their bytes.
 * Errors: IC_OK or a negative ic_code with err set, messages prefixed with
 * "host:port: ".  A grammar violation is not an error of the call: it is
 * recorded in the reply (and in the session's findings) for the caller to
 * judge.
 */
#ifndef IC_SESSION_H
#define IC_SESSION_H

#include <stdbool.h>
#include "ic_command.h"
#include "ic_grammar.h"
#include "ic_limits.h"
#include "ic_response.h"
#include "ic_transport.h"

typedef enum ic_starttls_mode {
    IC_STARTTLS_AUTO = 0,  /* when the server advertises LOGINDISABLED and STARTTLS */
    IC_STARTTLS_REQUIRE,   /* --starttls: fail if not offered */
    IC_STARTTLS_NEVER
} ic_starttls_mode;

typedef enum ic_wire_dir { IC_WIRE_SENT, IC_WIRE_RECEIVED, IC_WIRE_NOTE } ic_wire_dir;

/* Called for every chunk sent (secrets already redacted) and every response
 * received; a transcript writer hangs here. */
typedef void (*ic_wire_hook)(void *ctx, ic_wire_dir dir, ic_bytes bytes);

typedef struct ic_session_options {
    ic_target target;
    ic_timeouts timeouts;
    ic_limits limits;
    ic_tls_options tls;
    ic_starttls_mode starttls;
    unsigned grammar_flags;
    const char *tag_prefix;    /* tags are <prefix><counter>; default "ic" */
    const char *auth_mech;     /* "LOGIN", "PLAIN" or NULL: PLAIN when advertised, else LOGIN */
    ic_wire_hook hook;
    void *hook_ctx;
} ic_session_options;

void ic_session_options_default(ic_session_options *o);

/* One received response with its grammar judgement.  raw owns the bytes;
 * resp is the lenient parse of them, or NULL when even the lenient parser
 * could not build a tree (parse_error says why; the grammar result then
 * names the rule). */
typedef struct ic_received {
    ic_buf raw;
    ic_response *resp;
    ic_error parse_error;
    ic_grammar_result grammar;
} ic_received;

typedef struct ic_reply {
    ic_received *items;        /* untagged and continuation responses, in order, then the tagged one */
    size_t n;
    size_t alloc;
    const ic_received *tagged; /* points into items; NULL if the command did not complete */
    double seconds;            /* wall time from first byte sent to tagged response */
} ic_reply;

void ic_reply_free(ic_reply *r);
/* Number of grammar violations in the reply. */
size_t ic_reply_violations(const ic_reply *r);

typedef struct ic_session ic_session;

/* Connects, reads and checks the greeting, fetches CAPABILITY if the greeting
 * did not carry it, and runs STARTTLS according to the mode. */
ic_session *ic_session_open(const ic_session_options *o, ic_error *err);
void ic_session_close(ic_session *s);

/* Sends a command (its tag is replaced by the session's next tag unless the
 * command's tag is non-empty) and collects every response up to its tagged
 * completion.  A server BYE or EOF before that is IC_ERR_EOF. */
int ic_session_command(ic_session *s, ic_command *cmd, ic_reply *out, ic_error *err);
/* Convenience: a command from one line of text (no literals) */
int ic_session_simple(ic_session *s, const char *text, ic_reply *out, ic_error *err);

/* Like ic_session_command, but also stops at a continuation request that
 * follows the whole command (IDLE's "+ idling", AUTHENTICATE's challenge):
 * then out->tagged is NULL and the command is in progress. */
int ic_session_start(ic_session *s, ic_command *cmd, ic_reply *out, ic_error *err);
/* Sends line (CRLF is added; secret: shown as *** in the wire hook) for the
 * command tagged tag that is in progress, and reads into out until its
 * tagged completion or another continuation request. */
int ic_session_continue(ic_session *s, const char *tag, ic_bytes line, bool secret,
                        ic_reply *out, ic_error *err);
/* Reads one response within ms milliseconds and appends it to out; sets
 * out->tagged if it completes tag (may be NULL).  IC_ERR_TIMEOUT when
 * nothing came. */
int ic_session_read_one(ic_session *s, const char *tag, int ms, ic_reply *out, ic_error *err);

/* Reads unsolicited responses for up to ms milliseconds (used for IDLE);
 * appends them to out.  Returns IC_OK when the time passed quietly. */
int ic_session_wait(ic_session *s, int ms, ic_reply *out, ic_error *err);

/* LOGIN, or AUTHENTICATE PLAIN when LOGINDISABLED/AUTH=PLAIN say so (with
 * SASL-IR when advertised).  Re-reads capabilities afterwards (from the
 * tagged OK's CAPABILITY code, or with a CAPABILITY command).
 * IC_ERR_AUTH when refused. */
int ic_session_login(ic_session *s, const char *user, const char *password, ic_error *err);
int ic_session_logout(ic_session *s, ic_error *err);
/* Explicit STARTTLS (when mode is NEVER and the caller wants to decide). */
int ic_session_starttls(ic_session *s, ic_error *err);
/* Sends CAPABILITY and replaces the cached list. */
int ic_session_refresh_capabilities(ic_session *s, ic_error *err);

bool ic_session_has_cap(const ic_session *s, const char *cap);  /* case-insensitive */
/* Space-separated capability list as last seen ("" before any). */
const char *ic_session_capabilities(const ic_session *s);
const ic_received *ic_session_greeting(const ic_session *s);
/* How many plaintext bytes were discarded after STARTTLS's tagged OK. */
size_t ic_session_starttls_discarded(const ic_session *s);
bool ic_session_authenticated(const ic_session *s);
/* "LOGIN", "AUTHENTICATE PLAIN" or "AUTHENTICATE PLAIN (SASL-IR)" after a
 * successful ic_session_login; "" before. */
const char *ic_session_auth_method(const ic_session *s);
ic_conn *ic_session_conn(ic_session *s);
/* Every grammar violation and warning seen on this session so far (the
 * greeting included).  line is the response rendered with ic_render; both
 * are owned by the session. */
typedef struct ic_finding {
    ic_grammar_result grammar;
    char *line;
} ic_finding;
const ic_finding *ic_session_findings(const ic_session *s, size_t *n);

#endif
