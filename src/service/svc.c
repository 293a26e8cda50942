/* service/svc.c: the service's context (svc.h) and the helpers its operations share. */
#include "service/svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "service/pool.h"
#include "util/ids.h"

void svc_config_defaults(struct svc_config *cfg)
{
    *cfg = (struct svc_config){
        .eip_pool = "198.18.0.0/15",
        .private_pool = "10.0.0.0/8",
        .eip6_pool = "2001:2::/48",
        .private6_pool = "fd00::/64",
        .status_delay_ms = 300,
        .settle_status = "DOWN",
        .quota_vpn_gateway = 50,
        .quota_customer_gateway = 100,
        .quota_vpn_connection = 5000,
    };
}

int svc_init(struct svc *svc, const struct svc_config *cfg, struct store *store,
             const struct clock *clock, char *errbuf, size_t errlen)
{
    memset(svc, 0, sizeof(*svc));
    svc->cfg = *cfg;
    svc->store = store;
    svc->clock = clock;
    const struct {
        const char *flag, *cidr, *rule;
        int family;
        struct svc_pool *pool;
    } pools[] = {
        {"--eip-pool", cfg->eip_pool, "an IPv4 CIDR from /8 to /30", 4, &svc->eip_pools[0]},
        {"--private-pool", cfg->private_pool, "an IPv4 CIDR from /8 to /30", 4,
         &svc->private_pools[0]},
        {"--eip6-pool", cfg->eip6_pool, "an IPv6 CIDR from /48 to /120", 6, &svc->eip_pools[1]},
        {"--private6-pool", cfg->private6_pool, "an IPv6 CIDR from /48 to /120", 6,
         &svc->private_pools[1]},
    };
    for (size_t i = 0; i < ARRAY_SIZE(pools); i++) {
        if (svc_pool_parse(pools[i].cidr, pools[i].family, pools[i].pool) == 0)
            continue;
        snprintf(errbuf, errlen, "%s: must be %s, got \"%.64s\"", pools[i].flag, pools[i].rule,
                 pools[i].cidr);
        return -EINVAL;
    }
    if (strcmp(cfg->settle_status, "DOWN") == 0)
        svc->settle_status = MODEL_STATUS(DOWN);
    else if (strcmp(cfg->settle_status, "ACTIVE") == 0)
        svc->settle_status = MODEL_STATUS(ACTIVE);
    else {
        snprintf(errbuf, errlen, "--settle-status: must be DOWN or ACTIVE, got \"%.64s\"",
                 cfg->settle_status);
        return -EINVAL;
    }
    svc_quotas_apply(svc, true);
    return 0;
}

const struct svc_pool *svc_pool_of(const struct svc *svc, const struct model_vgw *g, bool eip)
{
    size_t v6 = g->ip_version && strcmp(g->ip_version, "ipv6") == 0 ? 1 : 0;

    return eip ? &svc->eip_pools[v6] : &svc->private_pools[v6];
}

void svc_set_quotas(struct svc *svc, unsigned vpn_gateway, unsigned customer_gateway,
                    unsigned vpn_connection)
{
    svc->cfg.quota_vpn_gateway = vpn_gateway;
    svc->cfg.quota_customer_gateway = customer_gateway;
    svc->cfg.quota_vpn_connection = vpn_connection;
    svc_quotas_apply(svc, true);
}

void svc_quotas_apply(struct svc *svc, bool on)
{
    /* the creates are limited inside the store's transactions (0: no limit, as for imports) */
    store_set_quotas(svc->store, &(struct store_quotas){
                                     .vpn_gateways = on ? svc->cfg.quota_vpn_gateway : 0,
                                     .customer_gateways = on ? svc->cfg.quota_customer_gateway : 0,
                                     .vpn_connections = on ? svc->cfg.quota_vpn_connection : 0,
                                 });
}

void svc_done(struct svc *svc)
{
    svc_spec_cache_done(&svc->vgw_specs);
    svc_spec_cache_done(&svc->cgw_specs);
}

int64_t svc_now_ms(const struct svc *svc)
{
    return clock_now_ms(svc->clock);
}

const char *svc_errmsg(struct svc *svc)
{
    return store_errmsg(svc->store);
}

void svc_read_batch(struct svc *svc, bool on)
{
    store_read_batch(svc->store, on);
}

int64_t svc_due_at(const struct svc *svc, int64_t now)
{
    return now + (int64_t)svc->cfg.status_delay_ms;
}

int64_t svc_due_for(struct svc *svc, enum model_kind kind, const char *project_id, const char *id,
                    const char *vgw_id, const char *status, int64_t now)
{
    int64_t due = svc_due_at(svc, now);

    if (!svc->on_pending)
        return due;
    return svc->on_pending(svc->on_pending_ud, &(struct svc_pending){
                                                   .kind = kind,
                                                   .project_id = project_id,
                                                   .id = id,
                                                   .vgw_id = vgw_id,
                                                   .status = status,
                                                   .now = now,
                                                   .due = due,
                                               });
}

int64_t svc_later(int64_t now, int64_t before)
{
    return now > before ? now : before + 1;
}

void svc_buf_cut(struct buf *out, size_t len)
{
    if (out->data && len <= out->len) {
        out->len = len;
        out->data[len] = '\0';
    }
}

int svc_reply_room(struct buf *out)
{
    return buf_reserve(out, SVC_REPLY_SLACK);
}

int svc_name_fill(char name[MODEL_NAME_LEN], const char *prefix)
{
    char hex[5];

    if (name[0])
        return 0;
    if (ids_hex(hex, 4) < 0)
        return -EIO;
    snprintf(name, MODEL_NAME_LEN, "%s%s", prefix, hex);
    return 0;
}
