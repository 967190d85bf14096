/*
 * cache.c - the response cache of cache.h: files under DIR/ab/cdef...
 */
#include "eval/cache.h"

#include <errno.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/canon.h"
#include "core/enc.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "eval/client.h"

#define CACHE_FORMAT 1

int cache_dir_default(char *out, size_t n)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    int w;
    /* The XDG spec: a relative path in the variable is invalid, ignore it. */
    if (xdg && xdg[0] == '/')
        w = snprintf(out, n, "%s/osafe", xdg);
    else if (home && *home)
        w = snprintf(out, n, "%s/.cache/osafe", home);
    else
        return OSAFE_ENOTFOUND;
    if (w < 0 || (size_t)w >= n) {
        if (n)
            out[0] = '\0';
        return OSAFE_ETOOBIG;
    }
    return 0;
}

int cache_key(const char *endpoint, const json_t *body, unsigned epoch,
              char out[65])
{
    out[0] = '\0';
    char pub[OSAFE_EVAL_URL_MAX + 32];
    /* An in-process model is named by its file's hash: no URL to clean. */
    static const char gguf[] = "gguf:sha256:";
    int local = endpoint && !strncmp(endpoint, gguf, sizeof gguf - 1) &&
                strlen(endpoint) == sizeof gguf - 1 + 64;
    if (local)
        snprintf(pub, sizeof pub, "%s", endpoint);
    if (!body ||
        (!local && client_endpoint_public(endpoint, pub, sizeof pub, NULL)))
        return OSAFE_EINVAL;
    json_t *k = json_object();
    json_t *ep = json_string(pub);
    if (!k || !ep || json_object_set_new(k, "endpoint", ep) ||
        json_object_set(k, "body", (json_t *)body) ||
        json_object_set_new(k, "epoch", json_integer(epoch))) {
        if (!k)
            json_decref(ep);
        json_decref(k);
        return OSAFE_ENOMEM;
    }
    osafe_buf b;
    buf_init(&b, 0);
    int rc = canon_value(k, &b, NULL);
    if (rc != 0 && rc != OSAFE_ENOMEM) {
        /* Not JCS-representable: a stable second form, marked so that it
         * can never equal a canonical text. */
        char *s = json_dumps(k, JSON_COMPACT | JSON_SORT_KEYS);
        rc = s ? buf_puts(&b, "jansson:") : OSAFE_ENOMEM;
        if (rc == 0)
            rc = buf_puts(&b, s);
        free(s);
    }
    json_decref(k);
    if (rc != 0) {
        buf_release(&b);
        return rc == OSAFE_ENOMEM ? OSAFE_ENOMEM : OSAFE_EINVAL;
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)b.data, b.len);
    buf_release(&b);
    hex_encode(out, h, sizeof h);
    return 0;
}

static int key_ok(const char *key)
{
    if (!key || strlen(key) != 64)
        return 0;
    for (size_t i = 0; i < 64; i++)
        if (!((key[i] >= '0' && key[i] <= '9') ||
              (key[i] >= 'a' && key[i] <= 'f')))
            return 0;
    return 1;
}

static int entry_path(const char *dir, const char *key, char *out, size_t n,
                      osafe_err *e)
{
    if (!dir || !*dir)
        return osafe_errf(e, OSAFE_EINVAL, "no cache directory");
    if (!key_ok(key))
        return osafe_errf(e, OSAFE_EINVAL,
                          "cache key is not 64 lowercase hex digits");
    int w = snprintf(out, n, "%s/%.2s/%s", dir, key, key + 2);
    if (w < 0 || (size_t)w >= n)
        return osafe_errf(e, OSAFE_EINVAL, "cache directory path too long");
    return 0;
}

int cache_get(const char *dir, const char *key, json_t **response,
              osafe_err *e)
{
    *response = NULL;
    char path[OSAFE_PATH_MAX];
    int rc = entry_path(dir, key, path, sizeof path, e);
    if (rc)
        return rc;
    char *data = NULL;
    size_t len = 0;
    osafe_err re;
    rc = fsx_read_file(path, OSAFE_EVAL_CACHE_ENTRY_MAX, &data, &len, &re);
    if (rc == OSAFE_ENOTFOUND)
        return osafe_errf(e, OSAFE_ENOTFOUND, "not in the cache");
    if (rc != 0 && rc != OSAFE_ETOOBIG) {
        if (e)
            *e = re;
        return rc;
    }
    json_t *j = rc == 0 ? json_loadb(data, len, 0, NULL) : NULL;
    free(data);
    json_t *v = json_object_get(j, "osafe_cache");
    const char *k = json_string_value(json_object_get(j, "key"));
    json_t *resp = json_object_get(j, "response");
    if (!json_is_integer(v) || json_integer_value(v) != CACHE_FORMAT || !k ||
        strcmp(k, key) != 0 || !resp) {
        json_decref(j);
        int gone = unlink(path) == 0 || errno == ENOENT;
        return osafe_errf(e, OSAFE_ENOTFOUND,
                          "%s: corrupt cache entry%s", path,
                          gone ? " (removed)" : " (could not remove it)");
    }
    *response = json_incref(resp);
    json_decref(j);
    return 0;
}

/* mkdir -p with mode 0700 for what is created. */
static int mkdirs_private(const char *path, osafe_err *e)
{
    char p[OSAFE_PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof p)
        return osafe_errf(e, OSAFE_EINVAL, "bad cache directory path");
    memcpy(p, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char saved = p[i];
        p[i] = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            int err = errno;
            return osafe_errno(e, OSAFE_EIO, err, "mkdir %s", p);
        }
        p[i] = saved;
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return osafe_errf(e, OSAFE_EIO, "%s: not a directory", path);
    return 0;
}

int cache_put(const char *dir, const char *key, const json_t *response,
              osafe_err *e)
{
    char path[OSAFE_PATH_MAX];
    int rc = entry_path(dir, key, path, sizeof path, e);
    if (rc)
        return rc;
    if (!response)
        return osafe_errf(e, OSAFE_EINVAL, "no response to cache");
    char sub[OSAFE_PATH_MAX], tmp[OSAFE_PATH_MAX];
    int w1 = snprintf(sub, sizeof sub, "%s/%.2s", dir, key);
    int w2 = snprintf(tmp, sizeof tmp, "%s/.tmp-XXXXXX", sub);
    if (w1 < 0 || (size_t)w1 >= sizeof sub || w2 < 0 ||
        (size_t)w2 >= sizeof tmp)
        return osafe_errf(e, OSAFE_EINVAL, "cache directory path too long");
    if ((rc = mkdirs_private(sub, e)) != 0)
        return rc;

    json_t *entry = json_pack("{s:i, s:s, s:O}", "osafe_cache", CACHE_FORMAT,
                              "key", key, "response", response);
    char *text = entry ? json_dumps(entry, JSON_COMPACT) : NULL;
    json_decref(entry);
    if (!text)
        return osafe_errf(e, OSAFE_ENOMEM,
                          "cannot write the answer as JSON (out of memory?)");
    size_t len = strlen(text);
    if (len > OSAFE_EVAL_CACHE_ENTRY_MAX) {
        free(text);
        return osafe_errf(e, OSAFE_ETOOBIG, "cache entry larger than %u bytes",
                          OSAFE_EVAL_CACHE_ENTRY_MAX);
    }
    int fd = mkstemp(tmp); /* 0600 */
    if (fd < 0) {
        int err = errno;
        free(text);
        return osafe_errno(e, OSAFE_EIO, err, "create a file in %s", sub);
    }
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int err = w < 0 ? errno : EIO;
            close(fd);
            unlink(tmp);
            free(text);
            return osafe_errno(e, OSAFE_EIO, err, "write %s", tmp);
        }
        off += (size_t)w;
    }
    free(text);
    if (close(fd) != 0) {
        int err = errno;
        unlink(tmp);
        return osafe_errno(e, OSAFE_EIO, err, "write %s", tmp);
    }
    if (rename(tmp, path) != 0) {
        int err = errno;
        unlink(tmp);
        return osafe_errno(e, OSAFE_EIO, err, "rename to %s", path);
    }
    return 0;
}
