/*
 * web_risk.c - risk results for the dashboard and /risks, kept and shared.
 *
 * Ranking reads every published record and draws 4,000 posterior samples:
 * about a quarter of a second of CPU for a registry of 2,000 records.  On a
 * 2-core machine that would let a handful of page loads a second saturate
 * the server, while most of them compute the same thing.  So results are
 * kept in a small cache (OSAFE_WEB_RISK_CACHE_MAX, least recently made
 * first out), keyed by whose view it is (anonymous visitors share one;
 * a signed-in caller sees their own records), the seed, the policy and
 * the log's tree size (every publication, amendment, withdrawal and
 * evaluation is a log entry), and recomputed at least every
 * OSAFE_WEB_RISK_TTL_S (incident ages count from today, and merges are not
 * logged).  What is not in the cache costs a ranking, and the pages
 * rate-limit those per address (web__risk_cached, issue 9 item 3).
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
    int64_t viewer;    /* account id; 0 = anonymous */
    const void *policy;
    time_t made;
};

/* What a request's result is keyed by. */
struct risk_key {
    uint64_t seed;
    long long log_size;
    int64_t viewer;
    const void *policy;
};

typedef struct risk_cache {
    pthread_mutex_t mu;
    struct web_risk_ref *slot[OSAFE_WEB_RISK_CACHE_MAX];
    /* Rankings being computed: a request for one of them waits for it
     * (done) instead of computing it again.  With a thread per connection
     * every waiting visitor would otherwise rank at once, each slower for
     * the others (64 readers: pages took seconds). */
    struct risk_key busy[OSAFE_WEB_RISK_CACHE_MAX];
    unsigned nbusy;
    pthread_cond_t done;
    unsigned long computed; /* rankings made, for web_risk_rankings */
} risk_cache;

int web__risk_open(web *w)
{
    risk_cache *c = calloc(1, sizeof *c);
    if (!c || pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return -1;
    }
    if (pthread_cond_init(&c->done, NULL) != 0) {
        pthread_mutex_destroy(&c->mu);
        free(c);
        return -1;
    }
    *web__risk_slot(w) = c;
    return 0;
}

static void ref_free(struct web_risk_ref *r)
{
    risk_result_free(r->res);
    free(r);
}

void web__risk_close(web *w)
{
    risk_cache *c = *web__risk_slot(w);
    if (!c)
        return;
    for (size_t i = 0; i < OSAFE_WEB_RISK_CACHE_MAX; i++)
        if (c->slot[i])
            ref_free(c->slot[i]);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->done);
    free(c);
    *web__risk_slot(w) = NULL;
}

/* The log's size, or -1 without a log: a cached ranking is current while
 * no entry was added. */
static long long log_size(registry *reg)
{
    reg_log_info li;
    osafe_err e;
    if (reg_log_head(reg, &li, &e) != 0)
        return -1;
    long long n = (long long)li.size;
    reg_log_info_release(&li);
    return n;
}

static struct risk_key key_of(web_page *p, uint64_t seed, int public_view,
                              const reg_caller **who)
{
    static const reg_caller anon = {0};
    *who = public_view ? &anon : &p->caller;
    struct risk_key k = {seed, log_size(p->reg),
                         (*who)->authenticated ? (*who)->acct.id : 0,
                         web__risk_policy(p->app)};
    return k;
}

/* The fresh cached result for k, with a reference taken, or NULL; under
 * the cache mutex. */
static struct web_risk_ref *lookup(risk_cache *c, const struct risk_key *k,
                                   time_t now)
{
    for (size_t i = 0; i < OSAFE_WEB_RISK_CACHE_MAX; i++) {
        struct web_risk_ref *r = c->slot[i];
        if (r && r->seed == k->seed && r->log_size == k->log_size &&
            r->viewer == k->viewer && r->policy == k->policy &&
            k->log_size >= 0 && now - r->made < OSAFE_WEB_RISK_TTL_S &&
            now >= r->made)
            return r;
    }
    return NULL;
}

int web__risk_cached(web_page *p, uint64_t seed, int public_view)
{
    const reg_caller *who;
    struct risk_key k = key_of(p, seed, public_view, &who);
    risk_cache *c = *web__risk_slot(p->app);
    pthread_mutex_lock(&c->mu);
    int hit = lookup(c, &k, time(NULL)) != NULL;
    pthread_mutex_unlock(&c->mu);
    return hit;
}

/* Keep r (one reference for the cache) in place of the same key's, a free
 * slot, or the oldest. */
static void keep(risk_cache *c, struct web_risk_ref *r)
{
    pthread_mutex_lock(&c->mu);
    size_t pick = 0;
    for (size_t i = 0; i < OSAFE_WEB_RISK_CACHE_MAX; i++) {
        struct web_risk_ref *o = c->slot[i];
        if (!o || (o->seed == r->seed && o->viewer == r->viewer &&
                   o->policy == r->policy)) {
            pick = i;
            break;
        }
        if (o->made < c->slot[pick]->made)
            pick = i;
    }
    struct web_risk_ref *old = c->slot[pick];
    c->slot[pick] = r;
    r->refs++;
    if (old && --old->refs == 0)
        ref_free(old);
    pthread_mutex_unlock(&c->mu);
}

static int same_key(const struct risk_key *a, const struct risk_key *b)
{
    return a->seed == b->seed && a->log_size == b->log_size &&
           a->viewer == b->viewer && a->policy == b->policy;
}

/* Under the cache mutex. */
static int is_busy(const risk_cache *c, const struct risk_key *k)
{
    for (unsigned i = 0; i < c->nbusy; i++)
        if (same_key(&c->busy[i], k))
            return 1;
    return 0;
}

/* k is no longer being computed: wake its waiters (kept or not, they look
 * again). */
static void not_busy(risk_cache *c, const struct risk_key *k)
{
    pthread_mutex_lock(&c->mu);
    for (unsigned i = 0; i < c->nbusy; i++)
        if (same_key(&c->busy[i], k)) {
            c->busy[i] = c->busy[--c->nbusy];
            break;
        }
    pthread_cond_broadcast(&c->done);
    pthread_mutex_unlock(&c->mu);
}

int web__risk_get(web_page *p, uint64_t seed, int public_view,
                 const risk_result **res, struct web_risk_ref **ref,
                 osafe_err *e)
{
    *res = NULL;
    *ref = NULL;
    risk_cache *c = *web__risk_slot(p->app);
    const reg_caller *who;
    struct risk_key k = key_of(p, seed, public_view, &who);
    time_t now = time(NULL);
    pthread_mutex_lock(&c->mu);
    struct web_risk_ref *hit;
    int mine = 0;
    while (!(hit = lookup(c, &k, now)) && k.log_size >= 0) {
        if (!is_busy(c, &k)) {
            /* full (many viewers at once): compute without announcing */
            if (c->nbusy < OSAFE_WEB_RISK_CACHE_MAX) {
                c->busy[c->nbusy++] = k;
                mine = 1;
            }
            break;
        }
        pthread_cond_wait(&c->done, &c->mu);
        now = time(NULL); /* the result was made after ours began */
    }
    if (hit)
        hit->refs++;
    pthread_mutex_unlock(&c->mu);
    if (hit) {
        *res = hit->res;
        *ref = hit;
        return 0;
    }
    /* Computed outside the lock: other keys' visitors are not held up. */
    struct web_risk_ref *r = calloc(1, sizeof *r);
    int rc = r ? risk_compute(p->reg, who, web__risk_policy(p->app), seed,
                              &r->res, e)
               : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if (rc) {
        free(r);
        if (mine)
            not_busy(c, &k); /* a waiter computes it then */
        return rc;
    }
    r->seed = seed;
    r->log_size = k.log_size;
    r->viewer = k.viewer;
    r->policy = k.policy;
    r->made = now;
    r->refs = 1;
    pthread_mutex_lock(&c->mu);
    c->computed++;
    pthread_mutex_unlock(&c->mu);
    if (k.log_size >= 0)
        keep(c, r);
    if (mine)
        not_busy(c, &k);
    *res = r->res;
    *ref = r;
    return 0;
}

unsigned long web_risk_rankings(web *w)
{
    risk_cache *c = *web__risk_slot(w);
    pthread_mutex_lock(&c->mu);
    unsigned long n = c->computed;
    pthread_mutex_unlock(&c->mu);
    return n;
}

void web__risk_put(web *w, struct web_risk_ref *ref)
{
    if (!ref)
        return;
    risk_cache *c = *web__risk_slot(w);
    pthread_mutex_lock(&c->mu);
    int last = --ref->refs == 0;
    pthread_mutex_unlock(&c->mu);
    if (last)
        ref_free(ref);
}

/* The records the rates leave out, by reason, and what the sources gave
 * (issue 16 item 1): one paragraph and a list, on /risks and the
 * dashboard alike.  Reasons with no record are not listed. */
void web_risk_left_out(web_page *p, const risk_result *res)
{
    const risk_left_out *lo = &res->left_out;
    static const char *const keys[] = {
        "risks.lo_unclassified", "risks.lo_undated", "risks.lo_no_severity",
        "risks.lo_too_old",      "risks.lo_near_miss", "risks.lo_unreadable",
        "risks.lo_hazard_reports", "risks.lo_from_sources"};
    const size_t n[] = {lo->unclassified, lo->undated,         lo->no_level,
                        lo->too_old,      lo->near_miss,       res->skipped,
                        lo->hazard_reports, lo->from_sources};
    web__page_raw(p, "<div class=\"left-out\" id=\"risk-left-out\"><p>");
    web__page_t(p, "risks.left_out");
    web__page_raw(p, " <strong id=\"risk-left-out-total\">");
    web__page_int(p, (long long)risk_left_out_total(res));
    web__page_raw(p, "</strong> / ");
    web__page_int(p, (long long)res->incidents);
    web__page_raw(p, "</p><ul>");
    for (size_t i = 0; i < sizeof n / sizeof *n; i++) {
        if (!n[i])
            continue;
        web__page_rawf(p, "<li data-reason=\"%s\">", keys[i] + 9);
        web__page_t(p, keys[i]);
        web__page_raw(p, ": ");
        web__page_int(p, (long long)n[i]);
        web__page_raw(p, "</li>");
    }
    web__page_raw(p, "</ul></div>\n");
}
