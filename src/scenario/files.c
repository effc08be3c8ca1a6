/* files.c: files a scenario refers to (fixture messages, {@file} literals).
 *
 * Messages on the wire end lines with CRLF; files in a repository usually
 * have LF, so a bare LF becomes CRLF and an existing CRLF stays as it is.
 */
#include "scenario_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int append_crlf(ic_buf *out, const char *data, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        if (data[i] != '\n' || (i > 0 && data[i - 1] == '\r'))
            continue;
        if (ic_buf_append(out, data + from, i - from) || ic_buf_append(out, "\r", 1))
            return IC_ERR_NOMEM;
        from = i;
    }
    return ic_buf_append(out, data + from, n - from);
}

int sc_read_file_crlf(const char *base_dir, const char *rel, size_t cap, ic_buf *out,
                      ic_error *err)
{
    char path[4096];
    int w = rel[0] == '/' || !base_dir || !*base_dir
                ? snprintf(path, sizeof path, "%s", rel)
                : snprintf(path, sizeof path, "%s/%s", base_dir, rel);
    if (w < 0 || (size_t)w >= sizeof path)
        return ic_fail(err, IC_ERR_SCENARIO, "file name \"%s\" is too long", rel);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ic_fail(err, IC_ERR_SCENARIO, "cannot read file \"%s\" (resolved to %s): %s", rel,
                       path, strerror(errno));
    struct stat st;
    int rc = IC_OK;
    char *data = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = ic_fail(err, IC_ERR_SCENARIO, "file \"%s\" (resolved to %s) is not a regular file",
                     rel, path);
    } else if ((unsigned long long)st.st_size > cap) {
        rc = ic_fail(err, IC_ERR_SCENARIO, "file \"%s\" (resolved to %s) has %lld bytes; the "
                     "limit is %zu", rel, path, (long long)st.st_size, cap);
    } else if (!(data = malloc((size_t)st.st_size + 1))) {
        rc = ic_fail(err, IC_ERR_NOMEM, "out of memory reading %s", path);
    } else {
        size_t want = (size_t)st.st_size, got = 0;
        ssize_t n = 1;
        while (got < want && (n = read(fd, data + got, want - got)) > 0)
            got += (size_t)n;
        if (n < 0)
            rc = ic_fail(err, IC_ERR_SCENARIO, "cannot read file \"%s\" (resolved to %s): %s",
                         rel, path, strerror(errno));
        else if (append_crlf(out, data, got))
            rc = ic_fail(err, IC_ERR_NOMEM, "out of memory reading %s", path);
    }
    free(data);
    close(fd);
    return rc;
}
