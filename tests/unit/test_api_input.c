/*
 * test_api_input.c - bad input to the real `osafe serve`: oversized bodies,
 * bodies that are not JSON, not UTF-8, not the right media type, not the
 * schema; unknown routes and wrong methods; workflow steps out of order.
 * Each answer must be the right 4xx with the JSON error shape (naming the
 * field where there is one), and each must change nothing: the full
 * listing (as admin, with every record's bytes) and the log's checkpoint
 * are compared before and after every request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "api_client.h"

static api_srv S;
static char tA[128], tRev[128], tAdm[128];
static char idDraft[32];      /* a complete draft */
static char idIncomplete[32]; /* a draft missing required fields */
static char idPub[32];        /* published */
static char *snap;            /* the state everything is compared with */

/* Everything a request could change: all records (admin sees every one,
 * with its bytes) and the log's checkpoint. */
static char *snapshot(void)
{
    api_reply r, c;
    api_get(&S, "/api/v1/records?limit=500", tAdm, &r);
    API_EXPECT(&r, 200, "admin list");
    api_get(&S, "/log/checkpoint", NULL, &c);
    API_EXPECT(&c, 200, "checkpoint");
    assert_int_equal(buf_puts(&r.body, "\n--\n"), 0);
    assert_int_equal(buf_append(&r.body, c.body.data, c.body.len), 0);
    char *s = buf_detach(&r.body, NULL);
    api_reply_release(&r);
    api_reply_release(&c);
    return s;
}

static void expect_unchanged(const char *what)
{
    char *now = snapshot();
    if (strcmp(now, snap))
        fail_msg("%s changed the registry", what);
    free(now);
}

static int setup(void **state)
{
    (void)state;
    api_init(&S);
    api_token(&S, "alice", "reporter", "org-a", tA);
    api_token(&S, "rita", "reviewer", NULL, tRev);
    api_token(&S, "root", "admin", NULL, tAdm);
    api_start(&S);
    json_t *j = api_record("Input test record", NULL);
    api_create(&S, tA, j, idDraft);
    api_create(&S, tA, j, idPub);
    json_decref(j);
    api_publish(&S, tA, tRev, idPub);
    const char *part = "{\"record_type\":\"incident\",\"lang\":\"en\","
                       "\"title\":{\"lang\":\"en\",\"text\":\"Incomplete\"}}";
    api_create_text(&S, tA, part, strlen(part), idIncomplete);
    snap = snapshot();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fini(&S);
    free(snap);
    return 0;
}

/*
 * One bad request: want is the status (0: any 4xx), field the field the
 * error must name (NULL: not checked).  Then nothing may have changed.
 */
static const char *as = tA; /* who sends the bad requests */

static void bad(const char *method, const char *path, const char *ctype,
                const char *body, size_t len, int want, const char *field,
                const char *what)
{
    api_reply r;
    api_http_ex(&S, method, path, as, ctype, body, len, NULL, 0, &r);
    if (want == 0 && (r.status < 400 || r.status > 499))
        fail_msg("%s: HTTP %ld, expected 4xx", what, r.status);
    api_expect_error(&r, want ? want : (int)r.status, field, what);
    api_reply_release(&r);
    expect_unchanged(what);
}

static void bad_json(const char *method, const char *path, const char *body,
                     int want, const char *field, const char *what)
{
    bad(method, path,
        !strcmp(method, "PATCH") ? "application/merge-patch+json"
                                 : "application/json",
        body, strlen(body), want, field, what);
}

static char *path_of(const char *id, const char *action)
{
    static char p[4][128];
    static int k;
    k = (k + 1) % 4;
    if (action)
        snprintf(p[k], sizeof p[k], "/api/v1/records/%.31s/%s", id, action);
    else
        snprintf(p[k], sizeof p[k], "/api/v1/records/%.31s", id);
    return p[k];
}

/* ===== size ===== */

/* Raw request over TCP: the answer's first bytes. */
static void raw(const char *req, char *out, size_t outmax)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)S.port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    assert_int_equal(send(fd, req, strlen(req), MSG_NOSIGNAL),
                     (ssize_t)strlen(req));
    size_t got = 0;
    ssize_t k;
    while (got + 1 < outmax && (k = recv(fd, out + got, outmax - 1 - got,
                                         0)) > 0)
        got += (size_t)k;
    out[got] = '\0';
    close(fd);
}

static void test_too_large(void **state)
{
    (void)state;
    /* A declared length over 1 MiB is refused before any body byte. */
    char req[512], resp[4096];
    snprintf(req, sizeof req,
             "POST /api/v1/records HTTP/1.1\r\nHost: t\r\n"
             "Authorization: Bearer %s\r\n"
             "Content-Type: application/json\r\n"
             "Content-Length: %u\r\n\r\n",
             tA, (1u << 20) + 1);
    raw(req, resp, sizeof resp);
    assert_true(!strncmp(resp, "HTTP/1.1 413 ", 13));
    expect_unchanged("Content-Length over the limit");

    /* and with a real 2 MiB JSON record */
    json_t *j = api_record("Big", NULL);
    size_t big = 2u << 20;
    char *pad = malloc(big);
    assert_non_null(pad);
    memset(pad, 'a', big - 1);
    pad[big - 1] = '\0';
    json_object_set_new(j, "extensions", json_pack("{s:s}", "pad", pad));
    free(pad);
    char *body = api_dump(j);
    json_decref(j);
    const char *paths[] = {"/api/v1/records", path_of(idDraft, NULL),
                           path_of(idPub, "amend")};
    const char *methods[] = {"POST", "PATCH", "POST"};
    for (int i = 0; i < 3; i++) {
        api_reply r;
        api_http_ex(&S, methods[i], paths[i], tA, "application/json", body,
                    strlen(body), "Expect: 100-continue", 1, &r);
        api_expect_error(&r, 413, NULL, paths[i]);
        api_reply_release(&r);
        expect_unchanged("2 MiB body");
    }
    free(body);
}

/* ===== not JSON, not UTF-8, not the media type ===== */

static void test_not_json(void **state)
{
    (void)state;
    const char *recs = "/api/v1/records";
    bad_json("POST", recs, "hello", 0, NULL, "not JSON");
    bad_json("POST", recs, "{\"record_type\":", 0, NULL, "truncated JSON");
    bad_json("POST", recs, "{} x", 0, NULL, "trailing bytes");
    bad_json("POST", recs, "[]", 422, NULL, "an array");
    bad_json("POST", recs, "null", 422, NULL, "null");
    bad_json("POST", recs, "\"text\"", 422, NULL, "a string");
    bad_json("POST", recs,
             "{\"record_type\":\"incident\",\"record_type\":\"hazard\"}", 0,
             NULL, "duplicate key");
    bad_json("PATCH", path_of(idDraft, NULL),
             "{\"lang\":\"en\",\"lang\":\"fr\"}", 0, NULL,
             "duplicate key in a patch");
    bad_json("POST", recs,
             "{\"title\":{\"lang\":\"en\",\"text\":\"a\\u0000b\"}}", 0, NULL,
             "NUL in a string");
    bad_json("POST", recs,
             "{\"title\":{\"lang\":\"en\",\"text\":\"\\ud800\"}}", 0, NULL,
             "lone surrogate");
    bad_json("POST", recs, "{\"extensions\":{\"n\":1e400}}", 0, NULL,
             "infinite number");
    char deep[512] = "{\"extensions\":";
    for (int i = 0; i < 100; i++)
        strcat(deep, "[");
    for (int i = 0; i < 100; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    bad_json("POST", recs, deep, 0, NULL, "nesting too deep");
    /* invalid UTF-8, in a value and in a key */
    bad_json("POST", recs,
             "{\"record_type\":\"incident\",\"title\":{\"lang\":\"en\","
             "\"text\":\"caf\xe9\"}}",
             0, NULL, "Latin-1 byte");
    bad_json("POST", recs, "{\"\xff\xfe\":1}", 0, NULL, "invalid key");
    bad_json("PATCH", path_of(idDraft, NULL),
             "{\"title\":{\"lang\":\"en\",\"text\":\"\xc3\x28\"}}", 0, NULL,
             "invalid UTF-8 in a patch");
    bad_json("POST", recs, "", 422, NULL, "empty body");
}

static void test_media_type(void **state)
{
    (void)state;
    json_t *j = api_record("Media type test", NULL);
    char *body = api_dump(j);
    json_decref(j);
    size_t n = strlen(body);
    bad("POST", "/api/v1/records", "text/plain", body, n, 415, NULL,
        "text/plain");
    bad("POST", "/api/v1/records", NULL, body, n, 415, NULL,
        "no Content-Type");
    bad("POST", "/api/v1/records", "application/jsonx", body, n, 415, NULL,
        "application/jsonx");
    bad("POST", "/api/v1/records", "application/x-www-form-urlencoded", body,
        n, 415, NULL, "form");
    bad("POST", "/api/v1/records", "application/merge-patch+json", body, n,
        415, NULL, "merge-patch on create");
    bad("PATCH", path_of(idDraft, NULL), "text/json", "{\"lang\":\"fr\"}", 13,
        415, NULL, "text/json patch");
    bad("POST", path_of(idDraft, "submit"), "text/plain", "x", 1, 415, NULL,
        "text/plain submit");
    free(body);
    /* parameters after the type are fine */
    json_t *ok = api_record("Charset parameter", NULL);
    char *ob = api_dump(ok);
    json_decref(ok);
    api_reply r;
    api_http_ex(&S, "POST", "/api/v1/records", tA,
                "application/json; charset=utf-8", ob, strlen(ob), NULL, 0,
                &r);
    API_EXPECT(&r, 201, "application/json; charset=utf-8");
    api_reply_release(&r);
    free(ob);
    free(snap);
    snap = snapshot();
}

/* ===== the schema ===== */

/* The example with one field replaced by value (JSON text). */
static char *with_field(const char *key, const char *value)
{
    json_t *j = api_record("Schema test", NULL);
    json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);
    assert_non_null(v);
    json_object_set_new(j, key, v);
    char *s = api_dump(j);
    json_decref(j);
    return s;
}

static void test_schema(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value, *field;
    } cases[] = {
        {"titel", "{\"lang\":\"en\",\"text\":\"x\"}", "titel"},
        {"id", "\"OSAFE-2026-00001\"", "id"},
        {"state", "\"published\"", "state"},
        {"version", "7", "version"},
        {"prev_digest", "\"00\"", "prev_digest"},
        {"severity", "{\"scale\":\"oecd-2025\",\"level\":\"catastrophic\"}",
         "severity.level"},
        {"severity", "{\"scale\":\"made-up\",\"level\":\"incident\"}",
         "severity.scale"},
        {"tlp", "\"PURPLE\"", "tlp"},
        {"tlp", "\"clear\"", "tlp"},
        {"record_type", "\"rumour\"", "record_type"},
        {"harm_types", "[\"physical\",\"bad\"]", "harm_types[1]"},
        {"countries_occurred", "[\"fr\"]", "countries_occurred[0]"},
        {"occurred_start", "{\"date\":\"2025-13-01\",\"precision\":\"day\"}",
         "occurred_start.date"},
        {"occurred_start", "{\"date\":\"2025\",\"precision\":\"day\"}",
         "occurred_start.date"},
        {"references", "[{\"url\":\"ftp://example.org/x\"}]",
         "references[0].url"},
        {"lang", "\"english\"", "lang"},
        {"ai_systems", "[{\"kind\":\"robot\",\"name\":\"x\"}]",
         "ai_systems[0].kind"},
        {"description", "[]", "description"},
        {"hazards", "[\"Bad Code\"]", "hazards[0]"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *body = with_field(cases[i].key, cases[i].value);
        char what[128];
        snprintf(what, sizeof what, "create with bad %s", cases[i].field);
        bad_json("POST", "/api/v1/records", body, 422, cases[i].field, what);
        free(body);
        /* the same as a merge patch of a draft */
        char patch[512];
        snprintf(patch, sizeof patch, "{\"%s\":%s}", cases[i].key,
                 cases[i].value);
        snprintf(what, sizeof what, "patch with bad %s", cases[i].field);
        bad_json("PATCH", path_of(idDraft, NULL), patch, 422, cases[i].field,
                 what);
    }
    /* a title over 500 bytes */
    char title[700] = "{\"title\":{\"lang\":\"en\",\"text\":\"";
    size_t at = strlen(title);
    memset(title + at, 'x', 501);
    strcpy(title + at + 501, "\"}}");
    bad_json("PATCH", path_of(idDraft, NULL), title, 422, "title.text",
             "long title");
    /* deleting a required field makes the merged record incomplete only
     * for submission: the patch itself is fine for a draft, but amend
     * bodies are checked as drafts too */
    bad_json("POST", path_of(idPub, "amend"), "{\"tlp\":\"PURPLE\"}", 422,
             "tlp", "amend with a bad level");
    bad_json("POST", path_of(idPub, "amend"), "{\"id\":\"X\"}", 422, "id",
             "amend with a server field");
    /* submission needs every required field */
    bad("POST", path_of(idIncomplete, "submit"), NULL, NULL, 0, 422,
        "description", "submit of an incomplete draft");
}

/* ===== routes, methods, workflow order ===== */

static void expect_405(const char *method, const char *path,
                       const char *allow)
{
    api_reply r;
    api_http(&S, method, path, tA, NULL, &r);
    api_expect_error(&r, 405, NULL, path);
    char v[64];
    if (!api_hdr(&r, "Allow", v, sizeof v) || strcmp(v, allow))
        fail_msg("%s %s: Allow is not '%s'", method, path, allow);
    api_reply_release(&r);
    expect_unchanged(path);
}

static void test_routes_and_order(void **state)
{
    (void)state;
    /* (paths outside /api/ and /log/ are the web interface's: its HTML
     * 404 page is tested in test_web.c) */
    static const char *const missing[] = {
        "/api/v1/nope", "/api/v2/records", "/api", "/api/v1/record",
        "/api/v1/records/lower-case", "/api/v1/records/A%2FB",
        "/api/v1/records/OSAFE-1999-99999", NULL};
    for (const char *const *p = missing; *p; p++)
        bad("GET", *p, NULL, NULL, 0, 404, NULL, *p);
    bad("GET", path_of(idDraft, "nope"), NULL, NULL, 0, 404, NULL,
        "unknown action");
    bad("POST", path_of(idDraft, "publish"), NULL, NULL, 0, 404, NULL,
        "unknown POST action");
    bad("POST", path_of("OSAFE-1999-99999", "submit"), NULL, NULL, 0, 404,
        NULL, "submit of a missing record");

    /* DELETE discards a draft (issue 16 item 3): test_web_form */
    expect_405("PUT", path_of(idDraft, NULL), "GET, PATCH, DELETE");
    expect_405("PUT", "/api/v1/records", "GET, POST");
    expect_405("DELETE", "/api/v1/records", "GET, POST");
    expect_405("GET", path_of(idDraft, "submit"), "POST");
    expect_405("GET", path_of(idPub, "review"), "POST");
    expect_405("DELETE", path_of(idPub, "proof"), "GET");
    expect_405("PUT", path_of(idPub, "links"), "GET, POST");
    expect_405("POST", "/api/v1/search", "GET");
    expect_405("DELETE", "/api/v1/openapi.json", "GET");

    /* workflow steps out of order (a reviewer reviews) */
    as = tRev;
    bad_json("POST", path_of(idDraft, "review"), "{\"decision\":\"accept\"}",
             409, NULL, "review of a draft");
    bad_json("POST", path_of(idPub, "review"), "{\"decision\":\"accept\"}",
             409, NULL, "review of a published record");
    as = tA;
    bad_json("POST", path_of(idPub, "submit"), "{}", 409, NULL,
             "submit of a published record");
    bad_json("PATCH", path_of(idPub, NULL), "{\"use_mode\":\"misuse\"}", 409,
             NULL, "patch of a published record");
    bad_json("POST", path_of(idDraft, "amend"), "{}", 409, NULL,
             "amend of a draft");
    as = tRev;
    bad("POST", path_of(idDraft, "review"), "application/json", "{}", 2, 422,
        "decision", "review without a decision");
    bad_json("POST", path_of(idPub, "review"), "{\"decision\":\"maybe\"}",
             422, "decision", "unknown decision");
    bad_json("POST", path_of(idPub, "review"),
             "{\"decision\":\"reject\",\"reason\":7}", 422, "reason",
             "reason not a string");
    as = tA;
    bad_json("POST", path_of(idPub, "withdraw"), "{\"reason\":\"\"}", 422,
             "reason", "empty withdrawal reason");
    bad_json("POST", path_of(idPub, "evidence"), "[1]", 422, NULL,
             "evidence not an object");
    bad_json("POST", path_of(idPub, "links"), "{\"relation\":\"related\"}",
             422, "to", "link without a target");

    /* query parameters */
    bad("GET", "/api/v1/records?limit=0", NULL, NULL, 0, 400, "limit",
        "limit=0");
    bad("GET", path_of(idPub, "proof?version=0"), NULL, NULL, 0, 400,
        "version", "proof ?version=0");
    bad("GET", "/api/v1/records?cursor=x&limit=9999", NULL, NULL, 0, 400,
        "limit", "limit=9999");
}

/* Last: the server stops cleanly, having logged no internal error. */
static void test_zz_clean_exit(void **state)
{
    (void)state;
    api_stop_clean(&S);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_too_large),
        cmocka_unit_test(test_not_json),
        cmocka_unit_test(test_media_type),
        cmocka_unit_test(test_schema),
        cmocka_unit_test(test_routes_and_order),
        cmocka_unit_test(test_zz_clean_exit),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
