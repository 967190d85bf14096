/*
 * test_web.c - the HTML pages of `osafe serve`, over HTTP against the real
 * binary (web_client.h): every page in six languages, static assets, the
 * dashboard, language negotiation, escaping of hostile record content; and
 * the localized number and date helpers, in process.  Sessions, CSRF,
 * visibility and the forms are in test_web_session.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "web_client.h"
#include "core/limits.h"
#include "server/http_int.h"

static const char *const langs[WEB_LANGS] = {"en", "zh", "es",
                                             "fr", "ar", "ru"};

/* ---- pages in six languages ---------------------------------------------- */

static void expect_html_lang(const api_reply *r, const char *lang,
                             const char *path)
{
    char want[64], ct[128], csp[512];
    snprintf(want, sizeof want, "<html lang=\"%s\" dir=\"%s\">", lang,
             strcmp(lang, "ar") ? "ltr" : "rtl");
    if (!strstr(r->body.data, want))
        fail_msg("%s in %s: no %s", path, lang, want);
    assert_non_null(api_hdr(r, "Content-Type", ct, sizeof ct));
    assert_true(!strncmp(ct, "text/html", 9));
    assert_non_null(api_hdr(r, "Content-Security-Policy", csp, sizeof csp));
    assert_non_null(strstr(csp, "default-src 'self'"));
    assert_non_null(strstr(csp, "script-src 'self'"));
    assert_non_null(strstr(csp, "frame-ancestors 'none'"));
    /* nothing is loaded from another origin */
    assert_null(strstr(r->body.data, "src=\"http"));
    assert_null(strstr(r->body.data, "href=\"//"));
    assert_non_null(strstr(r->body.data, "id=\"lang-switch\""));
    assert_non_null(strstr(r->body.data, "<main id=\"main\""));
}

static void test_every_page_in_six_languages(void **state)
{
    (void)state;
    char rev_cookie[128];
    assert_int_equal(login(reviewer, rev_cookie), 303);
    char detail[64], pub_edit[64];
    snprintf(detail, sizeof detail, "/incidents/%s", clear_id);
    snprintf(pub_edit, sizeof pub_edit, "/incidents/%s/edit", clear_id);
    const char *pages[] = {"/",      "/incidents", detail, "/evals",
                           "/risks", "/log",       "/login",
                           "/incidents?q=incident", NULL};
    const char *session_pages[] = {"/review", "/incidents/new", pub_edit,
                                   NULL};
    for (int l = 0; l < WEB_LANGS; l++) {
        for (const char *const *p = pages; *p; p++) {
            char path[256];
            snprintf(path, sizeof path, "%s%slang=%s", *p,
                     strchr(*p, '?') ? "&" : "?", langs[l]);
            api_reply r;
            web_get(path, NULL, &r);
            if (r.status != 200)
                fail_msg("GET %s: %ld", path, r.status);
            expect_html_lang(&r, langs[l], path);
            api_reply_release(&r);
            web_get(path, rev_cookie, &r);
            if (r.status != 200)
                fail_msg("GET %s (reviewer): %ld", path, r.status);
            expect_html_lang(&r, langs[l], path);
            api_reply_release(&r);
        }
        for (const char *const *p = session_pages; *p; p++) {
            char path[256];
            snprintf(path, sizeof path, "%s?lang=%s", *p, langs[l]);
            api_reply r;
            web_get(path, rev_cookie, &r);
            if (r.status != 200)
                fail_msg("GET %s (reviewer): %ld", path, r.status);
            expect_html_lang(&r, langs[l], path);
            api_reply_release(&r);
            /* anonymous: a page saying to log in, in the same language */
            web_get(path, NULL, &r);
            assert_int_equal(r.status, 401);
            expect_html_lang(&r, langs[l], path);
            api_reply_release(&r);
        }
    }
    /* unknown pages: a 404 page, still HTML in the language */
    api_reply r;
    web_get("/no/such/page?lang=ar", NULL, &r);
    assert_int_equal(r.status, 404);
    expect_html_lang(&r, "ar", "/no/such/page");
    api_reply_release(&r);
    web_get("/incidents/OSAFE-2099-99999", NULL, &r);
    assert_int_equal(r.status, 404);
    api_reply_release(&r);
}

static void test_static_assets(void **state)
{
    (void)state;
    api_reply r;
    web_get("/", NULL, &r);
    const char *m = strstr(r.body.data, "href=\"/static/style.css?v=");
    assert_non_null(m);
    char url[128];
    snprintf(url, sizeof url, "%.*s", (int)strcspn(m + 6, "\""), m + 6);
    api_reply_release(&r);
    web_get(url, NULL, &r);
    assert_int_equal(r.status, 200);
    char v[128];
    assert_non_null(api_hdr(&r, "Content-Type", v, sizeof v));
    assert_true(!strncmp(v, "text/css", 8));
    assert_non_null(api_hdr(&r, "Cache-Control", v, sizeof v));
    assert_non_null(strstr(v, "immutable"));
    assert_true(r.body.len > 1000);
    api_reply_release(&r);
    /* another version is served, but not to be cached for good */
    web_get("/static/style.css?v=0000", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(api_hdr(&r, "Cache-Control", v, sizeof v));
    assert_null(strstr(v, "immutable"));
    api_reply_release(&r);
    web_get("/static/verify.js", NULL, &r);
    assert_int_equal(r.status, 200);
    api_reply_release(&r);
    web_get("/static/../../etc/passwd", NULL, &r);
    assert_int_equal(r.status, 404);
    api_reply_release(&r);
    /* the JSON descriptor stays at /api/v1, and at / for JSON clients */
    api_get(&S, "/api/v1", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "\"openapi\""));
    api_reply_release(&r);
    hdrs hs = {{"Accept: application/json"}};
    web_req("GET", "/", &hs, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "\"openapi\""));
    api_reply_release(&r);
}

/* The dashboard ranks the published incidents (the fixture's are all
 * "ssh"), and shows the log head of the current checkpoint. */
static void test_dashboard(void **state)
{
    (void)state;
    api_reply r;
    web_get("/?lang=ar", NULL, &r);
    assert_int_equal(r.status, 200);
    const char *b = r.body.data;
    const char *fig = strstr(b, "<figure id=\"risk-matrix\"");
    assert_non_null(fig);
    assert_non_null(strstr(fig, "<svg"));
    assert_non_null(strstr(b, "<ol id=\"top-risks\">"));
    assert_non_null(strstr(b, "<li data-hazard=\"ssh\""));
    assert_null(strstr(b, "id=\"risks-empty\""));
    assert_non_null(strstr(b, "<table id=\"recent-incidents\">"));
    char row[64];
    snprintf(row, sizeof row, "<tr data-id=\"%s\">", clear_id);
    assert_non_null(strstr(b, row));
    const char *size = strstr(b, "<dd id=\"log-size\" data-value=\"");
    assert_non_null(size);
    long n = strtol(size + strlen("<dd id=\"log-size\" data-value=\""), NULL,
                    10);
    assert_true(n >= 4); /* the four fixture records at least */
    assert_non_null(strstr(b, "<code id=\"log-root\" dir=\"ltr\">"));
    api_reply_release(&r);
    /* the log page: the same checkpoint, the key, the check widget */
    web_get("/log", NULL, &r);
    assert_non_null(strstr(r.body.data, "<pre id=\"checkpoint-note\""));
    assert_non_null(strstr(r.body.data, "<code id=\"log-vkey\" dir=\"ltr\">"));
    assert_non_null(strstr(r.body.data, "<output id=\"verify-result\""));
    api_reply_release(&r);
}

/* ---- language negotiation ------------------------------------------------ */

static const char *page_lang(const char *path, const hdrs *hs)
{
    static char lang[8];
    api_reply r;
    web_req("GET", path, hs, NULL, &r);
    assert_int_equal(r.status, 200);
    const char *m = strstr(r.body.data, "<html lang=\"");
    assert_non_null(m);
    snprintf(lang, sizeof lang, "%.*s", (int)strcspn(m + 12, "\""), m + 12);
    api_reply_release(&r);
    return lang;
}

static void test_negotiation(void **state)
{
    (void)state;
    hdrs none = {{NULL}};
    assert_string_equal(page_lang("/", &none), "en");
    /* Accept-Language with q-values: the highest q among ours wins */
    static const struct {
        const char *al, *want;
    } cases[] = {
        {"Accept-Language: fr", "fr"},
        {"Accept-Language: zh-CN,zh;q=0.9", "zh"},
        {"Accept-Language: de-DE, ar;q=0.5, fr;q=0.8", "fr"},
        {"Accept-Language: de, ru;q=0.1", "ru"},
        {"Accept-Language: es;q=0, en;q=0.2, ar;q=0.3", "ar"},
        {"Accept-Language: xx, yy;q=0.5", "en"},
        {"Accept-Language: *", "en"},
        {"Accept-Language: ES-mx", "es"},
        {"Accept-Language: en-GB;q=0.4, ru-RU;q=0.4", "en"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hdrs hs = {{cases[i].al}};
        const char *got = page_lang("/", &hs);
        if (strcmp(got, cases[i].want))
            fail_msg("%s: got %s, want %s", cases[i].al, got, cases[i].want);
    }
    /* the cookie beats Accept-Language; ?lang beats both */
    hdrs ck = {{"Accept-Language: fr", "Cookie: osafe_lang=ru"}};
    assert_string_equal(page_lang("/", &ck), "ru");
    assert_string_equal(page_lang("/?lang=zh", &ck), "zh");
    /* a bad cookie or query value is ignored */
    hdrs bad = {{"Accept-Language: es", "Cookie: osafe_lang=xx"}};
    assert_string_equal(page_lang("/?lang=de", &bad), "es");
    /* ?lang sets the cookie for later visits */
    api_reply r;
    web_get("/incidents?lang=ar", NULL, &r);
    char v[256];
    assert_non_null(api_hdr(&r, "Set-Cookie", v, sizeof v));
    assert_true(!strncmp(v, "osafe_lang=ar;", 14));
    assert_non_null(strstr(v, "SameSite=Strict"));
    assert_non_null(strstr(v, "Path=/"));
    /* the switcher links to every language, and marks the current one */
    for (int l = 0; l < WEB_LANGS; l++) {
        char link[64];
        snprintf(link, sizeof link, "href=\"?lang=%s\" hreflang=\"%s\"",
                 langs[l], langs[l]);
        assert_non_null(strstr(r.body.data, link));
    }
    assert_non_null(strstr(r.body.data, "hreflang=\"ar\" lang=\"ar\" "
                                        "aria-current=\"true\""));
    api_reply_release(&r);
    /* switching keeps the page's filters, encoded */
    web_get("/incidents?q=a%20b%26c&tlp=CLEAR&lang=fr", NULL, &r);
    assert_non_null(strstr(r.body.data, "href=\"?q=a%20b%26c&amp;tlp=CLEAR"
                                        "&amp;lang=ru\""));
    api_reply_release(&r);
}

/* ---- escaping ------------------------------------------------------------ */

static void expect_escaped(const char *path, const char *cookie)
{
    api_reply r;
    web_get(path, cookie, &r);
    if (r.status != 200)
        fail_msg("GET %s: %ld", path, r.status);
    const char *b = r.body.data;
    if (strstr(b, "<script>alert") || strstr(b, "<img src=x") ||
        strstr(b, "<svg onload") || strstr(b, "onerror=alert(1)>"))
        fail_msg("%s: hostile markup reached the page unescaped", path);
    api_reply_release(&r);
}

static void test_hostile_content_escaped(void **state)
{
    (void)state;
    char path[96];
    snprintf(path, sizeof path, "/incidents/%s", hostile_id);
    expect_escaped(path, NULL);
    expect_escaped("/incidents", NULL);
    expect_escaped("/", NULL);
    expect_escaped("/incidents?q=alert", NULL);
    /* the escaped text itself is there, as text */
    api_reply r;
    web_get(path, NULL, &r);
    assert_non_null(strstr(r.body.data, "&lt;script&gt;alert(&quot;t&quot;)"));
    assert_non_null(strstr(r.body.data, "&quot;&gt;&lt;svg onload=alert(2)&gt;"
                                        "&amp;amp; &#39;q&#39;"));
    /* the title in its own language, with its tag */
    assert_non_null(strstr(r.body.data, "<span lang=\"en\" dir=\"auto\">"));
    api_reply_release(&r);
    /* a hostile query string comes back escaped in the filter form */
    expect_escaped("/incidents?q=%3Cscript%3Ealert(1)%3C/script%3E", NULL);
    expect_escaped("/incidents?model=%22%3E%3Cimg%20src=x%20"
                   "onerror=alert(1)%3E",
                   NULL);
    expect_escaped("/log?id=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", NULL);
}

/* Hazard codes and source types by name, in the page's language (issue 16
 * item 9): they showed as "spc_ele", "NEWS".  A sub-hazard without a name
 * shows its parent's name and its code. */
static void test_codes_translated(void **state)
{
    (void)state;
    json_t *j = api_record("Translated codes", NULL);
    json_object_set_new(j, "hazards", json_pack("[s,s,s,s]", "spc_ele",
                                                "sxc_prn", "spc_zzz", "cse"));
    json_object_set_new(j, "references",
                        json_pack("[{s:s, s:s}, {s:s, s:s}]", "url",
                                  "https://example.org/a", "type", "NEWS",
                                  "url", "https://example.org/b", "type",
                                  "WEB"));
    char id[32];
    api_create(&S, reporter, j, id);
    json_decref(j);
    api_publish(&S, reporter, reviewer, id);
    static const struct {
        const char *lang, *ele, *prn, *cse, *news, *web, *parent;
    } want[] = {
        {"en", "Specialized advice: elections", "Sexual content: pornographic",
         "Child sexual exploitation", "News", "Web page",
         "Specialized advice (<span dir=\"ltr\">spc_zzz</span>)"},
        {"fr", "Conseils sp\xc3\xa9" "cialis\xc3\xa9s : \xc3\xa9lections",
         "Contenu sexuel : pornographie", NULL, "Actualit\xc3\xa9",
         "Page web", NULL},
        {"ar",
         "\xd8\xa7\xd9\x84\xd9\x85\xd8\xb4\xd9\x88\xd8\xb1\xd8\xa9 "
         "\xd8\xa7\xd9\x84\xd9\x85\xd8\xaa\xd8\xae\xd8\xb5\xd8\xb5"
         "\xd8\xa9: \xd8\xa7\xd9\x84\xd8\xa7\xd9\x86\xd8\xaa\xd8\xae"
         "\xd8\xa7\xd8\xa8\xd8\xa7\xd8\xaa",
         NULL, NULL, NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        char path[96];
        snprintf(path, sizeof path, "/incidents/%s?lang=%s", id,
                 want[i].lang);
        api_reply r;
        web_get(path, NULL, &r);
        assert_int_equal(r.status, 200);
        const char *h = r.body.data;
        const char *texts[] = {want[i].ele,  want[i].prn, want[i].cse,
                               want[i].news, want[i].web, want[i].parent};
        for (size_t k = 0; k < sizeof texts / sizeof *texts; k++)
            if (texts[k] && !strstr(h, texts[k]))
                fail_msg("%s: no '%s'", path, texts[k]);
        /* no bare code where a name belongs */
        assert_null(strstr(h, ">spc_ele<"));
        assert_null(strstr(h, ">sxc_prn<"));
        assert_null(strstr(h, "(NEWS)"));
        assert_null(strstr(h, "(WEB)"));
        api_reply_release(&r);
    }
}

/* ---- localized numbers and dates (in process) ---------------------------- */

static const char *fmt_num(int lang, double v, int dec)
{
    static char out[128];
    web_page p;
    memset(&p, 0, sizeof p);
    p.lang_index = lang;
    buf_init(&p.html, 0);
    web__page_num(&p, v, dec);
    snprintf(out, sizeof out, "%s", p.html.data ? p.html.data : "");
    buf_release(&p.html);
    return out;
}

static const char *fmt_other(int lang, int what, const char *s, double v)
{
    static char out[256];
    web_page p;
    memset(&p, 0, sizeof p);
    p.lang_index = lang;
    buf_init(&p.html, 0);
    if (what == 0)
        web__page_date(&p, s);
    else if (what == 1)
        web__page_percent(&p, v, 1);
    else if (what == 2)
        web__page_int(&p, (long long)v);
    else
        web__page_text_lang(&p, "x", s);
    snprintf(out, sizeof out, "%s", p.html.data ? p.html.data : "");
    buf_release(&p.html);
    return out;
}

/* A page that outgrows its buffer (OSAFE_WEB_PAGE_MAX in the server; a
 * small ceiling here) is a 500 with no HTML, never a 200 with the pieces
 * after the overflow missing: the buffer's failure is sticky and web__page_end
 * checks it once. */
static int render_with_ceiling(size_t max, size_t pieces, http_resp *w)
{
    web_page p;
    memset(&p, 0, sizeof p);
    p.lang = "en";
    p.resp = w;
    buf_init(&p.html, max);
    for (size_t i = 0; i < pieces; i++)
        web__page_raw(&p, "<p>a piece of the page</p>\n");
    web__page_end(&p, NULL);
    buf_release(&p.html);
    return w->status;
}

static void test_page_over_ceiling_is_500(void **state)
{
    (void)state;
    http_resp w;
    http__resp_init(&w);
    assert_int_equal(render_with_ceiling(1u << 16, 10, &w), 200);
    assert_non_null(strstr(w.body.data, "</html>"));
    http__resp_release(&w);
    http__resp_init(&w);
    assert_int_equal(render_with_ceiling(1u << 16, 10000, &w), 500);
    assert_null(strstr(w.body.data ? w.body.data : "", "<p>a piece"));
    assert_non_null(strstr(w.body.data, "OSAFE_WEB_PAGE_MAX"));
    http__resp_release(&w);
}

static void test_numbers_and_dates(void **state)
{
    (void)state;
    enum { EN, ZH, ES, FR, AR, RU };
    assert_string_equal(fmt_num(EN, 1234.5, 1), "1,234.5");
    assert_string_equal(fmt_num(ZH, 1234567.25, 2), "1,234,567.25");
    assert_string_equal(fmt_num(FR, 1234.5, 1), "1\xe2\x80\xaf" "234,5");
    assert_string_equal(fmt_num(RU, 1234.5, 1), "1\xc2\xa0" "234,5");
    /* Spanish groups only from five integer digits (CLDR) */
    assert_string_equal(fmt_num(ES, 1234.5, 1), "1234,5");
    assert_string_equal(fmt_num(ES, 12345.5, 1), "12.345,5");
    assert_string_equal(fmt_num(AR, 1234.5, 1), "1\xd9\xac" "234\xd9\xab" "5");
    assert_string_equal(fmt_num(EN, -0.04, 1), "0.0");
    assert_string_equal(fmt_num(EN, -1234, 0), "-1,234");
    assert_string_equal(fmt_num(FR, 999, 0), "999");
    assert_string_equal(fmt_num(EN, 0.0 / 0.0, 2), "\xe2\x80\x94");
    assert_string_equal(fmt_other(EN, 2, NULL, 1234567), "1,234,567");
    assert_string_equal(fmt_other(EN, 1, NULL, 0.125), "12.5%");
    assert_string_equal(fmt_other(FR, 1, NULL, 0.125),
                        "12,5\xe2\x80\xaf%");
    assert_string_equal(fmt_other(EN, 0, "2026-11-28", 0),
                        "<time datetime=\"2026-11-28\">Nov 28, 2026</time>");
    assert_string_equal(fmt_other(FR, 0, "2026-02-03T10:05:00Z", 0),
                        "<time datetime=\"2026-02-03T10:05:00Z\">"
                        "3 f\xc3\xa9vr. "
                        "2026 10:05 UTC</time>");
    assert_string_equal(fmt_other(ZH, 0, "2026-11-28", 0),
                        "<time datetime=\"2026-11-28\">2026\xe5\xb9\xb4" "11"
                        "\xe6\x9c\x88" "28\xe6\x97\xa5</time>");
    assert_non_null(strstr(fmt_other(RU, 0, "2025-03-01", 0),
                           ">1 \xd0\xbc\xd0\xb0\xd1\x80. 2025 \xd0\xb3.<"));
    assert_non_null(strstr(fmt_other(ES, 0, "2025-08-09", 0), ">9 ago 2025<"));
    /* a partial date at its precision; nonsense as given (escaped) */
    assert_string_equal(fmt_other(EN, 0, "2025-03", 0),
                        "<time datetime=\"2025-03\">Mar 2025</time>");
    assert_non_null(strstr(fmt_other(ZH, 0, "2025-03", 0),
                           ">2025\xe5\xb9\xb4" "3\xe6\x9c\x88<"));
    assert_non_null(strstr(fmt_other(FR, 0, "2025", 0), ">2025<"));
    assert_string_equal(fmt_other(EN, 0, "2025-13", 0), "2025-13");
    assert_string_equal(fmt_other(EN, 0, "<b>", 0), "&lt;b&gt;");
    /* text in its own language: the tag only when it looks like one */
    assert_string_equal(fmt_other(EN, 3, "pt-BR", 0),
                        "<span lang=\"pt-BR\" dir=\"auto\">x</span>");
    assert_string_equal(fmt_other(EN, 3, "\"><script>", 0),
                        "<span dir=\"auto\">x</span>");
    assert_string_equal(fmt_other(EN, 3, "english", 0),
                        "<span dir=\"auto\">x</span>");
}

/* ---- imported classifications and provenance (issue 16 item 6) ---------- */

/* An imported record's taxonomy tags are shown on its page in the page's
 * language (they were not shown at all), and a machine-written description
 * is not labelled as a person's. */
static void test_record_classifications(void **state)
{
    (void)state;
    json_t *j = api_record("Classified incident", NULL);
    json_object_set_new(j, "tlp", json_string("CLEAR"));
    json_object_set_new(
        json_array_get(json_object_get(j, "description"), 0), "method",
        json_string("machine"));
    json_object_set_new(
        j, "classifications",
        json_pack("[{s:s, s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s}]",
                  "namespace", "AVID-SEP", "ns_version", "0.2", "code",
                  "S0100", "label", "Software Vulnerability", "namespace",
                  "AVID-LC", "code", "L06", "label", "Deployment",
                  "namespace", "AVID-RD", "code", "Security"));
    char id[32];
    api_create(&S, reporter, j, id);
    json_decref(j);
    api_publish(&S, reporter, reviewer, id);
    static const char *const want[WEB_LANGS][4] = {
        {"AVID effect (SEP)", "AVID lifecycle stage", "Security",
         "written or translated by a machine"},
        {"AVID\xef\xbc\x9a\xe5\xbd\xb1\xe5\x93\x8d (SEP)",
         "AVID\xef\xbc\x9a\xe7\x94\x9f\xe5\x91\xbd\xe5\x91\xa8"
         "\xe6\x9c\x9f\xe9\x98\xb6\xe6\xae\xb5",
         "\xe5\xae\x89\xe5\x85\xa8",
         "\xe7\x94\xb1\xe6\x9c\xba\xe5\x99\xa8"},
        {"AVID: efecto (SEP)", "AVID: fase del ciclo de vida", "Seguridad",
         "escrito o traducido por una m\xc3\xa1quina"},
        {"AVID : effet (SEP)", "AVID : \xc3\xa9tape du cycle de vie",
         "S\xc3\xa9" "curit\xc3\xa9", "\xc3\xa9" "crit ou traduit par une machine"},
        {"AVID: \xd8\xa7\xd9\x84\xd8\xa3\xd8\xab\xd8\xb1 (SEP)",
         "AVID: \xd9\x85\xd8\xb1\xd8\xad\xd9\x84\xd8\xa9",
         "\xd8\xa7\xd9\x84\xd8\xa3\xd9\x85\xd9\x86",
         "\xd9\x83\xd8\xaa\xd8\xa8\xd8\xaa\xd9\x87"},
        {"AVID: \xd1\x8d\xd1\x84\xd1\x84\xd0\xb5\xd0\xba\xd1\x82 (SEP)",
         "AVID: \xd1\x8d\xd1\x82\xd0\xb0\xd0\xbf",
         "\xd0\x91\xd0\xb5\xd0\xb7\xd0\xbe\xd0\xbf\xd0\xb0\xd1\x81",
         "\xd0\xbc\xd0\xb0\xd1\x88\xd0\xb8\xd0\xbd\xd0\xbe\xd0\xb9"},
    };
    for (int l = 0; l < WEB_LANGS; l++) {
        char path[96];
        snprintf(path, sizeof path, "/incidents/%s?lang=%s", id, langs[l]);
        api_reply r;
        web_get(path, NULL, &r);
        assert_int_equal(r.status, 200);
        const char *b = r.body.data;
        if (!strstr(b, "id=\"incident-classifications\"") ||
            !strstr(b, "<code dir=\"ltr\">S0100</code>") ||
            !strstr(b, "<span lang=\"en\" dir=\"ltr\">Software "
                       "Vulnerability</span>") ||
            !strstr(b, "<code dir=\"ltr\">L06</code>"))
            fail_msg("%s: the classifications are not shown", path);
        for (int k = 0; k < 4; k++)
            if (!strstr(b, want[l][k]))
                fail_msg("%s: no '%s'", path, want[l][k]);
        if (strstr(b, "written by a person"))
            fail_msg("%s: a machine's text labelled a person's", path);
        api_reply_release(&r);
    }
}

/* ---- lists: newest first, total, sort, numbered pages (issue 16) ------- */

/* The id of the first row of the table with that id attribute. */
static void first_row(const char *body, const char *table, char out[32])
{
    const char *t = strstr(body, table);
    assert_non_null(t);
    const char *row = strstr(t, "<tr data-id=\"");
    assert_non_null(row);
    row += strlen("<tr data-id=\"");
    snprintf(out, 32, "%.*s", (int)strcspn(row, "\""), row);
}

static void test_lists_newest_total_pages(void **state)
{
    (void)state;
    char id[32], got[32];
    /* more than one page of the list (OSAFE_WEB_LIST_LIMIT) */
    for (int i = 0; i < OSAFE_WEB_LIST_LIMIT + 1; i++)
        publish_with("Paged incident", NULL, "CLEAR", reporter, id);
    api_reply r;
    web_get("/", NULL, &r);
    assert_int_equal(r.status, 200);
    first_row(r.body.data, "<table id=\"recent-incidents\">", got);
    assert_string_equal(got, id); /* the latest published, not the oldest */
    api_reply_release(&r);

    web_get("/incidents", NULL, &r);
    assert_int_equal(r.status, 200);
    const char *b = r.body.data;
    first_row(b, "<table id=\"incident-list\">", got);
    assert_string_equal(got, id);
    const char *count = strstr(b, "<p id=\"result-count\" data-value=\"");
    assert_non_null(count);
    long total = strtol(count + strlen("<p id=\"result-count\" data-value=\""),
                        NULL, 10);
    assert_true(total >= OSAFE_WEB_LIST_LIMIT + 2);
    assert_non_null(strstr(b, "<nav id=\"pages\""));
    assert_non_null(strstr(b, "sort=newest&amp;page=2\""));
    assert_non_null(strstr(b, "<option value=\"newest\" selected>"));
    assert_non_null(strstr(b, "<option value=\"title\">"));
    assert_null(strstr(b, "id=\"prev-page\""));
    api_reply_release(&r);

    web_get("/incidents?sort=oldest&page=2", NULL, &r);
    assert_int_equal(r.status, 200);
    b = r.body.data;
    assert_non_null(strstr(b, "id=\"prev-page\""));
    assert_non_null(strstr(b, "aria-current=\"page\" href=\"/incidents?"
                              "sort=oldest&amp;page=2\""));
    assert_non_null(strstr(b, "<option value=\"oldest\" selected>"));
    /* the last page holds the newest record in the oldest-first order */
    char row[64];
    snprintf(row, sizeof row, "<tr data-id=\"%s\">", id);
    assert_non_null(strstr(b, row));
    api_reply_release(&r);

    /* filters ignore case; a country that is no code gets a hint */
    web_get("/incidents?country=ke", NULL, &r);
    assert_int_equal(r.status, 200);
    api_reply_release(&r);
    web_get("/incidents?country=Kenya", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body.data, "id=\"list-error\""));
    assert_non_null(strstr(r.body.data, "two-letter ISO code"));
    api_reply_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_and_dates),
        cmocka_unit_test(test_page_over_ceiling_is_500),
        cmocka_unit_test(test_every_page_in_six_languages),
        cmocka_unit_test(test_static_assets),
        cmocka_unit_test(test_dashboard),
        cmocka_unit_test(test_negotiation),
        cmocka_unit_test(test_hostile_content_escaped),
        cmocka_unit_test(test_codes_translated),
        cmocka_unit_test(test_record_classifications),
        cmocka_unit_test(test_lists_newest_total_pages),
    };
    return cmocka_run_group_tests(tests, web_setup, web_teardown);
}
