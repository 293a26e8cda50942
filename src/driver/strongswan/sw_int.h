/* driver/strongswan/sw_int.h: what the strongSwan driver's files share (sw_driver.c: lifecycle
 * and the client; sw_conn.c: connections, their state and charon's events; sw_cmd.c: the command
 * chains of the operations). Not part of the driver's interface (strongswan.h). */
#ifndef VPND_DRIVER_STRONGSWAN_SW_INT_H
#define VPND_DRIVER_STRONGSWAN_SW_INT_H

#include "driver/strongswan/strongswan.h"
#include "driver/strongswan/vici_client.h"
#include "model/ipsec.h"
#include "util/table.h"

#define SW_UNNAMED 64   /* unnamed IKE SAs remembered with the address that started them */

enum sw_told { SW_TOLD_NONE, SW_TOLD_UP, SW_TOLD_DOWN };

/* A connection the driver knows: applied, or found in charon by a sync. */
struct sw_conn {
    struct table_link link;          /* first: the driver's table, keyed by id */
    struct sw_conn *grace_next;      /* on the grace list while down_pending */
    char id[MODEL_UUID_LEN];
    char name[MODEL_IPSEC_NAME_LEN]; /* charon's: vpnd-<id> */
    char remote_addr[MODEL_ID_VALUE_LEN];
    size_t n_children;
    char children[MODEL_IPSEC_MAX_CHILDREN][8];
    uint64_t conf_hash;   /* of the last load-conn message charon accepted; 0: unknown */
    bool in_charon;       /* charon holds its configuration (as far as we know) */
    bool wanted;          /* a sync named it */
    unsigned busy;        /* operations in flight (a sync leaves it alone meanwhile) */
    enum sw_told told;    /* what the host was told last */
    bool querying;        /* a list-sas ike=<name> is in flight */
    bool requery;         /* another event came meanwhile: ask again after it */
    bool down_pending;    /* down, told once SW_DOWN_GRACE_MS passed without coming back */
    int64_t down_at;
    bool established;     /* what the last listing saw: an IKE SA established */
    size_t installed;     /* ... and how many of the expected CHILD SAs installed */
    enum sw_cause cause;  /* the failure seen since it was last up (SW_CAUSE_NONE: none) */
    char cause_msg[DRIVER_REASON_LEN];
    enum sw_cause told_cause; /* the cause of the last down report */
    size_t told_installed;    /* the CHILD SAs of the last up report */
    /* a full listing in progress (refresh): what it saw of this connection so far */
    uint64_t scan_gen;
    bool scan_established;
    uint32_t scan_mask;
};

/* An operation in flight: one chain of commands, each queued by the previous one's answer. */
struct sw_op {
    struct sw_op *prev, *next; /* the driver's list (freed with it) */
    struct sw *d;
    int kind;          /* enum sw_op_kind (sw_cmd.c) */
    unsigned step;
    char id[MODEL_UUID_LEN];
    char name[MODEL_IPSEC_NAME_LEN];
    struct vici_map_msgs *msgs; /* apply: the messages (the PSK inside: freed early) */
    uint64_t conf_hash;
    bool reinit;       /* apply: initiate again if charon lists no SA of it */
    int r;
    char why[DRIVER_REASON_LEN];
    /* a listing: state (list-sas ike=name), SAs (driver_sas), everything (refresh) */
    bool established;
    uint32_t mask;
    size_t n_ike;
    struct driver_sa *sas;
    size_t n_sas, cap_sas;
    driver_sas_fn sas_cb;
    void *sas_ud;
    uint64_t gen;      /* refresh: the scan generation */
    int64_t started_us;
    char **names;      /* sync: charon's vpnd- names to unload */
    size_t n_names, i_name;
    unsigned sub;      /* sync: the unload step of names[i_name] answered last */
};

struct sw {
    struct driver base; /* first */
    struct driver_host host;
    struct driver_loop loop;
    struct vici_client *client;
    struct driver_stats stats;
    struct table conns; /* struct sw_conn by id */
    struct sw_conn *grace;  /* connections whose down report waits */
    struct sw_op *ops;      /* in flight */
    uint64_t scan_gen;
    size_t n_unnamed;
    struct {
        char uid[24];
        char addr[MODEL_ID_VALUE_LEN];
    } unnamed[SW_UNNAMED]; /* ring */
    bool synced_watch;      /* the loop was told at least once */
};

/* sw_driver.c */
/* Tells the owner's loop what to watch now (after every call into the client). */
void sw_watch_sync(struct sw *d);
int64_t sw_now_ms(void);

/* sw_conn.c */
/* Iteration over every connection (the one after c may be read before c is forgotten). */
#define SW_CONNS_EACH(d, c, nx)                                                                    \
    for (struct sw_conn *c = (struct sw_conn *)table_first(&(d)->conns), *nx;                      \
         c && (nx = (struct sw_conn *)table_next(&(d)->conns, &c->link), 1); c = nx)
struct sw_conn *sw_conn_find(const struct sw *d, const char *id);
struct sw_conn *sw_conn_find_name(const struct sw *d, const char *name);
/* The connection id, created (told nothing yet) when absent; NULL: out of memory. */
struct sw_conn *sw_conn_get(struct sw *d, const char *id);
void sw_conn_forget(struct sw *d, struct sw_conn *c);
void sw_conns_free(struct sw *d);
/* The expected CHILD SAs and addresses of an IKE connection (at apply). */
void sw_conn_describe(struct sw_conn *c, const struct model_ipsec_conn *x);
/* Index of a CHILD SA config name among c's, or -1. */
int sw_conn_child(const struct sw_conn *c, const char *name, size_t len);
/* Folds one IKE SA section of a listing or event into (established, mask). */
void sw_conn_scan_ike(const struct sw_conn *c, const struct vici_tree *t, uint32_t ike,
                      bool *established, uint32_t *mask);
/* Why c is as it was told: "tunnel up (n CHILD SA installed)", the cause seen since it was last
 * up, else what the listing showed ("no IKE SA established", "1 of 2 CHILD SA installed"). */
void sw_conn_reason(const struct sw_conn *c, char *out, size_t size);
/* What a listing found: reports a change (going down waits SW_DOWN_GRACE_MS). */
void sw_conn_observe(struct sw *d, struct sw_conn *c, bool established, uint32_t mask);
/* Reports every connection's state as unknown (the daemon went away). */
void sw_conns_reset(struct sw *d);
/* Grace timers: the earliest deadline (or -1); fires those due. */
int64_t sw_grace_next(const struct sw *d);
void sw_grace_fire(struct sw *d, int64_t now);
/* charon's events (ike-updown, child-updown, ike-rekey, child-rekey, log). */
void sw_on_event(struct sw *d, const char *name, const struct vici_tree *msg);
/* Asks charon for connection c's SAs (list-sas ike=<name>) unless a question is in flight. */
void sw_conn_query(struct sw *d, struct sw_conn *c);

/* sw_cmd.c */
extern const struct driver_ops sw_ops;
void sw_ops_free(struct sw *d);

/* A value of the tree (node i) as a C string into out; "" when absent or not a string. */
void sw_str(const struct vici_tree *t, uint32_t i, char *out, size_t size);

#endif
