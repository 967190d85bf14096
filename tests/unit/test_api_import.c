/*
 * test_api_import.c - `osafe import` on the real data in ../shared/data
 * (AVID JSON Lines, MITRE ATLAS YAML), then the imported records through
 * the real `osafe serve`:
 *
 *   - every source record is reported once (imported, skipped or
 *     rejected); a second import of the same files imports nothing and
 *     skips every record imported the first time;
 *   - imported drafts keep the source id (in "aliases") and the licence,
 *     are canonical, are visible to staff only, and publish through the
 *     API like any draft (with a proof the log's verifier accepts);
 *   - `--publish` into a log the server created: after a restart anyone
 *     reads them, and the log audits.
 *
 * The import output and the records are never printed: the data holds
 * harmful text.  Without the shared folder the cases are skipped (exit 77,
 * vectors.h); a failing `osafe import` fails them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "tlog/proof.h"
#include "vectors.h"

static api_srv S;      /* drafts imported, then served */
static api_srv P;      /* imported with --publish */
static char tAdm[128], tRev[128], tRep[128];

typedef struct counts {
    unsigned imported, skipped, rejected;
    char first_id[32], first_source[128];
} counts;

/* Run `osafe import FORMAT FILES... --db DB [extra...]`, count its lines. */
static int run_import(const char *format, const char *f1, const char *f2,
                      const char *db, const char *logdir, counts *c)
{
    char *argv[12];
    int n = 0;
    argv[n++] = (char *)api_osafe();
    argv[n++] = "import";
    argv[n++] = (char *)format;
    argv[n++] = (char *)f1;
    if (f2)
        argv[n++] = (char *)f2;
    argv[n++] = "--db";
    argv[n++] = (char *)db;
    if (logdir) {
        argv[n++] = "--publish";
        argv[n++] = "--log";
        argv[n++] = (char *)logdir;
    }
    argv[n] = NULL;
    osafe_buf out = OSAFE_BUF_INIT;
    char err[256];
    snprintf(err, sizeof err, "%s/import.err", S.dir);
    int rc = api_run(argv, &out, err);
    memset(c, 0, sizeof *c);
    for (char *save, *line = out.data ? strtok_r(out.data, "\n", &save)
                                      : NULL;
         line; line = strtok_r(NULL, "\n", &save)) {
        if (!strncmp(line, "imported ", 9)) {
            if (!c->imported++)
                sscanf(line + 9, "%31s %127s", c->first_id, c->first_source);
        } else if (!strncmp(line, "skipped ", 8)) {
            c->skipped++;
        } else if (!strncmp(line, "rejected ", 9)) {
            c->rejected++;
        } else {
            fail_msg("import %s: unexpected output line", format);
        }
    }
    buf_release(&out);
    return rc;
}

/* Non-blank lines of a JSON Lines file. */
static unsigned jsonl_records(const char *path)
{
    size_t n;
    char *t = api_read_file(path, &n);
    unsigned k = 0;
    for (char *save, *l = strtok_r(t, "\n", &save); l;
         l = strtok_r(NULL, "\n", &save))
        k += strspn(l, " \t\r") != strlen(l);
    free(t);
    return k;
}

static int setup(void **state)
{
    (void)state;
    api_init(&S);
    api_init(&P);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fini(&S);
    api_fini(&P);
    return 0;
}

static char avidV[4096], avidR[4096], atlas[4096];
static counts cAvid, cAtlas;

/* The data sets (skips the case without the shared folder), and whether
 * the case this one builds on imported anything. */
static void need_data(int imported, const char *earlier)
{
    vec_require("data/avid/avid_vulnerabilities.jsonl", avidV, sizeof avidV);
    vec_require("data/avid/avid_reports.jsonl", avidR, sizeof avidR);
    vec_require("data/mitre-atlas/ATLAS.yaml", atlas, sizeof atlas);
    if (!imported && earlier)
        fail_msg("nothing to check: %s imported nothing", earlier);
}

static void test_import_idempotent(void **state)
{
    (void)state;
    need_data(1, NULL);
    unsigned want = jsonl_records(avidV) + jsonl_records(avidR);
    assert_true(want > 1000);

    int rc = run_import("avid", avidV, avidR, S.db, NULL, &cAvid);
    assert_true(rc == 0 || (rc == 1 && cAvid.rejected > 0));
    assert_int_equal(cAvid.imported + cAvid.rejected, want);
    assert_true(cAvid.imported > want / 2);
    assert_int_equal(cAvid.skipped, 0);
    assert_true(!strncmp(cAvid.first_source, "avid:", 5));

    counts again;
    rc = run_import("avid", avidV, avidR, S.db, NULL, &again);
    assert_true(rc == 0 || rc == 1);
    assert_int_equal(again.imported, 0);
    assert_int_equal(again.skipped, cAvid.imported);
    assert_int_equal(again.rejected, cAvid.rejected);

    rc = run_import("atlas", atlas, NULL, S.db, NULL, &cAtlas);
    assert_true(rc == 0 || (rc == 1 && cAtlas.rejected > 0));
    assert_true(cAtlas.imported >= 50); /* 57 case studies in v5.6.0 */
    rc = run_import("atlas", atlas, NULL, S.db, NULL, &again);
    assert_int_equal(again.imported, 0);
    assert_int_equal(again.skipped, cAtlas.imported);
}

/* The alias the source key names ("avid:AVID-2022-V001" -> its id). */
static void check_imported(const char *id, const char *source,
                           const char *license)
{
    char *b;
    size_t n;
    assert_int_equal(api_get_record(&S, tAdm, id, 0, &b, &n), 200);
    assert_true(api_is_canonical(b, n));
    json_t *j = json_loadb(b, n, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "state")),
                        "draft");
    assert_string_equal(json_string_value(json_object_get(j, "license")),
                        license);
    const char *src = strchr(source, ':');
    src = src ? src + 1 : source;
    json_t *aliases = json_object_get(j, "aliases"), *x;
    size_t i;
    int found = 0;
    json_array_foreach(aliases, i, x) found |=
        json_is_string(x) && !strcmp(json_string_value(x), src);
    if (!found)
        fail_msg("%s: source id %s not kept in aliases", id, src);
    json_decref(j);
    free(b);
}

static void test_imported_records_served(void **state)
{
    (void)state;
    need_data(cAvid.imported && cAtlas.imported, "test_import_idempotent");
    api_token(&S, "root", "admin", NULL, tAdm);
    api_token(&S, "rita", "reviewer", NULL, tRev);
    api_token(&S, "alice", "reporter", "org-a", tRep);
    api_start(&S);

    /* staff see every imported draft, page by page; others none */
    unsigned total = 0;
    char cursor[64] = "", path[256];
    do {
        snprintf(path, sizeof path, "/api/v1/records?limit=500%s%s",
                 cursor[0] ? "&cursor=" : "", cursor);
        api_reply r;
        api_get(&S, path, tAdm, &r);
        API_EXPECT(&r, 200, "admin list");
        char *ids = api_page_ids(&r, cursor);
        api_reply_release(&r);
        for (char *p = ids; *p; p++)
            total += *p == ' ';
        total += ids[0] != '\0';
        free(ids);
    } while (cursor[0]);
    assert_int_equal(total, cAvid.imported + cAtlas.imported);
    char *ids = api_list_ids(&S, "/api/v1/records", NULL);
    assert_string_equal(ids, "");
    free(ids);
    ids = api_list_ids(&S, "/api/v1/records", tRep);
    assert_string_equal(ids, "");
    free(ids);

    check_imported(cAvid.first_id, cAvid.first_source, "MIT");
    check_imported(cAtlas.first_id, cAtlas.first_source, "Apache-2.0");

    /* an imported draft publishes through the API like any other */
    api_reply r;
    assert_int_equal(api_action(&S, tAdm, cAtlas.first_id, "submit", NULL,
                                &r),
                     200);
    api_reply_release(&r);
    long long idx = api_accept(&S, tRev, cAtlas.first_id);
    char *b;
    size_t n;
    assert_int_equal(api_get_record(&S, NULL, cAtlas.first_id, 0, &b, &n),
                     200);
    snprintf(path, sizeof path, "/api/v1/records/%.31s/proof",
             cAtlas.first_id);
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "proof of an imported record");
    tlog_verifier v;
    tlog_proof p;
    tlog_hash leaf;
    tlog_checkpoint c;
    osafe_err e;
    assert_int_equal(tlog_verifier_load(S.vkey, &v, &e), 0);
    assert_int_equal(tlog_proof_parse(r.body.data, r.body.len, &p, &e), 0);
    assert_int_equal(p.index, (uint64_t)idx);
    json_t *j = api_json(&r);
    const char *note = json_string_value(json_object_get(j, "checkpoint"));
    assert_non_null(note);
    tlog_leaf_hash(&leaf, b, n);
    assert_int_equal(tlog_check_inclusion(note, strlen(note), &v, &p, &leaf,
                                          &c, &e),
                     0);
    json_decref(j);
    api_reply_release(&r);
    free(b);
    /* search finds it by its source id */
    const char *src = strchr(cAtlas.first_source, ':') + 1;
    ids = api_search(&S, src, NULL);
    assert_true(api_has_id(ids, cAtlas.first_id));
    free(ids);
    api_stop_clean(&S);
}

static void test_import_publish(void **state)
{
    (void)state;
    need_data(cAtlas.imported, "test_import_idempotent");
    /* The server creates the log and its key; one writer at a time, so it
     * stops before the import appends. */
    api_start(&P);
    api_stop_clean(&P);
    counts c;
    int rc = run_import("atlas", atlas, NULL, P.db, P.log, &c);
    assert_true(rc == 0 || (rc == 1 && c.rejected > 0));
    assert_int_equal(c.imported, cAtlas.imported);
    unsigned imported = c.imported;

    char *verify[] = {(char *)api_osafe(), "log", "verify", P.log, "--vkey",
                      P.vkey, NULL};
    assert_int_equal(api_run(verify, NULL, NULL), 0);
    api_start(&P);
    /* anyone reads them now */
    unsigned total = 0;
    char cursor[64] = "", path[256];
    do {
        snprintf(path, sizeof path, "/api/v1/records?limit=20%s%s",
                 cursor[0] ? "&cursor=" : "", cursor);
        api_reply r;
        api_get(&P, path, NULL, &r);
        API_EXPECT(&r, 200, "anonymous list");
        char *ids = api_page_ids(&r, cursor);
        api_reply_release(&r);
        for (char *p = ids; *p; p++)
            total += *p == ' ';
        total += ids[0] != '\0';
        free(ids);
    } while (cursor[0]);
    assert_int_equal(total, imported);
    api_reply r;
    api_get(&P, "/log/checkpoint", NULL, &r);
    API_EXPECT(&r, 200, "checkpoint");
    assert_int_equal(strtoull(strchr(r.body.data, '\n') + 1, NULL, 10),
                     imported);
    api_reply_release(&r);
    api_stop_clean(&P);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_idempotent),
        cmocka_unit_test(test_imported_records_served),
        cmocka_unit_test(test_import_publish),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return vec_exit(rc);
}
