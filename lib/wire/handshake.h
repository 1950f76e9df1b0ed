/*
 * handshake.h - the 68 bytes each side sends first on a peer connection (BEP 3),
 * and the reserved bits through which later BEPs announce what they support.
 *
 *   offset  0      1                   20                  28            48           68
 *           +------+-------------------+-------------------+-------------+------------+
 *           |  19  |"BitTorrent protocol"| reserved (8)    | info_hash   | peer_id    |
 *           +------+-------------------+-------------------+-------------+------------+
 *
 *   reserved  byte 5 bit 0x10  extension protocol (BEP 10)
 *             byte 7 bit 0x04  fast extension (BEP 6)
 *             byte 7 bit 0x01  DHT (BEP 5)
 *
 * The info hash names the torrent: a side that does not serve it closes the
 * connection.  The peer id is 20 arbitrary bytes; most clients start it with
 * their name and version (see peerid.h).
 */
#ifndef BT_HANDSHAKE_H
#define BT_HANDSHAKE_H

#include <stddef.h>

#include "core/error.h"

#define BT_HANDSHAKE_PSTR     "BitTorrent protocol" /* BEP 3 */
#define BT_HANDSHAKE_PSTR_LEN 19
#define BT_RESERVED_LEN       8
#define BT_HANDSHAKE_HASH_LEN 20
#define BT_PEER_ID_LEN        20
#define BT_HANDSHAKE_LEN                                                                           \
    (1 + BT_HANDSHAKE_PSTR_LEN + BT_RESERVED_LEN + BT_HANDSHAKE_HASH_LEN + BT_PEER_ID_LEN)

/* Reserved bits: byte index and mask. */
#define BT_RESERVED_EXTENSION_BYTE 5 /* BEP 10 */
#define BT_RESERVED_EXTENSION_BIT  0x10
#define BT_RESERVED_FAST_BYTE      7 /* BEP 6 */
#define BT_RESERVED_FAST_BIT       0x04
#define BT_RESERVED_DHT_BYTE       7 /* BEP 5 */
#define BT_RESERVED_DHT_BIT        0x01

struct bt_handshake {
    unsigned char reserved[BT_RESERVED_LEN];
    unsigned char info_hash[BT_HANDSHAKE_HASH_LEN];
    unsigned char peer_id[BT_PEER_ID_LEN];
};

void bt_handshake_encode(const struct bt_handshake *hs, unsigned char out[BT_HANDSHAKE_LEN]);

/*
 * Check the first n bytes of a handshake as they arrive (n may be less than 68),
 * so that a peer sending garbage is caught at its first wrong byte.
 * BT_ERR_PEER_HANDSHAKE if the length byte or protocol string is wrong.
 */
enum bt_err bt_handshake_check_prefix(const unsigned char *p, size_t n);

/* Decode a whole handshake.  BT_ERR_PEER_HANDSHAKE if it is not BEP 3's. */
enum bt_err bt_handshake_decode(struct bt_handshake *hs, const unsigned char in[BT_HANDSHAKE_LEN]);

/* Reserved bit helpers. */
void bt_handshake_set_bit(unsigned char reserved[BT_RESERVED_LEN], int byte, unsigned mask);
int bt_handshake_has_bit(const unsigned char reserved[BT_RESERVED_LEN], int byte, unsigned mask);

#endif /* BT_HANDSHAKE_H */
