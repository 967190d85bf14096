/*
 * report_bars.c - results groups as chart rows (run.h: eval_bar_set), so
 * the HTML report and the web pages draw the same thing from the same
 * document.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/run.h"

/* "n = " plus a 64-bit count and the NUL, with room for a translated
 * prefix. */
#define NOTE_MAX 64

static double rate_of(const json_t *g, const char *key)
{
    const json_t *v = json_object_get(g, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static void fill(svg_bar *b, const char *label, const json_t *g, char *note,
                 const char *prefix)
{
    b->label = label;
    b->value = rate_of(g, "rate");
    b->lo = rate_of(g, "lo");
    b->hi = rate_of(g, "hi");
    /* a rate without a usable interval is drawn without a whisker */
    if (isnan(b->lo) || isnan(b->hi) || isnan(b->value))
        b->lo = b->hi = NAN;
    b->href = NULL;
    if (g) {
        snprintf(note, NOTE_MAX, "%s%lld", prefix,
                 (long long)json_integer_value(json_object_get(g, "n")));
        b->note = note;
    } else {
        b->note = NULL;
    }
}

int eval_bar_set_make(const json_t *ra, const json_t *rb, const char *section,
                      const char *n_prefix, eval_bar_set *out, osafe_err *e)
{
    memset(out, 0, sizeof *out);
    const json_t *ga = json_object_get(ra, section);
    const json_t *gb = rb ? json_object_get(rb, section) : NULL;
    if (!json_is_object(ga) || (rb && gb && !json_is_object(gb)))
        return osafe_errf(e, OSAFE_EINVAL,
                          "results: \"%s\" is not an object of groups",
                          section);
    const char *prefix = n_prefix ? n_prefix : "n = ";
    if (strlen(prefix) > NOTE_MAX - 24)
        return osafe_errf(e, OSAFE_EINVAL, "results: note prefix too long");
    size_t n = json_object_size(ga);
    const char *k;
    json_t *v;
    if (gb)
        json_object_foreach((json_t *)gb, k, v) if (!json_object_get(ga, k))
            n++;
    if (n > SVG_ITEMS_MAX)
        return osafe_errf(e, OSAFE_EINVAL,
                          "results: %zu %s groups, more than a chart shows "
                          "(%u)", n, section, SVG_ITEMS_MAX);
    if (n == 0)
        return 0;
    out->a = calloc(n, sizeof *out->a);
    out->b = rb ? calloc(n, sizeof *out->b) : NULL;
    out->notes = calloc(n * 2, NOTE_MAX);
    if (!out->a || (rb && !out->b) || !out->notes) {
        eval_bar_set_free(out);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    size_t i = 0;
    json_object_foreach((json_t *)ga, k, v) {
        fill(&out->a[i], k, v, out->notes + 2 * i * NOTE_MAX, prefix);
        if (rb)
            fill(&out->b[i], k, json_object_get(gb, k),
                 out->notes + (2 * i + 1) * NOTE_MAX, prefix);
        i++;
    }
    if (gb)
        json_object_foreach((json_t *)gb, k, v) {
            if (json_object_get(ga, k))
                continue;
            fill(&out->a[i], k, NULL, NULL, prefix);
            fill(&out->b[i], k, v, out->notes + (2 * i + 1) * NOTE_MAX,
                 prefix);
            i++;
        }
    out->n = i;
    return 0;
}

void eval_bar_set_free(eval_bar_set *s)
{
    free(s->a);
    free(s->b);
    free(s->notes);
    memset(s, 0, sizeof *s);
}
