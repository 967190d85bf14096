/*
 * web_evals_int.h - shared by web_evals.c, web_evals_chart.c and
 * web_evals_mirror.c.
 */
#ifndef OSAFE_SERVER_WEB_EVALS_INT_H
#define OSAFE_SERVER_WEB_EVALS_INT_H

#include <jansson.h>
#include <stddef.h>

#include "server/web_int.h"
#include "svg/svg.h"

/* The suite a run was scored on, as a key: its hash, else its name and
 * version.  Written into out. */
void web__evals_suite_key(const json_t *run, char *out, size_t n);

/* One chart of overall scores per suite of runs (an /evals list page),
 * drawn with o (its title is the chart's, the suite is appended). */
void web__evals_list_charts(web_page *p, const json_t *runs,
                            svg_chart_opts o);

/* A compared run's series as the chart names runs, "model \u00b7 run id"
 * (the model cut on a character boundary; none: the page's words for a
 * run without one), written into out. */
void web__evals_series_label(web_page *p, const char *model, const char *id,
                             char *out, size_t n);

/* Evaluations mirrored from peers' logs (web_evals_mirror.c): the
 * <section id="mirrored-evals"> of /evals (nothing when none is held),
 * and the page /evals?origin=ORIGIN. */
void web__evals_mirrored_section(web_page *p);
void web__page_evals_mirrored(web_page *p, const char *origin);

#endif
