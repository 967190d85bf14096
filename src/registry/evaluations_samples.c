/*
 * evaluations_samples.c - the samples of a published evaluation (issue 16
 * item 10): uploaded in chunks after the run, kept once they hash to the
 * samples_sha256 the log already holds, read back by page with filters.
 *
 * An upload is a sequence of chunks of samples.jsonl, each whole lines, at
 * byte offsets; a chunk sent again (a client that lost the answer) is
 * recognised by its offset and SHA-256 and changes nothing.  The last
 * chunk makes the registry hash every stored line: equal to the logged
 * digest, the samples are complete; different, they are discarded and the
 * upload starts over, so that nothing the log does not commit to is ever
 * served as the run's samples.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/limits.h"
#include "registry/reg_internal.h"

/* s cut to fit out (OSAFE_SAMPLE_FIELD_MAX) on a UTF-8 boundary. */
static void field(char *out, size_t n, const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    size_t len = s ? strlen(s) : 0;
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, s ? s : "", len);
    out[len] = '\0';
}

/* One line of samples.jsonl to a row (its body borrowed from the chunk). */
static int parse_line(const char *p, size_t n, int64_t line, store_sample *x,
                      osafe_err *e)
{
    json_error_t je;
    json_t *j = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(j)) {
        json_decref(j);
        return osafe_errf(e, OSAFE_EINVAL, "sample line %lld: not a JSON "
                          "object%s%s", (long long)line + 1, j ? "" : ": ",
                          j ? "" : je.text);
    }
    memset(x, 0, sizeof *x);
    field(x->hazard, sizeof x->hazard, j, "hazard");
    field(x->lang, sizeof x->lang, j, "lang");
    field(x->label, sizeof x->label, j, "label");
    const json_t *sc = json_object_get(j, "score");
    const json_t *er = json_object_get(j, "error");
    x->error = (er && !json_is_null(er)) || !json_is_number(sc);
    x->has_score = json_is_number(sc);
    x->score = json_number_value(sc);
    snprintf(x->outcome, sizeof x->outcome, "%s",
             x->error ? "error"
             : x->score >= OSAFE_SAMPLE_PASS_MIN ? "pass" : "fail");
    x->needs_review = json_is_true(json_object_get(j, "needs_review"));
    x->body = (char *)p;
    x->body_len = n;
    json_decref(j);
    return 0;
}

/* The chunk's lines as rows (bodies point into body); *rows the caller's
 * to free (not the bodies). */
static int parse_chunk(const char *body, size_t len, int64_t first,
                       store_sample **rows, size_t *n, osafe_err *e)
{
    *rows = NULL;
    *n = 0;
    if (len == 0 || body[len - 1] != '\n')
        return osafe_errf(e, OSAFE_EINVAL, "a chunk of samples is whole "
                          "lines of samples.jsonl, each ending in a newline");
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += body[i] == '\n';
    store_sample *r = calloc(lines, sizeof *r);
    if (!r)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int rc = 0;
    const char *p = body, *end = body + len;
    while (!rc && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == p)
            rc = osafe_errf(e, OSAFE_EINVAL, "sample line %lld is empty",
                            (long long)(first + (int64_t)*n) + 1);
        else
            rc = parse_line(p, (size_t)(nl - p), first + (int64_t)*n,
                            &r[*n], e);
        if (!rc)
            ++*n;
        p = nl + 1;
    }
    if (rc) {
        free(r);
        *n = 0;
        return rc;
    }
    *rows = r;
    return 0;
}

/* The samples_sha256 the evaluation was published (and logged) with. */
static int logged_digest(osafe_store *s, const char *id, char hex[65],
                         osafe_err *e)
{
    char *body;
    size_t len;
    int64_t index;
    int rc = s->ops->evaluation_get(s, id, &body, &len, &index, e);
    if (rc)
        return rc;
    json_t *j = json_loadb(body, len, 0, NULL);
    const char *h = json_string_value(json_object_get(j, "samples_sha256"));
    if (h && strlen(h) == 64)
        memcpy(hex, h, 65);
    else
        rc = osafe_errf(e, OSAFE_ECORRUPT, "evaluation %s: stored body lacks "
                        "samples_sha256", id);
    json_decref(j);
    free(body);
    return rc;
}

/* The last chunk is in: complete (1), or discarded (*mismatch 1, the
 * digests named in *e after the caller commits the discard). */
static int finish(osafe_store *s, const char *id, int *mismatch,
                  char got_hex[65], char want_hex[65], osafe_err *e)
{
    uint8_t got[32];
    int rc = logged_digest(s, id, want_hex, e);
    if (!rc)
        rc = s->ops->samples_digest(s, id, got, e);
    if (rc)
        return rc;
    hex_encode(got_hex, got, 32);
    *mismatch = strcmp(got_hex, want_hex) != 0;
    return s->ops->samples_finish(s, id, !*mismatch, e);
}

/* May c upload the samples of a run published by author? */
static int may_upload(const reg_caller *c, int64_t author, const char *id,
                      osafe_err *e)
{
    if (!c->authenticated)
        return osafe_errf(e, OSAFE_EAUTH, "a token is required to upload "
                          "samples");
    if (c->acct.id != author && strcmp(c->acct.role, "admin"))
        return osafe_errf(e, OSAFE_EPERM, "only the account that published "
                          "'%s' (or an admin) uploads its samples", id);
    return 0;
}

struct put {
    const char *id;
    int64_t offset;
    size_t len;
    char sha[65];
    store_sample *rows;
    size_t n;
    int last, replayed, mismatch;
    char got[65], want[65];
    store_sample_state st;
};

/* In the transaction: the chunk against what is stored, then stored. */
static int put_tx(osafe_store *s, const reg_caller *c, struct put *p,
                  osafe_err *e)
{
    int rc = s->ops->samples_state(s, p->id, &p->st, e);
    if (!rc && p->st.withdrawn)
        rc = osafe_errf(e, OSAFE_ESTATE, "evaluation '%s' is withdrawn",
                        p->id);
    if (!rc)
        rc = may_upload(c, p->st.author, p->id, e);
    if (rc)
        return rc;
    if (p->offset < p->st.received) {
        int64_t len;
        char sha[65];
        rc = s->ops->samples_chunk(s, p->id, p->offset, &len, sha, e);
        if (rc == OSAFE_ENOTFOUND || (!rc && (len != (int64_t)p->len ||
                                              strcmp(sha, p->sha))))
            return osafe_errf(e, OSAFE_ESTATE, "offset %lld: a different "
                              "chunk is stored there (%lld bytes received; "
                              "send the next chunk at that offset)",
                              (long long)p->offset,
                              (long long)p->st.received);
        p->replayed = 1;
        if (rc || !p->last || p->st.complete)
            return rc;
    } else if (p->st.complete) {
        return osafe_errf(e, OSAFE_ESTATE, "the samples of '%s' are complete",
                          p->id);
    } else if (p->offset > p->st.received) {
        return osafe_errf(e, OSAFE_ESTATE, "offset %lld: %lld bytes are "
                          "received; send the chunk at offset %lld",
                          (long long)p->offset, (long long)p->st.received,
                          (long long)p->st.received);
    } else if (p->st.received + (int64_t)p->len >
               (int64_t)OSAFE_EVAL_SAMPLES_MAX) {
        return osafe_errf(e, OSAFE_ETOOBIG, "samples are at most %u bytes",
                          OSAFE_EVAL_SAMPLES_MAX);
    } else if (p->len > 0) {
        rc = s->ops->samples_append(s, p->id, p->offset, (int64_t)p->len,
                                    p->sha, p->rows, p->n, e);
    }
    if (!rc && p->last)
        rc = finish(s, p->id, &p->mismatch, p->got, p->want, e);
    if (!rc)
        rc = s->ops->samples_state(s, p->id, &p->st, e);
    return rc;
}

int reg_evaluation_samples_put(registry *r, const reg_caller *c,
                               const char *id, int64_t offset, int last,
                               const char *body, size_t len, char **out,
                               osafe_err *e)
{
    struct put p = {.id = id, .offset = offset, .len = len, .last = last};
    if (!c->authenticated)
        return osafe_errf(e, OSAFE_EAUTH, "a token is required to upload "
                          "samples");
    if (offset < 0)
        return osafe_err_field(e, OSAFE_EINVAL, "offset", "offset must be 0 "
                               "or more");
    uint8_t h[32];
    crypto_hash_sha256(h, (const uint8_t *)body, len);
    hex_encode(p.sha, h, 32);
    osafe_store *s = reg__store_get(r);
    /* line numbers in messages count from the lines stored so far */
    store_sample_state pre;
    int rc = s->ops->samples_state(s, id, &pre, e);
    /* an empty last chunk: every line is in, a lost answer retried */
    if (!rc && len == 0 && !last)
        rc = osafe_errf(e, OSAFE_EINVAL, "an empty chunk is only the last");
    else if (!rc && len > 0)
        rc = parse_chunk(body, len, pre.samples, &p.rows, &p.n, e);
    if (!rc && !(rc = s->ops->begin(s, e)))
        rc = reg__end_tx(s, put_tx(s, c, &p, e), e);
    reg__store_put(r, s);
    free(p.rows);
    if (!rc && p.mismatch)
        return osafe_errf(e, OSAFE_EINVAL, "the uploaded samples hash to %s, "
                          "but '%s' was published with samples_sha256 %s: "
                          "upload discarded; send samples.jsonl again from "
                          "offset 0", p.got, id, p.want);
    if (rc)
        return rc;
    return reg__out_json(json_pack("{s:s, s:I, s:I, s:b, s:b}", "id", id,
                                   "received", (json_int_t)p.st.received,
                                   "samples", (json_int_t)p.st.samples,
                                   "complete", p.st.complete, "replayed",
                                   p.replayed),
                         out, e);
}

/* The prompt a sample sent: the last user message of a chat request, or
 * a completion request's prompt. */
static const char *prompt_of(const json_t *s)
{
    const json_t *req = json_object_get(s, "request");
    const json_t *msgs = json_object_get(req, "messages");
    const char *last = NULL;
    for (size_t i = 0; i < json_array_size(msgs); i++) {
        const json_t *m = json_array_get(msgs, i);
        const char *role = json_string_value(json_object_get(m, "role"));
        const char *text = json_string_value(json_object_get(m, "content"));
        if (role && !strcmp(role, "user") && text)
            last = text;
    }
    return last ? last
                : json_string_value(json_object_get(req, "prompt"));
}

/* One row as the API shows it: the indexed fields, and from the line the
 * texts and the scorer's reason (a judge's verdict; the error when not
 * scored). */
static json_t *sample_json(const store_sample *x)
{
    json_t *j = json_loadb(x->body, x->body_len, 0, NULL);
    const json_t *conf = json_object_get(j, "confidence");
    const char *err = json_string_value(json_object_get(j, "error"));
    const char *verdict = json_string_value(
        json_object_get(json_object_get(j, "judge"), "verdict"));
    const char *item = json_string_value(json_object_get(j, "item_id"));
    json_t *o = json_pack(
        "{s:I, s:s?, s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:s?, s:b, s:s?, "
        "s:s?, s:s?}",
        "index", (json_int_t)x->index, "item_id", item, "epoch",
        json_integer_value(json_object_get(j, "epoch")), "hazard", x->hazard,
        "language", x->lang, "label", x->label, "outcome", x->outcome,
        "score", x->has_score ? json_real(x->score) : json_null(),
        "confidence", json_is_number(conf) ? json_real(json_number_value(conf))
                                           : json_null(),
        "error", err, "needs_review", x->needs_review, "prompt",
        prompt_of(j), "response",
        json_string_value(json_object_get(j, "response")), "reason",
        verdict ? verdict : err);
    json_decref(j);
    return o;
}

static json_t *page_json(const char *id, const store_sample_state *st,
                         const store_sample_page *p, int page, int per_page)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < p->n; i++)
        if (json_array_append_new(arr, sample_json(&p->rows[i]))) {
            json_decref(arr);
            arr = NULL;
        }
    if (!arr)
        return NULL;
    int64_t pages = (p->total + per_page - 1) / per_page;
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:i, s:i, s:I, s:o}", "id",
                     id,
                     "status", st->complete          ? "complete"
                               : st->received > 0 ? "incomplete"
                                                  : "none",
                     "received", (json_int_t)st->received, "uploaded",
                     (json_int_t)st->samples, "total", (json_int_t)p->total,
                     "page", page, "per_page", per_page, "pages",
                     (json_int_t)pages, "samples", arr);
}

int reg_evaluation_samples(registry *r, const char *id,
                           const store_sample_filter *f, int page,
                           int per_page, char **out, osafe_err *e)
{
    const char *const vals[] = {f->hazard, f->lang, f->label};
    for (size_t i = 0; i < 3; i++)
        if (vals[i] && strlen(vals[i]) > OSAFE_SAMPLE_FILTER_MAX)
            return osafe_errf(e, OSAFE_EINVAL, "a filter value is at most %d "
                              "bytes", OSAFE_SAMPLE_FILTER_MAX);
    if (page < 1 || per_page < 1 || per_page > OSAFE_SAMPLES_PER_PAGE_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "page must be 1 or more, per_page "
                          "1 to %d", OSAFE_SAMPLES_PER_PAGE_MAX);
    store_sample_filter q = *f;
    q.limit = per_page;
    q.offset = (int64_t)(page - 1) * per_page;
    store_sample_state st;
    store_sample_page p = {0};
    osafe_store *s = reg__store_get(r);
    char *body = NULL;
    size_t len;
    int64_t index;
    /* withdrawn: OSAFE_ESTATE, as the run itself */
    int rc = s->ops->evaluation_get(s, id, &body, &len, &index, e);
    free(body);
    if (!rc)
        rc = s->ops->samples_state(s, id, &st, e);
    /* incomplete samples are not the run's: the log does not commit to
     * them yet */
    if (!rc && st.complete)
        rc = s->ops->samples_page(s, id, &q, &p, e);
    reg__store_put(r, s);
    if (!rc) {
        json_t *o = page_json(id, &st, &p, page, per_page);
        rc = o ? reg__out_json(o, out, e)
               : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    store_sample_page_release(&p);
    return rc;
}
