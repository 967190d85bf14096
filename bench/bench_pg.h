/*
 * bench_pg.h - the throwaway PostgreSQL cluster of the registry benchmarks'
 * --pg SCRIPT (scripts/pg-cluster: started on a loopback port, removed
 * afterwards).  Header-only, static: each benchmark is its own program.
 */
#ifndef OSAFE_BENCH_PG_H
#define OSAFE_BENCH_PG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct bench_pg {
    char dir[32];  /* the cluster lives in dir/c */
    char url[512]; /* postgresql://... once started */
} bench_pg;

/* Start a cluster with SCRIPT; 0 with p->url set, or -1. */
static int bench_pg_start(bench_pg *p, const char *script)
{
    char cmd[1024];
    snprintf(p->dir, sizeof p->dir, "/tmp/osafe-bench-pg-XXXXXX");
    p->url[0] = 0;
    /* the server runs as "nobody" when we are root: it must reach DIR/c */
    if (!mkdtemp(p->dir) || chmod(p->dir, 0755))
        return -1;
    fflush(stdout);
    snprintf(cmd, sizeof cmd, "'%s' start '%s/c'", script, p->dir);
    FILE *f = popen(cmd, "r");
    if (!f || !fgets(p->url, sizeof p->url, f))
        p->url[0] = 0;
    int st = f ? pclose(f) : -1;
    p->url[strcspn(p->url, "\n")] = 0;
    return st == 0 && !strncmp(p->url, "postgresql://", 13) ? 0 : -1;
}

/* Stop and remove the cluster; 0, or -1 when something is left behind. */
static int bench_pg_stop(bench_pg *p, const char *script)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' stop '%s/c'; rmdir '%s'", script, p->dir,
             p->dir);
    return system(cmd) == 0 ? 0 : -1;
}

#endif
