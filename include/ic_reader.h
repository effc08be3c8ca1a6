/* ic_reader.h: frames a byte stream into whole IMAP server responses.
 *
 * A response is one line ending in CRLF, plus, for every line that ends in a
 * literal announcement {n} (or ~{n}, RFC 3516/9051 literal8), exactly n
 * following bytes and the continuation of the line after them.  The reader
 * enforces the caps of ic_limits (line length, literal size, whole response
 * size); passing one is IC_ERR_PROTOCOL with a message naming the cap and
 * the option that raises it, never an unbounded allocation.  A bare LF line
 * end is accepted for framing but flagged (lf_only) so the grammar check can
 * report it.
 *
 * The reader pulls bytes from an ic_source: a socket connection in real
 * runs, memory in tests and in the fuzzer.  Short reads anywhere (inside the
 * literal count, inside CRLF, inside literal data) are handled.
 *
 * Ownership: the reader owns its buffer.  The ic_bytes returned by
 * ic_reader_next points into it and is valid until the next call on the
 * reader.  ic_reader_free frees the reader but not the source's context.
 */
#ifndef IC_READER_H
#define IC_READER_H

#include <stdbool.h>
#include <sys/types.h>
#include "ic_buf.h"
#include "ic_error.h"
#include "ic_limits.h"

/* Reads up to n bytes into buf; returns > 0, or a negative ic_code (IC_ERR_EOF
 * at end of stream, IC_ERR_TIMEOUT, ...) with err set. */
typedef ssize_t (*ic_source_read_fn)(void *ctx, void *buf, size_t n, ic_error *err);

typedef struct ic_source {
    ic_source_read_fn read;
    void *ctx;
} ic_source;

typedef struct ic_reader ic_reader;

typedef struct ic_raw_response {
    ic_bytes bytes;       /* the whole response including literals and the final CRLF */
    size_t nliterals;     /* how many literals it contained */
    bool lf_only;         /* some line ended in LF without CR */
} ic_raw_response;

ic_reader *ic_reader_new(ic_source src, const ic_limits *limits);
void ic_reader_free(ic_reader *r);

/* Reads the next complete response.  IC_OK with *out filled, or a negative
 * ic_code.  After IC_ERR_PROTOCOL the stream is out of sync: the caller
 * should drop the connection. */
int ic_reader_next(ic_reader *r, ic_raw_response *out, ic_error *err);

/* Bytes already read from the source but not yet returned as a response. */
size_t ic_reader_buffered(const ic_reader *r);
/* Drops those bytes (STARTTLS: plaintext after the tagged OK must not be
 * used inside TLS).  Returns how many were dropped. */
size_t ic_reader_discard_buffered(ic_reader *r);

/* A source over a fixed memory region, delivering at most `chunk` bytes per
 * read (0 = all at once); for tests and the fuzzer. */
typedef struct ic_mem_source {
    const uint8_t *data;
    size_t len;
    size_t pos;
    size_t chunk;
} ic_mem_source;
ssize_t ic_mem_source_read(void *ctx, void *buf, size_t n, ic_error *err);

#endif
