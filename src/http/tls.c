/* http/tls.c: TLS on the connection's non-blocking socket (OpenSSL), behind the transport seam
 * (struct http_transport_ops): conn.c reads and writes plain bytes, this file turns them into
 * records. The handshake runs inside the first reads (SSL_read does it), on the event loop,
 * under the handshake timer (server.c: HTTP_TL_HANDSHAKE, shrunk under slot pressure).
 *
 * Edge-triggered reads: recv reads until the socket says EAGAIN or the caller's buffer is full,
 * so a short read still means "nothing left" (records may hold more than one read asks for:
 * what OpenSSL buffered is read out before returning). TLS may need to write while reading and
 * the other way round, so the transport asks conn.c to retry reads on any event.
 *
 * Hostile input costs at most what OpenSSL lets through: renegotiation is off, OpenSSL caps
 * empty records, warning alerts and key updates in a row, and a connection whose handshake does
 * not finish within its deadline is closed like any slow request.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/http_int.h"
#include "util/log.h"

#define STAGE_BYTES 16384 /* a response head and the start of its body go out as one record */

struct http_tls {
    SSL_CTX *ctx;
    char subject[256];
    int64_t not_after;
};

/* ---- loading ------------------------------------------------------------------------- */

/* The reason of the last OpenSSL failure, for messages ("no start line", ...). */
static const char *ssl_reason(void)
{
    unsigned long e = ERR_peek_last_error();
    const char *r = e ? ERR_reason_error_string(e) : NULL;

    return r ? r : "unknown OpenSSL error";
}

/* An unencrypted key must not be readable by other users (like the credentials file). */
static int check_file(const char *path, bool secret, char *errbuf, size_t errlen)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0) {
        int e = errno;
        snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(e));
        return e == ENOENT ? -ENOENT : -EACCES;
    }
    int r = fstat(fd, &st);
    close(fd);
    if (r < 0 || !S_ISREG(st.st_mode)) {
        snprintf(errbuf, errlen, "%s: not a regular file", path);
        return -EINVAL;
    }
    if (secret && (st.st_mode & (S_IROTH | S_IWOTH))) {
        snprintf(errbuf, errlen,
                 "%s: permissions %04o let other users read or write the private key: chmod "
                 "o-rwx %s (e.g. chmod 600)",
                 path, (unsigned)(st.st_mode & 07777), path);
        return -EACCES;
    }
    return 0;
}

static int select_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                       const unsigned char *in, unsigned int inlen, void *ud)
{
    static const unsigned char http11[] = "\x08http/1.1";
    unsigned char *sel = NULL;
    unsigned char sel_len = 0;

    (void)ssl;
    (void)ud;
    if (SSL_select_next_proto(&sel, &sel_len, http11, sizeof(http11) - 1, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
        return SSL_TLSEXT_ERR_NOACK;
    *out = sel;
    *outlen = sel_len;
    return SSL_TLSEXT_ERR_OK;
}

static void describe(struct http_tls *t)
{
    X509 *x = SSL_CTX_get0_certificate(t->ctx);
    struct tm tm;

    t->subject[0] = '\0';
    t->not_after = 0;
    if (!x)
        return;
    X509_NAME_oneline(X509_get_subject_name(x), t->subject, (int)sizeof(t->subject));
    if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
        t->not_after = (int64_t)timegm(&tm);
}

static SSL_CTX *new_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    if (!ctx)
        return NULL;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
                                 SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    /* never a prompt: without a callback OpenSSL takes this as the pass phrase, so an
     * encrypted key fails to load instead of asking the terminal */
    SSL_CTX_set_default_passwd_cb_userdata(ctx, (void *)"");
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, NULL);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"vpnd", 4);
    return ctx;
}

int http_tls_new(const char *cert_file, const char *key_file, struct http_tls **ret,
                 char *errbuf, size_t errlen)
{
    struct http_tls *t;
    int r = check_file(cert_file, false, errbuf, errlen);

    if (r == 0)
        r = check_file(key_file, true, errbuf, errlen);
    if (r < 0)
        return r;
    t = calloc(1, sizeof(*t));
    if (!t || !(t->ctx = new_ctx())) {
        free(t);
        snprintf(errbuf, errlen, "TLS: out of memory");
        return -ENOMEM;
    }
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(t->ctx, cert_file) != 1) {
        snprintf(errbuf, errlen, "%s: not a PEM certificate chain (%s)", cert_file, ssl_reason());
        r = -EINVAL;
    } else if (SSL_CTX_use_PrivateKey_file(t->ctx, key_file, SSL_FILETYPE_PEM) != 1) {
        if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
            snprintf(errbuf, errlen, "%s: the key does not belong to the certificate in %s",
                     key_file, cert_file);
        else
            snprintf(errbuf, errlen, "%s: not an unencrypted PEM private key (%s)", key_file,
                     ssl_reason());
        r = -EINVAL;
    } else if (SSL_CTX_check_private_key(t->ctx) != 1) {
        snprintf(errbuf, errlen, "%s: the key does not belong to the certificate in %s",
                 key_file, cert_file);
        r = -EINVAL;
    }
    ERR_clear_error();
    if (r < 0) {
        http_tls_free(t);
        return r;
    }
    describe(t);
    *ret = t;
    return 0;
}

void http_tls_free(struct http_tls *t)
{
    if (!t)
        return;
    SSL_CTX_free(t->ctx); /* sessions still open hold their own reference */
    free(t);
}

const char *http_tls_subject(const struct http_tls *t)
{
    return t->subject;
}

int64_t http_tls_not_after(const struct http_tls *t)
{
    return t->not_after;
}

/* ---- the transport ------------------------------------------------------------------- */

int http_tls_attach(struct http_tls *t, struct http_conn *c)
{
    c->ssl = SSL_new(t->ctx);
    if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1) {
        SSL_free(c->ssl);
        c->ssl = NULL;
        return -ENOMEM;
    }
    SSL_set_accept_state(c->ssl);
    c->tr = &http_tls_transport;
    return 0;
}

/* Once the handshake is done: counted, and the connection waits for its first request under
 * the idle timeout instead of the handshake deadline. */
static void handshake_check(struct http_conn *c)
{
    if (c->tls_done || !SSL_is_init_finished(c->ssl))
        return;
    c->tls_done = true;
    c->srv->stats.tls_handshakes_total++;
    if (c->timer == HTTP_TL_HANDSHAKE)
        http_timer_set(c->srv, c, HTTP_TL_IDLE);
}

/* The result of a failed SSL_read/SSL_write: -EAGAIN (wants the socket), 0 (the peer closed),
 * or -EPROTO (a TLS or socket error; logged at debug). */
static ssize_t failed(struct http_conn *c, int ret)
{
    int e = SSL_get_error(c->ssl, ret);

    handshake_check(c);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return -EAGAIN;
    if (e == SSL_ERROR_ZERO_RETURN)
        return 0;
    log_debug("http: TLS %s failed client=%s: %s", c->tls_done ? "session" : "handshake",
              c->client_ip, e == SSL_ERROR_SYSCALL ? "socket error" : ssl_reason());
    ERR_clear_error();
    return -EPROTO;
}

static ssize_t tls_recv(struct http_conn *c, void *buf, size_t len)
{
    size_t got = 0;

    ERR_clear_error();
    while (got < len) {
        size_t want = len - got < INT_MAX ? len - got : INT_MAX;
        int n = SSL_read(c->ssl, (char *)buf + got, (int)want);
        if (n > 0) {
            got += (size_t)n;
            continue;
        }
        ssize_t r = failed(c, n);
        return got ? (ssize_t)got : r;
    }
    handshake_check(c);
    return (ssize_t)got;
}

static ssize_t tls_send(struct http_conn *c, struct iovec *iov, int iovcnt)
{
    char stage[STAGE_BYTES];
    const char *p = iov[0].iov_base;
    size_t n = iov[0].iov_len;

    if (iovcnt > 1 && n < sizeof(stage)) {
        /* the same bytes for the same iov: a retry after -EAGAIN repeats this write exactly */
        n = 0;
        for (int i = 0; i < iovcnt && n < sizeof(stage); i++) {
            size_t k = iov[i].iov_len < sizeof(stage) - n ? iov[i].iov_len : sizeof(stage) - n;
            memcpy(stage + n, iov[i].iov_base, k);
            n += k;
        }
        p = stage;
    }
    ERR_clear_error();
    int w = SSL_write(c->ssl, p, n < INT_MAX ? (int)n : INT_MAX);
    if (w > 0)
        return w;
    ssize_t r = failed(c, w);
    return r == 0 ? -EPIPE : r;
}

static void tls_shut(struct http_conn *c)
{
    if (c->tls_done && !c->tls_shut) {
        ERR_clear_error();
        (void)SSL_shutdown(c->ssl); /* close_notify, best effort: the socket is not waited for */
        ERR_clear_error();
        c->tls_shut = true;
    }
    (void)shutdown(c->fd, SHUT_WR);
}

static void tls_close(struct http_conn *c)
{
    if (!c->tls_done)
        c->srv->stats.tls_handshake_failures_total++;
    SSL_free(c->ssl);
    c->ssl = NULL;
    close(c->fd);
    c->fd = -1;
}

const struct http_transport_ops http_tls_transport = {
    .recv = tls_recv,
    .send = tls_send,
    .shut = tls_shut,
    .close = tls_close,
    .any_event_reads = true,
};
