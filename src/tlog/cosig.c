/*
 * cosig.c - Ed25519 cosignature/v1 lines (see cosig.h).
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/enc.h"
#include "tlog/cosig.h"

#define EM_DASH "\xe2\x80\x94"

uint32_t tlog_cosig_key_id(const tlog_verifier *v)
{
    return tlog_key_id(v->name, TLOG_SIG_COSIGNATURE_V1, v->pk, 32);
}

static int message(const char *body, size_t len, uint64_t ts, osafe_buf *m)
{
    char head[64];
    snprintf(head, sizeof head, "cosignature/v1\ntime %llu\n",
             (unsigned long long)ts);
    return buf_append(m, head, strlen(head)) || buf_append(m, body, len);
}

int tlog_cosig_sign(const char *body, size_t len, const tlog_signer *s,
                    uint64_t ts, osafe_buf *line, osafe_err *e)
{
    if (ts > (uint64_t)INT64_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "cosignature time out of range");
    osafe_buf m = OSAFE_BUF_INIT;
    uint8_t payload[4 + 8 + 64];
    uint32_t id = tlog_cosig_key_id(&s->v);
    for (int i = 0; i < 4; i++)
        payload[i] = (uint8_t)(id >> (24 - 8 * i));
    for (int i = 0; i < 8; i++)
        payload[4 + i] = (uint8_t)(ts >> (56 - 8 * i));
    int rc = message(body, len, ts, &m) ? OSAFE_ENOMEM : 0;
    if (!rc)
        crypto_sign_detached(payload + 12, NULL, (const uint8_t *)m.data,
                             m.len, s->sk);
    buf_release(&m);
    char b64[OSAFE_B64_LEN(sizeof payload) + 1];
    b64_encode(b64, payload, sizeof payload);
    if (!rc && (buf_append(line, EM_DASH " ", strlen(EM_DASH " ")) ||
                buf_append(line, s->v.name, strlen(s->v.name)) ||
                buf_putc(line, ' ') || buf_append(line, b64, strlen(b64)) ||
                buf_putc(line, '\n')))
        rc = OSAFE_ENOMEM;
    return rc ? osafe_errf(e, OSAFE_ENOMEM, "out of memory") : 0;
}

int tlog_cosig_verify(const char *body, size_t len, const char *line,
                      size_t line_len, const tlog_verifier *v, uint64_t *ts,
                      osafe_err *e)
{
    size_t dl = strlen(EM_DASH " "), nl = strlen(v->name);
    if (line_len && line[line_len - 1] == '\n')
        line_len--;
    uint8_t payload[4 + 8 + 64 + 1];
    if (line_len < dl + nl + 1 || memcmp(line, EM_DASH " ", dl) ||
        memcmp(line + dl, v->name, nl) || line[dl + nl] != ' ' ||
        b64_decode(payload, sizeof payload, line + dl + nl + 1,
                   line_len - dl - nl - 1) != 76)
        return osafe_errf(e, OSAFE_EVERIFY, "not a cosignature line of %s",
                          v->name);
    uint32_t id = 0;
    for (int i = 0; i < 4; i++)
        id = id << 8 | payload[i];
    uint64_t t = 0;
    for (int i = 0; i < 8; i++)
        t = t << 8 | payload[4 + i];
    if (id != tlog_cosig_key_id(v) || t > (uint64_t)INT64_MAX)
        return osafe_errf(e, OSAFE_EVERIFY, "cosignature of another key");
    osafe_buf m = OSAFE_BUF_INIT;
    int rc = message(body, len, t, &m)
                 ? osafe_errf(e, OSAFE_ENOMEM, "out of memory")
                 : 0;
    if (!rc && crypto_sign_verify_detached(payload + 12,
                                           (const uint8_t *)m.data, m.len,
                                           v->pk) != 0)
        rc = osafe_errf(e, OSAFE_EVERIFY, "cosignature by %s does not "
                                          "verify",
                        v->name);
    buf_release(&m);
    if (!rc)
        *ts = t;
    return rc;
}
