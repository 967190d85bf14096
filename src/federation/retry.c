/*
 * retry.c - GREEN/AMBER records a peer's API once served with bytes that
 * did not match the commitment in its log are fetched again at the start
 * of later syncs: a refusal may come from a transient fault (a proxy, a
 * cache, a botched deploy), and the record must not be lost for good when
 * the peer's server is repaired.  The commitment kept with the refusal
 * was copied from the verified log entry, so the check is the same as on
 * the first fetch (fed__check_commitment).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/fed_int.h"

/* One refused record fetched again, in its own transaction. */
static int retry_one(osafe_store *s, fed__apply *a, const store_refused *r,
                     osafe_err *e)
{
    fed__commitment cm;
    memset(&cm, 0, sizeof cm);
    snprintf(cm.id, sizeof cm.id, "%s", r->origin_id);
    cm.version = r->version;
    snprintf(cm.tlp, sizeof cm.tlp, "%s", r->tlp);
    snprintf(cm.commitment, sizeof cm.commitment, "%s", r->commitment);
    fed__fetched f;
    int rc = fed__fetch_committed(a->h, a->token, &cm, &f, e);
    if (rc)
        return rc;
    if ((rc = s->ops->begin(s, e))) {
        free(f.body);
        return rc;
    }
    uint64_t idx = (uint64_t)r->log_index;
    if (f.status == FED__REFUSED) {
        rc = fed__refused(s, a, &cm, idx, f.why, e);
    } else {
        if (f.status == FED__NOT_SHARED)
            a->not_shared++;
        else
            rc = fed__store_fetched(s, a, &cm, idx, &f, e);
        if (!rc)
            rc = s->ops->refused_drop(s, r->peer_url, r->log_index, NULL, e);
    }
    free(f.body);
    if (!rc)
        rc = s->ops->commit(s, e);
    if (rc)
        s->ops->rollback(s);
    return rc;
}

int fed__retry_refused(osafe_store *s, fed__apply *a, osafe_err *e)
{
    store_refused *r;
    size_t n;
    int64_t total;
    int rc = s->ops->refused_list(s, a->peer->url,
                                  OSAFE_PEER_REFUSED_RETRY_MAX, &r, &n,
                                  &total, e);
    for (size_t i = 0; !rc && i < n; i++)
        rc = retry_one(s, a, &r[i], e);
    free(r);
    return rc;
}
