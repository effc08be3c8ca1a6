/* console.c: one line per scenario on stdout, details under anything that
 * is not a PASS, a closing summary (see ic_report.h).  Colour and the
 * progress line follow shared/notes/ecosystem.md section 5: only on a
 * terminal, NO_COLOR honoured, never a \r in CI logs. */
#include "report_internal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COLOR_RESET "\033[0m"
#define VERDICT_WIDTH 12            /* "UNSUPPORTED" and one space */
#define PROGRESS_ID_MAX 60          /* keeps the progress line on one terminal row */

static const char *const verdict_colors[] = {
    [IC_VERDICT_PASS] = "\033[32m",          /* green */
    [IC_VERDICT_FAIL] = "\033[31m",          /* red */
    [IC_VERDICT_NONSTRICT] = "\033[33m",     /* yellow */
    [IC_VERDICT_INFO] = "\033[36m",          /* cyan */
    [IC_VERDICT_UNSUPPORTED] = "\033[34m",   /* blue */
    [IC_VERDICT_ERROR] = "\033[1;35m",       /* bold magenta */
    [IC_VERDICT_XFAIL] = "\033[33m",         /* yellow: a known failure */
    [IC_VERDICT_XPASS] = "\033[1;31m",       /* bold red: remove it from --expect */
};
#define NVERDICTS (sizeof verdict_colors / sizeof verdict_colors[0])

/* ---- tally ------------------------------------------------------------------ */

static size_t *tally_slot(ic_tally *t, ic_verdict v)
{
    switch (v) {
    case IC_VERDICT_PASS: return &t->pass;
    case IC_VERDICT_FAIL: return &t->fail;
    case IC_VERDICT_NONSTRICT: return &t->nonstrict;
    case IC_VERDICT_INFO: return &t->info;
    case IC_VERDICT_UNSUPPORTED: return &t->unsupported;
    case IC_VERDICT_ERROR: return &t->error;
    case IC_VERDICT_XFAIL: return &t->xfail;
    case IC_VERDICT_XPASS: return &t->xpass;
    }
    return NULL;
}

void ic_tally_add(ic_tally *t, ic_verdict v)
{
    size_t *slot = tally_slot(t, v);
    if (slot)
        (*slot)++;
}

static size_t tally_count(const ic_tally *t, ic_verdict v)
{
    ic_tally copy = *t;
    size_t *slot = tally_slot(&copy, v);
    return slot ? *slot : 0;
}

size_t ic_tally_total(const ic_tally *t)
{
    return t->pass + t->fail + t->nonstrict + t->info + t->unsupported + t->error + t->xfail +
           t->xpass;
}

/* ---- colour and progress decisions ----------------------------------------- */

static bool env_nonempty(const char *name)
{
    const char *value = getenv(name);
    return value && *value;
}

/* no-color.org: NO_COLOR present and not empty turns colour off. */
static bool terminal_wants_color(FILE *out)
{
    const char *term = getenv("TERM");
    return isatty(fileno(out)) && !(term && strcmp(term, "dumb") == 0) &&
           !env_nonempty("NO_COLOR");
}

void ic_console_init(ic_console *c, FILE *out, ic_color_mode mode, size_t total)
{
    memset(c, 0, sizeof *c);
    c->out = out;
    c->total = total;
    c->color = mode == IC_COLOR_ALWAYS || (mode == IC_COLOR_AUTO && terminal_wants_color(out));
    /* CI is set by GitLab, GitHub and most CI runners, some of which give
     * jobs a pseudo-terminal: their logs must not fill up with \r lines. */
    c->progress = isatty(fileno(out)) && getenv("CI") == NULL;
}

/* ---- lines ----------------------------------------------------------------- */

static void flush_line(ic_console *c, ic_buf *line)
{
    if (line->len)
        fwrite(line->data, 1, line->len, c->out);
    fflush(c->out);
    ic_buf_free(line);
}

/* "[ 3/12] uidplus.appenduid.single", for the scenario being run now. */
static void append_progress(const ic_console *c, const char *id, ic_buf *out)
{
    int width = snprintf(NULL, 0, "%zu", c->total);
    ic_buf_printf(out, "[%*zu/%zu] ", width, c->done + 1, c->total);
    size_t len = strlen(id);
    rep_clean(id, len < PROGRESS_ID_MAX ? len : PROGRESS_ID_MAX, out);
}

/* Overwrites the progress line with spaces: \r alone would leave the tail
 * of a long progress line behind a short result line. */
static void append_progress_clear(const ic_console *c, const char *id, ic_buf *out)
{
    ic_buf shown;
    ic_buf_init(&shown, 0);
    append_progress(c, id, &shown);
    ic_buf_printf(out, "\r%*s\r", (int)shown.len, "");
    ic_buf_free(&shown);
}

static void append_colored(const ic_console *c, ic_verdict v, const char *text, ic_buf *out)
{
    bool color = c->color && (unsigned)v < NVERDICTS;
    if (color)
        ic_buf_append_str(out, verdict_colors[v]);
    ic_buf_append_str(out, text);
    if (color)
        ic_buf_append_str(out, COLOR_RESET);
}

static const char *id_of(const ic_scenario *sc)
{
    return sc && sc->id ? sc->id : "?";
}

void ic_console_start(ic_console *c, const ic_scenario *sc)
{
    if (!c->progress)
        return;
    ic_buf line;
    ic_buf_init(&line, 0);
    ic_buf_append(&line, "\r", 1);
    append_progress(c, id_of(sc), &line);
    flush_line(c, &line);
}

/* Under the result line: the reason for UNSUPPORTED, the full detail block
 * (and with verbose the transcript) for every other verdict but PASS. */
static void append_details(const ic_console *c, const ic_result *r, ic_buf *out)
{
    if (r->verdict == IC_VERDICT_PASS)
        return;
    if (r->verdict == IC_VERDICT_UNSUPPORTED) {
        rep_field(out, "  ", "", r->message);
        return;
    }
    rep_detail(r, "  ", out);
    if (c->verbose && r->transcript.len) {
        ic_buf_append_str(out, "  transcript:\n");
        rep_field(out, "    ", "", (const char *)r->transcript.data);
    }
}

void ic_console_result(ic_console *c, const ic_result *r)
{
    const char *id = id_of(r->scenario);
    const char *name = ic_verdict_name(r->verdict);
    ic_buf line;
    ic_buf_init(&line, 0);
    if (c->progress)
        append_progress_clear(c, id, &line);
    append_colored(c, r->verdict, name, &line);
    size_t pad = strlen(name) < VERDICT_WIDTH ? VERDICT_WIDTH - strlen(name) : 1;
    ic_buf_printf(&line, "%*s", (int)pad, "");
    rep_clean(id, strlen(id), &line);
    ic_buf_printf(&line, "  (%.2fs)\n", r->seconds);
    append_details(c, r, &line);
    flush_line(c, &line);
    c->done++;
}

/* The closing line is read by CI log parsers, which recognise exactly
 * "N passed, N failed" optionally followed by ", N skipped" and preceded by
 * one word and a colon, so it always has that form and is never coloured:
 *   passed  = PASS + NON-STRICT + INFO + XFAIL (no MUST was broken, or only
 *             as listed in --expect; the exit status is 0 for these too),
 *   failed  = FAIL + ERROR + XPASS (what makes the exit status 1),
 *   skipped = UNSUPPORTED.
 * The line before it gives every verdict's own count and the time. */
void ic_console_summary(ic_console *c, const ic_tally *t, double seconds)
{
    static const ic_verdict order[] = {
        IC_VERDICT_PASS, IC_VERDICT_FAIL, IC_VERDICT_NONSTRICT,
        IC_VERDICT_INFO, IC_VERDICT_UNSUPPORTED, IC_VERDICT_ERROR, IC_VERDICT_XFAIL,
        IC_VERDICT_XPASS
    };
    size_t total = ic_tally_total(t);
    ic_buf line;
    ic_buf_init(&line, 0);
    ic_buf_printf(&line, "\n%zu scenario%s in %.2fs:", total, total == 1 ? "" : "s", seconds);
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        size_t n = tally_count(t, order[i]);
        bool waiver = order[i] == IC_VERDICT_XFAIL || order[i] == IC_VERDICT_XPASS;
        if (waiver && n == 0)
            continue;   /* only runs with --expect have these */
        ic_buf_printf(&line, "%s %zu ", i ? "," : "", n);
        if (n)
            append_colored(c, order[i], ic_verdict_name(order[i]), &line);
        else
            ic_buf_append_str(&line, ic_verdict_name(order[i]));
    }
    ic_buf_printf(&line, "\nimapconform: %zu passed, %zu failed, %zu skipped\n",
                  t->pass + t->nonstrict + t->info + t->xfail, t->fail + t->error + t->xpass,
                  t->unsupported);
    flush_line(c, &line);
}
