/*
 * random.h - random bytes from the kernel, for everything that must not be
 * guessed: peer ids, transaction ids, the tracker's UDP secret, BEP 12's shuffle.
 *
 *   unsigned char txid[4];
 *   bt_random_bytes(txid, sizeof(txid));     4 bytes no one can predict
 *
 * getrandom(2) where the kernel has it (3.17 and later), /dev/urandom otherwise.
 */
#ifndef BT_RANDOM_H
#define BT_RANDOM_H

#include <stddef.h>

#include "core/error.h"

/* Fill p with n random bytes.  BT_ERR_IO if the kernel gives none. */
enum bt_err bt_random_bytes(void *p, size_t n);

/*
 * Take the bytes from fn(arg, p, n) instead of the kernel, until called again
 * with NULL: for a simulation that must replay the same run from a seed
 * (bench/dht runs thousands of DHT nodes, whose transaction ids and token
 * secrets come from here).  Never in a tool: the bytes would be guessable.
 */
typedef void bt_random_fn(void *arg, void *p, size_t n);
void bt_random_replace(bt_random_fn *fn, void *arg);

#endif /* BT_RANDOM_H */
