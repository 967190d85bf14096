/*
 * tile.c - fuzz target: tile paths and entry bundles (tlog/tile), what a
 * log mirror client or an auditor reads from the network.
 *
 * The first byte picks the reader: even, a tile path (the rest of the
 * input), which must print back to itself when accepted (the parser is
 * strict: one spelling per tile); odd, an entry bundle split into
 * (byte >> 1) + 1 entries that must cover the input exactly.
 */
#include <string.h>

#include "tlog/tile.h"
#include "fuzz.h"

static void path_case(const uint8_t *data, size_t size)
{
    char *s = fuzz_strndup(data, size);
    int level;
    uint64_t index;
    unsigned width;
    if (tlog_tile_parse(s, &level, &index, &width) == 0) {
        char back[TLOG_TILE_PATH_MAX];
        FUZZ_CHECK(tlog_tile_path(back, level, index, width) == 0);
        FUZZ_CHECK(strcmp(back, s) == 0);
    }
    free(s);
}

static void bundle_case(unsigned want, const uint8_t *data, size_t size)
{
    static tlog_entry out[OSAFE_TILE_WIDTH];
    osafe_err e;
    if (want > OSAFE_TILE_WIDTH)
        want = OSAFE_TILE_WIDTH;
    /* A copy of exactly size bytes, so ASan sees any read past the end. */
    uint8_t *copy = malloc(size ? size : 1);
    FUZZ_CHECK(copy != NULL);
    if (size)
        memcpy(copy, data, size);
    if (tlog_bundle_split(copy, size, want, out, &e) == 0) {
        size_t total = 0;
        for (unsigned i = 0; i < want; i++) {
            const uint8_t *p = out[i].data;
            FUZZ_CHECK(p >= copy && p + out[i].len <= copy + size);
            total += out[i].len;
        }
        FUZZ_CHECK(total + 2 * (size_t)want == size);
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        bundle_case((data[0] >> 1) + 1u, data + 1, size - 1);
    else
        path_case(data + 1, size - 1);
    return 0;
}
