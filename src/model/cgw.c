/* model/cgw.c: the customer gateway (spec §4): create body, response object, internal form. */
#include "model/model_int.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "util/ids.h"

#define CGW(m) offsetof(struct model_cgw, m)
#define WRAPPER "customer_gateway"
#define ID_VALUE_ROW 2 /* index of id_value in create_fields */

/* An IPv4 or IPv6 address (canonical) for id_type ip, an FQDN otherwise. */
static int id_value_field(const json_t *v, const char *path, void *dst, bool internal,
                          struct verr *err)
{
    struct model_cgw *cgw = dst;
    char ip[MODEL_IP_LEN];
    (void)internal;

    if (!v)
        return verr_set(err, WRAPPER ".id_value", "is required");
    if (!model_streq(cgw->id_type, "ip"))
        return model_want_fqdn(v, path, cgw->id_value, err);
    int r = model_want_ip(v, path, 0, ip, err);
    return r < 0 ? r : model_copy(cgw->id_value, sizeof(cgw->id_value), ip);
}

/* Only id_type ip has a BGP ASN (default 65000). */
static int bgp_asn_field(const json_t *v, const char *path, void *dst, bool internal,
                         struct verr *err)
{
    struct model_cgw *cgw = dst;
    (void)internal;

    if (!model_streq(cgw->id_type, "ip"))
        return v ? verr_set(err, path, "is not allowed when id_type is fqdn") : 0;
    cgw->has_bgp_asn = true;
    cgw->bgp_asn = 65000;
    return v ? model_want_int(v, path, 1, 4294967295, &cgw->bgp_asn, err) : 0;
}

/* ca_certificate (spec §4): {id?, content} in a request, content a PEM X.509 certificate read
 * with OpenSSL; a given id (a UUID) is kept, else the caller assigns one. The internal form is
 * {id, content, facts}: a stored customer gateway loads without OpenSSL. Absent: none (an
 * update without the member keeps the current one: the caller starts from it). */
static int ca_certificate_field(const json_t *v, const char *path, void *dst, bool internal,
                                struct verr *err)
{
    struct model_cgw *cgw = dst;
    struct model_cgw_ca ca = {.present = true};
    char cpath[MODEL_PATH_LEN], ipath[MODEL_PATH_LEN];
    const char *pem, *id = NULL;
    const json_t *content, *idv;
    int r;

    if (!v)
        return 0;
    if ((r = model_want_object(v, path, err)) < 0)
        return r;
    content = model_member(v, "content");
    idv = model_member(v, "id");
    model_path_key(cpath, path, "content");
    model_path_key(ipath, path, "id");
    if (!content)
        return verr_set(err, cpath, "is required (a PEM X.509 CA certificate)");
    if (idv && (r = model_want_str(idv, ipath, &id, err)) < 0)
        return r;
    if (id && !ids_is_uuid(id))
        return verr_set(err, ipath, "must be a UUID, got \"%.64s\"", id);
    if (internal) {
        if (!json_is_string(content) ||
            model_copy(ca.content, sizeof(ca.content), json_string_value(content)) < 0 ||
            model_cert_facts_read(v, "facts", &ca.facts) < 0 || !id)
            return verr_set(err, path, "is not a stored CA certificate");
    } else {
        if ((r = model_cert_pem_facts(content, cpath, &pem, &ca.facts, err)) < 0)
            return r;
        (void)model_copy(ca.content, sizeof(ca.content), pem); /* pem_text capped its length */
    }
    if (id)
        (void)model_copy(ca.id, sizeof(ca.id), id);
    cgw->ca = ca;
    return 0;
}

/* The response's ca_certificate (spec §4) or, with all, the internal form. */
static void ca_write(struct model_jw *w, const struct model_cgw_ca *ca, bool all)
{
    if (!ca->present)
        return;
    model_jw_obj(w, "ca_certificate");
    model_jw_str(w, "id", ca->id);
    if (all) {
        model_jw_str(w, "content", ca->content);
        model_cert_facts_write(w, "facts", &ca->facts);
    } else {
        model_jw_str(w, "serial_number", ca->facts.serial_number);
        model_jw_str(w, "signature_algorithm", ca->facts.signature_algorithm);
        model_jw_str(w, "issuer", ca->facts.issuer);
        model_jw_str(w, "subject", ca->facts.subject);
        model_jw_time(w, "expire_time", ca->facts.expire_time, false);
        /* a PUT may always replace it: vpnd keeps no tunnel state that depends on it */
        model_jw_bool(w, "is_updatable", true);
    }
    model_jw_obj_end(w);
}

static const struct model_fspec create_fields[] = {
    MODEL_F("name", MF_NAME, CGW(name)),
    MODEL_F("id_type", MF_ENUM, CGW(id_type), .en = &MODEL_E_CGW_ID_TYPE),
    MODEL_F("id_value", MF_CUSTOM, 0, .fn = id_value_field), /* ID_VALUE_ROW */
    MODEL_F("bgp_asn", MF_CUSTOM, 0, .fn = bgp_asn_field),
    MODEL_F("ca_certificate", MF_CUSTOM, 0, .fn = ca_certificate_field),
    MODEL_F("tags", MF_CUSTOM, CGW(tags), .fn = model_tags_field),
};

static const struct model_fspec internal_fields[] = {
    MODEL_F("id", MF_UUID, CGW(id)),
    MODEL_F("created_at", MF_INT, CGW(created_at), .lo = 0, .hi = MODEL_TS_MAX),
    MODEL_F("updated_at", MF_INT, CGW(updated_at), .lo = 0, .hi = MODEL_TS_MAX),
};

/* Parses obj into *cgw (written only on success). Old Terraform configs send the address as
 * "ip" instead of "id_value": then that member is read in its place. */
static int cgw_parse(const json_t *obj, struct model_cgw *cgw, bool internal, struct verr *err)
{
    struct model_fspec fields[ARRAY_SIZE(create_fields)];
    _cleanup_free_ struct model_cgw *t = calloc(1, sizeof(*t));

    if (!t)
        return -ENOMEM;
    t->id_type = model_enum_find(&MODEL_E_CGW_ID_TYPE, "ip");
    memcpy(fields, create_fields, sizeof(fields));
    if (!model_member(obj, "id_value") && model_member(obj, "ip"))
        fields[ID_VALUE_ROW].key = "ip";
    int r = model_fields_parse(obj, WRAPPER, fields, ARRAY_SIZE(fields), t, internal, err);
    if (r == 0 && internal)
        r = model_fields_parse(obj, WRAPPER, internal_fields, ARRAY_SIZE(internal_fields), t,
                               internal, err);
    if (r == 0)
        memcpy(cgw, t, sizeof(*cgw));
    return r;
}

int model_cgw_parse_create(const struct model_body *body, struct model_cgw *cgw, struct verr *err)
{
    const json_t *obj;
    int r = model_body_wrapped(body, WRAPPER, &obj, err);

    return r < 0 ? r : cgw_parse(obj, cgw, false, err);
}

int model_cgw_from_internal(const char *json, size_t len, struct model_cgw *cgw)
{
    struct verr ignored;
    json_t *root;
    int r = model_load_internal(json, len, &root);

    if (r < 0)
        return r;
    r = cgw_parse(root, cgw, true, &ignored);
    json_decref(root);
    return r;
}

/* Response object (spec §4) or, with all, the internal form. */
static int write_cgw(const struct model_cgw *cgw, struct buf *out, bool all)
{
    struct model_jw w;

    model_jw_init(&w, out);
    model_jw_obj(&w, NULL);
    model_jw_req_str(&w, "id", cgw->id, all);
    model_jw_req_str(&w, "name", cgw->name, all);
    model_jw_str(&w, "id_type", cgw->id_type);
    model_jw_str(&w, "id_value", cgw->id_value);
    if (cgw->has_bgp_asn)
        model_jw_int(&w, "bgp_asn", cgw->bgp_asn);
    ca_write(&w, &cgw->ca, all);
    model_jw_time(&w, "created_at", cgw->created_at, all);
    model_jw_time(&w, "updated_at", cgw->updated_at, all);
    model_tags_write(&w, &cgw->tags);
    model_jw_obj_end(&w);
    return model_jw_done(&w);
}

int model_cgw_render(const struct model_cgw *cgw, struct buf *out)
{
    return write_cgw(cgw, out, false);
}

int model_cgw_to_internal(const struct model_cgw *cgw, struct buf *out)
{
    return write_cgw(cgw, out, true);
}

/* PUT body (spec §4): name and ca_certificate only. */
static const char *const update_members[] = {"name", "ca_certificate", NULL};

static const struct model_fspec update_fields[] = {
    MODEL_F("name", MF_NAME, CGW(name)),
    MODEL_F("ca_certificate", MF_CUSTOM, 0, .fn = ca_certificate_field),
};

int model_cgw_parse_update(const struct model_cgw *cur, const struct model_body *body,
                           struct model_cgw *cgw, struct verr *err)
{
    _cleanup_free_ struct model_cgw *t = malloc(sizeof(*t));
    int r;

    if (!t)
        return -ENOMEM;
    memcpy(t, cur, sizeof(*t));
    r = model_parse_partial(body, WRAPPER, update_members, update_fields,
                            ARRAY_SIZE(update_fields), t, err);
    if (r == 0)
        memcpy(cgw, t, sizeof(*cgw));
    return r;
}

/* The create rules on an already-parsed object (vpnd import). */
int model_cgw_parse_object(const json_t *obj, struct model_cgw *cgw, struct verr *err)
{
    return cgw_parse(obj, cgw, false, err);
}
