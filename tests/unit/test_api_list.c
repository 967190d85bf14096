/*
 * test_api_list.c - listing and search through the real `osafe serve`:
 * every list filter (status, hazard, severity, country, model, language,
 * since/until, tlp), cursor pagination over more than a default page, and
 * multilingual full-text search (English, Chinese with two-character and
 * longer queries, Japanese, Arabic, Spanish, and Latin script without case
 * or accents).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "vectors.h"

static api_srv S;
static char tA[128], tB[128], tRev[128];

static int setup(void **state)
{
    (void)state;
    api_init(&S);
    api_token(&S, "alice", "reporter", "org-a", tA);
    api_token(&S, "bob", "reporter", "org-b", tB);
    api_token(&S, "rita", "reviewer", NULL, tRev);
    api_start(&S);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fini(&S);
    return 0;
}

/* ===== filters ===== */

static json_t *strings(const char *a, const char *b)
{
    json_t *j = json_array();
    json_array_append_new(j, json_string(a));
    if (b)
        json_array_append_new(j, json_string(b));
    return j;
}

/* A record for the filter tests. */
static json_t *filter_record(const char *model, const char *date,
                             const char *hz1, const char *hz2,
                             const char *severity, const char *c1,
                             const char *c2, const char *lang,
                             const char *tlp)
{
    json_t *j = api_record("Filter test record", NULL);
    json_object_set_new(json_array_get(json_object_get(j, "ai_systems"), 0),
                        "name", json_string(model));
    json_object_set_new(j, "occurred_start",
                        json_pack("{s:s, s:s}", "date", date, "precision",
                                  "day"));
    json_object_set_new(j, "hazards", strings(hz1, hz2));
    json_object_set_new(json_object_get(j, "severity"), "level",
                        json_string(severity));
    json_object_set_new(j, "countries_occurred", strings(c1, c2));
    json_object_set_new(j, "lang", json_string(lang));
    json_object_set_new(json_object_get(j, "title"), "lang",
                        json_string(lang));
    json_object_set_new(json_array_get(json_object_get(j, "description"), 0),
                        "lang", json_string(lang));
    json_object_set_new(j, "tlp", json_string(tlp));
    return j;
}

static char F[5][32];

/* The ids of query (as token) must be exactly those of want (indexes
 * into F, -1 terminated). */
static void expect_ids(const char *query, const char *token, const int *want)
{
    char path[512];
    snprintf(path, sizeof path, "/api/v1/records?%s&limit=500", query);
    char *ids = api_list_ids(&S, path, token);
    size_t nwant = 0;
    for (const int *w = want; *w >= 0; w++, nwant++)
        if (!api_has_id(ids, F[*w]))
            fail_msg("?%s: record F%d missing", query, *w + 1);
    size_t n = 0;
    for (const char *p = ids; *p; p++)
        n += *p == ' ';
    n += *ids != '\0';
    if (n != nwant)
        fail_msg("?%s: %zu records, expected %zu", query, n, nwant);
    free(ids);
}

#define IDS(...) ((const int[]){__VA_ARGS__, -1})
#define NONE ((const int[]){-1})

static void test_list_filters(void **state)
{
    (void)state;
    json_t *r[5] = {
        filter_record("filter-model", "2024-01-10", "cyb", NULL, "disaster",
                      "DE", NULL, "en", "CLEAR"),
        filter_record("filter-model", "2024-06-15", "ssh", NULL, "incident",
                      "FR", NULL, "es", "CLEAR"),
        filter_record("filter-model", "2025-02-01", "cyb", "prv", "incident",
                      "DE", "FR", "en", "GREEN"),
        filter_record("filter-model", "2025-02-20", "prv", NULL, "hazard",
                      "US", NULL, "en", "CLEAR"),
        filter_record("filter-model-other", "2024-06-15", "cyb", NULL,
                      "incident", "DE", NULL, "en", "CLEAR"),
    };
    for (int i = 0; i < 5; i++) {
        api_create(&S, tA, r[i], F[i]);
        json_decref(r[i]);
        if (i != 3) /* F4 stays a draft */
            api_publish(&S, tA, tRev, F[i]);
    }
    const char *m = "model=filter-model";
    char q[256];
#define Q(extra) (snprintf(q, sizeof q, "%s&%s", m, extra), q)
    expect_ids(m, NULL, IDS(0, 1));
    expect_ids(m, tB, IDS(0, 1, 2));
    expect_ids(m, tA, IDS(0, 1, 2, 3));
    expect_ids("model=filter-model-other", NULL, IDS(4));
    expect_ids("model=no-such-model", tA, NONE);
    expect_ids(Q("hazard=cyb"), NULL, IDS(0));
    expect_ids(Q("hazard=cyb"), tB, IDS(0, 2));
    expect_ids(Q("hazard=prv"), tA, IDS(2, 3));
    expect_ids(Q("hazard=zzz"), tA, NONE);
    expect_ids(Q("severity=incident"), tB, IDS(1, 2));
    expect_ids(Q("severity=disaster"), NULL, IDS(0));
    expect_ids(Q("country=DE"), tB, IDS(0, 2));
    expect_ids(Q("country=FR"), tB, IDS(1, 2));
    expect_ids(Q("country=US"), tB, NONE);
    expect_ids(Q("country=US"), tA, IDS(3));
    expect_ids(Q("language=es"), NULL, IDS(1));
    expect_ids(Q("language=en"), tA, IDS(0, 2, 3));
    expect_ids(Q("tlp=GREEN"), tB, IDS(2));
    expect_ids(Q("tlp=GREEN"), NULL, NONE);
    expect_ids(Q("tlp=CLEAR"), NULL, IDS(0, 1));
    expect_ids(Q("since=2024-06-01"), tB, IDS(1, 2));
    expect_ids(Q("until=2024-06-30"), tB, IDS(0, 1));
    expect_ids(Q("since=2024-06-01&until=2025-01-31"), tB, IDS(1));
    expect_ids(Q("since=2024-06-15&until=2024-06-15"), tB, IDS(1));
    expect_ids(Q("until=2025"), tA, IDS(0, 1, 2, 3));
    expect_ids(Q("since=2026-01-01"), tA, NONE);
    expect_ids(Q("status=draft"), tA, IDS(3));
    expect_ids(Q("status=draft"), NULL, NONE);
    expect_ids(Q("status=draft"), tB, NONE);
    expect_ids(Q("status=published"), tA, IDS(0, 1, 2));
    expect_ids(Q("hazard=cyb&country=DE&severity=disaster"), tB, IDS(0));
    expect_ids(Q("hazard=cyb&severity=hazard"), tA, NONE);
#undef Q
    /* each listed record carries its stored bytes verbatim */
    api_reply rep;
    api_get(&S, "/api/v1/records?model=filter-model&limit=500", NULL, &rep);
    API_EXPECT(&rep, 200, "list");
    for (int i = 0; i < 2; i++) {
        char *b;
        size_t n;
        assert_int_equal(api_get_record(&S, NULL, F[i], 0, &b, &n), 200);
        char *hit = strstr(rep.body.data, b);
        assert_non_null(hit);
        assert_true(hit[-1] == ':' && hit[n] == '}');
        free(b);
    }
    api_reply_release(&rep);
}

/* ===== pagination ===== */

#define NPAGE 55

static void test_pagination(void **state)
{
    (void)state;
    char ids[NPAGE][32];
    json_t *j = api_record("Pagination test record", NULL);
    json_object_set_new(json_array_get(json_object_get(j, "ai_systems"), 0),
                        "name", json_string("page-model"));
    for (int i = 0; i < NPAGE; i++) {
        api_create(&S, tA, j, ids[i]);
        api_publish(&S, tA, tRev, ids[i]);
    }
    json_decref(j);

    /* limit=5: eleven full pages, in id order, each record once */
    char cursor[64] = "", path[256], seen[NPAGE * 33] = "";
    int pages = 0, total = 0;
    char prev[32] = "";
    do {
        snprintf(path, sizeof path,
                 "/api/v1/records?model=page-model&limit=5%s%s",
                 cursor[0] ? "&cursor=" : "", cursor);
        api_reply r;
        api_get(&S, path, NULL, &r);
        API_EXPECT(&r, 200, path);
        char next[64];
        char *page = api_page_ids(&r, next);
        api_reply_release(&r);
        int n = 0;
        for (char *tokp, *id = strtok_r(page, " ", &tokp); id;
             id = strtok_r(NULL, " ", &tokp)) {
            if (strcmp(id, prev) <= 0)
                fail_msg("page %d: %s out of order", pages + 1, id);
            snprintf(prev, sizeof prev, "%s", id);
            strcat(seen, id);
            strcat(seen, " ");
            n++;
        }
        free(page);
        assert_int_equal(n, 5);
        total += n;
        pages++;
        snprintf(cursor, sizeof cursor, "%s", next);
        assert_true(pages <= NPAGE);
    } while (cursor[0]);
    assert_int_equal(total, NPAGE);
    assert_int_equal(pages, NPAGE / 5);
    for (int i = 0; i < NPAGE; i++)
        if (!api_has_id(seen, ids[i]))
            fail_msg("record %s never listed", ids[i]);

    /* the default page is 50, then the rest */
    api_reply r;
    api_get(&S, "/api/v1/records?model=page-model", NULL, &r);
    char next[64];
    char *page = api_page_ids(&r, next);
    api_reply_release(&r);
    int n = 0;
    for (char *p = page; *p; p++)
        n += *p == ' ';
    assert_int_equal(n + 1, 50);
    assert_string_equal(next, ids[49]);
    free(page);
    snprintf(path, sizeof path, "/api/v1/records?model=page-model&cursor=%s",
             next);
    api_get(&S, path, NULL, &r);
    page = api_page_ids(&r, next);
    api_reply_release(&r);
    assert_true(api_has_id(page, ids[50]) && api_has_id(page, ids[54]));
    assert_false(api_has_id(page, ids[49]));
    assert_string_equal(next, "");
    free(page);

    static const char *const bad[] = {"limit=0", "limit=501", "limit=abc",
                                      "limit=-1", "limit=", NULL};
    for (const char *const *b = bad; *b; b++) {
        snprintf(path, sizeof path, "/api/v1/records?%s", *b);
        api_get(&S, path, NULL, &r);
        api_expect_error(&r, 400, "limit", path);
        api_reply_release(&r);
    }
    /* a date filter that is not a date would match nothing, silently */
    static const char *const dates[] = {"since=9999-99-99", "since=2024-13",
                                        "until=2024-6-1", "until=yesterday",
                                        NULL};
    for (const char *const *b = dates; *b; b++) {
        snprintf(path, sizeof path, "/api/v1/records?%s", *b);
        api_get(&S, path, NULL, &r);
        api_expect_error(&r, 400, **b == 's' ? "since" : "until", path);
        api_reply_release(&r);
    }
}

/* ===== search ===== */

static char idEn[32], idZh[32], idAr[32], idEs[32], idCafe[32], idJa[32];

static json_t *lang_record(const char *lang, const char *title,
                           const char *desc)
{
    json_t *j = api_record(title, desc);
    json_object_set_new(j, "lang", json_string(lang));
    json_object_set_new(json_object_get(j, "title"), "lang",
                        json_string(lang));
    json_object_set_new(json_array_get(json_object_get(j, "description"), 0),
                        "lang", json_string(lang));
    return j;
}

static void publish_text(const char *file, char id[32])
{
    char p[4096], rel[256];
    snprintf(rel, sizeof rel, "records/%s", file);
    vec_fixture(rel, p, sizeof p);
    size_t n;
    char *text = api_read_file(p, &n);
    api_create_text(&S, tA, text, n, id);
    free(text);
    api_publish(&S, tA, tRev, id);
}

static void publish_json(json_t *j, char id[32])
{
    api_create(&S, tA, j, id);
    json_decref(j);
    api_publish(&S, tA, tRev, id);
}

/* q finds id (as an anonymous reader), and none of the others listed. */
static void expect_found(const char *q, const char *id)
{
    char *ids = api_search(&S, q, NULL);
    const char *all[] = {idEn, idZh, idAr, idEs, idCafe, idJa};
    if (!api_has_id(ids, id))
        fail_msg("search %s: %s not found", q[0] & 0x80 ? "(non-Latin)" : q,
                 id);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(all[i], id) && api_has_id(ids, all[i]))
            fail_msg("search %s: %s found too", q[0] & 0x80 ? "(non-Latin)" : q,
                     all[i]);
    free(ids);
}

static void expect_not_found(const char *q, const char *id)
{
    char *ids = api_search(&S, q, NULL);
    if (api_has_id(ids, id))
        fail_msg("search %s: %s found", q[0] & 0x80 ? "(non-Latin)" : q, id);
    free(ids);
}

static void test_search_languages(void **state)
{
    (void)state;
    publish_text("minimal-incident.json", idEn);
    publish_text("minimal-incident-zh.json", idZh);
    publish_json(lang_record("ar",
                             "نموذج لغوي مفتوح يكشف بيانات شخصية للمستخدمين",
                             "أبلغ باحثون أن النموذج كشف أرقام هواتف حقيقية "
                             "عند سؤاله باللغة العربية."),
                 idAr);
    publish_json(lang_record("es",
                             "El modelo de lenguaje reveló información médica "
                             "confidencial",
                             "Investigadores informaron que el asistente "
                             "reveló diagnósticos de pacientes reales."),
                 idEs);
    publish_json(lang_record("en",
                             "Chatbot of the Café Ölmühle chain invents "
                             "allergy advice",
                             "The assistant told customers that a dish was "
                             "free of nuts."),
                 idCafe);
    publish_json(lang_record("ja", "オープンモデルが個人情報を漏洩した事例",
                             "利用者の住所が日本語の会話で出力された。"),
                 idJa);

    /* English */
    expect_found("refusing", idEn);
    expect_found("French English", idEn);
    expect_found("FRENCH", idEn);
    expect_not_found("French zebra", idEn);
    /* Chinese: two characters, and longer */
    expect_found("隐私", idZh);
    expect_found("电话", idZh);
    expect_found("聊天模型", idZh);
    expect_found("个人隐私信息", idZh);
    expect_found("中文对话", idZh);
    expect_not_found("量子", idZh);
    expect_not_found("量子计算机", idZh);
    expect_not_found("隐私 量子", idZh);
    /* Japanese */
    expect_found("個人情報", idJa);
    expect_found("日本語", idJa);
    /* Arabic */
    expect_found("بيانات", idAr);
    expect_found("العربية", idAr);
    expect_found("بيانات شخصية", idAr);
    expect_not_found("طقس", idAr);
    /* Spanish, with and without accents, any case */
    expect_found("información", idEs);
    expect_found("informacion", idEs);
    expect_found("INFORMACIÓN", idEs);
    expect_found("diagnosticos pacientes", idEs);
    expect_found("médica", idEs);
    expect_found("medica", idEs);
    /* Latin script ignores case and accents */
    expect_found("cafe", idCafe);
    expect_found("CAFE", idCafe);
    expect_found("Café", idCafe);
    expect_found("CAFÉ", idCafe);
    expect_found("olmuhle", idCafe);
    expect_found("ÖLMÜHLE", idCafe);
    expect_not_found("coffee", idCafe);
    /* search results carry the stored bytes, like lists */
    char *b;
    size_t n;
    assert_int_equal(api_get_record(&S, NULL, idEs, 0, &b, &n), 200);
    char *e = api_escape("informacion"), path[256];
    snprintf(path, sizeof path, "/api/v1/search?q=%s", e);
    curl_free(e);
    api_reply r;
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "search");
    assert_non_null(strstr(r.body.data, b));
    free(b);
    api_reply_release(&r);
}

static void test_search_limits_and_errors(void **state)
{
    (void)state;
    /* "model" is in several published records' text */
    char *ids = api_search(&S, "model", NULL);
    assert_true(strchr(ids, ' ') != NULL);
    free(ids);
    api_reply r;
    api_get(&S, "/api/v1/search?q=model&limit=1", NULL, &r);
    API_EXPECT(&r, 200, "search limit=1");
    char next[64];
    ids = api_page_ids(&r, next);
    assert_non_null(ids[0] ? ids : NULL);
    assert_null(strchr(ids, ' '));
    free(ids);
    api_reply_release(&r);
    api_get(&S, "/api/v1/search", NULL, &r);
    api_expect_error(&r, 400, "q", "search without q");
    api_reply_release(&r);
    api_get(&S, "/api/v1/search?q=", NULL, &r);
    api_expect_error(&r, 400, "q", "search with empty q");
    api_reply_release(&r);
    api_get(&S, "/api/v1/search?q=%FF%FE", NULL, &r);
    if (r.status < 400 || r.status > 499)
        fail_msg("invalid UTF-8 query: HTTP %ld", r.status);
    api_expect_error(&r, (int)r.status, NULL, "invalid UTF-8 query");
    api_reply_release(&r);
    api_get(&S, "/api/v1/search?q=%20%20", NULL, &r);
    if (r.status < 400 || r.status > 499)
        fail_msg("blank query: HTTP %ld", r.status);
    api_reply_release(&r);
    /* Odd input is never a server error, and FTS5 query syntax is not
     * interpreted: operators are plain words, which must all be found. */
    static const char *const odd[] = {"\"",        "\"\"",      "*",
                                      "' OR 1=1 --", "%_",        "a\"b",
                                      "NEAR(",      "col:x",     "^x", NULL};
    for (const char *const *q = odd; *q; q++) {
        char *e = api_escape(*q), path[256];
        snprintf(path, sizeof path, "/api/v1/search?q=%s", e);
        curl_free(e);
        api_get(&S, path, NULL, &r);
        if (r.status != 200 && (r.status < 400 || r.status > 499))
            fail_msg("search %s: HTTP %ld", *q, r.status);
        if (r.status == 200)
            free(api_page_ids(&r, NULL));
        else
            api_expect_error(&r, (int)r.status, NULL, *q);
        api_reply_release(&r);
    }
    expect_found("refusing", idEn);
    expect_not_found("refusing OR zzzqqq", idEn);
    expect_not_found("refus*", idEn);
    expect_not_found("NEAR(refusing English)", idEn);
    expect_not_found("title:refusing", idEn);
    expect_not_found("refusing NOT zzzqqq", idEn);
    api_http(&S, "POST", "/api/v1/search?q=x", NULL, "{}", &r);
    api_expect_error(&r, 405, NULL, "POST search");
    api_reply_release(&r);
}

/* ===== issue 16 items 7 and 8: case, hints, order, totals, folding ===== */

static void expect_400(const char *path, const char *field)
{
    api_reply r;
    api_get(&S, path, tB, &r);
    api_expect_error(&r, 400, field, path);
    api_reply_release(&r);
}

/* Filters ignore case (country=de, model=FILTER-MODEL), and a country
 * that is no code is a 400 naming it rather than an empty list. */
static void test_list_filters_ignore_case(void **state)
{
    (void)state;
    expect_ids("model=FILTER-MODEL-OTHER", NULL, IDS(4));
    expect_ids("model=Filter-Model&country=de", tB, IDS(0, 2));
    expect_ids("model=filter-model&hazard=CYB&severity=Disaster", tB, IDS(0));
    expect_ids("model=filter-model&tlp=green", tB, IDS(2));
    expect_ids("model=filter-model&language=ES", NULL, IDS(1));
    expect_ids("model=filter-model&status=PUBLISHED", tA, IDS(0, 1, 2));
    expect_400("/api/v1/records?country=Kenya", "country");
    expect_400("/api/v1/records?country=k1", "country");
}

/* One page of a listing: its ids in order, and its total. */
static char *sorted_page(const char *query, long long *total)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/records?model=sort-model&%s", query);
    api_reply r;
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, path);
    json_t *doc = json_loads(r.body.data, 0, NULL);
    assert_non_null(doc);
    assert_true(json_is_integer(json_object_get(doc, "total")));
    *total = json_integer_value(json_object_get(doc, "total"));
    if (strcmp(query, "sort=id") && !strstr(query, "sort=id&"))
        assert_true(json_is_null(json_object_get(doc, "next_cursor")));
    json_decref(doc);
    char next[64];
    char *ids = api_page_ids(&r, next);
    api_reply_release(&r);
    return ids;
}

static void expect_order(const char *query, char ids[4][32], const int *want,
                         long long want_total)
{
    char expect[4 * 33] = "";
    for (const int *w = want; *w >= 0; w++) {
        if (expect[0])
            strcat(expect, " ");
        strcat(expect, ids[*w]);
    }
    long long total;
    char *got = sorted_page(query, &total);
    if (strcmp(got, expect))
        fail_msg("?%s: %s, expected %s", query, got, expect);
    if (total != want_total)
        fail_msg("?%s: total %lld, expected %lld", query, total, want_total);
    free(got);
}

static void test_list_sort_total_pages(void **state)
{
    (void)state;
    static const char *const title[] = {"Charlie sort", "alpha sort",
                                        "Bravo sort", "delta sort"};
    static const char *const sev[] = {"incident", "hazard", "disaster",
                                      "serious_incident"};
    static const char *const date[] = {"2023-05-01", "2025-01-01",
                                       "2024-03-03", "2022-12-12"};
    char ids[4][32];
    for (int i = 0; i < 4; i++) {
        json_t *j = api_record(title[i], NULL);
        json_object_set_new(
            json_array_get(json_object_get(j, "ai_systems"), 0), "name",
            json_string("sort-model"));
        json_object_set_new(json_object_get(j, "severity"), "level",
                            json_string(sev[i]));
        json_object_set_new(j, "occurred_start",
                            json_pack("{s:s, s:s}", "date", date[i],
                                      "precision", "day"));
        publish_json(j, ids[i]);
    }
    expect_order("sort=id", ids, IDS(0, 1, 2, 3), 4);
    expect_order("sort=newest", ids, IDS(3, 2, 1, 0), 4);
    expect_order("sort=oldest", ids, IDS(0, 1, 2, 3), 4);
    expect_order("sort=title", ids, IDS(1, 2, 0, 3), 4);
    expect_order("sort=severity", ids, IDS(2, 3, 0, 1), 4);
    expect_order("sort=date", ids, IDS(1, 2, 0, 3), 4);
    /* numbered pages: the total stays that of every page */
    expect_order("sort=title&limit=3", ids, IDS(1, 2, 0), 4);
    expect_order("sort=title&limit=3&page=2", ids, IDS(3), 4);
    expect_order("sort=severity&limit=2&page=2", ids, IDS(0, 1), 4);
    /* and the cursor still pages the id order, with the same total */
    long long total;
    char *first = sorted_page("sort=id&limit=1", &total);
    char q[128];
    snprintf(q, sizeof q, "sort=id&limit=1&cursor=%s", first);
    free(first);
    expect_order(q, ids, IDS(1), 4);
    expect_400("/api/v1/records?sort=bogus", "sort");
    expect_400("/api/v1/records?page=0", "page");
    expect_400("/api/v1/records?sort=title&cursor=X", "cursor");
}

static void expect_has(const char *q, const char *id)
{
    char *ids = api_search(&S, q, NULL);
    if (!api_has_id(ids, id))
        fail_msg("search %s: %s not found", q[0] & 0x80 ? "(non-Latin)" : q,
                 id);
    free(ids);
}

/* Arabic harakat, shadda and tatweel are folded on both sides; a plural
 * finds the singular (English, Spanish, French). */
static void test_search_folding_and_plurals(void **state)
{
    (void)state;
    char withShadda[32], bare[32], fr[32];
    publish_json(lang_record("ar", "قدّم المساعد نصيحة طبية خاطئة",
                             "قدّم النموذج جرعة دواء غير صحيحة."),
                 withShadda);
    publish_json(lang_record("ar", "قدم روبوت المحادثة معلومات مضللة",
                             "الـــنموذج أخطأ في الإجابة."),
                 bare);
    publish_json(lang_record("fr", "Le modèle invente une ordonnance",
                             "Un patient a reçu une ordonnance fausse."),
                 fr);
    expect_has("قدم", withShadda);
    expect_has("قدّم", bare);
    expect_has("قُدِّمَ", withShadda);
    expect_has("النموذج", bare); /* written with tatweel */
    /* plurals: chatbot (idCafe), asistente (idEs), ordonnance (fr) */
    expect_has("chatbots", idCafe);
    expect_has("Chatbots allergy", idCafe);
    expect_has("asistentes", idEs);
    expect_has("ordonnances", fr);
    expect_not_found("chatbots zebras", idCafe);
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
        cmocka_unit_test(test_list_filters),
        cmocka_unit_test(test_pagination),
        cmocka_unit_test(test_search_languages),
        cmocka_unit_test(test_search_limits_and_errors),
        cmocka_unit_test(test_list_filters_ignore_case),
        cmocka_unit_test(test_list_sort_total_pages),
        cmocka_unit_test(test_search_folding_and_plurals),
        cmocka_unit_test(test_zz_clean_exit),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
