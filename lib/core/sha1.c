/*
 * sha1.c - SHA-1 through OpenSSL EVP (the hex helpers that print digests are hex.c).
 */
#include "core/sha1.h"

#include <openssl/evp.h>

void bt_sha1_init(struct bt_sha1 *h)
{
    h->ctx = NULL;
}

static enum bt_err start(struct bt_sha1 *h)
{
    if (h->ctx == NULL) {
        h->ctx = EVP_MD_CTX_new();
        if (h->ctx == NULL)
            return BT_ERR_NOMEM;
        if (EVP_DigestInit_ex(h->ctx, EVP_sha1(), NULL) != 1) {
            EVP_MD_CTX_free(h->ctx);
            h->ctx = NULL;
            return BT_ERR_NOMEM;
        }
    }
    return BT_OK;
}

enum bt_err bt_sha1_update(struct bt_sha1 *h, const void *p, size_t n)
{
    enum bt_err err = start(h);

    if (err != BT_OK)
        return err;
    if (n > 0 && EVP_DigestUpdate(h->ctx, p, n) != 1)
        return BT_ERR_NOMEM;
    return BT_OK;
}

enum bt_err bt_sha1_final(struct bt_sha1 *h, unsigned char out[BT_SHA1_LEN])
{
    enum bt_err err = start(h);
    unsigned int len = 0;

    if (err != BT_OK)
        return err;
    if (EVP_DigestFinal_ex(h->ctx, out, &len) != 1 || len != BT_SHA1_LEN)
        return BT_ERR_NOMEM;
    /* Ready for the next digest without reallocating the context. */
    if (EVP_DigestInit_ex(h->ctx, EVP_sha1(), NULL) != 1)
        return BT_ERR_NOMEM;
    return BT_OK;
}

void bt_sha1_release(struct bt_sha1 *h)
{
    EVP_MD_CTX_free(h->ctx);
    h->ctx = NULL;
}

enum bt_err bt_sha1(const void *p, size_t n, unsigned char out[BT_SHA1_LEN])
{
    unsigned int len = 0;

    if (EVP_Digest(p, n, out, &len, EVP_sha1(), NULL) != 1 || len != BT_SHA1_LEN)
        return BT_ERR_NOMEM;
    return BT_OK;
}
