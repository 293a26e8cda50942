/* The control surface's bodies (model/control.c): what each accepts, the exact refusal of what it
 * does not, and stored rules that read back as they were written. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/model.h"

static struct model_body *body_of(const char *text)
{
    struct model_body *b = NULL;
    struct verr err = {0};

    if (model_body_parse(text, strlen(text), true, &b, &err) < 0)
        fail_msg("not a body: %s (%s)", text, err.msg);
    return b;
}

/* Parses text with fn and asserts the refusal message. */
#define ASSERT_REFUSED(fn, text, want)                                                             \
    do {                                                                                           \
        struct model_body *b_ = body_of(text);                                                     \
        struct verr e_ = {0};                                                                      \
        __typeof__(fn##_out) out_;                                                                 \
        int r_ = fn(b_, &out_, &e_);                                                               \
        model_body_free(b_);                                                                       \
        if (r_ != -EINVAL || strcmp(e_.msg, want) != 0)                                            \
            fail_msg("%s: want \"%s\", got %d \"%s\"", text, want, r_, e_.msg);                  \
    } while (0)

static struct model_ctl_status model_ctl_status_parse_out;
static struct model_ctl_transition model_ctl_transition_parse_out;
static struct model_ctl_fault model_ctl_fault_parse_out;
static struct model_ctl_clock model_ctl_clock_parse_out;

static void test_a_forced_status_names_a_kind_a_resource_and_a_documented_status(void **state)
{
    struct model_body *b = body_of("{\"kind\":\"vpn_connection\",\"project_id\":\"p1\",\"id\":\"c1\","
                                   "\"status\":\"FREEZED\",\"hold\":true}");
    struct model_ctl_status st;
    struct verr err = {0};

    (void)state;
    assert_int_equal(model_ctl_status_parse(b, &st, &err), 0);
    model_body_free(b);
    assert_int_equal(st.kind, MODEL_KIND_CONN);
    assert_string_equal(st.project_id, "p1");
    assert_string_equal(st.id, "c1");
    assert_ptr_equal(st.status, MODEL_STATUS(FREEZED));
    assert_true(st.hold);
}

static void test_a_forced_status_its_kind_does_not_have_is_refused_with_the_list(void **state)
{
    (void)state;
    ASSERT_REFUSED(model_ctl_status_parse,
                   "{\"kind\":\"vpn_gateway\",\"project_id\":\"p\",\"id\":\"g\",\"status\":\"DOWN\"}",
                   "status: must be a documented status of a vpn_gateway (PENDING_CREATE, "
                   "PENDING_UPDATE, PENDING_DELETE, ACTIVE, FAULT, FREEZED), got \"DOWN\"");
    ASSERT_REFUSED(model_ctl_status_parse,
                   "{\"kind\":\"connection_monitor\",\"project_id\":\"p\",\"id\":\"m\","
                   "\"status\":\"ERROR\"}",
                   "status: must be a documented status of a connection_monitor (ACTIVE, "
                   "PENDING_CREATE, PENDING_DELETE), got \"ERROR\"");
}

static void test_a_control_body_refuses_a_member_it_does_not_have(void **state)
{
    (void)state;
    ASSERT_REFUSED(model_ctl_status_parse,
                   "{\"kind\":\"vpn_connection\",\"project_id\":\"p\",\"id\":\"c\","
                   "\"status\":\"ERROR\",\"hodl\":true}",
                   "\"hodl\": is not a member of this body (members: kind, project_id, id, status, "
                   "hold)");
}

static void test_an_unknown_kind_and_a_missing_one_are_refused(void **state)
{
    (void)state;
    ASSERT_REFUSED(model_ctl_status_parse, "{\"kind\":\"customer_gateway\"}",
                   "kind: must be one of vpn_gateway, vpn_connection, connection_monitor, got "
                   "\"customer_gateway\"");
    ASSERT_REFUSED(model_ctl_transition_parse, "{\"progress\":\"manual\"}",
                   "kind: is required (must be one of vpn_gateway, vpn_connection, "
                   "connection_monitor)");
}

static void test_a_transition_rule_reads_back_from_its_stored_form(void **state)
{
    struct model_body *b = body_of("{\"kind\":\"vpn_connection\",\"project_id\":\"p1\",\"vgw_id\":"
                                   "\"g1\",\"from\":\"PENDING_CREATE\",\"progress\":\"reads\","
                                   "\"reads\":3,\"to\":\"ERROR\",\"count\":2}");
    struct model_ctl_transition t, back;
    struct verr err = {0};
    struct buf text = {0}, again = {0};

    (void)state;
    assert_int_equal(model_ctl_transition_parse(b, &t, &err), 0);
    model_body_free(b);
    snprintf(t.id, sizeof(t.id), "11111111-2222-4333-8444-555555555555");
    t.created_at = 1669470094626;
    assert_int_equal(model_ctl_transition_write(&t, -1, &text), 0);
    assert_string_equal(text.data,
                        "{\"rule\":\"11111111-2222-4333-8444-555555555555\",\"kind\":"
                        "\"vpn_connection\",\"project_id\":\"p1\",\"vgw_id\":\"g1\",\"from\":"
                        "\"PENDING_CREATE\",\"progress\":\"reads\",\"reads\":3,\"to\":\"ERROR\","
                        "\"count\":2,\"created_at\":1669470094626}");
    assert_int_equal(model_ctl_transition_load(text.data, &back), 0);
    assert_int_equal(model_ctl_transition_write(&back, -1, &again), 0);
    assert_string_equal(again.data, text.data);
    buf_free(&text);
    buf_free(&again);
}

static void test_a_transition_rule_refuses_options_of_another_progress(void **state)
{
    (void)state;
    ASSERT_REFUSED(model_ctl_transition_parse, "{\"kind\":\"vpn_gateway\",\"progress\":\"reads\"}",
                   "reads: is required with progress reads (the GET that settles the resource, 1 "
                   "to 1000000)");
    ASSERT_REFUSED(model_ctl_transition_parse,
                   "{\"kind\":\"vpn_gateway\",\"progress\":\"manual\",\"delay_ms\":5}",
                   "delay_ms: is only for progress delay");
    ASSERT_REFUSED(model_ctl_transition_parse,
                   "{\"kind\":\"vpn_gateway\",\"progress\":\"later\"}",
                   "progress: must be one of delay, manual, reads, got \"later\"");
    ASSERT_REFUSED(model_ctl_transition_parse, "{\"kind\":\"vpn_gateway\",\"vgw_id\":\"g\"}",
                   "vgw_id: only connections have a gateway (kind vpn_connection)");
    ASSERT_REFUSED(model_ctl_transition_parse,
                   "{\"kind\":\"vpn_connection\",\"to\":\"PENDING_UPDATE\"}",
                   "to: must be a settled status of a vpn_connection (ACTIVE, DOWN, ERROR, FREEZED, "
                   "UNKNOWN), got \"PENDING_UPDATE\"");
    ASSERT_REFUSED(model_ctl_transition_parse, "{\"kind\":\"vpn_connection\",\"from\":\"DOWN\"}",
                   "from: must be a pending status of a vpn_connection (PENDING_CREATE, "
                   "PENDING_UPDATE, PENDING_DELETE), got \"DOWN\"");
    ASSERT_REFUSED(model_ctl_transition_parse, "{\"kind\":\"vpn_connection\",\"id\":\"c\"}",
                   "id: needs project_id (ids are unique within a project)");
}

static void test_a_fault_rule_needs_an_effect_and_takes_one_answer(void **state)
{
    (void)state;
    ASSERT_REFUSED(model_ctl_fault_parse, "{\"operation\":\"vpn_connection.show\"}",
                   "a fault needs an effect: status (an error answer), latency_ms or drop");
    ASSERT_REFUSED(model_ctl_fault_parse, "{\"status\":500,\"drop\":true}",
                   "drop: cannot be combined with status (a dropped connection gets no answer)");
    ASSERT_REFUSED(model_ctl_fault_parse, "{\"error_code\":\"VPN.0002\",\"latency_ms\":5}",
                   "error_code: needs status (the HTTP status of the error answer, 400 to 599)");
    ASSERT_REFUSED(model_ctl_fault_parse, "{\"status\":302}",
                   "status: must be an integer from 400 to 599, got 302");
    ASSERT_REFUSED(model_ctl_fault_parse, "{\"latency_ms\":5,\"apply\":true}",
                   "apply: is only for an error answer (status) or drop");
}

static void test_a_fault_probability_is_above_0_and_at_most_1(void **state)
{
    (void)state;
    ASSERT_REFUSED(model_ctl_fault_parse, "{\"status\":500,\"probability\":0}",
                   "probability: must be a number above 0 and at most 1, got 0");
    ASSERT_REFUSED(model_ctl_fault_parse, "{\"status\":500,\"probability\":1.5}",
                   "probability: must be a number above 0 and at most 1, got 1.5");
    ASSERT_REFUSED(model_ctl_fault_parse, "{\"status\":500,\"probability\":\"half\"}",
                   "probability: must be a number above 0 and at most 1, got string");
    ASSERT_REFUSED(model_ctl_fault_parse, "{\"method\":\"PATCH\",\"status\":500}",
                   "method: must be one of GET, POST, PUT, DELETE, got \"PATCH\"");
    ASSERT_REFUSED(model_ctl_fault_parse, "{\"path\":\"v5/*\",\"status\":500}",
                   "path: must start with / (a pattern of the request path, * within one "
                   "segment)");
}

static void test_an_injected_status_gets_the_error_code_vpnd_answers_it_with(void **state)
{
    static const struct {
        int status;
        const char *code;
    } want[] = {{429, "APIGW.0308"}, {500, "VPN.0002"}, {503, "VPN.0002"},
                {504, "VPN.0014"},   {404, "VPN.0004"}, {400, "VPN.0001"}};
    char text[64];

    (void)state;
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct model_ctl_fault f;
        struct verr err = {0};
        snprintf(text, sizeof(text), "{\"status\":%d}", want[i].status);
        struct model_body *b = body_of(text);
        assert_int_equal(model_ctl_fault_parse(b, &f, &err), 0);
        model_body_free(b);
        assert_string_equal(f.error_code, want[i].code);
    }
}

static void test_a_fault_rule_reads_back_from_its_stored_form(void **state)
{
    struct model_body *b = body_of("{\"method\":\"GET\",\"operation\":\"vpn_connection.show\","
                                   "\"path\":\"/v5/*/vpn-connection/*\",\"probability\":0.25,"
                                   "\"seed\":42,\"status\":503,\"error_msg\":\"try later\","
                                   "\"latency_ms\":20,\"count\":3}");
    struct model_ctl_fault f, back;
    struct verr err = {0};
    struct buf text = {0}, again = {0};

    (void)state;
    assert_int_equal(model_ctl_fault_parse(b, &f, &err), 0);
    model_body_free(b);
    snprintf(f.id, sizeof(f.id), "11111111-2222-4333-8444-555555555555");
    assert_int_equal(model_ctl_fault_write(&f, 1, &text), 0);
    assert_non_null(strstr(text.data, "\"probability\":0.25,\"seed\":42,\"status\":503,"
                                      "\"error_code\":\"VPN.0002\",\"error_msg\":\"try later\","
                                      "\"latency_ms\":20,\"count\":3,\"injected\":1,"
                                      "\"remaining\":2"));
    buf_reset(&text);
    assert_int_equal(model_ctl_fault_write(&f, -1, &text), 0);
    assert_int_equal(model_ctl_fault_load(text.data, &back), 0);
    assert_true(back.probability == 0.25 && back.seed == 42 && back.has_seed);
    assert_int_equal(model_ctl_fault_write(&back, -1, &again), 0);
    assert_string_equal(again.data, text.data);
    buf_free(&text);
    buf_free(&again);
}

static void test_a_clock_body_must_say_something_to_do(void **state)
{
    struct model_body *b = body_of("{\"set\":\"2030-01-01T00:00:00.000Z\",\"freeze\":true}");
    struct model_ctl_clock c;
    struct verr err = {0};

    (void)state;
    assert_int_equal(model_ctl_clock_parse(b, &c, &err), 0);
    model_body_free(b);
    assert_true(c.has_set);
    assert_int_equal(c.set, 1893456000000);
    assert_int_equal(c.freeze, 1);
    ASSERT_REFUSED(model_ctl_clock_parse, "{}",
                   "the body says nothing to do: give reset, set, advance_ms or freeze");
    ASSERT_REFUSED(model_ctl_clock_parse, "{\"set\":\"tomorrow\"}",
                   "set: must be a time: milliseconds since 1970 or "
                   "\"yyyy-MM-ddTHH:mm:ss.SSSZ\", got \"tomorrow\"");
    ASSERT_REFUSED(model_ctl_clock_parse, "{\"advance_ms\":-5}",
                   "advance_ms: must be an integer from 0 to 315576000000, got -5");
}

static void test_a_held_resource_reads_back_from_its_stored_form(void **state)
{
    struct model_ctl_held h = {.kind = MODEL_KIND_MONITOR,
                               .status = MODEL_STATUS(PENDING_DELETE),
                               .progress = MODEL_PROGRESS_DELAY,
                               .due = 1669470094626,
                               .to = MODEL_STATUS(ACTIVE),
                               .since = 1669470094000};
    struct model_ctl_held back;
    struct buf text = {0};

    (void)state;
    snprintf(h.project_id, sizeof(h.project_id), "p1");
    snprintf(h.id, sizeof(h.id), "m1");
    snprintf(h.rule, sizeof(h.rule), "r1");
    assert_int_equal(model_ctl_held_write(&h, &text), 0);
    assert_int_equal(model_ctl_held_load(text.data, &back), 0);
    assert_int_equal(back.kind, MODEL_KIND_MONITOR);
    assert_ptr_equal(back.status, MODEL_STATUS(PENDING_DELETE));
    assert_ptr_equal(back.to, MODEL_STATUS(ACTIVE));
    assert_int_equal(back.progress, MODEL_PROGRESS_DELAY);
    assert_int_equal(back.due, h.due);
    assert_string_equal(back.rule, "r1");
    buf_free(&text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_forced_status_names_a_kind_a_resource_and_a_documented_status),
        cmocka_unit_test(test_a_forced_status_its_kind_does_not_have_is_refused_with_the_list),
        cmocka_unit_test(test_a_control_body_refuses_a_member_it_does_not_have),
        cmocka_unit_test(test_an_unknown_kind_and_a_missing_one_are_refused),
        cmocka_unit_test(test_a_transition_rule_reads_back_from_its_stored_form),
        cmocka_unit_test(test_a_transition_rule_refuses_options_of_another_progress),
        cmocka_unit_test(test_a_fault_rule_needs_an_effect_and_takes_one_answer),
        cmocka_unit_test(test_a_fault_probability_is_above_0_and_at_most_1),
        cmocka_unit_test(test_an_injected_status_gets_the_error_code_vpnd_answers_it_with),
        cmocka_unit_test(test_a_fault_rule_reads_back_from_its_stored_form),
        cmocka_unit_test(test_a_clock_body_must_say_something_to_do),
        cmocka_unit_test(test_a_held_resource_reads_back_from_its_stored_form),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
