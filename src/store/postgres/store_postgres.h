/* store/postgres/store_postgres.h: the PostgreSQL backend's entry point (store.c only). */
#ifndef VPND_STORE_POSTGRES_H
#define VPND_STORE_POSTGRES_H

#include <stddef.h>

struct store;

/* Opens the database named by a libpq URL ("postgres://..." or "postgresql://..."), creating the
 * first schema of the URL's search_path option if it does not exist, and migrates it. Errors as
 * store_open. */
int store_postgres_open(const char *url, struct store **ret, char *errbuf, size_t errlen);

#endif
