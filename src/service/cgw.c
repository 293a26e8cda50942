/* service/cgw.c: customer gateways (spec §4): create, show, list, update, delete. */
#include "service/svc_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/ids.h"

int svc_cgw_ca_id(struct model_cgw *cgw)
{
    return cgw->ca.present && !cgw->ca.id[0] ? ids_uuid4(cgw->ca.id) : 0;
}

int svc_cgw_row(const char *project_id, const struct model_cgw *cgw, struct buf *spec,
                struct store_cgw_row *row)
{
    if (model_cgw_to_internal(cgw, spec) < 0)
        return -ENOMEM;
    memset(row, 0, sizeof(*row));
    snprintf(row->project_id, sizeof(row->project_id), "%s", project_id);
    snprintf(row->id, sizeof(row->id), "%s", cgw->id);
    row->created_at = cgw->created_at;
    row->updated_at = cgw->updated_at;
    row->spec = spec->data;
    return 0;
}

/* Writes cgw (insert or update) with its rendering appended to out first: the reply is ready
 * before the write commits; out is cut back on failure. */
static int cgw_save(struct svc *svc, const char *project_id, const struct model_cgw *cgw,
                    bool insert, struct buf *out)
{
    _cleanup_(buf_free) struct buf spec = {0};
    struct store_cgw_row row;
    size_t len0 = out->len;
    int r = svc_cgw_row(project_id, cgw, &spec, &row);

    if (r == 0)
        r = model_cgw_render(cgw, out);
    if (r == 0)
        r = svc_reply_room(out);
    if (r == 0)
        r = insert ? store_cgw_insert(svc->store, &row) : store_cgw_update(svc->store, &row);
    if (r < 0)
        svc_buf_cut(out, len0);
    return r;
}

int svc_cgw_create(struct svc *svc, const char *project_id, const struct model_body *body,
                   struct buf *out, struct verr *err)
{
    _cleanup_free_ struct model_cgw *cgw = calloc(1, sizeof(*cgw));
    int r = cgw ? model_cgw_parse_create(body, cgw, err) : -ENOMEM;

    if (r == 0 && svc->cfg.quota_customer_gateway == 0)
        r = svc_quota_refuse(svc, project_id, MODEL_KIND_CGW, err);
    if (r < 0)
        return r;
    if (ids_uuid4(cgw->id) < 0 || svc_cgw_ca_id(cgw) < 0 || svc_name_fill(cgw->name, "cgw-") < 0)
        return -EIO;
    cgw->created_at = cgw->updated_at = svc_now_ms(svc);
    r = cgw_save(svc, project_id, cgw, true, out);
    return r == -EDQUOT ? svc_quota_refuse(svc, project_id, MODEL_KIND_CGW, err) : r;
}

/* Reads customer gateway id into cgw. */
static int cgw_load(struct svc *svc, const char *project_id, const char *id,
                    struct model_cgw *cgw, struct verr *err)
{
    struct store_cgw_row row = {0};
    int r = store_cgw_get(svc->store, project_id, id, &row);

    if (r == -ENOENT)
        return verr_fail(err, VERR_NOT_FOUND, "customer gateway \"%.64s\"", id);
    if (r == 0)
        r = svc_stored(model_cgw_from_internal(row.spec, strlen(row.spec), cgw));
    store_cgw_row_done(&row);
    return r;
}

int svc_cgw_show(struct svc *svc, const char *project_id, const char *id, struct buf *out,
                 struct verr *err)
{
    _cleanup_free_ struct model_cgw *cgw = calloc(1, sizeof(*cgw));
    int r = cgw ? cgw_load(svc, project_id, id, cgw, err) : -ENOMEM;

    return r < 0 ? r : model_cgw_render(cgw, out);
}

struct cgw_list {
    struct model_cgw *cgw;
    struct buf *out;
    size_t n;
};

static int cgw_list_row(void *ud, const struct store_cgw_row *row)
{
    struct cgw_list *k = ud;

    int r = svc_stored(model_cgw_from_internal(row->spec, strlen(row->spec), k->cgw));

    if (r < 0)
        return r;
    if (k->n++ > 0 && buf_puts(k->out, ",") < 0)
        return -ENOMEM;
    return model_cgw_render(k->cgw, k->out);
}

int svc_cgw_list(struct svc *svc, const char *project_id, const struct svc_cgw_query *q,
                 struct buf *out, struct svc_page *page, struct verr *err)
{
    _cleanup_free_ struct model_cgw *cgw = calloc(1, sizeof(*cgw));
    struct cgw_list k = {cgw, out, 0};
    const struct store_cgw_filter f = {.cgw_id = q->cgw_id, .marker = q->marker};
    int r = cgw ? store_cgw_list(svc->store, project_id, &f, q->limit, cgw_list_row, &k,
                                 &page->count, page->next_marker, &page->total)
                : -ENOMEM;

    if (r == -EINVAL)
        return verr_set(err, "marker", "must be a next_marker from a previous page, got \"%.64s\"",
                        q->marker ? q->marker : "");
    return r;
}

/* PUT: name and ca_certificate only; validated like a create; updated_at moves. */
int svc_cgw_update(struct svc *svc, const char *project_id, const char *id,
                   const struct model_body *body, struct buf *out, struct verr *err)
{
    _cleanup_free_ struct model_cgw *cur = calloc(1, sizeof(*cur));
    _cleanup_free_ struct model_cgw *cgw = calloc(1, sizeof(*cgw));
    int r = cur && cgw ? cgw_load(svc, project_id, id, cur, err) : -ENOMEM;

    if (r == 0)
        r = model_cgw_parse_update(cur, body, cgw, err);
    if (r == 0 && svc_cgw_ca_id(cgw) < 0)
        r = -EIO;
    if (r < 0)
        return r;
    cgw->updated_at = svc_later(svc_now_ms(svc), cur->updated_at);
    r = cgw_save(svc, project_id, cgw, false, out);
    return r == -ENOENT ? verr_fail(err, VERR_NOT_FOUND, "customer gateway \"%.64s\"", id) : r;
}

int svc_cgw_delete(struct svc *svc, const char *project_id, const char *id, struct verr *err)
{
    int64_t users = 0;
    int r = store_cgw_delete(svc->store, project_id, id, &users);

    if (r == -ENOENT)
        return verr_fail(err, VERR_NOT_FOUND, "customer gateway \"%.64s\"", id);
    if (r == -ENOTEMPTY)
        return verr_fail(err, VERR_INVALID,
                         "customer gateway %s has %lld connection(s); delete them first", id,
                         (long long)users);
    return r;
}
