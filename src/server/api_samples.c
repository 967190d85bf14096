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

static int bad(http_resp *w, const char *name, const char *why)
{
    http_resp_error(w, 400, "bad_request", name, "query parameter '%s' %s",
                    name, why);
    return -1;
}

/* A yes/no parameter: true/false or 1/0; *out -1 when absent. */
static int query_bool(const http_req *q, http_resp *w, const char *name,
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
        return bad(w, name, "must be true or false");
    return 0;
}

static int query_long(const http_req *q, http_resp *w, const char *name,
                      long long def, long long min, long long max,
                      long long *out)
{
    const char *v = http_req_query(q, name);
    *out = def;
    if (!v)
        return 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || x < min || x > max) {
        char why[96];
        snprintf(why, sizeof why, "must be an integer from %lld to %lld", min,
                 max);
        return bad(w, name, why);
    }
    *out = x;
    return 0;
}

/* A text filter: absent or empty means any. */
static int query_text(const http_req *q, http_resp *w, const char *name,
                      const char **out)
{
    const char *v = http_req_query(q, name);
    *out = v && *v ? v : NULL;
    if (*out && strlen(*out) > OSAFE_SAMPLE_FILTER_MAX) {
        char why[64];
        snprintf(why, sizeof why, "is at most %d bytes",
                 OSAFE_SAMPLE_FILTER_MAX);
        return bad(w, name, why);
    }
    return 0;
}

/* score=pass|fail|error or a number from 0 to 1 (that score exactly). */
static int query_score(const http_req *q, http_resp *w,
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
        return bad(w, "score", "must be pass, fail, error or a number from "
                               "0 to 1");
    f->has_score = 1;
    f->score = x;
    return 0;
}

/* The filters of GET .../samples. */
static int read_filter(const http_req *q, http_resp *w,
                       store_sample_filter *f, long long *page,
                       long long *per)
{
    memset(f, 0, sizeof *f);
    if (query_text(q, w, "hazard", &f->hazard) ||
        query_text(q, w, "language", &f->lang) ||
        query_text(q, w, "label", &f->label) || query_score(q, w, f) ||
        query_bool(q, w, "error", &f->error) ||
        query_bool(q, w, "needs_review", &f->needs_review) ||
        query_long(q, w, "page", 1, 1, INT32_MAX / OSAFE_SAMPLES_PER_PAGE_MAX,
                   page) ||
        query_long(q, w, "per_page", OSAFE_SAMPLES_PER_PAGE_DEFAULT, 1,
                   OSAFE_SAMPLES_PER_PAGE_MAX, per))
        return -1;
    return 0;
}

static void samples_get(api_ctx *a, const http_req *q, http_resp *w,
                        const char *id)
{
    store_sample_filter f;
    long long page, per;
    if (read_filter(q, w, &f, &page, &per))
        return;
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
    if (!http_req_query(q, "offset"))
        return (void)bad(w, "offset", "is required (the chunk's first byte "
                                      "in samples.jsonl)");
    if (query_long(q, w, "offset", 0, 0, OSAFE_EVAL_SAMPLES_MAX, &offset) ||
        query_bool(q, w, "last", &last))
        return;
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
