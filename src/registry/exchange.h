/*
 * exchange.h - conversion between foreign formats and native record JSON.
 *
 * Pure: no database, no files, no clock except where an export must carry a
 * timestamp the record lacks.  The registry stores what the importers emit
 * and the CLI (`osafe import FORMAT FILE...`, `osafe export FORMAT`) feeds
 * files through here.  Mapping decisions are documented at the top of each
 * exchange_<format>.c.
 *
 * Import: exch_import parses a whole file and calls fn once per foreign
 * record with an exch_item.  A record that cannot be mapped is *rejected*
 * (status "rejected", record NULL, reason naming the field) and the import
 * goes on (so is a JSON Lines line that is not JSON); only a file that
 * cannot be parsed at all fails, with an error naming the line and column.
 * Every accepted record is a native *draft* that also has every field
 * publication requires (it passes rec_validate(rec, 1, 1, ...)):
 * record_type, lang, title (one line, <= EXCH_TITLE_MAX code points),
 * description, ai_relation ("unclear" when the source does not say),
 * occurred_start (precision "unknown" when the source has no date),
 * countries_occurred (["ZZ"] when unknown), severity {scale "oecd-2025",
 * level}, harm_types (["unknown"] when no source category maps), hazards
 * (AILuminate hazard codes of design/risk-taxonomy.md where a source
 * category maps, else []), ai_systems (>= 1, name "unknown" allowed),
 * references (>= 1: the source's own page is always added), tlp "CLEAR",
 * license, aliases [source id, ...], submitter (the reporter the source
 * names, else {pseudonym "<format>-import", role "researcher"}: the channel
 * the record came through) and extensions.<format>.raw, the foreign record
 * verbatim.  CSV rows are our own columns and are taken as written (title
 * not cut, tlp from the row, aliases only from the id / aliases columns).
 * Fields the registry mints (id, state, version, its own dates) are left
 * to it.
 *
 * Export: lossy where the target has no place for a field; a reference back
 * to the native record (its id) is always added.  AVID and OSV take records
 * up to the level of the export (CLEAR, or GREEN on request); fields
 * restricted by field_markings beyond that level are removed before
 * mapping.  A withdrawn or merged record (exch_set_state) is exported with
 * its state.  JSON (EXCH_JSON) is import only: the native export is the
 * stored record itself.
 */
#ifndef OSAFE_REGISTRY_EXCHANGE_H
#define OSAFE_REGISTRY_EXCHANGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"

typedef enum {
    EXCH_AVID,
    EXCH_OSV,
    EXCH_ATLAS,
    EXCH_CSV,
    EXCH_STIX,
    EXCH_JSON /* our native records (`osafe export json`) */
} exch_format;

/* "avid", "osv", "atlas", "csv", "stix", "json" -> *f; 0 or OSAFE_EINVAL. */
int exch_format_parse(const char *name, exch_format *f);
/* The name of a format ("avid"...). */
const char *exch_format_name(exch_format f);

/* One foreign record -> one native draft. */
typedef struct exch_item {
    json_t *record; /* native record (owned by the item), NULL if rejected */
    char source_key[160]; /* stable identity of the source record:
                             "avid:AVID-2022-R0001", "osv:GHSA-...",
                             "atlas:AML.CS0000", "csv:<sha256 of the row>" */
    char status[16];      /* "ok" or "rejected" */
    char reason[256];     /* why rejected, naming the field */
} exch_item;

/* Called per record; the callee may steal item->record (set it to NULL).
 * A negative return stops the import, which returns that code. */
typedef int (*exch_item_fn)(void *ctx, exch_item *item);

/*
 * Parse a whole file of the given format and emit one item per record.
 * AVID: one report/vulnerability JSON object, or JSON Lines of them.  OSV:
 * one JSON object or an array of them (JSON Lines accepted too).  ATLAS: the
 * ATLAS data YAML (its case-studies list), or one case-study YAML (bare, or
 * the website's {meta, study} download).  CSV: the columns of
 * exch_csv_header (a header row first; column order free).  JSON: osafe's
 * native records (exchange_json.c), one object, an array or JSON Lines.
 * STIX is export only (OSAFE_EINVAL).  license_hint (SPDX id, may be NULL) overrides the
 * per-format licence: AVID "MIT", ATLAS "Apache-2.0", OSV by database
 * (GHSA "CC-BY-4.0", RUSTSEC "CC0-1.0", else "NOASSERTION"), CSV the row's
 * license column, else the hint, else the row is rejected.
 * Returns 0, the callback's negative code, or an error (unparseable file,
 * OSAFE_ETOOBIG past OSAFE_EXCH_MAX_BYTES / OSAFE_EXCH_MAX_RECORDS).
 */
OSAFE_MUST_USE int exch_import(exch_format f, const char *text, size_t len,
                const char *license_hint, exch_item_fn fn, void *ctx,
                osafe_err *e);

/* Native -> foreign; *out is a new reference.  The record needs an "id".
 * AVID and OSV take TLP:CLEAR records; the _at forms take records up to the
 * level max_tlp ("CLEAR" or "GREEN": what `osafe export --tlp` allows),
 * with fields marked above it removed. */
OSAFE_MUST_USE int exch_export_avid(const json_t *rec, json_t **out, osafe_err *e);
OSAFE_MUST_USE int exch_export_osv(const json_t *rec, json_t **out, osafe_err *e);
OSAFE_MUST_USE int exch_export_avid_at(const json_t *rec, const char *max_tlp, json_t **out,
                        osafe_err *e);
OSAFE_MUST_USE int exch_export_osv_at(const json_t *rec, const char *max_tlp, json_t **out,
                       osafe_err *e);

/*
 * The registry keeps a record's withdrawal or merger on the record, not in
 * its published bytes; exports carry it.  Set rec's "state" to state, and
 * for "withdrawn" / "merged" also "withdrawn" = when (the time of the
 * withdrawal or merger) and, when merged, "merged_into".  Any other state
 * leaves rec unchanged.  0, or OSAFE_ENOMEM.
 */
OSAFE_MUST_USE int exch_set_state(json_t *rec, const char *state, const char *when,
                   const char *merged_into);
/* The CSV header row, then one row per record (both end with CRLF). */
OSAFE_MUST_USE int exch_csv_header(osafe_buf *out);
OSAFE_MUST_USE int exch_export_csv_row(const json_t *rec, osafe_buf *out, osafe_err *e);
/* STIX 2.1 bundle: one incident (incident, hazard) or vulnerability
 * (vulnerability, finding) SDO per record with id UUIDv5(EXCH_STIX_NS, our
 * id), TLP 2.0 marking definitions by the record's tlp, external
 * references, an osafe identity and extension-definition for the AI
 * properties.  The bundle id is UUIDv5 of the record ids, so re-exports of
 * the same records are identical apart from fall-back timestamps. */
OSAFE_MUST_USE int exch_export_stix_bundle(json_t *const *recs, size_t n, json_t **bundle,
                            osafe_err *e);

/* Namespace of our STIX ids (a fixed random UUID, never to change). */
#define EXCH_STIX_NS "4b4fa40d-ce51-4a33-b3c9-048edb4a5ff0"

/* SHA-1 (FIPS 180-4), only for UUIDv5 (RFC 9562 section 5.5): never use it
 * where collision resistance matters. */
void exch_sha1(const void *data, size_t len, uint8_t out[20]);
/* UUIDv5 of name in namespace ns ("xxxxxxxx-xxxx-..."); out has 37 bytes.
 * 0, or OSAFE_EINVAL if ns is not a UUID. */
int exch_uuid5(const char *ns, const char *name, char out[37]);

/* Longest native title, in code points (OSV summary limit). */
#define EXCH_TITLE_MAX 120

/* ------------------------------------------------------------------------
 * Internal: shared by the exchange_*.c files only (double underscore).
 * ---------------------------------------------------------------------- */

/* Reject the item: record freed, status "rejected", reason formatted. */
void exch__reject(exch_item *it, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Reject the item's record if rec_validate (draft, client input) refuses
 * it, with the validator's message (which names the field). */
void exch__validate(exch_item *it);
/* Hand the item to fn (status "ok" when it holds a record that passes
 * exch__validate); frees what fn did not steal; counts records against
 * OSAFE_EXCH_MAX_RECORDS. */
OSAFE_MUST_USE int exch__emit(exch_item *it, size_t *count, exch_item_fn fn, void *ctx,
               osafe_err *e);
void exch__key(exch_item *it, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Call each(value, index, NULL, ctx) for every top-level JSON value of
 * text: JSON Lines (each line a value; a line that is not JSON comes as
 * each(NULL, index, "line L, column C: not JSON: ...", ctx) so the record
 * is rejected and the file goes on), or one document / values one after
 * another (a syntax error fails the file with line and column).  Arrays
 * are entered one level when unwrap_arrays.  value is borrowed. */
typedef int (*exch__json_fn)(json_t *value, size_t index, const char *error,
                             void *ctx);
OSAFE_MUST_USE int exch__json_each(const char *what, const char *text, size_t len,
                    int unwrap_arrays, exch__json_fn each, void *ctx,
                    osafe_err *e);

/* Map one foreign JSON value to it->record, or reject the item naming the
 * field; a negative return is out of memory. */
typedef int (*exch__map_fn)(exch_item *it, json_t *value, const char *hint);
/* Import every JSON value of text (exch__json_each, arrays unwrapped) as one
 * item keyed "<fmt>:#<n>" until map names it, emitted through fn. */
OSAFE_MUST_USE int exch__map_values(const char *fmt, const char *text, size_t len,
                     exch__map_fn map, const char *hint, exch_item_fn fn,
                     void *ctx, osafe_err *e);

/* Value helpers; all return borrowed pointers or NULL. */
const char *exch__str(const json_t *obj, const char *key);
/* A non-empty string after trimming whitespace? */
int exch__nonblank(const char *s);
/* Dotted path lookup ("problemtype.description.value"). */
const json_t *exch__path(const json_t *root, const char *dotted);

/* New draft with record_type and lang set. */
json_t *exch__draft(const char *record_type, const char *lang);
/* title {lang, text}: one line, <= EXCH_TITLE_MAX code points ("..." cut). */
int exch__set_title(json_t *rec, const char *lang, const char *text);
/* The same, cut only beyond max code points (a source whose titles are
 * whole sentences: AVID). */
int exch__set_title_max(json_t *rec, const char *lang, const char *text,
                        size_t max);
int exch__add_description(json_t *rec, const char *lang, const char *text);
/* method: "human" (a person wrote it) or "machine" (a tool generated or
 * translated it), as the schema's description[].method. */
int exch__add_description_by(json_t *rec, const char *lang, const char *text,
                             const char *method);
/* Partial date "YYYY", "YYYY-MM" or "YYYY-MM-DD"; its precision or NULL. */
const char *exch__date_precision(const char *date);
/* occurred_start etc. {date, precision}; date NULL -> precision "unknown". */
int exch__set_pdate(json_t *rec, const char *field, const char *date);
/* Append v (stolen) to the array rec[field], created when missing. */
int exch__append(json_t *rec, const char *field, json_t *v);
/* Append a string to the array rec[field] unless already there. */
int exch__add_unique(json_t *rec, const char *field, const char *s);
/* Reference {url, type, title?} unless the URL is already there; URLs that
 * are not http(s) are skipped (returns 1). */
int exch__add_ref(json_t *rec, const char *url, const char *type,
                  const char *title);
/* ai_systems entry {kind, name}; returns the new object (borrowed). */
json_t *exch__add_system(json_t *rec, const char *kind, const char *name);
/* Classification {namespace, ns_version?, code, label?}. */
int exch__add_class(json_t *rec, const char *ns, const char *ns_version,
                    const char *code, const char *label);
/* Fill defaults for required fields the importer did not set, then store
 * raw (a new reference is taken) under extensions.<ns>.raw. */
int exch__finish(json_t *rec, const char *ns, json_t *raw, const char *license);
/* ISO 639-2/3 or 639-1 language -> BCP 47 primary tag ("eng" -> "en"). */
const char *exch__lang(const char *code);
/* BCP 47 -> ISO 639-2 ("en" -> "eng"); NULL when not in the table. */
const char *exch__lang3(const char *bcp47);
int exch__url_ok(const char *url);
/* First CVE id (CVE-YYYY-NNNN+) in s, copied to out[32]; 1 if found. */
int exch__find_cve(const char *s, char out[32]);

/* Export side. */
/* Severity of the TLP names: CLEAR 0 ... RED 4; -1 if unknown. */
int exch__tlp_rank(const char *tlp);
/* Deep copy of rec without fields whose field_markings are stricter than
 * level (a TLP name); OSAFE_EINVAL on a malformed selector. */
OSAFE_MUST_USE int exch__redact(const json_t *rec, const char *level, json_t **out,
                 osafe_err *e);
/* Check a record can be exported at max_tlp (its tlp at most that level,
 * id present, no embargo in the future) and return its redacted copy. */
OSAFE_MUST_USE int exch__public_copy(const json_t *rec, const char *fmt, const char *max_tlp,
                      json_t **out, osafe_err *e);
/* 1 when rec is withdrawn or merged (exch_set_state). */
int exch__revoked(const json_t *rec);
/* "<origin.node_url>/records/<id>" when the record has an http(s) origin,
 * else "urn:osafe:<id>". */
int exch__canonical_url(const json_t *rec, char *out, size_t cap);
/* English (else first) text of title / description. */
const char *exch__title_text(const json_t *rec);
const char *exch__desc_text(const json_t *rec, const char **lang);
/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ". */
void exch__now(char out[32]);

/* Per-format entry points (exchange_<format>.c). */
OSAFE_MUST_USE int exch__import_avid(const char *text, size_t len, const char *license,
                      exch_item_fn fn, void *ctx, osafe_err *e);
OSAFE_MUST_USE int exch__import_osv(const char *text, size_t len, const char *license,
                     exch_item_fn fn, void *ctx, osafe_err *e);
OSAFE_MUST_USE int exch__import_atlas(const char *text, size_t len, const char *license,
                       exch_item_fn fn, void *ctx, osafe_err *e);
OSAFE_MUST_USE int exch__import_csv(const char *text, size_t len, const char *license,
                     exch_item_fn fn, void *ctx, osafe_err *e);
OSAFE_MUST_USE int exch__import_json(const char *text, size_t len, const char *license,
                      exch_item_fn fn, void *ctx, osafe_err *e);

#endif
