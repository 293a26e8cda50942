/* api/router.h: matches a raw request path against the route table. */
#ifndef VPND_API_ROUTER_H
#define VPND_API_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

struct api;

#define ROUTER_MAX_PARAM 65 /* a path parameter: up to 64 bytes + NUL */

/* One matched request: the path parameters captured by {project_id}, {id} and a second id
 * ({sub_id}, e.g. a certificate of gateway {id}). */
struct api_call {
    const struct http_request *req;
    char project_id[ROUTER_MAX_PARAM];
    char id[ROUTER_MAX_PARAM];
    char sub_id[ROUTER_MAX_PARAM];
};

typedef int (*api_handler_fn)(struct api *api, const struct api_call *call,
                              struct http_response *resp);

struct route {
    const char *method;
    const char *pattern; /* "/v5/{project_id}/vpn-connection/{id}" */
    api_handler_fn handler;
};

/* Finds the route for method + raw path (one trailing slash tolerated) and captures its
 * parameters into call (call->req is kept). Of several matching routes the one with the fewest
 * {params} wins (the first of equals). Returns the route, or NULL when no route matches path and method
 * (the API gateway answers both cases with 404 APIGW.0101). */
const struct route *router_match(const struct route *routes, size_t n, const char *method,
                                 const char *path, struct api_call *call);

#endif
