/*
 * reviews.h - a run's human labels with its automatic and corrected
 * figures, as the API (GET /api/v1/evaluations/{id}/reviews) and the
 * evaluation page show them (issue 15, human review).
 */
#ifndef OSAFE_SERVER_REVIEWS_H
#define OSAFE_SERVER_REVIEWS_H

#include <jansson.h>

#include "registry/registry.h"

/* reg_evaluation_reviews' document with "figures" added
 * (eval_review_figures; null for a run without refusal figures).  *doc
 * is the caller's. */
OSAFE_MUST_USE int srv_reviews_doc(registry *r, const char *id, int64_t after,
                                   int limit, json_t **doc, osafe_err *e);

#endif
