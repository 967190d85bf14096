/*
 * validate.h - the native incident record's schema, checked field by field.
 *
 * A draft may be incomplete but every field it has must be well-formed; a
 * record to be published must also have every required field
 * (docs/API.md lists them).  Errors name the field (e->field) so the API
 * can answer 422 with it.  Fields the server owns (id, state, version,
 * published, ...) are refused in client input.
 */
#ifndef OSAFE_REGISTRY_VALIDATE_H
#define OSAFE_REGISTRY_VALIDATE_H

#include <jansson.h>

#include "core/limits.h"
#include "core/status.h"

#define REC_SCHEMA_VERSION "1.0.0"

/* 0 if rec (an object) is a well-formed draft; with for_publish, also
 * complete.  client_input: refuse server-owned fields. */
/* 1 if s is a partial date "YYYY", "YYYY-MM" or "YYYY-MM-DD". */
int rec_date_ok(const char *s);

OSAFE_MUST_USE int rec_validate(const json_t *rec, int for_publish, int client_input,
                 osafe_err *e);

/* One complaint of rec_validate_all: the field at fault (a JSON path such
 * as "countries_occurred[1]"), its kind (a stable word the web form turns
 * into a translated sentence: "required", "country", "date", "url",
 * "choice", "unknown_field", "server_field", "invalid") and the registry's
 * English message. */
typedef struct rec_error {
    char field[96];
    char kind[16];
    char msg[OSAFE_ERR_MAX];
} rec_error;

/* Every complaint about a record, at most OSAFE_REC_ERRORS_MAX of them (one
 * per field); the caller owns it (it is large: allocate it, do not put it
 * on a thread's stack). */
typedef struct rec_errors {
    size_t n;
    rec_error v[OSAFE_REC_ERRORS_MAX];
} rec_errors;

/* Like rec_validate, but goes on after the first bad field and lists every
 * one in *out (one complaint per field, then each missing required field).
 * 0 if the record passes; OSAFE_EINVAL with e describing the first
 * complaint otherwise. */
OSAFE_MUST_USE int rec_validate_all(const json_t *rec, int for_publish,
                                    int client_input, rec_errors *out,
                                    osafe_err *e);

/* 0 if patch is a valid RFC 7396 merge patch of a record's client fields. */
OSAFE_MUST_USE int rec_check_patch(const json_t *patch, osafe_err *e);

/* 1 if s is one of the TLP 2.0 levels (CLEAR GREEN AMBER AMBER+STRICT RED). */
int rec_tlp_valid(const char *s);

/* The schema's vocabularies (NULL-terminated), defined once here so that the
 * importers, exporters and web forms offer exactly what the validator
 * accepts.  severity.level: the OECD 2025 ladder, then "unknown".  tlp: the
 * TLP 2.0 levels from the least to the most restricted, so an index is a
 * rank. */
extern const char *const rec_severity_levels[];
extern const char *const rec_tlp_levels[];
/* Index of s in rec_tlp_levels (CLEAR 0 ... RED 4); -1 if not a level. */
int rec_tlp_rank(const char *s);
/* 1 if s is a member of the NULL-terminated vocab. */
int rec_in_vocab(const char *s, const char *const *vocab);

#endif
