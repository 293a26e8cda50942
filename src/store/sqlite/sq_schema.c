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

#include "store/sqlite/sq_int.h"

/* The tag index migration: tables, indexes, then per resource table a delete trigger and the
 * backfill of existing rows. TYPE is the resource_type of the API path. */
#define SQ_TAG_TRIGGERS(TABLE, TYPE)                                                               \
    "CREATE TRIGGER " TABLE "_tag_delete AFTER DELETE ON " TABLE " BEGIN"                          \
    " DELETE FROM tag_resource WHERE project_id = OLD.project_id AND resource_type = '" TYPE "'"  \
    " AND resource_id = OLD.id;"                                                                   \
    " DELETE FROM tag WHERE project_id = OLD.project_id AND resource_type = '" TYPE "'"           \
    " AND resource_id = OLD.id;"                                                                   \
    " END;"                                                                                        \
    "INSERT INTO tag_resource SELECT project_id, '" TYPE "', id,"                                  \
    " coalesce(json_extract(spec, '$.name'), ''), created_at FROM " TABLE ";"                      \
    "INSERT OR REPLACE INTO tag SELECT r.project_id, '" TYPE "', r.id,"                            \
    " json_extract(j.value, '$.key'), coalesce(json_extract(j.value, '$.value'), '')"             \
    " FROM " TABLE " r, json_each(r.spec, '$.tags') j"                                             \
    " WHERE json_type(r.spec, '$.tags') = 'array' AND j.type = 'object'"                           \
    " AND json_type(j.value, '$.key') = 'text';"
#define SQ_TAG_MIGRATION                                                                           \
    "CREATE TABLE tag_resource ("                                                                  \
    "  project_id TEXT NOT NULL,"                                                                  \
    "  resource_type TEXT NOT NULL,"                                                               \
    "  resource_id TEXT NOT NULL,"                                                                 \
    "  name TEXT NOT NULL,"                                                                        \
    "  created_at INTEGER NOT NULL,"                                                               \
    "  PRIMARY KEY (project_id, resource_type, resource_id)"                                       \
    ") WITHOUT ROWID;"                                                                             \
    /* filter pages: newest first within a project's resources of one type; covering (name),  \
     * so rows a tag condition rejects are never read from the table (2x on 5000 resources) */  \
    "CREATE INDEX tag_resource_by_created ON tag_resource"                                         \
    "  (project_id, resource_type, created_at DESC, resource_id DESC, name);"                      \
    "CREATE TABLE tag ("                                                                           \
    "  project_id TEXT NOT NULL,"                                                                  \
    "  resource_type TEXT NOT NULL,"                                                               \
    "  resource_id TEXT NOT NULL,"                                                                 \
    "  key TEXT NOT NULL,"                                                                         \
    "  value TEXT NOT NULL,"                                                                       \
    "  PRIMARY KEY (project_id, resource_type, resource_id, key)"                                  \
    ") WITHOUT ROWID;"                                                                             \
    /* filter/count by key (and value), project tag listing: a covering index */                  \
    "CREATE INDEX tag_by_key ON tag (project_id, resource_type, key, value, resource_id);"         \
    SQ_TAG_TRIGGERS("vpn_gateway", "vpn-gateway")                                                  \
    SQ_TAG_TRIGGERS("customer_gateway", "customer-gateway")                                        \
    SQ_TAG_TRIGGERS("vpn_connection", "vpn-connection")

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
    /* connection monitors (spec §5.1): at most one per connection, gone with it (cascade). */
    "CREATE TABLE connection_monitor ("
    "  project_id TEXT NOT NULL,"
    "  id TEXT NOT NULL,"
    "  vpn_connection_id TEXT NOT NULL,"
    "  enterprise_project_id TEXT NOT NULL,"
    "  status TEXT NOT NULL,"
    "  source_ip TEXT NOT NULL,"
    "  destination_ip TEXT NOT NULL,"
    "  created_at INTEGER NOT NULL,"
    "  status_due INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (project_id, id),"
    "  UNIQUE (project_id, vpn_connection_id),"
    "  FOREIGN KEY (project_id, vpn_connection_id) REFERENCES vpn_connection (project_id, id)"
    "    ON DELETE CASCADE"
    ");"
    "CREATE INDEX connection_monitor_by_due ON connection_monitor (status_due)"
    "  WHERE status_due > 0;",
    /* the connection event log (status transitions), gone with its connection (cascade). */
    "CREATE TABLE connection_event ("
    "  seq INTEGER PRIMARY KEY,"
    "  project_id TEXT NOT NULL,"
    "  connection_id TEXT NOT NULL,"
    "  at INTEGER NOT NULL,"
    "  message TEXT NOT NULL,"
    "  FOREIGN KEY (project_id, connection_id) REFERENCES vpn_connection (project_id, id)"
    "    ON DELETE CASCADE"
    ");"
    "CREATE INDEX connection_event_by_connection ON connection_event"
    "  (project_id, connection_id, seq);",
    /* n -> n + 1: the tag index (spec §5.2). tag_resource holds one row per gateway, customer
     * gateway and connection (its name, for the resource_name match, and created_at, for the
     * order), tag one row per tag. Both mirror the spec documents (the top-level "name" and
     * "tags":[{"key","value"}] members): every write of a spec calls store_sqlite_tags_sync in
     * its transaction (JSON functions are not allowed in triggers with trusted_schema off), and
     * delete triggers drop a resource's index rows with it. Existing rows are indexed here. */
    SQ_TAG_MIGRATION,
    /* customer gateway list: newest-first marker pagination, like connections */
    "CREATE INDEX customer_gateway_by_created ON customer_gateway"
    "  (project_id, created_at DESC, id DESC);",
    /* connection lists at any size: total_count from a counter per (project, enterprise
     * project) kept by triggers in the writing transaction (count(*) over a project of 1 M rows
     * reads them all), and filtered pages through their own order indexes, so a page costs
     * O(limit) whatever the project holds. Existing rows are counted here. */
    "CREATE TABLE conn_count ("
    "  project_id TEXT NOT NULL,"
    "  enterprise_project_id TEXT NOT NULL,"
    "  n INTEGER NOT NULL CHECK (n >= 0),"
    "  PRIMARY KEY (project_id, enterprise_project_id)"
    ") WITHOUT ROWID;"
    "INSERT INTO conn_count (project_id, enterprise_project_id, n)"
    "  SELECT project_id, enterprise_project_id, count(*) FROM vpn_connection"
    "  GROUP BY project_id, enterprise_project_id;"
    "CREATE TRIGGER conn_count_insert AFTER INSERT ON vpn_connection BEGIN"
    "  INSERT INTO conn_count (project_id, enterprise_project_id, n)"
    "    VALUES (new.project_id, new.enterprise_project_id, 1)"
    "    ON CONFLICT (project_id, enterprise_project_id) DO UPDATE SET n = n + 1;"
    "END;"
    "CREATE TRIGGER conn_count_delete AFTER DELETE ON vpn_connection BEGIN"
    "  UPDATE conn_count SET n = n - 1"
    "    WHERE project_id = old.project_id AND enterprise_project_id = old.enterprise_project_id;"
    "END;"
    "CREATE INDEX vpn_connection_by_vgw_created ON vpn_connection"
    "  (project_id, vgw_id, created_at DESC, id DESC);"
    "CREATE INDEX vpn_connection_by_vgw_ip_created ON vpn_connection"
    "  (project_id, vgw_ip, created_at DESC, id DESC);",
    /* per-project row counts (kind 0 gateways, 1 customer gateways; connections are counted by conn_count) kept
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
    "INSERT INTO project_count SELECT project_id, 1, count(*) FROM customer_gateway GROUP BY project_id;",
    /* (vgw_id) alone is covered by vpn_connection_by_vgw_created (project_id, vgw_id, ...): every
     * lookup by gateway, the foreign-key check of a gateway delete included, names the project
     * too. One index less to write per connection insert/delete and ~50 bytes per connection. */
    "DROP INDEX IF EXISTS vpn_connection_by_vgw;",
    /* the GET's lookup key (sq_key.c): a 31-bit hash of (project_id, id) with an index of ~12
     * bytes per connection that stays cached, where the primary key's is ~88 */
    "ALTER TABLE vpn_connection ADD COLUMN gkey INTEGER NOT NULL DEFAULT 0;"
    "UPDATE vpn_connection SET gkey = vpnd_conn_key(project_id, id);"
    "CREATE INDEX vpn_connection_by_gkey ON vpn_connection (gkey);",
    /* status stored once, in the status column (store.h): the member "status":"X" leaves the
     * connection doc (served with it put back where it stood, model_conn_serve) and the
     * connection and gateway specs. The member follows "id" and "name", which hold no '"', so
     * the first ',"status":"' within 140 characters is the member itself. */
    "UPDATE vpn_connection SET"
    "  doc = substr(doc, 1, instr(doc, ',\"status\":\"')) || substr(doc,"
    "    instr(doc, ',\"status\":\"') + 12"
    "    + instr(substr(doc, instr(doc, ',\"status\":\"') + 11), '\"'))"
    "  WHERE instr(doc, ',\"status\":\"') BETWEEN 1 AND 140;"
    "UPDATE vpn_connection SET spec = substr(spec, 1, instr(spec, ',\"status\":\"') - 1)"
    "  || substr(spec, instr(spec, ',\"status\":\"') + 11"
    "    + instr(substr(spec, instr(spec, ',\"status\":\"') + 11), '\"'))"
    "  WHERE instr(spec, ',\"status\":\"') BETWEEN 1 AND 140;"
    "UPDATE vpn_gateway SET spec = substr(spec, 1, instr(spec, ',\"status\":\"') - 1)"
    "  || substr(spec, instr(spec, ',\"status\":\"') + 11"
    "    + instr(substr(spec, instr(spec, ',\"status\":\"') + 11), '\"'))"
    "  WHERE instr(spec, ',\"status\":\"') BETWEEN 1 AND 140;",
    /* EIP ids are claimed per project ("eip_id:<project>"): an EIP belongs to its project, so
     * another project's id is an unknown id, never "bound to another gateway" (issue 12). The
     * owner of an "eip_id" claim is a gateway (claim_by_owner finds its claims). */
    "UPDATE claim SET kind = 'eip_id:' || g.project_id FROM vpn_gateway g"
    "  WHERE claim.kind = 'eip_id' AND claim.owner_id = g.id;",
    /* data-plane leases (store.h): which node drives a gateway's tunnels, until when (IF NOT
     * EXISTS: the key migration test runs the steps after step 10 again) */
    "CREATE TABLE IF NOT EXISTS vgw_lease ("
    "  project_id TEXT NOT NULL,"
    "  vgw_id TEXT NOT NULL,"
    "  node TEXT NOT NULL,"
    "  expires_at INTEGER NOT NULL,"
    "  PRIMARY KEY (project_id, vgw_id)"
    ") WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS vgw_lease_by_node ON vgw_lease (node);",
    /* the control surface's shared state (store.h "control"): its rules, virtual clock and held
     * transitions, and the generation every change of them increments (a step that may run
     * again: tests rewind user_version past it) */
    "CREATE TABLE IF NOT EXISTS control ("
    "  key TEXT NOT NULL PRIMARY KEY,"
    "  value TEXT NOT NULL,"
    "  n INTEGER NOT NULL"
    ") WITHOUT ROWID;"
    "INSERT OR IGNORE INTO control (key, value, n) VALUES ('" STORE_CTL_GENERATION "', '', 0);",
    /* compressed connection documents (sq_zip.c): the dictionaries they are compressed with, by
     * the id in their first byte; dictionary 1 is built from the text in sq_zip.c and from then
     * on read from here. Rows written before stay TEXT and readable. */
    "CREATE TABLE IF NOT EXISTS zdict ("
    "  id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 255),"
    "  dict BLOB NOT NULL"
    ");"
    "INSERT OR IGNORE INTO zdict (id, dict) VALUES (1, vpnd_zdict_build());",
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
