/* service/vgw_extra.c: what a gateway keeps in its spec besides its configuration (spec §3.1):
 * a GM gateway's certificate, the upgrade jobs, and the routing table derived from its
 * connections. Certificate and upgrade writes move the gateway to PENDING_UPDATE (the
 * certificate shows BINDING) and the status engine settles it ACTIVE (BOUND); every write is one
 * compare-and-set of the gateway (svc_vgw_save). Keys are checked against their certificates
 * and never kept. */
#include "service/svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ids.h"

/* The GM gateway id (VERR_INVALID naming the flavor of another gateway). */
static int load_gm(struct svc *svc, const char *project_id, const char *id,
                   struct svc_vgw_cur *cur, struct verr *err)
{
    int r = svc_vgw_load(svc, project_id, id, cur, err);

    if (r == 0 && !(cur->g.flavor && strcmp(cur->g.flavor, "GM") == 0))
        return verr_fail(err, VERR_INVALID,
                         "vpn gateway %s: certificates are only for GM gateways, flavor is %s",
                         cur->g.id, cur->g.flavor);
    return r;
}

/* svc_vgw_save with pending set, once the reply was rendered into out (rendered: the rendering's
 * result); out is cut back to len0 on failure; the refusals named. */
static int save_pending(struct svc *svc, const char *project_id, struct svc_vgw_cur *cur,
                        int rendered, struct buf *out, size_t len0, struct verr *err)
{
    int r = rendered;

    if (r == 0)
        r = svc_reply_room(out);
    if (r == 0)
        r = svc_vgw_save(svc, project_id, cur, true);
    if (r < 0)
        svc_buf_cut(out, len0);
    if (r == -ENOENT)
        return verr_fail(err, VERR_NOT_FOUND, "vpn gateway \"%.64s\"", cur->g.id);
    if (r == -EAGAIN)
        return verr_fail(err, VERR_VGW_UPDATING,
                         "The VPN gateway is being updated, please try again later: gateway %s "
                         "is no longer ACTIVE",
                         cur->g.id);
    return r;
}

int svc_vgw_cert_write(struct svc *svc, const char *project_id, const char *id,
                       const char *cert_id, const struct model_body *body, struct buf *out,
                       struct verr *err)
{
    _cleanup_free_ struct svc_vgw_cur *cur = calloc(1, sizeof(*cur));
    struct model_vgw_cert *c = cur ? &cur->g.certificate : NULL;
    bool create = cert_id == NULL;
    size_t len0 = out->len;
    int r = cur ? load_gm(svc, project_id, id, cur, err) : -ENOMEM;

    if (r == 0 && create && c->present)
        r = verr_fail(err, VERR_INVALID,
                      "vpn gateway %s already has certificate %s; change it with PUT "
                      "vpn-gateways/%s/certificate/%s",
                      id, c->id, id, c->id);
    if (r == 0 && !create && (!c->present || strcmp(c->id, cert_id) != 0))
        r = verr_fail(err, VERR_NOT_FOUND, "certificate \"%.64s\" of vpn gateway %s", cert_id, id);
    if (r == 0)
        r = model_lifecycle_check(MODEL_KIND_VGW, MODEL_OP_UPDATE, id, cur->status, err);
    if (r == 0)
        r = model_vgw_cert_parse(create ? NULL : c, body, c, err);
    if (r < 0)
        return r;
    int64_t now = svc_now_ms(svc);
    if (create) {
        if (ids_uuid4(c->id) < 0 || svc_name_fill(c->name, "vgw-certificate-") < 0)
            return -EIO;
        c->created_at = now;
        c->present = true;
    }
    c->updated_at = now;
    c->binding = true;
    /* the reply shows the certificate as saved: its gateway PENDING_UPDATE (BINDING) */
    r = model_vgw_cert_render(&cur->g, project_id, MODEL_STATUS(PENDING_UPDATE), out);
    return save_pending(svc, project_id, cur, r, out, len0, err);
}

int svc_vgw_cert_show(struct svc *svc, const char *project_id, const char *id, struct buf *out,
                      struct verr *err)
{
    _cleanup_free_ struct svc_vgw_cur *cur = calloc(1, sizeof(*cur));
    int r = cur ? load_gm(svc, project_id, id, cur, err) : -ENOMEM;

    if (r == 0 && !cur->g.certificate.present)
        r = verr_fail(err, VERR_NOT_FOUND, "vpn gateway %s has no certificate", id);
    return r < 0 ? r : model_vgw_cert_render(&cur->g, project_id, cur->status, out);
}

int svc_vgw_upgrade(struct svc *svc, const char *project_id, const char *id,
                    const struct model_body *body, struct buf *out, struct verr *err)
{
    _cleanup_free_ struct svc_vgw_cur *cur = calloc(1, sizeof(*cur));
    char job_id[MODEL_UUID_LEN];
    const char *action = NULL;
    size_t len0 = out->len;
    int r = cur ? svc_vgw_load(svc, project_id, id, cur, err) : -ENOMEM;

    if (r == 0)
        r = model_vgw_upgrade_parse(body, &action, err);
    if (r == 0)
        r = model_lifecycle_check(MODEL_KIND_VGW, MODEL_OP_UPDATE, id, cur->status, err);
    if (r == 0 && ids_uuid4(job_id) < 0)
        r = -EIO;
    if (r < 0)
        return r;
    int at = model_vgw_upgrade_apply(&cur->g, action, job_id, svc_now_ms(svc), err);
    if (at < 0)
        return at;
    r = buf_printf(out, "\"%s\"", cur->g.jobs[at].id);
    return save_pending(svc, project_id, cur, r, out, len0, err);
}

/* ---- job and certificate lists ---- */

/* A newest-first page picked from objects rendered one after the other into text (jobs and
 * certificates live in their gateways' specs, so the project's are all read and sorted): the
 * page is the first limit of them in (created_at, id) descending order, the order of the
 * marker-paged lists (store.h). */
struct pick_item {
    int64_t created_at;
    char id[MODEL_UUID_LEN];
    size_t off, len; /* of its rendered object in pick.text */
};

struct pick {
    struct buf text;
    struct pick_item *items;
    size_t n, cap;
};

/* Starts the item (created_at, id) when it passes marker: *ret_taken says whether it does; the
 * caller then renders it into p->text and calls pick_end. */
static int pick_begin(struct pick *p, const char *marker, int64_t created_at, const char *id,
                      bool *ret_taken)
{
    int r = store_marker_passes(marker, created_at, id, ret_taken);

    if (r < 0 || !*ret_taken)
        return r;
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 32;
        struct pick_item *v = realloc(p->items, cap * sizeof(*v));
        if (!v)
            return -ENOMEM;
        p->items = v;
        p->cap = cap;
    }
    struct pick_item *it = &p->items[p->n];
    it->created_at = created_at;
    snprintf(it->id, sizeof(it->id), "%s", id);
    it->off = p->text.len;
    return 0;
}

static void pick_end(struct pick *p)
{
    struct pick_item *it = &p->items[p->n++];

    it->len = p->text.len - it->off;
}

static int pick_cmp(const void *a, const void *b)
{
    const struct pick_item *x = a, *y = b;

    if (x->created_at != y->created_at)
        return x->created_at > y->created_at ? -1 : 1;
    return -strcmp(x->id, y->id);
}

/* Appends the page (comma-separated) to out and frees p. */
static int pick_write(struct pick *p, size_t limit, int r, struct buf *out)
{
    if (r == 0 && p->n)
        qsort(p->items, p->n, sizeof(p->items[0]), pick_cmp);
    for (size_t i = 0; r == 0 && i < p->n && i < limit; i++) {
        if (i)
            r = buf_puts(out, ",");
        if (r == 0)
            r = buf_append(out, p->text.data + p->items[i].off, p->items[i].len);
    }
    free(p->items);
    buf_free(&p->text);
    return r;
}

/* 0, or the refusal of a marker that is no created_at (what comes after "the last "). */
static int marker_check(const char *marker, const char *what, struct verr *err)
{
    bool ok;

    if (store_marker_passes(marker, 0, "", &ok) == 0)
        return 0;
    return verr_set(err, "marker",
                    "must be the created_at of the last %s of the previous page, like "
                    "\"2024-01-31T12:00:00.000Z\", got \"%.64s\"",
                    what, marker);
}

struct jobs {
    struct svc *svc;
    const struct svc_jobs_query *q;
    struct model_vgw *g;
    struct pick p;
};

/* The seconds until the status engine settles a gateway that went PENDING_UPDATE at
 * updated_at (svc_vgw_save: due a status delay later), rounded up; 0 when it is not pending. */
static int64_t settle_in_s(const struct svc *svc, const char *status, int64_t updated_at)
{
    int64_t left = svc_due_at(svc, updated_at) - svc_now_ms(svc);

    if (!model_status_is_pending(status) || left <= 0)
        return 0;
    return (left + 999) / 1000;
}

static int jobs_row(void *ud, const struct store_vgw_row *row)
{
    struct jobs *x = ud;
    bool taken;

    if (x->q->resource_id && strcmp(x->q->resource_id, row->id) != 0)
        return 0;
    int r = svc_stored(model_vgw_from_internal(row->spec, strlen(row->spec), x->g));
    for (size_t i = 0; r == 0 && i < x->g->n_jobs; i++) {
        const struct model_vgw_job *j = &x->g->jobs[i];
        r = pick_begin(&x->p, x->q->marker, j->created_at, j->id, &taken);
        if (r < 0 || !taken)
            continue;
        r = model_vgw_job_render(x->g, j, row->status,
                                 settle_in_s(x->svc, row->status, row->updated_at), &x->p.text);
        pick_end(&x->p);
    }
    return r;
}

/* An unknown resource_id lists nothing. */
int svc_vgw_jobs(struct svc *svc, const char *project_id, const struct svc_jobs_query *q,
                 struct buf *out, struct verr *err)
{
    _cleanup_free_ struct model_vgw *g = malloc(sizeof(*g));
    struct jobs x = {.svc = svc, .q = q, .g = g};
    int r = marker_check(q->marker, "job", err);

    if (r == 0)
        r = g ? store_vgw_list(svc->store, project_id, jobs_row, &x) : -ENOMEM;
    return pick_write(&x.p, q->limit, r, out);
}

struct certs {
    const char *project_id;
    const struct svc_certs_query *q;
    int64_t expire_by; /* pre_expire_days: now + that many days; INT64_MAX: any */
    struct model_vgw *g;
    struct pick p;
};

static int certs_row(void *ud, const struct store_vgw_row *row)
{
    struct certs *x = ud;
    const struct model_vgw_cert *c = &x->g->certificate;
    bool taken;

    /* a certificate is in its gateway's spec: a quick text test before decoding it */
    if (!strstr(row->spec, "\"certificate\""))
        return 0;
    int r = svc_stored(model_vgw_from_internal(row->spec, strlen(row->spec), x->g));
    if (r < 0 || !c->present || model_vgw_cert_expire_time(x->g) > x->expire_by)
        return r;
    r = pick_begin(&x->p, x->q->marker, c->created_at, c->id, &taken);
    if (r < 0 || !taken)
        return r;
    r = model_vgw_cert_render(x->g, x->project_id, row->status, &x->p.text);
    pick_end(&x->p);
    return r;
}

int svc_vgw_certs(struct svc *svc, const char *project_id, const struct svc_certs_query *q,
                  struct buf *out, struct verr *err)
{
    _cleanup_free_ struct model_vgw *g = malloc(sizeof(*g));
    struct certs x = {.project_id = project_id, .q = q, .g = g, .expire_by = INT64_MAX};
    int r = marker_check(q->marker, "certificate", err);

    if (q->pre_expire_days >= 0)
        x.expire_by = svc_now_ms(svc) + q->pre_expire_days * INT64_C(86400000);
    if (r == 0)
        r = g ? store_vgw_list(svc->store, project_id, certs_row, &x) : -ENOMEM;
    return pick_write(&x.p, q->limit, r, out);
}

/* ---- job delete ---- */

struct job_find {
    const char *job_id;
    char vgw_id[MODEL_UUID_LEN];
    struct model_vgw *g;
};

static int job_find_row(void *ud, const struct store_vgw_row *row)
{
    struct job_find *f = ud;

    /* a job id is a UUID: a quick text test before decoding the spec */
    if (!strstr(row->spec, f->job_id))
        return 0;
    int r = svc_stored(model_vgw_from_internal(row->spec, strlen(row->spec), f->g));

    if (r < 0)
        return r;
    if (model_vgw_job_find(f->g, f->job_id) >= 0)
        snprintf(f->vgw_id, sizeof(f->vgw_id), "%s", row->id);
    return 0;
}

/* One attempt; -EAGAIN when the job's gateway changed between the reads or the write. */
static int job_delete_once(struct svc *svc, const char *project_id, const char *job_id,
                           struct svc_vgw_cur *cur, struct model_vgw *scratch, struct verr *err)
{
    struct job_find f = {.job_id = job_id, .g = scratch};
    int r = ids_is_uuid(job_id) ? store_vgw_list(svc->store, project_id, job_find_row, &f) : 0;

    if (r < 0)
        return r;
    if (!f.vgw_id[0])
        return verr_fail(err, VERR_NOT_FOUND, "job \"%.64s\"", job_id);
    r = svc_vgw_load(svc, project_id, f.vgw_id, cur, err);
    if (r < 0)
        return r;
    int i = model_vgw_job_find(&cur->g, job_id);
    if (i < 0)
        return -EAGAIN; /* gone between the two reads: look again */
    if (strcmp(cur->g.jobs[i].status, "RUNNING") == 0)
        return verr_fail(err, VERR_INVALID,
                         "job %s is RUNNING; finish or rollback the upgrade of gateway %s first",
                         job_id, cur->g.id);
    model_vgw_job_remove(&cur->g, (size_t)i);
    r = svc_vgw_save(svc, project_id, cur, false);
    return r == -ENOENT ? -EAGAIN : r;
}

int svc_vgw_job_delete(struct svc *svc, const char *project_id, const char *job_id,
                       struct verr *err)
{
    _cleanup_free_ struct svc_vgw_cur *cur = calloc(1, sizeof(*cur));
    _cleanup_free_ struct model_vgw *scratch = calloc(1, sizeof(*scratch));
    int r = cur && scratch ? -EAGAIN : -ENOMEM;

    for (int attempt = 0; r == -EAGAIN && attempt < SVC_ADDRESS_ATTEMPTS; attempt++)
        r = job_delete_once(svc, project_id, job_id, cur, scratch, err);
    if (r == -EAGAIN)
        return verr_fail(err, VERR_NOT_FOUND, "job \"%.64s\"", job_id);
    return r;
}

/* ---- routing table ---- */

/* Policy routes lead to the customer gateway's address (none for an fqdn one); BGP routes carry
 * its ASN. One read per distinct customer gateway (routes of one connection are adjacent only
 * before sorting, so remember the last one). */
static int fill_cgw_facts(struct svc *svc, const char *project_id, struct model_route *v,
                          size_t n)
{
    _cleanup_free_ struct model_cgw *cgw = calloc(1, sizeof(*cgw));
    char loaded[MODEL_UUID_LEN] = "";

    if (!cgw)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (!v[i].policy && strcmp(v[i].origin, "bgp") != 0)
            continue;
        if (strcmp(loaded, v[i].cgw_id) != 0) {
            struct store_cgw_row row = {0};
            int r = store_cgw_get(svc->store, project_id, v[i].cgw_id, &row);
            if (r == 0)
                r = svc_stored(model_cgw_from_internal(row.spec, strlen(row.spec), cgw));
            store_cgw_row_done(&row);
            if (r == -ENOENT) {
                memset(cgw, 0, sizeof(*cgw)); /* deleted meanwhile: nothing to show */
                r = 0;
            }
            if (r < 0)
                return r;
            snprintf(loaded, sizeof(loaded), "%s", v[i].cgw_id);
        }
        if (v[i].policy && cgw->id_type && strcmp(cgw->id_type, "ip") == 0)
            snprintf(v[i].nexthop, sizeof(v[i].nexthop), "%s", cgw->id_value);
        if (strcmp(v[i].origin, "bgp") == 0 && cgw->has_bgp_asn)
            snprintf(v[i].as_path, sizeof(v[i].as_path), "%lld", (long long)cgw->bgp_asn);
    }
    return 0;
}

/* The gateway's connections as one JSON array of their served documents. */
static int connection_docs(struct svc *svc, const char *project_id, const struct model_vgw *g,
                           struct buf *docs)
{
    struct store_conn_filter f = {.vgw_id = g->id};
    char next[STORE_MARKER_LEN];
    size_t count = 0;
    int r = buf_puts(docs, "[");

    /* a gateway holds at most connection_number connections: one page has them all */
    if (r == 0)
        r = store_conn_list(svc->store, project_id, &f, (size_t)g->connection_number + 1, docs,
                            &count, next, NULL);
    return r == 0 ? buf_puts(docs, "]") : r;
}

int svc_vgw_routes(struct svc *svc, const char *project_id, const char *id,
                   const struct svc_routes_query *q, struct buf *out, struct svc_page *page,
                   struct verr *err)
{
    _cleanup_free_ struct svc_vgw_cur *cur = calloc(1, sizeof(*cur));
    _cleanup_(buf_free) struct buf docs = {0};
    struct model_route *v = NULL;
    size_t n = 0;
    int r = cur ? svc_vgw_load(svc, project_id, id, cur, err) : -ENOMEM;

    if (r == 0)
        r = connection_docs(svc, project_id, &cur->g, &docs);
    if (r == 0)
        r = model_vgw_routes(&cur->g, docs.data, docs.len, &v, &n);
    if (r == -EPROTO)
        r = -EIO;
    if (r == 0)
        r = fill_cgw_facts(svc, project_id, v, n);
    size_t from = q->offset < n ? q->offset : n;
    size_t to = from + q->limit < n ? from + q->limit : n;
    for (size_t i = from; r == 0 && i < to; i++) {
        if (i > from)
            r = buf_puts(out, ",");
        if (r == 0)
            r = model_route_render(&v[i], q->nexthop_resource, out);
    }
    free(v);
    if (r < 0)
        return r;
    page->count = to - from;
    page->total = (int64_t)n;
    page->next_marker[0] = '\0';
    if (to < n)
        snprintf(page->next_marker, sizeof(page->next_marker), "%zu", to);
    return 0;
}
