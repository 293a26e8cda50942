/* Unit tests for the data plane (engine/plane.c) over a scripted driver: the real service and
 * status engine on a fresh store (SQLite, or PostgreSQL in pg-suites), a clock the test moves,
 * and a driver that records what it is asked and answers when the test says. What charon does
 * is tested with real charons in tests/dataplane. */
#include "test_store_fixture.h"

#include "driver/driver.h"
#include "engine/engine.h"
#include "engine/plane.h"
#include "model/model.h"
#include "service/svc.h"
#include "util/log.h"

#define NODE "node-1"
#define RETRY_MS 5000

/* ---- the scripted driver ---- */

struct fake {
    struct driver base; /* first */
    struct driver_host host;
    int apply_r;               /* what apply returns (-EINVAL: refused with refusal) */
    const char *refusal;
    char applied[8][MODEL_UUID_LEN];
    size_t n_applied;
    char removed[8][MODEL_UUID_LEN];
    size_t n_removed;
    char synced[8][MODEL_UUID_LEN];
    size_t n_synced, syncs, refreshes;
    bool up;                   /* what is_up says */
};

static struct fake *fake_of(struct driver *d)
{
    return (struct fake *)d;
}

static void f_set_host(struct driver *d, const struct driver_host *h)
{
    fake_of(d)->host = *h;
}

static void f_nothing(struct driver *d)
{
    (void)d;
}

static int f_apply(struct driver *d, const struct driver_conn *x, struct verr *err)
{
    struct fake *f = fake_of(d);

    if (f->apply_r == -EINVAL)
        return verr_set(err, "vpn_connection.ikepolicy.encryption_algorithm", "%s", f->refusal);
    if (f->apply_r < 0)
        return f->apply_r;
    snprintf(f->applied[f->n_applied++ % 8], MODEL_UUID_LEN, "%s", x->c->id);
    return 0;
}

static int f_remove(struct driver *d, const char *id)
{
    struct fake *f = fake_of(d);

    snprintf(f->removed[f->n_removed++ % 8], MODEL_UUID_LEN, "%s", id);
    return 0;
}

static int f_sync(struct driver *d, const char *const *ids, size_t n)
{
    struct fake *f = fake_of(d);

    f->syncs++;
    f->n_synced = n;
    for (size_t i = 0; i < n && i < 8; i++)
        snprintf(f->synced[i], MODEL_UUID_LEN, "%s", ids[i]);
    return 0;
}

static int f_refresh(struct driver *d)
{
    fake_of(d)->refreshes++;
    return 0;
}

static int f_reset(struct driver *d, const char *id)
{
    (void)d;
    (void)id;
    return 0;
}

static int f_sas(struct driver *d, const char *id, driver_sas_fn cb, void *ud)
{
    (void)d;
    (void)id;
    (void)cb;
    (void)ud;
    return -EIO;
}

static bool f_is_up(const struct driver *d, const char *id, char *reason, size_t size)
{
    const struct fake *f = (const struct fake *)d;

    (void)id;
    snprintf(reason, size, "%s", f->up ? "tunnel up (1 CHILD SA installed)" : "no IKE SA "
                                                                              "established");
    return f->up;
}

static void f_on_ready(struct driver *d, uint32_t events)
{
    (void)d;
    (void)events;
}

static const struct driver_stats *f_stats(const struct driver *d)
{
    (void)d;
    return NULL;
}

static const struct driver_ops fake_ops = {
    .name = "fake",
    .set_host = f_set_host,
    .start = f_nothing,
    .free = f_nothing,
    .apply = f_apply,
    .remove = f_remove,
    .sync = f_sync,
    .refresh = f_refresh,
    .reset = f_reset,
    .sas = f_sas,
    .is_up = f_is_up,
    .on_ready = f_on_ready,
    .on_timer = f_nothing,
    .stats = f_stats,
};

/* ---- the fixture: service, engine and plane on a fresh store ---- */

struct pfx {
    struct fx *f;
    struct clock clock;
    int64_t now;
    struct svc svc;
    struct engine engine;
    struct fake drv;
    struct plane *plane;
    char vgw[MODEL_UUID_LEN], eip[MODEL_UUID_LEN], cgw[MODEL_UUID_LEN];
};

static int64_t pfx_now(const struct clock *c)
{
    return ((const struct pfx *)((const char *)c - offsetof(struct pfx, clock)))->now;
}

/* One server tick: the plane, then the engine (as server.c does). */
static void tick(struct pfx *p)
{
    plane_tick(p->plane);
    assert_true(engine_tick(&p->engine) >= 0);
}

/* The time passes by ms, in ticks. */
static void advance(struct pfx *p, int64_t ms)
{
    p->now += ms;
    tick(p);
}

/* Calls fn of the service with a JSON body; 0 expected; the created id (first "id") in id. */
static void create(struct pfx *p, int (*fn)(struct svc *, const char *, const struct model_body *,
                                            struct buf *, struct verr *),
                   const char *json, char id[MODEL_UUID_LEN])
{
    struct model_body *body = NULL;
    struct buf out = {0};
    struct verr err = {0};

    assert_int_equal(model_body_parse(json, strlen(json), false, &body, &err), 0);
    int r = fn(&p->svc, PROJECT_A, body, &out, &err);
    if (r != 0)
        fail_msg("create: %d %s", r, err.msg);
    const char *at = strstr(out.data, "\"id\":\"");
    assert_non_null(at);
    snprintf(id, MODEL_UUID_LEN, "%.36s", at + 6);
    model_body_free(body);
    buf_free(&out);
}

static int setup(void **state)
{
    struct pfx *p = calloc(1, sizeof(*p));
    struct svc_config cfg;
    struct plane_config pc = {.node = NODE, .lease_ms = 15000, .reconcile_ms = 30000,
                              .retry_ms = RETRY_MS};
    char err[256], json[512];

    if (!p || fx_setup((void **)&p->f) < 0)
        return -1;
    p->clock.now_ms = pfx_now;
    p->now = T0;
    svc_config_defaults(&cfg);
    cfg.status_delay_ms = 0;
    if (svc_init(&p->svc, &cfg, p->f->s, &p->clock, err, sizeof(err)) < 0)
        return -1;
    p->drv.base.ops = &fake_ops;
    assert_int_equal(plane_new(&p->svc, &p->drv.base, &pc, &p->plane), 0);
    p->engine = (struct engine){.svc = &p->svc, .driver = &plane_engine_driver,
                                .driver_ctx = p->plane};
    p->drv.host.plane(p->drv.host.ud, true, "connected");
    snprintf(p->eip, sizeof(p->eip), "5b6c5e0a-1f2d-4c3b-9a8e-1234567890ab");
    snprintf(json, sizeof(json),
             "{\"vpn_gateway\":{\"vpc_id\":\"7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab\","
             "\"connect_subnet\":\"8b6c5e0a-1f2d-4c3b-9a8e-1234567890ab\","
             "\"local_subnets\":[\"10.0.0.0/24\"],\"eip1\":{\"id\":\"%s\"},"
             "\"eip2\":{\"id\":\"6b6c5e0a-1f2d-4c3b-9a8e-1234567890ab\"}}}",
             p->eip);
    create(p, svc_vgw_create, json, p->vgw);
    create(p, svc_cgw_create, "{\"customer_gateway\":{\"id_value\":\"203.0.113.9\"}}", p->cgw);
    advance(p, 1); /* the gateway settles ACTIVE and is leased */
    advance(p, 1);
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    struct pfx *p = *state;
    void *f = p->f;

    plane_free(p->plane);
    svc_done(&p->svc);
    free(p);
    return fx_teardown(&f);
}

static void new_conn(struct pfx *p, char id[MODEL_UUID_LEN])
{
    char json[512];

    snprintf(json, sizeof(json),
             "{\"vpn_connection\":{\"vgw_id\":\"%s\",\"vgw_ip\":\"%s\",\"cgw_id\":\"%s\","
             "\"peer_subnets\":[\"192.168.0.0/24\"],\"psk\":\"Abcd1234!x\"}}",
             p->vgw, p->eip, p->cgw);
    create(p, svc_conn_create, json, id);
}

static void status_is(struct pfx *p, const char *id, const char *want)
{
    char got[24];

    assert_int_equal(svc_conn_status(&p->svc, PROJECT_A, id, got, NULL), 0);
    assert_string_equal(got, want);
}

struct logs {
    int n;
    char last[320];
};

static int keep(void *ud, int64_t at, const char *msg)
{
    struct logs *l = ud;

    (void)at;
    l->n++;
    snprintf(l->last, sizeof(l->last), "%s", msg);
    return 0;
}

static struct logs logs_of(struct pfx *p, const char *id)
{
    struct logs l = {0};
    struct verr err;

    assert_int_equal(svc_conn_log(&p->svc, PROJECT_A, id, keep, &l, &err), 0);
    return l;
}

static void done(struct pfx *p, const char *id, enum driver_op op, int r, const char *why)
{
    p->drv.host.done(p->drv.host.ud, id, op, r, why);
}

static void report(struct pfx *p, const char *id, bool up, const char *reason)
{
    p->drv.host.conn_state(p->drv.host.ud, id, up, reason);
}

/* A connection created, loaded and settled DOWN. */
static void settled_conn(struct pfx *p, char id[MODEL_UUID_LEN])
{
    new_conn(p, id);
    advance(p, 1);
    done(p, id, DRIVER_APPLY, 0, "");
    status_is(p, id, "DOWN");
}

/* ---- tests ---- */

static void test_a_due_create_stays_pending_until_the_driver_has_loaded_it(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    new_conn(p, id);
    advance(p, 1);
    assert_int_equal(p->drv.n_applied, 1);
    assert_string_equal(p->drv.applied[0], id);
    status_is(p, id, "PENDING_CREATE");
    advance(p, 100); /* held meanwhile: not loaded twice */
    assert_int_equal(p->drv.n_applied, 1);
    done(p, id, DRIVER_APPLY, 0, "");
    status_is(p, id, "DOWN");
    assert_string_equal(logs_of(p, id).last,
                        "status PENDING_CREATE -> DOWN (configuration loaded into the data "
                        "plane; no IKE SA established)");
}

static void test_a_loaded_connection_already_up_settles_active(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    p->drv.up = true;
    new_conn(p, id);
    advance(p, 1);
    done(p, id, DRIVER_APPLY, 0, "");
    status_is(p, id, "ACTIVE");
}

static void test_a_connection_the_driver_cannot_realize_settles_down_with_the_reason(
    void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    p->drv.apply_r = -EINVAL;
    p->drv.refusal = "sm4 (GM) is not supported by the strongSwan data plane, got \"sm4\"";
    new_conn(p, id);
    advance(p, 1);
    status_is(p, id, "DOWN");
    assert_string_equal(logs_of(p, id).last,
                        "status PENDING_CREATE -> DOWN (vpn_connection.ikepolicy.encryption_"
                        "algorithm: sm4 (GM) is not supported by the strongSwan data plane, got "
                        "\"sm4\")");
}

static void test_a_load_the_daemon_refused_settles_down_with_its_answer(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    new_conn(p, id);
    advance(p, 1);
    done(p, id, DRIVER_APPLY, -EINVAL, "charon refused the configuration: invalid proposal");
    status_is(p, id, "DOWN");
    assert_string_equal(logs_of(p, id).last,
                        "status PENDING_CREATE -> DOWN (charon refused the configuration: "
                        "invalid proposal)");
}

static void test_a_load_lost_with_the_daemon_is_tried_again_after_retry_ms(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    new_conn(p, id);
    advance(p, 1);
    done(p, id, DRIVER_APPLY, -EIO, "charon went away");
    status_is(p, id, "PENDING_CREATE");
    advance(p, RETRY_MS - 10);
    assert_int_equal(p->drv.n_applied, 1);
    advance(p, 20);
    assert_int_equal(p->drv.n_applied, 2);
}

/* regression: a PUT while the create was being loaded waited retry_ms (5 s) */
static void test_a_put_during_a_load_is_loaded_as_soon_as_the_first_load_ends(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];
    struct model_body *body = NULL;
    struct buf out = {0};
    struct verr err = {0};
    const char *json = "{\"vpn_connection\":{\"name\":\"renamed\"}}";

    new_conn(p, id);
    advance(p, 1);
    assert_int_equal(model_body_parse(json, strlen(json), false, &body, &err), 0);
    assert_int_equal(svc_conn_update(&p->svc, PROJECT_A, id, body, &out, &err), 0);
    model_body_free(body);
    buf_free(&out);
    advance(p, 1); /* due, but the first load is under way */
    assert_int_equal(p->drv.n_applied, 1);
    done(p, id, DRIVER_APPLY, 0, "");
    status_is(p, id, "PENDING_UPDATE");
    advance(p, 1);
    assert_int_equal(p->drv.n_applied, 2);
    done(p, id, DRIVER_APPLY, 0, "");
    status_is(p, id, "DOWN");
}

static void test_a_report_changes_a_settled_status_and_logs_its_reason(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    settled_conn(p, id);
    report(p, id, true, "tunnel up (1 CHILD SA installed)");
    status_is(p, id, "ACTIVE");
    report(p, id, false, "deleted by peer: received DELETE for IKE_SA vpnd-x[2]");
    status_is(p, id, "DOWN");
    assert_string_equal(logs_of(p, id).last,
                        "status ACTIVE -> DOWN (deleted by peer: received DELETE for IKE_SA "
                        "vpnd-x[2])");
}

static void test_a_new_cause_while_down_is_logged_without_a_transition(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    settled_conn(p, id);
    report(p, id, false, "no IKE SA established"); /* the first report: nothing new */
    int n = logs_of(p, id).n;
    report(p, id, false, "authentication failed: MAC mismatched");
    assert_int_equal(logs_of(p, id).n, n + 1);
    assert_string_equal(logs_of(p, id).last, "status DOWN (authentication failed: MAC mismatched)");
}

static void test_a_report_while_pending_changes_nothing(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    new_conn(p, id);
    advance(p, 1);
    report(p, id, true, "tunnel up (1 CHILD SA installed)");
    status_is(p, id, "PENDING_CREATE");
}

static void test_the_daemon_going_away_makes_driven_connections_unknown(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    settled_conn(p, id);
    p->drv.host.plane(p->drv.host.ud, false, "charon closed the connection");
    status_is(p, id, "UNKNOWN");
    assert_string_equal(logs_of(p, id).last,
                        "status DOWN -> UNKNOWN (data plane unreachable: charon closed the "
                        "connection)");
}

static void test_the_daemon_back_gets_the_held_connections_synced_loaded_and_listed(
    void **state)
{
    struct pfx *p = *state;
    char a[MODEL_UUID_LEN], b[MODEL_UUID_LEN];

    settled_conn(p, a);
    settled_conn(p, b);
    p->drv.host.plane(p->drv.host.ud, false, "charon closed the connection");
    size_t applied = p->drv.n_applied, syncs = p->drv.syncs, refreshes = p->drv.refreshes;
    p->drv.host.plane(p->drv.host.ud, true, "connected");
    tick(p);
    assert_int_equal(p->drv.syncs, syncs + 1);
    assert_int_equal(p->drv.n_synced, 2);
    assert_int_equal(p->drv.n_applied, applied + 2);
    assert_int_equal(p->drv.refreshes, refreshes + 1);
    report(p, a, true, "tunnel up (1 CHILD SA installed)");
    status_is(p, a, "ACTIVE");
    report(p, b, false, "no IKE SA established");
    status_is(p, b, "DOWN");
}

static void test_a_settled_connection_another_process_wrote_is_loaded_by_the_periodic_pass(
    void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    new_conn(p, id);
    /* as vpnd import --keep-ids writes it: settled, nothing due */
    struct store_conn_status set = {.project_id = PROJECT_A, .id = id, .from = "PENDING_CREATE",
                                    .from_due = -1, .to = "DOWN"};
    assert_int_equal(store_conn_set_status(p->f->s, &set, 1), 0);
    assert_int_equal(set.result, 0);
    size_t syncs = p->drv.syncs, refreshes = p->drv.refreshes;
    advance(p, 1);
    assert_int_equal(p->drv.n_applied, 0);
    advance(p, 30000);
    assert_int_equal(p->drv.n_applied, 1);
    assert_string_equal(p->drv.applied[0], id);
    assert_int_equal(p->drv.syncs, syncs + 1);
    assert_int_equal(p->drv.refreshes, refreshes + 1);
    advance(p, 30000); /* known now: not loaded again */
    assert_int_equal(p->drv.n_applied, 1);
}

static void test_a_delete_is_unloaded_before_the_row_goes(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];
    struct verr err;

    settled_conn(p, id);
    assert_int_equal(svc_conn_delete(&p->svc, PROJECT_A, id, &err), 0);
    advance(p, 1);
    assert_int_equal(p->drv.n_removed, 1);
    assert_string_equal(p->drv.removed[0], id);
    status_is(p, id, "PENDING_DELETE");
    done(p, id, DRIVER_REMOVE, 0, "");
    char got[24];
    assert_int_equal(svc_conn_status(&p->svc, PROJECT_A, id, got, NULL), -ENOENT);
}

static void test_a_connection_of_a_gateway_another_node_holds_is_left_to_it(void **state)
{
    struct pfx *p = *state;
    struct plane *other;
    struct fake drv2 = {.base.ops = &fake_ops};
    struct plane_config pc = {.node = "node-2", .lease_ms = 15000, .reconcile_ms = 30000,
                              .retry_ms = RETRY_MS};
    struct engine e2;
    char json[512], vgw2[MODEL_UUID_LEN], id[MODEL_UUID_LEN];

    /* a second node, whose plane takes the leases of a gateway created now */
    assert_int_equal(plane_new(&p->svc, &drv2.base, &pc, &other), 0);
    e2 = (struct engine){.svc = &p->svc, .driver = &plane_engine_driver, .driver_ctx = other};
    drv2.host.plane(drv2.host.ud, true, "connected");
    snprintf(json, sizeof(json),
             "{\"vpn_gateway\":{\"vpc_id\":\"7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab\","
             "\"connect_subnet\":\"8b6c5e0a-1f2d-4c3b-9a8e-1234567890ab\","
             "\"local_subnets\":[\"10.1.0.0/24\"],\"eip1\":{\"id\":\"%s\"},"
             "\"eip2\":{\"id\":\"4b6c5e0a-1f2d-4c3b-9a8e-1234567890ab\"}}}",
             "3b6c5e0a-1f2d-4c3b-9a8e-1234567890ab");
    create(p, svc_vgw_create, json, vgw2);
    p->now += 1;
    assert_true(engine_tick(&e2) >= 0); /* node 2 settles it: leases it at its next tick */
    plane_tick(other);
    snprintf(json, sizeof(json),
             "{\"vpn_connection\":{\"vgw_id\":\"%s\",\"vgw_ip\":\"%s\",\"cgw_id\":\"%s\","
             "\"peer_subnets\":[\"192.168.1.0/24\"],\"psk\":\"Abcd1234!x\"}}",
             vgw2, "3b6c5e0a-1f2d-4c3b-9a8e-1234567890ab", p->cgw);
    create(p, svc_conn_create, json, id);
    advance(p, 1); /* this node: not its gateway */
    assert_int_equal(p->drv.n_applied, 0);
    p->now += 1;
    plane_tick(other);
    assert_true(engine_tick(&e2) >= 0);
    assert_int_equal(drv2.n_applied, 1);
    assert_string_equal(drv2.applied[0], id);
    plane_free(other);
}

/* ---- the control surface (issue 14): holds and reset ---- */

/* Sets connection id from `from` to `to` held, as the control surface's POST /_vpnd/status with
 * hold does (status_due SVC_DUE_HELD). */
static void hold(struct pfx *p, const char *id, const char *from, const char *to)
{
    assert_int_equal(svc_status_set(&p->svc, MODEL_KIND_CONN, PROJECT_A, id, from, -1, to,
                                    SVC_DUE_HELD, "vpnd control: forced"),
                     0);
}

static void test_a_held_connection_keeps_its_held_status_when_a_charon_event_arrives(
    void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    settled_conn(p, id);
    hold(p, id, "DOWN", "DOWN");
    int n = logs_of(p, id).n;
    uint64_t writes = plane_stats(p->plane)->status_writes;
    report(p, id, true, "tunnel up (1 CHILD SA installed)");
    status_is(p, id, "DOWN");
    assert_int_equal(logs_of(p, id).n, n);
    assert_int_equal(plane_stats(p->plane)->status_held, 1);
    assert_int_equal(plane_stats(p->plane)->status_writes, writes);
}

static void test_a_held_connection_keeps_its_status_when_the_daemon_goes_away(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    settled_conn(p, id);
    hold(p, id, "DOWN", "ACTIVE");
    p->drv.host.plane(p->drv.host.ud, false, "charon closed the connection");
    status_is(p, id, "ACTIVE");
    assert_int_equal(plane_stats(p->plane)->status_held, 1);
}

static void test_a_connection_whose_hold_ends_takes_the_state_the_daemon_reported(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    settled_conn(p, id);
    hold(p, id, "DOWN", "ACTIVE");
    report(p, id, false, "deleted by peer: received DELETE for IKE_SA vpnd-x[2]");
    advance(p, 1);
    status_is(p, id, "ACTIVE"); /* still held */
    assert_int_equal(svc_status_set(&p->svc, MODEL_KIND_CONN, PROJECT_A, id, "ACTIVE",
                                    SVC_DUE_HELD, "ACTIVE", 0, "vpnd control: released"),
                     0);
    advance(p, 1);
    status_is(p, id, "DOWN");
    assert_string_equal(logs_of(p, id).last,
                        "status ACTIVE -> DOWN (hold released; no IKE SA established)");
}

static void test_a_reset_unloads_what_it_deleted_and_drops_the_leases_at_the_next_tick(
    void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];

    settled_conn(p, id);
    assert_int_equal(plane_stats(p->plane)->leases_held, 1);
    size_t syncs = p->drv.syncs;
    assert_int_equal(svc_reset(&p->svc, NULL), 0);
    advance(p, 1);
    assert_int_equal(p->drv.syncs, syncs + 1);
    assert_int_equal(p->drv.n_synced, 0); /* charon keeps none of vpnd's connections */
    assert_int_equal(plane_stats(p->plane)->leases_held, 0);
}

static void test_a_clock_set_back_does_not_stall_the_periodic_pass(void **state)
{
    struct pfx *p = *state;
    char id[MODEL_UUID_LEN];
    const int64_t day = 86400000;

    advance(p, day); /* the virtual clock moved a day on, then reset to the wall clock */
    p->now -= day;
    advance(p, 1);
    new_conn(p, id);
    struct store_conn_status set = {.project_id = PROJECT_A, .id = id, .from = "PENDING_CREATE",
                                    .from_due = -1, .to = "DOWN"};
    assert_int_equal(store_conn_set_status(p->f->s, &set, 1), 0);
    advance(p, 30000);
    assert_int_equal(p->drv.n_applied, 1);
    assert_string_equal(p->drv.applied[0], id);
}

int main(void)
{
    log_set_level(getenv("TEST_PLANE_DEBUG") ? LOG_DEBUG : LOG_ERROR);
    const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
        T(test_a_due_create_stays_pending_until_the_driver_has_loaded_it),
        T(test_a_loaded_connection_already_up_settles_active),
        T(test_a_connection_the_driver_cannot_realize_settles_down_with_the_reason),
        T(test_a_load_the_daemon_refused_settles_down_with_its_answer),
        T(test_a_load_lost_with_the_daemon_is_tried_again_after_retry_ms),
        T(test_a_put_during_a_load_is_loaded_as_soon_as_the_first_load_ends),
        T(test_a_report_changes_a_settled_status_and_logs_its_reason),
        T(test_a_new_cause_while_down_is_logged_without_a_transition),
        T(test_a_report_while_pending_changes_nothing),
        T(test_the_daemon_going_away_makes_driven_connections_unknown),
        T(test_the_daemon_back_gets_the_held_connections_synced_loaded_and_listed),
        T(test_a_settled_connection_another_process_wrote_is_loaded_by_the_periodic_pass),
        T(test_a_delete_is_unloaded_before_the_row_goes),
        T(test_a_connection_of_a_gateway_another_node_holds_is_left_to_it),
        T(test_a_held_connection_keeps_its_held_status_when_a_charon_event_arrives),
        T(test_a_held_connection_keeps_its_status_when_the_daemon_goes_away),
        T(test_a_connection_whose_hold_ends_takes_the_state_the_daemon_reported),
        T(test_a_reset_unloads_what_it_deleted_and_drops_the_leases_at_the_next_tick),
        T(test_a_clock_set_back_does_not_stall_the_periodic_pass),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
