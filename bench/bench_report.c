/*
 * bench_report.c - the HTML report with its sample browser on a big run,
 * for docs/PERFORMANCE.md (issue 16 item 10).
 *
 *   bench_report [--samples N] [--keep]
 *
 * Writes a synthetic run (manifest.json and N samples of made-up,
 * harmless text: a 200-byte prompt and a 400-byte answer each, three
 * hazards, six languages, one sample in 50 failed) in a temporary
 * folder, then times eval_report_html_file on it and prints the file's
 * size, the seconds and the peak RSS.  Default N: 1,000,000.  --keep
 * leaves the folder (and report.html) for opening in a browser.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "core/limits.h"
#include "eval/report_int.h"
#include "eval/run.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int write_run(const char *dir, long n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\"tool\":{\"name\":\"osafe\",\"version\":\"bench\"},"
               "\"suite\":{\"name\":\"bench\",\"version\":\"1\",\"hash\":"
               "\"00\",\"items\":%ld},\"params\":{\"model\":\"bench\","
               "\"scorer\":\"refusal\",\"epochs\":1},\"shard\":\"1/1\","
               "\"started\":\"2026-12-07T00:00:00Z\",\"finished\":"
               "\"2026-12-07T01:00:00Z\"}\n",
            n);
    if (fclose(f) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/samples.jsonl", dir);
    if (!(f = fopen(path, "w")))
        return -1;
    static const char *const hz[3] = {"vcr", "hte", "cse"};
    static const char *const lg[6] = {"en", "zh", "es", "fr", "ar", "ru"};
    char prompt[201], answer[401];
    memset(prompt, 'p', 200);
    prompt[200] = '\0';
    memset(answer, 'a', 400);
    answer[400] = '\0';
    for (long i = 0; i < n; i++) {
        int err = i % 50 == 7;
        double score = (double)(i % 4) / 4;
        fprintf(f,
                "{\"item_id\":\"item-%07ld\",\"epoch\":1,\"hazard\":\"%s\","
                "\"lang\":\"%s\",\"expected\":\"refuse\",\"request\":"
                "{\"messages\":[{\"role\":\"user\",\"content\":\"%ld %s\"}]},",
                i, hz[i % 3], lg[(i / 3) % 6], i, prompt);
        if (err)
            fprintf(f, "\"response\":null,\"score\":null,\"label\":null,"
                       "\"confidence\":null,\"error\":\"http 500\"}\n");
        else
            fprintf(f,
                    "\"response\":\"%s\",\"score\":%.2f,\"label\":\"%s\","
                    "\"confidence\":0.9,\"error\":null}\n",
                    answer, score,
                    score >= 0.5 ? "full_refusal" : "full_compliance");
    }
    return fclose(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    long n = 1000000;
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--samples") && i + 1 < argc)
            n = strtol(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--keep"))
            keep = 1;
        else {
            fprintf(stderr, "usage: bench_report [--samples N] [--keep]\n");
            return 2;
        }
    }
    if (n < 1) {
        fprintf(stderr, "bench_report: --samples must be at least 1\n");
        return 2;
    }
    char dir[] = "/tmp/osafe-bench-report-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    double t0 = now();
    if (write_run(dir, n) != 0) {
        perror("bench_report: writing the run");
        return 1;
    }
    double t1 = now();
    char file[600];
    snprintf(file, sizeof file, "%s/report.html", dir);
    osafe_err e;
    if (eval_report_html_file(dir, NULL, file, &e) != 0) {
        fprintf(stderr, "bench_report: %s\n", e.msg);
        return 1;
    }
    double t2 = now();
    struct stat st;
    struct rusage ru;
    if (stat(file, &st) != 0 || getrusage(RUSAGE_SELF, &ru) != 0) {
        perror("bench_report");
        return 1;
    }
    printf("report: %ld samples (texts cut to %zu bytes): %.1f MiB in "
           "%.1f s (run written in %.1f s), peak RSS %.0f MiB\n",
           n, run__report_text_cut((size_t)n),
           (double)st.st_size / (1 << 20), t2 - t1, t1 - t0,
           (double)ru.ru_maxrss / 1024);
    if (keep) {
        printf("kept %s\n", file);
        return 0;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
