/* model/peer_config.c: the customer side of a connection as a strongSwan swanctl.conf (the
 * peer configuration export's "strongSwan" device). The text is the tree model_ipsec_conn_emit
 * walks, written in swanctl.conf syntax, plus a secrets section with the PSK. */
#include "model/ipsec.h"
#include "model/model_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct text {
    struct buf *out;
    unsigned depth;
    bool first_item;
    int err;
};

static void put(struct text *t, const char *s)
{
    if (t->err == 0)
        t->err = buf_puts(t->out, s);
}

static void indent(struct text *t)
{
    for (unsigned i = 0; i < t->depth; i++)
        put(t, "    ");
}

/* A value as swanctl.conf reads it back: bare when it is one plain token, else quoted with
 * " and \ escaped. */
static void value(struct text *t, const char *v)
{
    size_t n = strlen(v);
    if (n > 0 && strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                           ".:/%_-") == n) {
        put(t, v);
        return;
    }
    put(t, "\"");
    for (const char *p = v; *p && t->err == 0; p++) {
        if (*p == '"' || *p == '\\')
            put(t, "\\");
        if (t->err == 0)
            t->err = buf_append(t->out, p, 1);
    }
    put(t, "\"");
}

static void text_section(void *ctx, const char *name)
{
    struct text *t = ctx;
    indent(t);
    put(t, name);
    put(t, " {\n");
    t->depth++;
}

static void text_end_section(void *ctx)
{
    struct text *t = ctx;
    t->depth--;
    indent(t);
    put(t, "}\n");
}

static void text_kv(void *ctx, const char *key, const char *v)
{
    struct text *t = ctx;
    indent(t);
    put(t, key);
    put(t, " = ");
    value(t, v);
    put(t, "\n");
}

static void text_list(void *ctx, const char *key)
{
    struct text *t = ctx;
    indent(t);
    put(t, key);
    put(t, " = ");
    t->first_item = true;
}

static void text_item(void *ctx, const char *v)
{
    struct text *t = ctx;
    if (!t->first_item)
        put(t, ", ");
    t->first_item = false;
    value(t, v);
}

static void text_end_list(void *ctx)
{
    put(ctx, "\n");
}

static const struct model_ipsec_emit text_emit = {
    .section = text_section,
    .end_section = text_end_section,
    .kv = text_kv,
    .list = text_list,
    .item = text_item,
    .end_list = text_end_list,
};

int model_peer_config_swanctl(const struct model_vpn_conn *c, const struct model_vgw *g,
                              const struct model_cgw *cgw, struct buf *out, struct verr *err)
{
    struct model_ipsec_conn *x = calloc(1, sizeof(*x));
    if (!x)
        return -ENOMEM;
    int r = model_ipsec_conn_build(c, g, cgw, MODEL_IPSEC_PEER, x, err);
    if (r == 0 && !c->has_psk)
        r = verr_set(err, "vpn_connection.psk", "is required for a strongSwan peer configuration");
    if (r < 0) {
        free(x);
        return r;
    }

    struct text t = {.out = out};
    size_t len0 = out->len;
    put(&t, "# strongSwan swanctl.conf for the customer gateway of VPN connection ");
    put(&t, c->id);
    put(&t, ".\n# Load it with: swanctl --load-all --file <this file>\n");
    put(&t, "connections {\n");
    t.depth = 1;
    model_ipsec_conn_emit(x, &text_emit, &t);
    t.depth = 0;
    put(&t, "}\nsecrets {\n");
    t.depth = 1;
    char secret[sizeof("ike-") + MODEL_IPSEC_NAME_LEN];
    snprintf(secret, sizeof(secret), "ike-%s", x->name);
    text_section(&t, secret);
    text_kv(&t, "id-1", x->local_id);
    if (strcmp(x->remote_id, "%any") != 0)
        text_kv(&t, "id-2", x->remote_id);
    text_kv(&t, "secret", c->psk);
    text_end_section(&t);
    put(&t, "}\n");
    free(x);
    if (t.err < 0) {
        out->len = len0;
        if (out->data)
            out->data[len0] = '\0';
    }
    return t.err;
}

/* ---- the devices the export can write for ---- */

/* Only what a test loads into a real device: the strongSwan swanctl.conf above is loaded into a
 * real charon as the customer gateway by tests/dataplane. */
static const struct model_peer_device peer_devices[] = {
    {"strongSwan", "swanctl", "5.9"},
};

const struct model_peer_device *model_peer_devices(size_t *ret_n)
{
    *ret_n = ARRAY_SIZE(peer_devices);
    return peer_devices;
}

/* The string member key of the export body (required unless optional), into *ret. */
static int device_member(const struct model_body *body, const char *key, bool optional,
                         const char **ret, struct verr *err)
{
    const json_t *v = model_member(body->root, key);

    *ret = NULL;
    if (!v)
        return optional ? 0 : verr_set(err, key, "is required");
    return model_want_str(v, key, ret, err);
}

static int device_refuse(const char *key, const char *rule, const char *got, struct verr *err)
{
    char echo[MODEL_ECHO_LEN];

    model_echo(echo, got, strlen(got));
    return verr_set(err, key, "%s, got %s", rule, echo);
}

int model_peer_device_parse(const struct model_body *body, const struct model_peer_device **ret,
                            struct verr *err)
{
    const char *vendor, *model, *version, *type;
    int r = device_member(body, "vendor", false, &vendor, err);

    if (r == 0)
        r = device_member(body, "type", true, &type, err);
    if (r == 0)
        r = device_member(body, "model", false, &model, err);
    if (r == 0)
        r = device_member(body, "version", false, &version, err);
    if (r < 0)
        return r;
    const struct model_peer_device *d = &peer_devices[0];
    if (strcasecmp(vendor, d->vendor) != 0)
        return device_refuse("vendor",
                             "must be a vendor of GET peer-configuration/supported-devices "
                             "(strongSwan)",
                             vendor, err);
    if (strcasecmp(model, d->platform) != 0)
        return device_refuse("model", "must be a platform of strongSwan (swanctl)", model, err);
    if (strcmp(version, d->version) != 0)
        return device_refuse("version", "must be a version of strongSwan swanctl (5.9)", version,
                             err);
    *ret = d;
    return 0;
}
