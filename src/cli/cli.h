/*
 * cli.h - the command-line front end: one file per subcommand, dispatched
 * from the table in main.c.
 *
 * Exit codes: 0 success; 1 the operation failed (I/O, corrupt data, a proof
 * or signature that does not verify); 2 usage error (unknown command or
 * option, missing argument).  Only this layer prints or exits.
 */
#ifndef OSAFE_CLI_H
#define OSAFE_CLI_H

#include <jansson.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/status.h"
#include "store/store.h"
#include "federation/federation.h"
#include "tlog/note.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct cli_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
    const char *usage; /* full help text, printed by `osafe help NAME` */
};

/* The table (main.c); NULL-terminated. */
extern const struct cli_cmd cli_commands[];
const struct cli_cmd *cli_find(const char *name);

int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_suite(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_classify(int argc, char **argv);
extern const char usage_help[], usage_version[], usage_key[], usage_log[],
    usage_serve[], usage_token[], usage_import[], usage_export[],
    usage_suite[], usage_eval[], usage_classify[];

/* eval_remote.c: POST body (JSON) to server + path with a bearer token;
 * the answer when the status is want (caller frees *answer), else an
 * error naming the URL, the status and the server's message. */
int cli_post_json(const char *server, const char *path, const char *token,
                  const char *body, long want, char **answer, osafe_err *e);
/* `osafe eval withdraw` (eval_remote.c) */
int eval_withdraw_cmd(int argc, char **argv);
/* Why a run (manifest, results) is partial: {reasons: ["limit", "shard",
 * "interrupted", "missing_samples"], limit, samples, expected}, or NULL
 * when whole.  The caller owns the result. */
json_t *cli_run_partial(const json_t *m, const json_t *res);
/* eval_upload.c: send DIR/samples.jsonl to evaluation id, from the bytes
 * the registry holds on; *sent the bytes sent now, *held and *complete
 * what the registry holds after. */
int cli_upload_samples(const char *server, const char *token, const char *id,
                       const char *dir, int64_t *sent, int64_t *held,
                       int *complete, osafe_err *e);

/* `osafe migrate` (cmd_migrate.c) */
int cmd_migrate(int argc, char **argv);
extern const char usage_migrate[];

/* `osafe risk rank` (cmd_risk.c) */
int cmd_risk(int argc, char **argv);
extern const char usage_risk[];

/* Subcommands of `osafe log` living in their own files. */
int log_prove(int argc, char **argv);
int log_consistency(int argc, char **argv);
int log_verify_inclusion(int argc, char **argv);
int log_verify_consistency(int argc, char **argv);
int log_verify(int argc, char **argv);

/* Print "osafe WHAT: message" to stderr and return EXIT_FAIL. */
int cli_fail(const char *what, const osafe_err *e);
/* Open the registry database named by --db for command cmd: 0 with *s
 * (the caller closes it), or the exit status after saying why (--db
 * missing, or the open failed). */
int cli_store_open(const char *cmd, const char *db, osafe_store **s);
/* Print "osafe WHAT: <formatted>" to stderr and return EXIT_USAGE. */
int cli_usage_error(const char *what, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- option parsing ---------------------------------------------------- */

enum opt_kind { OPT_FLAG, OPT_STRING, OPT_LIST };

/* OPT_LIST: an option that may be repeated (out is a struct opt_list *);
 * more than OSAFE_WITNESS_MAX values is a usage error. */
struct opt_list {
    const char *v[OSAFE_WITNESS_MAX];
    int n;
};

struct opt {
    const char *name;   /* without the leading "--" */
    enum opt_kind kind;
    void *out;          /* int * for OPT_FLAG, const char ** for OPT_STRING */
};

/*
 * Parse argv[1..argc) (argv[0] is the command name): options anywhere,
 * "--name value" or "--name=value", "--" ends options.  Positional arguments
 * are moved to the front of argv + 1 and counted in *npos.  Returns 0,
 * EXIT_USAGE after printing the error, or -1 when --help/-h was given (the
 * caller prints its usage).
 */
int opts_parse(const char *cmd, int argc, char **argv, const struct opt *opts,
               int *npos);

/* Parse a decimal uint64 argument; prints a usage error on failure. */
int cli_u64(const char *cmd, const char *what, const char *s,
            unsigned long long *out);

/* `osafe witness` (cmd_witness.c): the witnesses asked to cosign this
 * node's checkpoints. */
int cmd_witness(int argc, char **argv);
extern const char usage_witness[];
/* A witness policy from --witness FILE.vkey (repeated) and --quorum K
 * (cmd_witness.c): *n keys into w (OSAFE_WITNESS_MAX of room), *quorum
 * (default: all of them).  n 0 with no --quorum: no policy.  0, or an
 * exit status after printing the error. */
int cli_witness_policy(const char *cmd, const struct opt_list *files,
                       const char *quorum, tlog_verifier *w, size_t *n,
                       size_t *k);
/* Check the policy on a signed checkpoint whose log signature verifies
 * with v; prints which witnesses cosigned.  0, or an exit status after
 * printing the error. */
int cli_witness_check(const char *cmd, const char *note, size_t len,
                      const tlog_verifier *v, const tlog_verifier *w,
                      size_t n, size_t k);

/* `osafe peer` (cmd_peer.c; `peer evidence` in peer_evidence.c) */
int cmd_peer(int argc, char **argv);
int peer_evidence(int argc, char **argv);
int peer_mirrored(int argc, char **argv);
/* `osafe serve --sync-interval S` (serve_sync.c): pull from every active
 * peer every interval seconds on a thread of its own, until stopped;
 * serve_sync_stop waits for it and frees it (NULL: nothing). */
struct serve_sync;
int serve_sync_start(const char *db, unsigned interval,
                     struct serve_sync **out, osafe_err *e);
/* ... with --sync-rate: requests per second to one peer (0: default). */
int serve_sync_start_rate(const char *db, unsigned interval, unsigned rate,
                          struct serve_sync **out, osafe_err *e);
/* ... with all of `peer sync`'s options, the witness policy included
 * (--sync-witness, --sync-quorum); o and its keys are copied. */
int serve_sync_start_with(const char *db, unsigned interval,
                          const fed_sync_opts *o, struct serve_sync **out,
                          osafe_err *e);
void serve_sync_stop(struct serve_sync *ss);
extern const char usage_peer[];

#endif
