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
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/canon.h"
#include "core/limits.h"
#include "core/utf8.h"

/* The jitter PRNG's seed unless client_set_seed says otherwise. */
#define CLIENT_DEFAULT_SEED UINT64_C(0x6f73616665)

/* A slot's response buffer larger than this is freed after its request
 * (one huge answer must not pin memory for the rest of the run). */
#define CLIENT_KEEP_BUF (1u << 20)

typedef struct creq {
    struct creq *next;
    json_t *body;      /* own reference */
    void *user;
    char *text;        /* the serialized body, made at the first attempt */
    size_t text_len;
    unsigned attempts; /* attempts started */
    uint64_t due_us;   /* when waiting in the retry heap */
} creq;

typedef struct slot {
    CURL *easy;
    creq *req;               /* NULL while the slot is free */
    client *owner;
    osafe_buf resp;
    int too_big;             /* the write callback cut the answer off */
    long retry_after_s;      /* Retry-After of this answer, -1: none */
    char errbuf[CURL_ERROR_SIZE];
} slot;

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
};

/* ===== small helpers ===== */

static uint64_t now_us(void)
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

/*
 * Copy at most max bytes of src[0..len) into dst (size n) as clean text:
 * valid UTF-8 kept, invalid bytes become '?', control characters and runs
 * of white space one space, leading and trailing space dropped, "..." when
 * cut.  What a server says ends up in results files and terminals.
 */
static void clean_text(char *dst, size_t n, const char *src, size_t len,
                       size_t max)
{
    size_t o = 0, i = 0;
    int space = 1; /* drops leading spaces */
    if (n == 0)
        return;
    while (i < len && i < max) {
        uint32_t cp = 0;
        size_t k = utf8_decode(src + i, len - i, &cp);
        const char *p = src + i;
        if (k == 0 || cp == 0) { /* not UTF-8 (or NUL): one '?' per byte */
            k = 1;
            p = "?";
        } else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == ' ') {
            p = NULL; /* C0, DEL, C1 (terminal escapes) and space */
        }
        if (i + k > max)
            break;
        if (!p) {
            if (!space && o + 1 < n)
                dst[o++] = ' ';
            space = 1;
        } else {
            size_t m = p == src + i ? k : 1;
            if (o + m >= n)
                break;
            memcpy(dst + o, p, m);
            o += m;
            space = 0;
        }
        i += k;
    }
    while (o > 0 && dst[o - 1] == ' ')
        o--;
    if (i < len && o + 3 < n) {
        memcpy(dst + o, "...", 3);
        o += 3;
    }
    dst[o] = '\0';
}

/* ===== endpoint ===== */

/*
 * Normalise an endpoint into out: lowercase scheme, userinfo kept or not,
 * trailing slashes and one trailing "/v1" dropped.  The endpoint itself is
 * never quoted in a message: it may hold a password.
 */
static int norm_endpoint(const char *ep, int keep_userinfo, char *out,
                         size_t n, osafe_err *e)
{
    if (!ep || !*ep)
        return osafe_errf(e, OSAFE_EINVAL, "no endpoint given");
    size_t len = strlen(ep);
    if (len > OSAFE_EVAL_URL_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "endpoint longer than %u bytes",
                          OSAFE_EVAL_URL_MAX);
    const char *scheme;
    size_t skip;
    if (!strncasecmp(ep, "http://", 7)) {
        scheme = "http://";
        skip = 7;
    } else if (!strncasecmp(ep, "https://", 8)) {
        scheme = "https://";
        skip = 8;
    } else {
        return osafe_errf(e, OSAFE_EINVAL,
                          "endpoint must start with http:// or https://");
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)ep[i];
        if (ch <= 0x20 || ch == 0x7f)
            return osafe_errf(e, OSAFE_EINVAL,
                              "endpoint contains a space or control "
                              "character");
        if (ch == '?' || ch == '#')
            return osafe_errf(e, OSAFE_EINVAL,
                              "endpoint must be a base URL, without query or "
                              "fragment");
    }
    const char *auth = ep + skip;
    size_t alen = strcspn(auth, "/");
    const char *host = auth;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@')
            host = auth + i + 1;
    size_t hlen = alen - (size_t)(host - auth);
    if (hlen == 0)
        return osafe_errf(e, OSAFE_EINVAL, "endpoint has no host");
    const char *path = auth + alen;
    size_t plen = strlen(path);
    while (plen > 0 && path[plen - 1] == '/')
        plen--;
    if (plen >= 3 && !strncmp(path + plen - 3, "/v1", 3))
        plen -= 3;
    while (plen > 0 && path[plen - 1] == '/')
        plen--;
    const char *from = keep_userinfo ? auth : host;
    size_t flen = keep_userinfo ? alen : hlen;
    int w = snprintf(out, n, "%s%.*s%.*s", scheme, (int)flen, from, (int)plen,
                     path);
    if (w < 0 || (size_t)w >= n)
        return osafe_errf(e, OSAFE_ETOOBIG, "endpoint too long");
    return 0;
}

int client_endpoint_public(const char *endpoint, char *out, size_t n,
                           osafe_err *e)
{
    return norm_endpoint(endpoint, 0, out, n, e);
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

/* ===== request bodies ===== */

/* "user" -> "User"; the role must be a short ASCII word. */
static int role_label(const char *role, char *out, size_t n)
{
    size_t len = strlen(role);
    if (len == 0 || len >= n)
        return -1;
    for (size_t i = 0; i < len; i++) {
        char ch = role[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
              ch == '_' || ch == '-'))
            return -1;
        out[i] = ch;
    }
    out[len] = '\0';
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
    return 0;
}

/*
 * Messages as one prompt for a base model.  One user message is its text as
 * is (as a string input would be); a conversation is written as a
 * transcript, "Role: text" paragraphs, ending with "Assistant:" for the
 * model to continue.
 */
static json_t *flatten(const json_t *msgs, osafe_err *e)
{
    size_t n = json_array_size(msgs);
    if (n == 1 &&
        !strcmp(json_string_value(json_object_get(json_array_get(msgs, 0),
                                                  "role")),
                "user"))
        return json_copy(json_object_get(json_array_get(msgs, 0), "content"));
    osafe_buf b;
    buf_init(&b, OSAFE_EVAL_REQUEST_MAX);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const json_t *m = json_array_get(msgs, i);
        const char *role = json_string_value(json_object_get(m, "role"));
        const json_t *content = json_object_get(m, "content");
        char label[32];
        if (!json_is_string(content)) {
            buf_release(&b);
            return osafe_errf(e, OSAFE_EINVAL,
                              "input message %zu: content must be text for "
                              "a completions endpoint", i),
                   NULL;
        }
        if (role_label(role, label, sizeof label) != 0) {
            buf_release(&b);
            return osafe_errf(e, OSAFE_EINVAL,
                              "input message %zu: role is not a plain word",
                              i),
                   NULL;
        }
        rc = buf_printf(&b, "%s%s: ", i ? "\n\n" : "", label);
        if (rc == 0)
            rc = buf_append(&b, json_string_value(content),
                            json_string_length(content));
    }
    if (rc == 0)
        rc = buf_puts(&b, "\n\nAssistant:");
    if (rc) {
        buf_release(&b);
        return osafe_errf(e, rc, "input too large for one prompt"), NULL;
    }
    json_t *s = json_stringn(b.data, b.len);
    buf_release(&b);
    if (!s)
        osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    return s;
}

static int check_messages(const json_t *msgs, osafe_err *e)
{
    if (json_array_size(msgs) == 0)
        return osafe_errf(e, OSAFE_EINVAL, "input is an empty message list");
    size_t i;
    const json_t *m;
    json_array_foreach(msgs, i, m) {
        const json_t *role = json_object_get(m, "role");
        const json_t *content = json_object_get(m, "content");
        if (!json_is_object(m))
            return osafe_errf(e, OSAFE_EINVAL,
                              "input message %zu is not an object", i);
        if (!json_is_string(role) || json_string_length(role) == 0)
            return osafe_errf(e, OSAFE_EINVAL,
                              "input message %zu has no role", i);
        if (!json_is_string(content) && !json_is_array(content))
            return osafe_errf(e, OSAFE_EINVAL,
                              "input message %zu has no content", i);
    }
    return 0;
}

json_t *client_body(const gen_params *p, const json_t *input, int completions,
                    osafe_err *e)
{
    if (!p || !p->model || !*p->model)
        return osafe_errf(e, OSAFE_EINVAL, "no model name given"), NULL;
    if (!isnan(p->temperature) && !isfinite(p->temperature))
        return osafe_errf(e, OSAFE_EINVAL, "temperature is not finite"), NULL;
    json_t *b = json_object();
    json_t *model = json_string(p->model);
    if (!b || !model) {
        json_decref(b);
        json_decref(model);
        return osafe_errf(e, OSAFE_EINVAL,
                          "model name is not valid UTF-8 (or out of memory)"),
               NULL;
    }
    json_object_set_new(b, "model", model);
    json_t *in = NULL;
    if (json_is_string(input)) {
        if (completions) {
            in = json_copy((json_t *)input);
        } else {
            in = json_array();
            json_array_append_new(
                in, json_pack("{s:s, s:O}", "role", "user", "content", input));
            if (json_array_size(in) != 1) {
                json_decref(in);
                in = NULL;
            }
        }
        if (!in)
            osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    } else if (json_is_array(input)) {
        if (check_messages(input, e) == 0) {
            if (completions)
                in = flatten(input, e);
            else
                in = json_incref((json_t *)input);
        }
    } else {
        osafe_errf(e, OSAFE_EINVAL,
                   "input must be a string or a list of chat messages");
    }
    if (!in) {
        json_decref(b);
        return NULL;
    }
    json_object_set_new(b, completions ? "prompt" : "messages", in);
    int bad = 0;
    if (p->temperature >= 0)
        bad |= json_object_set_new(b, "temperature", json_real(p->temperature));
    if (p->max_tokens > 0)
        bad |= json_object_set_new(b, "max_tokens",
                                   json_integer((json_int_t)p->max_tokens));
    if (p->has_seed)
        bad |= json_object_set_new(b, "seed", json_integer((json_int_t)p->seed));
    if (bad) {
        json_decref(b);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory"), NULL;
    }
    return b;
}

/*
 * The bytes sent: the canonical form (numbers in shortest round-trip form,
 * so temperature 0.7 goes out as 0.7, not 0.69999999999999996), or
 * jansson's compact form for what JCS cannot hold (integers beyond 2^53).
 */
static int encode_body(const json_t *body, char **text, size_t *len,
                       char *err, size_t errn)
{
    osafe_buf b;
    buf_init(&b, OSAFE_EVAL_REQUEST_MAX);
    if (canon_value(body, &b, NULL) == 0 && b.data) {
        *text = buf_detach(&b, len);
        return 0;
    }
    buf_release(&b);
    char *s = json_dumps(body, JSON_COMPACT);
    if (!s) {
        snprintf(err, errn, "request body cannot be written as JSON");
        return -1;
    }
    *len = strlen(s);
    if (*len > OSAFE_EVAL_REQUEST_MAX) {
        free(s);
        snprintf(err, errn, "request body larger than %u bytes",
                 OSAFE_EVAL_REQUEST_MAX);
        return -1;
    }
    *text = s;
    return 0;
}

/* ===== answers ===== */

static int read_answer(const json_t *ans, int completions, client_result *r,
                       char *err, size_t errn)
{
    const char *what =
        completions ? "choices[0].text" : "choices[0].message.content";
    if (!json_is_object(ans)) {
        snprintf(err, errn, "answer is not a JSON object");
        return -1;
    }
    const json_t *choices = json_object_get(ans, "choices");
    const json_t *c0 = json_array_get(choices, 0);
    const json_t *text =
        completions ? json_object_get(c0, "text")
                    : json_object_get(json_object_get(c0, "message"),
                                      "content");
    if (!json_is_string(text)) {
        const json_t *er = json_object_get(ans, "error");
        const char *msg = json_is_string(er)
                              ? json_string_value(er)
                              : json_string_value(json_object_get(er,
                                                                  "message"));
        if (!choices && msg) {
            char clean[OSAFE_EVAL_ERR_BODY_MAX + 8];
            clean_text(clean, sizeof clean, msg, strlen(msg),
                       OSAFE_EVAL_ERR_BODY_MAX);
            snprintf(err, errn, "answer is an error: %s", clean);
        } else {
            snprintf(err, errn, "answer has no %s", what);
        }
        return -1;
    }
    r->text = json_string_value(text);
    r->finish_reason = json_string_value(json_object_get(c0, "finish_reason"));
    const json_t *usage = json_object_get(ans, "usage");
    const json_t *pt = json_object_get(usage, "prompt_tokens");
    const json_t *ct = json_object_get(usage, "completion_tokens");
    r->prompt_tokens = json_is_integer(pt) ? (long)json_integer_value(pt) : -1;
    r->completion_tokens =
        json_is_integer(ct) ? (long)json_integer_value(ct) : -1;
    const char *fp =
        json_string_value(json_object_get(ans, "system_fingerprint"));
    if (!fp || !*fp)
        fp = json_string_value(json_object_get(ans, "model"));
    r->fingerprint = fp && *fp ? fp : NULL;
    r->response = ans;
    return 0;
}

int client_parse_answer(const json_t *ans, int completions, client_result *r,
                        osafe_err *e)
{
    char err[OSAFE_ERR_MAX];
    if (read_answer(ans, completions, r, err, sizeof err) != 0)
        return osafe_errf(e, OSAFE_EINVAL, "%s", err);
    return 0;
}

/* Parse a 2xx body; *ans is a new reference on success. */
static int parse_body(const osafe_buf *b, int completions, client_result *r,
                      json_t **ans, char *err, size_t errn)
{
    *ans = NULL;
    if (b->len == 0) {
        snprintf(err, errn, "answer is empty");
        return -1;
    }
    json_error_t je;
    json_t *j = json_loadb(b->data, b->len, 0, &je);
    if (!j) {
        char clean[sizeof je.text + 8];
        clean_text(clean, sizeof clean, je.text, strlen(je.text),
                   sizeof je.text);
        snprintf(err, errn, "answer is not JSON: %s (line %d, column %d)",
                 clean, je.line, je.column);
        return -1;
    }
    if (read_answer(j, completions, r, err, errn) != 0) {
        json_decref(j);
        return -1;
    }
    *ans = j;
    return 0;
}

/* The message of a non-2xx answer: OpenAI's {"error":{"message"}}, other
 * common shapes, or the start of the body itself. */
static void server_message(const osafe_buf *b, char *out, size_t n)
{
    const char *m = NULL;
    json_t *j = b->len ? json_loadb(b->data, b->len, 0, NULL) : NULL;
    if (json_is_object(j)) {
        const json_t *er = json_object_get(j, "error");
        m = json_is_string(er) ? json_string_value(er)
                               : json_string_value(json_object_get(er,
                                                                   "message"));
        if (!m)
            m = json_string_value(json_object_get(j, "message"));
        if (!m)
            m = json_string_value(json_object_get(j, "detail"));
    }
    if (m)
        clean_text(out, n, m, strlen(m), OSAFE_EVAL_ERR_BODY_MAX);
    else
        clean_text(out, n, b->data ? b->data : "", b->len,
                   OSAFE_EVAL_ERR_BODY_MAX);
    if (!*out)
        snprintf(out, n, "(no message)");
    json_decref(j);
}

static int net_retryable(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_AGAIN:
        return 1;
    default:
        return 0;
    }
}

static int status_retryable(long s)
{
    return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 ||
           s == 504;
}

/* ===== curl callbacks ===== */

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
    slot *s = ud;
    size_t n = size * nmemb;
    if (buf_append(&s->resp, p, n) != 0) {
        s->too_big = 1;
        return 0; /* a short count aborts the transfer */
    }
    return n;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    slot *s = ud;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    if (n > sizeof name - 1 && n < 128 &&
        !strncasecmp(p, name, sizeof name - 1)) {
        char v[128];
        size_t i = sizeof name - 1, o = 0;
        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
        while (i < n && p[i] != '\r' && p[i] != '\n' && o + 1 < sizeof v)
            v[o++] = p[i++];
        while (o > 0 && (v[o - 1] == ' ' || v[o - 1] == '\t'))
            o--;
        v[o] = '\0';
        size_t digits = strspn(v, "0123456789");
        if (o > 0 && digits == o) {
            s->retry_after_s = o > 9 ? 999999999L : strtol(v, NULL, 10);
        } else if (o > 0) {
            time_t t = curl_getdate(v, NULL);
            if (t != (time_t)-1) {
                time_t now = time(NULL);
                s->retry_after_s = t > now ? (long)(t - now) : 0;
            }
        }
    }
    return n;
}

/* ===== pool ===== */

static void req_free(creq *r)
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

static creq *queue_pop(client *c)
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

static int queue_empty(client *c)
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
    SET(CURLOPT_WRITEFUNCTION, on_write);
    SET(CURLOPT_WRITEDATA, s);
    SET(CURLOPT_HEADERFUNCTION, on_header);
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
            req_free(s->req);
            if (s->easy)
                curl_easy_cleanup(s->easy);
            buf_release(&s->resp);
        }
    }
    if (c->multi)
        curl_multi_cleanup(c->multi);
    for (creq *r = c->head, *nx; r; r = nx) {
        nx = r->next;
        req_free(r);
    }
    for (size_t i = 0; i < c->nheap; i++)
        req_free(c->heap[i]);
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
    int rc = norm_endpoint(o->endpoint, 1, base, sizeof base, e);
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
    c->tok_us = now_us();
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
static void deliver(client *c, creq *r, client_result *res)
{
    if (res->error)
        c->stats.failed++;
    else
        c->stats.ok++;
    atomic_fetch_sub(&c->pending, 1);
    if (c->done)
        c->done(c->ctx, res);
    req_free(r);
}

static void fail_now(client *c, creq *r, const char *msg)
{
    client_result res;
    memset(&res, 0, sizeof res);
    res.user = r->user;
    res.prompt_tokens = res.completion_tokens = -1;
    res.attempts = r->attempts;
    res.error = msg;
    deliver(c, r, &res);
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
        if (encode_body(r->body, &r->text, &r->text_len, err, sizeof err)) {
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
           !queue_empty(c) && rate_wait(c, now, 1) == 0) {
        creq *r = queue_pop(c);
        if (!r) /* cannot happen: only this thread pops */
            break;
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
            clean_text(why, sizeof why, src, strlen(src), CURL_ERROR_SIZE);
            snprintf(err, sizeof err, "request failed: %s", why);
            retryable = net_retryable(code);
        }
    } else if (status >= 200 && status < 300) {
        parse_body(&s->resp, c->completions, &res, &ans, err, sizeof err);
    } else {
        char msg[OSAFE_EVAL_ERR_BODY_MAX + 16];
        server_message(&s->resp, msg, sizeof msg);
        snprintf(err, sizeof err, "HTTP %ld: %s", status, msg);
        retryable = status_retryable(status);
    }
    long ra = s->retry_after_s;
    release_slot(c, s);

    if (err[0] && retryable && r->attempts <= c->retries) {
        uint64_t now = now_us();
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
    deliver(c, r, &res);
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
    while (!atomic_load(&c->stop)) {
        uint64_t now = now_us();
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
        int empty = queue_empty(c);
        if (idle && empty && c->nheap == 0)
            break;

        /* Sleep until something can happen; curl_multi_poll shortens the
         * wait to curl's own timers and returns on socket activity. */
        now = now_us();
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
