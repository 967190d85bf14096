/*
 * eval_upload.c - `osafe eval publish` sends a run's samples.jsonl after
 * the run itself (issue 16 item 10): in chunks of whole lines under the
 * registry's body limit, resuming at the bytes the registry already holds,
 * the last chunk marked so that the registry checks the whole against the
 * logged samples_sha256.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/limits.h"

struct call {
    long code;
    long retry_after; /* seconds, from a 429's Retry-After; 0 if none */
    osafe_buf resp;
};

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
    osafe_buf *b = ud;
    return buf_append(b, p, sz * n) ? 0 : sz * n;
}

static size_t header(char *p, size_t sz, size_t n, void *ud)
{
    struct call *c = ud;
    size_t len = sz * n;
    if (len > 12 && !strncasecmp(p, "Retry-After:", 12))
        c->retry_after = strtol(p + 12, NULL, 10);
    return len;
}

/* One request to server+path (body NULL: GET); *c filled; 0 or
 * OSAFE_EIO for a transport error. */
static int call(const char *server, const char *path, const char *token,
                const char *body, size_t len, struct call *c, osafe_err *e)
{
    CURL *h = curl_easy_init();
    if (!h)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    char url[OSAFE_EVAL_URL_MAX + 160], auth[256], err[CURL_ERROR_SIZE] = "";
    size_t ul = strlen(server);
    snprintf(url, sizeof url, "%.*s%s",
             (int)(ul && server[ul - 1] == '/' ? ul - 1 : ul), server, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *hdr = curl_slist_append(NULL, auth);
    if (body) {
        hdr = curl_slist_append(hdr, "Content-Type: application/x-ndjson");
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    buf_release(&c->resp);
    c->code = 0;
    c->retry_after = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &c->resp);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 120000L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    CURLcode cr = curl_easy_perform(h);
    if (cr == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &c->code);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    if (cr != CURLE_OK)
        return osafe_errf(e, OSAFE_EIO, "%s: %s", url,
                          err[0] ? err : curl_easy_strerror(cr));
    return 0;
}

/* A request retried on transport errors and 429 (waiting what the
 * registry asks, within OSAFE_SAMPLES_RETRY_WAIT_MAX); 0 once answered
 * want, else OSAFE_EIO with the registry's answer. */
static int call_retry(const char *server, const char *path,
                      const char *token, const char *body, size_t len,
                      long want, struct call *c, osafe_err *e)
{
    int rc = 0;
    for (int i = 0; i <= OSAFE_SAMPLES_UPLOAD_RETRIES; i++) {
        rc = call(server, path, token, body, len, c, e);
        if (!rc && c->code != 429)
            break;
        long wait = !rc && c->retry_after > 0 ? c->retry_after : 1L << i;
        struct timespec ts = {wait < OSAFE_SAMPLES_RETRY_WAIT_MAX
                                  ? wait
                                  : OSAFE_SAMPLES_RETRY_WAIT_MAX,
                              0};
        nanosleep(&ts, NULL);
    }
    if (!rc && c->code != want)
        rc = osafe_errf(e, OSAFE_EIO, "%s answered %ld: %.300s", path,
                        c->code, c->resp.data ? c->resp.data : "");
    return rc;
}

/* How many bytes the registry holds (and whether complete). */
static int resume_at(const char *server, const char *id, const char *token,
                     int64_t *received, int *complete, osafe_err *e)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/evaluations/%s/samples?per_page=1",
             id);
    struct call c = {0};
    int rc = call_retry(server, path, token, NULL, 0, 200, &c, e);
    json_t *j = rc ? NULL : json_loadb(c.resp.data, c.resp.len, 0, NULL);
    if (!rc && !j)
        rc = osafe_errf(e, OSAFE_EIO, "%s: the answer is not JSON", path);
    const char *st = json_string_value(json_object_get(j, "status"));
    *complete = st && !strcmp(st, "complete");
    *received = json_integer_value(json_object_get(j, "received"));
    json_decref(j);
    buf_release(&c.resp);
    return rc;
}

/* The next chunk of f from its position: whole lines, at most
 * OSAFE_SAMPLES_CHUNK_MAX bytes; *len 0 at the end; *last 1 when nothing
 * follows it. */
static int next_chunk(FILE *f, const char *path, char *buf, size_t *len,
                      int *last, osafe_err *e)
{
    off_t at = ftello(f);
    size_t n = fread(buf, 1, OSAFE_SAMPLES_CHUNK_MAX, f);
    if (ferror(f))
        return osafe_errf(e, OSAFE_EIO, "%s: read failed", path);
    *last = n < OSAFE_SAMPLES_CHUNK_MAX || (getc(f) == EOF);
    size_t cut = n;
    while (cut > 0 && buf[cut - 1] != '\n')
        cut--;
    if (n > 0 && cut == 0)
        return osafe_errf(e, OSAFE_EINVAL, "%s: a line at byte %lld %s", path,
                          (long long)at,
                          *last ? "does not end in a newline (an interrupted "
                                  "run? finish it with eval run --resume)"
                                : "is longer than one upload request");
    if (*last && cut < n)
        return osafe_errf(e, OSAFE_EINVAL, "%s: the last line does not end in"
                          " a newline (an interrupted run? finish it with "
                          "eval run --resume)", path);
    *last = *last && cut == n;
    *len = cut;
    if (fseeko(f, at + (off_t)cut, SEEK_SET))
        return osafe_errf(e, OSAFE_EIO, "%s: seek failed", path);
    return 0;
}

int cli_upload_samples(const char *server, const char *token, const char *id,
                       const char *dir, int64_t *sent, int64_t *held,
                       int *complete, osafe_err *e)
{
    char path[OSAFE_PATH_MAX], url[160];
    int64_t off;
    *sent = 0;
    int rc = resume_at(server, id, token, &off, complete, e);
    *held = off;
    if (rc || *complete)
        return rc;
    snprintf(path, sizeof path, "%s/samples.jsonl", dir);
    FILE *f = fopen(path, "rb");
    char *buf = malloc(OSAFE_SAMPLES_CHUNK_MAX);
    if (!f || !buf || fseeko(f, (off_t)off, SEEK_SET)) {
        rc = osafe_errf(e, OSAFE_EIO, "%s: cannot read", path);
    }
    struct call c = {0};
    int last = 0;
    while (!rc && !last) {
        size_t len = 0;
        if ((rc = next_chunk(f, path, buf, &len, &last, e)))
            break;
        snprintf(url, sizeof url,
                 "/api/v1/evaluations/%s/samples?offset=%lld%s", id,
                 (long long)off, last ? "&last=true" : "");
        rc = call_retry(server, url, token, buf, len, 200, &c, e);
        off += (int64_t)len;
        *sent += (int64_t)len;
    }
    buf_release(&c.resp);
    free(buf);
    if (f)
        fclose(f);
    return rc ? rc : resume_at(server, id, token, held, complete, e);
}
