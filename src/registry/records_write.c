/*
 * records_write.c - writes beside the review workflow of records.c:
 * amendments, links between records (merges among them) and evidence.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/limits.h"
#include "registry/reg_internal.h"
#include "registry/validate.h"

/* Check that c may amend rec now, and load the content to start from
 * (the published version's, unless the caller sent one in *j). */
static int amend_start(osafe_store *s, const reg_caller *c,
                       const store_record *rec, json_t **j, osafe_err *e)
{
    /* an amendment starts from the published version: its level decides */
    if (!reg__can_write(c, rec, rec->published_version > 0 ? rec->pub_tlp
                                                          : rec->tlp))
        return osafe_errf(e, OSAFE_EPERM,
                          "record '%s' belongs to another organisation",
                          rec->id);
    if (rec->published_version == 0 ||
        rec->version != rec->published_version ||
        strcmp(rec->state, "published"))
        return osafe_errf(e, OSAFE_ESTATE,
                          "only a published record without a pending "
                          "amendment can be amended ('%s' is %s)",
                          rec->id, rec->state);
    if (*j)
        return 0;
    store_version pub;
    int rc = s->ops->version_get(s, rec->id, rec->published_version, &pub, e);
    if (rc)
        return rc;
    json_error_t je;
    *j = json_loadb(pub.body, pub.body_len, 0, &je);
    store_version_release(&pub);
    return *j ? 0
              : osafe_errf(e, OSAFE_ECORRUPT, "stored version: %s", je.text);
}

/* Store j as version rec->version + 1, a draft written by c, and make it
 * the record's working version. */
static int amend_store(registry *r, osafe_store *s, const reg_caller *c,
                       store_record *rec, json_t *j, osafe_err *e)
{
    static const char *const keep_out[] = {
        "published", "prev_digest", "withdrawn", "withdrawn_reason",
        "merged_into", "signatures", NULL};
    char now[32];
    store_now(now);
    for (const char *const *k = keep_out; *k; k++)
        json_object_del(j, *k);
    json_t *origin = json_pack("{s:s, s:s}", "node_id", r->node_id,
                               "original_id", rec->id);
    json_object_set_new(j, "schema_version", json_string(REC_SCHEMA_VERSION));
    json_object_set_new(j, "id", json_string(rec->id));
    json_object_set_new(j, "version", json_integer(rec->version + 1));
    json_object_set_new(j, "state", json_string("draft"));
    json_object_set_new(j, "origin", origin);
    json_object_set_new(j, "reported", json_string(rec->created));
    json_object_set_new(j, "modified", json_string(now));
    osafe_buf b = OSAFE_BUF_INIT, text = OSAFE_BUF_INIT;
    store_version v;
    memset(&v, 0, sizeof v);
    int rc = reg__canon(j, &b, e);
    if (!rc) {
        snprintf(v.record_id, sizeof v.record_id, "%s", rec->id);
        v.version = rec->version + 1;
        snprintf(v.state, sizeof v.state, "draft");
        const char *t = json_string_value(json_object_get(j, "tlp"));
        snprintf(v.tlp, sizeof v.tlp, "%s", t ? t : rec->pub_tlp);
        v.body = b.data;
        v.body_len = b.len;
        v.author = c->acct.id;
        snprintf(v.created, sizeof v.created, "%s", now);
        snprintf(v.modified, sizeof v.modified, "%s", now);
        v.log_index = -1;
        rc = s->ops->version_put(s, &v, e);
    }
    if (!rc)
        rc = s->ops->editor_add(s, rec->id, v.version, c->acct.id, e);
    if (!rc && !(rc = reg__search_text(j, &text)))
        rc = s->ops->index_put(s, rec->id, 0, text.data, e);
    if (!rc) {
        snprintf(rec->tlp, sizeof rec->tlp, "%s", v.tlp);
        rec->version++;
        snprintf(rec->state, sizeof rec->state, "draft");
        snprintf(rec->modified, sizeof rec->modified, "%s", now);
        rc = s->ops->record_update(s, rec, e);
    }
    buf_release(&b);
    buf_release(&text);
    return rc;
}

int reg_amend(registry *r, const reg_caller *c, const char *id,
              const char *body, size_t len, char **out, osafe_err *e)
{
    json_t *j = NULL;
    int rc = 0;
    if (len > 0 && !(j = reg__parse(body, len, e)))
        return OSAFE_EINVAL;
    if (j && (rc = rec_validate(j, 0, 1, e))) {
        json_decref(j);
        return rc;
    }
    if (!c->authenticated) {
        json_decref(j);
        return osafe_errf(e, OSAFE_EAUTH, "a token is required");
    }
    store_record rec;
    osafe_store *s = reg__store_get(r);
    if (!(rc = s->ops->begin(s, e))) {
        if (!(rc = reg__load_visible(s, c, id, &rec, e)) &&
            !(rc = amend_start(s, c, &rec, &j, e)))
            rc = amend_store(r, s, c, &rec, j, e);
        rc = reg__end_tx(s, rc, e);
    }
    reg__store_put(r, s);
    json_decref(j);
    if (!rc && !(*out = reg__status_json(id, rec.version, "draft", -1)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    return rc;
}

/* Withdrawn records are closed to links; a merged one to new merges,
 * either way (link to the record it was merged into).  Merges go only to
 * a record that is not merged itself, so merges never form a cycle. */
static int link_open(const store_record *a, const store_record *b,
                     const char *rel, osafe_err *e)
{
    if (!strcmp(a->state, "withdrawn") || !strcmp(b->state, "withdrawn"))
        return osafe_errf(e, OSAFE_ESTATE, "record '%s' is withdrawn",
                          !strcmp(a->state, "withdrawn") ? a->id : b->id);
    if (strcmp(rel, "duplicate_of"))
        return 0;
    if (!strcmp(a->state, "merged"))
        return osafe_errf(e, OSAFE_ESTATE, "record '%s' is already merged "
                                           "into '%s'",
                          a->id, a->merged_into);
    if (!strcmp(b->state, "merged"))
        return osafe_errf(e, OSAFE_ESTATE,
                          "record '%s' is merged into '%s': mark the "
                          "duplicate of that one",
                          b->id, b->merged_into);
    return 0;
}

/* Merge a into to: the record's state, and (once a version of it is
 * public) a log entry, as a withdrawal gets one. */
static int merge(registry *r, osafe_store *s, store_record *a,
                 const char *to, osafe_err *e)
{
    char now[32];
    store_now(now);
    int rc = 0;
    if (a->published_version > 0) {
        json_t *st = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s}", "type",
                               "osafe.merge/v1", "id", a->id, "version",
                               a->published_version, "tlp", a->pub_tlp,
                               "merged_into", to, "merged", now);
        int64_t index;
        rc = reg__log_statement(r, s, st, "merge", a->id,
                                a->published_version, &index, e);
    }
    if (!rc) {
        snprintf(a->state, sizeof a->state, "merged");
        snprintf(a->merged_into, sizeof a->merged_into, "%s", to);
        snprintf(a->modified, sizeof a->modified, "%s", now);
        rc = s->ops->record_update(s, a, e);
    }
    return rc;
}

int reg_link(registry *r, const reg_caller *c, const char *id,
             const char *body, size_t len, char **out, osafe_err *e)
{
    static const char *const relations[] = {"duplicate_of", "same_incident",
                                            "related", "report_of", NULL};
    json_t *j = reg__parse(body, len, e);
    if (!j)
        return OSAFE_EINVAL;
    const char *to = json_string_value(json_object_get(j, "to"));
    const char *rel = json_string_value(json_object_get(j, "relation"));
    int rc = 0, ok = 0;
    for (const char *const *p = relations; rel && *p; p++)
        ok |= !strcmp(rel, *p);
    if (!to)
        rc = osafe_err_field(e, OSAFE_EINVAL, "to",
                             "field 'to': the id of the other record");
    else if (!ok)
        rc = osafe_err_field(e, OSAFE_EINVAL, "relation",
                             "field 'relation': must be duplicate_of, "
                             "same_incident, related or report_of");
    else if (!strcmp(to, id))
        rc = osafe_err_field(e, OSAFE_EINVAL, "to",
                             "field 'to': a record cannot link to itself");
    else if (!c->authenticated)
        rc = osafe_errf(e, OSAFE_EAUTH, "a token is required");
    else if (!reg__is_staff(c))
        rc = osafe_errf(e, OSAFE_EPERM, "only reviewers and admins link "
                                        "records");
    osafe_store *s = reg__store_get(r);
    store_record a, b;
    if (!rc && !(rc = s->ops->begin(s, e))) {
        if (!(rc = reg__load_visible(s, c, id, &a, e)) &&
            !(rc = reg__load_visible(s, c, to, &b, e)) &&
            !(rc = link_open(&a, &b, rel, e)) &&
            !(rc = s->ops->link_put(s, id, to, rel, c->acct.id, e)) &&
            !strcmp(rel, "duplicate_of"))
            rc = merge(r, s, &a, to, e);
        rc = reg__end_tx(s, rc, e);
    }
    if (!rc)
        rc = reg__links_visible(s, c, id, out, e);
    reg__store_put(r, s);
    json_decref(j);
    return rc;
}

/* The log entry of a record's evidence, once the record is published:
 * the digest of the evidence beside the record's id and level for CLEAR,
 * else a salted commitment (as for records: the public log must not let
 * anyone confirm a guessed content). */
static int evidence_entry(const store_record *rec, const osafe_buf *canon,
                          osafe_buf *entry, uint8_t salt[32], int *salted,
                          osafe_err *e)
{
    crypto_hash_sha256_state st;
    uint8_t h[32];
    char hex[65];
    *salted = strcmp(rec->pub_tlp, "CLEAR") != 0;
    crypto_hash_sha256_init(&st);
    if (*salted) {
        randombytes_buf(salt, 32);
        crypto_hash_sha256_update(&st, salt, 32);
    }
    crypto_hash_sha256_update(&st, (const uint8_t *)canon->data, canon->len);
    crypto_hash_sha256_final(&st, h);
    hex_encode(hex, h, 32);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "type", "osafe.evidence/v1",
                          "record", rec->id, "tlp", rec->pub_tlp,
                          *salted ? "commitment" : "sha256", hex);
    int rc = o ? reg__canon(o, entry, e)
               : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    json_decref(o);
    return rc;
}

/* Evidence is attached by the record's organisation (its owner, when it
 * has none) and node staff, to an open record. */
static int evidence_allowed(const reg_caller *c, const store_record *rec,
                            osafe_err *e)
{
    const char *tlp = rec->published_version > 0 ? rec->pub_tlp : rec->tlp;
    if (!reg__is_staff(c) && !reg__can_write(c, rec, tlp))
        return osafe_errf(e, OSAFE_EPERM, "only the organisation of '%s' and "
                                          "node staff attach evidence",
                          rec->id);
    if (!strcmp(rec->state, "withdrawn") || !strcmp(rec->state, "merged"))
        return osafe_errf(e, OSAFE_ESTATE, "record '%s' is %s", rec->id,
                          rec->state);
    return 0;
}

int reg_evidence(registry *r, const reg_caller *c, const char *id,
                 const char *body, size_t len, char **out, osafe_err *e)
{
    json_t *j = reg__parse(body, len, e);
    if (!j)
        return OSAFE_EINVAL;
    int rc = 0;
    if (!json_is_string(json_object_get(j, "kind")))
        rc = osafe_err_field(e, OSAFE_EINVAL, "kind",
                             "field 'kind': what the evidence is, e.g. "
                             "\"eval_run\"");
    else if (!c->authenticated)
        rc = osafe_errf(e, OSAFE_EAUTH, "a token is required");
    osafe_buf canon = OSAFE_BUF_INIT, entry = OSAFE_BUF_INIT;
    int64_t index = -1, eid = 0;
    uint8_t salt[32];
    int salted = 0;
    store_record rec;
    osafe_store *s = reg__store_get(r);
    if (!rc && !(rc = reg__canon(j, &canon, e)) && !(rc = s->ops->begin(s, e))) {
        if (!(rc = reg__load_visible(s, c, id, &rec, e)))
            rc = evidence_allowed(c, &rec, e);
        if (!rc && rec.published_version > 0 &&
            !(rc = evidence_entry(&rec, &canon, &entry, salt, &salted, e)))
            rc = reg__log_append(r, s, entry.data, entry.len, &index, e);
        if (!rc)
            rc = s->ops->evidence_put(s, id, canon.data, canon.len,
                                      c->acct.id, index,
                                      salted ? salt : NULL, &eid, e);
        rc = reg__end_tx(s, rc, e);
    }
    reg__store_put(r, s);
    json_decref(j);
    buf_release(&canon);
    buf_release(&entry);
    sodium_memzero(salt, sizeof salt);
    if (!rc) {
        json_t *o = json_pack("{s:s, s:I}", "record", id, "evidence_id",
                              (json_int_t)eid);
        if (o)
            json_object_set_new(o, "log_index",
                                index >= 0 ? json_integer(index)
                                           : json_null());
        rc = reg__out_json(o, out, e);
    }
    return rc;
}
