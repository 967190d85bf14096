/*
 * web_page.c - the helpers every page uses (web_int.h): the page frame,
 * escaping (core/xml.h only), localized numbers and dates, form fields and
 * CSRF.
 *
 * Markup hooks of the frame (for the browser tests): <a class="skip-link">,
 * <nav id="site-nav">, <nav id="lang-switch"> with one <a hreflang=xx> per
 * language, <div id="account"> with data-role, <form id="logout-form">,
 * <main id="main">, <footer id="site-footer">.
 */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/limits.h"
#include "core/xml.h"
#include "server/web_int.h"

struct web_form {
    size_t n;
    char *name[OSAFE_WEB_FORM_FIELDS_MAX];
    char *value[OSAFE_WEB_FORM_FIELDS_MAX];
};

/* ---- text ---------------------------------------------------------------- */

/*
 * The appends below drop their status on purpose: the page buffer's
 * failure is sticky (core/buf.h), so after the first failure nothing more
 * is written and web__page_end checks buf_status once, answering 500 instead of
 * a page with pieces missing.
 */
void web__page_text(web_page *p, const char *s)
{
    OSAFE_IGNORE(xml_escape(&p->html, s));
}

void web__page_text_n(web_page *p, const char *s, size_t n)
{
    OSAFE_IGNORE(xml_escape_n(&p->html, s, n));
}

void web__page_raw(web_page *p, const char *markup)
{
    OSAFE_IGNORE(buf_puts(&p->html, markup));
}

static void page_putc(web_page *p, char c)
{
    OSAFE_IGNORE(buf_putc(&p->html, c));
}

void web__page_rawf(web_page *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    OSAFE_IGNORE(buf_vprintf(&p->html, fmt, ap));
    va_end(ap);
}

void web__page_t(web_page *p, const char *key)
{
    web__page_text(p, web__t(p, key));
}

void web__page_th_cols(web_page *p, const char *first,
                       const char *const *keys, size_t n)
{
    if (first) {
        web__page_raw(p, "<th scope=\"col\">");
        web__page_t(p, first);
        web__page_raw(p, "</th>");
    }
    for (size_t i = 0; i < n; i++) {
        web__page_raw(p, "<th scope=\"col\">");
        web__page_t(p, keys[i]);
        web__page_raw(p, "</th>");
    }
}

void web__page_next_nav(web_page *p, const char *nav_key,
                        const char *text_key, const char *path,
                        const char *origin, const char *next)
{
    web__page_raw(p, "<nav aria-label=\"");
    web__page_t(p, nav_key);
    web__page_raw(p, "\"><a id=\"next-page\" rel=\"next\" href=\"");
    web__page_raw(p, path);
    web__page_raw(p, "?");
    if (origin) {
        web__page_raw(p, "origin=");
        web__page_urlenc(p, origin);
        web__page_raw(p, "&amp;");
    }
    web__page_raw(p, "cursor=");
    web__page_urlenc(p, next);
    web__page_raw(p, "\">");
    web__page_t(p, text_key);
    web__page_raw(p, "</a></nav>\n");
}

void web__page_attr(web_page *p, const char *value)
{
    web__page_text(p, value);
}

void web__page_urlenc(web_page *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char tmp[4];
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
            c == '~') {
            page_putc(p, (char)c);
        } else {
            tmp[0] = '%';
            tmp[1] = hex[c >> 4];
            tmp[2] = hex[c & 15];
            tmp[3] = 0;
            web__page_raw(p, tmp);
        }
    }
}

/* A BCP 47 shape: letters, digits and '-', starting with 2-3 letters; a
 * tag of any other shape is not put into the lang attribute at all. */
static int bcp47_shape(const char *t)
{
    size_t n = 0;
    while ((t[n] >= 'a' && t[n] <= 'z') || (t[n] >= 'A' && t[n] <= 'Z'))
        n++;
    if (n < 2 || n > 3)
        return 0;
    size_t seg = 0;
    for (; t[n]; n++) {
        char c = t[n];
        if (c == '-') {
            if (seg == 0 && n > 3)
                return 0;
            seg = 0;
            if (!t[n + 1])
                return 0;
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                   (c >= '0' && c <= '9')) {
            if (++seg > 8)
                return 0;
        } else {
            return 0;
        }
        if (n > 35)
            return 0;
    }
    return 1;
}

void web__page_text_lang(web_page *p, const char *text, const char *lang)
{
    if (lang && bcp47_shape(lang)) {
        web__page_raw(p, "<span lang=\"");
        web__page_text(p, lang);
        web__page_raw(p, "\" dir=\"auto\">");
    } else {
        web__page_raw(p, "<span dir=\"auto\">");
    }
    web__page_text(p, text ? text : "");
    web__page_raw(p, "</span>");
}

/* ---- numbers ------------------------------------------------------------- */

typedef struct numfmt {
    const char *group, *decimal, *pct_pre, *pct_post;
    int min_group; /* group only from this many integer digits on */
} numfmt;

/* en zh es fr ar ru, CLDR's conventions (es groups from five digits). */
static const numfmt numfmts[WEB_LANGS] = {
    {",", ".", "", "%", 4},
    {",", ".", "", "%", 4},
    {".", ",", "", "\xc2\xa0%", 5},
    {"\xe2\x80\xaf", ",", "", "\xe2\x80\xaf%", 4},
    {"\xd9\xac", "\xd9\xab", "", "\xd9\xaa", 4},
    {"\xc2\xa0", ",", "", "\xc2\xa0%", 4},
};

static void put_number(web_page *p, double v, int decimals)
{
    const numfmt *f = &numfmts[p->lang_index];
    if (decimals < 0)
        decimals = 0;
    if (decimals > 9)
        decimals = 9;
    if (v != v) {
        web__page_raw(p, "\xe2\x80\x94"); /* NaN: an em dash, never "nan" */
        return;
    }
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
    if (n <= 0 || (size_t)n >= sizeof tmp || !strchr("-0123456789", tmp[0])) {
        web__page_raw(p, "\xe2\x80\x94");
        return;
    }
    const char *s = tmp;
    if (*s == '-') {
        /* "-0.0" after rounding is 0 */
        int zero = 1;
        for (const char *z = s + 1; *z; z++)
            if (*z >= '1' && *z <= '9')
                zero = 0;
        if (!zero)
            page_putc(p, '-');
        s++;
    }
    size_t int_len = strcspn(s, ".");
    int grouped = int_len >= (size_t)f->min_group;
    for (size_t i = 0; i < int_len; i++) {
        if (grouped && i > 0 && (int_len - i) % 3 == 0)
            web__page_raw(p, f->group);
        page_putc(p, s[i]);
    }
    if (s[int_len] == '.') {
        web__page_raw(p, f->decimal);
        web__page_raw(p, s + int_len + 1);
    }
}

void web__page_num(web_page *p, double v, int decimals)
{
    put_number(p, v, decimals);
}

void web__page_int(web_page *p, long long v)
{
    put_number(p, (double)v, 0);
}

void web__page_percent(web_page *p, double fraction, int decimals)
{
    const numfmt *f = &numfmts[p->lang_index];
    web__page_raw(p, f->pct_pre);
    put_number(p, fraction * 100.0, decimals);
    web__page_raw(p, f->pct_post);
}

/* ---- dates --------------------------------------------------------------- */

static const char *const months_en[12] = {"Jan", "Feb", "Mar", "Apr",
                                          "May", "Jun", "Jul", "Aug",
                                          "Sep", "Oct", "Nov", "Dec"};
static const char *const months_es[12] = {"ene", "feb", "mar", "abr",
                                          "may", "jun", "jul", "ago",
                                          "sept", "oct", "nov", "dic"};
static const char *const months_fr[12] = {
    "janv.", "f\xc3\xa9vr.", "mars", "avr.", "mai", "juin",
    "juil.", "ao\xc3\xbbt", "sept.", "oct.", "nov.", "d\xc3\xa9" "c."};
static const char *const months_ru[12] = {
    "\xd1\x8f\xd0\xbd\xd0\xb2.", "\xd1\x84\xd0\xb5\xd0\xb2\xd1\x80.",
    "\xd0\xbc\xd0\xb0\xd1\x80.", "\xd0\xb0\xd0\xbf\xd1\x80.",
    "\xd0\xbc\xd0\xb0\xd1\x8f", "\xd0\xb8\xd1\x8e\xd0\xbd.",
    "\xd0\xb8\xd1\x8e\xd0\xbb.", "\xd0\xb0\xd0\xb2\xd0\xb3.",
    "\xd1\x81\xd0\xb5\xd0\xbd\xd1\x82.", "\xd0\xbe\xd0\xba\xd1\x82.",
    "\xd0\xbd\xd0\xbe\xd1\x8f\xd0\xb1.", "\xd0\xb4\xd0\xb5\xd0\xba."};
static const char *const months_ar[12] = {
    "\xd9\x8a\xd9\x86\xd8\xa7\xd9\x8a\xd8\xb1",
    "\xd9\x81\xd8\xa8\xd8\xb1\xd8\xa7\xd9\x8a\xd8\xb1",
    "\xd9\x85\xd8\xa7\xd8\xb1\xd8\xb3",
    "\xd8\xa3\xd8\xa8\xd8\xb1\xd9\x8a\xd9\x84",
    "\xd9\x85\xd8\xa7\xd9\x8a\xd9\x88",
    "\xd9\x8a\xd9\x88\xd9\x86\xd9\x8a\xd9\x88",
    "\xd9\x8a\xd9\x88\xd9\x84\xd9\x8a\xd9\x88",
    "\xd8\xa3\xd8\xba\xd8\xb3\xd8\xb7\xd8\xb3",
    "\xd8\xb3\xd8\xa8\xd8\xaa\xd9\x85\xd8\xa8\xd8\xb1",
    "\xd8\xa3\xd9\x83\xd8\xaa\xd9\x88\xd8\xa8\xd8\xb1",
    "\xd9\x86\xd9\x88\xd9\x81\xd9\x85\xd8\xa8\xd8\xb1",
    "\xd8\xaf\xd9\x8a\xd8\xb3\xd9\x85\xd8\xa8\xd8\xb1"};

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* The value of n decimal digits (digits() checked them). */
static int num(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* A partial date (records know some dates to the year or the month
 * only): "YYYY" or "YYYY-MM", shown at that precision. */
static int partial_date(web_page *p, const char *d)
{
    size_t n = strlen(d);
    if (!((n == 4 && digits(d, 4)) ||
          (n == 7 && digits(d, 4) && d[4] == '-' && digits(d + 5, 2))))
        return 0;
    int y = num(d, 4), mo = n == 7 ? num(d + 5, 2) : 0;
    if (n == 7 && (mo < 1 || mo > 12))
        return 0;
    web__page_raw(p, "<time datetime=\"");
    web__page_text(p, d);
    web__page_raw(p, "\">");
    if (!mo) {
        web__page_rawf(p, p->lang_index == WEB_LANG_ZH ? "%d\xe5\xb9\xb4" : "%d",
                  y);
    } else {
        switch (p->lang_index) {
        case WEB_LANG_ZH:
            web__page_rawf(p, "%d\xe5\xb9\xb4%d\xe6\x9c\x88", y, mo);
            break;
        case WEB_LANG_ES:
            web__page_rawf(p, "%s %d", months_es[mo - 1], y);
            break;
        case WEB_LANG_FR:
            web__page_rawf(p, "%s %d", months_fr[mo - 1], y);
            break;
        case WEB_LANG_AR:
            web__page_rawf(p, "%s %d", months_ar[mo - 1], y);
            break;
        case WEB_LANG_RU:
            web__page_rawf(p, "%s %d \xd0\xb3.", months_ru[mo - 1], y);
            break;
        default:
            web__page_rawf(p, "%s %d", months_en[mo - 1], y);
            break;
        }
    }
    web__page_raw(p, "</time>");
    return 1;
}

void web__page_date(web_page *p, const char *d)
{
    if (d && partial_date(p, d))
        return;
    if (!d || strlen(d) < 10 || !digits(d, 4) || d[4] != '-' ||
        !digits(d + 5, 2) || d[7] != '-' || !digits(d + 8, 2)) {
        web__page_text(p, d ? d : "");
        return;
    }
    int y = num(d, 4), mo = num(d + 5, 2), day = num(d + 8, 2);
    if (mo < 1 || mo > 12 || day < 1 || day > 31) {
        web__page_text(p, d);
        return;
    }
    int has_time = strlen(d) >= 16 && (d[10] == 'T' || d[10] == ' ') &&
                   digits(d + 11, 2) && d[13] == ':' && digits(d + 14, 2);
    web__page_raw(p, "<time datetime=\"");
    web__page_text(p, d);
    web__page_raw(p, "\">");
    switch (p->lang_index) {
    case WEB_LANG_ZH:
        web__page_rawf(p, "%d\xe5\xb9\xb4%d\xe6\x9c\x88%d\xe6\x97\xa5", y, mo, day);
        break;
    case WEB_LANG_ES:
        web__page_rawf(p, "%d %s %d", day, months_es[mo - 1], y);
        break;
    case WEB_LANG_FR:
        web__page_rawf(p, "%d %s %d", day, months_fr[mo - 1], y);
        break;
    case WEB_LANG_AR:
        web__page_rawf(p, "%d %s %d", day, months_ar[mo - 1], y);
        break;
    case WEB_LANG_RU:
        web__page_rawf(p, "%d %s %d \xd0\xb3.", day, months_ru[mo - 1], y);
        break;
    default:
        web__page_rawf(p, "%s %d, %d", months_en[mo - 1], day, y);
        break;
    }
    if (has_time)
        web__page_rawf(p, " %.2s:%.2s UTC", d + 11, d + 14);
    web__page_raw(p, "</time>");
}

/* ---- the frame ----------------------------------------------------------- */

static const char *const lang_names[WEB_LANGS] = {
    "English", "\xe4\xb8\xad\xe6\x96\x87", "Espa\xc3\xb1ol",
    "Fran\xc3\xa7" "ais",
    "\xd8\xa7\xd9\x84\xd8\xb9\xd8\xb1\xd8\xa8\xd9\x8a\xd8\xa9",
    "\xd0\xa0\xd1\x83\xd1\x81\xd1\x81\xd0\xba\xd0\xb8\xd0\xb9"};

/* A <link> stylesheet (script 0) or deferred <script> (script 1). */
static void asset_link(web_page *p, int script, const char *name)
{
    const web_file *f = web__asset(name);
    if (!f)
        return;
    if (script)
        web__page_rawf(p, "<script src=\"/static/%s?v=%s\" defer></script>\n",
                  f->name, f->hash);
    else
        web__page_rawf(p, "<link rel=\"stylesheet\" href=\"/static/%s?v=%s\">\n",
                  f->name, f->hash);
}

static int is_reviewer(const web_page *p)
{
    return p->logged_in && (!strcmp(p->caller.acct.role, "reviewer") ||
                            !strcmp(p->caller.acct.role, "admin"));
}

void web__page_begin(web_page *p, const char *title, const char *nav_key)
{
    static const struct {
        const char *key, *href;
        int reviewers;
    } nav[] = {{"nav.dashboard", "/", 0}, {"nav.incidents", "/incidents", 0},
               {"nav.review", "/review", 1}, {"nav.evals", "/evals", 0},
               {"nav.risks", "/risks", 0},   {"nav.log", "/log", 0}};
    buf_reset(&p->html);
    web__page_rawf(p,
              "<!DOCTYPE html>\n<html lang=\"%s\" dir=\"%s\">\n<head>\n"
              "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
              "content=\"width=device-width, initial-scale=1\">\n<title>",
              p->lang, p->rtl ? "rtl" : "ltr");
    web__page_text(p, title);
    web__page_raw(p, " \xc2\xb7 osafe</title>\n<link rel=\"icon\" href=\"data:,\">\n");
    asset_link(p, 0, "style.css");
    web__page_raw(p, "</head>\n<body>\n<a class=\"skip-link\" href=\"#main\">");
    web__page_t(p, "app.skip");
    web__page_raw(p, "</a>\n<header class=\"site-header\">\n<a class=\"brand\" "
                "href=\"/\">osafe</a>\n<nav id=\"site-nav\" aria-label=\"");
    web__page_t(p, "nav.label");
    web__page_raw(p, "\"><ul>");
    for (size_t i = 0; i < sizeof nav / sizeof nav[0]; i++) {
        if (nav[i].reviewers && !is_reviewer(p))
            continue;
        web__page_rawf(p, "<li><a href=\"%s\"%s>", nav[i].href,
                  nav_key && !strcmp(nav_key, nav[i].key)
                      ? " aria-current=\"page\""
                      : "");
        web__page_t(p, nav[i].key);
        web__page_raw(p, "</a></li>");
    }
    if (p->logged_in) {
        web__page_raw(p, "<li><a href=\"/incidents/new\">");
        web__page_t(p, "nav.file");
        web__page_raw(p, "</a></li>");
    }
    web__page_raw(p, "</ul></nav>\n<nav id=\"lang-switch\" aria-label=\"");
    web__page_t(p, "lang.label");
    web__page_raw(p, "\"><ul>");
    /* Switching language keeps what the page shows: its filters, the run
     * compared against, the version.  (POST results switch to the GET.) */
    static const char *const keep[] = {
        "q",     "status", "hazard", "severity", "country", "model",
        "language", "tlp", "cursor", "version",  "id",      "against",
        NULL};
    osafe_buf kept = OSAFE_BUF_INIT;
    osafe_buf save = p->html;
    p->html = kept;
    for (const char *const *k = keep; *k; k++) {
        const char *v = http_req_query(p->req, *k);
        if (!v || !*v)
            continue;
        web__page_rawf(p, "%s=", *k);
        web__page_urlenc(p, v);
        web__page_raw(p, "&amp;");
    }
    kept = p->html;
    p->html = save;
    for (int i = 0; i < WEB_LANGS; i++)
        web__page_rawf(p,
                  "<li><a href=\"?%slang=%s\" hreflang=\"%s\" lang=\"%s\"%s>"
                  "%s</a></li>",
                  kept.data ? kept.data : "", web__lang_code(i),
                  web__lang_code(i), web__lang_code(i),
                  i == p->lang_index ? " aria-current=\"true\"" : "",
                  lang_names[i]);
    buf_release(&kept);
    web__page_raw(p, "</ul></nav>\n<div id=\"account\" data-role=\"");
    web__page_text(p, p->logged_in ? p->caller.acct.role : "anonymous");
    web__page_raw(p, "\">");
    if (p->logged_in) {
        web__page_t(p, "account.signed_in");
        web__page_raw(p, " <strong>");
        web__page_text(p, p->caller.acct.name);
        web__page_raw(p, "</strong> <form id=\"logout-form\" method=\"post\" "
                    "action=\"/logout\">");
        web__page_csrf_field(p);
        web__page_raw(p, "<button type=\"submit\">");
        web__page_t(p, "account.logout");
        web__page_raw(p, "</button></form>");
    } else {
        web__page_raw(p, "<a href=\"/login\">");
        web__page_t(p, "account.login");
        web__page_raw(p, "</a>");
    }
    web__page_raw(p, "</div>\n</header>\n<main id=\"main\" tabindex=\"-1\">\n");
}

static void set_page_headers(web_page *p)
{
    http_resp *w = p->resp;
    http_resp_header(w, "Content-Security-Policy",
                     "default-src 'self'; script-src 'self'; style-src "
                     "'self'; img-src 'self' data:; frame-ancestors 'none'; "
                     "form-action 'self'; base-uri 'none'");
    http_resp_header(w, "Cache-Control", "no-store");
    http_resp_header(w, "Referrer-Policy", "same-origin");
    http_resp_header(w, "X-Frame-Options", "DENY");
    http_resp_header(w, "Vary", "Cookie, Accept-Language");
    http_resp_header(w, "Content-Language", p->lang);
    if (p->set_cookie[0])
        http_resp_header(w, "Set-Cookie", p->set_cookie);
}

/* The page's Content-Security-Policy has no 'unsafe-inline' for styles,
 * so a style="" attribute (svg.h writes one for standalone files) would
 * only raise a console error: web__page_end drops every one, and the
 * stylesheet sizes the figures instead.  Only markup the code wrote can
 * hold ` style="`: in escaped data every '"' is "&quot;". */
static void drop_style_attrs(osafe_buf *b)
{
    if (!b->data)
        return;
    char *w = b->data, *r = b->data, *end = b->data + b->len;
    while (r < end) {
        char *a = strstr(r, " style=\"");
        char *q = a ? strchr(a + 8, '"') : NULL;
        if (!a || !q) {
            memmove(w, r, (size_t)(end - r));
            w += end - r;
            break;
        }
        memmove(w, r, (size_t)(a - r));
        w += a - r;
        r = q + 1;
    }
    b->len = (size_t)(w - b->data);
    b->data[b->len] = '\0';
}

void web__page_end(web_page *p, const char *script)
{
    web__page_raw(p, "</main>\n<footer id=\"site-footer\"><p>");
    web__page_t(p, "footer.text");
    web__page_raw(p, " \xc2\xb7 <a href=\"/api/v1/openapi.json\">API</a> "
                "\xc2\xb7 <a href=\"/log/checkpoint\">");
    web__page_t(p, "log.checkpoint");
    web__page_raw(p, "</a></p></footer>\n");
    if (script)
        asset_link(p, 1, script);
    web__page_raw(p, "</body>\n</html>\n");
    if (buf_status(&p->html) != 0) {
        /* over OSAFE_WEB_PAGE_MAX or out of memory: a 200 with pieces
         * missing would look whole, so the page is not sent at all */
        http_resp_error(p->resp, 500, "internal", NULL,
                        buf_status(&p->html) == OSAFE_ETOOBIG
                            ? "internal error: the page exceeds "
                              "OSAFE_WEB_PAGE_MAX"
                            : "internal error: out of memory");
        return;
    }
    drop_style_attrs(&p->html);
    set_page_headers(p);
    http_resp_status(p->resp, p->status ? p->status : 200);
    if (http_resp_body(p->resp, "text/html; charset=utf-8", p->html.data,
                       p->html.len) != 0)
        http_resp_error(p->resp, 500, "internal", NULL, "internal error");
}

void web__page_status(web_page *p, int status)
{
    p->status = status;
}

void web__page_error(web_page *p, int status, const char *msg_key)
{
    const char *title = web__t(p, status == 404   ? "error.404"
                             : status == 403 ? "error.403"
                             : status == 401 ? "error.401"
                             : status == 429 ? "error.429"
                             : status >= 500 ? "error.500"
                                             : "error.400");
    web__page_begin(p, title, NULL);
    web__page_raw(p, "<h1>");
    web__page_text(p, title);
    web__page_raw(p, "</h1>\n<p id=\"error-message\" role=\"alert\">");
    web__page_t(p, msg_key);
    web__page_raw(p, "</p>\n");
    if (status == 401 && !p->logged_in) {
        web__page_raw(p, "<p><a class=\"button primary\" href=\"/login?next=");
        web__page_urlenc(p, http_req_path(p->req));
        web__page_raw(p, "\">");
        web__page_t(p, "account.login");
        web__page_raw(p, "</a></p>\n");
    }
    p->status = status;
    web__page_end(p, NULL);
}

void web__page_redirect(web_page *p, const char *location)
{
    /* never an open redirect: "//host" and "/\\host" leave the site */
    if (!location || location[0] != '/' || location[1] == '/' ||
        location[1] == '\\')
        location = "/";
    for (const char *c = location; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            location = "/";
    set_page_headers(p);
    http_resp_header(p->resp, "Location", location);
    http_resp_status(p->resp, 303);
    http_resp_body(p->resp, "text/plain; charset=utf-8", "", 0);
}

/* ---- requests and forms ------------------------------------------------- */

const char *web__page_query(web_page *p, const char *name)
{
    return http_req_query(p->req, name);
}

int web__page_cookie(const web_page *p, const char *name, char *out, size_t size)
{
    const char *h = http_req_header(p->req, "Cookie");
    size_t nlen = strlen(name);
    while (h && *h) {
        while (*h == ' ' || *h == ';')
            h++;
        const char *end = strchr(h, ';');
        size_t len = end ? (size_t)(end - h) : strlen(h);
        if (len > nlen && !strncmp(h, name, nlen) && h[nlen] == '=') {
            size_t vlen = len - nlen - 1;
            if (vlen >= size)
                return -1;
            memcpy(out, h + nlen + 1, vlen);
            out[vlen] = '\0';
            return 0;
        }
        h = end;
    }
    return -1;
}

static char *url_decode(const char *s, size_t n)
{
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (s[i] == '+') {
            o[j++] = ' ';
        } else if (s[i] == '%' && i + 2 < n &&
                   (hi = hex_digit(s[i + 1])) >= 0 &&
                   (lo = hex_digit(s[i + 2])) >= 0) {
            o[j++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            o[j++] = s[i];
        }
    }
    o[j] = '\0';
    return o;
}

static void parse_form(web_page *p)
{
    if (p->form || !p->is_post)
        return;
    struct web_form *f = calloc(1, sizeof *f);
    if (!f)
        return;
    p->form = f;
    size_t len;
    const char *b = http_req_body(p->req, &len);
    size_t i = 0;
    while (i < len && f->n < OSAFE_WEB_FORM_FIELDS_MAX) {
        size_t end = i;
        while (end < len && b[end] != '&')
            end++;
        size_t eq = i;
        while (eq < end && b[eq] != '=')
            eq++;
        if (end > i) {
            char *nm = url_decode(b + i, eq - i);
            char *v = eq < end ? url_decode(b + eq + 1, end - eq - 1)
                               : strdup("");
            if (!nm || !v) {
                free(nm);
                free(v);
                return;
            }
            /* a value with a NUL inside is cut there, never past it */
            f->name[f->n] = nm;
            f->value[f->n] = v;
            f->n++;
        }
        i = end + 1;
    }
}

const char *web__page_form_nth(web_page *p, const char *name, size_t n)
{
    parse_form(p);
    if (!p->form)
        return NULL;
    for (size_t i = 0; i < p->form->n; i++)
        if (!strcmp(p->form->name[i], name) && n-- == 0)
            return p->form->value[i];
    return NULL;
}

const char *web__page_form(web_page *p, const char *name)
{
    return web__page_form_nth(p, name, 0);
}

void web__page_free_form(web_page *p)
{
    if (!p->form)
        return;
    for (size_t i = 0; i < p->form->n; i++) {
        free(p->form->name[i]);
        free(p->form->value[i]);
    }
    free(p->form);
    p->form = NULL;
}

int web__page_csrf_ok(web_page *p)
{
    const char *t = web__page_form(p, "csrf");
    size_t n = strlen(p->csrf);
    if (t && n == 64 && strlen(t) == n &&
        sodium_memcmp(t, p->csrf, n) == 0)
        return 1;
    web__page_error(p, 403, "error.csrf");
    return 0;
}

void web__page_csrf_field(web_page *p)
{
    web__page_raw(p, "<input type=\"hidden\" name=\"csrf\" value=\"");
    web__page_text(p, p->csrf);
    web__page_raw(p, "\">");
}

void web__page_svg(web_page *p, const char *svg)
{
    /* style="" attributes are dropped by web__page_end (see there) */
    web__page_raw(p, svg ? svg : "");
}
