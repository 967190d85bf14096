/*
 * peers.c - adding, removing and unfreezing peers.
 */
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "federation/federation.h"
#include "tlog/note.h"

/* http(s)://host[:port][/path], printable ASCII, no query, fragment or
 * credentials: the URL is the peer's name in the table and in provenance. */
static int url_check(const char *url, osafe_err *e)
{
    size_t n = strlen(url);
    if (n == 0 || n > OSAFE_PEER_URL_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "peer URL: empty or longer than "
                                           "%u bytes",
                          OSAFE_PEER_URL_MAX);
    size_t skip = !strncmp(url, "http://", 7)    ? 7
                  : !strncmp(url, "https://", 8) ? 8
                                                 : 0;
    if (!skip || !url[skip] || url[skip] == '/')
        return osafe_errf(e, OSAFE_EINVAL, "peer URL '%s': expected "
                                           "http://HOST[:PORT][/PATH] or "
                                           "https://...",
                          url);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)url[i];
        if (ch <= 0x20 || ch >= 0x7f || ch == '?' || ch == '#' ||
            (ch == '@' && i >= skip))
            return osafe_errf(e, OSAFE_EINVAL,
                              "peer URL '%s': no spaces, queries, "
                              "fragments or credentials",
                              url);
    }
    if (url[n - 1] == '/')
        return osafe_errf(e, OSAFE_EINVAL, "peer URL '%s': drop the final "
                                           "'/'",
                          url);
    return 0;
}

static int env_name_check(const char *name, osafe_err *e)
{
    size_t n = strlen(name);
    int ok = n > 0 && n < 128 && !(name[0] >= '0' && name[0] <= '9');
    for (size_t i = 0; ok && i < n; i++)
        ok = (name[i] >= 'A' && name[i] <= 'Z') ||
             (name[i] >= 'a' && name[i] <= 'z') ||
             (name[i] >= '0' && name[i] <= '9') || name[i] == '_';
    return ok ? 0
              : osafe_errf(e, OSAFE_EINVAL,
                           "--token-env '%s': expected the name of an "
                           "environment variable (letters, digits, _)",
                           name);
}

int fed_peer_add(osafe_store *s, const char *url, const char *vkey,
                 const char *token_env, osafe_err *e)
{
    int rc = url_check(url, e);
    if (rc)
        return rc;
    if (token_env && token_env[0] && (rc = env_name_check(token_env, e)))
        return rc;
    size_t vl = strlen(vkey);
    while (vl && (vkey[vl - 1] == '\n' || vkey[vl - 1] == '\r'))
        vl--;
    tlog_verifier v;
    if ((rc = tlog_verifier_parse(vkey, vl, &v, e)))
        return osafe_errprefix(e, "the peer's verifier key: ");
    store_peer p;
    memset(&p, 0, sizeof p);
    if (vl >= sizeof p.vkey)
        return osafe_errf(e, OSAFE_ETOOBIG, "the peer's verifier key is "
                                            "longer than %zu bytes",
                          sizeof p.vkey - 1);
    snprintf(p.url, sizeof p.url, "%s", url);
    snprintf(p.origin, sizeof p.origin, "%s", v.name);
    memcpy(p.vkey, vkey, vl);
    p.vkey[vl] = '\0';
    snprintf(p.token_env, sizeof p.token_env, "%s",
             token_env ? token_env : "");
    snprintf(p.state, sizeof p.state, "active");
    store_now(p.added);
    rc = s->ops->peer_put(s, &p, 1, e);
    if (rc == OSAFE_EEXIST)
        return osafe_errf(e, OSAFE_EEXIST, "%s is a peer already (`osafe "
                                           "peer remove` it first)",
                          url);
    return rc;
}

int fed_peer_remove(osafe_store *s, const char *url, osafe_err *e)
{
    return s->ops->peer_remove(s, url, e);
}

int fed_peer_unfreeze(osafe_store *s, const char *url, osafe_err *e)
{
    store_peer p;
    int rc = s->ops->peer_get(s, url, &p, e);
    if (rc)
        return rc;
    if (strcmp(p.state, "frozen"))
        rc = osafe_errf(e, OSAFE_ESTATE, "peer %s is not frozen", url);
    if (!rc) {
        snprintf(p.state, sizeof p.state, "active");
        p.last_error[0] = '\0';
        rc = s->ops->peer_put(s, &p, 0, e);
    }
    store_peer_release(&p);
    return rc;
}
