/*
 * svg_num.c - locale-independent number text for SVG and HTML attributes.
 *
 * printf's "%f" follows LC_NUMERIC, and a server that ever calls
 * setlocale() would then write "0,5" into a coordinate, which breaks the
 * drawing silently.  So numbers are formatted by hand: scaled to an
 * integer, then printed digit by digit.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "svg/svg.h"

int svg_num(osafe_buf *out, double v, int digits)
{
    if (!isfinite(v))
        v = 0;
    if (digits < 0)
        digits = 0;
    if (digits > 9)
        digits = 9;
    uint64_t scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    int neg = v < 0;
    double a = fabs(v) * (double)scale + 0.5;
    if (a >= 9.0e18) /* beyond what a drawing can mean */
        a = 9.0e18;
    uint64_t m = (uint64_t)a;
    uint64_t ip = m / scale, fp = m % scale;
    char tmp[48];
    int k = 0;
    /* fraction digits, least significant first, trailing zeros dropped */
    int have = 0;
    for (int i = 0; i < digits; i++) {
        unsigned d = (unsigned)(fp % 10);
        fp /= 10;
        if (d || have) {
            tmp[k++] = (char)('0' + d);
            have = 1;
        }
    }
    if (have)
        tmp[k++] = '.';
    do {
        tmp[k++] = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    if (neg && (m != 0))
        tmp[k++] = '-';
    char s[48];
    for (int i = 0; i < k; i++)
        s[i] = tmp[k - 1 - i];
    return buf_append(out, s, (size_t)k);
}
