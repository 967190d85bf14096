/*
 * store_int.h - private to src/store: what both backends share, so that
 * SQLite and PostgreSQL answer alike: search text (store_fold.c) and the
 * listing's and uploads' rules (store_common.c).
 */
#ifndef OSAFE_STORE_INT_H
#define OSAFE_STORE_INT_H

#include <stddef.h>

#include "core/buf.h"
#include "store/store.h"

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

/* store_common.c.  The index of f->sort among the listing's orders
 * ("id" 0, "newest", "oldest", "date", "severity", "title" 5), or
 * OSAFE_EINVAL naming the field (an unknown order, a negative page). */
int store__sort_index(const store_filter *f, osafe_err *e);
/* 0 when the chunk at offset may follow what cur says was received (not
 * complete, no gap, no overlap), else OSAFE_ESTATE saying why. */
int store__samples_may_append(const char *eval_id,
                              const store_sample_state *cur, int64_t offset,
                              osafe_err *e);

#endif
