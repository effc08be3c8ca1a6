/* engine.c: runs one scenario (see ic_engine.h): set-up, the dialogue step
 * by step, verdicts, clean-up.  Matching itself is match.c's; fixtures,
 * names and the guard are fixture.c's. */
#include "engine_internal.h"
#include "ic_render.h"
#include "ic_transcript.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MATCH_POLL_MS 50

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- verdicts --------------------------------------------------------------- */

void eng_set_detail(char **field, const char *text)
{
    free(*field);
    *field = text ? strdup(text) : NULL;
}

static char *vformat(const char *fmt, va_list ap)
{
    ic_buf b;
    ic_buf_init(&b, 0);
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n >= 0 && ic_buf_reserve(&b, (size_t)n) == IC_OK) {
        vsnprintf((char *)b.data, (size_t)n + 1, fmt, ap);
        b.len = (size_t)n;
    }
    return ic_buf_steal(&b);
}

static void location_of(eng_run *run, const ic_step *step)
{
    if (!step)
        return;
    char loc[1200];
    snprintf(loc, sizeof loc, "%s:%d", run->sc->path, step->line);
    eng_set_detail(&run->res->location, loc);
}

/* The requirement a failure at step is attributed to: the step's own, or
 * all of the scenario's. */
static char *requirement_for(const eng_run *run, const ic_step *step, const char *given)
{
    if (given)
        return strdup(given);
    if (step && step->requirement)
        return strdup(step->requirement);
    ic_buf b;
    ic_buf_init(&b, 0);
    for (size_t i = 0; i < run->sc->nrequirements; i++)
        ic_buf_printf(&b, "%s%s", i ? ", " : "", run->sc->requirements[i]);
    return ic_buf_steal(&b);
}

static void set_reference(eng_run *run, const char *requirement)
{
    const ic_requirement *req = run->reqs && requirement ? ic_reqlist_find(run->reqs, requirement)
                                                         : NULL;
    const char *ref = req ? req->ref : run->sc->reference;
    if (!ref && run->reqs && run->sc->nrequirements) {
        const ic_requirement *first = ic_reqlist_find(run->reqs, run->sc->requirements[0]);
        ref = first ? first->ref : NULL;
    }
    eng_set_detail(&run->res->reference, ref);
}

static void vdecide(eng_run *run, ic_verdict v, const ic_step *step, const char *requirement,
                    const char *fmt, va_list ap)
{
    if (run->decided)
        return;
    run->decided = true;
    ic_result *res = run->res;
    res->verdict = v;
    free(res->message);
    res->message = vformat(fmt, ap);
    location_of(run, step);
    free(res->requirement);
    res->requirement = v == IC_VERDICT_ERROR ? NULL : requirement_for(run, step, requirement);
    set_reference(run, step && step->requirement ? step->requirement : requirement);
}

void eng_decide(eng_run *run, ic_verdict v, const ic_step *step, const char *requirement,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vdecide(run, v, step, requirement, fmt, ap);
    va_end(ap);
}

static ic_level level_at(const eng_run *run, const ic_step *step)
{
    if (step && step->requirement && run->reqs) {
        const ic_requirement *req = ic_reqlist_find(run->reqs, step->requirement);
        if (req)
            return req->level;
    }
    return run->sc->level;
}

/* The keyword the deciding requirement is written with: the step's own
 * requirement, else the scenario's strictest one. */
static const char *keyword_at(const eng_run *run, const ic_step *step, ic_level level)
{
    if (!run->reqs)
        return NULL;
    if (step && step->requirement) {
        const ic_requirement *req = ic_reqlist_find(run->reqs, step->requirement);
        return req ? req->keyword : NULL;
    }
    for (size_t i = 0; i < run->sc->nrequirements; i++) {
        const ic_requirement *req = ic_reqlist_find(run->reqs, run->sc->requirements[i]);
        if (req && req->level == level)
            return req->keyword;
    }
    return NULL;
}

void eng_fail_check(eng_run *run, const ic_step *step, const char *fmt, ...)
{
    ic_level level = level_at(run, step);
    if (!run->decided) {
        run->res->level = level;
        eng_set_detail(&run->res->keyword, keyword_at(run, step, level));
    }
    va_list ap;
    va_start(ap, fmt);
    vdecide(run, ic_verdict_for_level(level), step, NULL, fmt, ap);
    va_end(ap);
}

/* ---- connections -------------------------------------------------------------- */

static void conn_hook(void *ctx, ic_wire_dir dir, ic_bytes bytes)
{
    eng_conn *c = ctx;
    char prefix[16];
    if (dir == IC_WIRE_NOTE)
        snprintf(prefix, sizeof prefix, "-- ");
    else
        snprintf(prefix, sizeof prefix, "%c%d: ", dir == IC_WIRE_SENT ? 'C' : 'S', c->number);
    ic_transcript_format(bytes, prefix, &c->run->res->transcript);
}

int eng_conn_open(eng_run *run, eng_conn *c, int number, int user, bool login, ic_error *err)
{
    memset(c, 0, sizeof *c);
    c->run = run;
    c->number = number;
    ic_session_options o = run->cfg->session;
    o.hook = conn_hook;
    o.hook_ctx = c;
    ic_buf_printf(&run->res->transcript, "-- open %d%s\n", number,
                  number ? "" : " (set-up / clean-up)");
    c->session = ic_session_open(&o, err);
    if (!c->session)
        return err->code;
    if (!login)
        return IC_OK;
    const ic_run_user *u = &run->cfg->users[user];
    if (!u->name)
        return ic_fail(err, IC_ERR_USAGE, "no user %d configured", user);
    return ic_session_login(c->session, u->name, u->password, err);
}

void eng_conn_reset_command(eng_conn *c)
{
    ic_reply_free(&c->reply);
    free(c->consumed);
    c->consumed = NULL;
    c->consumed_alloc = 0;
    c->tag[0] = '\0';
    c->send_step = NULL;
    c->in_progress = false;
}

void eng_conn_close(eng_conn *c)
{
    eng_conn_reset_command(c);
    if (c->session) {
        ic_error ignored;
        ic_session_logout(c->session, &ignored);
        ic_session_close(c->session);
        c->session = NULL;
    }
}

bool eng_check_grammar(eng_run *run, eng_conn *c, size_t from, const ic_step *step)
{
    for (size_t i = from; i < c->reply.n; i++) {
        const ic_received *r = &c->reply.items[i];
        if (r->grammar.verdict != IC_GRAMMAR_VIOLATION)
            continue;
        if (run->decided)
            return false;
        char *shown = ic_render_str(ic_buf_bytes(&r->raw), 300);
        run->res->level = IC_LEVEL_MUST;
        /* A step checking a requirement owns the syntax it is about (e.g. a
         * modseq of 0 under CS-48); otherwise it is the grammar itself. */
        const char *req = step && step->requirement ? step->requirement : "IMAP grammar";
        eng_decide(run, IC_VERDICT_FAIL, step, req,
                   "grammar violation [%s] at byte %zu of a response on connection %d: %s",
                   r->grammar.rule, r->grammar.offset, c->number, r->grammar.message);
        char ref[160];
        snprintf(ref, sizeof ref, "formal syntax, rule %s (RFC 3501 §9 and the extensions' ABNF)",
                 r->grammar.rule);
        eng_set_detail(&run->res->reference, ref);
        eng_set_detail(&run->res->keyword, "MUST");
        eng_set_detail(&run->res->received, shown);
        free(shown);
        return false;
    }
    return true;
}

/* ---- tags and commands ------------------------------------------------------------ */

static const char *map_tag(void *ctx, ic_bytes file_tag)
{
    eng_run *run = ctx;
    for (size_t i = 0; i < run->ntags; i++)
        if (ic_bytes_eq_str(file_tag, run->tags[i].file_tag))
            return run->tags[i].real;
    return NULL;
}

static const char *new_tag(eng_run *run, const char *file_tag)
{
    if (run->ntags == run->tags_alloc) {
        size_t n = run->tags_alloc ? run->tags_alloc * 2 : 16;
        eng_tag *p = realloc(run->tags, n * sizeof *p);
        if (!p)
            return NULL;
        run->tags = p;
        run->tags_alloc = n;
    }
    eng_tag *t = &run->tags[run->ntags++];
    t->file_tag = file_tag;
    /* "t": distinct from the session's own "ic" tags (login, LOGOUT). */
    snprintf(t->real, sizeof t->real, "t%u", ++run->tag_counter);
    return t->real;
}

/* Appends the segments of line to cmd, substituting variables. */
static int build_parts(eng_run *run, const ic_send_line *line, ic_command *cmd, ic_error *err)
{
    for (size_t i = 0; i < line->nsegments; i++) {
        const ic_segment *seg = &line->segments[i];
        int rc;
        if (seg->kind == IC_SEG_TEXT) {
            rc = ic_command_bytes(cmd, ic_buf_bytes(&seg->data), false);
        } else if (seg->kind == IC_SEG_LITERAL) {
            rc = ic_command_literal(cmd, ic_buf_bytes(&seg->data), false);
            if (!rc)
                cmd->parts[cmd->nparts - 1].non_sync = seg->non_sync;
        } else {
            const ic_binding *b = ic_bindings_get(&run->bindings, (const char *)seg->data.data);
            if (!b)
                return ic_fail(err, IC_ERR_SCENARIO, "variable $%s is not bound here",
                               (const char *)seg->data.data);
            rc = b->is_mailbox ? ic_command_astring(cmd, ic_buf_bytes(&b->value), false)
                               : ic_command_bytes(cmd, ic_buf_bytes(&b->value), false);
        }
        if (rc)
            return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    }
    return IC_OK;
}

/* Whether some S line of the scenario describes the tagged completion of
 * file_tag; if none does, the command is expected to end in OK. */
static bool tagged_described(const ic_scenario *sc, const char *file_tag)
{
    for (size_t i = 0; i < sc->nsteps; i++) {
        const ic_step *s = &sc->steps[i];
        if (s->kind != IC_STEP_EXPECT && s->kind != IC_STEP_OPTIONAL && s->kind != IC_STEP_FORBID)
            continue;
        const ic_response *p = s->pattern.tree;
        if (p && p->kind == IC_RESP_TAGGED && ic_bytes_eq_str(p->tag, file_tag))
            return true;
    }
    return false;
}

static bool grow_consumed(eng_conn *c)
{
    if (c->reply.n <= c->consumed_alloc)
        return true;
    size_t n = c->reply.alloc > c->reply.n ? c->reply.alloc : c->reply.n;
    bool *p = realloc(c->consumed, n * sizeof *p);
    if (!p)
        return false;
    memset(p + c->consumed_alloc, 0, (n - c->consumed_alloc) * sizeof *p);
    c->consumed = p;
    c->consumed_alloc = n;
    return true;
}

static void connection_error(eng_run *run, const ic_step *step, eng_conn *c, const ic_error *err)
{
    if (err->code == IC_ERR_INTERRUPTED)
        eng_decide(run, IC_VERDICT_ERROR, step, NULL, "interrupted (Ctrl-C)");
    else
        eng_decide(run, IC_VERDICT_ERROR, step, NULL, "connection %d: %s", c->number, err->msg);
}

/* After a command's responses arrived: grammar, then the implicit OK. */
static void after_command(eng_run *run, eng_conn *c, const ic_step *step, size_t from)
{
    grow_consumed(c);
    c->in_progress = c->reply.tagged == NULL;
    if (!eng_check_grammar(run, c, from, step) || c->in_progress)
        return;
    const ic_response *t = c->reply.tagged->resp;
    if (step->send.tag && !tagged_described(run->sc, step->send.tag) &&
        (!t || t->cond != IC_COND_OK)) {
        char *shown = ic_render_str(ic_buf_bytes(&c->reply.tagged->raw), 300);
        eng_fail_check(run, step, "command %s did not complete with OK (no S line expects "
                       "otherwise): %s", step->send.tag, shown ? shown : "");
        free(shown);
    }
}

static void run_send(eng_run *run, const ic_step *step)
{
    eng_conn *c = &run->conns[step->conn];
    ic_error err;
    ic_error_clear(&err);
    ic_command *cmd = ic_command_new(NULL);
    if (!cmd) {
        eng_decide(run, IC_VERDICT_ERROR, step, NULL, "out of memory");
        return;
    }
    bool continuation = step->send.tag == NULL;
    int rc = build_parts(run, &step->send, cmd, &err);
    if (!rc && !continuation) {
        const char *real = new_tag(run, step->send.tag);
        if (!real)
            rc = ic_fail(&err, IC_ERR_NOMEM, "out of memory");
        else
            snprintf(cmd->tag, sizeof cmd->tag, "%s", real);
    }
    ic_buf wire;
    ic_buf_init(&wire, 0);
    if (!rc)
        rc = ic_command_serialize(cmd, false, false, &wire);
    char refusal[600];
    if (!rc && eng_guard(run, ic_buf_bytes(&wire), refusal, sizeof refusal)) {
        eng_decide(run, IC_VERDICT_ERROR, step, NULL, "%s", refusal);
        rc = IC_ERR_USAGE;
    } else if (!rc && continuation) {
        size_t from = c->reply.n;
        ic_bytes line = ic_buf_bytes(&wire);
        line.len -= 2;   /* the session adds CRLF */
        rc = ic_session_continue(c->session, c->tag, line, false, &c->reply, &err);
        if (!rc)
            after_command(run, c, c->send_step, from);
    } else if (!rc) {
        eng_conn_reset_command(c);
        snprintf(c->tag, sizeof c->tag, "%s", cmd->tag);
        c->send_step = step;
        rc = ic_session_start(c->session, cmd, &c->reply, &err);
        if (!rc)
            after_command(run, c, step, 0);
    }
    if (rc && rc != IC_ERR_USAGE)
        rc == IC_ERR_SCENARIO ? eng_decide(run, IC_VERDICT_ERROR, step, NULL, "%s", err.msg)
                              : connection_error(run, step, c, &err);
    ic_buf_free(&wire);
    ic_command_free(cmd);
}

/* ---- S blocks ------------------------------------------------------------------ */

static bool is_expect_kind(ic_step_kind k)
{
    return k == IC_STEP_EXPECT || k == IC_STEP_OPTIONAL || k == IC_STEP_FORBID;
}

/* The unconsumed, parseable responses of c, with their reply indices. */
static size_t candidate_responses(const eng_conn *c, const ic_response **resp, size_t *index)
{
    size_t n = 0;
    for (size_t i = 0; i < c->reply.n; i++) {
        if ((c->consumed && i < c->consumed_alloc && c->consumed[i]) || !c->reply.items[i].resp)
            continue;
        resp[n] = c->reply.items[i].resp;
        index[n++] = i;
    }
    return n;
}

static int block_within_ms(const ic_step *steps, size_t n)
{
    int ms = 0;
    for (size_t i = 0; i < n; i++)
        if (steps[i].kind == IC_STEP_EXPECT && steps[i].within_ms > ms)
            ms = steps[i].within_ms;
    return ms;
}

static void report_set_failure(eng_run *run, eng_conn *c, const ic_step *step,
                               const ic_set_result *sr, const ic_response *const *resp)
{
    if (step->kind == IC_STEP_EXPECT && step->unsupported_reason) {
        eng_decide(run, IC_VERDICT_UNSUPPORTED, step, NULL, "%s", step->unsupported_reason);
        return;
    }
    eng_fail_check(run, step, "%s%s%s", sr->message, step->because ? "; " : "",
                   step->because ? step->because : "");
    char expected[1200];
    snprintf(expected, sizeof expected, "S%d%s: %s", c->number,
             step->kind == IC_STEP_FORBID ? " must not" : "", step->pattern.text);
    eng_set_detail(&run->res->expected, expected);
    char *received = eng_render_reply(&c->reply, c->number);
    eng_set_detail(&run->res->received, received);
    free(received);
    if (sr->nearest_response >= 0) {
        const ic_response *near = resp[sr->nearest_response];
        ic_bytes raw = near->raw;
        if (raw.len >= 2)
            raw.len -= 2;
        char *shown = ic_render_str(raw, 300);
        ic_buf b;
        ic_buf_init(&b, 0);
        ic_buf_printf(&b, "S%d: %s (%s)", c->number, shown ? shown : "", sr->nearest.why);
        free(shown);
        char *text = ic_buf_steal(&b);
        eng_set_detail(&run->res->nearest, text);
        free(text);
    }
}

/* Matches the S steps [first, first+n) against connection c's current
 * command; waits for more responses while some step has "within". */
static void run_expect_block(eng_run *run, const ic_step *first, size_t n)
{
    eng_conn *c = &run->conns[first->conn];
    ic_set_item *items = calloc(n, sizeof *items);
    const ic_response **resp = NULL;
    size_t *index = NULL;
    for (size_t i = 0; items && i < n; i++) {
        items[i].pattern = &first[i].pattern;
        items[i].kind = first[i].kind;
    }
    bool ordered = c->send_step && c->send_step->ordered;
    bool exclusive = c->send_step && c->send_step->exclusive;
    ic_match_ctx mctx = { map_tag, run, &run->bindings };
    double deadline = now_seconds() + block_within_ms(first, n) / 1000.0;
    ic_set_result sr;
    for (;;) {
        free(resp);
        free(index);
        resp = calloc(c->reply.n + 1, sizeof *resp);
        index = calloc(c->reply.n + 1, sizeof *index);
        if (!items || !resp || !index) {
            eng_decide(run, IC_VERDICT_ERROR, first, NULL, "out of memory");
            break;
        }
        size_t m = candidate_responses(c, resp, index);
        if (ic_match_set(items, n, resp, m, ordered, exclusive, &mctx, &sr)) {
            for (size_t i = 0; i < n; i++)
                if (items[i].matched >= 0 && items[i].kind != IC_STEP_FORBID)
                    c->consumed[index[items[i].matched]] = true;
            break;
        }
        int left = (int)((deadline - now_seconds()) * 1000.0);
        ic_error err;
        size_t before = c->reply.n;
        int rc = left > 0 ? ic_session_read_one(c->session, c->in_progress ? c->tag : NULL, left,
                                                &c->reply, &err)
                          : IC_ERR_TIMEOUT;
        if (rc == IC_ERR_TIMEOUT) {
            report_set_failure(run, c, &first[sr.failed_item < n ? sr.failed_item : 0], &sr, resp);
            break;
        }
        if (rc) {
            connection_error(run, first, c, &err);
            break;
        }
        if (!grow_consumed(c) || !eng_check_grammar(run, c, before, first))
            break;
        c->in_progress = c->reply.tagged == NULL;
    }
    free(items);
    free(resp);
    free(index);
}

/* ---- the other steps ------------------------------------------------------------ */

static void run_assert(eng_run *run, const ic_step *step)
{
    bool ok = false;
    ic_buf explain;
    ic_buf_init(&explain, 0);
    ic_error err;
    if (ic_expr_eval(step->expr, ic_bindings_lookup, &run->bindings, &ok, &explain, &err)) {
        eng_decide(run, IC_VERDICT_ERROR, step, NULL, "assert %s: %s", step->text, err.msg);
    } else if (!ok && step->unsupported_reason) {
        eng_decide(run, IC_VERDICT_UNSUPPORTED, step, NULL, "%s", step->unsupported_reason);
    } else if (!ok) {
        eng_fail_check(run, step, "assertion failed: %s (%s)%s%s", step->text,
                       explain.len ? (const char *)explain.data : "", step->because ? "; " : "",
                       step->because ? step->because : "");
    }
    ic_buf_free(&explain);
}

/* A signal ends the sleep early only when it set the interrupt flag. */
static void run_sleep(const ic_run_config *cfg, int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && !(cfg->interrupted && *cfg->interrupted))
        ;
}

static void run_dialogue(eng_run *run)
{
    const ic_scenario *sc = run->sc;
    for (size_t i = 0; i < sc->nsteps && !run->decided; i++) {
        if (run->cfg->interrupted && *run->cfg->interrupted) {
            eng_decide(run, IC_VERDICT_ERROR, &sc->steps[i], NULL, "interrupted");
            break;
        }
        const ic_step *step = &sc->steps[i];
        switch (step->kind) {
        case IC_STEP_SEND:
            run_send(run, step);
            break;
        case IC_STEP_EXPECT:
        case IC_STEP_OPTIONAL:
        case IC_STEP_FORBID: {
            size_t n = 1;
            while (i + n < sc->nsteps && is_expect_kind(sc->steps[i + n].kind) &&
                   sc->steps[i + n].conn == step->conn)
                n++;
            run_expect_block(run, step, n);
            i += n - 1;
            break;
        }
        case IC_STEP_ASSERT:
            run_assert(run, step);
            break;
        case IC_STEP_SLEEP:
            run_sleep(run->cfg, step->sleep_ms);
            break;
        case IC_STEP_NOTE:
            ic_buf_printf(&run->res->transcript, "-- note: %s\n", step->text);
            break;
        }
    }
}

/* ---- set-up ---------------------------------------------------------------------- */

static bool check_requires(eng_run *run)
{
    ic_buf missing;
    ic_buf_init(&missing, 0);
    for (size_t i = 0; i < run->sc->nrequires; i++)
        if (!ic_session_has_cap(run->admin.session, run->sc->requires[i]))
            ic_buf_printf(&missing, "%s%s", missing.len ? ", " : "", run->sc->requires[i]);
    if (missing.len)
        eng_decide(run, IC_VERDICT_UNSUPPORTED, NULL, NULL,
                   "the server does not advertise %s", (const char *)missing.data);
    ic_buf_free(&missing);
    return !run->decided;
}

static bool check_users(eng_run *run)
{
    for (int n = 1; n <= IC_SCENARIO_MAX_CONNS; n++)
        if (run->sc->conns[n].used && run->sc->conns[n].login && run->sc->conns[n].user == 2)
            run->uses_user2 = true;
    if (run->uses_user2 && !run->cfg->users[2].name)
        eng_decide(run, IC_VERDICT_UNSUPPORTED, NULL, NULL,
                   "the scenario needs a second user; give --user2 and --password2-env");
    return !run->decided;
}

/* $user and $user2: the login names, quoted as astrings when substituted. */
static int bind_users(eng_run *run, ic_error *err)
{
    static const char *const names[] = { NULL, "user", "user2" };
    for (int u = 1; u <= 2; u++) {
        const char *name = run->cfg->users[u].name;
        if (name && ic_bindings_set(&run->bindings, names[u], ic_bytes_from_str(name), true))
            return ic_fail(err, IC_ERR_NOMEM, "out of memory");
    }
    return IC_OK;
}

static bool setup(eng_run *run)
{
    ic_error err;
    ic_error_clear(&err);
    int rc = eng_conn_open(run, &run->admin, 0, 1, true, &err);
    if (rc)
        run->res->conn_error = rc;
    if (run->admin.session)
        ic_conn_tls_info(ic_session_conn(run->admin.session), &run->res->tls);
    if (!rc && (!check_requires(run) || !check_users(run))) {
        eng_conn_close(&run->admin);
        return false;
    }
    if (!rc)
        rc = eng_discover_namespace(run, &err);
    if (!rc)
        rc = bind_users(run, &err);
    if (!rc)
        rc = eng_setup_fixture(run, &err);
    if (rc && !run->decided)
        eng_decide(run, IC_VERDICT_ERROR, NULL, NULL, "set-up: %s", err.msg);
    eng_conn_close(&run->admin);
    return !run->decided;
}

static bool open_dialogue_connections(eng_run *run)
{
    for (int n = 1; n <= IC_SCENARIO_MAX_CONNS; n++) {
        const ic_fixture_conn *fc = &run->sc->conns[n];
        if (!fc->used)
            continue;
        ic_error err;
        ic_error_clear(&err);
        if (eng_conn_open(run, &run->conns[n], n, fc->user ? fc->user : 1, fc->login, &err)) {
            eng_decide(run, IC_VERDICT_ERROR, NULL, NULL, "connection %d: %s", n, err.msg);
            return false;
        }
    }
    return true;
}

int ic_engine_run(const ic_run_config *cfg, const ic_scenario *sc, const ic_reqlist *reqs,
                  ic_result *out)
{
    memset(out, 0, sizeof *out);
    out->scenario = sc;
    out->level = sc->level;
    ic_buf_init(&out->transcript, 0);
    eng_run *run = calloc(1, sizeof *run);
    if (!run)
        return IC_ERR_NOMEM;
    run->cfg = cfg;
    run->sc = sc;
    run->reqs = reqs;
    run->res = out;
    ic_bindings_init(&run->bindings);
    double start = now_seconds();
    if (setup(run) && open_dialogue_connections(run))
        run_dialogue(run);
    /* Clean-up must finish even after Ctrl-C: detach the interrupt. */
    ic_transport_set_interrupt(NULL);
    for (int n = 1; n <= IC_SCENARIO_MAX_CONNS; n++)
        eng_conn_close(&run->conns[n]);
    eng_cleanup(run);
    ic_transport_set_interrupt(cfg->interrupted);
    if (!run->decided)
        out->verdict = IC_VERDICT_PASS;
    out->seconds = now_seconds() - start;
    ic_bindings_free(&run->bindings);
    free(run->tags);
    free(run);
    return IC_OK;
}

int ic_engine_sweep_prefix(const ic_run_config *cfg, ic_error *err)
{
    ic_result scratch;
    memset(&scratch, 0, sizeof scratch);
    ic_buf_init(&scratch.transcript, 0);
    eng_run run;
    memset(&run, 0, sizeof run);
    run.cfg = cfg;
    run.res = &scratch;
    int total = 0;
    for (int user = 1; user <= 2 && total >= 0; user++) {
        if (!cfg->users[user].name)
            continue;
        int rc = eng_conn_open(&run, &run.admin, 0, user, true, err);
        if (!rc) {
            char pattern[600];
            ic_bindings_init(&run.bindings);
            static const ic_scenario none = { .id = (char *)"sweep" };
            run.sc = &none;
            rc = eng_discover_namespace(&run, err);
            snprintf(pattern, sizeof pattern, "%s*", run.run_base);
            if (!rc)
                rc = eng_delete_matching(&run.admin, pattern, err);
            ic_bindings_free(&run.bindings);
        }
        eng_conn_close(&run.admin);
        total = rc < 0 ? rc : total + rc;
    }
    ic_buf_free(&scratch.transcript);
    return total;
}
