#include "tlog/checkpoint.h"

#include <string.h>

#include "core/enc.h"
#include "core/utf8.h"

int tlog_parse_u64(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 20 || (n > 1 && s[0] == '0'))
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

int tlog_checkpoint_parse(const char *body, size_t len, tlog_checkpoint *c,
                          osafe_err *e)
{
    memset(c, 0, sizeof *c);
    if (len == 0 || body[len - 1] != '\n')
        return osafe_errf(e, OSAFE_EINVAL,
                          "checkpoint: body does not end in a newline");
    const char *p = body, *end = body + len;
    const char *line[3];
    size_t ll[3];
    for (int i = 0; i < 3; i++) {
        if (p >= end)
            return osafe_errf(e, OSAFE_EINVAL,
                              "checkpoint: fewer than three lines");
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        line[i] = p;
        ll[i] = (size_t)(nl - p);
        p = nl + 1;
    }
    if (ll[0] == 0)
        return osafe_errf(e, OSAFE_EINVAL, "checkpoint: empty origin line");
    if (ll[0] > OSAFE_KEY_NAME_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "checkpoint: origin too long");
    /* The origin is kept as a C string and compared with key names: a NUL
     * would cut it short ("log\0other" read as "log"), and no control
     * character or invalid UTF-8 belongs in a name. */
    if (!utf8_valid(line[0], ll[0]))
        return osafe_errf(e, OSAFE_EINVAL,
                          "checkpoint: origin is not valid UTF-8");
    for (size_t i = 0; i < ll[0]; i++)
        if ((unsigned char)line[0][i] < 0x20 || line[0][i] == 0x7f)
            return osafe_errf(e, OSAFE_EINVAL,
                              "checkpoint: control character in origin");
    memcpy(c->origin, line[0], ll[0]);
    c->origin[ll[0]] = '\0';
    if (tlog_parse_u64(line[1], ll[1], &c->size) != 0)
        return osafe_errf(e, OSAFE_EINVAL,
                          "checkpoint: tree size is not a decimal number "
                          "without leading zeros");
    if (ll[2] != 44 || b64_decode(c->root.b, sizeof c->root.b, line[2],
                                  ll[2]) != TLOG_HASH_SIZE)
        return osafe_errf(e, OSAFE_EINVAL,
                          "checkpoint: root hash is not base64 of 32 bytes");
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == p)
            return osafe_errf(e, OSAFE_EINVAL,
                              "checkpoint: empty extension line");
        c->next++;
        p = nl + 1;
    }
    return 0;
}

int tlog_checkpoint_format(const tlog_checkpoint *c, osafe_buf *out)
{
    char b64[OSAFE_B64_LEN(TLOG_HASH_SIZE) + 1];
    b64_encode(b64, c->root.b, TLOG_HASH_SIZE);
    return buf_printf(out, "%s\n%llu\n%s\n", c->origin,
                      (unsigned long long)c->size, b64);
}

int tlog_checkpoint_open(const char *note, size_t len, const tlog_verifier *v,
                         tlog_checkpoint *c, osafe_err *e)
{
    tlog_note n;
    int rc = tlog_note_open(note, len, v, 1, &n, e);
    if (rc)
        return osafe_errprefix(e, "checkpoint: ");
    rc = tlog_checkpoint_parse(note, n.text_len, c, e);
    if (rc)
        return rc;
    if (strcmp(c->origin, v->name) != 0)
        return osafe_errf(e, OSAFE_EVERIFY,
                          "checkpoint: origin '%s' is not the key name '%s'",
                          c->origin, v->name);
    return 0;
}
