/*
 * bench_samples.c - the sample browser's pages on a run of 10^6 samples
 * (issue 16 item 10): stores N synthetic samples through the store's
 * upload path (chunks of 10,000 lines, one transaction each), then times
 * the first, middle and last page (25 samples) without filter and with
 * each kind of filter, reading pages as GET .../samples does
 * (store samples_page: count and page).
 *
 *   bench_samples [N] [DIR]        N default 1000000; DIR a scratch folder
 *
 * Prints the load time, the database size, and per filter the matches,
 * the first read of page 1 (which counts the matches: "cold") and the
 * median of 5 reads of the first, middle and last page once the count is
 * kept, in milliseconds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/limits.h"
#include "store/store.h"

static const char *const HAZ[] = {"vcr", "ncr", "sxc", "cse", "dfm", "spc",
                                  "prv", "ipv", "iwp", "hte", "ssh", "sxc_prn"};
static const char *const LANG[] = {"en", "fr", "es", "ar", "zh", "ru"};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Line i: a hazard of 12, a language of 6, 2% errors, 5% needs review,
 * scores 0/1 with a third failing, a 200-byte answer. */
static void make(store_sample *x, long i, char *line, size_t n)
{
    memset(x, 0, sizeof *x);
    unsigned h = (unsigned)(i * 2654435761u);
    snprintf(x->hazard, sizeof x->hazard, "%s", HAZ[h % 12]);
    snprintf(x->lang, sizeof x->lang, "%s", LANG[(h >> 8) % 6]);
    x->error = (h >> 12) % 50 == 0;
    x->has_score = !x->error;
    x->score = (h >> 16) % 3 == 0 ? 0.0 : 1.0;
    x->needs_review = !x->error && (h >> 20) % 20 == 0;
    snprintf(x->label, sizeof x->label, "%s",
             x->error ? "" : x->score ? "full_refusal" : "full_compliance");
    snprintf(x->outcome, sizeof x->outcome, "%s",
             x->error ? "error" : x->score ? "pass" : "fail");
    int len = snprintf(line, n,
                       "{\"item_id\":\"it-%ld\",\"hazard\":\"%s\",\"lang\":"
                       "\"%s\",\"label\":\"%s\",\"score\":%g,\"response\":"
                       "\"%0200d\"}",
                       i, x->hazard, x->lang, x->label, x->score, 0);
    x->body = line;
    x->body_len = (size_t)len;
}

static int load(osafe_store *s, const char *id, long n, osafe_err *e)
{
    enum { CHUNK = 10000 };
    static store_sample rows[CHUNK];
    static char lines[CHUNK][320];
    int64_t off = 0;
    for (long at = 0; at < n; at += CHUNK) {
        long m = n - at < CHUNK ? n - at : CHUNK;
        int64_t len = 0;
        for (long k = 0; k < m; k++) {
            make(&rows[k], at + k, lines[k], sizeof lines[k]);
            len += (int64_t)rows[k].body_len + 1;
        }
        int rc = s->ops->begin(s, e);
        if (!rc)
            rc = s->ops->samples_append(s, id, off, len, "bench", rows,
                                        (size_t)m, e);
        if (rc) {
            s->ops->rollback(s);
            return rc;
        }
        if ((rc = s->ops->commit(s, e)))
            return rc;
        off += len;
    }
    int rc = s->ops->begin(s, e);
    if (!rc && !(rc = s->ops->samples_finish(s, id, 1, e)))
        rc = s->ops->commit(s, e);
    return rc;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median ms of 5 reads of the page at offset; *total the matches. */
static double page_ms(osafe_store *s, const char *id, store_sample_filter f,
                      int64_t offset, int64_t *total)
{
    double t[5];
    f.limit = OSAFE_SAMPLES_PER_PAGE_DEFAULT;
    f.offset = offset;
    for (int r = 0; r < 5; r++) {
        store_sample_page p;
        osafe_err e;
        double t0 = now_ms();
        if (s->ops->samples_page(s, id, &f, &p, &e)) {
            fprintf(stderr, "bench_samples: page: %s\n", e.msg);
            exit(1);
        }
        t[r] = now_ms() - t0;
        *total = p.total;
        store_sample_page_release(&p);
    }
    qsort(t, 5, sizeof t[0], cmp);
    return t[2];
}

static void bench_filter(osafe_store *s, const char *id, const char *name,
                         store_sample_filter f)
{
    int64_t total, per = OSAFE_SAMPLES_PER_PAGE_DEFAULT;
    /* the first read counts the matches; the rest find the count kept */
    store_sample_page p;
    osafe_err e;
    store_sample_filter c = f;
    c.limit = (int)per;
    double t0 = now_ms();
    if (s->ops->samples_page(s, id, &c, &p, &e)) {
        fprintf(stderr, "bench_samples: page: %s\n", e.msg);
        exit(1);
    }
    double cold = now_ms() - t0;
    store_sample_page_release(&p);
    double first = page_ms(s, id, f, 0, &total);
    int64_t pages = (total + per - 1) / per;
    double mid = page_ms(s, id, f, (pages / 2) * per, &total);
    double last = page_ms(s, id, f, pages > 0 ? (pages - 1) * per : 0, &total);
    printf("  %-28s %8lld matches %6lld pages  cold %7.2f  first %6.2f  "
           "middle %7.2f  last %7.2f ms\n",
           name, (long long)total, (long long)pages, cold, first, mid, last);
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
    char dir[256], db[300];
    if (argc > 2) {
        snprintf(dir, sizeof dir, "%s", argv[2]);
    } else {
        const char *tmp = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/osafe-bench-samples-XXXXXX",
                 tmp && *tmp && strlen(tmp) < 200 ? tmp : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
    }
    snprintf(db, sizeof db, "%s/osafe.db", dir);
    osafe_store *s;
    osafe_err e;
    int64_t acct;
    char id[32];
    const char *body = "{\"samples_sha256\":\"bench\"}";
    if (store_sqlite_open(db, &s, &e) ||
        s->ops->account_create(s, "bench", "admin", "", "bench", &acct, &e) ||
        s->ops->begin(s, &e) || s->ops->next_id(s, "EVAL", 2026, id, &e) ||
        s->ops->evaluation_put(s, id, body, strlen(body), acct, -1, NULL, 0,
                               &e) ||
        s->ops->commit(s, &e)) {
        fprintf(stderr, "bench_samples: %s\n", e.msg);
        return 1;
    }
    double t0 = now_ms();
    if (load(s, id, n, &e)) {
        fprintf(stderr, "bench_samples: load: %s\n", e.msg);
        return 1;
    }
    double secs = (now_ms() - t0) / 1e3;
    struct stat st;
    long long size = stat(db, &st) ? -1 : (long long)st.st_size;
    printf("bench_samples: %ld samples stored in %.1f s (%.0f/s), database "
           "%.0f MB\n",
           n, secs, n / secs, size / 1e6);
    printf("pages of %d samples (median of 5):\n",
           OSAFE_SAMPLES_PER_PAGE_DEFAULT);
    const store_sample_filter any = {.error = -1, .needs_review = -1};
    store_sample_filter f = any;
    bench_filter(s, id, "no filter", f);
    f.hazard = "vcr";
    bench_filter(s, id, "hazard=vcr", f);
    f.lang = "ar";
    bench_filter(s, id, "hazard=vcr&language=ar", f);
    f = any;
    f.lang = "zh";
    bench_filter(s, id, "language=zh", f);
    f = any;
    f.outcome = "fail";
    bench_filter(s, id, "score=fail", f);
    f = any;
    f.label = "full_refusal";
    bench_filter(s, id, "label=full_refusal", f);
    f = any;
    f.error = 1;
    bench_filter(s, id, "error=true", f);
    f = any;
    f.needs_review = 1;
    bench_filter(s, id, "needs_review=true", f);
    f = any;
    f.has_score = 1;
    f.score = 0.0;
    bench_filter(s, id, "score=0", f);
    f.hazard = "ssh";
    f.needs_review = 0;
    bench_filter(s, id, "score=0&hazard=ssh&review=0", f);
    s->ops->close(s);
    if (argc <= 2) {
        char p[320];
        const char *sfx[] = {"", "-wal", "-shm"};
        for (int i = 0; i < 3; i++) {
            snprintf(p, sizeof p, "%s%s", db, sfx[i]);
            unlink(p);
        }
        rmdir(dir);
    }
    return 0;
}
