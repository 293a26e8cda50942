/* model/derive.c: identifiers derived from others, for facts vpnd simulates but never stored
 * (the ER attachment of an ER gateway, the bandwidth of an EIP given by id): the same input
 * always gives the same id, so every read shows the same value and no migration is needed. */
#include "model/model_int.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

void model_derive_uuid(const char *what, const char *seed, char out[MODEL_UUID_LEN])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();

    memset(md, 0, sizeof(md));
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(ctx, what, strlen(what)) != 1 || EVP_DigestUpdate(ctx, ":", 1) != 1 ||
        EVP_DigestUpdate(ctx, seed, strlen(seed)) != 1 || EVP_DigestFinal_ex(ctx, md, &n) != 1)
        memset(md, 0, sizeof(md)); /* no digest: a constant, still a well-formed UUID */
    EVP_MD_CTX_free(ctx);
    md[6] = (unsigned char)((md[6] & 0x0fu) | 0x50u); /* name-based layout (RFC 9562 v5) */
    md[8] = (unsigned char)((md[8] & 0x3fu) | 0x80u);
    snprintf(out, MODEL_UUID_LEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0], md[1],
             md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12], md[13],
             md[14], md[15]);
}
