/*
 * web.c - the router of the HTML interface: static assets, catalogues,
 * language negotiation, and the dispatch of paths to page handlers.
 *
 * Routes (GET unless said):
 *   /                      dashboard                   web_dashboard.c
 *   /incidents             list, filters, search       web_incidents.c
 *   /incidents/new         filing form (GET, POST)     web_form.c
 *   /incidents/{id}        detail                      web_incidents.c
 *   /incidents/mirrored    a peer's record (?origin&id)  web_mirror.c
 *   /incidents/{id}/edit   editing form (GET, POST)    web_form.c
 *   /incidents/{id}/discard  discard a draft (POST)    web_form.c
 *   /review                review queue (GET, POST)    web_review.c
 *   /evals, /evals/{run}   evaluation runs             web_evals.c
 *   /evals?origin=O        a peer's runs               web_evals_mirror.c
 *   /evals/{run}/review    label needs_review samples  web_evals_review.c
 *   /evals/{run}/samples   a run's samples             web_samples.c
 *   /risks                 risk ranking                web_risks.c
 *   /log                   log head, inclusion check   web_log.c
 *   /login, /logout        sessions (POST)             web_session.c
 *   /static/{name}         embedded assets
 */
#include "server/web_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "server/ratelimit.h"
#include "risk/risk_policy.h"

static const char *const lang_codes[WEB_LANGS] = {"en", "zh", "es",
                                                  "fr", "ar", "ru"};

int web__lang_index(const char *code)
{
    if (!code)
        return -1;
    for (int i = 0; i < WEB_LANGS; i++)
        if (!strcmp(code, lang_codes[i]))
            return i;
    return -1;
}

const char *web__lang_code(int i)
{
    return i >= 0 && i < WEB_LANGS ? lang_codes[i] : "en";
}

/* ---- catalogues ---------------------------------------------------------- */

typedef struct cat_entry {
    char *key;
    char *text;
    size_t file; /* which catalogue file, to keep the first of duplicates */
} cat_entry;

typedef struct catalog {
    cat_entry *v;
    size_t n, cap;
    size_t file; /* the file being loaded */
} catalog;

struct web {
    registry *reg;
    const char *log_dir;
    catalog cat[WEB_LANGS];
    void *sessions; /* web_session.c */
    void *risks;    /* web_risk.c */
    struct risk_policy policy; /* of the ranking on the pages */
    ratelimit *writes, *reads; /* borrowed; NULL: no limit */
};

void **web__session_slot(web *w)
{
    return &w->sessions;
}

void **web__risk_slot(web *w)
{
    return &w->risks;
}

void web_set_ratelimits(web *w, ratelimit *writes, ratelimit *reads)
{
    w->writes = writes;
    w->reads = reads;
}

/* 429 with Retry-After when key has no token left in rl. */
static int throttle(web_page *p, ratelimit *rl, const char *key)
{
    unsigned wait = ratelimit_take(rl, key, ratelimit_now());
    if (!wait)
        return 0;
    char v[16];
    snprintf(v, sizeof v, "%u", wait);
    http_resp_header(p->resp, "Retry-After", v);
    web__page_error(p, 429, "error.rate");
    return 1;
}

int web__throttle_read(web_page *p)
{
    char key[80];
    const char *ip = http_client_addr(p->req);
    snprintf(key, sizeof key, "ip:%s", ip ? ip : "");
    return throttle(p, p->app->reads, key);
}

void web_set_risk_policy(web *w, const struct risk_policy *p)
{
    w->policy = *p;
}

const struct risk_policy *web__risk_policy(const web *w)
{
    return &w->policy;
}

static int is_key_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

int web__catalog_parse(const char *data, size_t len, web_catalog_cb cb,
                      void *ctx, int *bad_line)
{
    size_t i = 0;
    int line = 0;
    *bad_line = 0;
    while (i < len) {
        line++;
        size_t end = i;
        while (end < len && data[end] != '\n')
            end++;
        size_t stop = end;
        if (stop > i && data[stop - 1] == '\r')
            stop--;
        if (stop > i && data[i] != '#') {
            size_t k = i;
            while (k < stop && is_key_char(data[k]))
                k++;
            /* key, one TAB, non-empty text */
            if (k == i || k >= stop || data[k] != '\t' || k + 1 >= stop) {
                *bad_line = line;
                return OSAFE_EINVAL;
            }
            int rc = cb(ctx, data + i, k - i, data + k + 1, stop - k - 1);
            if (rc)
                return rc;
        }
        i = end + 1;
    }
    return 0;
}

static int cat_add(void *ctx, const char *key, size_t klen, const char *text,
                   size_t tlen)
{
    catalog *c = ctx;
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 256;
        cat_entry *v = realloc(c->v, cap * sizeof *v);
        if (!v)
            return OSAFE_ENOMEM;
        c->v = v;
        c->cap = cap;
    }
    char *k = strndup(key, klen);
    char *t = malloc(tlen + 1);
    if (!k || !t) {
        free(k);
        free(t);
        return OSAFE_ENOMEM;
    }
    /* "\n" in a catalogue line is a line break in the text */
    size_t o = 0;
    for (size_t i = 0; i < tlen; i++) {
        if (text[i] == '\\' && i + 1 < tlen && text[i + 1] == 'n') {
            t[o++] = '\n';
            i++;
        } else {
            t[o++] = text[i];
        }
    }
    t[o] = '\0';
    c->v[c->n].key = k;
    c->v[c->n].text = t;
    c->v[c->n].file = c->file;
    c->n++;
    return 0;
}

static int entry_cmp(const void *a, const void *b)
{
    return strcmp(((const cat_entry *)a)->key, ((const cat_entry *)b)->key);
}

static int entry_cmp_file(const void *a, const void *b)
{
    const cat_entry *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->file > y->file) - (x->file < y->file);
}

static void catalogs_free(web *w)
{
    for (int l = 0; l < WEB_LANGS; l++) {
        for (size_t i = 0; i < w->cat[l].n; i++) {
            free(w->cat[l].v[i].key);
            free(w->cat[l].v[i].text);
        }
        free(w->cat[l].v);
        memset(&w->cat[l], 0, sizeof w->cat[l]);
    }
}

/* "group.lang.txt" -> language index, -1 when the name has no such form */
static int file_lang(const char *name)
{
    size_t n = strlen(name);
    if (n < 8 || strcmp(name + n - 4, ".txt") || name[n - 7] != '.')
        return -1;
    char code[3] = {name[n - 6], name[n - 5], 0};
    return web__lang_index(code);
}

static int catalogs_load(web *w, osafe_err *e)
{
    for (size_t f = 0; f < osafe_web_i18n_count; f++) {
        const web_file *wf = &osafe_web_i18n[f];
        int l = file_lang(wf->name);
        if (l < 0)
            return osafe_errf(e, OSAFE_EINVAL,
                              "catalogue %s: name is not group.<lang>.txt "
                              "with one of en zh es fr ar ru",
                              wf->name);
        int bad;
        w->cat[l].file = f;
        int rc = web__catalog_parse(wf->data, wf->len, cat_add, &w->cat[l],
                                   &bad);
        if (rc == OSAFE_ENOMEM)
            return osafe_errf(e, rc, "out of memory loading catalogues");
        if (rc)
            return osafe_errf(e, OSAFE_EINVAL,
                              "catalogue %s line %d: expected key<TAB>text",
                              wf->name, bad);
    }
    /* A key two groups both define keeps the first file's text (files in
     * name order); test_web_i18n lists such keys, a server still starts. */
    for (int l = 0; l < WEB_LANGS; l++) {
        catalog *c = &w->cat[l];
        if (c->n)
            qsort(c->v, c->n, sizeof *c->v, entry_cmp_file);
        size_t o = 0;
        for (size_t i = 0; i < c->n; i++) {
            if (o && !strcmp(c->v[o - 1].key, c->v[i].key)) {
                free(c->v[i].key);
                free(c->v[i].text);
                continue;
            }
            c->v[o++] = c->v[i];
        }
        c->n = o;
    }
    return 0;
}

const char *web__t_exact(const web *w, int lang_index, const char *key)
{
    if (!w || lang_index < 0 || lang_index >= WEB_LANGS || !key)
        return NULL;
    const catalog *c = &w->cat[lang_index];
    cat_entry probe = {(char *)key, NULL, 0};
    const cat_entry *hit =
        c->n ? bsearch(&probe, c->v, c->n, sizeof *c->v, entry_cmp) : NULL;
    return hit ? hit->text : NULL;
}

const char *web__t(const web_page *p, const char *key)
{
    const char *t = web__t_exact(p->app, p->lang_index, key);
    if (!t && p->lang_index != WEB_LANG_EN)
        t = web__t_exact(p->app, 0, key);
    return t ? t : key;
}

/* ---- open / close ------------------------------------------------------- */

int web_open(registry *reg, const char *log_dir, web **out, osafe_err *e)
{
    *out = NULL;
    web *w = calloc(1, sizeof *w);
    if (!w)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    w->reg = reg;
    w->log_dir = log_dir;
    risk_policy_default(&w->policy);
    int rc = catalogs_load(w, e);
    if (rc) {
        catalogs_free(w);
        free(w);
        return rc;
    }
    if (web__sessions_open(w) != 0) {
        catalogs_free(w);
        free(w);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory (sessions)");
    }
    if (web__risk_open(w) != 0) {
        web__sessions_close(w);
        catalogs_free(w);
        free(w);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory (risk cache)");
    }
    *out = w;
    return 0;
}

void web_close(web *w)
{
    if (!w)
        return;
    web__risk_close(w);
    web__sessions_close(w);
    catalogs_free(w);
    free(w);
}

/* ---- static assets ------------------------------------------------------- */

const web_file *web__asset(const char *name)
{
    for (size_t i = 0; i < osafe_web_assets_count; i++)
        if (!strcmp(osafe_web_assets[i].name, name))
            return &osafe_web_assets[i];
    return NULL;
}

static const char *asset_type(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return "application/octet-stream";
    if (!strcmp(dot, ".css"))
        return "text/css; charset=utf-8";
    if (!strcmp(dot, ".js"))
        return "text/javascript; charset=utf-8";
    if (!strcmp(dot, ".svg"))
        return "image/svg+xml";
    if (!strcmp(dot, ".txt"))
        return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

static void serve_asset(const http_req *q, http_resp *w, const char *name)
{
    const web_file *f = web__asset(name);
    if (!f) {
        http_resp_error(w, 404, "not_found", NULL, "no such asset");
        return;
    }
    const char *v = http_req_query(q, "v");
    /* Only the exact version may be cached for good: an old URL after an
     * upgrade must not pin the new content under the old name. */
    http_resp_header(w, "Cache-Control",
                     v && !strcmp(v, f->hash)
                         ? "public, max-age=31536000, immutable"
                         : "no-cache");
    http_resp_header(w, "ETag", f->hash);
    http_resp_status(w, 200);
    http_resp_body(w, asset_type(name), f->data, f->len);
}

/* ---- language negotiation ------------------------------------------------ */

/* The best of our languages in an Accept-Language header (RFC 9110 12.5.4:
 * q-values, first listed wins a tie, "*" is no preference), or -1. */
static int accept_language(const char *h)
{
    int best = -1;
    double best_q = 0;
    int seen = 0;
    while (h && *h && seen++ < OSAFE_WEB_ACCEPT_LANG_MAX) {
        while (*h == ' ' || *h == ',')
            h++;
        const char *tag = h;
        while (*h && *h != ',' && *h != ';' && *h != ' ')
            h++;
        size_t tlen = (size_t)(h - tag);
        double q = 1.0;
        while (*h && *h != ',') {
            if (*h == ';') {
                h++;
                while (*h == ' ')
                    h++;
                if ((h[0] == 'q' || h[0] == 'Q') && h[1] == '=') {
                    char *end;
                    q = strtod(h + 2, &end);
                    h = end;
                    if (q < 0 || q > 1)
                        q = 0;
                    continue;
                }
            }
            h++;
        }
        if (tlen < 2 || q <= 0)
            continue;
        /* primary subtag: "zh-Hans-CN" -> "zh" */
        size_t plen = 0;
        while (plen < tlen && tag[plen] != '-' && tag[plen] != '_')
            plen++;
        if (plen != 2)
            continue;
        char code[3] = {(char)(tag[0] | 0x20), (char)(tag[1] | 0x20), 0};
        int l = web__lang_index(code);
        if (l >= 0 && q > best_q) {
            best = l;
            best_q = q;
        }
    }
    return best;
}

static void negotiate(web_page *p)
{
    const char *ql = http_req_query(p->req, "lang");
    int l = web__lang_index(ql);
    if (l >= 0) {
        /* An explicit choice sticks for later visits (a year). */
        snprintf(p->set_cookie, sizeof p->set_cookie,
                 "osafe_lang=%s; Path=/; Max-Age=31536000; SameSite=Strict",
                 lang_codes[l]);
    } else {
        char c[8];
        if (web__page_cookie(p, "osafe_lang", c, sizeof c) == 0)
            l = web__lang_index(c);
        if (l < 0)
            l = accept_language(http_req_header(p->req, "Accept-Language"));
        if (l < 0)
            l = 0;
    }
    p->lang_index = l;
    p->lang = lang_codes[l];
    p->rtl = l == 4;
}

/* ---- routing ------------------------------------------------------------- */

/* A form POST from another site is refused before any handler runs, in
 * addition to the CSRF token (which the anonymous login form can only bind
 * to the server, not to a session). */
static int same_origin(const http_req *q)
{
    const char *site = http_req_header(q, "Sec-Fetch-Site");
    if (site && strcmp(site, "same-origin") && strcmp(site, "none"))
        return 0;
    const char *origin = http_req_header(q, "Origin");
    const char *host = http_req_header(q, "Host");
    if (!origin || !strcmp(origin, "null"))
        return origin == NULL;
    if (!host)
        return 0;
    /* The scheme must be the one this request came over: a plain-HTTP node
     * is not the https:// site of the same name (only a trusted proxy can
     * say the client spoke HTTPS). */
    const char *o = origin;
    if (!http_req_secure(q) && !strncmp(o, "http://", 7))
        o += 7;
    else if (http_req_secure(q) && !strncmp(o, "https://", 8))
        o += 8;
    else
        return 0;
    return !strcasecmp(o, host);
}

static void route(web_page *p, const char *path)
{
    char id[32];
    if (!strcmp(path, "/"))
        return web__page_dashboard(p);
    if (!strcmp(path, "/incidents"))
        return web__page_incidents(p);
    if (!strcmp(path, "/incidents/new"))
        return web__page_incident_form(p, NULL);
    if (!strcmp(path, "/incidents/mirrored"))
        return web__page_mirrored(p);
    if (!strncmp(path, "/incidents/", 11)) {
        const char *rest = path + 11;
        const char *slash = strchr(rest, '/');
        size_t n = slash ? (size_t)(slash - rest) : strlen(rest);
        if (reg_id_valid(rest, n)) {
            memcpy(id, rest, n);
            id[n] = '\0';
            if (!slash)
                return web__page_incident(p, id);
            if (!strcmp(slash, "/edit"))
                return web__page_incident_form(p, id);
            if (!strcmp(slash, "/discard"))
                return page_incident_discard(p, id);
        }
        return web__page_error(p, 404, "error.not_found");
    }
    if (!strcmp(path, "/review"))
        return web__page_review(p);
    if (!strcmp(path, "/evals"))
        return web__page_evals(p);
    /* /evals/{run}/samples: the sample browser (web_samples.c) */
    size_t el = strlen(path);
    if (!strncmp(path, "/evals/", 7) && el > 15 &&
        !strcmp(path + el - 8, "/samples") && reg_id_valid(path + 7, el - 15)) {
        char run[32];
        snprintf(run, sizeof run, "%.*s", (int)(el - 15), path + 7);
        return web__page_samples(p, run);
    }
    if (!strncmp(path, "/evals/", 7) && reg_id_valid(path + 7, strlen(path + 7)))
        return web__page_eval(p, path + 7);
    const char *rv = strncmp(path, "/evals/", 7) ? NULL : strchr(path + 7, '/');
    if (rv && !strcmp(rv, "/review") &&
        reg_id_valid(path + 7, (size_t)(rv - path - 7))) {
        char eid[32];
        snprintf(eid, sizeof eid, "%.*s", (int)(rv - path - 7), path + 7);
        return web__page_eval_review(p, eid);
    }
    if (!strcmp(path, "/risks"))
        return web__page_risks(p);
    if (!strcmp(path, "/log"))
        return web__page_log(p);
    if (!strcmp(path, "/login") || !strcmp(path, "/logout"))
        return web__page_login(p);
    web__page_error(p, 404, "error.not_found");
}


static const char *account_key(const web_page *p)
{
    static _Thread_local char key[32];
    snprintf(key, sizeof key, "acct:%lld", (long long)p->caller.acct.id);
    return key;
}

void web_handle(web *w, const http_req *req, http_resp *resp)
{
    const char *path = http_req_path(req);
    const char *m = http_req_method(req);
    int get = !strcmp(m, "GET") || !strcmp(m, "HEAD");
    if (!strncmp(path, "/static/", 8)) {
        if (!get) {
            http_resp_header(resp, "Allow", "GET, HEAD");
            http_resp_error(resp, 405, "method_not_allowed", NULL,
                            "method not allowed here (allowed: GET, HEAD)");
            return;
        }
        return serve_asset(req, resp, path + 8);
    }
    web_page p;
    memset(&p, 0, sizeof p);
    p.app = w;
    p.reg = w->reg;
    p.log_dir = w->log_dir;
    p.req = req;
    p.resp = resp;
    p.is_post = !strcmp(m, "POST");
    buf_init(&p.html, OSAFE_WEB_PAGE_MAX);
    negotiate(&p);
    web__session_resolve(&p);
    if (!get && !p.is_post) {
        http_resp_header(resp, "Allow", "GET, HEAD, POST");
        web__page_error(&p, 405, "error.method");
    } else if (p.is_post && !same_origin(req)) {
        web__page_error(&p, 403, "error.csrf");
    } else if (p.is_post && p.logged_in && strcmp(path, "/logout") &&
               throttle(&p, w->writes, account_key(&p))) {
        /* answered: 429 (issue 9 item 3) */
    } else {
        route(&p, path);
    }
    web__page_free_form(&p);
    buf_release(&p.html);
}
