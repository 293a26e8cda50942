/* svc_conn_set_status, the data plane's way in: a compare-and-set of a connection's status
 * column that appends its reason to the connection's log in the same store call, and changes
 * nothing (status, log) when the connection is not in the expected status, or when the control
 * surface holds it (a forced or held status wins over the data plane's events). */
#include "test_store_fixture.h"

#include "service/svc.h"

struct sfx {
    struct fx *f;
    struct clock clock;
    int64_t now;
    struct svc svc;
    struct fx_conn c;
};

static int64_t sfx_now(const struct clock *c)
{
    return ((const struct sfx *)((const char *)c - offsetof(struct sfx, clock)))->now;
}

static int setup(void **state)
{
    struct sfx *s = calloc(1, sizeof(*s));
    struct svc_config cfg;
    char err[256];

    if (!s || fx_setup((void **)&s->f) < 0)
        return -1;
    s->clock.now_ms = sfx_now;
    s->now = T0 + 5000;
    svc_config_defaults(&cfg);
    if (svc_init(&s->svc, &cfg, s->f->s, &s->clock, err, sizeof(err)) < 0)
        return -1;
    fx_add_vgw(s->f, PROJECT_A, VGW_1, 10);
    fx_add_cgw(s->f, PROJECT_A, CGW_1);
    fx_conn_init(&s->c, PROJECT_A, VGW_1, 1, T0);
    snprintf(s->c.row.status, sizeof(s->c.row.status), "ACTIVE");
    s->c.row.status_due = 0;
    assert_int_equal(store_conn_insert(s->f->s, &s->c.row, NULL, 0), 0);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    struct sfx *s = *state;
    void *f = s->f;

    svc_done(&s->svc);
    free(s);
    return fx_teardown(&f);
}

struct last_event {
    int n;
    int64_t at;
    char msg[200];
};

static int keep_last(void *ud, const struct store_event *ev)
{
    struct last_event *l = ud;

    l->n++;
    l->at = ev->at;
    snprintf(l->msg, sizeof(l->msg), "%s", ev->message);
    return 0;
}

static struct last_event last_event(struct sfx *s)
{
    struct last_event l = {0};

    assert_int_equal(store_conn_events(s->f->s, PROJECT_A, s->c.row.id, keep_last, &l), 0);
    return l;
}

static void expect_status(struct sfx *s, const char *status)
{
    struct store_conn_row row;

    assert_int_equal(store_conn_get(s->f->s, PROJECT_A, s->c.row.id, &row), 0);
    assert_string_equal(row.status, status);
    store_conn_row_done(&row);
}

static void test_a_change_from_the_current_status_is_stored_and_logged_with_its_reason(void **state)
{
    struct sfx *s = *state;
    struct verr err = {0};
    int before = last_event(s).n;

    assert_int_equal(svc_conn_set_status(&s->svc, PROJECT_A, s->c.row.id, "ACTIVE", "DOWN",
                                         "peer unreachable", &err),
                     0);
    expect_status(s, "DOWN");
    struct last_event l = last_event(s);
    assert_int_equal(l.n, before + 1);
    assert_int_equal(l.at, s->now);
    assert_string_equal(l.msg, "status ACTIVE -> DOWN (peer unreachable)");
}

static void test_a_change_from_another_status_than_the_current_one_changes_nothing(void **state)
{
    struct sfx *s = *state;
    struct verr err = {0};
    int before = last_event(s).n;

    assert_int_equal(svc_conn_set_status(&s->svc, PROJECT_A, s->c.row.id, "DOWN", "ACTIVE",
                                         "tunnel up", &err),
                     -ENOENT);
    expect_status(s, "ACTIVE");
    assert_int_equal(last_event(s).n, before);
}

static void test_a_change_of_an_unknown_connection_is_enoent(void **state)
{
    struct sfx *s = *state;
    struct verr err = {0};
    char other[37];

    fx_conn_id(2, other);
    assert_int_equal(
        svc_conn_set_status(&s->svc, PROJECT_A, other, "ACTIVE", "DOWN", "peer unreachable", &err),
        -ENOENT);
    expect_status(s, "ACTIVE");
}

static void test_a_status_that_is_not_a_connection_status_is_refused_with_its_field(void **state)
{
    struct sfx *s = *state;
    struct verr err = {0};
    int before = last_event(s).n;

    assert_int_equal(svc_conn_set_status(&s->svc, PROJECT_A, s->c.row.id, "ACTIVE", "UP",
                                         "tunnel up", &err),
                     -EINVAL);
    assert_int_equal(err.code, VERR_INVALID);
    assert_non_null(strstr(err.msg, "to: must be a connection status"));
    expect_status(s, "ACTIVE");
    assert_int_equal(last_event(s).n, before);
}

/* Holds the connection the way the control surface does (status_due SVC_DUE_HELD). */
static void hold(struct sfx *s)
{
    assert_int_equal(svc_status_set(&s->svc, MODEL_KIND_CONN, PROJECT_A, s->c.row.id, "ACTIVE", 0,
                                    "ERROR", SVC_DUE_HELD, "forced"),
                     0);
}

static void test_a_held_connection_refuses_a_change_from_outside_and_logs_nothing(void **state)
{
    struct sfx *s = *state;
    struct verr err = {0};
    bool held = false;

    hold(s);
    int before = last_event(s).n;
    assert_int_equal(svc_conn_is_held(&s->svc, PROJECT_A, s->c.row.id, &held), 0);
    assert_true(held);
    assert_int_equal(svc_conn_set_status(&s->svc, PROJECT_A, s->c.row.id, "ERROR", "ACTIVE",
                                         "tunnel up", &err),
                     -EACCES);
    expect_status(s, "ERROR");
    assert_int_equal(last_event(s).n, before);
}

static void test_a_connection_released_from_its_hold_takes_changes_from_outside_again(void **state)
{
    struct sfx *s = *state;
    struct verr err = {0};
    bool held = true;

    hold(s);
    assert_int_equal(svc_status_set(&s->svc, MODEL_KIND_CONN, PROJECT_A, s->c.row.id, "ERROR",
                                    SVC_DUE_HELD, "ERROR", 0, "released"),
                     0);
    assert_int_equal(svc_conn_is_held(&s->svc, PROJECT_A, s->c.row.id, &held), 0);
    assert_false(held);
    assert_int_equal(svc_conn_set_status(&s->svc, PROJECT_A, s->c.row.id, "ERROR", "ACTIVE",
                                         "tunnel up", &err),
                     0);
    expect_status(s, "ACTIVE");
}

static void test_a_forced_status_is_logged_with_its_reason_and_a_stale_one_changes_nothing(
    void **state)
{
    struct sfx *s = *state;

    hold(s);
    assert_string_equal(last_event(s).msg, "status ACTIVE -> ERROR (forced)");
    /* a writer that read the connection before the hold loses */
    assert_int_equal(svc_status_set(&s->svc, MODEL_KIND_CONN, PROJECT_A, s->c.row.id, "ERROR", 0,
                                    "DOWN", 0, "late"),
                     -ENOENT);
    expect_status(s, "ERROR");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_a_change_from_the_current_status_is_stored_and_logged_with_its_reason, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_a_change_from_another_status_than_the_current_one_changes_nothing, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_a_change_of_an_unknown_connection_is_enoent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_a_status_that_is_not_a_connection_status_is_refused_with_its_field, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_a_held_connection_refuses_a_change_from_outside_and_logs_nothing, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_a_connection_released_from_its_hold_takes_changes_from_outside_again, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_a_forced_status_is_logged_with_its_reason_and_a_stale_one_changes_nothing, setup,
            teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
