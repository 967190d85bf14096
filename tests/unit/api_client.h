/*
 * api_client.h - helpers shared by the end-to-end API tests (test_api*.c):
 * start the real `osafe serve` binary ($OSAFE) on 127.0.0.1:0 with a
 * temporary database and log, create accounts with `osafe token create`,
 * and talk to it over HTTP with libcurl.
 *
 * Header-only (static inline): tests/CMakeLists.txt links each test_*.c
 * with vectors.c only.  Include after <cmocka.h>.
 *
 * Nothing here prints a response body or record text: some test data is
 * harmful text, so failures name ids, statuses, fields and lengths only.
 */
#ifndef OSAFE_TESTS_API_CLIENT_H
#define OSAFE_TESTS_API_CLIENT_H

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/canon.h"
#include "core/enc.h"
#include "openapi_check.h"

/* ===== processes ===== */

static inline const char *api_osafe(void)
{
    const char *p = getenv("OSAFE");
    if (!p || !*p)
        fail_msg("OSAFE (the osafe binary) is not set; run through ctest");
    return p;
}

static inline const char *api_shared(void)
{
    const char *p = getenv("OSAFE_SHARED");
    return p && *p ? p : "../shared";
}

/* tests/fixtures/<rel> (OSAFE_FIXTURES, set by ctest) into p. */
static inline void api_fixture(const char *rel, char *p, size_t n)
{
    const char *d = getenv("OSAFE_FIXTURES");
    if (!d || !*d)
        fail_msg("OSAFE_FIXTURES (tests/fixtures) is not set; run through "
                 "ctest");
    int w = snprintf(p, n, "%s/%s", d, rel);
    if (w < 0 || (size_t)w >= n)
        fail_msg("fixture path too long: %s/%s", d, rel);
}

static inline void api_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/*
 * Run argv (argv[0] a path), standard output collected into out (if not
 * NULL), standard error into the file errpath (NULL: /dev/null).  Returns
 * the exit status, or -1 if the program did not exit normally.
 */
static inline int api_run(char *const argv[], osafe_buf *out,
                          const char *errpath)
{
    int pfd[2];
    if (pipe(pfd) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        int err = open(errpath ? errpath : "/dev/null",
                       O_WRONLY | O_CREAT | O_APPEND, 0600);
        int in = open("/dev/null", O_RDONLY);
        if (err < 0 || in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(pfd[1], 1);
        dup2(err, 2);
        close(pfd[0]);
        close(pfd[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pfd[1]);
    char chunk[4096];
    ssize_t k;
    while ((k = read(pfd[0], chunk, sizeof chunk)) != 0) {
        if (k < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (out)
            assert_int_equal(buf_append(out, chunk, (size_t)k), 0);
    }
    close(pfd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Remove a directory tree (only what the tests created). */
static inline void api_rmrf(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return;
    if (S_ISDIR(sb.st_mode)) {
        DIR *d = opendir(path);
        struct dirent *de;
        while (d && (de = readdir(d)) != NULL) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char sub[4096];
            int n = snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
            if (n > 0 && (size_t)n < sizeof sub)
                api_rmrf(sub);
        }
        if (d)
            closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

static inline char *api_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    osafe_buf b = OSAFE_BUF_INIT;
    char chunk[8192];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
        assert_int_equal(buf_append(&b, chunk, k), 0);
    fclose(f);
    if (!b.data)
        assert_int_equal(buf_puts(&b, ""), 0);
    return buf_detach(&b, len);
}

static inline void api_write_file(const char *path, const void *data,
                                  size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* ===== the server ===== */

typedef struct api_srv {
    char dir[128];  /* temporary directory holding everything below */
    char db[192];   /* DIR/osafe.db */
    char log[192];  /* DIR/log */
    char vkey[192]; /* DIR/log.vkey (written with the key on first start) */
    char err[192];  /* DIR/serve.err: the server's standard error */
    pid_t pid;
    unsigned port;
    char base[64]; /* http://127.0.0.1:PORT */
    const char *extra[4]; /* more `osafe serve` arguments, NULL-ended */
} api_srv;

/* With OSAFE_TEST_PG set to a throwaway cluster's URL (scripts/pg-cluster,
 * tests/e2e/pg_backend.sh), the server's database is a fresh PostgreSQL
 * database named after the test's directory instead of DIR/osafe.db: the
 * same tests then check the PostgreSQL backend. */
static inline void api_pg_db(const char *dir, char *db, size_t n)
{
    const char *base = getenv("OSAFE_TEST_PG");
    const char *slash = base ? strrchr(base, '/') : NULL;
    if (!base || !*base || !slash)
        return;
    char name[64] = "t_";
    const char *tail = strrchr(dir, '-');
    for (size_t i = 2; tail && *++tail && i + 1 < sizeof name; i++)
        name[i] = (char)((*tail >= 'A' && *tail <= 'Z') ? *tail + 32 : *tail);
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    PGconn *c = PQconnectdb(base);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("OSAFE_TEST_PG: %s: %s", sql, PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    snprintf(db, n, "%.*s/%s", (int)(slash - base), base, name);
}

/* Make the temporary directory and the paths (no server yet). */
static inline void api_init(api_srv *s)
{
    memset(s, 0, sizeof *s);
    const char *tmp = getenv("TMPDIR");
    snprintf(s->dir, sizeof s->dir, "%s/osafe-api-XXXXXX",
             tmp && *tmp && strlen(tmp) < 80 ? tmp : "/tmp");
    if (!mkdtemp(s->dir))
        fail_msg("mkdtemp failed");
    snprintf(s->db, sizeof s->db, "%s/osafe.db", s->dir);
    api_pg_db(s->dir, s->db, sizeof s->db);
    snprintf(s->log, sizeof s->log, "%s/log", s->dir);
    snprintf(s->vkey, sizeof s->vkey, "%s/log.vkey", s->dir);
    snprintf(s->err, sizeof s->err, "%s/serve.err", s->dir);
    s->pid = -1;
}

/* `osafe token create`: the token is the last line of standard output. */
static inline void api_token(const api_srv *s, const char *name,
                             const char *role, const char *org,
                             char token[128])
{
    char *argv[] = {(char *)api_osafe(), "token", "create", "--db",
                    (char *)s->db, "--name", (char *)name, "--role",
                    (char *)role, org ? "--org" : NULL, (char *)org, NULL};
    osafe_buf out = OSAFE_BUF_INIT;
    int rc = api_run(argv, &out, s->err);
    if (rc != 0 || !out.data)
        fail_msg("osafe token create --name %s failed (exit %d)", name, rc);
    while (out.len && out.data[out.len - 1] == '\n')
        out.data[--out.len] = '\0';
    const char *last = strrchr(out.data, '\n');
    last = last ? last + 1 : out.data;
    assert_true(strlen(last) >= 16 && strlen(last) < 128);
    snprintf(token, 128, "%s", last);
    buf_release(&out);
}

/* Start `osafe serve` and wait for "listening on port N" on its stdout. */
static inline void api_start(api_srv *s)
{
    char outpath[192], listen[] = "127.0.0.1:0";
    snprintf(outpath, sizeof outpath, "%s/serve.out", s->dir);
    char *argv[12] = {(char *)api_osafe(), "serve",  "--db",     s->db,
                      "--log",             s->log,   "--listen", listen};
    for (int i = 0; i < 3 && s->extra[i]; i++)
        argv[8 + i] = (char *)s->extra[i];
    api_write_file(outpath, "", 0); /* exists before the child runs */
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* If the test dies without its teardown (a failed group setup
         * longjmps past it), the server goes with it. */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
            _exit(125);
        int out = open(outpath, O_WRONLY | O_TRUNC, 0600);
        int err = open(s->err, O_WRONLY | O_CREAT | O_APPEND, 0600);
        int in = open("/dev/null", O_RDONLY);
        if (out < 0 || err < 0 || in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(out, 1);
        dup2(err, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    s->pid = pid;
    for (int i = 0; i < 3000; i++) { /* 60 s: sanitizer builds start slowly */
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            s->pid = -1;
            fail_msg("osafe serve exited at start (see %s)", s->err);
        }
        size_t n;
        char *text = api_read_file(outpath, &n);
        const char *p = strstr(text, "listening on port ");
        unsigned port = 0;
        if (p && strchr(p, '\n'))
            port = (unsigned)strtoul(p + 18, NULL, 10);
        free(text);
        if (port) {
            s->port = port;
            snprintf(s->base, sizeof s->base, "http://127.0.0.1:%u", port);
            return;
        }
        api_sleep_ms(20);
    }
    fail_msg("osafe serve printed no port within 60 s");
}

/* SIGTERM and wait; returns the exit status (-1: killed / not running). */
static inline int api_stop(api_srv *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int st = 0, rc = -1;
    for (int i = 0; i < 1500; i++) { /* 30 s, then SIGKILL */
        pid_t w = waitpid(s->pid, &st, WNOHANG);
        if (w == s->pid) {
            rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
            break;
        }
        if (w < 0 && errno != EINTR)
            break;
        api_sleep_ms(20);
    }
    if (rc == -1 && waitpid(s->pid, &st, WNOHANG) == 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, &st, 0);
    }
    s->pid = -1;
    return rc;
}

/*
 * Stop the server and require a clean exit (status 0), with no sanitizer
 * report and no internal error (HTTP 500) logged by it or by the CLI runs
 * that share its error file.
 */
static inline void api_stop_clean(api_srv *s)
{
    int rc = api_stop(s);
    size_t n;
    char *err = api_read_file(s->err, &n);
    int san = strstr(err, "Sanitizer") || strstr(err, "runtime error:");
    int internal = strstr(err, "internal error") != NULL;
    free(err);
    if (san)
        fail_msg("a sanitizer reported an error (OSAFE_KEEP_TMP=1 keeps %s)",
                 s->err);
    if (internal)
        fail_msg("the server logged an internal error (OSAFE_KEEP_TMP=1 "
                 "keeps %s)",
                 s->err);
    if (rc != 0)
        fail_msg("osafe serve exited with status %d", rc);
}

/* Stop the server (if running) and remove the directory, unless
 * OSAFE_KEEP_TMP is set (for debugging). */
static inline void api_fini(api_srv *s)
{
    api_stop(s);
    if (!getenv("OSAFE_KEEP_TMP") && s->dir[0])
        api_rmrf(s->dir);
}

/* ===== HTTP ===== */

typedef struct api_reply {
    long status;
    osafe_buf body;
    osafe_buf hdrs;
} api_reply;

static inline size_t api_on_write(char *p, size_t sz, size_t n, void *ud)
{
    return buf_append(ud, p, sz * n) ? 0 : sz * n;
}

static inline void api_reply_release(api_reply *r)
{
    buf_release(&r->body);
    buf_release(&r->hdrs);
    memset(r, 0, sizeof *r);
}

/*
 * One request.  path is appended to the base URL as is (no normalisation
 * of "..").  token NULL: no Authorization header.  body NULL: no body.
 * ctype: the Content-Type sent with a body (NULL: none at all).  hdr: one
 * extra header line or NULL.  Returns the curl code (the test fails on a
 * transport error unless allow_fail).
 */
static inline CURLcode api_http_ex(const api_srv *s, const char *method,
                                   const char *path, const char *token,
                                   const char *ctype, const void *body,
                                   size_t len, const char *hdr,
                                   int allow_fail, api_reply *r)
{
    memset(r, 0, sizeof *r);
    char url[8192], auth[256], ct[256];
    snprintf(url, sizeof url, "%s%s", s->base, path);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *h = NULL;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, api_on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, api_on_write);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->hdrs);
    if (!strcmp(method, "HEAD"))
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    if (hdr)
        h = curl_slist_append(h, hdr);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
        if (ctype) {
            snprintf(ct, sizeof ct, "Content-Type: %s", ctype);
        } else {
            snprintf(ct, sizeof ct, "Content-Type:"); /* drop curl's */
        }
        h = curl_slist_append(h, ct);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    char *rct = NULL;
    curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &rct);
    char rctype[256];
    snprintf(rctype, sizeof rctype, "%s", rct ? rct : "");
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (!r->body.data)
        assert_int_equal(buf_puts(&r->body, ""), 0);
    if (!r->hdrs.data)
        assert_int_equal(buf_puts(&r->hdrs, ""), 0);
    if (rc != CURLE_OK && !allow_fail)
        fail_msg("%s %s: transport error: %s", method, path,
                 curl_easy_strerror(rc));
    /* every answer of the API is held against the document it serves */
    if (rc == CURLE_OK)
        openapi_check(method, path, r->status, rctype, r->body.data,
                      r->body.len);
    return rc;
}

static inline void api_http(const api_srv *s, const char *method,
                            const char *path, const char *token,
                            const char *body, api_reply *r)
{
    api_http_ex(s, method, path, token, body ? "application/json" : NULL,
                body, body ? strlen(body) : 0, NULL, 0, r);
}

static inline void api_get(const api_srv *s, const char *path,
                           const char *token, api_reply *r)
{
    api_http(s, "GET", path, token, NULL, r);
}

/* Value of the last response header called name, or NULL. */
static inline const char *api_hdr(const api_reply *r, const char *name,
                                  char *out, size_t outlen)
{
    const char *found = NULL;
    size_t n = strlen(name);
    for (const char *p = r->hdrs.data; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol)
            break;
        if (!strncasecmp(p, name, n) && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            snprintf(out, outlen, "%.*s", (int)(eol - v), v);
            found = out;
        }
        p = eol + 2;
    }
    return found;
}

/* Fail (naming the request, never the body) unless the status is want. */
#define API_EXPECT(r, want, what)                                             \
    do {                                                                      \
        if ((r)->status != (want))                                            \
            fail_msg("%s: HTTP %ld, expected %d", (what), (r)->status,        \
                     (int)(want));                                            \
    } while (0)

static inline json_t *api_json(const api_reply *r)
{
    json_error_t je;
    json_t *j = json_loadb(r->body.data, r->body.len, 0, &je);
    if (!j)
        fail_msg("response (HTTP %ld, %zu bytes) is not JSON", r->status,
                 r->body.len);
    return j;
}

/*
 * The response is the JSON error shape with this status (and, if field is
 * not NULL, naming that field).
 */
static inline void api_expect_error(const api_reply *r, int status,
                                    const char *field, const char *what)
{
    API_EXPECT(r, status, what);
    char ct[128];
    if (!api_hdr(r, "Content-Type", ct, sizeof ct) ||
        strncmp(ct, "application/json", 16))
        fail_msg("%s: error answer is not JSON", what);
    json_t *j = api_json(r);
    json_t *err = json_object_get(j, "error");
    if (!json_is_object(err) ||
        json_integer_value(json_object_get(err, "status")) != status ||
        !json_is_string(json_object_get(err, "code")) ||
        !json_is_string(json_object_get(err, "message")))
        fail_msg("%s: not the JSON error shape", what);
    if (field) {
        const char *f = json_string_value(json_object_get(err, "field"));
        if (!f || strcmp(f, field))
            fail_msg("%s: error.field is '%s', expected '%s'", what,
                     f ? f : "(none)", field);
    }
    json_decref(j);
}

/* ===== records ===== */

static inline json_t *api_load_json(const char *path)
{
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("cannot load %s: %s", path, je.text);
    return j;
}

/* A copy of the English example record (tests/fixtures/records), retitled
 * (and redescribed). */
static inline json_t *api_record(const char *title, const char *desc)
{
    char p[4096];
    api_fixture("records/minimal-incident.json", p, sizeof p);
    json_t *j = api_load_json(p);
    if (title)
        json_object_set_new(json_object_get(j, "title"), "text",
                            json_string(title));
    if (desc)
        json_object_set_new(json_array_get(json_object_get(j, "description"),
                                           0),
                            "text", json_string(desc));
    return j;
}

static inline char *api_dump(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    assert_non_null(s);
    return s;
}

/* POST /api/v1/records with body text; 201 expected; id into id. */
static inline void api_create_text(const api_srv *s, const char *token,
                                   const char *body, size_t len, char id[32])
{
    api_reply r;
    api_http_ex(s, "POST", "/api/v1/records", token, "application/json",
                body, len, NULL, 0, &r);
    if (r.status != 201) {
        json_t *j = json_loadb(r.body.data, r.body.len, 0, NULL);
        const char *f = json_string_value(
            json_object_get(json_object_get(j, "error"), "field"));
        fail_msg("create: HTTP %ld (field %s)", r.status, f ? f : "-");
    }
    json_t *j = api_json(&r);
    const char *got = json_string_value(json_object_get(j, "id"));
    assert_non_null(got);
    assert_true(strlen(got) < 32);
    snprintf(id, 32, "%s", got);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
    assert_string_equal(json_string_value(json_object_get(j, "state")),
                        "draft");
    json_decref(j);
    api_reply_release(&r);
}

static inline void api_create(const api_srv *s, const char *token,
                              const json_t *rec, char id[32])
{
    char *body = api_dump(rec);
    api_create_text(s, token, body, strlen(body), id);
    free(body);
}

/* POST /api/v1/records/ID/ACTION with a JSON body (NULL: none); returns
 * the status, the answer in r (caller releases). */
static inline long api_action(const api_srv *s, const char *token,
                              const char *id, const char *action,
                              const char *body, api_reply *r)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/records/%.31s/%s", id, action);
    api_http(s, "POST", path, token, body, r);
    return r->status;
}

/* Accept a submitted record (as reviewer); returns the log index. */
static inline long long api_accept(const api_srv *s, const char *reviewer,
                                   const char *id)
{
    api_reply r;
    if (api_action(s, reviewer, id, "review", "{\"decision\":\"accept\"}",
                   &r) != 200)
        fail_msg("accept %s: HTTP %ld", id, r.status);
    json_t *j = api_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "state")),
                        "published");
    json_t *li = json_object_get(j, "log_index");
    assert_true(json_is_integer(li));
    long long idx = (long long)json_integer_value(li);
    assert_true(idx >= 0);
    json_decref(j);
    api_reply_release(&r);
    return idx;
}

/* Submit (by owner) and accept (by reviewer); returns the log index. */
static inline long long api_publish(const api_srv *s, const char *owner,
                                    const char *reviewer, const char *id)
{
    api_reply r;
    if (api_action(s, owner, id, "submit", NULL, &r) != 200)
        fail_msg("submit %s: HTTP %ld", id, r.status);
    api_reply_release(&r);
    return api_accept(s, reviewer, id);
}

/* GET a record's bytes as token sees them; returns the status, the body
 * (malloc'd, caller frees) in *body when 200. */
static inline long api_get_record(const api_srv *s, const char *token,
                                  const char *id, int version, char **body,
                                  size_t *len)
{
    char path[128];
    if (version)
        snprintf(path, sizeof path, "/api/v1/records/%.31s?version=%d", id,
                 version);
    else
        snprintf(path, sizeof path, "/api/v1/records/%.31s", id);
    api_reply r;
    api_get(s, path, token, &r);
    long st = r.status;
    if (body) {
        *body = NULL;
        if (st == 200)
            *body = buf_detach(&r.body, len);
    }
    api_reply_release(&r);
    return st;
}

/* The size in the server's current checkpoint (GET /log/checkpoint). */
static inline uint64_t api_log_size(const api_srv *s)
{
    api_reply r;
    api_get(s, "/log/checkpoint", NULL, &r);
    API_EXPECT(&r, 200, "GET /log/checkpoint");
    const char *nl = strchr(r.body.data, '\n');
    assert_non_null(nl);
    uint64_t n = strtoull(nl + 1, NULL, 10);
    api_reply_release(&r);
    return n;
}

/* `osafe log get LOG INDEX`: the entry's exact bytes (malloc'd). */
static inline char *api_log_entry(const api_srv *s, long long index,
                                  size_t *len)
{
    char idx[32];
    snprintf(idx, sizeof idx, "%lld", index);
    char *argv[] = {(char *)api_osafe(), "log", "get", (char *)s->log, idx,
                    NULL};
    osafe_buf out = OSAFE_BUF_INIT;
    int rc = api_run(argv, &out, NULL);
    if (rc != 0)
        fail_msg("osafe log get %lld: exit %d", index, rc);
    if (!out.data)
        assert_int_equal(buf_puts(&out, ""), 0);
    return buf_detach(&out, len);
}

/* 1 if bytes are their own RFC 8785 form (sorted keys, no whitespace). */
static inline int api_is_canonical(const char *bytes, size_t len)
{
    osafe_buf out = OSAFE_BUF_INIT;
    int ok = canon_json(bytes, len, &out, NULL) == 0 && out.len == len &&
             memcmp(out.data, bytes, len) == 0;
    buf_release(&out);
    return ok;
}

static inline void api_sha256_hex(char out[65], const void *a, size_t alen,
                                  const void *b, size_t blen)
{
    crypto_hash_sha256_state st;
    uint8_t h[32];
    crypto_hash_sha256_init(&st);
    if (alen)
        crypto_hash_sha256_update(&st, a, alen);
    if (blen)
        crypto_hash_sha256_update(&st, b, blen);
    crypto_hash_sha256_final(&st, h);
    hex_encode(out, h, 32);
}

/* Ids in a {"records":[{"id":...}...]} answer, in order, as one string
 * "ID1 ID2 ..." (malloc'd); *next gets next_cursor ("" when null). */
static inline char *api_page_ids(const api_reply *r, char next[64])
{
    json_t *j = api_json(r);
    json_t *recs = json_object_get(j, "records"), *x;
    if (!json_is_array(recs))
        fail_msg("no records array (HTTP %ld)", r->status);
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(buf_puts(&b, ""), 0);
    size_t i;
    json_array_foreach(recs, i, x) {
        const char *id = json_string_value(json_object_get(x, "id"));
        assert_non_null(id);
        assert_int_equal(buf_printf(&b, "%s%s", i ? " " : "", id), 0);
    }
    if (next) {
        const char *n = json_string_value(json_object_get(j, "next_cursor"));
        snprintf(next, 64, "%s", n ? n : "");
    }
    json_decref(j);
    return buf_detach(&b, NULL);
}

/* 1 if the space-separated id list contains id. */
static inline int api_has_id(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = list; (p = strstr(p, id)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

/* GET path as token; the ids it lists ("ID ID ..."), 200 required. */
static inline char *api_list_ids(const api_srv *s, const char *path,
                                 const char *token)
{
    api_reply r;
    api_get(s, path, token, &r);
    API_EXPECT(&r, 200, path);
    char *ids = api_page_ids(&r, NULL);
    api_reply_release(&r);
    return ids;
}

/* URL-encode text for a query string (caller frees with curl_free). */
static inline char *api_escape(const char *text)
{
    char *e = curl_easy_escape(NULL, text, 0);
    assert_non_null(e);
    return e;
}

/* GET /api/v1/search?q=TEXT as token: the ids found. */
static inline char *api_search(const api_srv *s, const char *q,
                               const char *token)
{
    char *e = api_escape(q), path[2048];
    snprintf(path, sizeof path, "/api/v1/search?q=%s&limit=500", e);
    curl_free(e);
    return api_list_ids(s, path, token);
}

/* Parse bytes that must be JSON (fails the test otherwise). */
static inline json_t *api_parse_bytes(const char *b, size_t n)
{
    json_t *j = json_loadb(b, n, 0, NULL);
    assert_non_null(j);
    return j;
}

/* A string field that must be there. */
static inline const char *api_jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    if (!s)
        fail_msg("field '%s' missing or not a string", k);
    return s;
}

#endif
