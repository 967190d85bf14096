/*
 * witness_collect.c - collecting cosignatures for this node's own
 * checkpoints (C2SP tlog-witness, the log's side).  The witnesses are in
 * the store (table cosigners, `osafe witness add`); for the log's current
 * checkpoint, each witness that has not cosigned it is sent an
 * add-checkpoint request (old size, consistency proof, checkpoint); a
 * returned cosignature is stored only after it verifies with the witness's
 * key; then DIR/checkpoint.cosigned is rewritten with every cosignature of
 * the current checkpoint (tlog/cosig.h), which /log/checkpoint serves.
 * Publication never waits: the sequencer writes checkpoints as before and
 * the collector follows them (a thread of `osafe serve`).
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/enc.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "federation/federation.h"
#include "tlog/checkpoint.h"
#include "tlog/cosig.h"
#include "tlog/log.h"
#include "tlog/merkle.h"

/* ---- configuration ----------------------------------------------------- */

int fed_cosigner_add(osafe_store *s, const char *url, const char *vkey,
                     osafe_err *e)
{
    size_t n = strlen(url);
    int http = !strncmp(url, "http://", 7) || !strncmp(url, "https://", 8);
    for (size_t i = 0; http && i < n; i++)
        if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f ||
            url[i] == '?' || url[i] == '#')
            http = 0;
    if (!http || n > OSAFE_PEER_URL_MAX || url[n - 1] == '/')
        return osafe_errf(e, OSAFE_EINVAL,
                          "witness URL '%s': expected its submission prefix, "
                          "http(s)://HOST[:PORT][/PATH] without a final '/', "
                          "query or spaces (requests go to "
                          "URL/add-checkpoint)",
                          url);
    store_cosigner c;
    memset(&c, 0, sizeof c);
    tlog_verifier v;
    int rc = tlog_verifier_parse(vkey, strlen(vkey), &v, e);
    if (rc)
        return rc;
    store_cosigner *all;
    size_t count;
    if ((rc = s->ops->cosigner_list(s, &all, &count, e)))
        return rc;
    for (size_t i = 0; i < count; i++) {
        if (!rc && !strcmp(all[i].name, v.name))
            rc = osafe_errf(e, OSAFE_EEXIST, "a witness named %s is "
                                             "configured already (%s)",
                            v.name, all[i].url);
        store_cosigner_release(&all[i]);
    }
    free(all);
    if (!rc && count >= OSAFE_WITNESS_MAX)
        rc = osafe_errf(e, OSAFE_ETOOBIG, "at most %u witnesses",
                        OSAFE_WITNESS_MAX);
    if (rc)
        return rc;
    snprintf(c.url, sizeof c.url, "%s", url);
    snprintf(c.name, sizeof c.name, "%s", v.name);
    osafe_buf b = OSAFE_BUF_INIT;
    if (tlog_verifier_format(&v, &b) || b.len >= sizeof c.vkey) {
        buf_release(&b);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    memcpy(c.vkey, b.data, b.len + 1);
    buf_release(&b);
    store_now(c.added);
    rc = s->ops->cosigner_put(s, &c, 1, e);
    if (rc == OSAFE_EEXIST)
        osafe_errf(e, rc, "%s is a witness already", url);
    return rc;
}

/* ---- one request ------------------------------------------------------- */

struct fed_cosign {
    osafe_store *s;
    tlog_log *log;
    fed_cosign_post_fn post;
    void *ctx;
    CURL *curl;
    struct backoff {
        char url[512];
        uint64_t next_ms, delay_ms;
    } b[OSAFE_WITNESS_MAX];
};

struct sink {
    osafe_buf *b;
    int over;
};

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
    struct sink *k = ud;
    if (k->b->len + sz * n > OSAFE_COSIGN_RESPONSE_MAX) {
        k->over = 1;
        return 0;
    }
    return buf_append(k->b, p, sz * n) ? 0 : sz * n;
}

/* The default transport: libcurl, one connection kept alive (the spec
 * recommends it). */
static int http_post(void *ctx, const char *url, const char *body, size_t len,
                     long *status, osafe_buf *resp, osafe_err *e)
{
    fed_cosign *c = ctx;
    if (!c->curl && !(c->curl = curl_easy_init()))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    char target[OSAFE_PEER_URL_MAX + 32], err[CURL_ERROR_SIZE] = "";
    snprintf(target, sizeof target, "%s/add-checkpoint", url);
    struct sink k = {resp, 0};
    struct curl_slist *h =
        curl_slist_append(NULL, "Content-Type: text/plain; charset=utf-8");
    CURL *cu = c->curl;
    curl_easy_setopt(cu, CURLOPT_URL, target);
    curl_easy_setopt(cu, CURLOPT_POST, 1L);
    curl_easy_setopt(cu, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(cu, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(cu, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, OSAFE_COSIGN_HTTP_TIMEOUT_MS);
    curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT_MS,
                     OSAFE_PEER_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(cu, CURLOPT_FOLLOWLOCATION, 0L);
    CURLcode cr = h ? curl_easy_perform(cu) : CURLE_OUT_OF_MEMORY;
    curl_easy_setopt(cu, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(h);
    *status = 0;
    if (cr == CURLE_OK)
        curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, status);
    if (k.over)
        return osafe_errf(e, OSAFE_ETOOBIG, "%s: answer longer than %u "
                                            "bytes",
                          target, OSAFE_COSIGN_RESPONSE_MAX);
    if (cr != CURLE_OK)
        return osafe_errf(e, OSAFE_EIO, "%s: %s", target,
                          err[0] ? err : curl_easy_strerror(cr));
    return buf_status(resp) ? osafe_errf(e, OSAFE_ENOMEM, "out of memory")
                            : 0;
}

/* The request body: old, the proof from old to the checkpoint's size,
 * an empty line, the checkpoint. */
static int request(fed_cosign *c, uint64_t old, uint64_t size,
                   const char *note, size_t len, osafe_buf *body,
                   osafe_err *e)
{
    tlog_hash proof[TLOG_PROOF_MAX];
    size_t n = 0;
    buf_reset(body);
    tlog_reader r = tlog_log_reader(c->log);
    int rc = old && old < size
                 ? tlog_prove_consistency(&r, old, size, proof, &n, e)
                 : 0;
    if (rc)
        return rc;
    if (buf_printf(body, "old %llu\n", (unsigned long long)old))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        char b64[OSAFE_B64_LEN(32) + 1];
        b64_encode(b64, proof[i].b, 32);
        if (buf_printf(body, "%s\n", b64))
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    if (buf_putc(body, '\n') || buf_append(body, note, len))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    return 0;
}

/* A 200's lines: keep the first that is a valid cosignature of the
 * checkpoint's text by w's key. */
static int accept_cosig(const char *text, size_t tl, const osafe_buf *resp,
                        const tlog_verifier *v, store_cosigner *w,
                        osafe_err *e)
{
    const char *p = resp->data, *end = resp->data + resp->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        uint64_t ts;
        osafe_err ve;
        if (ll && ll < sizeof w->cosig &&
            tlog_cosig_verify(text, tl, p, ll, v, &ts, &ve) == 0) {
            memcpy(w->cosig, p, ll);
            w->cosig[ll] = '\0';
            w->cosig_time = (int64_t)ts;
            return 0;
        }
        p += ll + 1;
    }
    return osafe_errf(e, OSAFE_EVERIFY, "answered 200 without a valid "
                                        "cosignature by %s: nothing kept",
                      v->name);
}

/* What a refusal means, in the words of the spec's status codes. */
static int refused(long st, const osafe_buf *resp, const char *origin,
                   osafe_err *e)
{
    const char *why =
        st == 403   ? "it does not accept our log's signature (it holds "
                      "another key for this origin)"
        : st == 404 ? "it does not witness our log (unknown origin)"
        : st == 422 ? "it refuses the checkpoint: not consistent with the "
                      "one it cosigned before (it keeps the evidence)"
        : st == 400 ? "it calls the request malformed"
                    : "unexpected answer";
    /* the answer's first line, as printable ASCII: it ends up in `witness
     * list` (tab-separated) and on /log */
    char first[201];
    size_t n = 0;
    for (size_t i = 0; i < resp->len && resp->data[i] != '\n' &&
                       n < sizeof first - 1;
         i++) {
        unsigned char ch = (unsigned char)resp->data[i];
        first[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
    }
    first[n] = '\0';
    return osafe_errf(e, OSAFE_EVERIFY, "%s: %ld: %s%s%s", origin, st, why,
                      n ? ": " : "", first);
}

/* Ask w to cosign the checkpoint (note, its text tl bytes, size).  Fills
 * w's state; 0 when it cosigned. */
static int ask(fed_cosign *c, store_cosigner *w, const tlog_checkpoint *cp,
               const char *note, size_t len, size_t tl, osafe_err *e)
{
    tlog_verifier v;
    int rc = tlog_verifier_parse(w->vkey, strlen(w->vkey), &v, e);
    osafe_buf body = OSAFE_BUF_INIT, resp = OSAFE_BUF_INIT;
    int got = 0;
    /* a 409 tells the size the witness holds: one retry with it */
    for (int tries = 0; !rc && tries < 2; tries++) {
        if ((uint64_t)w->size > cp->size) {
            rc = osafe_errf(e, OSAFE_EVERIFY,
                            "the witness has cosigned size %lld of our log, "
                            "more than our checkpoint's %llu: it saw another "
                            "history (a fork or a rollback of this log)",
                            (long long)w->size,
                            (unsigned long long)cp->size);
            break;
        }
        long st = 0;
        buf_reset(&resp);
        if ((rc = request(c, (uint64_t)w->size, cp->size, note, len, &body,
                          e)) ||
            (rc = c->post(c->ctx, w->url, body.data, body.len, &st, &resp,
                          e)))
            break;
        uint64_t held;
        if (st == 200) {
            if (!(rc = accept_cosig(note, tl, &resp, &v, w, e))) {
                got = 1;
                w->size = (int64_t)cp->size;
                free(w->note);
                if (!(w->note = strdup(note)))
                    rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            }
            break;
        }
        if (st == 409 && resp.len > 1 && resp.data[resp.len - 1] == '\n' &&
            !tlog_parse_u64(resp.data, resp.len - 1, &held) &&
            held != (uint64_t)w->size && held <= INT64_MAX) {
            w->size = (int64_t)held;
            continue;
        }
        rc = refused(st, &resp, cp->origin, e);
    }
    if (rc == 0 && !got)
        rc = osafe_errf(e, OSAFE_EVERIFY, "%s: the witness's size keeps "
                                          "changing (409 twice)",
                        cp->origin);
    buf_release(&body);
    buf_release(&resp);
    return rc;
}

/* ---- a round ----------------------------------------------------------- */

static struct backoff *backoff_of(fed_cosign *c, const char *url)
{
    struct backoff *free_slot = NULL;
    for (size_t i = 0; i < OSAFE_WITNESS_MAX; i++) {
        if (!strcmp(c->b[i].url, url))
            return &c->b[i];
        if (!free_slot && !c->b[i].url[0])
            free_slot = &c->b[i];
    }
    if (free_slot)
        snprintf(free_slot->url, sizeof free_slot->url, "%s", url);
    return free_slot;
}

static void backoff_fail(struct backoff *b, uint64_t now_ms)
{
    b->delay_ms = b->delay_ms ? 2 * b->delay_ms : OSAFE_COSIGN_BACKOFF_MIN_MS;
    if (b->delay_ms > OSAFE_COSIGN_BACKOFF_MAX_MS)
        b->delay_ms = OSAFE_COSIGN_BACKOFF_MAX_MS;
    /* up to 25% jitter, so that nodes restarted together spread out;
     * rand() is enough here (no secret depends on it) */
    b->next_ms = now_ms + b->delay_ms +
                 (uint64_t)rand() % (b->delay_ms / 4 + 1);
}

/* The checkpoint followed by the verified cosignatures of it, written
 * only when it differs from the file (a checkpoint with none is served
 * bare: no file needed). */
static int write_cosigned(fed_cosign *c, const char *note, size_t len,
                          size_t tl, const store_cosigner *w, size_t n,
                          osafe_err *e)
{
    osafe_buf out = OSAFE_BUF_INIT;
    int rc = buf_append(&out, note, len), any = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        tlog_verifier v;
        uint64_t ts;
        osafe_err ve;
        /* checked again: a cosignature that does not verify is never
         * served, whatever the database holds */
        if (!w[i].note || strcmp(w[i].note, note) || !w[i].cosig[0] ||
            tlog_verifier_parse(w[i].vkey, strlen(w[i].vkey), &v, &ve) ||
            tlog_cosig_verify(note, tl, w[i].cosig, strlen(w[i].cosig), &v,
                              &ts, &ve))
            continue;
        rc = buf_printf(&out, "%s\n", w[i].cosig);
        any = 1;
    }
    if (rc) {
        buf_release(&out);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    char *path = fsx_path_join(tlog_log_dir(c->log), TLOG_COSIGNED_FILE);
    char *old = NULL;
    size_t ol = 0;
    osafe_err ignored;
    if (!path)
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    else if (any && (!fsx_exists(path) ||
                     fsx_read_file(path, OSAFE_NOTE_MAX, &old, &ol,
                                   &ignored) ||
                     ol != out.len || memcmp(old, out.data, ol)))
        rc = fsx_write_atomic(path, out.data, out.len, 0644, 1, e);
    free(old);
    free(path);
    buf_release(&out);
    return rc;
}

int fed_cosign_round(fed_cosign *c, uint64_t now_ms, unsigned *asked,
                     osafe_err *e)
{
    *asked = 0;
    int rc = tlog_log_refresh(c->log, e);
    if (rc)
        return rc;
    size_t len;
    const char *note = tlog_log_checkpoint_note(c->log, &len);
    const tlog_checkpoint *cp = tlog_log_head(c->log);
    tlog_note nt;
    tlog_verifier none[1];
    if (tlog_note_open(note, len, none, 0, &nt, e) != OSAFE_EVERIFY ||
        nt.text_len == 0)
        return osafe_errf(e, OSAFE_ECORRUPT, "the log's checkpoint is not "
                                             "a signed note");
    store_cosigner *w;
    size_t n;
    if ((rc = c->s->ops->cosigner_list(c->s, &w, &n, e)))
        return rc;
    for (size_t i = 0; !rc && i < n; i++) {
        struct backoff *b = backoff_of(c, w[i].url);
        if (!b || (w[i].note && !strcmp(w[i].note, note) && w[i].cosig[0]) ||
            now_ms < b->next_ms)
            continue;
        osafe_err ae;
        (*asked)++;
        int arc = ask(c, &w[i], cp, note, len, nt.text_len, &ae);
        store_now(w[i].last_try);
        snprintf(w[i].last_error, sizeof w[i].last_error, "%s",
                 arc ? ae.msg : "");
        if (arc)
            backoff_fail(b, now_ms);
        else
            b->delay_ms = b->next_ms = 0;
        rc = c->s->ops->cosigner_put(c->s, &w[i], 0, e);
        if (rc == OSAFE_ENOTFOUND) /* removed meanwhile: forget it */
            rc = 0;
    }
    if (!rc)
        rc = write_cosigned(c, note, len, nt.text_len, w, n, e);
    for (size_t i = 0; i < n; i++)
        store_cosigner_release(&w[i]);
    free(w);
    return rc;
}

int fed_cosign_open(const char *db, const char *dir, fed_cosign_post_fn post,
                    void *ctx, fed_cosign **out, osafe_err *e)
{
    *out = NULL;
    fed_cosign *c = calloc(1, sizeof *c);
    if (!c)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    c->post = post ? post : http_post;
    c->ctx = post ? ctx : c;
    int rc = store_open(db, &c->s, e);
    if (!rc && (rc = tlog_log_open(dir, TLOG_OPEN_READ, NULL, &c->log, e))) {
        c->s->ops->close(c->s);
    }
    if (rc) {
        free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void fed_cosign_close(fed_cosign *c)
{
    if (!c)
        return;
    if (c->curl)
        curl_easy_cleanup(c->curl);
    tlog_log_close(c->log);
    c->s->ops->close(c->s);
    free(c);
}

/* ---- the thread of `osafe serve` --------------------------------------- */

struct fed_cosign_thread {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    fed_cosign *c;
    char last_error[OSAFE_ERR_MAX];
};

static uint64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void *run(void *arg)
{
    struct fed_cosign_thread *t = arg;
    pthread_mutex_lock(&t->mu);
    while (!t->stop) {
        pthread_mutex_unlock(&t->mu);
        osafe_err e;
        unsigned asked;
        /* a failing round (the database busy, the log being replaced) is
         * retried at the next tick; it is reported once, not every tick */
        if (fed_cosign_round(t->c, mono_ms(), &asked, &e) != 0 &&
            strcmp(e.msg, t->last_error)) {
            fprintf(stderr, "osafe serve: witnesses: %s\n", e.msg);
            snprintf(t->last_error, sizeof t->last_error, "%s", e.msg);
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)OSAFE_COSIGN_POLL_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_mutex_lock(&t->mu);
        while (!t->stop &&
               pthread_cond_timedwait(&t->cv, &t->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

int fed_cosign_start(const char *db, const char *dir,
                     fed_cosign_thread **out, osafe_err *e)
{
    *out = NULL;
    fed_cosign_thread *t = calloc(1, sizeof *t);
    if (!t)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int rc = fed_cosign_open(db, dir, NULL, NULL, &t->c, e);
    if (rc) {
        free(t);
        return rc;
    }
    pthread_mutex_init(&t->mu, NULL);
    pthread_cond_init(&t->cv, NULL);
    if (pthread_create(&t->th, NULL, run, t) != 0) {
        fed_cosign_close(t->c);
        pthread_mutex_destroy(&t->mu);
        pthread_cond_destroy(&t->cv);
        free(t);
        return osafe_errf(e, OSAFE_ENOMEM, "cannot start the witness "
                                           "thread");
    }
    *out = t;
    return 0;
}

void fed_cosign_stop(fed_cosign_thread *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    t->stop = 1;
    pthread_cond_signal(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->th, NULL);
    fed_cosign_close(t->c);
    pthread_mutex_destroy(&t->mu);
    pthread_cond_destroy(&t->cv);
    free(t);
}
