/* store/postgres/pg_schema.c: the schema, as an ordered list of migrations.
 *
 * Step i takes the schema from version i to i + 1, in one transaction with the version bump in
 * vpnd_schema. The steps mirror the SQLite backend's one for one, so both report the same
 * version for the same features. Append new steps at the end; never edit a released one. A
 * database whose version is above the last step was written by a newer vpnd: opening it fails.
 *
 * Several nodes may start at once: every step (and the bootstrap that creates the schema and
 * the version table) runs under one transaction-scoped advisory lock, re-reading the version
 * after taking it, so each step is applied exactly once.
 *
 * Text keys use the "C" collation: ids sort bytewise, as in SQLite, whatever the database's
 * locale (marker pagination compares (created_at, id)).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/postgres/pg_internal.h"

#define PG_MIGRATION_LOCK "SELECT pg_advisory_xact_lock(1987079780)" /* 0x76706e64 "vpnd" */

static const char *const pg_migrations[] = {
    /* 0 -> 1: the initial schema. */
    "CREATE TABLE vpn_gateway ("
    "  project_id TEXT COLLATE \"C\" NOT NULL,"
    "  id TEXT COLLATE \"C\" NOT NULL,"
    "  status TEXT NOT NULL,"
    "  enterprise_project_id TEXT COLLATE \"C\" NOT NULL,"
    "  connection_number BIGINT NOT NULL,"
    "  used_connection_number BIGINT NOT NULL DEFAULT 0 CHECK (used_connection_number >= 0),"
    "  created_at BIGINT NOT NULL,"
    "  updated_at BIGINT NOT NULL,"
    "  spec TEXT NOT NULL,"
    "  PRIMARY KEY (project_id, id)"
    ");"
    "CREATE TABLE customer_gateway ("
    "  project_id TEXT COLLATE \"C\" NOT NULL,"
    "  id TEXT COLLATE \"C\" NOT NULL,"
    "  created_at BIGINT NOT NULL,"
    "  updated_at BIGINT NOT NULL,"
    "  spec TEXT NOT NULL,"
    "  PRIMARY KEY (project_id, id)"
    ");"
    "CREATE TABLE vpn_connection ("
    "  project_id TEXT COLLATE \"C\" NOT NULL,"
    "  id TEXT COLLATE \"C\" NOT NULL,"
    "  vgw_id TEXT COLLATE \"C\" NOT NULL,"
    "  cgw_id TEXT COLLATE \"C\" NOT NULL,"
    "  vgw_ip TEXT COLLATE \"C\" NOT NULL,"
    "  enterprise_project_id TEXT COLLATE \"C\" NOT NULL,"
    "  status TEXT NOT NULL,"
    "  status_due BIGINT NOT NULL DEFAULT 0,"
    "  created_at BIGINT NOT NULL,"
    "  updated_at BIGINT NOT NULL,"
    "  spec TEXT NOT NULL,"
    "  doc TEXT NOT NULL,"
    "  PRIMARY KEY (project_id, id),"
    "  FOREIGN KEY (project_id, vgw_id) REFERENCES vpn_gateway (project_id, id),"
    "  FOREIGN KEY (project_id, cgw_id) REFERENCES customer_gateway (project_id, id)"
    ");"
    "CREATE INDEX vpn_connection_by_created ON vpn_connection"
    "  (project_id, created_at DESC, id DESC);"
    "CREATE INDEX vpn_connection_by_vgw ON vpn_connection (project_id, vgw_id);"
    "CREATE INDEX vpn_connection_by_cgw ON vpn_connection (project_id, cgw_id);"
    "CREATE INDEX vpn_connection_by_due ON vpn_connection (status_due) WHERE status_due > 0;"
    "CREATE TABLE claim ("
    "  kind TEXT COLLATE \"C\" NOT NULL,"
    "  value TEXT COLLATE \"C\" NOT NULL,"
    "  owner_id TEXT COLLATE \"C\" NOT NULL,"
    "  PRIMARY KEY (kind, value)"
    ");"
    "CREATE INDEX claim_by_owner ON claim (owner_id);",
    /* 1 -> 2: gateways join the status engine's queue. */
    "ALTER TABLE vpn_gateway ADD COLUMN status_due BIGINT NOT NULL DEFAULT 0;"
    "CREATE INDEX vpn_gateway_by_due ON vpn_gateway (status_due) WHERE status_due > 0;",
};

#define PG_SCHEMA_VERSION ((int)ARRAY_SIZE(pg_migrations))

static int pg_exec(struct pg_store *p, const char *sql, const char *what)
{
    _cleanup_pgres_ PGresult *res = NULL;

    return store_postgres_query_sql(p, sql, what, &res, "");
}

/* Creates the first schema of search_path when the URL names one that does not exist yet (a
 * fresh schema per test or per deployment: options=-csearch_path%3Dname). */
static int pg_bootstrap(struct pg_store *p, void *ud)
{
    _cleanup_pgres_ PGresult *res = NULL;
    int r;

    (void)ud;
    r = pg_exec(p, PG_MIGRATION_LOCK, "migrate: lock");
    if (r == 0)
        r = store_postgres_query_sql(
            p,
            "SELECT current_schema() IS NULL, "
            "btrim(split_part(current_setting('search_path'), ',', 1), ' \"')",
            "migrate: schema", &res, "");
    if (r < 0)
        return r;
    if (strcmp(PQgetvalue(res, 0, 0), "t") == 0 && PQgetlength(res, 0, 1) > 0 &&
        strcmp(PQgetvalue(res, 0, 1), "$user") != 0) {
        const char *name = PQgetvalue(res, 0, 1);
        char *ident = PQescapeIdentifier(p->conn, name, strlen(name));
        char sql[256];

        if (!ident)
            return -ENOMEM;
        snprintf(sql, sizeof(sql), "CREATE SCHEMA IF NOT EXISTS %s", ident);
        PQfreemem(ident);
        r = pg_exec(p, sql, "migrate: create schema");
        if (r < 0)
            return r;
    }
    r = pg_exec(p, "CREATE TABLE IF NOT EXISTS vpnd_schema (version INTEGER NOT NULL)",
                "migrate: version table");
    if (r == 0)
        r = pg_exec(p,
                    "INSERT INTO vpnd_schema SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM vpnd_schema)",
                    "migrate: version row");
    return r;
}

static int pg_version(struct pg_store *p, int *ret)
{
    _cleanup_pgres_ PGresult *res = NULL;
    int64_t v = 0;
    int r = store_postgres_query_sql(p, "SELECT version FROM vpnd_schema", "migrate: version", &res,
                                     "");

    if (r < 0)
        return r;
    if (PQntuples(res) != 1)
        return store_postgres_corrupt(p, "migrate", "vpnd_schema holds %d rows, expected 1",
                                      PQntuples(res));
    r = store_postgres_col_int(p, res, 0, 0, &v);
    if (r < 0)
        return r;
    *ret = (int)v;
    return 0;
}

struct pg_step {
    int to;
    int version; /* out: the version found (before the step) */
};

static int pg_step(struct pg_store *p, void *ud)
{
    struct pg_step *st = ud;
    char bump[64];
    int r = pg_exec(p, PG_MIGRATION_LOCK, "migrate: lock");

    if (r == 0)
        r = pg_version(p, &st->version);
    if (r < 0 || st->version >= st->to || st->version > PG_SCHEMA_VERSION)
        return r; /* another node got here first, or the database is newer */
    r = pg_exec(p, pg_migrations[st->to - 1], "migrate");
    snprintf(bump, sizeof(bump), "UPDATE vpnd_schema SET version = %d", st->to);
    return r < 0 ? r : pg_exec(p, bump, "migrate: bump version");
}

static int pg_final(struct pg_store *p, void *ud)
{
    struct pg_step *st = ud;

    return pg_version(p, &st->version);
}

int store_postgres_migrate(struct pg_store *p, char *errbuf, size_t errlen)
{
    struct pg_step st = {.to = 0};
    int r = store_postgres_tx(p, PG_TX_WRITE, "migrate: bootstrap", pg_bootstrap, NULL);

    for (st.to = 1; r == 0 && st.to <= PG_SCHEMA_VERSION; st.to++) {
        r = store_postgres_tx(p, PG_TX_WRITE, "migrate", pg_step, &st);
        if (r == 0 && st.version > PG_SCHEMA_VERSION)
            break;
    }
    if (r == 0 && st.version <= PG_SCHEMA_VERSION)
        r = store_postgres_tx(p, PG_TX_READ_SNAPSHOT, "migrate: check", pg_final, &st);
    if (r < 0) {
        snprintf(errbuf, errlen, "schema migration to version %d failed: %s", st.to, p->errmsg);
        return r;
    }
    if (st.version > PG_SCHEMA_VERSION) {
        snprintf(errbuf, errlen,
                 "database schema version %d is newer than this vpnd supports (%d): upgrade vpnd",
                 st.version, PG_SCHEMA_VERSION);
        return -EIO;
    }
    p->schema_version = st.version;
    return 0;
}
