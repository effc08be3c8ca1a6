/* level.c: requirement levels (RFC 2119 keywords) and the verdict class
 * each maps to. */
#include "scenario_internal.h"

#include <string.h>

static const struct {
    const char *keyword;
    ic_level level;
} level_keywords[] = {
    { "MUST", IC_LEVEL_MUST },          { "MUST NOT", IC_LEVEL_MUST },
    { "SHALL", IC_LEVEL_MUST },         { "SHALL NOT", IC_LEVEL_MUST },
    { "REQUIRED", IC_LEVEL_MUST },      { "SHOULD", IC_LEVEL_SHOULD },
    { "SHOULD NOT", IC_LEVEL_SHOULD },  { "RECOMMENDED", IC_LEVEL_SHOULD },
    { "MAY", IC_LEVEL_MAY },            { "OPTIONAL", IC_LEVEL_MAY },
    { "INFO", IC_LEVEL_MAY },
};

bool sc_level_normalize(const char *text, char *out, size_t size)
{
    size_t n = 0;
    bool space = false;
    for (const char *p = text; *p; p++) {
        if (*p == ' ' || *p == '\t') {
            space = n > 0;     /* leading blanks vanish; inner runs become one */
            continue;
        }
        if (n + (space ? 2 : 1) >= size)
            return false;
        if (space)
            out[n++] = ' ';
        space = false;
        out[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    }
    if (size == 0)
        return false;
    out[n] = '\0';
    return true;
}

bool ic_level_parse(const char *text, ic_level *out)
{
    char norm[32];
    if (!text || !sc_level_normalize(text, norm, sizeof norm))
        return false;
    for (size_t i = 0; i < sizeof level_keywords / sizeof level_keywords[0]; i++)
        if (strcmp(norm, level_keywords[i].keyword) == 0) {
            *out = level_keywords[i].level;
            return true;
        }
    return false;
}

const char *ic_level_name(ic_level l)
{
    switch (l) {
    case IC_LEVEL_MUST: return "MUST";
    case IC_LEVEL_SHOULD: return "SHOULD";
    default: return "MAY";
    }
}
