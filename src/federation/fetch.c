/*
 * fetch.c - a peer's log over HTTP (libcurl): the checkpoint, hash tiles
 * and entry bundles, and a tlog_reader over the tiles.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    if (!(h->curl = curl_easy_init()))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    return 0;
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

int fed__get(fed__http *h, const char *path, size_t max, osafe_buf *out,
             osafe_err *e)
{
    char url[OSAFE_PEER_URL_MAX + TLOG_TILE_PATH_MAX + 16];
    char err[CURL_ERROR_SIZE] = "";
    snprintf(url, sizeof url, "%s/log/%s", h->base, path);
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
    if (cr != CURLE_OK)
        return osafe_errf(e, OSAFE_EIO, "%s: %s", url,
                          err[0] ? err : curl_easy_strerror(cr));
    if (code == 404)
        return osafe_errf(e, OSAFE_ENOTFOUND, "%s: not found (404)", url);
    if (code != 200)
        return osafe_errf(e, OSAFE_EIO, "%s answered %ld", url, code);
    return buf_status(out) ? osafe_errf(e, OSAFE_ENOMEM, "out of memory") : 0;
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
    for (int L = 0; L < OSAFE_TILE_LEVELS_MAX; L++) {
        free(t->slot[L]);
        t->slot[L] = NULL;
    }
}

static int load_slot(fed__tiles *t, int L, uint64_t index, unsigned width,
                     osafe_err *e)
{
    struct fed__slot *sl = t->slot[L];
    if (sl && sl->index == index && sl->width == width)
        return 0;
    if (!sl && !(sl = t->slot[L] = malloc(sizeof *sl)))
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
    int rc = load_slot(t, L, ti, width, e);
    if (rc)
        return rc;
    *out = t->slot[L]->h[512 - (512 >> r) + (off >> r)];
    return 0;
}

tlog_reader fed__tiles_reader(fed__tiles *t)
{
    tlog_reader rd = {read_node, t};
    return rd;
}
