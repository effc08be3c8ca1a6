/* ic_buf.h: growable byte buffer with a hard cap, and (pointer, length) views.
 *
 * Ownership: an ic_buf owns its data; ic_buf_free releases it.  ic_bytes is a
 * borrowed view and never owns.  Server data always travels as ic_bytes: no
 * strlen on it.  Appends fail with IC_ERR_NOMEM when the cap would be passed
 * or malloc fails; the buffer is then unchanged.  data is always followed by
 * a NUL byte (not counted in len) so it can be handed to printf("%s") when
 * the content is known to be text.
 */
#ifndef IC_BUF_H
#define IC_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct ic_bytes {
    const uint8_t *ptr;
    size_t len;
} ic_bytes;

typedef struct ic_buf {
    uint8_t *data;
    size_t len;
    size_t alloc;
    size_t cap;     /* 0 = no cap */
} ic_buf;

#define IC_BYTES(s) ((ic_bytes){ (const uint8_t *)(s), sizeof(s) - 1 })

void ic_buf_init(ic_buf *b, size_t cap);
void ic_buf_free(ic_buf *b);
void ic_buf_reset(ic_buf *b);                     /* len = 0, keeps memory */
int ic_buf_append(ic_buf *b, const void *p, size_t n);
int ic_buf_append_str(ic_buf *b, const char *s);
int ic_buf_printf(ic_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ic_buf_reserve(ic_buf *b, size_t extra);      /* ensure room for extra more bytes */
void ic_buf_consume(ic_buf *b, size_t n);         /* drop n bytes from the front */
ic_bytes ic_buf_bytes(const ic_buf *b);
/* Detaches the data as a NUL-terminated malloc'd string the caller frees. */
char *ic_buf_steal(ic_buf *b);

ic_bytes ic_bytes_from_str(const char *s);
bool ic_bytes_eq_str(ic_bytes a, const char *s);         /* exact */
bool ic_bytes_case_eq_str(ic_bytes a, const char *s);    /* ASCII case-insensitive */
/* malloc'd NUL-terminated copy; caller frees. NULL on OOM. */
char *ic_bytes_dup(ic_bytes a);

#endif
