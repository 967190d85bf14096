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

#endif
