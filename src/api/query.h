/* api/query.h: decoding of the raw query string and of the parameters the lists share. */
#ifndef VPND_API_QUERY_H
#define VPND_API_QUERY_H

#include <stdbool.h>
#include <stddef.h>

#include "service/svc.h"

/* Calls cb for each key=value pair of the raw query, both percent-decoded ('+' is a space), in
 * order. Pairs that do not fit in 256 bytes or decode badly are reported with value NULL.
 * Stops and returns cb's value when it is non-zero; returns 0 otherwise. */
int query_foreach(const char *raw, int (*cb)(void *ud, const char *key, const char *value),
                  void *ud);

/* A repeatable enterprise_project_id filter (spec §2.7: repeated keys). */
#define QUERY_MAX_EPS SVC_MAX_EPS
struct query_eps {
    char buf[QUERY_MAX_EPS][37]; /* a UUID or "0" */
    size_t n;
};

/* The service's view of e (pointing into it). */
void query_eps_bind(const struct query_eps *e, struct svc_eps *out);

/* The text parameters of the lists, by key. */
enum query_text {
    QUERY_MARKER,  /* "marker" */
    QUERY_VGW_ID,  /* "vgw_id" */
    QUERY_VGW_IP,  /* "vgw_ip" */
    QUERY_CGW_ID,  /* "cgw_id" */
    QUERY_CONN_ID, /* "vpn_connection_id" */
    QUERY_VPN_ID,  /* "vpn_id" (connection list: one connection) */
    QUERY_EIP_ID,  /* "eip_id" (connection list: its vgw_ip is that EIP) */
    QUERY_RESOURCE_ID,     /* "resource_id" (jobs) */
    QUERY_PRE_EXPIRE_DAYS, /* "pre_expire_days" (certificates) */
    QUERY_N_TEXT
};

/* The parameters of a list (spec §1.6, §2.7), decoded once; a list reads those it documents and
 * every other key is ignored. */
struct query_list {
    long long limit;                  /* the list's maximum when not given */
    const char *text[QUERY_N_TEXT];   /* NULL when not given, else the (cut) value in buf */
    char buf[QUERY_N_TEXT][SVC_MARKER_LEN];
    struct query_eps eps;             /* when taken */
    char error[160];
};

/* Decodes the raw query of a list into l: limit (when limit_max > 0: an integer from 0 to
 * limit_max), the text parameters, and with takes_eps the repeatable enterprise_project_id (at
 * most QUERY_MAX_EPS). Returns 0, or -1 with the refusal in l->error (a pair that does not
 * decode, a bad limit, too many enterprise_project_id). */
int query_list_parse(const char *raw, long long limit_max, bool takes_eps, struct query_list *l);

/* Parses a limit value: a decimal integer from 0 to max. On failure writes "limit: must be an
 * integer from 0 to <max>, got \"<value>\"" into error and returns -1. */
int query_limit(const char *value, long long max, long long *ret, char *error, size_t errlen);
/* The same for parameter key. */
int query_count(const char *key, const char *value, long long max, long long *ret, char *error,
                size_t errlen);

#endif
