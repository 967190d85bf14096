/*
 * peer_evidence.c - `osafe peer evidence URL --db FILE --out DIR`: the
 * newest split-view evidence against a peer, as files anyone can check
 * with `osafe log verify-consistency` and the peer's key alone.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/fsx.h"
#include "store/store.h"

static int put(const char *dir, const char *name, const char *text,
               osafe_err *e)
{
    char *path = fsx_path_join(dir, name);
    if (!path)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int rc = fsx_write_atomic(path, text, strlen(text), 0644, 1, e);
    free(path);
    return rc;
}

static int write_all(osafe_store *s, const char *url, const char *out,
                     osafe_err *e)
{
    store_peer p;
    char *oldn = NULL, *newn = NULL, *proof = NULL, *reason = NULL;
    int rc = s->ops->peer_get(s, url, &p, e);
    if (rc)
        return rc;
    char vk[sizeof p.vkey + 1];
    snprintf(vk, sizeof vk, "%s\n", p.vkey);
    if (!(rc = s->ops->split_get(s, url, &oldn, &newn, &proof, &reason, e)) &&
        !(rc = fsx_mkdirs(out, e)) && !(rc = put(out, "peer.vkey", vk, e)) &&
        !(rc = put(out, "old.checkpoint", oldn, e)) &&
        !(rc = put(out, "new.checkpoint", newn, e)) &&
        !(rc = proof[0] ? put(out, "proof.json", proof, e) : 0)) {
        size_t n = strlen(reason) + strlen(url) + 64;
        char *r = malloc(n);
        if (!r)
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        else {
            snprintf(r, n, "peer %s\n%s\n", url, reason);
            rc = put(out, "reason.txt", r, e);
            free(r);
        }
    }
    store_peer_release(&p);
    free(oldn);
    free(newn);
    free(proof);
    free(reason);
    return rc;
}

int peer_evidence(int argc, char **argv)
{
    const char *db = NULL, *out = NULL;
    struct opt opts[] = {{"db", OPT_STRING, &db},
                         {"out", OPT_STRING, &out},
                         {NULL, 0, NULL}};
    const char *cmd = "peer evidence";
    int np, rc = opts_parse(cmd, argc, argv, opts, &np);
    if (rc == -1) {
        fputs(usage_peer, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np != 1)
        return cli_usage_error(cmd, "expected one URL");
    if (!db || !out)
        return cli_usage_error(cmd, "--db and --out are required");
    osafe_err e;
    osafe_store *s;
    if (store_open(db, &s, &e) != 0)
        return cli_fail(cmd, &e);
    rc = write_all(s, argv[1], out, &e);
    s->ops->close(s);
    if (rc)
        return cli_fail(cmd, &e);
    printf("evidence against %s written to %s\n", argv[1], out);
    return EXIT_OK;
}

/* `osafe peer mirrored --db FILE [--origin ORIGIN] [--evaluations]`: the
 * mirrored records (or evaluations) with their provenance, one JSON
 * object a line. */
int peer_mirrored(int argc, char **argv)
{
    const char *db = NULL, *origin = NULL;
    int evals = 0;
    struct opt opts[] = {{"db", OPT_STRING, &db},
                         {"origin", OPT_STRING, &origin},
                         {"evaluations", OPT_FLAG, &evals},
                         {NULL, 0, NULL}};
    const char *cmd = "peer mirrored";
    int np, rc = opts_parse(cmd, argc, argv, opts, &np);
    if (rc == -1) {
        fputs(usage_peer, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[1]);
    if (!db)
        return cli_usage_error(cmd, "--db is required");
    osafe_err e;
    osafe_store *s;
    store_mirror *m;
    size_t n;
    if (store_open(db, &s, &e) != 0)
        return cli_fail(cmd, &e);
    rc = evals ? s->ops->meval_list(s, origin, NULL, INT32_MAX, &m, &n, &e)
               : s->ops->mirror_list(s, origin, NULL, INT32_MAX, &m, &n, &e);
    s->ops->close(s);
    if (rc)
        return cli_fail(cmd, &e);
    for (size_t i = 0; i < n && !rc; i++) {
        json_error_t je;
        json_t *o = evals ? json_pack(
            "{s:s, s:s, s:I, s:s, s:I, s:s, s:o}", "origin", m[i].origin,
            "origin_id", m[i].origin_id, "origin_log_index",
            (json_int_t)m[i].origin_log_index, "peer", m[i].peer_url,
            "checkpoint_size", (json_int_t)m[i].checkpoint_size, "withdrawn",
            m[i].withdrawn, "evaluation",
            json_loadb(m[i].body, m[i].body_len, 0, &je))
            : json_pack(
            "{s:s, s:s, s:i, s:I, s:s, s:I, s:s, s:o, s:s, s:s, s:s}",
            "origin",
            m[i].origin, "origin_id", m[i].origin_id, "version", m[i].version,
            "origin_log_index", (json_int_t)m[i].origin_log_index, "peer",
            m[i].peer_url, "checkpoint_size", (json_int_t)m[i].checkpoint_size,
            "withdrawn", m[i].withdrawn,
            "record", json_loadb(m[i].body, m[i].body_len, 0, &je), "tlp",
            m[i].tlp[0] ? m[i].tlp : "CLEAR", "org", m[i].org, "salt",
            m[i].salt);
        char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (line)
            printf("%s\n", line);
        else
            rc = cli_fail(cmd, (osafe_errf(&e, OSAFE_ENOMEM, "out of memory"),
                                &e));
        free(line);
        json_decref(o);
    }
    store_mirror_list_release(m, n);
    return rc;
}
