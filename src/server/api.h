/*
 * api.h - the registry's HTTP API (/api/v1/...) and the read-only log
 * mirror (/log/...), as one http_handler.  docs/API.md documents the
 * routes; docs/openapi.json is served at /api/v1/openapi.json.
 */
#ifndef OSAFE_SERVER_API_H
#define OSAFE_SERVER_API_H

#include "registry/registry.h"
#include "server/http.h"
#include "server/web.h"

/* web NULL: no HTML interface (paths outside /api/ and /log/ get 404). */
struct ratelimit;
typedef struct api_ctx {
    registry *reg;
    const char *log_dir;
    web *web;
    /* writes per account (server/ratelimit.h); NULL: no limit */
    struct ratelimit *writes;
    /* the tlog-witness of --witness-key (federation.h); NULL: none, and
     * /witness/add-checkpoint answers 404 */
    struct fed_witness *witness;
} api_ctx;

/* The handler to pass to http_server_start with an api_ctx. */
void api_handle(void *ctx, const http_req *req, http_resp *resp);

/* The OpenAPI 3.1 document (generated into the binary from
 * docs/openapi.json). */
extern const char osafe_openapi_json[];

#endif
