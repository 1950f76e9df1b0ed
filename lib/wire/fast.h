/*
 * fast.h - the fast extension (BEP 6): five messages that make the peer wire
 * say what BEP 3 leaves unsaid, legal only when both handshakes set reserved
 * byte 7 bit 0x04 (BT_RESERVED_FAST_BIT, handshake.h).
 *
 *   00 00 00 01  0e                          have all     (instead of a full bitfield)
 *   00 00 00 01  0f                          have none    (instead of an empty one)
 *   00 00 00 0d  10  <index> <begin> <length> reject request: this request will not be served
 *   00 00 00 05  11  <index>                 allowed fast: ask for this piece even while choked
 *   00 00 00 05  0d  <index>                 suggest piece: a hint, which may be ignored
 *
 * message.h parses and encodes them (bt_message_put_simple, _put_request,
 * _put_have); this file holds what is BEP 6's own: whether a connection may
 * use them, and the allowed fast set.
 *
 * Under the extension every request gets exactly one answer, its piece or a
 * reject, even a cancelled one, and a choke no longer discards the requests
 * in flight: the serving side rejects each one it will not serve.
 *
 * The allowed fast set a peer at an IPv4 address gets is a function of its /24
 * and the info hash, so that reconnecting from a neighbouring address earns no
 * new free pieces:
 *
 *   x = (ip & 0xffffff00) as 4 big-endian bytes || info_hash
 *   repeat: x = SHA-1(x); each of its five 4-byte big-endian words y gives
 *           the piece y % piece_count, kept if new, until k are kept
 */
#ifndef BT_FAST_H
#define BT_FAST_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "wire/handshake.h"

/* Pieces in the allowed fast set we give a peer (BEP 6 suggests 10). */
#define BT_FAST_SET_SIZE 10
/* Allowed fast pieces kept from one peer; more are ignored (the BEP bounds nothing). */
#define BT_FAST_ALLOWED_MAX 32
/* BEP 6: only the first three bytes of an IPv4 address count. */
#define BT_FAST_IP_MASK 0xffffff00u

/* Did both handshakes set the fast bit? */
int bt_fast_negotiated(const unsigned char ours[BT_RESERVED_LEN],
                       const unsigned char theirs[BT_RESERVED_LEN]);

/* Is id one of BEP 6's five messages (suggest, have all, have none, reject,
 * allowed fast)? */
int bt_fast_is_message(unsigned id);

/*
 * The allowed fast set of the peer at ipv4 (host order) for the torrent
 * info_hash of piece_count pieces: min(k, piece_count) distinct piece indexes,
 * in BEP 6's order, written to out (room for that many) and counted in *n.
 * BT_ERR_INVALID when piece_count is 0 or does not fit 32 bits; the SHA-1's
 * error if it fails.
 */
enum bt_err bt_fast_allowed_set(const unsigned char info_hash[BT_HANDSHAKE_HASH_LEN], uint32_t ipv4,
                                size_t piece_count, size_t k, uint32_t *out, size_t *n);

#endif /* BT_FAST_H */
