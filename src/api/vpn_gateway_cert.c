/* api/vpn_gateway_cert.c: a GM gateway's certificate (spec §3.1): POST, GET and PUT
 * vpn-gateways/{id}/certificate[/{certificate_id}]. The certificate lives in the gateway's
 * spec; a write moves the gateway to PENDING_UPDATE (the certificate shows BINDING) and the
 * status engine settles it ACTIVE (BOUND). Keys are checked against their certificates and
 * never kept. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/errors.h"
#include "api/handlers.h"
#include "api/vgw_extra.h"
#include "model/model.h"
#include "util/ids.h"
#include "util/log.h"


static int reply_cert(const struct api_call *call, const struct vgw_loaded *l, int status,
                      struct http_response *resp)
{
    _cleanup_(buf_free) struct buf out = {0};

    if (model_vgw_cert_render(&l->g, call->project_id, l->status, &out) < 0)
        return api_fail_errno(call->req, resp, -ENOMEM, "vpn_gateway.certificate.render");
    return api_reply_wrapped(call, resp, status, "certificate", &out);
}

/* Validates the body into l->g.certificate and writes the gateway. */
static int write_cert(struct api *api, const struct api_call *call, struct vgw_loaded *l,
                      bool create, struct http_response *resp)
{
    const struct http_request *req = call->req;
    struct model_vgw_cert *c = &l->g.certificate;
    struct verr err = {0};
    int r = model_vgw_cert_parse(create ? NULL : c, req->body, req->body_len, c, &err);

    if (r == -EINVAL)
        return api_fail_verr(req, resp, &err);
    if (r < 0)
        return api_fail_errno(req, resp, r, "vpn_gateway.certificate.parse");
    int64_t now = ids_now_ms();
    if (create) {
        char hex[5];
        if (ids_uuid4(c->id) < 0 || ids_hex(hex, 4) < 0)
            return api_fail_errno(req, resp, -EIO, "vpn_gateway.certificate.id");
        if (!c->name[0])
            snprintf(c->name, sizeof(c->name), "vgw-certificate-%s", hex);
        c->created_at = now;
        c->present = true;
    }
    c->updated_at = now;
    c->binding = true;
    if (vgw_extra_save_reply(api, call, l, "vpn_gateway.certificate.save", resp) < 0)
        return 0;
    log_info("request_id=%s op=vpn_gateway.certificate.%s project_id=%s id=%s certificate_id=%s",
             req->request_id, create ? "create" : "update", call->project_id, call->id, c->id);
    return reply_cert(call, l, create ? 201 : 200, resp);
}

/* Loads the GM gateway call->id (malloc'd, caller frees); NULL when it answered instead (out of
 * memory, no such gateway, not a GM gateway). */
static struct vgw_loaded *load_gm_gateway(struct api *api, const struct api_call *call,
                                          struct http_response *resp)
{
    struct vgw_loaded *l = calloc(1, sizeof(*l));

    if (!l) {
        api_fail_errno(call->req, resp, -ENOMEM, "vpn_gateway.certificate");
        return NULL;
    }
    if (vgw_extra_load(api, call, call->id, l, resp) < 0) {
        free(l);
        return NULL;
    }
    if (!(l->g.flavor && strcmp(l->g.flavor, "GM") == 0)) {
        vgw_extra_not_gm(call, &l->g, resp);
        free(l);
        return NULL;
    }
    return l;
}

int vpn_gateway_cert_create(struct api *api, const struct api_call *call,
                            struct http_response *resp)
{
    _cleanup_free_ struct vgw_loaded *l = load_gm_gateway(api, call, resp);

    if (!l)
        return 0;
    if (l->g.certificate.present)
        return api_fail(call->req, resp, &API_ERR_INVALID,
                        "invalid request: vpn gateway %s already has certificate %s; change it "
                        "with PUT vpn-gateways/%s/certificate/%s",
                        call->id, l->g.certificate.id, call->id, l->g.certificate.id);
    if (vgw_extra_active(call, l, resp) < 0)
        return 0;
    return write_cert(api, call, l, true, resp);
}

int vpn_gateway_cert_show(struct api *api, const struct api_call *call,
                          struct http_response *resp)
{
    _cleanup_free_ struct vgw_loaded *l = load_gm_gateway(api, call, resp);

    if (!l)
        return 0;
    if (!l->g.certificate.present)
        return api_fail(call->req, resp, &API_ERR_NOT_FOUND,
                        "resource not found: vpn gateway %s has no certificate", call->id);
    return reply_cert(call, l, 200, resp);
}

int vpn_gateway_cert_update(struct api *api, const struct api_call *call,
                            struct http_response *resp)
{
    _cleanup_free_ struct vgw_loaded *l = load_gm_gateway(api, call, resp);

    if (!l)
        return 0;
    if (!l->g.certificate.present || strcmp(l->g.certificate.id, call->sub_id) != 0)
        return api_fail(call->req, resp, &API_ERR_NOT_FOUND,
                        "resource not found: certificate \"%.64s\" of vpn gateway %s",
                        call->sub_id, call->id);
    if (vgw_extra_active(call, l, resp) < 0)
        return 0;
    return write_cert(api, call, l, false, resp);
}
