/* transcripts.c: DIR/<id>.txt per result, a "# " header then the wire
 * transcript as recorded (see ic_report.h). */
#include "report_internal.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* mkdir -p: creates every missing directory of dir. */
static int make_dirs(const char *dir, ic_error *err)
{
    char path[PATH_MAX];
    if (!*dir)
        return ic_fail(err, IC_ERR_USAGE, "no transcript directory given");
    if ((size_t)snprintf(path, sizeof path, "%s", dir) >= sizeof path)
        return ic_fail(err, IC_ERR_USAGE, "cannot create %s: %s", dir, strerror(ENAMETOOLONG));
    for (char *p = path + 1; ; p++) {
        bool end = *p == '\0';
        if (!end && *p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0777) && errno != EEXIST)
            return ic_fail(err, IC_ERR_USAGE, "cannot create %s: %s", path, strerror(errno));
        if (end)
            break;
        *p = '/';
    }
    struct stat st;
    if (stat(dir, &st))
        return ic_fail(err, IC_ERR_USAGE, "cannot create %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return ic_fail(err, IC_ERR_USAGE, "cannot create %s: %s", dir, strerror(ENOTDIR));
    return IC_OK;
}

/* Ids are [a-z0-9.-] by the scenario loader; refuse anything that could
 * name a file outside dir all the same. */
static bool safe_file_id(const char *id)
{
    return id && *id && !strchr(id, '/') && strcmp(id, ".") && strcmp(id, "..");
}

static int append_header(const ic_result *r, ic_buf *out)
{
    const ic_scenario *sc = r->scenario;
    ic_buf requirement;
    ic_buf_init(&requirement, 0);
    int rc = rep_requirement_text(r, &requirement);
    if (!rc)
        rc = rep_field(out, "# ", "id: ", sc->id);
    if (!rc)
        rc = rep_field(out, "# ", "title: ", sc->title);
    if (!rc)
        rc = rep_field(out, "# ", "verdict: ", ic_verdict_name(r->verdict));
    if (!rc && requirement.len)
        rc = rep_field(out, "# ", "requirement: ", (const char *)requirement.data);
    if (!rc)
        rc = rep_field(out, "# ", "at: ", r->location);
    if (!rc)
        rc = rep_field(out, "# ", "message: ", r->message);
    if (!rc)
        rc = ic_buf_append(out, "\n", 1);
    ic_buf_free(&requirement);
    return rc;
}

static int write_one(const char *dir, const ic_result *r, ic_error *err)
{
    const char *id = r->scenario ? r->scenario->id : NULL;
    if (!safe_file_id(id))
        return ic_fail(err, IC_ERR_USAGE, "cannot write a transcript for scenario id \"%s\"",
                       id ? id : "(none)");
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s.txt", dir, id) >= sizeof path)
        return ic_fail(err, IC_ERR_USAGE, "cannot write %s/%s.txt: %s", dir, id,
                       strerror(ENAMETOOLONG));
    ic_buf text;
    ic_buf_init(&text, 0);
    int rc = append_header(r, &text);
    /* rep_clean leaves a rendered transcript byte for byte as it is (so
     * ic_unrender still gives the wire bytes back) and only stops a stray
     * control byte from reaching a terminal that shows the file. */
    if (!rc && r->transcript.len)
        rc = rep_clean((const char *)r->transcript.data, r->transcript.len, &text);
    rc = rc ? ic_fail(err, rc, "cannot write %s: out of memory", path)
            : rep_write_file(path, text.data, text.len, err);
    ic_buf_free(&text);
    return rc;
}

int ic_transcripts_write(const char *dir, const ic_result *results, size_t n, ic_error *err)
{
    int rc = make_dirs(dir, err);
    for (size_t i = 0; !rc && i < n; i++)
        rc = write_one(dir, &results[i], err);
    return rc;
}
