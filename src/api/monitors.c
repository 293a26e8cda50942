/* api/monitors.c: connection monitors (spec §5.1): create, list, show, delete.
 *
 * One monitor per connection (400 VPN.0381 for a second). The connection's served document
 * shows connection_monitor_id while the monitor exists: the monitor row and the re-rendered
 * document are written in one store transaction (a compare-and-set on the connection as read;
 * its status and status_due are kept). A new monitor is PENDING_CREATE; the status engine makes
 * it ACTIVE after --status-delay. DELETE makes it PENDING_DELETE; after --status-delay the
 * engine removes it and the connection stops showing it (engine/monitor_remove.c); until then a
 * new monitor on that connection is still VPN.0381. Deleting the connection deletes it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/errors.h"
#include "api/handlers.h"
#include "api/query.h"
#include "api/vpn_conn_int.h"
#include "util/ids.h"
#include "util/log.h"

#define MONITOR_STATUS "PENDING_CREATE"

static int fail_no_monitor(const struct api_call *call, struct http_response *resp)
{
    return api_fail(call->req, resp, &API_ERR_NOT_FOUND,
                    "resource not found: connection monitor \"%.64s\"", call->id);
}

static void monitor_of_row(const struct store_monitor_row *row, struct model_monitor *m)
{
    memset(m, 0, sizeof(*m));
    snprintf(m->id, sizeof(m->id), "%s", row->id);
    m->status = row->status;
    snprintf(m->vpn_connection_id, sizeof(m->vpn_connection_id), "%s", row->vpn_connection_id);
    snprintf(m->source_ip, sizeof(m->source_ip), "%s", row->source_ip);
    snprintf(m->destination_ip, sizeof(m->destination_ip), "%s", row->destination_ip);
}

/* The addresses the monitor probes between, from the connection's gateway and customer gateway. */
static int monitor_addresses(struct api *api, const struct api_call *call,
                             const struct model_vpn_conn *c, struct model_monitor *m)
{
    _cleanup_free_ struct model_vgw *g = calloc(1, sizeof(*g));
    _cleanup_free_ struct model_cgw *cgw = calloc(1, sizeof(*cgw));
    struct store_vgw_row vrow = {0};
    struct store_cgw_row crow = {0};
    int r = g && cgw ? 0 : -ENOMEM;

    if (r == 0)
        r = store_vgw_get(api->store, call->project_id, c->vgw_id, &vrow);
    if (r == 0)
        r = model_vgw_from_internal(vrow.spec, strlen(vrow.spec), g);
    if (r == 0)
        r = store_cgw_get(api->store, call->project_id, c->cgw_id, &crow);
    if (r == 0)
        r = model_cgw_from_internal(crow.spec, strlen(crow.spec), cgw);
    store_vgw_row_done(&vrow);
    store_cgw_row_done(&crow);
    if (r == 0)
        model_monitor_addresses(c, g, cgw, m);
    return r;
}

/* Renders cur's connection again (connection_monitor_id changed) into row, keeping its status
 * and due time. */
static int rerender(struct api *api, const struct api_call *call, const struct vpn_conn_cur *cur,
                    struct buf *spec, struct buf *doc, struct store_conn_row *row)
{
    int r = vpn_conn_row_build(api, call->project_id, cur->c, cur->c->updated_at, spec, doc, row);

    row->status_due = cur->row.status_due;
    return r;
}

/* One attempt; -EAGAIN when the compare-and-set lost a race. */
static int create_once(struct api *api, const struct api_call *call, struct model_monitor *m,
                       struct http_response *resp)
{
    static const struct api_error_code has_monitor = {400, "VPN.0381"};
    _cleanup_(vpn_conn_cur_done) struct vpn_conn_cur cur = {0};
    _cleanup_(buf_free) struct buf spec = {0};
    _cleanup_(buf_free) struct buf doc = {0};
    struct store_monitor_row row = {0};
    struct store_conn_row crow;

    if (vpn_conn_cur_load(api, call, m->vpn_connection_id, &cur, resp) < 0 ||
        vpn_conn_is_deleting(call, &cur, resp))
        return 0;
    if (cur.c->connection_monitor_id[0])
        return api_fail(call->req, resp, &has_monitor,
                        "VPN connection %s already has connection monitor", cur.row.id);
    int r = monitor_addresses(api, call, cur.c, m);
    if (r == 0 && ids_uuid4(m->id) < 0)
        r = -EIO;
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "connection_monitor.create");
    snprintf(cur.c->connection_monitor_id, sizeof(cur.c->connection_monitor_id), "%s", m->id);
    if (rerender(api, call, &cur, &spec, &doc, &crow) < 0)
        return api_fail_errno(call->req, resp, -ENOMEM, "connection_monitor.render");
    snprintf(row.project_id, sizeof(row.project_id), "%s", call->project_id);
    snprintf(row.id, sizeof(row.id), "%s", m->id);
    snprintf(row.vpn_connection_id, sizeof(row.vpn_connection_id), "%s", cur.row.id);
    snprintf(row.enterprise_project_id, sizeof(row.enterprise_project_id), "%s",
             cur.row.enterprise_project_id);
    snprintf(row.status, sizeof(row.status), "%s", MONITOR_STATUS);
    snprintf(row.source_ip, sizeof(row.source_ip), "%s", m->source_ip);
    snprintf(row.destination_ip, sizeof(row.destination_ip), "%s", m->destination_ip);
    row.created_at = ids_now_ms();
    row.status_due = engine_due_at(&api->engine, row.created_at);
    struct store_conn_expect from = {.status = cur.row.status, .spec = cur.row.spec};
    r = store_monitor_insert(api->store, &row, &crow, &from);
    if (r == -EEXIST)
        return api_fail(call->req, resp, &has_monitor,
                        "VPN connection %s already has connection monitor", cur.row.id);
    if (r == -ENOENT)
        return -EAGAIN;
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "connection_monitor.insert");
    log_info("request_id=%s op=connection_monitor.create project_id=%s id=%s "
             "vpn_connection_id=%s",
             call->req->request_id, call->project_id, m->id, cur.row.id);
    _cleanup_(buf_free) struct buf out = {0};
    m->status = NULL; /* the create response has no status (spec §5.1) */
    if (model_monitor_render(m, &out) < 0)
        return api_fail_errno(call->req, resp, -ENOMEM, "connection_monitor.render");
    return api_reply_wrapped(call, resp, 201, "connection_monitor", &out);
}

int connection_monitor_create(struct api *api, const struct api_call *call,
                              struct http_response *resp)
{
    struct model_monitor m;
    struct verr err = {0};
    int r = model_monitor_parse_create(call->req->body, call->req->body_len, &m, &err);

    if (r == -EINVAL)
        return api_fail_verr(call->req, resp, &err);
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "connection_monitor.parse");
    for (int attempt = 0; attempt < VPN_CONN_CAS_ATTEMPTS; attempt++) {
        if (create_once(api, call, &m, resp) != -EAGAIN)
            return 0;
    }
    return api_fail_errno(call->req, resp, -EBUSY, "connection_monitor.create");
}

int connection_monitor_show(struct api *api, const struct api_call *call,
                            struct http_response *resp)
{
    struct store_monitor_row row;
    struct model_monitor m;
    _cleanup_(buf_free) struct buf out = {0};
    int r = store_monitor_get(api->store, call->project_id, call->id, &row);

    if (r == -ENOENT)
        return fail_no_monitor(call, resp);
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "connection_monitor.show");
    monitor_of_row(&row, &m);
    if (model_monitor_render(&m, &out) < 0)
        return api_fail_errno(call->req, resp, -ENOMEM, "connection_monitor.render");
    return api_reply_wrapped(call, resp, 200, "connection_monitor", &out);
}

struct monitor_query {
    struct store_monitor_filter f;
    struct query_eps eps;
    char conn_id[MODEL_UUID_LEN];
    char error[160];
};

static int list_param(void *ud, const char *key, const char *value)
{
    struct monitor_query *q = ud;

    if (!value) {
        snprintf(q->error, sizeof(q->error), "%.32s: must be percent-encoded text under 256 bytes",
                 key);
        return -1;
    }
    if (strcmp(key, "vpn_connection_id") == 0) {
        snprintf(q->conn_id, sizeof(q->conn_id), "%s", value);
        q->f.vpn_connection_id = q->conn_id;
    } else if (strcmp(key, "enterprise_project_id") == 0) {
        if (query_eps_add(&q->eps, value, q->error, sizeof(q->error)) < 0)
            return -1;
        q->f.n_enterprise_project_ids = q->eps.n;
    }
    return 0;
}

struct list_writer {
    struct buf *b;
    size_t n;
};

static int list_item(void *ud, const struct store_monitor_row *row)
{
    struct list_writer *w = ud;
    struct model_monitor m;
    int r = w->n ? buf_puts(w->b, ",") : 0;

    monitor_of_row(row, &m);
    w->n++;
    return r < 0 ? r : model_monitor_render(&m, w->b);
}

/* No pagination (spec §5.1); filters vpn_connection_id and repeatable enterprise_project_id. */
int connection_monitor_list(struct api *api, const struct api_call *call,
                            struct http_response *resp)
{
    _cleanup_free_ struct monitor_query *q = calloc(1, sizeof(*q));
    struct list_writer w = {.b = &resp->body};

    if (!q)
        return api_fail_errno(call->req, resp, -ENOMEM, "connection_monitor.list");
    q->f.enterprise_project_ids = q->eps.ptr;
    if (query_foreach(call->req->query, list_param, q) != 0)
        return api_fail(call->req, resp, &API_ERR_INVALID, "invalid request: %s", q->error);
    buf_reset(w.b);
    int r = buf_puts(w.b, "{\"connection_monitors\":[");
    if (r == 0)
        r = store_monitor_list(api->store, call->project_id, &q->f, list_item, &w);
    if (r == 0)
        r = buf_printf(w.b, "],\"request_id\":\"%s\"}", call->req->request_id);
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "connection_monitor.list");
    resp->status = 200;
    return 0;
}

/* One attempt; -EAGAIN when the compare-and-set lost a race (the engine made it ACTIVE). */
static int delete_once(struct api *api, const struct api_call *call, struct http_response *resp)
{
    _cleanup_(vpn_conn_cur_done) struct vpn_conn_cur cur = {0};
    struct store_monitor_row row;
    int r = store_monitor_get(api->store, call->project_id, call->id, &row);

    if (r == -ENOENT)
        return fail_no_monitor(call, resp);
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "connection_monitor.delete");
    /* the connection's own state answers first (a connection being deleted: 425) */
    if (vpn_conn_cur_load(api, call, row.vpn_connection_id, &cur, resp) < 0)
        return 0;
    if (strcmp(row.status, "PENDING_DELETE") == 0) /* Terraform reads this as already gone */
        return api_fail(call->req, resp, &API_ERR_INVALID,
                        "invalid request: connection monitor %s is already being deleted "
                        "(PENDING_DELETE)",
                        call->id);
    r = store_monitor_set_status(api->store, call->project_id, call->id, row.status,
                                 "PENDING_DELETE", engine_due_at(&api->engine, ids_now_ms()));
    if (r == -ENOENT)
        return -EAGAIN;
    if (r < 0)
        return api_fail_errno(call->req, resp, r, "connection_monitor.delete");
    log_info("request_id=%s op=connection_monitor.delete project_id=%s id=%s",
             call->req->request_id, call->project_id, call->id);
    buf_reset(&resp->body);
    resp->status = 204;
    return 0;
}

int connection_monitor_delete(struct api *api, const struct api_call *call,
                              struct http_response *resp)
{
    for (int attempt = 0; attempt < VPN_CONN_CAS_ATTEMPTS; attempt++) {
        if (delete_once(api, call, resp) != -EAGAIN)
            return 0;
    }
    return api_fail_errno(call->req, resp, -EBUSY, "connection_monitor.delete");
}
