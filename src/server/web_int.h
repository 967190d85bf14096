/*
 * web_int.h - what the page files (web_*.c) share: the page being built,
 * translation, escaping, localized numbers and dates, forms and CSRF.
 *
 * A page handler gets a web_page with the caller already resolved from the
 * session cookie (anonymous when none), the language negotiated
 * (?lang=xx, else the osafe_lang cookie, else Accept-Language, else en) and
 * an empty HTML buffer.  It calls page_begin, appends its content, and
 * page_end sends it.  Text reaches the page only through page_text (escaped)
 * or T() keys written with page_t (escaped too): page_raw is for markup the
 * code itself wrote, never for data.
 *
 * Catalogues: src/server/i18n/<group>.<lang>.txt, one "key<TAB>text" per
 * line, '#' comments, embedded in the binary at build time.  Any file may
 * be added for a new group of pages; the English file of a group defines
 * its keys.  A key missing in a language falls back to English (and the
 * test test_web_i18n lists every such key); a key missing in English is a
 * bug and shows the key itself.
 *
 * Ownership: everything in a web_page is valid during the handler only.
 */
#ifndef OSAFE_SERVER_WEB_INT_H
#define OSAFE_SERVER_WEB_INT_H

#include <stddef.h>

#include "core/buf.h"
#include "registry/registry.h"
#include "server/http.h"
#include "server/web.h"

#define WEB_LANGS 6 /* en zh es fr ar ru, in that order */

typedef struct web_page {
    web *app;
    registry *reg;
    const char *log_dir;
    const http_req *req;
    http_resp *resp;
    reg_caller caller;     /* from the session; anonymous when none */
    int logged_in;
    const char *lang;      /* "en", "zh", "es", "fr", "ar" or "ru" */
    int lang_index;        /* 0..WEB_LANGS-1 in the order above */
    int rtl;               /* 1 for ar */
    char csrf[65];         /* the session's CSRF token ("" anonymous) */
    osafe_buf html;
} web_page;

/* ---- translation -------------------------------------------------------- */

/* The text of key in the page's language (English fallback, then the key
 * itself).  Borrowed from the catalogue, valid for the server's life. */
const char *T(const web_page *p, const char *key);
/* Append T(p, key), escaped. */
void page_t(web_page *p, const char *key);

/* ---- building the page ---------------------------------------------------- */

/* Doctype, <html lang dir>, head (title, CSS, viewport), skip link,
 * header with navigation (nav_key marks the current item: "nav.dashboard",
 * "nav.incidents", "nav.review", "nav.evals", "nav.risks", "nav.log"),
 * language switcher, login state, and the opening <main id="main">.
 * title is already translated (page_begin escapes it). */
void page_begin(web_page *p, const char *title, const char *nav_key);
/* Close <main>, footer, the page's script (one of the embedded assets, by
 * name, or NULL), and send with status 200. */
void page_end(web_page *p, const char *script);
/* A whole error page (status 4xx/5xx) with a translated message key. */
void page_error(web_page *p, int status, const char *msg_key);
/* 303 See Other to a local path (must start with '/'). */
void page_redirect(web_page *p, const char *location);

void page_text(web_page *p, const char *s);            /* escaped */
void page_text_n(web_page *p, const char *s, size_t n); /* escaped */
void page_raw(web_page *p, const char *markup);         /* trusted */
void page_rawf(web_page *p, const char *fmt, ...)       /* trusted; no %s of data */
    __attribute__((format(printf, 2, 3)));

/* Text in its own language: <span lang="xx" dir="auto">text</span>
 * (the lang attribute only when the tag is a valid BCP 47 shape). */
void page_text_lang(web_page *p, const char *text, const char *lang);

/* Localized numbers: decimal separator and digit grouping of the page's
 * language (fr: "1 234,5", es/ru likewise with their separators, ar with
 * Western digits and "٫" separator, zh/en "1,234.5"). */
void page_num(web_page *p, double v, int decimals);
void page_int(web_page *p, long long v);
void page_percent(web_page *p, double fraction, int decimals);
/* A date from RFC 3339 ("2026-11-28T10:00:00Z" or "2026-11-28"), in the
 * page's language's form, inside <time datetime="...">. */
void page_date(web_page *p, const char *rfc3339);

/* ---- requests and forms --------------------------------------------------- */

/* Form field of an application/x-www-form-urlencoded POST body, decoded;
 * NULL if absent.  Borrowed until the handler returns. */
const char *page_form(web_page *p, const char *name);
/* For POST handlers: 1 if the form's "csrf" field matches the session's
 * token (constant-time compare); otherwise answers 403 and returns 0. */
int page_csrf_ok(web_page *p);
/* <input type="hidden" name="csrf" value="..."> for forms. */
void page_csrf_field(web_page *p);

/* ---- pages (one file per group) ----------------------------------------- */

void page_dashboard(web_page *p);                 /* /                 web_dashboard.c */
void page_incidents(web_page *p);                 /* /incidents        web_incidents.c */
void page_incident(web_page *p, const char *id);  /* /incidents/{id}   web_incidents.c */
void page_incident_form(web_page *p, const char *id); /* /incidents/new, /incidents/{id}/edit  web_form.c */
void page_review(web_page *p);                    /* /review           web_review.c */
void page_log(web_page *p);                       /* /log              web_log.c */
void page_login(web_page *p);                     /* /login, /logout   web_session.c */
void page_evals(web_page *p);                     /* /evals            web_evals.c */
void page_eval(web_page *p, const char *id);      /* /evals/{run}      web_evals.c */
void page_risks(web_page *p);                     /* /risks            web_risks.c */

#endif
