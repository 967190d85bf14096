/*
 * log_prove.c - `osafe log prove | consistency | verify-inclusion |
 * verify-consistency`: making proofs from a log directory, and checking
 * them with nothing but a verifier key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/enc.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "tlog/log.h"
#include "tlog/proof.h"

/* Print the usage when opts_parse saw --help; the caller then stops with
 * EXIT_OK (help_or returns -1, not 0, so that it does not go on). */
static int help_or(int rc)
{
    if (rc == -1)
        fputs(usage_log, stdout);
    return rc;
}

int log_prove(int argc, char **argv)
{
    const char *size_s = NULL, *format = "json";
    struct opt opts[] = {{"size", OPT_STRING, &size_s},
                         {"format", OPT_STRING, &format},
                         {NULL, 0, NULL}};
    int np, rc = help_or(opts_parse("log prove", argc, argv, opts, &np));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (np != 2)
        return cli_usage_error("log prove", "expected DIR INDEX");
    unsigned long long index, size = 0;
    if ((rc = cli_u64("log prove", "INDEX", argv[2], &index)) ||
        (size_s && (rc = cli_u64("log prove", "--size", size_s, &size))))
        return rc;
    int text = !strcmp(format, "tlog-proof");
    if (!text && strcmp(format, "json"))
        return cli_usage_error("log prove",
                               "unknown --format '%s' (json, tlog-proof)",
                               format);
    osafe_err e;
    tlog_log *log;
    if (tlog_log_open(argv[1], TLOG_OPEN_READ, NULL, &log, &e) != 0)
        return cli_fail("log prove", &e);
    uint64_t cur = tlog_log_head(log)->size;
    if (!size_s)
        size = cur;
    tlog_hash proof[TLOG_PROOF_MAX], leaf, root;
    size_t n = 0;
    osafe_buf out = OSAFE_BUF_INIT;
    tlog_reader r = tlog_log_reader(log);
    if (size > cur)
        rc = osafe_errf(&e, OSAFE_EINVAL,
                        "--size %llu is larger than the log (%llu entries)",
                        size, (unsigned long long)cur);
    else if (text && size != cur)
        rc = osafe_errf(&e, OSAFE_EINVAL,
                        "a tlog-proof receipt is for the current checkpoint; "
                        "leave out --size");
    else if (index >= size)
        rc = osafe_errf(&e, OSAFE_EINVAL,
                        "entry %llu is not in a tree of size %llu", index,
                        size);
    else if (!(rc = tlog_prove_inclusion(&r, index, size, proof, &n, &e)) &&
             !(rc = r.read(r.ctx, 0, index, &leaf, &e)) &&
             !(rc = tlog_tree_hash(&r, size, &root, &e))) {
        size_t len;
        const char *note = tlog_log_checkpoint_note(log, &len);
        rc = text ? tlog_proof_text(index, proof, n, note, len, &out)
                  : tlog_inclusion_json(index, size, &leaf, &root, proof, n,
                                        &out);
        if (rc)
            osafe_errf(&e, rc, "out of memory");
    }
    tlog_log_close(log);
    if (rc == 0)
        fwrite(out.data, 1, out.len, stdout);
    buf_release(&out);
    return rc ? cli_fail("log prove", &e) : EXIT_OK;
}

int log_consistency(int argc, char **argv)
{
    int np, rc = help_or(opts_parse("log consistency", argc, argv, NULL, &np));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (np != 2 && np != 3)
        return cli_usage_error("log consistency", "expected DIR OLD [NEW]");
    unsigned long long m, n = 0;
    if ((rc = cli_u64("log consistency", "OLD", argv[2], &m)) ||
        (np == 3 && (rc = cli_u64("log consistency", "NEW", argv[3], &n))))
        return rc;
    osafe_err e;
    tlog_log *log;
    if (tlog_log_open(argv[1], TLOG_OPEN_READ, NULL, &log, &e) != 0)
        return cli_fail("log consistency", &e);
    uint64_t cur = tlog_log_head(log)->size;
    if (np == 2)
        n = cur;
    tlog_hash proof[TLOG_PROOF_MAX], r1, r2;
    size_t k = 0;
    osafe_buf out = OSAFE_BUF_INIT;
    tlog_reader r = tlog_log_reader(log);
    if (n > cur)
        rc = osafe_errf(&e, OSAFE_EINVAL,
                        "NEW %llu is larger than the log (%llu entries)", n,
                        (unsigned long long)cur);
    else if (!(rc = tlog_prove_consistency(&r, m, n, proof, &k, &e)) &&
             !(rc = tlog_tree_hash(&r, m, &r1, &e)) &&
             !(rc = tlog_tree_hash(&r, n, &r2, &e)) &&
             (rc = tlog_consistency_json(m, n, &r1, &r2, proof, k, &out)))
        osafe_errf(&e, rc, "out of memory");
    tlog_log_close(log);
    if (rc == 0)
        fwrite(out.data, 1, out.len, stdout);
    buf_release(&out);
    return rc ? cli_fail("log consistency", &e) : EXIT_OK;
}

static int read_small(const char *path, char **data, size_t *len,
                      osafe_err *e)
{
    return fsx_read_file(path, OSAFE_PROOF_JSON_MAX + OSAFE_NOTE_MAX, data,
                         len, e);
}

int log_verify_inclusion(int argc, char **argv)
{
    const char *vkey = NULL, *cp = NULL, *proof = NULL, *entry = NULL,
               *leaf_b64 = NULL, *quorum = NULL;
    struct opt_list wfiles = {{NULL}, 0};
    struct opt opts[] = {{"vkey", OPT_STRING, &vkey},
                         {"witness", OPT_LIST, &wfiles},
                         {"quorum", OPT_STRING, &quorum},
                         {"checkpoint", OPT_STRING, &cp},
                         {"proof", OPT_STRING, &proof},
                         {"entry", OPT_STRING, &entry},
                         {"leaf-hash", OPT_STRING, &leaf_b64},
                         {NULL, 0, NULL}};
    const char *cmd = "log verify-inclusion";
    int np, rc = help_or(opts_parse(cmd, argc, argv, opts, &np));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (np)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[1]);
    if (!vkey || !proof)
        return cli_usage_error(cmd, "--vkey and --proof are required");
    if (!entry == !leaf_b64)
        return cli_usage_error(cmd, "give exactly one of --entry FILE and "
                                    "--leaf-hash B64");
    tlog_verifier w[OSAFE_WITNESS_MAX];
    size_t nw, k;
    if ((rc = cli_witness_policy(cmd, &wfiles, quorum, w, &nw, &k)))
        return rc;
    osafe_err e;
    tlog_verifier v;
    tlog_proof p;
    tlog_hash leaf;
    tlog_checkpoint c;
    char *ptext = NULL, *ctext = NULL, *etext = NULL;
    size_t plen, clen = 0, elen;
    rc = EXIT_FAIL;
    if (tlog_verifier_load(vkey, &v, &e) != 0 ||
        read_small(proof, &ptext, &plen, &e) != 0)
        goto out;
    if (tlog_proof_parse(ptext, plen, &p, &e) != 0) {
        osafe_errprefix(&e, "%s: ", proof);
        goto out;
    }
    if (cp) {
        if (read_small(cp, &ctext, &clen, &e) != 0)
            goto out;
    } else if (!p.note) {
        osafe_errf(&e, OSAFE_EINVAL,
                   "--checkpoint is required with a JSON proof");
        goto out;
    }
    if (entry) {
        if (fsx_read_file(entry, OSAFE_LOG_ENTRY_MAX, &etext, &elen, &e) != 0)
            goto out;
        tlog_leaf_hash(&leaf, etext, elen);
    } else if (b64_decode(leaf.b, sizeof leaf.b, leaf_b64, strlen(leaf_b64)) !=
               TLOG_HASH_SIZE) {
        osafe_errf(&e, OSAFE_EINVAL, "--leaf-hash is not base64 of 32 bytes");
        goto out;
    }
    if (tlog_check_inclusion(cp ? ctext : p.note, cp ? clen : p.note_len, &v,
                             &p, &leaf, &c, &e) != 0)
        goto out;
    printf("ok: entry %llu is in %s at tree size %llu\n",
           (unsigned long long)p.index, c.origin, (unsigned long long)c.size);
    rc = EXIT_OK;
    /* the checkpoint's cosignatures, under the policy (exit status set) */
    if (nw)
        rc = cli_witness_check(cmd, cp ? ctext : p.note,
                               cp ? clen : p.note_len, &v, w, nw, k);
    if (rc != EXIT_OK)
        rc = -rc; /* already reported */
out:
    free(ptext);
    free(ctext);
    free(etext);
    return rc == EXIT_OK ? rc : rc < 0 ? -rc : cli_fail(cmd, &e);
}

int log_verify_consistency(int argc, char **argv)
{
    const char *vkey = NULL, *oldf = NULL, *newf = NULL, *proof = NULL;
    struct opt opts[] = {{"vkey", OPT_STRING, &vkey},
                         {"old", OPT_STRING, &oldf},
                         {"new", OPT_STRING, &newf},
                         {"proof", OPT_STRING, &proof},
                         {NULL, 0, NULL}};
    const char *cmd = "log verify-consistency";
    int np, rc = help_or(opts_parse(cmd, argc, argv, opts, &np));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (np)
        return cli_usage_error(cmd, "unexpected argument '%s'", argv[1]);
    if (!vkey || !oldf || !newf)
        return cli_usage_error(cmd, "--vkey, --old and --new are required");
    osafe_err e;
    tlog_verifier v;
    tlog_proof p;
    char *a = NULL, *b = NULL, *ptext = NULL;
    size_t alen, blen, plen;
    rc = EXIT_FAIL;
    memset(&p, 0, sizeof p);
    if (tlog_verifier_load(vkey, &v, &e) != 0 ||
        read_small(oldf, &a, &alen, &e) != 0 ||
        read_small(newf, &b, &blen, &e) != 0)
        goto out;
    if (proof) {
        if (read_small(proof, &ptext, &plen, &e) != 0)
            goto out;
        if (tlog_proof_parse(ptext, plen, &p, &e) != 0) {
            osafe_errprefix(&e, "%s: ", proof);
            goto out;
        }
    } else {
        /* Without a proof only equal sizes can be checked (same root). */
        tlog_checkpoint ca, cb;
        tlog_note n;
        if (tlog_note_open(a, alen, &v, 1, &n, &e) ||
            tlog_checkpoint_parse(a, n.text_len, &ca, &e)) {
            osafe_errprefix(&e, "%s: ", oldf);
            goto out;
        }
        if (tlog_note_open(b, blen, &v, 1, &n, &e) ||
            tlog_checkpoint_parse(b, n.text_len, &cb, &e)) {
            osafe_errprefix(&e, "%s: ", newf);
            goto out;
        }
        if (ca.size != cb.size) {
            osafe_errf(&e, OSAFE_EINVAL,
                       "sizes differ (%llu, %llu): --proof is required",
                       (unsigned long long)ca.size,
                       (unsigned long long)cb.size);
            goto out;
        }
        p.type = TLOG_PROOF_CONSISTENCY;
        p.old_size = p.size = ca.size;
    }
    if (tlog_check_consistency(a, alen, b, blen, &v, &p, &e) != 0)
        goto out;
    printf("ok: tree size %llu is a prefix of tree size %llu\n",
           (unsigned long long)p.old_size, (unsigned long long)p.size);
    rc = EXIT_OK;
out:
    free(a);
    free(b);
    free(ptext);
    return rc == EXIT_OK ? rc : cli_fail(cmd, &e);
}
