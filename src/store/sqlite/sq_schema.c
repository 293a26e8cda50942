/* store/sqlite/sq_schema.c: the schema, as an ordered list of migrations.
 *
 * The version lives in PRAGMA user_version (0 = empty database). Migration i takes the schema
 * from version i to i + 1 in one transaction, together with the user_version bump, so a crash
 * leaves either the old or the new schema. Append new steps at the end; never edit a released
 * one. A database whose version is above the last step was written by a newer vpnd: opening it
 * fails rather than guess.
 *
 * Keys. Every row is found by (project_id, id): that is the primary key, so a lookup in another
 * project's id space finds nothing. The tables keep SQLite's rowid (not WITHOUT ROWID): a
 * connection doc is 1-3 KB, more than an index b-tree cell holds in a 4 KB page, and measured
 * point reads of 1.5 KB docs ran ~1.6x faster through the (project_id, id) index + rowid table
 * than through a WITHOUT ROWID table, which would spill every doc to overflow pages. The claim
 * table has small rows and is WITHOUT ROWID.
 *
 * Foreign keys (enabled per connection at open) tie a connection to a gateway and a customer
 * gateway of its own project.
 */
#include <errno.h>
#include <stdio.h>

#include "store/sqlite/sq_internal.h"

static const char *const sq_migrations[] = {
    /* 0 -> 1: the initial schema. */
    "CREATE TABLE vpn_gateway ("
    "  project_id TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  enterprise_project_id TEXT NOT NULL,"
    "  connection_number INTEGER NOT NULL,"
    "  used_connection_number INTEGER NOT NULL DEFAULT 0 CHECK (used_connection_number >= 0),"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  spec TEXT NOT NULL,"
    "  PRIMARY KEY (project_id, id)"
    ");"
    "CREATE TABLE customer_gateway ("
    "  project_id TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  spec TEXT NOT NULL,"
    "  PRIMARY KEY (project_id, id)"
    ");"
    "CREATE TABLE vpn_connection ("
    "  project_id TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  vgw_id TEXT NOT NULL,"
    "  cgw_id TEXT NOT NULL,"
    "  vgw_ip TEXT NOT NULL,"
    "  enterprise_project_id TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  status_due INTEGER NOT NULL DEFAULT 0,"
    "  created_at INTEGER NOT NULL,"
    "  updated_at INTEGER NOT NULL,"
    "  spec TEXT NOT NULL,"
    "  doc TEXT NOT NULL,"
    "  PRIMARY KEY (project_id, id),"
    "  FOREIGN KEY (project_id, vgw_id) REFERENCES vpn_gateway (project_id, id),"
    "  FOREIGN KEY (project_id, cgw_id) REFERENCES customer_gateway (project_id, id)"
    ");"
    /* newest-first marker pagination: WHERE project_id = ? AND (created_at, id) < (?, ?) */
    "CREATE INDEX vpn_connection_by_created ON vpn_connection"
    "  (project_id, created_at DESC, id DESC);"
    /* connections of a gateway / customer gateway (delete checks, foreign key enforcement) */
    "CREATE INDEX vpn_connection_by_vgw ON vpn_connection (vgw_id);"
    "CREATE INDEX vpn_connection_by_cgw ON vpn_connection (cgw_id);"
    /* the status engine's queue: only rows with something pending */
    "CREATE INDEX vpn_connection_by_due ON vpn_connection (status_due) WHERE status_due > 0;"
    "CREATE TABLE claim ("
    "  kind TEXT NOT NULL,"
    "  value TEXT NOT NULL,"
    "  owner_id TEXT NOT NULL,"
    "  PRIMARY KEY (kind, value)"
    ") WITHOUT ROWID;"
    "CREATE INDEX claim_by_owner ON claim (owner_id);",
    /* 1 -> 2: gateways join the status engine's queue. */
    "ALTER TABLE vpn_gateway ADD COLUMN status_due INTEGER NOT NULL DEFAULT 0;"
    "CREATE INDEX vpn_gateway_by_due ON vpn_gateway (status_due) WHERE status_due > 0;",
    /* 2 -> 3: per-project row counts (kind 0 gateways, 1 customer gateways, 2 connections) kept
     * by triggers, so a quota check or an unfiltered list total reads one row instead of
     * counting up to millions. */
    "CREATE TABLE project_count ("
    "  project_id TEXT NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  n INTEGER NOT NULL,"
    "  PRIMARY KEY (project_id, kind)"
    ") WITHOUT ROWID;"
    "CREATE TRIGGER vpn_gateway_counted AFTER INSERT ON vpn_gateway BEGIN"
    "  INSERT INTO project_count VALUES (NEW.project_id, 0, 1)"
    "  ON CONFLICT (project_id, kind) DO UPDATE SET n = n + 1;"
    "END;"
    "CREATE TRIGGER vpn_gateway_uncounted AFTER DELETE ON vpn_gateway BEGIN"
    "  UPDATE project_count SET n = n - 1 WHERE project_id = OLD.project_id AND kind = 0;"
    "END;"
    "INSERT INTO project_count SELECT project_id, 0, count(*) FROM vpn_gateway GROUP BY project_id;"
    "CREATE TRIGGER customer_gateway_counted AFTER INSERT ON customer_gateway BEGIN"
    "  INSERT INTO project_count VALUES (NEW.project_id, 1, 1)"
    "  ON CONFLICT (project_id, kind) DO UPDATE SET n = n + 1;"
    "END;"
    "CREATE TRIGGER customer_gateway_uncounted AFTER DELETE ON customer_gateway BEGIN"
    "  UPDATE project_count SET n = n - 1 WHERE project_id = OLD.project_id AND kind = 1;"
    "END;"
    "INSERT INTO project_count SELECT project_id, 1, count(*) FROM customer_gateway GROUP BY project_id;"
    "CREATE TRIGGER vpn_connection_counted AFTER INSERT ON vpn_connection BEGIN"
    "  INSERT INTO project_count VALUES (NEW.project_id, 2, 1)"
    "  ON CONFLICT (project_id, kind) DO UPDATE SET n = n + 1;"
    "END;"
    "CREATE TRIGGER vpn_connection_uncounted AFTER DELETE ON vpn_connection BEGIN"
    "  UPDATE project_count SET n = n - 1 WHERE project_id = OLD.project_id AND kind = 2;"
    "END;"
    "INSERT INTO project_count SELECT project_id, 2, count(*) FROM vpn_connection GROUP BY project_id;",
};

#define SQ_SCHEMA_VERSION ((int)ARRAY_SIZE(sq_migrations))

static int sq_user_version(struct sq_store *q, int *ret, char *errbuf, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(q->db, "PRAGMA user_version", -1, &st, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        int r = store_sqlite_fail(q, rc, "read schema version");
        snprintf(errbuf, errlen, "%s", q->errmsg);
        sqlite3_finalize(st);
        return r;
    }
    *ret = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return 0;
}

static int sq_check_version(int v, char *errbuf, size_t errlen)
{
    if (v >= 0 && v <= SQ_SCHEMA_VERSION)
        return 0;
    snprintf(errbuf, errlen,
             "database schema version %d is newer than this vpnd supports (%d): upgrade vpnd", v,
             SQ_SCHEMA_VERSION);
    return -EIO;
}

/* Applies migration `to - 1` (schema to - 1 -> to) in one transaction, unless another process
 * did it first. */
static int sq_apply(struct sq_store *q, int to, char *errbuf, size_t errlen)
{
    char bump[48];
    int v = 0;
    int r = store_sqlite_begin(q, "migrate: begin");
    int rc;

    if (r < 0)
        goto out_err;
    r = sq_user_version(q, &v, errbuf, errlen);
    if (r < 0)
        goto out_rollback;
    if (v < to) { /* else another process got here first */
        snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", to);
        rc = sqlite3_exec(q->db, sq_migrations[to - 1], NULL, NULL, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(q->db, bump, NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            r = store_sqlite_fail(q, rc, "migrate");
            goto out_rollback;
        }
    }
    r = store_sqlite_commit(q, "migrate: commit");
    if (r < 0)
        goto out_rollback;
    return 0;

out_rollback:
    store_sqlite_rollback(q);
out_err:
    if (!errbuf[0])
        snprintf(errbuf, errlen, "schema migration to version %d failed: %s", to, q->errmsg);
    return r;
}

int store_sqlite_migrate(struct sq_store *q, char *errbuf, size_t errlen)
{
    int v = 0;
    int r = sq_user_version(q, &v, errbuf, errlen);

    if (r < 0)
        return r;
    r = sq_check_version(v, errbuf, errlen);
    if (r < 0)
        return r;
    for (int to = v + 1; to <= SQ_SCHEMA_VERSION; to++) {
        r = sq_apply(q, to, errbuf, errlen);
        if (r < 0)
            return r;
    }
    r = sq_user_version(q, &v, errbuf, errlen);
    if (r < 0)
        return r;
    r = sq_check_version(v, errbuf, errlen);
    if (r < 0)
        return r;
    q->schema_version = v;
    return 0;
}
