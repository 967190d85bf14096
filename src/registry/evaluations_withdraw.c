/*
 * evaluations_withdraw.c - staff withdraw a published evaluation run
 * (issue 9 item 2).  The run stays in the log, as everything published
 * does; the withdrawal is a log entry of its own, and withdrawn runs leave
 * the public list and therefore the risk ranking.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "registry/reg_internal.h"

static int reason_of(const json_t *j, const char **reason, osafe_err *e)
{
    *reason = json_string_value(json_object_get(j, "reason"));
    if (!*reason || !**reason)
        return osafe_err_field(e, OSAFE_EINVAL, "reason",
                               "field 'reason': required to withdraw");
    if (strlen(*reason) > OSAFE_EVAL_WITHDRAW_REASON_MAX)
        return osafe_err_field(e, OSAFE_EINVAL, "reason",
                               "field 'reason': at most %d bytes",
                               OSAFE_EVAL_WITHDRAW_REASON_MAX);
    return 0;
}

int reg_evaluation_withdraw(registry *r, const reg_caller *c, const char *id,
                            const char *body, size_t len, char **out,
                            osafe_err *e)
{
    if (!c->authenticated)
        return osafe_errf(e, OSAFE_EAUTH, "a token is required to withdraw "
                                          "evaluations");
    if (!reg__is_staff(c))
        return osafe_errf(e, OSAFE_EPERM, "only reviewers and admins may "
                                          "withdraw evaluations");
    json_t *j = reg__parse(body, len, e);
    if (!j)
        return OSAFE_EINVAL;
    const char *reason;
    int rc = reason_of(j, &reason, e);
    int64_t index = -1;
    osafe_store *s = reg__store_get(r);
    if (!rc && !(rc = s->ops->begin(s, e))) {
        char *old = NULL;
        size_t olen;
        int64_t oindex;
        /* ENOTFOUND, or ESTATE when it is withdrawn already */
        rc = s->ops->evaluation_get(s, id, &old, &olen, &oindex, e);
        free(old);
        char now[32];
        store_now(now);
        osafe_buf entry = OSAFE_BUF_INIT;
        if (!rc) {
            json_t *st = json_pack("{s:s, s:s, s:s, s:s}", "type",
                                   "osafe.evaluation-withdrawal/v1", "id", id,
                                   "reason", reason, "withdrawn", now);
            rc = st ? reg__canon(st, &entry, e)
                    : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            json_decref(st);
        }
        if (!rc)
            rc = reg__log_append(r, s, entry.data, entry.len, &index, e);
        if (!rc)
            rc = s->ops->evaluation_withdraw(s, id, reason, c->acct.id, index,
                                             entry.data, entry.len, e);
        buf_release(&entry);
        rc = reg__end_tx(s, rc, e);
    }
    reg__store_put(r, s);
    json_decref(j);
    if (!rc)
        rc = reg__out_json(json_pack("{s:s, s:s, s:I}", "id", id, "state",
                                    "withdrawn", "log_index",
                                    (json_int_t)index),
                          out, e);
    return rc;
}
