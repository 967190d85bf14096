/*
 * report_samples.c - the HTML report's sample browser (report_int.h):
 * every sample of the run, not only the worst, filtered and paged in the
 * reader's browser by report_samples_ui.c's script.
 *
 * The data is one JSON object in <script type="application/json">: names
 * (hazards, languages, labels, error messages) once each in tables, the
 * hazards also by their names in each of the six languages ("hzn"), and
 * one short array per sample that points into the tables:
 *   [item_id, epoch, hazard, language, label|-1, score|null,
 *    confidence|null, error|-1, prompt|null, prompt bytes cut,
 *    answer|null, answer bytes cut, reason|null, reason bytes cut,
 *    needs_review 0|1]
 * Two passes over samples.jsonl keep memory to a hash table of keys: the
 * first finds the last line of each (item, epoch), as results.json counts
 * them (a resumed run appends a retried sample after its failure), the
 * second writes those lines.  Prompts and answers are cut so that a run
 * of any size stays a file a browser opens (run__report_text_cut).
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hazard.h"
#include "core/limits.h"
#include "eval/report_int.h"
#include "svg/svg.h"

/* ---- small tables ------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 0x100000001b3ull;
    return h;
}

/* Open addressing; slot value 0 is empty, so values are stored + 1. */
struct table {
    uint64_t *key;
    size_t *val;
    size_t cap, n;
};

static int table_grow(struct table *t)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    uint64_t *k = calloc(cap, sizeof *k);
    size_t *v = calloc(cap, sizeof *v);
    if (!k || !v) {
        free(k);
        free(v);
        return OSAFE_ENOMEM;
    }
    for (size_t i = 0; i < t->cap; i++) {
        if (!t->val[i])
            continue;
        size_t j = (size_t)t->key[i] & (cap - 1);
        while (v[j])
            j = (j + 1) & (cap - 1);
        k[j] = t->key[i];
        v[j] = t->val[i];
    }
    free(t->key);
    free(t->val);
    t->key = k;
    t->val = v;
    t->cap = cap;
    return 0;
}

/* The slot of key h (found or empty); NULL only when growing failed. */
static size_t *table_slot(struct table *t, uint64_t h)
{
    if ((t->n + 1) * 2 > t->cap && table_grow(t) != 0)
        return NULL;
    size_t j = (size_t)h & (t->cap - 1);
    while (t->val[j] && t->key[j] != h)
        j = (j + 1) & (t->cap - 1);
    if (!t->val[j]) {
        t->key[j] = h;
        t->n++;
    }
    return &t->val[j];
}

static void table_free(struct table *t)
{
    free(t->key);
    free(t->val);
    memset(t, 0, sizeof *t);
}

/* Names in first-seen order, each written once into the data. */
struct names {
    struct table ix;
    char **v; /* owned copies */
    size_t n, cap;
};

/* The index of s, adding it at the end when new; -1 when out of memory
 * (sample_row then marks the report failed). */
static long name_id(struct names *d, const char *s)
{
    size_t *v = table_slot(&d->ix, fnv(0xcbf29ce484222325ull, s, strlen(s)));
    if (!v)
        return -1;
    if (*v)
        return (long)*v - 1;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        char **nv = realloc(d->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        d->v = nv;
        d->cap = cap;
    }
    if (!(d->v[d->n] = strdup(s)))
        return -1;
    *v = ++d->n;
    return (long)d->n - 1;
}

static void names_free(struct names *d)
{
    table_free(&d->ix);
    for (size_t i = 0; i < d->n; i++)
        free(d->v[i]);
    free(d->v);
    memset(d, 0, sizeof *d);
}

/* ---- the JSON text ------------------------------------------------------ */

int run__json_str(osafe_buf *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = buf_putc(o, '"');
    size_t run = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' &&
            c != '&')
            continue;
        rc = buf_append(o, s + run, i - run);
        run = i + 1;
        char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
        if (rc == 0)
            rc = c == '"' || c == '\\' ? buf_append(o, (char[]){'\\', (char)c}, 2)
                                       : buf_puts(o, u);
    }
    if (rc == 0)
        rc = buf_append(o, s + run, n - run);
    return rc ? rc : buf_putc(o, '"');
}

size_t run__report_text_cut(size_t n)
{
    size_t cut = n ? OSAFE_REPORT_SAMPLES_TEXT_BUDGET / (2 * n)
                   : OSAFE_REPORT_QUOTE_MAX;
    if (cut < OSAFE_REPORT_SAMPLES_TEXT_MIN)
        cut = OSAFE_REPORT_SAMPLES_TEXT_MIN;
    return cut > OSAFE_REPORT_QUOTE_MAX ? OSAFE_REPORT_QUOTE_MAX : cut;
}

static const char *str_of(const json_t *j, const char *key)
{
    return json_string_value(json_object_get(j, key));
}

/* A text cut to `cut` bytes on a UTF-8 boundary, then how many bytes
 * were left out; null, 0 without a text. */
static void text_cut(osafe_buf *o, const char *s, size_t cut)
{
    if (!s) {
        OSAFE_IGNORE(buf_puts(o, ",null,0")); /* sticky */
        return;
    }
    size_t n = strlen(s), k = n;
    if (k > cut) {
        k = cut;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
    }
    OSAFE_IGNORE(buf_putc(o, ',')); /* sticky: checked by the caller */
    OSAFE_IGNORE(run__json_str(o, s, k));
    OSAFE_IGNORE(buf_printf(o, ",%zu", n - k));
}

static void opt_num(osafe_buf *o, const json_t *v)
{
    OSAFE_IGNORE(buf_putc(o, ',')); /* sticky: checked by the caller */
    if (json_is_number(v))
        OSAFE_IGNORE(svg_num(o, json_number_value(v), 4));
    else
        OSAFE_IGNORE(buf_puts(o, "null"));
}

struct dicts {
    struct names hz, lg, lb, er;
    long long ep_min, ep_max;
    int oom; /* a name could not be kept */
};

/* One sample's array (see the top of the file). */
static void sample_row(osafe_buf *o, const json_t *s, struct dicts *d,
                       size_t cut)
{
    const char *id = str_of(s, "item_id"), *hz = str_of(s, "hazard");
    const char *lg = str_of(s, "lang"), *lb = str_of(s, "label");
    const char *er = str_of(s, "error");
    const json_t *score = json_object_get(s, "score");
    long long ep = json_integer_value(json_object_get(s, "epoch"));
    if (ep < d->ep_min)
        d->ep_min = ep;
    if (ep > d->ep_max)
        d->ep_max = ep;
    if (!er && !json_is_number(score))
        er = "not scored";
    OSAFE_IGNORE(buf_putc(o, '[')); /* sticky: checked by the caller */
    OSAFE_IGNORE(run__json_str(o, id, strlen(id)));
    long ih = name_id(&d->hz, hz ? hz : ""), il = name_id(&d->lg, lg ? lg : "");
    long ib = lb ? name_id(&d->lb, lb) : -1, ie = er ? name_id(&d->er, er) : -1;
    if (ih < 0 || il < 0 || (lb && ib < 0) || (er && ie < 0))
        d->oom = 1;
    OSAFE_IGNORE(buf_printf(o, ",%lld,%ld,%ld,%ld", ep, ih, il, ib));
    opt_num(o, score);
    opt_num(o, json_object_get(s, "confidence"));
    OSAFE_IGNORE(buf_printf(o, ",%ld", ie));
    text_cut(o, run__report_prompt(s), cut);
    text_cut(o, str_of(s, "response"), cut);
    /* the judge's verdict is the scorer's reason; other scorers give
     * their label and confidence, shown beside it */
    const char *why = str_of(json_object_get(s, "judge"), "verdict");
    if (!why)
        why = str_of(s, "reason");
    text_cut(o, why, OSAFE_REPORT_QUOTE_MAX);
    OSAFE_IGNORE(buf_printf(
        o, ",%d]", json_is_true(json_object_get(s, "needs_review")) ? 1 : 0));
}

/* ---- the two passes ----------------------------------------------------- */

typedef int (*line_fn)(void *ctx, json_t *s, size_t lineno);

/* Each complete sample line of samples.jsonl, numbered from 1; lines that
 * are not samples are skipped (eval_results refused a corrupt file). */
static int each_sample(const char *path, line_fn fn, void *ctx, osafe_err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0
                               : osafe_errno(e, OSAFE_EIO, errno, "%s", path);
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int rc = 0;
    while (rc == 0 && (len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] != '\n')
            break; /* a torn last line is not a sample */
        lineno++;
        json_t *s = json_loadb(line, (size_t)len - 1, 0, NULL);
        if (json_is_object(s) && str_of(s, "item_id"))
            rc = fn(ctx, s, lineno);
        json_decref(s);
    }
    free(line);
    fclose(f);
    return rc ? osafe_errf(e, rc, "report: %s", osafe_strerror(rc)) : 0;
}

static uint64_t key_of(const json_t *s)
{
    const char *id = str_of(s, "item_id");
    long long ep = json_integer_value(json_object_get(s, "epoch"));
    uint64_t h = fnv(0xcbf29ce484222325ull, id, strlen(id) + 1);
    return fnv(h, &ep, sizeof ep);
}

/* Pass 1: the last line of each key.  Two keys with the same 64-bit hash
 * would show as one sample (about 3e-8 for 10^6 samples). */
static int last_line(void *ctx, json_t *s, size_t lineno)
{
    size_t *v = table_slot(ctx, key_of(s));
    if (!v)
        return OSAFE_ENOMEM;
    *v = lineno;
    return 0;
}

struct writer {
    struct table *last;
    osafe_buf *o;
    struct dicts *d;
    size_t cut, written;
};

static int write_line(void *ctx, json_t *s, size_t lineno)
{
    struct writer *w = ctx;
    size_t *v = table_slot(w->last, key_of(s));
    if (!v || *v != lineno)
        return 0; /* a later line of the same key replaces this one */
    if (w->written++)
        OSAFE_IGNORE(buf_putc(w->o, ',')); /* sticky: checked below */
    sample_row(w->o, s, w->d, w->cut);
    return w->d->oom ? OSAFE_ENOMEM : buf_status(w->o);
}

/* ---- the markup --------------------------------------------------------- */

static int filter_field(osafe_buf *o, const char *id, const char *key,
                        const char *word, int number)
{
    int rc = buf_printf(o, "<div><label for=\"%s\" data-t=\"%s\">%s</label>",
                        id, key, word);
    if (rc == 0 && number)
        rc = buf_printf(o, "<input id=\"%s\" type=\"number\" min=\"0\" "
                           "max=\"1\" step=\"0.01\" inputmode=\"decimal\"/>",
                        id);
    else if (rc == 0)
        rc = buf_printf(o, "<select id=\"%s\"></select>", id);
    return rc ? rc : buf_puts(o, "</div>");
}

static int markup_open(osafe_buf *o)
{
    int rc = buf_puts(
        o, "<section id=\"samples\" aria-labelledby=\"sb-h\">"
           "<h2 id=\"sb-h\" data-t=\"title\">Every sample</h2>"
           "<p data-t=\"intro\"></p>"
           "<p class=\"warn\" role=\"note\" data-t=\"warn\">Content warning: "
           "prompts and answers of safety suites may describe violence, "
           "abuse, self-harm or crime.</p>"
           "<noscript><p>The sample browser needs JavaScript; every sample "
           "is in the run's samples.jsonl.</p></noscript>"
           "<div id=\"sb-ui-box\" class=\"sb-ui\" hidden=\"hidden\">"
           "<label for=\"sb-ui\" data-t=\"ui\">Language</label> "
           "<select id=\"sb-ui\">");
    for (size_t l = 0; rc == 0 && l < 6; l++) {
        static const char *const own[6] = {
            "English", "中文", "Español", "Français", "العربية", "Русский"};
        rc = buf_printf(o, "<option value=\"%s\" lang=\"%s\">%s</option>",
                        run__report_langs[l], run__report_langs[l], own[l]);
    }
    if (rc == 0)
        rc = buf_puts(o, "</select></div><div id=\"sb-body\" hidden=\"hidden\">"
                         "<form id=\"sb-filters\" class=\"sb-filters\" "
                         "role=\"search\" aria-labelledby=\"sb-h\">");
    static const char *const fields[6][3] = {
        {"sb-hazard", "hazard", "Hazard"}, {"sb-lang", "lang", "Language"},
        {"sb-label", "label", "Label"},    {"sb-error", "error", "Errors"},
        {"sb-min", "min", "Score at least"}, {"sb-max", "max", "Score at most"}};
    for (int i = 0; rc == 0 && i < 6; i++)
        rc = filter_field(o, fields[i][0], fields[i][1], fields[i][2], i >= 4);
    if (rc == 0)
        rc = buf_puts(
            o, "<div class=\"sb-actions\"><button type=\"submit\" "
               "data-t=\"apply\">Apply</button> <button type=\"reset\" "
               "data-t=\"reset\">Reset filters</button></div></form>"
               "<p id=\"sb-status\" role=\"status\" aria-live=\"polite\"></p>"
               "<p class=\"sub\" data-t=\"keys\"></p>"
               "<div class=\"scroll\"><table id=\"sb-table\">"
               "<caption data-t=\"caption\"></caption><thead><tr>");
    static const char *const cols[] = {"c_num",   "c_item",  "c_hazard",
                                       "c_lang",  "c_label", "c_score",
                                       "c_conf",  "c_texts"};
    for (size_t i = 0; rc == 0 && i < sizeof cols / sizeof *cols; i++)
        rc = buf_printf(o, "<th scope=\"col\" data-t=\"%s\"></th>", cols[i]);
    if (rc == 0)
        rc = buf_puts(
            o, "</tr></thead><tbody id=\"sb-rows\"></tbody></table></div>"
               "<nav class=\"pager\" aria-label=\"Pages\" data-ta=\"pager\">"
               "<button type=\"button\" id=\"sb-prev\" data-t=\"prev\">"
               "</button> <label for=\"sb-page\" data-t=\"page\">Page</label> "
               "<input id=\"sb-page\" type=\"number\" min=\"1\" value=\"1\" "
               "inputmode=\"numeric\"/> <span id=\"sb-pages\"></span> "
               "<button type=\"button\" id=\"sb-next\" data-t=\"next\">"
               "</button></nav></div>");
    return rc;
}

/* d's names as a JSON array; with lang, hazards as people read them in
 * that language, "Violent crimes (vcr)", with the web pages' names. */
static int names_array(osafe_buf *o, const struct names *d, const char *lang)
{
    int rc = buf_putc(o, '[');
    for (size_t i = 0; rc == 0 && i < d->n; i++) {
        const char *v = d->v[i];
        char nm[OSAFE_HAZARD_LABEL_I18N_MAX], lb[OSAFE_HAZARD_LABEL_I18N_MAX];
        const char *name = lang ? hazard_name(lang, v, nm, sizeof nm) : NULL;
        if (name && snprintf(lb, sizeof lb, "%s (%s)", name, v) <
                        (int)sizeof lb)
            v = lb;
        rc = i ? buf_putc(o, ',') : 0;
        if (rc == 0)
            rc = run__json_str(o, v, strlen(v));
    }
    return rc ? rc : buf_putc(o, ']');
}

static int names_json(osafe_buf *o, const char *key, const struct names *d)
{
    int rc = buf_printf(o, ",\"%s\":", key);
    return rc ? rc : names_array(o, d, NULL);
}

/* "hzn": {"en": [...], "zh": [...], ...}: the hazards' names in each
 * language of the browser's chooser, which the script follows. */
static int hazard_names_json(osafe_buf *o, const struct names *d)
{
    int rc = buf_puts(o, ",\"hzn\":{");
    for (size_t l = 0; rc == 0 && l < run__report_langs_n; l++) {
        rc = buf_printf(o, "%s\"%s\":", l ? "," : "", run__report_langs[l]);
        if (rc == 0)
            rc = names_array(o, d, run__report_langs[l]);
    }
    return rc ? rc : buf_putc(o, '}');
}

static int data_close(osafe_buf *o, struct dicts *d)
{
    int rc = buf_printf(o, "],\"epochs\":%lld",
                        d->ep_max >= d->ep_min ? d->ep_max - d->ep_min + 1
                                               : 1);
    if (rc == 0)
        rc = names_json(o, "hz", &d->hz);
    if (rc == 0)
        rc = hazard_names_json(o, &d->hz);
    if (rc == 0)
        rc = names_json(o, "lg", &d->lg);
    if (rc == 0)
        rc = names_json(o, "lb", &d->lb);
    if (rc == 0)
        rc = names_json(o, "er", &d->er);
    if (rc == 0)
        rc = buf_puts(o, "}</script><script>");
    if (rc == 0)
        rc = buf_puts(o, run__report_script());
    return rc ? rc : buf_puts(o, "</script></section>");
}

int run__report_samples(osafe_buf *o, const char *rundir, osafe_err *e)
{
    char path[OSAFE_PATH_MAX];
    snprintf(path, sizeof path, "%s/samples.jsonl", rundir);
    struct table last;
    struct dicts d;
    memset(&last, 0, sizeof last);
    memset(&d, 0, sizeof d);
    d.ep_min = LLONG_MAX;
    d.ep_max = LLONG_MIN;
    int rc = each_sample(path, last_line, &last, e);
    if (rc == 0)
        rc = markup_open(o);
    if (rc == 0)
        rc = buf_printf(o, "<script type=\"application/json\" id=\"sb-data\">"
                           "{\"page\":%u,\"cut\":%zu,\"t\":",
                        OSAFE_REPORT_SAMPLES_PAGE,
                        run__report_text_cut(last.n));
    if (rc == 0)
        rc = run__report_words(o);
    if (rc == 0)
        rc = buf_puts(o, ",\"s\":[");
    struct writer w = {&last, o, &d, run__report_text_cut(last.n), 0};
    if (rc == 0)
        rc = each_sample(path, write_line, &w, e);
    if (rc == 0)
        rc = data_close(o, &d);
    table_free(&last);
    names_free(&d.hz);
    names_free(&d.lg);
    names_free(&d.lb);
    names_free(&d.er);
    return rc;
}
