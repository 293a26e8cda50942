/* store/sqlite/store_sqlite.h: the SQLite backend's entry point, for store.c. No sqlite3.h. */
#ifndef VPND_STORE_SQLITE_H
#define VPND_STORE_SQLITE_H

#include <stddef.h>

struct store;

/* Opens (creating if needed) the SQLite database at path (":memory:" for a private in-memory
 * one), sets the pragmas, applies pending migrations and prepares the statements. On failure
 * writes a reason into errbuf and returns -EBUSY, -EIO or -ENOMEM. */
int store_sqlite_open(const char *path, struct store **ret, char *errbuf, size_t errlen);

#endif
