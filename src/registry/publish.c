/*
 * publish.c - everything that writes to the transparency log: publication,
 * withdrawal, evidence; and the inclusion proofs readers get back.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/limits.h"
#include "registry/reg_internal.h"
#include "registry/validate.h"
#include "tlog/proof.h"

/* r->log is read under log_mu only: a failed reopen in reg__log_append
 * leaves it NULL for the other threads. */
static int no_log(osafe_err *e)
{
    return osafe_errf(e, OSAFE_ESTATE, "opened without its transparency log "
                                       "(or it could not be reopened): "
                                       "nothing can be published");
}

int reg__log_next_index(registry *r, osafe_store *s, int64_t *index,
                        osafe_err *e)
{
    pthread_mutex_lock(&r->log_mu);
    int rc = r->log ? reg__log_catch_up(r, s, 1, e) : no_log(e);
    if (!rc)
        *index = (int64_t)tlog_log_head(r->log)->size;
    pthread_mutex_unlock(&r->log_mu);
    return rc;
}

/* The entries' rows say they go at expect: if the log has grown since
 * (another process appending), appending them elsewhere would leave the
 * log disagreeing with the database; refuse before writing anything. */
static int at_expected(registry *r, int64_t expect, osafe_err *e)
{
    uint64_t size = tlog_log_head(r->log)->size;
    if (expect < 0 || size == (uint64_t)expect)
        return 0;
    return osafe_errf(e, OSAFE_ESTATE,
                      "log index moved under a write transaction (%llu, "
                      "expected %lld): is another process appending to %s?",
                      (unsigned long long)size, (long long)expect,
                      r->log_dir);
}

int reg__log_append_n(registry *r, osafe_store *s, const tlog_entry *ents,
                      size_t n, int64_t expect, uint64_t *first, osafe_err *e)
{
    pthread_mutex_lock(&r->log_mu);
    if (!r->log) {
        pthread_mutex_unlock(&r->log_mu);
        return no_log(e);
    }
    /* expect >= 0: the caller caught up when it read the index; < 0: the
     * caller's rows may already hold the index this append will get */
    int rc = expect < 0 ? reg__log_catch_up(r, s, 0, e) : 0;
    if (!rc)
        rc = at_expected(r, expect, e);
    if (!rc)
        rc = tlog_log_append(r->log, ents, n, first, e);
    if (rc == OSAFE_ESTATE) {
        /* A failed append leaves the handle unusable; reopen it so that
         * one bad moment (a full disk) does not stop the node for good. */
        char *dir = strdup(tlog_log_dir(r->log));
        tlog_log_close(r->log);
        r->log = NULL;
        if (dir &&
            tlog_log_open(dir, r->log_shared ? TLOG_OPEN_SHARED
                                             : TLOG_OPEN_WRITE,
                          NULL, &r->log, e) == 0 &&
            (rc = expect < 0 ? reg__log_catch_up(r, s, 0, e) : 0) == 0 &&
            (rc = at_expected(r, expect, e)) == 0)
            rc = tlog_log_append(r->log, ents, n, first, e);
        free(dir);
    }
    pthread_mutex_unlock(&r->log_mu);
    return rc;
}

int reg__log_append(registry *r, osafe_store *s, const void *entry,
                    size_t len, int64_t *index, osafe_err *e)
{
    tlog_entry ent = {entry, len};
    uint64_t first;
    int rc = reg__log_append_n(r, s, &ent, 1, -1, &first, e);
    if (rc == 0)
        *index = (int64_t)first;
    return rc;
}

int reg__log_statement(registry *r, osafe_store *s, json_t *st,
                       const char *kind, const char *record_id, int version,
                       int64_t *index, osafe_err *e)
{
    osafe_buf entry = OSAFE_BUF_INIT;
    int rc = st ? reg__canon(st, &entry, e)
                : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    json_decref(st);
    if (!rc)
        rc = reg__log_append(r, s, entry.data, entry.len, index, e);
    if (!rc)
        rc = s->ops->log_extra_put(s, *index, kind, record_id, version,
                                   entry.data, entry.len, e);
    buf_release(&entry);
    return rc;
}

static void sha256_hex(char out[65], const void *a, size_t alen,
                       const void *b, size_t blen)
{
    crypto_hash_sha256_state st;
    uint8_t h[32];
    crypto_hash_sha256_init(&st);
    if (alen)
        crypto_hash_sha256_update(&st, a, alen);
    crypto_hash_sha256_update(&st, b, blen);
    crypto_hash_sha256_final(&st, h);
    hex_encode(out, h, 32);
}

/* The log entry for a published version: the record itself when it is
 * CLEAR and fits an entry, else a statement with a commitment (salted for
 * restricted levels, so that the public log does not let anyone confirm a
 * guessed content). */
static int make_entry(const store_version *v, const char *id, int version,
                      const char *tlp, osafe_buf *entry, uint8_t salt[32],
                      int *has_salt, osafe_err *e)
{
    buf_reset(entry);
    *has_salt = 0;
    if (!strcmp(tlp, "CLEAR") && v->body_len <= OSAFE_LOG_ENTRY_MAX)
        return buf_append(entry, v->body, v->body_len)
                   ? osafe_errf(e, OSAFE_ENOMEM, "out of memory")
                   : 0;
    char hex[65];
    json_t *st;
    if (!strcmp(tlp, "CLEAR")) {
        sha256_hex(hex, NULL, 0, v->body, v->body_len);
        st = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type",
                       "osafe.record-digest/v1", "id", id, "version", version,
                       "tlp", tlp, "sha256", hex);
    } else {
        randombytes_buf(salt, 32);
        *has_salt = 1;
        sha256_hex(hex, salt, 32, v->body, v->body_len);
        st = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "osafe.record/v1",
                       "id", id, "version", version, "tlp", tlp, "commitment",
                       hex);
    }
    int rc = st ? reg__canon(st, entry, e)
                : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    json_decref(st);
    return rc;
}

int reg__publish_at(registry *r, osafe_store *s, const reg_caller *c,
                   store_record *rec, store_version *v, int64_t at,
                   int *reused, osafe_err *e)
{
    json_error_t je;
    json_t *j = json_loadb(v->body, v->body_len, 0, &je);
    if (!j)
        return osafe_errf(e, OSAFE_ECORRUPT, "stored version %s/%d: %s",
                          rec->id, v->version, je.text);
    int rc = reg__publish_json(r, s, c, rec, v, j, 0, at, reused, e);
    json_decref(j);
    return rc;
}

int reg__publish_json(registry *r, osafe_store *s, const reg_caller *c,
                      store_record *rec, store_version *v, json_t *j,
                      int fresh, int64_t at, int *reused, osafe_err *e)
{
    *reused = 0;
    char now[32];
    store_now(now);
    /* a fresh import was checked for publication, stricter (as client
     * input), before its server fields were added */
    int rc = fresh ? 0 : rec_validate(j, 1, 0, e);
    const char *tlp = json_string_value(json_object_get(j, "tlp"));
    /* Chain amendments: each published version names the digest of the
     * one it replaces, so history cannot be rewritten unnoticed. */
    store_version prev;
    memset(&prev, 0, sizeof prev);
    if (!rc && rec->published_version > 0 &&
        !(rc = s->ops->version_get(s, rec->id, rec->published_version, &prev,
                                   e))) {
        char hex[65];
        sha256_hex(hex, NULL, 0, prev.body, prev.body_len);
        json_error_t pe;
        json_t *pj = json_loadb(prev.body, prev.body_len, 0, &pe);
        json_t *first = pj ? json_object_get(pj, "published") : NULL;
        json_object_set_new(j, "prev_digest", json_string(hex));
        json_object_set_new(j, "published",
                            json_string(first ? json_string_value(first)
                                              : now));
        json_decref(pj);
    } else if (!rc) {
        json_object_set_new(j, "published", json_string(now));
    }
    store_version_release(&prev);
    osafe_buf body = OSAFE_BUF_INIT, entry = OSAFE_BUF_INIT,
              text = OSAFE_BUF_INIT;
    int64_t taken = -1;
    if (!rc) {
        json_object_set_new(j, "state", json_string("published"));
        json_object_set_new(j, "modified", json_string(now));
        /* A retry after a crash between append and commit. */
        if (!strcmp(tlp, "CLEAR"))
            rc = reg__adopt_abandoned(s, rec->id, v->version, j, now, &taken,
                                      e);
    }
    if (!rc)
        rc = reg__canon(j, &body, e);
    if (!rc) {
        free(v->body);
        v->body = buf_detach(&body, &v->body_len);
        snprintf(v->state, sizeof v->state, "published");
        snprintf(v->tlp, sizeof v->tlp, "%s", tlp);
        snprintf(v->modified, sizeof v->modified, "%s", now);
        rc = make_entry(v, rec->id, v->version, tlp, &entry, v->salt,
                        &v->has_salt, e);
    }
    /* Row first (uncommitted), then the durable append: the caller commits
     * only once the entry is on disk. */
    if (!rc) {
        free(v->log_entry);
        v->log_entry_len = entry.len;
        v->log_entry = (uint8_t *)buf_detach(&entry, NULL);
        /* The index: an abandoned entry this retry takes over, the
         * caller's (a batch), or the log's size, read under log_mu. */
        v->log_index = taken >= 0 ? taken : at;
        *reused = taken >= 0;
        if (v->log_index < 0)
            rc = reg__log_next_index(r, s, &v->log_index, e);
    }
    if (!rc) {
        snprintf(rec->state, sizeof rec->state, "published");
        snprintf(rec->pub_tlp, sizeof rec->pub_tlp, "%s", tlp);
        snprintf(rec->tlp, sizeof rec->tlp, "%s", tlp);
        rec->published_version = v->version;
        snprintf(rec->modified, sizeof rec->modified, "%s", now);
        /* A fresh record's row goes in once, as published, before the
         * version that refers to it. */
        if (fresh)
            rc = s->ops->record_insert(s, rec, e);
    }
    if (!rc)
        rc = s->ops->version_put(s, v, e);
    if (!rc && !(rc = reg__search_text(j, &text)) &&
        !(rc = s->ops->index_put(s, rec->id, 1, text.data, e)))
        rc = s->ops->index_put(s, rec->id, 0, text.data, e);
    if (!rc && !fresh)
        rc = s->ops->record_update(s, rec, e);
    (void)c;
    buf_release(&body);
    buf_release(&entry);
    buf_release(&text);
    return rc;
}

int reg__publish(registry *r, osafe_store *s, const reg_caller *c,
                store_record *rec, store_version *v, reg__seq_batch *b,
                int64_t *index, osafe_err *e)
{
    int reused;
    int rc = reg__publish_at(r, s, c, rec, v, reg__seq_next(b), &reused, e);
    if (!rc && reused) {
        *index = v->log_index;
    } else if (!rc) {
        /* The batch keeps the entry until its one append; v keeps its
         * own copy (the caller releases v). */
        void *copy = malloc(v->log_entry_len ? v->log_entry_len : 1);
        if (!copy)
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        memcpy(copy, v->log_entry, v->log_entry_len);
        rc = reg__seq_add(b, copy, v->log_entry_len, index, e);
    }
    if (!rc && *index != v->log_index)
        rc = osafe_errf(e, OSAFE_ESTATE,
                        "log index moved under a write transaction "
                        "(%lld, expected %lld): is another process "
                        "appending to %s?",
                        (long long)*index, (long long)v->log_index,
                        r->log_dir);
    return rc;
}

int reg_withdraw(registry *r, const reg_caller *c, const char *id,
                 const char *body, size_t len, char **out, osafe_err *e)
{
    json_t *j = reg__parse(body, len, e);
    if (!j)
        return OSAFE_EINVAL;
    const char *reason = json_string_value(json_object_get(j, "reason"));
    if (!reason || !*reason) {
        json_decref(j);
        return osafe_err_field(e, OSAFE_EINVAL, "reason",
                               "field 'reason': required to withdraw");
    }
    if (!c->authenticated) {
        json_decref(j);
        return osafe_errf(e, OSAFE_EAUTH, "a token is required");
    }
    store_record rec;
    int64_t index = -1;
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->begin(s, e);
    if (!rc) {
        rc = reg__load_visible(s, c, id, &rec, e);
        /* Withdrawal takes every version out: the caller needs the right
         * over the latest one and over the published one, each under its
         * own level (staff withdraw anything). */
        if (!rc && !reg__is_staff(c) &&
            (!reg__can_write(c, &rec, rec.tlp) ||
             (rec.published_version > 0 &&
              !reg__can_write(c, &rec, rec.pub_tlp))))
            rc = osafe_errf(e, OSAFE_EPERM,
                            "record '%s' belongs to another organisation", id);
        if (!rc && (!strcmp(rec.state, "withdrawn") ||
                    !strcmp(rec.state, "merged")))
            rc = osafe_errf(e, OSAFE_ESTATE, "record '%s' is already %s", id,
                            rec.state);
        char now[32];
        store_now(now);
        if (!rc && rec.published_version > 0) {
            /* The withdrawal itself is logged: a record can leave the
             * registry, never its history. */
            json_t *st = json_pack("{s:s, s:s, s:i, s:s, s:s}", "type",
                                   "osafe.withdrawal/v1", "id", id, "version",
                                   rec.published_version, "tlp", rec.pub_tlp,
                                   "withdrawn", now);
            if (st && !strcmp(rec.pub_tlp, "CLEAR"))
                json_object_set_new(st, "reason", json_string(reason));
            rc = reg__log_statement(r, s, st, "withdrawal", id,
                                    rec.published_version, &index, e);
        }
        if (!rc) {
            snprintf(rec.state, sizeof rec.state, "withdrawn");
            snprintf(rec.modified, sizeof rec.modified, "%s", now);
            rc = s->ops->record_update(s, &rec, e);
        }
        rc = reg__end_tx(s, rc, e);
    }
    reg__store_put(r, s);
    json_decref(j);
    if (!rc && !(*out = reg__status_json(id, rec.version, "withdrawn", index)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    return rc;
}

/* The inclusion proof of the entry at index against the latest checkpoint
 * ({index, tree_size, leaf, root, hashes, checkpoint, entry (base64)}),
 * shared by records and evaluation runs; *o is the caller's. */
int reg__inclusion(registry *r, int64_t index, const void *entry,
                   size_t entry_len, json_t **o, osafe_err *e)
{
    tlog_hash proof[TLOG_PROOF_MAX], leaf, root;
    size_t n = 0;
    uint64_t size = 0;
    osafe_buf doc = OSAFE_BUF_INIT, note = OSAFE_BUF_INIT;
    *o = NULL;
    pthread_mutex_lock(&r->log_mu);
    int rc = r->log ? 0 : no_log(e);
    /* a shared log: what the other processes appended too (else the last
     * checkpoint this process knows, as valid a proof) */
    osafe_err stale;
    if (!rc)
        OSAFE_IGNORE(tlog_log_refresh(r->log, &stale));
    tlog_reader rd;
    if (!rc) {
        size = tlog_log_head(r->log)->size;
        rd = tlog_log_reader(r->log);
        size_t nl;
        const char *cp = tlog_log_checkpoint_note(r->log, &nl);
        rc = buf_append(&note, cp, nl);
    }
    if (!rc)
        rc = tlog_prove_inclusion(&rd, (uint64_t)index, size, proof, &n, e);
    if (!rc)
        rc = tlog_tree_hash(&rd, size, &root, e);
    pthread_mutex_unlock(&r->log_mu);
    if (!rc) {
        tlog_leaf_hash(&leaf, entry, entry_len);
        rc = tlog_inclusion_json((uint64_t)index, size, &leaf, &root, proof,
                                 n, &doc);
    }
    if (!rc) {
        json_error_t je;
        *o = json_loadb(doc.data, doc.len, 0, &je);
        char *b64 = malloc(OSAFE_B64_LEN(entry_len) + 1);
        if (*o && b64) {
            b64_encode(b64, entry, entry_len);
            json_object_set_new(*o, "checkpoint", json_string(note.data));
            json_object_set_new(*o, "entry", json_string(b64));
        } else {
            json_decref(*o);
            *o = NULL;
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        }
        free(b64);
    }
    buf_release(&doc);
    buf_release(&note);
    return rc;
}

int reg_proof(registry *r, const reg_caller *c, const char *id, int version,
              char **out, osafe_err *e)
{
    store_record rec;
    store_version v;
    memset(&v, 0, sizeof v);
    osafe_store *s = reg__store_get(r);
    int rc = reg__load_visible(s, c, id, &rec, e);
    if (!rc && version == 0)
        version = rec.published_version;
    if (!rc && version == 0)
        rc = osafe_errf(e, OSAFE_ESTATE, "record '%s' is not published", id);
    if (!rc)
        rc = s->ops->version_get(s, id, version, &v, e);
    reg__store_put(r, s);
    /* Each version under its own level; readers who may not read a
     * version learn nothing about it (as with reg_get): not found, not
     * "not published". */
    if (!rc && !reg__reads(c, &rec, v.tlp, v.log_index >= 0))
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no record '%s'", id);
    if (!rc && v.log_index < 0)
        rc = osafe_errf(e, OSAFE_ESTATE, "version %d of '%s' is not published",
                        version, id);
    json_t *o = NULL;
    if (!rc)
        rc = reg__inclusion(r, v.log_index, v.log_entry, v.log_entry_len, &o,
                            e);
    if (!rc) {
        json_object_set_new(o, "id", json_string(id));
        json_object_set_new(o, "version", json_integer(version));
        if (v.has_salt) {
            char hex[65];
            hex_encode(hex, v.salt, 32);
            json_object_set_new(o, "salt", json_string(hex));
        }
        if (!(*out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER)))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    json_decref(o);
    store_version_release(&v);
    return rc;
}
