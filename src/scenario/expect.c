/* expect.c: loading expectation files (known failures, see ic_expect.h): a
 * YAML list of {id, verdict, reason}, one file or a directory of them. */
#include "scenario_internal.h"
#include "ic_expect.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct expect_ctx {
    const sc_doc *doc;
    ic_error *err;
    ic_expectation *item;
} expect_ctx;

static int key_id(void *ctx, const sc_node *key, const sc_node *value)
{
    expect_ctx *c = ctx;
    (void)key;
    return sc_get_string(c->doc, value, "id", false, &c->item->id, c->err);
}

static int key_reason(void *ctx, const sc_node *key, const sc_node *value)
{
    expect_ctx *c = ctx;
    (void)key;
    return sc_get_string(c->doc, value, "reason", false, &c->item->reason, c->err);
}

/* Only verdicts that fail a check can be expected (the words are those of
 * ic_verdict_name; spelled here so this module needs nothing of the
 * engine's code). */
static int key_verdict(void *ctx, const sc_node *key, const sc_node *value)
{
    static const struct { const char *word; ic_verdict verdict; } allowed[] = {
        { "FAIL", IC_VERDICT_FAIL }, { "NON-STRICT", IC_VERDICT_NONSTRICT },
        { "ERROR", IC_VERDICT_ERROR },
    };
    expect_ctx *c = ctx;
    (void)key;
    char *text = NULL;
    int rc = sc_get_string(c->doc, value, "verdict", false, &text, c->err);
    for (size_t i = 0; !rc && i < sizeof allowed / sizeof allowed[0]; i++)
        if (strcasecmp(text, allowed[i].word) == 0) {
            c->item->verdict = allowed[i].verdict;
            free(text);
            return IC_OK;
        }
    if (!rc)
        rc = sc_fail_node(c->doc, value, c->err, "verdict \"%s\" cannot be expected (use FAIL, "
                          "NON-STRICT or ERROR)", text);
    free(text);
    return rc;
}

static const sc_key_handler expectation_keys[] = {
    { "id", true, key_id },
    { "verdict", false, key_verdict },
    { "reason", true, key_reason },
};

static int load_items(const sc_doc *doc, ic_expectations *e, ic_error *err)
{
    const sc_node *root = doc->root;
    if (sc_is_null(root))
        return IC_OK;   /* an empty file: nothing expected to fail */
    if (root->type != SC_SEQUENCE)
        return sc_fail_node(doc, root, err, "an expectations file is a list of {id, verdict, "
                            "reason}, not a %s", sc_type_name(root->type));
    ic_expectation *grown = realloc(e->items, (e->n + root->n + 1) * sizeof *grown);
    if (!grown)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    e->items = grown;
    for (size_t i = 0; i < root->n; i++) {
        ic_expectation *item = &e->items[e->n++];
        memset(item, 0, sizeof *item);
        item->verdict = IC_VERDICT_FAIL;
        item->line = root->items[i]->line;
        if (!(item->file = strdup(doc->path)))
            return ic_fail(err, IC_ERR_NOMEM, "out of memory");
        expect_ctx ctx = { doc, err, item };
        int rc = sc_dispatch(doc, root->items[i], expectation_keys,
                             sizeof expectation_keys / sizeof expectation_keys[0], &ctx,
                             "the expectation", err);
        if (rc)
            return rc;
    }
    return IC_OK;
}

static int load_file(const char *path, ic_expectations *e, ic_error *err)
{
    sc_doc doc;
    int rc = sc_doc_load(path, &doc, err);
    if (!rc) {
        rc = load_items(&doc, e, err);
        sc_doc_free(&doc);
    }
    return rc;
}

static int yaml_entry(const struct dirent *d)
{
    size_t n = strlen(d->d_name);
    return d->d_name[0] != '.' && n > 5 && strcmp(d->d_name + n - 5, ".yaml") == 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int load_dir(const char *path, ic_expectations *e, ic_error *err)
{
    struct dirent **names = NULL;
    int n = scandir(path, &names, yaml_entry, by_name);
    if (n < 0)
        return ic_fail(err, IC_ERR_USAGE, "%s: cannot read the expectations directory", path);
    int rc = IC_OK;
    for (int i = 0; i < n; i++) {
        char file[4096];
        snprintf(file, sizeof file, "%s/%s", path, names[i]->d_name);
        if (!rc)
            rc = load_file(file, e, err);
        free(names[i]);
    }
    free(names);
    return rc;
}

int ic_expect_load(const char *path, ic_expectations **out, ic_error *err)
{
    *out = NULL;
    ic_expectations *e = calloc(1, sizeof *e);
    if (!e)
        return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    struct stat st;
    int rc = stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? load_dir(path, e, err)
                                                        : load_file(path, e, err);
    if (rc) {
        ic_expect_free(e);
        return rc;
    }
    *out = e;
    return IC_OK;
}

void ic_expect_free(ic_expectations *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++) {
        free(e->items[i].id);
        free(e->items[i].reason);
        free(e->items[i].file);
    }
    free(e->items);
    free(e);
}

int ic_expect_check_ids(const ic_expectations *e, char *const *ids, size_t nids,
                        const ic_reqlist *reqs, ic_error *err)
{
    for (size_t i = 0; i < e->n; i++) {
        const ic_expectation *x = &e->items[i];
        bool known = ic_reqlist_find(reqs, x->id) != NULL;
        for (size_t j = 0; !known && j < nids; j++)
            known = strcmp(ids[j], x->id) == 0;
        if (!known)
            return ic_fail(err, IC_ERR_SCENARIO, "%s:%d: \"%s\" is neither a scenario id nor a "
                           "requirement id (remove it, or fix the spelling)", x->file, x->line,
                           x->id);
    }
    return IC_OK;
}
