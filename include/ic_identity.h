/* ic_identity.h: what a server says about itself before a run, for the
 * certification report and the profile grading: greeting, capabilities
 * before and after login, ID (RFC 2971) and NAMESPACE answers, TLS version,
 * cipher and certificate.  One connection, logged in as the run's user,
 * nothing changed on the server.
 *
 * Ownership: ic_identity_gather fills a caller-provided struct whose strings
 * it allocates; ic_identity_free frees them (safe on a zeroed struct).
 * Errors: the session's codes (IC_ERR_CONNECT, IC_ERR_TLS, IC_ERR_TLS_VERIFY,
 * IC_ERR_AUTH, IC_ERR_TIMEOUT...) with err naming host:port.
 */
#ifndef IC_IDENTITY_H
#define IC_IDENTITY_H

#include "ic_engine.h"
#include "ic_error.h"
#include "ic_session.h"

typedef struct ic_identity {
    char *target;             /* "imap://127.0.0.1:10143" as given */
    char *greeting;           /* rendered greeting line */
    char *caps_before;        /* capability list before login ("" if none seen) */
    char *caps_after;         /* after login: what grading uses */
    char *id_line;            /* rendered "* ID (...)" or NULL when ID is not advertised */
    char *namespace_line;     /* rendered "* NAMESPACE ..." or NULL */
    ic_tls_info tls;
    char *cert_sha256;        /* hex SHA-256 of the peer certificate (DER), or NULL */
    char *cert_not_after;     /* "2027-11-24T10:00:00Z", or NULL */
} ic_identity;

/* Connects with cfg->session, logs in as cfg->users[1], asks CAPABILITY,
 * ID (when advertised) and NAMESPACE, logs out. */
int ic_identity_gather(const ic_run_config *cfg, ic_identity *out, ic_error *err);
void ic_identity_free(ic_identity *id);

#endif
