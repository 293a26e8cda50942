/* store/sqlite/sq_tags_new.c: the tag index sync of a freshly inserted resource whose spec has
 * no tags (the common case: every seed and bench connection, most creates and imports).
 *
 * store_sqlite_tags_sync derives the index rows from the stored spec with SQLite's JSON
 * functions, which parse the whole spec (~1.2 KB) once per step. For a spec whose top-level
 * "tags" member is absent or [] the result is known without that: the resource's tag_resource
 * row, named from the spec's "name" member (its JSON text, decoded by json_extract), and no tag
 * rows. Anything else (tags present, or a spec the member scan cannot read) takes the full sync.
 */
#include <string.h>

#include "store/sqlite/sq_int.h"

static const char sq_resource_sql[] =
    "INSERT INTO tag_resource (project_id, resource_type, resource_id, name, created_at)"
    " VALUES (?1, ?3, ?2, coalesce(json_extract(?4, '$'), ''), ?5)"
    " ON CONFLICT (project_id, resource_type, resource_id) DO UPDATE SET name = excluded.name";

static const char *const sq_res_type_names[] = {
    [STORE_RES_VPN_GATEWAY] = "vpn-gateway",
    [STORE_RES_CUSTOMER_GATEWAY] = "customer-gateway",
    [STORE_RES_VPN_CONNECTION] = "vpn-connection",
};

int store_sqlite_tags_sync_new(struct sq_store *q, enum store_res_type type,
                               const char *project_id, const char *id, const char *spec,
                               int64_t created_at)
{
    static const char *const keys[] = {"tags", "name"};
    struct sq_member m[2];
    SQ_ONCE(st);
    int r;

    if (store_sqlite_members(spec, keys, 2, m) < 0)
        return store_sqlite_tags_sync(q, type, project_id, id);
    for (size_t i = 0; i < 2; i++)
        while (m[i].found && m[i].len > 0 && strchr(" \t\r\n", m[i].val[m[i].len - 1]))
            m[i].len--;
    if (m[0].found && !(m[0].len == 2 && memcmp(m[0].val, "[]", 2) == 0))
        return store_sqlite_tags_sync(q, type, project_id, id);
    r = store_sqlite_prepare_once(q, sq_resource_sql, &st, "tags sync new");
    if (r == 0)
        r = store_sqlite_bind(q, st, "tags sync new", "sss", project_id, id,
                              sq_res_type_names[type]);
    if (r == 0) {
        int rc = m[1].found ? sqlite3_bind_text(st, 4, m[1].val, (int)m[1].len, SQLITE_STATIC)
                            : sqlite3_bind_null(st, 4);
        if (rc == SQLITE_OK)
            rc = sqlite3_bind_int64(st, 5, created_at);
        if (rc != SQLITE_OK)
            r = store_sqlite_fail(q, rc, "tags sync new");
    }
    if (r == 0)
        r = store_sqlite_exec(q, st, "tags sync new");
    if (r == 0) {
        /* no tag rows: clear any left behind, as the full sync does */
        SQ_STMT(del, q, (enum sq_stmt)(SQ_TAG_SYNC_FIRST + 3 * (int)type + 1));
        r = store_sqlite_bind(q, del, "tags sync new", "sss", project_id, id,
                              sq_res_type_names[type]);
        if (r == 0)
            r = store_sqlite_exec(q, del, "tags sync new");
    }
    return r;
}
