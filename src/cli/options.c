/* options.c: connection options shared by the subcommands, password
 * loading, and the mapping of errors to exit codes. */
#include "cli.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    OPT_USER = 1000, OPT_PASSWORD_ENV, OPT_PASSWORD_FILE, OPT_AUTH, OPT_STARTTLS,
    OPT_NO_STARTTLS, OPT_CAFILE, OPT_INSECURE, OPT_NO_ALPN, OPT_TIMEOUT,
    OPT_CONNECT_TIMEOUT, OPT_MAX_LINE, OPT_MAX_LITERAL, OPT_LENIENT_TEXT, OPT_TRANSCRIPT
};

const struct option ic_cli_conn_longopts[] = {
    { "user", required_argument, NULL, OPT_USER },
    { "password-env", required_argument, NULL, OPT_PASSWORD_ENV },
    { "password-file", required_argument, NULL, OPT_PASSWORD_FILE },
    { "auth", required_argument, NULL, OPT_AUTH },
    { "starttls", no_argument, NULL, OPT_STARTTLS },
    { "no-starttls", no_argument, NULL, OPT_NO_STARTTLS },
    { "cafile", required_argument, NULL, OPT_CAFILE },
    { "insecure", no_argument, NULL, OPT_INSECURE },
    { "no-alpn", no_argument, NULL, OPT_NO_ALPN },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
    { "max-line", required_argument, NULL, OPT_MAX_LINE },
    { "max-literal", required_argument, NULL, OPT_MAX_LITERAL },
    { "lenient-text", no_argument, NULL, OPT_LENIENT_TEXT },
    { "transcript", required_argument, NULL, OPT_TRANSCRIPT },
};
const size_t ic_cli_conn_nlongopts = sizeof ic_cli_conn_longopts / sizeof ic_cli_conn_longopts[0];

void ic_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "imapconform %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'imapconform %s --help')\n", cmd);
}

void ic_cli_conn_init(ic_cli_conn *c)
{
    memset(c, 0, sizeof *c);
    ic_session_options_default(&c->session);
}

void ic_cli_conn_free(ic_cli_conn *c)
{
    if (c->password) {
        OPENSSL_cleanse(c->password, strlen(c->password));
        free(c->password);
        c->password = NULL;
    }
}

/* Parses a positive decimal within [min, max]. */
static int parse_count(const char *arg, unsigned long long min, unsigned long long max,
                       unsigned long long *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int set_number(const char *cmd, const char *name, const char *arg,
                      unsigned long long min, unsigned long long max, unsigned long long *out)
{
    if (parse_count(arg, min, max, out) == 0)
        return 1;
    ic_cli_usage_error(cmd, "--%s needs a whole number from %llu to %llu, not \"%s\"", name, min,
                       max, arg);
    return -1;
}

int ic_cli_conn_option(ic_cli_conn *c, int opt, const char *arg, const char *cmd)
{
    ic_session_options *s = &c->session;
    unsigned long long v = 0;
    int rc = 1;
    switch (opt) {
    case OPT_USER: c->user = arg; break;
    case OPT_PASSWORD_ENV: c->password_env = arg; break;
    case OPT_PASSWORD_FILE: c->password_file = arg; break;
    case OPT_STARTTLS: s->starttls = IC_STARTTLS_REQUIRE; break;
    case OPT_NO_STARTTLS: s->starttls = IC_STARTTLS_NEVER; break;
    case OPT_CAFILE: s->tls.cafile = arg; break;
    case OPT_INSECURE: s->tls.insecure = true; break;
    case OPT_NO_ALPN: s->tls.alpn = false; break;
    case OPT_LENIENT_TEXT: s->grammar_flags |= IC_GRAMMAR_LENIENT_TEXT; break;
    case OPT_TRANSCRIPT: c->transcript_path = arg; break;
    case OPT_AUTH:
        if (strcasecmp(arg, "LOGIN") && strcasecmp(arg, "PLAIN")) {
            ic_cli_usage_error(cmd, "--auth takes LOGIN or PLAIN, not \"%s\"", arg);
            return -1;
        }
        s->auth_mech = arg;
        break;
    case OPT_TIMEOUT:
        if ((rc = set_number(cmd, "timeout", arg, 1, 3600000, &v)) > 0)
            s->timeouts.read_ms = s->timeouts.write_ms = (int)v;
        break;
    case OPT_CONNECT_TIMEOUT:
        if ((rc = set_number(cmd, "connect-timeout", arg, 1, 3600000, &v)) > 0)
            s->timeouts.connect_ms = (int)v;
        break;
    case OPT_MAX_LINE:
        if ((rc = set_number(cmd, "max-line", arg, 1024, 1u << 30, &v)) > 0)
            s->limits.max_line = (size_t)v;
        break;
    case OPT_MAX_LITERAL:
        if ((rc = set_number(cmd, "max-literal", arg, 1024, 1ull << 32, &v)) > 0) {
            s->limits.max_literal = (size_t)v;
            if (s->limits.max_response < v + s->limits.max_line)
                s->limits.max_response = (size_t)v + s->limits.max_line;
        }
        break;
    default:
        return 0;
    }
    return rc;
}

/* Reads the first line of path (at most 4 KiB), without its line end. */
static char *read_password_file(const char *path, const char *cmd)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        ic_cli_usage_error(cmd, "cannot read --password-file %s: %s", path, strerror(errno));
        return NULL;
    }
    char line[4096];
    char *got = fgets(line, sizeof line, f);
    fclose(f);
    if (!got) {
        ic_cli_usage_error(cmd, "--password-file %s is empty", path);
        return NULL;
    }
    line[strcspn(line, "\r\n")] = '\0';
    char *pw = strdup(line);
    OPENSSL_cleanse(line, sizeof line);
    return pw;
}

static int load_password(ic_cli_conn *c, const char *cmd)
{
    if (c->password_env && c->password_file) {
        ic_cli_usage_error(cmd, "give --password-env or --password-file, not both");
        return -1;
    }
    if (!c->user) {
        if (c->password_env || c->password_file) {
            ic_cli_usage_error(cmd, "a password was given without --user");
            return -1;
        }
        return 0;
    }
    if (c->password_file) {
        c->password = read_password_file(c->password_file, cmd);
        return c->password ? 0 : -1;
    }
    if (!c->password_env) {
        ic_cli_usage_error(cmd, "--user needs --password-env VAR or --password-file FILE "
                                "(passwords are never taken on the command line)");
        return -1;
    }
    const char *pw = getenv(c->password_env);
    if (!pw) {
        ic_cli_usage_error(cmd, "environment variable %s (from --password-env) is not set",
                           c->password_env);
        return -1;
    }
    c->password = strdup(pw);
    return c->password ? 0 : -1;
}

int ic_cli_conn_finish(ic_cli_conn *c, const char *cmd)
{
    ic_error err;
    if (!c->url) {
        ic_cli_usage_error(cmd, "missing TARGET (imap://host[:port] or imaps://host[:port])");
        return -1;
    }
    if (ic_target_parse(c->url, &c->session.target, &err)) {
        ic_cli_usage_error(cmd, "%s", err.msg);
        return -1;
    }
    if (c->session.target.implicit_tls && c->session.starttls == IC_STARTTLS_REQUIRE) {
        ic_cli_usage_error(cmd, "--starttls does not apply to imaps:// (TLS is already implicit)");
        return -1;
    }
    return load_password(c, cmd);
}

int ic_cli_exit_for(int code)
{
    switch (code) {
    case IC_OK: return IC_EXIT_OK;
    case IC_ERR_USAGE: return IC_EXIT_USAGE;
    case IC_ERR_TLS_VERIFY: return IC_EXIT_TLS_VERIFY;
    case IC_ERR_CONNECT: case IC_ERR_TIMEOUT: case IC_ERR_IO: case IC_ERR_EOF:
    case IC_ERR_TLS: case IC_ERR_AUTH: case IC_ERR_PROTOCOL:
        return IC_EXIT_UNREACHABLE;
    default:
        return IC_EXIT_FAIL;
    }
}
