/*
 * csv.h - RFC 4180 CSV reader and writer.
 *
 * Reader: fields separated by ',', rows ended by CRLF, LF or a lone CR;
 * fields may be quoted ("..."), with "" for a quote and line breaks kept
 * verbatim inside quotes.  A UTF-8 byte order mark at the start is skipped.
 * Strict where silence would corrupt data: a quote inside an unquoted field,
 * text after a closing quote, an unterminated quote, invalid UTF-8 or a NUL
 * byte are errors naming the line and column.  Lines holding nothing at all
 * are skipped (a row of one empty field must be written as "").  Ceilings:
 * OSAFE_CSV_MAX_FIELDS fields and OSAFE_CSV_MAX_ROW bytes per row.
 *
 * Writer: a field is quoted when it holds ',', '"', CR or LF, starts with
 * U+FEFF, or is the only field of its row and empty; rows end with CRLF.  Formula-injection guard (OWASP "CSV injection"): a field starting
 * with = + - @ TAB or CR is written with a leading apostrophe, and so is a
 * field starting with an apostrophe followed by one of those characters or
 * by another apostrophe, so that csv_unguard restores every value exactly.
 */
#ifndef OSAFE_CORE_CSV_H
#define OSAFE_CORE_CSV_H

#include <stddef.h>

#include "core/buf.h"
#include "core/status.h"

typedef struct csv_reader csv_reader;

/* Read from text[0..len), which must outlive the reader (it is not copied). */
OSAFE_MUST_USE int csv_reader_open(const char *text, size_t len, csv_reader **out,
                    osafe_err *e);

/*
 * Next row: 1 and *fields / *nfields set (NUL-terminated strings owned by
 * the reader, valid until the next call or csv_reader_free), 0 at the end,
 * or a negative OSAFE_E* code (EINVAL for malformed input, ETOOBIG for a
 * ceiling, ENOMEM).  After an error the reader stays at the end.
 */
OSAFE_MUST_USE int csv_next(csv_reader *r, char ***fields, size_t *nfields, osafe_err *e);

/* 1-based line on which the row last returned by csv_next starts. */
size_t csv_row_line(const csv_reader *r);

void csv_reader_free(csv_reader *r);

/* Append one row (NULL fields are written empty).  0 or OSAFE_ENOMEM /
 * OSAFE_ETOOBIG from the buffer. */
OSAFE_MUST_USE int csv_write_row(osafe_buf *out, const char *const *fields, size_t n);

/* The value a guarded field stands for: field itself, or field + 1 when
 * csv_write_row added the apostrophe. */
const char *csv_unguard(const char *field);

#endif
