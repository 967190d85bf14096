/*
 * report_worst.c - the HTML report's worst items and errors (report_int.h):
 * one pass over samples.jsonl keeps the OSAFE_REPORT_WORST lowest-scored
 * samples and the first OSAFE_REPORT_ERRORS_LISTED still failing; their
 * texts are quoted cut to OSAFE_REPORT_QUOTE_MAX bytes, folded under a
 * content warning.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/xml.h"
#include "eval/report_int.h"
#include "svg/svg.h"

static int put(osafe_buf *o, const char *s)
{
    return buf_puts(o, s);
}

static int esc(osafe_buf *o, const char *s)
{
    return xml_escape(o, s ? s : "");
}

static const char *str_of(const json_t *j, const char *key)
{
    return json_string_value(json_object_get(j, key));
}

static int same_key(const json_t *a, const json_t *b)
{
    const char *x = str_of(a, "item_id"), *y = str_of(b, "item_id");
    return x && y && !strcmp(x, y) &&
           json_integer_value(json_object_get(a, "epoch")) ==
               json_integer_value(json_object_get(b, "epoch"));
}

/* Keep the sample if it is among the lowest scores so far (earlier lines
 * win ties, so the report is stable). */
static void keep_worst(struct run__scan *sc, json_t *s, double score, size_t line)
{
    size_t n = sc->nworst;
    if (n == OSAFE_REPORT_WORST && score >= sc->worst[n - 1].score)
        return;
    if (n == OSAFE_REPORT_WORST)
        json_decref(sc->worst[--n].s);
    size_t at = n;
    while (at > 0 && sc->worst[at - 1].score > score) {
        sc->worst[at] = sc->worst[at - 1];
        at--;
    }
    sc->worst[at] = (struct run__quoted){score, line, json_incref(s)};
    sc->nworst = n + 1;
}

void run__scan_free(struct run__scan *sc)
{
    for (size_t i = 0; i < sc->nworst; i++)
        json_decref(sc->worst[i].s);
    for (size_t i = 0; i < sc->nerr; i++)
        json_decref(sc->err[i].s);
    sc->nworst = sc->nerr = 0;
}

int run__scan_samples(const char *dir, struct run__scan *sc, osafe_err *e)
{
    char path[OSAFE_PATH_MAX];
    snprintf(path, sizeof path, "%s/samples.jsonl", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return errno == ENOENT ? 0
                               : osafe_errno(e, OSAFE_EIO, errno, "%s", path);
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] != '\n')
            break; /* a torn last line is not a sample */
        lineno++;
        json_t *s = json_loadb(line, (size_t)len - 1, 0, NULL);
        if (!json_is_object(s) || !str_of(s, "item_id")) {
            json_decref(s);
            continue; /* eval_results already refused a corrupt file */
        }
        /* a later line of the same key replaces an earlier error */
        for (size_t i = 0; i < sc->nerr; i++)
            if (same_key(sc->err[i].s, s)) {
                json_decref(sc->err[i].s);
                memmove(&sc->err[i], &sc->err[i + 1],
                        (sc->nerr - i - 1) * sizeof sc->err[0]);
                sc->nerr--;
                break;
            }
        const json_t *score = json_object_get(s, "score");
        if (str_of(s, "error") || !json_is_number(score)) {
            if (sc->nerr < OSAFE_REPORT_ERRORS_LISTED)
                sc->err[sc->nerr++] = (struct run__quoted){0, lineno,
                                                      json_incref(s)};
        } else {
            keep_worst(sc, s, json_number_value(score), lineno);
        }
        json_decref(s);
    }
    free(line);
    fclose(f);
    return 0;
}

/* The prompt a sample sent: the last user message, or the completion
 * prompt. */
const char *run__report_prompt(const json_t *s)
{
    const json_t *req = json_object_get(s, "request");
    const json_t *msgs = json_object_get(req, "messages");
    const char *last = NULL;
    for (size_t i = 0; i < json_array_size(msgs); i++) {
        const json_t *m = json_array_get(msgs, i);
        const char *role = str_of(m, "role");
        if (role && !strcmp(role, "user") && str_of(m, "content"))
            last = str_of(m, "content");
    }
    return last ? last : str_of(req, "prompt");
}

/* A language tag safe to put in lang="": letters, digits, '-' only. */
static int tag_ok(const char *t)
{
    if (!t || !*t || strlen(t) > 35)
        return 0;
    for (; *t; t++)
        if (!((*t >= 'a' && *t <= 'z') || (*t >= 'A' && *t <= 'Z') ||
              (*t >= '0' && *t <= '9') || *t == '-'))
            return 0;
    return 1;
}

/* Text cut to OSAFE_REPORT_QUOTE_MAX bytes on a UTF-8 boundary. */
static int quote(osafe_buf *o, const char *what, const char *text,
                 const char *lang)
{
    int rc = buf_printf(o, "<p><strong>%s</strong></p><blockquote", what);
    if (rc == 0 && tag_ok(lang))
        rc = buf_printf(o, " lang=\"%s\"", lang);
    if (rc == 0)
        rc = put(o, " dir=\"auto\">");
    if (!text)
        return rc ? rc : put(o, "(none)</blockquote>");
    size_t n = strlen(text), cut = n;
    if (cut > OSAFE_REPORT_QUOTE_MAX) {
        cut = OSAFE_REPORT_QUOTE_MAX;
        while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
            cut--;
    }
    if (rc == 0)
        rc = xml_escape_n(o, text, cut);
    if (rc == 0 && cut < n)
        rc = buf_printf(o, " \xE2\x80\xA6 [%zu more bytes]", n - cut);
    return rc ? rc : put(o, "</blockquote>");
}

int run__section_worst(osafe_buf *o, const struct run__scan *sc, int epochs)
{
    int rc = buf_printf(o, "<section id=\"worst\"><h2>Worst items</h2>"
                           "<p>The %zu lowest-scored samples, lowest "
                           "first.</p>",
                        sc->nworst);
    if (rc == 0 && sc->nworst == 0)
        return put(o, "<p>No scored samples.</p></section>");
    if (rc == 0)
        rc = put(o, "<p class=\"warn\" role=\"note\"><strong>Content "
                    "warning:</strong> prompts and answers of safety suites "
                    "may describe violence, abuse, self-harm or crime. They "
                    "are folded away; open one only if you need it.</p>"
                    "<div class=\"scroll\"><table><thead><tr>"
                    "<th scope=\"col\">#</th><th scope=\"col\">item</th>"
                    "<th scope=\"col\">hazard</th>"
                    "<th scope=\"col\">language</th>"
                    "<th scope=\"col\">label</th><th scope=\"col\">score</th>"
                    "<th scope=\"col\">texts</th></tr></thead><tbody>");
    for (size_t i = 0; rc == 0 && i < sc->nworst; i++) {
        const json_t *s = sc->worst[i].s;
        const char *lang = str_of(s, "lang");
        rc = buf_printf(o, "<tr><td class=\"num\">%zu</td><td><code>", i + 1);
        if (rc == 0)
            rc = esc(o, str_of(s, "item_id"));
        long long ep = json_integer_value(json_object_get(s, "epoch"));
        if (rc == 0 && epochs > 1)
            rc = buf_printf(o, "</code> (epoch %lld)<code>", ep);
        if (rc == 0)
            rc = put(o, "</code></td><td>");
        char lb[OSAFE_HAZARD_LABEL_MAX];
        if (rc == 0)
            rc = esc(o, run__hazard_label(str_of(s, "hazard"), lb, sizeof lb));
        if (rc == 0)
            rc = put(o, "</td><td>");
        if (rc == 0)
            rc = esc(o, lang);
        if (rc == 0)
            rc = put(o, "</td><td>");
        if (rc == 0)
            rc = esc(o, str_of(s, "label"));
        if (rc == 0)
            rc = put(o, "</td><td class=\"num\">");
        if (rc == 0)
            rc = svg_num(o, sc->worst[i].score, 3);
        if (rc == 0)
            rc = put(o, "</td><td><details><summary>Show prompt and "
                        "answer</summary>");
        if (rc == 0)
            rc = quote(o, "Prompt", run__report_prompt(s), lang);
        if (rc == 0)
            rc = quote(o, "Answer", str_of(s, "response"), lang);
        if (rc == 0)
            rc = put(o, "</details></td></tr>");
    }
    return rc ? rc : put(o, "</tbody></table></div></section>");
}

int run__section_errors(osafe_buf *o, const json_t *r, const struct run__scan *sc)
{
    const json_t *why = json_object_get(r, "error_reasons");
    int rc = put(o, "<section id=\"errors\"><h2>Errors</h2>");
    if (rc == 0 && json_object_size(why) == 0)
        return put(o, "<p>No errors: every sample was scored.</p></section>");
    if (rc == 0)
        rc = buf_printf(o, "<p>Samples that could not be scored: %lld. "
                           "They count neither as passes nor as failures."
                           "</p>"
                           "<div class=\"scroll\"><table><thead><tr>"
                           "<th scope=\"col\">reason</th>"
                           "<th scope=\"col\">samples</th></tr></thead><tbody>",
                        (long long)json_integer_value(
                            json_object_get(r, "errors")));
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)why, k, v) {
        if (rc == 0)
            rc = put(o, "<tr><td>");
        if (rc == 0)
            rc = esc(o, k);
        if (rc == 0)
            rc = buf_printf(o, "</td><td class=\"num\">%lld</td></tr>",
                            (long long)json_integer_value(v));
    }
    if (rc == 0)
        rc = put(o, "</tbody></table></div>");
    if (rc == 0 && sc->nerr) {
        rc = buf_printf(o, "<p>The first %zu failed samples:</p><ul>",
                        sc->nerr);
        for (size_t i = 0; rc == 0 && i < sc->nerr; i++) {
            const json_t *s = sc->err[i].s;
            rc = put(o, "<li><code>");
            if (rc == 0)
                rc = esc(o, str_of(s, "item_id"));
            if (rc == 0)
                rc = put(o, "</code>: ");
            if (rc == 0)
                rc = esc(o, str_of(s, "error") ? str_of(s, "error")
                                               : "not scored");
            if (rc == 0)
                rc = put(o, "</li>");
        }
        if (rc == 0)
            rc = put(o, "</ul>");
    }
    return rc ? rc : put(o, "</section>");
}
