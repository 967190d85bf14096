/*
 * exchange_stix.c - native records -> a STIX 2.1 bundle (export only).
 *
 * Objects in the bundle, in this order:
 *   identity "osafe" (created_by_ref of everything else),
 *   extension-definition for our AI-specific properties (property-extension),
 *   the TLP 2.0 marking-definitions the records use (the fixed ids and
 *   content of the OASIS TLP 2.0 extension, extension-definition--60a3c5c5),
 *   one SDO per record: "incident" for record_type incident / hazard,
 *   "vulnerability" for vulnerability / finding.
 * SDO ids are "<type>--" + UUIDv5(EXCH_STIX_NS, our record id), so exporting
 * a record again yields the same object; the bundle id is UUIDv5 of
 * "bundle:" + the record ids joined by newlines.  created / modified come
 * from published (else reported) / modified; a record with neither gets the
 * export time (STIX requires both).
 *   name = English title (else title), description = English description
 *   (else the first), lang, labels "hazard:<code>" and "harm:<type>",
 *   revoked when withdrawn, object_marking_refs = the record's TLP,
 *   external_references = osafe id (+ canonical URL when it is http(s)),
 *   aliases (cve, avid, mitre-atlas, ghsa or "alias") and references,
 *   extensions.<our extension-definition> = record_id, record_type,
 *   severity, harm_types, hazards, ai_relation, ai_systems, occurred_start,
 *   countries_occurred, classifications, lifecycle_stages, license.
 * Fields under field_markings stricter than the record's TLP are removed.
 *
 * SHA-1 is written here (libsodium has none) for UUIDv5 only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "registry/exchange.h"

/* ---- SHA-1 (FIPS 180-4 section 6.1) ------------------------------------- */

static uint32_t rol32(uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

static void sha1_block(uint32_t h[5], const uint8_t *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & c) | (~b & d);
            k = 0x5A827999u;
        } else if (i < 40) {
            f = b ^ c ^ d;
            k = 0x6ED9EBA1u;
        } else if (i < 60) {
            f = (b & c) | (b & d) | (c & d);
            k = 0x8F1BBCDCu;
        } else {
            f = b ^ c ^ d;
            k = 0xCA62C1D6u;
        }
        uint32_t t = rol32(a, 5) + f + e + k + w[i];
        e = d;
        d = c;
        c = rol32(b, 30);
        b = a;
        a = t;
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
    h[4] += e;
}

void exch_sha1(const void *data, size_t len, uint8_t out[20])
{
    uint32_t h[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u,
                     0xC3D2E1F0u};
    const uint8_t *p = data;
    size_t left = len;
    while (left >= 64) {
        sha1_block(h, p);
        p += 64;
        left -= 64;
    }
    uint8_t tail[128] = {0};
    if (left)
        memcpy(tail, p, left);
    tail[left] = 0x80;
    size_t tlen = left < 56 ? 64 : 128;
    uint64_t bits = (uint64_t)len * 8;
    for (int i = 0; i < 8; i++)
        tail[tlen - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha1_block(h, tail);
    if (tlen == 128)
        sha1_block(h, tail + 64);
    for (int i = 0; i < 5; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}

int exch_uuid5(const char *ns, const char *name, char out[37])
{
    uint8_t nsb[16];
    size_t k = 0;
    if (!ns || strlen(ns) != 36)
        return OSAFE_EINVAL;
    for (size_t i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (ns[i] != '-')
                return OSAFE_EINVAL;
            continue;
        }
        int hi = hex_digit(ns[i]), lo = hex_digit(ns[i + 1]);
        if (hi < 0 || lo < 0)
            return OSAFE_EINVAL;
        nsb[k++] = (uint8_t)(hi << 4 | lo);
        i++;
    }
    size_t nlen = strlen(name);
    uint8_t *msg = malloc(16 + nlen);
    if (!msg)
        return OSAFE_ENOMEM;
    memcpy(msg, nsb, 16);
    memcpy(msg + 16, name, nlen);
    uint8_t h[20];
    exch_sha1(msg, 16 + nlen, h);
    free(msg);
    h[6] = (uint8_t)((h[6] & 0x0F) | 0x50); /* version 5 */
    h[8] = (uint8_t)((h[8] & 0x3F) | 0x80); /* RFC 9562 variant */
    static const char hx[] = "0123456789abcdef";
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hx[h[i] >> 4];
        out[o++] = hx[h[i] & 15];
    }
    out[o] = '\0';
    return 0;
}

/* ---- STIX objects ------------------------------------------------------- */

#define STIX_EPOCH "2025-01-01T00:00:00.000Z" /* our fixed objects' dates */
#define TLP2_EXT "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

static const struct {
    const char *name, *value, *id;
} tlp2[] = {
    {"TLP:CLEAR", "clear",
     "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"},
    {"TLP:GREEN", "green",
     "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"},
    {"TLP:AMBER", "amber",
     "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"},
    {"TLP:AMBER+STRICT", "amber+strict",
     "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"},
    {"TLP:RED", "red",
     "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"},
};

static int stix_id(char *out, size_t cap, const char *type, const char *name)
{
    char u[37];
    int rc = exch_uuid5(EXCH_STIX_NS, name, u);
    if (rc)
        return rc;
    snprintf(out, cap, "%s--%s", type, u);
    return 0;
}

/* A STIX timestamp: "YYYY-MM-DDTHH:MM:SS[.s+]Z". */
static int stix_ts_ok(const char *s)
{
    static const char pat[] = "dddd-dd-ddTdd:dd:dd";
    if (!s || strlen(s) < 20)
        return 0;
    for (size_t i = 0; i < sizeof pat - 1; i++)
        if (pat[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
            return 0;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return p[0] == 'Z' && !p[1];
}

/* created / modified at millisecond precision, as STIX 2.1 requires
 * (section 3.2): "...:SSZ" -> "...:SS.000Z", ".5Z" -> ".500Z". */
static void stix_ts_millis(const char *ts, char *out, size_t cap)
{
    size_t frac = 0;
    const char *p = ts + 19;
    if (*p == '.')
        for (p++; p[frac] >= '0' && p[frac] <= '9'; frac++)
            ;
    if (frac >= 3)
        snprintf(out, cap, "%s", ts);
    else
        snprintf(out, cap, "%.19s.%.*s%.*sZ", ts, (int)frac,
                 frac ? ts + 20 : "", (int)(3 - frac), "000");
}

/* STIX forbids empty lists anywhere (section 3.3): drop them, at any
 * depth, from a copied record value. */
static void drop_empty_lists(json_t *v)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x, *tmp;
        json_object_foreach_safe (v, tmp, k, x) {
            drop_empty_lists(x);
            if (json_is_array(x) && !json_array_size(x))
                json_object_del(v, k);
        }
    } else if (json_is_array(v)) {
        for (size_t i = json_array_size(v); i-- > 0;) {
            json_t *x = json_array_get(v, i);
            drop_empty_lists(x);
            if (json_is_array(x) && !json_array_size(x))
                json_array_remove(v, i);
        }
    }
}

static json_t *ext_ref_for_alias(const char *a)
{
    char url[160], lower[64];
    if (!strncmp(a, "CVE-", 4))
        return json_pack("{s:s, s:s}", "source_name", "cve", "external_id", a);
    if (!strncmp(a, "AVID-", 5) && strlen(a) < sizeof lower) {
        size_t n = strlen(a);
        for (size_t i = 0; i <= n; i++)
            lower[i] = (char)(a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]);
        snprintf(url, sizeof url, "https://avidml.org/database/%s/", lower);
        return json_pack("{s:s, s:s, s:s}", "source_name", "avid",
                         "external_id", a, "url", url);
    }
    if (!strncmp(a, "AML.CS", 6) && strlen(a) < 40) {
        snprintf(url, sizeof url, "https://atlas.mitre.org/studies/%s", a);
        return json_pack("{s:s, s:s, s:s}", "source_name", "mitre-atlas",
                         "external_id", a, "url", url);
    }
    if (!strncmp(a, "GHSA-", 5))
        return json_pack("{s:s, s:s}", "source_name", "ghsa", "external_id", a);
    return json_pack("{s:s, s:s}", "source_name", "alias", "external_id", a);
}

/* labels "hazard:<code>" and "harm:<type>"; NULL when there are none
 * (STIX forbids an empty list). */
static json_t *stix_labels(const json_t *rec)
{
    json_t *labels = json_array();
    static const char *const kinds[][2] = {{"hazards", "hazard"},
                                           {"harm_types", "harm"}};
    char buf[160];
    for (size_t k = 0; k < 2; k++) {
        size_t i;
        const json_t *x;
        json_array_foreach (json_object_get(rec, kinds[k][0]), i, x) {
            if (json_is_string(x)) {
                snprintf(buf, sizeof buf, "%s:%s", kinds[k][1],
                         json_string_value(x));
                json_array_append_new(labels, json_string(buf));
            }
        }
    }
    if (json_array_size(labels))
        return labels;
    json_decref(labels);
    return NULL;
}

/* external_references: our id (+ canonical URL), aliases, references. */
static json_t *stix_refs(const json_t *rec, const char *id)
{
    json_t *refs = json_array();
    char canon[512];
    exch__canonical_url(rec, canon, sizeof canon);
    json_t *own =
        json_pack("{s:s, s:s}", "source_name", "osafe", "external_id", id);
    if (exch__url_ok(canon))
        json_object_set_new(own, "url", json_string(canon));
    json_array_append_new(refs, own);
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(rec, "aliases"), i, x) {
        if (exch__nonblank(json_string_value(x)))
            json_array_append_new(refs,
                                  ext_ref_for_alias(json_string_value(x)));
    }
    json_array_foreach (json_object_get(rec, "references"), i, x) {
        const char *url = exch__str(x, "url");
        if (!url)
            continue;
        const char *pub = exch__str(x, "publisher");
        json_t *r =
            json_pack("{s:s, s:s}", "source_name",
                      exch__nonblank(pub) ? pub : "reference", "url", url);
        if (exch__nonblank(exch__str(x, "title")))
            json_object_set_new(r, "description",
                                json_string(exch__str(x, "title")));
        json_array_append_new(refs, r);
    }
    return refs;
}

static int stix_sdo(const json_t *in, size_t index, const char *ext_id,
                    const char *ident, json_t **out, int *tlp_used,
                    osafe_err *e)
{
    *out = NULL;
    if (!json_is_object(in))
        return osafe_errf(e, OSAFE_EINVAL,
                          "stix export: record %zu is not a "
                          "JSON object",
                          index);
    const char *id = exch__str(in, "id");
    if (!exch__nonblank(id))
        return osafe_errf(e, OSAFE_EINVAL,
                          "stix export: record %zu: id: "
                          "missing",
                          index);
    const char *tlp = exch__str(in, "tlp");
    int rank = exch__tlp_rank(tlp);
    if (rank < 0)
        return osafe_errf(e, OSAFE_EINVAL,
                          "stix export of %s: tlp missing "
                          "or unknown",
                          id);
    json_t *rec;
    int rc = exch__redact(in, tlp, &rec, e);
    if (rc)
        return rc;
    const char *name = exch__title_text(rec);
    if (!exch__nonblank(name)) {
        json_decref(rec);
        return osafe_errf(e, OSAFE_EINVAL,
                          "stix export of %s: title is "
                          "required",
                          id);
    }
    const char *rtype = exch__str(rec, "record_type");
    const char *type =
        rtype && (!strcmp(rtype, "vulnerability") || !strcmp(rtype, "finding"))
            ? "vulnerability"
            : "incident";
    char sid[128], now[32], created[64], modified[64];
    if ((rc = stix_id(sid, sizeof sid, type, id))) {
        json_decref(rec);
        return osafe_errf(e, rc, "stix export: uuid failed");
    }
    exch__now(now);
    const char *c = exch__str(rec, "published");
    if (!stix_ts_ok(c))
        c = exch__str(rec, "reported");
    const char *m = exch__str(rec, "modified");
    stix_ts_millis(stix_ts_ok(c)   ? c
                   : stix_ts_ok(m) ? m
                                   : now,
                   created, sizeof created);
    if (stix_ts_ok(m))
        stix_ts_millis(m, modified, sizeof modified);
    if (!stix_ts_ok(m) || strcmp(modified, created) < 0)
        snprintf(modified, sizeof modified, "%s", created);
    json_t *sdo =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type", type,
                  "spec_version", "2.1", "id", sid, "created_by_ref", ident,
                  "created", created, "modified", modified, "name", name);
    if (!sdo) {
        json_decref(rec);
        return osafe_errf(e, OSAFE_ENOMEM, "stix export: out of memory");
    }
    const char *desc = exch__desc_text(rec, NULL);
    if (desc)
        json_object_set_new(sdo, "description", json_string(desc));
    if (exch__str(rec, "lang"))
        json_object_set_new(sdo, "lang", json_string(exch__str(rec, "lang")));
    if (exch__revoked(rec))
        json_object_set_new(sdo, "revoked", json_true());
    json_t *labels = stix_labels(rec);
    if (labels)
        json_object_set_new(sdo, "labels", labels);
    json_object_set_new(sdo, "external_references", stix_refs(rec, id));
    json_object_set_new(sdo, "object_marking_refs",
                        json_pack("[s]", tlp2[rank].id));
    tlp_used[rank] = 1;
    json_t *ext = json_pack("{s:s, s:s}", "extension_type",
                            "property-extension", "record_id", id);
    static const char *const keep[] = {"record_type",     "severity",
                                       "harm_types",      "hazards",
                                       "ai_relation",     "ai_systems",
                                       "occurred_start",  "countries_occurred",
                                       "classifications", "lifecycle_stages",
                                       "license"};
    for (size_t k = 0; ext && k < sizeof keep / sizeof *keep; k++) {
        const json_t *v = json_object_get(rec, keep[k]);
        if (v)
            json_object_set_new(ext, keep[k], json_deep_copy(v));
    }
    drop_empty_lists(ext);
    json_object_set_new(sdo, "extensions", json_pack("{s:o}", ext_id, ext));
    json_decref(rec);
    *out = sdo;
    return 0;
}

int exch_export_stix_bundle(json_t *const *recs, size_t n, json_t **bundle,
                            osafe_err *e)
{
    *bundle = NULL;
    char ident[128], ext_id[128], bid[128];
    int rc;
    if ((rc = stix_id(ident, sizeof ident, "identity", "osafe:identity")) ||
        (rc = stix_id(ext_id, sizeof ext_id, "extension-definition",
                      "osafe:extension:ai-record:1")))
        return osafe_errf(e, rc, "stix export: uuid failed");
    json_t *objects = json_array();
    json_t *sdos = json_array();
    osafe_buf names = OSAFE_BUF_INIT;
    int used[5] = {0};
    rc = buf_puts(&names, "bundle:");
    for (size_t i = 0; i < n && !rc; i++) {
        json_t *sdo;
        if ((rc = stix_sdo(recs[i], i, ext_id, ident, &sdo, used, e)))
            break;
        json_array_append_new(sdos, sdo);
        if (i)
            rc = buf_putc(&names, '\n');
        if (!rc)
            rc = buf_puts(&names, exch__str(recs[i], "id"));
        if (rc)
            rc = osafe_errf(e, OSAFE_ENOMEM, "stix export: out of memory");
    }
    if (!rc && (rc = stix_id(bid, sizeof bid, "bundle", names.data)))
        rc = osafe_errf(e, rc, "stix export: uuid failed");
    buf_release(&names);
    if (rc) {
        json_decref(objects);
        json_decref(sdos);
        return rc;
    }
    json_array_append_new(
        objects, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "type",
                           "identity", "spec_version", "2.1", "id", ident,
                           "created", STIX_EPOCH, "modified", STIX_EPOCH,
                           "name", "osafe", "identity_class", "system"));
    json_array_append_new(
        objects,
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}",
                  "type", "extension-definition", "spec_version", "2.1", "id",
                  ext_id, "created_by_ref", ident, "created", STIX_EPOCH,
                  "modified", STIX_EPOCH, "name",
                  "osafe AI incident record properties", "description",
                  "AI-specific properties of an osafe record (severity on "
                  "the OECD ladder, harm types, hazards, AI systems, "
                  "classifications) that STIX has no place for.",
                  "schema",
                  "The osafe native incident record schema "
                  "(design/incident-schema.md, section 1); property names "
                  "are the record's own field names.",
                  "version", "1.0.0", "extension_types", "property-extension"));
    for (int t = 0; t < 5; t++) {
        if (!used[t])
            continue;
        json_array_append_new(
            objects,
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}", "type",
                      "marking-definition", "spec_version", "2.1", "id",
                      tlp2[t].id, "created", "2022-10-01T00:00:00.000Z", "name",
                      tlp2[t].name, "extensions", TLP2_EXT, "extension_type",
                      "property-extension", "tlp_2_0", tlp2[t].value));
    }
    json_array_extend(objects, sdos);
    json_decref(sdos);
    *bundle = json_pack("{s:s, s:s, s:o}", "type", "bundle", "id", bid,
                        "objects", objects);
    if (!*bundle)
        return osafe_errf(e, OSAFE_ENOMEM, "stix export: out of memory");
    return 0;
}
