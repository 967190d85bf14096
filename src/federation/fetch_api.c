/*
 * fetch_api.c - GREEN and AMBER records of a peer, through its API with
 * the token it issued to this node (role `peer`), each checked against the
 * salted commitment the peer's log holds before it is stored.
 *
 * The log entry {"type":"osafe.record/v1","id","version","tlp",
 * "commitment"} is already verified (it is in the signed tree).  The
 * record's bytes (GET /api/v1/records/ID?version=V) and the salt (its
 * proof, GET .../proof?version=V) come from the peer's server, which is
 * trusted for nothing: SHA-256(salt || bytes) must be the commitment, and
 * the bytes must name the same id, version and level, or the record is
 * refused (counted, reported, nothing stored).
 */
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/enc.h"
#include "federation/fed_int.h"

struct api_sink {
    osafe_buf *b;
    size_t max;
    int over;
    char *org; /* X-Osafe-Org, when the answer has one */
    size_t org_n;
};

static size_t api_collect(char *p, size_t sz, size_t n, void *ud)
{
    struct api_sink *k = ud;
    if (k->b->len + sz * n > k->max) {
        k->over = 1;
        return 0;
    }
    return buf_append(k->b, p, sz * n) ? 0 : sz * n;
}

static size_t api_header(char *p, size_t sz, size_t n, void *ud)
{
    struct api_sink *k = ud;
    size_t len = sz * n;
    static const char name[] = "x-osafe-org:";
    if (k->org && len > sizeof name - 1 &&
        !strncasecmp(p, name, sizeof name - 1)) {
        const char *v = p + sizeof name - 1;
        size_t vl = len - (sizeof name - 1);
        while (vl && (*v == ' ' || *v == '\t'))
            v++, vl--;
        while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' ||
                      v[vl - 1] == ' '))
            vl--;
        if (vl < k->org_n) {
            memcpy(k->org, v, vl);
            k->org[vl] = '\0';
        }
    }
    return len;
}

/* GET <base><path> with the bearer token; *code the HTTP status (0 when no
 * answer came).  The handle's options are put back as fed__get expects. */
static int api_get(fed__http *h, const char *path, const char *token,
                   osafe_buf *out, long *code, char *org, size_t org_n,
                   osafe_err *e)
{
    char url[OSAFE_PEER_URL_MAX + 128], auth[OSAFE_PEER_TOKEN_MAX + 32];
    char err[CURL_ERROR_SIZE] = "";
    snprintf(url, sizeof url, "%s%s", h->base, path);
    if (strlen(token) > OSAFE_PEER_TOKEN_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "the peer token is longer than "
                                           "%u bytes",
                          OSAFE_PEER_TOKEN_MAX);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct curl_slist *hdr = curl_slist_append(NULL, auth);
    sodium_memzero(auth, sizeof auth);
    if (!hdr)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    buf_reset(out);
    if (org && org_n)
        org[0] = '\0';
    struct api_sink k = {out, OSAFE_HTTP_BODY_MAX, 0, org, org_n};
    CURL *c = h->curl;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, api_collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, api_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &k);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, OSAFE_PEER_HTTP_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                     OSAFE_PEER_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    /* the token must not follow a redirect to another host */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    CURLcode cr = curl_easy_perform(c);
    h->requests++;
    h->bytes += out->len;
    *code = 0;
    if (cr == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, code);
    /* the handle goes on serving /log/ requests without these */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, NULL);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, NULL);
    curl_slist_free_all(hdr);
    if (k.over)
        return osafe_errf(e, OSAFE_ETOOBIG, "%s: more than %u bytes", url,
                          OSAFE_HTTP_BODY_MAX);
    if (cr != CURLE_OK)
        return osafe_errf(e, OSAFE_EIO, "%s: %s", url,
                          err[0] ? err : curl_easy_strerror(cr));
    return buf_status(out) ? osafe_errf(e, OSAFE_ENOMEM, "out of memory") : 0;
}

int fed__check_commitment(const fed__commitment *cm, const char *body,
                          size_t len, const char *salt_hex, osafe_err *e)
{
    uint8_t salt[32], h[32];
    char hex[65];
    if (!salt_hex || strlen(salt_hex) != 64 ||
        hex_decode(salt, sizeof salt, salt_hex, 64))
        return osafe_errf(e, OSAFE_EVERIFY, "%s v%d: the peer's API gave no "
                                            "valid salt",
                          cm->id, cm->version);
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, salt, sizeof salt);
    crypto_hash_sha256_update(&st, (const uint8_t *)body, len);
    crypto_hash_sha256_final(&st, h);
    hex_encode(hex, h, 32);
    if (strcmp(hex, cm->commitment))
        return osafe_errf(e, OSAFE_EVERIFY,
                          "%s v%d: the record the peer's API served does not "
                          "match the commitment in its log (salt and bytes "
                          "hash to %.16s..., the log holds %.16s...)",
                          cm->id, cm->version, hex, cm->commitment);
    /* The bytes are the committed ones; they must also say what the
     * entry says (a commitment to one record served as another's). */
    json_error_t je;
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    const char *id = json_string_value(json_object_get(j, "id"));
    const char *tlp = json_string_value(json_object_get(j, "tlp"));
    json_t *ver = json_object_get(j, "version");
    int ok = id && tlp && json_is_integer(ver) && !strcmp(id, cm->id) &&
             !strcmp(tlp, cm->tlp) && json_integer_value(ver) == cm->version;
    json_decref(j);
    return ok ? 0
              : osafe_errf(e, OSAFE_EVERIFY, "%s v%d: the committed bytes name "
                                             "another id, version or level",
                           cm->id, cm->version);
}

/* The salt of the proof answer (JSON), copied into salt (65 bytes), or
 * "" when it has none. */
static void proof_salt(const osafe_buf *proof, char salt[65])
{
    json_error_t je;
    json_t *j = json_loadb(proof->data ? proof->data : "", proof->len, 0, &je);
    const char *v = json_string_value(json_object_get(j, "salt"));
    snprintf(salt, 65, "%s", v && strlen(v) == 64 ? v : "");
    json_decref(j);
}

/* Why a status other than 200 stops here: the record's fetch must be
 * retried, so the sync fails before its position passes the entry. */
static int api_status(long code, const char *what, const char *id,
                      osafe_err *e)
{
    if (code == 401 || code == 403)
        return osafe_errf(e, OSAFE_EAUTH,
                          "the peer refused our token (%ld) for %s of %s: "
                          "check the variable named at `osafe peer add "
                          "--token-env`",
                          code, what, id);
    return osafe_errf(e, OSAFE_EIO, "the peer's API answered %ld for %s of %s",
                      code, what, id);
}

int fed__fetch_committed(fed__http *h, const char *token,
                         const fed__commitment *cm, fed__fetched *out,
                         osafe_err *e)
{
    char path[128];
    long code;
    osafe_buf body = OSAFE_BUF_INIT, proof = OSAFE_BUF_INIT;
    memset(out, 0, sizeof *out);
    snprintf(path, sizeof path, "/api/v1/records/%s?version=%d", cm->id,
             cm->version);
    int rc = api_get(h, path, token, &body, &code, out->org,
                     sizeof out->org, e);
    if (!rc && code == 404) { /* not shared with us (AMBER of another
                               * organisation, AMBER+STRICT) */
        out->status = FED__NOT_SHARED;
        goto done;
    }
    if (!rc && code != 200)
        rc = api_status(code, "the record", cm->id, e);
    snprintf(path, sizeof path, "/api/v1/records/%s/proof?version=%d",
             cm->id, cm->version);
    if (!rc)
        rc = api_get(h, path, token, &proof, &code, NULL, 0, e);
    if (!rc && code != 200)
        rc = api_status(code, "the proof", cm->id, e);
    if (rc)
        goto done;
    proof_salt(&proof, out->salt);
    osafe_err ve;
    if (!body.data || memchr(body.data, '\0', body.len) ||
        fed__check_commitment(cm, body.data, body.len, out->salt, &ve)) {
        out->status = FED__REFUSED;
        snprintf(out->why, sizeof out->why, "%s",
                 body.data && !memchr(body.data, '\0', body.len)
                     ? ve.msg
                     : "the peer's API served an empty or binary record");
        goto done;
    }
    out->status = FED__MATCHED;
    out->body = buf_detach(&body, &out->body_len);
done:
    buf_release(&body);
    buf_release(&proof);
    return rc;
}
