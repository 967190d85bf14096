/*
 * test_cosign.c - witnessing our own log (issue 12): the witness policy
 * over cosignature lines (tlog_cosig_quorum), the witnesses' rows in the
 * store (both backends), and the collector (fed_cosign_round) against real
 * witnesses (fed_witness_add on their own databases) reached through a
 * test transport: 200 (the cosignature is verified, stored and served),
 * 409 (retried with the size it names), 422 (the witness refuses a
 * checkpoint that does not extend what it cosigned: its cosignature is not
 * served), a witness that is down (backoff), and a witness that answers
 * 200 with a cosignature that does not verify (never served).  And the
 * shared vectors: the Tessera testdata log rebuilt with its published test
 * key makes the collector send the vector's request bodies byte for byte
 * (first contact, and from size 10 with its consistency proof), and the
 * vector's cosignature is the one served.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "api_client.h"
#include "core/enc.h"
#include "core/fsx.h"
#include "federation/federation.h"
#include "store/store.h"
#include "tlog/checkpoint.h"
#include "tlog/cosig.h"
#include "tlog/log.h"
#include "vectors.h"

static void gen(const char *name, tlog_signer *k)
{
    osafe_err e;
    assert_int_equal(tlog_signer_generate(name, k, &e), 0);
}

static char *vkey_text(const tlog_signer *k)
{
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(tlog_verifier_format(&k->v, &b), 0);
    return buf_detach(&b, NULL);
}

/* A checkpoint of size 3 signed by log, text length in *tl. */
static char *signed_checkpoint(const tlog_signer *log, size_t *tl)
{
    tlog_checkpoint cp;
    memset(&cp, 0, sizeof cp);
    snprintf(cp.origin, sizeof cp.origin, "%s", log->v.name);
    cp.size = 3;
    memset(cp.root.b, 0x42, 32);
    osafe_buf body = OSAFE_BUF_INIT, note = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(tlog_checkpoint_format(&cp, &body), 0);
    assert_int_equal(tlog_note_sign(body.data, body.len, log, &note, &e), 0);
    *tl = body.len;
    buf_release(&body);
    return buf_detach(&note, NULL);
}

static void test_quorum(void **state)
{
    (void)state;
    tlog_signer log, w1, w2, w3;
    gen("l.example/log", &log);
    gen("w1.example", &w1);
    gen("w2.example", &w2);
    gen("w3.example", &w3);
    tlog_verifier keys[3] = {w1.v, w2.v, w3.v};
    size_t tl;
    char *cp = signed_checkpoint(&log, &tl);
    osafe_buf note = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(buf_append(&note, cp, strlen(cp)), 0);
    assert_int_equal(tlog_cosig_sign(cp, tl, &w1, 1000, &note, &e), 0);
    /* w1 twice: one witness counts once */
    assert_int_equal(tlog_cosig_sign(cp, tl, &w1, 1001, &note, &e), 0);
    assert_int_equal(tlog_cosig_sign(cp, tl, &w2, 1002, &note, &e), 0);
    tlog_cosig_seen seen[3];
    assert_int_equal(tlog_cosig_quorum(note.data, note.len, tl, keys, 2, 2,
                                       2000, seen, &e),
                     0);
    assert_true(seen[0].ok && seen[1].ok);
    assert_int_equal(seen[0].time, 1000);
    assert_int_equal(seen[1].time, 1002);
    /* 3 of 3 with w3 absent: refused, naming how many verified */
    assert_int_equal(tlog_cosig_quorum(note.data, note.len, tl, keys, 3, 3,
                                       2000, seen, &e),
                     OSAFE_EVERIFY);
    assert_non_null(strstr(e.msg, "2 of 3"));
    assert_non_null(strstr(e.msg, "w3.example"));
    /* 3 of 3 with w1's line counted twice would pass: it must not */
    assert_false(seen[2].ok);
    /* dated past our clock's skew: not counted */
    assert_int_equal(tlog_cosig_quorum(note.data, note.len, tl, keys, 2, 2,
                                       1000 - OSAFE_COSIG_FUTURE_SKEW_S - 1,
                                       seen, &e),
                     OSAFE_EVERIFY);
    assert_non_null(strstr(e.msg, "future"));
    /* a cosignature by w3's name but another key: not counted */
    tlog_signer fake;
    gen("w3.example", &fake);
    assert_int_equal(tlog_cosig_sign(cp, tl, &fake, 1003, &note, &e), 0);
    assert_int_equal(tlog_cosig_quorum(note.data, note.len, tl, keys, 3, 3,
                                       2000, seen, &e),
                     OSAFE_EVERIFY);
    assert_false(seen[2].ok);
    /* w2's line over another checkpoint text: not counted */
    char *other = strdup(note.data);
    other[tl - 3] ^= 1; /* the root's base64 (the log's signature breaks
                         * too, which the caller checks first) */
    assert_int_equal(tlog_cosig_quorum(other, note.len, tl, keys, 1, 1, 2000,
                                       seen, &e),
                     OSAFE_EVERIFY);
    free(other);
    assert_int_equal(tlog_cosig_quorum(note.data, note.len, tl, keys, 3, 0,
                                       2000, seen, &e),
                     OSAFE_EINVAL);
    assert_int_equal(tlog_cosig_quorum(note.data, note.len, tl, keys, 2, 3,
                                       2000, seen, &e),
                     OSAFE_EINVAL);
    free(cp);
    buf_release(&note);
}

/* ---- a store per node --------------------------------------------------- */

struct node {
    char dir[64];
    char db[128];
    osafe_store *s;
};

static void node_open(struct node *n)
{
    snprintf(n->dir, sizeof n->dir, "/tmp/osafe-cos-XXXXXX");
    assert_non_null(mkdtemp(n->dir));
    snprintf(n->db, sizeof n->db, "%s/n.db", n->dir);
    api_pg_db(n->dir, n->db, sizeof n->db); /* OSAFE_TEST_PG: PostgreSQL */
    osafe_err e;
    assert_int_equal(store_open(n->db, &n->s, &e), 0);
}

static void node_close(struct node *n)
{
    n->s->ops->close(n->s);
    osafe_err e;
    assert_int_equal(fsx_remove_tree(n->dir, &e), 0);
}

static void test_store_rows(void **state)
{
    (void)state;
    struct node a;
    node_open(&a);
    osafe_store *s = a.s;
    tlog_signer w;
    gen("w.example", &w);
    char *vk = vkey_text(&w);
    osafe_err e;
    assert_int_not_equal(fed_cosigner_add(s, "ftp://w", vk, &e), 0);
    assert_int_not_equal(fed_cosigner_add(s, "http://w/", vk, &e), 0);
    assert_int_not_equal(fed_cosigner_add(s, "http://w", "junk", &e), 0);
    assert_int_equal(fed_cosigner_add(s, "http://w/witness", vk, &e), 0);
    assert_int_equal(fed_cosigner_add(s, "http://w/witness", vk, &e),
                     OSAFE_EEXIST);
    /* another URL, the same witness name: refused too */
    assert_int_equal(fed_cosigner_add(s, "http://w2/witness", vk, &e),
                     OSAFE_EEXIST);
    store_cosigner *l;
    size_t n;
    assert_int_equal(s->ops->cosigner_list(s, &l, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_string_equal(l[0].name, "w.example");
    assert_string_equal(l[0].vkey, vk);
    assert_null(l[0].note);
    assert_int_equal(l[0].size, 0);
    l[0].size = 7;
    l[0].note = strdup("a note\n");
    snprintf(l[0].cosig, sizeof l[0].cosig, "line");
    l[0].cosig_time = 99;
    snprintf(l[0].last_error, sizeof l[0].last_error, "boom");
    assert_int_equal(s->ops->cosigner_put(s, &l[0], 0, &e), 0);
    store_cosigner_release(&l[0]);
    free(l);
    assert_int_equal(s->ops->cosigner_list(s, &l, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(l[0].size, 7);
    assert_string_equal(l[0].note, "a note\n");
    assert_string_equal(l[0].cosig, "line");
    assert_int_equal(l[0].cosig_time, 99);
    assert_string_equal(l[0].last_error, "boom");
    assert_int_equal(s->ops->cosigner_remove(s, "http://w/witness", &e), 0);
    assert_int_equal(s->ops->cosigner_remove(s, "http://w/witness", &e),
                     OSAFE_ENOTFOUND);
    /* an update of a removed witness does not bring it back */
    assert_int_equal(s->ops->cosigner_put(s, &l[0], 0, &e), OSAFE_ENOTFOUND);
    store_cosigner_release(&l[0]);
    free(l);
    assert_int_equal(s->ops->cosigner_list(s, &l, &n, &e), 0);
    assert_int_equal(n, 0);
    free(l);
    free(vk);
    node_close(&a);
}

/* ---- the collector against real witnesses ------------------------------- */

struct witness {
    const char *url;
    struct node n;
    tlog_signer key;
    int down;    /* answer nothing */
    int forge;   /* answer 200 with a line that does not verify */
    int calls;
};

static struct witness *wits;
static size_t nwits;

static int post(void *ctx, const char *url, const char *body, size_t len,
                long *status, osafe_buf *resp, osafe_err *e)
{
    (void)ctx;
    for (size_t i = 0; i < nwits; i++) {
        struct witness *w = &wits[i];
        if (strcmp(url, w->url))
            continue;
        w->calls++;
        if (w->down)
            return osafe_errf(e, OSAFE_EIO, "%s: connection refused", url);
        int st = 0;
        osafe_err we;
        int rc = fed_witness_add(w->n.s, &w->key, body, len, 5000, &st, resp,
                                 &we);
        *status = st;
        if (rc && !resp->len)
            assert_int_equal(buf_printf(resp, "%s\n", we.msg), 0);
        if (w->forge && st == 200)
            resp->data[resp->len - 3] ^= 1; /* inside the signature */
        return 0;
    }
    return osafe_errf(e, OSAFE_EIO, "no such witness %s", url);
}

static void append(const char *dir, int n, int base)
{
    tlog_log *log;
    osafe_err e;
    assert_int_equal(tlog_log_open(dir, TLOG_OPEN_WRITE, NULL, &log, &e), 0);
    char data[16][16];
    tlog_entry ents[16];
    for (int i = 0; i < n; i++) {
        snprintf(data[i], sizeof data[i], "entry %d", base + i);
        ents[i].data = data[i];
        ents[i].len = strlen(data[i]);
    }
    uint64_t first;
    assert_int_equal(tlog_log_append(log, ents, (size_t)n, &first, &e), 0);
    tlog_log_close(log);
}

static store_cosigner *row_of(osafe_store *s, const char *url,
                              store_cosigner **all, size_t *n)
{
    osafe_err e;
    assert_int_equal(s->ops->cosigner_list(s, all, n, &e), 0);
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*all)[i].url, url))
            return &(*all)[i];
    fail_msg("no witness %s", url);
    return NULL;
}

static void free_rows(store_cosigner *all, size_t n)
{
    for (size_t i = 0; i < n; i++)
        store_cosigner_release(&all[i]);
    free(all);
}

/* The served checkpoint must satisfy quorum k of the first nk witnesses
 * (0: and not k + 1). */
static int served_quorum(const char *logdir, const tlog_verifier *logv,
                         const tlog_verifier *keys, size_t nk, size_t k)
{
    char *note;
    size_t len;
    osafe_err e;
    tlog_note nt;
    assert_int_equal(tlog_cosigned_read(logdir, &note, &len, &e), 0);
    assert_int_equal(tlog_note_open(note, len, logv, 1, &nt, &e), 0);
    int rc = tlog_cosig_quorum(note, len, nt.text_len, keys, nk, k, 5000,
                               NULL, &e);
    free(note);
    return rc;
}

static void test_collect(void **state)
{
    (void)state;
    struct node a;
    node_open(&a);
    osafe_err e;
    /* node A's log, with 5 entries */
    tlog_signer logkey;
    gen("a.example/log", &logkey);
    char keypath[128], logdir[128];
    snprintf(keypath, sizeof keypath, "%s/log.key", a.dir);
    snprintf(logdir, sizeof logdir, "%s/log", a.dir);
    osafe_buf kt = OSAFE_BUF_INIT;
    assert_int_equal(tlog_signer_format(&logkey, &kt), 0);
    assert_int_equal(fsx_write_atomic(keypath, kt.data, kt.len, 0600, 1, &e),
                     0);
    buf_release(&kt);
    assert_int_equal(tlog_log_init(logdir, "a.example/log", keypath, &e), 0);
    append(logdir, 5, 0);
    char *logvk = vkey_text(&logkey);
    /* witnesses B, C (honest), D (down), F (forges its answer) */
    struct witness w[4] = {{.url = "http://b/witness"},
                           {.url = "http://c/witness"},
                           {.url = "http://d/witness", .down = 1},
                           {.url = "http://f/witness", .forge = 1}};
    static const char *names[4] = {"b.example", "c.example", "d.example",
                                   "f.example"};
    tlog_verifier keys[4];
    wits = w;
    nwits = 4;
    for (int i = 0; i < 4; i++) {
        node_open(&w[i].n);
        gen(names[i], &w[i].key);
        keys[i] = w[i].key.v;
        /* each witness witnesses A's log (its peer) */
        assert_int_equal(fed_peer_add(w[i].n.s, "http://a", logvk, NULL, &e),
                         0);
        char *vk = vkey_text(&w[i].key);
        assert_int_equal(fed_cosigner_add(a.s, w[i].url, vk, &e), 0);
        free(vk);
    }
    fed_cosign *c;
    assert_int_equal(fed_cosign_open(a.db, logdir, post, NULL, &c, &e), 0);
    unsigned asked;
    /* nothing served cosigned before the first round */
    assert_int_equal(served_quorum(logdir, &logkey.v, keys, 1, 1),
                     OSAFE_EVERIFY);
    assert_int_equal(fed_cosign_round(c, 1000, &asked, &e), 0);
    assert_int_equal(asked, 4);
    assert_int_equal(served_quorum(logdir, &logkey.v, keys, 2, 2), 0);
    /* D is down and F's cosignature does not verify: neither is served */
    assert_int_equal(served_quorum(logdir, &logkey.v, keys, 3, 3),
                     OSAFE_EVERIFY);
    assert_int_equal(served_quorum(logdir, &logkey.v, keys + 3, 1, 1),
                     OSAFE_EVERIFY);
    store_cosigner *all, *r;
    size_t n;
    r = row_of(a.s, "http://b/witness", &all, &n);
    assert_int_equal(r->size, 5);
    assert_int_equal(r->cosig_time, 5000);
    assert_string_equal(r->last_error, "");
    free_rows(all, n);
    r = row_of(a.s, "http://d/witness", &all, &n);
    assert_non_null(strstr(r->last_error, "connection refused"));
    free_rows(all, n);
    r = row_of(a.s, "http://f/witness", &all, &n);
    assert_non_null(strstr(r->last_error, "without a valid cosignature"));
    assert_string_equal(r->cosig, "");
    free_rows(all, n);
    /* at once again: B and C have cosigned this checkpoint, D and F wait
     * for their backoff */
    assert_int_equal(fed_cosign_round(c, 1001, &asked, &e), 0);
    assert_int_equal(asked, 0);
    /* the log grows: B and C get old 5 and a consistency proof */
    append(logdir, 4, 5);
    assert_int_equal(served_quorum(logdir, &logkey.v, keys, 1, 1),
                     OSAFE_EVERIFY); /* the new checkpoint, bare */
    assert_int_equal(fed_cosign_round(c, 1002, &asked, &e), 0);
    assert_int_equal(asked, 2);
    assert_int_equal(served_quorum(logdir, &logkey.v, keys, 2, 2), 0);
    /* we forgot what B cosigned (old 0): its 409 names 9, and the retry
     * with old 9 is cosigned */
    append(logdir, 1, 9);
    r = row_of(a.s, "http://b/witness", &all, &n);
    r->size = 0;
    assert_int_equal(a.s->ops->cosigner_put(a.s, r, 0, &e), 0);
    free_rows(all, n);
    int calls = w[0].calls;
    assert_int_equal(fed_cosign_round(c, 1003, &asked, &e), 0);
    assert_int_equal(w[0].calls, calls + 2);
    r = row_of(a.s, "http://b/witness", &all, &n);
    assert_int_equal(r->size, 10);
    assert_string_equal(r->last_error, "");
    free_rows(all, n);
    assert_int_equal(served_quorum(logdir, &logkey.v, keys, 2, 2), 0);
    /* C saw another history of size 10 (as if A had shown it a fork): it
     * refuses A's next checkpoint with 422, and only B's cosignature is
     * served with it */
    uint8_t other[32];
    memset(other, 0x77, 32);
    assert_int_equal(w[1].n.s->ops->witness_put(w[1].n.s, "a.example/log", 10,
                                                other, "x\n", &e),
                     0);
    append(logdir, 1, 10);
    assert_int_equal(fed_cosign_round(c, 1004, &asked, &e), 0);
    r = row_of(a.s, "http://c/witness", &all, &n);
    assert_non_null(strstr(r->last_error, "422"));
    assert_int_equal(r->size, 10);
    free_rows(all, n);
    assert_int_equal(served_quorum(logdir, &logkey.v, keys, 1, 1), 0);
    assert_int_equal(served_quorum(logdir, &logkey.v, keys, 2, 2),
                     OSAFE_EVERIFY);
    /* D comes back: once its backoff has passed it cosigns */
    w[2].down = 0;
    assert_int_equal(fed_cosign_round(c, 1000 + OSAFE_COSIGN_BACKOFF_MAX_MS +
                                             OSAFE_COSIGN_BACKOFF_MAX_MS,
                                      &asked, &e),
                     0);
    tlog_verifier bd[2] = {keys[0], keys[2]};
    assert_int_equal(served_quorum(logdir, &logkey.v, bd, 2, 2), 0);
    fed_cosign_close(c);
    for (int i = 0; i < 4; i++) {
        tlog_signer_wipe(&w[i].key);
        node_close(&w[i].n);
    }
    free(logvk);
    tlog_signer_wipe(&logkey);
    node_close(&a);
}

/* A cosigned copy of an older checkpoint is never served with a newer
 * one. */
static void test_cosigned_stale(void **state)
{
    (void)state;
    char dir[64] = "/tmp/osafe-cos-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char p[128], q[128];
    snprintf(p, sizeof p, "%s/checkpoint", dir);
    snprintf(q, sizeof q, "%s/" TLOG_COSIGNED_FILE, dir);
    osafe_err e;
    const char *cp = "o\n2\nAAAA\n\n\xe2\x80\x94 o sig\n";
    assert_int_equal(fsx_write_atomic(p, cp, strlen(cp), 0644, 1, &e), 0);
    const char *old = "o\n1\nAAAA\n\n\xe2\x80\x94 o sig\n\xe2\x80\x94 w x\n";
    assert_int_equal(fsx_write_atomic(q, old, strlen(old), 0644, 1, &e), 0);
    char *got;
    size_t len;
    assert_int_equal(tlog_cosigned_read(dir, &got, &len, &e), 0);
    assert_string_equal(got, cp);
    free(got);
    char now[128];
    snprintf(now, sizeof now, "%s\xe2\x80\x94 w y\n", cp);
    assert_int_equal(fsx_write_atomic(q, now, strlen(now), 0644, 1, &e), 0);
    assert_int_equal(tlog_cosigned_read(dir, &got, &len, &e), 0);
    assert_string_equal(got, now);
    free(got);
    assert_int_equal(fsx_remove_tree(dir, &e), 0);
}

/* ---- the shared vectors -------------------------------------------------- */

static struct {
    osafe_store *s;
    tlog_signer key;
    uint64_t ts;
    osafe_buf last; /* the last request body */
} vw;

static int vector_post(void *ctx, const char *url, const char *body,
                       size_t len, long *status, osafe_buf *resp,
                       osafe_err *e)
{
    (void)ctx;
    (void)url;
    buf_reset(&vw.last);
    assert_int_equal(buf_append(&vw.last, body, len), 0);
    int st = 0;
    int rc = fed_witness_add(vw.s, &vw.key, body, len, vw.ts, &st, resp, e);
    *status = st;
    return rc && st != 400 && st != 403 && st != 404 && st != 422 ? rc : 0;
}

static const char *vector_body(json_t *d, const char *id)
{
    json_t *r;
    size_t i;
    json_array_foreach(json_object_get(d, "requests"), i, r)
        if (!strcmp(json_string_value(json_object_get(r, "id")), id))
            return json_string_value(json_object_get(r, "body"));
    fail_msg("no request %s in the vector", id);
    return NULL;
}

static void test_collect_vectors(void **state)
{
    (void)state;
    json_t *wv = vec_load("witness/add-checkpoint.json");
    json_t *cv = vec_load("cosignature/cosignature-v1.json");
    json_t *tv = vec_load("tiles/tessera-testdata-log.json");
    if (!wv || !cv || !tv) {
        json_decref(wv);
        json_decref(cv);
        return;
    }
    struct node a, b;
    node_open(&a);
    node_open(&b);
    osafe_err e;
    /* the Tessera log again, from its entries and its published test key:
     * Ed25519 is deterministic, so our size-15 checkpoint is theirs */
    char keypath[128], logdir[128];
    snprintf(keypath, sizeof keypath, "%s/log.key", a.dir);
    snprintf(logdir, sizeof logdir, "%s/log", a.dir);
    const char *sk = json_string_value(json_object_get(
        tv, "log_private_key_go_format"));
    assert_int_equal(fsx_write_atomic(keypath, sk, strlen(sk), 0600, 1, &e),
                     0);
    assert_int_equal(tlog_log_init(logdir, "example.com/log/testdata",
                                   keypath, &e),
                     0);
    tlog_log *log;
    assert_int_equal(tlog_log_open(logdir, TLOG_OPEN_WRITE, NULL, &log, &e),
                     0);
    json_t *ents = json_object_get(tv, "entries_utf8");
    tlog_entry ent[15];
    assert_int_equal(json_array_size(ents), 15);
    for (size_t i = 0; i < 15; i++) {
        ent[i].data = json_string_value(json_array_get(ents, i));
        ent[i].len = strlen(ent[i].data);
    }
    uint64_t first;
    assert_int_equal(tlog_log_append(log, ent, 15, &first, &e), 0);
    tlog_log_close(log);
    /* the vector's witness, witnessing that log */
    json_t *cos = json_object_get(cv, "cosigner");
    size_t n;
    uint8_t *seed = vec_hex(json_object_get(cos, "ed25519_seed_hex"), &n);
    assert_int_equal(n, 32);
    memset(&vw.key, 0, sizeof vw.key);
    snprintf(vw.key.v.name, sizeof vw.key.v.name, "%s",
             json_string_value(json_object_get(cos, "name")));
    vw.key.v.type = TLOG_SIG_ED25519;
    crypto_sign_seed_keypair(vw.key.v.pk, vw.key.sk, seed);
    vw.key.v.id = tlog_key_id(vw.key.v.name, TLOG_SIG_ED25519, vw.key.v.pk,
                              32);
    free(seed);
    vw.s = b.s;
    vw.ts = (uint64_t)json_integer_value(json_object_get(cv, "timestamp"));
    assert_int_equal(fed_peer_add(b.s, "http://log.example.com",
                                  json_string_value(json_object_get(
                                      wv, "log_vkey")),
                                  NULL, &e),
                     0);
    char *wvk = vkey_text(&vw.key);
    assert_int_equal(fed_cosigner_add(a.s, "http://w.example/witness", wvk,
                                      &e),
                     0);
    fed_cosign *c;
    unsigned asked;
    assert_int_equal(fed_cosign_open(a.db, logdir, vector_post, NULL, &c, &e),
                     0);
    /* first contact: the vector's body exactly */
    assert_int_equal(fed_cosign_round(c, 1000, &asked, &e), 0);
    assert_int_equal(asked, 1);
    assert_string_equal(vw.last.data, vector_body(wv, "first-contact"));
    /* from size 10 (the witness's state and ours say so): the body with
     * the vector's consistency proof, and the vector's cosignature */
    tlog_hash r10;
    assert_int_equal(b64_decode(r10.b, 32,
                                "y8/gZsZCtitsMan09tY+k8I7Qpr7Y5fbO2tLi9GQnfU=",
                                44),
                     32);
    assert_int_equal(b.s->ops->witness_put(b.s, "example.com/log/testdata",
                                           10, r10.b, "", &e),
                     0);
    store_cosigner *all;
    assert_int_equal(a.s->ops->cosigner_list(a.s, &all, &n, &e), 0);
    all[0].size = 10;
    free(all[0].note);
    all[0].note = NULL;
    all[0].cosig[0] = '\0';
    assert_int_equal(a.s->ops->cosigner_put(a.s, &all[0], 0, &e), 0);
    free_rows(all, n);
    assert_int_equal(fed_cosign_round(c, 1001, &asked, &e), 0);
    assert_int_equal(asked, 1);
    assert_string_equal(vw.last.data, vector_body(wv, "from-10-to-15"));
    char *note;
    size_t len;
    assert_int_equal(tlog_cosigned_read(logdir, &note, &len, &e), 0);
    const char *line = json_string_value(json_object_get(
        cv, "cosignature_line"));
    assert_non_null(strstr(note, line));
    /* the vector's whole cosigned checkpoint, when it is ours plus that
     * one line */
    const char *whole = json_string_value(json_object_get(
        cv, "cosigned_checkpoint"));
    if (whole)
        assert_string_equal(note, whole);
    free(note);
    fed_cosign_close(c);
    free(wvk);
    buf_release(&vw.last);
    tlog_signer_wipe(&vw.key);
    node_close(&a);
    node_close(&b);
    json_decref(wv);
    json_decref(cv);
    json_decref(tv);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quorum),
        cmocka_unit_test(test_store_rows),
        cmocka_unit_test(test_collect),
        cmocka_unit_test(test_cosigned_stale),
        cmocka_unit_test(test_collect_vectors),
    };
    return vec_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
