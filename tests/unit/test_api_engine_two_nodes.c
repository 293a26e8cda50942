/* Unit tests for the status engine with two engines on two store handles of one SQLite file
 * (two vpnd nodes sharing a database): each due transition happens exactly once. */
#include "test_store_fixture.h"

#include "engine/engine.h"
#include "model/model.h"
#include "model_text.h"
#include "service/svc.h"

static const char body[] = "{\"vpn_connection\":{\"vgw_id\":\"" VGW_1 "\","
                           "\"vgw_ip\":\"7b6c5e0a-1f2d-4c3b-9a8e-0000000000e1\","
                           "\"cgw_id\":\"" CGW_1 "\",\"peer_subnets\":[\"192.168.0.0/24\"],"
                           "\"psk\":\"Abcd1234!x\"}}";

/* A node: its own store handle, service (on a clock the test sets) and engine. */
struct node {
    struct store *s;
    struct clock clock; /* first: fixed_now finds the node through it */
    int64_t now;
    struct svc svc;
    struct engine e;
};

static int64_t fixed_now(const struct clock *c)
{
    return ((const struct node *)((const char *)c - offsetof(struct node, clock)))->now;
}

static void node_open(struct fx *f, struct node *n)
{
    char err[256] = "";
    struct svc_config cfg;

    assert_int_equal(store_open(f->path, &n->s, err, sizeof(err)), 0);
    svc_config_defaults(&cfg);
    cfg.status_delay_ms = 0;
    n->clock.now_ms = fixed_now;
    assert_int_equal(svc_init(&n->svc, &cfg, n->s, &n->clock, err, sizeof(err)), 0);
    n->e = (struct engine){.svc = &n->svc, .driver = &engine_sim_driver};
}

static void node_close(struct node *n)
{
    svc_done(&n->svc);
    store_close(n->s);
}

/* One tick of n's engine at time now. */
static int tick(struct node *n, int64_t now)
{
    n->now = now;
    return engine_tick(&n->e);
}

/* Inserts connection number n in status, due at T0, with a real internal spec and doc. */
static void add_conn(struct fx *f, int n, const char *status)
{
    struct model_vpn_conn *c = calloc(1, sizeof(*c));
    struct verr err;
    struct buf spec = {0}, doc = {0};
    struct store_conn_row row = {.status_due = T0, .created_at = T0, .updated_at = T0};

    assert_non_null(c);
    assert_int_equal(tm_conn_parse_create(body, strlen(body), c, &err), 0);
    fx_conn_id(n, c->id);
    c->created_at = c->updated_at = T0;
    assert_int_equal(model_conn_store(c, &spec, &doc), 0);
    snprintf(row.project_id, sizeof(row.project_id), "%s", PROJECT_A);
    snprintf(row.id, sizeof(row.id), "%s", c->id);
    snprintf(row.vgw_id, sizeof(row.vgw_id), "%s", VGW_1);
    snprintf(row.cgw_id, sizeof(row.cgw_id), "%s", CGW_1);
    snprintf(row.vgw_ip, sizeof(row.vgw_ip), "%s", c->vgw_ip);
    snprintf(row.enterprise_project_id, sizeof(row.enterprise_project_id), "0");
    snprintf(row.status, sizeof(row.status), "%s", status);
    row.spec = spec.data;
    row.doc = doc.data;
    struct store_conn_new item = {.row = &row, .event = {.at = T0, .message = "created"}};
    assert_int_equal(store_conn_insert_batch(f->s, &item, 1, NULL), 0);
    buf_free(&spec);
    buf_free(&doc);
    free(c);
}

static int count_event(void *ud, const struct store_event *ev)
{
    (void)ev;
    (*(int *)ud)++;
    return 0;
}

static void test_two_engines_settle_a_new_connection_once(void **state)
{
    struct fx *f = *state;
    struct node a, b;
    struct store_conn_row row;
    char id[37];
    int events = 0;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_conn(f, 1, "PENDING_CREATE");
    node_open(f, &a);
    node_open(f, &b);
    assert_int_equal(tick(&a, T0 + 1), 1);
    assert_int_equal(tick(&b, T0 + 1), 0);
    fx_conn_id(1, id);
    assert_int_equal(store_conn_get(b.s, PROJECT_A, id, &row), 0);
    assert_string_equal(row.status, "DOWN");
    assert_int_equal(row.status_due, 0);
    store_conn_row_done(&row);
    struct buf served = {0}; /* the document GET serves shows it */
    assert_int_equal(store_conn_get_doc(b.s, PROJECT_A, id, &served), 0);
    assert_non_null(strstr(served.data, "\"status\":\"DOWN\""));
    buf_free(&served);
    assert_int_equal(store_conn_events(a.s, PROJECT_A, id, count_event, &events), 0);
    assert_int_equal(events, 2); /* created, PENDING_CREATE -> DOWN */
    node_close(&a);
    node_close(&b);
}

static void test_two_engines_remove_a_deleting_connection_once(void **state)
{
    struct fx *f = *state;
    struct node a, b;
    struct store_conn_row row;
    char id[37];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    add_conn(f, 1, "PENDING_DELETE");
    add_conn(f, 2, "DOWN"); /* a due time on a settled status is only cleared */
    node_open(f, &a);
    node_open(f, &b);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 2);
    assert_int_equal(tick(&b, T0 - 1), 0); /* not yet due */
    assert_int_equal(tick(&a, T0 + 1), 2);
    assert_int_equal(tick(&b, T0 + 1), 0);
    fx_conn_id(1, id);
    assert_int_equal(store_conn_get(b.s, PROJECT_A, id, &row), -ENOENT);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1); /* released once, not twice */
    fx_conn_id(2, id);
    assert_int_equal(store_conn_get(b.s, PROJECT_A, id, &row), 0);
    assert_string_equal(row.status, "DOWN");
    assert_int_equal(row.status_due, 0);
    store_conn_row_done(&row);
    int events = 0;
    assert_int_equal(store_conn_events(a.s, PROJECT_A, id, count_event, &events), 0);
    assert_int_equal(events, 1); /* only "created": clearing a due time is no transition */
    node_close(&a);
    node_close(&b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_two_engines_settle_a_new_connection_once),
        T(test_two_engines_remove_a_deleting_connection_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
