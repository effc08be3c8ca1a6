/* expect.c: applying known failures to results (see ic_expect.h). */
#include "ic_expect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether x names r: its scenario id, or one of the requirements its failure
 * was attributed to ("QR-42, QR-43"). */
static bool covers(const ic_expectation *x, const ic_result *r)
{
    if (strcmp(x->id, r->scenario->id) == 0)
        return true;
    const char *req = r->requirement;
    size_t n = strlen(x->id);
    while (req && *req) {
        size_t len = strcspn(req, ", ");
        if (len == n && strncmp(req, x->id, n) == 0)
            return true;
        req += len;
        req += strspn(req, ", ");
    }
    return false;
}

static void set_message(ic_result *r, ic_buf *text)
{
    char *m = ic_buf_steal(text);
    if (m) {
        free(r->message);
        r->message = m;
    }
}

void ic_expect_apply(ic_expectations *e, ic_result *r)
{
    for (size_t i = 0; e && i < e->n; i++) {
        ic_expectation *x = &e->items[i];
        if (!covers(x, r))
            continue;
        x->used = true;
        ic_buf text;
        ic_buf_init(&text, 0);
        if (r->verdict == x->verdict) {
            ic_buf_printf(&text, "known failure: %s [%s; listed at %s:%d]",
                          r->message ? r->message : ic_verdict_name(r->verdict), x->reason,
                          x->file, x->line);
            r->verdict = IC_VERDICT_XFAIL;
            set_message(r, &text);
        } else if (r->verdict == IC_VERDICT_PASS) {
            ic_buf_printf(&text, "listed as a known failure (%s) but passed: remove the entry at "
                          "%s:%d", x->reason, x->file, x->line);
            r->verdict = IC_VERDICT_XPASS;
            set_message(r, &text);
        }
        ic_buf_free(&text);
        return;
    }
}
