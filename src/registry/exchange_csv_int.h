/*
 * exchange_csv_int.h - shared by the CSV importer (exchange_csv.c) and
 * exporter (exchange_csv_out.c): the columns, in the order an export
 * writes them (the format is described at the top of exchange_csv.c).
 */
#ifndef OSAFE_EXCHANGE_CSV_INT_H
#define OSAFE_EXCHANGE_CSV_INT_H

#include <stddef.h>

enum {
    C_ID,
    C_TYPE,
    C_LANG,
    C_TITLE,
    C_DESC,
    C_REL,
    C_OCC,
    C_CTRY,
    C_SEV,
    C_HARM,
    C_HAZ,
    C_SYS,
    C_REFS,
    C_ALIAS,
    C_TLP,
    C_LIC,
    C_STATE,
    C_WDRAWN,
    C_USE,
    C_OCC_END,
    C_DETECTED,
    C_LIFE,
    C_DESCS,
    C_ENT,
    C_CRED,
    C_CLASS,
    C_SCORES,
    C_METRICS,
    C_RELATED,
    C_N
};

/* The header names, indexed by the enum above. */
extern const char *const exch__csv_cols[C_N];
/* Columns holding a record member as a JSON array, verbatim. */
extern const int exch__csv_json_cols[];
extern const size_t exch__csv_n_json_cols;
/* The ';'-separated list columns and the record members they hold. */
struct exch__csv_list_col {
    int col;
    const char *field;
};
extern const struct exch__csv_list_col exch__csv_list_cols[];
extern const size_t exch__csv_n_list_cols;
/* A non-empty token: with upper, [A-Z_]+ (a reference type such as WEB);
 * else [a-z0-9_.:-]+ (a code). */
int exch__csv_token_ok(const char *s, int upper);

#endif
