/*
 * exchange_json.c - osafe's own native records (`osafe export json`) back
 * into a registry.
 *
 * Lossless: every field a client may write comes back exactly as exported
 * (translations, field_markings, extensions and all); what the exporting
 * registry minted (schema_version, id, state, version, published, modified,
 * withdrawn, merged_into, origin, reported, prev_digest, signatures) is
 * left for this registry to mint again.  The source id is appended to
 * "aliases" (kept where it already is), so the record can be found by it.
 *   source_key  "json:<origin.node_id>:<id>" ("json:<id>" without origin):
 *               ids are unique per node, not across nodes
 *   license     the record's own; the hint overrides it (as in every
 *               format) and stands in when the record has none
 * Rejected: not an object, no id, and records that would not validate.
 * Nothing is added under extensions (the record is our own format: its raw
 * form is the record itself).
 */
#include <stdio.h>
#include <string.h>

#include "registry/exchange.h"

/* The fields a registry mints, never taken from an import. */
static const char *const minted[] = {
    "schema_version", "id",     "state",    "version",
    "published",      "modified", "withdrawn", "withdrawn_reason",
    "merged_into",    "origin", "reported", "prev_digest",
    "signatures"};

static int json_map(exch_item *it, json_t *o, const char *hint)
{
    if (!json_is_object(o)) {
        exch__reject(it, "record: not a JSON object");
        return 0;
    }
    const char *id = exch__str(o, "id");
    if (!exch__nonblank(id) || strlen(id) > 64) {
        exch__reject(it, "id: missing (not an osafe native record)");
        return 0;
    }
    const char *node = exch__str(json_object_get(o, "origin"), "node_id");
    if (exch__nonblank(node) && strlen(node) < 80)
        exch__key(it, "json:%s:%s", node, id);
    else
        exch__key(it, "json:%s", id);
    json_t *rec = json_deep_copy(o);
    if (!rec)
        return -1;
    for (size_t k = 0; k < sizeof minted / sizeof *minted; k++)
        json_object_del(rec, minted[k]);
    const json_t *al = json_object_get(rec, "aliases");
    if (al && !json_is_array(al)) {
        json_decref(rec);
        exch__reject(it, "aliases: not a list");
        return 0;
    }
    int bad = exch__add_unique(rec, "aliases", id);
    const char *lic = hint ? hint : exch__str(rec, "license");
    if (!exch__nonblank(lic)) {
        json_decref(rec);
        exch__reject(it, "license: missing and no licence hint given");
        return 0;
    }
    if (hint)
        bad |= json_object_set_new(rec, "license", json_string(hint));
    if (bad) {
        json_decref(rec);
        return -1;
    }
    it->record = rec;
    return 0;
}

int exch__import_json(const char *text, size_t len, const char *license,
                      exch_item_fn fn, void *ctx, osafe_err *e)
{
    return exch__map_values("json", text, len, json_map, license, fn, ctx, e);
}
