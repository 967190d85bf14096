/*
 * client_answer.c - what one request of the client.c pool says and what
 * comes back: endpoint normalisation, request bodies (client_body and the
 * bytes sent), answer parsing (client_parse_answer), the clean error texts
 * of failed requests, which failures are worth a retry, and the curl
 * callbacks that collect an answer's body and Retry-After into its slot.
 */
#include "eval/client.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/canon.h"
#include "core/limits.h"
#include "core/utf8.h"
#include "eval/client_int.h"

/*
 * Copy at most max bytes of src[0..len) into dst (size n) as clean text:
 * valid UTF-8 kept, invalid bytes become '?', control characters and runs
 * of white space one space, leading and trailing space dropped, "..." when
 * cut.  What a server says ends up in results files and terminals.
 */
void client__clean_text(char *dst, size_t n, const char *src, size_t len,
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
int client__norm_endpoint(const char *ep, int keep_userinfo, char *out,
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
    return client__norm_endpoint(endpoint, 0, out, n, e);
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
int client__encode_body(const json_t *body, char **text, size_t *len,
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
            client__clean_text(clean, sizeof clean, msg, strlen(msg),
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
int client__parse_body(const osafe_buf *b, int completions, client_result *r,
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
        client__clean_text(clean, sizeof clean, je.text, strlen(je.text),
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
void client__server_message(const osafe_buf *b, char *out, size_t n)
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
        client__clean_text(out, n, m, strlen(m), OSAFE_EVAL_ERR_BODY_MAX);
    else
        client__clean_text(out, n, b->data ? b->data : "", b->len,
                   OSAFE_EVAL_ERR_BODY_MAX);
    if (!*out)
        snprintf(out, n, "(no message)");
    json_decref(j);
}

int client__net_retryable(CURLcode rc)
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

int client__status_retryable(long s)
{
    return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 ||
           s == 504;
}

/* ===== curl callbacks ===== */

size_t client__on_write(char *p, size_t size, size_t nmemb, void *ud)
{
    slot *s = ud;
    size_t n = size * nmemb;
    if (buf_append(&s->resp, p, n) != 0) {
        s->too_big = 1;
        return 0; /* a short count aborts the transfer */
    }
    return n;
}

size_t client__on_header(char *p, size_t size, size_t nmemb, void *ud)
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
