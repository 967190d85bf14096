/*
 * peer_gossip.c - what this node tells other nodes about its peers
 * (GET /federation/checkpoints, issue 12): the latest checkpoint it
 * accepted from each, the signed note verbatim.  A node that mirrors the
 * same origin compares them with its own (federation/gossip.c), so a log
 * that shows different histories to different nodes is caught as soon as
 * one of them reads another.  The notes are signed public statements of
 * public logs; nothing about the operator's network is told (no URL, no
 * error).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "registry/reg_internal.h"

int reg_peer_gossip(registry *r, char **out, osafe_err *e)
{
    *out = NULL;
    store_peer *peers = NULL;
    size_t n = 0;
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->peer_list(s, &peers, &n, e);
    reg__store_put(r, s);
    if (rc)
        return rc;
    json_t *arr = json_array();
    size_t told = 0;
    for (size_t i = 0; arr && i < n; i++) {
        /* one note per origin: two peers of one origin (a mirror of a
         * mirror) are compared here, not told twice */
        int dup = !peers[i].checkpoint;
        for (size_t j = 0; !dup && j < i; j++)
            dup = peers[j].checkpoint &&
                  !strcmp(peers[j].origin, peers[i].origin) &&
                  peers[j].size >= peers[i].size;
        if (dup || told >= OSAFE_GOSSIP_CHECKPOINTS_MAX)
            continue;
        json_t *it = json_pack("{s:s, s:s}", "origin", peers[i].origin,
                               "note", peers[i].checkpoint);
        if (!it || json_array_append_new(arr, it)) {
            json_decref(arr);
            arr = NULL;
        }
        told++;
    }
    for (size_t i = 0; i < n; i++)
        store_peer_release(&peers[i]);
    free(peers);
    json_t *doc = arr ? json_pack("{s:o}", "checkpoints", arr) : NULL;
    if (doc)
        *out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return *out ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
}
