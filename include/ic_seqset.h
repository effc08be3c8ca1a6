/* ic_seqset.h: IMAP sequence sets and UID sets as ranges, never expanded.
 *
 * A set keeps two views: the ranges as written (order and direction kept;
 * COPYUID's correspondence needs the order) and a normalised view (sorted,
 * coalesced, ascending) for arithmetic.  "*" is kept as IC_SEQ_STAR, which
 * sorts above every number; has_star says whether it was written.
 * Sizes are 64-bit so 1:4294967295 counts exactly and costs one range.
 *
 * Ownership: ic_seqset_parse allocates; free with ic_seqset_free.  Results
 * of set operations are new sets the caller frees.  Errors: parse returns
 * IC_ERR_USAGE with err naming the offset (the text is the caller's: a
 * server value or a scenario literal).
 */
#ifndef IC_SEQSET_H
#define IC_SEQSET_H

#include <stdbool.h>
#include <stdint.h>
#include "ic_buf.h"
#include "ic_error.h"

#define IC_SEQ_STAR UINT64_MAX

typedef struct ic_range {
    uint64_t first;  /* as written: may be greater than last, may be IC_SEQ_STAR */
    uint64_t last;
} ic_range;

typedef struct ic_seqset {
    ic_range *written;   /* in the order written */
    size_t nwritten;
    ic_range *norm;      /* sorted, disjoint, non-adjacent, first <= last */
    size_t nnorm;
    bool has_star;
} ic_seqset;

/* Parses sequence-set syntax: (number / number ":" number / "*" ...) joined
 * by ",".  Numbers must be nz-number (1..4294967295) unless allow_zero. */
int ic_seqset_parse(ic_bytes text, bool allow_zero, ic_seqset **out, ic_error *err);
void ic_seqset_free(ic_seqset *s);

uint64_t ic_seqset_count(const ic_seqset *s);         /* members, "*" counted once */
bool ic_seqset_min(const ic_seqset *s, uint64_t *out);  /* false when empty */
bool ic_seqset_max(const ic_seqset *s, uint64_t *out);
bool ic_seqset_contains(const ic_seqset *s, uint64_t v);
bool ic_seqset_equal(const ic_seqset *a, const ic_seqset *b);     /* as sets */
bool ic_seqset_subset(const ic_seqset *a, const ic_seqset *b);    /* a within b */
/* A single number written alone (not "n:n", not a list). */
bool ic_seqset_is_single(const ic_seqset *s);
/* The i-th member (0-based) in written order: the comma-separated elements
 * in the order written, each range walked ascending whichever way it was
 * written (RFC 4315 section 3: "a range of 12:10 is exactly equivalent to
 * 10:12 and refers to the sequence 10,11,12"), so "7:5,9" is 5,6,7,9 and
 * "9,2:3" is 9,2,3.  This is the order COPYUID and APPENDUID sets
 * correspond in.  False if out of range.  O(number of written ranges). */
bool ic_seqset_nth_written(const ic_seqset *s, uint64_t i, uint64_t *out);
/* New sets (NULL on OOM). */
ic_seqset *ic_seqset_union(const ic_seqset *a, const ic_seqset *b);
ic_seqset *ic_seqset_difference(const ic_seqset *a, const ic_seqset *b);
/* Canonical text of the normalised view ("1:3,7"); appends to out. */
int ic_seqset_format(const ic_seqset *s, ic_buf *out);

#endif
