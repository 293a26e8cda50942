/* auth/canon.c: the SDK-HMAC-SHA256 canonical request (spec §7.1 steps 3-9).
 *
 * Canonical URI: split the raw path on '/', percent-decode each segment (AUTH_URI_DECODED) or
 * take its bytes as sent (AUTH_URI_AS_SENT), re-encode everything outside the RFC 3986
 * unreserved set as upper-case %XX, rejoin, append '/' if missing.
 * Canonical query: split on '&' (empty pieces skipped), split each at the first '=', decode
 * ('+' is a space), sort by decoded key then decoded value bytewise (what the GO/PY/Node
 * signers sort), re-encode, join "k=v" with '&' (a key without '=' gives "k=").
 * Canonical headers: for each name of the received SignedHeaders list, in its order,
 * "name:value\n" with the value's surrounding spaces/tabs trimmed.
 * Invalid percent-escapes ("%zz", a trailing "%") are kept as a literal '%' (encoded %25).
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_int.h"
#include "util/hex.h"

#define QUERY_STACK_PAIRS 32
#define QUERY_STACK_BYTES 1024
#define CANON_STACK_BYTES 2048

static const char hex_upper[] = "0123456789ABCDEF";
static const char hex_lower[] = "0123456789abcdef";

void auth_sbuf_init(struct auth_sbuf *b, char *stack, size_t size)
{
    b->p = stack;
    b->len = 0;
    b->cap = size - 1;
    b->on_heap = false;
    b->err = 0;
    b->p[0] = '\0';
}

void auth_sbuf_done(struct auth_sbuf *b)
{
    if (b->on_heap)
        free(b->p);
    b->p = NULL;
    b->on_heap = false;
}

int auth_sbuf_grow(struct auth_sbuf *b, size_t extra)
{
    size_t need, cap = b->cap;
    char *p;

    if (b->err)
        return b->err;
    if (__builtin_add_overflow(b->len, extra, &need))
        goto out_nomem;
    while (cap < need) {
        if (__builtin_mul_overflow(cap < 64 ? 64 : cap, 2, &cap))
            goto out_nomem;
    }
    p = malloc(cap + 1);
    if (!p)
        goto out_nomem;
    memcpy(p, b->p, b->len + 1);
    if (b->on_heap)
        free(b->p);
    b->p = p;
    b->cap = cap;
    b->on_heap = true;
    return 0;
out_nomem:
    b->err = -ENOMEM;
    return b->err;
}

void auth_hex(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hex_lower[in[i] >> 4];
        out[2 * i + 1] = hex_lower[in[i] & 15];
    }
    out[2 * n] = '\0';
}

int auth_sha256_hex(EVP_MD_CTX *ctx, const EVP_MD *md, const void *data, size_t len,
                    char out[65])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    int ok;

    if (!md)
        md = EVP_sha256();
    if (ctx)
        ok = EVP_DigestInit_ex2(ctx, md, NULL) && EVP_DigestUpdate(ctx, data, len) &&
             EVP_DigestFinal_ex(ctx, d, &dlen);
    else
        ok = EVP_Digest(data, len, d, &dlen, md, NULL);
    if (!ok || dlen != AUTH_SHA256_LEN)
        return -EIO;
    auth_hex(d, AUTH_SHA256_LEN, out);
    return 0;
}

int auth_payload_hash(EVP_MD_CTX *ctx, const EVP_MD *md, const struct auth_request *req,
                      char out[65])
{
    const char *v = req->header(req->ud, "X-Sdk-Content-Sha256");

    /* Only the literal UNSIGNED-PAYLOAD replaces the body hash. Taking any other value
     * literally (as the GO signer does on its side) would let a body be swapped under a
     * header that repeats the original hash; hashing the body instead is always right. */
    if (v && strcmp(v, AUTH_UNSIGNED_PAYLOAD) == 0) {
        memcpy(out, AUTH_UNSIGNED_PAYLOAD, sizeof(AUTH_UNSIGNED_PAYLOAD));
        return 0;
    }
    if (req->body_len == 0) { /* every GET and DELETE: SHA-256 of the empty string */
        memcpy(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", 65);
        return 0;
    }
    return auth_sha256_hex(ctx, md, req->body, req->body_len, out);
}

/* RFC 3986 unreserved: A-Z a-z 0-9 - _ . ~ */
static const bool unreserved[256] = {
    ['A' ... 'Z'] = true, ['a' ... 'z'] = true, ['0' ... '9'] = true,
    ['-'] = true,         ['_'] = true,         ['.'] = true,         ['~'] = true,
};

/* Appends s[0..n) with every byte outside the unreserved set as %XX; with decode, valid %XX
 * escapes in s are decoded first. One capacity check for the worst case (3 bytes per byte). */
static void put_encoded(struct auth_sbuf *out, const char *s, size_t n, bool decode)
{
    size_t worst;
    char *d;

    if (__builtin_mul_overflow(n, 3, &worst)) {
        out->err = -ENOMEM;
        return;
    }
    if (out->cap - out->len < worst && auth_sbuf_grow(out, worst) < 0)
        return;
    d = out->p + out->len;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (unreserved[ch]) {
            *d++ = (char)ch;
            continue;
        }
        if (decode && ch == '%' && i + 2 < n) {
            int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                ch = (unsigned char)(hi << 4 | lo);
                i += 2;
                if (unreserved[ch]) {
                    *d++ = (char)ch;
                    continue;
                }
            }
        }
        d[0] = '%';
        d[1] = hex_upper[ch >> 4];
        d[2] = hex_upper[ch & 15];
        d += 3;
    }
    out->len = (size_t)(d - out->p);
    out->p[out->len] = '\0';
}

static void canon_uri(const char *path, enum auth_uri_mode mode, struct auth_sbuf *out)
{
    size_t n = path ? strlen(path) : 0;

    for (size_t i = 0; i < n;) {
        const char *slash = memchr(path + i, '/', n - i);
        size_t end = slash ? (size_t)(slash - path) : n;

        put_encoded(out, path + i, end - i, mode == AUTH_URI_DECODED);
        if (!slash)
            break;
        auth_sbuf_putc(out, '/');
        i = end + 1;
    }
    if (out->len == 0 || out->p[out->len - 1] != '/')
        auth_sbuf_putc(out, '/');
}

/* Decodes s[0..n) into dst ('+' is a space); returns the decoded length. */
static size_t query_decode(const char *s, size_t n, char *dst)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        char ch = s[i];

        if (ch == '+') {
            ch = ' ';
        } else if (ch == '%' && i + 2 < n) {
            int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                ch = (char)(hi << 4 | lo);
                i += 2;
            }
        }
        dst[o++] = ch;
    }
    return o;
}

static int span_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int r = memcmp(a, b, al < bl ? al : bl);
    if (r)
        return r;
    return al < bl ? -1 : al > bl;
}

/* One query pair, decoded into a scratch buffer that never moves while the pairs live. */
struct qpair {
    const char *k, *v;
    size_t kl, vl;
};

static int qpair_cmp(const void *pa, const void *pb)
{
    const struct qpair *a = pa, *b = pb;
    int r = span_cmp(a->k, a->kl, b->k, b->kl);
    return r ? r : span_cmp(a->v, a->vl, b->v, b->vl);
}

static int canon_query(const char *q, struct auth_sbuf *out)
{
    struct qpair stack_pairs[QUERY_STACK_PAIRS];
    char stack_bytes[QUERY_STACK_BYTES];
    _cleanup_free_ struct qpair *heap_pairs = NULL;
    _cleanup_free_ char *heap_bytes = NULL;
    struct qpair *pairs = stack_pairs;
    char *scratch = stack_bytes;
    size_t n = q ? strlen(q) : 0, maxpairs = 1, npairs = 0, used = 0;

    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        maxpairs += q[i] == '&';
    if (maxpairs > QUERY_STACK_PAIRS) {
        pairs = heap_pairs = calloc(maxpairs, sizeof(*pairs));
        if (!pairs)
            return -ENOMEM;
    }
    if (n > QUERY_STACK_BYTES) { /* decoding never lengthens text */
        scratch = heap_bytes = malloc(n);
        if (!scratch)
            return -ENOMEM;
    }
    for (size_t i = 0; i < n;) {
        const char *amp = memchr(q + i, '&', n - i);
        size_t end = amp ? (size_t)(amp - q) : n;
        if (end > i) {
            const char *eq = memchr(q + i, '=', end - i);
            size_t kend = eq ? (size_t)(eq - q) : end;
            struct qpair *p = &pairs[npairs++];
            p->k = scratch + used;
            p->kl = query_decode(q + i, kend - i, scratch + used);
            used += p->kl;
            p->v = scratch + used;
            p->vl = eq ? query_decode(eq + 1, end - kend - 1, scratch + used) : 0;
            used += p->vl;
        }
        i = end + 1;
    }
    if (npairs > 16) {
        qsort(pairs, npairs, sizeof(*pairs), qpair_cmp);
    } else { /* insertion sort: cheaper for the usual handful of pairs */
        for (size_t i = 1; i < npairs; i++) {
            struct qpair t = pairs[i];
            size_t j = i;
            for (; j > 0 && qpair_cmp(&pairs[j - 1], &t) > 0; j--)
                pairs[j] = pairs[j - 1];
            pairs[j] = t;
        }
    }
    for (size_t i = 0; i < npairs; i++) {
        if (i)
            auth_sbuf_putc(out, '&');
        put_encoded(out, pairs[i].k, pairs[i].kl, false);
        auth_sbuf_putc(out, '=');
        put_encoded(out, pairs[i].v, pairs[i].vl, false);
    }
    return 0;
}

/* RFC 9110 token characters, allowed in header names */
static const bool tchar[256] = {
    ['A' ... 'Z'] = true, ['a' ... 'z'] = true, ['0' ... '9'] = true, ['!'] = true, ['#'] = true,
    ['$'] = true,         ['%'] = true,         ['&'] = true,         ['\''] = true, ['*'] = true,
    ['+'] = true,         ['-'] = true,         ['.'] = true,         ['^'] = true,  ['_'] = true,
    ['`'] = true,         ['|'] = true,         ['~'] = true,
};

static const char *trim(const char *v, size_t *ret_len)
{
    size_t n = strlen(v);

    while (n && (*v == ' ' || *v == '\t'))
        v++, n--;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    *ret_len = n;
    return v;
}

static int canon_headers(const struct auth_request *req, struct auth_span list,
                         struct auth_sbuf *out, struct auth_span *ret_missing)
{
    size_t count = 0;

    if (list.n == 0)
        return -EINVAL;
    for (size_t i = 0; i <= list.n;) {
        const char *semi = memchr(list.p + i, ';', list.n - i);
        size_t end = semi ? (size_t)(semi - list.p) : list.n;
        size_t len = end - i;
        char name[AUTH_MAX_HEADER_NAME + 1];

        if (len == 0 || len > AUTH_MAX_HEADER_NAME || ++count > AUTH_MAX_SIGNED_HEADERS)
            return -EINVAL;
        for (size_t j = 0; j < len; j++) {
            if (!tchar[(unsigned char)list.p[i + j]])
                return -EINVAL;
        }
        memcpy(name, list.p + i, len);
        name[len] = '\0';
        const char *v = req->header(req->ud, name);
        if (!v) {
            if (ret_missing)
                *ret_missing = (struct auth_span){list.p + i, len};
            return -ENOENT;
        }
        size_t vlen;
        v = trim(v, &vlen);
        auth_sbuf_put(out, name, len);
        auth_sbuf_putc(out, ':');
        auth_sbuf_put(out, v, vlen);
        auth_sbuf_putc(out, '\n');
        if (!semi)
            break;
        i = end + 1;
    }
    return 0;
}

int auth_canon_build(const struct auth_request *req, struct auth_span signed_headers,
                     enum auth_uri_mode mode, const char *payload_hash, struct auth_sbuf *out,
                     struct auth_span *ret_missing)
{
    int r;

    auth_sbuf_put(out, req->method, strlen(req->method));
    auth_sbuf_putc(out, '\n');
    canon_uri(req->raw_path, mode, out);
    auth_sbuf_putc(out, '\n');
    r = canon_query(req->raw_query, out);
    if (r < 0)
        return r;
    auth_sbuf_putc(out, '\n');
    r = canon_headers(req, signed_headers, out, ret_missing);
    if (r < 0)
        return r;
    auth_sbuf_putc(out, '\n');
    auth_sbuf_put(out, signed_headers.p, signed_headers.n);
    auth_sbuf_putc(out, '\n');
    auth_sbuf_put(out, payload_hash, strlen(payload_hash));
    return out->err;
}

int auth_build_sts(EVP_MD_CTX *ctx, const EVP_MD *md, struct auth_span date,
                   const char *canonical, size_t len, char *dst, size_t size)
{
    static const char alg[] = "SDK-HMAC-SHA256\n";
    char h[65];
    size_t need = sizeof(alg) - 1 + date.n + 1 + AUTH_HEX_LEN;

    if (need >= size || auth_sha256_hex(ctx, md, canonical, len, h) < 0)
        return -EIO;
    memcpy(dst, alg, sizeof(alg) - 1);
    memcpy(dst + sizeof(alg) - 1, date.p, date.n);
    dst[sizeof(alg) - 1 + date.n] = '\n';
    memcpy(dst + sizeof(alg) + date.n, h, AUTH_HEX_LEN + 1);
    return (int)need;
}

int auth_canonical_request(const struct auth_request *req, const char *signed_headers,
                           enum auth_uri_mode mode, struct buf *out)
{
    char stack[CANON_STACK_BYTES];
    char payload[65];
    struct auth_sbuf sb;
    int r;

    if (auth_payload_hash(NULL, NULL, req, payload) < 0)
        return -ENOMEM;
    auth_sbuf_init(&sb, stack, sizeof(stack));
    r = auth_canon_build(req, (struct auth_span){signed_headers, strlen(signed_headers)}, mode,
                         payload, &sb, NULL);
    if (r == 0)
        r = buf_append(out, sb.p, sb.len);
    auth_sbuf_done(&sb);
    return r;
}

int auth_string_to_sign(const char *sdk_date, const char *canonical, size_t canonical_len,
                        struct buf *out)
{
    char h[65];

    if (auth_sha256_hex(NULL, NULL, canonical, canonical_len, h) < 0)
        return -ENOMEM;
    return buf_printf(out, "SDK-HMAC-SHA256\n%s\n%s", sdk_date, h);
}

static int hmac_hex(const char *sk, const char *msg, size_t len, char ret_hex[65])
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int maclen = 0;
    size_t sklen = strlen(sk);

    if (sklen > INT32_MAX || !HMAC(EVP_sha256(), sk, (int)sklen, (const unsigned char *)msg, len,
                                   mac, &maclen) ||
        maclen != AUTH_SHA256_LEN)
        return -EIO;
    auth_hex(mac, AUTH_SHA256_LEN, ret_hex);
    OPENSSL_cleanse(mac, sizeof(mac));
    return 0;
}

int auth_signature(const char *sk, const char *sdk_date, const char *canonical,
                   size_t canonical_len, char ret_hex[65])
{
    char sts[256];
    size_t dlen = strlen(sdk_date);
    int n;

    if (dlen > 64)
        return -EIO;
    n = auth_build_sts(NULL, NULL, (struct auth_span){sdk_date, dlen}, canonical, canonical_len, sts,
                       sizeof(sts));
    if (n < 0)
        return n;
    return hmac_hex(sk, sts, (size_t)n, ret_hex);
}
