/* Shared fixture of the store unit tests, which are the store contract suite: every backend must
 * pass them. Each test gets a fresh store: by default a SQLite file in a mkdtemp directory; with
 * VPND_TEST_STORE_URL set to a PostgreSQL URL (make check does it, see
 * scripts/pg-test-cluster.sh), a fresh schema of that database, named in the URL's search_path
 * option (the backend creates it). Helpers build rows. Included by each tests/unit/test_store_*.c.
 */
#ifndef VPND_TEST_STORE_FIXTURE_H
#define VPND_TEST_STORE_FIXTURE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
/* cmocka.h needs setjmp.h, stdarg.h and stddef.h first */
#include <cmocka.h>

#include "store/store.h"

#define PROJECT_A "0605767dd1000ffd2f5cc0009a2d6d21"
#define PROJECT_B "1605767dd1000ffd2f5cc0009a2d6d21"
#define VGW_1 "7b6c5e0a-1f2d-4c3b-9a8e-1234567890ab"
#define VGW_2 "7b6c5e0a-1f2d-4c3b-9a8e-1234567890ac"
#define CGW_1 "c0c0c0c0-1f2d-4c3b-9a8e-1234567890ab"
#define T0 1669470094626 /* 2022-11-26T13:41:34.626Z */

struct fx {
    char dir[256];
    char path[1024]; /* the store URL: a SQLite file path or a PostgreSQL URL */
    struct store *s;
};

/* The PostgreSQL URL the suite runs against, or NULL for SQLite. */
static inline const char *fx_pg_url(void)
{
    const char *u = getenv("VPND_TEST_STORE_URL");

    return u && (strncmp(u, "postgres://", 11) == 0 || strncmp(u, "postgresql://", 13) == 0) ? u
                                                                                             : NULL;
}

/* Skips the current test unless the store is SQLite (file layout, WAL, header checks). */
#define FX_SQLITE_ONLY()                                                                           \
    do {                                                                                           \
        if (fx_pg_url())                                                                           \
            skip();                                                                                \
    } while (0)

static inline void fx_path(const struct fx *f, const char *suffix, char *out, size_t size)
{
    snprintf(out, size, "%s%s", f->path, suffix);
}

static inline void fx_open(struct fx *f)
{
    char err[256] = "";
    int r = store_open(f->path, &f->s, err, sizeof(err));

    if (r < 0)
        fail_msg("store_open(%s): %d %s", f->path, r, err);
}

static inline void fx_reopen(struct fx *f)
{
    store_close(f->s);
    f->s = NULL;
    fx_open(f);
}

static inline int fx_setup_closed(void **state)
{
    struct fx *f = calloc(1, sizeof(*f));
    const char *tmp = getenv("TMPDIR");

    if (!f)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "%s/vpnd-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    if (fx_pg_url()) {
        static unsigned seq;
        const char *u = fx_pg_url();

        /* a schema per test: t_<pid>_<seq>_<random>, created by the backend on open */
        snprintf(f->path, sizeof(f->path), "%s%coptions=-csearch_path%%3Dt_%ld_%u_%ld", u,
                 strchr(u, '?') ? '&' : '?', (long)getpid(), seq++, random() % 1000000);
    } else {
        snprintf(f->path, sizeof(f->path), "%s/vpnd.db", f->dir);
    }
    *state = f;
    return 0;
}

static inline int fx_setup(void **state)
{
    int r = fx_setup_closed(state);

    if (r == 0)
        fx_open(*state);
    return r;
}

static inline int fx_teardown(void **state)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    struct fx *f = *state;
    char p[1100];

    store_close(f->s);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        fx_path(f, suffixes[i], p, sizeof(p));
        unlink(p);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

/* Inserts an ACTIVE gateway in project with capacity connection slots; store_vgw_insert's
 * result. */
static inline int fx_try_add_vgw(struct fx *f, const char *project, const char *id,
                                 int64_t capacity)
{
    struct store_vgw_row row = {.connection_number = capacity, .created_at = T0, .updated_at = T0};
    char spec[128];

    snprintf(row.project_id, sizeof(row.project_id), "%s", project);
    snprintf(row.id, sizeof(row.id), "%s", id);
    snprintf(row.status, sizeof(row.status), "ACTIVE");
    snprintf(row.enterprise_project_id, sizeof(row.enterprise_project_id), "0");
    snprintf(spec, sizeof(spec), "{\"id\":\"%s\"}", id);
    row.spec = spec;
    return store_vgw_insert(f->s, &row, NULL, 0);
}

/* A gateway in project with capacity connection slots. */
static inline void fx_add_vgw(struct fx *f, const char *project, const char *id, int64_t capacity)
{
    assert_int_equal(fx_try_add_vgw(f, project, id, capacity), 0);
}

static inline void fx_add_cgw(struct fx *f, const char *project, const char *id)
{
    struct store_cgw_row row = {.created_at = T0, .updated_at = T0};
    char spec[] = "{}";

    row.spec = spec;
    snprintf(row.project_id, sizeof(row.project_id), "%s", project);
    snprintf(row.id, sizeof(row.id), "%s", id);
    assert_int_equal(store_cgw_insert(f->s, &row), 0);
}

/* Connection number n's id: "00000000-0000-4000-8000-<n, 12 digits>". */
static inline void fx_conn_id(int n, char out[37])
{
    snprintf(out, 37, "00000000-0000-4000-8000-%012d", n);
}

/* A connection row with id number n, doc {"id":"<id>"}; spec and doc point into the row's
 * own buffers, so the row must not be copied. */
struct fx_conn {
    struct store_conn_row row;
    char spec[128];
    char doc[128];
};

static inline void fx_conn_init(struct fx_conn *c, const char *project, const char *vgw_id, int n,
                                int64_t created_at)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->row.project_id, sizeof(c->row.project_id), "%s", project);
    fx_conn_id(n, c->row.id);
    snprintf(c->row.vgw_id, sizeof(c->row.vgw_id), "%s", vgw_id);
    snprintf(c->row.cgw_id, sizeof(c->row.cgw_id), "%s", CGW_1);
    snprintf(c->row.vgw_ip, sizeof(c->row.vgw_ip), "eip-1");
    snprintf(c->row.enterprise_project_id, sizeof(c->row.enterprise_project_id), "0");
    snprintf(c->row.status, sizeof(c->row.status), "PENDING_CREATE");
    c->row.status_due = created_at + 1000;
    c->row.created_at = created_at;
    c->row.updated_at = created_at;
    snprintf(c->spec, sizeof(c->spec), "{\"id\":\"%s\",\"psk\":\"secret\"}", c->row.id);
    snprintf(c->doc, sizeof(c->doc), "{\"id\":\"%s\"}", c->row.id);
    c->row.spec = c->spec;
    c->row.doc = c->doc;
}

static inline int64_t fx_used(struct fx *f, const char *project, const char *vgw_id)
{
    struct store_vgw_row row;

    assert_int_equal(store_vgw_get(f->s, project, vgw_id, &row), 0);
    store_vgw_row_done(&row);
    return row.used_connection_number;
}

/* The values of claim kind, joined by spaces ("" for none). */
static inline void fx_claims(struct fx *f, const char *kind, char *out, size_t size)
{
    struct buf b = {0};
    size_t n = 99, pos = 0;

    assert_int_equal(store_claims_list(f->s, kind, &b, &n), 0);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *v = b.data + pos;
        size_t len = strlen(v);

        snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", v);
        pos += len + 1;
    }
    assert_int_equal(pos, b.len);
    buf_free(&b);
}

static inline int fx_count_event(void *ud, const struct store_event *ev)
{
    (void)ev;
    (*(int *)ud)++;
    return 0;
}

/* How many events the log of connection id (PROJECT_A) holds. */
static inline int fx_events_of(struct fx *f, const char *id)
{
    int n = 0;

    assert_int_equal(store_conn_events(f->s, PROJECT_A, id, fx_count_event, &n), 0);
    return n;
}

/* A gateway update of (project, id) to PENDING_UPDATE with spec {"id":id,"v":2}, from ACTIVE;
 * u points into the struct, so it must not be copied. */
struct fx_vgw_upd {
    struct store_vgw_row row;
    struct store_vgw_update u;
    char spec[64];
};

static inline void fx_vgw_upd_init(struct fx_vgw_upd *v, const char *project, const char *id,
                                   int64_t capacity)
{
    memset(v, 0, sizeof(*v));
    snprintf(v->row.project_id, sizeof(v->row.project_id), "%s", project);
    snprintf(v->row.id, sizeof(v->row.id), "%s", id);
    snprintf(v->row.status, sizeof(v->row.status), "PENDING_UPDATE");
    v->row.connection_number = capacity;
    v->row.status_due = T0 + 500;
    v->row.updated_at = T0 + 100;
    snprintf(v->spec, sizeof(v->spec), "{\"id\":\"%s\",\"v\":2}", id);
    v->row.spec = v->spec;
    v->u.row = &v->row;
    v->u.from_status = "ACTIVE";
}

#endif
