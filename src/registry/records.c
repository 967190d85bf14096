/*
 * records.c - creating, editing, submitting, amending, withdrawing and
 * reading records (see registry.h for the contract).
 *
 * A version's body is the client's fields plus the fields the server owns
 * (schema_version, id, version, state, origin, reported, modified, and at
 * publication published and prev_digest), canonicalised with RFC 8785 and
 * stored as those exact bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "core/limits.h"
#include "registry/reg_internal.h"
#include "registry/validate.h"

static const char *const server_fields[] = {
    "schema_version", "id", "state", "version", "published", "modified",
    "withdrawn", "withdrawn_reason", "merged_into", "origin", "reported",
    "prev_digest", "signatures", NULL};

json_t *reg__parse(const char *body, size_t len, osafe_err *e)
{
    json_t *j = canon_parse(body, len, e);
    if (j && !json_is_object(j)) {
        json_decref(j);
        osafe_err_field(e, OSAFE_EINVAL, "", "the body must be a JSON object");
        return NULL;
    }
    if (!j && e && e->code == 0)
        e->code = OSAFE_EINVAL;
    return j;
}

int reg__canon(const json_t *v, osafe_buf *out, osafe_err *e)
{
    buf_reset(out);
    return canon_value(v, out, e);
}

/* Drops the status: out's failure is sticky and reg__search_text checks it
 * once at the end. */
static void add_text(osafe_buf *out, const json_t *v)
{
    const char *s = json_string_value(v);
    if (s && buf_puts(out, s) == 0)
        OSAFE_IGNORE(buf_putc(out, '\n'));
}

int reg__search_text(const json_t *rec, osafe_buf *out)
{
    size_t i;
    json_t *x;
    buf_reset(out);
    add_text(out, json_object_get(rec, "id"));
    add_text(out, json_object_get(json_object_get(rec, "title"), "text"));
    json_array_foreach(json_object_get(rec, "description"), i, x)
        add_text(out, json_object_get(x, "text"));
    json_array_foreach(json_object_get(rec, "references"), i, x) {
        add_text(out, json_object_get(x, "url"));
        add_text(out, json_object_get(x, "title"));
        add_text(out, json_object_get(x, "publisher"));
    }
    json_array_foreach(json_object_get(rec, "ai_systems"), i, x)
        add_text(out, json_object_get(x, "name"));
    json_array_foreach(json_object_get(rec, "aliases"), i, x)
        add_text(out, x);
    if (buf_status(out) != 0)
        return buf_status(out);
    return out->data ? 0 : buf_puts(out, "");
}

char *reg__status_json(const char *id, int version, const char *state,
                      int64_t log_index)
{
    json_t *o = json_pack("{s:s, s:i, s:s}", "id", id, "version", version,
                          "state", state);
    if (o && log_index >= 0)
        json_object_set_new(o, "log_index", json_integer(log_index));
    char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return s;
}

int reg__load_visible(osafe_store *s, const reg_caller *c, const char *id,
                     store_record *rec, osafe_err *e)
{
    int rc = s->ops->record_get(s, id, rec, e);
    if (rc)
        return rc;
    if (reg__owner_view(c, rec) ||
        (rec->published_version > 0 && reg__reads(c, rec, rec->pub_tlp, 1)))
        return 0;
    return osafe_errf(e, OSAFE_ENOTFOUND, "no record '%s'", id);
}

/* Drop the server's fields, leaving what the client wrote. */
static void strip_server(json_t *rec)
{
    for (const char *const *f = server_fields; *f; f++)
        json_object_del(rec, *f);
}

/* Add the server's fields to client content. */
static int finish(registry *r, json_t *rec, const char *id, int version,
                  const char *state, const char *reported, const char *now)
{
    json_t *origin = json_pack("{s:s, s:s}", "node_id", r->node_id,
                               "original_id", id);
    return json_object_set_new(rec, "schema_version",
                               json_string(REC_SCHEMA_VERSION)) ||
           json_object_set_new(rec, "id", json_string(id)) ||
           json_object_set_new(rec, "version", json_integer(version)) ||
           json_object_set_new(rec, "state", json_string(state)) ||
           json_object_set_new(rec, "origin", origin) ||
           json_object_set_new(rec, "reported", json_string(reported)) ||
           json_object_set_new(rec, "modified", json_string(now));
}

static const char *tlp_of(const json_t *rec)
{
    const char *t = json_string_value(json_object_get(rec, "tlp"));
    /* A draft without a level is treated as the strictest shared one until
     * its author chooses. */
    return t ? t : "AMBER+STRICT";
}

/* Store version (id, version) of rec in state, with its search text when
 * reindex (a change of state alone leaves the text as it was: indexing it
 * again cost a third of an ingest's CPU, FTS5 being most of it). */
static int put_version(osafe_store *s, json_t *rec, const char *id,
                       int version, const char *state, int64_t author,
                       const char *created, const char *now, int reindex,
                       osafe_err *e)
{
    osafe_buf body = OSAFE_BUF_INIT, text = OSAFE_BUF_INIT;
    store_version v;
    memset(&v, 0, sizeof v);
    int rc = reg__canon(rec, &body, e);
    if (!rc) {
        snprintf(v.record_id, sizeof v.record_id, "%s", id);
        v.version = version;
        snprintf(v.state, sizeof v.state, "%s", state);
        snprintf(v.tlp, sizeof v.tlp, "%s", tlp_of(rec));
        v.body = body.data;
        v.body_len = body.len;
        v.author = author;
        snprintf(v.created, sizeof v.created, "%s", created);
        snprintf(v.modified, sizeof v.modified, "%s", now);
        v.log_index = -1;
        rc = s->ops->version_put(s, &v, e);
    }
    if (!rc && reindex && (rc = reg__search_text(rec, &text)) == 0)
        rc = s->ops->index_put(s, id, 0, text.data, e);
    buf_release(&body);
    buf_release(&text);
    return rc;
}

static int create_locked(registry *r, osafe_store *s, const reg_caller *c,
                         json_t *rec, char id[32], int index, osafe_err *e)
{
    char now[32];
    store_now(now);
    store_record row;
    memset(&row, 0, sizeof row);
    /* store_now is "YYYY-MM-DDThh:mm:ssZ": the year leads */
    int rc = s->ops->next_id(s, r->prefix, (int)strtol(now, NULL, 10),
                             row.id, e);
    if (rc)
        return rc;
    snprintf(id, 32, "%s", row.id);
    snprintf(row.state, sizeof row.state, "draft");
    snprintf(row.tlp, sizeof row.tlp, "%s", tlp_of(rec));
    snprintf(row.org, sizeof row.org, "%s", c->acct.org);
    row.owner = c->acct.id;
    row.version = 1;
    snprintf(row.created, sizeof row.created, "%s", now);
    snprintf(row.modified, sizeof row.modified, "%s", now);
    if (finish(r, rec, row.id, 1, "draft", now, now))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if ((rc = s->ops->record_insert(s, &row, e)) ||
        (rc = put_version(s, rec, row.id, 1, "draft", c->acct.id, now, now,
                          index, e)))
        return rc;
    return s->ops->editor_add(s, row.id, 1, c->acct.id, e);
}

/* A creation, as the sequencer runs it in its batch. */
struct create_job {
    const reg_caller *c;
    json_t *rec;
    char id[32];
};

static int create_work(registry *r, osafe_store *s, reg__seq_batch *b,
                       void *arg, osafe_err *e)
{
    struct create_job *j = arg;
    (void)b;
    return create_locked(r, s, j->c, j->rec, j->id, 1, e);
}

int reg_create(registry *r, const reg_caller *c, const char *body,
               size_t len, char **out, osafe_err *e)
{
    if (!c->authenticated)
        return osafe_errf(e, OSAFE_EAUTH, "a token is required to file "
                                          "records");
    if (reg__is_peer(c))
        return osafe_errf(e, OSAFE_EPERM, "a peer token reads, it files "
                                          "nothing");
    json_t *rec = reg__parse(body, len, e);
    if (!rec)
        return OSAFE_EINVAL;
    int rc = rec_validate(rec, 0, 1, e);
    struct create_job j = {c, rec, ""};
    if (!rc)
        rc = reg__seq_run(r, create_work, &j, e);
    json_decref(rec);
    if (!rc && !(*out = reg__status_json(j.id, 1, "draft", -1)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    return rc;
}

/* RFC 7396 JSON merge patch of target with patch (both objects). */
static int merge_patch(json_t *target, json_t *patch)
{
    const char *k;
    json_t *v;
    json_object_foreach(patch, k, v) {
        if (json_is_null(v)) {
            json_object_del(target, k);
        } else if (json_is_object(v)) {
            json_t *t = json_object_get(target, k);
            if (!json_is_object(t)) {
                t = json_object();
                if (!t || json_object_set_new(target, k, t))
                    return -1;
            }
            if (merge_patch(t, v))
                return -1;
        } else if (json_object_set(target, k, v)) {
            return -1;
        }
    }
    return 0;
}

/* Load the working version's body as JSON. */
static int load_version_json(osafe_store *s, const char *id, int version,
                             store_version *v, json_t **rec, osafe_err *e)
{
    int rc = s->ops->version_get(s, id, version, v, e);
    if (rc)
        return rc;
    json_error_t je;
    *rec = json_loadb(v->body, v->body_len, 0, &je);
    if (!*rec) {
        store_version_release(v);
        return osafe_errf(e, OSAFE_ECORRUPT, "stored version %s/%d: %s", id,
                          version, je.text);
    }
    return 0;
}

/* Withdrawn and merged are final: no version of such a record may be
 * edited, submitted or reviewed any more (publishing one would bring the
 * record back). */
static int reg_check_open(const store_record *rec, osafe_err *e)
{
    if (!strcmp(rec->state, "withdrawn") || !strcmp(rec->state, "merged"))
        return osafe_errf(e, OSAFE_ESTATE, "record '%s' is %s", rec->id,
                          rec->state);
    return 0;
}

/* Inside a write transaction: the record row, and the caller's right to
 * change it. */
static int check_write(osafe_store *s, const reg_caller *c, const char *id,
                       store_record *rec, osafe_err *e)
{
    int rc = reg__load_visible(s, c, id, rec, e);
    if (rc)
        return rc;
    /* edit and submit change the working version: its level decides */
    if (!reg__can_write(c, rec, rec->tlp))
        return osafe_errf(e, OSAFE_EPERM, "record '%s' belongs to another "
                                          "organisation",
                          id);
    return reg_check_open(rec, e);
}

/* Common frame of the state-changing calls: a write transaction and
 * check_write. */
static int begin_write(osafe_store *s, const reg_caller *c, const char *id,
                       store_record *rec, osafe_err *e)
{
    if (!c->authenticated)
        return osafe_errf(e, OSAFE_EAUTH, "a token is required");
    int rc = s->ops->begin(s, e);
    if (!rc && (rc = check_write(s, c, id, rec, e)))
        s->ops->rollback(s);
    return rc;
}

int reg__end_tx(osafe_store *s, int rc, osafe_err *e)
{
    if (rc == 0 && (rc = s->ops->commit(s, e)) == 0)
        return 0;
    s->ops->rollback(s);
    return rc;
}

int reg__out_json(json_t *o, char **out, osafe_err *e)
{
    *out = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return *out ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
}

int reg_patch(registry *r, const reg_caller *c, const char *id,
              const char *body, size_t len, char **out, osafe_err *e)
{
    json_t *patch = reg__parse(body, len, e);
    if (!patch)
        return OSAFE_EINVAL;
    store_record rec;
    store_version v;
    json_t *cur = NULL;
    osafe_store *s = reg__store_get(r);
    int rc = rec_check_patch(patch, e);
    if (!rc && !(rc = begin_write(s, c, id, &rec, e))) {
        rc = load_version_json(s, id, rec.version, &v, &cur, e);
        if (!rc && strcmp(v.state, "draft"))
            rc = osafe_errf(e, OSAFE_ESTATE,
                            "version %d of '%s' is %s; only drafts can be "
                            "edited",
                            rec.version, id, v.state);
        char now[32];
        store_now(now);
        if (!rc) {
            strip_server(cur);
            if (merge_patch(cur, patch))
                rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        }
        if (!rc)
            rc = rec_validate(cur, 0, 1, e);
        if (!rc && finish(r, cur, id, rec.version, "draft", rec.created, now))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        if (!rc)
            rc = put_version(s, cur, id, rec.version, "draft", v.author,
                             v.created, now, 1, e);
        if (!rc)
            rc = s->ops->editor_add(s, id, rec.version, c->acct.id, e);
        if (!rc) {
            snprintf(rec.tlp, sizeof rec.tlp, "%s", tlp_of(cur));
            snprintf(rec.modified, sizeof rec.modified, "%s", now);
            rc = s->ops->record_update(s, &rec, e);
        }
        if (v.body)
            store_version_release(&v);
        rc = reg__end_tx(s, rc, e);
    }
    reg__store_put(r, s);
    json_decref(patch);
    json_decref(cur);
    if (!rc && !(*out = reg__status_json(id, rec.version, "draft", -1)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    return rc;
}

/* Change the state of the working version (and of the record), checking
 * the current one; for submit also completeness. */
static int set_state(registry *r, osafe_store *s, const reg_caller *c,
                     const char *id, const char *from, const char *to,
                     const char *reason, store_record *rec, osafe_err *e)
{
    store_version v;
    json_t *cur = NULL;
    int rc = load_version_json(s, id, rec->version, &v, &cur, e);
    if (rc)
        return rc;
    char now[32];
    store_now(now);
    if (strcmp(v.state, from))
        rc = osafe_errf(e, OSAFE_ESTATE, "version %d of '%s' is %s, not %s",
                        rec->version, id, v.state, from);
    if (!rc && !strcmp(to, "submitted"))
        rc = rec_validate(cur, 1, 0, e);
    if (!rc) {
        json_object_set_new(cur, "state", json_string(to));
        json_object_set_new(cur, "modified", json_string(now));
        rc = put_version(s, cur, id, rec->version, to, v.author, v.created,
                         now, 0, e);
    }
    if (!rc && reason) {
        /* put_version replaced the row: record the review on it */
        store_version w;
        if (!(rc = s->ops->version_get(s, id, rec->version, &w, e))) {
            free(w.review_reason);
            w.review_reason = strdup(reason);
            w.reviewer = c->acct.id;
            /* a review never loses its reason: no copy, no change */
            rc = w.review_reason
                     ? s->ops->version_put(s, &w, e)
                     : osafe_errf(e, OSAFE_ENOMEM,
                                  "out of memory (review reason)");
            store_version_release(&w);
        }
    }
    if (!rc) {
        if (strcmp(rec->state, "withdrawn") && strcmp(rec->state, "merged"))
            snprintf(rec->state, sizeof rec->state, "%s", to);
        snprintf(rec->modified, sizeof rec->modified, "%s", now);
        rc = s->ops->record_update(s, rec, e);
    }
    (void)r;
    store_version_release(&v);
    json_decref(cur);
    return rc;
}

/* A submission, as the sequencer runs it in its batch. */
struct submit_job {
    const reg_caller *c;
    const char *id;
    store_record rec;
};

static int submit_work(registry *r, osafe_store *s, reg__seq_batch *b,
                       void *arg, osafe_err *e)
{
    struct submit_job *j = arg;
    (void)b;
    int rc = check_write(s, j->c, j->id, &j->rec, e);
    return rc ? rc
              : set_state(r, s, j->c, j->id, "draft", "submitted", NULL,
                          &j->rec, e);
}

int reg_submit(registry *r, const reg_caller *c, const char *id, char **out,
               osafe_err *e)
{
    if (!c->authenticated)
        return osafe_errf(e, OSAFE_EAUTH, "a token is required");
    struct submit_job j = {.c = c, .id = id};
    int rc = reg__seq_run(r, submit_work, &j, e);
    store_record rec = j.rec;
    if (!rc && !(*out = reg__status_json(id, rec.version, "submitted", -1)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    return rc;
}

/* Nobody who wrote any part of a version accepts it, admins included:
 * publication needs a second person. */
static int four_eyes(osafe_store *s, const reg_caller *c,
                     const store_version *v, osafe_err *e)
{
    int wrote = v->author == c->acct.id;
    int rc = wrote ? 0
                   : s->ops->edited_by(s, v->record_id, v->version,
                                       c->acct.id, &wrote, e);
    if (!rc && wrote)
        rc = osafe_errf(e, OSAFE_EPERM,
                        "version %d of '%s' has your edits: another reviewer "
                        "must accept it",
                        v->version, v->record_id);
    return rc;
}

/* A review, as the sequencer runs it in its batch: an acceptance's entry
 * joins the batch's one append. */
struct review_job {
    const reg_caller *c;
    const char *id, *d, *reason;
    store_record rec;
    int64_t index;
};

static int review_work(registry *r, osafe_store *s, reg__seq_batch *b,
                       void *arg, osafe_err *e)
{
    struct review_job *j = arg;
    const reg_caller *c = j->c;
    store_record *rec = &j->rec;
    int rc = reg__load_visible(s, c, j->id, rec, e);
    store_version v;
    memset(&v, 0, sizeof v);
    if (!rc)
        rc = reg_check_open(rec, e);
    if (!rc)
        rc = s->ops->version_get(s, j->id, rec->version, &v, e);
    if (!rc && strcmp(v.state, "submitted"))
        rc = osafe_errf(e, OSAFE_ESTATE,
                        "version %d of '%s' is %s; only submitted "
                        "versions are reviewed",
                        rec->version, j->id, v.state);
    if (!rc && v.author == c->acct.id && strcmp(c->acct.role, "admin"))
        rc = osafe_errf(e, OSAFE_EPERM,
                        "reviewers cannot review their own submission");
    if (!rc && !strcmp(j->d, "accept"))
        rc = four_eyes(s, c, &v, e);
    if (!rc && !strcmp(j->d, "accept")) {
        if (j->reason && !(v.review_reason = strdup(j->reason)))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory (review reason)");
        v.reviewer = c->acct.id;
        if (!rc)
            rc = reg__publish(r, s, c, rec, &v, b, &j->index, e);
    } else if (!rc) {
        rc = set_state(r, s, c, j->id, "submitted",
                       !strcmp(j->d, "reject") ? "rejected" : "draft",
                       j->reason, rec, e);
    }
    store_version_release(&v);
    return rc;
}

int reg_review(registry *r, const reg_caller *c, const char *id,
               const char *body, size_t len, char **out, osafe_err *e)
{
    json_t *j = reg__parse(body, len, e);
    if (!j)
        return OSAFE_EINVAL;
    const char *d = json_string_value(json_object_get(j, "decision"));
    const char *reason = json_string_value(json_object_get(j, "reason"));
    json_t *rj = json_object_get(j, "reason");
    int rc = 0;
    if (!d || (strcmp(d, "accept") && strcmp(d, "reject") &&
               strcmp(d, "changes")))
        rc = osafe_err_field(e, OSAFE_EINVAL, "decision",
                             "field 'decision': must be accept, reject or "
                             "changes");
    else if (rj && !reason)
        rc = osafe_err_field(e, OSAFE_EINVAL, "reason",
                             "field 'reason': must be a string");
    else if (strcmp(d, "accept") && (!reason || !*reason))
        rc = osafe_err_field(e, OSAFE_EINVAL, "reason",
                             "field 'reason': required to reject or ask "
                             "for changes");
    else if (!c->authenticated)
        rc = osafe_errf(e, OSAFE_EAUTH, "a token is required");
    else if (!reg__is_staff(c))
        rc = osafe_errf(e, OSAFE_EPERM, "only reviewers and admins review");
    if (rc) {
        json_decref(j);
        return rc;
    }
    struct review_job job = {
        .c = c, .id = id, .d = d, .reason = reason, .index = -1};
    rc = reg__seq_run(r, review_work, &job, e);
    store_record rec = job.rec;
    int64_t index = job.index;
    if (!rc && !(*out = reg__status_json(
                     id, rec.version,
                     !strcmp(d, "accept")   ? "published"
                     : !strcmp(d, "reject") ? "rejected"
                                            : "draft",
                     index)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    json_decref(j); /* d and reason point into j */
    return rc;
}

int reg__create_locked(registry *r, osafe_store *s, const reg_caller *c,
                       json_t *rec, char id[32], int index, osafe_err *e)
{
    return create_locked(r, s, c, rec, id, index, e);
}

int reg__create_fresh(registry *r, osafe_store *s, const reg_caller *c,
                      json_t *rec, store_record *row, store_version *v,
                      osafe_err *e)
{
    char now[32];
    store_now(now);
    memset(row, 0, sizeof *row);
    memset(v, 0, sizeof *v);
    /* store_now is "YYYY-MM-DDThh:mm:ssZ": the year leads */
    int rc = s->ops->next_id(s, r->prefix, (int)strtol(now, NULL, 10),
                             row->id, e);
    if (rc)
        return rc;
    /* the row and version create_locked would store, the draft that the
     * publication then turns into version 1 */
    snprintf(row->state, sizeof row->state, "draft");
    snprintf(row->tlp, sizeof row->tlp, "%s", tlp_of(rec));
    snprintf(row->org, sizeof row->org, "%s", c->acct.org);
    row->owner = c->acct.id;
    row->version = 1;
    snprintf(row->created, sizeof row->created, "%s", now);
    snprintf(row->modified, sizeof row->modified, "%s", now);
    snprintf(v->record_id, sizeof v->record_id, "%s", row->id);
    v->version = 1;
    snprintf(v->state, sizeof v->state, "draft");
    snprintf(v->tlp, sizeof v->tlp, "%s", row->tlp);
    v->author = c->acct.id;
    v->reviewer = c->acct.id;
    snprintf(v->created, sizeof v->created, "%s", now);
    snprintf(v->modified, sizeof v->modified, "%s", now);
    v->log_index = -1;
    if (finish(r, rec, row->id, 1, "draft", now, now))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    return 0;
}
