/*
 * reviews.c - a run's human labels and its corrected figures (reviews.h).
 */
#include "server/reviews.h"

#include <stdlib.h>

#include "eval/review.h"

int srv_reviews_doc(registry *r, const char *id, int64_t after, int limit,
                    json_t **doc, osafe_err *e)
{
    char *out = NULL, *body = NULL;
    size_t len;
    int64_t index;
    *doc = NULL;
    int rc = reg_evaluation_reviews(r, id, after, limit, &out, e);
    if (!rc)
        rc = reg_evaluation_get(r, id, &body, &len, &index, e);
    json_t *d = rc ? NULL : json_loads(out, 0, NULL);
    json_t *run = rc ? NULL : json_loadb(body, len, 0, NULL);
    free(out);
    free(body);
    if (!rc && (!d || !run))
        rc = osafe_errf(e, OSAFE_ECORRUPT, "evaluation %s: stored run or "
                        "reviews unreadable", id);
    json_t *fig = NULL;
    osafe_err fe;
    /* a run without refusal figures has nothing to correct */
    if (!rc && eval_review_figures(json_object_get(run, "results"),
                                   json_object_get(d, "counts"), &fig, &fe))
        fig = json_null();
    if (!rc)
        json_object_set_new(d, "figures", fig);
    json_decref(run);
    if (rc)
        json_decref(d);
    else
        *doc = d;
    return rc;
}
