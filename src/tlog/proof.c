#include "tlog/proof.h"

#include <jansson.h>
#include <string.h>

#include "core/enc.h"
#include "core/limits.h"

static json_t *b64_value(const tlog_hash *h)
{
    char s[OSAFE_B64_LEN(TLOG_HASH_SIZE) + 1];
    b64_encode(s, h->b, TLOG_HASH_SIZE);
    return json_string(s);
}

static json_t *hash_array(const tlog_hash *proof, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        json_array_append_new(a, b64_value(&proof[i]));
    return a;
}

static int dump(json_t *o, osafe_buf *out)
{
    if (!o)
        return OSAFE_ENOMEM;
    char *s = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!s)
        return OSAFE_ENOMEM;
    int rc = buf_puts(out, s);
    if (!rc)
        rc = buf_putc(out, '\n');
    free(s);
    return rc;
}

int tlog_inclusion_json(uint64_t index, uint64_t size, const tlog_hash *leaf,
                        const tlog_hash *root, const tlog_hash *proof,
                        size_t n, osafe_buf *out)
{
    return dump(json_pack("{s:s, s:I, s:I, s:o, s:o, s:o}", "type",
                          "inclusion", "index", (json_int_t)index,
                          "tree_size", (json_int_t)size, "leaf_hash",
                          b64_value(leaf), "root_hash", b64_value(root),
                          "hashes", hash_array(proof, n)),
                out);
}

int tlog_consistency_json(uint64_t old_size, uint64_t new_size,
                          const tlog_hash *old_root, const tlog_hash *new_root,
                          const tlog_hash *proof, size_t n, osafe_buf *out)
{
    return dump(json_pack("{s:s, s:I, s:I, s:o, s:o, s:o}", "type",
                          "consistency", "old_size", (json_int_t)old_size,
                          "new_size", (json_int_t)new_size, "old_root",
                          b64_value(old_root), "new_root",
                          b64_value(new_root), "hashes",
                          hash_array(proof, n)),
                out);
}

int tlog_proof_text(uint64_t index, const tlog_hash *proof, size_t n,
                    const char *note, size_t note_len, osafe_buf *out)
{
    char s[OSAFE_B64_LEN(TLOG_HASH_SIZE) + 1];
    int rc = buf_printf(out, "c2sp.org/tlog-proof@v1\nindex %llu\n",
                        (unsigned long long)index);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        b64_encode(s, proof[i].b, TLOG_HASH_SIZE);
        rc = buf_printf(out, "%s\n", s);
    }
    if (!rc)
        rc = buf_putc(out, '\n');
    if (!rc)
        rc = buf_append(out, note, note_len);
    return rc;
}

static int get_u64(json_t *o, const char *key, uint64_t *v, osafe_err *e)
{
    json_t *x = json_object_get(o, key);
    if (!json_is_integer(x) || json_integer_value(x) < 0)
        return osafe_errf(e, OSAFE_EINVAL,
                          "proof: \"%s\" must be a non-negative integer", key);
    *v = (uint64_t)json_integer_value(x);
    return 0;
}

static int parse_json(const char *text, size_t len, tlog_proof *p,
                      osafe_err *e)
{
    json_error_t je;
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return osafe_errf(e, OSAFE_EINVAL, "proof: invalid JSON at line %d: %s",
                          je.line, je.text);
    int rc = 0;
    const char *type = json_string_value(json_object_get(o, "type"));
    json_t *hs = json_object_get(o, "hashes");
    if (!json_is_object(o) || !type) {
        rc = osafe_errf(e, OSAFE_EINVAL, "proof: missing \"type\"");
    } else if (!strcmp(type, "inclusion")) {
        p->type = TLOG_PROOF_INCLUSION;
        if (!(rc = get_u64(o, "index", &p->index, e)))
            rc = get_u64(o, "tree_size", &p->size, e);
    } else if (!strcmp(type, "consistency")) {
        p->type = TLOG_PROOF_CONSISTENCY;
        if (!(rc = get_u64(o, "old_size", &p->old_size, e)))
            rc = get_u64(o, "new_size", &p->size, e);
    } else {
        rc = osafe_errf(e, OSAFE_EINVAL, "proof: unknown type \"%s\"", type);
    }
    if (!rc && (!json_is_array(hs) || json_array_size(hs) > TLOG_PROOF_MAX))
        rc = osafe_errf(e, OSAFE_EINVAL,
                        "proof: \"hashes\" must be an array of at most %d "
                        "hashes",
                        TLOG_PROOF_MAX);
    for (size_t i = 0; !rc && i < json_array_size(hs); i++) {
        json_t *h = json_array_get(hs, i);
        const char *s = json_string_value(h);
        if (!s || b64_decode(p->h[i].b, TLOG_HASH_SIZE, s,
                             json_string_length(h)) != TLOG_HASH_SIZE)
            rc = osafe_errf(e, OSAFE_EINVAL,
                            "proof: hash %zu is not base64 of 32 bytes", i);
        p->n = i + 1;
    }
    json_decref(o);
    return rc;
}

static int parse_text(const char *text, size_t len, tlog_proof *p,
                      osafe_err *e)
{
    static const char magic[] = "c2sp.org/tlog-proof@v1\n";
    const char *q = text, *end = text + len;
    if (len < sizeof magic - 1 || memcmp(text, magic, sizeof magic - 1))
        return osafe_errf(e, OSAFE_EINVAL,
                          "proof: neither JSON nor c2sp.org/tlog-proof@v1");
    q += sizeof magic - 1;
    p->type = TLOG_PROOF_INCLUSION;
    int seen_index = 0;
    for (;;) {
        const char *nl = memchr(q, '\n', (size_t)(end - q));
        if (!nl)
            return osafe_errf(e, OSAFE_EINVAL,
                              "proof: no empty line before the checkpoint");
        size_t ll = (size_t)(nl - q);
        if (ll == 0) {
            q = nl + 1;
            break;
        }
        if (!seen_index && ll > 6 && !memcmp(q, "extra ", 6)) {
            /* opaque, unauthenticated data: skipped */
        } else if (!seen_index) {
            if (ll < 7 || memcmp(q, "index ", 6) ||
                tlog_parse_u64(q + 6, ll - 6, &p->index) != 0)
                return osafe_errf(e, OSAFE_EINVAL,
                                  "proof: expected 'index <N>'");
            seen_index = 1;
        } else {
            if (p->n == TLOG_PROOF_MAX ||
                b64_decode(p->h[p->n].b, TLOG_HASH_SIZE, q, ll) !=
                    TLOG_HASH_SIZE)
                return osafe_errf(e, OSAFE_EINVAL,
                                  "proof: line %zu is not base64 of 32 bytes",
                                  p->n + 1);
            p->n++;
        }
        q = nl + 1;
    }
    if (!seen_index)
        return osafe_errf(e, OSAFE_EINVAL, "proof: no 'index' line");
    p->note = q;
    p->note_len = (size_t)(end - q);
    return 0;
}

int tlog_proof_parse(const char *text, size_t len, tlog_proof *p,
                     osafe_err *e)
{
    memset(p, 0, sizeof *p);
    if (len > OSAFE_PROOF_JSON_MAX + OSAFE_NOTE_MAX)
        return osafe_errf(e, OSAFE_ETOOBIG, "proof: too large");
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\t'))
        i++;
    if (i < len && text[i] == '{')
        return parse_json(text, len, p, e);
    return parse_text(text, len, p, e);
}

int tlog_check_inclusion(const char *note, size_t note_len,
                         const tlog_verifier *v, const tlog_proof *p,
                         const tlog_hash *leaf, tlog_checkpoint *c,
                         osafe_err *e)
{
    if (p->type != TLOG_PROOF_INCLUSION)
        return osafe_errf(e, OSAFE_EINVAL, "not an inclusion proof");
    int rc = tlog_checkpoint_open(note, note_len, v, c, e);
    if (rc)
        return rc;
    /* The text form carries no size: it is the checkpoint's by definition. */
    if (p->size && p->size != c->size)
        return osafe_errf(e, OSAFE_EVERIFY,
                          "proof is for tree size %llu but the checkpoint "
                          "has size %llu",
                          (unsigned long long)p->size,
                          (unsigned long long)c->size);
    rc = tlog_verify_inclusion(p->index, c->size, leaf, p->h, p->n, &c->root,
                               e);
    if (rc)
        return osafe_errprefix(e, "entry %llu: ", (unsigned long long)p->index);
    return 0;
}

int tlog_check_consistency(const char *old_note, size_t old_len,
                           const char *new_note, size_t new_len,
                           const tlog_verifier *v, const tlog_proof *p,
                           osafe_err *e)
{
    tlog_checkpoint a, b;
    int rc = tlog_checkpoint_open(old_note, old_len, v, &a, e);
    if (rc)
        return osafe_errprefix(e, "old ");
    if ((rc = tlog_checkpoint_open(new_note, new_len, v, &b, e)))
        return osafe_errprefix(e, "new ");
    if (p->type != TLOG_PROOF_CONSISTENCY)
        return osafe_errf(e, OSAFE_EINVAL, "not a consistency proof");
    if (p->old_size != a.size || p->size != b.size)
        return osafe_errf(e, OSAFE_EVERIFY,
                          "proof links sizes %llu -> %llu but the "
                          "checkpoints have sizes %llu -> %llu",
                          (unsigned long long)p->old_size,
                          (unsigned long long)p->size,
                          (unsigned long long)a.size,
                          (unsigned long long)b.size);
    return tlog_verify_consistency(a.size, b.size, &a.root, &b.root, p->h,
                                   p->n, e);
}
