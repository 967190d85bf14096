/*
 * suite_reader.c - the streaming suite reader of suite.h (suite_reader_*),
 * the duplicate-id set it and suite.c's check_all share, line reading over
 * items.jsonl, and suite_load / suite_free on top of the reader.  The
 * checks themselves (suite__check_meta, suite__check_item) are in suite.c.
 */
#include "eval/suite.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/canon.h"
#include "core/enc.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "core/yamlx.h"
#include "eval/suite_int.h"

/* ------------------------------------------------------------------ */
/* Id set: a keyed 64-bit hash and the caller's reference (16 bytes a   */
/* slot); a hash match is confirmed by fetching the earlier id, so the  */
/* ids themselves are never held.                                       */
/* ------------------------------------------------------------------ */

/* expect: items to come (0: unknown), so that the table is sized once:
 * growing would hold the old and the new table at the same time. */
/* Lines in a file (0 if unreadable): a cheap first look at a suite. */
static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    char chunk[65536];
    size_t got, n = 0;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        for (size_t i = 0; i < got; i++)
            n += chunk[i] == '\n';
    fclose(f);
    return n > OSAFE_SUITE_MAX_ITEMS ? OSAFE_SUITE_MAX_ITEMS : n;
}

int suite__ids_init(id_set *s, size_t expect)
{
    memset(s, 0, sizeof *s);
    if (sodium_init() < 0)
        return OSAFE_ENOMEM;
    randombytes_buf(s->key, sizeof s->key); /* no crafted probe chains */
    s->cap = 1024;
    while (s->cap < expect * 2 && s->cap < ((size_t)1 << 40))
        s->cap *= 2;
    s->t = calloc(s->cap, sizeof *s->t);
    return s->t ? 0 : OSAFE_ENOMEM;
}

void suite__ids_free(id_set *s)
{
    free(s->t);
    s->t = NULL;
}

static int ids_grow(id_set *s)
{
    size_t ncap = s->cap * 2;
    id_slot *nt = calloc(ncap, sizeof *nt);
    if (!nt)
        return OSAFE_ENOMEM;
    for (size_t i = 0; i < s->cap; i++) {
        if (!s->t[i].ref)
            continue;
        size_t j = (size_t)s->t[i].h & (ncap - 1);
        while (nt[j].ref)
            j = (j + 1) & (ncap - 1);
        nt[j] = s->t[i];
    }
    free(s->t);
    s->t = nt;
    s->cap = ncap;
    return 0;
}

/* 0 added, 1 duplicate (*first = the earlier reference), < 0 error. */
int suite__ids_add(id_set *s, const char *id, uint64_t ref, id_fetch_fn fetch,
            void *ctx, uint64_t *first, osafe_err *e)
{
    if ((s->n + 1) * 4 > s->cap * 3 && ids_grow(s))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory (id set)");
    uint8_t hb[crypto_shorthash_BYTES];
    crypto_shorthash(hb, (const uint8_t *)id, strlen(id), s->key);
    uint64_t h;
    memcpy(&h, hb, sizeof h);
    size_t j = (size_t)h & (s->cap - 1);
    for (; s->t[j].ref; j = (j + 1) & (s->cap - 1)) {
        if (s->t[j].h != h)
            continue;
        char *other = fetch(ctx, s->t[j].ref - 1, e);
        if (!other)
            return e ? e->code : OSAFE_EIO;
        int same = !strcmp(other, id);
        free(other);
        if (same) {
            *first = s->t[j].ref - 1;
            return 1;
        }
    }
    s->t[j].h = h;
    s->t[j].ref = ref + 1;
    s->n++;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Reader                                                               */
/* ------------------------------------------------------------------ */

/* The suite_item view of a parsed item (pointers borrowed from it). */
static void item_view(json_t *it, suite_item *out)
{
    const char *s;
    memset(out, 0, sizeof *out);
    out->json = it;
    out->id = json_string_value(json_object_get(it, "id"));
    out->input = json_object_get(it, "input");
    s = json_string_value(json_object_get(it, "lang"));
    out->lang = s ? s : "";
    s = json_string_value(json_object_get(it, "hazard"));
    out->hazard = s ? s : "";
    s = json_string_value(json_object_get(it, "expected"));
    out->expected = s ? s : "";
    out->reference = json_string_value(json_object_get(it, "reference"));
    out->choices = json_object_get(it, "choices");
}

#define RD_CHUNK 65536

struct suite_reader {
    json_t *meta;
    meta_ctx mc;
    FILE *f;
    char *items_path;
    char rb[RD_CHUNK];
    size_t rpos, rlen;
    int eof;
    uint64_t off; /* file offset of the next unread byte */
    osafe_buf line;
    size_t lineno;
    size_t n;
    crypto_hash_sha256_state sha;
    osafe_buf cbuf;
    id_set ids;
    json_t *cur;
    char hash[65];
    int state; /* 0 reading, 1 done, -1 failed */
    int trusted; /* suite_reader_trust: parse only */
};

/* Read one line (without "\n") into r->line.  1 got one, 0 end, < 0. */
static int rd_line(suite_reader *r, uint64_t *start, osafe_err *e)
{
    buf_reset(&r->line);
    *start = r->off;
    int any = 0;
    for (;;) {
        if (r->rpos == r->rlen) {
            if (r->eof)
                return any ? 1 : 0;
            r->rlen = fread(r->rb, 1, sizeof r->rb, r->f);
            r->rpos = 0;
            if (r->rlen == 0) {
                if (ferror(r->f))
                    return osafe_errno(e, OSAFE_EIO, errno, "reading %s",
                                       r->items_path);
                r->eof = 1;
                continue;
            }
        }
        any = 1;
        const char *p = r->rb + r->rpos;
        size_t avail = r->rlen - r->rpos;
        const char *nl = memchr(p, '\n', avail);
        size_t take = nl ? (size_t)(nl - p) : avail;
        if (r->line.len + take > OSAFE_SUITE_LINE_MAX)
            return osafe_errf(e, OSAFE_ETOOBIG,
                              "items.jsonl:%zu: line longer than %u bytes",
                              r->lineno + 1, (unsigned)OSAFE_SUITE_LINE_MAX);
        if (take && buf_append(&r->line, p, take))
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        r->rpos += take + (nl ? 1 : 0);
        r->off += take + (nl ? 1 : 0);
        if (nl)
            return 1;
    }
}

/* pread the line starting at offset off (without "\n") into b. */
static int rd_pread_line(suite_reader *r, uint64_t off, osafe_buf *b,
                         osafe_err *e)
{
    char chunk[4096];
    for (;;) {
        ssize_t k =
            pread(fileno(r->f), chunk, sizeof chunk, (off_t)(off + b->len));
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return osafe_errno(e, OSAFE_EIO, errno, "re-reading %s",
                               r->items_path);
        if (k == 0)
            return 0;
        char *nl = memchr(chunk, '\n', (size_t)k);
        size_t take = nl ? (size_t)(nl - chunk) : (size_t)k;
        if (buf_append(b, chunk, take))
            return osafe_errf(e, OSAFE_ECORRUPT, "%s changed while being read",
                              r->items_path);
        if (nl)
            return 0;
    }
}

/* Re-read the id of the line starting at offset ref (duplicate check). */
static char *rd_fetch_id(void *ctx, uint64_t ref, osafe_err *e)
{
    suite_reader *r = ctx;
    osafe_buf b = OSAFE_BUF_INIT;
    buf_init(&b, OSAFE_SUITE_LINE_MAX + 1);
    char *out = NULL;
    if (!rd_pread_line(r, ref, &b, e)) {
        const char *t = b.data ? b.data : "";
        size_t len = b.len;
        if (ref == 0 && len >= 3 && !memcmp(t, "\xef\xbb\xbf", 3)) {
            t += 3;
            len -= 3;
        }
        json_t *j = canon_parse(t, len, NULL);
        const char *id = json_string_value(json_object_get(j, "id"));
        out = id ? strdup(id) : NULL;
        json_decref(j);
        if (!out)
            osafe_errf(e, OSAFE_ECORRUPT, "%s changed while being read",
                       r->items_path);
    }
    buf_release(&b);
    return out;
}

/* 1-based line of the byte at offset off (error messages only). */
static size_t rd_line_at(suite_reader *r, uint64_t off)
{
    char chunk[65536];
    size_t line = 1;
    for (uint64_t pos = 0; pos < off;) {
        size_t want =
            off - pos < sizeof chunk ? (size_t)(off - pos) : sizeof chunk;
        ssize_t k = pread(fileno(r->f), chunk, want, (off_t)pos);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return 0;
        for (ssize_t i = 0; i < k; i++)
            line += chunk[i] == '\n';
        pos += (uint64_t)k;
    }
    return line;
}

void suite_reader_free(suite_reader *r)
{
    if (!r)
        return;
    if (r->f)
        fclose(r->f);
    free(r->items_path);
    json_decref(r->meta);
    json_decref(r->cur);
    buf_release(&r->line);
    buf_release(&r->cbuf);
    suite__ids_free(&r->ids);
    free(r);
}

/* Canonical form of v plus "\n" into the running hash. */
int suite__hash_value(crypto_hash_sha256_state *sha, osafe_buf *cb,
               const json_t *v, osafe_err *e)
{
    buf_reset(cb);
    int rc = canon_value(v, cb, e);
    if (rc)
        return rc;
    crypto_hash_sha256_update(sha, (const uint8_t *)cb->data, cb->len);
    crypto_hash_sha256_update(sha, (const uint8_t *)"\n", 1);
    return 0;
}

/* A file given where a suite directory is expected: say what it looks
 * like and how to make a suite of it, rather than "suite.yaml: Not a
 * directory".  0 when dir is not a regular file. */
static int not_a_suite(const char *dir, osafe_err *e)
{
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    size_t n = strlen(dir);
    int csv = n >= 4 && !strcasecmp(dir + n - 4, ".csv");
    int tsv = n >= 4 && !strcasecmp(dir + n - 4, ".tsv");
    if (!csv && !tsv) {
        /* No telling extension: a first line with commas and no brace
         * reads as a CSV header. */
        char line[512];
        FILE *f = fopen(dir, "rb");
        if (f && fgets(line, sizeof line, f))
            csv = strchr(line, ',') && !strchr(line, '{');
        if (f)
            fclose(f);
    }
    if (csv || tsv)
        return osafe_errf(e, OSAFE_EINVAL,
                          "%s is a file, not a suite directory: this looks "
                          "like a %s file: import it first with `osafe suite "
                          "import NAME %s --out SUITE_DIR` (see `osafe "
                          "suite --help`) and run the suite directory",
                          dir, csv ? "CSV" : "TSV", dir);
    return osafe_errf(e, OSAFE_EINVAL,
                      "%s is a file, not a suite directory (one holding "
                      "suite.yaml and items.jsonl, as `osafe suite import` "
                      "writes)",
                      dir);
}

int suite_reader_open(const char *dir, suite_reader **out, osafe_err *e)
{
    *out = NULL;
    int bad = not_a_suite(dir, e);
    if (bad)
        return bad;
    if (sodium_init() < 0)
        return osafe_errf(e, OSAFE_ENOMEM, "libsodium failed to start");
    suite_reader *r = calloc(1, sizeof *r);
    if (!r)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    buf_init(&r->line, OSAFE_SUITE_LINE_MAX + 1);
    buf_init(&r->cbuf, 0);
    char *ypath = fsx_path_join(dir, "suite.yaml");
    r->items_path = fsx_path_join(dir, "items.jsonl");
    if (!ypath || !r->items_path) {
        free(ypath);
        suite_reader_free(r);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    char *text = NULL;
    size_t tlen = 0;
    int rc = fsx_read_file(ypath, OSAFE_SUITE_YAML_MAX, &text, &tlen, e);
    if (rc) {
        osafe_errprefix(e, "suite %s: ", dir);
        goto fail;
    }
    rc = yamlx_load(text, tlen, &r->meta, e);
    if (rc) {
        /* yamlx messages start "line L, column C: ..." */
        osafe_errprefix(e, "suite.yaml: ");
        goto fail;
    }
    rc = suite__check_meta(r->meta, text, &r->mc, e);
    if (rc)
        goto fail;
    crypto_hash_sha256_init(&r->sha);
    rc = suite__hash_value(&r->sha, &r->cbuf, r->meta, e);
    if (rc) {
        osafe_errprefix(e, "suite.yaml: ");
        goto fail;
    }
    rc = suite__ids_init(&r->ids, count_lines(r->items_path));
    if (rc) {
        osafe_errf(e, rc, "out of memory");
        goto fail;
    }
    r->f = fopen(r->items_path, "rb");
    if (!r->f) {
        rc = osafe_errno(e, errno == ENOENT ? OSAFE_ENOTFOUND : OSAFE_EIO,
                         errno, "suite %s: cannot open items.jsonl", dir);
        goto fail;
    }
    free(text);
    free(ypath);
    *out = r;
    return 0;
fail:
    free(text);
    free(ypath);
    suite_reader_free(r);
    return rc;
}

const json_t *suite_reader_meta(const suite_reader *r)
{
    return r->meta;
}

int suite_reader_next(suite_reader *r, suite_item *it, osafe_err *e)
{
    if (r->state == 1)
        return 0;
    if (r->state < 0)
        return osafe_errf(e, OSAFE_ESTATE, "suite reader failed before");
    json_decref(r->cur);
    r->cur = NULL;
    int rc;
    for (;;) {
        uint64_t start;
        rc = rd_line(r, &start, e);
        if (rc < 0)
            goto fail;
        if (rc == 0)
            break;
        r->lineno++;
        size_t len = r->line.len;
        const char *s = r->line.data ? r->line.data : "";
        if (r->lineno == 1 && len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3)) {
            s += 3; /* a UTF-8 byte order mark from an editor */
            len -= 3;
        }
        if (len && s[len - 1] == '\r')
            len--;
        size_t k = 0;
        while (k < len && (s[k] == ' ' || s[k] == '\t'))
            k++;
        if (k == len)
            continue; /* blank line */
        if (r->trusted) {
            /* Validated by an earlier pass: parse and view only, no
             * duplicate set, no hash (memory and time flat per item). */
            json_error_t je;
            json_t *t = json_loadb(s, len, 0, &je);
            if (!t || !json_is_object(t)) {
                json_decref(t);
                rc = osafe_errf(e, OSAFE_ECORRUPT,
                                "items.jsonl:%zu: changed since it was "
                                "validated",
                                r->lineno);
                goto fail;
            }
            r->cur = t;
            r->n++;
            item_view(t, it);
            return 1;
        }
        osafe_err pe = {0};
        json_t *j = canon_parse(s, len, &pe);
        if (!j) {
            rc = osafe_errf(e, pe.code, "items.jsonl:%zu: %s", r->lineno,
                            pe.msg);
            goto fail;
        }
        r->cur = j;
        char msg[OSAFE_ERR_MAX - 64];
        if (suite__check_item(j, &r->mc, msg, sizeof msg)) {
            rc = osafe_errf(e, OSAFE_EINVAL, "items.jsonl:%zu: %s", r->lineno,
                            msg);
            goto fail;
        }
        if (r->n >= OSAFE_SUITE_MAX_ITEMS) {
            rc = osafe_errf(e, OSAFE_ETOOBIG,
                            "items.jsonl:%zu: more than %u items", r->lineno,
                            (unsigned)OSAFE_SUITE_MAX_ITEMS);
            goto fail;
        }
        const char *id = json_string_value(json_object_get(j, "id"));
        uint64_t first = 0;
        rc = suite__ids_add(&r->ids, id, start, rd_fetch_id, r, &first, e);
        if (rc < 0)
            goto fail;
        if (rc == 1) {
            rc = osafe_errf(e, OSAFE_EINVAL,
                            "items.jsonl:%zu: duplicate id '%s' (first on "
                            "line %zu)",
                            r->lineno, suite__printable(id), rd_line_at(r, first));
            goto fail;
        }
        rc = suite__hash_value(&r->sha, &r->cbuf, j, e);
        if (rc) {
            osafe_errprefix(e, "items.jsonl:%zu: ", r->lineno);
            goto fail;
        }
        r->n++;
        item_view(j, it);
        return 1;
    }
    if (r->n == 0) {
        rc = osafe_errf(e, OSAFE_EINVAL, "items.jsonl: no items");
        goto fail;
    }
    if (r->trusted) {
        r->state = 1;
        return 0;
    }
    uint8_t d[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&r->sha, d);
    hex_encode(r->hash, d, sizeof d);
    r->state = 1;
    return 0;
fail:
    r->state = -1;
    return rc;
}

const char *suite_reader_hash(const suite_reader *r)
{
    return r->state == 1 && !r->trusted ? r->hash : NULL;
}

void suite_reader_trust(suite_reader *r)
{
    r->trusted = 1;
    suite__ids_free(&r->ids);
}

size_t suite_reader_count(const suite_reader *r)
{
    return r->n;
}

/* ------------------------------------------------------------------ */
/* Load                                                                 */
/* ------------------------------------------------------------------ */

void suite_free(suite *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        json_decref(s->items[i].json);
    free(s->items);
    json_decref(s->meta);
    free(s);
}

int suite_load(const char *dir, suite **out, osafe_err *e)
{
    *out = NULL;
    suite_reader *r;
    int rc = suite_reader_open(dir, &r, e);
    if (rc)
        return rc;
    suite *s = calloc(1, sizeof *s);
    if (!s) {
        suite_reader_free(r);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    size_t cap = 0;
    suite_item it;
    while ((rc = suite_reader_next(r, &it, e)) == 1) {
        if (s->n == cap) {
            size_t nc = cap ? cap * 2 : 256;
            suite_item *ni = realloc(s->items, nc * sizeof *ni);
            if (!ni) {
                rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
                break;
            }
            s->items = ni;
            cap = nc;
        }
        json_incref(it.json);
        s->items[s->n++] = it;
    }
    if (rc) {
        suite_reader_free(r);
        suite_free(s);
        return rc;
    }
    s->meta = json_incref(r->meta);
    memcpy(s->hash, r->hash, sizeof s->hash);
    suite_reader_free(r);
    s->name = json_string_value(json_object_get(s->meta, "name"));
    s->version = json_string_value(json_object_get(s->meta, "version"));
    s->license = json_string_value(json_object_get(s->meta, "license"));
    s->default_scorer =
        json_string_value(json_object_get(s->meta, "default_scorer"));
    *out = s;
    return 0;
}
