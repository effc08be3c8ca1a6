/* ic_responder.h: plays the server side of a recorded transcript (the
 * format written by `run --record`/`--transcripts`, see
 * docs/transcript-format.md), for the self-tests and for testing clients.
 *
 * The k-th accepted connection plays the k-th "-- open" section.  Each
 * client line must equal the next recorded C line, with the client's tags
 * standing in for the recorded ones and "***" (a redacted secret) matching
 * anything; the S lines that follow are then sent, recorded tags replaced
 * by the client's.  A deviation is reported and the connection closed with
 * a BYE.
 *
 * Ownership: ic_transcript_load returns a transcript freed with
 * ic_transcript_free.  Errors: IC_ERR_USAGE naming file:line for a bad
 * transcript; ic_responder_serve returns IC_OK when every connection
 * followed its section to the end, IC_ERR_PROTOCOL when a client deviated
 * or a section was left unfinished (err says which), IC_ERR_TIMEOUT when
 * nothing happened for idle_ms.
 */
#ifndef IC_RESPONDER_H
#define IC_RESPONDER_H

#include <stdio.h>
#include "ic_buf.h"
#include "ic_error.h"

typedef struct ic_tx_event {
    char dir;             /* 'C', 'S', or 'P' for a pause ("-- sleep MS") */
    ic_buf bytes;         /* the line without CRLF, unrendered; for 'P' empty */
    int sleep_ms;
    int line;             /* in the transcript file */
} ic_tx_event;

typedef struct ic_tx_section {
    int number;           /* the connection number after "-- open" */
    ic_tx_event *events;
    size_t n, alloc;
} ic_tx_section;

typedef struct ic_tx {
    char *path;
    ic_tx_section *sections;
    size_t n, alloc;
} ic_tx;

int ic_transcript_load(const char *path, ic_tx **out, ic_error *err);
void ic_transcript_free(ic_tx *t);

typedef struct ic_responder_options {
    const char *host;     /* loopback address to listen on */
    const char *port;     /* "0" picks a free port */
    int idle_ms;          /* give up after this long without any activity */
    FILE *log;            /* deviations and progress; may be NULL */
    FILE *ready;          /* "listening on HOST:PORT" is printed here once bound */
} ic_responder_options;

int ic_responder_serve(const ic_tx *t, const ic_responder_options *o, ic_error *err);

#endif
