/* lint.c: `imapconform lint [PATH...]`: checks every scenario without a
 * server. */
#include "cli.h"

#include <string.h>

#define LINT_CMD "lint"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: imapconform lint [PATH...] [--requirements FILE]\n"
            "Loads every scenario under PATH (default: %s) and the requirement list,\n"
            "and reports each problem as file:line:col: message. Nothing is sent anywhere.\n"
            "Exit codes: 0 all valid; 1 problems found; 2 usage.\n",
            ic_cli_default_scenario_dir());
}

int ic_cmd_lint(int argc, char **argv)
{
    static const struct option opts[] = {
        { "requirements", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    const char *reqs = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return IC_EXIT_OK;
        }
        if (c != 'r') {
            ic_cli_usage_error(LINT_CMD, "unknown option \"%s\"", argv[optind - 1]);
            return IC_EXIT_USAGE;
        }
        reqs = optarg;
    }
    ic_scenario_set set;
    size_t nerrors = 0;
    int rc = ic_scenario_set_load(argv + optind, (size_t)(argc - optind), reqs, true, &set,
                                  &nerrors);
    size_t dups = rc == 0 || nerrors ? (size_t)ic_scenario_set_check_ids(&set) : 0;
    if (rc != 0 && nerrors == 0) {
        ic_scenario_set_free(&set);
        return IC_EXIT_USAGE;     /* unreadable path or requirement list */
    }
    printf("lint: %zu scenarios valid, %zu with errors, %zu duplicate ids%s\n", set.n, nerrors,
           dups, set.reqs ? "" : " (no requirements.yaml found: requirement ids not checked)");
    ic_scenario_set_free(&set);
    return nerrors || dups ? IC_EXIT_FAIL : IC_EXIT_OK;
}
