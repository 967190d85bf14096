/*
 * cache.h - the content-addressed response cache of `osafe eval run`.
 *
 * An identical request (same endpoint, same body, same epoch) answered once
 * is not sent again, whatever the output directory: its answer is read back
 * from DIR/ab/cdef... where abcdef... is the key, the hex SHA-256 of the
 * canonical JSON (RFC 8785) of
 *     {"body": BODY, "endpoint": ENDPOINT, "epoch": EPOCH}
 * ENDPOINT is client_endpoint_public's form (no user:password@, no trailing
 * slash or "/v1"); the API key is never part of the key or of an entry, so
 * two people sharing a cache with different keys share answers.  The epoch
 * is in the key so that repeated samples (--epochs) stay distinct samples.
 *
 * Only successful answers are put (the caller's rule: an error may not
 * happen twice).  Entries are written atomically (a temporary file in the
 * same directory, then rename) but not fsync'd: the cache is an
 * optimisation, and an entry torn by a crash fails its check on the next
 * read, counts as absent and is removed.  Directories are created 0700 and
 * files 0600: prompts and answers may be sensitive.
 *
 * An entry is {"osafe_cache":1,"key":KEY,"response":RESPONSE}; the key
 * inside must match its file name, so a file copied to the wrong place is
 * not served for another request.
 */
#ifndef OSAFE_EVAL_CACHE_H
#define OSAFE_EVAL_CACHE_H

#include <jansson.h>
#include <stddef.h>

#include "core/status.h"

/*
 * $XDG_CACHE_HOME/osafe when XDG_CACHE_HOME is set to an absolute path,
 * else $HOME/.cache/osafe.  Nothing is created.  0, OSAFE_ENOTFOUND (no
 * usable variable) or OSAFE_ETOOBIG (out too small).
 */
int cache_dir_default(char *out, size_t n);

/*
 * The key of a request, as 64 lowercase hex digits and a NUL.  The
 * endpoint is an http(s) base URL (keyed without credentials), or an
 * in-process model named "gguf:sha256:HEX" (--model-file, keyed by the
 * file's hash).  0, or
 * OSAFE_EINVAL (endpoint neither of those, body NULL) / OSAFE_ENOMEM
 * with out set to "" (which cache_get and cache_put refuse, so a caller
 * that ignores the status only loses caching).  Bodies JCS cannot hold
 * (integers beyond 2^53) are hashed in jansson's sorted compact form.
 */
int cache_key(const char *endpoint, const json_t *body, unsigned epoch,
              char out[65]);

/*
 * The cached answer for key: *response is a new reference.  0,
 * OSAFE_ENOTFOUND (absent, or corrupt: the entry is then removed and the
 * message says so), OSAFE_EINVAL (key is not 64 lowercase hex digits),
 * OSAFE_EIO (unreadable).
 */
int cache_get(const char *dir, const char *key, json_t **response,
              osafe_err *e);

/*
 * Store response under key, creating dir and dir/ab as needed; replaces an
 * existing entry.  0, OSAFE_EINVAL (bad key), OSAFE_ETOOBIG (over
 * OSAFE_EVAL_CACHE_ENTRY_MAX), OSAFE_EIO, OSAFE_ENOMEM.
 */
int cache_put(const char *dir, const char *key, const json_t *response,
              osafe_err *e);

#endif
