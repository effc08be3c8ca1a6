/* run.c: `imapconform run TARGET [PATH...]`: scenarios to verdicts, console
 * and JUnit reports, transcripts. */
#include "cli.h"
#include "ic_certreport.h"
#include "ic_engine.h"
#include "ic_expect.h"
#include "ic_identity.h"
#include "ic_profile.h"
#include "ic_report.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RUN_CMD "run"

enum {
    OPT_FILTER = 2000, OPT_TAG, OPT_REQUIREMENT, OPT_LIST, OPT_JUNIT, OPT_TRANSCRIPTS,
    OPT_RECORD, OPT_PREFIX, OPT_USER2, OPT_PASSWORD2_ENV, OPT_PASSWORD2_FILE,
    OPT_REQUIREMENTS, OPT_COLOR, OPT_VERBOSE, OPT_NO_SWEEP, OPT_EXPECT, OPT_ALLOW_XPASS,
    OPT_PROFILE, OPT_REPORT, OPT_JOBS, OPT_SHARD
};

static const struct option run_longopts[] = {
    { "filter", required_argument, NULL, OPT_FILTER },
    { "tag", required_argument, NULL, OPT_TAG },
    { "requirement", required_argument, NULL, OPT_REQUIREMENT },
    { "list", no_argument, NULL, OPT_LIST },
    { "junit", required_argument, NULL, OPT_JUNIT },
    { "transcripts", required_argument, NULL, OPT_TRANSCRIPTS },
    { "record", required_argument, NULL, OPT_RECORD },
    { "prefix", required_argument, NULL, OPT_PREFIX },
    { "user2", required_argument, NULL, OPT_USER2 },
    { "password2-env", required_argument, NULL, OPT_PASSWORD2_ENV },
    { "password2-file", required_argument, NULL, OPT_PASSWORD2_FILE },
    { "requirements", required_argument, NULL, OPT_REQUIREMENTS },
    { "color", required_argument, NULL, OPT_COLOR },
    { "verbose", no_argument, NULL, OPT_VERBOSE },
    { "no-sweep", no_argument, NULL, OPT_NO_SWEEP },
    { "expect", required_argument, NULL, OPT_EXPECT },
    { "allow-xpass", no_argument, NULL, OPT_ALLOW_XPASS },
    { "profile", required_argument, NULL, OPT_PROFILE },
    { "report", required_argument, NULL, OPT_REPORT },
    { "jobs", required_argument, NULL, OPT_JOBS },
    { "shard", required_argument, NULL, OPT_SHARD },
    { "help", no_argument, NULL, 'h' },
};

typedef struct run_options {
    ic_cli_conn conn;
    ic_cli_conn conn2;          /* only its user/password fields are used */
    ic_selection sel;
    bool list;
    bool verbose;
    bool sweep;
    const char *junit;
    const char *transcripts;
    const char *requirements;
    const char *expect_path;
    bool allow_xpass;
    ic_expectations *expect;
    const char *profile_name;   /* --profile, default IC_PROFILE_DEFAULT */
    ic_profile_set profiles;
    const ic_profile *profile;
    const char *report_dir;     /* --report */
    unsigned jobs;              /* --jobs, 1 = serial */
    unsigned shard_k, shard_n;  /* --shard K/N, 1-based; 0/0 = no sharding */
    char prefix[64];
    ic_color_mode color;
    char **paths;
    size_t npaths;
} run_options;

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: imapconform run TARGET [PATH...] [options]\n"
            "       imapconform run --list [PATH...] [selection options]\n"
            "Runs the scenarios under PATH (files or directories; default: %s) against\n"
            "TARGET and reports one verdict per scenario.\n\n"
            "Selection:\n"
            "  --filter GLOB          scenario ids matching GLOB (repeatable)\n"
            "  --tag TAG              scenarios with this tag (repeatable: all must hold)\n"
            "  --requirement ID       scenarios checking this requirement (repeatable)\n"
            "  --list                 list the selected scenarios and exit\n"
            "Reports:\n"
            "  --junit FILE           write JUnit XML (valid under junit-10.xsd)\n"
            "  --transcripts DIR      write one transcript per scenario (passwords shown as ***)\n"
            "  --record DIR           the same; the files replay with 'imapconform serve'\n"
            "  --color auto|always|never   colour on the console (NO_COLOR is honoured)\n"
            "  --verbose              print the transcript of every scenario that did not pass\n"
            "  --expect FILE|DIR      known failures (YAML list of {id, verdict, reason}): they\n"
            "                         are reported as XFAIL and do not fail the run; a listed\n"
            "                         scenario that passes is XPASS and fails the run\n"
            "  --allow-xpass          do not fail the run on XPASS\n"
            "  --report DIR           certification report: DIR/report.json, DIR/report.html\n"
            "                         and the transcripts they link to\n"
            "Profile:\n"
            "  --profile NAME         grade under this profile (default " IC_PROFILE_DEFAULT ");\n"
            "                         'imapconform profiles' lists them; 'rfc' keeps RFC levels\n"
            "Run:\n"
            "  --prefix NAME          run prefix for every mailbox the run creates\n"
            "                         (default imapconform-<random>)\n"
            "  --user2 USER           second user, for scenarios that need one\n"
            "  --password2-env VAR | --password2-file FILE\n"
            "  --requirements PATH    requirement list, a directory or file (default: the\n"
            "                         requirements/ directory beside the scenarios)\n"
            "  --no-sweep             do not delete leftovers under the prefix at the end\n"
            "  --jobs N               run N scenarios at a time (default 1); scenarios marked\n"
            "                         exclusive run alone; output order stays the same\n"
            "  --shard K/N            run only the K-th of N deterministic parts (1-based)\n\n"
            IC_CLI_CONN_OPTIONS_HELP
            "\nExit codes: 0 no FAIL or ERROR; 1 a FAIL or ERROR; 2 usage or scenario error;\n"
            "3 target unreachable, TLS handshake or login failure; 4 certificate not verified.\n",
            ic_cli_default_scenario_dir());
}

static int add_selection(const char **list, size_t *n, const char *value, const char *name)
{
    if (*n >= 32) {
        ic_cli_usage_error(RUN_CMD, "too many --%s options (at most 32)", name);
        return -1;
    }
    list[(*n)++] = value;
    return 1;
}

static int parse_jobs(run_options *o, const char *arg)
{
    char *end;
    unsigned long v = strtoul(arg, &end, 10);
    if (arg[0] < '1' || arg[0] > '9' || *end || v > 64) {
        ic_cli_usage_error(RUN_CMD, "--jobs takes a number from 1 to 64, not \"%s\"", arg);
        return -1;
    }
    o->jobs = (unsigned)v;
    return 1;
}

/* K/N with 1 <= K <= N <= 1000, the way other test runners count shards. */
static int parse_shard(run_options *o, const char *arg)
{
    unsigned k, n;
    char tail;
    if (sscanf(arg, "%u/%u%c", &k, &n, &tail) != 2 || k < 1 || n < 1 || k > n || n > 1000) {
        ic_cli_usage_error(RUN_CMD, "--shard takes K/N with 1 <= K <= N (for example 2/4), "
                           "not \"%s\"", arg);
        return -1;
    }
    o->shard_k = k;
    o->shard_n = n;
    return 1;
}

static int run_option(run_options *o, int c, const char *arg)
{
    switch (c) {
    case OPT_FILTER: return add_selection(o->sel.filters, &o->sel.nfilters, arg, "filter");
    case OPT_TAG: return add_selection(o->sel.tags, &o->sel.ntags, arg, "tag");
    case OPT_REQUIREMENT:
        return add_selection(o->sel.requirements, &o->sel.nrequirements, arg, "requirement");
    case OPT_LIST: o->list = true; return 1;
    case OPT_JUNIT: o->junit = arg; return 1;
    case OPT_TRANSCRIPTS: case OPT_RECORD: o->transcripts = arg; return 1;
    case OPT_REQUIREMENTS: o->requirements = arg; return 1;
    case OPT_VERBOSE: o->verbose = true; return 1;
    case OPT_NO_SWEEP: o->sweep = false; return 1;
    case OPT_EXPECT: o->expect_path = arg; return 1;
    case OPT_ALLOW_XPASS: o->allow_xpass = true; return 1;
    case OPT_PROFILE: o->profile_name = arg; return 1;
    case OPT_REPORT: o->report_dir = arg; return 1;
    case OPT_JOBS: return parse_jobs(o, arg);
    case OPT_SHARD: return parse_shard(o, arg);
    case OPT_USER2: o->conn2.user = arg; return 1;
    case OPT_PASSWORD2_ENV: o->conn2.password_env = arg; return 1;
    case OPT_PASSWORD2_FILE: o->conn2.password_file = arg; return 1;
    case OPT_PREFIX:
        if (!arg[0] || strlen(arg) >= sizeof o->prefix || strpbrk(arg, " *%\"\\(){}")) {
            ic_cli_usage_error(RUN_CMD, "--prefix needs a short name without spaces or IMAP "
                               "wildcards, not \"%s\"", arg);
            return -1;
        }
        snprintf(o->prefix, sizeof o->prefix, "%s", arg);
        return 1;
    case OPT_COLOR:
        if (strcmp(arg, "auto") == 0) o->color = IC_COLOR_AUTO;
        else if (strcmp(arg, "always") == 0) o->color = IC_COLOR_ALWAYS;
        else if (strcmp(arg, "never") == 0) o->color = IC_COLOR_NEVER;
        else {
            ic_cli_usage_error(RUN_CMD, "--color takes auto, always or never");
            return -1;
        }
        return 1;
    default:
        return 0;
    }
}

static void random_prefix(char *out, size_t n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    unsigned seed = (unsigned)time(NULL) ^ ((unsigned)getpid() << 8);
    char suffix[7];
    for (size_t i = 0; i < 6; i++) {
        seed = seed * 1103515245u + 12345u;
        suffix[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
    }
    suffix[6] = '\0';
    snprintf(out, n, "imapconform-%s", suffix);
}

static int parse_args(run_options *o, int argc, char **argv)
{
    struct option opts[64];
    size_t k = 0;
    for (size_t i = 0; i < ic_cli_conn_nlongopts; i++)
        opts[k++] = ic_cli_conn_longopts[i];
    for (size_t i = 0; i < sizeof run_longopts / sizeof run_longopts[0]; i++)
        opts[k++] = run_longopts[i];
    opts[k] = (struct option){ 0, 0, 0, 0 };
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return 1;
        }
        int r = ic_cli_conn_option(&o->conn, c, optarg, RUN_CMD);
        if (r == 0)
            r = run_option(o, c, optarg);
        if (r < 0)
            return -1;
        if (r == 0) {
            ic_cli_usage_error(RUN_CMD, "unknown option \"%s\"", argv[optind - 1]);
            return -1;
        }
    }
    /* With --list a target is optional; without it, it comes first. */
    if (optind < argc && (!o->list || strstr(argv[optind], "://")))
        o->conn.url = argv[optind++];
    o->paths = argv + optind;
    o->npaths = (size_t)(argc - optind);
    if (!o->prefix[0])
        random_prefix(o->prefix, sizeof o->prefix);
    if (o->list)
        return 0;
    if (ic_cli_conn_finish(&o->conn, RUN_CMD) != 0)
        return -1;
    if (!o->conn.user) {
        ic_cli_usage_error(RUN_CMD, "scenarios need a login: give --user and --password-env");
        return -1;
    }
    o->conn2.url = o->conn.url;
    return o->conn2.user ? ic_cli_conn_finish(&o->conn2, RUN_CMD) : 0;
}

/* A set-up that could not connect or log in fails every scenario the same
 * way: stop after the first one with the connection's exit code (3 or 4). */
static int unreachable_exit(const ic_result *r)
{
    if (!r->conn_error)
        return 0;
    fprintf(stderr, "imapconform run: %s\n", r->message ? r->message : "target unreachable");
    return ic_cli_exit_for(r->conn_error);
}

static void list_selected(ic_scenario **sel, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        printf("%-50s ", sel[i]->id);
        for (size_t r = 0; r < sel[i]->nrequirements; r++)
            printf("%s%s", r ? "," : "", sel[i]->requirements[r]);
        printf("  %s\n", sel[i]->title);
    }
    printf("%zu scenarios\n", n);
}

/* What the run knows besides the results: the server's identity (for the
 * profile grading and the certification report) and the timing. */
typedef struct run_context {
    ic_run_config cfg;
    ic_identity identity;
    const ic_reqlist *reqs;
    char started[32];           /* ISO 8601 UTC */
    double seconds;
} run_context;

static void write_junit(const run_options *o, const ic_result *results, size_t n, int *status)
{
    const ic_tls_info *tls = &results[0].tls;
    ic_error err;
    char host[256] = "localhost", tls_text[200] = "";
    gethostname(host, sizeof host - 1);
    if (tls->active)
        snprintf(tls_text, sizeof tls_text, "%s %s%s", tls->version, tls->cipher,
                 tls->verified ? ", verified" : ", NOT verified");
    ic_junit_meta meta = { o->conn.url, host, IC_VERSION, tls->active ? tls_text : NULL };
    if (ic_junit_write(o->junit, results, n, &meta, &err)) {
        fprintf(stderr, "imapconform run: %s\n", err.msg);
        *status = -1;
    }
}

static void write_certreport(const run_options *o, const run_context *ctx, ic_scenario **sel,
                             const ic_result *results, size_t n, int *status)
{
    ic_error err;
    ic_grading grading;
    char hash[65] = "";
    int rc = ic_grading_summarize(o->profile, ctx->identity.caps_after, ctx->reqs, results, n,
                                  &grading, &err);
    if (!rc)
        rc = ic_certreport_scenario_hash(sel, n, ctx->reqs, hash, &err);
    if (!rc) {
        ic_certreport_meta meta = { IC_VERSION, hash, ctx->started, ctx->seconds, o->prefix };
        rc = ic_certreport_write(o->report_dir, &meta, &ctx->identity, &grading, results, n,
                                 o->expect, &err);
    }
    ic_grading_free(&grading);
    if (rc) {
        fprintf(stderr, "imapconform run: %s\n", err.msg);
        *status = -1;
    }
}

static int write_reports(const run_options *o, const run_context *ctx, ic_scenario **sel,
                         const ic_result *results, size_t n)
{
    ic_error err;
    int status = 0;
    if (o->junit)
        write_junit(o, results, n, &status);
    if (o->transcripts && ic_transcripts_write(o->transcripts, results, n, &err)) {
        fprintf(stderr, "imapconform run: %s\n", err.msg);
        status = -1;
    }
    if (o->report_dir)
        write_certreport(o, ctx, sel, results, n, &status);
    return status;
}

static void fill_config(run_options *o, ic_run_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->session = o->conn.session;
    cfg->users[1] = (ic_run_user){ o->conn.user, o->conn.password };
    if (o->conn2.user)
        cfg->users[2] = (ic_run_user){ o->conn2.user, o->conn2.password };
    cfg->prefix = o->prefix;
    cfg->interrupted = &interrupted;
}

/* Grades a fresh result under the profile, then applies --expect, so a
 * waiver can name a failure the profile created. */
static void finish_result(run_options *o, const run_context *ctx, ic_result *r)
{
    ic_profile_grade_result(o->profile, ctx->identity.caps_after, ctx->reqs, r);
    ic_expect_apply(o->expect, r);
}

static void now_iso8601(char *out, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The identity connection comes first: a target that is unreachable, or
 * whose certificate or login fails, stops the run before any scenario. */
static int gather_identity(run_context *ctx)
{
    ic_error err;
    int rc = ic_identity_gather(&ctx->cfg, &ctx->identity, &err);
    if (rc) {
        fprintf(stderr, "imapconform run: %s\n", err.msg);
        return ic_cli_exit_for(rc);
    }
    return 0;
}

static int execute(run_options *o, ic_scenario **sel, size_t n, const ic_reqlist *reqs)
{
    run_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.reqs = reqs;
    fill_config(o, &ctx.cfg);
    now_iso8601(ctx.started, sizeof ctx.started);
    signal(SIGINT, on_sigint);
    signal(SIGTERM, on_sigint);
    ic_transport_set_interrupt(&interrupted);
    int unreachable = gather_identity(&ctx);
    if (unreachable) {
        ic_identity_free(&ctx.identity);
        return unreachable;
    }
    ic_console con;
    ic_console_init(&con, stdout, o->color, n);
    con.verbose = o->verbose;
    ic_result *results = calloc(n ? n : 1, sizeof *results);
    ic_tally tally = { 0 };
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t ran = 0;
    for (; results && ran < n && !interrupted; ran++) {
        ic_console_start(&con, sel[ran]);
        ic_engine_run(&ctx.cfg, sel[ran], reqs, &results[ran]);
        finish_result(o, &ctx, &results[ran]);
        if ((unreachable = unreachable_exit(&results[ran])) != 0) {
            ic_result_free(&results[ran]);
            break;
        }
        ic_console_result(&con, &results[ran]);
        ic_tally_add(&tally, results[ran].verdict);
    }
    if (unreachable) {
        for (size_t i = 0; i < ran; i++)
            ic_result_free(&results[i]);
        free(results);
        ic_identity_free(&ctx.identity);
        return unreachable;
    }
    ic_transport_set_interrupt(NULL);   /* the sweep must finish */
    if (o->sweep) {
        ic_error err;
        if (ic_engine_sweep_prefix(&ctx.cfg, &err) < 0)
            fprintf(stderr, "imapconform run: could not delete leftovers under %s: %s\n", o->prefix,
                    err.msg);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ctx.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int report_status = results && ran ? write_reports(o, &ctx, sel, results, ran) : 0;
    ic_console_summary(&con, &tally, ctx.seconds);
    for (size_t i = 0; results && i < ran; i++)
        ic_result_free(&results[i]);
    free(results);
    ic_identity_free(&ctx.identity);
    if (interrupted) {
        fprintf(stderr, "imapconform run: interrupted after %zu of %zu scenarios; mailboxes under "
                "%s were removed\n", ran, n, o->prefix);
        return IC_EXIT_FAIL;
    }
    bool xpass_fails = tally.xpass && !o->allow_xpass;
    return tally.fail || tally.error || xpass_fails || report_status ? IC_EXIT_FAIL : IC_EXIT_OK;
}

static int check_expect_ids(const ic_expectations *e, const ic_scenario_set *set, ic_error *err)
{
    char **ids = calloc(set->n + 1, sizeof *ids);
    if (!ids)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < set->n; i++)
        ids[i] = set->items[i]->id;
    int rc = ic_expect_check_ids(e, ids, set->n, set->reqs, err);
    free(ids);
    return rc;
}

/* Loads --expect and checks that every id in it names a scenario or a
 * requirement, so a typo cannot hide a failure.  A run of a few paths may
 * use the expectations of the whole suite: ids are also looked up in the
 * default scenario directory. */
static int load_expectations(run_options *o, const ic_scenario_set *set)
{
    ic_error err;
    int rc = ic_expect_load(o->expect_path, &o->expect, &err);
    if (!rc && check_expect_ids(o->expect, set, &err) != IC_OK) {
        ic_scenario_set all;
        size_t nerrors;
        char *dir[] = { (char *)ic_cli_default_scenario_dir() };
        rc = ic_scenario_set_load(dir, 1, o->requirements, true, &all, &nerrors) == 0
                 ? check_expect_ids(o->expect, &all, &err)
                 : check_expect_ids(o->expect, set, &err);
        ic_scenario_set_free(&all);
    }
    if (rc)
        fprintf(stderr, "imapconform run: %s\n", err.msg);
    return rc ? -1 : 0;
}

/* --profile NAME: a name from the profiles/ directory beside the
 * scenarios, or a path to a profile file. */
static int load_profile(run_options *o)
{
    const char *name = o->profile_name ? o->profile_name : IC_PROFILE_DEFAULT;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/profiles", ic_cli_default_scenario_dir());
    ic_error err;
    if (ic_profile_set_load(dir, &o->profiles, &err) != IC_OK) {
        fprintf(stderr, "imapconform run: %s\n", err.msg);
        return -1;
    }
    o->profile = ic_profile_set_find(&o->profiles, name);
    if (!o->profile) {
        fprintf(stderr, "imapconform run: unknown profile \"%s\"; 'imapconform profiles' lists "
                "the %zu in %s\n", name, o->profiles.n, dir);
        return -1;
    }
    return 0;
}

/* The filters, the profile's areas, then the shard: scenario i of the
 * selection (in load order: sorted by path) belongs to shard (i mod N) + 1, so the parts are
 * disjoint, cover everything and differ in size by at most one. */
static size_t select_scenarios(const run_options *o, const ic_scenario_set *set, ic_scenario **sel)
{
    size_t nsel = 0, index = 0;
    for (size_t i = 0; i < set->n; i++) {
        const ic_scenario *sc = set->items[i];
        if (!ic_selection_matches(&o->sel, sc) || !ic_profile_selects(o->profile, sc->area))
            continue;
        if (!o->shard_n || index++ % o->shard_n == o->shard_k - 1)
            sel[nsel++] = set->items[i];
    }
    return nsel;
}

int ic_cmd_run(int argc, char **argv)
{
    run_options o;
    memset(&o, 0, sizeof o);
    o.sweep = true;
    ic_cli_conn_init(&o.conn);
    ic_cli_conn_init(&o.conn2);
    int parsed = parse_args(&o, argc, argv);
    int exit_code = parsed > 0 ? IC_EXIT_OK : IC_EXIT_USAGE;
    ic_scenario_set set;
    memset(&set, 0, sizeof set);
    size_t nerrors = 0;
    if (parsed == 0 && (ic_scenario_set_load(o.paths, o.npaths, o.requirements, true, &set,
                                             &nerrors) != 0 || ic_scenario_set_check_ids(&set))) {
        fprintf(stderr, "imapconform run: fix the scenario errors above (nothing was sent)\n");
        parsed = -1;
    }
    if (parsed == 0 && o.expect_path && load_expectations(&o, &set) != 0)
        parsed = -1;
    if (parsed == 0 && load_profile(&o) != 0)
        parsed = -1;
    ic_scenario **sel = parsed == 0 ? calloc(set.n + 1, sizeof *sel) : NULL;
    size_t nsel = sel ? select_scenarios(&o, &set, sel) : 0;
    if (sel && nsel == 0) {
        fprintf(stderr, "imapconform run: no scenario selected (%zu loaded); check --filter, "
                "--tag and --requirement\n", set.n);
    } else if (sel && o.list) {
        list_selected(sel, nsel);
        exit_code = IC_EXIT_OK;
    } else if (sel) {
        exit_code = execute(&o, sel, nsel, set.reqs);
    }
    free(sel);
    ic_expect_free(o.expect);
    ic_profile_set_free(&o.profiles);
    ic_scenario_set_free(&set);
    ic_cli_conn_free(&o.conn);
    ic_cli_conn_free(&o.conn2);
    return exit_code;
}
