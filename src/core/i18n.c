/*
 * i18n.c - one key of the embedded message catalogues (see i18n.h).
 */
#include "core/i18n.h"

#include <string.h>

/* "group.lang.txt" is a file of language lang */
static int of_lang(const char *name, const char *lang)
{
    size_t n = strlen(name), l = strlen(lang);
    return n > l + 5 && !strcmp(name + n - 4, ".txt") &&
           name[n - 5 - l] == '.' && !strncmp(name + n - 4 - l, lang, l);
}

/* The line of data[0..n) that starts with "key\t", or NULL. */
static const char *find_line(const char *data, size_t n, const char *key,
                             size_t kl, size_t *tl)
{
    const char *p = data, *end = data + n;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        if ((size_t)(le - p) > kl && !memcmp(p, key, kl) && p[kl] == '\t') {
            const char *t = p + kl + 1;
            size_t m = (size_t)(le - t);
            if (m && t[m - 1] == '\r')
                m--;
            *tl = m;
            return m ? t : NULL;
        }
        p = le + 1;
    }
    return NULL;
}

int i18n_text(const char *lang, const char *key, const char **text,
              size_t *len)
{
    if (!lang || !key || !*key)
        return 0;
    size_t kl = strlen(key);
    /* osafe_web_i18n is in name order (embed_dir.cmake sorts it) */
    for (size_t f = 0; f < osafe_web_i18n_count; f++) {
        const web_file *wf = &osafe_web_i18n[f];
        if (!of_lang(wf->name, lang))
            continue;
        const char *t = find_line(wf->data, wf->len, key, kl, len);
        if (t) {
            *text = t;
            return 1;
        }
    }
    return 0;
}
