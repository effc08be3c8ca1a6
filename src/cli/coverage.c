/* coverage.c: `imapconform coverage [PATH...]`: which scenarios check each
 * requirement, which requirements are untestable (and why), and which are
 * left uncovered.  No server is needed. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#define COVERAGE_CMD "coverage"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: imapconform coverage [PATH...] [--requirements DIR|FILE] [--markdown]\n"
            "                            [--area PREFIX] [--strict]\n"
            "For every requirement in the requirement list: the scenarios that check it, or the\n"
            "reason it cannot be tested black-box, or UNCOVERED.  Ends with the counts.\n"
            "  --markdown      print a Markdown table (docs/coverage.md is made this way)\n"
            "  --area PREFIX   only requirements whose ID starts with PREFIX (e.g. UIDPLUS-)\n"
            "  --strict        exit 1 when a requirement is neither covered nor explained\n");
}

/* Whether sc checks id: in its requirement list or a step's own. */
static bool scenario_checks(const ic_scenario *sc, const char *id)
{
    for (size_t i = 0; i < sc->nrequirements; i++)
        if (strcmp(sc->requirements[i], id) == 0)
            return true;
    for (size_t i = 0; i < sc->nsteps; i++)
        if (sc->steps[i].requirement && strcmp(sc->steps[i].requirement, id) == 0)
            return true;
    return false;
}

typedef struct coverage_counts {
    size_t total, covered, untestable, uncovered;
} coverage_counts;

static void print_row(const ic_requirement *r, const ic_scenario_set *set, bool markdown,
                      coverage_counts *c)
{
    ic_buf by;
    ic_buf_init(&by, 0);
    for (size_t i = 0; i < set->n; i++)
        if (scenario_checks(set->items[i], r->id))
            ic_buf_printf(&by, "%s%s", by.len ? ", " : "", set->items[i]->id);
    const char *status;
    c->total++;
    if (by.len) {
        c->covered++;
        status = (const char *)by.data;
    } else if (r->untestable) {
        c->untestable++;
        status = NULL;
    } else {
        c->uncovered++;
        status = "UNCOVERED";
    }
    if (markdown)
        printf("| %s | %s | %s | %s%s |\n", r->id, r->keyword, r->ref,
               status ? status : "not testable black-box: ", status ? "" : r->untestable);
    else
        printf("%-14s %-11s %-24s %s%s\n", r->id, r->keyword, r->ref,
               status ? status : "untestable: ", status ? "" : r->untestable);
    ic_buf_free(&by);
}

int ic_cmd_coverage(int argc, char **argv)
{
    static const struct option opts[] = {
        { "requirements", required_argument, NULL, 'r' },
        { "markdown", no_argument, NULL, 'm' },
        { "area", required_argument, NULL, 'a' },
        { "strict", no_argument, NULL, 's' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    const char *reqs = NULL, *area = "";
    bool markdown = false, strict = false;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'h': usage(stdout); return IC_EXIT_OK;
        case 'r': reqs = optarg; break;
        case 'm': markdown = true; break;
        case 'a': area = optarg; break;
        case 's': strict = true; break;
        default:
            ic_cli_usage_error(COVERAGE_CMD, "unknown option \"%s\"", argv[optind - 1]);
            return IC_EXIT_USAGE;
        }
    }
    ic_scenario_set set;
    size_t nerrors = 0;
    if (ic_scenario_set_load(argv + optind, (size_t)(argc - optind), reqs, false, &set, &nerrors) ||
        !set.reqs) {
        if (!set.reqs && nerrors == 0)
            fprintf(stderr, "imapconform coverage: no requirement list found; give --requirements\n");
        ic_scenario_set_free(&set);
        return IC_EXIT_USAGE;
    }
    if (markdown)
        printf("| requirement | level | reference | checked by |\n|---|---|---|---|\n");
    coverage_counts counts = { 0 };
    for (size_t i = 0; i < set.reqs->n; i++)
        if (strncmp(set.reqs->items[i].id, area, strlen(area)) == 0)
            print_row(&set.reqs->items[i], &set, markdown, &counts);
    printf("%scoverage: %zu requirements, %zu covered, %zu untestable (with a reason), "
           "%zu uncovered\n", markdown ? "\n" : "", counts.total, counts.covered,
           counts.untestable, counts.uncovered);
    ic_scenario_set_free(&set);
    return strict && counts.uncovered ? IC_EXIT_FAIL : IC_EXIT_OK;
}
