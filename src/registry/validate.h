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

#include "core/status.h"

#define REC_SCHEMA_VERSION "1.0.0"

/* 0 if rec (an object) is a well-formed draft; with for_publish, also
 * complete.  client_input: refuse server-owned fields. */
/* 1 if s is a partial date "YYYY", "YYYY-MM" or "YYYY-MM-DD". */
int rec_date_ok(const char *s);

OSAFE_MUST_USE int rec_validate(const json_t *rec, int for_publish, int client_input,
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
