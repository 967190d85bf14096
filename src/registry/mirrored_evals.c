/*
 * mirrored_evals.c - evaluations mirrored from peers' logs
 * (src/federation/apply_eval.c) as the API and `osafe peer mirrored` list
 * them: GET /api/v1/evaluations?origin=ORIGIN.  Published evaluations are
 * public results, so every caller sees them; they are listed apart from
 * our own (reg_evaluation_list never holds them) and always with their
 * origin.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "registry/reg_internal.h"

/* One mirrored evaluation as a list item; NULL if its stored entry is
 * not JSON. */
static json_t *meval_item(const store_mirror *m)
{
    json_error_t je;
    json_t *ev = json_loadb(m->body, m->body_len, 0, &je);
    if (!ev)
        return NULL;
    /* a run bigger than a log entry left only its digest there */
    const char *type = json_string_value(json_object_get(ev, "type"));
    int digest = type && !strcmp(type, "osafe.evaluation-digest/v1");
    return json_pack("{s:s, s:s, s:b, s:I, s:o, s:{s:s, s:s, s:I, s:I, "
                     "s:s*}}",
                     "id", m->origin_id, "state",
                     m->withdrawn[0] ? "withdrawn" : "published",
                     "digest_only", digest, "log_index",
                     (json_int_t)m->origin_log_index, "evaluation", ev,
                     "origin", "name", m->origin, "peer", m->peer_url,
                     "log_index", (json_int_t)m->origin_log_index,
                     "checkpoint_size", (json_int_t)m->checkpoint_size,
                     "withdrawn", m->withdrawn[0] ? m->withdrawn : NULL);
}

int reg_mirror_eval_list(registry *r, const char *origin, int limit,
                         const char *cursor, char **out, osafe_err *e)
{
    *out = NULL;
    if (limit < 1 || limit > OSAFE_PAGE_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "limit must be 1 to %d",
                          OSAFE_PAGE_MAX);
    store_mirror *m = NULL;
    size_t n = 0;
    osafe_store *s = reg__store_get(r);
    /* one more than asked: whether a next page exists */
    int rc = s->ops->meval_list(s, origin, cursor, limit + 1, &m, &n, e);
    reg__store_put(r, s);
    if (rc)
        return rc;
    int more = n > (size_t)limit;
    if (more)
        n = (size_t)limit;
    json_t *arr = json_array();
    rc = arr ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    for (size_t i = 0; !rc && i < n; i++) {
        json_t *it = meval_item(&m[i]);
        if (!it)
            rc = osafe_errf(e, OSAFE_ECORRUPT,
                            "mirrored evaluation %s of %s is not JSON",
                            m[i].origin_id, m[i].origin);
        else if (json_array_append_new(arr, it))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    if (!rc)
        /* "" on the last page, as our own list says it */
        rc = reg__out_json(json_pack("{s:O, s:s}", "evaluations", arr,
                                    "next_cursor",
                                    more ? m[n - 1].origin_id : ""),
                          out, e);
    json_decref(arr);
    store_mirror_list_release(m, more ? n + 1 : n);
    return rc;
}

int reg_mirror_eval_each(registry *r,
                         int (*fn)(void *ctx, const char *id,
                                   const char *body, size_t len),
                         void *ctx, size_t *n_out, osafe_err *e)
{
    return reg__mirror_walk(r, 1, fn, ctx, n_out, e);
}
