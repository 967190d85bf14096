/*
 * test_web_i18n.c - the message catalogues of the web interface.
 *
 * Every embedded catalogue (src/server/i18n/<group>.<lang>.txt) must parse;
 * no language may have a key its group's English file lacks; every key the
 * page code uses must exist in English.  Keys a language lacks are LISTED
 * (they fall back to English at run time, which is allowed, but a
 * translator needs the list).  And the fallback itself is checked: web__t()
 * answers English for a missing key and the key for an unknown one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/web_int.h"

/* ---- the catalogue files --------------------------------------------------- */

typedef struct keyset {
    char **k;
    size_t n, cap;
} keyset;

static int keyset_add(void *ctx, const char *key, size_t klen,
                      const char *text, size_t tlen)
{
    (void)text;
    (void)tlen;
    keyset *s = ctx;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->k = realloc(s->k, s->cap * sizeof *s->k);
        assert_non_null(s->k);
    }
    s->k[s->n] = strndup(key, klen);
    assert_non_null(s->k[s->n]);
    s->n++;
    return 0;
}

static int keyset_has(const keyset *s, const char *k)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->k[i], k))
            return 1;
    return 0;
}

static void keyset_free(keyset *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->k[i]);
    free(s->k);
    memset(s, 0, sizeof *s);
}

/* "risks.fr.txt" -> group "risks", lang "fr" */
static int split_name(const char *name, char group[64], char lang[3])
{
    size_t n = strlen(name);
    if (n < 8 || strcmp(name + n - 4, ".txt") || name[n - 7] != '.' ||
        n - 7 >= 64)
        return -1;
    memcpy(group, name, n - 7);
    group[n - 7] = '\0';
    lang[0] = name[n - 6];
    lang[1] = name[n - 5];
    lang[2] = '\0';
    return 0;
}

static const web_file *find_file(const char *group, const char *lang)
{
    char want[96];
    snprintf(want, sizeof want, "%s.%s.txt", group, lang);
    for (size_t i = 0; i < osafe_web_i18n_count; i++)
        if (!strcmp(osafe_web_i18n[i].name, want))
            return &osafe_web_i18n[i];
    return NULL;
}

static void load(const web_file *f, keyset *s)
{
    int bad = 0;
    int rc = web__catalog_parse(f->data, f->len, keyset_add, s, &bad);
    if (rc)
        fail_msg("%s: line %d is not key<TAB>text", f->name, bad);
}

static void test_catalogues_parse_and_match_english(void **state)
{
    (void)state;
    assert_true(osafe_web_i18n_count >= WEB_LANGS);
    size_t missing_total = 0, extra_total = 0;
    for (size_t i = 0; i < osafe_web_i18n_count; i++) {
        const web_file *f = &osafe_web_i18n[i];
        char group[64], lang[3];
        if (split_name(f->name, group, lang) != 0 || web__lang_index(lang) < 0)
            fail_msg("%s: not named <group>.<en|zh|es|fr|ar|ru>.txt",
                     f->name);
        keyset k = {0};
        load(f, &k);
        if (!strcmp(lang, "en")) {
            assert_true(k.n > 0);
            /* list what each other language lacks of this group */
            for (int l = 1; l < WEB_LANGS; l++) {
                const web_file *t = find_file(group, web__lang_code(l));
                keyset tk = {0};
                if (t)
                    load(t, &tk);
                size_t miss = 0;
                for (size_t j = 0; j < k.n; j++)
                    if (!keyset_has(&tk, k.k[j])) {
                        printf("missing %s %s: %s (falls back to English)\n",
                               group, web__lang_code(l), k.k[j]);
                        miss++;
                    }
                if (miss)
                    printf("%s.%s.txt: %zu of %zu keys missing\n", group,
                           web__lang_code(l), miss, k.n);
                missing_total += miss;
                keyset_free(&tk);
            }
        } else {
            const web_file *en = find_file(group, "en");
            if (!en)
                fail_msg("%s has no English file %s.en.txt", f->name, group);
            keyset ek = {0};
            load(en, &ek);
            for (size_t j = 0; j < k.n; j++)
                if (!keyset_has(&ek, k.k[j])) {
                    printf("EXTRA %s: key %s is not in %s.en.txt\n", f->name,
                           k.k[j], group);
                    extra_total++;
                }
            keyset_free(&ek);
        }
        keyset_free(&k);
    }
    printf("catalogues: %zu files, %zu keys missing in total\n",
           osafe_web_i18n_count, missing_total);
    assert_int_equal(extra_total, 0);
}

/* The parser itself, on the malformed shapes the check above relies on. */
static void test_parser_rejects_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int bad_line;
    } cases[] = {
        {"a.b\tText\n", 0},
        {"# comment\n\na.b\tText\r\nc\tD", 0},
        {"a.b Text\n", 1},            /* space, not TAB */
        {"ok\tx\nA.B\tUpper\n", 2},   /* key characters */
        {"ok\tx\nkey\t\n", 2},        /* empty text */
        {"\tno key\n", 1},
        {"k\tv\nk2\n", 2},            /* no TAB at all */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        keyset k = {0};
        int bad = -1;
        int rc = web__catalog_parse(cases[i].text, strlen(cases[i].text),
                                   keyset_add, &k, &bad);
        if (cases[i].bad_line) {
            assert_int_equal(rc, OSAFE_EINVAL);
            assert_int_equal(bad, cases[i].bad_line);
        } else {
            assert_int_equal(rc, 0);
            assert_true(k.n >= 1);
        }
        keyset_free(&k);
    }
}

/* ---- keys used by the page code ------------------------------------------- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    size_t got = fread(b, 1, (size_t)n, f);
    b[got] = '\0';
    fclose(f);
    return b;
}

static int key_shaped(const char *s, size_t n)
{
    size_t dots = 0;
    if (n < 3 || !(s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.')
            dots++;
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '_' || c == '-'))
            return 0;
    }
    return dots >= 1 && s[n - 1] != '.';
}

static int ends_with(const char *s, size_t n, const char *suf)
{
    size_t m = strlen(suf);
    return n >= m && !memcmp(s + n - m, suf, m);
}

/* Record member paths that look like keys but are JSON (web_form.c). */
static const char *const json_paths[] = {"severity.level", NULL};

static void test_code_keys_exist_in_english(void **state)
{
    (void)state;
    web *w = NULL;
    osafe_err e;
    assert_int_equal(web_open(NULL, NULL, &w, &e), 0);
    /* the namespaces of English keys ("nav", "form", ...), and every
     * English key (a literal may be the prefix web__enum_label completes,
     * "risks.driver" for "risks.driver.evals") */
    keyset ns = {0}, all = {0};
    for (size_t i = 0; i < osafe_web_i18n_count; i++) {
        char group[64], lang[3];
        if (split_name(osafe_web_i18n[i].name, group, lang) ||
            strcmp(lang, "en"))
            continue;
        keyset k = {0};
        load(&osafe_web_i18n[i], &k);
        for (size_t j = 0; j < k.n; j++) {
            keyset_add(&all, k.k[j], strlen(k.k[j]), "", 0);
            char *dot = strchr(k.k[j], '.');
            *dot = '\0';
            if (!keyset_has(&ns, k.k[j]))
                keyset_add(&ns, k.k[j], strlen(k.k[j]), "", 0);
        }
        keyset_free(&k);
    }
    /* the sources, found from this file's path (tests/unit/..) */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", __FILE__);
    char *cut = strstr(dir, "tests/unit/test_web_i18n.c");
    assert_non_null(cut);
    strcpy(cut, "src/server");
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *de;
    size_t checked = 0, missing = 0, files = 0;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (strncmp(de->d_name, "web", 3) || nl < 3 ||
            strcmp(de->d_name + nl - 2, ".c"))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        char *src = slurp(path);
        assert_non_null(src);
        files++;
        for (char *q = src; (q = strchr(q, '"'));) {
            char *end = q + 1;
            while (*end && *end != '"' && *end != '\n')
                end += *end == '\\' ? 2 : 1;
            if (*end != '"')
                break;
            size_t n = (size_t)(end - q - 1);
            const char *s = q + 1;
            q = end + 1;
            if (!key_shaped(s, n) || ends_with(s, n, ".js") ||
                ends_with(s, n, ".css") || ends_with(s, n, ".txt"))
                continue;
            char key[128];
            if (n >= sizeof key)
                continue;
            memcpy(key, s, n);
            key[n] = '\0';
            int json = 0;
            for (const char *const *j = json_paths; *j; j++)
                json |= !strcmp(*j, key);
            char nsname[128];
            snprintf(nsname, sizeof nsname, "%s", key);
            *strchr(nsname, '.') = '\0';
            if (json || !keyset_has(&ns, nsname))
                continue;
            checked++;
            int prefix = 0;
            for (size_t a = 0; a < all.n && !prefix; a++)
                prefix = !strncmp(all.k[a], key, n) && all.k[a][n] == '.';
            if (!web__t_exact(w, 0, key) && !prefix) {
                printf("MISSING in English: %s (used in %s)\n", key,
                       de->d_name);
                missing++;
            }
        }
        free(src);
    }
    closedir(d);
    printf("%zu key uses checked in %zu page files\n", checked, files);
    assert_true(files >= 8);
    assert_true(checked >= 100);
    keyset_free(&ns);
    keyset_free(&all);
    web_close(w);
    assert_int_equal(missing, 0);
}

/* web__t(): the page's language, else English, else the key itself. */
static void test_fallback(void **state)
{
    (void)state;
    web *w = NULL;
    osafe_err e;
    assert_int_equal(web_open(NULL, NULL, &w, &e), 0);
    web_page p;
    memset(&p, 0, sizeof p);
    p.app = w;
    p.lang_index = web__lang_index("fr");
    p.lang = "fr";
    assert_string_equal(web__t(&p, "nav.incidents"), "Incidents");
    assert_string_equal(web__t(&p, "nav.log"), "Journal de transparence");
    assert_string_equal(web__t(&p, "no.such.key"), "no.such.key");
    /* a key only English has falls back to it */
    const char *en = web__t_exact(w, 0, "nav.dashboard");
    assert_non_null(en);
    for (int l = 0; l < WEB_LANGS; l++) {
        p.lang_index = l;
        const char *t = web__t(&p, "nav.dashboard");
        assert_non_null(t);
        if (!web__t_exact(w, l, "nav.dashboard"))
            assert_string_equal(t, en);
    }
    /* the language names are distinct, so the switcher is not English
     * everywhere */
    p.lang_index = web__lang_index("ar");
    assert_string_not_equal(web__t(&p, "nav.dashboard"), en);
    web_close(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogues_parse_and_match_english),
        cmocka_unit_test(test_parser_rejects_malformed),
        cmocka_unit_test(test_code_keys_exist_in_english),
        cmocka_unit_test(test_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
