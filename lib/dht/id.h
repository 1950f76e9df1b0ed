/*
 * id.h - DHT node ids and the XOR metric (BEP 5), and node ids tied to an IP
 * address (BEP 42).
 *
 * Nodes and info hashes share one 160-bit space.  The distance between two ids
 * is their XOR, read as an unsigned number: the more leading bits two ids
 * share, the closer they are.
 *
 *   a        1 0 1 1 0 ...
 *   b        1 0 0 1 1 ...
 *   a ^ b    0 0 1 0 1 ...    two leading bits in common: distance below 2^158
 *
 * A routing table keeps more nodes near its own id than far from it, and a
 * lookup walks towards its target by asking, each round, nodes closer than the
 * last ones.
 *
 * BEP 42 ties the first 21 bits of a node id to its IP address (a CRC-32C of
 * the masked address and 3 random bits), so that a node cannot pick an id next
 * to a target at will.  Local addresses (loopback, private ranges) are exempt.
 */
#ifndef BT_DHT_ID_H
#define BT_DHT_ID_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/net.h"

#define BT_DHT_ID_LEN  20 /* bytes: 160 bits, the size of a SHA-1 (BEP 5) */
#define BT_DHT_ID_BITS 160
#define BT_DHT_K       8 /* BEP 5's k: nodes per bucket, and the closest a lookup waits for */

/* Which of a and b is closer to target?  < 0: a, > 0: b, 0: the same id. */
int bt_dht_id_closer(const unsigned char *target, const unsigned char *a, const unsigned char *b);

/* How many leading bits a and b share, 0 to BT_DHT_ID_BITS. */
unsigned bt_dht_id_common_bits(const unsigned char *a, const unsigned char *b);

/* out = a XOR b. */
void bt_dht_id_distance(const unsigned char *a, const unsigned char *b, unsigned char *out);

/* A random id.  BT_ERR_IO if the kernel gives no random bytes. */
enum bt_err bt_dht_id_random(unsigned char *id);

/*
 * A random id that shares exactly bits leading bits with base (bits <
 * BT_DHT_ID_BITS): the target of a refresh of the bucket that holds such ids.
 */
enum bt_err bt_dht_id_random_near(const unsigned char *base, unsigned bits, unsigned char *out);

/* BEP 42: is addr exempt from the id check (loopback, private, link-local)? */
int bt_dht_id_local(const struct bt_netaddr *addr);

/*
 * BEP 42: make id (whose bytes are random already) valid for addr: its first
 * 21 bits from the CRC-32C of addr's masked bytes and r's low 3 bits, its last
 * byte r.
 */
void bt_dht_id_secure(const struct bt_netaddr *addr, unsigned char r, unsigned char *id);

/* BEP 42: is id valid for a node at addr?  1 if so, or if addr is local. */
int bt_dht_id_is_secure(const unsigned char *id, const struct bt_netaddr *addr);

#endif /* BT_DHT_ID_H */
