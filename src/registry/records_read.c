/*
 * records_read.c - reading (get, list, search), amendments, links,
 * evidence and imports.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/limits.h"
#include "registry/reg_internal.h"
#include "registry/validate.h"

int reg_get(registry *r, const reg_caller *c, const char *id, int version,
            char **body, size_t *len, reg_meta *meta, osafe_err *e)
{
    store_record rec;
    store_version v;
    memset(&v, 0, sizeof v);
    osafe_store *s = reg_store_get(r);
    int rc = reg__load_visible(s, c, id, &rec, e);
    int owner = !rc && reg__owner_view(c, &rec);
    if (!rc && version == 0)
        version = owner ? rec.version : rec.published_version;
    if (!rc && (version < 1 || version > rec.version))
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "record '%s' has no version %d",
                        id, version);
    if (!rc)
        rc = s->ops->version_get(s, id, version, &v, e);
    reg_store_put(r, s);
    /* Others see published versions only, each under its own level. */
    if (!rc && !owner &&
        (strcmp(v.state, "published") || !reg__tlp_allows(c, &rec, v.tlp)))
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "record '%s' has no version %d",
                        id, version);
    if (rc) {
        store_version_release(&v);
        return rc;
    }
    meta->version = v.version;
    snprintf(meta->state, sizeof meta->state, "%s",
             (!strcmp(rec.state, "withdrawn") || !strcmp(rec.state, "merged"))
                 ? rec.state
                 : v.state);
    snprintf(meta->tlp, sizeof meta->tlp, "%s", v.tlp);
    meta->log_index = v.log_index;
    *body = v.body;
    *len = v.body_len;
    v.body = NULL;
    store_version_release(&v);
    return 0;
}

/* {"records":[{"id","version","state","tlp","log_index","record":<stored
 * bytes, verbatim>}...],"next_cursor":...} */
static int page_json(registry *r, osafe_store *s, const store_page *p,
                     char **out, osafe_err *e)
{
    osafe_buf b = OSAFE_BUF_INIT;
    int rc = buf_puts(&b, "{\"records\":[");
    for (size_t i = 0; rc == 0 && i < p->n; i++) {
        store_record rec;
        store_version v;
        if ((rc = s->ops->record_get(s, p->ids[i], &rec, e)) ||
            (rc = s->ops->version_get(s, p->ids[i], p->versions[i], &v, e)))
            break;
        const char *state =
            (!strcmp(rec.state, "withdrawn") || !strcmp(rec.state, "merged"))
                ? rec.state
                : v.state;
        rc = buf_printf(&b,
                        "%s{\"id\":\"%s\",\"version\":%d,\"state\":\"%s\","
                        "\"tlp\":\"%s\",\"log_index\":",
                        i ? "," : "", rec.id, v.version, state, v.tlp);
        if (!rc)
            rc = v.log_index >= 0 ? buf_printf(&b, "%lld", (long long)v.log_index)
                                  : buf_puts(&b, "null");
        if (!rc)
            rc = buf_puts(&b, ",\"record\":");
        if (!rc)
            rc = buf_append(&b, v.body, v.body_len);
        if (!rc)
            rc = buf_putc(&b, '}');
        store_version_release(&v);
    }
    if (!rc)
        rc = p->next_cursor[0]
                 ? buf_printf(&b, "],\"next_cursor\":\"%s\"}", p->next_cursor)
                 : buf_puts(&b, "],\"next_cursor\":null}");
    (void)r;
    if (rc) {
        buf_release(&b);
        return rc < 0 && e && e->code == rc ? rc
                                            : osafe_errf(e, rc, "listing failed");
    }
    *out = buf_detach(&b, NULL);
    return 0;
}

int reg_list(registry *r, const reg_caller *c, const store_filter *f,
             char **out, osafe_err *e)
{
    /* A date filter that is not a date would silently match nothing. */
    if (f->since && *f->since && !rec_date_ok(f->since))
        return osafe_err_field(e, OSAFE_EINVAL, "since",
                               "since must be a date YYYY, YYYY-MM or "
                               "YYYY-MM-DD");
    if (f->until && *f->until && !rec_date_ok(f->until))
        return osafe_err_field(e, OSAFE_EINVAL, "until",
                               "until must be a date YYYY, YYYY-MM or "
                               "YYYY-MM-DD");
    store_visibility vis;
    store_page p;
    reg__visibility(c, &vis);
    osafe_store *s = reg_store_get(r);
    int rc = s->ops->list(s, &vis, f, &p, e);
    if (!rc) {
        rc = page_json(r, s, &p, out, e);
        store_page_release(&p);
    }
    reg_store_put(r, s);
    return rc;
}

int reg_search(registry *r, const reg_caller *c, const char *q, int limit,
               char **out, osafe_err *e)
{
    store_visibility vis;
    store_page p;
    reg__visibility(c, &vis);
    osafe_store *s = reg_store_get(r);
    int rc = s->ops->search(s, &vis, q, limit, &p, e);
    if (!rc) {
        rc = page_json(r, s, &p, out, e);
        store_page_release(&p);
    }
    reg_store_put(r, s);
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
    osafe_store *s = reg_store_get(r);
    if (!(rc = s->ops->begin(s, e))) {
        rc = reg__load_visible(s, c, id, &rec, e);
        if (!rc && !reg__can_write(c, &rec))
            rc = osafe_errf(e, OSAFE_EPERM,
                            "record '%s' belongs to another organisation", id);
        if (!rc && (rec.published_version == 0 ||
                    rec.version != rec.published_version ||
                    strcmp(rec.state, "published")))
            rc = osafe_errf(e, OSAFE_ESTATE,
                            "only a published record without a pending "
                            "amendment can be amended ('%s' is %s)",
                            id, rec.state);
        store_version pub;
        memset(&pub, 0, sizeof pub);
        if (!rc && !j &&
            !(rc = s->ops->version_get(s, id, rec.published_version, &pub,
                                       e))) {
            json_error_t je;
            j = json_loadb(pub.body, pub.body_len, 0, &je);
            if (!j)
                rc = osafe_errf(e, OSAFE_ECORRUPT, "stored version: %s",
                                je.text);
        }
        store_version_release(&pub);
        char now[32];
        store_now(now);
        if (!rc) {
            static const char *const keep_out[] = {
                "published", "prev_digest", "withdrawn", "withdrawn_reason",
                "merged_into", "signatures", NULL};
            for (const char *const *k = keep_out; *k; k++)
                json_object_del(j, *k);
            json_t *origin = json_pack("{s:s, s:s}", "node_id", r->node_id,
                                       "original_id", id);
            json_object_set_new(j, "schema_version",
                                json_string(REC_SCHEMA_VERSION));
            json_object_set_new(j, "id", json_string(id));
            json_object_set_new(j, "version",
                                json_integer(rec.version + 1));
            json_object_set_new(j, "state", json_string("draft"));
            json_object_set_new(j, "origin", origin);
            json_object_set_new(j, "reported", json_string(rec.created));
            json_object_set_new(j, "modified", json_string(now));
            osafe_buf b = OSAFE_BUF_INIT, text = OSAFE_BUF_INIT;
            store_version v;
            memset(&v, 0, sizeof v);
            rc = reg__canon(j, &b, e);
            if (!rc) {
                snprintf(v.record_id, sizeof v.record_id, "%s", id);
                v.version = rec.version + 1;
                snprintf(v.state, sizeof v.state, "draft");
                const char *t = json_string_value(json_object_get(j, "tlp"));
                snprintf(v.tlp, sizeof v.tlp, "%s", t ? t : rec.pub_tlp);
                v.body = b.data;
                v.body_len = b.len;
                v.author = c->acct.id;
                snprintf(v.created, sizeof v.created, "%s", now);
                snprintf(v.modified, sizeof v.modified, "%s", now);
                v.log_index = -1;
                rc = s->ops->version_put(s, &v, e);
                if (!rc)
                    snprintf(rec.tlp, sizeof rec.tlp, "%s", v.tlp);
            }
            if (!rc && !(rc = reg__search_text(j, &text)))
                rc = s->ops->index_put(s, id, 0, text.data, e);
            buf_release(&b);
            buf_release(&text);
            if (!rc) {
                rec.version++;
                snprintf(rec.state, sizeof rec.state, "draft");
                snprintf(rec.modified, sizeof rec.modified, "%s", now);
                rc = s->ops->record_update(s, &rec, e);
            }
        }
        rc = reg__end_tx(s, rc, e);
    }
    reg_store_put(r, s);
    json_decref(j);
    if (!rc && !(*out = reg__status_json(id, rec.version, "draft", -1)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
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
    osafe_store *s = reg_store_get(r);
    store_record a, b;
    if (!rc && !(rc = s->ops->begin(s, e))) {
        if (!(rc = reg__load_visible(s, c, id, &a, e)) &&
            !(rc = reg__load_visible(s, c, to, &b, e)) &&
            !(rc = s->ops->link_put(s, id, to, rel, c->acct.id, e)) &&
            !strcmp(rel, "duplicate_of")) {
            snprintf(a.state, sizeof a.state, "merged");
            snprintf(a.merged_into, sizeof a.merged_into, "%s", to);
            store_now(a.modified);
            rc = s->ops->record_update(s, &a, e);
        }
        rc = reg__end_tx(s, rc, e);
    }
    if (!rc)
        rc = s->ops->links_json(s, id, out, e);
    reg_store_put(r, s);
    json_decref(j);
    return rc;
}

int reg_links(registry *r, const reg_caller *c, const char *id, char **out,
              osafe_err *e)
{
    store_record rec;
    osafe_store *s = reg_store_get(r);
    int rc = reg__load_visible(s, c, id, &rec, e);
    if (!rc)
        rc = s->ops->links_json(s, id, out, e);
    reg_store_put(r, s);
    return rc;
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
    store_record rec;
    osafe_store *s = reg_store_get(r);
    if (!rc && !(rc = reg__canon(j, &canon, e)) && !(rc = s->ops->begin(s, e))) {
        rc = reg__load_visible(s, c, id, &rec, e);
        if (!rc && rec.published_version > 0) {
            /* Logged as a digest beside the record's id and level: the
             * evidence may be large and shares the record's level. */
            uint8_t h[32];
            char hex[65];
            crypto_hash_sha256(h, (const uint8_t *)canon.data, canon.len);
            hex_encode(hex, h, 32);
            json_t *st = json_pack("{s:s, s:s, s:s, s:s}", "type",
                                   "osafe.evidence/v1", "record", id, "tlp",
                                   rec.pub_tlp, "sha256", hex);
            rc = st ? reg__canon(st, &entry, e)
                    : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            json_decref(st);
            if (!rc)
                rc = reg__log_append(r, entry.data, entry.len, &index, e);
        }
        if (!rc)
            rc = s->ops->evidence_put(s, id, canon.data, canon.len,
                                      c->acct.id, index, &eid, e);
        rc = reg__end_tx(s, rc, e);
    }
    reg_store_put(r, s);
    json_decref(j);
    buf_release(&canon);
    buf_release(&entry);
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
