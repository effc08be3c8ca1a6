/* reqlist.c: the project's requirement list: one YAML file, or a directory
 * of them (scenarios/requirements/, one .yaml file per area, so areas grow
 * without editing a shared file).  Each file is a mapping:
 *
 *   UIDPLUS-13:
 *     ref: RFC 4315 §3
 *     level: MUST NOT
 *     statement: the UID set form of APPENDUID MUST NOT be used ...
 *     untestable: reason        # optional
 *
 * Duplicate IDs within a file are caught as duplicate keys by the tree
 * builder, and across files here.
 */
#include "scenario_internal.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct req_ctx {
    const sc_doc *doc;
    ic_error *err;
    ic_requirement *item;
} req_ctx;

static const char *const level_words[] = {
    "MUST", "MUST NOT", "SHALL", "SHALL NOT", "REQUIRED", "SHOULD", "SHOULD NOT",
    "RECOMMENDED", "MAY", "OPTIONAL", "INFO",
};

int sc_read_level(const sc_doc *doc, const sc_node *value, char **keyword, ic_level *level,
                  ic_error *err)
{
    char *text = NULL;
    int rc = sc_get_string(doc, value, "level", false, &text, err);
    if (rc)
        return rc;
    char norm[32];
    if (!ic_level_parse(text, level) || !sc_level_normalize(text, norm, sizeof norm)) {
        char expected[400];
        sc_expected_list(expected, sizeof expected, text, level_words,
                         sizeof level_words / sizeof level_words[0]);
        rc = sc_fail_node(doc, value, err, "unknown level \"%s\"%s", text, expected);
        free(text);
        return rc;
    }
    free(text);
    if (keyword && !(*keyword = strdup(norm)))
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    return IC_OK;
}

static int req_ref(void *ctx, const sc_node *key, const sc_node *value)
{
    req_ctx *c = ctx;
    (void)key;
    return sc_get_string(c->doc, value, "ref", false, &c->item->ref, c->err);
}

static int req_level(void *ctx, const sc_node *key, const sc_node *value)
{
    req_ctx *c = ctx;
    (void)key;
    return sc_read_level(c->doc, value, &c->item->keyword, &c->item->level, c->err);
}

static int req_statement(void *ctx, const sc_node *key, const sc_node *value)
{
    req_ctx *c = ctx;
    (void)key;
    return sc_get_string(c->doc, value, "statement", false, &c->item->statement, c->err);
}

static int req_untestable(void *ctx, const sc_node *key, const sc_node *value)
{
    req_ctx *c = ctx;
    (void)key;
    return sc_get_string(c->doc, value, "untestable", false, &c->item->untestable, c->err);
}

static const sc_key_handler requirement_keys[] = {
    { "ref", true, req_ref },
    { "level", true, req_level },
    { "statement", true, req_statement },
    { "untestable", false, req_untestable },
};

static int load_items(const sc_doc *doc, ic_reqlist *list, ic_error *err)
{
    const sc_node *root = doc->root;
    if (root->type != SC_MAPPING)
        return sc_fail_node(doc, root, err, "a requirement list is a mapping of IDs to "
                            "{ref, level, statement}, not a %s", sc_type_name(root->type));
    ic_requirement *grown = realloc(list->items, (list->n + root->n + 1) * sizeof *grown);
    if (!grown)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    list->items = grown;
    memset(list->items + list->n, 0, (root->n + 1) * sizeof *grown);
    for (size_t i = 0; i < root->n; i++) {
        const sc_node *key = SC_KEY(root, i);
        const ic_requirement *earlier = ic_reqlist_find(list, key->text);
        ic_requirement *item = &list->items[list->n++];
        item->line = key->line;
        if (!sc_is_requirement_id(key->text))
            return sc_fail_node(doc, key, err, "invalid requirement ID \"%s\": expected upper-case "
                                "letters and digits, \"-\" and a number (e.g. UIDPLUS-13)",
                                key->text);
        if (earlier)
            return sc_fail_node(doc, key, err, "requirement %s is already defined in %s:%d",
                                key->text, earlier->file, earlier->line);
        if (!(item->file = strdup(doc->path)))
            return ic_fail(err, IC_ERR_NOMEM, "out of memory");
        if (!(item->id = strdup(key->text)))
            return ic_fail(err, IC_ERR_NOMEM, "out of memory");
        char what[96];
        snprintf(what, sizeof what, "requirement %s", item->id);
        req_ctx ctx = { doc, err, item };
        int rc = sc_dispatch(doc, SC_VALUE(root, i), requirement_keys,
                             sizeof requirement_keys / sizeof requirement_keys[0], &ctx, what, err);
        if (rc)
            return rc;
    }
    return IC_OK;
}

static int load_file(const char *path, ic_reqlist *list, ic_error *err)
{
    sc_doc doc;
    int rc = sc_doc_load(path, &doc, err);
    if (!rc) {
        rc = load_items(&doc, list, err);
        sc_doc_free(&doc);
    }
    return rc;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_yaml_file(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return e->d_name[0] != '.' && ((n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0) ||
                                   (n > 4 && strcmp(e->d_name + n - 4, ".yml") == 0));
}

static int load_dir(const char *path, ic_reqlist *list, ic_error *err)
{
    struct dirent **names = NULL;
    int n = scandir(path, &names, is_yaml_file, by_name);
    if (n < 0)
        return ic_fail(err, IC_ERR_USAGE, "%s: cannot read the requirement directory", path);
    int rc = n == 0 ? ic_fail(err, IC_ERR_USAGE, "%s: no *.yaml requirement files", path) : IC_OK;
    for (int i = 0; i < n; i++) {
        char file[4096];
        snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name);
        if (!rc)
            rc = load_file(file, list, err);
        free(names[i]);
    }
    free(names);
    return rc;
}

int ic_reqlist_load(const char *path, ic_reqlist **out, ic_error *err)
{
    *out = NULL;
    ic_reqlist *list = calloc(1, sizeof *list);
    if (!list || !(list->path = strdup(path))) {
        free(list);
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    }
    struct stat st;
    int rc = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? load_dir(path, list, err)
                                                        : load_file(path, list, err);
    if (rc) {
        ic_reqlist_free(list);
        return rc;
    }
    *out = list;
    return IC_OK;
}

void ic_reqlist_free(ic_reqlist *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++) {
        ic_requirement *r = &l->items[i];
        free(r->id);
        free(r->file);
        free(r->ref);
        free(r->keyword);
        free(r->statement);
        free(r->untestable);
    }
    free(l->items);
    free(l->path);
    free(l);
}

const ic_requirement *ic_reqlist_find(const ic_reqlist *l, const char *id)
{
    for (size_t i = 0; l && id && i < l->n; i++)
        if (strcmp(l->items[i].id, id) == 0)
            return &l->items[i];
    return NULL;
}
