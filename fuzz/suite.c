/*
 * suite.c - fuzz target: evaluation suite folders (eval/suite*.c), both
 * readers: suite_load and the streaming suite_reader.
 *
 * The input is suite.yaml, a NUL byte, then items.jsonl (no NUL: all of
 * it is suite.yaml).  Properties: both readers accept the same suites with
 * the same item count and hash; a loaded suite written again with
 * suite_write loads with the same hash.
 */
#include <string.h>

#include "eval/suite.h"
#include "fuzz.h"

/* Read dir with the streaming reader; its hash into out ("" if refused). */
static size_t stream(const char *dir, char out[65])
{
    suite_reader *r;
    osafe_err e;
    out[0] = '\0';
    if (suite_reader_open(dir, &r, &e) != 0)
        return 0;
    suite_item it;
    int rc;
    while ((rc = suite_reader_next(r, &it, &e)) == 1)
        ;
    size_t n = suite_reader_count(r);
    if (rc == 0) {
        FUZZ_CHECK(suite_reader_hash(r) != NULL);
        memcpy(out, suite_reader_hash(r), 65);
    } else {
        FUZZ_CHECK(suite_reader_next(r, &it, &e) < 0); /* spent */
    }
    suite_reader_free(r);
    return n;
}

static void rewrite(const suite *s, const char *dir)
{
    json_t **items = malloc((s->n ? s->n : 1) * sizeof *items);
    FUZZ_CHECK(items != NULL);
    for (size_t i = 0; i < s->n; i++)
        items[i] = s->items[i].json;
    char out[512];
    snprintf(out, sizeof out, "%s/again", dir);
    osafe_err e;
    FUZZ_CHECK(suite_write(out, s->meta, items, s->n, &e) == 0);
    free(items);
    suite *t;
    FUZZ_CHECK(suite_load(out, &t, &e) == 0);
    FUZZ_CHECK(strcmp(t->hash, s->hash) == 0);
    suite_free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_tmpdir();
    const uint8_t *nul = memchr(data, 0, size);
    size_t ylen = nul ? (size_t)(nul - data) : size;
    const uint8_t *items = nul ? nul + 1 : data + size;
    FUZZ_CHECK(fuzz_write(dir, "suite.yaml", data, ylen) == 0);
    FUZZ_CHECK(fuzz_write(dir, "items.jsonl", items,
                          (size_t)(data + size - items)) == 0);
    suite *s;
    osafe_err e;
    char h[65];
    size_t n = stream(dir, h);
    int rc = suite_load(dir, &s, &e);
    fuzz_debug("suite: %d %s", rc, rc ? e.msg : "");
    if (rc == 0) {
        FUZZ_CHECK(h[0] && strcmp(h, s->hash) == 0);
        FUZZ_CHECK(n == s->n);
        rewrite(s, dir);
        suite_free(s);
    } else {
        FUZZ_CHECK(h[0] == '\0');
    }
    return 0;
}
