/*
 * sha256.c - SHA-256 through OpenSSL EVP.
 */
#include "core/sha256.h"

#include <stdatomic.h>
#include <string.h>

#include <openssl/evp.h>

/*
 * OpenSSL 3 looks EVP_sha256() up in its provider store again on every
 * digest, under a lock.  BEP 52 hashes every 16 KiB block and every pair of
 * digests on its own, so that lookup cost bt-create about a tenth of its v2
 * hashing, and made its threads wait on each other: fetch SHA-256 once and
 * keep it.  Two threads may race to fetch it first; the loser frees its copy.
 */
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
static _Atomic(EVP_MD *) fetched;

static const EVP_MD *sha256_md(void)
{
    EVP_MD *md = atomic_load(&fetched), *first = NULL;

    if (md != NULL)
        return md;
    md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (md == NULL)
        return EVP_sha256();
    if (!atomic_compare_exchange_strong(&fetched, &first, md)) {
        EVP_MD_free(md);
        return first;
    }
    return md;
}
#else
static const EVP_MD *sha256_md(void)
{
    return EVP_sha256();
}
#endif

enum bt_err bt_sha256(const void *p, size_t n, unsigned char out[BT_SHA256_LEN])
{
    unsigned int len = 0;

    if (EVP_Digest(p, n, out, &len, sha256_md(), NULL) != 1 || len != BT_SHA256_LEN)
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
