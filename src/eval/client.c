/*
 * client.c - the request pool of client.h on libcurl's multi interface.
 *
 * One CURLM, one easy handle per concurrency slot (reused from request to
 * request, so their options are set once), the connection cache of the
 * multi handle for keep-alive.  The loop of client_run:
 *
 *   promote due retries -> start ready requests (free slot, rps token,
 *   no 429 pause) -> curl_multi_perform -> read completions -> decide:
 *   deliver, or schedule a retry -> curl_multi_poll until the next thing
 *   can happen (a socket, curl's own timer, a retry falling due, the next
 *   rps token, a wakeup from client_submit / client_stop).
 *
 * Queues: `head..tail` (ready, FIFO, under `mu` because client_submit may
 * run on another thread) and a binary min-heap of requests waiting for
 * their backoff to end (loop thread only).  A retry that falls due goes to
 * the head of the ready queue, so an item that failed once is not sent to
 * the back of a million-item line.
 *
 * Endpoint normalisation, request bodies, answer parsing, the error texts
 * and retry classes of failed requests and the curl callbacks that fill a
 * slot's answer are in client_answer.c; the in-process backend
 * (client_new_local), which answers the same queue with a model, is in
 * client_local.c.
 */
#include "eval/client.h"

#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/limits.h"
#include "eval/client_int.h"

/* The jitter PRNG's seed unless client_set_seed says otherwise. */
#define CLIENT_DEFAULT_SEED UINT64_C(0x6f73616665)

/* A slot's response buffer larger than this is freed after its request
 * (one huge answer must not pin memory for the rest of the run). */
#define CLIENT_KEEP_BUF (1u << 20)

/* ===== small helpers ===== */

uint64_t client__now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init_once(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ===== backoff ===== */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

unsigned client_backoff_ms(uint64_t *rng, unsigned base_ms, unsigned cap_ms,
                           unsigned retry)
{
    uint64_t ceil = base_ms;
    for (unsigned i = 1; i < retry && ceil < cap_ms; i++)
        ceil *= 2;
    if (ceil > cap_ms)
        ceil = cap_ms;
    return (unsigned)(splitmix64(rng) % (ceil + 1));
}

/* ===== pool ===== */

void client__req_free(creq *r)
{
    if (!r)
        return;
    json_decref(r->body);
    free(r->text);
    free(r);
}

static void heap_swap(client *c, size_t a, size_t b)
{
    creq *t = c->heap[a];
    c->heap[a] = c->heap[b];
    c->heap[b] = t;
}

static int heap_push(client *c, creq *r)
{
    if (c->nheap == c->heapcap) {
        size_t cap = c->heapcap ? c->heapcap * 2 : 16;
        creq **h = realloc(c->heap, cap * sizeof *h);
        if (!h)
            return OSAFE_ENOMEM;
        c->heap = h;
        c->heapcap = cap;
    }
    size_t i = c->nheap++;
    c->heap[i] = r;
    while (i > 0 && c->heap[(i - 1) / 2]->due_us > c->heap[i]->due_us) {
        heap_swap(c, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    return 0;
}

static creq *heap_pop(client *c)
{
    creq *top = c->heap[0];
    c->heap[0] = c->heap[--c->nheap];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < c->nheap && c->heap[l]->due_us < c->heap[m]->due_us)
            m = l;
        if (r < c->nheap && c->heap[r]->due_us < c->heap[m]->due_us)
            m = r;
        if (m == i)
            break;
        heap_swap(c, i, m);
        i = m;
    }
    return top;
}

static void queue_push_front(client *c, creq *r)
{
    pthread_mutex_lock(&c->mu);
    r->next = c->head;
    c->head = r;
    if (!c->tail)
        c->tail = r;
    pthread_mutex_unlock(&c->mu);
}

creq *client__queue_pop(client *c)
{
    pthread_mutex_lock(&c->mu);
    creq *r = c->head;
    if (r) {
        c->head = r->next;
        if (!c->head)
            c->tail = NULL;
        r->next = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    return r;
}

int client__queue_empty(client *c)
{
    pthread_mutex_lock(&c->mu);
    int empty = c->head == NULL;
    pthread_mutex_unlock(&c->mu);
    return empty;
}

static int slot_setup(client *c, slot *s, osafe_err *e)
{
    s->owner = c;
    buf_init(&s->resp, c->max_response);
    s->easy = curl_easy_init();
    if (!s->easy)
        return osafe_errf(e, OSAFE_ENOMEM, "curl_easy_init failed");
    CURL *h = s->easy;
    CURLcode rc = CURLE_OK;
#define SET(opt, val)                                                      \
    do {                                                                   \
        if (rc == CURLE_OK)                                                \
            rc = curl_easy_setopt(h, opt, val);                            \
    } while (0)
    SET(CURLOPT_URL, c->url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_HTTPHEADER, c->headers);
    SET(CURLOPT_USERAGENT, "osafe/" OSAFE_VERSION);
    SET(CURLOPT_ACCEPT_ENCODING, "");
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_WRITEFUNCTION, client__on_write);
    SET(CURLOPT_WRITEDATA, s);
    SET(CURLOPT_HEADERFUNCTION, client__on_header);
    SET(CURLOPT_HEADERDATA, s);
    SET(CURLOPT_ERRORBUFFER, s->errbuf);
    SET(CURLOPT_PRIVATE, s);
#undef SET
    if (rc != CURLE_OK)
        return osafe_errf(e, OSAFE_EIO, "curl_easy_setopt: %s",
                          curl_easy_strerror(rc));
    return 0;
}

/* Options that client_set_* may change, applied when a run starts. */
static int slot_tune(client *c, slot *s, unsigned timeout_ms)
{
    unsigned connect_ms = OSAFE_EVAL_CONNECT_TIMEOUT_MS < timeout_ms
                              ? OSAFE_EVAL_CONNECT_TIMEOUT_MS
                              : timeout_ms;
    s->resp.max = c->max_response;
    if (curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, (long)timeout_ms) ||
        curl_easy_setopt(s->easy, CURLOPT_CONNECTTIMEOUT_MS,
                         (long)connect_ms) ||
        curl_easy_setopt(s->easy, CURLOPT_MAXFILESIZE_LARGE,
                         (curl_off_t)c->max_response))
        return -1;
    return 0;
}

static void wipe_headers(struct curl_slist *h)
{
    for (; h; h = h->next)
        sodium_memzero(h->data, strlen(h->data));
}

void client_free(client *c)
{
    if (!c)
        return;
    if (c->slots) {
        for (unsigned i = 0; i < c->concurrency; i++) {
            slot *s = &c->slots[i];
            if (s->req && c->multi && s->easy)
                curl_multi_remove_handle(c->multi, s->easy);
            client__req_free(s->req);
            if (s->easy)
                curl_easy_cleanup(s->easy);
            buf_release(&s->resp);
        }
    }
    if (c->multi)
        curl_multi_cleanup(c->multi);
    for (creq *r = c->head, *nx; r; r = nx) {
        nx = r->next;
        client__req_free(r);
    }
    for (size_t i = 0; i < c->nheap; i++)
        client__req_free(c->heap[i]);
    free(c->heap);
    free(c->slots);
    free(c->freelist);
    wipe_headers(c->headers);
    curl_slist_free_all(c->headers);
    free(c->url);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

int client_new(const client_opts *o, client **out, osafe_err *e)
{
    *out = NULL;
    if (!o)
        return osafe_errf(e, OSAFE_EINVAL, "no client options");
    unsigned conc = o->concurrency ? o->concurrency : 1;
    if (conc > OSAFE_EVAL_CONCURRENCY_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "concurrency %u is above %u", conc,
                          OSAFE_EVAL_CONCURRENCY_MAX);
    if (o->retries > OSAFE_EVAL_RETRIES_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "retries %u is above %u",
                          o->retries, OSAFE_EVAL_RETRIES_MAX);
    if (!(o->rps >= 0) || !isfinite(o->rps))
        return osafe_errf(e, OSAFE_EINVAL,
                          "rps must be a finite number >= 0 (0: no limit)");
    if (o->api_key)
        for (const char *p = o->api_key; *p; p++)
            if ((unsigned char)*p < 0x20 || *p == 0x7f)
                return osafe_errf(e, OSAFE_EINVAL,
                                  "api key contains a control character");
    char base[OSAFE_EVAL_URL_MAX + 32];
    int rc = client__norm_endpoint(o->endpoint, 1, base, sizeof base, e);
    if (rc)
        return rc;
    pthread_once(&curl_once, curl_init_once);
    if (curl_init_rc != CURLE_OK)
        return osafe_errf(e, OSAFE_EIO, "curl_global_init: %s",
                          curl_easy_strerror(curl_init_rc));

    client *c = calloc(1, sizeof *c);
    if (!c)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    pthread_mutex_init(&c->mu, NULL);
    c->completions = o->completions ? 1 : 0;
    c->concurrency = conc;
    c->retries = o->retries;
    c->rps = o->rps;
    c->max_response = OSAFE_EVAL_RESPONSE_MAX;
    c->base_ms = OSAFE_EVAL_BACKOFF_BASE_MS;
    c->cap_ms = OSAFE_EVAL_BACKOFF_CAP_MS;
    c->rng = CLIENT_DEFAULT_SEED;
    c->tokens = 1;
    c->tok_us = client__now_us();
    atomic_init(&c->pending, 0);
    atomic_init(&c->stop, 0);

    size_t ulen = strlen(base) + 32;
    c->url = malloc(ulen);
    if (!c->url) {
        client_free(c);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    snprintf(c->url, ulen, "%s%s", base,
             c->completions ? "/v1/completions" : "/v1/chat/completions");
    sodium_memzero(base, sizeof base);

    /* "Expect:" stops curl from waiting for 100-continue on big prompts. */
    static const char *const fixed[] = {"Content-Type: application/json",
                                        "Accept: application/json",
                                        "Expect:"};
    for (size_t i = 0; i < 3; i++) {
        struct curl_slist *h = curl_slist_append(c->headers, fixed[i]);
        if (!h) {
            client_free(c);
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        }
        c->headers = h;
    }
    if (o->api_key && *o->api_key) {
        osafe_buf a;
        buf_init(&a, 0);
        struct curl_slist *h = NULL;
        if (buf_printf(&a, "Authorization: Bearer %s", o->api_key) == 0)
            h = curl_slist_append(c->headers, a.data);
        if (a.data)
            sodium_memzero(a.data, a.len);
        buf_release(&a);
        if (!h) {
            client_free(c);
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        }
        c->headers = h;
    }

    c->multi = curl_multi_init();
    c->slots = calloc(conc, sizeof *c->slots);
    c->freelist = calloc(conc, sizeof *c->freelist);
    if (!c->multi || !c->slots || !c->freelist) {
        client_free(c);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    if (curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                          (long)conc) ||
        curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                          (long)conc) ||
        curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)conc)) {
        client_free(c);
        return osafe_errf(e, OSAFE_EIO, "curl_multi_setopt failed");
    }
    unsigned timeout = o->timeout_ms ? o->timeout_ms
                                     : OSAFE_EVAL_TIMEOUT_DEFAULT_MS;
    for (unsigned i = 0; i < conc; i++) {
        if ((rc = slot_setup(c, &c->slots[i], e)) != 0 ||
            slot_tune(c, &c->slots[i], timeout) != 0) {
            if (!rc)
                rc = osafe_errf(e, OSAFE_EIO, "curl_easy_setopt failed");
            client_free(c);
            return rc;
        }
        c->freelist[c->nfree++] = conc - 1 - i;
    }
    *out = c;
    return 0;
}

void client_set_seed(client *c, uint64_t seed)
{
    c->rng = seed;
}

void client_set_backoff(client *c, unsigned base_ms, unsigned cap_ms)
{
    if (base_ms)
        c->base_ms = base_ms;
    if (cap_ms)
        c->cap_ms = cap_ms;
    if (c->cap_ms < c->base_ms)
        c->cap_ms = c->base_ms;
}

void client_set_max_response(client *c, size_t max_bytes)
{
    c->max_response = max_bytes ? max_bytes : OSAFE_EVAL_RESPONSE_MAX;
    for (unsigned i = 0; i < c->concurrency; i++) {
        c->slots[i].resp.max = c->max_response;
        curl_easy_setopt(c->slots[i].easy, CURLOPT_MAXFILESIZE_LARGE,
                         (curl_off_t)c->max_response);
    }
}

void client_get_stats(const client *c, client_stats *out)
{
    *out = c->stats;
}

size_t client_pending(const client *c)
{
    return atomic_load(&((client *)c)->pending);
}

int client_submit(client *c, json_t *body, void *user, osafe_err *e)
{
    if (!json_is_object(body))
        return osafe_errf(e, OSAFE_EINVAL, "request body is not an object");
    creq *r = calloc(1, sizeof *r);
    if (!r)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    r->body = json_incref(body);
    r->user = user;
    atomic_fetch_add(&c->pending, 1);
    pthread_mutex_lock(&c->mu);
    if (c->tail)
        c->tail->next = r;
    else
        c->head = r;
    c->tail = r;
    pthread_mutex_unlock(&c->mu);
    if (c->multi)
        curl_multi_wakeup(c->multi);
    return 0;
}

void client_stop(client *c)
{
    atomic_store(&c->stop, 1);
    curl_multi_wakeup(c->multi);
}

/* ===== the loop ===== */

static void release_slot(client *c, slot *s)
{
    s->req = NULL;
    if (s->resp.cap > CLIENT_KEEP_BUF)
        buf_release(&s->resp);
    else
        buf_reset(&s->resp);
    c->freelist[c->nfree++] = (unsigned)(s - c->slots);
}

/* Hand a finished request to the caller and free it. */
void client__deliver(client *c, creq *r, client_result *res)
{
    if (res->error)
        c->stats.failed++;
    else
        c->stats.ok++;
    atomic_fetch_sub(&c->pending, 1);
    if (c->done)
        c->done(c->ctx, res);
    client__req_free(r);
}

static void fail_now(client *c, creq *r, const char *msg)
{
    client_result res;
    memset(&res, 0, sizeof res);
    res.user = r->user;
    res.prompt_tokens = res.completion_tokens = -1;
    res.attempts = r->attempts;
    res.error = msg;
    client__deliver(c, r, &res);
}

/* Take an rps token if one is there; else how long until one is (us). */
static uint64_t rate_wait(client *c, uint64_t now, int take)
{
    if (c->rps <= 0)
        return 0;
    if (now > c->tok_us) {
        c->tokens += (double)(now - c->tok_us) * c->rps / 1e6;
        if (c->tokens > 1)
            c->tokens = 1;
        c->tok_us = now;
    }
    if (c->tokens >= 1) {
        if (take)
            c->tokens -= 1;
        return 0;
    }
    double w = (1 - c->tokens) / c->rps * 1e6;
    return w < 1 ? 1 : (uint64_t)w + 1;
}

static int start_one(client *c, creq *r, osafe_err *e)
{
    if (!r->text) {
        char err[256];
        if (client__encode_body(r->body, &r->text, &r->text_len, err, sizeof err)) {
            fail_now(c, r, err);
            return 0;
        }
    }
    slot *s = &c->slots[c->freelist[--c->nfree]];
    s->req = r;
    s->too_big = 0;
    s->retry_after_s = -1;
    s->errbuf[0] = '\0';
    buf_reset(&s->resp);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE,
                     (curl_off_t)r->text_len);
    curl_easy_setopt(s->easy, CURLOPT_POSTFIELDS, r->text);
    r->attempts++;
    c->stats.attempts++;
    CURLMcode mc = curl_multi_add_handle(c->multi, s->easy);
    if (mc != CURLM_OK) {
        s->req = NULL;
        c->freelist[c->nfree++] = (unsigned)(s - c->slots);
        r->attempts--;
        queue_push_front(c, r);
        return osafe_errf(e, OSAFE_EIO, "curl_multi_add_handle: %s",
                          curl_multi_strerror(mc));
    }
    return 0;
}

static int start_ready(client *c, uint64_t now, osafe_err *e)
{
    while (c->nfree > 0 && !atomic_load(&c->stop) && now >= c->pause_us &&
           !client__queue_empty(c) && rate_wait(c, now, 1) == 0) {
        creq *r = client__queue_pop(c);
        if (!r) /* only this thread pops, and the queue was not empty */
            OSAFE_BUG("queue_pop: empty queue after queue_empty said no");
        int rc = start_one(c, r, e);
        if (rc)
            return rc;
    }
    return 0;
}

static void finish(client *c, slot *s, CURLcode code)
{
    creq *r = s->req;
    curl_multi_remove_handle(c->multi, s->easy);
    long status = 0, nconn = 0;
    curl_off_t total_us = 0;
    curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(s->easy, CURLINFO_TOTAL_TIME_T, &total_us);
    curl_easy_getinfo(s->easy, CURLINFO_NUM_CONNECTS, &nconn);
    if (nconn > 0)
        c->stats.connections += (uint64_t)nconn;

    client_result res;
    memset(&res, 0, sizeof res);
    res.user = r->user;
    res.http_status = status;
    res.prompt_tokens = res.completion_tokens = -1;
    res.latency_ms = (double)total_us / 1000.0;
    res.attempts = r->attempts;

    char err[OSAFE_ERR_MAX];
    err[0] = '\0';
    json_t *ans = NULL;
    int retryable = 0;
    if (code != CURLE_OK) {
        if (s->too_big || code == CURLE_FILESIZE_EXCEEDED) {
            snprintf(err, sizeof err, "answer larger than %zu bytes",
                     c->max_response);
        } else {
            char why[CURL_ERROR_SIZE + 8];
            const char *src = s->errbuf[0] ? s->errbuf : curl_easy_strerror(code);
            client__clean_text(why, sizeof why, src, strlen(src), CURL_ERROR_SIZE);
            snprintf(err, sizeof err, "request failed: %s", why);
            retryable = client__net_retryable(code);
        }
    } else if (status >= 200 && status < 300) {
        client__parse_body(&s->resp, c->completions, &res, &ans, err, sizeof err);
    } else {
        char msg[OSAFE_EVAL_ERR_BODY_MAX + 16];
        client__server_message(&s->resp, msg, sizeof msg);
        snprintf(err, sizeof err, "HTTP %ld: %s", status, msg);
        retryable = client__status_retryable(status);
    }
    long ra = s->retry_after_s;
    release_slot(c, s);

    if (err[0] && retryable && r->attempts <= c->retries) {
        uint64_t now = client__now_us();
        uint64_t delay_ms =
            client_backoff_ms(&c->rng, c->base_ms, c->cap_ms, r->attempts);
        int too_long = 0;
        if ((status == 429 || status == 503) && ra > 0) {
            uint64_t ra_ms = (uint64_t)ra * 1000u;
            if (ra_ms > OSAFE_EVAL_RETRY_AFTER_MAX_MS) {
                too_long = 1;
                size_t l = strlen(err);
                snprintf(err + l, sizeof err - l,
                         " (the server asks to retry after %ld s, more than "
                         "the %u s we wait)",
                         ra, OSAFE_EVAL_RETRY_AFTER_MAX_MS / 1000u);
            } else {
                if (ra_ms > delay_ms)
                    delay_ms = ra_ms;
                if (status == 429 && now + ra_ms * 1000u > c->pause_us)
                    c->pause_us = now + ra_ms * 1000u;
            }
        }
        if (!too_long) {
            r->due_us = now + delay_ms * 1000u;
            if (heap_push(c, r) == 0) {
                c->stats.retries++;
                return;
            }
            size_t l = strlen(err);
            snprintf(err + l, sizeof err - l, " (out of memory for a retry)");
        }
    }
    if (err[0] && r->attempts > 1) {
        size_t l = strlen(err);
        snprintf(err + l, sizeof err - l, " (after %u attempts)", r->attempts);
    }
    if (err[0]) {
        res.error = err;
        res.text = res.finish_reason = res.fingerprint = NULL;
        res.response = NULL;
        res.prompt_tokens = res.completion_tokens = -1;
    }
    client__deliver(c, r, &res);
    json_decref(ans);
}

/* Transfers still in flight when the run stops go back to the queue. */
static void abandon(client *c)
{
    for (unsigned i = 0; i < c->concurrency; i++) {
        slot *s = &c->slots[i];
        if (!s->req)
            continue;
        creq *r = s->req;
        curl_multi_remove_handle(c->multi, s->easy);
        r->attempts--;
        release_slot(c, s);
        queue_push_front(c, r);
    }
}

int client_run(client *c, client_done_fn done, void *ctx, osafe_err *e)
{
    if (c->running)
        return osafe_errf(e, OSAFE_ESTATE, "client_run is already running");
    c->running = 1;
    c->done = done;
    c->ctx = ctx;
    atomic_store(&c->stop, 0);
    int rc = 0;
    if (c->local) {
        client__run_local(c);
        c->running = 0;
        return 0;
    }
    while (!atomic_load(&c->stop)) {
        uint64_t now = client__now_us();
        while (c->nheap > 0 && c->heap[0]->due_us <= now)
            queue_push_front(c, heap_pop(c));
        if ((rc = start_ready(c, now, e)) != 0)
            break;
        if (atomic_load(&c->stop))
            break;
        int running = 0;
        CURLMcode mc = curl_multi_perform(c->multi, &running);
        if (mc != CURLM_OK) {
            rc = osafe_errf(e, OSAFE_EIO, "curl_multi_perform: %s",
                            curl_multi_strerror(mc));
            break;
        }
        CURLMsg *m;
        int left;
        while (!atomic_load(&c->stop) &&
               (m = curl_multi_info_read(c->multi, &left)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            char *priv = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
            CURLcode code = m->data.result;
            finish(c, (slot *)(void *)priv, code); /* m is now invalid */
        }
        if (atomic_load(&c->stop))
            break;
        int idle = c->nfree == c->concurrency;
        int empty = client__queue_empty(c);
        if (idle && empty && c->nheap == 0)
            break;

        /* Sleep until something can happen; curl_multi_poll shortens the
         * wait to curl's own timers and returns on socket activity. */
        now = client__now_us();
        uint64_t wait = 1000000;
        if (c->nheap > 0) {
            uint64_t d = c->heap[0]->due_us > now ? c->heap[0]->due_us - now
                                                  : 0;
            if (d < wait)
                wait = d;
        }
        if (!empty && c->nfree > 0) {
            uint64_t d = c->pause_us > now ? c->pause_us - now
                                           : rate_wait(c, now, 0);
            if (d < wait)
                wait = d;
        }
        int wait_ms = (int)((wait + 999) / 1000);
        mc = curl_multi_poll(c->multi, NULL, 0, wait_ms, NULL);
        if (mc != CURLM_OK) {
            rc = osafe_errf(e, OSAFE_EIO, "curl_multi_poll: %s",
                            curl_multi_strerror(mc));
            break;
        }
    }
    abandon(c);
    c->running = 0;
    c->done = NULL;
    c->ctx = NULL;
    return rc;
}
