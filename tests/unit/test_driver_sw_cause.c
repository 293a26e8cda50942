/* Unit tests for the strongSwan driver's reading of charon's log lines (sw_cause.c): each text
 * recorded from charon 5.9.8 in tests/dataplane names its cause. */
/* clang-format off: cmocka.h needs these first */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
/* clang-format on */

#include "driver/strongswan/strongswan.h"

static void test_a_mac_mismatch_is_authentication_failed(void **state)
{
    (void)state;
    assert_int_equal(
        sw_cause_of("tried 1 shared key for '198.18.1.1' - '198.18.1.2', but MAC mismatched",
                    false),
        SW_CAUSE_AUTH);
    assert_int_equal(sw_cause_of("received AUTHENTICATION_FAILED notify error", false),
                     SW_CAUSE_AUTH);
}

static void test_an_ikev1_payload_that_does_not_decrypt_is_authentication_failed(void **state)
{
    (void)state;
    assert_int_equal(sw_cause_of("invalid HASH_V1 payload length, decryption failed?", false),
                     SW_CAUSE_AUTH);
}

static void test_proposal_refusals_of_either_side_are_no_proposal_chosen(void **state)
{
    (void)state;
    assert_int_equal(sw_cause_of("received NO_PROPOSAL_CHOSEN notify error", false),
                     SW_CAUSE_PROPOSAL);
    assert_int_equal(sw_cause_of("received NO_PROPOSAL_CHOSEN error notify", false),
                     SW_CAUSE_PROPOSAL);
    assert_int_equal(sw_cause_of("received proposals unacceptable", false), SW_CAUSE_PROPOSAL);
    assert_int_equal(sw_cause_of("no acceptable proposal found", false), SW_CAUSE_PROPOSAL);
}

static void test_an_ikev1_responder_refusing_the_ike_proposal_is_no_proposal_chosen(void **state)
{
    (void)state;
    /* main mode, logged by the cloud under the unnamed IKE SA a customer started */
    assert_int_equal(sw_cause_of("no proposal found", false), SW_CAUSE_PROPOSAL);
}

static void test_selectors_refused_are_traffic_selectors_unacceptable(void **state)
{
    (void)state;
    assert_int_equal(
        sw_cause_of("traffic selectors 198.19.4.0/24 === 198.19.104.0/24 unacceptable", false),
        SW_CAUSE_TS);
    assert_int_equal(sw_cause_of("received TS_UNACCEPTABLE notify, no CHILD_SA built", false),
                     SW_CAUSE_TS);
}

static void test_a_delete_from_the_peer_is_deleted_by_peer(void **state)
{
    (void)state;
    assert_int_equal(sw_cause_of("received DELETE for IKE_SA vpnd-x[2]", true), SW_CAUSE_DELETED);
}

static void test_retransmits_running_out_are_dpd_while_up_and_unreachable_otherwise(void **state)
{
    (void)state;
    assert_int_equal(sw_cause_of("giving up after 2 retransmits", true), SW_CAUSE_DPD);
    assert_int_equal(sw_cause_of("giving up after 2 retransmits", false), SW_CAUSE_UNREACHABLE);
    assert_int_equal(sw_cause_of("DPD check timed out, enforcing DPD action", true),
                     SW_CAUSE_DPD);
}

static void test_an_ordinary_line_names_no_cause(void **state)
{
    (void)state;
    assert_int_equal(sw_cause_of("sending packet: from 198.18.1.1[500] to 198.18.1.2[500]", true),
                     SW_CAUSE_NONE);
}

static void test_a_reason_is_the_label_then_charons_words(void **state)
{
    char out[64];

    (void)state;
    sw_cause_reason(SW_CAUSE_DELETED, "received DELETE for IKE_SA vpnd-x[2]", out, sizeof(out));
    assert_string_equal(out, "deleted by peer: received DELETE for IKE_SA vpnd-x[2]");
    sw_cause_reason(SW_CAUSE_AUTH, "a very long line of charon that does not fit the buffer",
                    out, 24);
    assert_string_equal(out, "authentication failed: ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_mac_mismatch_is_authentication_failed),
        cmocka_unit_test(test_an_ikev1_payload_that_does_not_decrypt_is_authentication_failed),
        cmocka_unit_test(test_proposal_refusals_of_either_side_are_no_proposal_chosen),
        cmocka_unit_test(test_an_ikev1_responder_refusing_the_ike_proposal_is_no_proposal_chosen),
        cmocka_unit_test(test_selectors_refused_are_traffic_selectors_unacceptable),
        cmocka_unit_test(test_a_delete_from_the_peer_is_deleted_by_peer),
        cmocka_unit_test(test_retransmits_running_out_are_dpd_while_up_and_unreachable_otherwise),
        cmocka_unit_test(test_an_ordinary_line_names_no_cause),
        cmocka_unit_test(test_a_reason_is_the_label_then_charons_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
