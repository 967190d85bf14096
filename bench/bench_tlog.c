/*
 * bench_tlog.c - transparency-log figures for docs/PERFORMANCE.md.
 *
 *   bench_tlog [--entries N] [--dir DIR]
 *
 * 1. append throughput, 1 KiB entries, batches of 1, 64 and 1024 (every
 *    batch durable: fsync + signed checkpoint, as in production);
 * 2. a log of N entries (default 1,000,000) built in batches of 1024;
 *    inclusion-proof latency over random indices (warm handle, and a fresh
 *    handle per proof as a one-shot CLI call would see it);
 * 3. a full audit (tlog_log_audit) of that log.
 * Figures are printed with their ratio to the targets of issue 2.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fsx.h"
#include "tlog/log.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const osafe_err *e)
{
    fprintf(stderr, "bench_tlog: %s: %s\n", what, e->msg);
    exit(1);
}

static void make_log(const char *dir, const char *keyfile)
{
    osafe_err e;
    /* A leftover of an earlier run: tlog_log_init refuses a used folder. */
    if (fsx_remove_tree(dir, &e) != 0)
        die("clean", &e);
    if (tlog_log_init(dir, "bench.osafe.dev/log", keyfile, &e) != 0)
        die("init", &e);
}

/* Append `batches` batches of `batch` 1 KiB entries; returns seconds. */
static double append_run(const char *dir, size_t batch, size_t batches,
                         uint64_t *counter)
{
    osafe_err e;
    tlog_log *log;
    if (tlog_log_open(dir, TLOG_OPEN_WRITE, NULL, &log, &e) != 0)
        die("open", &e);
    char *data = malloc(batch * 1024);
    tlog_entry *ents = malloc(batch * sizeof *ents);
    double t0 = now();
    for (size_t b = 0; b < batches; b++) {
        for (size_t i = 0; i < batch; i++) {
            char *p = data + i * 1024;
            memset(p, 'a' + (int)(i % 26), 1024);
            snprintf(p, 32, "entry %llu", (unsigned long long)(*counter)++);
            ents[i] = (tlog_entry){p, 1024};
        }
        uint64_t first;
        if (tlog_log_append(log, ents, batch, &first, &e) != 0)
            die("append", &e);
    }
    double t = now() - t0;
    tlog_log_close(log);
    free(data);
    free(ents);
    return t;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void prove_run(const char *dir, uint64_t size, int fresh, int n)
{
    osafe_err e;
    tlog_log *log = NULL;
    double *lat = malloc((size_t)n * sizeof *lat);
    uint64_t seed = 42;
    if (!fresh && tlog_log_open(dir, TLOG_OPEN_READ, NULL, &log, &e) != 0)
        die("open", &e);
    for (int i = 0; i < n; i++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t index = (seed >> 11) % size;
        double t0 = now();
        if (fresh && tlog_log_open(dir, TLOG_OPEN_READ, NULL, &log, &e) != 0)
            die("open", &e);
        tlog_hash proof[TLOG_PROOF_MAX], leaf;
        size_t np;
        tlog_reader r = tlog_log_reader(log);
        if (tlog_prove_inclusion(&r, index, size, proof, &np, &e) != 0 ||
            r.read(r.ctx, 0, index, &leaf, &e) != 0)
            die("prove", &e);
        if (fresh) {
            tlog_log_close(log);
            log = NULL;
        }
        lat[i] = (now() - t0) * 1e6;
        /* Check outside the timed part: the proof must verify. */
        if (i < 50) {
            tlog_log *l2;
            if (tlog_log_open(dir, TLOG_OPEN_READ, NULL, &l2, &e) != 0 ||
                tlog_verify_inclusion(index, size, &leaf, proof, np,
                                      &tlog_log_head(l2)->root, &e) != 0)
                die("verify", &e);
            tlog_log_close(l2);
        }
    }
    tlog_log_close(log);
    qsort(lat, (size_t)n, sizeof *lat, cmp_double);
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += lat[i];
    printf("  proof (%s handle): mean %.1f us, p50 %.1f us, p99 %.1f us "
           "over %d proofs; target < 1000 us: %.0fx under\n",
           fresh ? "fresh" : "warm", sum / n, lat[n / 2], lat[n * 99 / 100],
           n, 1000.0 / lat[n * 99 / 100]);
    free(lat);
}

int main(int argc, char **argv)
{
    uint64_t entries = 1000000;
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char keydir[4096], dir[4200], keyfile[4200];
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--entries"))
            entries = strtoull(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--dir"))
            base = argv[i + 1];
    }
    if (sodium_init() < 0)
        return 1;
    snprintf(keydir, sizeof keydir, "%s/osafe-bench-XXXXXX", base);
    if (!mkdtemp(keydir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(dir, sizeof dir, "%s/log", keydir);
    snprintf(keyfile, sizeof keyfile, "%s/bench.key", keydir);
    osafe_err e;
    tlog_signer s;
    osafe_buf kb = OSAFE_BUF_INIT;
    if (tlog_signer_generate("bench.osafe.dev/log", &s, &e) != 0)
        die("key", &e);
    if (tlog_signer_format(&s, &kb) != 0)
        die("key", &e);
    if (fsx_write_new(keyfile, kb.data, kb.len, 0600, &e) != 0)
        die("key", &e);
    buf_release(&kb);

    printf("tlog append throughput (1 KiB entries, durable batches):\n");
    const struct {
        size_t batch, batches;
    } runs[] = {{1, 300}, {64, 100}, {1024, 60}};
    double rate1024 = 0, rate1 = 0;
    for (size_t i = 0; i < 3; i++) {
        uint64_t counter = 0;
        make_log(dir, keyfile);
        /* Warm up past the first few tiles so that every batch pays the
         * steady-state cost (a partial bundle of typical size). */
        append_run(dir, 100, 1, &counter);
        double t = append_run(dir, runs[i].batch, runs[i].batches, &counter);
        double rate = (double)(runs[i].batch * runs[i].batches) / t;
        printf("  batch %4zu: %9.0f entries/s  (%6.2f ms per batch, %zu "
               "batches)\n",
               runs[i].batch, rate, t * 1e3 / (double)runs[i].batches,
               runs[i].batches);
        if (runs[i].batch == 1024)
            rate1024 = rate;
        if (runs[i].batch == 1)
            rate1 = rate;
    }
    printf("  batch 1024 vs target 50000/s: %.2fx; batch 1024 vs batch 1: "
           "%.0fx\n",
           rate1024 / 50000.0, rate1024 / rate1);

    printf("building a %llu-entry log in batches of 1024...\n",
           (unsigned long long)entries);
    make_log(dir, keyfile);
    uint64_t counter = 0;
    double t = append_run(dir, 1024, (size_t)(entries / 1024), &counter);
    if (entries % 1024)
        t += append_run(dir, entries % 1024, 1, &counter);
    printf("  built in %.1f s (%.0f entries/s)\n", t, (double)entries / t);

    printf("inclusion proofs at size %llu:\n", (unsigned long long)entries);
    prove_run(dir, entries, 0, 20000);
    prove_run(dir, entries, 1, 2000);

    tlog_verifier v = s.v;
    tlog_signer_wipe(&s);
    tlog_audit_stats st;
    double t0 = now();
    if (tlog_log_audit(dir, &v, &st, &e) != 0)
        die("audit", &e);
    t = now() - t0;
    printf("full audit: %llu entries, %llu tiles, %.0f MiB in %.2f s "
           "(%.0f entries/s, %.0f MiB/s)\n",
           (unsigned long long)st.size, (unsigned long long)st.tiles,
           (double)st.bytes / 1048576.0, t, (double)st.size / t,
           (double)st.bytes / 1048576.0 / t);
    osafe_err re;
    if (fsx_remove_tree(keydir, &re) != 0)
        fprintf(stderr, "bench_tlog: %s\n", re.msg);
    return 0;
}
