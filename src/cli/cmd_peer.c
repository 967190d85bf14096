/*
 * cmd_peer.c - `osafe peer`: the peers whose logs this node mirrors
 * (src/federation/, docs/FEDERATION.md).  One function per subcommand,
 * dispatched from a table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "federation/federation.h"
#include "store/store.h"

const char usage_peer[] =
    "usage: osafe peer add URL --vkey FILE.vkey --db FILE [--token-env VAR]\n"
    "       osafe peer list --db FILE\n"
    "       osafe peer remove URL --db FILE\n"
    "       osafe peer sync --db FILE [URL] [--rate N] [--retries N]\n"
    "                       [--witness W.vkey]... [--quorum K]\n"
    "       osafe peer unfreeze URL --db FILE\n"
    "       osafe peer evidence URL --db FILE --out DIR\n"
    "       osafe peer mirrored --db FILE [--origin ORIGIN] [--evaluations]\n"
    "\n"
    "Mirror other osafe nodes' transparency logs (docs/FEDERATION.md).\n"
    "\n"
    "add       URL is the peer's base address (its log is URL/log/);\n"
    "          FILE.vkey its log's verifier key, obtained out of band.\n"
    "          --token-env names the variable that will hold a token the\n"
    "          peer issued to this node (`osafe token create --role peer`\n"
    "          there): with it, GREEN and AMBER records the peer shares with\n"
    "          us are fetched through its API and stored only if they match\n"
    "          the salted commitments in its log.\n"
    "list      One line per peer: URL, origin, state (active|frozen), the\n"
    "          size of the last accepted checkpoint, entries taken, the\n"
    "          latest size seen, the lag, the last sync and its error,\n"
    "          and how many refused GREEN/AMBER records later syncs will\n"
    "          fetch again.\n"
    "remove    Forget a peer; its mirrored records and evidence stay.\n"
    "sync      Pull once from URL, or from every peer: the checkpoint's\n"
    "          signature and its consistency with the last one accepted\n"
    "          are checked, then the new entries, bundle by bundle, each\n"
    "          committed once verified (a killed sync resumes).  TLP:CLEAR\n"
    "          records become mirrored records with their provenance (and\n"
    "          GREEN/AMBER ones with a token, see add); withdrawals are\n"
    "          applied.  A peer that is down is reported and the others\n"
    "          are still synced.  A record whose served bytes do not match\n"
    "          its commitment is refused, counted and reported (exit 1).\n"
    "          With --witness (repeated) and --quorum K, a checkpoint is\n"
    "          taken only if it carries valid cosignatures of at least K\n"
    "          of those witnesses (default: all); else nothing is taken\n"
    "          and the error says how many verified.\n"
    "          --rate: requests per second to one peer at most (default\n"
    "          200); --retries: of a request that failed with a network\n"
    "          error, 429 or 5xx, after a random wait growing 2x each time\n"
    "          (default 4).  Gossip: the checkpoints each peer accepted of\n"
    "          our other peers' logs (its /federation/checkpoints) are\n"
    "          compared with ours; a log that showed it another history is\n"
    "          frozen here too.\n"
    "unfreeze  Let a peer frozen after a split view be synced again.\n"
    "evidence  Write the newest split-view evidence against URL into DIR:\n"
    "          peer.vkey, old.checkpoint, new.checkpoint, proof.json (when\n"
    "          the sizes differ) and reason.txt, for\n"
    "          `osafe log verify-consistency --vkey DIR/peer.vkey\n"
    "           --old DIR/old.checkpoint --new DIR/new.checkpoint\n"
    "           [--proof DIR/proof.json]` (which then fails: both notes\n"
    "          are signed by the peer, and they are not consistent).\n"
    "mirrored  The mirrored records, one JSON object a line: origin,\n"
    "          origin_id, version, origin_log_index, peer, checkpoint_size\n"
    "          (the accepted peer checkpoint that covers it), withdrawn\n"
    "          (when, or \"\"), record (the exact logged record), tlp, org\n"
    "          (AMBER: the organisation it is shown to here), salt (of the\n"
    "          origin's commitment, for GREEN and AMBER).  With\n"
    "          --evaluations: the mirrored evaluations instead (origin,\n"
    "          origin_id, origin_log_index, peer, checkpoint_size,\n"
    "          withdrawn, evaluation: the peer's log entry, the run or,\n"
    "          for a run too big for an entry, only its digest).\n"
    "\n"
    "Exit status: 0 ok, 1 failure (for sync: any peer failed, is frozen,\n"
    "or showed a split view), 2 usage error.\n";

/* Parse options for `peer NAME`: npos_min..npos_max positional arguments
 * (the URL, which *url receives; NULL when none).  -1 after --help. */
static int parse(const char *cmd, int argc, char **argv, struct opt *opts,
                 int npos_min, int npos_max, const char **url)
{
    int np, rc = opts_parse(cmd, argc, argv, opts, &np);
    if (rc == -1) {
        fputs(usage_peer, stdout);
        return -1;
    }
    if (rc)
        return rc;
    if (np < npos_min)
        return cli_usage_error(cmd, "the peer's URL is required");
    if (np > npos_max)
        return cli_usage_error(cmd, "unexpected argument '%s'",
                               argv[1 + npos_max]);
    *url = np ? argv[1] : NULL;
    return 0;
}

static int peer_add(int argc, char **argv)
{
    const char *db = NULL, *vkey = NULL, *tenv = NULL, *url;
    struct opt opts[] = {{"db", OPT_STRING, &db},
                         {"vkey", OPT_STRING, &vkey},
                         {"token-env", OPT_STRING, &tenv},
                         {NULL, 0, NULL}};
    int rc = parse("peer add", argc, argv, opts, 1, 1, &url);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!vkey)
        return cli_usage_error("peer add", "--vkey is required");
    osafe_err e;
    char *text = NULL;
    size_t len;
    osafe_store *s = NULL;
    if ((rc = cli_store_open("peer add", db, &s)))
        return rc;
    if (fsx_read_file(vkey, OSAFE_KEY_NAME_MAX + 128, &text, &len, &e) ||
        fed_peer_add(s, url, text, tenv, &e))
        rc = cli_fail("peer add", &e);
    else
        printf("added peer %s\n", url);
    free(text);
    s->ops->close(s);
    return rc;
}

static int peer_list(int argc, char **argv)
{
    const char *db = NULL, *url;
    struct opt opts[] = {{"db", OPT_STRING, &db}, {NULL, 0, NULL}};
    int rc = parse("peer list", argc, argv, opts, 0, 0, &url);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    osafe_store *s;
    if ((rc = cli_store_open("peer list", db, &s)))
        return rc;
    osafe_err e;
    store_peer *p;
    size_t n;
    if (s->ops->peer_list(s, &p, &n, &e)) {
        s->ops->close(s);
        return cli_fail("peer list", &e);
    }
    printf("url\torigin\tstate\tcheckpoint\ttaken\tseen\tlag\tlast_sync\t"
           "last_error\trefused\n");
    for (size_t i = 0; i < n; i++) {
        long long lag = (long long)p[i].seen_size - (long long)p[i].taken;
        /* refused GREEN/AMBER records the next syncs fetch again */
        store_refused *none;
        size_t k;
        int64_t pending = 0;
        if (!rc && s->ops->refused_list(s, p[i].url, 0, &none, &k, &pending,
                                        &e))
            rc = cli_fail("peer list", &e);
        if (!rc)
            printf("%s\t%s\t%s\t%lld\t%lld\t%lld\t%lld\t%s\t%s\t%lld\n",
                   p[i].url, p[i].origin, p[i].state, (long long)p[i].size,
                   (long long)p[i].taken, (long long)p[i].seen_size,
                   lag > 0 ? lag : 0,
                   p[i].last_sync[0] ? p[i].last_sync : "-",
                   p[i].last_error[0] ? p[i].last_error : "-",
                   (long long)pending);
        store_peer_release(&p[i]);
    }
    free(p);
    s->ops->close(s);
    return rc;
}

/* remove and unfreeze: URL --db FILE, one call. */
static int peer_simple(const char *cmd, int argc, char **argv,
                       int (*fn)(osafe_store *, const char *, osafe_err *),
                       const char *done)
{
    const char *db = NULL, *url;
    struct opt opts[] = {{"db", OPT_STRING, &db}, {NULL, 0, NULL}};
    int rc = parse(cmd, argc, argv, opts, 1, 1, &url);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    osafe_store *s;
    if ((rc = cli_store_open(cmd, db, &s)))
        return rc;
    osafe_err e;
    if (fn(s, url, &e))
        rc = cli_fail(cmd, &e);
    else
        printf("%s %s\n", done, url);
    s->ops->close(s);
    return rc;
}

static int peer_remove(int argc, char **argv)
{
    return peer_simple("peer remove", argc, argv, fed_peer_remove,
                       "removed peer");
}

static int peer_unfreeze(int argc, char **argv)
{
    return peer_simple("peer unfreeze", argc, argv, fed_peer_unfreeze,
                       "unfrozen peer");
}

/* The options of `peer sync`: the server's treatment and the witness
 * policy (none when o.nw is 0; o.w points into w). */
struct sync_policy {
    fed_sync_opts o;
    tlog_verifier w[OSAFE_WITNESS_MAX];
};

static int sync_one(osafe_store *s, const char *url, const fed_sync_opts *o)
{
    osafe_err e;
    fed_sync_stats st;
    int rc = fed_sync_with(s, url, o, &st, &e);
    if (st.gossip_split)
        fprintf(stderr,
                "osafe peer sync: %s: gossip showed %llu split view(s) of "
                "other peers' logs: they are frozen (`osafe peer list`, "
                "`osafe peer evidence`)\n",
                url, (unsigned long long)st.gossip_split);
    if (rc != 0) {
        fprintf(stderr, "osafe peer sync: %s: %s\n", url, e.msg);
        return EXIT_FAIL;
    }
    printf("synced %s: size %llu, %llu new entries (%llu mirrored, %llu "
           "withdrawn, %llu not mirrored), %llu requests, %llu bytes\n",
           url, (unsigned long long)st.size, (unsigned long long)st.entries,
           (unsigned long long)st.mirrored, (unsigned long long)st.withdrawn,
           (unsigned long long)st.skipped, (unsigned long long)st.requests,
           (unsigned long long)st.bytes);
    if (st.fetched || st.not_shared)
        printf("  GREEN/AMBER through the peer's API: %llu stored, %llu not "
               "shared with us\n",
               (unsigned long long)st.fetched,
               (unsigned long long)st.not_shared);
    if (st.retried || st.gossip_checked)
        printf("  %llu retries, %llu gossiped checkpoints compared\n",
               (unsigned long long)st.retried,
               (unsigned long long)st.gossip_checked);
    return st.gossip_split ? EXIT_FAIL : EXIT_OK;
}

/* --rate and --retries of `peer sync`. */
static int sync_opts(const char *rate, const char *retries, fed_sync_opts *o)
{
    unsigned long long v;
    int rc;
    o->rate = 0;
    o->retries = -1;
    if (rate) {
        if ((rc = cli_u64("peer sync", "--rate", rate, &v)))
            return rc;
        if (!v || v > OSAFE_PEER_RATE_MAX)
            return cli_usage_error("peer sync", "--rate must be 1..%u "
                                                "requests per second",
                                   OSAFE_PEER_RATE_MAX);
        o->rate = (unsigned)v;
    }
    if (retries) {
        if ((rc = cli_u64("peer sync", "--retries", retries, &v)))
            return rc;
        if (v > OSAFE_PEER_RETRIES_MAX)
            return cli_usage_error("peer sync", "--retries must be 0..%u",
                                   OSAFE_PEER_RETRIES_MAX);
        o->retries = (int)v;
    }
    return 0;
}

static int peer_sync(int argc, char **argv)
{
    const char *db = NULL, *url, *quorum = NULL, *rate = NULL,
               *retries = NULL;
    struct opt_list wfiles = {{NULL}, 0};
    struct opt opts[] = {{"db", OPT_STRING, &db},
                         {"witness", OPT_LIST, &wfiles},
                         {"quorum", OPT_STRING, &quorum},
                         {"rate", OPT_STRING, &rate},
                         {"retries", OPT_STRING, &retries},
                         {NULL, 0, NULL}};
    int rc = parse("peer sync", argc, argv, opts, 0, 1, &url);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    struct sync_policy pol;
    if ((rc = sync_opts(rate, retries, &pol.o)))
        return rc;
    pol.o.w = pol.w;
    if ((rc = cli_witness_policy("peer sync", &wfiles, quorum, pol.w,
                                 &pol.o.nw, &pol.o.quorum)))
        return rc;
    osafe_store *s;
    if ((rc = cli_store_open("peer sync", db, &s)))
        return rc;
    if (url) {
        rc = sync_one(s, url, &pol.o);
        s->ops->close(s);
        return rc;
    }
    osafe_err e;
    store_peer *p;
    size_t n;
    if (s->ops->peer_list(s, &p, &n, &e)) {
        s->ops->close(s);
        return cli_fail("peer sync", &e);
    }
    /* Every peer is tried: one that is down does not stop the others. */
    for (size_t i = 0; i < n; i++) {
        if (sync_one(s, p[i].url, &pol.o))
            rc = EXIT_FAIL;
        store_peer_release(&p[i]);
    }
    free(p);
    s->ops->close(s);
    return rc;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} peer_cmds[] = {
    {"add", peer_add},           {"list", peer_list},
    {"remove", peer_remove},     {"sync", peer_sync},
    {"unfreeze", peer_unfreeze}, {"evidence", peer_evidence},
    {"mirrored", peer_mirrored},
};

int cmd_peer(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_peer, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    for (size_t i = 0; i < sizeof peer_cmds / sizeof peer_cmds[0]; i++)
        if (!strcmp(argv[1], peer_cmds[i].name))
            return peer_cmds[i].run(argc - 1, argv + 1);
    return cli_usage_error("peer", "unknown subcommand '%s' (see 'osafe help "
                                   "peer')",
                           argv[1]);
}
