/*
 * suite_import.c - suite_import() and the helpers its importers share
 * (suite_import.h); one importer per file, suite_import_<source>.c.
 */
#include "eval/suite.h"
#include "eval/suite_import.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "core/enc.h"
#include "core/fsx.h"
#include "core/limits.h"

void si_init(si_imp *im, const char *repo)
{
    memset(im, 0, sizeof *im);
    im->langs = json_array();
    buf_init(&im->source, 0);
    /* sticky (core/buf.h): si_finish checks the source once */
    OSAFE_IGNORE(buf_printf(&im->source, "%s:", repo));
}

void si_free(si_imp *im)
{
    for (size_t i = 0; i < im->n; i++)
        json_decref(im->items[i]);
    free(im->items);
    json_decref(im->langs);
    buf_release(&im->source);
}

/* Take item (a new reference, may be NULL from a failed json_pack). */
int si_push(si_imp *im, json_t *item, osafe_err *e)
{
    if (!item)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if (im->n == im->cap) {
        size_t nc = im->cap ? im->cap * 2 : 512;
        json_t **ni = realloc(im->items, nc * sizeof *ni);
        if (!ni) {
            json_decref(item);
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        }
        im->items = ni;
        im->cap = nc;
    }
    im->items[im->n++] = item;
    const char *l = json_string_value(json_object_get(item, "lang"));
    if (l && *l) {
        for (size_t i = 0; i < json_array_size(im->langs); i++)
            if (!strcmp(l, json_string_value(json_array_get(im->langs, i))))
                return 0;
        json_array_append_new(im->langs, json_string(l));
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_json_str(const void *a, const void *b)
{
    return strcmp(json_string_value(*(json_t *const *)a),
                  json_string_value(*(json_t *const *)b));
}

/* Build suite.yaml's content and write the suite. */
int si_finish(si_imp *im, const char *outdir, const char *name,
              const char *version, const char *desc, const char *url,
              const char *license, const char *citation, osafe_err *e)
{
    if (buf_status(&im->source) != 0)
        return osafe_errf(e, buf_status(&im->source),
                          "out of memory (source files)");
    size_t nl = json_array_size(im->langs);
    json_t **ls = malloc((nl ? nl : 1) * sizeof *ls);
    if (!ls)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    for (size_t i = 0; i < nl; i++)
        ls[i] = json_array_get(im->langs, i);
    qsort(ls, nl, sizeof *ls, cmp_json_str);
    json_t *langs = json_array();
    for (size_t i = 0; i < nl; i++)
        json_array_append(langs, ls[i]);
    free(ls);
    json_t *meta =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:s, "
                  "s:s}",
                  "name", name, "version", version, "description", desc,
                  "source", im->source.data, "source_url", url, "license",
                  license, "citation", citation, "languages", langs,
                  "default_scorer", "refusal", "taxonomy", SI_TAXONOMY);
    if (!meta)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int rc = suite_write(outdir, meta, im->items, im->n, e);
    json_decref(meta);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Files                                                                */
/* ------------------------------------------------------------------ */

int si_is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *si_base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Names in dir accepted by match, sorted; *names freed with si_free_names. */
int si_list_dir(const char *dir, int (*match)(const char *), char ***names,
                size_t *n, osafe_err *e)
{
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return osafe_errno(e, OSAFE_EIO, errno, "cannot open folder %s", dir);
    size_t cap = 0;
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.' || !match(de->d_name))
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            char **nn = realloc(*names, nc * sizeof *nn);
            if (!nn) {
                rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
                break;
            }
            *names = nn;
            cap = nc;
        }
        if (!((*names)[*n] = strdup(de->d_name))) {
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (!rc && *n)
        qsort(*names, *n, sizeof **names, cmp_str);
    return rc;
}

void si_free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int si_ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

void si_csv_close(si_csv *cf)
{
    csv_reader_free(cf->r);
    for (size_t i = 0; i < cf->nh; i++)
        free(cf->hdr[i]);
    free(cf->hdr);
    free(cf->text);
    free(cf->name);
    memset(cf, 0, sizeof *cf);
}

/* Read path, note it (with its SHA-256) in im->source, read the header. */
int si_csv_open(const char *path, si_imp *im, si_csv *cf, osafe_err *e)
{
    memset(cf, 0, sizeof *cf);
    cf->name = strdup(si_base_name(path));
    if (!cf->name)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int rc =
        fsx_read_file(path, OSAFE_SUITE_IMPORT_MAX, &cf->text, &cf->len, e);
    if (rc)
        goto fail;
    uint8_t d[crypto_hash_sha256_BYTES];
    char hex[65];
    crypto_hash_sha256(d, (const uint8_t *)cf->text, cf->len);
    hex_encode(hex, d, sizeof d);
    if (im) /* sticky: si_finish checks the source once */
        OSAFE_IGNORE(buf_printf(&im->source, "%s %s sha256:%s",
                   im->source.data[im->source.len - 1] == ':' ? "" : ";",
                   cf->name, hex));
    rc = csv_reader_open(cf->text, cf->len, &cf->r, e);
    if (rc)
        goto fail;
    char **f;
    size_t nf;
    rc = csv_next(cf->r, &f, &nf, e);
    if (rc <= 0) {
        if (rc == 0)
            rc = osafe_errf(e, OSAFE_EINVAL, "%s: empty file", cf->name);
        else
            osafe_errprefix(e, "%s: ", cf->name);
        goto fail;
    }
    cf->hdr = calloc(nf, sizeof *cf->hdr);
    if (!cf->hdr) {
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < nf; i++) {
        if (!(cf->hdr[i] = strdup(f[i]))) {
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            goto fail;
        }
        cf->nh = i + 1;
    }
    cf->line = csv_row_line(cf->r);
    return 0;
fail:
    si_csv_close(cf);
    return rc;
}

/* Index of the first of the names (NULL-terminated) in the header, or -1. */
int si_csv_col(const si_csv *cf, const char *const *names)
{
    for (size_t k = 0; names[k]; k++)
        for (size_t i = 0; i < cf->nh; i++)
            if (!strcmp(cf->hdr[i], names[k]))
                return (int)i;
    return -1;
}

int si_csv_need(const si_csv *cf, const char *name, int *idx, osafe_err *e)
{
    const char *names[] = {name, NULL};
    *idx = si_csv_col(cf, names);
    if (*idx < 0)
        return osafe_errf(e, OSAFE_EINVAL, "%s:1: no column '%s'", cf->name,
                          name);
    return 0;
}

/* Next data row: 1 (fields in *f), 0 at the end, < 0 on error. */
int si_csv_next(si_csv *cf, char ***f, osafe_err *e)
{
    size_t nf;
    int rc = csv_next(cf->r, f, &nf, e);
    if (rc < 0) {
        osafe_errprefix(e, "%s: ", cf->name);
        return rc;
    }
    if (rc == 0)
        return 0;
    cf->line = csv_row_line(cf->r);
    if (nf != cf->nh)
        return osafe_errf(e, OSAFE_EINVAL,
                          "%s:%zu: %zu fields, the header has %zu", cf->name,
                          cf->line, nf, cf->nh);
    return 1;
}

/* Field i of a row, or "" when the column is absent (i < 0). */
const char *si_fld(char **f, int i)
{
    return i >= 0 ? f[i] : "";
}

int si_row_fail(const si_csv *cf, const char *what, osafe_err *e)
{
    return osafe_errf(e, OSAFE_EINVAL, "%s:%zu: %s", cf->name, cf->line, what);
}

/* 1 if s holds nothing but white space. */
int si_blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

/* The common item fields; metadata (a new reference) is stolen. */
json_t *si_item(const char *id, const char *input, const char *lang,
                const char *hazard, const char *expected, const char *source_id,
                json_t *metadata)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o}", "id", id, "input",
                     input, "lang", lang, "hazard", hazard, "expected",
                     expected, "source_id", source_id, "metadata",
                     metadata ? metadata : json_object());
}

/* ------------------------------------------------------------------ */

static const struct {
    const char *name;
    int (*fn)(const char *, const char *, osafe_err *);
} importers[] = {
    {"xstest", si_import_xstest},     {"donotanswer", si_import_donotanswer},
    {"sst", si_import_sst},           {"harmbench", si_import_harmbench},
    {"advbench", si_import_advbench}, {"ailuminate", si_import_ailuminate},
};

/* Read the suite in dir to the end: what the import leaves must load. */
static int si_verify(const char *dir, osafe_err *e)
{
    suite_reader *r;
    int rc = suite_reader_open(dir, &r, e);
    if (rc)
        return rc;
    suite_item it;
    while ((rc = suite_reader_next(r, &it, e)) == 1)
        ;
    suite_reader_free(r);
    return rc;
}

/* Move the verified suite in tmp to outdir: one rename when outdir is new;
 * into an existing folder file by file, items first (as suite_write). */
static int si_publish(const char *tmp, const char *outdir, osafe_err *e)
{
    if (!fsx_exists(outdir)) {
        if (rename(tmp, outdir) != 0)
            return osafe_errf(e, OSAFE_EIO, "%s: cannot rename to %s: %s",
                              tmp, outdir, strerror(errno));
        return fsx_sync_parent(outdir, e);
    }
    static const char *const files[] = {"items.jsonl", "suite.yaml"};
    int rc = 0;
    for (size_t i = 0; !rc && i < 2; i++) {
        char *from = fsx_path_join(tmp, files[i]);
        char *to = fsx_path_join(outdir, files[i]);
        if (!from || !to)
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        else if (rename(from, to) != 0)
            rc = osafe_errf(e, OSAFE_EIO, "%s: cannot rename to %s: %s", from,
                            to, strerror(errno));
        free(from);
        free(to);
    }
    return rc ? rc : fsx_sync_dir(outdir, e);
}

/*
 * Run an importer into a fresh folder beside outdir, read the result back,
 * and only then move it to outdir: a failed import leaves outdir as it was
 * (absent, or holding the earlier suite) and no temporary folder behind.
 */
static int si_staged(int (*fn)(const char *, const char *, osafe_err *),
                     const char *src, const char *outdir, osafe_err *e)
{
    size_t n = strlen(outdir);
    while (n > 1 && outdir[n - 1] == '/')
        n--;
    char *dst = strndup(outdir, n);
    char *tmp = malloc(n + sizeof ".import-XXXXXX");
    char *parent = strndup(outdir, n);
    int rc = 0;
    if (!dst || !tmp || !parent) {
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        goto out;
    }
    if (fsx_exists(dst) && !si_is_dir(dst)) {
        rc = osafe_errf(e, OSAFE_EINVAL, "%s exists and is not a folder", dst);
        goto out;
    }
    char *slash = strrchr(parent, '/');
    if (slash && slash != parent) {
        *slash = '\0';
        if ((rc = fsx_mkdirs(parent, e)) != 0)
            goto out;
    }
    memcpy(tmp, dst, n);
    memcpy(tmp + n, ".import-XXXXXX", sizeof ".import-XXXXXX");
    if (!mkdtemp(tmp)) {
        rc = osafe_errf(e, OSAFE_EIO, "%s: cannot create: %s", tmp,
                        strerror(errno));
        *tmp = '\0';
        goto out;
    }
    /* mkdtemp's 0700 would become the suite folder's mode on rename. */
    chmod(tmp, 0755);
    rc = fn(src, tmp, e);
    if (!rc)
        rc = si_verify(tmp, e);
    if (!rc)
        rc = si_publish(tmp, dst, e);
    /* Gone after a whole-folder rename, empty after a file-by-file one,
     * the failed import's leftovers otherwise.  Best effort: the import's
     * own status is what the caller needs, and a leftover is a hidden
     * temporary folder, never a half-written suite. */
    osafe_err ignored;
    OSAFE_IGNORE(fsx_remove_tree(tmp, &ignored));
out:
    free(dst);
    free(tmp);
    free(parent);
    return rc;
}

int suite_import(const char *name, const char *src, const char *outdir,
                 osafe_err *e)
{
    if (!name || !src || !outdir || !*outdir)
        return osafe_errf(e, OSAFE_EINVAL, "suite_import: missing argument");
    if (sodium_init() < 0)
        return osafe_errf(e, OSAFE_ENOMEM, "libsodium failed to start");
    for (size_t i = 0; i < sizeof importers / sizeof *importers; i++)
        if (!strcmp(name, importers[i].name)) {
            if (!fsx_exists(src))
                return osafe_errf(e, OSAFE_ENOTFOUND,
                                  "%s: no such file or "
                                  "folder",
                                  src);
            int rc = si_staged(importers[i].fn, src, outdir, e);
            if (rc)
                osafe_errprefix(e, "import %s: ", name);
            return rc;
        }
    return osafe_errf(e, OSAFE_EINVAL,
                      "unknown benchmark '%.64s' (xstest, donotanswer, sst, "
                      "harmbench, advbench or ailuminate)",
                      name);
}

int si_csv_start(const char *src, const char *default_name, const char *repo,
                 si_imp *im, si_csv *cf, osafe_err *e)
{
    char *path = si_is_dir(src) ? fsx_path_join(src, default_name) : strdup(src);
    memset(cf, 0, sizeof *cf); /* closable whatever happens below */
    si_init(im, repo);
    if (!path)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int rc = si_csv_open(path, im, cf, e);
    free(path);
    return rc;
}
