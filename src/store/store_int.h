/*
 * store_int.h - private to src/store: what both backends share about
 * search text (store_fold.c), so that SQLite and PostgreSQL find the same
 * records for the same words.
 */
#ifndef OSAFE_STORE_INT_H
#define OSAFE_STORE_INT_H

#include <stddef.h>

#include "core/buf.h"

/* Drop the Arabic marks both text indexes and queries ignore (harakat,
 * shadda, tatweel...); appends the rest of in to out.  0 or a buf status. */
int store__fold(const char *in, osafe_buf *out);

/* The next word of a query at *p (separated by ASCII white space): its
 * start, with *n its length in bytes and *chars in code points; NULL at
 * the end.  *p moves past it. */
const char *store__word(const char **p, size_t *n, size_t *chars);

/* Light plural stemming (issue 16 item 8): the byte length of the stem a
 * word in -s also matches as a prefix, or 0 when it is kept as it is. */
size_t store__plural_stem(const char *w, size_t n, size_t chars);

#endif
