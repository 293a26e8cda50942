/* transfer/export.c: vpnd export (transfer/transfer.h): every resource the service dumps,
 * written as one record line that vpnd import reads back into the same resource. */
#include "transfer/transfer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "model/model.h"
#include "service/svc.h"

struct export_run {
    FILE *out;
    struct buf line;
    size_t n;
};

static int export_flush(struct export_run *x, int r)
{
    if (r < 0)
        return r;
    if (fwrite(x->line.data, 1, x->line.len, x->out) != x->line.len)
        return -EIO;
    buf_reset(&x->line);
    x->n++;
    return 0;
}

static int export_vgw(void *ud, const char *project_id, const struct model_vgw *g)
{
    struct export_run *x = ud;

    return export_flush(x, model_record_write_vgw(project_id, g, &x->line));
}

static int export_cgw(void *ud, const char *project_id, const struct model_cgw *cgw)
{
    struct export_run *x = ud;

    return export_flush(x, model_record_write_cgw(project_id, cgw, &x->line));
}

static int export_conn(void *ud, const char *project_id, const struct model_vpn_conn *c)
{
    struct export_run *x = ud;

    return export_flush(x, model_record_write_conn(project_id, c, &x->line));
}

int transfer_export(struct svc *svc, FILE *out, size_t *ret_n)
{
    static const struct svc_dump_cbs cbs = {export_vgw, export_cgw, export_conn};
    struct export_run x = {.out = out};
    int r = svc_dump(svc, &cbs, &x);

    buf_free(&x.line);
    if (r == 0 && fflush(out) != 0)
        r = -EIO;
    if (r == 0)
        *ret_n = x.n;
    return r;
}
