/* scenarios.c: loading and selecting scenarios for `run` and `lint`. */
#include "cli.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#ifndef IC_SCENARIO_DIR
#define IC_SCENARIO_DIR "/usr/local/share/imapconform/scenarios"
#endif

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

const char *ic_cli_default_scenario_dir(void)
{
    /* A checkout's own scenarios win over the installed ones, so `make demo`
     * and the tests always run what is in the tree. */
    return is_dir("scenarios") ? "scenarios" : IC_SCENARIO_DIR;
}

/* The requirement list of the first path that has one: a requirements/
 * directory or a requirements.yaml, in the path (a directory, or the
 * directory of a file) or its parents up to three levels. */
static char *find_requirements(char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", paths[i]);
        if (!is_dir(dir)) {
            char *slash = strrchr(dir, '/');
            if (slash)
                *slash = '\0';
            else
                snprintf(dir, sizeof dir, ".");
        }
        for (int up = 0; up < 4; up++) {
            char candidate[4200];
            snprintf(candidate, sizeof candidate, "%s/requirements", dir);
            if (is_dir(candidate))
                return strdup(candidate);
            snprintf(candidate, sizeof candidate, "%s/requirements.yaml", dir);
            if (is_file(candidate))
                return strdup(candidate);
            size_t len = strlen(dir);
            if (len + 3 >= sizeof dir)
                break;
            memcpy(dir + len, "/..", 4);
        }
    }
    return NULL;
}

void ic_scenario_set_free(ic_scenario_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        ic_scenario_free(set->items[i]);
    free(set->items);
    ic_reqlist_free(set->reqs);
    memset(set, 0, sizeof *set);
}

int ic_scenario_set_load(char *const *paths, size_t npaths, const char *reqs_path,
                         bool keep_going, ic_scenario_set *set, size_t *nerrors)
{
    memset(set, 0, sizeof *set);
    *nerrors = 0;
    const char *defaults[] = { ic_cli_default_scenario_dir() };
    if (!npaths) {
        paths = (char *const *)defaults;
        npaths = 1;
    }
    ic_error err;
    char *found = reqs_path ? NULL : find_requirements(paths, npaths);
    const char *use = reqs_path ? reqs_path : found;
    if (use && ic_reqlist_load(use, &set->reqs, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        free(found);
        return -1;
    }
    free(found);
    char **files = NULL;
    size_t count = 0;
    if (ic_scenario_find(paths, npaths, &files, &count, &err)) {
        fprintf(stderr, "imapconform: %s\n", err.msg);
        return -1;
    }
    set->items = calloc(count + 1, sizeof *set->items);
    for (size_t i = 0; set->items && i < count; i++) {
        ic_scenario *sc = NULL;
        if (ic_scenario_load(files[i], set->reqs, &sc, &err)) {
            fprintf(stderr, "%s\n", err.msg);
            ++*nerrors;
            if (!keep_going)
                break;
            continue;
        }
        set->items[set->n++] = sc;
    }
    ic_scenario_paths_free(files);
    if (!set->items)
        return -1;
    return *nerrors ? -1 : 0;
}

/* Duplicate ids would make reports ambiguous. */
int ic_scenario_set_check_ids(const ic_scenario_set *set)
{
    int dups = 0;
    for (size_t i = 0; i < set->n; i++)
        for (size_t j = i + 1; j < set->n; j++)
            if (strcmp(set->items[i]->id, set->items[j]->id) == 0) {
                fprintf(stderr, "%s: id \"%s\" is also used by %s\n", set->items[j]->path,
                        set->items[j]->id, set->items[i]->path);
                dups++;
            }
    return dups;
}

static bool any_string(char *const *list, size_t n, const char *want)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(list[i], want) == 0)
            return true;
    return false;
}

bool ic_selection_matches(const ic_selection *sel, const ic_scenario *sc)
{
    bool ok = sel->nfilters == 0;
    for (size_t i = 0; i < sel->nfilters && !ok; i++)
        ok = fnmatch(sel->filters[i], sc->id, 0) == 0;
    for (size_t i = 0; i < sel->ntags && ok; i++)
        ok = any_string(sc->tags, sc->ntags, sel->tags[i]);
    for (size_t i = 0; i < sel->nrequirements && ok; i++)
        ok = any_string(sc->requirements, sc->nrequirements, sel->requirements[i]);
    return ok;
}
