/*
 * bench_api.c - registry figures for docs/PERFORMANCE.md.
 *
 *   bench_api [--records N] [--clients C] [--seconds S] [--threads T]
 *             [--batch-max B] [--batch-wait-ms MS] [--import N]
 *             [--pg scripts/pg-cluster | --db postgresql://...]
 *             [--http-pool] [--offer R [--offer-seconds S]]
 *
 * Starts the real server stack in-process (registry + HTTP on a loopback
 * port, as `osafe serve` does: a thread per connection, T database
 * connections, default 4; --http-pool: a pool of T HTTP threads) on a temporary
 * database and log, then over HTTP with libcurl (keep-alive, one
 * connection per client thread):
 * 1. ingest: create + submit + accept (publication into the log included)
 *    of N records with 1 client, then with 4 and 64 (and C if another),
 *    one line "K clients: X records/s" each, with the acceptances'
 *    (publications') latency p50 / p99 and the group-commit batches;
 * 1b. with --offer R: publication latency (p50 / p99 / max) with R
 *    records a second offered for S seconds (default 2), open loop, by 64
 *    senders (offer_line);
 * 2. reads under load: C clients for S seconds issuing GET record, list
 *    and search requests at random; p50 / p99 latency of each;
 * 3. import: N records (default 20,000) through reg_import_batch in
 *    batches of OSAFE_IMPORT_BATCH_MAX with publication, as `osafe import
 *    --publish` does: records/s.
 * With --pg SCRIPT the same again on PostgreSQL, in a throwaway cluster
 * that SCRIPT starts and removes ("== SQLite" and "== PostgreSQL" head
 * each part); with --db URL only on that (empty) PostgreSQL database.
 * Group commit as `osafe serve --batch-max B --batch-wait-ms MS` (defaults
 * the same); --batch-max 1 writes every request alone, as before it.
 */
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsx.h"
#include "core/limits.h"
#include "registry/registry.h"
#include "server/api.h"
#include "server/http.h"
#include "server/web.h"
#include "tlog/log.h"
#include "bench_http.h"
#include "bench_import_loop.h"
#include "bench_pg.h"
#include "bench_regdir.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_api: %s: %s\n", what, msg);
    exit(1);
}

static unsigned port;
static int http_pool; /* --http-pool: as `osafe serve --http-pool` */
static char reporter[96], reviewer[96];
static const char *example;

static long request(CURL *c, const char *method, const char *path,
                    const char *token, const char *body, struct resp *r)
{
    return bench_request(c, port, 0L, method, path, token, body, r);
}

/* ---- ingest ------------------------------------------------------------- */

struct ingest {
    int n;
    int base;
    char (*ids)[32];
    double *pub_ms; /* each acceptance's latency, [base, base + n) */
};

static void *ingest_thread(void *arg)
{
    struct ingest *g = arg;
    CURL *c = curl_easy_init();
    struct resp *r = malloc(sizeof *r);
    char path[128];
    for (int i = 0; i < g->n; i++) {
        long code = request(c, "POST", "/api/v1/records", reporter, example,
                            r);
        if (code != 201) {
            fprintf(stderr, "bench_api: create: status %ld\n", code);
            die("create", r->buf);
        }
        const char *p = strstr(r->buf, "\"id\":\"");
        snprintf(g->ids[g->base + i], 32, "%.*s", 16, p + 6);
        snprintf(path, sizeof path, "/api/v1/records/%s/submit",
                 g->ids[g->base + i]);
        if (request(c, "POST", path, reporter, NULL, r) != 200)
            die("submit", r->buf);
        snprintf(path, sizeof path, "/api/v1/records/%s/review",
                 g->ids[g->base + i]);
        double t0 = now();
        if (request(c, "POST", path, reviewer, "{\"decision\":\"accept\"}",
                    r) != 200)
            die("review", r->buf);
        g->pub_ms[g->base + i] = (now() - t0) * 1e3;
    }
    free(r);
    curl_easy_cleanup(c);
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double ingest(int n, int clients, char (*ids)[32], int base,
                     double *pub_ms)
{
    pthread_t t[64];
    struct ingest g[64];
    double t0 = now();
    for (int i = 0; i < clients; i++) {
        g[i] = (struct ingest){n / clients, base + i * (n / clients), ids,
                               pub_ms};
        pthread_create(&t[i], NULL, ingest_thread, &g[i]);
    }
    for (int i = 0; i < clients; i++)
        pthread_join(t[i], NULL);
    return (double)(n / clients * clients) / (now() - t0);
}

/* One ingest line: rate, publication latency, batches. */
static void ingest_line(registry *reg, int n, int clients, char (*ids)[32],
                        int base, double *pub_ms)
{
    uint64_t b0, r0, b1, r1;
    reg_batch_stats(reg, &b0, &r0);
    double rate = ingest(n, clients, ids, base, pub_ms);
    reg_batch_stats(reg, &b1, &r1);
    int done = n / clients * clients;
    double *lat = malloc((size_t)done * sizeof *lat);
    for (int i = 0; i < done; i++)
        lat[i] = pub_ms[base + i];
    qsort(lat, (size_t)done, sizeof *lat, cmp);
    printf("%d clients: %.1f records/s (publication p50 %.2f ms, p99 %.2f "
           "ms; %.1f writes a batch)\n",
           clients, rate, lat[done / 2], lat[done * 99 / 100],
           b1 > b0 ? (double)(r1 - r0) / (double)(b1 - b0) : 0.0);
    fflush(stdout);
    free(lat);
}

/* ---- publication at an offered rate ------------------------------------ */

/* --offer R: R records a second are offered for publication, open loop:
 * the k-th acceptance is due at t0 + k / R whether or not the earlier ones
 * were answered, and its latency runs from when it was due (a slow answer
 * is not hidden by sending the next one later).  The drafts are created
 * and submitted beforehand, so the figure is the publication's alone. */
struct offer {
    char (*ids)[32];
    int n;
    double rate, t0;
    double *lat;
    int *next; /* shared: the next draft to take */
    pthread_mutex_t *mu;
};

static void *offer_prepare(void *arg)
{
    struct ingest *g = arg;
    CURL *c = curl_easy_init();
    struct resp *r = malloc(sizeof *r);
    char path[128];
    for (int i = 0; i < g->n; i++) {
        if (request(c, "POST", "/api/v1/records", reporter, example, r) !=
            201)
            die("create", r->buf);
        const char *p = strstr(r->buf, "\"id\":\"");
        snprintf(g->ids[g->base + i], 32, "%.*s", 16, p + 6);
        snprintf(path, sizeof path, "/api/v1/records/%s/submit",
                 g->ids[g->base + i]);
        if (request(c, "POST", path, reporter, NULL, r) != 200)
            die("submit", r->buf);
    }
    free(r);
    curl_easy_cleanup(c);
    return NULL;
}

static void *offer_thread(void *arg)
{
    struct offer *o = arg;
    CURL *c = curl_easy_init();
    struct resp *r = malloc(sizeof *r);
    char path[128];
    for (;;) {
        pthread_mutex_lock(o->mu);
        int k = (*o->next)++;
        pthread_mutex_unlock(o->mu);
        if (k >= o->n)
            break;
        double due = o->t0 + k / o->rate, wait = due - now();
        if (wait > 0) {
            struct timespec ts = {(time_t)wait,
                                  (long)((wait - (time_t)wait) * 1e9)};
            nanosleep(&ts, NULL);
        }
        snprintf(path, sizeof path, "/api/v1/records/%s/review", o->ids[k]);
        if (request(c, "POST", path, reviewer, "{\"decision\":\"accept\"}",
                    r) != 200)
            die("review", r->buf);
        o->lat[k] = (now() - due) * 1e3;
    }
    free(r);
    curl_easy_cleanup(c);
    return NULL;
}

/* One line: publication latency at rate records/s offered for seconds. */
static void offer_line(double rate, double seconds)
{
    enum { SENDERS = 64 };
    int n = (int)(rate * seconds);
    if (n < SENDERS)
        n = SENDERS;
    n = n / SENDERS * SENDERS;
    char (*ids)[32] = calloc((size_t)n, 32);
    double *lat = calloc((size_t)n, sizeof *lat);
    pthread_t t[SENDERS];
    struct ingest g[SENDERS];
    for (int i = 0; i < SENDERS; i++) {
        g[i] = (struct ingest){n / SENDERS, i * (n / SENDERS), ids, NULL};
        pthread_create(&t[i], NULL, offer_prepare, &g[i]);
    }
    for (int i = 0; i < SENDERS; i++)
        pthread_join(t[i], NULL);
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    int next = 0;
    struct offer o = {ids, n, rate, now(), lat, &next, &mu};
    for (int i = 0; i < SENDERS; i++)
        pthread_create(&t[i], NULL, offer_thread, &o);
    for (int i = 0; i < SENDERS; i++)
        pthread_join(t[i], NULL);
    double took = now() - o.t0;
    qsort(lat, (size_t)n, sizeof *lat, cmp);
    printf("offered %.0f records/s for %.1f s (%d publications, %d "
           "senders): publication p50 %.2f ms, p99 %.2f ms, max %.2f ms; "
           "published %.0f records/s\n",
           rate, seconds, n, SENDERS, lat[n / 2], lat[n * 99 / 100],
           lat[n - 1], n / took);
    fflush(stdout);
    free(ids);
    free(lat);
}

/* Import n records as `osafe import --publish` does; records/s. */
static double import_rate(registry *reg, int n)
{
    reg_caller c;
    osafe_err e;
    if (reg_import_caller(reg, "bench-import", &c, &e))
        die("import caller", e.msg);
    double t0 = now();
    if (bench_import_n(reg, &c, n, example, &e))
        die("import", e.msg);
    return (double)n / (now() - t0);
}

/* ---- reads under load --------------------------------------------------- */

enum { R_GET, R_LIST, R_SEARCH, R_PAGE_DASH, R_PAGE_LIST, R_PAGE_RECORD,
       R_PAGE_RISKS, R_KINDS };
static const char *const kind_names[] = {
    "GET record",      "list (limit 20)",  "search",
    "page /",          "page /incidents", "page /incidents/ID",
    "page /risks"};

struct reader {
    double until;
    char (*ids)[32];
    int nids;
    unsigned seed;
    double *lat[R_KINDS];
    size_t n[R_KINDS], cap;
};

static void *read_thread(void *arg)
{
    struct reader *d = arg;
    CURL *c = curl_easy_init();
    struct resp *r = malloc(sizeof *r);
    static const char *const queries[] = {"french", "model", "%E6%B3%84%E9%9C%B2",
                                          "instructions"};
    char path[256];
    while (now() < d->until) {
        int k = (int)(rand_r(&d->seed) % R_KINDS);
        if (d->n[k] == d->cap)
            continue;
        if (k == R_GET)
            snprintf(path, sizeof path, "/api/v1/records/%s",
                     d->ids[rand_r(&d->seed) % (unsigned)d->nids]);
        else if (k == R_LIST)
            snprintf(path, sizeof path, "/api/v1/records?limit=20&country=FR");
        else if (k == R_SEARCH)
            snprintf(path, sizeof path, "/api/v1/search?q=%s&limit=20",
                     queries[rand_r(&d->seed) % 4]);
        else if (k == R_PAGE_DASH)
            snprintf(path, sizeof path, "/?lang=fr");
        else if (k == R_PAGE_LIST)
            snprintf(path, sizeof path, "/incidents?lang=ar");
        else if (k == R_PAGE_RECORD)
            snprintf(path, sizeof path, "/incidents/%s?lang=zh",
                     d->ids[rand_r(&d->seed) % (unsigned)d->nids]);
        else
            snprintf(path, sizeof path, "/risks?lang=ru");
        double t0 = now();
        long code = request(c, "GET", path, NULL, NULL, r);
        double dt = (now() - t0) * 1e3;
        if (code != 200)
            die(kind_names[k], r->buf);
        d->lat[k][d->n[k]++] = dt;
    }
    free(r);
    curl_easy_cleanup(c);
    return NULL;
}

/* One backend's figures: SQLite in a temporary file (pgurl NULL), or the
 * empty PostgreSQL database pgurl. */
static double offer_rate, offer_seconds = 2; /* --offer R [--offer-seconds S] */

static void run_bench(const char *pgurl, int records, int clients,
                      int threads, int bmax, int bwait, double seconds,
                      int nimport)
{
    osafe_err e;
    bench_regdir where;
    if (bench_regdir_make(&where, "api", pgurl, &e))
        die("log", e.msg);
    const char *db = where.db, *logdir = where.logdir, *key = where.key;
    registry *rg;
    reg_opts tro = {.db_path = db, .connections = 1};
    if (reg_open(&tro, &rg, &e) ||
        reg_token_create(rg, "r", "reporter", "acme", reporter,
                         sizeof reporter, &e) ||
        reg_token_create(rg, "v", "reviewer", "", reviewer, sizeof reviewer,
                         &e))
        die("tokens", e.msg);
    reg_close(rg);

    const char *shared = getenv("OSAFE_SHARED") ? getenv("OSAFE_SHARED")
                                                  : "../shared";
    char ex[512];
    snprintf(ex, sizeof ex, "%s/design/examples/minimal-incident.json",
             shared);
    char *text;
    size_t len;
    if (fsx_read_file(ex, 1 << 20, &text, &len, &e))
        die("example record", e.msg);
    example = text;

    registry *reg;
    /* as `osafe serve`: a connection per HTTP thread and one more */
    reg_opts ro = {db, logdir, key, "OSAFE", "bench",
                   (unsigned)threads + 1};
    if (reg_open(&ro, &reg, &e))
        die("registry", e.msg);
    reg_set_batch(reg, (unsigned)bmax, (unsigned)bwait);
    http_opts ho;
    http_opts_default(&ho);
    ho.listen = "127.0.0.1:0";
    ho.threads = (unsigned)threads;
    ho.thread_per_conn = !http_pool;
    web *webui;
    if (web_open(reg, logdir, &webui, &e))
        die("web", e.msg);
    /* No write limit: the benchmark measures the registry, not the limiter. */
    api_ctx ctx = {reg, logdir, webui, NULL, NULL};
    http_server *srv;
    if (http_server_start(&ho, api_handle, &ctx, &srv, &e))
        die("server", e.msg);
    port = http_server_port(srv);

    /* records for each of 1, 4, 64 clients (and --clients if another) */
    int counts[4] = {1, 4, 64, clients}, nruns = 3 + (clients != 1 &&
                                                      clients != 4 &&
                                                      clients != 64);
    char (*ids)[32] = calloc((size_t)records * (size_t)nruns, 32);
    double *pub_ms = calloc((size_t)records * (size_t)nruns, sizeof(double));
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) < 0)
        load[0] = load[1] = load[2] = -1;
    printf("== %s (load average %.2f %.2f %.2f)\n",
           pgurl ? "PostgreSQL" : "SQLite", load[0], load[1], load[2]);
    printf("registry ingest through the API (create + submit + accept, "
           "durable publication into the log), %d records a run, %s %d, "
           "batches of at most %d, wait %d ms:\n",
           records,
           http_pool ? "HTTP pool threads" : "thread per connection, "
                                             "database connections",
           threads, bmax, bwait);
    int nids = 0;
    for (int k = 0; k < nruns; k++) {
        ingest_line(reg, records, counts[k], ids, nids, pub_ms);
        nids += records / counts[k] * counts[k];
    }
    records = nids;
    if (offer_rate > 0)
        offer_line(offer_rate, offer_seconds);

    printf("read latency under load (%d clients, %.0f s, %d published "
           "records):\n",
           clients, seconds, records);
    struct reader rd[64];
    pthread_t t[64];
    double until = now() + seconds;
    for (int i = 0; i < clients; i++) {
        rd[i] = (struct reader){until, ids, records, (unsigned)i * 7919 + 1,
                                {0}, {0}, 200000};
        for (int k = 0; k < R_KINDS; k++)
            rd[i].lat[k] = malloc(rd[i].cap * sizeof(double));
        pthread_create(&t[i], NULL, read_thread, &rd[i]);
    }
    size_t total = 0;
    for (int i = 0; i < clients; i++)
        pthread_join(t[i], NULL);
    for (int k = 0; k < R_KINDS; k++) {
        size_t n = 0;
        for (int i = 0; i < clients; i++)
            n += rd[i].n[k];
        double *all = malloc((n ? n : 1) * sizeof *all);
        size_t at = 0;
        for (int i = 0; i < clients; i++) {
            memcpy(all + at, rd[i].lat[k], rd[i].n[k] * sizeof *all);
            at += rd[i].n[k];
            free(rd[i].lat[k]);
        }
        qsort(all, n, sizeof *all, cmp);
        total += n;
        if (n)
            printf("  %-19s p50 %6.2f ms  p99 %6.2f ms  (%zu requests)\n",
                   kind_names[k], all[n / 2], all[n * 99 / 100], n);
        free(all);
    }
    printf("  throughput: %.0f reads/s\n", (double)total / seconds);
    if (nimport > 0)
        printf("import --publish: %.0f records/s (%d records, batches of "
               "%u)\n",
               import_rate(reg, nimport), nimport,
               (unsigned)OSAFE_IMPORT_BATCH_MAX);
    free(pub_ms);
    http_server_stop(srv);
    web_close(webui);
    reg_close(reg);
    free(ids);
    free(text);
    if (fsx_remove_tree(where.dir, &e))
        fprintf(stderr, "bench_api: %s\n", e.msg);
}

/* --pg SCRIPT: the same figures on a throwaway PostgreSQL cluster that
 * SCRIPT (scripts/pg-cluster) starts on a loopback port and removes. */
static void pg_run(const char *script, int records, int clients,
                   int threads, int bmax, int bwait, double seconds,
                   int nimport)
{
    bench_pg pg;
    if (bench_pg_start(&pg, script))
        die("--pg", "the cluster did not start (see above)");
    run_bench(pg.url, records, clients, threads, bmax, bwait, seconds, nimport);
    if (bench_pg_stop(&pg, script))
        fprintf(stderr, "bench_api: could not remove the cluster in %s\n",
                pg.dir);
}

int main(int argc, char **argv)
{
    int records = 400, clients = 4, threads = 4, nimport = 20000;
    int bmax = OSAFE_BATCH_MAX, bwait = OSAFE_BATCH_WAIT_MS;
    double seconds = 10;
    const char *pgurl = NULL, *cluster = NULL;
    for (int i = 1; i < argc; i += 2) {
        if (!strcmp(argv[i], "--http-pool")) {
            http_pool = 1;
            i--;
            continue;
        }
        if (i + 1 >= argc)
            die("arguments", argv[i]);
        if (!strcmp(argv[i], "--records"))
            records = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--clients"))
            clients = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds"))
            seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--batch-max"))
            bmax = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--batch-wait-ms"))
            bwait = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--db"))
            pgurl = argv[i + 1];
        else if (!strcmp(argv[i], "--pg"))
            cluster = argv[i + 1];
        else if (!strcmp(argv[i], "--import"))
            nimport = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--offer"))
            offer_rate = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--offer-seconds"))
            offer_seconds = atof(argv[i + 1]);
        else
            die("arguments", argv[i]);
    }
    if (clients < 1 || clients > 64 || records < 64 || threads < 1 ||
        threads > 64 || bmax < 1 || bwait < 0 || nimport < 0 ||
        offer_rate < 0 || offer_rate > 1e6 || offer_seconds <= 0 ||
        offer_seconds > 600)
        die("arguments", "need 1 <= clients <= 64, records >= 64, "
                         "1 <= threads <= 64");
    if (sodium_init() < 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (pgurl && strncmp(pgurl, "postgresql://", 13))
        die("--db", "a postgresql:// URL (SQLite is the default)");
    if (pgurl) {
        run_bench(pgurl, records, clients, threads, bmax, bwait, seconds,
                  nimport);
    } else {
        run_bench(NULL, records, clients, threads, bmax, bwait, seconds,
                  nimport);
        if (cluster)
            pg_run(cluster, records, clients, threads, bmax, bwait, seconds,
                   nimport);
    }
    curl_global_cleanup();
    return 0;
}
