/* verdict.c: verdict names, the level-to-verdict rule and freeing a result
 * record (see ic_engine.h).  Apart from engine.c so the reporters and their
 * tests link without the engine. */
#include "ic_engine.h"

#include <stdlib.h>
#include <string.h>

const char *ic_verdict_name(ic_verdict v)
{
    static const char *const names[] = {
        [IC_VERDICT_PASS] = "PASS",
        [IC_VERDICT_FAIL] = "FAIL",
        [IC_VERDICT_NONSTRICT] = "NON-STRICT",
        [IC_VERDICT_INFO] = "INFO",
        [IC_VERDICT_UNSUPPORTED] = "UNSUPPORTED",
        [IC_VERDICT_ERROR] = "ERROR",
        [IC_VERDICT_XFAIL] = "XFAIL",
        [IC_VERDICT_XPASS] = "XPASS",
    };
    return (unsigned)v < sizeof names / sizeof names[0] ? names[v] : "UNKNOWN";
}

ic_verdict ic_verdict_for_level(ic_level l)
{
    switch (l) {
    case IC_LEVEL_MUST: return IC_VERDICT_FAIL;
    case IC_LEVEL_SHOULD: return IC_VERDICT_NONSTRICT;
    case IC_LEVEL_MAY: return IC_VERDICT_INFO;
    }
    return IC_VERDICT_FAIL;     /* an unknown level is treated as the strictest */
}

/* The scenario is borrowed, not freed. */
void ic_result_free(ic_result *r)
{
    if (!r)
        return;
    free(r->requirement);
    free(r->keyword);
    free(r->reference);
    free(r->location);
    free(r->message);
    free(r->expected);
    free(r->received);
    free(r->nearest);
    ic_buf_free(&r->transcript);
    memset(r, 0, sizeof *r);
}
