/* certreport.c: PLACEHOLDER until the report work lands (issue 8). */
#include "ic_certreport.h"
#include <string.h>

int ic_certreport_scenario_hash(ic_scenario *const *sel, size_t n, const ic_reqlist *reqs,
                                char out[65], ic_error *err)
{
    (void)sel; (void)n; (void)reqs; (void)err;
    out[0] = '\0';
    return IC_OK;
}

int ic_certreport_write(const char *dir, const ic_certreport_meta *meta,
                        const ic_identity *identity, const ic_grading *grading,
                        const ic_result *results, size_t n,
                        const ic_expectations *waivers, ic_error *err)
{
    (void)dir; (void)meta; (void)identity; (void)grading; (void)results; (void)n; (void)waivers;
    return ic_fail(err, IC_ERR_USAGE, "--report is not implemented yet");
}

int ic_certreport_load(const char *path, ic_certreport **out, ic_error *err)
{
    (void)path;
    *out = NULL;
    return ic_fail(err, IC_ERR_USAGE, "reading reports is not implemented yet");
}

void ic_certreport_free(ic_certreport *r)
{
    (void)r;
}
