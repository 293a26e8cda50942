/* service/peer.c: what a connection's data plane shows: its IPsec SAs with their counters
 * (ipsec-sa), the configuration of the customer's side (peer-configuration export) and the
 * devices that export writes for. */
#include "service/svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/driver.h"
#include "model/ipsec.h"
#include "util/ids.h"

/* A connection with its gateway and customer gateway (not checked against the lifecycle: a
 * reading operation); the gateway and customer gateway are the spec caches'. */
static int load_triple(struct svc *svc, const char *project_id, const char *id,
                       struct svc_conn_plan *p, struct verr *err)
{
    int r = svc_conn_plan(svc, project_id, id, p);

    if (r == -ENOENT)
        return verr_fail(err, VERR_NOT_FOUND, "vpn connection \"%.64s\"", id);
    return r;
}

/* ---- ipsec-sa ---- */

/* One SaInfo object; sep is "" for the first. */
static int sa_info(struct buf *out, const char *sep, const char *src, const char *dst,
                   const struct driver_sa *sa, int64_t now)
{
    char at[TIMESTAMP_STR_LEN];
    int r = buf_printf(out, "%s{\"source_ip_cidr\":", sep);

    ids_format_ts(now, at);
    if (r == 0)
        r = buf_json_str(out, src);
    if (r == 0)
        r = buf_puts(out, ",\"dest_ip_cidr\":");
    if (r == 0)
        r = buf_json_str(out, dst);
    if (r == 0)
        r = buf_printf(out,
                       ",\"packets_sent\":%llu,\"packets_recv\":%llu,\"traffic_sent\":%llu,"
                       "\"traffic_recv\":%llu,\"collected_at\":\"%s\"}",
                       sa ? (unsigned long long)sa->packets_out : 0ull,
                       sa ? (unsigned long long)sa->packets_in : 0ull,
                       sa ? (unsigned long long)sa->bytes_out : 0ull,
                       sa ? (unsigned long long)sa->bytes_in : 0ull, at);
    return r;
}

/* A CHILD SA's selectors as ipsec-sa shows them: "a/n" or "a/n,b/m" (size DRIVER_TS_LEN holds
 * every selector a configuration has). */
static void ts_text(const struct model_cidr *ts, size_t n, char *out, size_t size)
{
    size_t len = 0;

    out[0] = '\0';
    for (size_t i = 0; i < n && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s", i ? "," : "", ts[i].s);
}

/* The simulated cloud: every configured CHILD SA, counters 0. */
static int sas_simulated(struct svc *svc, const struct svc_conn_plan *p, struct buf *out)
{
    struct model_ipsec_conn *x = calloc(1, sizeof(*x));
    struct verr err;
    int r = x ? 0 : -ENOMEM;

    if (r == 0 && model_ipsec_conn_build(p->c, p->g, p->cgw, MODEL_IPSEC_CLOUD, x, &err) < 0)
        x->n_children = 0; /* nothing strongSwan could realize: no SA */
    for (size_t i = 0; r == 0 && i < x->n_children; i++) {
        char src[DRIVER_TS_LEN], dst[DRIVER_TS_LEN];
        ts_text(x->children[i].local_ts, x->children[i].n_local_ts, src, sizeof(src));
        ts_text(x->children[i].remote_ts, x->children[i].n_remote_ts, dst, sizeof(dst));
        r = sa_info(out, i ? "," : "", src, dst, NULL, svc_now_ms(svc));
    }
    free(x);
    return r;
}

struct sas_wait {
    struct svc *svc;
    svc_sas_fn done;
    void *ud;
};

static void sas_answer(void *ud, int r, const struct driver_sa *sas, size_t n)
{
    struct sas_wait *w = ud;
    struct buf text = {0};

    for (size_t i = 0; r == 0 && i < n; i++)
        r = sa_info(&text, i ? "," : "", sas[i].local_ts, sas[i].remote_ts, &sas[i],
                    svc_now_ms(w->svc));
    if (r == -ENOMEM)
        r = -EIO;
    w->done(w->ud, r, r == 0 ? (text.data ? text.data : "") : NULL);
    buf_free(&text);
    free(w);
}

int svc_conn_sas(struct svc *svc, const char *project_id, const char *id, struct buf *out,
                 svc_sas_fn done, void *ud, struct verr *err)
{
    struct svc_conn_plan p;
    int r = load_triple(svc, project_id, id, &p, err);

    if (r < 0)
        return r;
    if (!svc->driver) {
        r = sas_simulated(svc, &p, out);
        svc_conn_plan_done(&p);
        return r;
    }
    svc_conn_plan_done(&p);
    struct sas_wait *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    *w = (struct sas_wait){svc, done, ud};
    r = driver_sas(svc->driver, id, sas_answer, w);
    if (r < 0) {
        free(w);
        return r;
    }
    return 1;
}

/* ---- peer configuration ---- */

int svc_conn_peer_config(struct svc *svc, const char *project_id, const char *id,
                         const struct model_body *body, struct buf *out, struct verr *err)
{
    const struct model_peer_device *dev;
    struct svc_conn_plan p;
    struct buf text = {0};
    int r = model_peer_device_parse(body, &dev, err);

    if (r < 0)
        return r;
    r = load_triple(svc, project_id, id, &p, err);
    if (r < 0)
        return r;
    r = model_peer_config_swanctl(p.c, p.g, p.cgw, &text, err); /* the one device */
    if (r == 0)
        r = buf_json_str(out, text.data ? text.data : "");
    svc_conn_plan_done(&p);
    buf_free(&text);
    return r;
}

int svc_peer_devices(struct svc *svc, struct buf *out)
{
    size_t n;
    const struct model_peer_device *d = model_peer_devices(&n);
    int r = 0;

    (void)svc;
    for (size_t i = 0; r == 0 && i < n; i++) {
        r = buf_printf(out, "%s{\"vendor\":", i ? "," : "");
        if (r == 0)
            r = buf_json_str(out, d[i].vendor);
        if (r == 0)
            r = buf_puts(out, ",\"platform\":");
        if (r == 0)
            r = buf_json_str(out, d[i].platform);
        if (r == 0)
            r = buf_puts(out, ",\"version\":");
        if (r == 0)
            r = buf_json_str(out, d[i].version);
        if (r == 0)
            r = buf_puts(out, "}");
    }
    return r;
}
