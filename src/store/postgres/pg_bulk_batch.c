/* store/postgres/pg_bulk_batch.c: bulk load batches (store_bulk_batch) on PostgreSQL: none.
 * Every write op of a bulk load stays its own savepoint (pg_bulk.c), so an import goes on
 * record by record and never needs an undo. */
#include <errno.h>

#include "store/postgres/pg_internal.h"

int store_postgres_bulk_batch(struct store *s)
{
    return pg_from(s)->bulk ? -EOPNOTSUPP : -EINVAL;
}

int store_postgres_bulk_undo(struct store *s)
{
    (void)s;
    return -EINVAL; /* no batch is ever open */
}
