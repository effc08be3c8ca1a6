/* identity.c: PLACEHOLDER until the report work lands (issue 8). */
#include "ic_identity.h"
#include <stdlib.h>
#include <string.h>

int ic_identity_gather(const ic_run_config *cfg, ic_identity *out, ic_error *err)
{
    (void)cfg; (void)err;
    memset(out, 0, sizeof *out);
    out->caps_after = strdup("");
    return out->caps_after ? IC_OK : IC_ERR_NOMEM;
}

void ic_identity_free(ic_identity *id)
{
    free(id->caps_after);
    memset(id, 0, sizeof *id);
}
