/* store/sqlite/sq_key.c: the lookup key of a connection (vpn_connection.gkey).
 *
 * A GET by id through the (project_id, id) primary key reads a leaf of an index of ~88 bytes per
 * connection (two long text ids per entry): at a million connections that index is ~90 MB and
 * almost every GET misses SQLite's page cache there, then misses again on the row's own page.
 * gkey is a 31-bit hash of (project_id, id) with its own index of ~12 bytes per entry, small
 * enough to stay in the read handle's cache, so a GET costs one page read (the row). The key is
 * only a way in: the GET still compares project_id and id, so hash collisions (harmless, the
 * index is not unique) and the hash's quality never change an answer.
 *
 * Every vpnd insert fills it through the SQL function vpnd_conn_key, which is registered on each
 * handle before the migrations run (the migration that added the column fills existing rows).
 */
#include <stdint.h>
#include <string.h>

#include "store/sqlite/sq_int.h"

/* FNV-1a over project_id, a NUL separator and id, folded to 31 bits (stored in 4 bytes). */
int64_t store_sqlite_conn_key(const char *project_id, size_t plen, const char *id, size_t ilen)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < plen; i++)
        h = (h ^ (unsigned char)project_id[i]) * 0x100000001b3ULL;
    h = (h ^ 0) * 0x100000001b3ULL;
    for (size_t i = 0; i < ilen; i++)
        h = (h ^ (unsigned char)id[i]) * 0x100000001b3ULL;
    h ^= h >> 31;
    h ^= h >> 17;
    return (int64_t)(h & 0x7fffffffULL);
}

int store_sqlite_bind_get_doc(sqlite3_stmt *st, const char *project_id, const char *id)
{
    size_t plen = strlen(project_id), ilen = strlen(id);
    int rc = sqlite3_bind_text(st, 1, project_id, (int)plen, SQLITE_STATIC);

    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 2, id, (int)ilen, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 3, store_sqlite_conn_key(project_id, plen, id, ilen));
    return rc;
}

static void sq_conn_key_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const unsigned char *p = sqlite3_value_text(argv[0]);
    const unsigned char *id = sqlite3_value_text(argv[1]);

    (void)argc;
    if (!p || !id) {
        sqlite3_result_null(ctx); /* NOT NULL on the column turns this into an error */
        return;
    }
    sqlite3_result_int64(ctx, store_sqlite_conn_key((const char *)p,
                                                    (size_t)sqlite3_value_bytes(argv[0]),
                                                    (const char *)id,
                                                    (size_t)sqlite3_value_bytes(argv[1])));
}

int store_sqlite_register_key(sqlite3 *db)
{
    return sqlite3_create_function(db, "vpnd_conn_key", 2,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                   sq_conn_key_fn, NULL, NULL);
}
