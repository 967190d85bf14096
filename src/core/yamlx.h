/*
 * yamlx.h - a restricted YAML subset loaded into jansson values (libyaml).
 *
 * Accepted: one document of block or flow mappings, sequences and scalars.
 * Refused, each with the line and column where it appears: anchors, aliases,
 * merge keys ("<<"), tags other than the YAML core ones (!!str, !!int,
 * !!float, !!bool, !!null, !!seq, !!map), a second document, duplicate keys,
 * keys that are not scalars, scalars holding a NUL character.  The subset is
 * what the ATLAS data and our own configuration files need, and nothing that
 * can expand (alias bombs) or instantiate types.
 *
 * Typing: every untagged scalar stays a JSON string, whatever it looks like
 * ("2020-01-01", "yes", "010", "" and "null" included): callers type the
 * fields they know.  Only an explicit core tag types a scalar (!!int 5 is the
 * integer 5, !!null ~ is null); a value that does not fit its tag is refused.
 *
 * Limits (core/limits.h): OSAFE_YAML_MAX_BYTES of input, collections nested
 * OSAFE_YAML_MAX_DEPTH deep, OSAFE_YAML_MAX_NODES nodes.
 */
#ifndef OSAFE_CORE_YAMLX_H
#define OSAFE_CORE_YAMLX_H

#include <jansson.h>
#include <stddef.h>

#include "core/status.h"

/*
 * Parse text[0..len) and store a new reference to the document in *out (the
 * caller decrefs it).  An empty stream gives JSON null.  Errors: OSAFE_EINVAL
 * (syntax or a refused construct; the message starts "line L, column C:",
 * both 1-based), OSAFE_ETOOBIG (a limit), OSAFE_ENOMEM.  *out is NULL on error.
 */
OSAFE_MUST_USE int yamlx_load(const char *text, size_t len, json_t **out, osafe_err *e);

#endif
