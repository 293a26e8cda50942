/* api/router.h: matches a raw request path against the route table. */
#ifndef VPND_API_ROUTER_H
#define VPND_API_ROUTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"

struct api_ctx;

#define ROUTER_MAX_PARAM 65 /* a path parameter: up to 64 bytes + NUL */

/* One matched request: the path parameters captured by {project_id}, {id} and a second id
 * ({sub_id}, e.g. a certificate of gateway {id}). */
struct api_call {
    const struct http_request *req;
    char project_id[ROUTER_MAX_PARAM];
    char id[ROUTER_MAX_PARAM];
    char sub_id[ROUTER_MAX_PARAM];
};

/* Answers one request through ctx (api/api_int.h); returns 0, or a negative errno that the
 * dispatcher answers with the error table (api/errors.h). */
typedef int (*api_handler_fn)(struct api_ctx *ctx);

/* What the dispatcher does for a route before its handler runs. */
enum route_flag {
    ROUTE_NO_AUTH = 1 << 0,  /* served without credentials even when vpnd has some */
    ROUTE_JSON = 1 << 1,     /* the body is a JSON object, parsed once (ctx->body) */
    ROUTE_EMPTY_OK = 1 << 2, /* with ROUTE_JSON: an empty body is {} */
    ROUTE_WRITE = 1 << 3,    /* changes state: its outcome is logged */
    ROUTE_OWN = 1 << 4,      /* vpnd's own (/_vpnd/..., /metrics, /openapi.json), not the cloud
                              * API: no fault is injected into it and the SDK's models do not
                              * describe it */
    ROUTE_OPERATOR = 1 << 5, /* an operator surface: with credentials, an admin credential only
                              * (operator_check in api.c); without, loopback (protected mode) */
    ROUTE_CONTROL = 1 << 6,  /* the control surface: absent (404) with --control-api off */
};

struct route {
    const char *method;
    const char *pattern; /* "/v5/{project_id}/vpn-connection/{id}" */
    api_handler_fn handler;
    unsigned flags;      /* enum route_flag */
    const char *op;      /* the operation in logs, e.g. "vpn_connection.create" */
};

#define ROUTER_MAX_ROUTES 128
#define ROUTER_MAX_SEGMENTS 8 /* a longer path matches no route */

enum router_param { ROUTER_LITERAL, ROUTER_PROJECT_ID, ROUTER_ID, ROUTER_SUB_ID };

/* One pattern segment: pattern[off .. off+len), a literal or a {param}. */
struct router_seg {
    uint8_t off, len;
    uint8_t param; /* enum router_param */
};

struct router_entry {
    const struct route *route;
    uint8_t nseg, nparams;
    struct router_seg seg[ROUTER_MAX_SEGMENTS];
};

/* The route table split into segments once (router_init); no allocation, nothing to free.
 * by_nseg lists the entries of each segment count in table order: a path is compared only with
 * the routes it could match (vpnd's own routes cost the cloud API's nothing). */
struct router {
    struct router_entry e[ROUTER_MAX_ROUTES];
    size_t n;
    uint8_t by_nseg[ROUTER_MAX_SEGMENTS + 1][ROUTER_MAX_ROUTES];
    uint8_t n_by_nseg[ROUTER_MAX_SEGMENTS + 1];
};

/* Compiles n routes (borrowed: they must outlive rt). -EINVAL if there are more than
 * ROUTER_MAX_ROUTES, a pattern does not start with '/', is longer than 255 bytes or has more
 * than ROUTER_MAX_SEGMENTS segments. */
int router_init(struct router *rt, const struct route *routes, size_t n);

/* Finds the route for method + raw path (one trailing slash tolerated) and captures its
 * parameters into call (call->req is kept). Of several matching routes the one with the fewest
 * {params} wins (the first of equals), so a literal segment ("vpn-connection/tags") beats {id}
 * wherever the routes stand in the table. A {param} matches one non-empty segment shorter than
 * ROUTER_MAX_PARAM. Returns the route, or NULL when no route matches path and method (the API
 * gateway answers both cases with 404 APIGW.0101). */
const struct route *router_match(const struct router *rt, const char *method, const char *path,
                                 struct api_call *call);

#endif
