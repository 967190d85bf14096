/*
 * client_int.h - private to the request pool (client.c), the request
 * and answer helpers it calls (client_answer.c) and the in-process
 * backend (client_local.c), which shares the pool's queue.  Not part of
 * the API.
 */
#ifndef OSAFE_EVAL_CLIENT_INT_H
#define OSAFE_EVAL_CLIENT_INT_H

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "eval/client.h"

/* A queued request. */
typedef struct creq creq;

/* One concurrency slot: an easy handle and the answer it is receiving. */
typedef struct slot {
    CURL *easy;
    creq *req;               /* NULL while the slot is free */
    client *owner;
    osafe_buf resp;
    int too_big;             /* the write callback cut the answer off */
    long retry_after_s;      /* Retry-After of this answer, -1: none */
    char errbuf[CURL_ERROR_SIZE];
} slot;

struct infer_engine;

struct creq {
    struct creq *next;
    json_t *body;      /* own reference */
    void *user;
    char *text;        /* the serialized body, made at the first attempt */
    size_t text_len;
    unsigned attempts; /* attempts started */
    uint64_t due_us;   /* when waiting in the retry heap */
};

struct client {
    CURLM *multi;
    char *url;
    struct curl_slist *headers;
    int completions;
    unsigned concurrency, retries;
    double rps;
    size_t max_response;
    unsigned base_ms, cap_ms;
    uint64_t rng;

    pthread_mutex_t mu; /* guards head, tail */
    creq *head, *tail;
    atomic_size_t pending;
    atomic_int stop;

    creq **heap; /* retry heap by due_us; loop thread only */
    size_t nheap, heapcap;

    slot *slots;
    unsigned *freelist;
    unsigned nfree;
    int running;
    client_done_fn done;
    void *ctx;

    double tokens;     /* rps bucket, capacity 1 */
    uint64_t tok_us;   /* last refill */
    uint64_t pause_us; /* no new attempt before this (429 Retry-After) */
    client_stats stats;
    struct infer_engine *local; /* in-process backend, or NULL */
};

/* The queue and delivery of client.c, shared with client_local.c. */
uint64_t client__now_us(void);
void client__req_free(creq *r);
creq *client__queue_pop(client *c);
int client__queue_empty(client *c);
/* Hand a finished request to the caller's callback and free it. */
void client__deliver(client *c, creq *r, client_result *res);
/* client_run for a local client: answer the queue one request at a time
 * until it is empty or client_stop was called (client_local.c). */
void client__run_local(client *c);

/* At most max bytes of src[0..len) into dst (size n) as clean text. */
void client__clean_text(char *dst, size_t n, const char *src, size_t len, size_t max);
/* Normalise an endpoint (scheme, userinfo kept or not, no trailing /v1). */
int client__norm_endpoint(const char *ep, int keep_userinfo, char *out, size_t n,
                  osafe_err *e);
/* The bytes sent for body (malloc'd *text); -1 with a message in err. */
int client__encode_body(const json_t *body, char **text, size_t *len, char *err,
                size_t errn);
/* Parse a 2xx body; *ans is a new reference on success. */
int client__parse_body(const osafe_buf *b, int completions, client_result *r,
               json_t **ans, char *err, size_t errn);
/* The message of a non-2xx answer, cleaned, into out. */
void client__server_message(const osafe_buf *b, char *out, size_t n);
/* 1 if a transfer that failed with rc is worth a retry. */
int client__net_retryable(CURLcode rc);
/* 1 if an HTTP status is worth a retry (408, 429, 500, 502, 503, 504). */
int client__status_retryable(long s);
/* CURLOPT_WRITEFUNCTION: append to the slot's answer (ud is the slot). */
size_t client__on_write(char *p, size_t size, size_t nmemb, void *ud);
/* CURLOPT_HEADERFUNCTION: note Retry-After in the slot (ud is the slot). */
size_t client__on_header(char *p, size_t size, size_t nmemb, void *ud);

#endif
