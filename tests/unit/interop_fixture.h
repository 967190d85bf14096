/*
 * interop_fixture.h - the registry the interop tests export from and
 * import into (test_interop.c, test_interop_data.c): the fixture records of
 * tests/fixtures/interop/records.jsonl published into a fresh registry,
 * the second withdrawn, the third merged into the first, the fourth
 * TLP:GREEN, the fifth AMBER; and helpers that run `osafe export` /
 * `osafe import` and read databases back.
 *
 * Header-only (static inline use, as api_client.h); include after
 * <cmocka.h> and api_client.h.
 */
#ifndef OSAFE_TESTS_INTEROP_FIXTURE_H
#define OSAFE_TESTS_INTEROP_FIXTURE_H

#include "registry/registry.h"
#include "store/store.h"

static char dir[160], db[256], logd[256], keyf[256];
static char ids[5][32]; /* the fixture records' ids, in file order */

/* What a registry mints; never part of a record's content. */
static const char *const minted[] = {
    "schema_version", "id",       "state",     "version",
    "published",      "modified", "withdrawn", "withdrawn_reason",
    "merged_into",    "origin",   "reported",  "prev_digest",
    "signatures",     NULL};

static inline const char *fixture_path(void)
{
    /* Beside this source file: the fixtures travel with the tests. */
    static char p[512];
    const char *src = __FILE__, *slash = strrchr(src, '/');
    int n = slash ? (int)(slash - src) : 1;
    snprintf(p, sizeof p, "%.*s/../fixtures/interop/records.jsonl", n,
             slash ? src : ".");
    return p;
}

static inline json_t *fixture(size_t i)
{
    size_t n;
    char *text = api_read_file(fixture_path(), &n);
    char *save, *line = strtok_r(text, "\n", &save);
    for (size_t k = 0; k < i && line; k++)
        line = strtok_r(NULL, "\n", &save);
    assert_non_null(line);
    json_t *j = json_loads(line, 0, NULL);
    free(text);
    assert_non_null(j);
    return j;
}

static inline void run_ok(char **argv, osafe_buf *out)
{
    char err[300];
    snprintf(err, sizeof err, "%s/cmd.err", dir);
    int rc = api_run(argv, out, err);
    if (rc != 0)
        fail_msg("%s %s %s: exit %d (see %s)", argv[1], argv[2],
                 argv[3] ? argv[3] : "", rc, err);
}

static inline int interop_setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/osafe-interop-XXXXXX",
             tmp && *tmp && strlen(tmp) < 80 ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/a.db", dir);
    snprintf(logd, sizeof logd, "%s/log", dir);
    snprintf(keyf, sizeof keyf, "%s/k/localhost_osafe-log.key", dir);
    char kdir[256];
    snprintf(kdir, sizeof kdir, "%s/k", dir);
    char *gen[] = {(char *)api_osafe(), "key",  "generate",
                   "localhost/osafe-log", "--out", kdir, NULL};
    run_ok(gen, NULL);
    char *init[] = {(char *)api_osafe(), "log", "init", logd, "--origin",
                    "localhost/osafe-log", "--key", keyf, NULL};
    run_ok(init, NULL);

    registry *r;
    osafe_err e;
    reg_opts ro = {db, logd, keyf, "OSAFE", "localhost", 1};
    assert_int_equal(reg_open(&ro, &r, &e), 0);
    reg_caller c;
    memset(&c, 0, sizeof c);
    char tok[128];
    assert_int_equal(
        reg_token_create(r, "staff", "admin", "", tok, sizeof tok, &e), 0);
    assert_int_equal(reg_auth(r, tok, &c, &e), 0);
    for (size_t i = 0; i < 5; i++) {
        json_t *j = fixture(i);
        char *body = json_dumps(j, JSON_COMPACT), key[32];
        snprintf(key, sizeof key, "fixture:%zu", i);
        int existing;
        if (reg_import(r, &c, key, body, strlen(body), 1, ids[i], &existing,
                       &e))
            fail_msg("fixture %zu: %s", i, e.msg);
        free(body);
        json_decref(j);
    }
    char *out = NULL;
    const char *why = "{\"reason\":\"fixture withdrawn\"}";
    assert_int_equal(reg_withdraw(r, &c, ids[1], why, strlen(why), &out, &e),
                     0);
    free(out);
    char link[128];
    snprintf(link, sizeof link, "{\"to\":\"%s\",\"relation\":\"duplicate_of\"}",
             ids[0]);
    assert_int_equal(reg_link(r, &c, ids[2], link, strlen(link), &out, &e), 0);
    free(out);
    reg_close(r);
    return 0;
}

static inline int interop_teardown(void **state)
{
    (void)state;
    if (!getenv("KEEP"))
        api_rmrf(dir);
    return 0;
}

/* `osafe export FMT --db DB [--tlp T] --out DIR/NAME`; the file's path. */
static inline const char *export(const char *fmt, const char *tlp,
                                 const char *name)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *argv[] = {(char *)api_osafe(), "export", (char *)fmt, "--db", db,
                    "--out", path, tlp ? "--tlp" : NULL, (char *)tlp, NULL};
    run_ok(argv, NULL);
    return path;
}

/* `osafe import FMT FILE --db DB2` into a fresh database; its path. */
static inline const char *import(const char *fmt, const char *file,
                                 const char *name)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
    char *argv[] = {(char *)api_osafe(), "import", (char *)fmt, (char *)file,
                    "--db", path, NULL};
    osafe_buf out = OSAFE_BUF_INIT;
    run_ok(argv, &out);
    buf_release(&out);
    return path;
}

/* The store's visibility rule for a reader of everything. */
static inline int reads_all(const void *who, int64_t owner, const char *org,
                            const char *tlp, int published)
{
    (void)who, (void)owner, (void)org, (void)tlp, (void)published;
    return 1;
}

/* Every record of a database (any state), as {alias-or-id: record}. */
static inline json_t *load_all(const char *path)
{
    osafe_store *s;
    osafe_err e;
    assert_int_equal(store_sqlite_open(path, &s, &e), 0);
    store_visibility vis = {reads_all, NULL};
    store_filter f;
    memset(&f, 0, sizeof f);
    f.limit = 500;
    char cursor[32] = "";
    json_t *all = json_object();
    do {
        store_page p;
        f.cursor = cursor;
        assert_int_equal(s->ops->list(s, &vis, &f, &p, &e), 0);
        for (size_t i = 0; i < p.n; i++) {
            store_version v;
            assert_int_equal(
                s->ops->version_get(s, p.ids[i], p.versions[i], &v, &e), 0);
            json_t *j = json_loadb(v.body, v.body_len, 0, NULL);
            assert_non_null(j);
            json_object_set_new(all, p.ids[i], j);
            store_version_release(&v);
        }
        snprintf(cursor, sizeof cursor, "%s", p.next_cursor);
        store_page_release(&p);
    } while (cursor[0]);
    s->ops->close(s);
    return all;
}

static inline void strip_minted(json_t *j)
{
    for (const char *const *m = minted; *m; m++)
        json_object_del(j, *m);
}

/* The imported record whose aliases hold id (borrowed), else NULL. */
static inline json_t *by_alias(json_t *all, const char *id)
{
    const char *k;
    json_t *rec;
    json_object_foreach (all, k, rec) {
        size_t i;
        json_t *a;
        json_array_foreach (json_object_get(rec, "aliases"), i, a) {
            if (!strcmp(json_string_value(a), id))
                return rec;
        }
    }
    return NULL;
}

/* Lines of a JSON Lines export, parsed, by osafe id (found through get). */
static inline json_t *lines_by(const char *path,
                               const char *(*get)(json_t *))
{
    size_t n;
    char *text = api_read_file(path, &n);
    json_t *all = json_object();
    for (char *save, *l = strtok_r(text, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save)) {
        json_t *j = json_loads(l, 0, NULL);
        assert_non_null(j);
        json_object_set_new(all, get(j), j);
    }
    free(text);
    return all;
}

static inline const char *native_id(json_t *j)
{
    return json_string_value(json_object_get(j, "id"));
}

static inline const char *osv_id(json_t *j)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(j, "database_specific"),
                                        "osafe"),
                        "id"));
}

static inline const char *avid_id(json_t *j)
{
    size_t i;
    json_t *r;
    json_array_foreach (json_object_get(j, "references"), i, r) {
        const char *l = json_string_value(json_object_get(r, "label"));
        if (l && !strncmp(l, "osafe:", 6))
            return l + 6;
    }
    return "?";
}

#endif
