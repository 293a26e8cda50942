/* driver/strongswan/vici_msg.c: VICI packets and messages (see vici_msg.h). */
#include "driver/strongswan/vici_msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

bool vici_op_has_name(enum vici_op op)
{
    return op == VICI_CMD_REQUEST || op == VICI_EVENT_REGISTER || op == VICI_EVENT_UNREGISTER ||
           op == VICI_EVENT;
}

bool vici_op_has_msg(enum vici_op op)
{
    return op == VICI_CMD_REQUEST || op == VICI_CMD_RESPONSE || op == VICI_EVENT;
}

int vici_packet_parse(const uint8_t *data, size_t len, struct vici_packet *ret)
{
    struct vici_packet pk = {.name = NULL};

    if (len == 0 || data[0] > VICI_EVENT)
        return -EPROTO;
    pk.op = (enum vici_op)data[0];
    size_t off = 1;
    if (vici_op_has_name(pk.op)) {
        if (len < 2 || data[1] == 0 || len - 2 < data[1])
            return -EPROTO;
        pk.name = (const char *)data + 2;
        pk.name_len = data[1];
        if (memchr(pk.name, '\0', pk.name_len))
            return -EPROTO;
        off = 2 + pk.name_len;
    }
    if (vici_op_has_msg(pk.op)) {
        pk.msg = data + off;
        pk.msg_len = len - off;
    } else if (off != len) {
        return -EPROTO;
    }
    *ret = pk;
    return 0;
}

int vici_frame_next(const uint8_t *p, size_t avail, size_t *ret_used, struct vici_packet *ret)
{
    if (avail < 4)
        return 0;
    uint32_t len = get_be32(p);
    if (len == 0 || len > VICI_MAX_SEGMENT)
        return -EPROTO;
    if (avail - 4 < len)
        return 0;
    int r = vici_packet_parse(p + 4, len, ret);
    if (r < 0)
        return r;
    *ret_used = 4 + (size_t)len;
    return 1;
}

int vici_packet_encode(struct buf *out, enum vici_op op, const char *name, const void *msg,
                       size_t len)
{
    size_t name_len = name ? strlen(name) : 0;

    if ((unsigned)op > VICI_EVENT || vici_op_has_name(op) != (name != NULL))
        return -EINVAL;
    if (name && (name_len == 0 || name_len > VICI_MAX_NAME))
        return -EINVAL;
    if (!vici_op_has_msg(op) && len > 0)
        return -EINVAL;
    size_t seg = 1 + (name ? 1 + name_len : 0) + len;
    if (len > VICI_MAX_SEGMENT || seg > VICI_MAX_SEGMENT)
        return -EINVAL;

    int r = buf_reserve(out, 4 + seg);
    if (r < 0)
        return r;
    uint8_t head[4 + 2 + VICI_MAX_NAME];
    size_t n = 0;
    head[n++] = (uint8_t)(seg >> 24);
    head[n++] = (uint8_t)(seg >> 16);
    head[n++] = (uint8_t)(seg >> 8);
    head[n++] = (uint8_t)seg;
    head[n++] = (uint8_t)op;
    if (name) {
        head[n++] = (uint8_t)name_len;
        memcpy(head + n, name, name_len);
        n += name_len;
    }
    /* cannot fail: reserved above */
    (void)buf_append(out, head, n);
    (void)buf_append(out, msg, len);
    return 0;
}

/* ---- reader ---- */

void vici_reader_init(struct vici_reader *r, const void *msg, size_t len)
{
    *r = (struct vici_reader){.p = msg, .end = (const uint8_t *)msg + len};
}

static int reader_fail(struct vici_reader *r)
{
    r->p = r->end = NULL; /* stays failed: the next call sees a bad state */
    r->in_list = true;
    r->depth = 1;
    return -EPROTO;
}

/* Reads an 8-bit length and that many name bytes. */
static int read_name(struct vici_reader *r, struct vici_item *it)
{
    if (r->end - r->p < 1)
        return -EPROTO;
    size_t n = *r->p++;
    if ((size_t)(r->end - r->p) < n || memchr(r->p, '\0', n))
        return -EPROTO;
    it->name = (const char *)r->p;
    it->name_len = n;
    r->p += n;
    return 0;
}

/* Reads a 16-bit big-endian length and that many value bytes. */
static int read_value(struct vici_reader *r, struct vici_item *it)
{
    if (r->end - r->p < 2)
        return -EPROTO;
    size_t n = (size_t)r->p[0] << 8 | r->p[1];
    r->p += 2;
    if ((size_t)(r->end - r->p) < n)
        return -EPROTO;
    it->value = r->p;
    it->value_len = n;
    r->p += n;
    return 0;
}

/* Structure rules of one element type at the reader's position (README "Message format"). */
static bool elem_allowed(const struct vici_reader *r, enum vici_elem type)
{
    switch (type) {
    case VICI_SECTION_START:
        return !r->in_list && r->depth < VICI_MAX_DEPTH;
    case VICI_SECTION_END:
        return !r->in_list && r->depth > 0;
    case VICI_KEY_VALUE:
    case VICI_LIST_START:
        return !r->in_list;
    case VICI_LIST_ITEM:
    case VICI_LIST_END:
        return r->in_list;
    }
    return false;
}

int vici_reader_next(struct vici_reader *r, struct vici_item *ret)
{
    struct vici_item it = {.name = ""};

    if (!r->p)
        return -EPROTO;
    if (r->p == r->end) {
        if (r->depth > 0 || r->in_list)
            return reader_fail(r);
        return 0;
    }
    uint8_t t = *r->p++;
    if (t < VICI_SECTION_START || t > VICI_LIST_END || !elem_allowed(r, (enum vici_elem)t))
        return reader_fail(r);
    it.type = (enum vici_elem)t;
    it.depth = r->depth;
    int e = 0;
    if (it.type == VICI_SECTION_START || it.type == VICI_KEY_VALUE || it.type == VICI_LIST_START)
        e = read_name(r, &it);
    if (e == 0 && (it.type == VICI_KEY_VALUE || it.type == VICI_LIST_ITEM))
        e = read_value(r, &it);
    if (e < 0)
        return reader_fail(r);
    if (it.type == VICI_SECTION_START)
        r->depth++;
    else if (it.type == VICI_SECTION_END)
        it.depth = --r->depth;
    else if (it.type == VICI_LIST_START)
        r->in_list = true;
    else if (it.type == VICI_LIST_END)
        r->in_list = false;
    r->elements++;
    *ret = it;
    return 1;
}

/* ---- tree ---- */

/* Counts the nodes a message makes (ends make none) and validates it. */
static int tree_count(const void *msg, size_t len, size_t *ret)
{
    struct vici_reader r;
    struct vici_item it;
    size_t n = 1; /* the root */
    int k;

    vici_reader_init(&r, msg, len);
    while ((k = vici_reader_next(&r, &it)) > 0) {
        if (r.elements > VICI_MAX_ELEMENTS)
            return -EPROTO;
        if (it.type != VICI_SECTION_END && it.type != VICI_LIST_END)
            n++;
    }
    if (k < 0)
        return k;
    *ret = n;
    return 0;
}

static void tree_link(struct vici_node *nodes, uint32_t parent, uint32_t i)
{
    nodes[i].parent = parent;
    if (nodes[parent].last_child == VICI_NONE)
        nodes[parent].first_child = i;
    else
        nodes[nodes[parent].last_child].next = i;
    nodes[parent].last_child = i;
}

static enum vici_node_type node_type(enum vici_elem e)
{
    switch (e) {
    case VICI_SECTION_START:
        return VICI_NODE_SECTION;
    case VICI_LIST_START:
        return VICI_NODE_LIST;
    case VICI_LIST_ITEM:
        return VICI_NODE_ITEM;
    default:
        return VICI_NODE_VALUE;
    }
}

int vici_tree_parse(const void *msg, size_t len, struct vici_tree *ret)
{
    size_t n;
    int r = tree_count(msg, len, &n);
    if (r < 0)
        return r;
    struct vici_node *nodes = calloc(n, sizeof(*nodes));
    if (!nodes)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        nodes[i] = (struct vici_node){.name = "",
                                      .parent = VICI_NONE,
                                      .first_child = VICI_NONE,
                                      .last_child = VICI_NONE,
                                      .next = VICI_NONE};
    nodes[0].type = VICI_NODE_SECTION;

    struct vici_reader rd;
    struct vici_item it;
    uint32_t cur = 0, used = 1;
    vici_reader_init(&rd, msg, len);
    while (vici_reader_next(&rd, &it) > 0) {
        if (it.type == VICI_SECTION_END || it.type == VICI_LIST_END) {
            cur = nodes[cur].parent;
            continue;
        }
        uint32_t i = used++;
        nodes[i].type = node_type(it.type);
        nodes[i].name = it.name;
        nodes[i].name_len = it.name_len;
        nodes[i].value = it.value;
        nodes[i].value_len = it.value_len;
        tree_link(nodes, cur, i);
        if (it.type == VICI_SECTION_START || it.type == VICI_LIST_START)
            cur = i;
    }
    ret->nodes = nodes;
    ret->n = n;
    return 0;
}

void vici_tree_done(struct vici_tree *t)
{
    free(t->nodes);
    t->nodes = NULL;
    t->n = 0;
}

bool vici_node_name_is(const struct vici_node *n, const char *s)
{
    size_t len = strlen(s);
    return n->name_len == len && memcmp(n->name, s, len) == 0;
}

uint32_t vici_tree_find(const struct vici_tree *t, uint32_t i, const char *name)
{
    if (i >= t->n || t->nodes[i].type != VICI_NODE_SECTION)
        return VICI_NONE;
    for (uint32_t c = t->nodes[i].first_child; c != VICI_NONE; c = t->nodes[c].next) {
        if (vici_node_name_is(&t->nodes[c], name))
            return c;
    }
    return VICI_NONE;
}

uint32_t vici_tree_path(const struct vici_tree *t, uint32_t i, const char *const *names, size_t n)
{
    for (size_t k = 0; k < n && i != VICI_NONE; k++)
        i = vici_tree_find(t, i, names[k]);
    return i;
}

static const struct vici_node *value_node(const struct vici_tree *t, uint32_t i)
{
    if (i >= t->n)
        return NULL;
    const struct vici_node *n = &t->nodes[i];
    return n->type == VICI_NODE_VALUE || n->type == VICI_NODE_ITEM ? n : NULL;
}

bool vici_tree_value_is(const struct vici_tree *t, uint32_t i, const char *s)
{
    const struct vici_node *n = value_node(t, i);
    size_t len = strlen(s);
    return n && n->value_len == len && memcmp(n->value, s, len) == 0;
}

int vici_tree_str(const struct vici_tree *t, uint32_t i, char *out, size_t size)
{
    const struct vici_node *n = value_node(t, i);
    if (!n)
        return -ENOENT;
    if (n->value_len && memchr(n->value, '\0', n->value_len))
        return -EPROTO;
    if (n->value_len >= size)
        return -EINVAL;
    if (n->value_len)
        memcpy(out, n->value, n->value_len);
    out[n->value_len] = '\0';
    return 0;
}

int vici_tree_u64(const struct vici_tree *t, uint32_t i, uint64_t *ret)
{
    const struct vici_node *n = value_node(t, i);
    if (!n)
        return -ENOENT;
    if (n->value_len == 0 || n->value_len > 20)
        return -EPROTO;
    uint64_t v = 0;
    for (size_t k = 0; k < n->value_len; k++) {
        uint8_t d = n->value[k];
        if (d < '0' || d > '9' || __builtin_mul_overflow(v, 10, &v) ||
            __builtin_add_overflow(v, (uint64_t)(d - '0'), &v))
            return -EPROTO;
    }
    *ret = v;
    return 0;
}

/* ---- builder ---- */

void vici_builder_init(struct vici_builder *b)
{
    *b = (struct vici_builder){.err = 0};
}

void vici_builder_done(struct vici_builder *b)
{
    buf_free(&b->buf);
    b->depth = 0;
    b->in_list = false;
    b->err = 0;
}

static int build_fail(struct vici_builder *b, int err)
{
    if (b->err == 0)
        b->err = err;
    return b->err;
}

/* Appends type, then name (8-bit length) and/or value (16-bit length) when given. */
static int put_elem(struct vici_builder *b, enum vici_elem type, const char *name,
                    const void *value, size_t value_len, bool has_value)
{
    bool named = type == VICI_SECTION_START || type == VICI_KEY_VALUE || type == VICI_LIST_START;
    size_t name_len = name ? strlen(name) : 0;
    if (named != (name != NULL) || name_len > VICI_MAX_NAME ||
        (has_value && (!value || value_len > VICI_MAX_VALUE)))
        return build_fail(b, -EINVAL);

    size_t need = 1 + (name ? 1 + name_len : 0) + (has_value ? 2 + value_len : 0);
    int r = buf_reserve(&b->buf, need);
    if (r < 0)
        return build_fail(b, r);
    uint8_t head[1 + 1 + VICI_MAX_NAME + 2];
    size_t n = 0;
    head[n++] = (uint8_t)type;
    if (name) {
        head[n++] = (uint8_t)name_len;
        memcpy(head + n, name, name_len);
        n += name_len;
    }
    if (has_value) {
        head[n++] = (uint8_t)(value_len >> 8);
        head[n++] = (uint8_t)value_len;
    }
    (void)buf_append(&b->buf, head, n); /* reserved above */
    if (has_value)
        (void)buf_append(&b->buf, value, value_len);
    return 0;
}

int vici_add_section(struct vici_builder *b, const char *name)
{
    if (b->err)
        return b->err;
    if (b->in_list || b->depth >= VICI_MAX_DEPTH)
        return build_fail(b, -EINVAL);
    int r = put_elem(b, VICI_SECTION_START, name, NULL, 0, false);
    if (r == 0)
        b->depth++;
    return r;
}

int vici_end_section(struct vici_builder *b)
{
    if (b->err)
        return b->err;
    if (b->in_list || b->depth == 0)
        return build_fail(b, -EINVAL);
    int r = put_elem(b, VICI_SECTION_END, NULL, NULL, 0, false);
    if (r == 0)
        b->depth--;
    return r;
}

int vici_add_kv_blob(struct vici_builder *b, const char *key, const void *value, size_t len)
{
    if (b->err)
        return b->err;
    if (b->in_list)
        return build_fail(b, -EINVAL);
    return put_elem(b, VICI_KEY_VALUE, key, value, len, true);
}

int vici_add_kv(struct vici_builder *b, const char *key, const char *value)
{
    return vici_add_kv_blob(b, key, value, strlen(value));
}

int vici_add_kvf(struct vici_builder *b, const char *key, const char *fmt, ...)
{
    char v[256];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(v))
        return build_fail(b, -EINVAL);
    return vici_add_kv_blob(b, key, v, (size_t)n);
}

int vici_add_list(struct vici_builder *b, const char *name)
{
    if (b->err)
        return b->err;
    if (b->in_list)
        return build_fail(b, -EINVAL);
    int r = put_elem(b, VICI_LIST_START, name, NULL, 0, false);
    if (r == 0)
        b->in_list = true;
    return r;
}

int vici_add_item_blob(struct vici_builder *b, const void *value, size_t len)
{
    if (b->err)
        return b->err;
    if (!b->in_list)
        return build_fail(b, -EINVAL);
    return put_elem(b, VICI_LIST_ITEM, NULL, value, len, true);
}

int vici_add_item(struct vici_builder *b, const char *value)
{
    return vici_add_item_blob(b, value, strlen(value));
}

int vici_end_list(struct vici_builder *b)
{
    if (b->err)
        return b->err;
    if (!b->in_list)
        return build_fail(b, -EINVAL);
    int r = put_elem(b, VICI_LIST_END, NULL, NULL, 0, false);
    if (r == 0)
        b->in_list = false;
    return r;
}

int vici_builder_finish(struct vici_builder *b)
{
    if (b->err)
        return b->err;
    if (b->depth > 0 || b->in_list)
        return build_fail(b, -EINVAL);
    return 0;
}
