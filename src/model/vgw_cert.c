/* model/vgw_cert.c: a GM gateway's certificate (spec §3.1): the request body, checked with
 * OpenSSL (PEM shape, X.509 parse, key belongs to its certificate), and the response object.
 * Only the facts of the certificates are kept; PEM text and private keys are not. */
#include "model/model_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "util/macro.h"

#define WRAPPER "certificate"

static const char CERT_BEGIN[] = "-----BEGIN CERTIFICATE-----";

/* A PEM member: a string of 1..MODEL_PEM_MAX characters starting (after white space) with
 * begin, or containing "PRIVATE KEY-----" in its first line for keys. */
static int pem_text(const json_t *v, const char *path, bool key, const char **ret,
                    struct verr *err)
{
    const char *s;
    int r = model_want_str(v, path, &s, err);

    if (r < 0)
        return r;
    size_t len = strlen(s);
    if (len == 0 || len > MODEL_PEM_MAX)
        return verr_set(err, path, "must be 1 to %d characters of PEM text, got %zu characters",
                        MODEL_PEM_MAX, len);
    s += strspn(s, " \t\r\n");
    if (!key && strncmp(s, CERT_BEGIN, sizeof(CERT_BEGIN) - 1) != 0)
        return verr_set(err, path, "must be a PEM certificate starting with \"%s\"", CERT_BEGIN);
    if (key) {
        size_t line = strcspn(s, "\r\n");
        const char *end = line >= 16 ? s + line - 16 : s;
        if (strncmp(s, "-----BEGIN ", 11) != 0 || strncmp(end, "PRIVATE KEY-----", 16) != 0)
            return verr_set(err, path,
                            "must be a PEM private key starting with \"-----BEGIN PRIVATE "
                            "KEY-----\" (or EC / RSA PRIVATE KEY)");
    }
    *ret = s;
    return 0;
}

static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

static X509 *read_cert(const char *s)
{
    BIO *bio = BIO_new_mem_buf(s, (int)strlen(s));
    X509 *x = bio ? PEM_read_bio_X509(bio, NULL, no_password, NULL) : NULL;

    BIO_free(bio);
    ERR_clear_error();
    return x;
}

static EVP_PKEY *read_key(const char *s)
{
    BIO *bio = BIO_new_mem_buf(s, (int)strlen(s));
    EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL) : NULL;

    BIO_free(bio);
    ERR_clear_error();
    return k;
}

static void name_text(const X509_NAME *name, char *out, size_t size)
{
    BIO *bio = BIO_new(BIO_s_mem());
    int n = 0;

    out[0] = '\0';
    if (!bio)
        return;
    /* RFC 2253 escapes bytes above 0x7f (\\XX), so the text is ASCII and may be cut anywhere */
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0)
        n = BIO_read(bio, out, (int)size - 1);
    out[n > 0 ? n : 0] = '\0';
    BIO_free(bio);
}

static int facts_of(X509 *x, struct model_cert_facts *f)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    struct tm tm;
    int r = 0;

    memset(f, 0, sizeof(*f));
    if (!hex || model_copy(f->serial_number, sizeof(f->serial_number), hex) < 0)
        r = -EINVAL;
    OPENSSL_free(hex);
    BN_free(bn);
    name_text(X509_get_subject_name(x), f->subject, sizeof(f->subject));
    name_text(X509_get_issuer_name(x), f->issuer, sizeof(f->issuer));
    const char *alg = OBJ_nid2ln(X509_get_signature_nid(x));
    (void)model_copy(f->signature_algorithm, sizeof(f->signature_algorithm),
                     alg ? alg : "unknown");
    if (r == 0 && ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
        f->expire_time = (int64_t)timegm(&tm) * 1000;
    else
        r = -EINVAL;
    if (f->expire_time < 0 || f->expire_time > MODEL_TS_MAX)
        r = -EINVAL;
    ERR_clear_error();
    return r;
}

/* One certificate member (and its key member when key_path is set): parsed, facts taken,
 * the key checked against the certificate. */
static int cert_member(const json_t *cv, const char *cpath, const json_t *kv, const char *kpath,
                       struct model_cert_facts *f, struct verr *err)
{
    const char *cs, *ks = NULL;
    int r = pem_text(cv, cpath, false, &cs, err);

    if (r == 0 && kv)
        r = pem_text(kv, kpath, true, &ks, err);
    if (r < 0)
        return r;
    X509 *x = read_cert(cs);
    if (!x)
        return verr_set(err, cpath, "is not a valid PEM X.509 certificate");
    if (facts_of(x, f) < 0) {
        X509_free(x);
        return verr_set(err, cpath, "has a serial number or expiry time that cannot be read");
    }
    if (ks) {
        EVP_PKEY *k = read_key(ks);
        if (!k)
            r = verr_set(err, kpath, "is not a valid unencrypted PEM private key");
        else if (X509_check_private_key(x, k) != 1)
            r = verr_set(err, kpath, "does not belong to %s (public keys differ)", cpath);
        EVP_PKEY_free(k);
        ERR_clear_error();
    }
    X509_free(x);
    return r;
}

int model_cert_pem_facts(const json_t *v, const char *path, const char **pem,
                         struct model_cert_facts *f, struct verr *err)
{
    int r = pem_text(v, path, false, pem, err);

    return r < 0 ? r : cert_member(v, path, NULL, NULL, f, err);
}

static const char *const members[] = {"name",        "certificate",     "private_key",
                                      "certificate_chain", "enc_certificate", "enc_private_key",
                                      NULL};

/* A certificate with its key: both or (on update) neither. */
static int pair(const json_t *obj, const char *ckey, const char *kkey, bool create,
                struct model_cert_facts *f, struct verr *err)
{
    char cpath[MODEL_PATH_LEN], kpath[MODEL_PATH_LEN];
    const json_t *cv = model_member(obj, ckey), *kv = kkey ? model_member(obj, kkey) : NULL;

    model_path_key(cpath, WRAPPER, ckey);
    if (kkey)
        model_path_key(kpath, WRAPPER, kkey);
    if (!cv && create)
        return verr_set(err, cpath, "is required");
    if (!cv && kv)
        return verr_set(err, cpath, "is required when %s is given", kkey);
    if (kkey && cv && !kv && create)
        return verr_set(err, kpath, "is required");
    if (kkey && cv && !kv)
        return verr_set(err, kpath, "is required when %s is given", ckey);
    return cv ? cert_member(cv, cpath, kv, kkey ? kpath : NULL, f, err) : 0;
}

int model_vgw_cert_parse(const struct model_vgw_cert *cur, const struct model_body *body,
                         struct model_vgw_cert *out, struct verr *err)
{
    bool create = cur == NULL;
    const json_t *obj;
    struct model_vgw_cert t = {0};
    int r = model_body_wrapped(body, WRAPPER, &obj, err);

    if (r < 0)
        return r;
    if (cur)
        t = *cur;
    if (!create)
        r = model_only_members(obj, WRAPPER, members, err);
    if (r == 0 && !create && json_object_size(obj) == 0)
        r = verr_set(err, WRAPPER,
                     "must have at least one of name, certificate, private_key, "
                     "certificate_chain, enc_certificate, enc_private_key");
    const json_t *name = model_member(obj, "name");
    if (r == 0 && name)
        r = model_want_name(name, WRAPPER ".name", t.name, err);
    if (r == 0)
        r = pair(obj, "certificate", "private_key", create, &t.cert, err);
    if (r == 0)
        r = pair(obj, "certificate_chain", NULL, create, &t.chain, err);
    if (r == 0)
        r = pair(obj, "enc_certificate", "enc_private_key", create, &t.enc, err);
    if (r == 0)
        *out = t;
    return r;
}

int model_vgw_cert_render(const struct model_vgw *g, const char *project_id, const char *gw_status,
                          struct buf *out)
{
    const struct model_vgw_cert *c = &g->certificate;
    struct model_jw w;
    bool binding = c->binding && model_streq(gw_status, "PENDING_UPDATE");

    model_jw_init(&w, out);
    model_jw_obj(&w, NULL);
    model_jw_str(&w, "id", c->id);
    model_jw_str(&w, "name", c->name);
    model_jw_str(&w, "project_id", project_id);
    model_jw_str(&w, "vgw_id", g->id);
    model_jw_str(&w, "status", binding ? "BINDING" : "BOUND");
    model_jw_str(&w, "issuer", c->cert.issuer);
    model_jw_str(&w, "signature_algorithm", c->cert.signature_algorithm);
    model_jw_str(&w, "certificate_serial_number", c->cert.serial_number);
    model_jw_str(&w, "certificate_subject", c->cert.subject);
    model_jw_time(&w, "certificate_expire_time", c->cert.expire_time, false);
    model_jw_str(&w, "certificate_chain_serial_number", c->chain.serial_number);
    model_jw_str(&w, "certificate_chain_subject", c->chain.subject);
    model_jw_time(&w, "certificate_chain_expire_time", c->chain.expire_time, false);
    model_jw_str(&w, "enc_certificate_serial_number", c->enc.serial_number);
    model_jw_str(&w, "enc_certificate_subject", c->enc.subject);
    model_jw_time(&w, "enc_certificate_expire_time", c->enc.expire_time, false);
    model_jw_time(&w, "created_at", c->created_at, false);
    model_jw_time(&w, "updated_at", c->updated_at, false);
    model_jw_obj_end(&w);
    return model_jw_done(&w);
}

int64_t model_vgw_cert_expire_time(const struct model_vgw *g)
{
    const struct model_cert_facts *f[] = {&g->certificate.cert, &g->certificate.chain,
                                          &g->certificate.enc};
    int64_t first = 0;

    for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
        if (f[i]->expire_time > 0 && (first == 0 || f[i]->expire_time < first))
            first = f[i]->expire_time;
    }
    return first;
}
