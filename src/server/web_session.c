/*
 * web_session.c - login with an API token, sessions, logout.
 *
 * A login exchanges the token (checked with reg_auth, never stored, never
 * logged) for a random 256-bit session id in an HttpOnly, SameSite=Strict
 * cookie.  The sessions table of the registry's database keeps only the
 * SHA-256 of each id, the account it stands for, its CSRF token and its
 * expiry: a database dump yields no usable cookie, and a restart logs
 * nobody out.  An account keeps at most OSAFE_WEB_SESSIONS_PER_ACCOUNT
 * sessions, its oldest giving way, so a flood of logins with one token
 * displaces only that token's own sessions.  Anonymous forms (the login form) carry a CSRF token keyed by a
 * server secret and the day, checked together with the Origin header.
 *
 * Hooks: <form id="login-form"> with <input name="token" id="token">,
 * <p id="login-error" role="alert"> after a refused token.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "server/web_int.h"

/* Sessions live in the registry's database (reg_session_*); only the key
 * of the anonymous CSRF tokens is kept here. */
typedef struct session_table {
    unsigned char anon_key[crypto_auth_KEYBYTES];
} session_table;

static session_table *tables_of(web *w)
{
    return *web__session_slot(w);
}

int web__sessions_open(web *w)
{
    if (sodium_init() < 0)
        return -1;
    session_table *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    crypto_auth_keygen(t->anon_key);
    *web__session_slot(w) = t;
    return 0;
}

void web__sessions_close(web *w)
{
    session_table *t = tables_of(w);
    if (!t)
        return;
    *web__session_slot(w) = NULL;
    sodium_memzero(t->anon_key, sizeof t->anon_key);
    free(t);
}

static void hex32(const unsigned char *b, char out[65])
{
    sodium_bin2hex(out, 65, b, 32);
}

/* The anonymous CSRF token of a day: HMAC(server key, "anon/" day). */
static void anon_csrf(const session_table *t, long day, char out[65])
{
    char msg[32];
    int n = snprintf(msg, sizeof msg, "anon/%ld", day);
    unsigned char mac[crypto_auth_BYTES];
    crypto_auth(mac, (const unsigned char *)msg, (unsigned long long)n,
                t->anon_key);
    hex32(mac, out);
}

static long today(void)
{
    return (long)(time(NULL) / 86400);
}

void web__session_resolve(web_page *p)
{
    session_table *t = tables_of(p->app);
    memset(&p->caller, 0, sizeof p->caller);
    p->logged_in = 0;
    p->csrf[0] = '\0';
    if (!t)
        return;
    char cookie[80];
    if (web__page_cookie(p, "osafe_session", cookie, sizeof cookie) == 0 &&
        strlen(cookie) == 64) {
        unsigned char h[32];
        char hh[65];
        crypto_hash_sha256(h, (const unsigned char *)cookie, 64);
        hex32(h, hh);
        store_session ss;
        reg_caller c;
        osafe_err e;
        if (reg_session_get(p->reg, hh, (int64_t)time(NULL), &ss, &c,
                            &e) == 0) {
            p->caller = c;
            p->logged_in = 1;
            memcpy(p->csrf, ss.csrf, sizeof p->csrf);
            snprintf(p->session_cookie, sizeof p->session_cookie, "%s",
                     cookie);
        } else if (e.code != OSAFE_ENOTFOUND) {
            fprintf(stderr, "osafe serve: sessions: %s\n", e.msg);
        }
    }
    if (p->logged_in)
        return;
    /* A form rendered just before midnight is still accepted after it. */
    anon_csrf(t, today(), p->csrf);
    if (p->is_post) {
        const char *f = web__page_form(p, "csrf");
        char prev[65];
        anon_csrf(t, today() - 1, prev);
        if (f && strlen(f) == 64 && !sodium_memcmp(f, prev, 64))
            memcpy(p->csrf, prev, sizeof prev);
    }
}

/* Create a session for caller; writes the cookie value (64 hex). */
static int session_create(web_page *p, const reg_caller *c, char id[65])
{
    unsigned char raw[32], tok[32], h[32];
    randombytes_buf(raw, sizeof raw);
    randombytes_buf(tok, sizeof tok);
    hex32(raw, id);
    store_session ss;
    memset(&ss, 0, sizeof ss);
    crypto_hash_sha256(h, (const unsigned char *)id, 64);
    hex32(h, ss.id_hash);
    hex32(tok, ss.csrf);
    ss.account = c->acct.id;
    ss.created = (int64_t)time(NULL);
    ss.expires = ss.created + OSAFE_WEB_SESSION_TTL_S;
    osafe_err e;
    int rc = reg_session_put(p->reg, &ss, OSAFE_WEB_SESSIONS_PER_ACCOUNT, &e);
    if (rc)
        fprintf(stderr, "osafe serve: sessions: %s\n", e.msg);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(&ss, sizeof ss);
    return rc;
}

static void session_drop(web_page *p)
{
    if (!p->session_cookie[0])
        return;
    unsigned char h[32];
    char hh[65];
    crypto_hash_sha256(h, (const unsigned char *)p->session_cookie, 64);
    hex32(h, hh);
    osafe_err e;
    if (reg_session_drop(p->reg, hh, &e) != 0)
        fprintf(stderr, "osafe serve: sessions: %s\n", e.msg);
}

static void login_form(web_page *p, const char *error_key)
{
    web__page_begin(p, web__t(p, "login.title"), NULL);
    web__page_raw(p, "<h1>");
    web__page_t(p, "login.title");
    web__page_raw(p, "</h1>\n<p>");
    web__page_t(p, "login.intro");
    web__page_raw(p, "</p>\n<form id=\"login-form\" method=\"post\" "
                "action=\"/login\" class=\"stack\">");
    web__page_csrf_field(p);
    /* where to go after logging in (web__page_redirect keeps it on this site) */
    const char *next = p->is_post ? web__page_form(p, "next") : web__page_query(p, "next");
    if (next && next[0] == '/') {
        web__page_raw(p, "<input type=\"hidden\" name=\"next\" value=\"");
        web__page_text(p, next);
        web__page_raw(p, "\">");
    }
    web__page_raw(p, "<div class=\"field\"><label for=\"token\">");
    web__page_t(p, "login.token");
    web__page_raw(p, "</label><input type=\"password\" id=\"token\" name=\"token\" "
                "autocomplete=\"current-password\" required");
    if (error_key)
        web__page_raw(p, " aria-invalid=\"true\" aria-describedby=\"login-error\"");
    web__page_raw(p, ">");
    if (error_key) {
        web__page_raw(p, "<p id=\"login-error\" class=\"field-error\" "
                    "role=\"alert\">");
        web__page_t(p, error_key);
        web__page_raw(p, "</p>");
    }
    web__page_raw(p, "</div><button type=\"submit\">");
    web__page_t(p, "login.submit");
    web__page_raw(p, "</button></form>\n");
    web__page_end(p, NULL);
}

static void clear_cookie(web_page *p)
{
    snprintf(p->set_cookie, sizeof p->set_cookie,
             "osafe_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
}

void web__page_login(web_page *p)
{
    const char *path = http_req_path(p->req);
    if (!strcmp(path, "/logout")) {
        if (!p->is_post)
            return web__page_error(p, 405, "error.method");
        if (!web__page_csrf_ok(p))
            return;
        session_drop(p);
        clear_cookie(p);
        return web__page_redirect(p, "/");
    }
    if (!p->is_post)
        return login_form(p, NULL);
    if (!web__page_csrf_ok(p))
        return;
    /* A token pasted from a terminal often brings a space or a line
     * break with it; no token contains whitespace, so trim it. */
    const char *token = web__page_form(p, "token");
    size_t tlen = 0;
    if (token) {
        while (*token && isspace((unsigned char)*token))
            token++;
        tlen = strlen(token);
        while (tlen && isspace((unsigned char)token[tlen - 1]))
            tlen--;
    }
    if (!tlen) {
        web__page_status(p, 422);
        return login_form(p, "login.required");
    }
    char trimmed[OSAFE_WEB_TOKEN_MAX];
    if (tlen >= sizeof trimmed) {
        web__page_status(p, 401);
        return login_form(p, "login.bad_token");
    }
    memcpy(trimmed, token, tlen);
    trimmed[tlen] = '\0';
    reg_caller c;
    osafe_err e;
    int arc = reg_auth(p->reg, trimmed, &c, &e);
    sodium_memzero(trimmed, sizeof trimmed);
    if (arc != 0 || !c.authenticated) {
        web__page_status(p, 401);
        return login_form(p, "login.bad_token");
    }
    char id[65];
    if (session_create(p, &c, id) != 0)
        return web__page_error(p, 500, "error.internal");
    /* The new session replaces any earlier one of this browser. */
    session_drop(p);
    snprintf(p->set_cookie, sizeof p->set_cookie,
             "osafe_session=%s; Path=/; Max-Age=%d; HttpOnly; "
             "SameSite=Strict",
             id, OSAFE_WEB_SESSION_TTL_S);
    sodium_memzero(id, sizeof id);
    const char *next = web__page_form(p, "next");
    web__page_redirect(p, next && *next ? next : "/");
}
