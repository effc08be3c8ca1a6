/* probe.c: `imapconform probe TARGET`: connect, record what the server says
 * about itself, check every line against the grammar, print an identity
 * card with the OMA CPM extension table. */
#include "cli.h"
#include "ic_render.h"
#include "ic_transcript.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_CMD "probe"
#define CARD_VALUE_MAX 2000

/* OMA CPM 2.1 Message Storage server extensions and their levels
 * (shared/spec/README.md: CR 002 makes UIDPLUS and LIST-STATUS SHALL, CR 003
 * adds NOTIFY and LIST-CHANGEDSINCE as MAY). */
typedef struct profile_row {
    const char *capability;
    const char *level;
    const char *reference;
} profile_row;

static const profile_row cpm21_rows[] = {
    { "IMAP4rev1", "SHALL", "RFC 3501" },
    { "UIDPLUS", "SHALL", "RFC 4315" },
    { "LIST-STATUS", "SHALL", "RFC 5819" },
    { "CONDSTORE", "MAY", "RFC 7162" },
    { "QRESYNC", "MAY", "RFC 7162" },
    { "ENABLE", "MAY", "RFC 5161" },
    { "ACL", "MAY", "RFC 4314" },
    { "URLAUTH", "MAY", "RFC 4467" },
    { "METADATA", "MAY", "RFC 5464" },
    { "NOTIFY", "MAY", "RFC 5465" },
    { "LIST-CHANGEDSINCE", "MAY", "OMA CPM 2.1 App. I" },
    { "CONVERT", "MAY", "RFC 5259" },
    { "ANNOTATE-EXPERIMENT-1", "MAY", "RFC 5257" },
};

typedef struct probe_state {
    ic_cli_conn conn;
    FILE *transcript;
    size_t responses;          /* counted by the wire hook */
    char caps_before[CARD_VALUE_MAX];
    char caps_after[CARD_VALUE_MAX];
    char *id_line;
    char *namespace_line;
} probe_state;

static void probe_hook(void *ctx, ic_wire_dir dir, ic_bytes bytes)
{
    probe_state *p = ctx;
    if (dir == IC_WIRE_RECEIVED)
        p->responses++;
    if (p->transcript)
        ic_transcript_hook(p->transcript, dir, bytes);
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: imapconform probe TARGET [options]\n"
            "Connects to TARGET (imap://host[:port] or imaps://host[:port]), records the greeting,\n"
            "capabilities before and after login, ID and NAMESPACE, checks every server line\n"
            "against the IMAP grammar and prints an identity card with the OMA CPM profile.\n\n"
            IC_CLI_CONN_OPTIONS_HELP
            "\nExit codes: 0 fine; 1 a SHALL extension missing or a grammar violation; 2 usage;\n"
            "3 unreachable, TLS handshake or authentication failure; 4 certificate not verified.\n");
}

static int parse_args(probe_state *p, int argc, char **argv)
{
    struct option opts[32];
    memcpy(opts, ic_cli_conn_longopts, ic_cli_conn_nlongopts * sizeof opts[0]);
    opts[ic_cli_conn_nlongopts] = (struct option){ "help", no_argument, NULL, 'h' };
    opts[ic_cli_conn_nlongopts + 1] = (struct option){ 0, 0, 0, 0 };
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 1;
        }
        int r = ic_cli_conn_option(&p->conn, c, optarg, PROBE_CMD);
        if (r < 0)
            return -1;
        if (r == 0) {
            ic_cli_usage_error(PROBE_CMD, "unknown option \"%s\"", argv[optind - 1]);
            return -1;
        }
    }
    if (optind < argc)
        p->conn.url = argv[optind++];
    if (optind < argc) {
        ic_cli_usage_error(PROBE_CMD, "unexpected argument \"%s\"", argv[optind]);
        return -1;
    }
    return ic_cli_conn_finish(&p->conn, PROBE_CMD);
}

/* Renders the untagged response named name from reply (its raw line after
 * "* "), or NULL. */
static char *untagged_line(const ic_reply *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++) {
        const ic_response *resp = r->items[i].resp;
        if (resp && resp->kind == IC_RESP_UNTAGGED && ic_bytes_case_eq_str(resp->name, name)) {
            ic_bytes raw = resp->raw;
            size_t skip = raw.len >= 2 ? 2 : 0, end = raw.len;
            while (end > skip && (raw.ptr[end - 1] == '\n' || raw.ptr[end - 1] == '\r'))
                end--;
            return ic_render_str((ic_bytes){ raw.ptr + skip, end - skip }, CARD_VALUE_MAX);
        }
    }
    return NULL;
}

/* Sends text and keeps the named untagged response; errors end the probe. */
static int ask(ic_session *s, const char *text, const char *name, char **out, ic_error *err)
{
    ic_reply r;
    int rc = ic_session_simple(s, text, &r, err);
    if (!rc)
        *out = untagged_line(&r, name);
    ic_reply_free(&r);
    return rc;
}

static int run_probe(probe_state *p, ic_session *s, ic_error *err)
{
    snprintf(p->caps_before, sizeof p->caps_before, "%s", ic_session_capabilities(s));
    int rc = IC_OK;
    if (p->conn.user) {
        rc = ic_session_login(s, p->conn.user, p->conn.password, err);
        if (!rc)
            snprintf(p->caps_after, sizeof p->caps_after, "%s", ic_session_capabilities(s));
    }
    if (!rc && ic_session_has_cap(s, "ID"))
        rc = ask(s, "ID (\"name\" \"imapconform\" \"version\" \"" IC_VERSION "\")", "ID",
                 &p->id_line, err);
    if (!rc && ic_session_authenticated(s) && ic_session_has_cap(s, "NAMESPACE"))
        rc = ask(s, "NAMESPACE", "NAMESPACE", &p->namespace_line, err);
    if (!rc)
        rc = ic_session_logout(s, err);
    return rc;
}

static void print_field(const char *key, const char *value)
{
    printf("%-29s %s\n", key, value && value[0] ? value : "(none)");
}

static void print_tls(ic_session *s)
{
    ic_tls_info t;
    ic_conn_tls_info(ic_session_conn(s), &t);
    if (!t.active) {
        print_field("tls:", "none");
        return;
    }
    char line[512];
    snprintf(line, sizeof line, "%s %s, certificate %s%s%s, ALPN %s", t.version, t.cipher,
             t.verified ? "verified" : "NOT verified (--insecure)", t.verified ? "" : ": ",
             t.verified ? "" : t.verify_reason, t.alpn[0] ? t.alpn : "none");
    print_field("tls:", line);
    char cert[600];
    snprintf(cert, sizeof cert, "%s (issuer %s)", t.subject, t.issuer);
    print_field("certificate:", cert);
}

/* Prints the profile table; returns how many SHALL rows are missing. */
static int print_profile(ic_session *s, bool logged_in)
{
    printf("OMA CPM 2.1 Message Storage server extensions (CAPABILITY %s):\n",
           logged_in ? "after login" : "before login; give --user to see the full list");
    int missing = 0;
    for (size_t i = 0; i < sizeof cpm21_rows / sizeof cpm21_rows[0]; i++) {
        const profile_row *row = &cpm21_rows[i];
        bool present = ic_session_has_cap(s, row->capability);
        missing += !present && strcmp(row->level, "SHALL") == 0;
        printf("  %-22s %-5s  %-8s %s\n", row->capability, row->level,
               present ? "present" : "missing", row->reference);
    }
    /* OMA CPM 2.1 App. I: LIST-CHANGEDSINCE implies CONDSTORE support. */
    if (ic_session_has_cap(s, "LIST-CHANGEDSINCE") && !ic_session_has_cap(s, "CONDSTORE")) {
        printf("  LIST-CHANGEDSINCE is advertised without CONDSTORE (OMA CPM 2.1 App. I requires it)\n");
        missing++;
    }
    return missing;
}

/* Prints every grammar finding; returns the number of violations. */
static size_t print_findings(ic_session *s, size_t *warnings)
{
    size_t n, violations = 0;
    const ic_finding *f = ic_session_findings(s, &n);
    *warnings = 0;
    for (size_t i = 0; i < n; i++) {
        bool violation = f[i].grammar.verdict == IC_GRAMMAR_VIOLATION;
        violations += violation;
        *warnings += !violation;
        printf("grammar %s [%s] at byte %zu: %s\n    S: %s\n", violation ? "violation" : "warning",
               f[i].grammar.rule, f[i].grammar.offset, f[i].grammar.message, f[i].line);
    }
    return violations;
}

static int print_card(probe_state *p, ic_session *s)
{
    const ic_received *g = ic_session_greeting(s);
    ic_bytes graw = g ? ic_buf_bytes(&g->raw) : IC_BYTES("");
    if (graw.len >= 2 && graw.ptr[graw.len - 2] == '\r')
        graw.len -= 2;
    char *greeting = g ? ic_render_str(graw, CARD_VALUE_MAX) : NULL;
    char target[300];
    snprintf(target, sizeof target, "%s (%s)", p->conn.url, ic_conn_peer(ic_session_conn(s)));
    print_field("target:", target);
    print_field("greeting:", greeting);
    free(greeting);
    print_tls(s);
    if (ic_session_starttls_discarded(s))
        printf("%-29s %zu plaintext bytes after STARTTLS OK were discarded (RFC 3501 6.2.1)\n",
               "starttls:", ic_session_starttls_discarded(s));
    char login[300];
    snprintf(login, sizeof login, "%s with %s", p->conn.user ? p->conn.user : "",
             ic_session_auth_method(s));
    print_field("login:", p->conn.user ? login : "not attempted (no --user)");
    print_field("capabilities (before login):", p->caps_before);
    if (p->conn.user)
        print_field("capabilities (after login):", p->caps_after);
    print_field("id:", p->id_line);
    if (p->conn.user)
        print_field("namespace:", p->namespace_line);
    int missing = print_profile(s, p->conn.user != NULL);
    size_t warnings;
    size_t violations = print_findings(s, &warnings);
    printf("%-29s %zu responses checked, %zu violations, %zu warnings\n", "grammar:", p->responses,
           violations, warnings);
    if (missing || violations) {
        printf("result: FAIL: %d required extension(s) missing, %zu grammar violation(s)\n", missing,
               violations);
        return IC_EXIT_FAIL;
    }
    printf("result: OK: all SHALL extensions present, no grammar violation\n");
    return IC_EXIT_OK;
}

static int open_transcript(probe_state *p)
{
    if (!p->conn.transcript_path)
        return 0;
    p->transcript = fopen(p->conn.transcript_path, "w");
    if (!p->transcript) {
        ic_cli_usage_error(PROBE_CMD, "cannot write --transcript %s: %s", p->conn.transcript_path,
                           strerror(errno));
        return -1;
    }
    return 0;
}

int ic_cmd_probe(int argc, char **argv)
{
    probe_state p;
    memset(&p, 0, sizeof p);
    ic_cli_conn_init(&p.conn);
    int parsed = parse_args(&p, argc, argv);
    if (parsed != 0 || open_transcript(&p) != 0) {
        ic_cli_conn_free(&p.conn);
        return parsed > 0 ? IC_EXIT_OK : IC_EXIT_USAGE;
    }
    p.conn.session.hook = probe_hook;
    p.conn.session.hook_ctx = &p;
    ic_error err;
    ic_error_clear(&err);
    int exit_code;
    ic_session *s = ic_session_open(&p.conn.session, &err);
    int rc = s ? run_probe(&p, s, &err) : err.code;
    if (rc) {
        fprintf(stderr, "imapconform probe: %s\n", err.msg);
        exit_code = ic_cli_exit_for(rc);
    } else {
        exit_code = print_card(&p, s);
    }
    ic_session_close(s);
    if (p.transcript)
        fclose(p.transcript);
    free(p.id_line);
    free(p.namespace_line);
    ic_cli_conn_free(&p.conn);
    return exit_code;
}
