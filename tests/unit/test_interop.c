/*
 * test_interop.c - `osafe export` and `osafe import` against each other, on
 * the fixture records of tests/fixtures/interop/records.jsonl (published
 * into a fresh registry: one withdrawn, one merged into another, one
 * TLP:GREEN, one AMBER):
 *
 *   - every format carries the state of withdrawn and merged records
 *     (native "state", OSV "withdrawn", STIX "revoked", CSV "state");
 *   - --tlp GREEN adds GREEN records to the osv and avid exports as to the
 *     others, and AMBER never leaves;
 *   - round trips: `import json` of the native export gives back every
 *     record's content identically (its source id added to aliases); the
 *     CSV export re-imports with every column it documents; osafe's own
 *     OSV and AVID exports import again, recovering what they carry.
 *
 * The official-schema validation and the round trip on the public AVID
 * data are in test_interop_data.c (they need ../shared).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
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

static const char *fixture_path(void)
{
    /* Beside this source file: the fixtures travel with the tests. */
    static char p[512];
    const char *src = __FILE__, *slash = strrchr(src, '/');
    int n = slash ? (int)(slash - src) : 1;
    snprintf(p, sizeof p, "%.*s/../fixtures/interop/records.jsonl", n,
             slash ? src : ".");
    return p;
}

static json_t *fixture(size_t i)
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

static void run_ok(char **argv, osafe_buf *out)
{
    char err[300];
    snprintf(err, sizeof err, "%s/cmd.err", dir);
    int rc = api_run(argv, out, err);
    if (rc != 0)
        fail_msg("%s %s %s: exit %d (see %s)", argv[1], argv[2],
                 argv[3] ? argv[3] : "", rc, err);
}

static int setup(void **state)
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
    char *gen[] = {(char *)api_osafe(), "key", "generate", "localhost/osafe-log",
                   "--out", kdir, NULL};
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
    osafe_store *s = reg_store_get(r);
    int64_t aid;
    assert_int_equal(s->ops->account_create(s, "staff", "admin", "", "!t",
                                            &aid, &e),
                     0);
    assert_int_equal(s->ops->account_by_token(s, "!t", &c.acct, &e), 0);
    reg_store_put(r, s);
    c.authenticated = 1;
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

static int teardown(void **state)
{
    (void)state;
    if (!getenv("KEEP"))
        api_rmrf(dir);
    return 0;
}

/* `osafe export FMT --db DB [--tlp T] --out DIR/NAME`; the file's path. */
static const char *export(const char *fmt, const char *tlp, const char *name)
{
    static char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *argv[] = {(char *)api_osafe(), "export", (char *)fmt, "--db", db,
                    "--out", path, tlp ? "--tlp" : NULL, (char *)tlp, NULL};
    run_ok(argv, NULL);
    return path;
}

/* `osafe import FMT FILE --db DB2` into a fresh database; its path. */
static const char *import(const char *fmt, const char *file, const char *name)
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

/* Every record of a database (any state), as {alias-or-id: record}. */
static json_t *load_all(const char *path)
{
    osafe_store *s;
    osafe_err e;
    assert_int_equal(store_sqlite_open(path, &s, &e), 0);
    store_visibility vis = {1, 1, 0, NULL};
    store_filter f;
    memset(&f, 0, sizeof f);
    f.limit = 100;
    f.cursor = "";
    store_page p;
    assert_int_equal(s->ops->list(s, &vis, &f, &p, &e), 0);
    json_t *all = json_object();
    for (size_t i = 0; i < p.n; i++) {
        store_version v;
        assert_int_equal(
            s->ops->version_get(s, p.ids[i], p.versions[i], &v, &e), 0);
        json_t *j = json_loadb(v.body, v.body_len, 0, NULL);
        assert_non_null(j);
        json_object_set_new(all, p.ids[i], j);
        store_version_release(&v);
    }
    store_page_release(&p);
    s->ops->close(s);
    return all;
}

static void strip_minted(json_t *j)
{
    for (const char *const *m = minted; *m; m++)
        json_object_del(j, *m);
}

/* The imported record whose aliases hold id (borrowed), else NULL. */
static json_t *by_alias(json_t *all, const char *id)
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
static json_t *lines_by(const char *path, const char *(*get)(json_t *))
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

static const char *native_id(json_t *j)
{
    return json_string_value(json_object_get(j, "id"));
}

static const char *osv_id(json_t *j)
{
    return json_string_value(
        json_object_get(json_object_get(json_object_get(j, "database_specific"),
                                        "osafe"),
                        "id"));
}

static const char *avid_id(json_t *j)
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

static void test_states_exported(void **state)
{
    (void)state;
    json_t *nat = lines_by(export("json", NULL, "n.jsonl"), native_id);
    assert_int_equal(json_object_size(nat), 3); /* CLEAR only */
    json_t *w = json_object_get(nat, ids[1]), *m = json_object_get(nat, ids[2]);
    assert_string_equal(json_string_value(json_object_get(w, "state")),
                        "withdrawn");
    assert_non_null(json_string_value(json_object_get(w, "withdrawn")));
    assert_string_equal(json_string_value(json_object_get(m, "state")),
                        "merged");
    assert_string_equal(json_string_value(json_object_get(m, "merged_into")),
                        ids[0]);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(nat, ids[0]),
                                          "state")),
        "published");
    json_decref(nat);

    json_t *osv = lines_by(export("osv", NULL, "o.jsonl"), osv_id);
    assert_non_null(json_object_get(json_object_get(osv, ids[1]), "withdrawn"));
    assert_non_null(json_object_get(json_object_get(osv, ids[2]), "withdrawn"));
    assert_null(json_object_get(json_object_get(osv, ids[0]), "withdrawn"));
    json_decref(osv);

    json_t *b = json_load_file(export("stix", NULL, "s.json"), 0, NULL);
    assert_non_null(b);
    size_t i, revoked = 0, sdos = 0;
    json_t *o;
    json_array_foreach (json_object_get(b, "objects"), i, o) {
        const char *t = json_string_value(json_object_get(o, "type"));
        if (strcmp(t, "incident") && strcmp(t, "vulnerability"))
            continue;
        sdos++;
        revoked += json_is_true(json_object_get(o, "revoked"));
    }
    assert_int_equal(sdos, 3);
    assert_int_equal(revoked, 2);
    json_decref(b);

    size_t n;
    char *csv = api_read_file(export("csv", NULL, "c.csv"), &n);
    assert_non_null(strstr(csv, ",state,"));
    assert_non_null(strstr(csv, ",withdrawn,"));
    assert_non_null(strstr(csv, ",merged,"));
    free(csv);
}

static void test_tlp_green(void **state)
{
    (void)state;
    json_t *clear = lines_by(export("osv", NULL, "o1.jsonl"), osv_id);
    json_t *green = lines_by(export("osv", "GREEN", "o2.jsonl"), osv_id);
    assert_null(json_object_get(clear, ids[3]));
    assert_non_null(json_object_get(green, ids[3]));
    assert_null(json_object_get(green, ids[4]));
    assert_int_equal(json_object_size(green), 4); /* never AMBER */
    json_decref(clear);
    json_decref(green);
    clear = lines_by(export("avid", NULL, "a1.jsonl"), avid_id);
    green = lines_by(export("avid", "GREEN", "a2.jsonl"), avid_id);
    assert_null(json_object_get(clear, ids[3]));
    assert_non_null(json_object_get(green, ids[3]));
    assert_null(json_object_get(green, ids[4]));
    json_decref(clear);
    json_decref(green);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    const char *file = export("json", "GREEN", "n2.jsonl");
    json_t *exported = lines_by(file, native_id);
    json_t *back = load_all(import("json", file, "j.db"));
    assert_int_equal(json_object_size(back), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *want = fixture(i);
        json_t *got = json_deep_copy(by_alias(back, ids[i]));
        if (!got)
            fail_msg("%s: not imported back", ids[i]);
        strip_minted(got);
        /* The source id is appended to the aliases; nothing else moves. */
        json_t *al = json_object_get(got, "aliases");
        assert_string_equal(
            json_string_value(json_array_get(al, json_array_size(al) - 1)),
            ids[i]);
        json_array_remove(al, json_array_size(al) - 1);
        if (!json_array_size(al) && !json_object_get(want, "aliases"))
            json_object_del(got, "aliases");
        if (!json_equal(want, got)) {
            char *a = json_dumps(want, JSON_SORT_KEYS),
                 *b = json_dumps(got, JSON_SORT_KEYS);
            fail_msg("%s changed in the round trip:\n%s\n%s", ids[i], a, b);
        }
        json_decref(want);
        json_decref(got);
    }
    json_decref(back);
    json_decref(exported);
}

/* The imported copy of the rich first fixture record, through fmt. */
static json_t *first_back(const char *fmt, const char *file, const char *dbn)
{
    json_t *back = load_all(import(fmt, file, dbn));
    json_t *got = by_alias(back, ids[0]);
    if (!got)
        fail_msg("%s: %s not imported back", fmt, ids[0]);
    json_incref(got);
    json_decref(back);
    return got;
}

/* The fields that must come back identical through fmt. */
static void same_fields(const char *fmt, const json_t *want, const json_t *got,
                        const char *const *fields)
{
    for (const char *const *f = fields; *f; f++) {
        const json_t *a = json_object_get(want, *f),
                     *b = json_object_get(got, *f);
        if (!json_equal((json_t *)a, (json_t *)b)) {
            char *x = a ? json_dumps(a, JSON_SORT_KEYS | JSON_ENCODE_ANY)
                        : NULL,
                 *y = b ? json_dumps(b, JSON_SORT_KEYS | JSON_ENCODE_ANY)
                        : NULL;
            fail_msg("%s round trip: %s differs:\n%s\n%s", fmt, *f,
                     x ? x : "(absent)", y ? y : "(absent)");
        }
    }
}

static void test_csv_round_trip(void **state)
{
    (void)state;
    json_t *want = fixture(0);
    json_t *got = first_back("csv", export("csv", NULL, "r.csv"), "c.db");
    static const char *const fields[] = {
        "record_type", "lang",        "title",          "description",
        "ai_relation", "use_mode",    "occurred_start", "occurred_end",
        "detected",    "countries_occurred", "severity", "scores",
        "harm_types",  "hazards",     "entities",       "credits",
        "ai_systems",  "lifecycle_stages", "classifications", "metrics",
        "references",  "related",     "tlp",            "license",
        NULL};
    same_fields("csv", want, got, fields);
    json_decref(want);
    json_decref(got);
}

static void test_osv_round_trip(void **state)
{
    (void)state;
    json_t *want = fixture(0);
    json_t *got = first_back("osv", export("osv", NULL, "r.jsonl"), "o.db");
    static const char *const fields[] = {
        "record_type", "lang", "title", "ai_relation", "occurred_start",
        "occurred_end", "countries_occurred", "severity", "harm_types",
        "hazards", "entities", "credits", "ai_systems", "lifecycle_stages",
        "classifications", "related", "tlp", "license", NULL};
    same_fields("osv", want, got, fields);
    json_decref(want);
    json_decref(got);
}

static void test_avid_round_trip(void **state)
{
    (void)state;
    json_t *want = fixture(0);
    json_t *got = first_back("avid", export("avid", NULL, "r2.jsonl"), "v.db");
    static const char *const fields[] = {"lang", "title", "metrics",
                                         "entities", NULL};
    same_fields("avid", want, got, fields);
    /* Descriptions: the English one (AVID holds one). */
    assert_true(json_equal(json_array_get(json_object_get(want, "description"),
                                          0),
                           json_array_get(json_object_get(got, "description"),
                                          0)));
    json_decref(want);
    json_decref(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states_exported),
        cmocka_unit_test(test_tlp_green),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_csv_round_trip),
        cmocka_unit_test(test_osv_round_trip),
        cmocka_unit_test(test_avid_round_trip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
