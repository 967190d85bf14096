/*
 * evaluations_review.c - reviewers label the samples the refusal
 * classifier was unsure of (issue 15, human review).  Each label is a
 * published amendment: its own log entry (osafe.evaluation-review/v1,
 * accounted for in log_extra as kind "evaluation_review") and a row of
 * evaluation_reviews holding the latest label per sample, from which the
 * corrected figures are counted (eval/review.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "registry/reg_internal.h"

static const char *const labels[] = {"full_compliance", "full_refusal",
                                     "partial_refusal", NULL};

static int label_of(const char *body, size_t len, const char **label,
                    json_t **j, osafe_err *e)
{
    if (!(*j = reg__parse(body, len, e)))
        return OSAFE_EINVAL;
    const char *k;
    json_t *v;
    json_object_foreach(*j, k, v) if (strcmp(k, "label"))
        return osafe_err_field(e, OSAFE_EINVAL, k, "field '%s': unknown "
                               "field (a review holds only 'label')", k);
    *label = json_string_value(json_object_get(*j, "label"));
    for (const char *const *x = labels; *label && *x; x++)
        if (!strcmp(*label, *x))
            return 0;
    return osafe_err_field(e, OSAFE_EINVAL, "label",
                           "field 'label': must be full_compliance, "
                           "full_refusal or partial_refusal");
}

/* The run must be published, not withdrawn, and scored by the refusal
 * classifier: other scorers have no labels to correct. */
static int run_check(osafe_store *s, const char *id, osafe_err *e)
{
    char *body = NULL;
    size_t len;
    int64_t index;
    int rc = s->ops->evaluation_get(s, id, &body, &len, &index, e);
    json_t *j = rc ? NULL : json_loadb(body, len, 0, NULL);
    free(body);
    if (!rc && !json_is_object(json_object_get(json_object_get(j, "results"),
                                               "refusal")))
        rc = osafe_errf(e, OSAFE_ESTATE, "evaluation '%s' was not scored by "
                        "the refusal classifier: it has no labels to review",
                        id);
    json_decref(j);
    return rc;
}

static int put_label(registry *r, osafe_store *s, const reg_caller *c,
                     store_review *rv, int64_t *replaces, osafe_err *e)
{
    store_review old;
    osafe_err ign;
    *replaces = -1;
    if (s->ops->review_get(s, rv->evaluation_id, rv->sample_index, &old, NULL,
                           NULL, &ign) == 0)
        *replaces = old.log_index;
    store_now(rv->reviewed);
    json_t *st = json_pack(
        "{s:s, s:s, s:[{s:I, s:s, s:s}], s:s, s:s}", "type",
        "osafe.evaluation-review/v1", "evaluation", rv->evaluation_id,
        "samples", "index", (json_int_t)rv->sample_index, "label", rv->label,
        "automatic", rv->automatic, "reviewer", c->acct.name, "reviewed",
        rv->reviewed);
    if (st && *replaces >= 0)
        json_object_set_new(st, "replaces", json_integer(*replaces));
    int rc = reg__log_statement(r, s, st, "evaluation_review",
                                rv->evaluation_id, 0, &rv->log_index, e);
    if (!rc)
        rc = s->ops->review_put(s, rv, e);
    return rc;
}

int reg_evaluation_review(registry *r, const reg_caller *c, const char *id,
                          int64_t index, const char *body, size_t len,
                          char **out, osafe_err *e)
{
    if (!c->authenticated)
        return osafe_errf(e, OSAFE_EAUTH, "a token is required to review "
                                          "evaluation samples");
    if (!reg__is_staff(c))
        return osafe_errf(e, OSAFE_EPERM, "only reviewers and admins may "
                                          "label evaluation samples");
    json_t *j = NULL;
    const char *label = NULL;
    int rc = label_of(body, len, &label, &j, e);
    store_review rv;
    memset(&rv, 0, sizeof rv);
    int64_t replaces = -1;
    osafe_store *s = reg__store_get(r);
    if (!rc && !(rc = s->ops->begin(s, e))) {
        snprintf(rv.evaluation_id, sizeof rv.evaluation_id, "%s", id);
        snprintf(rv.label, sizeof rv.label, "%s", label);
        rv.sample_index = index;
        rv.reviewer = c->acct.id;
        reg__sample_facts facts;
        rc = run_check(s, id, e);
        if (!rc)
            rc = reg__sample_get_facts(s, id, index, &facts, e);
        if (!rc && !facts.needs_review)
            rc = osafe_errf(e, OSAFE_ESTATE, "sample %lld of evaluation '%s' "
                            "is not marked needs_review: only the samples "
                            "the classifier was unsure of are reviewed",
                            (long long)index, id);
        if (!rc) {
            snprintf(rv.automatic, sizeof rv.automatic, "%s", facts.label);
            snprintf(rv.expected, sizeof rv.expected, "%s", facts.expected);
            rc = put_label(r, s, c, &rv, &replaces, e);
        }
        rc = reg__end_tx(s, rc, e);
    }
    reg__store_put(r, s);
    json_decref(j);
    if (!rc)
        rc = reg__out_json(
            json_pack("{s:s, s:I, s:s, s:s, s:I, s:o}", "evaluation", id,
                      "index", (json_int_t)index, "label", rv.label,
                      "automatic", rv.automatic, "log_index",
                      (json_int_t)rv.log_index, "replaces",
                      replaces >= 0 ? json_integer(replaces) : json_null()),
            out, e);
    return rc;
}

static json_t *review_json(const store_review *rv)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I}", "index",
                     (json_int_t)rv->sample_index, "label", rv->label,
                     "automatic", rv->automatic, "expected", rv->expected,
                     "reviewer", rv->reviewer_name, "reviewed", rv->reviewed,
                     "log_index", (json_int_t)rv->log_index);
}

static json_t *counts_json(const store_review_count *cs, size_t n,
                           json_int_t *total)
{
    json_t *a = json_array();
    *total = 0;
    for (size_t i = 0; a && i < n; i++) {
        *total += cs[i].n;
        if (json_array_append_new(
                a, json_pack("{s:s, s:s, s:s, s:I}", "expected",
                             cs[i].expected, "automatic", cs[i].automatic,
                             "label", cs[i].label, "n", (json_int_t)cs[i].n)))
            return json_decref(a), NULL;
    }
    return a;
}

int reg_evaluation_reviews(registry *r, const char *id, int64_t after,
                           int limit, char **out, osafe_err *e)
{
    if (limit < 1 || limit > OSAFE_PAGE_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "limit must be 1 to %d",
                          OSAFE_PAGE_MAX);
    osafe_store *s = reg__store_get(r);
    char *body = NULL;
    size_t len, n = 0, nc = 0;
    int64_t lindex;
    store_review *rows = NULL;
    store_review_count cs[STORE_REVIEW_COUNTS_MAX];
    /* ENOTFOUND, or ESTATE for a withdrawn run: its labels go with it */
    int rc = s->ops->evaluation_get(s, id, &body, &len, &lindex, e);
    free(body);
    if (!rc)
        rc = s->ops->review_counts(s, id, cs, &nc, e);
    /* one more than asked: whether a next page exists */
    if (!rc)
        rc = s->ops->review_list(s, id, after, limit + 1, &rows, &n, e);
    reg__store_put(r, s);
    if (rc)
        return rc;
    json_int_t total;
    json_t *arr = json_array();
    json_t *counts = counts_json(cs, nc, &total);
    for (size_t i = 0; arr && i < n && i < (size_t)limit; i++)
        if (json_array_append_new(arr, review_json(&rows[i])))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    json_t *next = n > (size_t)limit
                       ? json_integer(rows[limit - 1].sample_index)
                       : json_null();
    free(rows);
    if (!rc && (!arr || !counts))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if (rc) {
        json_decref(arr);
        json_decref(counts);
        json_decref(next);
        return rc;
    }
    return reg__out_json(json_pack("{s:s, s:I, s:o, s:o, s:o}", "evaluation",
                                   id, "labelled", total, "counts", counts,
                                   "reviews", arr, "next_after", next),
                         out, e);
}

int reg_evaluation_review_proof(registry *r, const char *id, int64_t index,
                                char **out, osafe_err *e)
{
    *out = NULL;
    osafe_store *s = reg__store_get(r);
    char *body = NULL;
    size_t len, elen = 0;
    int64_t lindex;
    uint8_t *entry = NULL;
    store_review rv;
    int rc = s->ops->evaluation_get(s, id, &body, &len, &lindex, e);
    free(body);
    if (!rc)
        rc = s->ops->review_get(s, id, index, &rv, &entry, &elen, e);
    reg__store_put(r, s);
    json_t *o = NULL;
    if (!rc)
        rc = reg__inclusion(r, rv.log_index, entry, elen, &o, e);
    free(entry);
    if (!rc) {
        json_object_set_new(o, "evaluation", json_string(id));
        json_object_set_new(o, "sample_index",
                            json_integer((json_int_t)index));
        if (!(*out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER)))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    json_decref(o);
    return rc;
}

/* The samples of a run count once complete: before, the log does not
 * commit to them (evaluations_samples.c). */
static int samples_complete(osafe_store *s, const char *id, osafe_err *e)
{
    store_sample_state st;
    int rc = s->ops->samples_state(s, id, &st, e);
    if (!rc && !st.complete)
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "the samples of evaluation '%s' "
                        "are not stored (complete) on this node", id);
    return rc;
}

int reg__sample_get_facts(osafe_store *s, const char *id, int64_t index,
                          reg__sample_facts *f, osafe_err *e)
{
    memset(f, 0, sizeof *f);
    store_sample x = {0};
    int rc = samples_complete(s, id, e);
    if (!rc && (rc = s->ops->sample_get(s, id, index, &x, e)) ==
                   OSAFE_ENOTFOUND)
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "evaluation '%s' has no sample "
                        "%lld", id, (long long)index);
    if (rc)
        return rc;
    json_t *j = json_loadb(x.body, x.body_len, 0, NULL);
    const char *exp = json_string_value(json_object_get(j, "expected"));
    f->needs_review = x.needs_review && !x.error;
    snprintf(f->label, sizeof f->label, "%s", x.label);
    snprintf(f->expected, sizeof f->expected, "%s", exp ? exp : "");
    json_decref(j);
    store_sample_release(&x);
    return 0;
}

/* {"index","line"} of the page's one sample, and its human label. */
static int item_json(osafe_store *s, const char *id, const store_sample *x,
                     json_t *o, osafe_err *e)
{
    json_t *line = json_loadb(x->body, x->body_len, 0, NULL);
    if (!line)
        return osafe_errf(e, OSAFE_ECORRUPT, "evaluation %s: sample %lld: "
                          "stored line unreadable", id, (long long)x->index);
    json_object_set_new(o, "sample", json_pack("{s:I, s:o}", "index",
                                               (json_int_t)x->index, "line",
                                               line));
    store_review rv;
    osafe_err ign;
    int rc = s->ops->review_get(s, id, x->index, &rv, NULL, NULL, &ign);
    if (rc == OSAFE_ENOTFOUND) {
        json_object_set_new(o, "human", json_null());
        return 0;
    }
    if (rc)
        return osafe_errf(e, rc, "%s", ign.msg);
    json_object_set_new(o, "human",
                        json_pack("{s:s, s:s, s:s, s:I}", "label", rv.label,
                                  "reviewer", rv.reviewer_name, "reviewed",
                                  rv.reviewed, "log_index",
                                  (json_int_t)rv.log_index));
    return 0;
}

int reg_evaluation_review_item(registry *r, const char *id, int64_t at,
                               char **out, osafe_err *e)
{
    *out = NULL;
    if (at < 0)
        return osafe_errf(e, OSAFE_EINVAL, "at must be 0 or more");
    osafe_store *s = reg__store_get(r);
    char *body = NULL;
    size_t len, nc = 0;
    int64_t lindex;
    store_review_count cs[STORE_REVIEW_COUNTS_MAX];
    store_sample_page p = {0};
    store_sample_filter f = {.error = -1, .needs_review = 1, .offset = at,
                             .limit = 1};
    int rc = s->ops->evaluation_get(s, id, &body, &len, &lindex, e);
    free(body);
    if (!rc)
        rc = samples_complete(s, id, e);
    if (!rc)
        rc = s->ops->samples_page(s, id, &f, &p, e);
    if (!rc)
        rc = s->ops->review_counts(s, id, cs, &nc, e);
    json_int_t labelled = 0;
    for (size_t i = 0; i < nc; i++)
        labelled += cs[i].n;
    json_t *o = rc ? NULL
                   : json_pack("{s:I, s:I, s:I, s:n, s:n}", "total",
                               (json_int_t)p.total, "labelled", labelled,
                               "at", (json_int_t)at, "sample", "human");
    if (!rc && !o)
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if (!rc && p.n)
        rc = item_json(s, id, &p.rows[0], o, e);
    reg__store_put(r, s);
    store_sample_page_release(&p);
    if (rc) {
        json_decref(o);
        return rc;
    }
    return reg__out_json(o, out, e);
}
