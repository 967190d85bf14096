/*
 * store_common.c - rules both backends apply alike, written once: the
 * listing's orders and page numbers, and when a chunk of samples may be
 * appended (store.h says what each operation promises).
 */
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

static const char *const sorts[] = {"id",   "newest",   "oldest",
                                    "date", "severity", "title"};

int store__sort_index(const store_filter *f, osafe_err *e)
{
    size_t k = 0;
    while (k < sizeof sorts / sizeof sorts[0] && f->sort && *f->sort &&
           strcmp(f->sort, sorts[k]))
        k++;
    if (k == sizeof sorts / sizeof sorts[0])
        return osafe_err_field(e, OSAFE_EINVAL, "sort",
                               "sort must be id, newest, oldest, date, "
                               "severity or title");
    if (f->offset < 0)
        return osafe_err_field(e, OSAFE_EINVAL, "page",
                               "page must be a positive number");
    return (int)k;
}

int store__samples_may_append(const char *eval_id,
                              const store_sample_state *cur, int64_t offset,
                              osafe_err *e)
{
    if (cur->complete)
        return osafe_errf(e, OSAFE_ESTATE, "the samples of '%s' are complete",
                          eval_id);
    if (offset != cur->received)
        return osafe_errf(e, OSAFE_ESTATE, "expected the chunk at offset "
                          "%lld, not %lld", (long long)cur->received,
                          (long long)offset);
    return 0;
}
