/*
 * sha1.c - SHA-1 through OpenSSL EVP, and the hex helpers that print digests.
 */
#include "sha1.h"

#include <string.h>

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

void bt_hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum bt_err bt_hex_decode(const char *in, unsigned char *out, size_t n)
{
    size_t i;

    if (strlen(in) != 2 * n)
        return BT_ERR_INVALID;
    for (i = 0; i < n; i++) {
        int hi = hex_value(in[2 * i]), lo = hex_value(in[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return BT_ERR_INVALID;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return BT_OK;
}
