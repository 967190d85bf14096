/*
 * bench_import_loop.h - the loop both registry benchmarks time (bench_api's
 * import line and bench_import): n records through reg_import_batch in
 * batches of OSAFE_IMPORT_BATCH_MAX, published, as `osafe import --publish`
 * does.  Header-only, static: each benchmark is its own program.
 */
#ifndef OSAFE_BENCH_IMPORT_LOOP_H
#define OSAFE_BENCH_IMPORT_LOOP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "registry/registry.h"

/* Import n copies of the record example, with source keys "bench:0"...;
 * 0, or a negative status with the batch's or the first rejected item's
 * reason in e. */
static int bench_import_n(registry *reg, const reg_caller *c, int n,
                          const char *example, osafe_err *e)
{
    size_t chunk = OSAFE_IMPORT_BATCH_MAX;
    reg_import_item *items = calloc(chunk, sizeof *items);
    char (*keys)[32] = calloc(chunk, 32);
    int rc = items && keys ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    for (int done = 0; rc == 0 && done < n;) {
        size_t k = 0;
        for (; k < chunk && done + (int)k < n; k++) {
            snprintf(keys[k], 32, "bench:%d", done + (int)k);
            items[k] = (reg_import_item){.source_key = keys[k],
                                         .json = example,
                                         .len = strlen(example)};
        }
        rc = reg_import_batch(reg, c, items, k, 1, e);
        for (size_t i = 0; rc == 0 && i < k; i++)
            if (items[i].status != 0) {
                *e = items[i].err;
                rc = OSAFE_EINVAL;
            }
        done += (int)k;
    }
    free(items);
    free(keys);
    return rc;
}

#endif
