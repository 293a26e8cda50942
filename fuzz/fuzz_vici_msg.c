/* fuzz/fuzz_vici_msg.c: the VICI codec (src/driver/strongswan/vici_msg.c), which reads what
 * charon sends. The input is read twice: as one message (tree parse) and as a stream of framed
 * packets (what the client's receive buffer holds), each packet's message parsed too.
 * Invariants: an accepted message rebuilt from its tree through the builder is byte-identical
 * (the encoding is unique); the tree has one node per non-end element plus the root, and
 * every child's parent is the node that lists it; an accepted packet re-encodes to the same
 * frame; lookups and value readers stay inside the message. */
#include "driver/strongswan/vici_msg.h"
#include "fuzz/fuzz.h"

#include <errno.h>

/* Appends node i (not the root) and its subtree to b. */
static void rebuild_node(const struct vici_tree *t, uint32_t i, struct vici_builder *b)
{
    const struct vici_node *n = &t->nodes[i];
    char name[VICI_MAX_NAME + 1];
    memcpy(name, n->name, n->name_len);
    name[n->name_len] = '\0';
    switch (n->type) {
    case VICI_NODE_VALUE:
        vici_add_kv_blob(b, name, n->value, n->value_len);
        return;
    case VICI_NODE_ITEM:
        vici_add_item_blob(b, n->value, n->value_len);
        return;
    case VICI_NODE_LIST:
        vici_add_list(b, name);
        break;
    case VICI_NODE_SECTION:
        vici_add_section(b, name);
        break;
    }
    for (uint32_t c = n->first_child; c != VICI_NONE; c = t->nodes[c].next)
        rebuild_node(t, c, b);
    if (n->type == VICI_NODE_LIST)
        vici_end_list(b);
    else
        vici_end_section(b);
}

static void check_tree(const struct vici_tree *t, const uint8_t *msg, size_t len)
{
    size_t seen = 1;
    for (uint32_t i = 0; i < t->n; i++) {
        const struct vici_node *n = &t->nodes[i];
        for (uint32_t c = n->first_child; c != VICI_NONE; c = t->nodes[c].next) {
            if (c >= t->n || t->nodes[c].parent != i)
                fuzz_fail("node %u lists child %u whose parent is not it", i, c);
            seen++;
        }
        if ((n->type == VICI_NODE_VALUE || n->type == VICI_NODE_ITEM) &&
            (n->value < msg || n->value + n->value_len > msg + len))
            fuzz_fail("value of node %u outside the message", i);
        char s[64];
        uint64_t v;
        (void)vici_tree_str(t, i, s, sizeof(s));
        (void)vici_tree_u64(t, i, &v);
        if (n->name_len <= VICI_MAX_NAME) {
            char name[VICI_MAX_NAME + 1];
            memcpy(name, n->name, n->name_len);
            name[n->name_len] = '\0';
            if (i != 0 && n->parent != VICI_NONE && n->type != VICI_NODE_ITEM &&
                strlen(name) == n->name_len && vici_tree_find(t, n->parent, name) == VICI_NONE)
                fuzz_fail("node %u not found by its own name", i);
        }
    }
    if (seen != t->n)
        fuzz_fail("%zu nodes reachable of %zu", seen, t->n);

    struct vici_builder b;
    vici_builder_init(&b);
    for (uint32_t c = t->nodes[0].first_child; c != VICI_NONE; c = t->nodes[c].next)
        rebuild_node(t, c, &b);
    if (vici_builder_finish(&b) != 0)
        fuzz_fail("builder refused a tree the parser accepted");
    if (b.buf.len != len || (len > 0 && memcmp(b.buf.data, msg, len) != 0))
        fuzz_fail("message rebuilt from its tree differs (%zu vs %zu bytes)", b.buf.len, len);
    vici_builder_done(&b);
}

static void one_message(const uint8_t *msg, size_t len)
{
    struct vici_tree t;
    int r = vici_tree_parse(msg, len, &t);
    if (r == -EPROTO)
        return;
    if (r != 0)
        fuzz_fail("tree parse returned %d", r);
    check_tree(&t, msg, len);
    vici_tree_done(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one_message(data, size);

    size_t off = 0;
    for (;;) {
        struct vici_packet pk;
        size_t used;
        int r = vici_frame_next(data + off, size - off, &used, &pk);
        if (r <= 0)
            break;
        if (used < 5 || used > size - off)
            fuzz_fail("frame of %zu bytes at %zu of %zu", used, off, size);
        char name[VICI_MAX_NAME + 1] = "";
        if (pk.name) {
            memcpy(name, pk.name, pk.name_len);
            name[pk.name_len] = '\0';
        }
        struct buf again = {0};
        if (vici_packet_encode(&again, pk.op, pk.name ? name : NULL, pk.msg, pk.msg_len) != 0)
            fuzz_fail("encode refused a packet the parser accepted");
        if (again.len != used || memcmp(again.data, data + off, used) != 0)
            fuzz_fail("packet re-encoded differs");
        buf_free(&again);
        if (pk.msg)
            one_message(pk.msg, pk.msg_len);
        off += used;
    }
    return 0;
}
