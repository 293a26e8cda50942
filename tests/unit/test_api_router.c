/* Unit tests for api/router: segment matching, captures, and literal segments beating {id}. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "api/router.h"
#include "util/macro.h"

static int h_show(struct api_ctx *ctx)
{
    (void)ctx;
    return 0;
}
static int h_tags(struct api_ctx *ctx)
{
    (void)ctx;
    return 0;
}
static int h_list(struct api_ctx *ctx)
{
    (void)ctx;
    return 0;
}
static int h_reset(struct api_ctx *ctx)
{
    (void)ctx;
    return 0;
}
static int h_delete(struct api_ctx *ctx)
{
    (void)ctx;
    return 0;
}

/* the {id} route stands before the literal one: the literal must still win */
static const struct route routes[] = {
    {"GET", "/v5/{project_id}/vpn-connection/{id}", h_show, 0, "test"},
    {"GET", "/v5/{project_id}/vpn-connection/tags", h_tags, 0, "test"},
    {"GET", "/v5/{project_id}/vpn-connection", h_list, 0, "test"},
    {"POST", "/v5/{project_id}/vpn-connection/{id}/reset", h_reset, 0, "test"},
    {"DELETE", "/v5/{project_id}/vpn-connection/{id}", h_delete, 0, "test"},
};

static const struct route *match(const char *method, const char *path, struct api_call *call)
{
    static struct router rt;
    *call = (struct api_call){0};
    assert_int_equal(router_init(&rt, routes, ARRAY_SIZE(routes)), 0);
    return router_match(&rt, method, path, call);
}

static void test_id_route_captures_project_and_id(void **state)
{
    (void)state;
    struct api_call c;
    const struct route *r = match("GET", "/v5/p1/vpn-connection/abc-123", &c);
    assert_non_null(r);
    assert_ptr_equal(r->handler, h_show);
    assert_string_equal(c.project_id, "p1");
    assert_string_equal(c.id, "abc-123");
}

static void test_literal_segment_beats_id_even_when_listed_after_it(void **state)
{
    (void)state;
    struct api_call c;
    const struct route *r = match("GET", "/v5/p1/vpn-connection/tags", &c);
    assert_non_null(r);
    assert_ptr_equal(r->handler, h_tags);
    assert_string_equal(c.project_id, "p1");
    assert_string_equal(c.id, "");
}

static void test_one_trailing_slash_is_tolerated_two_are_not(void **state)
{
    (void)state;
    struct api_call c;
    assert_ptr_equal(match("GET", "/v5/p1/vpn-connection/", &c)->handler, h_list);
    assert_ptr_equal(match("GET", "/v5/p1/vpn-connection/x1/", &c)->handler, h_show);
    assert_string_equal(c.id, "x1");
    assert_null(match("GET", "/v5/p1/vpn-connection//", &c));
    assert_null(match("GET", "/v5/p1/vpn-connection/x1//", &c));
}

static void test_empty_or_overlong_parameters_never_match(void **state)
{
    (void)state;
    struct api_call c;
    char path[200], id[ROUTER_MAX_PARAM + 1];
    assert_null(match("GET", "/v5//vpn-connection/x", &c));
    memset(id, 'a', ROUTER_MAX_PARAM);
    id[ROUTER_MAX_PARAM] = '\0'; /* 65 bytes: one too many */
    snprintf(path, sizeof(path), "/v5/p/vpn-connection/%s", id);
    assert_null(match("GET", path, &c));
    id[ROUTER_MAX_PARAM - 1] = '\0'; /* 64 bytes: fits */
    snprintf(path, sizeof(path), "/v5/p/vpn-connection/%s", id);
    assert_non_null(match("GET", path, &c));
    assert_string_equal(c.id, id);
}

static void test_method_path_and_segment_count_must_all_agree(void **state)
{
    (void)state;
    struct api_call c;
    assert_null(match("PUT", "/v5/p1/vpn-connection/x", &c));
    assert_null(match("GET", "/v5/p1/vpn-connection/x/reset", &c));
    assert_ptr_equal(match("POST", "/v5/p1/vpn-connection/x/reset", &c)->handler, h_reset);
    assert_ptr_equal(match("DELETE", "/v5/p1/vpn-connection/x", &c)->handler, h_delete);
    assert_null(match("GET", "/v5/p1/vpn-connections/x", &c));
    assert_null(match("GET", "/v5/p1/vpn-connectio/x", &c));
    assert_null(match("GET", "/v5/p1", &c));
    assert_null(match("GET", "v5/p1/vpn-connection", &c));
    assert_null(match("GET", "", &c));
    assert_null(match("GET", "/", &c));
    assert_null(match("GET", "/v5/p1/vpn-connection/a/b/c/d/e/f/g/h/i/j", &c));
}

static void test_init_refuses_tables_it_cannot_hold(void **state)
{
    (void)state;
    static struct router rt;
    static struct route many[ROUTER_MAX_ROUTES + 1];
    const struct route deep[] = {{"GET", "/a/b/c/d/e/f/g/h/i", h_show, 0, "test"}};
    const struct route relative[] = {{"GET", "v5/{project_id}", h_show, 0, "test"}};
    for (size_t i = 0; i < ARRAY_SIZE(many); i++)
        many[i] = (struct route){"GET", "/v5/{project_id}/x", h_show, 0, "test"};
    assert_int_equal(router_init(&rt, many, ARRAY_SIZE(many)), -EINVAL);
    assert_int_equal(router_init(&rt, many, ROUTER_MAX_ROUTES), 0);
    assert_int_equal(router_init(&rt, deep, 1), -EINVAL);
    assert_int_equal(router_init(&rt, relative, 1), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_route_captures_project_and_id),
        cmocka_unit_test(test_literal_segment_beats_id_even_when_listed_after_it),
        cmocka_unit_test(test_one_trailing_slash_is_tolerated_two_are_not),
        cmocka_unit_test(test_empty_or_overlong_parameters_never_match),
        cmocka_unit_test(test_method_path_and_segment_count_must_all_agree),
        cmocka_unit_test(test_init_refuses_tables_it_cannot_hold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
