/*
 * witness.c - this node as a C2SP tlog-witness for its peers' logs: the
 * add-checkpoint request, checked against the last checkpoint cosigned
 * for that origin (table witness_state), answered with a cosignature/v1
 * line.  The logs a node witnesses are its peers' (`osafe peer add`): their
 * origin and verifier key.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/enc.h"
#include "federation/federation.h"
#include "tlog/checkpoint.h"
#include "tlog/cosig.h"
#include "tlog/merkle.h"
#include "tlog/proof.h"

/* The spec's limit on proof lines. */
#define WITNESS_PROOF_MAX 63

struct req {
    uint64_t old;
    tlog_hash proof[WITNESS_PROOF_MAX];
    size_t n;
    const char *note;
    size_t note_len;
};

static int parse(const char *b, size_t len, struct req *q, osafe_err *e)
{
    const char *end = b + len, *nl = memchr(b, '\n', len);
    if (!nl || nl - b < 5 || memcmp(b, "old ", 4) ||
        tlog_parse_u64(b + 4, (size_t)(nl - b - 4), &q->old))
        return osafe_errf(e, OSAFE_EINVAL, "expected 'old <size>' first");
    const char *p = nl + 1;
    for (q->n = 0;; q->n++) {
        nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return osafe_errf(e, OSAFE_EINVAL, "no empty line before the "
                                               "checkpoint");
        if (nl == p)
            break;
        if (q->n == WITNESS_PROOF_MAX ||
            b64_decode(q->proof[q->n].b, 32, p, (size_t)(nl - p)) != 32)
            return osafe_errf(e, OSAFE_EINVAL, "proof line %zu: not one "
                                               "base64 hash (at most %d)",
                              q->n + 1, WITNESS_PROOF_MAX);
        p = nl + 1;
    }
    q->note = nl + 1;
    q->note_len = (size_t)(end - q->note);
    return 0;
}

/* The verifier of the peer whose log has this origin (404 if none). */
static int trusted(osafe_store *s, const char *note, size_t len,
                   tlog_verifier *v, osafe_err *e)
{
    const char *nl = memchr(note, '\n', len);
    if (!nl || nl == note)
        return osafe_errf(e, OSAFE_EINVAL, "no checkpoint origin line");
    store_peer *p;
    size_t n;
    int rc = s->ops->peer_list(s, &p, &n, e), found = 0;
    for (size_t i = 0; !rc && i < n; i++) {
        if (!found && strlen(p[i].origin) == (size_t)(nl - note) &&
            !memcmp(p[i].origin, note, (size_t)(nl - note)))
            found = !tlog_verifier_parse(p[i].vkey, strlen(p[i].vkey), v, e);
        store_peer_release(&p[i]);
    }
    if (!rc)
        free(p);
    if (!rc && !found)
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "this witness does not witness "
                                            "%.*s",
                        (int)(nl - note), note);
    return rc;
}

/* Check q against the stored state inside a transaction, store the new
 * state.  Sets *status (200, 409 with *cur, 422). */
static int check_and_store(osafe_store *s, const struct req *q,
                           const tlog_checkpoint *c, const char *note,
                           int *status, int64_t *cur, osafe_err *e)
{
    uint8_t root[32];
    char *old_note = NULL;
    int64_t size = 0;
    int rc = s->ops->witness_get(s, c->origin, &size, root, &old_note, e);
    if (rc == OSAFE_ENOTFOUND)
        rc = 0;
    if (rc)
        return rc;
    tlog_hash empty, r;
    tlog_empty_root(&empty);
    memcpy(r.b, root, 32);
    osafe_err ve;
    *cur = size;
    if ((int64_t)q->old != size) {
        *status = 409;
    } else if ((c->size == 0 && !tlog_hash_eq(&c->root, &empty)) ||
               (q->old == 0 && q->n) ||
               (q->old == c->size &&
                (q->n || !tlog_hash_eq(&r, &c->root))) ||
               (q->old && q->old < c->size &&
                tlog_verify_consistency(q->old, c->size, &r, &c->root,
                                        q->proof, q->n, &ve))) {
        *status = 422;
        /* A signed checkpoint that does not extend the one cosigned is
         * evidence against the log: kept like a peer's split view. */
        if (q->old && old_note)
            rc = s->ops->split_put(s, "witness", c->origin, old_note, note,
                                   "", "add-checkpoint: not consistent "
                                       "with the checkpoint cosigned",
                                   e);
    } else {
        *status = 200;
        rc = s->ops->witness_put(s, c->origin, (int64_t)c->size, c->root.b,
                                 note, e);
    }
    free(old_note);
    return rc;
}

int fed_witness_add(osafe_store *s, const tlog_signer *w, const char *body,
                    size_t len, uint64_t now, int *status, osafe_buf *out,
                    osafe_err *e)
{
    struct req q;
    tlog_verifier v;
    tlog_note n;
    tlog_checkpoint c;
    *status = 400;
    int rc = parse(body, len, &q, e);
    if (rc)
        return rc;
    char *note = malloc(q.note_len + 1);
    if (!note)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    memcpy(note, q.note, q.note_len);
    note[q.note_len] = '\0';
    if (strlen(note) != q.note_len)
        rc = osafe_errf(e, OSAFE_EINVAL, "a NUL byte in the checkpoint");
    if (!rc && (rc = trusted(s, note, q.note_len, &v, e)) == OSAFE_ENOTFOUND)
        *status = 404;
    if (!rc && tlog_note_open(note, q.note_len, &v, 1, &n, e) != 0) {
        *status = 403;
        rc = OSAFE_EVERIFY;
    }
    if (!rc && (rc = tlog_checkpoint_parse(note, n.text_len, &c, e)))
        *status = 400;
    if (!rc && q.old > c.size)
        rc = osafe_errf(e, OSAFE_EINVAL, "old %llu is past the checkpoint's "
                                         "size %llu",
                        (unsigned long long)q.old,
                        (unsigned long long)c.size);
    int64_t cur = 0;
    if (!rc && !(rc = s->ops->begin(s, e))) {
        rc = check_and_store(s, &q, &c, note, status, &cur, e);
        if (!rc)
            rc = s->ops->commit(s, e);
        if (rc) {
            s->ops->rollback(s);
            *status = 500;
        }
    }
    buf_reset(out);
    if (!rc && *status == 409 &&
        (buf_printf(out, "%lld\n", (long long)cur) != 0))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    else if (!rc && *status == 422)
        rc = osafe_errf(e, OSAFE_EVERIFY, "the checkpoint does not extend "
                                          "the one cosigned");
    else if (!rc && *status == 200)
        rc = tlog_cosig_sign(note, n.text_len, w, now, out, e);
    free(note);
    return rc;
}

/* ---- the witness as `osafe serve` runs it ------------------------------ */

struct fed_witness {
    pthread_mutex_t mu; /* one connection: requests take turns */
    osafe_store *s;
    tlog_signer key;
};

int fed_witness_open(const char *db, const char *key_path, fed_witness **out,
                     osafe_err *e)
{
    *out = NULL;
    fed_witness *w = calloc(1, sizeof *w);
    if (!w)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int rc = tlog_signer_load(key_path, &w->key, e);
    if (rc)
        osafe_errprefix(e, "--witness-key %s: ", key_path);
    if (!rc && !(rc = store_open(db, &w->s, e))) {
        pthread_mutex_init(&w->mu, NULL);
        *out = w;
        return 0;
    }
    tlog_signer_wipe(&w->key);
    free(w);
    return rc;
}

void fed_witness_close(fed_witness *w)
{
    if (!w)
        return;
    w->s->ops->close(w->s);
    tlog_signer_wipe(&w->key);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

int fed_witness_handle(fed_witness *w, const char *body, size_t len,
                       int *status, osafe_buf *out, osafe_err *e)
{
    pthread_mutex_lock(&w->mu);
    int rc = fed_witness_add(w->s, &w->key, body, len, (uint64_t)time(NULL),
                             status, out, e);
    pthread_mutex_unlock(&w->mu);
    return rc;
}
