/* dialogue.c: the "dialogue" list (docs/scenario-format.md §3).  Each item is
 * a mapping whose first key names the step (C, C2, S, S1 optional, assert,
 * ...); the other keys are options, each allowed on the step kinds the doc's
 * options table gives.  Every step is checked against the steps before it as
 * soon as it is read (check.c).
 */
#include "scenario_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLEEP_MAX_MS 30000
#define WITHIN_MAX_MS 120000

#define KIND(k) (1u << (k))
#define CHECK_KINDS (KIND(IC_STEP_EXPECT) | KIND(IC_STEP_OPTIONAL) | KIND(IC_STEP_FORBID) | \
                     KIND(IC_STEP_ASSERT))

typedef struct step_ctx {
    sc_loader *ld;
    ic_step *step;
} step_ctx;

static int nomem(ic_error *err)
{
    return ic_fail(err, IC_ERR_NOMEM, "out of memory");
}

/* ---- step keys ------------------------------------------------------------------ */

typedef enum key_parse { KEY_OK, KEY_UNKNOWN, KEY_BAD_CONN } key_parse;

/* "C", "C1".."C9", "S", "Sn", "S optional", "Sn optional", "S must not",
 * "Sn must not", "assert", "sleep", "note". */
static key_parse parse_step_key(const char *key, ic_step_kind *kind, int *conn)
{
    static const struct {
        const char *word;
        ic_step_kind kind;
    } plain[] = {
        { "assert", IC_STEP_ASSERT }, { "sleep", IC_STEP_SLEEP }, { "note", IC_STEP_NOTE },
    };
    *conn = 0;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (strcmp(key, plain[i].word) == 0) {
            *kind = plain[i].kind;
            return KEY_OK;
        }
    if (key[0] != 'C' && key[0] != 'S')
        return KEY_UNKNOWN;
    const char *p = key + 1;
    *conn = 1;
    if (*p >= '0' && *p <= '9') {
        size_t digits = strspn(p, "0123456789");
        if (digits > 1 || *p == '0')
            return KEY_BAD_CONN;
        *conn = *p++ - '0';
    }
    if (key[0] == 'C') {
        *kind = IC_STEP_SEND;
        return *p ? KEY_UNKNOWN : KEY_OK;
    }
    if (*p == '\0')
        *kind = IC_STEP_EXPECT;
    else if (strcmp(p, " optional") == 0)
        *kind = IC_STEP_OPTIONAL;
    else if (strcmp(p, " must not") == 0)
        *kind = IC_STEP_FORBID;
    else
        return KEY_UNKNOWN;
    return KEY_OK;
}

static const char *const step_words[] = {
    "C", "C1..C9", "S", "S1..S9", "S optional", "S1..S9 optional", "S must not",
    "S1..S9 must not", "assert", "sleep", "note",
};

static const char *kind_word(ic_step_kind k)
{
    static const char *const words[] = { "C", "S", "S optional", "S must not", "assert", "sleep",
                                         "note" };
    return words[k];
}

/* ---- durations ----------------------------------------------------------------- */

/* "500ms", "2s", "1.5s" (at most millisecond precision). */
static bool parse_duration(const char *s, int *ms)
{
    size_t whole = strspn(s, "0123456789");
    if (whole == 0 || whole > 6)
        return false;
    long value = strtol(s, NULL, 10);
    const char *p = s + whole;
    long frac = 0;
    size_t frac_digits = 0;
    if (*p == '.') {
        frac_digits = strspn(p + 1, "0123456789");
        if (frac_digits == 0 || frac_digits > 3)
            return false;
        for (size_t i = 0; i < 3; i++)
            frac = frac * 10 + (i < frac_digits ? p[1 + i] - '0' : 0);
        p += 1 + frac_digits;
    }
    if (strcmp(p, "ms") == 0 && frac_digits == 0)
        *ms = (int)value;
    else if (strcmp(p, "s") == 0)
        *ms = (int)(value * 1000 + frac);
    else
        return false;
    return true;
}

static int read_duration(sc_loader *ld, const sc_node *value, const char *what, int max_ms,
                         int *out)
{
    if (value->type != SC_SCALAR || !parse_duration(value->text, out))
        return sc_fail_node(&ld->doc, value, ld->err, "bad duration \"%s\" for %s (write e.g. "
                            "500ms, 2s or 1.5s)", value->type == SC_SCALAR ? value->text : "",
                            what);
    if (*out <= 0 || *out > max_ms)
        return sc_fail_node(&ld->doc, value, ld->err, "%s: %s is out of range (more than 0, "
                            "at most %ds)", what, value->text, max_ms / 1000);
    return IC_OK;
}

/* ---- options --------------------------------------------------------------------- */

static int opt_ordered(step_ctx *c, const sc_node *value)
{
    return sc_get_bool(&c->ld->doc, value, "ordered", &c->step->ordered, c->ld->err);
}

static int opt_exclusive(step_ctx *c, const sc_node *value)
{
    return sc_get_bool(&c->ld->doc, value, "exclusive", &c->step->exclusive, c->ld->err);
}

static int opt_within(step_ctx *c, const sc_node *value)
{
    return read_duration(c->ld, value, "within", WITHIN_MAX_MS, &c->step->within_ms);
}

static int opt_requirement(step_ctx *c, const sc_node *value)
{
    return sc_check_requirement(c->ld, value, &c->step->requirement);
}

static int opt_because(step_ctx *c, const sc_node *value)
{
    return sc_get_string(&c->ld->doc, value, "because", false, &c->step->because, c->ld->err);
}

static int opt_unsupported(step_ctx *c, const sc_node *value)
{
    return sc_get_string(&c->ld->doc, value, "the unsupported reason", false,
                         &c->step->unsupported_reason, c->ld->err);
}

static const struct step_option {
    const char *key;
    unsigned kinds;        /* KIND() bits of the steps it may stand beside */
    const char *on;        /* the same, for messages */
    int (*fn)(step_ctx *c, const sc_node *value);
} step_options[] = {
    { "ordered", KIND(IC_STEP_SEND), "C", opt_ordered },
    { "exclusive", KIND(IC_STEP_SEND), "C", opt_exclusive },
    { "within", KIND(IC_STEP_EXPECT), "S", opt_within },
    { "requirement", CHECK_KINDS, "S, S optional, S must not and assert", opt_requirement },
    { "because", CHECK_KINDS, "S, S optional, S must not and assert", opt_because },
    { "unsupported if missing", KIND(IC_STEP_EXPECT), "S", opt_unsupported },
    { "unsupported if false", KIND(IC_STEP_ASSERT), "assert", opt_unsupported },
};
#define NOPTIONS (sizeof step_options / sizeof step_options[0])

static int read_option(step_ctx *c, const sc_node *key, const sc_node *value)
{
    sc_loader *ld = c->ld;
    ic_step_kind kind;
    int conn;
    size_t i = 0;
    while (i < NOPTIONS && strcmp(step_options[i].key, key->text) != 0)
        i++;
    if (i == NOPTIONS && parse_step_key(key->text, &kind, &conn) == KEY_OK)
        return sc_fail_node(&ld->doc, key, ld->err, "a second step \"%s\" in one list item: "
                            "give each step its own \"- %s: ...\" item", key->text, key->text);
    if (i == NOPTIONS) {
        const char *words[NOPTIONS];
        for (size_t k = 0; k < NOPTIONS; k++)
            words[k] = step_options[k].key;
        char expected[400];
        sc_expected_list(expected, sizeof expected, key->text, words, NOPTIONS);
        return sc_fail_node(&ld->doc, key, ld->err, "unknown step option \"%s\"%s", key->text,
                            expected);
    }
    if (!(step_options[i].kinds & KIND(c->step->kind)))
        return sc_fail_node(&ld->doc, key, ld->err, "option \"%s\" is not allowed on %s steps "
                            "(only on %s)", key->text, kind_word(c->step->kind),
                            step_options[i].on);
    return step_options[i].fn(c, value);
}

/* ---- step values ------------------------------------------------------------------ */

static int read_value(step_ctx *c, const sc_node *value)
{
    sc_loader *ld = c->ld;
    ic_step *st = c->step;
    char what[32];   /* names the value in messages: "C1 line", "S2 pattern", "assertion" */
    snprintf(what, sizeof what, "%c%d %s", st->kind == IC_STEP_SEND ? 'C' : 'S', st->conn,
             st->kind == IC_STEP_SEND ? "line" : "pattern");
    int rc = sc_get_string(&ld->doc, value, kind_word(st->kind), st->kind == IC_STEP_SEND,
                           &st->text, ld->err);
    if (rc)
        return rc;
    switch (st->kind) {
    case IC_STEP_SEND:
        rc = ic_send_line_compile(st->text, ld->sc->dir, &st->send, ld->err);
        break;
    case IC_STEP_EXPECT:
    case IC_STEP_OPTIONAL:
    case IC_STEP_FORBID:
        rc = ic_pattern_compile(st->text, ld->sc->dir, &st->pattern, ld->err);
        break;
    case IC_STEP_ASSERT:
        rc = ic_expr_compile(st->text, &st->expr, ld->err);
        snprintf(what, sizeof what, "assertion");
        break;
    case IC_STEP_SLEEP:
        return read_duration(ld, value, "sleep", SLEEP_MAX_MS, &st->sleep_ms);
    case IC_STEP_NOTE:
        return IC_OK;
    }
    if (rc == IC_ERR_NOMEM)
        return rc;
    return rc ? sc_fail_in_scalar(&ld->doc, value, what, ld->err) : IC_OK;
}

static int read_step(sc_loader *ld, const sc_node *item, ic_step *st)
{
    int rc = sc_expect(&ld->doc, item, SC_MAPPING, "a dialogue step", ld->err);
    if (rc)
        return rc;
    if (item->n == 0)
        return sc_fail_node(&ld->doc, item, ld->err, "empty dialogue step");
    const sc_node *key = SC_KEY(item, 0);
    st->line = key->line;
    st->col = key->col;
    switch (parse_step_key(key->text, &st->kind, &st->conn)) {
    case KEY_OK:
        break;
    case KEY_BAD_CONN:
        return sc_fail_node(&ld->doc, key, ld->err, "step \"%s\": connections are numbered 1 to "
                            "%d", key->text, IC_SCENARIO_MAX_CONNS);
    default: {
        char expected[400];
        sc_expected_list(expected, sizeof expected, key->text, step_words,
                         sizeof step_words / sizeof step_words[0]);
        for (size_t i = 0; i < NOPTIONS; i++)
            if (strcmp(step_options[i].key, key->text) == 0)
                return sc_fail_node(&ld->doc, key, ld->err, "\"%s\" is an option; a step's "
                                    "first key names the step%s", key->text, expected);
        return sc_fail_node(&ld->doc, key, ld->err, "unknown step \"%s\"%s", key->text,
                            expected);
    }
    }
    step_ctx c = { ld, st };
    rc = read_value(&c, SC_VALUE(item, 0));
    for (size_t i = 1; i < item->n && !rc; i++)
        rc = read_option(&c, SC_KEY(item, i), SC_VALUE(item, i));
    return rc;
}

int sc_load_dialogue(sc_loader *ld, const sc_node *value)
{
    ic_scenario *sc = ld->sc;
    if (sc_is_null(value) || (value->type == SC_SEQUENCE && value->n == 0))
        return sc_fail_node(&ld->doc, value, ld->err, "dialogue has no steps");
    int rc = sc_expect(&ld->doc, value, SC_SEQUENCE, "dialogue", ld->err);
    if (rc)
        return rc;
    if (value->n > IC_SCENARIO_MAX_STEPS)
        return sc_fail_node(&ld->doc, value->items[IC_SCENARIO_MAX_STEPS], ld->err,
                            "more than %d dialogue steps", IC_SCENARIO_MAX_STEPS);
    if (!(sc->steps = calloc(value->n, sizeof *sc->steps)))
        return nomem(ld->err);
    for (size_t i = 0; i < value->n && !rc; i++) {
        ic_step *st = &sc->steps[sc->nsteps++];
        rc = read_step(ld, value->items[i], st);
        if (!rc)
            rc = sc_check_step(ld, i, value->items[i]);
    }
    return rc;
}

void sc_step_free(ic_step *st)
{
    free(st->text);
    ic_send_line_free(&st->send);
    ic_pattern_free(&st->pattern);
    ic_expr_free(st->expr);
    free(st->requirement);
    free(st->because);
    free(st->unsupported_reason);
    memset(st, 0, sizeof *st);
}
