/*
 * records_read.c - reading: get, list, search and links (the writes are in
 * records.c, records_write.c and publish.c).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "registry/reg_internal.h"
#include "registry/validate.h"

/* Version `version` of rec, if c may read it under its own level. */
static int get_readable(osafe_store *s, const reg_caller *c,
                        const store_record *rec, int version,
                        store_version *v, osafe_err *e)
{
    int rc = version < 1 || version > rec->version
                 ? OSAFE_ENOTFOUND
                 : s->ops->version_get(s, rec->id, version, v, e);
    if (!rc && !reg__reads(c, rec, v->tlp, !strcmp(v->state, "published"))) {
        store_version_release(v);
        rc = OSAFE_ENOTFOUND;
    }
    if (rc == OSAFE_ENOTFOUND)
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "record '%s' has no version %d",
                        rec->id, version);
    return rc;
}

int reg_get(registry *r, const reg_caller *c, const char *id, int version,
            char **body, size_t *len, reg_meta *meta, osafe_err *e)
{
    store_record rec;
    store_version v;
    memset(&v, 0, sizeof v);
    osafe_store *s = reg__store_get(r);
    int rc = reg__load_visible(s, c, id, &rec, e);
    /* Version 0: the latest the caller may read, else the latest
     * published one (each under its own level). */
    if (!rc && version == 0)
        version = reg__owner_view(c, &rec) ? rec.version
                                          : rec.published_version;
    if (!rc)
        rc = get_readable(s, c, &rec, version, &v, e);
    reg__store_put(r, s);
    if (rc)
        return rc;
    meta->version = v.version;
    snprintf(meta->state, sizeof meta->state, "%s",
             (!strcmp(rec.state, "withdrawn") || !strcmp(rec.state, "merged"))
                 ? rec.state
                 : v.state);
    snprintf(meta->tlp, sizeof meta->tlp, "%s", v.tlp);
    meta->log_index = v.log_index;
    /* Whoever reads an AMBER version is of its organisation or staff: the
     * name tells a mirroring node whom to show it to (apply.c). */
    snprintf(meta->org, sizeof meta->org, "%s",
             !strncmp(v.tlp, "AMBER", 5) ? rec.org : "");
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
                 ? buf_printf(&b, "],\"next_cursor\":\"%s\"", p->next_cursor)
                 : buf_puts(&b, "],\"next_cursor\":null");
    /* a listing counts every match over all pages; a search does not */
    if (!rc && p->total >= 0)
        rc = buf_printf(&b, ",\"total\":%lld", (long long)p->total);
    if (!rc)
        rc = buf_putc(&b, '}');
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
    /* A country that is no code would silently match nothing: say what
     * is expected (any case: the filter folds it). */
    if (f->country && *f->country &&
        !(strlen(f->country) == 2 && isalpha((unsigned char)f->country[0]) &&
          isalpha((unsigned char)f->country[1])))
        return osafe_err_field(e, OSAFE_EINVAL, "country",
                               "country must be an ISO 3166-1 alpha-2 code "
                               "such as KE or BR (ZZ: unknown)");
    if (f->cursor && *f->cursor && f->sort && *f->sort &&
        strcmp(f->sort, "id"))
        return osafe_err_field(e, OSAFE_EINVAL, "cursor",
                               "a cursor continues sort=id only; other "
                               "orders use page");
    store_visibility vis;
    store_page p;
    reg__visibility(c, &vis);
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->list(s, &vis, f, &p, e);
    if (!rc) {
        rc = page_json(r, s, &p, out, e);
        store_page_release(&p);
    }
    reg__store_put(r, s);
    return rc;
}

int reg_search(registry *r, const reg_caller *c, const char *q, int limit,
               char **out, osafe_err *e)
{
    store_visibility vis;
    store_page p;
    reg__visibility(c, &vis);
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->search(s, &vis, q, limit, &p, e);
    if (!rc) {
        rc = page_json(r, s, &p, out, e);
        store_page_release(&p);
    }
    reg__store_put(r, s);
    return rc;
}

int reg__links_visible(osafe_store *s, const reg_caller *c, const char *id,
                      char **out, osafe_err *e)
{
    char *all = NULL;
    int rc = s->ops->links_json(s, id, &all, e);
    if (rc)
        return rc;
    json_error_t je;
    json_t *arr = json_loads(all, 0, &je), *keep = json_array();
    free(all);
    if (!arr || !keep) {
        json_decref(arr);
        json_decref(keep);
        return osafe_errf(e, OSAFE_ENOMEM, "links of '%s'", id);
    }
    /* A link names the other record: shown only to those who may know
     * that record exists, as a lookup of its id would be. */
    size_t i;
    json_t *l;
    json_array_foreach(arr, i, l) {
        const char *from = json_string_value(json_object_get(l, "from"));
        const char *to = json_string_value(json_object_get(l, "to"));
        const char *other = from && !strcmp(from, id) ? to : from;
        store_record rec;
        osafe_err ignored;
        if (!other)
            continue;
        int v = reg__load_visible(s, c, other, &rec, &ignored);
        if (v == 0)
            json_array_append(keep, l);
        else if (v != OSAFE_ENOTFOUND) {
            rc = osafe_errf(e, v, "%s", ignored.msg);
            break;
        }
    }
    json_decref(arr);
    if (rc) {
        json_decref(keep);
        return rc;
    }
    return reg__out_json(keep, out, e);
}

int reg_links(registry *r, const reg_caller *c, const char *id, char **out,
              osafe_err *e)
{
    store_record rec;
    osafe_store *s = reg__store_get(r);
    int rc = reg__load_visible(s, c, id, &rec, e);
    if (!rc)
        rc = reg__links_visible(s, c, id, out, e);
    reg__store_put(r, s);
    return rc;
}
