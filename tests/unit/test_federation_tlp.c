/*
 * test_federation_tlp.c - GREEN and AMBER across nodes (issue 12): the
 * `peer` token role on the origin's API (what it reads, that it writes
 * nothing, that RED never reaches it), the commitment check a mirror makes
 * on what the peer's API serves, and a real sync from one `osafe serve`
 * into another node's database with and without the token, then what the
 * mirror's API shows to whom.  The three-node version with a tampering
 * server is tests/e2e/federation_tlp.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "api_client.h"
#include "core/fsx.h"
#include "federation/fed_int.h"
#include "federation/federation.h"
#include "store/store.h"
#include "tlog/note.h"

#define TOKEN_ENV "OSAFE_TEST_PEER_TOKEN"

static void test_commitment_check(void **state)
{
    (void)state;
    const char *body = "{\"id\":\"X-1\",\"tlp\":\"AMBER\",\"version\":2}";
    char salt[65], hex[65];
    memset(salt, 'a', 64);
    salt[64] = '\0';
    uint8_t raw[32];
    memset(raw, 0xaa, sizeof raw);
    api_sha256_hex(hex, raw, sizeof raw, body, strlen(body));
    fed__commitment cm = {"X-1", 2, "AMBER", ""};
    snprintf(cm.commitment, sizeof cm.commitment, "%s", hex);
    osafe_err e;
    assert_int_equal(fed__check_commitment(&cm, body, strlen(body), salt, &e),
                     0);
    /* another salt, changed bytes, no salt: refused */
    char other[65];
    memcpy(other, salt, sizeof other);
    other[0] = 'b';
    assert_int_equal(fed__check_commitment(&cm, body, strlen(body), other, &e),
                     OSAFE_EVERIFY);
    assert_non_null(strstr(e.msg, "does not match the commitment"));
    const char *changed = "{\"id\":\"X-1\",\"tlp\":\"AMBER\",\"version\":3}";
    assert_int_equal(
        fed__check_commitment(&cm, changed, strlen(changed), salt, &e),
        OSAFE_EVERIFY);
    assert_int_equal(fed__check_commitment(&cm, body, strlen(body), "", &e),
                     OSAFE_EVERIFY);
    assert_non_null(strstr(e.msg, "no valid salt"));
    /* the right bytes under a commitment naming another record */
    fed__commitment other_id = cm;
    snprintf(other_id.id, sizeof other_id.id, "X-9");
    assert_int_equal(
        fed__check_commitment(&other_id, body, strlen(body), salt, &e),
        OSAFE_EVERIFY);
    assert_non_null(strstr(e.msg, "another id"));
}

/* The origin: records of every level, by alice (org acme) unless said. */
struct origin {
    api_srv S;
    char alice[128], carol[128], bob[128], peer[128], peer_other[128];
    char clear[32], green[32], amber[32], strict[32], amber_other[32],
        red[32];
    char origin[256]; /* its log's name (the verifier key's) */
};

static void publish_level(struct origin *o, const char *owner,
                          const char *tlp, char id[32])
{
    json_t *rec = api_record(tlp, NULL); /* the title names the level */
    json_object_set_new(rec, "tlp", json_string(tlp));
    api_create(&o->S, owner, rec, id);
    json_decref(rec);
    (void)api_publish(&o->S, owner, o->bob, id);
}

static void origin_start(struct origin *o)
{
    api_init(&o->S);
    api_token(&o->S, "alice", "reporter", "acme", o->alice);
    api_token(&o->S, "carol", "reporter", "other", o->carol);
    api_token(&o->S, "bob", "reviewer", NULL, o->bob);
    /* the node that mirrors us, its organisation acme */
    api_token(&o->S, "mirror-b", "peer", "acme", o->peer);
    api_token(&o->S, "mirror-c", "peer", "elsewhere", o->peer_other);
    api_start(&o->S);
    size_t vl;
    char *vk = api_read_file(o->S.vkey, &vl);
    snprintf(o->origin, sizeof o->origin, "%.*s", (int)strcspn(vk, "+"), vk);
    free(vk);
    publish_level(o, o->alice, "CLEAR", o->clear);
    publish_level(o, o->alice, "GREEN", o->green);
    publish_level(o, o->alice, "AMBER", o->amber);
    publish_level(o, o->alice, "AMBER+STRICT", o->strict);
    publish_level(o, o->carol, "AMBER", o->amber_other);
    publish_level(o, o->alice, "RED", o->red);
}

static void expect_read_ex(const api_srv *S, const char *token,
                           const char *id, long want, int salted);

static void expect_read(const api_srv *S, const char *token, const char *id,
                        long want)
{
    expect_read_ex(S, token, id, want, 1);
}

static void expect_read_ex(const api_srv *S, const char *token,
                           const char *id, long want, int salted)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/records/%s", id);
    api_reply r;
    api_get(S, path, token, &r);
    if (r.status != want)
        fail_msg("GET %s: HTTP %ld, expected %ld", id, r.status, want);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/records/%s/proof", id);
    api_get(S, path, token, &r);
    if (r.status != want)
        fail_msg("GET %s/proof: HTTP %ld, expected %ld", id, r.status, want);
    if (want == 200 && salted)
        assert_non_null(strstr(r.body.data, "\"salt\""));
    api_reply_release(&r);
}

static void test_peer_role(void **state)
{
    (void)state;
    struct origin o;
    origin_start(&o);
    /* reads: published GREEN, AMBER of its organisation; nothing else */
    expect_read(&o.S, o.peer, o.green, 200);
    expect_read(&o.S, o.peer, o.amber, 200);
    expect_read(&o.S, o.peer, o.strict, 404);
    expect_read(&o.S, o.peer, o.amber_other, 404);
    expect_read(&o.S, o.peer, o.red, 404);
    expect_read(&o.S, o.peer_other, o.amber, 404);
    expect_read(&o.S, o.peer_other, o.green, 200);
    /* the AMBER answer names the organisation it is shown to */
    char path[128], org[64];
    snprintf(path, sizeof path, "/api/v1/records/%s", o.amber);
    api_reply r;
    api_get(&o.S, path, o.peer, &r);
    assert_non_null(api_hdr(&r, "X-Osafe-Org", org, sizeof org));
    assert_string_equal(org, "acme");
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/records/%s", o.green);
    api_get(&o.S, path, o.peer, &r);
    assert_null(api_hdr(&r, "X-Osafe-Org", org, sizeof org));
    api_reply_release(&r);
    /* the listing and search leave RED out too */
    char *ids = api_list_ids(&o.S, "/api/v1/records?limit=100", o.peer);
    assert_true(api_has_id(ids, o.green) && api_has_id(ids, o.amber));
    assert_false(api_has_id(ids, o.red) || api_has_id(ids, o.strict));
    free(ids);
    /* it writes nothing: no record, no edit, no action, no evaluation */
    json_t *rec = api_record("by a peer", NULL);
    char *body = api_dump(rec);
    json_decref(rec);
    api_http(&o.S, "POST", "/api/v1/records", o.peer, body, &r);
    api_expect_error(&r, 403, NULL, "a peer files a record");
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/records/%s", o.amber);
    api_http(&o.S, "PATCH", path, o.peer, body, &r);
    assert_true(r.status == 403 || r.status == 409);
    api_reply_release(&r);
    free(body);
    assert_int_equal(api_action(&o.S, o.peer, o.amber, "withdraw",
                                "{\"reason\":\"x\"}", &r),
                     403);
    api_reply_release(&r);
    assert_int_equal(api_action(&o.S, o.peer, o.green, "evidence",
                                "{\"kind\":\"eval_run\"}", &r),
                     403);
    api_reply_release(&r);
    api_http(&o.S, "POST", "/api/v1/evaluations", o.peer, "{}", &r);
    api_expect_error(&r, 403, NULL, "a peer publishes an evaluation");
    api_reply_release(&r);
    api_stop_clean(&o.S);
    api_fini(&o.S);
}

/* Add the origin as a peer of the database at db (token env named or
 * not) and sync once; the sync's status. */
static int sync_into(const char *db, const struct origin *o,
                     const char *token_env, fed_sync_stats *st, char *err,
                     size_t errn)
{
    size_t vl;
    char *vk = api_read_file(o->S.vkey, &vl);
    osafe_store *s;
    osafe_err e;
    assert_int_equal(store_open(db, &s, &e), 0);
    assert_int_equal(fed_peer_add(s, o->S.base, vk, token_env, &e), 0);
    free(vk);
    int rc = fed_sync(s, o->S.base, st, &e);
    snprintf(err, errn, "%s", rc ? e.msg : "");
    s->ops->close(s);
    return rc;
}

static void expect_mirrored(const api_srv *M, const char *token,
                            const struct origin *o, int green, int amber)
{
    char path[512];
    snprintf(path, sizeof path, "/api/v1/records?origin=%s&limit=100",
             o->origin);
    api_reply r;
    api_get(M, path, token, &r);
    API_EXPECT(&r, 200, "mirrored list");
    const char *b = r.body.data;
    assert_non_null(strstr(b, o->clear));
    assert_int_equal(strstr(b, o->green) != NULL, green);
    assert_int_equal(strstr(b, o->amber) != NULL, amber);
    assert_null(strstr(b, o->red));
    assert_null(strstr(b, o->strict));
    assert_null(strstr(b, o->amber_other));
    api_reply_release(&r);
}

/* Search of M with include=mirrored as token: the mirrored matches, and
 * none of them among our own records. */
static void expect_search(const api_srv *M, const char *token,
                          const struct origin *o, int green, int amber)
{
    api_reply r;
    api_get(M, "/api/v1/search?q=DANGEROUS+dose&include=mirrored", token, &r);
    API_EXPECT(&r, 200, "search with mirrored");
    json_t *j = api_json(&r);
    assert_int_equal(json_array_size(json_object_get(j, "records")), 0);
    char *mir = json_dumps(json_object_get(j, "mirrored"), JSON_COMPACT);
    assert_non_null(strstr(mir, o->clear));
    assert_int_equal(strstr(mir, o->green) != NULL, green);
    assert_int_equal(strstr(mir, o->amber) != NULL, amber);
    assert_null(strstr(mir, o->red));
    assert_non_null(strstr(mir, "\"origin\":{\"name\":\""));
    free(mir);
    json_decref(j);
    api_reply_release(&r);
}

/* `osafe export json --include-mirrored` of M's database at level. */
static char *export_mirrored(const api_srv *M, const char *level)
{
    char *argv[] = {(char *)api_osafe(), "export", "json", "--db",
                    (char *)M->db, "--tlp", (char *)level,
                    "--include-mirrored", NULL};
    osafe_buf out = OSAFE_BUF_INIT;
    assert_int_equal(api_run(argv, &out, M->err), 0);
    if (!out.data)
        assert_int_equal(buf_puts(&out, ""), 0);
    return buf_detach(&out, NULL);
}

static void check_search_export(const api_srv *M, const struct origin *o,
                                const char *acme, const char *other)
{
    expect_search(M, NULL, o, 0, 0);
    expect_search(M, other, o, 1, 0);
    expect_search(M, acme, o, 1, 1);
    api_reply r;
    api_get(M, "/api/v1/search?q=dose&include=ours", NULL, &r);
    api_expect_error(&r, 400, "include", "include=ours");
    api_reply_release(&r);
    /* without include: ours only, as before */
    api_get(M, "/api/v1/search?q=dose", acme, &r);
    API_EXPECT(&r, 200, "search");
    assert_null(strstr(r.body.data, "mirrored"));
    api_reply_release(&r);
    /* the page: their own section, after ours */
    api_get(M, "/incidents?q=dose&include=mirrored", NULL, &r);
    API_EXPECT(&r, 200, "/incidents?include=mirrored");
    assert_non_null(strstr(r.body.data, "id=\"mirrored-results\""));
    assert_non_null(strstr(r.body.data, o->clear));
    assert_null(strstr(r.body.data, o->green));
    api_reply_release(&r);
    /* exports: CLEAR (GREEN on request), never AMBER; each names its
     * origin */
    char *x = export_mirrored(M, "CLEAR");
    assert_non_null(strstr(x, o->clear));
    assert_null(strstr(x, o->green));
    assert_null(strstr(x, o->amber));
    assert_non_null(strstr(x, "\"mirrored\":true"));
    assert_non_null(strstr(x, o->S.base));
    free(x);
    x = export_mirrored(M, "GREEN");
    assert_non_null(strstr(x, o->green));
    assert_null(strstr(x, o->amber));
    free(x);
}

static void test_sync_green_amber(void **state)
{
    (void)state;
    struct origin o;
    origin_start(&o);
    api_srv M; /* the mirror: its own node, its own accounts */
    api_init(&M);
    char m_acme[128], m_other[128], m_peer[128];
    api_token(&M, "dana", "reporter", "acme", m_acme);
    api_token(&M, "eve", "reporter", "other", m_other);
    api_token(&M, "far", "peer", "acme", m_peer);
    api_start(&M);
    fed_sync_stats st;
    char err[OSAFE_ERR_MAX];
    /* the token env named, but unset: commitments counted, as before */
    unsetenv(TOKEN_ENV);
    assert_int_equal(sync_into(M.db, &o, TOKEN_ENV, &st, err, sizeof err),
                     0);
    assert_int_equal(st.mirrored, 1);
    assert_int_equal(st.fetched, 0);
    assert_int_equal(st.skipped, 5);
    expect_mirrored(&M, m_acme, &o, 0, 0);
    api_stop_clean(&M);
    api_fini(&M);

    api_init(&M);
    api_token(&M, "dana", "reporter", "acme", m_acme);
    api_token(&M, "eve", "reporter", "other", m_other);
    api_token(&M, "far", "peer", "acme", m_peer);
    api_start(&M);
    setenv(TOKEN_ENV, o.peer, 1);
    assert_int_equal(sync_into(M.db, &o, TOKEN_ENV, &st, err, sizeof err),
                     0);
    unsetenv(TOKEN_ENV);
    assert_int_equal(st.mirrored, 1);    /* CLEAR, from the entry */
    assert_int_equal(st.fetched, 2);     /* GREEN and acme's AMBER */
    assert_int_equal(st.not_shared, 2);  /* AMBER+STRICT, other's AMBER */
    assert_int_equal(st.skipped, 1);     /* RED: never asked for */
    assert_int_equal(st.refused, 0);
    /* kept with their level, organisation and salt */
    osafe_store *s;
    osafe_err e;
    assert_int_equal(store_open(M.db, &s, &e), 0);
    store_mirror m;
    assert_int_equal(s->ops->mirror_get(s, o.origin, o.amber, &m,
                                        &e),
                     0);
    assert_string_equal(m.tlp, "AMBER");
    assert_string_equal(m.org, "acme");
    assert_int_equal(strlen(m.salt), 64);
    free(m.body);
    assert_int_equal(s->ops->mirror_get(s, o.origin, o.red, &m,
                                        &e),
                     OSAFE_ENOTFOUND);
    s->ops->close(s);
    /* shown here by this node's rules: anonymous CLEAR only; an account
     * GREEN; acme's members AMBER too; a peer of ours nothing restricted */
    expect_mirrored(&M, NULL, &o, 0, 0);
    expect_mirrored(&M, m_other, &o, 1, 0);
    expect_mirrored(&M, m_acme, &o, 1, 1);
    expect_mirrored(&M, m_peer, &o, 0, 0);
    check_search_export(&M, &o, m_acme, m_other);
    char path[512];
    snprintf(path, sizeof path,
             "/incidents/mirrored?origin=%s&id=%s", o.origin, o.amber);
    api_reply r;
    api_get(&M, path, NULL, &r);
    assert_int_equal(r.status, 404);
    api_reply_release(&r);
    api_stop_clean(&M);
    api_fini(&M);
    api_stop_clean(&o.S);
    api_fini(&o.S);
}

/* One SQL statement on the origin's database, behind its server's back
 * (SQLite or PostgreSQL); the first column of the first row into out. */
static void origin_sql(const struct origin *o, const char *sql, char *out,
                       size_t n)
{
    if (out)
        out[0] = '\0';
    if (store_is_pg(o->S.db)) {
        PGconn *c = PQconnectdb(o->S.db);
        PGresult *r = PQexec(c, sql);
        ExecStatusType t = PQresultStatus(r);
        if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
            fail_msg("%s: %s", sql, PQerrorMessage(c));
        if (out && PQntuples(r) > 0)
            snprintf(out, n, "%s", PQgetvalue(r, 0, 0));
        PQclear(r);
        PQfinish(c);
        return;
    }
    sqlite3 *db;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(o->S.db, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    int rc = sqlite3_step(st);
    assert_true(rc == SQLITE_ROW || rc == SQLITE_DONE);
    if (out && rc == SQLITE_ROW)
        snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* The origin's server serves record id with another salt (its bytes no
 * longer match the commitment in its log; the right one saved into
 * salt_hex), or with restore, salt_hex again. */
static void origin_salt(const struct origin *o, const char *id,
                        char *salt_hex, int restore)
{
    char sql[256];
    int pg = store_is_pg(o->S.db);
    if (!restore) {
        snprintf(sql, sizeof sql,
                 pg ? "SELECT encode(salt, 'hex') FROM versions WHERE "
                      "record_id = '%s'"
                    : "SELECT lower(hex(salt)) FROM versions WHERE "
                      "record_id = '%s'",
                 id);
        origin_sql(o, sql, salt_hex, 65);
        assert_int_equal(strlen(salt_hex), 64);
    }
    const char *bad = "00000000000000000000000000000000"
                      "00000000000000000000000000000000";
    const char *v = restore ? salt_hex : bad;
    snprintf(sql, sizeof sql,
             pg ? "UPDATE versions SET salt = decode('%s', 'hex') WHERE "
                  "record_id = '%s'"
                : "UPDATE versions SET salt = X'%s' WHERE record_id = '%s'",
             v, id);
    origin_sql(o, sql, NULL, 0);
}

static int64_t refused_pending(osafe_store *s, const char *url,
                               store_refused **rows, size_t *n)
{
    int64_t total;
    osafe_err e;
    assert_int_equal(s->ops->refused_list(s, url, rows ? 8 : 0,
                                          rows ? rows : &(store_refused *){0},
                                          n ? n : &(size_t){0}, &total, &e),
                     0);
    return total;
}

/* A GREEN record refused because the peer's server served bytes that do
 * not match its log is kept, fetched again by the next sync, and stored
 * once the server serves the committed bytes; a refused record the
 * origin then withdraws is forgotten. */
static void test_refused_fetched_again(void **state)
{
    (void)state;
    struct origin o;
    origin_start(&o);
    api_srv M; /* only its database */
    api_init(&M);
    fed_sync_stats st;
    char err[OSAFE_ERR_MAX], salt[65];
    origin_salt(&o, o.green, salt, 0);
    setenv(TOKEN_ENV, o.peer, 1);
    assert_int_equal(sync_into(M.db, &o, TOKEN_ENV, &st, err, sizeof err),
                     OSAFE_EVERIFY);
    assert_int_equal(st.refused, 1);
    assert_int_equal(st.fetched, 1); /* acme's AMBER */
    assert_non_null(strstr(err, o.green));
    osafe_store *s;
    osafe_err e;
    assert_int_equal(store_open(M.db, &s, &e), 0);
    store_refused *rows;
    size_t n;
    assert_int_equal(refused_pending(s, o.S.base, &rows, &n), 1);
    assert_int_equal(n, 1);
    assert_string_equal(rows[0].origin_id, o.green);
    assert_int_equal(rows[0].tries, 1);
    free(rows);
    store_mirror m;
    assert_int_equal(s->ops->mirror_get(s, o.origin, o.green, &m, &e),
                     OSAFE_ENOTFOUND);
    /* still tampered: refused again, still pending, its tries counted */
    assert_int_equal(fed_sync(s, o.S.base, &st, &e), OSAFE_EVERIFY);
    assert_int_equal(st.refused, 1);
    assert_int_equal(refused_pending(s, o.S.base, &rows, &n), 1);
    assert_int_equal(rows[0].tries, 2);
    free(rows);
    /* the honest server again: the same entry, no new one, is stored */
    origin_salt(&o, o.green, salt, 1);
    assert_int_equal(fed_sync(s, o.S.base, &st, &e), 0);
    assert_int_equal(st.entries, 0);
    assert_int_equal(st.fetched, 1);
    assert_int_equal(st.refused, 0);
    assert_int_equal(refused_pending(s, o.S.base, NULL, NULL), 0);
    assert_int_equal(s->ops->mirror_get(s, o.origin, o.green, &m, &e), 0);
    assert_string_equal(m.tlp, "GREEN");
    free(m.body);
    assert_int_equal(fed_sync(s, o.S.base, &st, &e), 0);
    assert_int_equal(st.fetched, 0); /* nothing fetched twice */
    /* a new GREEN record refused, then withdrawn by its origin: the
     * withdrawal in the log forgets it (synced without the token, so that
     * no fetch could) */
    char late[32];
    publish_level(&o, o.alice, "GREEN", late);
    origin_salt(&o, late, salt, 0);
    assert_int_equal(fed_sync(s, o.S.base, &st, &e), OSAFE_EVERIFY);
    assert_int_equal(refused_pending(s, o.S.base, NULL, NULL), 1);
    api_reply r;
    assert_int_equal(api_action(&o.S, o.alice, late, "withdraw",
                                "{\"reason\":\"filed twice\"}", &r),
                     200);
    api_reply_release(&r);
    unsetenv(TOKEN_ENV);
    assert_int_equal(fed_sync(s, o.S.base, &st, &e), 0);
    assert_int_equal(refused_pending(s, o.S.base, NULL, NULL), 0);
    s->ops->close(s);
    api_fini(&M);
    api_stop_clean(&o.S);
    api_fini(&o.S);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commitment_check),
        cmocka_unit_test(test_peer_role),
        cmocka_unit_test(test_sync_green_amber),
        cmocka_unit_test(test_refused_fetched_again),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
