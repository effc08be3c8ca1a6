/* check.c: runs the checks over a document, and the prose check. */
#include "validate_internal.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* "/unseen", "/Seen": a slash where IMAP has a backslash flag (\Seen) or
 * a search key (UNSEEN).  Prose, so only a warning. */
static const char *const slashed_flags[] = { "seen", "unseen", "answered", "unanswered",
                                             "flagged", "unflagged", "deleted", "undeleted",
                                             "draft", "undraft", "recent" };

static size_t slashed_flag_at(const uint8_t *p, size_t n)
{
    for (size_t k = 0; k < sizeof slashed_flags / sizeof slashed_flags[0]; k++) {
        size_t fl = strlen(slashed_flags[k]);
        if (n >= fl + 1 && strncasecmp((const char *)p + 1, slashed_flags[k], fl) == 0 &&
            (n == fl + 1 || !isalnum(p[fl + 1])))
            return fl + 1;
    }
    return 0;
}

static int report_slashed_flag(ic_val_report *rep, ic_val_pos at, const uint8_t *name, size_t n)
{
    char key[16] = { 0 }, flag[16] = { 0 };
    for (size_t i = 0; i < n && i < sizeof key - 1; i++)
        key[i] = (char)toupper(name[i]);
    /* UNSEEN is the search key for messages without \Seen. */
    size_t skip = n > 2 && strncasecmp((const char *)name, "un", 2) == 0 ? 2 : 0;
    for (size_t i = skip; i < n && i - skip < sizeof flag - 1; i++)
        flag[i - skip] = (char)(i == skip ? toupper(name[i]) : tolower(name[i]));
    return ic_val_report_add(rep, at, IC_VAL_WARNING, (size_t)-1, "flag-slash",
                             "\"/%.*s\" is not IMAP: the flag is \\%s, the search key %s",
                             (int)n, (const char *)name, flag, key);
}

int ic_val_check_prose(ic_bytes text, ic_val_report *rep)
{
    unsigned line = 1, col = 1;
    for (size_t i = 0; i < text.len; i++) {
        uint8_t ch = text.ptr[i];
        if (ch == '\n') {
            line++;
            col = 1;
            continue;
        }
        size_t len;
        bool word_start = i == 0 || !(isalnum(text.ptr[i - 1]) || strchr("/:.", text.ptr[i - 1]));
        if (ch == '/' && word_start && (len = slashed_flag_at(text.ptr + i, text.len - i))) {
            int rc = report_slashed_flag(rep, (ic_val_pos){ line, col }, text.ptr + i + 1, len - 1);
            if (rc != IC_OK)
                return rc;
        }
        if ((ch & 0xc0) != 0x80)
            col++;
    }
    return IC_OK;
}

int ic_val_check(ic_bytes text, const ic_val_doc *doc, ic_val_report *rep)
{
    for (size_t i = 0; i < doc->n; i++) {
        int rc = ic_val_check_dialogue(&doc->dialogues[i], i, rep);
        if (rc != IC_OK)
            return rc;
    }
    return ic_val_check_prose(text, rep);
}

int ic_validate_text(ic_bytes text, ic_val_doc *doc, ic_val_report *rep)
{
    int rc = ic_val_extract(text, doc, rep);
    if (rc == IC_OK)
        rc = ic_val_check(text, doc, rep);
    ic_val_report_sort(rep);
    return rc;
}
