/*
 * sha256.c - SHA-256 through OpenSSL EVP.
 */
#include "core/sha256.h"

#include <string.h>

#include <openssl/evp.h>

enum bt_err bt_sha256(const void *p, size_t n, unsigned char out[BT_SHA256_LEN])
{
    unsigned int len = 0;

    if (EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) != 1 || len != BT_SHA256_LEN)
        return BT_ERR_NOMEM;
    return BT_OK;
}

enum bt_err bt_sha256_pair(const unsigned char left[BT_SHA256_LEN],
                           const unsigned char right[BT_SHA256_LEN],
                           unsigned char out[BT_SHA256_LEN])
{
    unsigned char both[2 * BT_SHA256_LEN];

    memcpy(both, left, BT_SHA256_LEN);
    memcpy(both + BT_SHA256_LEN, right, BT_SHA256_LEN);
    return bt_sha256(both, sizeof(both), out);
}
