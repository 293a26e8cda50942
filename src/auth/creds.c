/* auth/creds.c: the credential set and its file.
 *
 * File format, one credential per line, fields separated by spaces or tabs:
 *
 *     # full-line comment; blank lines are ignored; CRLF line ends are accepted
 *     ak    <AK>    <SK>  <project_id>[,<project_id>...]
 *     token <TOKEN>       <project_id>[,<project_id>...]
 *     admin ak <AK> <SK>
 *     admin token <TOKEN>
 *
 *   admin       an operator's credential: the operator surfaces (GET /metrics, the control
 *               surface; auth_check_admin), never a project of the cloud API. The AK/SK signs
 *               as a tenant's does (the CLI, the SDKs); the token goes in X-Auth-Token or as
 *               "Authorization: Bearer <TOKEN>" (Prometheus). "admin <TOKEN>" is read as
 *               "admin token <TOKEN>" (the form of the first /metrics release).
 *   AK          1-128 characters from A-Z a-z 0-9 . _ -, unique in the file
 *   SK          1-256 printable ASCII characters, no spaces
 *   TOKEN       1-16384 printable ASCII characters, no spaces, unique in the file
 *   project_id  1-64 characters from A-Z a-z 0-9 _ - (Huawei ids are 32 lower-case hex);
 *               the credential may act on exactly these projects
 *
 * The file must be a regular file that "other" users can neither read nor write (chmod 600 or
 * 640). Lines are at most 65536 bytes. A file without any credential is refused.
 *
 * Lookup: AKs live in an array sorted by strcmp (binary search). Tokens are kept only as their
 * SHA-256, in an array sorted by digest: a presented token is hashed, found by binary search
 * and confirmed with CRYPTO_memcmp. The search's timing can reveal only how the digest of a
 * guess orders against stored digests, which does not help to find a token.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth_int.h"

#define AK_MAX 128
#define SK_MAX 256
#define TOKEN_MAX 16384
#define PROJECT_MAX 64
#define PROJECTS_MAX 1024
#define LINE_MAX_BYTES 65536

static _printf_(3, 4) void seterr(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;

    if (!err || !len)
        return;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

static bool all_chars(const char *s, size_t n, bool (*ok)(unsigned char))
{
    for (size_t i = 0; i < n; i++) {
        if (!ok((unsigned char)s[i]))
            return false;
    }
    return true;
}

static bool is_alnum(unsigned char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

static bool is_ak_char(unsigned char ch)
{
    return is_alnum(ch) || ch == '.' || ch == '_' || ch == '-';
}

static bool is_project_char(unsigned char ch)
{
    return is_alnum(ch) || ch == '_' || ch == '-';
}

static bool is_secret_char(unsigned char ch)
{
    return ch > 0x20 && ch < 0x7f;
}

int auth_creds_new(struct auth_creds **ret)
{
    struct auth_creds *c = calloc(1, sizeof(*c));

    if (!c)
        return -ENOMEM;
    c->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
    c->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (!c->sha256 || !c->hmac) {
        auth_creds_free(c);
        return -EIO;
    }
    *ret = c;
    return 0;
}

struct auth_creds *auth_creds_free(struct auth_creds *c)
{
    if (!c)
        return NULL;
    for (size_t i = 0; i < c->nkeys; i++) {
        free(c->keys[i].ak);
        free(c->keys[i].projects);
        EVP_MAC_CTX_free(c->keys[i].mac); /* OpenSSL wipes the key */
    }
    for (size_t i = 0; i < c->ntokens; i++)
        free(c->tokens[i].projects);
    if (c->tokens)
        OPENSSL_cleanse(c->tokens, c->tokens_cap * sizeof(*c->tokens));
    free(c->keys);
    free(c->tokens);
    EVP_MD_free(c->sha256);
    EVP_MAC_free(c->hmac);
    free(c);
    return NULL;
}

void auth_creds_freep(struct auth_creds **c)
{
    *c = auth_creds_free(*c);
}

size_t auth_creds_count(const struct auth_creds *c)
{
    return c ? c->nkeys + c->ntokens : 0;
}

/* Parses "p1,p2" into "p1\0p2\0". Returns 0, -EINVAL (message in err) or -ENOMEM. */
static int parse_projects(const char *s, char **ret, size_t *ret_n, char *err, size_t errlen)
{
    size_t len = strlen(s), n = 0;
    char q[AUTH_QUOTE_BUF];
    char *out;

    out = malloc(len + 1);
    if (!out)
        return -ENOMEM;
    for (size_t i = 0;; n++) {
        const char *comma = memchr(s + i, ',', len - i);
        size_t end = comma ? (size_t)(comma - s) : len;
        size_t plen = end - i;
        if (plen == 0 || plen > PROJECT_MAX || !all_chars(s + i, plen, is_project_char)) {
            auth_quote(q, sizeof(q), s + i, plen);
            seterr(err, errlen,
                   "project id #%zu must be 1 to %d characters from A-Z a-z 0-9 _ -, got %s",
                   n + 1, PROJECT_MAX, q);
            free(out);
            return -EINVAL;
        }
        if (n + 1 > PROJECTS_MAX) {
            seterr(err, errlen, "more than %d project ids", PROJECTS_MAX);
            free(out);
            return -EINVAL;
        }
        memcpy(out + i, s + i, plen);
        out[end] = '\0';
        if (!comma) {
            n++;
            break;
        }
        i = end + 1;
    }
    *ret = out;
    *ret_n = n;
    return 0;
}

bool auth_projects_has(const char *projects, size_t nprojects, const char *project_id)
{
    for (size_t i = 0; i < nprojects; i++) {
        if (strcmp(projects, project_id) == 0)
            return true;
        projects += strlen(projects) + 1;
    }
    return false;
}

/* Index of the first key >= ak (binary search); *ret_found if equal. */
static size_t key_pos(const struct auth_creds *c, const char *ak, size_t ak_len, bool *ret_found)
{
    size_t lo = 0, hi = c->nkeys;

    *ret_found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *k = c->keys[mid].ak;
        int r = strncmp(k, ak, ak_len);
        if (r == 0 && k[ak_len] != '\0')
            r = 1;
        if (r == 0) {
            *ret_found = true;
            return mid;
        }
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct auth_key *auth_creds_find_key(const struct auth_creds *c, const char *ak,
                                           size_t ak_len)
{
    bool found;
    size_t i = key_pos(c, ak, ak_len, &found);

    return found ? &c->keys[i] : NULL;
}

static size_t token_pos(const struct auth_creds *c, const unsigned char *d, bool *ret_found)
{
    size_t lo = 0, hi = c->ntokens;

    *ret_found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = memcmp(c->tokens[mid].digest, d, AUTH_SHA256_LEN);
        if (r == 0) {
            *ret_found = true;
            return mid;
        }
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct auth_token *auth_creds_find_token(const struct auth_creds *c, const char *token)
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dlen = 0;
    bool found;
    size_t i;

    if (!EVP_Digest(token, strlen(token), d, &dlen, c->sha256, NULL) || dlen != AUTH_SHA256_LEN)
        return NULL;
    i = token_pos(c, d, &found);
    if (!found || CRYPTO_memcmp(c->tokens[i].digest, d, AUTH_SHA256_LEN) != 0)
        return NULL;
    return &c->tokens[i];
}

static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
    size_t ncap = *cap ? *cap * 2 : 8;
    void *p;

    if (n < *cap)
        return 0;
    if (ncap > SIZE_MAX / elem)
        return -ENOMEM;
    p = realloc(*arr, ncap * elem);
    if (!p)
        return -ENOMEM;
    *arr = p;
    *cap = ncap;
    return 0;
}

static EVP_MAC_CTX *hmac_template(const struct auth_creds *c, const char *sk, size_t sk_len)
{
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    EVP_MAC_CTX *m = EVP_MAC_CTX_new(c->hmac);

    if (m && !EVP_MAC_init(m, (const unsigned char *)sk, sk_len, params)) {
        EVP_MAC_CTX_free(m);
        m = NULL;
    }
    return m;
}

/* Adds one AK/SK; on -EINVAL/-EEXIST err says why (without the SK). */
static int creds_add_aksk(struct auth_creds *c, const char *ak, const char *sk,
                          const char *projects, unsigned line, char *err, size_t errlen)
{
    size_t ak_len = strlen(ak), sk_len = strlen(sk), pos;
    char q[AUTH_QUOTE_BUF];
    struct auth_key k = {.line = line};
    bool found;
    int r;

    if (ak_len == 0 || ak_len > AK_MAX || !all_chars(ak, ak_len, is_ak_char)) {
        auth_quote(q, sizeof(q), ak, ak_len);
        seterr(err, errlen, "access key must be 1 to %d characters from A-Z a-z 0-9 . _ -, got %s",
               AK_MAX, q);
        return -EINVAL;
    }
    if (sk_len == 0 || sk_len > SK_MAX || !all_chars(sk, sk_len, is_secret_char)) {
        seterr(err, errlen,
               "secret key must be 1 to %d printable ASCII characters without spaces "
               "(got %zu bytes)",
               SK_MAX, sk_len);
        return -EINVAL;
    }
    pos = key_pos(c, ak, ak_len, &found);
    if (found) {
        auth_quote(q, sizeof(q), ak, ak_len);
        if (c->keys[pos].line)
            seterr(err, errlen, "access key %s is already defined on line %u", q,
                   c->keys[pos].line);
        else
            seterr(err, errlen, "access key %s is already defined", q);
        return -EEXIST;
    }
    k.admin = !projects;
    r = projects ? parse_projects(projects, &k.projects, &k.nprojects, err, errlen) : 0;
    if (r < 0)
        return r;
    r = grow((void **)&c->keys, &c->keys_cap, c->nkeys, sizeof(*c->keys));
    k.ak = strdup(ak);
    if (r < 0 || !k.ak) {
        free(k.ak);
        free(k.projects);
        return -ENOMEM;
    }
    k.mac = hmac_template(c, sk, sk_len);
    if (!k.mac) {
        free(k.ak);
        free(k.projects);
        seterr(err, errlen, "OpenSSL cannot set up HMAC-SHA256");
        return -EIO;
    }
    memmove(&c->keys[pos + 1], &c->keys[pos], (c->nkeys - pos) * sizeof(*c->keys));
    c->keys[pos] = k;
    c->nkeys++;
    return 0;
}

/* A tenant token (projects) or an operator's (projects NULL: admin). */
static int creds_add_token(struct auth_creds *c, const char *token, const char *projects,
                           unsigned line, char *err, size_t errlen)
{
    size_t len = strlen(token), pos;
    struct auth_token t = {.line = line};
    unsigned int dlen = 0;
    bool found;
    int r;

    if (len == 0 || len > TOKEN_MAX || !all_chars(token, len, is_secret_char)) {
        seterr(err, errlen,
               "token must be 1 to %d printable ASCII characters without spaces (got %zu bytes)",
               TOKEN_MAX, len);
        return -EINVAL;
    }
    if (!EVP_Digest(token, len, t.digest, &dlen, c->sha256, NULL) || dlen != AUTH_SHA256_LEN) {
        seterr(err, errlen, "OpenSSL cannot compute SHA-256");
        return -EIO;
    }
    pos = token_pos(c, t.digest, &found);
    if (found) {
        if (c->tokens[pos].line)
            seterr(err, errlen, "this token is already defined on line %u", c->tokens[pos].line);
        else
            seterr(err, errlen, "this token is already defined");
        return -EEXIST;
    }
    t.admin = !projects;
    r = projects ? parse_projects(projects, &t.projects, &t.nprojects, err, errlen) : 0;
    if (r < 0)
        return r;
    r = grow((void **)&c->tokens, &c->tokens_cap, c->ntokens, sizeof(*c->tokens));
    if (r < 0) {
        free(t.projects);
        return r;
    }
    t.ordinal = (unsigned)(c->ntokens + 1);
    memmove(&c->tokens[pos + 1], &c->tokens[pos], (c->ntokens - pos) * sizeof(*c->tokens));
    c->tokens[pos] = t;
    c->ntokens++;
    return 0;
}

int auth_creds_add_aksk(struct auth_creds *c, const char *ak, const char *sk,
                        const char *projects)
{
    return creds_add_aksk(c, ak, sk, projects, 0, NULL, 0);
}

int auth_creds_add_token(struct auth_creds *c, const char *token, const char *projects)
{
    return creds_add_token(c, token, projects, 0, NULL, 0);
}

int auth_creds_add_admin_aksk(struct auth_creds *c, const char *ak, const char *sk)
{
    return creds_add_aksk(c, ak, sk, NULL, 0, NULL, 0);
}

int auth_creds_add_admin_token(struct auth_creds *c, const char *token)
{
    return creds_add_token(c, token, NULL, 0, NULL, 0);
}

/* "admin ak <AK> <SK>", "admin token <TOKEN>" or the older "admin <TOKEN>" (f[0] is "admin"). */
static int parse_admin(struct auth_creds *c, char **f, size_t n, bool hash, unsigned lineno,
                       char *err, size_t errlen)
{
    static const char hint[] = " (comments must be on a line of their own)";

    if (n == 2 && strcmp(f[1], "ak") != 0 && strcmp(f[1], "token") != 0)
        return creds_add_token(c, f[1], NULL, lineno, err, errlen);
    if (n >= 2 && strcmp(f[1], "ak") == 0) {
        if (n != 4) {
            seterr(err, errlen, "\"admin ak\" needs 2 fields after it: admin ak <AK> <SK>, got "
                                "%zu%s",
                   n - 2, hash ? hint : "");
            return -EINVAL;
        }
        return creds_add_aksk(c, f[2], f[3], NULL, lineno, err, errlen);
    }
    if (n >= 2 && strcmp(f[1], "token") == 0) {
        if (n != 3) {
            seterr(err, errlen, "\"admin token\" needs 1 field after it: admin token <TOKEN>, "
                                "got %zu%s",
                   n - 2, hash ? hint : "");
            return -EINVAL;
        }
        return creds_add_token(c, f[2], NULL, lineno, err, errlen);
    }
    seterr(err, errlen, "\"admin\" must be followed by \"ak <AK> <SK>\" or \"token <TOKEN>\"");
    return -EINVAL;
}

/* Splits line in place into at most max fields; returns the number of fields found (which
 * may exceed max: the extra ones are only counted). *ret_hash: a later field starts with '#'. */
static size_t split_fields(char *line, char **fields, size_t max, bool *ret_hash)
{
    size_t n = 0;
    char *p = line;

    *ret_hash = false;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            return n;
        if (n < max)
            fields[n] = p;
        if (n > 0 && *p == '#')
            *ret_hash = true;
        n++;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (*p)
            *p++ = '\0';
    }
}

static int parse_line(struct auth_creds *c, char *line, unsigned lineno, char *err,
                      size_t errlen)
{
    static const char hint[] = " (comments must be on a line of their own)";
    char *f[4];
    bool hash;
    size_t n = split_fields(line, f, ARRAY_SIZE(f), &hash);
    char q[AUTH_QUOTE_BUF];

    if (n == 0 || f[0][0] == '#')
        return 0;
    if (strcmp(f[0], "admin") == 0)
        return parse_admin(c, f, n, hash, lineno, err, errlen);
    if (strcmp(f[0], "ak") == 0) {
        if (n != 4) {
            seterr(err, errlen,
                   "\"ak\" needs 3 fields after it: ak <AK> <SK> <project_id>[,<project_id>...], "
                   "got %zu%s",
                   n - 1, hash ? hint : "");
            return -EINVAL;
        }
        return creds_add_aksk(c, f[1], f[2], f[3], lineno, err, errlen);
    }
    if (strcmp(f[0], "token") == 0) {
        if (n != 3) {
            seterr(err, errlen,
                   "\"token\" needs 2 fields after it: token <TOKEN> <project_id>[,<project_id>...], "
                   "got %zu%s",
                   n - 1, hash ? hint : "");
            return -EINVAL;
        }
        return creds_add_token(c, f[1], f[2], lineno, err, errlen);
    }
    /* An unknown first word may be a misplaced secret: quote only short words. */
    if (strlen(f[0]) <= 16) {
        auth_quote(q, sizeof(q), f[0], strlen(f[0]));
        seterr(err, errlen,
               "unknown keyword %s; expected \"ak\", \"token\", \"admin\" or a # comment", q);
    } else {
        seterr(err, errlen,
               "unknown keyword (%zu characters, not shown); expected \"ak\", \"token\", "
               "\"admin\" or a # comment",
               strlen(f[0]));
    }
    return -EINVAL;
}

static int check_file(int fd, const char *path, char *err, size_t errlen)
{
    struct stat st;

    if (fstat(fd, &st) < 0) {
        seterr(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
        return -EIO;
    }
    if (!S_ISREG(st.st_mode)) {
        seterr(err, errlen, "%s: not a regular file", path);
        return -EINVAL;
    }
    if (st.st_mode & (S_IROTH | S_IWOTH)) {
        seterr(err, errlen,
               "%s: permissions %04o let other users %s it; a credentials file must not be "
               "accessible to others: chmod o-rwx %s (e.g. chmod 600)",
               path, (unsigned)(st.st_mode & 07777),
               (st.st_mode & S_IROTH) && (st.st_mode & S_IWOTH) ? "read and write"
               : (st.st_mode & S_IROTH)                          ? "read"
                                                                 : "write",
               path);
        return -EACCES;
    }
    return 0;
}

static void fclosep(FILE **f)
{
    if (*f)
        fclose(*f);
}

/* Wipes and frees a getline buffer that held secrets. */
struct line_buf {
    char *p;
    size_t cap;
};

static void line_buf_wipe(struct line_buf *l)
{
    if (l->p) {
        OPENSSL_cleanse(l->p, l->cap);
        free(l->p);
    }
}

static int read_lines(struct auth_creds *c, FILE *f, const char *path, char *err,
                      size_t errlen)
{
    _cleanup_(line_buf_wipe) struct line_buf l = {0};
    char msg[512];
    unsigned lineno = 0;
    ssize_t n;
    int r;

    errno = 0;
    while ((n = getline(&l.p, &l.cap, f)) >= 0) {
        size_t len = (size_t)n;
        lineno++;
        if (len > LINE_MAX_BYTES) {
            seterr(err, errlen, "%s:%u: line longer than %d bytes", path, lineno,
                   LINE_MAX_BYTES);
            return -EINVAL;
        }
        if (memchr(l.p, '\0', len)) {
            seterr(err, errlen, "%s:%u: line contains a NUL byte", path, lineno);
            return -EINVAL;
        }
        while (len && (l.p[len - 1] == '\n' || l.p[len - 1] == '\r'))
            l.p[--len] = '\0';
        msg[0] = '\0';
        r = parse_line(c, l.p, lineno, msg, sizeof(msg));
        if (r < 0) {
            if (r == -EEXIST)
                r = -EINVAL;
            if (r == -ENOMEM)
                seterr(err, errlen, "%s:%u: out of memory", path, lineno);
            else
                seterr(err, errlen, "%s:%u: %s", path, lineno, msg);
            return r;
        }
        errno = 0;
    }
    if (ferror(f)) {
        seterr(err, errlen, "%s: read error: %s", path, strerror(errno ? errno : EIO));
        return -EIO;
    }
    return 0;
}

int auth_creds_load(const char *path, struct auth_creds **ret, char *errbuf, size_t errlen)
{
    _cleanup_auth_creds_ struct auth_creds *c = NULL;
    _cleanup_(fclosep) FILE *f = NULL;
    int fd, r;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        r = errno == ENOENT ? -ENOENT : -EACCES;
        seterr(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
        return r;
    }
    f = fdopen(fd, "r");
    if (!f) {
        close(fd);
        seterr(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -ENOMEM;
    }
    r = check_file(fd, path, errbuf, errlen);
    if (r < 0)
        return r;
    r = auth_creds_new(&c);
    if (r < 0) {
        seterr(errbuf, errlen, "%s: cannot set up OpenSSL digests", path);
        return r;
    }
    r = read_lines(c, f, path, errbuf, errlen);
    if (r < 0)
        return r;
    if (auth_creds_count(c) == 0) {
        seterr(errbuf, errlen,
               "%s: defines no credentials; add lines \"ak <AK> <SK> <project_id>[,...]\" or "
               "\"token <TOKEN> <project_id>[,...]\"",
               path);
        return -EINVAL;
    }
    *ret = TAKE_PTR(c);
    return 0;
}
