/* api/export.c: vpnd export (api/transfer.h). Each stored row is decoded from its internal form,
 * given the columns the store maintains (status, updated_at, used connections), and written as
 * one record line that vpnd import reads back into the same resource. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/transfer.h"
#include "model/model.h"
#include "store/store.h"

struct export_run {
    FILE *out;
    struct buf line;
    size_t n;
    struct model_vgw g;
    struct model_cgw cgw;
    struct model_vpn_conn c;
};

static int export_flush(struct export_run *x)
{
    if (fwrite(x->line.data, 1, x->line.len, x->out) != x->line.len)
        return -EIO;
    buf_reset(&x->line);
    x->n++;
    return 0;
}

static int export_vgw(void *ud, const struct store_vgw_row *row)
{
    struct export_run *x = ud;
    int r = model_vgw_from_internal(row->spec, strlen(row->spec), &x->g);

    if (r < 0)
        return r;
    x->g.status = model_vgw_status(row->status);
    x->g.updated_at = row->updated_at;
    x->g.used_connection_number = row->used_connection_number;
    r = model_record_write_vgw(row->project_id, &x->g, &x->line);
    return r < 0 ? r : export_flush(x);
}

static int export_cgw(void *ud, const struct store_cgw_row *row)
{
    struct export_run *x = ud;
    int r = model_cgw_from_internal(row->spec, strlen(row->spec), &x->cgw);

    if (r < 0)
        return r;
    x->cgw.updated_at = row->updated_at;
    r = model_record_write_cgw(row->project_id, &x->cgw, &x->line);
    return r < 0 ? r : export_flush(x);
}

static int export_conn(void *ud, const struct store_conn_row *row)
{
    struct export_run *x = ud;
    int r = model_conn_from_internal(row->spec, strlen(row->spec), &x->c);

    if (r < 0)
        return r;
    x->c.status = model_conn_status(row->status);
    x->c.updated_at = row->updated_at;
    r = model_record_write_conn(row->project_id, &x->c, &x->line);
    return r < 0 ? r : export_flush(x);
}

int api_export(struct store *s, FILE *out, size_t *ret_n)
{
    static const struct store_dump_cbs cbs = {export_vgw, export_cgw, export_conn};
    _cleanup_free_ struct export_run *x = calloc(1, sizeof(*x));

    if (!x)
        return -ENOMEM;
    x->out = out;
    int r = store_dump(s, &cbs, x);
    buf_free(&x->line);
    if (r == 0 && fflush(out) != 0)
        r = -EIO;
    if (r == 0)
        *ret_n = x->n;
    return r;
}
