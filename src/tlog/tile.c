#include "tlog/tile.h"

#include <stdio.h>
#include <string.h>

#include "tlog/checkpoint.h"

static int format_index(char *out, size_t n, uint64_t index)
{
    char groups[8][4];
    int ng = 0;
    do {
        snprintf(groups[ng++], sizeof groups[0], "%03u",
                 (unsigned)(index % 1000));
        index /= 1000;
    } while (index > 0);
    size_t at = 0;
    for (int i = ng - 1; i >= 0; i--) {
        int w = snprintf(out + at, n - at, "%s%s%s", i > 0 ? "x" : "",
                         groups[i], i > 0 ? "/" : "");
        if (w < 0 || (size_t)w >= n - at)
            return -1;
        at += (size_t)w;
    }
    return 0;
}

int tlog_tile_path(char *out, int level, uint64_t index, unsigned width)
{
    char idx[40];
    if (level < TLOG_TILE_ENTRIES || level > 63 || width > 255 ||
        format_index(idx, sizeof idx, index) != 0)
        return -1;
    char lv[8];
    if (level == TLOG_TILE_ENTRIES)
        snprintf(lv, sizeof lv, "entries");
    else
        snprintf(lv, sizeof lv, "%d", level);
    int w = width ? snprintf(out, TLOG_TILE_PATH_MAX, "tile/%s/%s.p/%u", lv,
                             idx, width)
                  : snprintf(out, TLOG_TILE_PATH_MAX, "tile/%s/%s", lv, idx);
    return w > 0 && w < TLOG_TILE_PATH_MAX ? 0 : -1;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/* The group grammar parsed below admits spellings no writer produces,
 * such as leading zero groups ("x000/001" for 1); like Go's sumdb/tlog,
 * accept a path only if it is exactly the one tlog_tile_path writes. */
static int canonical(const char *path, int level, uint64_t index,
                     unsigned width)
{
    char want[TLOG_TILE_PATH_MAX];
    if (tlog_tile_path(want, level, index, width) != 0 ||
        strcmp(want, path) != 0)
        return -1;
    return 0;
}

int tlog_tile_parse(const char *path, int *level, uint64_t *index,
                    unsigned *width)
{
    if (strncmp(path, "tile/", 5) != 0)
        return -1;
    const char *p = path + 5;
    const char *slash = strchr(p, '/');
    if (!slash)
        return -1;
    size_t ll = (size_t)(slash - p);
    uint64_t lv;
    if (ll == 7 && !memcmp(p, "entries", 7))
        *level = TLOG_TILE_ENTRIES;
    else if (all_digits(p, ll) && tlog_parse_u64(p, ll, &lv) == 0 && lv <= 63)
        *level = (int)lv;
    else
        return -1;
    p = slash + 1;
    uint64_t v = 0;
    int groups = 0;
    for (;;) {
        if (++groups > 6)
            return -1;
        int prefixed = *p == 'x';
        if (prefixed)
            p++;
        if (!all_digits(p, 3))
            return -1;
        v = v * 1000 + (uint64_t)((p[0] - '0') * 100 + (p[1] - '0') * 10 +
                                  (p[2] - '0'));
        p += 3;
        if (prefixed) {
            if (*p != '/')
                return -1;
            p++;
            continue;
        }
        break;
    }
    *index = v;
    *width = 0;
    if (*p == '\0')
        return canonical(path, *level, *index, 0);
    if (strncmp(p, ".p/", 3) != 0)
        return -1;
    p += 3;
    size_t wl = strlen(p);
    uint64_t w;
    if (!all_digits(p, wl) || tlog_parse_u64(p, wl, &w) != 0 || w < 1 ||
        w > 255)
        return -1;
    *width = (unsigned)w;
    return canonical(path, *level, *index, *width);
}

unsigned tlog_tile_width(int level, uint64_t index, uint64_t size)
{
    /* Number of level-8L hashes in the tree, then how many fall in the tile. */
    int shift = OSAFE_TILE_HEIGHT * (level < 0 ? 0 : level);
    uint64_t n = shift >= 64 ? 0 : size >> shift;
    uint64_t start = index * OSAFE_TILE_WIDTH;
    if (index > UINT64_MAX / OSAFE_TILE_WIDTH || n <= start)
        return 0;
    return n - start >= OSAFE_TILE_WIDTH ? OSAFE_TILE_WIDTH
                                         : (unsigned)(n - start);
}
