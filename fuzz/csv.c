/*
 * csv.c - fuzz target: the RFC 4180 reader (core/csv), under the CSV
 * record importer and every benchmark importer.
 *
 * Property: every row read, written back with csv_write_row and read
 * again, gives the same fields (after csv_unguard).
 */
#include <string.h>

#include "core/csv.h"
#include "fuzz.h"

/* Read back one written row and compare it with fields. */
static void check_round_trip(char **fields, size_t n)
{
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    FUZZ_CHECK(csv_write_row(&b, (const char *const *)fields, n) == 0);
    csv_reader *r;
    FUZZ_CHECK(csv_reader_open(b.data, b.len, &r, &e) == 0);
    char **f2;
    size_t n2;
    FUZZ_CHECK(csv_next(r, &f2, &n2, &e) == 1);
    FUZZ_CHECK(n2 == n);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(strcmp(csv_unguard(f2[i]), fields[i]) == 0);
    csv_reader_free(r);
    buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    csv_reader *r;
    osafe_err e;
    if (csv_reader_open((const char *)data, size, &r, &e) != 0)
        return 0;
    char **fields;
    size_t n;
    int rc;
    size_t last_line = 0;
    while ((rc = csv_next(r, &fields, &n, &e)) == 1) {
        FUZZ_CHECK(n >= 1);
        FUZZ_CHECK(csv_row_line(r) > last_line);
        last_line = csv_row_line(r);
        check_round_trip(fields, n);
    }
    FUZZ_CHECK(rc <= 0);
    if (rc < 0) /* the reader stays at the end after an error */
        FUZZ_CHECK(csv_next(r, &fields, &n, &e) == 0);
    csv_reader_free(r);
    return 0;
}
