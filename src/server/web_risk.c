/*
 * web_risk.c - risk results for the dashboard and /risks, shared between
 * anonymous visitors.
 *
 * Ranking reads every published record and draws 4,000 posterior samples:
 * about a quarter of a second of CPU for a registry of 2,000 records.  On a
 * 2-core machine that would let a handful of anonymous page loads a second
 * saturate the server, while every one of them computes the same thing
 * (anonymous callers see the same records).  So anonymous results are kept
 * and shared, keyed by the seed and by the log's tree size (every
 * publication, amendment, withdrawal and evaluation is a log entry), and
 * recomputed at least every OSAFE_WEB_RISK_TTL_S (incident ages count from
 * today, and merges are not logged).  Signed-in callers see their own
 * records and always get a fresh computation of their own.
 *
 * A result is reference-counted: a page holds it while rendering even if a
 * newer one replaces it in the cache meanwhile.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "server/web_int.h"

struct web_risk_ref {
    risk_result *res;
    unsigned refs;     /* under the cache mutex */
    uint64_t seed;
    long long log_size;
    time_t made;
};

typedef struct risk_cache {
    pthread_mutex_t mu;
    struct web_risk_ref *cur; /* NULL until the first anonymous page */
} risk_cache;

int web_risk_open(web *w)
{
    risk_cache *c = calloc(1, sizeof *c);
    if (!c || pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return -1;
    }
    *web_risk_slot(w) = c;
    return 0;
}

static void ref_free(struct web_risk_ref *r)
{
    risk_result_free(r->res);
    free(r);
}

void web_risk_close(web *w)
{
    risk_cache *c = *web_risk_slot(w);
    if (!c)
        return;
    if (c->cur)
        ref_free(c->cur);
    pthread_mutex_destroy(&c->mu);
    free(c);
    *web_risk_slot(w) = NULL;
}

/* The tree size of the log's current checkpoint (its second line), or -1
 * without a log.  A checkpoint is small; reading it costs one open. */
static long long log_size(const char *dir)
{
    if (!dir)
        return -1;
    char path[OSAFE_PATH_MAX], text[512];
    if (snprintf(path, sizeof path, "%s/checkpoint", dir) >= (int)sizeof path)
        return -1;
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    const char *nl = strchr(text, '\n');
    return nl ? strtoll(nl + 1, NULL, 10) : -1;
}

int web_risk_get(web_page *p, uint64_t seed, int public_view,
                 const risk_result **res, struct web_risk_ref **ref,
                 osafe_err *e)
{
    *res = NULL;
    *ref = NULL;
    risk_cache *c = *web_risk_slot(p->app);
    /* Only the default draws are shared: ?seed=N is for the curious, and
     * must not evict what every other visitor needs. */
    reg_caller anon = {0};
    const reg_caller *who = public_view ? &anon : &p->caller;
    int shared = !who->authenticated && seed == RISK_DEFAULT_SEED;
    long long size = shared ? log_size(p->log_dir) : -1;
    time_t now = time(NULL);
    if (shared) {
        pthread_mutex_lock(&c->mu);
        struct web_risk_ref *r = c->cur;
        if (r && r->seed == seed && r->log_size == size &&
            now - r->made < OSAFE_WEB_RISK_TTL_S && now >= r->made) {
            r->refs++;
            pthread_mutex_unlock(&c->mu);
            *res = r->res;
            *ref = r;
            return 0;
        }
        pthread_mutex_unlock(&c->mu);
    }
    /* Computed outside the lock: two visitors arriving together may both
     * compute, which costs time once, instead of queueing every visitor
     * behind one computation. */
    struct web_risk_ref *r = calloc(1, sizeof *r);
    if (!r)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int rc = risk_compute(p->reg, who, web_risk_policy(p->app), seed,
                          &r->res, e);
    if (rc) {
        free(r);
        return rc;
    }
    r->seed = seed;
    r->log_size = size;
    r->made = now;
    r->refs = 1;
    if (shared) {
        pthread_mutex_lock(&c->mu);
        struct web_risk_ref *old = c->cur;
        c->cur = r;
        r->refs++; /* the cache's own reference */
        if (old && --old->refs == 0)
            ref_free(old);
        pthread_mutex_unlock(&c->mu);
    }
    *res = r->res;
    *ref = r;
    return 0;
}

void web_risk_put(web *w, struct web_risk_ref *ref)
{
    if (!ref)
        return;
    risk_cache *c = *web_risk_slot(w);
    pthread_mutex_lock(&c->mu);
    int last = --ref->refs == 0;
    pthread_mutex_unlock(&c->mu);
    if (last)
        ref_free(ref);
}
