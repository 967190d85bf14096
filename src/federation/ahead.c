/*
 * ahead.c - entry bundles fetched ahead of the sync (libcurl multi).  The
 * sync verifies and stores one bundle at a time; while it does, the next
 * OSAFE_PEER_PREFETCH bundles are already requested, each on a connection
 * of its own, so the serving node (which compresses each bundle) and the
 * network work while this node computes, instead of in turn.
 *
 * Only the happy path is fetched ahead: an answer that is not a 200 (a
 * 404 for a partial bundle the log dropped, a 5xx, a network error, one
 * too big) is forgotten and the bundle is fetched again by fed__get, with
 * its retries, backoff and error messages.  Requests ahead are paced by
 * the same rate limit.  Memory: at most OSAFE_PEER_PREFETCH bundles.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/fed_int.h"

struct ahead_slot {
    CURL *c;
    int busy;       /* a request is in flight or its answer is waiting */
    int done;
    CURLcode cr;
    uint64_t index; /* the bundle */
    char path[TLOG_TILE_PATH_MAX];
    osafe_buf b;
    size_t max;
    int over;
};

struct fed__ahead {
    fed__http *h;
    CURLM *m;
    uint64_t size; /* the checkpoint's size: which bundles exist, how wide */
    uint64_t next; /* the next bundle to request */
    struct ahead_slot s[OSAFE_PEER_PREFETCH];
};

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
    struct ahead_slot *sl = ud;
    if (sl->b.len + sz * n > sl->max) {
        sl->over = 1;
        return 0;
    }
    return buf_append(&sl->b, p, sz * n) ? 0 : sz * n;
}

int fed__ahead_open(fed__http *h, uint64_t size, fed__ahead **out,
                    osafe_err *e)
{
    fed__ahead *a = calloc(1, sizeof *a);
    if (!a || !(a->m = curl_multi_init())) {
        free(a);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    a->h = h;
    a->size = size;
    *out = a;
    return 0;
}

static void slot_drop(fed__ahead *a, struct ahead_slot *sl)
{
    if (sl->busy)
        curl_multi_remove_handle(a->m, sl->c);
    sl->busy = sl->done = 0;
    buf_reset(&sl->b);
}

void fed__ahead_close(fed__ahead *a)
{
    if (!a)
        return;
    for (int i = 0; i < OSAFE_PEER_PREFETCH; i++) {
        slot_drop(a, &a->s[i]);
        if (a->s[i].c)
            curl_easy_cleanup(a->s[i].c);
        buf_release(&a->s[i].b);
    }
    curl_multi_cleanup(a->m);
    free(a);
}

/* Request bundle index on a free slot: 1 if started.  The bundle the
 * sync waits for (must) waits for the rate limit; one ahead of it is
 * left for later rather than stall the sync. */
static int start(fed__ahead *a, struct ahead_slot *sl, uint64_t index,
                 size_t max, int must)
{
    unsigned width = tlog_tile_width(0, index, a->size);
    if (!sl->c && !(sl->c = curl_easy_init()))
        return 0;
    if (must)
        fed__pace(a->h);
    else if (!fed__pace_try(a->h))
        return 0;
    tlog_tile_path(sl->path, TLOG_TILE_ENTRIES, index,
                   width == OSAFE_TILE_WIDTH ? 0 : width);
    char url[OSAFE_PEER_URL_MAX + TLOG_TILE_PATH_MAX + 16];
    snprintf(url, sizeof url, "%s/log/%s", a->h->base, sl->path);
    buf_reset(&sl->b);
    sl->max = max;
    sl->over = 0;
    sl->index = index;
    CURL *c = sl->c;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, sl);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, OSAFE_PEER_HTTP_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     OSAFE_PEER_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    if (curl_multi_add_handle(a->m, c) != CURLM_OK)
        return 0;
    sl->busy = 1;
    sl->done = 0;
    return 1;
}

/* Keep the window [index, index + PREFETCH) requested. */
static void fill(fed__ahead *a, uint64_t index, size_t max)
{
    uint64_t bundles = (a->size + OSAFE_TILE_WIDTH - 1) / OSAFE_TILE_WIDTH;
    if (a->next < index)
        a->next = index;
    for (int i = 0; i < OSAFE_PEER_PREFETCH; i++) {
        struct ahead_slot *sl = &a->s[i];
        /* a bundle the sync went past (it resumed elsewhere) */
        if (sl->busy && sl->index < index)
            slot_drop(a, sl);
    }
    for (int i = 0; i < OSAFE_PEER_PREFETCH; i++) {
        struct ahead_slot *sl = &a->s[i];
        if (sl->busy)
            continue;
        if (a->next >= bundles || a->next >= index + OSAFE_PEER_PREFETCH ||
            !start(a, sl, a->next, max, a->next == index))
            break;
        a->next++;
    }
}

static void reap(fed__ahead *a)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(a->m, &left)))
        for (int i = 0; msg->msg == CURLMSG_DONE && i < OSAFE_PEER_PREFETCH;
             i++)
            if (a->s[i].c == msg->easy_handle && a->s[i].busy) {
                a->s[i].done = 1;
                a->s[i].cr = msg->data.result;
            }
}

int fed__ahead_get(fed__ahead *a, uint64_t index, size_t max, osafe_buf *out,
                   osafe_err *e)
{
    fill(a, index, max);
    struct ahead_slot *sl = NULL;
    for (int i = 0; i < OSAFE_PEER_PREFETCH && !sl; i++)
        if (a->s[i].busy && a->s[i].index == index)
            sl = &a->s[i];
    char path[TLOG_TILE_PATH_MAX];
    unsigned width = tlog_tile_width(0, index, a->size);
    tlog_tile_path(path, TLOG_TILE_ENTRIES, index,
                   width == OSAFE_TILE_WIDTH ? 0 : width);
    int running = 1;
    while (sl && !sl->done && running) {
        if (curl_multi_perform(a->m, &running) != CURLM_OK)
            break;
        reap(a);
        if (!sl->done && running &&
            curl_multi_poll(a->m, NULL, 0, 1000, NULL) != CURLM_OK)
            break;
    }
    reap(a);
    long code = 0;
    if (sl && sl->done && sl->cr == CURLE_OK && !sl->over &&
        !buf_status(&sl->b))
        curl_easy_getinfo(sl->c, CURLINFO_RESPONSE_CODE, &code);
    if (sl) {
        a->h->requests++;
        a->h->bytes += sl->b.len;
    }
    if (code == 200) {
        /* hand the answer over: swap the buffers, no copy */
        osafe_buf t = *out;
        *out = sl->b;
        sl->b = t;
        slot_drop(a, sl);
        fill(a, index + 1, max);
        return 0;
    }
    if (sl)
        slot_drop(a, sl);
    return fed__get(a->h, path, max, out, e);
}
