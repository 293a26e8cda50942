/* auth/auth_int.h: shared between the files of src/auth only (canonicalization, credential
 * store, checker). Not for other modules: they include auth/auth.h. */
#ifndef VPND_AUTH_AUTH_INT_H
#define VPND_AUTH_AUTH_INT_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"

#define AUTH_SHA256_LEN 32
#define AUTH_HEX_LEN 64
#define AUTH_MAX_SIGNED_HEADERS 64
#define AUTH_MAX_HEADER_NAME 128
#define AUTH_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"

/* A byte string builder that starts in caller-provided (stack) storage and moves to the heap
 * only when that is too small, so a typical request costs no allocation. Errors are sticky:
 * check .err once at the end. The text is always NUL-terminated after .len bytes. */
struct auth_sbuf {
    char *p;
    size_t len;
    size_t cap; /* usable bytes, the NUL excluded */
    bool on_heap;
    int err; /* 0 or -ENOMEM */
};

void auth_sbuf_init(struct auth_sbuf *b, char *stack, size_t size);
void auth_sbuf_done(struct auth_sbuf *b);
int auth_sbuf_grow(struct auth_sbuf *b, size_t extra);

static inline void auth_sbuf_put(struct auth_sbuf *b, const void *s, size_t n)
{
    if (b->cap - b->len < n && auth_sbuf_grow(b, n) < 0)
        return;
    __builtin_memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static inline void auth_sbuf_putc(struct auth_sbuf *b, char ch)
{
    if (b->cap == b->len && auth_sbuf_grow(b, 1) < 0)
        return;
    b->p[b->len++] = ch;
    b->p[b->len] = '\0';
}

/* A (pointer, length) view into a caller's string. */
struct auth_span {
    const char *p;
    size_t n;
};

/* Digest helpers: ctx (reused across calls to save an allocation) and md (prefetched SHA-256)
 * may each be NULL, at some cost. */

/* Writes the lower-hex payload hash of req (spec §7.1 step 6) and a NUL: SHA-256 of the body,
 * or "UNSIGNED-PAYLOAD" when X-Sdk-Content-Sha256 says exactly that. Returns 0 or -EIO. */
int auth_payload_hash(EVP_MD_CTX *ctx, const EVP_MD *md, const struct auth_request *req,
                      char out[65]);

/* Appends the canonical request for the SignedHeaders list `signed_headers` to out, with the
 * given payload hash line. On -ENOENT *ret_missing names the absent header. Returns 0, -EINVAL
 * (malformed list), -ENOENT, -ENOMEM (in out->err as well). */
int auth_canon_build(const struct auth_request *req, struct auth_span signed_headers,
                     enum auth_uri_mode mode, const char *payload_hash, struct auth_sbuf *out,
                     struct auth_span *ret_missing);

/* Lower-hex SHA-256 of data into out (65 bytes with NUL). 0 or -EIO. */
int auth_sha256_hex(EVP_MD_CTX *ctx, const EVP_MD *md, const void *data, size_t len,
                    char out[65]);

/* Builds "SDK-HMAC-SHA256\n<date>\n<hex sha256(canonical)>" into dst (>= 128 bytes, NUL
 * terminated). Returns its length, or -EIO. */
int auth_build_sts(EVP_MD_CTX *ctx, const EVP_MD *md, struct auth_span date,
                   const char *canonical, size_t len, char *dst, size_t size);

void auth_hex(const unsigned char *in, size_t n, char *out);

/* Credential store internals (auth/creds.c). */
struct auth_key {
    char *ak;
    EVP_MAC_CTX *mac; /* HMAC-SHA256 keyed with the SK; duplicated per request */
    char *projects;   /* "p1\0p2\0": nprojects NUL-terminated ids back to back */
    size_t nprojects;
    unsigned line; /* line in the credentials file, 0 if added in code */
    bool admin;    /* an "admin" line: the operator surfaces, no project */
};

struct auth_token {
    unsigned char digest[AUTH_SHA256_LEN]; /* SHA-256 of the token; the token is not kept */
    char *projects;
    size_t nprojects;
    unsigned line;
    unsigned ordinal; /* 1-based order of addition: principal "token#N" */
    bool admin;       /* an "admin" line: the operator surfaces, no project */
};

struct auth_creds {
    EVP_MD *sha256;
    EVP_MAC *hmac;
    struct auth_key *keys; /* sorted by strcmp(ak) */
    size_t nkeys, keys_cap;
    struct auth_token *tokens; /* sorted by memcmp(digest) */
    size_t ntokens, tokens_cap;
};

const struct auth_key *auth_creds_find_key(const struct auth_creds *c, const char *ak,
                                           size_t ak_len);
const struct auth_token *auth_creds_find_token(const struct auth_creds *c, const char *token);
bool auth_projects_has(const char *projects, size_t nprojects, const char *project_id);

/* ---- quote.c ---- */

#define AUTH_ECHO_MAX 64
#define AUTH_QUOTE_BUF (AUTH_ECHO_MAX * 4 + 8)
/* Quotes s (never a secret) for an error message into dst (AUTH_QUOTE_BUF bytes hold any
 * input): printable ASCII kept, '"' and '\\' escaped, other bytes as \xHH, cut after
 * AUTH_ECHO_MAX input bytes with "...". */
void auth_quote(char *dst, size_t size, const char *s, size_t n);

#endif
