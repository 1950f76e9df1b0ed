/*
 * sha1.h - SHA-1 through OpenSSL's EVP interface.
 *
 * BitTorrent v1 names a torrent by the SHA-1 of its info dict (the info hash)
 * and checks every piece against a 20-byte SHA-1 from the metainfo (BEP 3).
 */
#ifndef BT_SHA1_H
#define BT_SHA1_H

#include <stddef.h>

#include "core/error.h"
#include "core/hex.h" /* bt_hex_encode, bt_hex_decode */

#define BT_SHA1_LEN 20 /* bytes in a SHA-1 digest, BEP 3 */

/* An incremental hash.  The caller owns the struct; _init cannot fail, and the
 * context itself is created lazily by the first update. */
struct bt_sha1 {
    void *ctx; /* EVP_MD_CTX, kept opaque so that callers need not include OpenSSL */
};

void bt_sha1_init(struct bt_sha1 *h);
enum bt_err bt_sha1_update(struct bt_sha1 *h, const void *p, size_t n);
/* Write the digest to out and reset h for reuse. */
enum bt_err bt_sha1_final(struct bt_sha1 *h, unsigned char out[BT_SHA1_LEN]);
void bt_sha1_release(struct bt_sha1 *h);

/* One-shot digest of n bytes at p. */
enum bt_err bt_sha1(const void *p, size_t n, unsigned char out[BT_SHA1_LEN]);

#endif /* BT_SHA1_H */
