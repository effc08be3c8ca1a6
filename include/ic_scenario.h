/* ic_scenario.h: scenario files (YAML) to an immutable model, and the
 * project's requirement list.  Knows nothing of sockets: everything a
 * scenario can say is checked here, before any connection is made.
 * The language is documented in docs/scenario-format.md.
 *
 * Ownership: ic_scenario_load returns a scenario that owns every string,
 * pattern and expression in it; ic_scenario_free frees all.  Likewise
 * ic_reqlist_load / ic_reqlist_free.  Errors: IC_ERR_SCENARIO (or
 * IC_ERR_USAGE for an unreadable file) with err->msg as
 * "file:line:col: what is wrong" (1-based); the loaders stop at the first
 * error.
 */
#ifndef IC_SCENARIO_H
#define IC_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include "ic_buf.h"
#include "ic_error.h"
#include "ic_expr.h"
#include "ic_response.h"

/* Caps on what a scenario file may make us allocate. */
#define IC_SCENARIO_MAX_FILE   (1u << 20)   /* bytes of YAML */
#define IC_SCENARIO_MAX_DEPTH  32           /* YAML nesting */
#define IC_SCENARIO_MAX_NODES  20000        /* YAML nodes */
#define IC_SCENARIO_MAX_STEPS  2000
#define IC_SCENARIO_MAX_CONNS  9            /* connections 1..9 */
#define IC_SCENARIO_MAX_LITERAL_FILE (16u << 20)

/* Requirement levels, by the verdict a failure gets. */
typedef enum ic_level {
    IC_LEVEL_MUST = 0,   /* MUST, MUST NOT, SHALL, SHALL NOT, REQUIRED: FAIL */
    IC_LEVEL_SHOULD,     /* SHOULD, SHOULD NOT, RECOMMENDED: NON-STRICT */
    IC_LEVEL_MAY         /* MAY, OPTIONAL, INFO, def-only checks marked informational: INFO */
} ic_level;

/* Parses a level keyword ("MUST NOT", "should", "INFO"...); false if unknown. */
bool ic_level_parse(const char *text, ic_level *out);
const char *ic_level_name(ic_level l);    /* "MUST", "SHOULD", "MAY" */

/* ---- requirement list (scenarios/requirements/ or one YAML file) ----- */

typedef struct ic_requirement {
    char *id;            /* "UIDPLUS-13" */
    char *ref;           /* "RFC 4315 §3" */
    char *keyword;       /* the level as written: "MUST NOT" */
    ic_level level;
    char *statement;
    char *untestable;    /* reason it cannot be tested black-box, or NULL */
    char *file;          /* the file that defines it */
    int line;
} ic_requirement;

typedef struct ic_reqlist {
    char *path;
    ic_requirement *items;
    size_t n;
} ic_reqlist;

int ic_reqlist_load(const char *path, ic_reqlist **out, ic_error *err);
void ic_reqlist_free(ic_reqlist *l);
const ic_requirement *ic_reqlist_find(const ic_reqlist *l, const char *id);

/* ---- the scenario model ----------------------------------------------- */

/* A pattern for one server line: the line parsed by the lenient response
 * parser, where atoms "$name", "$_", "..." and "A|B" carry meaning for the
 * matcher (ic_match.h).  files holds the contents of {@file} references,
 * which appear in the tree as atoms "$@0", "$@1"... */
typedef struct ic_pattern {
    char *text;                  /* as written */
    ic_response *tree;
    ic_buf *files;
    size_t nfiles;
} ic_pattern;

/* A C: line, split into what the engine must do when sending it. */
typedef enum ic_segment_kind {
    IC_SEG_TEXT,          /* bytes as written */
    IC_SEG_VAR,           /* $name: replaced by the value (mailbox names quoted as astring) */
    IC_SEG_LITERAL        /* {@file} or {=text}: sent as a literal */
} ic_segment_kind;

typedef struct ic_segment {
    ic_segment_kind kind;
    ic_buf data;          /* text, variable name, or literal content (CRLF line ends) */
    bool non_sync;        /* {@file+}: force LITERAL+ form */
} ic_segment;

typedef struct ic_send_line {
    char *tag;            /* the file tag ("a1"), or NULL for a continuation line */
    ic_segment *segments; /* after the tag and its space */
    size_t nsegments;
} ic_send_line;

typedef enum ic_step_kind {
    IC_STEP_SEND,         /* C: */
    IC_STEP_EXPECT,       /* S: */
    IC_STEP_OPTIONAL,     /* S optional: */
    IC_STEP_FORBID,       /* S must not: */
    IC_STEP_ASSERT,       /* assert: */
    IC_STEP_SLEEP,        /* sleep: */
    IC_STEP_NOTE          /* note: */
} ic_step_kind;

typedef struct ic_step {
    ic_step_kind kind;
    int conn;                   /* 1..9 for C/S steps, 0 otherwise */
    char *text;                 /* the value as written */
    ic_send_line send;          /* IC_STEP_SEND */
    ic_pattern pattern;         /* EXPECT / OPTIONAL / FORBID */
    ic_expr *expr;              /* ASSERT */
    int sleep_ms;               /* SLEEP */
    bool ordered;               /* SEND option */
    bool exclusive;             /* SEND option */
    int within_ms;              /* EXPECT option; 0 = only what was collected */
    char *requirement;          /* override, or NULL */
    char *because;              /* or NULL */
    char *unsupported_reason;   /* "unsupported if missing/false", or NULL */
    int line, col;              /* of the step's key in the file */
} ic_step;

typedef struct ic_fixture_message {
    char *file;                 /* relative path as written, NULL = generated */
    ic_buf content;             /* CRLF line ends; empty for generated ones */
    char **flags;
    size_t nflags;
} ic_fixture_message;

typedef struct ic_fixture_mailbox {
    char *name;                 /* variable name, without "$" */
    bool create;                /* false: a name under the prefix that must not exist */
    size_t generated;           /* number of generated messages */
    ic_fixture_message *messages;
    size_t nmessages;
    int line;
} ic_fixture_mailbox;

typedef struct ic_fixture_conn {
    bool used;                  /* some step uses it, or the fixture declares it */
    int user;                   /* 1 or 2 */
    bool login;
} ic_fixture_conn;

typedef struct ic_scenario {
    char *path;
    char *dir;                  /* directory of path, for relative files */
    char *id;
    char *area;                 /* first segment of id */
    char *title;
    char *description;          /* or NULL */
    char *reference;            /* or NULL */
    char **requirements;
    size_t nrequirements;
    ic_level level;
    bool level_explicit;
    char **requires;            /* capabilities */
    size_t nrequires;
    char **tags;
    size_t ntags;
    bool exclusive;
    ic_fixture_mailbox *mailboxes;
    size_t nmailboxes;
    ic_fixture_conn conns[IC_SCENARIO_MAX_CONNS + 1];   /* index 1..9 */
    ic_step *steps;
    size_t nsteps;
} ic_scenario;

/* Loads and validates one scenario.  reqs (may be NULL) is used to check
 * requirement IDs and to derive the default level. */
int ic_scenario_load(const char *path, const ic_reqlist *reqs, ic_scenario **out, ic_error *err);
void ic_scenario_free(ic_scenario *s);

/* Compiles one line pattern (also used by tests and the responder).
 * base_dir resolves {@file}.  err names the column within text. */
int ic_pattern_compile(const char *text, const char *base_dir, ic_pattern *out, ic_error *err);
void ic_pattern_free(ic_pattern *p);

/* Splits a C: line into tag and segments. */
int ic_send_line_compile(const char *text, const char *base_dir, ic_send_line *out, ic_error *err);
void ic_send_line_free(ic_send_line *l);

/* Collects *.yaml files under each path (a file or a directory, recursive,
 * sorted by path, skipping requirements.yaml and directories named
 * "requirements", "profiles" or "transcripts").  Returns a NULL-terminated malloc'd array of
 * malloc'd paths. */
int ic_scenario_find(char *const *paths, size_t npaths, char ***out, size_t *count, ic_error *err);
void ic_scenario_paths_free(char **paths);

#endif
