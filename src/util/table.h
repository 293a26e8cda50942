/* util/table.h: a chained hash table of entries keyed by a string, intrusive: an entry embeds
 * struct table_link as its first member (so a link converts to its entry) and holds its key
 * itself; the table allocates nothing per entry and frees no entry. The modules that keep
 * in-memory sets of connections and gateways (the data plane, the strongSwan driver) use it. */
#ifndef VPND_UTIL_TABLE_H
#define VPND_UTIL_TABLE_H

#include <stddef.h>

#define TABLE_BUCKETS 1024

struct table_link {
    struct table_link *next;
    const char *key; /* points into the entry */
};

struct table {
    struct table_link *bucket[TABLE_BUCKETS];
    size_t n; /* entries */
};

/* The entry of key, or NULL. */
struct table_link *table_find(const struct table *t, const char *key);
/* Adds entry e under key (which must live as long as e is in the table; keys are unique: the
 * caller finds first). */
void table_add(struct table *t, struct table_link *e, const char *key);
/* Takes e out of the table (it must be in it). */
void table_remove(struct table *t, struct table_link *e);
/* Iteration in bucket order: the first entry, the one after e (NULL at the end). The entry
 * after e may be read before e is removed (remove-safe iteration). */
struct table_link *table_first(const struct table *t);
struct table_link *table_next(const struct table *t, const struct table_link *e);

#endif
