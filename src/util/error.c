/* error.c: the ic_error convention (see ic_error.h). */
#include "ic_error.h"

#include <stdio.h>
#include <string.h>

int ic_vfail(ic_error *err, ic_code code, const char *fmt, va_list ap)
{
    if (err) {
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    }
    return code;
}

int ic_fail(ic_error *err, ic_code code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ic_vfail(err, code, fmt, ap);
    va_end(ap);
    return code;
}

void ic_error_prefix(ic_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[IC_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char joined[2 * IC_ERROR_MSG_MAX + 2];
    snprintf(joined, sizeof joined, "%s: %s", prefix, err->msg);
    memcpy(err->msg, joined, sizeof err->msg - 1);   /* truncates; the message is one line */
    err->msg[sizeof err->msg - 1] = '\0';
}

void ic_error_clear(ic_error *err)
{
    if (err) {
        err->code = IC_OK;
        err->msg[0] = '\0';
    }
}

const char *ic_code_name(ic_code code)
{
    switch (code) {
    case IC_OK: return "ok";
    case IC_ERR_USAGE: return "usage";
    case IC_ERR_CONNECT: return "connect";
    case IC_ERR_TIMEOUT: return "timeout";
    case IC_ERR_IO: return "io";
    case IC_ERR_EOF: return "eof";
    case IC_ERR_TLS: return "tls";
    case IC_ERR_TLS_VERIFY: return "tls-verify";
    case IC_ERR_PROTOCOL: return "protocol";
    case IC_ERR_AUTH: return "auth";
    case IC_ERR_NOMEM: return "nomem";
    case IC_ERR_SCENARIO: return "scenario";
    case IC_ERR_INTERNAL: return "internal";
    case IC_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown";
}
