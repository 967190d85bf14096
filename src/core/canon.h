/*
 * canon.h - RFC 8785 JSON Canonicalization Scheme (JCS) and strict parsing.
 *
 * The registry hashes and signs canonical bytes and stores them byte for
 * byte, so two implementations that read the same value must write the same
 * bytes.  JCS gets there by borrowing ECMAScript's JSON.stringify rules:
 *
 *   - no insignificant whitespace;
 *   - object members sorted by name, names compared as arrays of UTF-16
 *     code units (so U+10000..U+10FFFF, written as surrogate pairs, sort
 *     before U+E000..U+FFFF);
 *   - strings escape only '"', '\\' and the C0 controls (\b \f \n \r \t by
 *     name, the rest as \u00xx with lowercase hex); everything else,
 *     U+2028/U+2029, DEL and all non-ASCII included, is raw UTF-8;
 *   - numbers are IEEE doubles written as Number.prototype.toString does
 *     (shortest round-trip digits, exponent form outside 1e-7 < |x| < 1e21,
 *     "-0" written as "0").
 *
 * Input must be I-JSON (RFC 7493): valid UTF-8, no duplicate member names,
 * no lone surrogates, finite numbers.  We also refuse "\u0000" in text
 * (downstream code keeps strings as C strings), nesting deeper than
 * OSAFE_CANON_DEPTH_MAX and text longer than OSAFE_CANON_INPUT_MAX
 * (core/limits.h).  Any JSON value may be the top level.
 *
 * On failure canon_json and canon_value leave out's content (len and
 * bytes) as they found it, so no partial record can be hashed by mistake.
 */
#ifndef OSAFE_CORE_CANON_H
#define OSAFE_CORE_CANON_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/status.h"

/*
 * Canonicalize the JSON text in[0..len) and append the RFC 8785 form to out.
 * Every number, integer or not, is read as the nearest double (as JSON.parse
 * does), so 123456789012345678901 is accepted and written
 * 123456789012345680000.  Errors: OSAFE_EINVAL (malformed text, with line
 * and column; duplicate key, naming it; nesting deeper than
 * OSAFE_CANON_DEPTH_MAX), OSAFE_ETOOBIG (input size or out's ceiling),
 * OSAFE_ENOMEM.
 */
OSAFE_MUST_USE int canon_json(const char *in, size_t len, osafe_buf *out, osafe_err *e);

/*
 * Canonicalize a jansson value and append it to out.  Integers must lie in
 * [-2^53, 2^53], where a double holds them exactly; anything larger would
 * silently change value, so it is an error.  Reals are written in ES6
 * number form.  Strings and keys must be valid UTF-8 (jansson's *_nocheck
 * constructors can break that); an embedded NUL is written as \u0000.
 * Errors name the offending place as a path: "at $.a[2]: ...".
 */
OSAFE_MUST_USE int canon_value(const json_t *v, osafe_buf *out, osafe_err *e);

/*
 * Parse JSON text strictly (the rules above) for API bodies.  Returns a new
 * reference, or NULL with *e filled: "invalid JSON at line L column C: ...",
 * "duplicate key \"k\" at line L column C", size and depth limits.
 * Integers stay json_integer (and must fit a json_int_t); reals json_real.
 */
json_t *canon_parse(const char *in, size_t len, osafe_err *e);

#endif
