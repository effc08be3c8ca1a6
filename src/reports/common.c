/* common.c: what the console, JUnit and transcript reporters share: the
 * detail block of a result and the crash-safe file write (see
 * report_internal.h). */
#include "report_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Our own table rather than ic_level_name, so the reporters link without
 * the scenario module. */
const char *rep_level_name(ic_level l)
{
    static const char *const names[] = {
        [IC_LEVEL_MUST] = "MUST", [IC_LEVEL_SHOULD] = "SHOULD", [IC_LEVEL_MAY] = "MAY"
    };
    return (unsigned)l < sizeof names / sizeof names[0] ? names[l] : "?";
}

int rep_requirement_text(const ic_result *r, ic_buf *out)
{
    if (!r->requirement)
        return IC_OK;
    if (r->reference)
        return ic_buf_printf(out, "%s (%s, %s)", r->requirement, (r->keyword ? r->keyword : rep_level_name(r->level)),
                             r->reference);
    return ic_buf_printf(out, "%s (%s)", r->requirement, (r->keyword ? r->keyword : rep_level_name(r->level)));
}

static int append_spaces(ic_buf *out, size_t n)
{
    int rc = IC_OK;
    while (!rc && n--)
        rc = ic_buf_append(out, " ", 1);
    return rc;
}

int rep_field(ic_buf *out, const char *indent, const char *label, const char *value)
{
    if (!value)
        return IC_OK;
    int rc = IC_OK;
    bool first = true;
    const char *line = value;
    do {
        size_t len = strcspn(line, "\n");
        rc = ic_buf_append_str(out, indent);
        if (!rc)
            rc = first ? ic_buf_append_str(out, label) : append_spaces(out, strlen(label));
        if (!rc)
            rc = rep_clean(line, len, out);
        if (!rc)
            rc = ic_buf_append(out, "\n", 1);
        first = false;
        line += len;
        if (*line == '\n')
            line++;
    } while (!rc && *line);     /* a trailing newline adds no empty line */
    return rc;
}

int rep_detail(const ic_result *r, const char *indent, ic_buf *out)
{
    ic_buf requirement;
    ic_buf_init(&requirement, 0);
    int rc = rep_requirement_text(r, &requirement);
    if (!rc && requirement.len)
        rc = rep_field(out, indent, "requirement ", (const char *)requirement.data);
    else if (!rc)
        rc = rep_field(out, indent, "reference ", r->reference);
    ic_buf_free(&requirement);
    if (!rc)
        rc = rep_field(out, indent, "at ", r->location);
    if (!rc)
        rc = rep_field(out, indent, "", r->message);
    if (!rc)
        rc = rep_field(out, indent, "expected: ", r->expected);
    if (!rc)
        rc = rep_field(out, indent, "received: ", r->received);
    if (!rc)
        rc = rep_field(out, indent, "nearest:  ", r->nearest);
    return rc;
}

/* ---- crash-safe file write ------------------------------------------------ */

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* The temporary name is path + ".tmp" + pid: in the same directory, so
 * rename() is atomic.  A leftover of a crashed run that had the same pid
 * (common in containers) is replaced; O_EXCL keeps us from writing through
 * a symlink someone placed there. */
static int open_temp(const char *path, char *tmp, size_t size)
{
    if ((size_t)snprintf(tmp, size, "%s.tmp%ld", path, (long)getpid()) >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST && unlink(tmp) == 0)
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    return fd;
}

int rep_write_file(const char *path, const void *data, size_t len, ic_error *err)
{
    char tmp[PATH_MAX];
    int fd = open_temp(path, tmp, sizeof tmp);
    if (fd < 0)
        return ic_fail(err, IC_ERR_USAGE, "cannot write %s: %s", path, strerror(errno));
    int failed = write_all(fd, data, len) || fsync(fd);
    int saved = errno;
    if (close(fd) && !failed) {
        failed = 1;
        saved = errno;
    }
    if (!failed && rename(tmp, path)) {
        failed = 1;
        saved = errno;
    }
    if (failed) {
        unlink(tmp);
        return ic_fail(err, IC_ERR_USAGE, "cannot write %s: %s", path, strerror(saved));
    }
    return IC_OK;
}
