/*
 * test_eval_e2e.c - end to end: the real binary ($OSAFE) runs suites
 * against a fake OpenAI-compatible model server started in this process
 * (server/http.h on 127.0.0.1:0), then merges, compares, publishes to the
 * real registry (`osafe serve`) and classifies.
 *
 * The fake model answers POST /v1/chat/completions and /v1/completions
 * deterministically from the prompt (the content of the last user message,
 * or "prompt"): FNV-1a 64 of it even -> a refusal, odd -> a compliant
 * multi-sentence answer (mode 1: refuse everything), with usage, a
 * finish_reason and a system_fingerprint.  It counts requests per prompt
 * and in total, and can be told to answer given prompts with 400, 500
 * (always or once), 429 + Retry-After (once), non-JSON, or slowly, and to
 * be slow overall.  So every expectation below (labels, scores, rates,
 * request counts) is computed here from the suite's items, independently
 * of the code under test.
 *
 * The tests run in order and share the fake server, the imported suites
 * and their item table; each sets its own response cache directory
 * (XDG_CACHE_HOME) so cache hits are only the ones it expects.
 *
 * Dataset prompts are harmful text: nothing here prints a prompt or an
 * answer.  Failures name item ids, counts and fields; the tool's standard
 * error is printed only with OSAFE_TEST_VERBOSE=1 (OSAFE_KEEP_TMP=1 keeps
 * the temporary directory, with every command's stderr).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>

#include "api_client.h"
#include "core/limits.h"
#include "eval/run.h"
#include "server/http.h"
#include "vectors.h"

/* ===== the fake model server ===== */

enum { FF_NONE, FF_400, FF_500, FF_500_ONCE, FF_429_ONCE, FF_NONJSON,
       FF_SLOW };

#define FAKE_SLOTS 4096u
#define FAKE_FP "fp_osafe_e2e_1"
/* A model the fake server does not have: 404 as OpenAI words it. */
#define FAKE_NO_MODEL "llama-3-no-such-model"
#define FAKE_NO_MODEL_MSG                                                     \
    "The model `" FAKE_NO_MODEL "` does not exist or you do not have "        \
    "access to it."
#define TEXT_REFUSE "I'm sorry, but I can't help with that."
#define TEXT_COMPLY                                                           \
    "Sure. Here is an overview of the topic. It has three main parts: the "  \
    "background, the key facts, and some practical examples. Each part is "  \
    "explained below in plain language, step by step."

struct fake {
    http_server *srv;
    unsigned port;
    char base[64];
    pthread_mutex_t mu;          /* guards keys/used and want_auth */
    uint64_t keys[FAKE_SLOTS];
    unsigned char used[FAKE_SLOTS];
    atomic_uint count[FAKE_SLOTS];
    atomic_int fail[FAKE_SLOTS];
    atomic_uint total, chat, completions, malformed, auth_mismatch;
    atomic_uint probes;          /* run__probe's requests, apart */
    atomic_int inflight;         /* handlers running */
    atomic_int delay_ms;         /* every answer */
    atomic_int slow_ms;          /* FF_SLOW answers */
    atomic_int mode;             /* 0: parity, 1: refuse everything */
    char want_auth[128];         /* expected Authorization, "" none */
};

static struct fake F;

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static long words(const char *s)
{
    long n = 0;
    int in = 0;
    for (; *s; s++) {
        int sp = *s == ' ' || *s == '\n' || *s == '\t' || *s == '\r';
        if (!sp && !in)
            n++;
        in = !sp;
    }
    return n;
}

static int fake_refuses(uint64_t h, int mode)
{
    return mode == 1 ? 1 : (h % 2 == 0);
}

/* The slot of prompt hash h (inserted if new); -1 when full. */
static int fake_slot(uint64_t h, int insert)
{
    pthread_mutex_lock(&F.mu);
    unsigned i = (unsigned)(h % FAKE_SLOTS);
    int found = -1;
    for (unsigned k = 0; k < FAKE_SLOTS; k++, i = (i + 1) % FAKE_SLOTS) {
        if (F.used[i] && F.keys[i] == h) {
            found = (int)i;
            break;
        }
        if (!F.used[i]) {
            if (insert) {
                F.used[i] = 1;
                F.keys[i] = h;
                found = (int)i;
            }
            break;
        }
    }
    pthread_mutex_unlock(&F.mu);
    return found;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The prompt of a request body: "prompt", or the last user message. */
static const char *body_prompt(const json_t *j, int completions)
{
    if (completions)
        return json_string_value(json_object_get(j, "prompt"));
    const json_t *msgs = json_object_get(j, "messages");
    const char *p = NULL;
    size_t i;
    const json_t *m;
    json_array_foreach(msgs, i, m) {
        const char *role = json_string_value(json_object_get(m, "role"));
        if (role && !strcmp(role, "user"))
            p = json_string_value(json_object_get(m, "content"));
    }
    return p;
}

static void fake_answer(const http_req *q, http_resp *w)
{
    const char *path = http_req_path(q);
    int compl = !strcmp(path, "/v1/completions");
    if (strcmp(http_req_method(q), "POST") ||
        (!compl && strcmp(path, "/v1/chat/completions"))) {
        atomic_fetch_add(&F.malformed, 1);
        http_resp_error(w, 404, "not_found", NULL, "no such endpoint");
        return;
    }
    size_t len;
    const char *body = http_req_body(q, &len);
    json_t *j = json_loadb(body, len, 0, NULL);
    const char *prompt = j ? body_prompt(j, compl) : NULL;
    if (!prompt) {
        atomic_fetch_add(&F.malformed, 1);
        json_decref(j);
        http_resp_error(w, 400, "invalid_request", NULL, "no prompt");
        return;
    }
    uint64_t h = fnv1a(prompt);
    long pw = words(prompt);
    const char *model = json_string_value(json_object_get(j, "model"));
    int no_model = model && !strcmp(model, FAKE_NO_MODEL);
    /* The run's probe is counted apart, so the counts below stay the
     * suite's requests. */
    int probe = !strcmp(prompt, OSAFE_EVAL_PROBE_PROMPT);
    json_decref(j);
    if (probe)
        atomic_fetch_add(&F.probes, 1);
    if (no_model) {
        http_resp_error(w, 404, "model_not_found", NULL, FAKE_NO_MODEL_MSG);
        return;
    }
    int slot = probe ? -1 : fake_slot(h, 1);
    unsigned n = slot >= 0 ? atomic_fetch_add(&F.count[slot], 1) + 1 : 1;
    if (!probe) {
        atomic_fetch_add(&F.total, 1);
        atomic_fetch_add(compl ? &F.completions : &F.chat, 1);
    }

    const char *auth = http_req_header(q, "Authorization");
    pthread_mutex_lock(&F.mu);
    int auth_ok = F.want_auth[0] ? auth && !strcmp(auth, F.want_auth) : !auth;
    pthread_mutex_unlock(&F.mu);
    if (!auth_ok)
        atomic_fetch_add(&F.auth_mismatch, 1);

    int d = atomic_load(&F.delay_ms);
    if (d > 0)
        sleep_ms(d);
    int fail = slot >= 0 ? atomic_load(&F.fail[slot]) : FF_NONE;
    switch (fail) {
    case FF_400:
        http_resp_error(w, 400, "invalid_request", NULL,
                        "the fake model rejects this prompt");
        return;
    case FF_500:
        http_resp_error(w, 500, "internal", NULL, "the fake model broke");
        return;
    case FF_500_ONCE:
        if (n == 1) {
            http_resp_error(w, 500, "internal", NULL, "first try fails");
            return;
        }
        break;
    case FF_429_ONCE:
        if (n == 1) {
            http_resp_header(w, "Retry-After", "1");
            http_resp_error(w, 429, "rate_limited", NULL, "slow down");
            return;
        }
        break;
    case FF_NONJSON:
        http_resp_status(w, 200);
        http_resp_body(w, "application/json", "<html>oops</html>", 17);
        return;
    case FF_SLOW:
        sleep_ms(atomic_load(&F.slow_ms));
        break;
    default:
        break;
    }
    const char *text =
        fake_refuses(h, atomic_load(&F.mode)) ? TEXT_REFUSE : TEXT_COMPLY;
    long cw = words(text);
    json_t *choice =
        compl ? json_pack("{s:i, s:s, s:s}", "index", 0, "text", text,
                          "finish_reason", "stop")
              : json_pack("{s:i, s:{s:s, s:s}, s:s}", "index", 0, "message",
                          "role", "assistant", "content", text,
                          "finish_reason", "stop");
    json_t *ans = json_pack(
        "{s:s, s:s, s:i, s:s, s:s, s:[o], s:{s:I, s:I, s:I}}", "id",
        "cmpl-fake", "object", compl ? "text_completion" : "chat.completion",
        "created", 1700000000, "model", "fake", "system_fingerprint", FAKE_FP,
        "choices", choice, "usage", "prompt_tokens", (json_int_t)pw,
        "completion_tokens", (json_int_t)cw, "total_tokens",
        (json_int_t)(pw + cw));
    char *out = ans ? json_dumps(ans, JSON_COMPACT) : NULL;
    json_decref(ans);
    if (out)
        http_resp_json(w, 200, out);
    else
        http_resp_error(w, 500, "internal", NULL, "out of memory");
    free(out);
}

static void fake_handler(void *ctx, const http_req *q, http_resp *w)
{
    (void)ctx;
    atomic_fetch_add(&F.inflight, 1);
    fake_answer(q, w);
    atomic_fetch_sub(&F.inflight, 1);
}

static void fake_start(void)
{
    pthread_mutex_init(&F.mu, NULL);
    http_opts o;
    http_opts_default(&o);
    o.listen = "127.0.0.1:0";
    o.threads = 16;
    osafe_err e;
    if (http_server_start(&o, fake_handler, &F, &F.srv, &e) != 0)
        fail_msg("fake server: %s", e.msg);
    F.port = http_server_port(F.srv);
    snprintf(F.base, sizeof F.base, "http://127.0.0.1:%u", F.port);
}

/* Forget counts and failure rules, back to normal behaviour. */
static void fake_reset(void)
{
    pthread_mutex_lock(&F.mu);
    for (unsigned i = 0; i < FAKE_SLOTS; i++) {
        atomic_store(&F.count[i], 0);
        atomic_store(&F.fail[i], FF_NONE);
    }
    F.want_auth[0] = '\0';
    pthread_mutex_unlock(&F.mu);
    atomic_store(&F.total, 0);
    atomic_store(&F.probes, 0);
    atomic_store(&F.chat, 0);
    atomic_store(&F.completions, 0);
    atomic_store(&F.malformed, 0);
    atomic_store(&F.auth_mismatch, 0);
    atomic_store(&F.delay_ms, 0);
    atomic_store(&F.slow_ms, 0);
    atomic_store(&F.mode, 0);
}

/* Wait until the server has seen no new request for 400 ms (requests a
 * killed client left in the socket buffers are still read and answered). */
static void fake_quiesce(void)
{
    unsigned t = atomic_load(&F.total);
    for (int i = 0; i < 100; i++) {
        sleep_ms(400);
        unsigned now = atomic_load(&F.total);
        if (now == t && atomic_load(&F.inflight) == 0)
            return;
        t = now;
    }
    fail_msg("the fake server never went quiet");
}

static unsigned fake_count(uint64_t h)
{
    int slot = fake_slot(h, 0);
    return slot >= 0 ? atomic_load(&F.count[slot]) : 0;
}

static void fake_fail(uint64_t h, int kind)
{
    int slot = fake_slot(h, 1);
    assert_true(slot >= 0);
    atomic_store(&F.fail[slot], kind);
}

/* ===== the suite's items, as the fake model will see them ===== */

struct item {
    char id[64];
    uint64_t h;      /* FNV-1a of the prompt */
    long words;      /* of the prompt */
    int refuse;      /* expected "refuse" (else "comply") */
    char hazard[24];
    char lang[16];
    char *prompt;    /* never printed */
};

static struct item *IT;
static size_t NIT;

/* ===== temporary files and processes ===== */

static char TMP[160];
static char SUITE[256], SUITE_B[256], SST[256];
static char SUITE_HASH[65];
static char *LAST_ERR; /* stderr of the last command */
static unsigned CMD_NO;
static api_srv REG;

static const char *tp(const char *rel)
{
    static char bufs[32][512];
    static unsigned k;
    char *b = bufs[k++ % 32];
    snprintf(b, 512, "%s/%s", TMP, rel);
    return b;
}

static void use_cache(const char *name)
{
    char d[512];
    snprintf(d, sizeof d, "%s/cache-%s", TMP, name);
    assert_int_equal(mkdir(d, 0700), 0);
    assert_int_equal(setenv("XDG_CACHE_HOME", d, 1), 0);
}

static int verbose(void)
{
    const char *v = getenv("OSAFE_TEST_VERBOSE");
    return v && *v && strcmp(v, "0");
}

static void check_no_sanitizer(const char *err, const char *what)
{
    if (strstr(err, "Sanitizer") || strstr(err, "runtime error:"))
        fail_msg("%s: a sanitizer reported an error%s%s", what,
                 verbose() ? ":\n" : " (OSAFE_TEST_VERBOSE=1 prints it)",
                 verbose() ? err : "");
}

/*
 * Run $OSAFE with the arguments (NULL-terminated); stdout into out (if not
 * NULL; the caller releases it), stderr kept in LAST_ERR.  Returns the exit
 * status.  A sanitizer report fails the test whatever the status.
 */
static int osafe_v(osafe_buf *out, const char *a0, va_list ap)
{
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)api_osafe();
    for (const char *a = a0; a && n < 63; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    argv[n] = NULL;
    char errpath[512];
    snprintf(errpath, sizeof errpath, "%s/cmd-%03u.err", TMP, ++CMD_NO);
    unlink(errpath);
    if (out)
        memset(out, 0, sizeof *out);
    osafe_buf tmp = OSAFE_BUF_INIT;
    int rc = api_run(argv, out ? out : &tmp, errpath);
    buf_release(&tmp);
    if (out && !out->data)
        assert_int_equal(buf_puts(out, ""), 0);
    free(LAST_ERR);
    size_t len;
    struct stat sb;
    LAST_ERR = stat(errpath, &sb) == 0 ? api_read_file(errpath, &len)
                                       : strdup("");
    char what[128];
    snprintf(what, sizeof what, "osafe %s %s", n > 1 ? argv[1] : "",
             n > 2 ? argv[2] : "");
    check_no_sanitizer(LAST_ERR, what);
    return rc;
}

static int osafe(osafe_buf *out, const char *a0, ...)
{
    va_list ap;
    va_start(ap, a0);
    int rc = osafe_v(out, a0, ap);
    va_end(ap);
    return rc;
}

/* The same, requiring exit status 0. */
static void osafe_ok(osafe_buf *out, const char *a0, ...)
{
    va_list ap;
    va_start(ap, a0);
    int rc = osafe_v(out, a0, ap);
    va_end(ap);
    if (rc != 0)
        fail_msg("osafe %s ... exited %d (stderr cmd-%03u.err%s%s)", a0, rc,
                 CMD_NO, verbose() ? ":\n" : "",
                 verbose() ? LAST_ERR : "");
}

static json_t *load_json(const char *path)
{
    return api_load_json(path);
}

/* samples.jsonl as an array of objects, every line whole and JSON. */
static json_t *load_samples(const char *dir)
{
    char p[600];
    snprintf(p, sizeof p, "%s/samples.jsonl", dir);
    size_t len;
    char *text = api_read_file(p, &len);
    json_t *a = json_array();
    size_t lineno = 0;
    for (char *s = text, *end = text + len; s < end;) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        if (!nl)
            fail_msg("%s: last line is not terminated", p);
        lineno++;
        json_error_t je;
        json_t *j = json_loadb(s, (size_t)(nl - s), 0, &je);
        if (!json_is_object(j))
            fail_msg("%s:%zu: not a JSON object", p, lineno);
        json_array_append_new(a, j);
        s = nl + 1;
    }
    free(text);
    return a;
}

static json_t *load_run_file(const char *dir, const char *name)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return load_json(p);
}

static const struct item *item_by_id(const char *id)
{
    for (size_t i = 0; id && i < NIT; i++)
        if (!strcmp(IT[i].id, id))
            return &IT[i];
    fail_msg("sample names an item '%s' that is not in the suite",
             id ? id : "(null)");
    return NULL;
}

static size_t item_index(const char *id)
{
    return (size_t)(item_by_id(id) - IT);
}

static const char *jstr(const json_t *o, const char *k, const char *what)
{
    const char *s = json_string_value(json_object_get(o, k));
    if (!s)
        fail_msg("%s: '%s' missing or not a string", what, k);
    return s;
}

static double jnum(const json_t *o, const char *k, const char *what)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_number(v))
        fail_msg("%s: '%s' missing or not a number", what, k);
    return json_number_value(v);
}

static json_int_t jint(const json_t *o, const char *k, const char *what)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v))
        fail_msg("%s: '%s' missing or not an integer", what, k);
    return json_integer_value(v);
}

#define NEAR(a, b, what)                                                      \
    do {                                                                      \
        double a_ = (a), b_ = (b);                                            \
        if (!(fabs(a_ - b_) <= 1e-9))                                         \
            fail_msg("%s: %.12g, expected %.12g", (what), a_, b_);            \
    } while (0)

static void wilson(double k, double n, double *rate, double *lo, double *hi)
{
    const double z = 1.959963984540054;
    double p = k / n, d = 1 + z * z / n;
    double c = (p + z * z / (2 * n)) / d;
    double h = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d;
    *rate = p;
    *lo = c - h < 0 ? 0 : c - h;
    *hi = c + h > 1 ? 1 : c + h;
}

/* The exact two-sided McNemar p-value, by direct summation. */
static double mcnemar(unsigned b, unsigned c)
{
    unsigned m = b + c, k = b < c ? b : c;
    if (m == 0)
        return 1;
    double sum = 0;
    for (unsigned i = 0; i <= k; i++)
        sum += exp(lgamma(m + 1.0) - lgamma(i + 1.0) - lgamma(m - i + 1.0) -
                   m * log(2.0));
    return 2 * sum > 1 ? 1 : 2 * sum;
}

/* A group {n, rate, lo, hi} is the Wilson interval of k out of n. */
static void expect_wilson(const json_t *g, double k, size_t n,
                          const char *what)
{
    char w[160];
    snprintf(w, sizeof w, "%s.n", what);
    if (!json_is_object(g))
        fail_msg("%s: missing", what);
    assert_int_equal(jint(g, "n", what), (json_int_t)n);
    double rate, lo, hi;
    wilson(k, (double)n, &rate, &lo, &hi);
    snprintf(w, sizeof w, "%s.rate", what);
    NEAR(jnum(g, "rate", what), rate, w);
    snprintf(w, sizeof w, "%s.lo", what);
    NEAR(jnum(g, "lo", what), lo, w);
    snprintf(w, sizeof w, "%s.hi", what);
    NEAR(jnum(g, "hi", what), hi, w);
    if (strcmp(jstr(g, "method", what), "wilson"))
        fail_msg("%s: method is not wilson", what);
}

/* The score the fake model earns on an item in a mode. */
static double expected_score(const struct item *it, int mode)
{
    return fake_refuses(it->h, mode) == it->refuse ? 1.0 : 0.0;
}

/* What a run of items [0, limit) with shard k/n covers, in suite order. */
static int in_slice(size_t i, size_t limit, unsigned k, unsigned n)
{
    return i < limit && i % n == k - 1;
}

/*
 * Every sample of a finished run is a correct, scored answer of the fake
 * model (mode), every item of the slice appears once per epoch and
 * nothing else does.  Returns the number of samples.
 */
static size_t check_samples(const json_t *ss, size_t limit, unsigned k,
                            unsigned n, unsigned epochs, int mode,
                            int want_cached, const char *what)
{
    size_t want = 0;
    for (size_t i = 0; i < NIT; i++)
        want += in_slice(i, limit, k, n);
    want *= epochs;
    if (json_array_size(ss) != want)
        fail_msg("%s: %zu samples, expected %zu", what, json_array_size(ss),
                 want);
    unsigned char *seen = calloc(NIT * epochs, 1);
    assert_non_null(seen);
    size_t i;
    json_t *s;
    json_array_foreach(ss, i, s) {
        const char *id = jstr(s, "item_id", what);
        const struct item *it = item_by_id(id);
        size_t ix = item_index(id);
        json_int_t ep = jint(s, "epoch", what);
        if (!in_slice(ix, limit, k, n) || ep < 1 || ep > (json_int_t)epochs)
            fail_msg("%s: sample %s epoch %lld is outside the run", what, id,
                     (long long)ep);
        if (seen[ix * epochs + (size_t)(ep - 1)]++)
            fail_msg("%s: %s epoch %lld twice", what, id, (long long)ep);
        if (!json_is_null(json_object_get(s, "error")))
            fail_msg("%s: %s has an error", what, id);
        int refuses = fake_refuses(it->h, mode);
        const char *resp = jstr(s, "response", what);
        if (strcmp(resp, refuses ? TEXT_REFUSE : TEXT_COMPLY))
            fail_msg("%s: %s: the response is not the fake model's", what,
                     id);
        const char *label = jstr(s, "label", what);
        if (strcmp(label, refuses ? "full_refusal" : "full_compliance"))
            fail_msg("%s: %s labelled %s, the fake model %s", what, id, label,
                     refuses ? "refused" : "complied");
        if (jnum(s, "score", what) != expected_score(it, mode))
            fail_msg("%s: %s scored %g, expected %g", what, id,
                     jnum(s, "score", what), expected_score(it, mode));
        double conf = jnum(s, "confidence", what);
        if (!(conf > 0 && conf <= 1))
            fail_msg("%s: %s confidence %g", what, id, conf);
        if (strcmp(jstr(s, "finish_reason", what), "stop"))
            fail_msg("%s: %s finish_reason", what, id);
        if (jint(s, "prompt_tokens", what) != it->words ||
            jint(s, "completion_tokens", what) != words(resp))
            fail_msg("%s: %s token counts are not the server's", what, id);
        if (!(jnum(s, "latency_ms", what) >= 0))
            fail_msg("%s: %s latency_ms", what, id);
        if (strcmp(jstr(s, "expected", what), it->refuse ? "refuse" : "comply") ||
            strcmp(jstr(s, "hazard", what), it->hazard) ||
            strcmp(jstr(s, "lang", what), it->lang))
            fail_msg("%s: %s item fields differ from the suite's", what, id);
        json_t *req = json_object_get(s, "request");
        if (!json_is_object(req) ||
            strcmp(jstr(req, "model", what), "fake"))
            fail_msg("%s: %s request has no model 'fake'", what, id);
        const char *p = body_prompt(req, 0);
        if (!p || strcmp(p, it->prompt))
            fail_msg("%s: %s request does not carry the item's input", what,
                     id);
        json_t *cached = json_object_get(s, "cached");
        if (want_cached >= 0 &&
            (!json_is_boolean(cached) || json_is_true(cached) != want_cached))
            fail_msg("%s: %s cached is not %s", what, id,
                     want_cached ? "true" : "false");
    }
    free(seen);
    return want;
}

/* k (sum of expected scores) over the slice and epochs. */
static double expected_k(size_t limit, unsigned k, unsigned n, int mode,
                         unsigned epochs)
{
    double sum = 0;
    for (size_t i = 0; i < NIT; i++)
        if (in_slice(i, limit, k, n))
            sum += epochs * expected_score(&IT[i], mode);
    return sum;
}

/*
 * results.json of a run of [0, limit) (shard k/n, one epoch, mode, no
 * errors): overall, by hazard, by language, unsafe compliance and
 * over-refusal, each the Wilson interval of the counts computed here.
 */
static void check_results(const json_t *r, size_t limit, unsigned k,
                          unsigned n, int mode, const char *what)
{
    size_t cnt = 0;
    for (size_t i = 0; i < NIT; i++)
        cnt += in_slice(i, limit, k, n);
    char w[160];
    assert_int_equal(jint(r, "samples", what), (json_int_t)cnt);
    assert_int_equal(jint(r, "errors", what), 0);
    snprintf(w, sizeof w, "%s overall", what);
    expect_wilson(json_object_get(r, "overall"),
                  expected_k(limit, k, n, mode, 1), cnt, w);

    /* by hazard and by language */
    static const char *const sect[2] = {"by_hazard", "by_language"};
    for (int s = 0; s < 2; s++) {
        json_t *groups = json_object_get(r, sect[s]);
        if (!json_is_object(groups))
            fail_msg("%s: no %s", what, sect[s]);
        size_t total = 0;
        const char *key;
        json_t *g;
        json_object_foreach(groups, key, g) {
            size_t gn = 0;
            double gk = 0;
            for (size_t i = 0; i < NIT; i++) {
                const char *v = s == 0 ? IT[i].hazard : IT[i].lang;
                if (!*v)
                    v = "(none)";
                if (in_slice(i, limit, k, n) && !strcmp(v, key)) {
                    gn++;
                    gk += expected_score(&IT[i], mode);
                }
            }
            if (!gn)
                fail_msg("%s: %s has a group '%s' with no item", what,
                         sect[s], key);
            snprintf(w, sizeof w, "%s %s.%s", what, sect[s], key);
            expect_wilson(g, gk, gn, w);
            total += gn;
        }
        if (total != cnt)
            fail_msg("%s: %s covers %zu samples of %zu", what, sect[s], total,
                     cnt);
    }

    /* unsafe compliance (should refuse, complied) and over-refusal
     * (should comply, refused) */
    json_t *ref = json_object_get(r, "refusal");
    if (!json_is_object(ref))
        fail_msg("%s: no refusal section", what);
    size_t nr = 0, nc = 0;
    double ku = 0, ko = 0;
    for (size_t i = 0; i < NIT; i++) {
        if (!in_slice(i, limit, k, n))
            continue;
        int refuses = fake_refuses(IT[i].h, mode);
        if (IT[i].refuse) {
            nr++;
            ku += !refuses;
        } else {
            nc++;
            ko += refuses;
        }
    }
    snprintf(w, sizeof w, "%s unsafe_compliance", what);
    expect_wilson(json_object_get(ref, "unsafe_compliance"), ku, nr, w);
    snprintf(w, sizeof w, "%s over_refusal", what);
    expect_wilson(json_object_get(ref, "over_refusal"), ko, nc, w);
}

/* Distinct prompts among the first limit items (the request count a full
 * run of them costs with one epoch). */
static unsigned distinct_prompts(size_t limit)
{
    unsigned n = 0;
    for (size_t i = 0; i < limit && i < NIT; i++) {
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = IT[j].h == IT[i].h;
        n += !dup;
    }
    return n;
}

static void load_items(const char *dir)
{
    char p[600];
    snprintf(p, sizeof p, "%s/items.jsonl", dir);
    size_t len;
    char *text = api_read_file(p, &len);
    size_t cap = 0;
    for (char *s = text, *end = text + len; s < end;) {
        char *nl = memchr(s, '\n', (size_t)(end - s));
        size_t ll = nl ? (size_t)(nl - s) : (size_t)(end - s);
        json_t *j = ll ? json_loadb(s, ll, 0, NULL) : NULL;
        s += ll + 1;
        if (!ll)
            continue;
        if (!j)
            fail_msg("%s: a line is not JSON", p);
        if (NIT == cap) {
            cap = cap ? cap * 2 : 512;
            IT = realloc(IT, cap * sizeof *IT);
            assert_non_null(IT);
        }
        struct item *it = &IT[NIT++];
        memset(it, 0, sizeof *it);
        snprintf(it->id, sizeof it->id, "%s", jstr(j, "id", "item"));
        json_t *in = json_object_get(j, "input");
        const char *prompt = json_is_string(in) ? json_string_value(in) : NULL;
        if (json_is_array(in)) {
            json_t *wrap = json_pack("{s:O}", "messages", in);
            prompt = body_prompt(wrap, 0);
            it->prompt = prompt ? strdup(prompt) : NULL;
            json_decref(wrap);
        } else {
            it->prompt = prompt ? strdup(prompt) : NULL;
        }
        if (!it->prompt)
            fail_msg("item %s: no prompt", it->id);
        it->h = fnv1a(it->prompt);
        it->words = words(it->prompt);
        const char *exp = jstr(j, "expected", it->id);
        it->refuse = !strcmp(exp, "refuse");
        const char *hz = json_string_value(json_object_get(j, "hazard"));
        const char *lg = json_string_value(json_object_get(j, "lang"));
        snprintf(it->hazard, sizeof it->hazard, "%s", hz ? hz : "");
        snprintf(it->lang, sizeof it->lang, "%s", lg ? lg : "");
        json_decref(j);
    }
    free(text);
}

/* "hash <64 hex>" in text, or fail. */
static void find_hash(const char *text, const char *prefix, char out[65],
                      const char *what)
{
    const char *p = strstr(text, prefix);
    if (!p)
        fail_msg("%s: no '%s' in the output", what, prefix);
    p += strlen(prefix);
    if (strspn(p, "0123456789abcdef") < 64)
        fail_msg("%s: the hash is not 64 hex digits", what);
    memcpy(out, p, 64);
    out[64] = '\0';
}

static size_t count_lines(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        return 0;
    size_t len, n = 0;
    char *t = api_read_file(path, &len);
    for (size_t i = 0; i < len; i++)
        n += t[i] == '\n';
    free(t);
    return n;
}

static int contains(const char *hay, const char *needle)
{
    return hay && strstr(hay, needle) != NULL;
}

static int mem_has(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (!memcmp(hay + i, needle, k))
            return 1;
    return 0;
}

/* Equal JSON, numbers compared by value (a canonical form writes 1.0 as
 * 1, which jansson then reads as an integer). */
static int json_equiv(const json_t *a, const json_t *b)
{
    if (json_is_number(a) && json_is_number(b))
        return json_number_value(a) == json_number_value(b);
    if (json_is_object(a) && json_is_object(b)) {
        if (json_object_size(a) != json_object_size(b))
            return 0;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)a, k, v) {
            if (!json_equiv(v, json_object_get(b, k)))
                return 0;
        }
        return 1;
    }
    if (json_is_array(a) && json_is_array(b)) {
        if (json_array_size(a) != json_array_size(b))
            return 0;
        for (size_t i = 0; i < json_array_size(a); i++)
            if (!json_equiv(json_array_get(a, i), json_array_get(b, i)))
                return 0;
        return 1;
    }
    return json_equal(a, b);
}

/* ===== setup ===== */

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(TMP, sizeof TMP, "%s/osafe-evale2e-XXXXXX",
             tmp && *tmp && strlen(tmp) < 100 ? tmp : "/tmp");
    if (!mkdtemp(TMP))
        return -1;
    snprintf(SUITE, sizeof SUITE, "%s/suite", TMP);
    snprintf(SUITE_B, sizeof SUITE_B, "%s/suite-again", TMP);
    snprintf(SST, sizeof SST, "%s/sst", TMP);
    /* Isolated from the user's cache until a test picks its own. */
    char d[512];
    snprintf(d, sizeof d, "%s/cache-none", TMP);
    setenv("XDG_CACHE_HOME", d, 1);
    api_init(&REG);
    fake_start();
    fake_reset();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fini(&REG);
    http_server_stop(F.srv);
    F.srv = NULL;
    if (!getenv("OSAFE_KEEP_TMP"))
        api_rmrf(TMP);
    else
        fprintf(stderr, "kept %s\n", TMP);
    for (size_t i = 0; i < NIT; i++)
        free(IT[i].prompt);
    free(IT);
    free(LAST_ERR);
    return 0;
}

/* ===== 1. suites ===== */

static void test_suite_import(void **state)
{
    (void)state;
    char src[512], h1[65], h2[65], h3[65];
    snprintf(src, sizeof src, "%s/data/xstest/xstest_prompts.csv",
             api_shared());
    osafe_buf out;
    osafe_ok(&out, "suite", "import", "xstest", src, "--out", SUITE, NULL);
    find_hash(out.data, "hash ", h1, "suite import");
    buf_release(&out);
    osafe_ok(&out, "suite", "import", "xstest", src, "--out", SUITE_B, NULL);
    find_hash(out.data, "hash ", h2, "suite import (again)");
    buf_release(&out);
    assert_string_equal(h1, h2);

    osafe_ok(&out, "suite", "validate", SUITE, NULL);
    assert_true(contains(out.data, "ok: "));
    find_hash(out.data, "hash ", h3, "suite validate");
    assert_string_equal(h1, h3);
    buf_release(&out);

    osafe_ok(&out, "suite", "info", SUITE, NULL);
    find_hash(out.data, "hash ", h3, "suite info");
    assert_string_equal(h1, h3);
    assert_true(contains(out.data, "items 450\n"));
    assert_true(contains(out.data, "en=450"));
    assert_true(contains(out.data, "comply=250"));
    assert_true(contains(out.data, "refuse=200"));
    buf_release(&out);
    osafe_ok(&out, "suite", "info", SUITE_B, NULL);
    find_hash(out.data, "hash ", h3, "suite info (again)");
    assert_string_equal(h1, h3);
    buf_release(&out);
    snprintf(SUITE_HASH, sizeof SUITE_HASH, "%s", h1);

    load_items(SUITE);
    assert_int_equal(NIT, 450);

    /* A malformed line: validation names the file and the line. */
    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad-suite", TMP);
    assert_int_equal(mkdir(bad, 0700), 0);
    size_t len;
    char *yaml = api_read_file(tp("suite/suite.yaml"), &len);
    char p[600];
    snprintf(p, sizeof p, "%s/suite.yaml", bad);
    api_write_file(p, yaml, len);
    free(yaml);
    char *items = api_read_file(tp("suite/items.jsonl"), &len);
    char *nl = memchr(items, '\n', len);
    assert_non_null(nl);
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(buf_append(&b, items, (size_t)(nl - items) + 1), 0);
    assert_int_equal(buf_puts(&b, "{\"id\": \"broken\", \"input\": \n"), 0);
    free(items);
    snprintf(p, sizeof p, "%s/items.jsonl", bad);
    api_write_file(p, b.data, b.len);
    buf_release(&b);
    assert_int_equal(osafe(NULL, "suite", "validate", bad, NULL), 1);
    if (!contains(LAST_ERR, "items.jsonl:2"))
        fail_msg("suite validate does not name items.jsonl:2");
}

/* ===== 2. a full run ===== */

static void test_run_basic(void **state)
{
    (void)state;
    assert_int_equal(NIT, 450);
    use_cache("basic");
    fake_reset();
    const char *run1 = tp("run1");
    /* The first 60 items hold both expectations and both behaviours, so
     * every rate below is a real check. */
    int seen[2][2] = {{0}};
    for (size_t i = 0; i < 60; i++)
        seen[IT[i].refuse][fake_refuses(IT[i].h, 0)]++;
    assert_true(seen[0][0] && seen[0][1] && seen[1][0] && seen[1][1]);

    assert_int_equal(setenv("OSAFE_E2E_KEY", "sk-e2e-SECRET-4242", 1), 0);
    pthread_mutex_lock(&F.mu);
    snprintf(F.want_auth, sizeof F.want_auth, "Bearer sk-e2e-SECRET-4242");
    pthread_mutex_unlock(&F.mu);
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", run1, "--limit", "60", "--seed", "7",
             "--api-key-env", "OSAFE_E2E_KEY", "--quiet", NULL);
    unsetenv("OSAFE_E2E_KEY");
    assert_int_equal(atomic_load(&F.total), distinct_prompts(60));
    assert_int_equal(atomic_load(&F.chat), atomic_load(&F.total));
    assert_int_equal(atomic_load(&F.malformed), 0);
    assert_int_equal(atomic_load(&F.auth_mismatch), 0);
    for (size_t i = 0; i < 60; i++)
        if (fake_count(IT[i].h) != 1)
            fail_msg("%s was requested %u times", IT[i].id,
                     fake_count(IT[i].h));
    pthread_mutex_lock(&F.mu);
    F.want_auth[0] = '\0';
    pthread_mutex_unlock(&F.mu);

    /* manifest.json */
    json_t *m = load_run_file(run1, "manifest.json");
    json_t *tool = json_object_get(m, "tool");
    assert_string_equal(jstr(tool, "name", "tool"), "osafe");
    osafe_buf ver;
    osafe_ok(&ver, "version", NULL);
    char want[64];
    snprintf(want, sizeof want, "osafe %s ", jstr(tool, "version", "tool"));
    assert_true(!strncmp(ver.data, want, strlen(want)));
    buf_release(&ver);
    json_t *su = json_object_get(m, "suite");
    assert_string_equal(jstr(su, "name", "suite"), "xstest");
    assert_string_equal(jstr(su, "hash", "suite"), SUITE_HASH);
    json_t *pa = json_object_get(m, "params");
    assert_string_equal(jstr(pa, "model", "params"), "fake");
    assert_string_equal(jstr(pa, "endpoint", "params"), F.base);
    assert_string_equal(jstr(pa, "scorer", "params"), "refusal");
    assert_int_equal(jint(pa, "seed", "params"), 7);
    assert_int_equal(jint(pa, "epochs", "params"), 1);
    assert_int_equal(jint(pa, "limit", "params"), 60);
    assert_string_equal(jstr(pa, "api_key_env", "params"), "OSAFE_E2E_KEY");
    assert_true(json_object_get(pa, "temperature") != NULL);
    assert_true(json_object_get(pa, "max_tokens") != NULL);
    assert_string_equal(jstr(m, "shard", "manifest"), "1/1");
    const char *st = jstr(m, "started", "manifest");
    const char *fi = jstr(m, "finished", "manifest");
    assert_int_equal(strlen(st), 20);
    assert_int_equal(strlen(fi), 20);
    assert_true(strcmp(st, fi) <= 0);
    assert_string_equal(jstr(m, "server_fingerprint", "manifest"), FAKE_FP);
    json_decref(m);

    /* samples.jsonl */
    json_t *ss = load_samples(run1);
    check_samples(ss, 60, 1, 1, 1, 0, 0, "run1");
    size_t i;
    json_t *s;
    json_array_foreach(ss, i, s) {
        assert_int_equal(jint(json_object_get(s, "request"), "seed", "request"),
                         7);
        assert_int_equal(jint(s, "attempts", "sample"), 1);
    }
    json_decref(ss);

    /* The API key is nowhere in the run directory. */
    static const char *const files[] = {"manifest.json", "samples.jsonl",
                                        "results.json"};
    for (int k = 0; k < 3; k++) {
        char p[600];
        size_t len;
        snprintf(p, sizeof p, "%s/%s", run1, files[k]);
        char *t = api_read_file(p, &len);
        if (mem_has(t, len, "SECRET-4242"))
            fail_msg("%s holds the API key", files[k]);
        free(t);
    }

    /* results.json, and `eval report --json` agrees with it */
    json_t *r = load_run_file(run1, "results.json");
    check_results(r, 60, 1, 1, 0, "run1");
    assert_string_equal(jstr(json_object_get(r, "suite"), "hash", "results"),
                        SUITE_HASH);
    json_t *boot = json_object_get(json_object_get(r, "overall"), "bootstrap");
    assert_true(json_is_object(boot));
    assert_true(jnum(boot, "lo", "bootstrap") <=
                jnum(json_object_get(r, "overall"), "rate", "overall"));
    osafe_buf rep;
    osafe_ok(&rep, "eval", "report", run1, "--json", NULL);
    json_t *rj = json_loads(rep.data, 0, NULL);
    assert_non_null(rj);
    assert_true(json_equal(rj, r));
    json_decref(rj);
    buf_release(&rep);
    osafe_ok(&rep, "eval", "report", run1, NULL);
    assert_true(contains(rep.data, "unsafe compliance"));
    assert_true(contains(rep.data, "over-refusal"));
    buf_release(&rep);
    json_decref(r);

    /* The same run again into run1 is refused: finished results are never
     * overwritten; nothing is sent. */
    unsigned before = atomic_load(&F.total);
    assert_int_equal(osafe(NULL, "eval", "run", SUITE, "--endpoint", F.base,
                           "--model", "fake", "--out", run1, "--limit", "60",
                           "--seed", "7", "--quiet", NULL),
                     1);
    assert_true(contains(LAST_ERR, "--resume"));
    assert_int_equal(atomic_load(&F.total), before);
    json_t *again = load_samples(run1);
    assert_int_equal(json_array_size(again), 60);
    json_decref(again);

    /* Base models: /v1/completions. */
    fake_reset();
    const char *rc = tp("run-completions");
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", rc, "--limit", "4", "--completions", "--quiet",
             NULL);
    assert_int_equal(atomic_load(&F.completions), distinct_prompts(4));
    assert_int_equal(atomic_load(&F.chat), 0);
    ss = load_samples(rc);
    assert_int_equal(json_array_size(ss), 4);
    json_array_foreach(ss, i, s) {
        const struct item *it = item_by_id(jstr(s, "item_id", "completions"));
        assert_true(json_is_null(json_object_get(s, "error")));
        NEAR(jnum(s, "score", "completions"), expected_score(it, 0),
             "completions score");
        json_t *req = json_object_get(s, "request");
        if (!json_is_string(json_object_get(req, "prompt")))
            fail_msg("completions request has no prompt string");
    }
    json_decref(ss);
}

/* ===== 3. the response cache ===== */

/*
 * Two statistics groups agree on n, items, rate, lo, hi, se and method.
 * Not on "bootstrap": results.c numbers clusters in the order samples sit
 * in samples.jsonl, which is the order answers arrived in, so the same
 * answers give another (equally valid) bootstrap interval when the
 * concurrency reorders them.
 */
static void expect_same_stats(const json_t *a, const json_t *b,
                              const char *what)
{
    static const char *const keys[] = {"n", "items", "rate", "lo",
                                       "hi", "se",    "method"};
    if (!json_is_object(a) || !json_is_object(b))
        fail_msg("%s: missing", what);
    for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
        const json_t *x = json_object_get(a, keys[k]),
                     *y = json_object_get(b, keys[k]);
        if ((x || y) && !json_equal(x, y))
            fail_msg("%s.%s differs", what, keys[k]);
    }
    if (!json_object_get(a, "rate"))
        fail_msg("%s: no rate", what);
}

/* (item, epoch) -> {score, label, response} of a run, compared. */
static void expect_same_scores(const char *a, const char *b)
{
    json_t *sa = load_samples(a), *sb = load_samples(b);
    assert_int_equal(json_array_size(sa), json_array_size(sb));
    size_t i, j;
    json_t *x, *y;
    json_array_foreach(sa, i, x) {
        const char *id = jstr(x, "item_id", a);
        json_int_t ep = jint(x, "epoch", a);
        int found = 0;
        json_array_foreach(sb, j, y) {
            if (strcmp(jstr(y, "item_id", b), id) || jint(y, "epoch", b) != ep)
                continue;
            found = 1;
            if (!json_equal(json_object_get(x, "score"),
                            json_object_get(y, "score")) ||
                !json_equal(json_object_get(x, "label"),
                            json_object_get(y, "label")) ||
                !json_equal(json_object_get(x, "response"),
                            json_object_get(y, "response")) ||
                !json_equal(json_object_get(x, "completion_tokens"),
                            json_object_get(y, "completion_tokens")))
                fail_msg("%s differs between %s and %s", id, a, b);
        }
        if (!found)
            fail_msg("%s is in %s, not in %s", id, a, b);
    }
    json_decref(sa);
    json_decref(sb);
    json_t *ra = load_run_file(a, "results.json"),
           *rb = load_run_file(b, "results.json");
    /* Compared without "bootstrap": its interval depends on the order the
     * samples arrived in (see the note at expect_same_stats). */
    expect_same_stats(json_object_get(ra, "overall"),
                      json_object_get(rb, "overall"), "overall");
    expect_same_stats(
        json_object_get(json_object_get(ra, "refusal"), "unsafe_compliance"),
        json_object_get(json_object_get(rb, "refusal"), "unsafe_compliance"),
        "unsafe_compliance");
    expect_same_stats(
        json_object_get(json_object_get(ra, "refusal"), "over_refusal"),
        json_object_get(json_object_get(rb, "refusal"), "over_refusal"),
        "over_refusal");
    json_decref(ra);
    json_decref(rb);
}

static void test_cache(void **state)
{
    (void)state;
    assert_int_equal(NIT, 450);
    use_cache("cache");
    fake_reset();
    const char *a = tp("cache-a"), *b = tp("cache-b"), *c = tp("cache-c");
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", a, "--limit", "60", "--seed", "7", "--quiet",
             NULL);
    unsigned n1 = atomic_load(&F.total);
    assert_int_equal(n1, distinct_prompts(60));
    /* cache entries are private: 0700 directories */
    struct stat sb;
    assert_int_equal(stat(tp("cache-cache/osafe"), &sb), 0);
    assert_int_equal(sb.st_mode & 077, 0);

    /* The same run into another directory: zero requests, same scores. */
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", b, "--limit", "60", "--seed", "7", "--quiet",
             NULL);
    assert_int_equal(atomic_load(&F.total), n1);
    json_t *ss = load_samples(b);
    check_samples(ss, 60, 1, 1, 1, 0, 1, "cached rerun");
    json_decref(ss);
    expect_same_scores(a, b);
    json_t *r = load_run_file(b, "results.json");
    check_results(r, 60, 1, 1, 0, "cached rerun");
    json_decref(r);

    /* A different generation parameter is a different request. */
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", tp("cache-seed8"), "--limit", "5", "--seed",
             "8", "--quiet", NULL);
    assert_int_equal(atomic_load(&F.total), n1 + distinct_prompts(5));

    /* --no-cache: every request is sent again. */
    unsigned n2 = atomic_load(&F.total);
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", c, "--limit", "60", "--seed", "7", "--no-cache",
             "--quiet", NULL);
    assert_int_equal(atomic_load(&F.total), n2 + 60);
    ss = load_samples(c);
    check_samples(ss, 60, 1, 1, 1, 0, 0, "--no-cache rerun");
    json_decref(ss);
    expect_same_scores(a, c);
}

/* ===== 4. kill -9 and --resume ===== */

static pid_t spawn_osafe(char *const args[], const char *errpath)
{
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)api_osafe();
    for (int i = 0; args[i] && n < 63; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int err = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int in = open("/dev/null", O_RDWR);
        if (err < 0 || in < 0)
            _exit(126);
        dup2(in, 0);
        dup2(in, 1);
        dup2(err, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static void test_resume_after_kill(void **state)
{
    (void)state;
    assert_int_equal(NIT, 450);
    use_cache("resume");
    fake_reset();
    atomic_store(&F.delay_ms, 100);
    const char *dir = tp("resume");
    char spath[600];
    snprintf(spath, sizeof spath, "%s/samples.jsonl", dir);
    char *args[] = {"eval", "run", SUITE, "--endpoint", F.base, "--model",
                    "fake", "--out", (char *)dir, "--limit", "60", "--seed",
                    "7", "--no-cache", "--concurrency", "2", "--quiet", NULL};
    pid_t pid = spawn_osafe(args, tp("resume-1.err"));
    int st, exited = 0;
    for (int i = 0; i < 6000; i++) { /* 60 s */
        if (count_lines(spath) >= 10)
            break;
        if (waitpid(pid, &st, WNOHANG) == pid) {
            exited = 1;
            break;
        }
        sleep_ms(10);
    }
    if (exited)
        fail_msg("the run ended before it could be killed (status %d)",
                 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    fake_quiesce();
    {
        size_t el;
        char *et = api_read_file(tp("resume-1.err"), &el);
        check_no_sanitizer(et, "the killed run");
        free(et);
    }
    size_t len1;
    char *before = api_read_file(spath, &len1);
    assert_true(len1 > 0 && before[len1 - 1] == '\n');
    json_t *s1 = load_samples(dir);
    size_t k1 = json_array_size(s1);
    if (k1 < 10 || k1 >= 60)
        fail_msg("%zu samples at the kill, expected 10..59", k1);
    /* The manifest exists and says the run did not finish. */
    json_t *m = load_run_file(dir, "manifest.json");
    assert_true(json_is_null(json_object_get(m, "finished")));
    json_decref(m);

    /* A torn last line, as a crash in the middle of a write leaves. */
    char *nl = memchr(before, '\n', len1);
    size_t half = (size_t)(nl - before) / 2;
    FILE *f = fopen(spath, "ab");
    assert_non_null(f);
    assert_int_equal(fwrite(before, 1, half, f), half);
    assert_int_equal(fclose(f), 0);

    /* Resuming with another parameter, or without --resume, is refused
     * and changes nothing. */
    unsigned t0 = atomic_load(&F.total);
    assert_int_equal(osafe(NULL, "eval", "run", SUITE, "--endpoint", F.base,
                           "--model", "fake", "--out", dir, "--limit", "60",
                           "--seed", "8", "--no-cache", "--resume", "--quiet",
                           NULL),
                     1);
    assert_true(contains(LAST_ERR, "seed"));
    assert_int_equal(osafe(NULL, "eval", "run", SUITE, "--endpoint", F.base,
                           "--model", "fake", "--out", dir, "--limit", "60",
                           "--seed", "7", "--no-cache", "--quiet", NULL),
                     1);
    assert_true(contains(LAST_ERR, "--resume"));
    assert_int_equal(atomic_load(&F.total), t0);

    /* Resume, faster now. */
    atomic_store(&F.delay_ms, 0);
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", dir, "--limit", "60", "--seed", "7",
             "--no-cache", "--concurrency", "2", "--resume", "--quiet", NULL);
    size_t len2;
    char *after = api_read_file(spath, &len2);
    /* Finished lines are kept byte for byte; the torn tail is gone. */
    assert_true(len2 > len1);
    assert_memory_equal(after, before, len1);
    assert_true(after[len1] == '{');
    json_t *s2 = load_samples(dir); /* every line whole JSON */
    check_samples(s2, 60, 1, 1, 1, 0, -1, "resumed run");
    /* Nothing finished was asked again: exactly one request each. */
    size_t i;
    json_t *s;
    json_array_foreach(s1, i, s) {
        const struct item *it = item_by_id(jstr(s, "item_id", "killed run"));
        if (fake_count(it->h) != 1)
            fail_msg("%s finished before the kill and was requested %u times",
                     it->id, fake_count(it->h));
    }
    /* The rest at least once (twice at most: in flight at the kill). */
    for (size_t k = 0; k < 60; k++) {
        unsigned c = fake_count(IT[k].h);
        if (c < 1 || c > 2)
            fail_msg("%s was requested %u times", IT[k].id, c);
    }
    m = load_run_file(dir, "manifest.json");
    assert_true(json_is_string(json_object_get(m, "finished")));
    assert_int_equal(jint(m, "resumed", "manifest"), (json_int_t)k1);
    json_decref(m);
    json_t *r = load_run_file(dir, "results.json");
    check_results(r, 60, 1, 1, 0, "resumed run");
    json_decref(r);

    /* Resuming a finished run sends nothing and adds nothing. */
    unsigned t1 = atomic_load(&F.total);
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", dir, "--limit", "60", "--seed", "7",
             "--no-cache", "--resume", "--quiet", NULL);
    assert_int_equal(atomic_load(&F.total), t1);
    size_t len3;
    char *again = api_read_file(spath, &len3);
    assert_int_equal(len3, len2);
    assert_memory_equal(again, after, len2);
    free(again);
    free(before);
    free(after);
    json_decref(s1);
    json_decref(s2);
}

/* ===== 5. shards and merge ===== */

static void test_shards_merge(void **state)
{
    (void)state;
    assert_int_equal(NIT, 450);
    use_cache("shards");
    fake_reset();
    const char *a = tp("shard1"), *b = tp("shard2"), *mg = tp("merged"),
               *u = tp("unsharded");
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", a, "--limit", "40", "--seed", "7", "--shard",
             "1/2", "--quiet", NULL);
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", b, "--limit", "40", "--seed", "7", "--shard",
             "2/2", "--quiet", NULL);
    assert_int_equal(atomic_load(&F.total), distinct_prompts(40));
    json_t *ss = load_samples(a);
    check_samples(ss, 40, 1, 2, 1, 0, 0, "shard 1/2");
    json_decref(ss);
    ss = load_samples(b);
    check_samples(ss, 40, 2, 2, 1, 0, -1, "shard 2/2");
    json_decref(ss);
    json_t *r = load_run_file(a, "results.json");
    check_results(r, 40, 1, 2, 0, "shard 1/2");
    json_decref(r);

    osafe_ok(NULL, "eval", "merge", a, b, "--out", mg, NULL);
    ss = load_samples(mg);
    check_samples(ss, 40, 1, 1, 1, 0, -1, "merged");
    json_decref(ss);
    json_t *rm = load_run_file(mg, "results.json");
    check_results(rm, 40, 1, 1, 0, "merged");
    json_t *m = load_run_file(mg, "manifest.json");
    assert_string_equal(jstr(m, "shard", "merged manifest"), "merged");
    assert_string_equal(jstr(json_object_get(m, "suite"), "hash", "merged"),
                        SUITE_HASH);
    json_decref(m);

    /* The unsharded run (answers from the cache the shards filled). */
    unsigned t = atomic_load(&F.total);
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", u, "--limit", "40", "--seed", "7", "--quiet",
             NULL);
    assert_int_equal(atomic_load(&F.total), t);
    json_t *ru = load_run_file(u, "results.json");
    expect_same_stats(json_object_get(ru, "overall"),
                      json_object_get(rm, "overall"), "merged vs unsharded");
    static const char *const sub[] = {"unsafe_compliance", "over_refusal"};
    for (int q = 0; q < 2; q++)
        expect_same_stats(
            json_object_get(json_object_get(ru, "refusal"), sub[q]),
            json_object_get(json_object_get(rm, "refusal"), sub[q]), sub[q]);
    const char *hz;
    json_t *g;
    json_object_foreach(json_object_get(ru, "by_hazard"), hz, g)
        expect_same_stats(
            g, json_object_get(json_object_get(rm, "by_hazard"), hz), hz);
    json_decref(ru);
    json_decref(rm);

    /* Merging a shard twice, or runs of another configuration, is
     * refused. */
    assert_int_equal(osafe(NULL, "eval", "merge", a, a, "--out",
                           tp("merge-twice"), NULL),
                     1);
    assert_true(contains(LAST_ERR, "twice"));
    assert_int_equal(osafe(NULL, "eval", "merge", a, tp("run1"), "--out",
                           tp("merge-mixed"), NULL),
                     1);
    assert_true(contains(LAST_ERR, "parameter"));
    assert_int_equal(osafe(NULL, "eval", "merge", a, b, "--out", mg, NULL), 1);
}

/* ===== 6. epochs ===== */

static void test_epochs(void **state)
{
    (void)state;
    assert_int_equal(NIT, 450);
    use_cache("epochs");
    fake_reset();
    const char *d = tp("epochs");
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", d, "--limit", "10", "--seed", "7", "--epochs",
             "3", "--quiet", NULL);
    /* The epoch is part of the cache key: three samples, three requests. */
    for (size_t i = 0; i < 10; i++)
        if (fake_count(IT[i].h) != 3)
            fail_msg("%s: %u requests for 3 epochs", IT[i].id,
                     fake_count(IT[i].h));
    json_t *ss = load_samples(d);
    check_samples(ss, 10, 1, 1, 3, 0, 0, "epochs");
    json_decref(ss);
    json_t *r = load_run_file(d, "results.json");
    json_t *o = json_object_get(r, "overall");
    assert_string_equal(jstr(o, "method", "overall"), "clustered");
    assert_int_equal(jint(o, "n", "overall"), 30);
    assert_int_equal(jint(o, "items", "overall"), 10);
    /* Hand-computed CR1 standard error: item i contributes 3 (y_i - mean)
     * (its three epochs agree). */
    double mean = expected_k(10, 1, 1, 0, 1) / 10.0, sum = 0;
    for (size_t i = 0; i < 10; i++) {
        double sg = 3 * (expected_score(&IT[i], 0) - mean);
        sum += sg * sg;
    }
    double se = sqrt(10.0 / 9.0 * sum) / 30.0;
    NEAR(jnum(o, "rate", "overall"), mean, "clustered mean");
    NEAR(jnum(o, "se", "overall"), se, "clustered se");
    /* the interval: Wilson's textbook form at the effective size
     * p(1 - p)/se^2 (the 10 items when se is 0) with t(9) = 2.2621571627982
     * (mpmath) in place of z */
    double t9 = 2.2621571627982055, neff = 10;
    if (se > 0 && mean > 0 && mean < 1)
        neff = fmin(30, mean * (1 - mean) / (se * se));
    double den = 1 + t9 * t9 / neff,
           ctr = (mean + t9 * t9 / (2 * neff)) / den,
           half = t9 * sqrt(mean * (1 - mean) / neff +
                            t9 * t9 / (4 * neff * neff)) / den;
    NEAR(jnum(o, "lo", "overall"), ctr - half, "clustered lo");
    NEAR(jnum(o, "hi", "overall"), ctr + half, "clustered hi");
    assert_true(json_is_boolean(json_object_get(o, "no_variation")));
    assert_int_equal(json_is_true(json_object_get(o, "no_variation")),
                     se == 0);
    /* The first ten items are all should-comply ones. */
    size_t ncomply = 0;
    double kover = 0;
    for (size_t i = 0; i < 10; i++)
        if (!IT[i].refuse) {
            ncomply++;
            kover += fake_refuses(IT[i].h, 0);
        }
    json_t *ov = json_object_get(json_object_get(r, "refusal"), "over_refusal");
    assert_string_equal(jstr(ov, "method", "over_refusal"), "clustered");
    assert_int_equal(jint(ov, "n", "over_refusal"), (json_int_t)(3 * ncomply));
    NEAR(jnum(ov, "rate", "over_refusal"), kover / (double)ncomply,
         "over_refusal rate");
    json_t *uc =
        json_object_get(json_object_get(r, "refusal"), "unsafe_compliance");
    assert_int_equal(jint(uc, "n", "unsafe_compliance"),
                     (json_int_t)(3 * (10 - ncomply)));
    json_decref(r);
    json_t *m = load_run_file(d, "manifest.json");
    assert_int_equal(jint(json_object_get(m, "params"), "epochs", "params"), 3);
    json_decref(m);
}

/* Issue 11 item 4: one place for each default.  The CLI hard-coded
 * concurrency 4, a 120 s timeout and 4 retries while core/limits.h said
 * 300 s; a run without those options must record the limits.h defaults,
 * and the help must state the same numbers. */
static void test_run_defaults(void **state)
{
    (void)state;
    use_cache("defaults");
    fake_reset();
    const char *d = tp("defaults");
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", d, "--limit", "2", "--quiet", NULL);
    json_t *m = load_run_file(d, "manifest.json");
    json_t *p = json_object_get(m, "params");
    assert_int_equal(jint(p, "timeout_ms", "params"),
                     OSAFE_EVAL_TIMEOUT_DEFAULT_MS);
    assert_int_equal(jint(p, "concurrency", "params"),
                     OSAFE_EVAL_CONCURRENCY_DEFAULT);
    assert_int_equal(jint(p, "retries", "params"), OSAFE_EVAL_RETRIES_DEFAULT);
    json_decref(m);
    osafe_buf out = OSAFE_BUF_INIT;
    osafe_ok(&out, "help", "eval", NULL);
    char want[128];
    snprintf(want, sizeof want, "concurrency %d,", OSAFE_EVAL_CONCURRENCY_DEFAULT);
    assert_non_null(strstr(out.data, want));
    snprintf(want, sizeof want, "timeout %d s, %d retries",
             OSAFE_EVAL_TIMEOUT_DEFAULT_S, OSAFE_EVAL_RETRIES_DEFAULT);
    assert_non_null(strstr(out.data, want));
    buf_release(&out);
    /* the accepted ranges are the library's limits */
    assert_int_equal(osafe(NULL, "eval", "run", SUITE, "--endpoint", F.base,
                           "--model", "fake", "--out", tp("defaults-bad"),
                           "--retries", "21", "--quiet", NULL),
                     2);
}

/* Issue 10 item 9: one item, several epochs.  The JSON has a rate and a
 * null interval; the text report printed "66.7% [0.0%, 0.0%]".  It must
 * say that there is no interval, never print a made-up one. */
static void test_epochs_one_item(void **state)
{
    (void)state;
    use_cache("epochs-one");
    fake_reset();
    const char *d = tp("epochs-one");
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", d, "--limit", "1", "--seed", "7", "--epochs",
             "3", "--quiet", NULL);
    json_t *r = load_run_file(d, "results.json");
    json_t *o = json_object_get(r, "overall");
    assert_int_equal(jint(o, "items", "overall"), 1);
    assert_true(json_is_null(json_object_get(o, "lo")) ||
                !json_object_get(o, "lo"));
    json_decref(r);
    osafe_buf out = OSAFE_BUF_INIT;
    osafe_ok(&out, "eval", "report", d, NULL);
    assert_non_null(out.data);
    assert_null(strstr(out.data, "[  0.0%,   0.0%]"));
    const char *ov = strstr(out.data, "  overall");
    assert_non_null(ov);
    const char *eol = strchr(ov, '\n');
    assert_non_null(eol);
    char row[256];
    snprintf(row, sizeof row, "%.*s", (int)(eol - ov), ov);
    if (!strstr(row, "no interval (1 item)"))
        fail_msg("overall row: %s", row);
    buf_release(&out);
}

/* ===== 7. errors ===== */

static int err_has(const json_t *s, const char *needle)
{
    const char *e = json_string_value(json_object_get(s, "error"));
    return e && strstr(e, needle);
}

static void test_errors(void **state)
{
    (void)state;
    assert_int_equal(NIT, 450);
    use_cache("errors");
    fake_reset();
    /* Scripted failures among the first 30 items (distinct prompts). */
    assert_int_equal(distinct_prompts(30), 30);
    static const struct {
        size_t ix;
        int kind;
    } script[] = {{2, FF_400},      {5, FF_400},         {8, FF_500},
                  {11, FF_NONJSON}, {17, FF_500_ONCE},   {20, FF_429_ONCE}};
    for (size_t k = 0; k < sizeof script / sizeof *script; k++)
        fake_fail(IT[script[k].ix].h, script[k].kind);
    const char *d = tp("errors");
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", d, "--limit", "30", "--seed", "7", "--retries",
             "1", "--quiet", NULL);
    json_t *ss = load_samples(d);
    assert_int_equal(json_array_size(ss), 30);
    size_t i, nerr = 0;
    json_t *s;
    double k = 0;
    json_array_foreach(ss, i, s) {
        const char *id = jstr(s, "item_id", "errors");
        size_t ix = item_index(id);
        int kind = FF_NONE;
        for (size_t q = 0; q < sizeof script / sizeof *script; q++)
            if (script[q].ix == ix)
                kind = script[q].kind;
        unsigned cnt = fake_count(IT[ix].h);
        int is_err = !json_is_null(json_object_get(s, "error"));
        switch (kind) {
        case FF_400: /* final: not retried */
            if (!err_has(s, "HTTP 400") || cnt != 1)
                fail_msg("%s (400): error %s, %u requests", id,
                         is_err ? "set" : "missing", cnt);
            break;
        case FF_500: /* retried, then an error naming the attempts */
            if (!err_has(s, "HTTP 500") || !err_has(s, "2 attempts") ||
                cnt != 2)
                fail_msg("%s (500): error not as expected, %u requests", id,
                         cnt);
            break;
        case FF_NONJSON:
            if (!err_has(s, "not JSON") || cnt != 1)
                fail_msg("%s (non-JSON): error not as expected, %u requests",
                         id, cnt);
            break;
        case FF_500_ONCE:
        case FF_429_ONCE: /* the retry succeeds */
            if (is_err || cnt != 2 || jint(s, "attempts", id) != 2)
                fail_msg("%s (%s once): %s, %u requests", id,
                         kind == FF_500_ONCE ? "500" : "429",
                         is_err ? "error" : "ok", cnt);
            break;
        default:
            if (is_err || cnt != 1)
                fail_msg("%s: %s, %u requests", id, is_err ? "error" : "ok",
                         cnt);
        }
        if (is_err) {
            nerr++;
            if (!json_is_null(json_object_get(s, "score")) ||
                !json_is_null(json_object_get(s, "label")))
                fail_msg("%s: an error sample has a score or label", id);
        } else {
            double sc = jnum(s, "score", id);
            NEAR(sc, expected_score(&IT[ix], 0), "score");
            k += sc;
        }
    }
    assert_int_equal(nerr, 4);
    json_t *r = load_run_file(d, "results.json");
    assert_int_equal(jint(r, "samples", "results"), 30);
    assert_int_equal(jint(r, "errors", "results"), 4);
    /* Errors are neither passes nor failures. */
    expect_wilson(json_object_get(r, "overall"), k, 26, "overall");
    json_t *reasons = json_object_get(r, "error_reasons");
    const char *key;
    json_t *v;
    json_int_t sum = 0;
    json_object_foreach(reasons, key, v) sum += json_integer_value(v);
    assert_int_equal(sum, 4);
    /* Whole messages (issue 16 item 5: they were cut at 39 bytes). */
    assert_int_equal(json_integer_value(json_object_get(
                         reasons, "HTTP 400: the fake model rejects this "
                                  "prompt")),
                     2);
    assert_int_equal(json_integer_value(json_object_get(
                         reasons, "HTTP 500: the fake model broke (after 2 "
                                  "attempts)")),
                     1);
    assert_int_equal(atomic_load(&F.probes), 1); /* one probe, first */
    json_decref(r);
    json_decref(ss);

    /* --resume retries the errors only; the last line of a key wins. */
    fake_reset();
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", d, "--limit", "30", "--seed", "7", "--retries",
             "1", "--resume", "--quiet", NULL);
    assert_int_equal(atomic_load(&F.total), 4);
    assert_int_equal(count_lines(tp("errors/samples.jsonl")), 34);
    r = load_run_file(d, "results.json");
    check_results(r, 30, 1, 1, 0, "errors resumed");
    json_decref(r);

    /* A per-request timeout: the slow item is an error, the run goes on. */
    fake_reset();
    atomic_store(&F.slow_ms, 1500);
    fake_fail(IT[1].h, FF_SLOW);
    const char *dt = tp("timeout");
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", dt, "--limit", "3", "--concurrency", "1",
             "--timeout", "0.5", "--retries", "0", "--quiet", NULL);
    ss = load_samples(dt);
    assert_int_equal(json_array_size(ss), 3);
    json_array_foreach(ss, i, s) {
        const char *id = jstr(s, "item_id", "timeout");
        int is_err = !json_is_null(json_object_get(s, "error"));
        if (!strcmp(id, IT[1].id) ? !err_has(s, "request failed") : is_err)
            fail_msg("%s: %s after a timeout", id, is_err ? "error" : "no error");
    }
    json_decref(ss);
    assert_int_equal(fake_count(IT[1].h), 1);

    /* An unreachable endpoint: the probe fails at once (no retries of
     * every item: a dead port took 58 s), the run exits 1 with the whole
     * connection error naming the URL, and no sample is written. */
    int sock = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(sock >= 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(sock, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(sock, (struct sockaddr *)&sa, &sl), 0);
    close(sock); /* bound, never listening, now closed: refused */
    char dead[64], port[32];
    snprintf(dead, sizeof dead, "http://127.0.0.1:%u", ntohs(sa.sin_port));
    snprintf(port, sizeof port, "127.0.0.1 port %u", ntohs(sa.sin_port));
    const char *du = tp("unreachable");
    osafe_buf out;
    assert_int_equal(osafe(&out, "eval", "run", SUITE, "--endpoint", dead,
                           "--model", "fake", "--out", du, "--limit", "5",
                           "--retries", "3", NULL),
                     1);
    buf_release(&out);
    if (!contains(LAST_ERR, dead) || !contains(LAST_ERR, "'fake'") ||
        !contains(LAST_ERR, port) || !contains(LAST_ERR, "--endpoint") ||
        contains(LAST_ERR, "attempts"))
        fail_msg("unreachable endpoint: %s", LAST_ERR);
    assert_int_equal(count_lines(tp("unreachable/samples.jsonl")), 0);
}

/* Issue 16 item 5: an unknown model stops the run before it starts, with
 * the server's whole message; a missing option is named; a CSV file given
 * as a suite and --html into a missing folder get a hint. */
static void test_run_hints(void **state)
{
    (void)state;
    use_cache("hints");
    fake_reset();
    osafe_buf out;
    assert_int_equal(osafe(&out, "eval", "run", SUITE, "--endpoint", F.base,
                           "--model", FAKE_NO_MODEL, "--out", tp("nomodel"),
                           "--limit", "5", NULL),
                     1);
    buf_release(&out);
    if (!contains(LAST_ERR, "HTTP 404: " FAKE_NO_MODEL_MSG) ||
        !contains(LAST_ERR, F.base) || !contains(LAST_ERR, "--model"))
        fail_msg("unknown model: %s", LAST_ERR);
    assert_int_equal(atomic_load(&F.probes), 1);
    assert_int_equal(atomic_load(&F.total), 0); /* no item was sent */
    /* ... and no run was left behind: the same command with the model
     * fixed starts afresh (no "already holds a run"). */
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", tp("nomodel"), "--limit", "2", "--quiet", NULL);
    assert_int_equal(count_lines(tp("nomodel/samples.jsonl")), 2);

    assert_int_equal(osafe(&out, "eval", "run", SUITE, "--endpoint", F.base,
                           "--out", tp("nomodel"), NULL),
                     2);
    buf_release(&out);
    if (!contains(LAST_ERR, "missing --model NAME") ||
        contains(LAST_ERR, "--endpoint"))
        fail_msg("missing option: %s", LAST_ERR);
    assert_int_equal(osafe(&out, "eval", "run", SUITE, NULL), 2);
    buf_release(&out);
    if (!contains(LAST_ERR,
                  "missing --endpoint URL, --model NAME and --out RUNDIR"))
        fail_msg("missing options: %s", LAST_ERR);

    const char *csv = tp("prompts.csv");
    FILE *f = fopen(csv, "w");
    assert_non_null(f);
    fputs("id,prompt\n1,hello\n", f);
    fclose(f);
    assert_int_equal(osafe(&out, "eval", "run", csv, "--endpoint", F.base,
                           "--model", "fake", "--out", tp("fromcsv"), NULL),
                     1);
    buf_release(&out);
    if (!contains(LAST_ERR, "looks like a CSV file") ||
        !contains(LAST_ERR, "osafe suite import"))
        fail_msg("CSV as a suite: %s", LAST_ERR);

    char html[512];
    snprintf(html, sizeof html, "%s/no/such/dir/r.html", TMP);
    assert_int_equal(osafe(&out, "eval", "report", tp("errors"), "--html",
                           html, NULL),
                     1);
    buf_release(&out);
    if (!contains(LAST_ERR, "does not exist") ||
        !contains(LAST_ERR, "mkdir -p"))
        fail_msg("--html into a missing folder: %s", LAST_ERR);
}

/* ===== 8. compare ===== */

static void test_compare(void **state)
{
    (void)state;
    assert_int_equal(NIT, 450);
    use_cache("compare");
    fake_reset();
    const char *a = tp("cmp-a"), *b = tp("cmp-b"), *s = tp("cmp-sst");
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", a, "--limit", "30", "--seed", "7", "--no-cache",
             "--quiet", NULL);
    atomic_store(&F.mode, 1); /* now the model refuses everything */
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", b, "--limit", "30", "--seed", "7", "--no-cache",
             "--quiet", NULL);
    json_t *sb = load_samples(b);
    check_samples(sb, 30, 1, 1, 1, 1, 0, "refuse-all run");
    json_decref(sb);
    atomic_store(&F.mode, 0);

    unsigned both = 0, aonly = 0, bonly = 0;
    for (size_t i = 0; i < 30; i++) {
        int x = expected_score(&IT[i], 0) >= 0.5,
            y = expected_score(&IT[i], 1) >= 0.5;
        both += x && y;
        aonly += x && !y;
        bonly += !x && y;
    }
    assert_true(aonly > 0 && bonly > 0);
    osafe_buf out;
    osafe_ok(&out, "eval", "compare", a, b, "--json", NULL);
    json_t *c = json_loads(out.data, 0, NULL);
    buf_release(&out);
    assert_non_null(c);
    assert_int_equal(jint(c, "items", "compare"), 30);
    assert_int_equal(jint(c, "both_pass", "compare"), both);
    assert_int_equal(jint(c, "a_only", "compare"), aonly);
    assert_int_equal(jint(c, "b_only", "compare"), bonly);
    assert_string_equal(jstr(c, "suite_hash", "compare"), SUITE_HASH);
    double diff = ((double)bonly - (double)aonly) / 30.0;
    NEAR(jnum(c, "diff", "compare"), diff, "compare diff");
    NEAR(jnum(c, "rate_a", "compare"), (double)(both + aonly) / 30.0,
         "rate_a");
    NEAR(jnum(c, "rate_b", "compare"), (double)(both + bonly) / 30.0,
         "rate_b");
    double lo = jnum(c, "lo", "compare"), hi = jnum(c, "hi", "compare");
    assert_true(-1 <= lo && lo <= diff && diff <= hi && hi <= 1);
    assert_true(lo < hi);
    double p = jnum(c, "p_value", "compare");
    if (!(fabs(p - mcnemar(aonly, bonly)) <= 1e-9 * (1 + p)))
        fail_msg("p_value %.12g, exact McNemar %.12g", p,
                 mcnemar(aonly, bonly));
    json_decref(c);
    /* A run against itself: no difference, p = 1. */
    osafe_ok(&out, "eval", "compare", a, a, "--json", NULL);
    c = json_loads(out.data, 0, NULL);
    buf_release(&out);
    assert_non_null(c);
    NEAR(jnum(c, "diff", "self"), 0, "self diff");
    NEAR(jnum(c, "p_value", "self"), 1, "self p");
    json_decref(c);
    osafe_ok(&out, "eval", "compare", a, b, NULL);
    assert_true(contains(out.data, "McNemar"));
    buf_release(&out);

    /* Another suite: refused. */
    char src[512];
    snprintf(src, sizeof src,
             "%s/data/simplesafetytests/simplesafetytests_test_cases.csv",
             api_shared());
    osafe_ok(NULL, "suite", "import", "sst", src, "--out", SST, NULL);
    osafe_ok(NULL, "eval", "run", SST, "--endpoint", F.base, "--model", "fake",
             "--out", s, "--limit", "5", "--seed", "7", "--quiet", NULL);
    assert_int_equal(osafe(&out, "eval", "compare", a, s, "--json", NULL), 1);
    assert_int_equal(out.len, 0);
    buf_release(&out);
    assert_true(contains(LAST_ERR, "different suites"));
}

/* Issue 10 item 12: per-group differences are paired (each hazard's own
 * 2 x 2 table of the items both runs scored), with both rates' intervals,
 * mid-p McNemar, Holm-adjusted p across the groups of a section, and the
 * count of items dropped because one run did not score them. */
static double binom_half(unsigned i, unsigned m)
{
    return exp(lgamma(m + 1.0) - lgamma(i + 1.0) - lgamma(m - i + 1.0) -
               m * log(2.0));
}

static void test_compare_per_group(void **state)
{
    (void)state;
    use_cache("compare-groups");
    fake_reset();
    const char *a = tp("cmpg-a"), *b = tp("cmpg-b");
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", a, "--limit", "60", "--seed", "7", "--no-cache",
             "--quiet", NULL);
    atomic_store(&F.mode, 1); /* B refuses everything, on 50 items only */
    osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
             "fake", "--out", b, "--limit", "50", "--seed", "7", "--no-cache",
             "--quiet", NULL);
    atomic_store(&F.mode, 0);
    osafe_buf out;
    osafe_ok(&out, "eval", "compare", a, b, "--json", NULL);
    json_t *c = json_loads(out.data, 0, NULL);
    buf_release(&out);
    assert_non_null(c);
    json_t *dr = json_object_get(c, "dropped");
    assert_int_equal(jint(dr, "a", "dropped"), 10);
    assert_int_equal(jint(dr, "b", "dropped"), 0);
    assert_int_equal(jint(c, "items", "compare"), 50);
    json_t *bh = json_object_get(c, "by_hazard");
    assert_true(json_object_size(bh) >= 2);
    /* each hazard's table by hand, and Holm across them */
    const char *h;
    json_t *g;
    double praw[64], padj[64];
    size_t ng = 0;
    json_object_foreach(bh, h, g) {
        unsigned n = 0, both = 0, ao = 0, bo = 0;
        for (size_t i = 0; i < 50; i++) {
            if (strcmp(IT[i].hazard[0] ? IT[i].hazard : "(none)", h))
                continue;
            int x = expected_score(&IT[i], 0) >= 0.5,
                y = expected_score(&IT[i], 1) >= 0.5;
            n++;
            both += x && y;
            ao += x && !y;
            bo += !x && y;
        }
        assert_int_equal(jint(g, "items", h), n);
        assert_int_equal(jint(g, "both_pass", h), both);
        assert_int_equal(jint(g, "a_only", h), ao);
        assert_int_equal(jint(g, "b_only", h), bo);
        NEAR(jnum(g, "diff", h), ((double)bo - ao) / n, "group diff");
        NEAR(jnum(g, "p_value", h), mcnemar(ao, bo), "group exact p");
        unsigned m = ao + bo, k = ao < bo ? ao : bo;
        double mid = 1;
        if (m && 2 * k != m) {
            mid = 0;
            for (unsigned i = 0; i < k; i++)
                mid += 2 * binom_half(i, m);
            mid += binom_half(k, m);
        }
        NEAR(jnum(g, "p_mid", h), mid, "group mid-p");
        /* Wilson of each rate, textbook form */
        double ka = both + ao, z = 1.959963984540054, pa = ka / n;
        double ctr = (pa + z * z / (2 * n)) / (1 + z * z / n),
               half = z * sqrt(pa * (1 - pa) / n + z * z / (4.0 * n * n)) /
                      (1 + z * z / n);
        NEAR(jnum(g, "rate_a_lo", h), ka == 0 ? 0 : ctr - half, "rate_a_lo");
        NEAR(jnum(g, "rate_a_hi", h), ka == n ? 1 : ctr + half, "rate_a_hi");
        assert_true(jnum(g, "rate_b_lo", h) <= jnum(g, "rate_b", h) &&
                    jnum(g, "rate_b", h) <= jnum(g, "rate_b_hi", h));
        assert_true(ng < 64);
        praw[ng] = mcnemar(ao, bo);
        padj[ng++] = jnum(g, "p_holm", h);
    }
    for (size_t i = 0; i < ng; i++) {
        /* Holm: the number of groups at least as small, times p, made
         * monotone over the order */
        double want = 0;
        for (size_t j = 0; j < ng; j++) {
            if (praw[j] > praw[i])
                continue;
            size_t rank = 0; /* groups strictly smaller than j, or equal
                                and listed earlier */
            for (size_t l = 0; l < ng; l++)
                rank += praw[l] < praw[j] || (praw[l] == praw[j] && l < j);
            if (praw[j] == praw[i] && j > i)
                continue;
            double v = (double)(ng - rank) * praw[j];
            want = fmax(want, v > 1 ? 1 : v);
        }
        NEAR(padj[i], want, "holm");
    }
    assert_true(json_object_size(json_object_get(c, "by_language")) >= 1);
    assert_true(json_is_number(json_object_get(c, "p_mid")));
    assert_true(json_is_number(json_object_get(c, "rate_a_lo")));
    json_decref(c);
    osafe_ok(&out, "eval", "compare", a, b, NULL);
    assert_true(contains(out.data, "dropped (scored by one run only): 10 of A"));
    assert_true(contains(out.data, "p Holm"));
    buf_release(&out);
}

/* ===== 9. publish to the registry ===== */

static uint64_t checkpoint_size(void)
{
    api_reply r;
    api_get(&REG, "/log/checkpoint", NULL, &r);
    API_EXPECT(&r, 200, "GET /log/checkpoint");
    const char *nl = strchr(r.body.data, '\n');
    assert_non_null(nl);
    uint64_t n = strtoull(nl + 1, NULL, 10);
    api_reply_release(&r);
    return n;
}

static void test_publish(void **state)
{
    (void)state;
    char tok[128];
    api_token(&REG, "r", "reporter", NULL, tok);
    api_start(&REG);
    uint64_t size0 = checkpoint_size();
    const char *run1 = tp("run1");
    osafe_buf out;
    /* run1 is cut by --limit 60: refused, then published marked partial */
    assert_int_equal(osafe(NULL, "eval", "publish", run1, "--server",
                           REG.base, "--token", tok, NULL),
                     1);
    assert_true(contains(LAST_ERR, "--force"));
    osafe_ok(&out, "eval", "publish", run1, "--server", REG.base, "--token",
             tok, "--force", NULL);
    json_t *pj = json_loads(out.data, 0, NULL);
    buf_release(&out);
    if (!pj)
        fail_msg("eval publish did not print JSON");
    const char *id = jstr(pj, "id", "publish");
    assert_true(!strncmp(id, "EVAL-", 5));
    json_int_t idx = jint(pj, "log_index", "publish");
    assert_true(idx >= 0 && (uint64_t)idx == size0);
    assert_int_equal(checkpoint_size(), size0 + 1);

    char path[128];
    snprintf(path, sizeof path, "/api/v1/evaluations/%s", id);
    api_reply r;
    api_get(&REG, path, NULL, &r);
    API_EXPECT(&r, 200, "GET evaluation");
    json_t *ev = api_json(&r);
    char hv[32];
    assert_non_null(api_hdr(&r, "X-Osafe-Log-Index", hv, sizeof hv));
    assert_int_equal(strtoll(hv, NULL, 10), idx);
    api_reply_release(&r);
    assert_string_equal(jstr(ev, "id", "evaluation"), id);
    json_t *man = json_object_get(ev, "manifest");
    assert_string_equal(jstr(json_object_get(man, "suite"), "hash", "stored"),
                        SUITE_HASH);
    json_t *local_m = load_run_file(run1, "manifest.json");
    json_t *part = json_object_get(man, "partial");
    assert_int_equal(json_integer_value(json_object_get(part, "limit")), 60);
    json_object_set_new(local_m, "partial", json_deep_copy(part));
    assert_true(json_equiv(man, local_m));
    json_decref(local_m);
    json_t *local_r = load_run_file(run1, "results.json");
    assert_true(json_equiv(json_object_get(ev, "results"), local_r));
    json_decref(local_r);
    /* samples_sha256 is the SHA-256 of samples.jsonl */
    size_t len;
    char *samples = api_read_file(tp("run1/samples.jsonl"), &len);
    char hex[65];
    api_sha256_hex(hex, samples, len, NULL, 0);
    free(samples);
    assert_string_equal(jstr(ev, "samples_sha256", "stored"), hex);
    json_decref(ev);
    json_decref(pj);

    /* Without a token, or with a wrong one: refused, nothing logged. */
    assert_int_equal(osafe(NULL, "eval", "publish", run1, "--server",
                           REG.base, NULL),
                     2);
    assert_int_equal(osafe(NULL, "eval", "publish", run1, "--server",
                           REG.base, "--token", "osafe_not_a_real_token_0000",
                           "--force", NULL),
                     1);
    assert_true(contains(LAST_ERR, "401"));
    assert_int_equal(checkpoint_size(), size0 + 1);
    /* Not a run directory. */
    assert_int_equal(osafe(NULL, "eval", "publish", tp("nothing-here"),
                           "--server", REG.base, "--token", tok, NULL),
                     1);
    api_stop_clean(&REG);
}

/* ===== 10. classify ===== */

static void test_classify(void **state)
{
    (void)state;
    /* (prompt, response, refusal?) in English, Spanish and Chinese. */
    static const struct {
        const char *prompt, *response;
        int refusal;
    } rows[] = {
        {"How do I bake bread?",
         "I'm sorry, but I can't help with that request.", 1},
        {"How do I bake bread?",
         "Sure. Mix flour, water, yeast and salt, knead the dough for ten "
         "minutes, let it rise for an hour, then bake it at 220 degrees for "
         "thirty minutes.",
         0},
        {"¿Cómo hago pan?",
         "Lo siento, pero no puedo ayudarte con eso.", 1},
        {"¿Cómo hago pan?",
         "Claro. Mezcla harina, agua, levadura y sal, amasa diez minutos, "
         "deja reposar una hora y hornea a 220 grados durante treinta "
         "minutos.",
         0},
        {"我怎么做面包？", "对不起，我不能帮助你做这件事。", 1},
        {"我怎么做面包？",
         "当然可以。把面粉、水、酵母和盐混合，揉面十分钟，发酵一小时，"
         "然后在220度烤三十分钟。",
         0},
    };
    size_t nrows = sizeof rows / sizeof *rows;
    osafe_buf in = OSAFE_BUF_INIT;
    for (size_t i = 0; i < nrows; i++) {
        json_t *j = json_pack("{s:s, s:s, s:i}", "prompt", rows[i].prompt,
                              "response", rows[i].response, "n", (int)i);
        char *t = json_dumps(j, JSON_COMPACT);
        assert_int_equal(buf_puts(&in, t), 0);
        assert_int_equal(buf_putc(&in, '\n'), 0);
        free(t);
        json_decref(j);
    }
    const char *fpath = tp("classify.jsonl");
    api_write_file(fpath, in.data, in.len);
    osafe_buf out;
    osafe_ok(&out, "classify", "refusal", fpath, NULL);
    size_t lines = 0;
    for (char *p = out.data, *end = out.data + out.len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        assert_non_null(nl);
        json_t *j = json_loadb(p, (size_t)(nl - p), 0, NULL);
        assert_non_null(j);
        size_t n = (size_t)jint(j, "n", "classify");
        assert_int_equal(n, lines);
        assert_string_equal(jstr(j, "response", "classify"), rows[n].response);
        const char *label = jstr(j, "label", "classify");
        double conf = jnum(j, "confidence", "classify");
        if (!(conf >= 0 && conf <= 1))
            fail_msg("line %zu: confidence %g", n + 1, conf);
        if (strcmp(label, rows[n].refusal ? "full_refusal" : "full_compliance"))
            fail_msg("line %zu: labelled %s", n + 1, label);
        json_decref(j);
        lines++;
        p = nl + 1;
    }
    assert_int_equal(lines, nrows);
    buf_release(&out);

    /* A malformed third line: exit 1, naming the line. */
    osafe_buf bad = OSAFE_BUF_INIT;
    char *nl1 = memchr(in.data, '\n', in.len);
    char *nl2 = memchr(nl1 + 1, '\n', in.len - (size_t)(nl1 + 1 - in.data));
    assert_int_equal(buf_append(&bad, in.data, (size_t)(nl2 + 1 - in.data)), 0);
    assert_int_equal(buf_puts(&bad, "{\"prompt\": \"x\", \"response\": \n"), 0);
    assert_int_equal(buf_append(&bad, nl2 + 1, in.len - (size_t)(nl2 + 1 - in.data)), 0);
    const char *bpath = tp("classify-bad.jsonl");
    api_write_file(bpath, bad.data, bad.len);
    assert_int_equal(osafe(&out, "classify", "refusal", bpath, NULL), 1);
    if (!(contains(LAST_ERR, "line 3") || contains(LAST_ERR, ":3:") ||
          contains(LAST_ERR, ":3 ")))
        fail_msg("classify does not name line 3");
    buf_release(&out);
    /* Not a response string: also refused. */
    api_write_file(bpath, "{\"prompt\":\"x\",\"answer\":\"y\"}\n", 28);
    assert_int_equal(osafe(NULL, "classify", "refusal", bpath, NULL), 1);
    if (!(contains(LAST_ERR, "line 1") || contains(LAST_ERR, ":1:")))
        fail_msg("classify does not name line 1");
    buf_release(&bad);
    buf_release(&in);
}

/* The refusal scorer marks samples whose label's probability is below
 * --review-below as needs_review, and results.json counts them: with
 * threshold 1 every sample, with 0 none. */
static void test_needs_review(void **state)
{
    (void)state;
    use_cache("review");
    static const char *const thr[] = {"1", "0"};
    for (int k = 0; k < 2; k++) {
        const char *d = tp(k ? "review0" : "review1");
        osafe_ok(NULL, "eval", "run", SUITE, "--endpoint", F.base, "--model",
                 "fake", "--out", d, "--limit", "12", "--review-below",
                 thr[k], "--quiet", NULL);
        json_t *ss = load_samples(d);
        size_t i, flagged = 0;
        json_t *s;
        json_array_foreach(ss, i, s) {
            json_t *nr = json_object_get(s, "needs_review");
            if (!json_is_boolean(nr))
                fail_msg("sample %zu: no needs_review", i);
            flagged += json_is_true(nr);
        }
        assert_int_equal(flagged, k ? 0 : json_array_size(ss));
        json_t *r = load_run_file(d, "results.json");
        assert_int_equal(jint(r, "needs_review", "results"),
                         (json_int_t)flagged);
        json_t *m = load_run_file(d, "manifest.json");
        assert_true(jnum(json_object_get(m, "params"), "review_below",
                         "params") == (k ? 0.0 : 1.0));
        json_decref(m);
        json_decref(r);
        json_decref(ss);
    }
    assert_int_equal(osafe(NULL, "eval", "run", SUITE, "--endpoint", F.base,
                           "--model", "fake", "--out", tp("review-bad"),
                           "--review-below", "1.5", "--quiet", NULL), 2);
}

/* `classify train` learns from labelled lines and `classify refusal
 * --model` uses what it wrote; a bad label or a broken model file is an
 * error naming its line. */
static void test_classify_train(void **state)
{
    (void)state;
    static const char *const rows[] = {
        "{\"prompt\":\"How do I bake bread?\",\"response\":\"I'm sorry, "
        "but I can't help with that request.\",\"label\":\"full_refusal\"}",
        "{\"prompt\":\"How do I bake bread?\",\"response\":\"Sure. Mix "
        "flour, water and yeast, knead, let it rise, then bake it.\","
        "\"label\":\"full_compliance\"}",
        "{\"prompt\":\"How do I boil an egg?\",\"response\":\"I cannot "
        "assist with that.\",\"label\":\"full_refusal\"}",
        "{\"prompt\":\"How do I boil an egg?\",\"response\":\"Put the egg "
        "in boiling water for eight minutes.\",\"label\":\"full_compliance\"}",
    };
    osafe_buf in = OSAFE_BUF_INIT;
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(buf_puts(&in, rows[i]), 0);
        assert_int_equal(buf_putc(&in, '\n'), 0);
    }
    const char *lab = tp("train.jsonl"), *model = tp("model.txt");
    api_write_file(lab, in.data, in.len);
    osafe_ok(NULL, "classify", "train", lab, "--out", model, NULL);
    size_t len;
    char *mt = api_read_file(model, &len);
    assert_true(contains(mt, "osafe-refusal-model 1"));
    assert_true(contains(mt, "rule_full"));
    free(mt);
    osafe_buf out;
    osafe_ok(&out, "classify", "refusal", "--model", model, lab, NULL);
    size_t n = 0;
    /* The model's label replaces the human one in place; on these four
     * plain answers they agree. */
    for (char *p = out.data; (p = strstr(p, "\"label\":\"full_refusal"));
         p++)
        n++;
    assert_int_equal(n, 2);
    assert_true(contains(out.data, "\"confidence\":"));
    buf_release(&out);

    api_write_file(lab, "{\"response\":\"x\",\"label\":\"full_compliance\"}\n"
                   "{\"response\":\"y\",\"label\":\"maybe\"}\n", 76);
    assert_int_equal(osafe(NULL, "classify", "train", lab, "--out",
                           tp("model2.txt"), NULL), 1);
    assert_true(contains(LAST_ERR, "line 2"));
    api_write_file(model, "osafe-refusal-model 1\nbias 1 2\n", 31);
    assert_int_equal(osafe(NULL, "classify", "refusal", "--model", model,
                           lab, NULL), 1);
    assert_true(contains(LAST_ERR, "line 2"));
    buf_release(&in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suite_import),
        cmocka_unit_test(test_run_basic),
        cmocka_unit_test(test_cache),
        cmocka_unit_test(test_resume_after_kill),
        cmocka_unit_test(test_shards_merge),
        cmocka_unit_test(test_epochs),
        cmocka_unit_test(test_epochs_one_item),
        cmocka_unit_test(test_run_defaults),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_run_hints),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_compare_per_group),
        cmocka_unit_test(test_publish),
        cmocka_unit_test(test_classify),
        cmocka_unit_test(test_needs_review),
        cmocka_unit_test(test_classify_train),
    };
    /* The suites are public data sets (XSTest, SimpleSafetyTests). */
    int need = vec_need_shared("data/xstest/xstest_prompts.csv");
    if (need)
        return need;
    return cmocka_run_group_tests(tests, setup, teardown);
}
