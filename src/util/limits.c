/* limits.c: default caps and deadlines (see ic_limits.h). */
#include "ic_limits.h"

void ic_limits_default(ic_limits *l)
{
    l->max_line = IC_DEFAULT_MAX_LINE;
    l->max_literal = IC_DEFAULT_MAX_LITERAL;
    l->max_response = IC_DEFAULT_MAX_RESPONSE;
    l->max_depth = IC_DEFAULT_MAX_DEPTH;
}

void ic_timeouts_default(ic_timeouts *t)
{
    t->connect_ms = IC_DEFAULT_CONNECT_TIMEOUT_MS;
    t->read_ms = IC_DEFAULT_IO_TIMEOUT_MS;
    t->write_ms = IC_DEFAULT_IO_TIMEOUT_MS;
}
