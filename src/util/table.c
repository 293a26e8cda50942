/* util/table.c: the string-keyed intrusive hash table (table.h). */
#include "util/table.h"

#include <string.h>

#include "util/hash.h"

static size_t bucket_of(const char *key)
{
    return (size_t)(hash_fnv1a_str(HASH_FNV_INIT, key) % TABLE_BUCKETS);
}

struct table_link *table_find(const struct table *t, const char *key)
{
    for (struct table_link *e = t->bucket[bucket_of(key)]; e; e = e->next) {
        if (strcmp(e->key, key) == 0)
            return e;
    }
    return NULL;
}

void table_add(struct table *t, struct table_link *e, const char *key)
{
    size_t b = bucket_of(key);

    e->key = key;
    e->next = t->bucket[b];
    t->bucket[b] = e;
    t->n++;
}

void table_remove(struct table *t, struct table_link *e)
{
    struct table_link **p = &t->bucket[bucket_of(e->key)];

    while (*p && *p != e)
        p = &(*p)->next;
    if (*p) {
        *p = e->next;
        t->n--;
    }
    e->next = NULL;
}

static struct table_link *first_from(const struct table *t, size_t b)
{
    for (; b < TABLE_BUCKETS; b++) {
        if (t->bucket[b])
            return t->bucket[b];
    }
    return NULL;
}

struct table_link *table_first(const struct table *t)
{
    return first_from(t, 0);
}

struct table_link *table_next(const struct table *t, const struct table_link *e)
{
    return e->next ? e->next : first_from(t, bucket_of(e->key) + 1);
}
