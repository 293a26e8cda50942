/* Unit tests for the connection lifecycle ops of the SQLite store: batch insert, compare-and-set
 * update and delete, the event log, and connection monitors. */
#include "test_store_fixture.h"

#define MONITOR_1 "e0e0e0e0-1f2d-4c3b-9a8e-1234567890ab"
#define MONITOR_2 "e0e0e0e0-1f2d-4c3b-9a8e-1234567890ac"

struct events {
    size_t n;
    char text[512];
};

static int collect_event(void *ud, const struct store_event *ev)
{
    struct events *e = ud;
    size_t len = strlen(e->text);

    snprintf(e->text + len, sizeof(e->text) - len, "%s%lld:%s", e->n ? "|" : "",
             (long long)ev->at, ev->message);
    e->n++;
    return 0;
}

static void events_of(struct fx *f, const char *project, const char *id, struct events *e)
{
    memset(e, 0, sizeof(*e));
    assert_int_equal(store_conn_events(f->s, project, id, collect_event, e), 0);
}

static void doc_of(struct fx *f, const char *id, char *out, size_t size)
{
    struct buf b = {0};

    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, id, &b), 0);
    snprintf(out, size, "%s", b.data);
    buf_free(&b);
}

static struct store_conn_new new_item(struct fx_conn *c, const struct store_claim *claim,
                                      const char *event)
{
    return (struct store_conn_new){.row = &c->row,
                                   .claims = claim,
                                   .n_claims = claim ? 1 : 0,
                                   .event = {.at = c->row.created_at, .message = event}};
}

static void insert_one(struct fx *f, struct fx_conn *c, int n)
{
    fx_conn_init(c, PROJECT_A, VGW_1, n, T0 + n);
    struct store_conn_new item = new_item(c, NULL, "created");
    assert_int_equal(store_conn_insert_batch(f->s, &item, 1, NULL), 0);
}

static void test_batch_insert_creates_every_connection_with_its_event(void **state)
{
    struct fx *f = *state;
    struct fx_conn a, b;
    struct store_claim ca = {"tunnel:" VGW_1, "169.254.0.0/30"}, cb = {"tunnel:" VGW_1,
                                                                        "169.254.0.4/30"};
    struct events e;
    char claims[128];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&a, PROJECT_A, VGW_1, 1, T0);
    fx_conn_init(&b, PROJECT_A, VGW_1, 2, T0);
    struct store_conn_new items[] = {new_item(&a, &ca, "created a"), new_item(&b, &cb, NULL)};
    assert_int_equal(store_conn_insert_batch(f->s, items, 2, NULL), 0);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 2);
    fx_claims(f, "tunnel:" VGW_1, claims, sizeof(claims));
    assert_string_equal(claims, "169.254.0.0/30 169.254.0.4/30");
    events_of(f, PROJECT_A, a.row.id, &e);
    assert_string_equal(e.text, "1669470094626:created a");
    events_of(f, PROJECT_A, b.row.id, &e);
    assert_int_equal(e.n, 0);
}

static void test_batch_beyond_the_gateway_capacity_inserts_nothing_and_names_the_item(void **state)
{
    struct fx *f = *state;
    struct fx_conn first, a, b;
    size_t failed = 99;
    struct buf doc = {0};

    fx_add_vgw(f, PROJECT_A, VGW_1, 2);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    insert_one(f, &first, 1);
    fx_conn_init(&a, PROJECT_A, VGW_1, 2, T0);
    fx_conn_init(&b, PROJECT_A, VGW_1, 3, T0);
    struct store_conn_new items[] = {new_item(&a, NULL, "x"), new_item(&b, NULL, "y")};
    assert_int_equal(store_conn_insert_batch(f->s, items, 2, &failed), -EOVERFLOW);
    assert_int_equal(failed, 1);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1);
    assert_int_equal(store_conn_get_doc(f->s, PROJECT_A, a.row.id, &doc), -ENOENT);
    buf_free(&doc);
}

static void test_batch_with_a_taken_claim_inserts_nothing(void **state)
{
    struct fx *f = *state;
    struct fx_conn a, b;
    struct store_claim same = {"tunnel:" VGW_1, "169.254.0.0/30"};
    size_t failed = 99;
    char claims[128];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&a, PROJECT_A, VGW_1, 1, T0);
    fx_conn_init(&b, PROJECT_A, VGW_1, 2, T0);
    struct store_conn_new items[] = {new_item(&a, &same, "x"), new_item(&b, &same, "y")};
    assert_int_equal(store_conn_insert_batch(f->s, items, 2, &failed), -EEXIST);
    assert_int_equal(failed, 1);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 0);
    fx_claims(f, "tunnel:" VGW_1, claims, sizeof(claims));
    assert_string_equal(claims, "");
}

static void test_update_if_applies_once_and_a_stale_status_or_spec_loses(void **state)
{
    struct fx *f = *state;
    struct fx_conn c, next;
    struct store_conn_expect from = {.status = "PENDING_CREATE", .spec = NULL};
    struct store_event ev = {.at = T0 + 5, .message = "status PENDING_CREATE -> DOWN"};
    struct events e;
    char doc[128];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    insert_one(f, &c, 1);
    fx_conn_init(&next, PROJECT_A, VGW_1, 1, T0 + 1);
    snprintf(next.row.status, sizeof(next.row.status), "DOWN");
    next.row.status_due = 0;
    snprintf(next.doc, sizeof(next.doc), "{\"v\":2}");
    /* a stale spec loses even with the right status */
    from.spec = "{\"other\":1}";
    assert_int_equal(store_conn_update_if(f->s, &next.row, &from, NULL, 0, &ev), -ENOENT);
    from.spec = c.spec;
    assert_int_equal(store_conn_update_if(f->s, &next.row, &from, NULL, 0, &ev), 0);
    /* a second writer that read PENDING_CREATE loses */
    assert_int_equal(store_conn_update_if(f->s, &next.row, &from, NULL, 0, &ev), -ENOENT);
    doc_of(f, c.row.id, doc, sizeof(doc));
    assert_string_equal(doc, "{\"v\":2}");
    events_of(f, PROJECT_A, c.row.id, &e);
    assert_int_equal(e.n, 2);
    assert_string_equal(e.text, "1669470094627:created|1669470094631:status PENDING_CREATE -> DOWN");
}

static void test_update_if_is_scoped_by_project_and_replaces_claims(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct store_conn_expect from = {.status = "PENDING_CREATE"};
    struct store_claim claim = {"tunnel:" VGW_1, "169.254.0.8/30"};
    char claims[128];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    insert_one(f, &c, 1);
    snprintf(c.row.project_id, sizeof(c.row.project_id), "%s", PROJECT_B);
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from, &claim, 1, NULL), -ENOENT);
    snprintf(c.row.project_id, sizeof(c.row.project_id), "%s", PROJECT_A);
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from, &claim, 1, NULL), 0);
    fx_claims(f, "tunnel:" VGW_1, claims, sizeof(claims));
    assert_string_equal(claims, "169.254.0.8/30");
}

static void test_delete_if_removes_only_from_the_named_status_and_only_once(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct store_conn_expect from = {.status = "PENDING_CREATE"};
    struct store_claim claim = {"tunnel:" VGW_1, "169.254.0.0/30"};
    struct events e;
    char claims[128];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    fx_conn_init(&c, PROJECT_A, VGW_1, 1, T0);
    struct store_conn_new item = new_item(&c, &claim, "created");
    assert_int_equal(store_conn_insert_batch(f->s, &item, 1, NULL), 0);
    assert_int_equal(store_conn_delete_if(f->s, PROJECT_A, c.row.id, "PENDING_DELETE"), -ENOENT);
    snprintf(c.row.status, sizeof(c.row.status), "PENDING_DELETE");
    assert_int_equal(store_conn_update_if(f->s, &c.row, &from, NULL, 0, NULL), 0);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 1); /* the slot is held while deleting */
    assert_int_equal(store_conn_delete_if(f->s, PROJECT_B, c.row.id, "PENDING_DELETE"), -ENOENT);
    assert_int_equal(store_conn_delete_if(f->s, PROJECT_A, c.row.id, "PENDING_DELETE"), 0);
    assert_int_equal(store_conn_delete_if(f->s, PROJECT_A, c.row.id, "PENDING_DELETE"), -ENOENT);
    assert_int_equal(fx_used(f, PROJECT_A, VGW_1), 0);
    fx_claims(f, "tunnel:" VGW_1, claims, sizeof(claims));
    assert_string_equal(claims, "");
    memset(&e, 0, sizeof(e));
    assert_int_equal(store_conn_events(f->s, PROJECT_A, c.row.id, collect_event, &e), -ENOENT);
}

static void test_events_of_another_projects_connection_are_enoent(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct events e = {0};

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    insert_one(f, &c, 1);
    assert_int_equal(store_conn_events(f->s, PROJECT_B, c.row.id, collect_event, &e), -ENOENT);
    assert_int_equal(e.n, 0);
}

static void monitor_init(struct store_monitor_row *m, const char *id, const char *conn_id)
{
    memset(m, 0, sizeof(*m));
    snprintf(m->project_id, sizeof(m->project_id), "%s", PROJECT_A);
    snprintf(m->id, sizeof(m->id), "%s", id);
    snprintf(m->vpn_connection_id, sizeof(m->vpn_connection_id), "%s", conn_id);
    snprintf(m->enterprise_project_id, sizeof(m->enterprise_project_id), "0");
    snprintf(m->status, sizeof(m->status), "ACTIVE");
    snprintf(m->source_ip, sizeof(m->source_ip), "203.0.112.1");
    snprintf(m->destination_ip, sizeof(m->destination_ip), "88.1.1.7");
    m->created_at = T0;
}

struct monitors {
    size_t n;
    char ids[4][37];
};

static int collect_monitor(void *ud, const struct store_monitor_row *m)
{
    struct monitors *ms = ud;

    if (ms->n < 4)
        snprintf(ms->ids[ms->n], sizeof(ms->ids[0]), "%s", m->id);
    ms->n++;
    return 0;
}

static void test_monitor_insert_rewrites_the_doc_and_a_second_one_is_eexist(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct store_conn_expect from = {.status = "PENDING_CREATE"};
    struct store_monitor_row m, got;
    char doc[128];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    insert_one(f, &c, 1);
    monitor_init(&m, MONITOR_1, c.row.id);
    snprintf(c.doc, sizeof(c.doc), "{\"connection_monitor_id\":\"%s\"}", MONITOR_1);
    from.status = "DOWN"; /* stale: nothing happens */
    assert_int_equal(store_monitor_insert(f->s, &m, &c.row, &from), -ENOENT);
    assert_int_equal(store_monitor_get(f->s, PROJECT_A, MONITOR_1, &got), -ENOENT);
    from.status = "PENDING_CREATE";
    assert_int_equal(store_monitor_insert(f->s, &m, &c.row, &from), 0);
    doc_of(f, c.row.id, doc, sizeof(doc));
    assert_string_equal(doc, c.doc);
    assert_int_equal(store_monitor_get(f->s, PROJECT_A, MONITOR_1, &got), 0);
    assert_string_equal(got.vpn_connection_id, c.row.id);
    assert_string_equal(got.source_ip, "203.0.112.1");
    assert_string_equal(got.destination_ip, "88.1.1.7");
    assert_string_equal(got.status, "ACTIVE");
    assert_int_equal(got.created_at, T0);
    assert_int_equal(store_monitor_get(f->s, PROJECT_B, MONITOR_1, &got), -ENOENT);

    monitor_init(&m, MONITOR_2, c.row.id);
    snprintf(c.doc, sizeof(c.doc), "{\"connection_monitor_id\":\"%s\"}", MONITOR_2);
    assert_int_equal(store_monitor_insert(f->s, &m, &c.row, &from), -EEXIST);
    doc_of(f, c.row.id, doc, sizeof(doc));
    assert_non_null(strstr(doc, MONITOR_1));
}

static void test_monitor_list_filters_by_connection_and_enterprise_project(void **state)
{
    struct fx *f = *state;
    struct fx_conn a, b;
    struct store_conn_expect from = {.status = "PENDING_CREATE"};
    struct store_monitor_row m;
    struct monitors got = {0};
    const char *eps[] = {"0"}, *none[] = {"00000000-0000-4000-8000-000000000000"};

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    insert_one(f, &a, 1);
    insert_one(f, &b, 2);
    monitor_init(&m, MONITOR_1, a.row.id);
    assert_int_equal(store_monitor_insert(f->s, &m, &a.row, &from), 0);
    monitor_init(&m, MONITOR_2, b.row.id);
    m.created_at = T0 + 1;
    assert_int_equal(store_monitor_insert(f->s, &m, &b.row, &from), 0);

    assert_int_equal(store_monitor_list(f->s, PROJECT_A, NULL, collect_monitor, &got), 0);
    assert_int_equal(got.n, 2);
    assert_string_equal(got.ids[0], MONITOR_2); /* newest first */
    struct store_monitor_filter by_conn = {.vpn_connection_id = a.row.id};
    memset(&got, 0, sizeof(got));
    assert_int_equal(store_monitor_list(f->s, PROJECT_A, &by_conn, collect_monitor, &got), 0);
    assert_int_equal(got.n, 1);
    assert_string_equal(got.ids[0], MONITOR_1);
    struct store_monitor_filter by_ep = {.enterprise_project_ids = eps,
                                         .n_enterprise_project_ids = 1};
    memset(&got, 0, sizeof(got));
    assert_int_equal(store_monitor_list(f->s, PROJECT_A, &by_ep, collect_monitor, &got), 0);
    assert_int_equal(got.n, 2);
    by_ep.enterprise_project_ids = none;
    memset(&got, 0, sizeof(got));
    assert_int_equal(store_monitor_list(f->s, PROJECT_A, &by_ep, collect_monitor, &got), 0);
    assert_int_equal(got.n, 0);
    assert_int_equal(store_monitor_list(f->s, PROJECT_B, NULL, collect_monitor, &got), 0);
    assert_int_equal(got.n, 0);
}

static void test_monitor_delete_rewrites_the_doc_once(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct store_conn_expect from = {.status = "PENDING_CREATE"};
    struct store_monitor_row m, got;
    char doc[128];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    insert_one(f, &c, 1);
    monitor_init(&m, MONITOR_1, c.row.id);
    assert_int_equal(store_monitor_insert(f->s, &m, &c.row, &from), 0);
    snprintf(c.doc, sizeof(c.doc), "{\"no\":\"monitor\"}");
    assert_int_equal(store_monitor_delete(f->s, PROJECT_B, MONITOR_1, &c.row, &from), -ENOENT);
    assert_int_equal(store_monitor_delete(f->s, PROJECT_A, MONITOR_1, &c.row, &from), 0);
    assert_int_equal(store_monitor_delete(f->s, PROJECT_A, MONITOR_1, &c.row, &from), -ENOENT);
    assert_int_equal(store_monitor_get(f->s, PROJECT_A, MONITOR_1, &got), -ENOENT);
    doc_of(f, c.row.id, doc, sizeof(doc));
    assert_string_equal(doc, "{\"no\":\"monitor\"}");
}

static void test_deleting_a_connection_deletes_its_monitor(void **state)
{
    struct fx *f = *state;
    struct fx_conn c, d;
    struct store_conn_expect from = {.status = "PENDING_CREATE"};
    struct store_monitor_row m, got;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    insert_one(f, &c, 1);
    insert_one(f, &d, 2);
    monitor_init(&m, MONITOR_1, c.row.id);
    assert_int_equal(store_monitor_insert(f->s, &m, &c.row, &from), 0);
    monitor_init(&m, MONITOR_2, d.row.id);
    assert_int_equal(store_monitor_insert(f->s, &m, &d.row, &from), 0);
    assert_int_equal(store_conn_delete(f->s, PROJECT_A, c.row.id), 0);
    assert_int_equal(store_monitor_get(f->s, PROJECT_A, MONITOR_1, &got), -ENOENT);
    assert_int_equal(store_conn_delete_if(f->s, PROJECT_A, d.row.id, "PENDING_CREATE"), 0);
    assert_int_equal(store_monitor_get(f->s, PROJECT_A, MONITOR_2, &got), -ENOENT);
}

static void test_monitor_due_list_and_status_change_happen_once(void **state)
{
    struct fx *f = *state;
    struct fx_conn c;
    struct store_conn_expect from = {.status = "PENDING_CREATE"};
    struct store_monitor_row m, got;
    struct store_due due[2];
    size_t n = 99;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(f, PROJECT_A, CGW_1);
    insert_one(f, &c, 1);
    monitor_init(&m, MONITOR_1, c.row.id);
    snprintf(m.status, sizeof(m.status), "PENDING_CREATE");
    m.status_due = T0 + 300;
    assert_int_equal(store_monitor_insert(f->s, &m, &c.row, &from), 0);
    assert_int_equal(store_monitor_due_list(f->s, T0 + 299, 2, due, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_monitor_due_list(f->s, T0 + 300, 2, due, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(due[0].kind, STORE_KIND_MONITOR);
    assert_string_equal(due[0].id, MONITOR_1);
    assert_string_equal(due[0].status, "PENDING_CREATE");
    assert_int_equal(
        store_monitor_set_status(f->s, PROJECT_B, MONITOR_1, "PENDING_CREATE", "ACTIVE", 0),
        -ENOENT);
    assert_int_equal(
        store_monitor_set_status(f->s, PROJECT_A, MONITOR_1, "PENDING_CREATE", "ACTIVE", 0), 0);
    /* a second engine that still believes the old status loses */
    assert_int_equal(
        store_monitor_set_status(f->s, PROJECT_A, MONITOR_1, "PENDING_CREATE", "ACTIVE", 0),
        -ENOENT);
    assert_int_equal(store_monitor_get(f->s, PROJECT_A, MONITOR_1, &got), 0);
    assert_string_equal(got.status, "ACTIVE");
    assert_int_equal(got.status_due, 0);
    assert_int_equal(store_monitor_due_list(f->s, T0 + 9999, 2, due, &n), 0);
    assert_int_equal(n, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_batch_insert_creates_every_connection_with_its_event),
        T(test_batch_beyond_the_gateway_capacity_inserts_nothing_and_names_the_item),
        T(test_batch_with_a_taken_claim_inserts_nothing),
        T(test_update_if_applies_once_and_a_stale_status_or_spec_loses),
        T(test_update_if_is_scoped_by_project_and_replaces_claims),
        T(test_delete_if_removes_only_from_the_named_status_and_only_once),
        T(test_events_of_another_projects_connection_are_enoent),
        T(test_monitor_insert_rewrites_the_doc_and_a_second_one_is_eexist),
        T(test_monitor_list_filters_by_connection_and_enterprise_project),
        T(test_monitor_delete_rewrites_the_doc_once),
        T(test_deleting_a_connection_deletes_its_monitor),
        T(test_monitor_due_list_and_status_change_happen_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
