/* grade.c: PLACEHOLDER until the profile work lands (issue 8). */
#include "ic_profile.h"
#include <string.h>

int ic_profile_grade_result(const ic_profile *p, const char *capabilities,
                            const ic_reqlist *reqs, ic_result *r)
{
    (void)p; (void)capabilities; (void)reqs; (void)r;
    return IC_OK;
}

int ic_grading_summarize(const ic_profile *p, const char *capabilities, const ic_reqlist *reqs,
                         const ic_result *results, size_t n, ic_grading *out, ic_error *err)
{
    (void)capabilities; (void)reqs; (void)results; (void)n; (void)err;
    memset(out, 0, sizeof *out);
    out->profile = p;
    return IC_OK;
}

void ic_grading_free(ic_grading *g)
{
    (void)g;
}
