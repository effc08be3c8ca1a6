/* engine_internal.h: state shared by the engine's files (private to
 * src/engine).  One eng_run lives for one scenario. */
#ifndef IC_ENGINE_INTERNAL_H
#define IC_ENGINE_INTERNAL_H

#include "ic_engine.h"
#include "ic_match.h"

/* One connection of the scenario (1..9), or the set-up/clean-up one (0). */
typedef struct eng_conn {
    struct eng_run *run;
    int number;
    ic_session *session;
    char tag[32];              /* real tag of the current command, "" if none */
    const ic_step *send_step;  /* the C step that started it */
    ic_reply reply;            /* everything the current command received */
    bool *consumed;            /* per reply item: matched by an earlier S block */
    size_t consumed_alloc;
    bool in_progress;          /* stopped at a continuation, no tagged response yet */
} eng_conn;

typedef struct eng_tag {
    const char *file_tag;      /* borrowed from the scenario */
    char real[32];
} eng_tag;

typedef struct eng_run {
    const ic_run_config *cfg;
    const ic_scenario *sc;
    const ic_reqlist *reqs;
    ic_result *res;
    eng_conn conns[IC_SCENARIO_MAX_CONNS + 1];
    eng_conn admin;            /* set-up and clean-up */
    ic_bindings bindings;
    eng_tag *tags;
    size_t ntags, tags_alloc;
    unsigned tag_counter;
    char ns_prefix[256];       /* personal namespace prefix, e.g. "" or "INBOX." */
    char run_base[512];        /* ns_prefix + run prefix + "-": everything the run may touch */
    char base[768];            /* run_base + scenario slug + "-": this scenario's mailboxes */
    bool uses_user2;
    bool decided;
} eng_run;

/* Verdicts: the first decision wins; later calls are ignored. */
void eng_decide(eng_run *run, ic_verdict v, const ic_step *step, const char *requirement,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* FAIL / NON-STRICT / INFO for a failed check at step, by its level. */
void eng_fail_check(eng_run *run, const ic_step *step, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void eng_set_detail(char **field, const char *text);

/* Connections. */
int eng_conn_open(eng_run *run, eng_conn *c, int number, int user, bool login, ic_error *err);
void eng_conn_close(eng_conn *c);
void eng_conn_reset_command(eng_conn *c);
/* Fails the scenario when any response in reply[from..] broke the grammar. */
bool eng_check_grammar(eng_run *run, eng_conn *c, size_t from, const ic_step *step);

/* Fixtures (fixture.c). */
int eng_discover_namespace(eng_run *run, ic_error *err);
int eng_setup_fixture(eng_run *run, ic_error *err);
void eng_cleanup(eng_run *run);
/* NULL when the command may run; else a message saying why it is refused. */
const char *eng_guard(const eng_run *run, ic_bytes command, char *msg, size_t n);
/* Renders the responses of reply, one per line with prefix, bounded. */
char *eng_render_reply(const ic_reply *reply, int conn);
/* Deletes every mailbox matching pattern (LIST "" pattern) on c; returns
 * the count or a negative ic_code. */
int eng_delete_matching(eng_conn *c, const char *pattern, ic_error *err);

#endif
