/*
 * csv.c - RFC 4180 reader and guarded writer (see csv.h).
 *
 * The reader copies each row's field bytes into one buffer, NUL-separated,
 * and hands out pointers into it; the buffer and the pointer array are
 * reused from row to row.
 */
#include "core/csv.h"

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/utf8.h"

struct csv_reader {
    const char *p, *end;
    const char *line_start; /* first byte of the current line */
    size_t line;            /* 1-based line of p */
    size_t row_line;        /* line where the last row started */
    osafe_buf row;          /* field bytes of the current row */
    size_t *offs;           /* start of each field in row.data */
    char **fields;
    size_t cap; /* entries in offs and fields */
};

int csv_reader_open(const char *text, size_t len, csv_reader **out,
                    osafe_err *e)
{
    *out = NULL;
    csv_reader *r = calloc(1, sizeof *r);
    if (!r)
        return osafe_errf(e, OSAFE_ENOMEM, "csv: out of memory");
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3)) {
        text += 3;
        len -= 3;
    }
    r->p = text;
    r->end = text + len;
    r->line_start = text;
    r->line = 1;
    buf_init(&r->row, OSAFE_CSV_MAX_ROW);
    *out = r;
    return 0;
}

void csv_reader_free(csv_reader *r)
{
    if (!r)
        return;
    buf_release(&r->row);
    free(r->offs);
    free(r->fields);
    free(r);
}

size_t csv_row_line(const csv_reader *r)
{
    return r->row_line;
}

static size_t csv_col(const csv_reader *r, const char *at)
{
    return at >= r->line_start ? (size_t)(at - r->line_start) + 1 : 1;
}

static int csv_fail(csv_reader *r, int code, const char *at, const char *what,
                    osafe_err *e)
{
    size_t line = r->line, col = csv_col(r, at);
    r->p = r->end; /* stay at the end after an error */
    return osafe_errf(e, code, "csv: line %zu, column %zu: %s", line, col,
                      what);
}

/* Consume a line break at r->p (CRLF, LF or CR); 1 if there was one. */
static int csv_eol(csv_reader *r)
{
    if (r->p < r->end && *r->p == '\r') {
        r->p++;
        if (r->p < r->end && *r->p == '\n')
            r->p++;
    } else if (r->p < r->end && *r->p == '\n') {
        r->p++;
    } else {
        return 0;
    }
    r->line++;
    r->line_start = r->p;
    return 1;
}

static int csv_push_field(csv_reader *r, size_t nf, const char *at,
                          osafe_err *e)
{
    if (nf >= OSAFE_CSV_MAX_FIELDS)
        return csv_fail(r, OSAFE_ETOOBIG, at,
                        "more fields than OSAFE_CSV_MAX_FIELDS", e);
    if (nf == r->cap) {
        size_t ncap = r->cap ? r->cap * 2 : 16;
        size_t *o = realloc(r->offs, ncap * sizeof *o);
        if (!o)
            return osafe_errf(e, OSAFE_ENOMEM, "csv: out of memory");
        r->offs = o;
        char **f = realloc(r->fields, ncap * sizeof *f);
        if (!f)
            return osafe_errf(e, OSAFE_ENOMEM, "csv: out of memory");
        r->fields = f;
        r->cap = ncap;
    }
    r->offs[nf] = r->row.len;
    return 0;
}

static int csv_append(csv_reader *r, const char *s, size_t n, osafe_err *e)
{
    int rc = buf_append(&r->row, s, n);
    if (rc == OSAFE_ETOOBIG)
        return csv_fail(r, rc, s, "row longer than OSAFE_CSV_MAX_ROW", e);
    if (rc)
        return osafe_errf(e, rc, "csv: out of memory");
    return 0;
}

/* Quoted field: r->p is just past the opening quote at q. */
static int csv_quoted(csv_reader *r, const char *q, osafe_err *e)
{
    size_t qline = r->line, qcol = csv_col(r, q);
    int rc;
    for (;;) {
        const char *s = r->p;
        while (r->p < r->end && *r->p != '"') {
            if (*r->p == '\n' ||
                (*r->p == '\r' && (r->p + 1 == r->end || r->p[1] != '\n'))) {
                r->line++;
                r->line_start = r->p + 1;
            }
            r->p++;
        }
        if ((rc = csv_append(r, s, (size_t)(r->p - s), e)))
            return rc;
        if (r->p == r->end) {
            r->p = r->end;
            return osafe_errf(e, OSAFE_EINVAL,
                              "csv: line %zu, column %zu: quoted field never "
                              "closed",
                              qline, qcol);
        }
        r->p++; /* the quote */
        if (r->p < r->end && *r->p == '"') {
            if ((rc = csv_append(r, "\"", 1, e)))
                return rc;
            r->p++;
            continue;
        }
        break;
    }
    if (r->p < r->end && *r->p != ',' && *r->p != '\r' && *r->p != '\n')
        return csv_fail(r, OSAFE_EINVAL, r->p,
                        "text after the closing quote of a field", e);
    return 0;
}

int csv_next(csv_reader *r, char ***fields, size_t *nfields, osafe_err *e)
{
    *fields = NULL;
    *nfields = 0;
    /* Skip lines that hold nothing. */
    while (r->p < r->end && (*r->p == '\n' || *r->p == '\r'))
        csv_eol(r);
    if (r->p >= r->end)
        return 0;
    r->row_line = r->line;
    buf_reset(&r->row);
    size_t nf = 0;
    int rc;
    for (;;) {
        const char *start = r->p;
        size_t fline = r->line, fcol = csv_col(r, start);
        if ((rc = csv_push_field(r, nf, start, e)))
            return rc;
        if (r->p < r->end && *r->p == '"') {
            r->p++;
            if ((rc = csv_quoted(r, start, e)))
                return rc;
        } else {
            while (r->p < r->end && *r->p != ',' && *r->p != '\r' &&
                   *r->p != '\n') {
                if (*r->p == '"')
                    return csv_fail(r, OSAFE_EINVAL, r->p,
                                    "quote inside an unquoted field", e);
                r->p++;
            }
            if ((rc = csv_append(r, start, (size_t)(r->p - start), e)))
                return rc;
        }
        const char *f = r->row.data ? r->row.data + r->offs[nf] : "";
        size_t flen = r->row.len - r->offs[nf];
        if (flen && !utf8_valid(f, flen)) {
            r->p = r->end;
            return osafe_errf(e, OSAFE_EINVAL,
                              "csv: line %zu, column %zu: field is not UTF-8 "
                              "text (or holds a NUL byte)",
                              fline, fcol);
        }
        if ((rc = csv_append(r, "", 1, e))) /* the field's terminator */
            return rc;
        nf++;
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        csv_eol(r);
        break;
    }
    for (size_t i = 0; i < nf; i++)
        r->fields[i] = r->row.data + r->offs[i];
    *fields = r->fields;
    *nfields = nf;
    return 1;
}

static int csv_trigger(char c)
{
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
           c == '\r';
}

static int csv_needs_guard(const char *s)
{
    return csv_trigger(s[0]) ||
           (s[0] == '\'' && (csv_trigger(s[1]) || s[1] == '\''));
}

const char *csv_unguard(const char *field)
{
    if (field[0] == '\'' && (csv_trigger(field[1]) || field[1] == '\''))
        return field + 1;
    return field;
}

int csv_write_row(osafe_buf *out, const char *const *fields, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const char *s = fields[i] ? fields[i] : "";
        if (i)
            rc = buf_putc(out, ',');
        /* Also quoted, or the reader would lose them: a row of one empty
         * field (an empty line is skipped), and a field starting with
         * U+FEFF (at the start of the text it is read as a byte order
         * mark). */
        int quote = strpbrk(s, ",\"\r\n") != NULL || (n == 1 && !*s) ||
                    !strncmp(s, "\xEF\xBB\xBF", 3);
        if (!rc && quote)
            rc = buf_putc(out, '"');
        if (!rc && csv_needs_guard(s))
            rc = buf_putc(out, '\'');
        for (const char *p = s; !rc && *p;) {
            const char *q = quote ? strchr(p, '"') : NULL;
            size_t k = q ? (size_t)(q - p) : strlen(p);
            rc = buf_append(out, p, k);
            p += k;
            if (!rc && q) {
                rc = buf_append(out, "\"\"", 2);
                p++;
            }
        }
        if (!rc && quote)
            rc = buf_putc(out, '"');
    }
    if (!rc)
        rc = buf_append(out, "\r\n", 2);
    return rc;
}
