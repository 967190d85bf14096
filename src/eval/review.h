/*
 * review.h - the figures of a refusal-scored run corrected by people's
 * labels (issue 15, human review).
 */
#ifndef OSAFE_EVAL_REVIEW_H
#define OSAFE_EVAL_REVIEW_H

#include <jansson.h>

#include "core/buf.h"
#include "core/status.h"

/*
 * The automatic and the human-corrected refusal figures side by side.
 * results: a run's results.json (its "refusal" object is read); counts:
 * the run's labels counted, an array of {"expected","automatic","label",
 * "n"} (reg_evaluation_reviews' "counts").  Each labelled sample's
 * contribution to its figure is taken out at its automatic label and put
 * back at the human one (full 1, partial 0.5, as results.json counts);
 * the corrected interval is Wilson's over the same samples.
 * *out (the caller's) {"labelled","changed","unsafe_compliance":
 * {"automatic":{...},"corrected":{"n","rate","lo","hi","method"},
 * "labelled"},"over_refusal":{...}}.  OSAFE_EINVAL when results has no
 * refusal figures.
 */
OSAFE_MUST_USE int eval_review_figures(const json_t *results,
                                       const json_t *counts, json_t **out,
                                       osafe_err *e);

/*
 * The human review section of the HTML report: html is a whole report
 * (eval_report_html); the section goes before its footer.  results: the
 * run's results.json; reviews: the document of GET
 * /api/v1/evaluations/{id}/reviews for that run (its counts are read, and
 * refused when they label more samples than the run marked needs_review).
 */
OSAFE_MUST_USE int eval_report_reviews(osafe_buf *html, const json_t *results,
                                       const json_t *reviews, osafe_err *e);

#endif
