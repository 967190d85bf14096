/*
 * test_api_versions.c - authorization by the level of each version, and
 * the registry's other rights (issue 9 items 1, 4, 5, 9, 10), end to end
 * against the real `osafe serve`:
 *
 *   versions  a record published at level OLD, then amended to level NEW,
 *             for every pair (OLD, NEW) of the five TLP levels; checked
 *             with the amendment pending and once it is published;
 *   callers   anonymous, the owner (org A), a reporter of org A, of org B,
 *             of no organisation, a reviewer, an admin;
 *   routes    GET /api/v1/records/{id} (?version=1, 2, none), the proof of
 *             version 1, /incidents/{id}?version=1 and its version history,
 *             search for each version's text, and the rights to edit,
 *             amend and withdraw.
 *
 * The rule is written out here independently of src/registry/tlp.c:
 * a published version at CLEAR is read by everyone, GREEN by any account,
 * AMBER and AMBER+STRICT by the owner's organisation; RED by the owner
 * alone; unpublished versions by the owner and its organisation unless
 * RED; staff read everything.  A record whose latest readable version
 * the caller may not read is hidden (404) on every path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tlog/tile.h"
#include "web_client.h"

enum { ANON, OWNER, ORGMATE, OTHER, NOORG, REVIEWER, ADMIN, NCALLERS };
static const char *const caller_name[NCALLERS] = {
    "anonymous", "owner (org A)", "reporter of org A", "reporter of org B",
    "reporter of no org", "reviewer", "admin"};

enum { CLEAR, GREEN, AMBER, STRICT, RED, NLEVELS };
static const char *const level[NLEVELS] = {"CLEAR", "GREEN", "AMBER",
                                           "AMBER+STRICT", "RED"};

static char tok[NCALLERS][128];
static char cookie[NCALLERS][128];
static char rev_a[128]; /* a reviewer of org A */

/* The caller's session cookie, for pages (NULL: anonymous). */
static const char *COOKIE(int c, char buf[128])
{
    if (c == ANON)
        return NULL;
    memcpy(buf, cookie[c], 128);
    buf[127] = '\0';
    return buf;
}

static const char *TOK(int c)
{
    return c == ANON ? NULL : tok[c];
}

static int reads(int c, int l, int published)
{
    if (c == OWNER || c == REVIEWER || c == ADMIN)
        return 1;
    if (published && (l == CLEAR || (l == GREEN && c != ANON)))
        return 1;
    return c == ORGMATE && l != RED;
}

/* edit, submit, amend: the owner, admins, and the organisation unless the
 * version concerned is RED */
static int writes(int c, int l)
{
    return c == OWNER || c == ADMIN || (c == ORGMATE && l != RED);
}

static int setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    api_init(&S);
    api_token(&S, "owner", "reporter", "org-a", tok[OWNER]);
    api_token(&S, "mate", "reporter", "org-a", tok[ORGMATE]);
    api_token(&S, "other", "reporter", "org-b", tok[OTHER]);
    api_token(&S, "loner", "reporter", NULL, tok[NOORG]);
    api_token(&S, "reviewer", "reviewer", NULL, tok[REVIEWER]);
    api_token(&S, "admin", "admin", NULL, tok[ADMIN]);
    api_token(&S, "reviewer-a", "reviewer", "org-a", rev_a);
    api_start(&S);
    for (int c = OWNER; c < NCALLERS; c++)
        assert_int_equal(login(tok[c], cookie[c]), 303);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_stop_clean(&S);
    api_fini(&S);
    curl_global_cleanup();
    return 0;
}

static json_t *record(int l, const char *marker)
{
    char title[128], desc[160];
    snprintf(title, sizeof title, "Version probe %s", marker);
    snprintf(desc, sizeof desc, "A record used to check who reads each "
                                "version (%s).",
             marker);
    json_t *j = api_record(title, desc);
    json_object_set_new(j, "tlp", json_string(level[l]));
    return j;
}

/* The record published at old, with an amendment at new (published when
 * publish_v2). */
static void make(int old, int new, int publish_v2, char id[32])
{
    char m[64];
    snprintf(m, sizeof m, "zqv%dto%dp%dfirst", old, new, publish_v2);
    json_t *j = record(old, m);
    api_create(&S, tok[OWNER], j, id);
    json_decref(j);
    api_publish(&S, tok[OWNER], tok[REVIEWER], id);
    snprintf(m, sizeof m, "zqv%dto%dp%dsecond", old, new, publish_v2);
    j = record(new, m);
    char *body = api_dump(j);
    json_decref(j);
    api_reply r;
    if (api_action(&S, tok[OWNER], id, "amend", body, &r) != 201)
        fail_msg("amend %s: HTTP %ld", id, r.status);
    api_reply_release(&r);
    free(body);
    if (publish_v2)
        api_publish(&S, tok[OWNER], tok[REVIEWER], id);
}

struct pair {
    int old, new, published; /* published: the amendment is */
    const char *id;
};

static void fail_at(const struct pair *p, int c, const char *what, long got,
                    int want)
{
    fail_msg("%s -> %s (amendment %s), %s as %s: HTTP %ld, expected %d",
             level[p->old], level[p->new],
             p->published ? "published" : "pending", what, caller_name[c],
             got, want);
}

static void expect_get(const struct pair *p, int c, int version, int want,
                       int want_version)
{
    char path[128], v[32];
    if (version)
        snprintf(path, sizeof path, "/api/v1/records/%s?version=%d", p->id,
                 version);
    else
        snprintf(path, sizeof path, "/api/v1/records/%s", p->id);
    api_reply r;
    api_get(&S, path, TOK(c), &r);
    if (r.status != want)
        fail_at(p, c, path, r.status, want);
    if (want == 200 &&
        (!api_hdr(&r, "X-Osafe-Version", v, sizeof v) ||
         atoi(v) != want_version))
        fail_at(p, c, "version served", atoi(v), want_version);
    api_reply_release(&r);
}

static void expect_page(const struct pair *p, int c, int v1, int v2)
{
    char path[128];
    snprintf(path, sizeof path, "/incidents/%s?version=1", p->id);
    api_reply r;
    char ck[128];
    web_get(path, COOKIE(c, ck), &r);
    if (r.status != (v1 ? 200 : 404))
        fail_at(p, c, path, r.status, v1 ? 200 : 404);
    api_reply_release(&r);
    if (!v2)
        return;
    /* the history of the latest version lists version 1 only to those
     * who may read it */
    snprintf(path, sizeof path, "/incidents/%s?version=2", p->id);
    web_get(path, COOKIE(c, ck), &r);
    if (r.status != 200)
        fail_at(p, c, path, r.status, 200);
    int listed = strstr(r.body.data, "data-version=\"1\"") != NULL;
    if (listed != v1)
        fail_at(p, c, "version 1 in the history", listed, v1);
    api_reply_release(&r);
}

static void expect_write(const struct pair *p, int c, const char *method,
                         const char *action, const char *body, int want)
{
    char path[128];
    if (action)
        snprintf(path, sizeof path, "/api/v1/records/%s/%s", p->id, action);
    else
        snprintf(path, sizeof path, "/api/v1/records/%s", p->id);
    api_reply r;
    api_http(&S, method, path, TOK(c), body, &r);
    if (r.status != want)
        fail_at(p, c, path, r.status, want);
    api_reply_release(&r);
}

/* The status a refused write gets: 401 anonymous, 403 when the caller
 * sees the record, else 404. */
static int refused(int c, int visible)
{
    return c == ANON ? 401 : visible ? 403 : 404;
}

static void check_pair(const struct pair *p)
{
    const int pub2 = p->published;
    for (int c = 0; c < NCALLERS; c++) {
        int r1 = reads(c, p->old, 1), r2 = reads(c, p->new, pub2);
        /* the record is shown by its latest version the caller reads, or
         * else its latest published one */
        int visible = r2 || (!pub2 && r1);
        int v1 = visible && r1;
        expect_get(p, c, 1, v1 ? 200 : 404, 1);
        expect_get(p, c, 2, r2 ? 200 : 404, 2);
        expect_get(p, c, 0, visible ? 200 : 404, r2 ? 2 : 1);
        char path[128];
        snprintf(path, sizeof path, "/api/v1/records/%s/proof?version=1",
                 p->id);
        api_reply r;
        api_get(&S, path, TOK(c), &r);
        if (r.status != (v1 ? 200 : 404))
            fail_at(p, c, path, r.status, v1 ? 200 : 404);
        api_reply_release(&r);
        expect_page(p, c, v1, r2);
        /* search finds the text of the version the caller sees, only */
        char q[64];
        snprintf(q, sizeof q, "zqv%dto%dp%dfirst", p->old, p->new, pub2);
        char *ids = api_search(&S, q, TOK(c));
        int want = !pub2 && !r2 && r1;
        if (api_has_id(ids, p->id) != want)
            fail_at(p, c, "search for version 1's text", !want, want);
        free(ids);
        snprintf(q, sizeof q, "zqv%dto%dp%dsecond", p->old, p->new, pub2);
        ids = api_search(&S, q, TOK(c));
        if (api_has_id(ids, p->id) != r2)
            fail_at(p, c, "search for version 2's text", !r2, r2);
        free(ids);
        /* rights, each judged by the version it concerns; allowed ones
         * are not exercised here (they would change the record) */
        const char *why = "{\"reason\":\"probe\"}";
        int staff = c == REVIEWER || c == ADMIN;
        /* withdrawal concerns the published version and the pending
         * one */
        if (!(staff || (writes(c, p->new) && (pub2 || writes(c, p->old)))))
            expect_write(p, c, "POST", "withdraw", why, refused(c, visible));
        if (!pub2 && !writes(c, p->new))
            expect_write(p, c, "PATCH", NULL, "{\"use_mode\":\"misuse\"}",
                         refused(c, visible));
        if (pub2 && !writes(c, p->new))
            expect_write(p, c, "POST", "amend", NULL, refused(c, visible));
    }
}

static void test_each_version_its_own_level(void **state)
{
    (void)state;
    for (int pub2 = 0; pub2 < 2; pub2++)
        for (int old = 0; old < NLEVELS; old++)
            for (int new = 0; new < NLEVELS; new++) {
                char id[32];
                make(old, new, pub2, id);
                struct pair p = {old, new, pub2, id};
                check_pair(&p);
            }
}

/* The case: a colleague reads nothing of a RED version, and gains
 * no right over it, when the owner amends the record to AMBER. */
static void test_red_amended_to_amber(void **state)
{
    (void)state;
    char id[32];
    make(RED, AMBER, 0, id);
    assert_int_equal(api_get_record(&S, tok[ORGMATE], id, 1, NULL, NULL),
                     404);
    char *body;
    size_t n;
    assert_int_equal(api_get_record(&S, tok[ORGMATE], id, 0, &body, &n),
                     200);
    assert_null(strstr(body, "first")); /* version 2's text only */
    free(body);
    api_reply r;
    assert_int_equal(api_action(&S, tok[ORGMATE], id, "withdraw",
                                "{\"reason\":\"x\"}", &r),
                     403);
    api_reply_release(&r);
    assert_int_equal(api_get_record(&S, tok[OWNER], id, 1, NULL, NULL), 200);
}

/* ===== links (item 4) ===== */

static void link_as_reviewer(const char *from, const char *to, const char *rel,
                 long want)
{
    char body[160];
    snprintf(body, sizeof body, "{\"to\":\"%s\",\"relation\":\"%s\"}", to,
             rel);
    api_reply r;
    if (api_action(&S, tok[REVIEWER], from, "links", body, &r) != want)
        fail_msg("link %s %s %s: HTTP %ld, expected %ld", from, rel, to,
                 r.status, want);
    api_reply_release(&r);
}

static void test_links_hide_what_caller_cannot_read(void **state)
{
    (void)state;
    char clear[32], red[32], amber[32];
    json_t *j = record(CLEAR, "zqlinkclear");
    api_create(&S, tok[OWNER], j, clear);
    json_decref(j);
    api_publish(&S, tok[OWNER], tok[REVIEWER], clear);
    j = record(RED, "zqlinkred");
    api_create(&S, tok[OWNER], j, red); /* a draft */
    json_decref(j);
    j = record(AMBER, "zqlinkamber");
    api_create(&S, tok[OWNER], j, amber);
    json_decref(j);
    api_publish(&S, tok[OWNER], tok[REVIEWER], amber);
    link_as_reviewer(red, clear, "related", 200);
    link_as_reviewer(clear, amber, "same_incident", 200);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/records/%s/links", clear);
    for (int c = 0; c < NCALLERS; c++) {
        api_reply r;
        api_get(&S, path, TOK(c), &r);
        assert_int_equal(r.status, 200);
        int shows_red = strstr(r.body.data, red) != NULL;
        int shows_amber = strstr(r.body.data, amber) != NULL;
        if (shows_red != reads(c, RED, 0) || shows_amber != reads(c, AMBER, 1))
            fail_msg("links of a CLEAR record as %s: RED draft %s, AMBER "
                     "record %s",
                     caller_name[c], shows_red ? "shown" : "hidden",
                     shows_amber ? "shown" : "hidden");
        api_reply_release(&r);
    }
}

/* ===== four eyes (item 5) ===== */

static void test_four_eyes(void **state)
{
    (void)state;
    const char *accept = "{\"decision\":\"accept\"}";
    /* the case: a reviewer of the organisation edits its draft,
     * submits it and accepts it */
    char id[32];
    json_t *j = record(AMBER, "zqfoureyes");
    api_create(&S, tok[OWNER], j, id);
    json_decref(j);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/records/%s", id);
    api_reply r;
    api_http(&S, "PATCH", path, rev_a,
             "{\"tlp\":\"CLEAR\",\"title\":{\"text\":\"Edited\","
             "\"lang\":\"en\"}}",
             &r);
    API_EXPECT(&r, 200, "the organisation's reviewer edits");
    api_reply_release(&r);
    assert_int_equal(api_action(&S, rev_a, id, "submit", NULL, &r), 200);
    api_reply_release(&r);
    assert_int_equal(api_action(&S, rev_a, id, "review", accept, &r), 403);
    api_reply_release(&r);
    assert_int_equal(api_get_record(&S, NULL, id, 0, NULL, NULL), 404);
    /* an admin who edited is refused too; a reviewer who did not accepts */
    j = record(CLEAR, "zqfoureyesadmin");
    api_create(&S, tok[OWNER], j, id);
    json_decref(j);
    snprintf(path, sizeof path, "/api/v1/records/%s", id);
    api_http(&S, "PATCH", path, tok[ADMIN], "{\"use_mode\":\"misuse\"}", &r);
    API_EXPECT(&r, 200, "admin edits");
    api_reply_release(&r);
    assert_int_equal(api_action(&S, tok[OWNER], id, "submit", NULL, &r), 200);
    api_reply_release(&r);
    assert_int_equal(api_action(&S, tok[ADMIN], id, "review", accept, &r),
                     403);
    api_reply_release(&r);
    api_accept(&S, tok[REVIEWER], id);
    /* an admin's own amendment waits for someone else as well */
    assert_int_equal(api_action(&S, tok[ADMIN], id, "amend", NULL, &r), 201);
    api_reply_release(&r);
    assert_int_equal(api_action(&S, tok[ADMIN], id, "submit", NULL, &r),
                     200);
    api_reply_release(&r);
    assert_int_equal(api_action(&S, tok[ADMIN], id, "review", accept, &r),
                     403);
    api_reply_release(&r);
    api_accept(&S, tok[REVIEWER], id);
}

/* ===== withdrawn records, merges (item 9) ===== */

static long long log_size(void)
{
    api_reply r;
    api_get(&S, "/log/checkpoint", NULL, &r);
    assert_int_equal(r.status, 200);
    const char *nl = strchr(r.body.data, '\n');
    assert_non_null(nl);
    long long n = strtoll(nl + 1, NULL, 10);
    api_reply_release(&r);
    return n;
}

static void published(const char *marker, char id[32])
{
    json_t *j = record(CLEAR, marker);
    api_create(&S, tok[OWNER], j, id);
    json_decref(j);
    api_publish(&S, tok[OWNER], tok[REVIEWER], id);
}

static void test_withdrawn_closed_merges_logged(void **state)
{
    (void)state;
    char a[32], b[32], w[32];
    published("zqmergea", a);
    published("zqmergeb", b);
    published("zqwithdrawn", w);
    api_reply r;
    assert_int_equal(api_action(&S, tok[OWNER], w, "withdraw",
                                "{\"reason\":\"gone\"}", &r),
                     200);
    api_reply_release(&r);
    link_as_reviewer(w, a, "duplicate_of", 409);
    link_as_reviewer(a, w, "duplicate_of", 409);
    link_as_reviewer(a, w, "related", 409);
    assert_string_equal(state_of(w, tok[OWNER]), "withdrawn");
    /* a merge is logged */
    long long before = log_size();
    link_as_reviewer(a, b, "duplicate_of", 200);
    assert_string_equal(state_of(a, tok[OWNER]), "merged");
    assert_int_equal(log_size(), before + 1);
    /* the reverse would leave both merged: refused, nothing logged */
    link_as_reviewer(b, a, "duplicate_of", 409);
    assert_string_equal(state_of(b, tok[OWNER]), "published");
    assert_int_equal(log_size(), before + 1);
}

/* ===== evidence (item 10) ===== */

static void evidence(int c, const char *id, long want, long long *index)
{
    api_reply r;
    long got = api_action(&S, TOK(c), id, "evidence",
                          "{\"kind\":\"eval_run\",\"note\":\"zqevid\"}", &r);
    if (got != want)
        fail_msg("evidence on %s as %s: HTTP %ld, expected %ld", id,
                 caller_name[c], got, want);
    if (index && got == 201) {
        json_t *j = api_json(&r);
        *index = (long long)json_integer_value(json_object_get(j,
                                                               "log_index"));
        json_decref(j);
    }
    api_reply_release(&r);
}

/* The log entry at index, from the entry bundle served under /log/. */
static char *entry_at(long long index)
{
    uint64_t size = (uint64_t)log_size();
    uint64_t bundle = (uint64_t)index / 256;
    unsigned width = tlog_tile_width(0, bundle, size);
    assert_true(width > 0);
    char rel[TLOG_TILE_PATH_MAX], path[TLOG_TILE_PATH_MAX + 8];
    assert_int_equal(tlog_tile_path(rel, TLOG_TILE_ENTRIES, bundle,
                                    width == 256 ? 0 : width),
                     0);
    snprintf(path, sizeof path, "/log/%s", rel);
    api_reply r;
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, path);
    tlog_entry ents[OSAFE_TILE_WIDTH];
    osafe_err e;
    assert_int_equal(tlog_bundle_split((const uint8_t *)r.body.data,
                                       r.body.len, width, ents, &e),
                     0);
    const tlog_entry *x = &ents[index % 256];
    char *out = malloc(x->len + 1);
    assert_non_null(out);
    memcpy(out, x->data, x->len);
    out[x->len] = '\0';
    api_reply_release(&r);
    return out;
}

static void test_evidence_rights_and_commitments(void **state)
{
    (void)state;
    char clear[32], green[32], w[32];
    published("zqevidclear", clear);
    json_t *j = record(GREEN, "zqevidgreen");
    api_create(&S, tok[OWNER], j, green);
    json_decref(j);
    api_publish(&S, tok[OWNER], tok[REVIEWER], green);
    published("zqevidwithdrawn", w);
    api_reply r;
    assert_int_equal(api_action(&S, tok[OWNER], w, "withdraw",
                                "{\"reason\":\"gone\"}", &r),
                     200);
    api_reply_release(&r);
    /* outsiders read these records but attach nothing */
    evidence(OTHER, clear, 403, NULL);
    evidence(NOORG, clear, 403, NULL);
    evidence(OTHER, green, 403, NULL);
    evidence(ANON, clear, 401, NULL);
    evidence(OWNER, w, 409, NULL);
    evidence(REVIEWER, w, 409, NULL);
    long long ic, ig;
    evidence(ORGMATE, clear, 201, &ic);
    evidence(REVIEWER, clear, 201, NULL);
    evidence(OWNER, green, 201, &ig);
    /* CLEAR: the plain digest; GREEN: a salted commitment, so the digest
     * of a guessed content appears nowhere */
    const char *canon = "{\"kind\":\"eval_run\",\"note\":\"zqevid\"}";
    char plain[65];
    api_sha256_hex(plain, NULL, 0, canon, strlen(canon));
    char *ec = entry_at(ic), *eg = entry_at(ig);
    assert_non_null(strstr(ec, plain));
    assert_null(strstr(eg, plain));
    json_t *g = json_loads(eg, 0, NULL);
    assert_non_null(g);
    assert_string_equal(json_string_value(json_object_get(g, "type")),
                        "osafe.evidence/v1");
    assert_null(json_object_get(g, "sha256"));
    const char *cm = json_string_value(json_object_get(g, "commitment"));
    assert_non_null(cm);
    assert_int_equal(strlen(cm), 64);
    json_decref(g);
    free(ec);
    free(eg);
}

/* ===== the pages ask the registry for the log (issue 11 item 5) ===== */

/* With the log directory's private configuration out of the way, the
 * pages still show the key and the checkpoint: they come from the log the
 * registry holds open, not from the log directory's files read by hand. */
static void test_log_pages_from_registry(void **state)
{
    (void)state;
    char cfg[256], aside[256], cp[256], cp_aside[256];
    snprintf(cfg, sizeof cfg, "%s/.osafe-log", S.log);
    snprintf(aside, sizeof aside, "%s/osafe-log.aside", S.dir);
    snprintf(cp, sizeof cp, "%s/checkpoint", S.log);
    snprintf(cp_aside, sizeof cp_aside, "%s/checkpoint.aside", S.dir);
    size_t klen;
    char *vkey = api_read_file(S.vkey, &klen);
    assert_non_null(vkey);
    vkey[strcspn(vkey, "\n")] = '\0';
    long long size = log_size();
    assert_int_equal(rename(cfg, aside), 0);
    assert_int_equal(rename(cp, cp_aside), 0);
    api_reply r;
    web_get("/log", NULL, &r);
    int has_key = r.status == 200 && strstr(r.body.data, "id=\"log-vkey\"") &&
                  strstr(r.body.data, vkey);
    char want[64];
    snprintf(want, sizeof want, "data-value=\"%lld\"", size);
    int has_size = strstr(r.body.data, want) != NULL;
    api_reply_release(&r);
    web_get("/", NULL, &r);
    int dash_size = r.status == 200 && strstr(r.body.data, want) != NULL;
    api_reply_release(&r);
    assert_int_equal(rename(aside, cfg), 0);
    assert_int_equal(rename(cp_aside, cp), 0);
    free(vkey);
    if (!has_key || !has_size || !dash_size)
        fail_msg("/log without .osafe-log: key %s, size %s; dashboard size "
                 "%s",
                 has_key ? "shown" : "missing", has_size ? "shown" : "missing",
                 dash_size ? "shown" : "missing");
}

/* ===== export reads through the registry's rule ===== */

/* `osafe export json --tlp GREEN` writes the latest published version a
 * GREEN reader may read: after an AMBER record is amended to GREEN and
 * published, version 2 is exported; a GREEN record amended to AMBER is
 * not exported at all. */
static void test_export_by_version_level(void **state)
{
    (void)state;
    char up[32], down[32];
    make(AMBER, GREEN, 1, up);
    make(GREEN, AMBER, 1, down);
    char *argv[] = {(char *)api_osafe(), "export", "json", "--db", S.db,
                    "--tlp", "GREEN", NULL};
    osafe_buf out = OSAFE_BUF_INIT;
    assert_int_equal(api_run(argv, &out, NULL), 0);
    assert_non_null(out.data);
    char want[64];
    snprintf(want, sizeof want, "zqv%dto%dp1second", AMBER, GREEN);
    assert_non_null(strstr(out.data, up));
    assert_non_null(strstr(out.data, want));
    assert_null(strstr(out.data, down));
    argv[6] = "CLEAR";
    buf_reset(&out);
    assert_int_equal(api_run(argv, &out, NULL), 0);
    assert_true(!out.data || !strstr(out.data, up));
    buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_version_its_own_level),
        cmocka_unit_test(test_red_amended_to_amber),
        cmocka_unit_test(test_links_hide_what_caller_cannot_read),
        cmocka_unit_test(test_four_eyes),
        cmocka_unit_test(test_withdrawn_closed_merges_logged),
        cmocka_unit_test(test_evidence_rights_and_commitments),
        cmocka_unit_test(test_log_pages_from_registry),
        cmocka_unit_test(test_export_by_version_level),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
