/* validate.c: `imapconform validate FILE...`: checks the example dialogues
 * of specification texts (see docs/validate.md). */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ic_render.h"
#include "ic_report.h"
#include "ic_validate.h"

#define VALIDATE_CMD "validate"
#define MAX_SPEC_BYTES (64u * 1024 * 1024)

static void usage(FILE *out)
{
    fprintf(out,
            "usage: imapconform validate [--junit FILE] FILE...\n"
            "Finds the example dialogues (C: and S: lines) in specification text (RFC-style\n"
            "plain text, Markdown, word-processor exports) and checks them: S: lines against\n"
            "the strict response grammar, C: lines for tag syntax, balanced parentheses and\n"
            "quotes and the LIST CHANGEDSINCE option, typographic characters, and consistency\n"
            "within each dialogue. Prints file:line:col: error|warning: message [rule].\n"
            "  --junit FILE   also write one JUnit testcase per example dialogue\n"
            "Exit codes: 0 no errors (warnings allowed); 1 errors found; 2 usage or unreadable file.\n");
}

static int read_file(const char *path, ic_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "imapconform validate: cannot read %s: %s\n", path, strerror(errno));
        return -1;
    }
    char chunk[65536];
    size_t n;
    int rc = IC_OK;
    while (rc == IC_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = ic_buf_append(out, chunk, n);
    bool failed = ferror(f) || rc != IC_OK;
    fclose(f);
    if (failed)
        fprintf(stderr, "imapconform validate: cannot read %s: %s\n", path,
                rc != IC_OK ? "larger than 64 MiB" : "read error");
    return failed ? -1 : 0;
}

/* One JUnit testcase per dialogue: a fake scenario and result. */
typedef struct junit_case {
    ic_scenario sc;
    ic_result res;
} junit_case;

typedef struct junit_set {
    junit_case *items;
    size_t n;
} junit_set;

static void junit_set_free(junit_set *js)
{
    for (size_t i = 0; i < js->n; i++) {
        free(js->items[i].sc.id);
        free(js->items[i].sc.title);
        free(js->items[i].res.message);
        ic_buf_free(&js->items[i].res.transcript);
    }
    free(js->items);
    memset(js, 0, sizeof *js);
}

static int junit_add_file(junit_set *js, const char *path, const ic_val_doc *doc,
                          const ic_val_report *rep)
{
    junit_case *p = realloc(js->items, (js->n + doc->n) * sizeof *p);
    if (!p)
        return IC_ERR_NOMEM;
    js->items = p;
    for (size_t i = 0; i < doc->n; i++) {
        junit_case *c = &js->items[js->n++];
        memset(c, 0, sizeof *c);
        ic_buf_init(&c->res.transcript, 0);
        c->sc.area = (char *)"validate";
        const ic_val_dialogue *d = &doc->dialogues[i];
        ic_buf id;
        ic_buf_init(&id, 0);
        ic_buf_printf(&id, "validate.%s:%u", path, d->n ? d->lines[0].pos[0].line : 0);
        c->sc.id = ic_buf_steal(&id);
        c->sc.title = c->sc.id ? strdup(c->sc.id) : NULL;
        size_t errors = 0, warnings = 0;
        for (size_t k = 0; k < rep->n; k++) {
            if (rep->items[k].dialogue != i)
                continue;
            errors += rep->items[k].severity == IC_VAL_ERROR;
            warnings += rep->items[k].severity == IC_VAL_WARNING;
            ic_val_diag_format(&rep->items[k], path, &c->res.transcript);
            if (!c->res.message)
                c->res.message = strdup(rep->items[k].message);
        }
        /* Warnings pass with a finding, as SHOULD deviations do in `run`. */
        c->res.verdict = errors ? IC_VERDICT_FAIL : warnings ? IC_VERDICT_NONSTRICT
                                                             : IC_VERDICT_PASS;
        if (!c->sc.id || !c->sc.title)
            return IC_ERR_NOMEM;
    }
    return IC_OK;
}

static void print_diags(const char *path, const ic_val_report *rep)
{
    ic_buf line;
    ic_buf_init(&line, 0);
    for (size_t i = 0; i < rep->n; i++) {
        ic_buf_reset(&line);
        ic_val_diag_format(&rep->items[i], path, &line);
        if (line.len)
            line.len--;   /* the newline; everything else is rendered */
        char *shown = ic_render_str(ic_buf_bytes(&line), IC_RENDER_UNLIMITED);
        printf("%s\n", shown ? shown : "(out of memory)");
        free(shown);
    }
    ic_buf_free(&line);
}

typedef struct totals {
    size_t files, dialogues, lines, errors, warnings;
    bool unreadable;
} totals;

static int validate_file(const char *path, totals *t, junit_set *js)
{
    ic_buf text;
    ic_buf_init(&text, MAX_SPEC_BYTES);
    if (read_file(path, &text) != 0) {
        ic_buf_free(&text);
        t->unreadable = true;
        return IC_OK;
    }
    ic_val_doc doc = { 0 };
    ic_val_report rep = { 0 };
    int rc = ic_validate_text(ic_buf_bytes(&text), &doc, &rep);
    if (rc == IC_OK) {
        print_diags(path, &rep);
        t->files++;
        t->dialogues += doc.n;
        for (size_t i = 0; i < doc.n; i++)
            t->lines += doc.dialogues[i].n;
        t->errors += rep.errors;
        t->warnings += rep.warnings;
        if (js)
            rc = junit_add_file(js, path, &doc, &rep);
    }
    ic_val_report_free(&rep);
    ic_val_doc_free(&doc);
    ic_buf_free(&text);
    return rc;
}

static int write_junit(const char *path, const junit_set *js)
{
    ic_result *results = calloc(js->n ? js->n : 1, sizeof *results);
    if (!results)
        return IC_ERR_NOMEM;
    for (size_t i = 0; i < js->n; i++) {
        results[i] = js->items[i].res;   /* shallow: the set keeps ownership */
        results[i].scenario = &js->items[i].sc;   /* set now: items moved while growing */
    }
    ic_junit_meta meta = { .target = "spec examples", .tool_version = IC_VERSION };
    ic_error err;
    int rc = ic_junit_write(path, results, js->n, &meta, &err);
    if (rc != IC_OK)
        fprintf(stderr, "imapconform validate: %s\n", err.msg);
    free(results);
    return rc;
}

int ic_cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        { "junit", required_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { 0, 0, 0, 0 },
    };
    const char *junit = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            usage(stdout);
            return IC_EXIT_OK;
        }
        if (c != 'j') {
            ic_cli_usage_error(VALIDATE_CMD, "unknown option or missing value \"%s\"",
                               argv[optind - 1]);
            return IC_EXIT_USAGE;
        }
        junit = optarg;
    }
    if (optind >= argc) {
        ic_cli_usage_error(VALIDATE_CMD, "no FILE given");
        return IC_EXIT_USAGE;
    }
    totals t = { 0 };
    junit_set js = { 0 };
    int rc = IC_OK;
    for (int i = optind; i < argc && rc == IC_OK; i++)
        rc = validate_file(argv[i], &t, junit ? &js : NULL);
    if (rc == IC_OK && junit && write_junit(junit, &js) != IC_OK)
        t.unreadable = true;
    junit_set_free(&js);
    if (rc != IC_OK) {
        fprintf(stderr, "imapconform validate: out of memory\n");
        return IC_EXIT_USAGE;
    }
    printf("validate: %zu files, %zu example dialogues, %zu protocol lines: %zu errors, "
           "%zu warnings\n",
           t.files, t.dialogues, t.lines, t.errors, t.warnings);
    if (t.unreadable)
        return IC_EXIT_USAGE;
    return t.errors ? IC_EXIT_FAIL : IC_EXIT_OK;
}
