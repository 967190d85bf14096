/*
 * client.h - a pool of requests to an OpenAI-compatible endpoint
 * (llama.cpp server, vLLM, Ollama, hosted APIs) over libcurl's multi
 * interface: bounded concurrency, a request-rate limit, per-request
 * timeouts, retries with exponential backoff and full jitter that honour
 * Retry-After on 429 and 503, keep-alive, and a response-size ceiling.
 *
 * One thread drives the pool (client_run); callbacks run on it.
 *
 * Ownership: client_submit takes a reference to body; client_result
 * pointers are valid during the callback only.
 */
#ifndef OSAFE_EVAL_CLIENT_H
#define OSAFE_EVAL_CLIENT_H

#include <jansson.h>
#include <stdint.h>

#include "core/status.h"

typedef struct client_opts {
    const char *endpoint;  /* base URL, e.g. http://127.0.0.1:8080 ("/v1/..."
                            * is appended) */
    const char *api_key;   /* NULL: none (never logged, never written) */
    unsigned concurrency;  /* requests in flight, >= 1 */
    double rps;            /* request starts per second; 0: unlimited */
    unsigned timeout_ms;   /* per attempt */
    unsigned retries;      /* extra attempts on 429 / 5xx / network errors */
    int completions;       /* 1: /v1/completions (base models), 0: chat */
} client_opts;

typedef struct client_result {
    void *user;
    long http_status;        /* 0 when no HTTP answer came */
    const char *text;        /* the completion text, or NULL */
    const char *finish_reason;
    long prompt_tokens, completion_tokens; /* -1 when not reported */
    double latency_ms;       /* of the successful (or last) attempt */
    unsigned attempts;
    const char *fingerprint; /* system_fingerprint / model id reported */
    const json_t *response;  /* the parsed answer, or NULL */
    const char *error;       /* NULL on success, else why (after retries) */
} client_result;

typedef struct client client;
typedef void (*client_done_fn)(void *ctx, const client_result *r);

int client_new(const client_opts *o, client **out, osafe_err *e);
void client_free(client *c);

/*
 * A client that answers in-process with a model (infer/engine.h) instead
 * of over HTTP: the same submit / run / result interface, requests
 * answered one at a time by client_run (the engine spreads each one over
 * its own threads).  The engine is borrowed and must outlive the client.
 * A request it cannot answer gets status 400 and the reason in error.
 */
struct infer_engine;
int client_new_local(struct infer_engine *en, int completions, client **out,
                     osafe_err *e);
/* Queue a request body (OpenAI JSON) to be sent; user comes back in the
 * result. */
int client_submit(client *c, json_t *body, void *user, osafe_err *e);
/* Send everything queued, calling done for each as it completes; returns
 * when the queue is empty (or stop() was called from a callback). */
int client_run(client *c, client_done_fn done, void *ctx, osafe_err *e);
void client_stop(client *c);

typedef struct gen_params {
    const char *model;
    double temperature;      /* < 0: not sent */
    long max_tokens;         /* <= 0: not sent */
    int64_t seed;
    int has_seed;
} gen_params;

/* The request body for an item's input (a string or a list of chat
 * messages); for completions, messages are flattened.  New reference. */
json_t *client_body(const gen_params *p, const json_t *input, int completions,
                    osafe_err *e);

/* ---- behaviour in detail, and the helpers around it ----
 *
 * Endpoint: http:// or https://, no query or fragment.  Trailing slashes
 * and one trailing "/v1" are dropped before "/v1/chat/completions" (or
 * "/v1/completions") is appended, so "http://h:8080", "http://h:8080/" and
 * "http://h:8080/v1" name the same server.  Only http and https are spoken,
 * redirects are not followed, proxies come from the usual environment.
 *
 * Options: concurrency 0 is taken as 1, timeout_ms 0 as
 * OSAFE_EVAL_TIMEOUT_DEFAULT_MS; concurrency above OSAFE_EVAL_CONCURRENCY_MAX,
 * retries above OSAFE_EVAL_RETRIES_MAX and a negative or non-finite rps are
 * refused (OSAFE_EINVAL).  The api key goes out as "Authorization: Bearer
 * KEY" when set and non-empty; it is in no message and is wiped on free.
 *
 * Attempts: an attempt that fails with a network error (refused, reset,
 * empty reply, timed out, cut short) or HTTP 408, 429, 500, 502, 503 or 504
 * is retried while retries are left.  Retry number k waits a uniformly
 * random time in [0, min(cap, base * 2^(k-1))] ms ("full jitter", base
 * OSAFE_EVAL_BACKOFF_BASE_MS, cap OSAFE_EVAL_BACKOFF_CAP_MS, drawn from a
 * PRNG seeded by client_set_seed, so a test sees the same delays every
 * time).  On 429 and 503 a Retry-After header (seconds or an HTTP date) is
 * a floor on that wait; one above OSAFE_EVAL_RETRY_AFTER_MAX_MS ends the
 * request with an error saying so.  A 429 with Retry-After also holds back
 * every new attempt of the pool until then (the server is rate-limiting us,
 * not this one request).  Other statuses are final: "HTTP 400: <the
 * server's error message>".  Every attempt, retries included, takes a token
 * of the rps bucket (burst 1: starts are spaced 1/rps apart).
 *
 * Answers: a 2xx body must be a JSON object with choices[0].message.content
 * (chat) or choices[0].text (completions) a string; else the request fails
 * ("answer is not JSON: ...", "answer has no choices[0].message.content"),
 * without retry.  A body over the response ceiling (OSAFE_EVAL_RESPONSE_MAX
 * unless client_set_max_response) is cut off in the write callback and
 * fails ("answer larger than N bytes").  finish_reason, usage and
 * system_fingerprint (else "model") are read when present.  Every error
 * string is valid UTF-8, names the attempts when there were several, and
 * quotes at most OSAFE_EVAL_ERR_BODY_MAX bytes of what the server said.
 *
 * Threads: client_submit and client_stop may be called from any thread (a
 * mutex guards the queue and curl_multi_wakeup interrupts the wait); the
 * rest belongs to the thread that calls client_run.  From inside the done
 * callback, client_submit queues more work for the same client_run (a
 * caller can keep the queue short and feed it as answers arrive).
 *
 * Stop: client_run returns soon after client_stop; transfers in flight are
 * abandoned and go back to the head of the queue with their attempt not
 * counted, so a later client_run sends them again.  client_free drops what
 * is still queued without calling back.  client_run must not be nested.
 */

/* Tuning, before client_run: the jitter PRNG's seed (default a fixed
 * constant, so runs are reproducible), the backoff base and cap in ms (0:
 * keep the default), the response ceiling in bytes (0: default). */
void client_set_seed(client *c, uint64_t seed);
void client_set_backoff(client *c, unsigned base_ms, unsigned cap_ms);
void client_set_max_response(client *c, size_t max_bytes);

typedef struct client_stats {
    uint64_t attempts;    /* HTTP attempts started, retries included */
    uint64_t retries;     /* attempts scheduled again after a failure */
    uint64_t connections; /* new connections opened (keep-alive: few) */
    uint64_t ok, failed;  /* results delivered */
} client_stats;

void client_get_stats(const client *c, client_stats *out);
/* Submitted and not yet delivered (queued, waiting to retry, in flight). */
size_t client_pending(const client *c);

/*
 * Read an OpenAI answer already parsed (a cached one, say) the way
 * client_run reads a fresh one: fills r->text, finish_reason, prompt_tokens,
 * completion_tokens, fingerprint and response, all borrowed from ans; the
 * other fields are left alone.  0, or OSAFE_EINVAL with the same message a
 * request would fail with.
 */
int client_parse_answer(const json_t *ans, int completions, client_result *r,
                        osafe_err *e);

/*
 * The endpoint as it may be shown and recorded: user:password@ removed,
 * normalised as above ("https://api.example.com").  0, OSAFE_EINVAL (not
 * an http(s) base URL) or OSAFE_ETOOBIG (out too small).
 */
int client_endpoint_public(const char *endpoint, char *out, size_t n,
                           osafe_err *e);

/*
 * The backoff before retry number `retry` (1 for the first), in ms: full
 * jitter in [0, min(cap_ms, base_ms * 2^(retry-1))], advancing *rng
 * (splitmix64).  Deterministic for a given *rng.
 */
unsigned client_backoff_ms(uint64_t *rng, unsigned base_ms, unsigned cap_ms,
                           unsigned retry);

#endif
