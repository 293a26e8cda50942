/* Unit tests for the VICI client (driver/strongswan/vici_client) against a scripted peer on a
 * real Unix socket: ordering, streams, timeouts, garbage, reconnect and back-off. What charon
 * itself does is tested with real charons in tests/dataplane. */
/* clang-format off: cmocka.h needs these first */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>
/* clang-format on */

#include "driver/strongswan/vici_client.h"
#include "util/ids.h"

/* What the client told its owner. */
struct seen {
    int ups, downs;
    char why[64];
    int events;
    char last_event[64];
    int replies;
    int last_r;
    char last_reply_key[32];
    int streamed;
    struct vici_client *client; /* for callbacks that queue more */
    bool requeue;
    bool went_up, went_down, replied; /* set by the callbacks; tests clear them */
};

struct fx {
    char dir[64];
    char path[128];
    char url[160];
    int lfd; /* listening socket */
    int sfd; /* the accepted connection */
    struct vici_client *c;
    struct seen seen;
};

static void on_state(void *ctx, bool up, const char *why)
{
    struct seen *s = ctx;
    if (up) {
        s->ups++;
        s->went_up = true;
    } else {
        s->downs++;
        s->went_down = true;
    }
    snprintf(s->why, sizeof(s->why), "%s", why);
}

static void on_event(void *ctx, const char *name, const struct vici_tree *msg)
{
    struct seen *s = ctx;
    (void)msg;
    s->events++;
    snprintf(s->last_event, sizeof(s->last_event), "%s", name);
}

static void on_reply(void *ctx, int r, const struct vici_tree *res)
{
    struct seen *s = ctx;
    s->replies++;
    s->replied = true;
    s->last_r = r;
    s->last_reply_key[0] = '\0';
    if (res && res->n > 1)
        snprintf(s->last_reply_key, sizeof(s->last_reply_key), "%.*s", (int)res->nodes[1].name_len,
                 res->nodes[1].name);
    if (s->requeue) {
        s->requeue = false;
        assert_int_equal(vici_client_call(s->client, "second", NULL, 0, NULL, NULL, on_reply, s),
                         0);
    }
}

static void on_stream(void *ctx, const struct vici_tree *ev)
{
    struct seen *s = ctx;
    (void)ev;
    s->streamed++;
}

static const struct vici_client_ops ops = {.state = on_state, .event = on_event};

static void listen_at(struct fx *f)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    strcpy(sa.sun_path, f->path);
    f->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(f->lfd >= 0);
    assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(f->lfd, 4), 0);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    strcpy(f->dir, "/tmp/vpnd-vici-test.XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->path, sizeof(f->path), "%s/charon.vici", f->dir);
    snprintf(f->url, sizeof(f->url), "unix://%s", f->path);
    f->sfd = -1;
    listen_at(f);
    struct vici_client_opts o = {
        .backoff_min_ms = 10, .backoff_max_ms = 40, .request_timeout_ms = 200};
    assert_int_equal(vici_client_new(f->url, &ops, &f->seen, &o, &f->c), 0);
    f->seen.client = f->c;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    vici_client_free(f->c);
    if (f->sfd >= 0)
        close(f->sfd);
    if (f->lfd >= 0)
        close(f->lfd);
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Drives the client until *flag is true (fails after 2 s). */
static void run_until(struct fx *f, const bool *flag)
{
    assert_int_equal(vici_client_run(f->c, flag, 2000), 0);
}

/* Drives the client for ms milliseconds. */
static void run_for(struct fx *f, int ms)
{
    bool never = false;
    assert_int_equal(vici_client_run(f->c, &never, ms), -EIO);
}

static void srv_accept(struct fx *f)
{
    if (f->sfd >= 0)
        close(f->sfd);
    f->sfd = accept4(f->lfd, NULL, NULL, SOCK_CLOEXEC);
    assert_true(f->sfd >= 0);
}

static void srv_send(struct fx *f, const void *p, size_t n)
{
    assert_int_equal(write(f->sfd, p, n), (ssize_t)n);
}

/* Sends one packet; msg may be NULL. */
static void srv_packet(struct fx *f, enum vici_op op, const char *name, const struct buf *msg)
{
    struct buf b = {0};
    assert_int_equal(vici_packet_encode(&b, op, name, msg ? msg->data : NULL, msg ? msg->len : 0),
                     0);
    srv_send(f, b.data, b.len);
    buf_free(&b);
}

/* A message {key = value}. */
static struct buf kv_msg(const char *key, const char *value)
{
    struct vici_builder b;
    vici_builder_init(&b);
    vici_add_kv(&b, key, value);
    assert_int_equal(vici_builder_finish(&b), 0);
    return b.buf;
}

/* Reads one packet the client sent, driving the client while waiting; returns its type and
 * copies its name. */
static enum vici_op srv_read(struct fx *f, char name[VICI_MAX_NAME + 1])
{
    uint8_t buf[4096];
    size_t len = 0;
    int64_t end = ids_mono_ms() + 2000;
    for (;;) {
        struct vici_packet pk;
        size_t used;
        int r = vici_frame_next(buf, len, &used, &pk);
        assert_true(r >= 0);
        if (r == 1) {
            assert_int_equal(used, len); /* one packet at a time */
            snprintf(name, VICI_MAX_NAME + 1, "%.*s", (int)pk.name_len, pk.name ? pk.name : "");
            return pk.op;
        }
        assert_true(ids_mono_ms() < end);
        struct pollfd p = {.fd = f->sfd, .events = POLLIN};
        if (poll(&p, 1, 10) == 1) {
            ssize_t n = read(f->sfd, buf + len, sizeof(buf) - len);
            assert_true(n > 0);
            len += (size_t)n;
        } else {
            run_for(f, 5);
        }
    }
}

/* True if the client sent nothing within ms milliseconds. */
static bool srv_quiet(struct fx *f, int ms)
{
    struct pollfd p = {.fd = f->sfd, .events = POLLIN};
    return poll(&p, 1, ms) == 0;
}

/* Starts the client, accepts it and confirms its registrations. */
static void connect_up(struct fx *f, size_t n_subs)
{
    char name[VICI_MAX_NAME + 1];
    vici_client_start(f->c);
    srv_accept(f);
    for (size_t i = 0; i < n_subs; i++) {
        assert_int_equal(srv_read(f, name), VICI_EVENT_REGISTER);
        srv_packet(f, VICI_EVENT_CONFIRM, NULL, NULL);
    }
    bool up = false;
    for (int i = 0; i < 200 && !up; i++) {
        run_for(f, 5);
        up = f->seen.ups > 0;
    }
    assert_true(vici_client_is_up(f->c));
}

static void test_url_must_be_unix_with_an_absolute_path_that_fits(void **state)
{
    (void)state;
    struct vici_client *c = NULL;
    char longurl[200] = "unix:///";
    memset(longurl + 8, 'a', 150);
    longurl[158] = '\0';
    assert_int_equal(vici_client_new("unix://relative", &ops, NULL, NULL, &c), -EINVAL);
    assert_int_equal(vici_client_new("tcp://127.0.0.1:4502", &ops, NULL, NULL, &c), -EINVAL);
    assert_int_equal(vici_client_new(longurl, &ops, NULL, NULL, &c), -EINVAL);
    assert_null(c);
}

static void test_subscriptions_are_confirmed_before_up_is_reported(void **state)
{
    struct fx *f = *state;
    char name[VICI_MAX_NAME + 1];
    assert_int_equal(vici_client_subscribe(f->c, "ike-updown"), 0);
    assert_int_equal(vici_client_subscribe(f->c, "log"), 0);
    vici_client_start(f->c);
    srv_accept(f);
    assert_int_equal(srv_read(f, name), VICI_EVENT_REGISTER);
    assert_string_equal(name, "ike-updown");
    srv_packet(f, VICI_EVENT_CONFIRM, NULL, NULL);
    assert_int_equal(srv_read(f, name), VICI_EVENT_REGISTER);
    assert_string_equal(name, "log");
    assert_int_equal(f->seen.ups, 0);
    srv_packet(f, VICI_EVENT_CONFIRM, NULL, NULL);
    run_for(f, 20);
    assert_int_equal(f->seen.ups, 1);
    assert_true(vici_client_is_up(f->c));
}

static void test_commands_are_sent_one_at_a_time_in_order(void **state)
{
    struct fx *f = *state;
    char name[VICI_MAX_NAME + 1];
    connect_up(f, 0);
    assert_int_equal(vici_client_call(f->c, "first", NULL, 0, NULL, NULL, on_reply, &f->seen), 0);
    assert_int_equal(vici_client_call(f->c, "second", NULL, 0, NULL, NULL, on_reply, &f->seen), 0);
    assert_int_equal(srv_read(f, name), VICI_CMD_REQUEST);
    assert_string_equal(name, "first");
    assert_true(srv_quiet(f, 50));
    struct buf m = kv_msg("one", "1");
    srv_packet(f, VICI_CMD_RESPONSE, NULL, &m);
    assert_int_equal(srv_read(f, name), VICI_CMD_REQUEST);
    assert_string_equal(name, "second");
    assert_int_equal(f->seen.replies, 1);
    assert_string_equal(f->seen.last_reply_key, "one");
    buf_free(&m);
}

static void test_stream_events_go_to_the_command_and_subscribed_ones_to_the_owner(void **state)
{
    struct fx *f = *state;
    char name[VICI_MAX_NAME + 1];
    assert_int_equal(vici_client_subscribe(f->c, "ike-updown"), 0);
    connect_up(f, 1);
    assert_int_equal(
        vici_client_call(f->c, "list-sas", NULL, 0, "list-sa", on_stream, on_reply, &f->seen), 0);
    assert_int_equal(srv_read(f, name), VICI_EVENT_REGISTER);
    assert_string_equal(name, "list-sa");
    srv_packet(f, VICI_EVENT_CONFIRM, NULL, NULL);
    assert_int_equal(srv_read(f, name), VICI_CMD_REQUEST);
    struct buf m = kv_msg("k", "v");
    srv_packet(f, VICI_EVENT, "list-sa", &m);
    srv_packet(f, VICI_EVENT, "ike-updown", &m);
    srv_packet(f, VICI_EVENT, "list-sa", &m);
    srv_packet(f, VICI_EVENT, "child-updown", &m); /* not subscribed: dropped */
    srv_packet(f, VICI_CMD_RESPONSE, NULL, &m);
    run_until(f, &f->seen.replied);
    assert_int_equal(f->seen.streamed, 2);
    assert_int_equal(f->seen.events, 1);
    assert_string_equal(f->seen.last_event, "ike-updown");
    assert_int_equal(f->seen.last_r, 0);
    buf_free(&m);
}

static void test_unknown_command_completes_with_enoent(void **state)
{
    struct fx *f = *state;
    char name[VICI_MAX_NAME + 1];
    connect_up(f, 0);
    assert_int_equal(vici_client_call(f->c, "no-such", NULL, 0, NULL, NULL, on_reply, &f->seen), 0);
    assert_int_equal(srv_read(f, name), VICI_CMD_REQUEST);
    srv_packet(f, VICI_CMD_UNKNOWN, NULL, NULL);
    run_until(f, &f->seen.replied);
    assert_int_equal(f->seen.last_r, -ENOENT);
    assert_true(vici_client_is_up(f->c));
}

static void test_response_split_into_single_bytes_is_reassembled(void **state)
{
    struct fx *f = *state;
    char name[VICI_MAX_NAME + 1];
    struct buf pkt = {0};
    connect_up(f, 0);
    assert_int_equal(vici_client_call(f->c, "version", NULL, 0, NULL, NULL, on_reply, &f->seen), 0);
    assert_int_equal(srv_read(f, name), VICI_CMD_REQUEST);
    struct buf m = kv_msg("daemon", "charon");
    assert_int_equal(vici_packet_encode(&pkt, VICI_CMD_RESPONSE, NULL, m.data, m.len), 0);
    for (size_t i = 0; i < pkt.len; i++) {
        assert_int_equal(f->seen.replies, 0);
        srv_send(f, pkt.data + i, 1);
        vici_client_on_readable(f->c);
    }
    assert_int_equal(f->seen.replies, 1);
    assert_string_equal(f->seen.last_reply_key, "daemon");
    buf_free(&pkt);
    buf_free(&m);
}

static void test_reply_callback_may_queue_the_next_command(void **state)
{
    struct fx *f = *state;
    char name[VICI_MAX_NAME + 1];
    connect_up(f, 0);
    f->seen.requeue = true;
    assert_int_equal(vici_client_call(f->c, "first", NULL, 0, NULL, NULL, on_reply, &f->seen), 0);
    assert_int_equal(srv_read(f, name), VICI_CMD_REQUEST);
    srv_packet(f, VICI_CMD_RESPONSE, NULL, NULL);
    assert_int_equal(srv_read(f, name), VICI_CMD_REQUEST);
    assert_string_equal(name, "second");
}

/* The peer sends raw bytes; the command in flight fails, "down" is reported with why. */
static void garbage_drops(struct fx *f, const void *bytes, size_t n, const char *why)
{
    char name[VICI_MAX_NAME + 1];
    connect_up(f, 0);
    assert_int_equal(vici_client_call(f->c, "cmd", NULL, 0, NULL, NULL, on_reply, &f->seen), 0);
    assert_int_equal(srv_read(f, name), VICI_CMD_REQUEST);
    srv_send(f, bytes, n);
    run_until(f, &f->seen.went_down);
    assert_int_equal(f->seen.replies, 1);
    assert_int_equal(f->seen.last_r, -EIO);
    assert_string_equal(f->seen.why, why);
    assert_int_equal(vici_client_fd(f->c), -1);
}

static void test_zero_length_segment_drops_the_connection(void **state)
{
    static const uint8_t zero[] = {0, 0, 0, 0};
    garbage_drops(*state, zero, sizeof(zero), "malformed packet");
}

static void test_segment_above_512_kib_drops_the_connection(void **state)
{
    static const uint8_t big[] = {0, 8, 0, 1, VICI_CMD_RESPONSE}; /* 512 KiB + 1 */
    garbage_drops(*state, big, sizeof(big), "malformed packet");
}

static void test_malformed_response_message_drops_the_connection(void **state)
{
    static const uint8_t open_section[] = {0, 0, 0, 4, VICI_CMD_RESPONSE, 1, 1, 's'};
    garbage_drops(*state, open_section, sizeof(open_section), "malformed response");
}

static void test_event_confirm_without_a_registration_drops_the_connection(void **state)
{
    static const uint8_t confirm[] = {0, 0, 0, 1, VICI_EVENT_CONFIRM};
    garbage_drops(*state, confirm, sizeof(confirm), "unexpected packet");
}

static void test_malformed_subscribed_event_drops_the_connection(void **state)
{
    struct fx *f = *state;
    static const uint8_t ev[] = {0, 0, 0, 6, VICI_EVENT, 3, 'l', 'o', 'g', 2};
    assert_int_equal(vici_client_subscribe(f->c, "log"), 0);
    connect_up(f, 1);
    srv_send(f, ev, sizeof(ev));
    run_until(f, &f->seen.went_down);
    assert_string_equal(f->seen.why, "malformed event");
}

static void test_peer_close_is_reported_as_charon_closed_the_connection(void **state)
{
    struct fx *f = *state;
    connect_up(f, 0);
    close(f->sfd);
    f->sfd = -1;
    run_until(f, &f->seen.went_down);
    assert_string_equal(f->seen.why, "charon closed the connection");
    assert_false(vici_client_is_up(f->c));
}

static void test_unanswered_command_times_out_then_the_client_reconnects(void **state)
{
    struct fx *f = *state;
    char name[VICI_MAX_NAME + 1];
    assert_int_equal(vici_client_subscribe(f->c, "ike-updown"), 0);
    connect_up(f, 1);
    assert_int_equal(vici_client_call(f->c, "slow", NULL, 0, NULL, NULL, on_reply, &f->seen), 0);
    assert_int_equal(srv_read(f, name), VICI_CMD_REQUEST);
    run_until(f, &f->seen.went_down); /* request_timeout_ms 200 */
    assert_string_equal(f->seen.why, "request timed out");
    assert_int_equal(f->seen.last_r, -EIO);
    /* the retry comes after the back-off (10 ms) and registers the subscription again */
    run_for(f, 30);
    srv_accept(f);
    assert_int_equal(srv_read(f, name), VICI_EVENT_REGISTER);
    assert_string_equal(name, "ike-updown");
    srv_packet(f, VICI_EVENT_CONFIRM, NULL, NULL);
    run_for(f, 30);
    assert_int_equal(f->seen.ups, 2);
}

static void test_call_while_disconnected_fails_at_once_without_a_callback(void **state)
{
    struct fx *f = *state;
    assert_int_equal(vici_client_call(f->c, "version", NULL, 0, NULL, NULL, on_reply, &f->seen),
                     -EIO);
    assert_int_equal(f->seen.replies, 0);
}

static void test_back_off_doubles_to_its_cap_and_down_is_reported_once(void **state)
{
    struct fx *f = *state;
    struct vici_client_opts o = {.backoff_min_ms = 100, .backoff_max_ms = 400};
    vici_client_free(f->c);
    assert_int_equal(vici_client_new(f->url, &ops, &f->seen, &o, &f->c), 0);
    close(f->lfd);
    f->lfd = -1;
    unlink(f->path);
    vici_client_start(f->c);
    assert_int_equal(f->seen.downs, 1);
    assert_string_equal(f->seen.why, "no socket at the path");
    int waits[5];
    for (int i = 0; i < 5; i++) {
        waits[i] = vici_client_timeout_ms(f->c);
        usleep((useconds_t)waits[i] * 1000 + 2000);
        vici_client_on_timer(f->c);
    }
    /* 100, 200, 400, 400, 400 ms, each read a little after the attempt that set it */
    assert_in_range(waits[0], 51, 100);
    assert_in_range(waits[1], 101, 200);
    assert_in_range(waits[2], 201, 400);
    assert_in_range(waits[3], 201, 400);
    assert_in_range(waits[4], 201, 400);
    assert_int_equal(f->seen.downs, 1);
    /* charon appears: the next attempt connects; after "up" the back-off starts over */
    listen_at(f);
    usleep(410000);
    vici_client_on_timer(f->c);
    srv_accept(f);
    assert_int_equal(f->seen.ups, 1);
    close(f->sfd);
    f->sfd = -1;
    f->seen.went_down = false;
    run_until(f, &f->seen.went_down);
    assert_int_equal(f->seen.downs, 2);
    assert_in_range(vici_client_timeout_ms(f->c), 0, 100);
}

static void test_free_with_commands_queued_runs_no_callback(void **state)
{
    struct fx *f = *state;
    connect_up(f, 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(vici_client_call(f->c, "cmd", NULL, 0, NULL, NULL, on_reply, &f->seen), 0);
    vici_client_free(f->c);
    f->c = NULL;
    assert_int_equal(f->seen.replies, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_must_be_unix_with_an_absolute_path_that_fits),
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(test_subscriptions_are_confirmed_before_up_is_reported),
        T(test_commands_are_sent_one_at_a_time_in_order),
        T(test_stream_events_go_to_the_command_and_subscribed_ones_to_the_owner),
        T(test_unknown_command_completes_with_enoent),
        T(test_response_split_into_single_bytes_is_reassembled),
        T(test_reply_callback_may_queue_the_next_command),
        T(test_zero_length_segment_drops_the_connection),
        T(test_segment_above_512_kib_drops_the_connection),
        T(test_malformed_response_message_drops_the_connection),
        T(test_event_confirm_without_a_registration_drops_the_connection),
        T(test_malformed_subscribed_event_drops_the_connection),
        T(test_peer_close_is_reported_as_charon_closed_the_connection),
        T(test_unanswered_command_times_out_then_the_client_reconnects),
        T(test_call_while_disconnected_fails_at_once_without_a_callback),
        T(test_back_off_doubles_to_its_cap_and_down_is_reported_once),
        T(test_free_with_commands_queued_runs_no_callback),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
