/* driver/strongswan/sw_driver.c: the strongSwan driver's life: its VICI client, the events it
 * subscribes to, and what it asks of the owner's loop (strongswan.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "driver/strongswan/sw_int.h"
#include "util/ids.h"
#include "util/log.h"

static const char *const subscriptions[] = {"ike-updown", "child-updown", "ike-rekey",
                                            "child-rekey", "log"};

int64_t sw_now_ms(void)
{
    return ids_mono_ms();
}

void sw_watch_sync(struct sw *d)
{
    int64_t deadline = sw_grace_next(d);
    int t = vici_client_timeout_ms(d->client);

    if (t >= 0 && (deadline < 0 || sw_now_ms() + t < deadline))
        deadline = sw_now_ms() + t;
    if (d->loop.watch)
        d->loop.watch(d->loop.ud, vici_client_fd(d->client), vici_client_poll_events(d->client),
                      deadline);
}

static void on_state(void *ctx, bool up, const char *why)
{
    struct sw *d = ctx;

    d->stats.connected = up;
    if (up) {
        d->stats.connects++;
    } else {
        /* nothing charon said before still holds: the next sync and refresh say it again */
        sw_conns_reset(d);
    }
    log_debug("driver=strongswan event=%s why=\"%s\"", up ? "connected" : "disconnected", why);
    if (d->host.plane)
        d->host.plane(d->host.ud, up, why);
}

static void on_event(void *ctx, const char *name, const struct vici_tree *msg)
{
    sw_on_event(ctx, name, msg);
}

static const struct vici_client_ops client_ops = {.state = on_state, .event = on_event};

int driver_strongswan_new(const char *url, const struct driver_loop *loop,
                          const struct sw_opts *opts, struct driver **ret)
{
    struct sw *d = calloc(1, sizeof(*d));
    struct vici_client_opts co = {0};

    if (!d)
        return -ENOMEM;
    if (opts)
        co = (struct vici_client_opts){.backoff_min_ms = opts->backoff_min_ms,
                                       .backoff_max_ms = opts->backoff_max_ms,
                                       .request_timeout_ms = opts->request_timeout_ms};
    int r = vici_client_new(url, &client_ops, d, &co, &d->client);
    for (size_t i = 0; r == 0 && i < ARRAY_SIZE(subscriptions); i++)
        r = vici_client_subscribe(d->client, subscriptions[i]);
    if (r < 0) {
        vici_client_free(d->client);
        free(d);
        return r;
    }
    d->base.ops = &sw_ops;
    d->loop = *loop;
    *ret = &d->base;
    return 0;
}
