/*
 * bench_eval.c - evaluation-harness figures for docs/PERFORMANCE.md.
 *
 *   bench_eval [--items N] [--big M] [--osafe PATH]
 *
 * Writes a synthetic refusal suite, starts an instant OpenAI-compatible
 * endpoint (src/server/http.h, in a child process), and runs the real
 * `osafe eval run` against it as a subprocess (no cache, so every item is a
 * request):
 * 1. items/s at concurrency 1, 16, 64 and 256 (N items each);
 * 2. peak RSS of the harness on an N-item and an M-item suite (default
 *    1,000,000), to show memory flat in the suite size.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/fsx.h"
#include "server/http.h"

#ifndef OSAFE_BIN
#define OSAFE_BIN "build/osafe"
#endif

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void answer(void *ctx, const http_req *q, http_resp *w)
{
    (void)ctx;
    (void)q;
    /* Half refusals, half answers: the scorer does its real work. */
    static const char refuse[] =
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"instant\","
        "\"system_fingerprint\":\"fp_instant\",\"choices\":[{\"index\":0,"
        "\"message\":{\"role\":\"assistant\",\"content\":\"I'm sorry, but I "
        "can't help with that request.\"},\"finish_reason\":\"stop\"}],"
        "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":11}}";
    static const char comply[] =
        "{\"id\":\"x\",\"object\":\"chat.completion\",\"model\":\"instant\","
        "\"system_fingerprint\":\"fp_instant\",\"choices\":[{\"index\":0,"
        "\"message\":{\"role\":\"assistant\",\"content\":\"Sure. Here is an "
        "overview of the topic, in three short steps: first, read the "
        "background; second, compare the sources; third, summarise.\"},"
        "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,"
        "\"completion_tokens\":30}}";
    size_t len;
    const char *body = http_req_body(q, &len);
    http_resp_json(w, 200, len % 2 ? refuse : comply);
    (void)body;
}

static pid_t start_server(unsigned *port)
{
    int fds[2];
    if (pipe(fds) != 0)
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        http_opts o;
        http_opts_default(&o);
        o.listen = "127.0.0.1:0";
        o.threads = 2;
        o.max_conns = 2048;
        o.per_ip_conns = 2048;
        http_server *s;
        osafe_err e;
        if (http_server_start(&o, answer, NULL, &s, &e) != 0) {
            fprintf(stderr, "bench_eval: server: %s\n", e.msg);
            _exit(1);
        }
        unsigned p = http_server_port(s);
        if (write(fds[1], &p, sizeof p) != (ssize_t)sizeof p)
            _exit(1);
        for (;;)
            pause();
    }
    close(fds[1]);
    if (read(fds[0], port, sizeof *port) != (ssize_t)sizeof *port) {
        fprintf(stderr, "bench_eval: server did not start\n");
        exit(1);
    }
    close(fds[0]);
    return pid;
}

static void write_suite(const char *dir, size_t n)
{
    osafe_err e;
    char path[4400];
    if (fsx_mkdirs(dir, &e)) {
        fprintf(stderr, "bench_eval: %s\n", e.msg);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/suite.yaml", dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "name: \"bench\"\nversion: \"1\"\ndescription: \"synthetic\"\n"
               "source: \"bench_eval\"\nlicense: \"CC0-1.0\"\n"
               "languages: [\"en\"]\ndefault_scorer: \"refusal\"\n"
               "taxonomy: \"ailuminate-v1.0\"\n");
    fclose(f);
    snprintf(path, sizeof path, "%s/items.jsonl", dir);
    f = fopen(path, "w");
    static const char *const hz[] = {"vcr", "ncr", "ssh", "prv"};
    for (size_t i = 0; i < n; i++)
        fprintf(f,
                "{\"expected\":\"%s\",\"hazard\":\"%s\",\"id\":\"b%zu\","
                "\"input\":\"Question number %zu about a synthetic topic\","
                "\"lang\":\"en\"}\n",
                i % 3 ? "refuse" : "comply", hz[i % 4], i, i);
    fclose(f);
}

/* Run `osafe eval run`; returns wall seconds, *rss_kib the peak RSS. */
static double run_eval(const char *osafe, const char *suite, const char *out,
                       unsigned port, unsigned conc, size_t limit,
                       long *rss_kib)
{
    char url[64], c[16], l[32];
    snprintf(url, sizeof url, "http://127.0.0.1:%u", port);
    snprintf(c, sizeof c, "%u", conc);
    snprintf(l, sizeof l, "%zu", limit);
    double t0 = now();
    pid_t pid = fork();
    if (pid == 0) {
        execl(osafe, osafe, "eval", "run", suite, "--endpoint", url, "--model",
              "instant", "--out", out, "--concurrency", c, "--limit", l,
              "--no-cache", "--quiet", "--retries", "0", (char *)NULL);
        _exit(127);
    }
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    double t = now() - t0;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_eval: osafe eval run failed (status %d)\n",
                status);
        exit(1);
    }
    *rss_kib = ru.ru_maxrss;
    return t;
}

int main(int argc, char **argv)
{
    size_t items = 20000, big = 1000000;
    const char *osafe = OSAFE_BIN;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--items"))
            items = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--big"))
            big = strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--osafe"))
            osafe = argv[i + 1];
    }
    char dir[] = "/tmp/osafe-bench-eval-XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    char suite[4200], bigsuite[4200], out[4200];
    snprintf(suite, sizeof suite, "%s/suite", dir);
    snprintf(bigsuite, sizeof bigsuite, "%s/big", dir);
    write_suite(suite, items);
    if (big > items)
        write_suite(bigsuite, big);
    unsigned port;
    pid_t server = start_server(&port);
    printf("eval harness against an instant local endpoint (refusal scorer, "
           "no cache, %zu items a run):\n",
           items);
    static const unsigned conc[] = {1, 16, 64, 256};
    double at64 = 0;
    long rss_small = 0;
    for (int i = 0; i < 4; i++) {
        snprintf(out, sizeof out, "%s/run-c%u", dir, conc[i]);
        long rss;
        double t = run_eval(osafe, suite, out, port, conc[i], items, &rss);
        double rate = (double)items / t;
        if (conc[i] == 64) {
            at64 = rate;
            rss_small = rss;
        }
        printf("  concurrency %3u: %8.0f items/s  (peak RSS %.1f MiB)\n",
               conc[i], rate, (double)rss / 1024);
    }
    printf("  at concurrency 64 vs target 5000 items/s: %.2fx\n",
           at64 / 5000);
    if (big > items) {
        snprintf(out, sizeof out, "%s/run-big", dir);
        long rss;
        double t = run_eval(osafe, bigsuite, out, port, 64, big, &rss);
        printf("  %zu items at concurrency 64: %.1f s (%.0f items/s), peak "
               "RSS %.1f MiB vs %.1f MiB at %zu items; target < 64 MiB: "
               "%.2fx\n",
               big, t, (double)big / t, (double)rss / 1024,
               (double)rss_small / 1024, items, 64.0 * 1024 / (double)rss);
    }
    kill(server, SIGTERM);
    waitpid(server, NULL, 0);
    osafe_err e;
    if (fsx_remove_tree(dir, &e))
        fprintf(stderr, "bench_eval: %s\n", e.msg);
    return 0;
}
