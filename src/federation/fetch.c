/*
 * fetch.c - a peer's log over HTTP (libcurl): the checkpoint, hash tiles
 * and entry bundles, and a tlog_reader over the tiles.  Requests to one
 * peer are paced (a rate limit per sync) and a transient failure is
 * retried with exponential backoff and full jitter, so that a peer that
 * restarts or sheds load is neither hammered nor given up on at once.
 */
#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "federation/fed_int.h"

int fed__http_open(fed__http *h, const char *url, osafe_err *e)
{
    memset(h, 0, sizeof *h);
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        n--;
    if (n > OSAFE_PEER_URL_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "peer URL longer than %u bytes",
                          OSAFE_PEER_URL_MAX);
    memcpy(h->base, url, n);
    h->base[n] = '\0';
    h->rate = OSAFE_PEER_RATE_DEFAULT;
    h->retries = OSAFE_PEER_RETRIES;
    if (!(h->curl = curl_easy_init()))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    return 0;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec t = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

uint64_t fed__backoff_ms(unsigned attempt, uint64_t retry_after_ms,
                         uint32_t rnd)
{
    uint64_t cap = OSAFE_PEER_BACKOFF_BASE_MS;
    for (unsigned i = 0; i < attempt && cap < OSAFE_PEER_BACKOFF_MAX_MS; i++)
        cap *= 2;
    if (cap > OSAFE_PEER_BACKOFF_MAX_MS)
        cap = OSAFE_PEER_BACKOFF_MAX_MS;
    /* Full jitter: nodes that lost the same peer at the same instant
     * spread their retries instead of arriving together. */
    uint64_t wait = (uint64_t)rnd % (cap + 1);
    /* The peer's own Retry-After is a floor (it knows its load), capped
     * so that one answer cannot stall a sync. */
    if (retry_after_ms > OSAFE_PEER_BACKOFF_MAX_MS)
        retry_after_ms = OSAFE_PEER_BACKOFF_MAX_MS;
    return wait < retry_after_ms ? retry_after_ms : wait;
}

static uint64_t now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

unsigned fed_down_wait_s(unsigned interval, unsigned fails, uint32_t rnd)
{
    if (!fails || interval >= OSAFE_PEER_DOWN_BACKOFF_MAX_S)
        return interval;
    uint64_t w = interval ? interval : 1;
    for (unsigned i = 0; i < fails && w < OSAFE_PEER_DOWN_BACKOFF_MAX_S; i++)
        w *= 2;
    if (w > OSAFE_PEER_DOWN_BACKOFF_MAX_S)
        w = OSAFE_PEER_DOWN_BACKOFF_MAX_S;
    uint64_t half = w / 2;
    w = half + (uint64_t)rnd % (w - half + 1);
    return (unsigned)(w < interval ? interval : w);
}

int fed__pace_try(fed__http *h)
{
    if (!h->rate)
        return 1;
    uint64_t t = now_us();
    if (h->next_us > t)
        return 0;
    h->next_us = t + 1000000u / h->rate;
    return 1;
}

/* The rate limit: requests start at least 1/rate s apart. */
void fed__pace(fed__http *h)
{
    if (!h->rate)
        return;
    uint64_t gap = 1000000u / h->rate, t = now_us();
    if (h->next_us > t) {
        uint64_t d = h->next_us - t;
        struct timespec ts = {(time_t)(d / 1000000u),
                              (long)(d % 1000000u) * 1000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    t = now_us();
    h->next_us = (h->next_us > t ? h->next_us : t) + gap;
}

void fed__http_close(fed__http *h)
{
    if (h->curl)
        curl_easy_cleanup(h->curl);
    h->curl = NULL;
}

struct sink {
    osafe_buf *b;
    size_t max;
    int over;
};

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
    struct sink *k = ud;
    if (k->b->len + sz * n > k->max) {
        k->over = 1;
        return 0;
    }
    return buf_append(k->b, p, sz * n) ? 0 : sz * n;
}

/* One attempt; *transient says whether another may succeed (a network
 * error, 429 or a 5xx), *retry_after_ms the peer's Retry-After. */
static int get_once(fed__http *h, const char *url, size_t max,
                    osafe_buf *out, int *transient, uint64_t *retry_after_ms,
                    osafe_err *e)
{
    char err[CURL_ERROR_SIZE] = "";
    *transient = 0;
    *retry_after_ms = 0;
    fed__pace(h);
    buf_reset(out);
    struct sink k = {out, max, 0};
    CURL *c = h->curl;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, OSAFE_PEER_HTTP_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     OSAFE_PEER_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    /* Entry bundles may come gzip-coded; curl decodes them. */
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    CURLcode cr = curl_easy_perform(c);
    h->requests++;
    h->bytes += out->len;
    long code = 0;
    if (cr == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    if (k.over)
        return osafe_errf(e, OSAFE_ETOOBIG, "%s: more than %zu bytes", url,
                          max);
    if (cr != CURLE_OK) {
        *transient = cr != CURLE_OUT_OF_MEMORY;
        return osafe_errf(e, OSAFE_EIO, "%s: %s", url,
                          err[0] ? err : curl_easy_strerror(cr));
    }
    if (code == 404)
        return osafe_errf(e, OSAFE_ENOTFOUND, "%s: not found (404)", url);
    if (code != 200) {
        *transient = code == 429 || code >= 500;
        curl_off_t ra = 0;
        if (*transient &&
            curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
            ra > 0)
            *retry_after_ms = (uint64_t)ra * 1000u;
        return osafe_errf(e, OSAFE_EIO, "%s answered %ld", url, code);
    }
    return buf_status(out) ? osafe_errf(e, OSAFE_ENOMEM, "out of memory") : 0;
}

static int get_retrying(fed__http *h, const char *url, size_t max,
                        osafe_buf *out, osafe_err *e)
{
    for (unsigned attempt = 0;; attempt++) {
        int transient;
        uint64_t ra;
        int rc = get_once(h, url, max, out, &transient, &ra, e);
        if (!rc || !transient || attempt >= h->retries) {
            if (rc && transient && attempt)
                osafe_errprefix(e, "after %u retries: ", attempt);
            return rc;
        }
        h->retried++;
        sleep_ms(fed__backoff_ms(attempt, ra, randombytes_random()));
    }
}

int fed__get(fed__http *h, const char *path, size_t max, osafe_buf *out,
             osafe_err *e)
{
    char url[OSAFE_PEER_URL_MAX + TLOG_TILE_PATH_MAX + 16];
    snprintf(url, sizeof url, "%s/log/%s", h->base, path);
    return get_retrying(h, url, max, out, e);
}

int fed__get_path(fed__http *h, const char *path, size_t max, osafe_buf *out,
                  osafe_err *e)
{
    char url[OSAFE_PEER_URL_MAX + TLOG_TILE_PATH_MAX + 16];
    snprintf(url, sizeof url, "%s/%s", h->base, path);
    return get_retrying(h, url, max, out, e);
}

int fed__tile(fed__http *h, int level, uint64_t index, unsigned width,
              osafe_buf *out, osafe_err *e)
{
    char rel[TLOG_TILE_PATH_MAX];
    if (tlog_tile_path(rel, level, index,
                       width == OSAFE_TILE_WIDTH ? 0 : width) != 0)
        return osafe_errf(e, OSAFE_EINVAL, "no tile %d/%llu", level,
                          (unsigned long long)index);
    int rc = fed__get(h, rel, TLOG_TILE_BYTES, out, e);
    if (rc == OSAFE_ENOTFOUND && width < OSAFE_TILE_WIDTH) {
        /* tlog-tiles lets a log drop a partial tile once the full one is
         * there: the full tile begins with the same hashes. */
        if (tlog_tile_path(rel, level, index, 0) == 0)
            rc = fed__get(h, rel, TLOG_TILE_BYTES, out, e);
        if (!rc && out->len >= (size_t)width * 32) {
            out->len = (size_t)width * 32;
            out->data[out->len] = '\0'; /* the buffer's invariant */
        }
    }
    if (rc)
        return rc;
    if (out->len != (size_t)width * 32)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "%s/log/%s: %zu bytes, expected %u hashes", h->base,
                          rel, out->len, width);
    return 0;
}

/* ---- a tlog_reader over the peer's tiles ------------------------------- */

struct fed__slot {
    uint64_t index;
    unsigned width;
    uint64_t used; /* fed__tiles.clock when last read */
    /* h[0..256) the tile's hashes; the levels above follow, level k of
     * the tile from 512 - (512 >> k), as in tlog/log.c's cache */
    tlog_hash h[2 * OSAFE_TILE_WIDTH];
};

void fed__tiles_init(fed__tiles *t, fed__http *h, uint64_t size)
{
    memset(t, 0, sizeof *t);
    t->h = h;
    t->size = size;
}

void fed__tiles_free(fed__tiles *t)
{
    for (int L = 0; L < OSAFE_TILE_LEVELS_MAX; L++)
        for (int k = 0; k < OSAFE_PEER_TILE_CACHE; k++) {
            free(t->slot[L][k]);
            t->slot[L][k] = NULL;
        }
}

/* The slot of level L holding tile (index, width), loaded if absent into
 * an empty or the least recently used slot. */
static int load_slot(fed__tiles *t, int L, uint64_t index, unsigned width,
                     struct fed__slot **out, osafe_err *e)
{
    int victim = 0;
    t->clock++;
    for (int k = 0; k < OSAFE_PEER_TILE_CACHE; k++) {
        struct fed__slot *c = t->slot[L][k];
        if (c && c->width && c->index == index && c->width == width) {
            c->used = t->clock;
            *out = c;
            return 0;
        }
        struct fed__slot *v = t->slot[L][victim];
        if (v && (!c || !c->width || c->used < v->used))
            victim = k;
    }
    struct fed__slot *sl = t->slot[L][victim];
    if (!sl && !(sl = t->slot[L][victim] = malloc(sizeof *sl)))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    sl->width = 0;
    osafe_buf b = OSAFE_BUF_INIT;
    int rc = fed__tile(t->h, L, index, width, &b, e);
    if (!rc) {
        memcpy(sl->h, b.data, b.len);
        for (int k = 1; k <= OSAFE_TILE_HEIGHT; k++) {
            tlog_hash *below = sl->h + 512 - (512 >> (k - 1));
            tlog_hash *here = sl->h + 512 - (512 >> k);
            for (unsigned i = 0; i < (width >> k); i++)
                tlog_node_hash(&here[i], &below[2 * i], &below[2 * i + 1]);
        }
        sl->index = index;
        sl->width = width;
        sl->used = t->clock;
        *out = sl;
    }
    buf_release(&b);
    return rc;
}

static int read_node(void *ctx, int level, uint64_t index, tlog_hash *out,
                     osafe_err *e)
{
    fed__tiles *t = ctx;
    int L = level / OSAFE_TILE_HEIGHT, r = level % OSAFE_TILE_HEIGHT;
    if (L >= OSAFE_TILE_LEVELS_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "no tile level %d", L);
    uint64_t first = index << r, ti = first >> 8;
    unsigned off = (unsigned)(first & 255), count = 1u << r;
    unsigned width = tlog_tile_width(L, ti, t->size);
    if (off + count > width)
        return osafe_errf(e, OSAFE_EINVAL,
                          "node %d/%llu is not complete at size %llu", level,
                          (unsigned long long)index,
                          (unsigned long long)t->size);
    struct fed__slot *sl = NULL;
    int rc = load_slot(t, L, ti, width, &sl, e);
    if (rc)
        return rc;
    *out = sl->h[512 - (512 >> r) + (off >> r)];
    return 0;
}

tlog_reader fed__tiles_reader(fed__tiles *t)
{
    tlog_reader rd = {read_node, t};
    return rd;
}
