/*
 * api.c - routing: method and path to a registry call, registry status to
 * HTTP status.  No rule about records lives here (see registry.h).
 */
#include "server/api.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsx.h"
#include "core/limits.h"
#include "server/api_int.h"
#include "federation/federation.h"
#include "server/ratelimit.h"
#include "server/reviews.h"
#include "tlog/cosig.h"
#include "tlog/tile.h"

static int http_status(int code)
{
    switch (code) {
    case OSAFE_EINVAL:
        return 422;
    case OSAFE_EAUTH:
        return 401;
    case OSAFE_EPERM:
        return 403;
    case OSAFE_ENOTFOUND:
        return 404;
    case OSAFE_ESTATE:
    case OSAFE_EEXIST:
        return 409;
    case OSAFE_ETOOBIG:
        return 413;
    case OSAFE_EUNSUPPORTED:
        return 415;
    default:
        return 500;
    }
}

static const char *status_code_name(int status)
{
    switch (status) {
    case 400: return "bad_request";
    case 401: return "unauthorized";
    case 403: return "forbidden";
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 409: return "conflict";
    case 410: return "gone";
    case 413: return "too_large";
    case 415: return "unsupported_media_type";
    case 422: return "invalid";
    case 429: return "too_many_requests";
    default: return "internal";
    }
}

static void fail(http_resp *w, const osafe_err *e)
{
    int st = http_status(e->code);
    if (st == 500) {
        /* Details of internal failures go to the operator, not the caller. */
        fprintf(stderr, "osafe serve: internal error: %s\n", e->msg);
        http_resp_error(w, 500, "internal", NULL, "internal error");
        return;
    }
    if (st == 401)
        http_resp_header(w, "WWW-Authenticate", "Bearer realm=\"osafe\"");
    http_resp_error(w, st, status_code_name(st), e->field[0] ? e->field : NULL,
                    "%s", e->msg);
}

void api__fail(http_resp *w, const osafe_err *e)
{
    fail(w, e);
}

static void reply(http_resp *w, int status, int rc, char *json,
                  const osafe_err *e)
{
    if (rc)
        fail(w, e);
    else
        http_resp_json(w, status, json);
    free(json);
}

/* Bodies must be JSON: a request with a body and another media type (or
 * none) is refused before anything reads it. */
static int check_json_body(const http_req *q, http_resp *w, int patch)
{
    size_t len;
    http_req_body(q, &len);
    if (len == 0)
        return 0;
    const char *ct = http_req_header(q, "Content-Type");
    size_t n = 0;
    if (ct)
        while (ct[n] && ct[n] != ';' && ct[n] != ' ')
            n++;
    if (ct && ((n == 16 && !strncasecmp(ct, "application/json", 16)) ||
               (patch && n == 28 &&
                !strncasecmp(ct, "application/merge-patch+json", 28))))
        return 0;
    http_resp_error(w, 415, "unsupported_media_type", NULL,
                    "request bodies must be application/json%s",
                    patch ? " or application/merge-patch+json" : "");
    return -1;
}

/* Writes are limited per account (issue 9 item 3): 429 with Retry-After
 * once its minute's worth is spent.  Anonymous writes are refused anyway;
 * they count against their address. */
static int throttled(api_ctx *a, const http_req *q, http_resp *w,
                     const reg_caller *c)
{
    const char *m = http_req_method(q);
    if (!a->writes || !strcmp(m, "GET") || !strcmp(m, "HEAD"))
        return 0;
    char key[80];
    if (c->authenticated)
        snprintf(key, sizeof key, "acct:%lld", (long long)c->acct.id);
    else
        snprintf(key, sizeof key, "ip:%s", http_client_addr(q));
    unsigned wait = ratelimit_take(a->writes, key, ratelimit_now());
    if (!wait)
        return 0;
    char v[16];
    snprintf(v, sizeof v, "%u", wait);
    http_resp_header(w, "Retry-After", v);
    http_resp_error(w, 429, "too_many_requests", NULL,
                    "too many writes from this account: retry in %u s", wait);
    return 1;
}

static int caller(api_ctx *a, const http_req *q, http_resp *w, reg_caller *c)
{
    osafe_err e;
    const char *h = http_req_header(q, "Authorization");
    const char *token = NULL;
    if (h) {
        if (strncasecmp(h, "Bearer ", 7) != 0 || !h[7]) {
            http_resp_header(w, "WWW-Authenticate", "Bearer realm=\"osafe\"");
            http_resp_error(w, 401, "unauthorized", NULL,
                            "Authorization must be 'Bearer <token>'");
            return -1;
        }
        token = h + 7;
    }
    if (reg_auth(a->reg, token, c, &e) != 0) {
        fail(w, &e);
        return -1;
    }
    return 0;
}

static void method_not_allowed(http_resp *w, const char *allow)
{
    http_resp_header(w, "Allow", allow);
    http_resp_error(w, 405, "method_not_allowed", NULL,
                    "method not allowed here (allowed: %s)", allow);
}

/* Parse an optional positive integer query argument. */
static int query_int(const http_req *q, http_resp *w, const char *name,
                     int def, int min, int max, int *out)
{
    const char *v = http_req_query(q, name);
    *out = def;
    if (!v)
        return 0;
    char *end;
    long x = strtol(v, &end, 10);
    if (!*v || *end || x < min || x > max) {
        http_resp_error(w, 400, "bad_request", name,
                        "query parameter '%s' must be an integer from %d to "
                        "%d",
                        name, min, max);
        return -1;
    }
    *out = (int)x;
    return 0;
}

/* An entry bundle, gzip'd for clients that accept it (tlog-tiles: bundles
 * SHOULD be compressible); caches must key on Accept-Encoding. */
static void serve_bundle(const http_req *q, http_resp *w, const char *path,
                         const char *cache)
{
    http_resp_header(w, "Vary", "Accept-Encoding");
    char *raw = NULL;
    size_t len;
    osafe_err e;
    osafe_buf gz = OSAFE_BUF_INIT;
    if (!http_accepts_gzip(http_req_header(q, "Accept-Encoding")) ||
        fsx_read_file(path, OSAFE_LOG_BUNDLE_GZIP_MAX, &raw, &len, &e) ||
        http_gzip(raw, len, &gz)) {
        /* Not asked for, too big to compress here, or missing: the plain
         * file (which answers 404 when it is missing). */
        free(raw);
        buf_release(&gz);
        http_resp_file(w, path, "application/octet-stream", cache);
        return;
    }
    free(raw);
    http_resp_header(w, "Content-Encoding", "gzip");
    http_resp_header(w, "Cache-Control", cache);
    if (http_resp_body(w, "application/octet-stream", gz.data, gz.len))
        http_resp_error(w, 500, "internal", NULL, "out of memory");
    buf_release(&gz);
}

static void serve_log(api_ctx *a, const http_req *q, http_resp *w,
                      const char *rel)
{
    if (strcmp(http_req_method(q), "GET") && strcmp(http_req_method(q), "HEAD"))
        return method_not_allowed(w, "GET, HEAD");
    char path[OSAFE_PATH_MAX];
    if (!strcmp(rel, "checkpoint")) {
        /* with the cosignatures collected for it, if any (tlog/cosig.h) */
        char *note = NULL;
        size_t len;
        osafe_err e;
        if (tlog_cosigned_read(a->log_dir, &note, &len, &e) != 0)
            return (void)http_resp_error(w, e.code == OSAFE_ENOTFOUND ? 404
                                                                      : 500,
                                         "not_found", NULL,
                                         "no checkpoint");
        /* tlog-tiles: the checkpoint may be cached a few seconds at most */
        http_resp_header(w, "Cache-Control", "public, max-age=2");
        if (http_resp_body(w, "text/plain; charset=utf-8", note, len))
            http_resp_error(w, 500, "internal", NULL, "out of memory");
        free(note);
        return;
    }
    int level;
    uint64_t index;
    unsigned width;
    /* Only names the spec produces are served, so no other file of the
     * directory (its configuration, its lock) can be reached. */
    if (tlog_tile_parse(rel, &level, &index, &width) != 0) {
        http_resp_error(w, 404, "not_found", NULL, "no such log resource");
        return;
    }
    snprintf(path, sizeof path, "%s/%s", a->log_dir, rel);
    const char *cache = width ? "public, max-age=3600"
                              : "public, max-age=31536000, immutable";
    if (level == TLOG_TILE_ENTRIES)
        serve_bundle(q, w, path, cache);
    else
        http_resp_file(w, path, "application/octet-stream", cache);
}

/* GET /api/v1/search?...&include=mirrored: our search's answer *out
 * (replaced) with "mirrored": the matching records of peers, each with its
 * origin, in an array of their own: never among ours. */
static int search_mirrored(api_ctx *a, const reg_caller *c, const char *qs,
                           const char *origin, int limit, char **out,
                           osafe_err *e)
{
    json_t *found = NULL;
    json_error_t je;
    json_t *doc = json_loads(*out, 0, &je);
    int rc = doc ? reg_mirror_search(a->reg, c, qs, origin, limit, &found, e)
                 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if (!rc && json_object_set_new(doc, "mirrored", found))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    char *txt = rc ? NULL : json_dumps(doc, JSON_COMPACT);
    if (!rc && !txt)
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    json_decref(doc);
    free(*out);
    *out = txt;
    return rc;
}

/* GET /api/v1/records?origin=ORIGIN: records mirrored from a peer's log
 * (issue 12); no other filter applies to them yet. */
static void mirrored_collection(api_ctx *a, const http_req *q, http_resp *w,
                                const reg_caller *c, const char *origin)
{
    static const char *const others[] = {"status", "hazard", "severity",
                                         "country", "model", "language",
                                         "tlp", "since", "until", "sort",
                                         "page", NULL};
    for (const char *const *o = others; *o; o++)
        if (http_req_query(q, *o))
            return (void)http_resp_error(w, 400, "bad_request", *o,
                                         "%s cannot be combined with origin "
                                         "(mirrored records take limit and "
                                         "cursor only)",
                                         *o);
    if (!*origin)
        return (void)http_resp_error(w, 400, "bad_request", "origin",
                                     "origin must name a peer's log");
    int limit;
    if (query_int(q, w, "limit", OSAFE_PAGE_DEFAULT, 1, OSAFE_PAGE_MAX,
                  &limit))
        return;
    osafe_err e;
    char *out = NULL;
    int rc = reg_mirror_list(a->reg, c, origin, limit,
                             http_req_query(q, "cursor"), &out, &e);
    reply(w, 200, rc, out, &e);
}

static void records_collection(api_ctx *a, const http_req *q, http_resp *w,
                               const reg_caller *c)
{
    osafe_err e;
    char *out = NULL;
    const char *m = http_req_method(q);
    size_t len;
    const char *body = http_req_body(q, &len);
    if (!strcmp(m, "POST")) {
        if (check_json_body(q, w, 0))
            return;
        if (len == 0)
            return (void)http_resp_error(w, 422, "invalid", NULL,
                                         "a record is required");
        int rc = reg_create(a->reg, c, body, len, &out, &e);
        if (!rc) {
            char loc[96];
            const char *id = strstr(out, "\"id\":\"");
            if (id) {
                snprintf(loc, sizeof loc, "/api/v1/records/%.*s",
                         (int)strcspn(id + 6, "\""), id + 6);
                http_resp_header(w, "Location", loc);
            }
        }
        return reply(w, 201, rc, out, &e);
    }
    if (strcmp(m, "GET"))
        return method_not_allowed(w, "GET, POST");
    const char *origin = http_req_query(q, "origin");
    if (origin)
        return mirrored_collection(a, q, w, c, origin);
    store_filter f;
    memset(&f, 0, sizeof f);
    f.state = http_req_query(q, "status");
    f.hazard = http_req_query(q, "hazard");
    f.severity = http_req_query(q, "severity");
    f.country = http_req_query(q, "country");
    f.model = http_req_query(q, "model");
    f.language = http_req_query(q, "language");
    f.tlp = http_req_query(q, "tlp");
    f.since = http_req_query(q, "since");
    f.until = http_req_query(q, "until");
    f.cursor = http_req_query(q, "cursor");
    f.sort = http_req_query(q, "sort");
    int page;
    if (query_int(q, w, "limit", OSAFE_PAGE_DEFAULT, 1, OSAFE_PAGE_MAX,
                  &f.limit) ||
        query_int(q, w, "page", 1, 1, OSAFE_LIST_PAGE_MAX, &page))
        return;
    f.offset = (page - 1) * f.limit;
    int rc = reg_list(a->reg, c, &f, &out, &e);
    /* Everything reg_list can refuse came from the query string: a bad
     * request, like a bad limit, not an unprocessable body. */
    if (rc == OSAFE_EINVAL)
        return (void)http_resp_error(w, 400, "bad_request",
                                     e.field[0] ? e.field : NULL, "%s",
                                     e.msg);
    reply(w, 200, rc, out, &e);
}

/* /api/v1/records/{id}[/action] */
static void record_item(api_ctx *a, const http_req *q, http_resp *w,
                        const reg_caller *c, const char *rest)
{
    const char *slash = strchr(rest, '/');
    size_t idlen = slash ? (size_t)(slash - rest) : strlen(rest);
    if (!reg_id_valid(rest, idlen))
        return (void)http_resp_error(w, 404, "not_found", NULL,
                                     "no such record");
    char id[32];
    memcpy(id, rest, idlen);
    id[idlen] = '\0';
    const char *action = slash ? slash + 1 : "";
    const char *m = http_req_method(q);
    size_t len;
    const char *body = http_req_body(q, &len);
    osafe_err e;
    char *out = NULL;
    int rc;

    if (!*action) {
        if (!strcmp(m, "PATCH")) {
            if (check_json_body(q, w, 1))
                return;
            rc = reg_patch(a->reg, c, id, body, len, &out, &e);
            return reply(w, 200, rc, out, &e);
        }
        if (!strcmp(m, "DELETE")) { /* discard a never-published draft */
            if ((rc = reg_discard(a->reg, c, id, &e)))
                return fail(w, &e);
            return http_resp_status(w, 204);
        }
        if (strcmp(m, "GET"))
            return method_not_allowed(w, "GET, PATCH, DELETE");
        int version;
        if (query_int(q, w, "version", 0, 1, 1 << 30, &version))
            return;
        char *rec;
        size_t rlen;
        reg_meta meta;
        if ((rc = reg_get(a->reg, c, id, version, &rec, &rlen, &meta, &e)))
            return fail(w, &e);
        /* The stored bytes, as they were hashed: never re-serialised. */
        char v[32];
        snprintf(v, sizeof v, "%d", meta.version);
        http_resp_header(w, "X-Osafe-Version", v);
        http_resp_header(w, "X-Osafe-State", meta.state);
        http_resp_header(w, "X-Osafe-TLP", meta.tlp);
        if (meta.org[0])
            http_resp_header(w, "X-Osafe-Org", meta.org);
        if (meta.log_index >= 0) {
            snprintf(v, sizeof v, "%lld", (long long)meta.log_index);
            http_resp_header(w, "X-Osafe-Log-Index", v);
        }
        http_resp_body(w, "application/json; charset=utf-8", rec, rlen);
        free(rec);
        return;
    }
    if (!strcmp(action, "proof") || !strcmp(action, "links")) {
        if (!strcmp(action, "links") && !strcmp(m, "POST")) {
            if (check_json_body(q, w, 0))
                return;
            rc = reg_link(a->reg, c, id, body, len, &out, &e);
            return reply(w, 200, rc, out, &e);
        }
        if (strcmp(m, "GET"))
            return method_not_allowed(
                w, !strcmp(action, "links") ? "GET, POST" : "GET");
        if (!strcmp(action, "links")) {
            rc = reg_links(a->reg, c, id, &out, &e);
            return reply(w, 200, rc, out, &e);
        }
        int version;
        if (query_int(q, w, "version", 0, 1, 1 << 30, &version))
            return;
        rc = reg_proof(a->reg, c, id, version, &out, &e);
        return reply(w, 200, rc, out, &e);
    }
    static const char *const posts[] = {"submit", "review", "amend",
                                        "withdraw", "evidence", NULL};
    int known = 0;
    for (const char *const *p = posts; *p; p++)
        known |= !strcmp(action, *p);
    if (!known)
        return (void)http_resp_error(w, 404, "not_found", NULL,
                                     "no such route");
    if (strcmp(m, "POST"))
        return method_not_allowed(w, "POST");
    if (check_json_body(q, w, 0))
        return;
    if (!strcmp(action, "submit"))
        rc = reg_submit(a->reg, c, id, &out, &e);
    else if (!strcmp(action, "review"))
        rc = reg_review(a->reg, c, id, body, len, &out, &e);
    else if (!strcmp(action, "amend"))
        rc = reg_amend(a->reg, c, id, body, len, &out, &e);
    else if (!strcmp(action, "withdraw"))
        rc = reg_withdraw(a->reg, c, id, body, len, &out, &e);
    else
        rc = reg_evidence(a->reg, c, id, body, len, &out, &e);
    reply(w, !strcmp(action, "amend") || !strcmp(action, "evidence") ? 201
                                                                      : 200,
          rc, out, &e);
}

/* POST /api/v1/evaluations/{id}/withdraw (issue 9 item 2) */
static void evaluation_withdraw(api_ctx *a, const http_req *q, http_resp *w,
                                const reg_caller *c, const char *id,
                                size_t idlen)
{
    if (strcmp(http_req_method(q), "POST"))
        return method_not_allowed(w, "POST");
    if (check_json_body(q, w, 0))
        return;
    char eid[32];
    snprintf(eid, sizeof eid, "%.*s", (int)idlen, id);
    size_t len;
    const char *body = http_req_body(q, &len);
    char *out = NULL;
    osafe_err e;
    int rc = reg_evaluation_withdraw(a->reg, c, eid, body, len, &out, &e);
    reply(w, 200, rc, out, &e);
}

/* GET /api/v1/evaluations/{id}/proof (issue 16 item 2): runs are public,
 * so is their proof; a withdrawn run's is gone as the run is. */
static void evaluation_proof(api_ctx *a, const http_req *q, http_resp *w,
                             const char *id, size_t idlen)
{
    if (strcmp(http_req_method(q), "GET"))
        return method_not_allowed(w, "GET");
    char eid[32];
    snprintf(eid, sizeof eid, "%.*s", (int)idlen, id);
    char *out = NULL;
    osafe_err e;
    int rc = reg_evaluation_proof(a->reg, eid, &out, &e);
    if (rc == OSAFE_ESTATE && strstr(e.msg, "withdrawn"))
        return (void)http_resp_error(w, 410, "gone", NULL, "%s", e.msg);
    reply(w, 200, rc, out, &e);
}

/* Human review (issue 15): POST .../samples/{index}/review, GET
 * .../samples/{index}/review/proof, GET .../reviews.  1 when sub is one
 * of them (answered), 0 to let the caller route it. */
static int review_routes(api_ctx *a, const http_req *q, http_resp *w,
                         const reg_caller *c, const char *id, size_t idlen,
                         const char *sub)
{
    char eid[32];
    snprintf(eid, sizeof eid, "%.*s", (int)idlen, id);
    const char *m = http_req_method(q);
    char *out = NULL;
    osafe_err e;
    int rc;
    if (!strcmp(sub, "/reviews")) {
        int limit, after;
        if (strcmp(m, "GET"))
            return method_not_allowed(w, "GET"), 1;
        if (query_int(q, w, "limit", OSAFE_PAGE_DEFAULT, 1, OSAFE_PAGE_MAX,
                      &limit) ||
            query_int(q, w, "after", -1, -1, INT_MAX, &after))
            return 1;
        json_t *doc = NULL;
        rc = srv_reviews_doc(a->reg, eid, after, limit, &doc, &e);
        if (!rc && !(out = json_dumps(doc, JSON_COMPACT)))
            rc = osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
        json_decref(doc);
        /* a withdrawn run's labels are gone with it, as the run is */
        if (rc == OSAFE_ESTATE && strstr(e.msg, "withdrawn"))
            return http_resp_error(w, 410, "gone", NULL, "%s", e.msg), 1;
        return reply(w, 200, rc, out, &e), 1;
    }
    if (strncmp(sub, "/samples/", 9))
        return 0;
    const char *p = sub + 9;
    size_t nd = strspn(p, "0123456789");
    if (nd < 1 || nd > 9 || (strcmp(p + nd, "/review") &&
                             strcmp(p + nd, "/review/proof")))
        return 0;
    int64_t index = strtoll(p, NULL, 10);
    if (!strcmp(p + nd, "/review/proof")) {
        if (strcmp(m, "GET"))
            return method_not_allowed(w, "GET"), 1;
        rc = reg_evaluation_review_proof(a->reg, eid, index, &out, &e);
        if (rc == OSAFE_ESTATE && strstr(e.msg, "withdrawn"))
            return http_resp_error(w, 410, "gone", NULL, "%s", e.msg), 1;
        return reply(w, 200, rc, out, &e), 1;
    }
    if (strcmp(m, "POST"))
        return method_not_allowed(w, "POST"), 1;
    if (check_json_body(q, w, 0))
        return 1;
    size_t len;
    const char *body = http_req_body(q, &len);
    rc = reg_evaluation_review(a->reg, c, eid, index, body, len, &out, &e);
    return reply(w, 200, rc, out, &e), 1;
}

/* /api/v1/evaluations[/{id}[/withdraw|/proof|/samples]] */
static void evaluations(api_ctx *a, const http_req *q, http_resp *w,
                        const reg_caller *c, const char *rest)
{
    const char *m = http_req_method(q);
    osafe_err e;
    if (!*rest && !strcmp(m, "GET")) {
        const char *cur = http_req_query(q, "cursor");
        int limit;
        if (query_int(q, w, "limit", OSAFE_PAGE_DEFAULT, 1, OSAFE_PAGE_MAX,
                      &limit))
            return;
        if (cur && *cur && !reg_id_valid(cur, strlen(cur)))
            return (void)http_resp_error(w, 400, "bad_request", "cursor",
                                         "cursor: not an evaluation id");
        /* origin: the evaluations mirrored from that peer's log, never
         * mixed with ours */
        const char *origin = http_req_query(q, "origin");
        if (origin && !*origin)
            return (void)http_resp_error(w, 400, "bad_request", "origin",
                                         "origin must name a peer's log");
        char *out = NULL;
        int rc = origin ? reg_mirror_eval_list(a->reg, origin, limit, cur,
                                               &out, &e)
                        : reg_evaluation_list(a->reg, limit, cur, &out, &e);
        return reply(w, 200, rc, out, &e);
    }
    if (!*rest) {
        if (strcmp(m, "POST"))
            return method_not_allowed(w, "GET, POST");
        if (check_json_body(q, w, 0))
            return;
        size_t len;
        const char *body = http_req_body(q, &len);
        char *out = NULL;
        int rc = reg_evaluation_publish(a->reg, c, body, len, &out, &e);
        /* the same samples again: the evaluation they already made */
        return reply(w, !rc && strstr(out, "\"existing\":true") ? 200 : 201,
                     rc, out, &e);
    }
    rest++; /* the '/' */
    const char *sub = strchr(rest, '/');
    size_t idlen = sub ? (size_t)(sub - rest) : strlen(rest);
    if (sub && reg_id_valid(rest, idlen) &&
        review_routes(a, q, w, c, rest, idlen, sub))
        return;
    if (!reg_id_valid(rest, idlen) ||
        (sub && strcmp(sub, "/withdraw") && strcmp(sub, "/proof") &&
         strcmp(sub, "/samples")))
        return (void)http_resp_error(w, 404, "not_found", NULL,
                                     "no such evaluation");
    if (sub && !strcmp(sub, "/samples"))
        return api__evaluation_samples(a, q, w, c, rest, idlen);
    if (sub && !strcmp(sub, "/proof"))
        return evaluation_proof(a, q, w, rest, idlen);
    if (sub)
        return evaluation_withdraw(a, q, w, c, rest, idlen);
    if (strcmp(m, "GET"))
        return method_not_allowed(w, "GET");
    char *body;
    size_t len;
    int64_t index;
    int grc = reg_evaluation_get(a->reg, rest, &body, &len, &index, &e);
    if (grc == OSAFE_ESTATE) /* withdrawn: still in the log, not served */
        return (void)http_resp_error(w, 410, "gone", NULL, "%s", e.msg);
    if (grc != 0)
        return fail(w, &e);
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)index);
    http_resp_header(w, "X-Osafe-Log-Index", v);
    http_resp_body(w, "application/json; charset=utf-8", body, len);
    free(body);
}

/* Accept names application/json and not text/html (a browser sends both
 * kinds of Accept with text/html first). */
static int wants_json(const http_req *q)
{
    const char *acc = http_req_header(q, "Accept");
    return acc && strstr(acc, "application/json") && !strstr(acc, "text/html");
}

/* POST /witness/add-checkpoint (C2SP tlog-witness, docs/FEDERATION.md):
 * the spec's statuses and bodies, text rather than the API's JSON. */
static void witness_add(api_ctx *a, const http_req *q, http_resp *w)
{
    if (!a->witness)
        return (void)http_resp_error(w, 404, "not_found", NULL,
                                     "this node is not a witness (osafe "
                                     "serve --witness-key)");
    if (strcmp(http_req_method(q), "POST"))
        return method_not_allowed(w, "POST");
    size_t len;
    const char *body = http_req_body(q, &len);
    osafe_err e;
    osafe_buf out = OSAFE_BUF_INIT;
    int status = 500;
    int rc = fed_witness_handle(a->witness, body ? body : "", body ? len : 0,
                                &status, &out, &e);
    if (!rc)
        http_resp_status(w, status);
    if (!rc && http_resp_body(w, status == 409 ? "text/x.tlog.size"
                                               : "text/plain; charset=utf-8",
                              out.data, out.len) != 0)
        http_resp_error(w, 500, "internal", NULL, "out of memory");
    else if (rc)
        http_resp_error(w, status, status == 500 ? "internal" : "refused",
                        NULL, "%s", e.msg);
    buf_release(&out);
}

/* GET /federation/checkpoints: gossip (docs/FEDERATION.md), public like
 * /log/: the notes are the peers' signed statements. */
static void gossip(api_ctx *a, const http_req *q, http_resp *w)
{
    if (strcmp(http_req_method(q), "GET") && strcmp(http_req_method(q), "HEAD"))
        return method_not_allowed(w, "GET, HEAD");
    osafe_err e;
    char *out = NULL;
    int rc = reg_peer_gossip(a->reg, &out, &e);
    reply(w, 200, rc, out, &e);
}

void api_handle(void *ctx, const http_req *q, http_resp *w)
{
    api_ctx *a = ctx;
    const char *path = http_req_path(q);
    const char *m = http_req_method(q);
    if (!strncmp(path, "/log/", 5))
        return serve_log(a, q, w, path + 5);
    if (!strcmp(path, "/witness/add-checkpoint"))
        return witness_add(a, q, w);
    if (!strcmp(path, "/federation/checkpoints"))
        return gossip(a, q, w);
    /* Everything outside the API is the HTML interface; "/" stays the
     * JSON descriptor for a client that asks for JSON. */
    if (strncmp(path, "/api/", 5) && strcmp(path, "/api") &&
        (strcmp(path, "/") || !wants_json(q))) {
        if (a->web)
            return web_handle(a->web, q, w);
        if (strcmp(path, "/"))
            return (void)http_resp_error(w, 404, "not_found", NULL,
                                         "no such route: %s", path);
    }
    if (!strcmp(path, "/") || !strcmp(path, "/api/v1") ||
        !strcmp(path, "/api/v1/")) {
        if (strcmp(m, "GET"))
            return method_not_allowed(w, "GET");
        return (void)http_resp_json(
            w, 200,
            "{\"name\":\"osafe\",\"api\":\"/api/v1/\",\"openapi\":"
            "\"/api/v1/openapi.json\",\"log\":\"/log/checkpoint\"}");
    }
    if (!strcmp(path, "/api/v1/openapi.json")) {
        if (strcmp(m, "GET"))
            return method_not_allowed(w, "GET");
        return (void)http_resp_json(w, 200, osafe_openapi_json);
    }
    reg_caller c;
    if (!strcmp(path, "/api/v1/records")) {
        if (caller(a, q, w, &c) == 0 && !throttled(a, q, w, &c))
            records_collection(a, q, w, &c);
        return;
    }
    if (!strncmp(path, "/api/v1/records/", 16)) {
        if (caller(a, q, w, &c) == 0 && !throttled(a, q, w, &c))
            record_item(a, q, w, &c, path + 16);
        return;
    }
    if (!strcmp(path, "/api/v1/evaluations") ||
        !strncmp(path, "/api/v1/evaluations/", 20)) {
        if (caller(a, q, w, &c) == 0 && !throttled(a, q, w, &c))
            evaluations(a, q, w, &c, path + 19);
        return;
    }
    if (!strcmp(path, "/api/v1/search")) {
        if (strcmp(m, "GET"))
            return method_not_allowed(w, "GET");
        if (caller(a, q, w, &c))
            return;
        const char *qs = http_req_query(q, "q");
        int limit;
        if (!qs || !*qs)
            return (void)http_resp_error(w, 400, "bad_request", "q",
                                         "query parameter 'q' is required");
        if (query_int(q, w, "limit", OSAFE_PAGE_DEFAULT, 1, OSAFE_PAGE_MAX,
                      &limit))
            return;
        const char *inc = http_req_query(q, "include");
        const char *origin = http_req_query(q, "origin");
        if ((inc && strcmp(inc, "mirrored")) || (origin && !inc))
            return (void)http_resp_error(
                w, 400, "bad_request", inc ? "include" : "origin",
                "include takes 'mirrored' (origin= narrows it to one "
                "peer's log)");
        osafe_err e;
        char *out = NULL;
        int rc = reg_search(a->reg, &c, qs, limit, &out, &e);
        if (!rc && inc)
            rc = search_mirrored(a, &c, qs, origin, limit, &out, &e);
        return reply(w, 200, rc, out, &e);
    }
    http_resp_error(w, 404, "not_found", NULL, "no such route: %s", path);
}
