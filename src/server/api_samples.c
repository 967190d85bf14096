/*
 * api_samples.c - /api/v1/evaluations/{id}/samples (issue 16 item 10):
 * POST uploads one chunk of the run's samples.jsonl (NDJSON, whole lines,
 * ?offset=BYTES[&last=true]); GET reads a page of them with filters.
 * Rules live in the registry (evaluations_samples.c); here only the
 * query's words become a filter, with a 400 naming a bad one.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "server/api_int.h"

/* Why a query parameter was refused: the parameter and the reason. */
struct why {
    const char *name;
    char text[96];
};

static int bad(struct why *y, const char *name, const char *text)
{
    y->name = name;
    snprintf(y->text, sizeof y->text, "%s", text);
    return -1;
}

/* A yes/no parameter: true/false or 1/0; *out -1 when absent. */
static int query_bool(const http_req *q, struct why *y, const char *name,
                      int *out)
{
    const char *v = http_req_query(q, name);
    *out = -1;
    if (!v || !*v)
        return 0;
    if (!strcmp(v, "true") || !strcmp(v, "1"))
        *out = 1;
    else if (!strcmp(v, "false") || !strcmp(v, "0"))
        *out = 0;
    else
        return bad(y, name, "must be true or false");
    return 0;
}

static int query_long(const http_req *q, struct why *y, const char *name,
                      long long def, long long min, long long max,
                      long long *out)
{
    const char *v = http_req_query(q, name);
    *out = def;
    if (!v || (!*v && def > 0))
        return 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || x < min || x > max) {
        y->name = name;
        snprintf(y->text, sizeof y->text,
                 "must be an integer from %lld to %lld", min, max);
        return -1;
    }
    *out = x;
    return 0;
}

/* A text filter: absent or empty means any. */
static int query_text(const http_req *q, struct why *y, const char *name,
                      const char **out)
{
    const char *v = http_req_query(q, name);
    *out = v && *v ? v : NULL;
    if (*out && strlen(*out) > OSAFE_SAMPLE_FILTER_MAX) {
        y->name = name;
        snprintf(y->text, sizeof y->text, "is at most %d bytes",
                 OSAFE_SAMPLE_FILTER_MAX);
        return -1;
    }
    return 0;
}

/* score=pass|fail|error or a number from 0 to 1 (that score exactly). */
static int query_score(const http_req *q, struct why *y,
                       store_sample_filter *f)
{
    const char *v = http_req_query(q, "score");
    if (!v || !*v)
        return 0;
    if (!strcmp(v, "pass") || !strcmp(v, "fail") || !strcmp(v, "error")) {
        f->outcome = v;
        return 0;
    }
    char *end;
    double x = strtod(v, &end);
    if (*end || !isfinite(x) || x < 0 || x > 1)
        return bad(y, "score", "must be pass, fail, error or a number from "
                               "0 to 1");
    f->has_score = 1;
    f->score = x;
    return 0;
}

int api__sample_filter(const http_req *q, store_sample_filter *f,
                       long long *page, long long *per, const char **param,
                       char *why, size_t whylen)
{
    struct why y = {NULL, ""};
    memset(f, 0, sizeof *f);
    int rc = 0;
    if (query_text(q, &y, "hazard", &f->hazard) ||
        query_text(q, &y, "language", &f->lang) ||
        query_text(q, &y, "label", &f->label) || query_score(q, &y, f) ||
        query_bool(q, &y, "error", &f->error) ||
        query_bool(q, &y, "needs_review", &f->needs_review) ||
        query_long(q, &y, "page", 1, 1,
                   INT32_MAX / OSAFE_SAMPLES_PER_PAGE_MAX, page) ||
        query_long(q, &y, "per_page", OSAFE_SAMPLES_PER_PAGE_DEFAULT, 1,
                   OSAFE_SAMPLES_PER_PAGE_MAX, per))
        rc = -1;
    *param = y.name;
    snprintf(why, whylen, "%s", y.text);
    return rc;
}

static void samples_get(api_ctx *a, const http_req *q, http_resp *w,
                        const char *id)
{
    store_sample_filter f;
    long long page, per;
    const char *param;
    char why[96];
    if (api__sample_filter(q, &f, &page, &per, &param, why, sizeof why)) {
        http_resp_error(w, 400, "bad_request", param,
                        "query parameter '%s' %s", param, why);
        return;
    }
    char *out = NULL;
    osafe_err e;
    int rc = reg_evaluation_samples(a->reg, id, &f, (int)page, (int)per, &out,
                                    &e);
    if (rc == OSAFE_ESTATE) /* withdrawn: gone as the run is */
        http_resp_error(w, 410, "gone", NULL, "%s", e.msg);
    else if (rc)
        api__fail(w, &e);
    else
        http_resp_json(w, 200, out);
    free(out);
}

static void samples_post(api_ctx *a, const http_req *q, http_resp *w,
                         const reg_caller *c, const char *id)
{
    const char *ct = http_req_header(q, "Content-Type");
    size_t n = 0;
    if (ct)
        while (ct[n] && ct[n] != ';' && ct[n] != ' ')
            n++;
    if (!ct || n != 20 || strncasecmp(ct, "application/x-ndjson", 20)) {
        http_resp_error(w, 415, "unsupported_media_type", NULL,
                        "samples are sent as application/x-ndjson (lines "
                        "of samples.jsonl)");
        return;
    }
    long long offset;
    int last;
    struct why y = {NULL, ""};
    if (!http_req_query(q, "offset"))
        bad(&y, "offset", "is required (the chunk's first byte in "
                          "samples.jsonl)");
    if (y.name || query_long(q, &y, "offset", -1, 0, OSAFE_EVAL_SAMPLES_MAX,
                             &offset) ||
        query_bool(q, &y, "last", &last)) {
        http_resp_error(w, 400, "bad_request", y.name,
                        "query parameter '%s' %s", y.name, y.text);
        return;
    }
    size_t len;
    const char *body = http_req_body(q, &len);
    char *out = NULL;
    osafe_err e;
    int rc = reg_evaluation_samples_put(a->reg, c, id, offset, last == 1,
                                        body, len, &out, &e);
    if (rc)
        api__fail(w, &e);
    else
        http_resp_json(w, 200, out);
    free(out);
}

void api__evaluation_samples(api_ctx *a, const http_req *q, http_resp *w,
                             const reg_caller *c, const char *id,
                             size_t idlen)
{
    char eid[32];
    snprintf(eid, sizeof eid, "%.*s", (int)idlen, id);
    const char *m = http_req_method(q);
    if (!strcmp(m, "GET"))
        return samples_get(a, q, w, eid);
    if (!strcmp(m, "POST"))
        return samples_post(a, q, w, c, eid);
    http_resp_header(w, "Allow", "GET, POST");
    http_resp_error(w, 405, "method_not_allowed", NULL,
                    "method not allowed here (allowed: GET, POST)");
}
