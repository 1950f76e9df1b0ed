/*
 * pex.h - BEP 11, "Peer Exchange (PEX)": peers tell each other whom they are
 * connected to, so that a swarm stays joined when its trackers are slow or
 * gone.
 *
 * Both sides name "ut_pex" in their extension handshakes (BEP 10, see
 * extension.h).  Then, at most once a minute, each may send the other an
 * extended message whose payload is a bencoded dict of what changed since its
 * last one: the peers it connected to ("added") and lost ("dropped"):
 *
 *   00 00 00 38  14  01  d 5:added 12:<2 peers> 7:added.f 2:<2 flags> 7:dropped 6:<1 peer> e
 *   length       id  ext id: the id the RECEIVER asked for in its handshake's "m"
 *
 *   added     compact IPv4 peers, 6 bytes each: 4 address bytes, 2 port bytes
 *             (the form of BEP 23's tracker answers)   7f 00 00 01 1a e1 = 127.0.0.1:6881
 *   added.f   one byte of flags per added peer (BT_PEX_F_*)
 *   added6    compact IPv6 peers, 18 bytes each (BEP 7); added6.f their flags
 *   dropped   compact IPv4 peers the sender is no longer connected to
 *   dropped6  the same, IPv6
 *
 * A peer could put anything there: a hundred thousand addresses, or ours.  The
 * parser keeps at most BT_PEX_MAX_ENTRIES added and as many dropped peers of one
 * message (BEP 11 asks senders for no more than 50 of each) and refuses a
 * payload over BT_PEX_MAX_LEN; what to do with the addresses (a per-minute
 * budget, never our own, never for a private torrent) is the session's.
 */
#ifndef BT_PEX_H
#define BT_PEX_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/net.h"

/* Entries of each kind (added, dropped; IPv4 and IPv6 together) kept from one
 * message, and the most we put in one.  BEP 11: "no more than 50". */
#define BT_PEX_MAX_ENTRIES 50
/*
 * The largest payload we parse.  libtorrent puts at most 100 peers in a
 * message; 100 in each of the four lists, with their flags, is about 5 KB.  A
 * longer message is a flood, refused before the bencode parser sees it.
 */
#define BT_PEX_MAX_LEN 8192
/* BEP 11: a peer sends PEX "no more frequently than once a minute". */
#define BT_PEX_INTERVAL_MS 60000

/* The flags of added.f and added6.f (BEP 11). */
#define BT_PEX_F_ENCRYPTION 0x01 /* prefers encryption (MSE) */
#define BT_PEX_F_SEED       0x02 /* a seed, or uploads only */
#define BT_PEX_F_UTP        0x04 /* speaks uTP (BEP 29) */
#define BT_PEX_F_HOLEPUNCH  0x08 /* speaks ut_holepunch (BEP 55) */
#define BT_PEX_F_REACHABLE  0x10 /* the sender connected to it: it accepts connections */

struct bt_pex_peer {
    struct bt_netaddr addr;
    unsigned char flags; /* BT_PEX_F_*; 0 when the message has no flags for it */
};

/* One parsed ut_pex message.  Nothing in it points into the payload. */
struct bt_pex_msg {
    struct bt_pex_peer added[BT_PEX_MAX_ENTRIES]; /* added (IPv4), then added6 */
    size_t added_count;
    struct bt_netaddr dropped[BT_PEX_MAX_ENTRIES]; /* dropped, then dropped6 */
    size_t dropped_count;
    size_t added_total; /* entries the message held, kept or not */
    size_t dropped_total;
};

/*
 * Parse an extended message's payload (after the ext id byte).  BT_ERR_TOO_LARGE
 * if it is longer than BT_PEX_MAX_LEN; BT_ERR_PEER_MESSAGE if it is not a
 * bencoded dict, if one of the six keys holds something other than a string,
 * if a peer list is not a whole number of entries (6 or 18 bytes), or if a
 * flags string does not have exactly one byte per peer of its list.  Absent
 * lists are empty; unknown keys are ignored (BEP 10).
 */
enum bt_err bt_pex_parse(struct bt_pex_msg *m, const unsigned char *p, size_t len);

/*
 * Append one message's payload to buf (to be sent with bt_message_put_extended):
 * the n_added peers of added, each to added or added6 by its address family
 * with its flags, and the n_dropped of dropped.  BT_ERR_INVALID if either count
 * is above BT_PEX_MAX_ENTRIES or an address is neither IPv4 nor IPv6.
 */
enum bt_err bt_pex_put(struct bt_buf *buf, const struct bt_pex_peer *added, size_t n_added,
                       const struct bt_netaddr *dropped, size_t n_dropped);

#endif /* BT_PEX_H */
