/* store/sqlite/sq_zip.c: connection documents stored compressed (zstd with a dictionary).
 *
 * A connection's spec and served doc are ~1.2 KB and ~1.1 KB of JSON: two rows did not fit a
 * 4 KiB page, so each connection took a page of its own (BENCHMARKS.md "The store"). Written
 * through store_sqlite_bind's 'z' type they are stored as a BLOB: one byte naming the dictionary
 * (a row of the zdict table), then a zstd frame (content size in its header, no checksum, no
 * dictionary id). Read through store_sqlite_col_json (and the SQL function vpnd_json, for SQL
 * that looks inside a spec) a BLOB is decompressed and a TEXT value, the form every vpnd before
 * this one wrote, is returned as it is: an old store reads without a rewrite, and its rows are
 * compressed as they are written again, or all at once by store_compact (vpnd compact).
 *
 * The dictionary lives in the store, so any later build reads what an earlier one wrote. The
 * migration that creates the zdict table stores dictionary 1, built by vpnd_zdict_build() from
 * the documents below (no trained blob in the tree): their text is the dictionary's content,
 * and copies of them with generated ids are the samples ZDICT_finalizeDictionary takes its
 * entropy tables from (those tables make a document's decompression ~3x cheaper than with the
 * raw text alone). A later build that changes this text must store it as a new id; writes use
 * the highest id the store holds. The contexts and the prepared dictionaries are made once per
 * store and reused by every call.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zdict.h>
#include <zstd.h>

#include "store/sqlite/sq_int.h"

#define SQ_ZIP_LEVEL 3 /* 2 us a document to compress here; 9 saves 7 % for 4x the time */
/* a decompressed size above this is corruption: no document comes near it (a request body is
 * at most 64 MiB, --max-body) */
#define SQ_ZIP_MAX_TEXT ((size_t)128 << 20)
#define SQ_ZIP_KEEP ((size_t)1 << 20) /* buffers grown past this shrink back at the next use */
#define SQ_ZIP_SAMPLES 16                  /* copies of the two documents below */

struct sq_zip {
    ZSTD_CCtx *cctx;
    ZSTD_DCtx *dctx;
    ZSTD_CDict *cdict; /* of dictionary cdict_id, the store's highest */
    unsigned char cdict_id;
    ZSTD_DDict *ddict[256]; /* by dictionary id; NULL: the store holds no such dictionary */
    char *out;              /* the last decompressed text (store_sqlite_col_json, vpnd_json) */
    size_t cap;
    char *frame; /* the last compressed one (store_sqlite_bind_json; SQLite copies it) */
    size_t frame_cap;
};

/* The IKE and IPsec policies of the seed's connection, from the first member after
 * "ike_version" to "lifetime_seconds" of the IPsec policy (a doc and a spec hold the same). */
#define SQ_ZDICT_POLICIES                                                                          \
    "\"authentication_algorithm\":\"sha2-256\",\"encryption_algorithm\":\"aes-128\","              \
    "\"dh_group\":\"group15\",\"authentication_method\":\"pre-share\","                            \
    "\"lifetime_seconds\":86400,\"local_id_type\":\"ip\",\"local_id\":\"\","                       \
    "\"peer_id_type\":\"ip\",\"peer_id\":\"\",\"dpd\":{\"timeout\":15,\"interval\":30,"            \
    "\"msg\":\"seq-hash-notify\"}},\"ipsecpolicy\":{\"authentication_algorithm\":\"sha2-256\","    \
    "\"encryption_algorithm\":\"aes-128\",\"pfs\":\"group15\",\"transform_protocol\":\"esp\","     \
    "\"lifetime_seconds\":3600,\"encapsulation_mode\":\"tunnel\"},"

/* Dictionary 1's content: the alternatives of the enum members and the rarer members first
 * (farthest, so the dearest to reference), then a served doc and a spec of the seed's shape. */
static const char sq_zdict_text[] =
    /* alternatives of the enum members and the less common members, first (the farthest) */
    "{\"style\":\"STATIC\",\"style\":\"BGP\",\"style\":\"POLICY-TEMPLATE\",\"ha_role\":\"slave\","
    "\"bgp_peer\":{\"peer_asn\":64512,\"peer_ip_address\":\"169.254.1.2\"},"
    "\"peer_subnets_v6\":[\"fd00:1::/64\"],\"policy_rules_v6\":[],\"gw_is_v6\":true,"
    "\"connection_monitor_id\":\"\",\"enable_health_check\":true,\"enable_nqa\":true,"
    "\"enable_hub\":true,\"gw_is_er\":true,\"gw_is_gm\":true,\"peer_id_type\":\"any\","
    "\"local_id_type\":\"fqdn\",\"peer_id_type\":\"fqdn\",\"ike_version\":\"v1\","
    "\"phase1_negotiation_mode\":\"aggressive\",\"authentication_method\":\"digital-envelope-v2\","
    "\"authentication_algorithm\":\"sha2-512\",\"authentication_algorithm\":\"sha2-384\","
    "\"authentication_algorithm\":\"sha1\",\"authentication_algorithm\":\"md5\","
    "\"authentication_algorithm\":\"sm3\",\"encryption_algorithm\":\"aes-256-gcm-16\","
    "\"encryption_algorithm\":\"aes-128-gcm-16\",\"encryption_algorithm\":\"aes-256-gcm-128\","
    "\"encryption_algorithm\":\"aes-128-gcm-128\",\"encryption_algorithm\":\"aes-256\","
    "\"encryption_algorithm\":\"aes-192\",\"encryption_algorithm\":\"3des\","
    "\"encryption_algorithm\":\"sm4\",\"dh_group\":\"group14\",\"dh_group\":\"group19\","
    "\"dh_group\":\"group20\",\"dh_group\":\"group21\",\"dh_group\":\"group16\","
    "\"pfs\":\"disable\",\"pfs\":\"group14\",\"pfs\":\"group19\",\"pfs\":\"group20\","
    "\"msg\":\"seq-notify-hash\",\"tags\":[{\"key\":\"env\",\"value\":\"prod\"}],"
    "\"enterprise_project_id\":\"0\",\"status\":\"ACTIVE\",\"status\":\"DOWN\"}"
    /* a served doc, then a spec, of the seed's shape: the members every connection has */
    "{\"id\":\"\",\"name\":\"vpn-\",\"vgw_id\":\"\",\"vgw_ip\":\"\",\"style\":\"POLICY\","
    "\"cgw_id\":\"\",\"peer_subnets\":[\"192.168.0.0/24\"],"
    "\"tunnel_local_address\":\"169.254.0.1/30\",\"tunnel_peer_address\":\"169.254.0.2/30\","
    "\"policy_rules\":[{\"rule_index\":1,\"source\":\"10.0.0.0/24\","
    "\"destination\":[\"192.168.0.0/24\"]}],\"ikepolicy\":{\"ike_version\":\"v2\","
    SQ_ZDICT_POLICIES
    "\"created_at\":\"2026-01-01T00:00:00.000Z\",\"updated_at\":\"2026-01-01T00:00:00.000Z\","
    "\"enterprise_project_id\":\"0\",\"ha_role\":\"master\"}"
    "{\"id\":\"\",\"name\":\"vpn-\",\"vgw_id\":\"\",\"vgw_ip\":\"\",\"style\":\"POLICY\","
    "\"cgw_id\":\"\",\"peer_subnets\":[\"192.168.0.0/24\"],"
    "\"tunnel_local_address\":\"169.254.0.1/30\",\"tunnel_peer_address\":\"169.254.0.2/30\","
    "\"enable_nqa\":false,\"enable_hub\":false,\"psk\":\"\",\"policy_rules\":[{\"rule_index\":1,"
    "\"source\":\"10.0.0.0/24\",\"destination\":[\"192.168.0.0/24\"]}],"
    "\"ikepolicy\":{\"ike_version\":\"v2\",\"phase1_negotiation_mode\":\"main\","
    SQ_ZDICT_POLICIES
    "\"created_at\":1700000000000,"
    "\"updated_at\":1700000000000,\"enterprise_project_id\":\"0\",\"ha_role\":\"master\","
    "\"tags\":[],\"gw_is_er\":false,\"gw_is_gm\":false,\"peer_asn\":65000}"
    ;

/* Writes a sample to dst: a copy of template t (n bytes) with every empty string value filled
 * with a generated id and every "vpn-" name numbered. Returns its length. */
static size_t sq_zdict_sample(uint64_t *rng, char *dst, size_t cap, const char *t, size_t n)
{
    size_t off = 0;

    for (size_t i = 0; i < n && off + 64 < cap; i++) {
        dst[off++] = t[i];
        if (t[i] == ':' && i + 2 < n && t[i + 1] == '"' && t[i + 2] == '"') {
            uint64_t a, b;

            *rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
            a = *rng;
            *rng ^= *rng << 13, *rng ^= *rng >> 7, *rng ^= *rng << 17;
            b = *rng;
            off += (size_t)snprintf(dst + off, cap - off, "\"%08x-%04x-4%03x-%04x-%012llx",
                                    (unsigned)a, (unsigned)(a >> 32) & 0xffffu,
                                    (unsigned)(a >> 48) & 0xfffu, (unsigned)(b & 0x3fffu) | 0x8000u,
                                    (unsigned long long)(b >> 16) & 0xffffffffffffULL);
            i++; /* the opening quote is written; the closing one is copied next */
        } else if (i >= 3 && memcmp(t + i - 3, "vpn-", 4) == 0) {
            off += (size_t)snprintf(dst + off, cap - off, "%u", (unsigned)(*rng % 100000));
        }
    }
    return off;
}

/* Builds dictionary 1 (the head comment) into a malloc'd buffer. 0 or -ENOMEM / -EIO. */
static int sq_zdict_build(void **ret, size_t *ret_len)
{
    const char *docs = strstr(sq_zdict_text, "}{\"id\"") + 1;
    const char *spec = strstr(docs + 1, "}{\"id\"") + 1;
    size_t doc_len = (size_t)(spec - docs), spec_len = strlen(spec);
    size_t cap = SQ_ZIP_SAMPLES * 2 * (spec_len + 512), off = 0, sizes[SQ_ZIP_SAMPLES * 2];
    char *samples = malloc(cap);
    void *dict = malloc(sizeof(sq_zdict_text) + 4096);
    uint64_t rng = 88172645463325252ULL;
    ZDICT_params_t p = {.compressionLevel = SQ_ZIP_LEVEL, .dictID = 1};
    size_t n;

    if (!samples || !dict) {
        free(samples);
        free(dict);
        return -ENOMEM;
    }
    for (size_t i = 0; i < SQ_ZIP_SAMPLES; i++) {
        sizes[2 * i] = sq_zdict_sample(&rng, samples + off, cap - off, docs, doc_len);
        off += sizes[2 * i];
        sizes[2 * i + 1] = sq_zdict_sample(&rng, samples + off, cap - off, spec, spec_len);
        off += sizes[2 * i + 1];
    }
    n = ZDICT_finalizeDictionary(dict, sizeof(sq_zdict_text) + 4096, sq_zdict_text,
                                 sizeof(sq_zdict_text) - 1, samples, sizes,
                                 SQ_ZIP_SAMPLES * 2, p);
    free(samples);
    if (ZDICT_isError(n)) {
        free(dict);
        return -EIO;
    }
    *ret = dict;
    *ret_len = n;
    return 0;
}

/* SQL vpnd_zdict_build(): dictionary 1 as a BLOB (the migration that creates zdict). */
static void sq_zdict_build_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    void *dict = NULL;
    size_t n = 0;

    (void)argc, (void)argv;
    int r = sq_zdict_build(&dict, &n);
    if (r == -ENOMEM) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (r < 0) {
        sqlite3_result_error(ctx, "vpnd_zdict_build: cannot build the dictionary", -1);
        return;
    }
    sqlite3_result_blob(ctx, dict, (int)n, free);
}

/* Grows *buf (*cap bytes) to at least n bytes; one that an outlier grew past SQ_ZIP_KEEP is
 * given back first when n fits in that. */
static int sq_zip_reserve(char **buf, size_t *cap, size_t n)
{
    char *p;

    if (n <= SQ_ZIP_KEEP && *cap > SQ_ZIP_KEEP) {
        free(*buf);
        *buf = NULL;
        *cap = 0;
    }
    if (n <= *cap)
        return 0;
    p = realloc(*buf, n);
    if (!p)
        return -ENOMEM;
    *buf = p;
    *cap = n;
    return 0;
}

/* Decompresses blob src (n bytes) into z->out (*ret): the text, NUL-terminated, its length in
 * *ret_len. -EIO (q->errmsg) if the blob is not one of ours. */
static int sq_zip_inflate(struct sq_store *q, const unsigned char *src, size_t n, char **ret,
                          size_t *ret_len)
{
    struct sq_zip *z = q->zip;
    unsigned long long size;
    ZSTD_DDict *dict;
    size_t got;

    if (!z || n < 2)
        return store_sqlite_corrupt(q, "read document", "not a compressed document");
    if (!(dict = z->ddict[src[0]]))
        return store_sqlite_corrupt(q, "read document", "compressed with unknown dictionary %d",
                                    src[0]);
    size = ZSTD_getFrameContentSize(src + 1, n - 1);
    if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR ||
        size > SQ_ZIP_MAX_TEXT)
        return store_sqlite_corrupt(q, "read document", "not a compressed document");
    if (sq_zip_reserve(&z->out, &z->cap, (size_t)size + 1) < 0)
        return -ENOMEM;
    got = ZSTD_decompress_usingDDict(z->dctx, z->out, (size_t)size, src + 1, n - 1, dict);
    if (ZSTD_isError(got) || got != size)
        return store_sqlite_corrupt(q, "read document", "compressed document: %s",
                                    ZSTD_isError(got) ? ZSTD_getErrorName(got) : "short");
    z->out[got] = '\0';
    *ret = z->out;
    *ret_len = got;
    return 0;
}

int store_sqlite_col_json(struct sq_store *q, sqlite3_stmt *st, int col, const char **ret,
                          size_t *ret_len)
{
    const void *v;
    char *text;

    if (sqlite3_column_type(st, col) != SQLITE_BLOB) {
        v = sqlite3_column_text(st, col);
        if (!v)
            return sqlite3_errcode(q->db) == SQLITE_NOMEM
                       ? -ENOMEM
                       : store_sqlite_corrupt(q, "read document", "column %s is NULL",
                                              sqlite3_column_name(st, col));
        *ret = v;
        *ret_len = (size_t)sqlite3_column_bytes(st, col);
        return 0;
    }
    v = sqlite3_column_blob(st, col);
    if (!v)
        return sqlite3_errcode(q->db) == SQLITE_NOMEM
                   ? -ENOMEM
                   : store_sqlite_corrupt(q, "read document", "empty compressed document");
    int r = sq_zip_inflate(q, v, (size_t)sqlite3_column_bytes(st, col), &text, ret_len);
    if (r == 0)
        *ret = text;
    return r;
}

int store_sqlite_col_json_dup(struct sq_store *q, sqlite3_stmt *st, int col, char **ret)
{
    const char *text;
    size_t n;
    int r = store_sqlite_col_json(q, st, col, &text, &n);
    char *p;

    if (r < 0)
        return r;
    p = malloc(n + 1);
    if (!p)
        return -ENOMEM;
    memcpy(p, text, n + 1);
    *ret = p;
    return 0;
}

/* Compresses text (len bytes) into z->frame: the stored form, its size in *ret_n. An SQLite
 * result code (SQLITE_NOMEM: compression cannot fail with a bound-sized output otherwise). */
static int sq_zip_deflate(struct sq_zip *z, const char *text, size_t len, size_t *ret_n)
{
    size_t n = ZSTD_compressBound(len) + 1;

    if (sq_zip_reserve(&z->frame, &z->frame_cap, n) < 0)
        return SQLITE_NOMEM;
    z->frame[0] = (char)z->cdict_id;
    n = ZSTD_compress2(z->cctx, z->frame + 1, z->frame_cap - 1, text, len);
    if (ZSTD_isError(n))
        return SQLITE_NOMEM;
    *ret_n = n + 1;
    return SQLITE_OK;
}

int store_sqlite_bind_json(struct sq_store *q, sqlite3_stmt *st, int i, const char *text)
{
    struct sq_zip *z = q->zip;
    size_t n = 0;
    int rc;

    if (!text)
        return sqlite3_bind_null(st, i);
    if (!z || !z->cdict) /* only while the schema is being brought up to date */
        return sqlite3_bind_text(st, i, text, -1, SQLITE_STATIC);
    rc = sq_zip_deflate(z, text, strlen(text), &n);
    return rc != SQLITE_OK ? rc : sqlite3_bind_blob(st, i, z->frame, (int)n, SQLITE_TRANSIENT);
}

/* SQL vpnd_zip(x): a TEXT spec or doc compressed as bind_json stores it; anything else as it is
 * (a BLOB is compressed already). */
static void sq_zip_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct sq_store *q = sqlite3_user_data(ctx);
    const unsigned char *text;
    size_t n = 0;

    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_TEXT || !q->zip || !q->zip->cdict) {
        sqlite3_result_value(ctx, argv[0]);
        return;
    }
    text = sqlite3_value_text(argv[0]);
    if (!text || sq_zip_deflate(q->zip, (const char *)text,
                                (size_t)sqlite3_value_bytes(argv[0]), &n) != SQLITE_OK) {
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_result_blob(ctx, q->zip->frame, (int)n, SQLITE_TRANSIENT);
}

/* One batch of store_sqlite_compact: the rows with rowid in (from, from + batch]. */
static int sq_compact_tx(struct sq_store *q, int64_t from, size_t batch, size_t *ret_rows)
{
    static const char sql[] =
        "UPDATE vpn_connection SET spec = vpnd_zip(spec), doc = vpnd_zip(doc)"
        " WHERE rowid > ?1 AND rowid <= ?2 AND (typeof(spec) = 'text' OR typeof(doc) = 'text')";
    SQ_ONCE(st);
    int r = store_sqlite_prepare_once(q, sql, &st, "compact");

    if (r == 0)
        r = store_sqlite_bind(q, st, "compact", "II", from, from + (int64_t)batch);
    if (r == 0)
        r = store_sqlite_exec(q, st, "compact");
    if (r == 0)
        *ret_rows += (size_t)sqlite3_changes(q->db);
    return r;
}

int store_sqlite_compact(struct store *s, size_t batch, size_t *ret_rows)
{
    struct sq_store *q = sq_from(s);
    int64_t last = 0;
    int r;

    {
        SQ_ONCE(st);
        r = store_sqlite_prepare_once(q, "SELECT coalesce(max(rowid), 0) FROM vpn_connection",
                                      &st, "compact");
        if (r == 0)
            r = store_sqlite_step_row(q, st, "compact");
        if (r < 0)
            return r;
        last = sqlite3_column_int64(st, 0);
    }
    if (batch == 0)
        return -EINVAL;
    /* rows inserted meanwhile are written compressed: the rowids up to last are all there is */
    for (int64_t from = 0; from < last; from += (int64_t)batch) {
        r = store_sqlite_begin(q, "compact: begin");
        if (r == 0)
            r = store_sqlite_end(q, sq_compact_tx(q, from, batch, ret_rows), "compact: commit");
        if (r < 0)
            return r;
    }
    return 0;
}

/* SQL vpnd_json(x): the JSON text of a spec or doc column, compressed or not. */
static void sq_json_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct sq_store *q = sqlite3_user_data(ctx);
    char *text;
    size_t n;

    (void)argc;
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB) {
        sqlite3_result_value(ctx, argv[0]);
        return;
    }
    const void *src = sqlite3_value_blob(argv[0]); /* NULL only for an empty BLOB */
    int r = sq_zip_inflate(q, src, src ? (size_t)sqlite3_value_bytes(argv[0]) : 0, &text, &n);
    if (r == -ENOMEM) { /* SQLITE_NOMEM: the caller's -ENOMEM (503), not corruption */
        sqlite3_result_error_nomem(ctx);
        return;
    }
    if (r < 0) {
        sqlite3_result_error(ctx, q->errmsg, -1);
        return;
    }
    sqlite3_result_text(ctx, text, (int)n, SQLITE_TRANSIENT);
}

int store_sqlite_register_zip(struct sq_store *q)
{
    int rc = sqlite3_create_function(q->db, "vpnd_zdict_build", 0, SQLITE_UTF8, NULL,
                                     sq_zdict_build_fn, NULL, NULL);

    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(q->db, "vpnd_json", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                     q, sq_json_fn, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(q->db, "vpnd_zip", 1, SQLITE_UTF8, q, sq_zip_fn, NULL,
                                     NULL);
    return rc;
}

/* Prepares dictionary id (its bytes dict, n) for reading and, as the highest so far, writing. */
static int sq_zip_add(struct sq_zip *z, int64_t id, const void *dict, size_t n)
{
    if (id < 1 || id > 255 || z->ddict[id])
        return -EIO;
    z->ddict[id] = ZSTD_createDDict(dict, n);
    if (!z->ddict[id])
        return -ENOMEM;
    if (id < z->cdict_id)
        return 0;
    ZSTD_freeCDict(z->cdict);
    z->cdict = ZSTD_createCDict(dict, n, SQ_ZIP_LEVEL);
    z->cdict_id = (unsigned char)id;
    return z->cdict ? 0 : -ENOMEM;
}

void store_sqlite_zip_free(struct sq_store *q)
{
    struct sq_zip *z = q->zip;

    if (!z)
        return;
    ZSTD_freeCCtx(z->cctx);
    ZSTD_freeDCtx(z->dctx);
    ZSTD_freeCDict(z->cdict);
    for (size_t i = 0; i < ARRAY_SIZE(z->ddict); i++)
        ZSTD_freeDDict(z->ddict[i]);
    free(z->out);
    free(z->frame);
    free(z);
    q->zip = NULL;
}

int store_sqlite_zip_init(struct sq_store *q, char *errbuf, size_t errlen)
{
    sqlite3_stmt *st = NULL;
    struct sq_zip *z = calloc(1, sizeof(*z));
    int rc, r = 0;

    if (!z)
        return -ENOMEM;
    q->zip = z;
    z->cctx = ZSTD_createCCtx();
    z->dctx = ZSTD_createDCtx();
    if (!z->cctx || !z->dctx ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 0)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_dictIDFlag, 0)))
        r = -ENOMEM;
    rc = r ? SQLITE_OK
           : sqlite3_prepare_v2(q->db, "SELECT id, dict FROM zdict ORDER BY id", -1, &st, NULL);
    if (r == 0 && rc == SQLITE_OK)
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && r == 0)
            r = sq_zip_add(z, sqlite3_column_int64(st, 0), sqlite3_column_blob(st, 1),
                           (size_t)sqlite3_column_bytes(st, 1));
    if (r == 0 && rc != SQLITE_DONE)
        r = store_sqlite_fail(q, rc, "read dictionaries");
    else if (r == 0 && !z->cdict)
        r = store_sqlite_corrupt(q, "read dictionaries", "the zdict table is empty");
    else if (r == -EIO)
        store_sqlite_corrupt(q, "read dictionaries", "a dictionary id is not 1 to 255");
    sqlite3_finalize(st);
    if (r == 0 && ZSTD_isError(ZSTD_CCtx_refCDict(z->cctx, z->cdict)))
        r = -ENOMEM;
    if (r < 0)
        snprintf(errbuf, errlen, "%s", r == -ENOMEM ? "out of memory" : q->errmsg);
    return r;
}
