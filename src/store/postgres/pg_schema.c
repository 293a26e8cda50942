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

#include "store/postgres/pg_int.h"

#define PG_MIGRATION_LOCK "SELECT pg_advisory_xact_lock(1987079780)" /* 0x76706e64 "vpnd" */

/* The tag index triggers of one resource table (migration 4 -> 5) and the backfill of its
 * existing rows. TYPE is the resource_type of the API path. */
#define PG_TAG_TRIGGERS(TABLE, TYPE)                                                               \
    "CREATE TRIGGER " TABLE "_tags AFTER INSERT OR DELETE ON " TABLE                              \
    "  FOR EACH ROW EXECUTE FUNCTION vpnd_tag_trigger('" TYPE "');"                               \
    "CREATE TRIGGER " TABLE "_tags_update AFTER UPDATE OF spec ON " TABLE                         \
    "  FOR EACH ROW WHEN (OLD.spec IS DISTINCT FROM NEW.spec)"                                     \
    "  EXECUTE FUNCTION vpnd_tag_trigger('" TYPE "');"                                            \
    "SELECT vpnd_tag_index(project_id, '" TYPE "', id, spec, created_at, false) FROM " TABLE ";"

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
    /* 2 -> 3: connection monitors (spec §5.1): at most one per connection, gone with it. */
    "CREATE TABLE connection_monitor ("
    "  project_id TEXT COLLATE \"C\" NOT NULL,"
    "  id TEXT COLLATE \"C\" NOT NULL,"
    "  vpn_connection_id TEXT COLLATE \"C\" NOT NULL,"
    "  enterprise_project_id TEXT COLLATE \"C\" NOT NULL,"
    "  status TEXT NOT NULL,"
    "  source_ip TEXT NOT NULL,"
    "  destination_ip TEXT NOT NULL,"
    "  created_at BIGINT NOT NULL,"
    "  status_due BIGINT NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (project_id, id),"
    "  UNIQUE (project_id, vpn_connection_id),"
    "  FOREIGN KEY (project_id, vpn_connection_id) REFERENCES vpn_connection (project_id, id)"
    "    ON DELETE CASCADE"
    ");"
    "CREATE INDEX connection_monitor_by_created ON connection_monitor"
    "  (project_id, created_at DESC, id DESC);"
    "CREATE INDEX connection_monitor_by_due ON connection_monitor (status_due)"
    "  WHERE status_due > 0;",
    /* 3 -> 4: the connection event log, gone with its connection (cascade). */
    "CREATE TABLE connection_event ("
    "  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    "  project_id TEXT COLLATE \"C\" NOT NULL,"
    "  connection_id TEXT COLLATE \"C\" NOT NULL,"
    "  at BIGINT NOT NULL,"
    "  message TEXT NOT NULL,"
    "  FOREIGN KEY (project_id, connection_id) REFERENCES vpn_connection (project_id, id)"
    "    ON DELETE CASCADE"
    ");"
    "CREATE INDEX connection_event_by_connection ON connection_event"
    "  (project_id, connection_id, seq);",
    /* 4 -> 5: the tag index (spec §5.2), as SQLite's: tag_resource one row per resource (its
     * name and created_at), tag one row per tag. Here triggers keep it in step with every
     * insert, spec change and delete of a row, whoever writes it (jsonb reads the spec). A
     * repeated key keeps the last value. Existing rows are indexed here. */
    "CREATE TABLE tag_resource ("
    "  project_id TEXT COLLATE \"C\" NOT NULL,"
    "  resource_type TEXT COLLATE \"C\" NOT NULL,"
    "  resource_id TEXT COLLATE \"C\" NOT NULL,"
    "  name TEXT COLLATE \"C\" NOT NULL,"
    "  created_at BIGINT NOT NULL,"
    "  PRIMARY KEY (project_id, resource_type, resource_id)"
    ");"
    "CREATE INDEX tag_resource_by_created ON tag_resource"
    "  (project_id, resource_type, created_at DESC, resource_id DESC) INCLUDE (name);"
    "CREATE TABLE tag ("
    "  project_id TEXT COLLATE \"C\" NOT NULL,"
    "  resource_type TEXT COLLATE \"C\" NOT NULL,"
    "  resource_id TEXT COLLATE \"C\" NOT NULL,"
    "  key TEXT COLLATE \"C\" NOT NULL,"
    "  value TEXT COLLATE \"C\" NOT NULL,"
    "  PRIMARY KEY (project_id, resource_type, resource_id, key)"
    ");"
    "CREATE INDEX tag_by_key ON tag (project_id, resource_type, key, value, resource_id);"
    "CREATE FUNCTION vpnd_tag_index(p_project TEXT, p_type TEXT, p_id TEXT, p_spec TEXT,"
    "    p_created BIGINT, p_replace BOOLEAN) RETURNS void LANGUAGE plpgsql"
    "  SET search_path FROM CURRENT AS $$"
    "DECLARE j jsonb := p_spec::jsonb;"
    "BEGIN"
    "  INSERT INTO tag_resource (project_id, resource_type, resource_id, name, created_at)"
    "    VALUES (p_project, p_type, p_id, coalesce(j->>'name', ''), p_created)"
    "    ON CONFLICT (project_id, resource_type, resource_id) DO UPDATE SET name = excluded.name;"
    "  IF p_replace THEN"
    "    DELETE FROM tag WHERE project_id = p_project AND resource_type = p_type"
    "      AND resource_id = p_id;"
    "  END IF;"
    "  IF jsonb_typeof(j->'tags') = 'array' THEN"
    "    INSERT INTO tag (project_id, resource_type, resource_id, key, value)"
    "      SELECT DISTINCT ON (e->>'key') p_project, p_type, p_id, e->>'key',"
    "        coalesce(e->>'value', '')"
    "      FROM jsonb_array_elements(j->'tags') WITH ORDINALITY AS x(e, n)"
    "      WHERE jsonb_typeof(e) = 'object' AND jsonb_typeof(e->'key') = 'string'"
    "      ORDER BY e->>'key', n DESC;"
    "  END IF;"
    "END $$;"
    "CREATE FUNCTION vpnd_tag_trigger() RETURNS trigger LANGUAGE plpgsql"
    "  SET search_path FROM CURRENT AS $$"
    "BEGIN"
    "  IF TG_OP = 'DELETE' THEN"
    "    DELETE FROM tag_resource WHERE project_id = OLD.project_id"
    "      AND resource_type = TG_ARGV[0] AND resource_id = OLD.id;"
    "    DELETE FROM tag WHERE project_id = OLD.project_id AND resource_type = TG_ARGV[0]"
    "      AND resource_id = OLD.id;"
    "  ELSE"
    "    PERFORM vpnd_tag_index(NEW.project_id, TG_ARGV[0], NEW.id, NEW.spec, NEW.created_at,"
    "      TG_OP = 'UPDATE');"
    "  END IF;"
    "  RETURN NULL;"
    "END $$;"
    PG_TAG_TRIGGERS("vpn_gateway", "vpn-gateway")
    PG_TAG_TRIGGERS("customer_gateway", "customer-gateway")
    PG_TAG_TRIGGERS("vpn_connection", "vpn-connection"),
    /* 5 -> 6: customer gateway list: newest-first marker pagination, like connections */
    "CREATE INDEX customer_gateway_by_created ON customer_gateway"
    "  (project_id, created_at DESC, id DESC);",
    /* 6 -> 7: connection lists at any size: total_count from a counter per (project,
     * enterprise project) kept by a trigger in the writing transaction, and gateway-filtered
     * pages through their own order indexes, so a page costs O(limit). A counter row is one
     * hot row per (project, enterprise project): creates in one project serialize on it
     * (docs/distributed-sql.md). Existing rows are counted here. */
    "CREATE TABLE conn_count ("
    "  project_id TEXT COLLATE \"C\" NOT NULL,"
    "  enterprise_project_id TEXT COLLATE \"C\" NOT NULL,"
    "  n BIGINT NOT NULL CHECK (n >= 0),"
    "  PRIMARY KEY (project_id, enterprise_project_id)"
    ");"
    "INSERT INTO conn_count (project_id, enterprise_project_id, n)"
    "  SELECT project_id, enterprise_project_id, count(*) FROM vpn_connection"
    "  GROUP BY project_id, enterprise_project_id;"
    "CREATE FUNCTION vpnd_conn_count() RETURNS trigger LANGUAGE plpgsql"
    "  SET search_path FROM CURRENT AS $$"
    "BEGIN"
    /* a bulk load (pg_bulk.c) appends deltas, added to the counters once at its end: a
     * counter row updated once per record would grow a chain of row versions in one
     * transaction, each update walking it (quadratic) */
    "  IF current_setting('vpnd.bulk', true) = 'on' THEN"
    "    INSERT INTO pg_temp.vpnd_bulk_count (project_id, enterprise_project_id, kind, d)"
    "      VALUES (CASE WHEN TG_OP = 'INSERT' THEN NEW.project_id ELSE OLD.project_id END,"
    "        CASE WHEN TG_OP = 'INSERT' THEN NEW.enterprise_project_id"
    "          ELSE OLD.enterprise_project_id END,"
    "        -1, CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END);"
    "  ELSIF TG_OP = 'INSERT' THEN"
    "    INSERT INTO conn_count (project_id, enterprise_project_id, n)"
    "      VALUES (NEW.project_id, NEW.enterprise_project_id, 1)"
    "      ON CONFLICT (project_id, enterprise_project_id) DO UPDATE SET n = conn_count.n + 1;"
    "  ELSE"
    "    UPDATE conn_count SET n = n - 1 WHERE project_id = OLD.project_id"
    "      AND enterprise_project_id = OLD.enterprise_project_id;"
    "  END IF;"
    "  RETURN NULL;"
    "END $$;"
    "CREATE TRIGGER vpn_connection_counted AFTER INSERT OR DELETE ON vpn_connection"
    "  FOR EACH ROW EXECUTE FUNCTION vpnd_conn_count();"
    "CREATE INDEX vpn_connection_by_vgw_created ON vpn_connection"
    "  (project_id, vgw_id, created_at DESC, id DESC);"
    "CREATE INDEX vpn_connection_by_vgw_ip_created ON vpn_connection"
    "  (project_id, vgw_ip, created_at DESC, id DESC);",
    /* 7 -> 8: per-project row counts (kind 0 gateways, 1 customer gateways; connections are
     * counted by conn_count) kept by triggers, so a quota check reads one row. */
    "CREATE TABLE project_count ("
    "  project_id TEXT COLLATE \"C\" NOT NULL,"
    "  kind INTEGER NOT NULL,"
    "  n BIGINT NOT NULL,"
    "  PRIMARY KEY (project_id, kind)"
    ");"
    "CREATE FUNCTION vpnd_project_count() RETURNS trigger LANGUAGE plpgsql"
    "  SET search_path FROM CURRENT AS $$"
    "BEGIN"
    "  IF current_setting('vpnd.bulk', true) = 'on' THEN" /* as vpnd_conn_count */
    "    INSERT INTO pg_temp.vpnd_bulk_count (project_id, enterprise_project_id, kind, d)"
    "      VALUES (CASE WHEN TG_OP = 'INSERT' THEN NEW.project_id ELSE OLD.project_id END, '',"
    "        TG_ARGV[0]::integer, CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END);"
    "  ELSIF TG_OP = 'INSERT' THEN"
    "    INSERT INTO project_count (project_id, kind, n)"
    "      VALUES (NEW.project_id, TG_ARGV[0]::integer, 1)"
    "      ON CONFLICT (project_id, kind) DO UPDATE SET n = project_count.n + 1;"
    "  ELSE"
    "    UPDATE project_count SET n = n - 1 WHERE project_id = OLD.project_id"
    "      AND kind = TG_ARGV[0]::integer;"
    "  END IF;"
    "  RETURN NULL;"
    "END $$;"
    "CREATE TRIGGER vpn_gateway_counted AFTER INSERT OR DELETE ON vpn_gateway"
    "  FOR EACH ROW EXECUTE FUNCTION vpnd_project_count('0');"
    "INSERT INTO project_count SELECT project_id, 0, count(*) FROM vpn_gateway GROUP BY project_id;"
    "CREATE TRIGGER customer_gateway_counted AFTER INSERT OR DELETE ON customer_gateway"
    "  FOR EACH ROW EXECUTE FUNCTION vpnd_project_count('1');"
    "INSERT INTO project_count SELECT project_id, 1, count(*) FROM customer_gateway"
    "  GROUP BY project_id;",
    /* as SQLite's step: (project_id, vgw_id) is a prefix of vpn_connection_by_vgw_created */
    "DROP INDEX IF EXISTS vpn_connection_by_vgw;",
    /* SQLite's step 10 adds a hashed lookup key for the GET by id; here the primary key's
     * btree stays the way in (shared_buffers is sized by the operator), so the step is empty
     * and the version numbers of both backends keep meaning the same feature set */
    "SELECT 1;",
    /* as SQLite's step 11: status stored once (store.h) */
    "UPDATE vpn_connection SET"
    "  doc = substr(doc, 1, strpos(doc, ',\"status\":\"')) || substr(doc,"
    "    strpos(doc, ',\"status\":\"') + 12"
    "    + strpos(substr(doc, strpos(doc, ',\"status\":\"') + 11), '\"'))"
    "  WHERE strpos(doc, ',\"status\":\"') BETWEEN 1 AND 140;"
    "UPDATE vpn_connection SET spec = substr(spec, 1, strpos(spec, ',\"status\":\"') - 1)"
    "  || substr(spec, strpos(spec, ',\"status\":\"') + 11"
    "    + strpos(substr(spec, strpos(spec, ',\"status\":\"') + 11), '\"'))"
    "  WHERE strpos(spec, ',\"status\":\"') BETWEEN 1 AND 140;"
    "UPDATE vpn_gateway SET spec = substr(spec, 1, strpos(spec, ',\"status\":\"') - 1)"
    "  || substr(spec, strpos(spec, ',\"status\":\"') + 11"
    "    + strpos(substr(spec, strpos(spec, ',\"status\":\"') + 11), '\"'))"
    "  WHERE strpos(spec, ',\"status\":\"') BETWEEN 1 AND 140;",
    /* as SQLite's step 12: EIP ids claimed per project */
    "UPDATE claim c SET kind = 'eip_id:' || g.project_id FROM vpn_gateway g"
    "  WHERE c.kind = 'eip_id' AND c.owner_id = g.id;",
    /* as SQLite's step 13: data-plane leases (store.h) */
    "CREATE TABLE IF NOT EXISTS vgw_lease ("
    "  project_id TEXT NOT NULL,"
    "  vgw_id TEXT NOT NULL,"
    "  node TEXT NOT NULL,"
    "  expires_at BIGINT NOT NULL,"
    "  PRIMARY KEY (project_id, vgw_id)"
    ");"
    "CREATE INDEX IF NOT EXISTS vgw_lease_by_node ON vgw_lease (node);",
    /* as SQLite's step 14: the control surface's shared state (store.h "control") */
    "CREATE TABLE IF NOT EXISTS control ("
    "  key TEXT NOT NULL PRIMARY KEY,"
    "  value TEXT NOT NULL,"
    "  n BIGINT NOT NULL"
    ");"
    "INSERT INTO control (key, value, n) VALUES ('" STORE_CTL_GENERATION "', '', 0)"
    "  ON CONFLICT (key) DO NOTHING;",
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
