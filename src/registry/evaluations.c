/*
 * evaluations.c - published evaluation runs (see registry.h).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/limits.h"
#include "registry/reg_internal.h"

/* A run with nothing scored says nothing about the model: every sample
 * failed (a dead endpoint, a wrong model name), and publishing it would
 * put an empty run in a permanent log. */
static int scored_check(const json_t *res, osafe_err *e)
{
    const json_t *ov = json_object_get(res, "overall");
    json_int_t n = json_integer_value(json_object_get(ov, "n"));
    json_int_t ns = json_integer_value(json_object_get(res, "samples"));
    json_int_t ne = json_integer_value(json_object_get(res, "errors"));
    int none = json_is_object(ov) ? n < 1 : ns > 0 && ne >= ns;
    if (none)
        return osafe_err_field(e, OSAFE_EINVAL, "results.overall",
                               "nothing was scored: all %lld samples failed "
                               "(%lld errors); fix the endpoint or model and "
                               "run again",
                               (long long)ns, (long long)ne);
    return 0;
}

/* The run published with the same samples: *existing 1 and its id and log
 * index, or *existing 0.  One withdrawn is not published again: its
 * withdrawal is final, and a copy would put it back in the ranking. */
static int find_same(registry *r, osafe_store *s, const char *sh, char id[32],
                     int64_t *index, int *existing, osafe_err *e)
{
    int withdrawn = 0;
    (void)r;
    *existing = 0;
    int rc = s->ops->evaluation_find(s, sh, id, &withdrawn, e);
    if (rc == OSAFE_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    if (withdrawn)
        return osafe_errf(e, OSAFE_ESTATE, "these samples were published as "
                                           "evaluation '%s', since withdrawn",
                          id);
    char *body;
    size_t len;
    rc = s->ops->evaluation_get(s, id, &body, &len, index, e);
    if (!rc) {
        free(body);
        *existing = 1;
    }
    return rc;
}

/* Store and log a new run (in the caller's transaction): a fresh id, the
 * canonical bytes, their entry at the log's next index. */
static int put_new(registry *r, osafe_store *s, int64_t author, json_t *j,
                   const char *now, char id[32], int64_t *index, osafe_err *e)
{
    osafe_buf canon = OSAFE_BUF_INIT, entry = OSAFE_BUF_INIT;
    int rc = s->ops->next_id(s, "EVAL", (int)strtol(now, NULL, 10), id, e);
    if (!rc) {
        json_object_set_new(j, "id", json_string(id));
        json_object_set_new(j, "published", json_string(now));
        rc = reg__canon(j, &canon, e);
    }
    if (!rc)
        rc = reg__evaluation_entry(id, canon.data, canon.len, &entry, e);
    if (!rc)
        rc = reg__log_next_index(r, s, index, e);
    if (!rc)
        rc = s->ops->evaluation_put(s, id, canon.data, canon.len, author,
                                    *index, entry.data, entry.len, e);
    int64_t got;
    if (!rc && !(rc = reg__log_append(r, s, entry.data, entry.len, &got, e)) &&
        got != *index)
        rc = osafe_errf(e, OSAFE_ESTATE, "log index moved under a write "
                                         "transaction");
    buf_release(&canon);
    buf_release(&entry);
    return rc;
}

int reg_evaluation_publish(registry *r, const reg_caller *c, const char *body,
                           size_t len, char **out, osafe_err *e)
{
    if (!c->authenticated)
        return osafe_errf(e, OSAFE_EAUTH, "a token is required to publish "
                                          "evaluations");
    if (reg__is_peer(c))
        return osafe_errf(e, OSAFE_EPERM, "a peer token reads, it publishes "
                                          "nothing");
    json_t *j = reg__parse(body, len, e);
    if (!j)
        return OSAFE_EINVAL;
    json_t *m = json_object_get(j, "manifest");
    const char *sh = json_string_value(json_object_get(j, "samples_sha256"));
    const char *k;
    json_t *v;
    int rc = 0;
    json_object_foreach(j, k, v) if (!rc && strcmp(k, "manifest") &&
                                     strcmp(k, "results") &&
                                     strcmp(k, "samples_sha256"))
        rc = osafe_err_field(e, OSAFE_EINVAL, k, "field '%s': unknown field", k);
    if (rc) {
    } else if (!json_is_object(m) ||
               !json_is_string(json_object_get(json_object_get(m, "suite"),
                                               "hash")))
        rc = osafe_err_field(e, OSAFE_EINVAL, "manifest",
                             "field 'manifest': must be a run manifest with "
                             "suite.hash");
    else if (!json_is_object(json_object_get(j, "results")))
        rc = osafe_err_field(e, OSAFE_EINVAL, "results",
                             "field 'results': must be an object");
    else if (!sh || strlen(sh) != 64 || strspn(sh, "0123456789abcdef") != 64)
        rc = osafe_err_field(e, OSAFE_EINVAL, "samples_sha256",
                             "field 'samples_sha256': must be 64 lowercase "
                             "hex digits");
    if (!rc)
        rc = reg__evaluation_check(j, e);
    if (!rc)
        rc = scored_check(json_object_get(j, "results"), e);
    char id[32];
    int64_t index = -1;
    int existing = 0;
    osafe_store *s = reg__store_get(r);
    if (!rc && !(rc = s->ops->begin(s, e))) {
        char now[32];
        store_now(now);
        /* In the transaction: two publishers of one run cannot both
         * miss the other. */
        rc = find_same(r, s, sh, id, &index, &existing, e);
        if (!rc && !existing)
            rc = put_new(r, s, c->acct.id, j, now, id, &index, e);
        rc = reg__end_tx(s, rc, e);
    }
    reg__store_put(r, s);
    json_decref(j);
    if (!rc) {
        rc = reg__out_json(json_pack("{s:s, s:I, s:b}", "id", id, "log_index",
                                    (json_int_t)index, "existing", existing),
                          out, e);
    }
    return rc;
}

int reg_evaluation_get(registry *r, const char *id, char **body, size_t *len,
                       int64_t *log_index, osafe_err *e)
{
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->evaluation_get(s, id, body, len, log_index, e);
    reg__store_put(r, s);
    return rc;
}

/* One summary of a stored run: what a list page needs, not the whole
 * results (by_hazard stays in the body, reg_evaluation_get). */
static json_t *eval_summary(const store_eval_row *w, osafe_err *e)
{
    json_error_t je;
    json_t *j = json_loadb(w->body, w->body_len, 0, &je);
    if (!j) {
        osafe_errf(e, OSAFE_ECORRUPT, "evaluation %s: stored body: %s",
                   w->id, je.text);
        return NULL;
    }
    json_t *m = json_object_get(j, "manifest");
    json_t *res = json_object_get(j, "results");
    json_t *suite = json_object_get(m, "suite");
    const char *model =
        json_string_value(json_object_get(json_object_get(m, "params"),
                                          "model"));
    json_t *o = json_pack(
        "{s:s, s:s, s:o, s:s, s:{s:o?, s:o?, s:o?}, s:O?, s:O?, s:O?}", "id", w->id,
        "created", w->created,
        "log_index", w->log_index >= 0 ? json_integer(w->log_index)
                                       : json_null(),
        "model", model ? model : "",
        "suite", "name", json_copy(json_object_get(suite, "name")), "version",
        json_copy(json_object_get(suite, "version")), "sha256",
        json_copy(json_object_get(suite, "hash")),
        "overall", json_object_get(res, "overall"),
        "samples", json_object_get(res, "samples"),
        "errors", json_object_get(res, "errors"));
    json_decref(j);
    if (!o)
        osafe_errf(e, OSAFE_ECORRUPT, "evaluation %s: stored body lacks "
                                      "manifest or results", w->id);
    return o;
}

int reg_evaluation_list(registry *r, int limit, const char *cursor,
                        char **out, osafe_err *e)
{
    if (limit < 1 || limit > OSAFE_PAGE_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "limit must be 1 to %d",
                          OSAFE_PAGE_MAX);
    store_eval_page p;
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->evaluation_list(s, limit, cursor && *cursor ? cursor
                                                                 : NULL,
                                     &p, e);
    reg__store_put(r, s);
    if (rc)
        return rc;
    json_t *arr = json_array();
    for (size_t i = 0; !rc && i < p.n; i++) {
        json_t *o = eval_summary(&p.rows[i], e);
        rc = o ? json_array_append_new(arr, o) : OSAFE_ECORRUPT;
    }
    if (!rc)
        rc = reg__out_json(json_pack("{s:o, s:s}", "evaluations", arr,
                                    "next_cursor", p.next_cursor),
                          out, e);
    else
        json_decref(arr);
    store_eval_page_release(&p);
    return rc;
}
