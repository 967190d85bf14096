/*
 * web.h - the HTML interface served by `osafe serve`.
 *
 * Server-rendered pages in six languages (the UN languages: en, zh, es,
 * fr, ar, ru) with small vanilla JavaScript, every asset compiled into the
 * binary.  api_handle (api.h) passes every path outside /api/ and /log/ to
 * web_handle; the pages read and write through the same registry calls as
 * the JSON API, so a page never shows what the API would not.
 *
 * Threads: web_handle runs on the server's pool threads; the session table
 * is guarded by its own mutex.
 */
#ifndef OSAFE_SERVER_WEB_H
#define OSAFE_SERVER_WEB_H

#include "registry/registry.h"
#include "server/http.h"

typedef struct web web;

/* Load the catalogues and create the session table.  reg and log_dir are
 * borrowed and must outlive the web.  0, or OSAFE_ENOMEM / OSAFE_EINVAL
 * (a catalogue that does not parse: a build error, really). */
int web_open(registry *reg, const char *log_dir, web **out, osafe_err *e);
void web_close(web *w);

struct risk_policy;
/* The risk policy of the dashboard and /risks (copied; default: the
 * built-in defaults).  Call before the server starts. */
void web_set_risk_policy(web *w, const struct risk_policy *p);

/* How many risk rankings the pages have computed so far (not served from
 * the cache): visitors asking for the same ranking at once share one. */
unsigned long web_risk_rankings(web *w);

struct ratelimit;
/* Abuse limits of the pages (server/ratelimit.h, borrowed, may be NULL):
 * form posts per account, rankings not in the cache per address.  Call
 * before the server starts. */
void web_set_ratelimits(web *w, struct ratelimit *writes,
                        struct ratelimit *reads);

/* Answer one request for an HTML page or a static asset; 404 page for
 * unknown paths. */
void web_handle(web *w, const http_req *req, http_resp *resp);

#endif
