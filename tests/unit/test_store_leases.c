/* Contract tests (every backend) for the data-plane leases: which node drives a gateway's
 * tunnels (store_leases_take, store_lease_get). */
#include <sys/wait.h>

#include "test_store_fixture.h"

#define NODE_A "node-a"
#define NODE_B "node-b"
#define LEASE 15000

/* The gateways node holds after a take at now, as "project/vgw" joined by spaces. */
static int take(struct fx *f, const char *node, int64_t now, char *out, size_t size)
{
    struct buf b = {0};
    size_t n = 0, pos = 0;
    int r = store_leases_take(f->s, node, now, now + LEASE, &b, &n);

    out[0] = '\0';
    for (size_t i = 0; r == 0 && i < n; i++) {
        const char *project = b.data + pos;
        const char *vgw = project + strlen(project) + 1;
        snprintf(out + strlen(out), size - strlen(out), "%s%.4s/%s", i ? " " : "", project,
                 vgw + 33);
        pos += strlen(project) + strlen(vgw) + 2;
    }
    if (r == 0)
        assert_int_equal(pos, b.len);
    buf_free(&b);
    return r;
}

static void holder(struct fx *f, const char *project, const char *vgw, const char *node,
                   int64_t until)
{
    char got[STORE_NODE_LEN];
    int64_t at = 0;

    assert_int_equal(store_lease_get(f->s, project, vgw, got, &at), 0);
    assert_string_equal(got, node);
    assert_int_equal(at, until);
}

static void test_every_free_gateway_is_taken_by_the_first_node_that_asks(void **state)
{
    struct fx *f = *state;
    char held[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    fx_add_vgw(f, PROJECT_B, VGW_2, 10);
    assert_int_equal(take(f, NODE_A, T0, held, sizeof(held)), 0);
    assert_string_equal(held, "0605/0ab 1605/0ac");
    holder(f, PROJECT_A, VGW_1, NODE_A, T0 + LEASE);
    holder(f, PROJECT_B, VGW_2, NODE_A, T0 + LEASE);
}

static void test_a_lease_another_node_holds_is_left_until_it_expires(void **state)
{
    struct fx *f = *state;
    char held[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    assert_int_equal(take(f, NODE_A, T0, held, sizeof(held)), 0);
    assert_int_equal(take(f, NODE_B, T0 + LEASE - 1, held, sizeof(held)), 0);
    assert_string_equal(held, "");
    holder(f, PROJECT_A, VGW_1, NODE_A, T0 + LEASE);
}

static void test_an_expired_lease_is_taken_over_by_another_node(void **state)
{
    struct fx *f = *state;
    char held[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    assert_int_equal(take(f, NODE_A, T0, held, sizeof(held)), 0);
    assert_int_equal(take(f, NODE_B, T0 + LEASE, held, sizeof(held)), 0);
    assert_string_equal(held, "0605/0ab");
    holder(f, PROJECT_A, VGW_1, NODE_B, T0 + 2 * LEASE);
    /* the old holder, back late, finds it taken */
    assert_int_equal(take(f, NODE_A, T0 + LEASE + 1, held, sizeof(held)), 0);
    assert_string_equal(held, "");
}

static void test_the_holder_renews_its_lease_and_new_gateways_join_it(void **state)
{
    struct fx *f = *state;
    char held[256];

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    assert_int_equal(take(f, NODE_A, T0, held, sizeof(held)), 0);
    fx_add_vgw(f, PROJECT_A, VGW_2, 10);
    assert_int_equal(take(f, NODE_A, T0 + 5000, held, sizeof(held)), 0);
    assert_string_equal(held, "0605/0ab 0605/0ac");
    holder(f, PROJECT_A, VGW_1, NODE_A, T0 + 5000 + LEASE);
    /* renewed: not expired for another node at the first lease's end */
    assert_int_equal(take(f, NODE_B, T0 + LEASE, held, sizeof(held)), 0);
    assert_string_equal(held, "");
}

static void test_the_lease_of_a_deleted_gateway_goes_with_the_next_take(void **state)
{
    struct fx *f = *state;
    char held[256], node[STORE_NODE_LEN];
    int64_t until, users = 0;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    assert_int_equal(take(f, NODE_A, T0, held, sizeof(held)), 0);
    assert_int_equal(store_vgw_delete(f->s, PROJECT_A, VGW_1, &users), 0);
    assert_int_equal(take(f, NODE_B, T0 + 1, held, sizeof(held)), 0);
    assert_string_equal(held, "");
    assert_int_equal(store_lease_get(f->s, PROJECT_A, VGW_1, node, &until), -ENOENT);
}

static void test_a_gateway_without_a_lease_has_no_holder(void **state)
{
    struct fx *f = *state;
    char node[STORE_NODE_LEN];
    int64_t until;

    fx_add_vgw(f, PROJECT_A, VGW_1, 10);
    assert_int_equal(store_lease_get(f->s, PROJECT_A, VGW_1, node, &until), -ENOENT);
}

static void test_an_empty_or_too_long_node_name_is_refused(void **state)
{
    struct fx *f = *state;
    char held[256], longname[STORE_NODE_LEN + 1];

    memset(longname, 'n', STORE_NODE_LEN);
    longname[STORE_NODE_LEN] = '\0';
    assert_int_equal(take(f, "", T0, held, sizeof(held)), -EINVAL);
    assert_int_equal(take(f, longname, T0, held, sizeof(held)), -EINVAL);
}

/* Two processes, each with its own handle, take leases at once, again and again: no gateway is
 * ever reported held by both. */
static void taker(const char *url, const char *node, int fd)
{
    struct store *s;
    char err[256];

    if (store_open(url, &s, err, sizeof(err)) < 0)
        _exit(2);
    for (int i = 0; i < 40; i++) {
        struct buf b = {0};
        size_t n = 0, pos = 0;
        int r = store_leases_take(s, node, T0 + i, T0 + i + LEASE, &b, &n);
        if (r == -EBUSY) {
            buf_free(&b);
            continue;
        }
        if (r < 0)
            _exit(3);
        for (size_t k = 0; k < n; k++) {
            const char *project = b.data + pos, *vgw = project + strlen(project) + 1;
            dprintf(fd, "%s %s\n", node, vgw);
            pos += strlen(project) + strlen(vgw) + 2;
        }
        buf_free(&b);
    }
    store_close(s);
    _exit(0);
}

static void test_two_nodes_taking_at_once_never_both_hold_a_gateway(void **state)
{
    struct fx *f = *state;
    int fds[2];
    pid_t pids[2];
    char buf[65536];
    size_t len = 0;
    ssize_t got;

    for (int i = 0; i < 20; i++) {
        char id[37];
        snprintf(id, sizeof(id), "7b6c5e0a-1f2d-4c3b-9a8e-%012d", i);
        fx_add_vgw(f, PROJECT_A, id, 10);
    }
    assert_int_equal(pipe(fds), 0);
    for (int i = 0; i < 2; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            close(fds[0]);
            taker(f->path, i ? NODE_B : NODE_A, fds[1]);
        }
    }
    close(fds[1]);
    while ((got = read(fds[0], buf + len, sizeof(buf) - 1 - len)) > 0)
        len += (size_t)got;
    close(fds[0]);
    buf[len] = '\0';
    for (int i = 0; i < 2; i++) {
        int st;
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    for (int i = 0; i < 20; i++) {
        char a[128], b[128];
        snprintf(a, sizeof(a), NODE_A " 7b6c5e0a-1f2d-4c3b-9a8e-%012d\n", i);
        snprintf(b, sizeof(b), NODE_B " 7b6c5e0a-1f2d-4c3b-9a8e-%012d\n", i);
        assert_false(strstr(buf, a) && strstr(buf, b));
        assert_true(strstr(buf, a) || strstr(buf, b));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)
        T(test_every_free_gateway_is_taken_by_the_first_node_that_asks),
        T(test_a_lease_another_node_holds_is_left_until_it_expires),
        T(test_an_expired_lease_is_taken_over_by_another_node),
        T(test_the_holder_renews_its_lease_and_new_gateways_join_it),
        T(test_the_lease_of_a_deleted_gateway_goes_with_the_next_take),
        T(test_a_gateway_without_a_lease_has_no_holder),
        T(test_an_empty_or_too_long_node_name_is_refused),
        T(test_two_nodes_taking_at_once_never_both_hold_a_gateway),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
