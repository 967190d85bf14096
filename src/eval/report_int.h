/*
 * report_int.h - shared by the HTML report's files: report_html.c (the
 * document), report_worst.c (the worst items and the errors),
 * report_samples.c (the sample browser's markup and data) and
 * report_samples_ui.c (its script, its words in six languages and the
 * Content-Security-Policy that lets only that script run).
 */
#ifndef OSAFE_EVAL_REPORT_INT_H
#define OSAFE_EVAL_REPORT_INT_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/status.h"

/* The worst samples and the first failed ones (report_worst.c). */
struct run__quoted {
    double score;
    size_t line;
    json_t *s; /* the sample */
};

struct run__scan {
    struct run__quoted worst[OSAFE_REPORT_WORST];
    size_t nworst;
    struct run__quoted err[OSAFE_REPORT_ERRORS_LISTED];
    size_t nerr;
};

/* One pass over RUNDIR/samples.jsonl (absent: nothing kept). */
int run__scan_samples(const char *dir, struct run__scan *sc, osafe_err *e);
void run__scan_free(struct run__scan *sc);
/* <section id="worst"> and <section id="errors">. */
int run__section_worst(osafe_buf *o, const struct run__scan *sc, int epochs);
int run__section_errors(osafe_buf *o, const json_t *r,
                        const struct run__scan *sc);

/* A hazard as people read it: "Violent crimes (vcr)"; a key without a
 * known name stays as it is.  Writes into buf (at least 2 bytes). */
const char *run__hazard_label(const char *k, char *buf, size_t n);

/* The prompt a sample sent: the last user message, or the completion
 * prompt; NULL when it has neither.  Borrowed from s. */
const char *run__report_prompt(const json_t *s);

/*
 * The sample browser: <section id="samples"> with its filters, an empty
 * table that the script fills a page at a time, every sample of
 * RUNDIR/samples.jsonl (the last line of each item and epoch) as one JSON
 * array in <script type="application/json">, and the script.  Texts are
 * cut to run__report_text_cut(samples) bytes.
 */
int run__report_samples(osafe_buf *o, const char *rundir, osafe_err *e);

/* How many bytes of each prompt and answer the browser carries for a run
 * of n samples (limits.h, OSAFE_REPORT_SAMPLES_TEXT_*). */
size_t run__report_text_cut(size_t n);

/* The browser's script: fixed text with no '<' and no '&', so the page
 * stays well-formed XML without a CDATA section.  Static storage. */
const char *run__report_script(void);

/* The words of the browser in the six languages, as one JSON object
 * {"en": {key: text, ...}, ...}, escaped for a <script> element. */
int run__report_words(osafe_buf *o);

/* The value of the report's Content-Security-Policy <meta>: nothing may
 * load, inline styles apply, and only the script above (by its SHA-256)
 * runs.  Written into out (at least 160 bytes). */
int run__report_csp(char *out, size_t n);

/* The six languages of the browser's chooser, in its order: "en", "zh",
 * "es", "fr", "ar", "ru" (the columns of run__report_words_tab). */
extern const char *const run__report_langs[];
extern const size_t run__report_langs_n;

/* The browser's words: {key, en, zh, es, fr, ar, ru} rows
 * (report_samples_words.c). */
extern const char *const run__report_words_tab[][7];
extern const size_t run__report_words_n;

/* s[0..n) as a JSON string, with '<', '>' and '&' escaped too so that it
 * can sit inside a <script> element of an XHTML-compatible page. */
int run__json_str(osafe_buf *o, const char *s, size_t n);

#endif
