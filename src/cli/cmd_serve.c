/*
 * cmd_serve.c - `osafe serve`: the registry's HTTP API and log mirror.
 */
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/limits.h"
#include "core/fsx.h"
#include "federation/federation.h"
#include "registry/registry.h"
#include "store/store.h"
#include "server/api.h"
#include "server/http.h"
#include "server/ratelimit.h"
#include "server/web.h"
#include "risk/risk_policy.h"
#include "tlog/log.h"
#include "store/store.h"

const char usage_serve[] =
    "usage: osafe serve [--db FILE] [--listen ADDR:PORT] [--log DIR]\n"
    "                   [--key FILE.key] [--origin ORIGIN] [--threads N]\n"
    "                   [--write-rate N] [--read-rate N]\n"
    "                   [--batch-max N] [--batch-wait-ms MS]\n"
    "\n"
    "Serve the incident registry's JSON API under /api/v1/ (docs/API.md),\n"
    "the transparency log read-only under /log/ (C2SP tlog-tiles), and the\n"
    "web interface in six languages on every other path, from / (docs/WEB.md).\n"
    "\n"
    "--db FILE        SQLite database (default ./osafe.db; created), or a\n"
    "                 postgresql://USER[:PASSWORD]@HOST[:PORT]/DB URL\n"
    "                 (shown without its password); several serve\n"
    "                 processes may share one if they share --log DIR\n"
    "                 (docs/DEPLOY.md)\n"
    "--listen A:P     address (default 127.0.0.1:8420; loopback unless told)\n"
    "--log DIR        transparency log (default ./osafe-log; created)\n"
    "--key FILE.key   log signing key (default DIR.key; created with the log\n"
    "                 if absent, and its path printed)\n"
    "--origin ORIGIN  the log's origin when it is created (default: the\n"
    "                 name of an existing --key, else localhost/osafe-log)\n"
    "--threads N      database connections for requests (default 4); with\n"
    "                 --http-pool also the HTTP worker threads\n"
    "--http-pool      serve connections from a pool of --threads threads\n"
    "                 instead of a thread for each connection (at most\n"
    "                 1024 connections then): fewer threads, but a write\n"
    "                 waiting for its group commit holds up the other\n"
    "                 connections of its thread, so batches stay small\n"
    "--batch-max N    group commit: writes (create, submit, review,\n"
    "                 import) committed and logged together, one signed\n"
    "                 checkpoint for all, at most (default 256, 1..4096)\n"
    "--batch-wait-ms MS  how long a batch's first write may wait for\n"
    "                 others while writes arrive together, at most: it\n"
    "                 stops once the writers of the last batch are back,\n"
    "                 and after half that batch's time (default 50,\n"
    "                 0..1000; 0: batch only what queued meanwhile)\n"
    "--risk-policy FILE  YAML overriding the risk ranking's defaults on the\n"
    "                 dashboard and /risks (as `osafe risk rank --policy`)\n"
    "--write-rate N   writes (API POST/PATCH/DELETE, form posts) per account\n"
    "                 and minute, a burst of N then N a minute; past it 429\n"
    "                 with Retry-After (default 300; 0: no limit)\n"
    "--read-rate N    risk rankings computed (pages not in the cache) per\n"
    "                 client address and minute (default 12; 0: no limit)\n"
    "--max-conns N    open connections in total (default 4096; lowered to\n"
    "                 fit the open-file limit)\n"
    "--max-conns-per-addr N  open connections from one address (default\n"
    "                 128); behind a reverse proxy every user shares its\n"
    "                 address, so raise it\n"
    "--trusted-proxy A[,A...]  numeric addresses of reverse proxies whose\n"
    "                 X-Forwarded-For / X-Forwarded-Proto are believed\n"
    "                 (default none: the socket's peer is the client)\n"
    "--witness-key FILE.key  witness the peers' logs (C2SP tlog-witness:\n"
    "                 POST /witness/add-checkpoint), cosigning with this key\n"
    "                 (`osafe key generate`; not the log's key)\n"
    "--sync-interval S  pull from every active peer (`osafe peer`) every S\n"
    "                 seconds, 1..86400, in the background (default: never;\n"
    "                 docs/FEDERATION.md)\n"
    "--sync-rate N    requests per second to one peer while syncing, 1..\n"
    "                 100000 (default 200)\n"
    "--sync-witness FILE.vkey  (repeatable) take a peer's checkpoint only\n"
    "                 if it carries valid cosignatures by these witnesses,\n"
    "                 as `osafe peer sync --witness`; otherwise nothing is\n"
    "                 taken and `osafe peer list` shows why\n"
    "--sync-quorum K  how many of the --sync-witness keys must cosign\n"
    "                 (default: all of them)\n"
    "\n"
    "Accounts: `osafe token create`.  Witnesses of this log: `osafe witness\n"
    "add` (each new checkpoint is sent to them in the background and served\n"
    "at /log/checkpoint with their cosignatures).  Stop with SIGINT or\n"
    "SIGTERM.\n";

/*
 * Each connection is a descriptor: raise the soft open-file limit towards
 * the hard one so that max_conns fit, else lower max_conns to what does
 * (saying so).  Returns the connection limit to use.
 */
static unsigned fit_fd_limit(unsigned max_conns)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return max_conns;
    rlim_t want = (rlim_t)max_conns + OSAFE_HTTP_FD_RESERVE;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rlim_t old = rl.rlim_cur;
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want
                          ? want
                          : rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            rl.rlim_cur = old;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        unsigned fit = rl.rlim_cur > 2 * OSAFE_HTTP_FD_RESERVE
                           ? (unsigned)(rl.rlim_cur - OSAFE_HTTP_FD_RESERVE)
                           : OSAFE_HTTP_FD_RESERVE;
        fprintf(stderr,
                "osafe serve: open-file limit %llu: at most %u connections "
                "(raise `ulimit -n` for more)\n",
                (unsigned long long)rl.rlim_cur, fit);
        return fit < max_conns ? fit : max_conns;
    }
    return max_conns;
}

/* --max-conns and --max-conns-per-addr into o (1..UINT_MAX/2, per-addr
 * at most the total), and --http-pool.  0 or the usage error's exit
 * status. */
static int conn_opts(const char *total, const char *per_addr, int http_pool,
                     http_opts *o)
{
    o->thread_per_conn = !http_pool;
    unsigned long long t = o->max_conns, p = o->per_ip_conns;
    int rc;
    if (total && ((rc = cli_u64("serve", "--max-conns", total, &t)) ||
                  t < 1 || t > 1000000))
        return rc ? rc
                  : cli_usage_error("serve", "--max-conns must be 1..1000000");
    if (per_addr &&
        ((rc = cli_u64("serve", "--max-conns-per-addr", per_addr, &p)) ||
         p < 1 || p > 1000000))
        return rc ? rc
                  : cli_usage_error("serve",
                                    "--max-conns-per-addr must be 1..1000000");
    o->max_conns = (unsigned)t;
    o->per_ip_conns = (unsigned)(p < t ? p : t);
    return 0;
}

static int ensure_log(const char *dir, const char *key, const char *origin,
                      osafe_err *e)
{
    char cp[OSAFE_PATH_MAX];
    snprintf(cp, sizeof cp, "%s/checkpoint", dir);
    if (fsx_exists(cp))
        return 0;
    if (!fsx_exists(key)) {
        tlog_signer s;
        osafe_buf k = OSAFE_BUF_INIT, v = OSAFE_BUF_INIT;
        char vpath[OSAFE_PATH_MAX];
        snprintf(vpath, sizeof vpath, "%.*s.vkey",
                 (int)(strlen(key) > 4 && !strcmp(key + strlen(key) - 4, ".key")
                           ? strlen(key) - 4
                           : strlen(key)),
                 key);
        int rc = tlog_signer_generate(origin, &s, e);
        if (!rc && (tlog_signer_format(&s, &k) || buf_putc(&k, '\n') ||
                    tlog_verifier_format(&s.v, &v) || buf_putc(&v, '\n')))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        tlog_signer_wipe(&s);
        if (!rc)
            rc = fsx_write_new(key, k.data, k.len, 0600, e);
        if (!rc && !fsx_exists(vpath))
            rc = fsx_write_new(vpath, v.data, v.len, 0644, e);
        if (k.data)
            memset(k.data, 0, k.len);
        buf_release(&k);
        buf_release(&v);
        if (rc)
            return rc;
        fprintf(stderr,
                "osafe serve: created log key %s (verifier key %s)\n", key,
                vpath);
    }
    int rc = tlog_log_init(dir, origin, key, e);
    if (!rc)
        fprintf(stderr, "osafe serve: created log %s (origin %s)\n", dir,
                origin);
    return rc;
}

/*
 * Without --origin, a new log takes the name of the key it is given (the
 * origin must equal the key's name), and a new key gets the default name.
 * name must hold OSAFE_KEY_NAME_MAX + 1 bytes.
 */
static int default_origin(const char *key, char *name, osafe_err *e)
{
    snprintf(name, OSAFE_KEY_NAME_MAX + 1, "%s", "localhost/osafe-log");
    if (!fsx_exists(key))
        return 0;
    tlog_signer s;
    int rc = tlog_signer_load(key, &s, e);
    if (rc == 0)
        snprintf(name, OSAFE_KEY_NAME_MAX + 1, "%s", s.v.name);
    tlog_signer_wipe(&s);
    return rc;
}

/* --write-rate / --read-rate: a rate per minute, 0 to the option ceiling. */
static int rate_opt(const char *name, const char *text, unsigned dflt,
                    unsigned *out)
{
    unsigned long long v = dflt;
    int rc = text ? cli_u64("serve", name, text, &v) : 0;
    if (rc)
        return rc;
    if (v > OSAFE_RATE_OPTION_MAX)
        return cli_usage_error("serve", "%s must be 0..%d", name,
                               OSAFE_RATE_OPTION_MAX);
    *out = (unsigned)v;
    return 0;
}

/* --sync-interval: 1..OSAFE_PEER_SYNC_INTERVAL_MAX seconds, 0 if absent. */
static int sync_opt(const char *text, unsigned long long *out)
{
    int rc = text ? cli_u64("serve", "--sync-interval", text, out) : 0;
    if (!rc && text && (*out < 1 || *out > OSAFE_PEER_SYNC_INTERVAL_MAX))
        rc = cli_usage_error("serve", "--sync-interval must be 1..%u",
                             OSAFE_PEER_SYNC_INTERVAL_MAX);
    return rc;
}

/* --sync-rate: 1..OSAFE_PEER_RATE_MAX requests per second, 0 if absent
 * (the default). */
static int sync_rate_opt(const char *text, unsigned long long *out)
{
    int rc = text ? cli_u64("serve", "--sync-rate", text, out) : 0;
    if (!rc && text && (*out < 1 || *out > OSAFE_PEER_RATE_MAX))
        rc = cli_usage_error("serve", "--sync-rate must be 1..%u",
                             OSAFE_PEER_RATE_MAX);
    return rc;
}

/* The background sync's options, as `peer sync` takes them: interval 0
 * is no sync; o.w points into w. */
struct sync_cfg {
    const char *interval, *rate, *quorum;
    struct opt_list wfiles;
    unsigned long long s;
    fed_sync_opts o;
    tlog_verifier w[OSAFE_WITNESS_MAX];
};

/* --sync-interval, --sync-rate, --sync-witness (repeated), --sync-quorum:
 * the witness policy is parsed by the code of `peer sync --witness`. */
static int sync_cfg_parse(struct sync_cfg *c)
{
    unsigned long long r = 0;
    int rc;
    if ((rc = sync_opt(c->interval, &c->s)) ||
        (rc = sync_rate_opt(c->rate, &r)))
        return rc;
    if (!c->s && (c->wfiles.n || c->quorum))
        return cli_usage_error("serve", "--sync-witness and --sync-quorum "
                                        "need --sync-interval");
    if (c->quorum && !c->wfiles.n)
        return cli_usage_error("serve", "--sync-quorum needs at least one "
                                        "--sync-witness FILE.vkey");
    c->o = (fed_sync_opts){(unsigned)r, -1, c->w, 0, 0};
    if ((rc = cli_witness_policy("serve", &c->wfiles, c->quorum, c->w,
                                 &c->o.nw, &c->o.quorum)))
        return rc;
    return 0;
}

/* --batch-max N (1..OSAFE_BATCH_MAX_MAX) and --batch-wait-ms MS
 * (0..OSAFE_BATCH_WAIT_MS_MAX): the group commit's batches. */
static int batch_opts(const char *max_text, const char *wait_text,
                      unsigned long long *max, unsigned long long *wait)
{
    int rc = 0;
    *max = OSAFE_BATCH_MAX;
    *wait = OSAFE_BATCH_WAIT_MS;
    if (max_text && ((rc = cli_u64("serve", "--batch-max", max_text, max)) ||
                     *max < 1 || *max > OSAFE_BATCH_MAX_MAX))
        return rc ? rc
                  : cli_usage_error("serve", "--batch-max must be 1..%u",
                                    (unsigned)OSAFE_BATCH_MAX_MAX);
    if (wait_text &&
        ((rc = cli_u64("serve", "--batch-wait-ms", wait_text, wait)) ||
         *wait > OSAFE_BATCH_WAIT_MS_MAX))
        return rc ? rc
                  : cli_usage_error("serve", "--batch-wait-ms must be 0..%u",
                                    (unsigned)OSAFE_BATCH_WAIT_MS_MAX);
    return 0;
}

/* --threads: 1..64, default 4. */
static int threads_opt(const char *text, unsigned long long *n)
{
    int rc = 0;
    *n = 4;
    if (text && ((rc = cli_u64("serve", "--threads", text, n)) || *n < 1 ||
                 *n > 64))
        return rc ? rc : cli_usage_error("serve", "--threads must be 1..64");
    return 0;
}

/* Signals are taken synchronously (sigwait); they are blocked before any
 * thread starts so that the workers inherit the mask. */
static void block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* The background threads: the pull from peers (--sync-interval S, none
 * when 0) and the collector of our witnesses' cosignatures (`osafe
 * witness add`; idle without witnesses). */
static int threads_start(const char *db, const char *logdir,
                         const struct sync_cfg *sc, struct serve_sync **puller,
                         fed_cosign_thread **cosign, osafe_err *e)
{
    *puller = NULL;
    *cosign = NULL;
    if (sc->s && serve_sync_start_with(db, (unsigned)sc->s, &sc->o, puller,
                                       e) != 0)
        return -1;
    return fed_cosign_start(db, logdir, cosign, e);
}

int cmd_serve(int argc, char **argv)
{
    const char *db = "osafe.db", *listen = "127.0.0.1:8420",
               *logdir = "osafe-log", *key = NULL,
               *origin = NULL, *threads = NULL,
               *policy_path = NULL, *write_rate = NULL, *read_rate = NULL,
               *max_conns = NULL, *per_addr = NULL, *proxies = NULL,
               *batch_max = NULL, *batch_wait = NULL, *witness_key = NULL;
    struct sync_cfg sc = {0};
    int http_pool = 0;
    struct opt opts[] = {{"db", OPT_STRING, &db},
                         {"listen", OPT_STRING, &listen},
                         {"log", OPT_STRING, &logdir},
                         {"key", OPT_STRING, &key},
                         {"origin", OPT_STRING, &origin},
                         {"threads", OPT_STRING, &threads},
                         {"risk-policy", OPT_STRING, &policy_path},
                         {"write-rate", OPT_STRING, &write_rate},
                         {"read-rate", OPT_STRING, &read_rate},
                         {"max-conns", OPT_STRING, &max_conns},
                         {"max-conns-per-addr", OPT_STRING, &per_addr},
                         {"trusted-proxy", OPT_STRING, &proxies},
                         {"batch-max", OPT_STRING, &batch_max},
                         {"batch-wait-ms", OPT_STRING, &batch_wait},
                         {"sync-interval", OPT_STRING, &sc.interval},
                         {"sync-rate", OPT_STRING, &sc.rate},
                         {"sync-witness", OPT_LIST, &sc.wfiles},
                         {"sync-quorum", OPT_STRING, &sc.quorum},
                         {"witness-key", OPT_STRING, &witness_key},
                         {"http-pool", OPT_FLAG, &http_pool},
                         {NULL, 0, NULL}};
    int np, rc = opts_parse("serve", argc, argv, opts, &np);
    if (rc == -1) {
        fputs(usage_serve, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np)
        return cli_usage_error("serve", "unexpected argument '%s'", argv[1]);
    unsigned long long nthreads;
    if ((rc = threads_opt(threads, &nthreads)))
        return rc;
    unsigned long long bmax, bwait;
    if ((rc = batch_opts(batch_max, batch_wait, &bmax, &bwait)))
        return rc;
    unsigned wrate, rrate;
    if ((rc = rate_opt("--write-rate", write_rate, OSAFE_RATE_WRITES_PER_MIN,
                       &wrate)) ||
        (rc = rate_opt("--read-rate", read_rate, OSAFE_RATE_READS_PER_MIN,
                       &rrate)))
        return rc;
    if ((rc = sync_cfg_parse(&sc)))
        return rc;
    http_opts ho;
    http_opts_default(&ho);
    if ((rc = conn_opts(max_conns, per_addr, http_pool, &ho)) != 0)
        return rc;
    ho.listen = listen;
    ho.threads = (unsigned)nthreads;
    ho.trusted_proxies = proxies;
    char keybuf[OSAFE_PATH_MAX];
    if (!key) {
        snprintf(keybuf, sizeof keybuf, "%s.key", logdir);
        key = keybuf;
    }
    osafe_err e;
    /* A bad policy file is refused before anything is created or bound. */
    struct risk_policy policy;
    risk_policy_default(&policy);
    if (policy_path && risk_policy_load(&policy, policy_path, &e) != 0)
        return cli_fail("serve", &e);
    char key_name[OSAFE_KEY_NAME_MAX + 1];
    if (!origin) {
        if (default_origin(key, key_name, &e) != 0)
            return cli_fail("serve", &e);
        origin = key_name;
    }
    if (ensure_log(logdir, key, origin, &e) != 0)
        return cli_fail("serve", &e);

    sigset_t set;
    block_signals(&set);

    /* The witness's key is checked before anything else is opened.  Every
     * object below starts NULL and every release takes NULL, so a failure
     * at any step leaves through the one cleanup at the end. */
    fed_witness *wit = NULL;
    registry *reg = NULL;
    web *webui = NULL;
    ratelimit *writes = NULL, *reads = NULL;
    http_server *srv = NULL;
    struct serve_sync *puller = NULL;
    fed_cosign_thread *cosign = NULL;
    int sig = 0, status = EXIT_OK;
    reg_opts ro = {db, logdir, key, "OSAFE", origin, (unsigned)nthreads + 1};
    if ((witness_key && fed_witness_open(db, witness_key, &wit, &e) != 0) ||
        reg_open(&ro, &reg, &e) != 0) {
        status = cli_fail("serve", &e);
        goto out;
    }
    reg_set_batch(reg, (unsigned)bmax, (unsigned)bwait);
    if (reg_open_warning(reg)[0])
        fprintf(stderr, "osafe serve: note: %s\n", reg_open_warning(reg));
    ho.max_conns = fit_fd_limit(ho.max_conns);
    if (ho.per_ip_conns > ho.max_conns)
        ho.per_ip_conns = ho.max_conns;
    if (web_open(reg, logdir, &webui, &e) != 0 ||
        ratelimit_new(wrate, OSAFE_RATE_KEYS_MAX, &writes, &e) != 0 ||
        ratelimit_new(rrate, OSAFE_RATE_KEYS_MAX, &reads, &e) != 0) {
        status = cli_fail("serve", &e);
        goto out;
    }
    web_set_risk_policy(webui, &policy);
    web_set_ratelimits(webui, writes, reads);
    api_ctx ctx = {reg, logdir, webui, writes, wit};
    if (http_server_start(&ho, api_handle, &ctx, &srv, &e) != 0 ||
        threads_start(db, logdir, &sc, &puller, &cosign, &e) != 0) {
        status = cli_fail("serve", &e);
        goto out;
    }
    /* The bound port is printed on its own so that scripts (and tests
     * using port 0) can read it. */
    char shown[OSAFE_PATH_MAX];
    store_spec_redact(db, shown, sizeof shown); /* no password in logs */
    fprintf(stderr, "osafe serve: database %s, log %s\n", shown, logdir);
    printf("listening on port %u\n", http_server_port(srv));
    fflush(stdout);
    sigwait(&set, &sig);
    fprintf(stderr, "osafe serve: signal %d, stopping\n", sig);
out:
    serve_sync_stop(puller);
    fed_cosign_stop(cosign);
    http_server_stop(srv);
    fed_witness_close(wit);
    web_close(webui);
    ratelimit_free(writes);
    ratelimit_free(reads);
    reg_close(reg);
    return status;
}
