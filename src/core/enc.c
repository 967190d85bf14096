#include "core/enc.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void b64_encode(char *out, const uint8_t *in, size_t n)
{
    sodium_bin2base64(out, OSAFE_B64_LEN(n) + 1, in, n,
                      sodium_base64_VARIANT_ORIGINAL);
}

long b64_decode(uint8_t *out, size_t outmax, const char *s, size_t slen)
{
    if (slen % 4 != 0)
        return -1;
    size_t bin_len = 0;
    const char *end = NULL;
    if (sodium_base642bin(out, outmax, s, slen, NULL, &bin_len, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        return -1;
    if (end != s + slen)
        return -1;
    /* libsodium accepts non-zero trailing bits; re-encode to insist on the
     * one canonical spelling. */
    char small[OSAFE_B64_LEN(96) + 1];
    char *check = small;
    if (bin_len > 96 && !(check = malloc(OSAFE_B64_LEN(bin_len) + 1)))
        return -1;
    b64_encode(check, out, bin_len);
    int ok = strlen(check) == slen && memcmp(check, s, slen) == 0;
    if (check != small)
        free(check);
    return ok ? (long)bin_len : -1;
}

void hex_encode(char *out, const uint8_t *in, size_t n)
{
    sodium_bin2hex(out, 2 * n + 1, in, n);
}

int hex_decode(uint8_t *out, size_t n, const char *s, size_t slen)
{
    size_t got = 0;
    const char *end = NULL;
    if (slen != 2 * n)
        return -1;
    if (sodium_hex2bin(out, n, s, slen, NULL, &got, &end) != 0 || got != n ||
        end != s + slen)
        return -1;
    return 0;
}

int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
