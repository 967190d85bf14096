/*
 * client_int.h - private to the request pool (client.c) and the request
 * and answer helpers it calls (client_answer.c).  Not part of the API.
 */
#ifndef OSAFE_EVAL_CLIENT_INT_H
#define OSAFE_EVAL_CLIENT_INT_H

#include <curl/curl.h>
#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "eval/client.h"

/* A queued request (defined in client.c). */
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
