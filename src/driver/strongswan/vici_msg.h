/* driver/strongswan/vici_msg.h: the VICI wire format, written from the protocol description in
 * strongSwan's src/libcharon/plugins/vici/README.md (no strongSwan code or header is used).
 *
 * Three layers:
 *  - transport: a 32-bit big-endian length, then that many bytes (at most VICI_MAX_SEGMENT);
 *  - packet: one type byte (enum vici_op), for named types an 8-bit length and the name, then
 *    for CMD_REQUEST, CMD_RESPONSE and EVENT a message;
 *  - message: a sequence of elements (enum vici_elem) forming a tree of sections, key/values
 *    and lists. Names have an 8-bit length, values a 16-bit big-endian length; values are blobs
 *    (charon sends strings without a NUL).
 *
 * Everything here is pure (no I/O) and logs nothing. Parsers never read outside the bytes they
 * are given, refuse anything the README does not allow (-EPROTO), and bound what a message may
 * cost: VICI_MAX_DEPTH nested sections, VICI_MAX_ELEMENTS elements.
 */
#ifndef VPND_DRIVER_VICI_MSG_H
#define VPND_DRIVER_VICI_MSG_H

#include "util/buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VICI_MAX_SEGMENT (512u * 1024u) /* transport segment, length prefix excluded */
#define VICI_MAX_NAME 255u              /* packet and element names */
#define VICI_MAX_VALUE 65535u           /* key/value and list item values */
#define VICI_MAX_DEPTH 32u              /* sections open at once */
#define VICI_MAX_ELEMENTS 65536u        /* elements in one message read into a tree */

enum vici_op {
    VICI_CMD_REQUEST = 0,
    VICI_CMD_RESPONSE = 1,
    VICI_CMD_UNKNOWN = 2,
    VICI_EVENT_REGISTER = 3,
    VICI_EVENT_UNREGISTER = 4,
    VICI_EVENT_CONFIRM = 5,
    VICI_EVENT_UNKNOWN = 6,
    VICI_EVENT = 7,
};

enum vici_elem {
    VICI_SECTION_START = 1,
    VICI_SECTION_END = 2,
    VICI_KEY_VALUE = 3,
    VICI_LIST_START = 4,
    VICI_LIST_ITEM = 5,
    VICI_LIST_END = 6,
};

/* ---- packets ---- */

/* One packet, viewed in place: name and msg point into the parsed bytes. */
struct vici_packet {
    enum vici_op op;
    const char *name; /* named types only (no NUL inside); NULL otherwise */
    size_t name_len;
    const uint8_t *msg; /* CMD_REQUEST, CMD_RESPONSE, EVENT; NULL otherwise */
    size_t msg_len;
};

/* True for the packet types that carry a name / a message. */
bool vici_op_has_name(enum vici_op op);
bool vici_op_has_msg(enum vici_op op);

/* Parses one packet (a transport segment without its length prefix). Returns 0, or -EPROTO for
 * an empty segment, an unknown type, a missing, empty or truncated name, a name holding a NUL,
 * or bytes after a packet that takes no message. The message itself is not checked here. */
int vici_packet_parse(const uint8_t *data, size_t len, struct vici_packet *ret);

/* Takes the next whole segment off the front of a receive buffer of avail bytes: 1 with
 * *ret_used (length prefix included) and *ret filled, 0 when more bytes are needed, -EPROTO for
 * a segment length of 0 or above VICI_MAX_SEGMENT, or a packet vici_packet_parse refuses. */
int vici_frame_next(const uint8_t *p, size_t avail, size_t *ret_used, struct vici_packet *ret);

/* Appends one framed packet (length prefix, type, name, message) to out. name is required for
 * the named types and must be NULL otherwise; msg (len bytes, may be empty) only for the types
 * that carry one. Returns 0, -EINVAL (wrong name or message for op, name longer than
 * VICI_MAX_NAME, segment above VICI_MAX_SEGMENT) or -ENOMEM; out is unchanged on failure. */
int vici_packet_encode(struct buf *out, enum vici_op op, const char *name, const void *msg,
                       size_t len);

/* ---- reading a message: element by element ---- */

struct vici_reader {
    const uint8_t *p, *end;
    unsigned depth;  /* sections open */
    bool in_list;    /* a list is open */
    size_t elements; /* elements read so far */
};

/* One element, viewed in place. */
struct vici_item {
    enum vici_elem type;
    const char *name; /* SECTION_START, KEY_VALUE, LIST_START; "" (len 0) for the others */
    size_t name_len;
    const uint8_t *value; /* KEY_VALUE, LIST_ITEM; NULL for the others */
    size_t value_len;
    unsigned depth; /* sections open around the element (a SECTION_START counts outside) */
};

void vici_reader_init(struct vici_reader *r, const void *msg, size_t len);
/* Reads the next element: 1 (*ret filled), 0 at the end of a well-formed message, or -EPROTO
 * for a truncated element, an unknown element type, a name holding a NUL, a section end with
 * no open section, sections deeper than VICI_MAX_DEPTH, a nested list, a list item outside a
 * list, a section or key/value inside a list, or an end with a section or list still open.
 * After -EPROTO the reader keeps failing. */
int vici_reader_next(struct vici_reader *r, struct vici_item *ret);

/* ---- reading a message: as a tree ---- */

enum vici_node_type { VICI_NODE_SECTION, VICI_NODE_VALUE, VICI_NODE_LIST, VICI_NODE_ITEM };

#define VICI_NONE UINT32_MAX /* no node */

/* A node of a message tree. The root is node 0, an unnamed section. Children of a section are
 * its key/values, lists and sections in message order; children of a list are its items. */
struct vici_node {
    enum vici_node_type type;
    const char *name; /* points into the message; not NUL-terminated */
    size_t name_len;
    const uint8_t *value; /* VALUE and ITEM: the blob; not NUL-terminated */
    size_t value_len;
    uint32_t parent, first_child, last_child, next; /* node indexes or VICI_NONE */
};

struct vici_tree {
    struct vici_node *nodes; /* owned; nodes point into the message, which must outlive them */
    size_t n;
};

/* Parses a whole message (validated as vici_reader_next does, at most VICI_MAX_ELEMENTS
 * elements) into *ret, whose nodes point into msg. Returns 0, -EPROTO or -ENOMEM; *ret is
 * written only on success. Free with vici_tree_done. */
int vici_tree_parse(const void *msg, size_t len, struct vici_tree *ret);
void vici_tree_done(struct vici_tree *t);

/* The first child of node i named name (sections, key/values and lists), or VICI_NONE. Key
 * names should be unique in a section; when a message repeats one, the first wins. */
uint32_t vici_tree_find(const struct vici_tree *t, uint32_t i, const char *name);
/* Follows a path of child names from node i ("child-sas", "c1", "state"), or VICI_NONE. */
uint32_t vici_tree_path(const struct vici_tree *t, uint32_t i, const char *const *names, size_t n);
/* True if node i is a value or item whose blob equals s. */
bool vici_tree_value_is(const struct vici_tree *t, uint32_t i, const char *s);
/* Copies the blob of value or item i as a C string into out (size bytes). Returns 0, -ENOENT
 * (i is VICI_NONE or not a value or item), -EPROTO (a NUL inside) or -EINVAL (does not fit). */
int vici_tree_str(const struct vici_tree *t, uint32_t i, char *out, size_t size);
/* Reads value or item i as a decimal unsigned integer (charon's counters). Returns 0, -ENOENT
 * or -EPROTO (not 1-20 digits, or above UINT64_MAX). */
int vici_tree_u64(const struct vici_tree *t, uint32_t i, uint64_t *ret);
/* True if node i's name equals s. */
bool vici_node_name_is(const struct vici_node *n, const char *s);

/* ---- writing a message ---- */

/* Builds a message. Each call checks the structure; the first failure sticks (later calls do
 * nothing and return it) and vici_builder_finish reports it, so a caller may build a whole
 * message and check once. */
struct vici_builder {
    struct buf buf; /* the message so far */
    unsigned depth;
    bool in_list;
    int err; /* 0, -EINVAL (structure, sizes) or -ENOMEM */
};

void vici_builder_init(struct vici_builder *b);
void vici_builder_done(struct vici_builder *b); /* frees the buffer */

/* -EINVAL: name longer than VICI_MAX_NAME or holding a NUL, a section or key/value inside a
 * list, sections deeper than VICI_MAX_DEPTH. */
int vici_add_section(struct vici_builder *b, const char *name);
/* -EINVAL: no open section, or a list still open. */
int vici_end_section(struct vici_builder *b);
/* A key/value with a string or blob value (-EINVAL above VICI_MAX_VALUE bytes). */
int vici_add_kv(struct vici_builder *b, const char *key, const char *value);
int vici_add_kv_blob(struct vici_builder *b, const char *key, const void *value, size_t len);
int vici_add_kvf(struct vici_builder *b, const char *key, const char *fmt, ...) _printf_(3, 4);
/* -EINVAL: a list already open. */
int vici_add_list(struct vici_builder *b, const char *name);
/* -EINVAL: no list open. */
int vici_add_item(struct vici_builder *b, const char *value);
int vici_add_item_blob(struct vici_builder *b, const void *value, size_t len);
/* -EINVAL: no list open. */
int vici_end_list(struct vici_builder *b);
/* The sticky result: 0 when every call succeeded and nothing is left open (then b->buf holds
 * the message), else -EINVAL or -ENOMEM. */
int vici_builder_finish(struct vici_builder *b);

#endif
