/* find.c: the scenario files named by command-line paths.
 *
 * A file is taken as given, except requirements.yaml: that is the
 * requirement list, and skipping it keeps a shell glob over a scenario
 * directory usable;
 * a directory is searched recursively for *.yaml and *.yml, skipping hidden
 * entries and directories named "profiles" or "transcripts" (they hold other
 * YAML).  Each directory's files come sorted by path; a path found twice is
 * listed once.
 */
#include "scenario_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FIND_MAX_DEPTH 16     /* stops symlink loops */

typedef struct path_list {
    char **items;
    size_t n, alloc;
} path_list;

static bool listed(const path_list *l, const char *path)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], path) == 0)
            return true;
    return false;
}

/* Takes ownership of path (freed when already listed or on failure). */
static int push(path_list *l, char *path, ic_error *err)
{
    if (!path)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    if (listed(l, path)) {
        free(path);
        return IC_OK;
    }
    if (l->n + 2 > l->alloc) {
        size_t a = l->alloc ? l->alloc * 2 : 32;
        char **p = realloc(l->items, a * sizeof *p);
        if (!p) {
            free(path);
            return ic_fail(err, IC_ERR_NOMEM, "out of memory");
        }
        l->items = p;
        l->alloc = a;
    }
    l->items[l->n++] = path;
    l->items[l->n] = NULL;
    return IC_OK;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool is_yaml_name(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static bool skipped_dir(const char *name)
{
    return strcmp(name, "profiles") == 0 || strcmp(name, "transcripts") == 0 ||
           strcmp(name, "requirements") == 0;
}

static char *join(const char *dir, const char *name)
{
    size_t n = strlen(dir);
    bool slash = n > 0 && dir[n - 1] == '/';
    size_t size = n + strlen(name) + 2;
    char *p = malloc(size);
    if (p)
        snprintf(p, size, "%s%s%s", dir, slash ? "" : "/", name);
    return p;
}

static int compare_paths(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(const char *dir, int depth, path_list *found, ic_error *err)
{
    if (depth > FIND_MAX_DEPTH)
        return ic_fail(err, IC_ERR_USAGE, "%s: directories nested deeper than %d levels "
                       "(a symbolic link loop?)", dir, FIND_MAX_DEPTH);
    DIR *d = opendir(dir);
    if (!d)
        return ic_fail(err, IC_ERR_USAGE, "cannot read directory %s: %s", dir, strerror(errno));
    int rc = IC_OK;
    struct dirent *e;
    while (!rc && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;     /* ".", "..", and hidden files such as editor swap files */
        char *path = join(dir, e->d_name);
        struct stat st;
        if (!path) {
            rc = ic_fail(err, IC_ERR_NOMEM, "out of memory");
        } else if (stat(path, &st) != 0) {
            free(path);    /* a dangling link: nothing to load */
        } else if (S_ISDIR(st.st_mode)) {
            if (!skipped_dir(e->d_name))
                rc = walk_dir(path, depth + 1, found, err);
            free(path);
        } else if (S_ISREG(st.st_mode) && is_yaml_name(e->d_name) &&
                   strcmp(e->d_name, "requirements.yaml") != 0) {
            rc = push(found, path, err);
        } else {
            free(path);
        }
    }
    closedir(d);
    return rc;
}

static int add_path(const char *path, path_list *out, ic_error *err)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return ic_fail(err, IC_ERR_USAGE, "no such file or directory: %s", path);
        return ic_fail(err, IC_ERR_USAGE, "cannot read %s: %s", path, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return strcmp(base_name(path), "requirements.yaml") == 0 ? IC_OK
                                                                 : push(out, strdup(path), err);
    path_list found = { 0 };
    int rc = walk_dir(path, 0, &found, err);
    if (found.n)
        qsort(found.items, found.n, sizeof *found.items, compare_paths);
    size_t i = 0;
    for (; !rc && i < found.n; i++)
        rc = push(out, found.items[i], err);
    for (; i < found.n; i++)
        free(found.items[i]);
    free(found.items);
    return rc;
}

int ic_scenario_find(char *const *paths, size_t npaths, char ***out, size_t *count, ic_error *err)
{
    *out = NULL;
    *count = 0;
    path_list l = { 0 };
    int rc = IC_OK;
    for (size_t i = 0; i < npaths && !rc; i++)
        rc = add_path(paths[i], &l, err);
    if (!rc && !l.items && !(l.items = calloc(1, sizeof *l.items)))
        rc = ic_fail(err, IC_ERR_NOMEM, "out of memory");
    if (rc) {
        ic_scenario_paths_free(l.items);
        return rc;
    }
    *out = l.items;
    *count = l.n;
    return IC_OK;
}

void ic_scenario_paths_free(char **paths)
{
    for (size_t i = 0; paths && paths[i]; i++)
        free(paths[i]);
    free(paths);
}
