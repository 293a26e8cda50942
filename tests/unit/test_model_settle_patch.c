/* Unit tests for model/jpatch.c: the settle's and the create response's text edits give the
 * bytes the parse-and-render path gives, for connections of several shapes. */
#include "test_model_util.h"

#define CGW_IP "{\"customer_gateway\":{\"id_value\":\"88.1.1.164\"}}"
/* with a CA certificate: it serves the GM shape, which needs one (spec §2.2) */
#define CGW_FQDN                                                                                   \
    "{\"customer_gateway\":{\"id_type\":\"fqdn\",\"id_value\":\"cgw.example.com\","                 \
    "\"ca_certificate\":{\"content\":\"" UNIT_CA_JSON "\"}}}"
#define VGW_PLAIN VGW_BODY(VGW_PUBLIC)
#define VGW_GM VGW_BODY(VGW_PUBLIC ",\"flavor\":\"GM\",\"enterprise_project_id\":\"" EPID "\"")
#define VGW_STANDBY VGW_BODY(VGW_PUBLIC ",\"ha_mode\":\"active-standby\"")
#define VGW_ER                                                                                     \
    VGW_BODY("\"attachment_type\":\"er\",\"er_id\":\"" ER_ID "\",\"eip1\":{\"id\":\"" EIP1_ID      \
             "\"},\"eip2\":{\"id\":\"" EIP2_ID "\"}")
#define TAGS                                                                                       \
    ",\"tags\":[{\"key\":\"status\",\"value\":\"PENDING_CREATE\"},{\"key\":\"k\",\"value\":\"v\"}]"

struct shape {
    const char *conn, *vgw, *cgw, *name;
};

static const struct shape shapes[] = {
    {CONN_BODY(SUBNETS RULE ",\"psk\":\"Abcd1234!x\""), VGW_PLAIN, CGW_IP, NULL},
    {CONN_BODY(SUBNETS ",\"style\":\"static\",\"enable_nqa\":true" TAGS), VGW_PLAIN, CGW_IP,
     "status-\\u4e2d\\u6587"},
    {CONN_BODY(SUBNETS ",\"style\":\"bgp\",\"enable_hub\":true,\"tunnel_local_address\":"
                       "\"169.254.1.1/30\",\"tunnel_peer_address\":\"169.254.1.2/30\","
                       "\"ikepolicy\":{\"peer_id_type\":\"fqdn\",\"peer_id\":\"cgw.example.com\"}"),
     VGW_GM, CGW_FQDN, "status"},
    {CONN_BODY(",\"style\":\"bgp\""), VGW_ER, CGW_IP, NULL},
    {CONN_BODY(SUBNETS RULE ",\"ha_role\":\"master\",\"ikepolicy\":{\"ike_version\":\"v1\"}"),
     VGW_STANDBY, CGW_IP, NULL},
};

/* A bound connection with an id, timestamps and the given status. */
static struct model_vpn_conn *settled_shape(const struct shape *s, const char *status)
{
    struct model_vpn_conn *c = conn_ok(s->conn);
    struct model_vgw *g = vgw_active(s->vgw);
    struct model_cgw *cgw = cgw_ok(s->cgw);
    struct verr err = {.code = NULL};

    if (model_conn_bind(c, g, cgw, &err) != 0)
        fail_msg("bind: %s", err.msg);
    strcpy(c->id, "98c5af8a-0000-4000-8000-ae2280a6f4c3");
    strcpy(c->name, "vpn-1655");
    c->status = status;
    c->created_at = INT64_C(1669470094626);
    c->updated_at = INT64_C(1669470099999);
    free(g);
    free(cgw);
    return c;
}

static char *steal(struct buf *b)
{
    char *s = buf_steal(b);
    assert_non_null(s);
    return s;
}

/* The engine's full path: parse the stored spec, set the status, render both forms. */
static void full_settle(const char *spec, const char *to, char **ret_spec, char **ret_doc)
{
    struct model_vpn_conn *c = test_zalloc(sizeof(*c));
    struct buf a = {0}, b = {0};

    assert_int_equal(model_conn_from_internal(spec, strlen(spec), c), 0);
    c->status = to;
    assert_int_equal(model_conn_to_internal(c, &a), 0);
    assert_int_equal(model_conn_render(c, &b), 0);
    *ret_spec = steal(&a);
    *ret_doc = steal(&b);
    free(c);
}

static void check_shape(const struct shape *s, const char *from, const char *to)
{
    struct model_vpn_conn *c = settled_shape(s, from);
    struct buf spec = {0}, doc = {0}, ps = {0}, pd = {0};
    char *want_spec, *want_doc;

    if (s->name) { /* a name with "status" in it or non-ASCII, as the parser decodes it */
        char body[256];
        struct model_vpn_conn *n = test_zalloc(sizeof(*n));
        struct verr err = {.code = NULL};
        snprintf(body, sizeof(body), "{\"vpn_connection\":{" CONN_REQ ",\"name\":\"%s\"}}",
                 s->name);
        if (model_conn_parse_create(body, strlen(body), n, &err) != 0)
            fail_msg("name %s: %s", s->name, err.msg);
        memcpy(c->name, n->name, sizeof(c->name));
        free(n);
    }
    assert_int_equal(model_conn_to_internal(c, &spec), 0);
    assert_int_equal(model_conn_render(c, &doc), 0);
    full_settle(spec.data, to, &want_spec, &want_doc);
    assert_int_equal(model_json_set_str(spec.data, "status", to, &ps), 0);
    assert_int_equal(model_json_set_str(doc.data, "status", to, &pd), 0);
    assert_string_equal(ps.data, want_spec);
    assert_string_equal(pd.data, want_doc);
    /* the create response: the document without its status */
    struct buf resp = {0}, dropped = {0};
    c->status = NULL;
    assert_int_equal(model_conn_render(c, &resp), 0);
    assert_int_equal(model_json_drop_member(doc.data, "status", &dropped), 0);
    assert_string_equal(dropped.data, resp.data);
    free(want_spec);
    free(want_doc);
    buf_free(&spec);
    buf_free(&doc);
    buf_free(&ps);
    buf_free(&pd);
    buf_free(&resp);
    buf_free(&dropped);
    free(c);
}

static void test_settle_edit_gives_the_bytes_of_parse_and_render_for_every_shape(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        check_shape(&shapes[i], "PENDING_CREATE", "DOWN");
        check_shape(&shapes[i], "PENDING_UPDATE", "ACTIVE");
        check_shape(&shapes[i], "DOWN", "DOWN"); /* a due time on a settled status */
    }
}

static void expect_refused(const char *json, const char *key, const char *value)
{
    struct buf out = {0};
    assert_int_equal(model_json_set_str(json, key, value, &out), -ENOENT);
    buf_free(&out);
}

static void test_set_str_refuses_what_it_cannot_vouch_for(void **state)
{
    (void)state;
    expect_refused("{\"a\":\"x\"}", "status", "DOWN");                      /* absent */
    expect_refused("{\"status\":1}", "status", "DOWN");                     /* not a string */
    expect_refused("{\"status\":\"a\",\"status\":\"b\"}", "status", "DOWN"); /* twice */
    expect_refused("{\"t\":{\"status\":\"a\"}}", "status", "DOWN");        /* nested only */
    expect_refused("{\"status\":\"a\"", "status", "DOWN");                  /* unterminated */
    expect_refused("{\"status\":\"a\"}x", "status", "DOWN");                /* trailing text */
    expect_refused("[\"status\"]", "status", "DOWN");                       /* not an object */
    expect_refused("{\"status\":\"a\"}", "status", "D\"N");                 /* needs escaping */
    expect_refused("{\"status\":\"a\\", "status", "DOWN");                  /* dangling escape */
}

static void test_set_str_keeps_every_other_byte(void **state)
{
    (void)state;
    struct buf out = {0};
    const char *in = "{\"n\":\"a\\\"status\\\":\\\"b\",\"status\":\"PENDING_CREATE\",\"t\":[{}]}";
    assert_int_equal(model_json_set_str(in, "status", "DOWN", &out), 0);
    assert_string_equal(out.data, "{\"n\":\"a\\\"status\\\":\\\"b\",\"status\":\"DOWN\",\"t\":[{}]}");
    buf_free(&out);
}

static void test_drop_member_removes_a_first_middle_last_or_only_member(void **state)
{
    (void)state;
    struct buf out = {0};
    assert_int_equal(model_json_drop_member("{\"s\":1,\"a\":2}", "s", &out), 0);
    assert_string_equal(out.data, "{\"a\":2}");
    assert_int_equal(model_json_drop_member("{\"a\":2,\"s\":[1,{}],\"b\":3}", "s", &out), 0);
    assert_string_equal(out.data, "{\"a\":2,\"b\":3}");
    assert_int_equal(model_json_drop_member("{\"a\":2,\"s\":\"}\"}", "s", &out), 0);
    assert_string_equal(out.data, "{\"a\":2}");
    assert_int_equal(model_json_drop_member("{\"s\":\"x\"}", "s", &out), 0);
    assert_string_equal(out.data, "{}");
    assert_int_equal(model_json_drop_member("{\"a\":2}", "s", &out), -ENOENT);
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settle_edit_gives_the_bytes_of_parse_and_render_for_every_shape),
        cmocka_unit_test(test_set_str_refuses_what_it_cannot_vouch_for),
        cmocka_unit_test(test_set_str_keeps_every_other_byte),
        cmocka_unit_test(test_drop_member_removes_a_first_middle_last_or_only_member),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
