/* scenario_internal.h: shared by the files of src/scenario (not a public
 * API).  The loaders read a YAML file into a small private tree (yamltree.c),
 * then walk it with table-driven key handlers; every error names
 * "file:line:col" (1-based).
 */
#ifndef IC_SCENARIO_INTERNAL_H
#define IC_SCENARIO_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include "ic_scenario.h"

/* ---- the YAML tree ------------------------------------------------------- */

typedef enum sc_node_type { SC_SCALAR, SC_SEQUENCE, SC_MAPPING } sc_node_type;

typedef enum sc_style {
    SC_STYLE_PLAIN,       /* only plain scalars become numbers, booleans or null */
    SC_STYLE_SINGLE,
    SC_STYLE_DOUBLE,
    SC_STYLE_BLOCK,       /* | and >, and anything else */
    SC_STYLE_NONE         /* collections */
} sc_style;

typedef struct sc_node {
    sc_node_type type;
    sc_style style;
    int line, col;            /* 1-based start */
    int end_line;             /* 1-based line of the end mark */
    char *text;               /* SC_SCALAR: the value, NUL-terminated */
    size_t len;               /* may be more than strlen(text): YAML allows "\0" */
    struct sc_node **items;   /* SEQUENCE: n items; MAPPING: 2n, key then value */
    size_t n;                 /* items, or key/value pairs */
    size_t alloc;
} sc_node;

typedef struct sc_doc {
    char *path;
    char *src;                /* the file's bytes, for mapping value offsets to columns */
    size_t src_len;
    sc_node *root;            /* never NULL after a successful load */
} sc_doc;

#define SC_KEY(m, i) ((m)->items[2 * (i)])
#define SC_VALUE(m, i) ((m)->items[2 * (i) + 1])

/* Reads path (fstat + IC_SCENARIO_MAX_FILE cap) and builds the tree with the
 * caps of ic_scenario.h: nesting, node count, no aliases, no duplicate keys,
 * one document. */
int sc_doc_load(const char *path, sc_doc *doc, ic_error *err);
void sc_doc_free(sc_doc *doc);

/* err = "path:line:col: message", IC_ERR_SCENARIO. */
int sc_fail_at(const sc_doc *doc, int line, int col, ic_error *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int sc_fail_node(const sc_doc *doc, const sc_node *node, ic_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Where byte offset of a scalar's value sits in the file.  Exact for
 * one-line plain and quoted scalars; otherwise the scalar's start, and
 * returns false. */
bool sc_scalar_pos(const sc_doc *doc, const sc_node *scalar, size_t offset, int *line, int *col);
/* Re-reports err (whose message may start "column N: ", N within the
 * scalar's value) at the matching file position, as "what: message". */
int sc_fail_in_scalar(const sc_doc *doc, const sc_node *scalar, const char *what, ic_error *err);

/* ---- typed access, each failing with the node's position ---------------- */

const char *sc_type_name(sc_node_type t);
bool sc_is_null(const sc_node *n);   /* plain "", "~", "null" */
int sc_expect(const sc_doc *doc, const sc_node *n, sc_node_type t, const char *what, ic_error *err);
/* A scalar without NUL bytes, copied; empty or null values fail unless allow_empty. */
int sc_get_string(const sc_doc *doc, const sc_node *n, const char *what, bool allow_empty,
                  char **out, ic_error *err);
int sc_get_bool(const sc_doc *doc, const sc_node *n, const char *what, bool *out, ic_error *err);
int sc_get_uint(const sc_doc *doc, const sc_node *n, const char *what, unsigned long max,
                unsigned long *out, ic_error *err);
/* A list of non-empty scalars without spaces (capabilities, tags, flags). */
int sc_get_word_list(const sc_doc *doc, const sc_node *n, const char *what, char ***out,
                     size_t *count, ic_error *err);
void sc_free_strings(char **list, size_t n);

/* Key handlers: table entries name the key, whether it is required, and the
 * function that reads its value. */
typedef int (*sc_key_fn)(void *ctx, const sc_node *key, const sc_node *value);
typedef struct sc_key_handler {
    const char *key;
    bool required;
    sc_key_fn fn;
} sc_key_handler;

/* Checks every key of map against the table (unknown keys fail at the key),
 * then calls the handlers in table order (so a table can order
 * dependencies), then checks required keys (missing ones fail at the
 * mapping).  what names the
 * mapping in messages ("the scenario", "mailbox \"box\""). */
int sc_dispatch(const sc_doc *doc, const sc_node *map, const sc_key_handler *table, size_t n,
                void *ctx, const char *what, ic_error *err);
/* Appends ' (expected one of: a, b, c; did you mean "x"?)' for an unknown word. */
void sc_expected_list(char *out, size_t size, const char *got, const char *const *words, size_t n);

/* ---- small shared pieces -------------------------------------------------- */

/* [A-Za-z_][A-Za-z0-9_]* */
bool sc_is_var_name(const char *s, size_t n);
bool sc_is_var_char(char c);
/* A file tag: [A-Za-z0-9._-]+ (a subset of IMAP's tag, so "$", "*", "+" and
 * quotes can never be mistaken for one). */
bool sc_is_tag(const char *s, size_t n);
/* [A-Z][A-Z0-9]*-[0-9]+ */
bool sc_is_requirement_id(const char *s);
/* Byte offset of "$name" (not followed by a name character) in text, or 0. */
size_t sc_find_var(const char *text, const char *name);

/* Reads base_dir/rel (rel as is when absolute) up to cap bytes, turning bare
 * LF into CRLF.  err (without a location) names rel and the resolved path. */
int sc_read_file_crlf(const char *base_dir, const char *rel, size_t cap, ic_buf *out,
                      ic_error *err);

/* Normalises a level keyword: upper case, single inner spaces ("must  not" ->
 * "MUST NOT"); false if it does not fit. */
bool sc_level_normalize(const char *text, char *out, size_t size);

/* Reads a level keyword (for requirements and the scenario's "level");
 * keyword (may be NULL) receives the normalised spelling. */
int sc_read_level(const sc_doc *doc, const sc_node *value, char **keyword, ic_level *level,
                  ic_error *err);

/* Calls fn for each "$name" capture in a compiled pattern (not "$_" nor the
 * "$@n" file references). */
void sc_pattern_variables(const ic_pattern *p, void (*fn)(void *ctx, const char *name,
                                                          size_t len), void *ctx);

/* ---- the scenario loader ------------------------------------------------- */

typedef struct sc_loader {
    sc_doc doc;
    const ic_reqlist *reqs;
    ic_scenario *sc;
    ic_error *err;
    /* dialogue state for the checks made as each step is read */
    bool conn_sent[IC_SCENARIO_MAX_CONNS + 1];        /* some C line so far */
    bool conn_has_command[IC_SCENARIO_MAX_CONNS + 1]; /* some tagged C line so far */
    char **bound;             /* variables bound so far (fixture mailboxes, captures) */
    size_t nbound, bound_alloc;
} sc_loader;

/* "user", "user2": bound by the engine to the login names (NULL-terminated). */
extern const char *const sc_builtin_variables[];

int sc_load_fixture(sc_loader *ld, const sc_node *value);
int sc_load_dialogue(sc_loader *ld, const sc_node *value);
/* The checks that need the steps before this one (dialogue.c calls it). */
int sc_check_step(sc_loader *ld, size_t index, const sc_node *value);
int sc_bind(sc_loader *ld, const char *name, size_t len);
bool sc_is_bound(const sc_loader *ld, const char *name);
/* requirement IDs: format, then presence in ld->reqs (when given). */
int sc_check_requirement(sc_loader *ld, const sc_node *n, char **out);

void sc_step_free(ic_step *st);
void sc_fixture_free(ic_scenario *sc);

#endif
