/*
 * sha256.h - SHA-256 through OpenSSL's EVP interface.
 *
 * BitTorrent v2 (BEP 52) replaces SHA-1 with SHA-256 everywhere: the v2 info
 * hash is the SHA-256 of the info dict, and file data is hashed as a merkle
 * tree of SHA-256 digests (see metainfo/merkle.h).
 */
#ifndef BT_SHA256_H
#define BT_SHA256_H

#include <stddef.h>

#include "core/error.h"

#define BT_SHA256_LEN 32 /* bytes in a SHA-256 digest, BEP 52 */

/* One-shot digest of n bytes at p. */
enum bt_err bt_sha256(const void *p, size_t n, unsigned char out[BT_SHA256_LEN]);

/* The digest of two digests one after the other: a merkle tree's inner node. */
enum bt_err bt_sha256_pair(const unsigned char left[BT_SHA256_LEN],
                           const unsigned char right[BT_SHA256_LEN],
                           unsigned char out[BT_SHA256_LEN]);

#endif /* BT_SHA256_H */
