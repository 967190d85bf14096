/*
 * web_countries.c - country names as people type them in the six page
 * languages, to ISO 3166-1 alpha-2 codes (form__country_name).  The names
 * come from the system's iso-codes package (Debian "iso-codes": the
 * English names in JSON, each language's names in its gettext catalogue),
 * read once on first use; written by its translators, kept current by the
 * distribution, and not copied into this tree.  Without the package only
 * codes are accepted, and the form says so by value.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "server/web_form_int.h"

#define ISO_JSON "/usr/share/iso-codes/json/iso_3166-1.json"
#define ISO_MO "/usr/share/locale/%s/LC_MESSAGES/iso_3166-1.mo"

typedef struct cname {
    char *key; /* NFKC case-folded name */
    char code[3];
} cname;

static cname *names;
static size_t n_names, n_english, cap;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static char *fold(const char *s, size_t n)
{
    char tmp[256];
    if (n >= sizeof tmp)
        return NULL;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    return (char *)utf8proc_NFKC_Casefold((const utf8proc_uint8_t *)tmp);
}

static void add(const char *name, size_t n, const char *code)
{
    if (n_names == cap) {
        size_t nc = cap ? cap * 2 : 1024;
        cname *x = realloc(names, nc * sizeof *x);
        if (!x)
            return;
        names = x;
        cap = nc;
    }
    char *k = fold(name, n);
    if (!k)
        return;
    names[n_names].key = k;
    memcpy(names[n_names].code, code, 3);
    n_names++;
}

static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* One gettext catalogue (little-endian .mo): each English name it
 * translates gets its translation added under the same code. */
static void load_mo(const char *lang)
{
    char path[128];
    snprintf(path, sizeof path, ISO_MO, lang);
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    static unsigned char buf[1 << 20]; /* iso_3166-1.mo is ~30 KiB */
    size_t len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (len < 28 || u32(buf) != 0x950412deu)
        return;
    uint32_t n = u32(buf + 8), oo = u32(buf + 12), to = u32(buf + 16);
    for (uint32_t i = 0; i < n; i++) {
        if ((size_t)oo + 8u * i + 8 > len || (size_t)to + 8u * i + 8 > len)
            return;
        uint32_t ol = u32(buf + oo + 8 * i), op = u32(buf + oo + 8 * i + 4);
        uint32_t tl = u32(buf + to + 8 * i), tp = u32(buf + to + 8 * i + 4);
        if ((size_t)op + ol > len || (size_t)tp + tl > len || !ol || !tl)
            continue;
        char *k = fold((const char *)buf + op, ol);
        for (size_t j = 0; k && j < n_english; j++)
            if (!strcmp(k, names[j].key)) {
                /* A copy: add() may move names when it grows. */
                char code[3];
                memcpy(code, names[j].code, sizeof code);
                add((const char *)buf + tp, tl, code);
                break;
            }
        free(k);
    }
}

static void load(void)
{
    json_t *j = json_load_file(ISO_JSON, 0, NULL);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(j, "3166-1"), i, c) {
        const char *code = json_string_value(json_object_get(c, "alpha_2"));
        if (!code || strlen(code) != 2)
            continue;
        static const char *const keys[] = {"name", "common_name",
                                           "official_name"};
        for (size_t k = 0; k < 3; k++) {
            const char *s = json_string_value(json_object_get(c, keys[k]));
            if (s)
                add(s, strlen(s), code);
        }
    }
    json_decref(j);
    n_english = n_names;
    static const char *const langs[] = {"ar", "es", "fr", "ru", "zh_CN"};
    for (size_t k = 0; k < 5; k++)
        load_mo(langs[k]);
}

int form__country_name(const char *in, size_t n, char *out, size_t size)
{
    if (size < 3 || pthread_once(&once, load))
        return 0;
    char *k = fold(in, n);
    int found = 0;
    for (size_t i = 0; k && i < n_names && !found; i++)
        if (!strcmp(k, names[i].key)) {
            memcpy(out, names[i].code, 3);
            found = 1;
        }
    free(k);
    return found;
}
