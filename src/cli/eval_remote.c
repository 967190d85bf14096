/*
 * eval_remote.c - what `osafe eval publish` and `osafe eval withdraw` send
 * to a registry: one JSON POST with a bearer token.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/limits.h"
#include "registry/registry.h"

static size_t collect(char *p, size_t sz, size_t n, void *ud)
{
    osafe_buf *b = ud;
    return buf_append(b, p, sz * n) ? 0 : sz * n;
}

int cli_post_json(const char *server, const char *path, const char *token,
                  const char *body, long want, char **answer, osafe_err *e)
{
    *answer = NULL;
    CURL *c = curl_easy_init();
    if (!c)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    char url[OSAFE_EVAL_URL_MAX + 128], auth[256], err[CURL_ERROR_SIZE] = "";
    osafe_buf resp = OSAFE_BUF_INIT;
    struct curl_slist *hdr = NULL;
    size_t ul = strlen(server);
    snprintf(url, sizeof url, "%.*s%s",
             (int)(ul && server[ul - 1] == '/' ? ul - 1 : ul), server, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    hdr = curl_slist_append(hdr, auth);
    hdr = curl_slist_append(hdr, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    long code = 0;
    CURLcode cr = curl_easy_perform(c);
    if (cr == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
    curl_slist_free_all(hdr);
    curl_easy_cleanup(c);
    int rc = 0;
    if (cr != CURLE_OK)
        rc = osafe_errf(e, OSAFE_EIO, "%s: %s", url,
                        err[0] ? err : curl_easy_strerror(cr));
    else if (code != want && !(want == 201 && code == 200))
        /* 200 for 201: an idempotent create that found its thing there */
        rc = osafe_errf(e, OSAFE_EIO, "%s answered %ld: %s", url, code,
                        resp.data ? resp.data : "");
    else if (!(*answer = strdup(resp.data ? resp.data : "")))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    buf_release(&resp);
    return rc;
}

int eval_withdraw_cmd(int argc, char **argv)
{
    const char *server = NULL, *token = NULL, *reason = NULL;
    struct opt opts[] = {{"server", OPT_STRING, &server},
                         {"token", OPT_STRING, &token},
                         {"reason", OPT_STRING, &reason},
                         {NULL, 0, NULL}};
    int np, rc = opts_parse("eval withdraw", argc, argv, opts, &np);
    if (rc == -1) {
        fputs(usage_eval, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np != 1 || !server || !token || !reason || !*reason)
        return cli_usage_error("eval withdraw", "expected EVAL-ID --reason TEXT "
                                                "--server URL --token TOKEN");
    osafe_err e;
    if (!reg_id_valid(argv[1], strlen(argv[1]))) {
        osafe_errf(&e, OSAFE_EINVAL, "'%s' is not an evaluation id", argv[1]);
        return cli_fail("eval withdraw", &e);
    }
    json_t *b = json_pack("{s:s}", "reason", reason);
    char *text = b ? json_dumps(b, JSON_COMPACT) : NULL;
    json_decref(b);
    char path[96], *answer = NULL;
    snprintf(path, sizeof path, "/api/v1/evaluations/%s/withdraw", argv[1]);
    rc = text ? cli_post_json(server, path, token, text, 200, &answer, &e)
              : osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
    free(text);
    if (rc)
        return cli_fail("eval withdraw", &e);
    printf("%s\n", answer);
    free(answer);
    return EXIT_OK;
}

/* Why a run is partial, as a JSON object {reasons, limit, samples,
 * expected}, or NULL when it is whole: cut by --limit, a shard (or a merge
 * of fewer than all shards), or interrupted (not finished, or fewer
 * samples than items x epochs).  The ranking reads a partial run as
 * evidence on fewer items than its suite says; a reader must see that. */
json_t *cli_run_partial(const json_t *m, const json_t *res)
{
    const json_t *p = json_object_get(m, "params");
    json_int_t items = json_integer_value(
        json_object_get(json_object_get(m, "suite"), "items"));
    json_int_t limit = json_integer_value(json_object_get(p, "limit"));
    json_int_t epochs = json_integer_value(json_object_get(p, "epochs"));
    json_int_t ns = json_integer_value(json_object_get(res, "samples"));
    const char *shard = json_string_value(json_object_get(m, "shard"));
    json_t *why = json_array();
    if (limit > 0 && (items <= 0 || limit < items))
        json_array_append_new(why, json_string("limit"));
    if (shard && strcmp(shard, "merged") && strcmp(shard, "1/1"))
        json_array_append_new(why, json_string("shard"));
    if (!json_is_string(json_object_get(m, "finished")))
        json_array_append_new(why, json_string("interrupted"));
    json_int_t want = (limit > 0 && (items <= 0 || limit < items) ? limit
                                                                  : items) *
                      (epochs > 0 ? epochs : 1);
    if (items > 0 && ns < want && !json_array_size(why))
        json_array_append_new(why, json_string("missing_samples"));
    if (!json_array_size(why)) {
        json_decref(why);
        return NULL;
    }
    return json_pack("{s:o, s:o, s:I, s:o}", "reasons", why, "limit",
                     limit > 0 ? json_integer(limit) : json_null(), "samples",
                     ns, "expected",
                     items > 0 ? json_integer(want) : json_null());
}
