/* load.c: a scenario file's top-level keys (docs/scenario-format.md §1) and
 * the model's lifetime.  The key table is in dependency order: requirements
 * before level (whose default they decide), fixture before dialogue (whose
 * variables it binds).
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int nomem(ic_error *err)
{
    return ic_fail(err, IC_ERR_NOMEM, "out of memory");
}

/* Dotted lower-case segments of [a-z0-9-], each starting with [a-z0-9],
 * at least two. */
static bool valid_id(const char *id)
{
    int segments = 0;
    for (const char *p = id;; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            return false;
        p += strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-");
        segments++;
        if (*p == '\0')
            return segments >= 2;
        if (*p != '.')
            return false;
    }
}

static int key_id(void *ctx, const sc_node *key, const sc_node *value)
{
    sc_loader *ld = ctx;
    (void)key;
    int rc = sc_get_string(&ld->doc, value, "id", false, &ld->sc->id, ld->err);
    if (rc)
        return rc;
    if (!valid_id(ld->sc->id))
        return sc_fail_node(&ld->doc, value, ld->err, "invalid id \"%s\": expected at least two "
                            "dot-separated lower-case segments of a-z, 0-9 and \"-\" "
                            "(e.g. uidplus.appenduid.single)", ld->sc->id);
    ld->sc->area = strndup(ld->sc->id, strcspn(ld->sc->id, "."));
    return ld->sc->area ? IC_OK : nomem(ld->err);
}

static int key_title(void *ctx, const sc_node *key, const sc_node *value)
{
    sc_loader *ld = ctx;
    (void)key;
    return sc_get_string(&ld->doc, value, "title", false, &ld->sc->title, ld->err);
}

int sc_check_requirement(sc_loader *ld, const sc_node *n, char **out)
{
    int rc = sc_get_string(&ld->doc, n, "a requirement ID", false, out, ld->err);
    if (rc)
        return rc;
    if (!sc_is_requirement_id(*out))
        return sc_fail_node(&ld->doc, n, ld->err, "invalid requirement ID \"%s\" (expected e.g. "
                            "QR-42: upper-case letters and digits, \"-\", a number)", *out);
    if (ld->reqs && !ic_reqlist_find(ld->reqs, *out))
        return sc_fail_node(&ld->doc, n, ld->err, "unknown requirement \"%s\" (not in %s)", *out,
                            ld->reqs->path);
    return IC_OK;
}

static int key_requirements(void *ctx, const sc_node *key, const sc_node *value)
{
    sc_loader *ld = ctx;
    ic_scenario *sc = ld->sc;
    (void)key;
    if (sc_is_null(value) || (value->type == SC_SEQUENCE && value->n == 0))
        return sc_fail_node(&ld->doc, value, ld->err, "requirements is empty: list the IDs the "
                            "scenario checks, e.g. [QR-42]");
    int rc = sc_expect(&ld->doc, value, SC_SEQUENCE, "requirements", ld->err);
    if (rc)
        return rc;
    if (!(sc->requirements = calloc(value->n, sizeof *sc->requirements)))
        return nomem(ld->err);
    for (size_t i = 0; i < value->n; i++) {
        rc = sc_check_requirement(ld, value->items[i], &sc->requirements[sc->nrequirements]);
        sc->nrequirements++;     /* counted even on failure: the string is freed with the rest */
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++)
            if (strcmp(sc->requirements[j], sc->requirements[i]) == 0)
                return sc_fail_node(&ld->doc, value->items[i], ld->err,
                                    "requirement \"%s\" is listed twice", sc->requirements[i]);
    }
    return IC_OK;
}

static int key_level(void *ctx, const sc_node *key, const sc_node *value)
{
    sc_loader *ld = ctx;
    (void)key;
    ld->sc->level_explicit = true;
    return sc_read_level(&ld->doc, value, NULL, &ld->sc->level, ld->err);
}

static int key_reference(void *ctx, const sc_node *key, const sc_node *value)
{
    sc_loader *ld = ctx;
    (void)key;
    return sc_get_string(&ld->doc, value, "reference", false, &ld->sc->reference, ld->err);
}

static int key_requires(void *ctx, const sc_node *key, const sc_node *value)
{
    sc_loader *ld = ctx;
    (void)key;
    return sc_get_word_list(&ld->doc, value, "requires", &ld->sc->requires, &ld->sc->nrequires,
                            ld->err);
}

static int key_tags(void *ctx, const sc_node *key, const sc_node *value)
{
    sc_loader *ld = ctx;
    (void)key;
    return sc_get_word_list(&ld->doc, value, "tags", &ld->sc->tags, &ld->sc->ntags, ld->err);
}

static int key_exclusive(void *ctx, const sc_node *key, const sc_node *value)
{
    sc_loader *ld = ctx;
    (void)key;
    return sc_get_bool(&ld->doc, value, "exclusive", &ld->sc->exclusive, ld->err);
}

static int key_description(void *ctx, const sc_node *key, const sc_node *value)
{
    sc_loader *ld = ctx;
    (void)key;
    return sc_get_string(&ld->doc, value, "description", false, &ld->sc->description, ld->err);
}

static int key_fixture(void *ctx, const sc_node *key, const sc_node *value)
{
    (void)key;
    return sc_load_fixture(ctx, value);
}

static int key_dialogue(void *ctx, const sc_node *key, const sc_node *value)
{
    (void)key;
    return sc_load_dialogue(ctx, value);
}

static const sc_key_handler scenario_keys[] = {
    { "id", true, key_id },
    { "title", true, key_title },
    { "requirements", true, key_requirements },
    { "level", false, key_level },
    { "reference", false, key_reference },
    { "requires", false, key_requires },
    { "tags", false, key_tags },
    { "exclusive", false, key_exclusive },
    { "description", false, key_description },
    { "fixture", false, key_fixture },
    { "dialogue", true, key_dialogue },
};

/* The strictest level among the requirements (MUST < SHOULD < MAY). */
static ic_level default_level(const ic_scenario *sc, const ic_reqlist *reqs)
{
    if (!reqs)
        return IC_LEVEL_MUST;
    ic_level level = IC_LEVEL_MAY;
    for (size_t i = 0; i < sc->nrequirements; i++) {
        const ic_requirement *r = ic_reqlist_find(reqs, sc->requirements[i]);
        if (r && r->level < level)
            level = r->level;
    }
    return level;
}

int sc_bind(sc_loader *ld, const char *name, size_t len)
{
    for (size_t i = 0; i < ld->nbound; i++)
        if (strlen(ld->bound[i]) == len && memcmp(ld->bound[i], name, len) == 0)
            return IC_OK;
    if (ld->nbound == ld->bound_alloc) {
        size_t n = ld->bound_alloc ? ld->bound_alloc * 2 : 16;
        char **p = realloc(ld->bound, n * sizeof *p);
        if (!p)
            return nomem(ld->err);
        ld->bound = p;
        ld->bound_alloc = n;
    }
    if (!(ld->bound[ld->nbound] = strndup(name, len)))
        return nomem(ld->err);
    ld->nbound++;
    return IC_OK;
}

bool sc_is_bound(const sc_loader *ld, const char *name)
{
    for (size_t i = 0; i < ld->nbound; i++)
        if (strcmp(ld->bound[i], name) == 0)
            return true;
    return false;
}

static ic_scenario *new_scenario(const char *path)
{
    ic_scenario *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    const char *slash = strrchr(path, '/');
    sc->path = strdup(path);
    sc->dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    for (int n = 1; n <= IC_SCENARIO_MAX_CONNS; n++) {
        sc->conns[n].user = 1;
        sc->conns[n].login = true;
    }
    if (!sc->path || !sc->dir) {
        ic_scenario_free(sc);
        return NULL;
    }
    return sc;
}

/* Variables the engine binds before the dialogue: the login names. */
const char *const sc_builtin_variables[] = { "user", "user2", NULL };

int ic_scenario_load(const char *path, const ic_reqlist *reqs, ic_scenario **out, ic_error *err)
{
    *out = NULL;
    sc_loader ld = { .reqs = reqs, .err = err };
    if (!(ld.sc = new_scenario(path)))
        return nomem(err);
    int rc = IC_OK;
    for (size_t i = 0; sc_builtin_variables[i] && !rc; i++)
        rc = sc_bind(&ld, sc_builtin_variables[i], strlen(sc_builtin_variables[i]));
    if (!rc)
        rc = sc_doc_load(path, &ld.doc, err);
    if (!rc && ld.doc.root->type != SC_MAPPING)
        rc = sc_fail_node(&ld.doc, ld.doc.root, err, "a scenario is a mapping (id:, title:, "
                          "requirements:, dialogue:, ...), not a %s",
                          sc_type_name(ld.doc.root->type));
    if (!rc)
        rc = sc_dispatch(&ld.doc, ld.doc.root, scenario_keys,
                         sizeof scenario_keys / sizeof scenario_keys[0], &ld, "the scenario", err);
    if (!rc && !ld.sc->level_explicit)
        ld.sc->level = default_level(ld.sc, reqs);
    sc_doc_free(&ld.doc);
    sc_free_strings(ld.bound, ld.nbound);
    if (rc) {
        ic_scenario_free(ld.sc);
        return rc;
    }
    *out = ld.sc;
    return IC_OK;
}

void ic_scenario_free(ic_scenario *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->nsteps; i++)
        sc_step_free(&s->steps[i]);
    free(s->steps);
    sc_fixture_free(s);
    sc_free_strings(s->requirements, s->nrequirements);
    sc_free_strings(s->requires, s->nrequires);
    sc_free_strings(s->tags, s->ntags);
    free(s->path);
    free(s->dir);
    free(s->id);
    free(s->area);
    free(s->title);
    free(s->description);
    free(s->reference);
    free(s);
}
