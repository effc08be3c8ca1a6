/* buf.c: capped growable buffer and byte views (see ic_buf.h). */
#include "ic_buf.h"
#include "ic_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ic_buf_init(ic_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void ic_buf_free(ic_buf *b)
{
    free(b->data);
    ic_buf_init(b, b->cap);
}

void ic_buf_reset(ic_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int ic_buf_reserve(ic_buf *b, size_t extra)
{
    if (extra > SIZE_MAX - b->len - 1)
        return IC_ERR_NOMEM;
    size_t need = b->len + extra + 1;   /* +1 keeps room for the NUL */
    if (b->cap && b->len + extra > b->cap)
        return IC_ERR_NOMEM;
    if (need <= b->alloc)
        return IC_OK;
    size_t n = b->alloc ? b->alloc : 64;
    while (n < need)
        n = n > SIZE_MAX / 2 ? need : n * 2;
    uint8_t *p = realloc(b->data, n);
    if (!p)
        return IC_ERR_NOMEM;
    b->data = p;
    b->alloc = n;
    return IC_OK;
}

int ic_buf_append(ic_buf *b, const void *p, size_t n)
{
    int rc = ic_buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return IC_OK;
}

int ic_buf_append_str(ic_buf *b, const char *s)
{
    return ic_buf_append(b, s, strlen(s));
}

int ic_buf_printf(ic_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return IC_ERR_INTERNAL;
    int rc = ic_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return IC_OK;
}

void ic_buf_consume(ic_buf *b, size_t n)
{
    if (n >= b->len) {
        ic_buf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

ic_bytes ic_buf_bytes(const ic_buf *b)
{
    return (ic_bytes){ b->data ? b->data : (const uint8_t *)"", b->len };
}

char *ic_buf_steal(ic_buf *b)
{
    if (!b->data && ic_buf_reserve(b, 0))
        return NULL;
    b->data[b->len] = '\0';
    char *s = (char *)b->data;
    ic_buf_init(b, b->cap);
    return s;
}

ic_bytes ic_bytes_from_str(const char *s)
{
    return (ic_bytes){ (const uint8_t *)s, strlen(s) };
}

bool ic_bytes_eq_str(ic_bytes a, const char *s)
{
    size_t n = strlen(s);
    return a.len == n && (n == 0 || memcmp(a.ptr, s, n) == 0);
}

bool ic_bytes_case_eq_str(ic_bytes a, const char *s)
{
    size_t n = strlen(s);
    return a.len == n && (n == 0 || strncasecmp((const char *)a.ptr, s, n) == 0);
}

char *ic_bytes_dup(ic_bytes a)
{
    char *s = malloc(a.len + 1);
    if (!s)
        return NULL;
    if (a.len)
        memcpy(s, a.ptr, a.len);
    s[a.len] = '\0';
    return s;
}
