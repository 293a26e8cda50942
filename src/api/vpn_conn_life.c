/* api/vpn_conn_life.c: the connection lifecycle beyond create/update (spec §2.6): DELETE moves
 * a connection to PENDING_DELETE and the status engine removes it after --status-delay; while
 * deleting, writes answer 425 VPN.0009. Also reset and the connection log (spec §2.1). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/vpn_conn_int.h"
#include "util/ids.h"
#include "util/log.h"

static const struct api_error_code API_ERR_DELETING = {425, "VPN.0009"};

int vpn_conn_cur_load(struct api *api, const struct api_call *call, const char *id,
                      struct vpn_conn_cur *cur, struct http_response *resp)
{
    int r;

    memset(cur, 0, sizeof(*cur));
    cur->c = calloc(1, sizeof(*cur->c));
    if (!cur->c) {
        api_fail_errno(call->req, resp, -ENOMEM, "vpn_connection.get");
        return -1;
    }
    r = store_conn_get(api->store, call->project_id, id, &cur->row);
    if (r == -ENOENT) {
        api_fail(call->req, resp, &API_ERR_NOT_FOUND,
                 "resource not found: vpn connection \"%.64s\"", id);
        return -1;
    }
    if (r == 0)
        r = model_conn_from_internal(cur->row.spec, strlen(cur->row.spec), cur->c);
    if (r < 0) {
        api_fail_errno(call->req, resp, r, "vpn_connection.get");
        return -1;
    }
    return 0;
}

void vpn_conn_cur_done(struct vpn_conn_cur *cur)
{
    store_conn_row_done(&cur->row);
    free(cur->c);
    cur->c = NULL;
}

bool vpn_conn_is_deleting(const struct api_call *call, const struct vpn_conn_cur *cur,
                          struct http_response *resp)
{
    if (strcmp(cur->row.status, "PENDING_DELETE") != 0)
        return false;
    api_fail(call->req, resp, &API_ERR_DELETING, "Connection %s is deleting.", cur->row.id);
    return true;
}

/* One attempt: PENDING_DELETE with a due time, compare-and-set on the connection as read.
 * Returns 0 when answered, -EAGAIN when it lost a race. */
static int delete_once(struct api *api, const struct api_call *call, struct http_response *resp)
{
    _cleanup_(vpn_conn_cur_done) struct vpn_conn_cur cur = {0};
    _cleanup_(buf_free) struct buf spec = {0};
    _cleanup_(buf_free) struct buf doc = {0};
    struct store_conn_row row;
    char msg[96];
    int64_t now = ids_now_ms();

    if (vpn_conn_cur_load(api, call, call->id, &cur, resp) < 0 ||
        vpn_conn_is_deleting(call, &cur, resp))
        return 0;
    if (strcmp(cur.row.status, "FREEZED") == 0)
        return api_fail(call->req, resp, &API_ERR_INVALID,
                        "invalid request: connection %s is FREEZED: not allowed delete "
                        "vpnConnection",
                        cur.row.id);
    cur.c->status = "PENDING_DELETE";
    if (vpn_conn_row_build(api, call->project_id, cur.c, now, &spec, &doc, &row) < 0)
        return api_fail_errno(call->req, resp, -ENOMEM, "vpn_connection.render");
    struct store_conn_expect from = {.status = cur.row.status, .spec = cur.row.spec};
    struct store_event ev = {.at = now, .message = msg};
    snprintf(msg, sizeof(msg), "status %s -> PENDING_DELETE (deleted)", cur.row.status);
    int r = store_conn_update_if(api->store, &row, &from, NULL, 0, &ev);
    if (r == -ENOENT)
        return -EAGAIN;
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "vpn_connection.delete");
    log_info("request_id=%s op=vpn_connection.delete project_id=%s id=%s", call->req->request_id,
             call->project_id, call->id);
    buf_reset(&resp->body);
    resp->status = 204;
    return 0;
}

/* 204; the connection shows PENDING_DELETE (and keeps its gateway slot) until the status
 * engine removes it, then GET answers 404. */
int vpn_conn_delete(struct api *api, const struct api_call *call, struct http_response *resp)
{
    for (int attempt = 0; attempt < VPN_CONN_CAS_ATTEMPTS; attempt++) {
        if (delete_once(api, call, resp) != -EAGAIN)
            return 0;
    }
    return api_fail_errno(call->req, resp, -EBUSY, "vpn_connection.delete");
}

/* Reset renegotiates the tunnels (spec §2.6); with the simulated driver there is nothing to
 * renegotiate, so it only confirms the connection exists and is not being deleted. */
int vpn_conn_reset(struct api *api, const struct api_call *call, struct http_response *resp)
{
    _cleanup_(vpn_conn_cur_done) struct vpn_conn_cur cur = {0};

    if (vpn_conn_cur_load(api, call, call->id, &cur, resp) < 0 ||
        vpn_conn_is_deleting(call, &cur, resp))
        return 0;
    buf_reset(&resp->body);
    if (buf_printf(&resp->body, "{\"request_id\":\"%s\"}", call->req->request_id) < 0)
        return api_fail_errno(call->req, resp, -ENOMEM, "vpn_connection.reset");
    resp->status = 200;
    return 0;
}

struct log_writer {
    struct buf *b;
    size_t n;
};

static int log_entry(void *ud, const struct store_event *ev)
{
    struct log_writer *w = ud;
    int r = buf_printf(w->b, "%s{\"time\":%lld,\"raw_message\":", w->n ? "," : "",
                       (long long)(ev->at / 1000));

    if (r == 0)
        r = buf_json_str(w->b, ev->message);
    if (r == 0)
        r = buf_puts(w->b, "}");
    w->n++;
    return r;
}

/* The status transitions this server performed for the connection, oldest first
 * ({"time": unix seconds, "raw_message"}); there is no IKE negotiation to log. Policy-template
 * connections have no log (400 VPN.0305, spec §2.1). */
int vpn_conn_log(struct api *api, const struct api_call *call, struct http_response *resp)
{
    static const struct api_error_code no_log = {400, "VPN.0305"};
    _cleanup_(vpn_conn_cur_done) struct vpn_conn_cur cur = {0};
    struct log_writer w = {.b = &resp->body};
    int r;

    if (vpn_conn_cur_load(api, call, call->id, &cur, resp) < 0)
        return 0;
    if (strcmp(cur.c->style, "POLICY-TEMPLATE") == 0)
        return api_fail(call->req, resp, &no_log,
                        "Connection %s is of style POLICY-TEMPLATE: connection logs are not "
                        "supported for it",
                        cur.row.id);
    buf_reset(w.b);
    r = buf_puts(w.b, "{\"logs\":[");
    if (r == 0)
        r = store_conn_events(api->store, call->project_id, call->id, log_entry, &w);
    if (r == -ENOENT)
        return api_fail(call->req, resp, &API_ERR_NOT_FOUND,
                        "resource not found: vpn connection \"%.64s\"", call->id);
    if (r == 0)
        r = buf_printf(w.b, "],\"request_id\":\"%s\"}", call->req->request_id);
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "vpn_connection.log");
    resp->status = 200;
    return 0;
}
