/* ic_limits.h: every cap and deadline in one place.  Each has a command-line
 * option (see cli); the defaults here are what a run uses otherwise.
 */
#ifndef IC_LIMITS_H
#define IC_LIMITS_H

#include <stddef.h>

#define IC_DEFAULT_MAX_LINE        (64u * 1024)        /* one response line, without literals */
#define IC_DEFAULT_MAX_LITERAL     (16u * 1024 * 1024) /* one literal {n} */
#define IC_DEFAULT_MAX_RESPONSE    (64u * 1024 * 1024) /* a whole response incl. literals */
#define IC_DEFAULT_MAX_DEPTH       64                  /* nested parenthesised lists */
#define IC_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define IC_DEFAULT_IO_TIMEOUT_MS      30000

typedef struct ic_limits {
    size_t max_line;
    size_t max_literal;
    size_t max_response;
    int max_depth;
} ic_limits;

typedef struct ic_timeouts {
    int connect_ms;
    int read_ms;       /* bound on each wait for bytes */
    int write_ms;
} ic_timeouts;

void ic_limits_default(ic_limits *l);
void ic_timeouts_default(ic_timeouts *t);

#endif
