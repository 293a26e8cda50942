/* api/vgw_extra.h: loading and writing a gateway for the operations that keep their state in
 * its spec (certificate, upgrade jobs; api/vpn_gateway_cert.c, api/vpn_gateway_upgrade.c). */
#ifndef VPND_API_VGW_EXTRA_H
#define VPND_API_VGW_EXTRA_H

#include <stdbool.h>
#include <stdint.h>

#include "api/router.h"
#include "model/model.h"

/* A stored gateway: the model with the columns the store maintains filled in. */
struct vgw_loaded {
    struct model_vgw g;
    char status[24]; /* the status column */
};

/* Loads gateway id of the call's project into *l. Answers the error itself and returns -1
 * (404 when absent). */
int vgw_extra_load(struct api *api, const struct api_call *call, const char *id,
                   struct vgw_loaded *l, struct http_response *resp);
/* 0 when the loaded gateway is ACTIVE; otherwise answers as a gateway update does (VPN.0506 /
 * 0507 / 0508, 409 VPN.0016) and returns -1. */
int vgw_extra_active(const struct api_call *call, const struct vgw_loaded *l,
                     struct http_response *resp);

/* Writes l->g back in one transaction, compare-and-set on the status read (l->status): with
 * pending set the gateway becomes PENDING_UPDATE (settled ACTIVE by the status engine),
 * otherwise the status is kept (store_vgw_get does not report status_due, so a pending one is
 * due again after --status-delay from now). updated_at moves. Returns store_vgw_update's
 * result (-EAGAIN: the status changed meanwhile). */
int vgw_extra_save(struct api *api, const char *project_id, struct vgw_loaded *l, bool pending);

/* vgw_extra_save with pending set, answering its failures itself (404 gone, 400 VPN.0507 when
 * the gateway left ACTIVE meanwhile, 5xx; what names the operation in the log): returns 0 when
 * saved, -1 when answered. */
int vgw_extra_save_reply(struct api *api, const struct api_call *call, struct vgw_loaded *l,
                         const char *what, struct http_response *resp);

/* The 400 VPN.0001 for a non-GM gateway. Returns 0. */
int vgw_extra_not_gm(const struct api_call *call, const struct model_vgw *g,
                     struct http_response *resp);

#endif
