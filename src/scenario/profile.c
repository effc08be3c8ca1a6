/* profile.c: PLACEHOLDER until the profile work lands (issue 8). */
#include "ic_profile.h"
#include <string.h>

static ic_profile placeholder = { .name = "oma-cpm-2.1", .overlay = false };

int ic_profile_load(const char *path, ic_profile **out, ic_error *err)
{
    (void)path; (void)err;
    *out = NULL;
    return IC_OK;
}

void ic_profile_free(ic_profile *p)
{
    (void)p;
}

int ic_profile_set_load(const char *dir, ic_profile_set *out, ic_error *err)
{
    (void)dir; (void)err;
    memset(out, 0, sizeof *out);
    return IC_OK;
}

void ic_profile_set_free(ic_profile_set *s)
{
    (void)s;
}

const ic_profile *ic_profile_set_find(const ic_profile_set *s, const char *name)
{
    (void)s; (void)name;
    return &placeholder;
}

const ic_profile_ext *ic_profile_ext_for_area(const ic_profile *p, const char *area)
{
    (void)p; (void)area;
    return NULL;
}

bool ic_profile_selects(const ic_profile *p, const char *area)
{
    (void)p; (void)area;
    return true;
}
