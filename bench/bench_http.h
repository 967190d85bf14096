/*
 * bench_http.h - the one libcurl request of the HTTP benchmarks (bench_api,
 * bench_soak): method, path, optional bearer token and JSON body against
 * 127.0.0.1:port; the answer's first 64 KiB kept, the status returned (0 on
 * a transport error).  Header-only: each benchmark is one executable.
 */
#ifndef OSAFE_BENCH_HTTP_H
#define OSAFE_BENCH_HTTP_H

#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

struct resp {
    char buf[65536];
    size_t len;
};

static size_t bench_on_data(char *p, size_t sz, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t k = sz * n;
    if (r->len + k < sizeof r->buf) {
        memcpy(r->buf + r->len, p, k);
        r->len += k;
        r->buf[r->len] = '\0';
    }
    return k;
}

/* timeout_s 0: none (a benchmark that measures latency must not cut it). */
static long bench_request(CURL *c, unsigned port, long timeout_s,
                          const char *method, const char *path,
                          const char *token, const char *body, struct resp *r)
{
    char url[512], auth[256];
    struct curl_slist *h = NULL;
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    r->len = 0;
    r->buf[0] = '\0';
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, bench_on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        h = curl_slist_append(h, auth);
    }
    if (body) {
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
        curl_easy_setopt(c, CURLOPT_HTTPGET, !strcmp(method, "GET") ? 1L : 0L);
        if (strcmp(method, "GET")) {
            curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
            curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
        }
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    long code = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(h);
    return code;
}

#endif
