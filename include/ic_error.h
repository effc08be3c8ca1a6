/* ic_error.h: the one error convention of imapconform.
 *
 * Functions that can fail return an int status: 0 (IC_OK) on success, or a
 * negative ic_code.  Detail goes into an ic_error the caller owns and passes
 * in (may be NULL when the caller does not care).  The message is one line,
 * already naming what failed (host:port, file:line:col, rule) and, where a
 * user can act, what to do.  No allocation: the error is a fixed buffer.
 */
#ifndef IC_ERROR_H
#define IC_ERROR_H

#include <stdarg.h>

typedef enum ic_code {
    IC_OK = 0,
    IC_ERR_USAGE = -1,       /* bad option, bad URL, unreadable file given by the user */
    IC_ERR_CONNECT = -2,     /* DNS, TCP connect refused/unreachable */
    IC_ERR_TIMEOUT = -3,     /* a connect/read/write deadline passed */
    IC_ERR_IO = -4,          /* read/write failed after connecting */
    IC_ERR_EOF = -5,         /* peer closed the connection */
    IC_ERR_TLS = -6,         /* TLS handshake or record failure (not verification) */
    IC_ERR_TLS_VERIFY = -7,  /* certificate verification failed */
    IC_ERR_PROTOCOL = -8,    /* server sent something unparseable or over a cap */
    IC_ERR_AUTH = -9,        /* authentication refused */
    IC_ERR_NOMEM = -10,
    IC_ERR_SCENARIO = -11,   /* scenario file invalid */
    IC_ERR_INTERNAL = -12,
    IC_ERR_INTERRUPTED = -13 /* the user pressed Ctrl-C (see ic_transport_set_interrupt) */
} ic_code;

#define IC_ERROR_MSG_MAX 1024

typedef struct ic_error {
    ic_code code;
    char msg[IC_ERROR_MSG_MAX];
} ic_error;

/* Sets err (if non-NULL) and returns code, so callers can `return ic_fail(...)`. */
int ic_fail(ic_error *err, ic_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int ic_vfail(ic_error *err, ic_code code, const char *fmt, va_list ap);
/* Prefixes the existing message with "prefix: " (e.g. "127.0.0.1:143"). */
void ic_error_prefix(ic_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ic_error_clear(ic_error *err);
/* Short stable name of a code ("timeout", "tls-verify", ...), for reports. */
const char *ic_code_name(ic_code code);

#endif
