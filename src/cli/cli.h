/* cli.h: command-line front end (private to src/cli).  Exit codes and the
 * connection options shared by the subcommands. */
#ifndef IC_CLI_H
#define IC_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include "ic_session.h"

/* Exit codes, documented in the README. */
enum {
    IC_EXIT_OK = 0,
    IC_EXIT_FAIL = 1,         /* a requirement failed / a grammar violation */
    IC_EXIT_USAGE = 2,        /* bad option, bad file; nothing was sent */
    IC_EXIT_UNREACHABLE = 3,  /* connect, TLS handshake, authentication */
    IC_EXIT_TLS_VERIFY = 4    /* the server's certificate did not verify */
};

/* Options every subcommand that talks to a server accepts. */
typedef struct ic_cli_conn {
    ic_session_options session;
    const char *url;
    const char *user;
    const char *password_env;
    const char *password_file;
    const char *transcript_path;
    char *password;           /* owned; wiped and freed by ic_cli_conn_free */
} ic_cli_conn;

#define IC_CLI_CONN_OPTIONS_HELP \
"Connection options:\n" \
"  --user USER            log in as USER (LOGIN, or AUTHENTICATE PLAIN when advertised)\n" \
"  --password-env VAR     read the password from environment variable VAR\n" \
"  --password-file FILE   read the password from the first line of FILE\n" \
"  --auth LOGIN|PLAIN     force the authentication mechanism\n" \
"  --starttls             require STARTTLS on imap:// (default: only when LOGINDISABLED)\n" \
"  --no-starttls          never start TLS on imap://\n" \
"  --cafile FILE          trust this CA bundle or pinned certificate instead of the system store\n" \
"  --insecure             do not verify the server certificate (the result is still reported)\n" \
"  --no-alpn              do not offer ALPN \"imap\"\n" \
"  --timeout MS           bound on every wait for the server (default 30000)\n" \
"  --connect-timeout MS   bound on connect and TLS handshake (default 10000)\n" \
"  --max-line BYTES       longest accepted response line (default 65536)\n" \
"  --max-literal BYTES    largest accepted literal (default 16777216)\n" \
"  --lenient-text         accept status responses with no text after a code (RFC 9051)\n" \
"  --transcript FILE      write the wire dialogue to FILE (passwords shown as ***)\n"

/* getopt_long table entries for the connection options; value ids >= 1000. */
extern const struct option ic_cli_conn_longopts[];
extern const size_t ic_cli_conn_nlongopts;

void ic_cli_conn_init(ic_cli_conn *c);
void ic_cli_conn_free(ic_cli_conn *c);
/* Handles one getopt_long result; returns 1 if it was a connection option,
 * 0 if not, -1 on a bad value (message printed). */
int ic_cli_conn_option(ic_cli_conn *c, int opt, const char *arg, const char *cmd);
/* Parses the URL and loads the password; prints a message and returns -1 on
 * a usage problem. */
int ic_cli_conn_finish(ic_cli_conn *c, const char *cmd);
/* Maps a connection/session error code to the exit code. */
int ic_cli_exit_for(int code);

void ic_cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- scenario sets (scenarios.c) ---- */
#include "ic_scenario.h"

typedef struct ic_scenario_set {
    ic_scenario **items;
    size_t n;
    ic_reqlist *reqs;         /* NULL when no requirements.yaml was found */
} ic_scenario_set;

/* Loads every scenario under paths (default: the checkout's scenarios/ or
 * the installed ones) and the requirement list (reqs_path, or the first
 * requirements.yaml found beside/above the paths).  Errors are printed as
 * file:line:col lines; with keep_going all files are tried.  Returns 0, or
 * -1 with *nerrors counting the files that failed. */
int ic_scenario_set_load(char *const *paths, size_t npaths, const char *reqs_path,
                         bool keep_going, ic_scenario_set *set, size_t *nerrors);
void ic_scenario_set_free(ic_scenario_set *set);
int ic_scenario_set_check_ids(const ic_scenario_set *set);
const char *ic_cli_default_scenario_dir(void);

typedef struct ic_selection {
    const char *filters[32];
    size_t nfilters;
    const char *tags[32];
    size_t ntags;
    const char *requirements[32];
    size_t nrequirements;
} ic_selection;

bool ic_selection_matches(const ic_selection *sel, const ic_scenario *sc);

int ic_cmd_probe(int argc, char **argv);
int ic_cmd_run(int argc, char **argv);
int ic_cmd_lint(int argc, char **argv);
int ic_cmd_serve(int argc, char **argv);
int ic_cmd_coverage(int argc, char **argv);
int ic_cmd_validate(int argc, char **argv);

#endif
