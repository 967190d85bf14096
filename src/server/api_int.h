/*
 * api_int.h - shared between the JSON routes' files (api.c and the
 * routes split out of it).
 */
#ifndef OSAFE_SERVER_API_INT_H
#define OSAFE_SERVER_API_INT_H

#include <stddef.h>

#include "server/api.h"

/* The JSON error answer for a registry failure (its status from e->code;
 * internal failures are logged, not shown). */
void api__fail(http_resp *w, const osafe_err *e);

/* The filters and page of a sample page from the query (api_samples.c;
 * the web's sample browser reads the same words): 0, or -1 with *param
 * the refused parameter and why the reason (English). */
int api__sample_filter(const http_req *q, store_sample_filter *f,
                       long long *page, long long *per, const char **param,
                       char *why, size_t whylen);

/* GET, POST /api/v1/evaluations/{id}/samples (api_samples.c). */
void api__evaluation_samples(api_ctx *a, const http_req *q, http_resp *w,
                             const reg_caller *c, const char *id,
                             size_t idlen);

#endif
