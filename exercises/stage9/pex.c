/*
 * pex.c - exercise for stage 9: peer exchange (BEP 11), the ut_pex message
 * read with hard bounds, and built.
 *
 * Stage 9 is two files: fast.c and this one.  You write the functions
 * lib/wire/pex.h declares; the header is the contract and draws the message
 * (read it first, with section 5 of tutorials/09-swarms.md and BEP 11).
 * Peers that both name "ut_pex" in their extension handshakes (stage 4's
 * extension.c) tell each other, at most once a minute, whom they connected to
 * and whom they lost since their last message, in one bencoded dict (stage
 * 1's bencode.c reads and writes it):
 *
 *   00 00 00 38  14  01  d 5:added 12:<2 peers> 7:added.f 2:<2 flags> 7:dropped 6:<1 peer> e
 *   length       id  ext id: the id the RECEIVER asked for in its handshake's "m"
 *
 *   key        a string of                                   entries of
 *   added      the peers the sender connected to, IPv4       6 bytes: 4 address, 2 port
 *   added.f    their flags, one per peer of added            1 byte (BT_PEX_F_*)
 *   added6     the peers the sender connected to, IPv6       18 bytes: 16 address, 2 port
 *   added6.f   their flags, one per peer of added6           1 byte
 *   dropped    the peers it is no longer connected to, IPv4  6 bytes
 *   dropped6   the peers it is no longer connected to, IPv6  18 bytes
 *
 *   7f 00 00 01 1a e1   127.0.0.1:6881, port big-endian (BEP 23's compact form)
 *   flags 0x12          BT_PEX_F_SEED | BT_PEX_F_REACHABLE: a seed the sender dialled
 *
 * lib/session/download.c, which you do not write, hands your bt_pex_parse()
 * every ut_pex payload it receives, and dials the added peers within a budget
 * of its own (at most 50 a minute, never our own address, never for a private
 * torrent); lib/session/pex_state.c works out who came and went since the last
 * message to a peer, and your bt_pex_put() writes it.  --trace lists a
 * message's peers with your parser too.
 *
 * A peer could put anything in that dict: ten thousand addresses, a list
 * where a string belongs, a string of 7 bytes.  BEP 11 asks senders for no
 * more than 50 added and 50 dropped peers a message; nothing makes them obey.
 *
 * Build and grade with the rest of stage 9: make grade STAGE=9
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "wire/pex.h"

#include <string.h>

#include "bencode/bencode.h"

/*
 * Parse one ut_pex payload, len bytes at p (the bytes after the extended
 * message's ext id).  Clear *m first (memset), and again on every failure, so
 * that a refused message leaves nothing a caller could take for peers.
 *
 * 1. len above BT_PEX_MAX_LEN: BT_ERR_TOO_LARGE, before the decoder sees a
 *    byte (a flood is refused by its size alone; bt-download drops the peer
 *    and says "ut_pex message of N bytes (the limit is 8192)").
 * 2. Decode with stage 1's decoder, BT_BENCODE_LENIENT (not every client sorts
 *    its keys), with small caps of your own on b.max_tokens and b.max_depth
 *    (after bt_bencode_init(); the six keys, their strings and a few unknown
 *    keys need fewer than 64 tokens and a depth of 4).  Not bencode, or not a
 *    dict: BT_ERR_PEER_MESSAGE.  Release the decoder on every path.
 * 3. Each of the six keys is optional: absent is an empty list.  Present, it
 *    must be a string (an integer or a list there: BT_ERR_PEER_MESSAGE).
 *    Unknown keys are ignored (BEP 10).
 * 4. added, added6, dropped and dropped6 must be whole entries: a length that
 *    is a multiple of BT_NETADDR_COMPACT4 (6) or BT_NETADDR_COMPACT6 (18),
 *    else BT_ERR_PEER_MESSAGE.  added.f and added6.f, when present and not
 *    empty, must have exactly one byte per peer of their list, else
 *    BT_ERR_PEER_MESSAGE; absent or empty, every peer's flags are 0.
 * 5. Count every entry in added_total and dropped_total, but keep at most
 *    BT_PEX_MAX_ENTRIES of each kind, the first ones: m->added holds added's
 *    peers, then added6's, while there is room (added_count); m->dropped
 *    holds dropped's, then dropped6's (dropped_count).  bt-download reports
 *    the totals ("pex: 200 added, 0 dropped: ...") and dials only what you
 *    kept.
 *    hints: bt_bnode_dict_get() (lib/bencode/bencode.h), a node's type, s and
 *    slen; bt_netaddr_get(entry, 4 or 16, &addr) reads one compact entry
 *    (lib/core/net.h).  One static helper for the added lists (entry size,
 *    flags key) and one for the dropped lists keep this short.
 * Nothing in *m may point into p: copy the addresses.
 */
enum bt_err bt_pex_parse(struct bt_pex_msg *m, const unsigned char *p, size_t len)
{
    (void)p;
    (void)len;
    memset(m, 0, sizeof(*m));
    return BT_ERR_PEER_MESSAGE;
}

/*
 * Append one ut_pex payload to buf: a dict of all six keys, in BEP 3's sorted
 * order (bytes compared, and '.' (0x2e) sorts before '6' (0x36)):
 *
 *   d 5:added <IPv4 added> 7:added.f <their flags> 6:added6 <IPv6 added>
 *     8:added6.f <their flags> 7:dropped <IPv4 dropped> 8:dropped6 <IPv6 dropped> e
 *
 * Every key is written, with an empty string when its list is empty.  Each
 * added peer goes to added or added6 by its address's iplen (4 or 16), its
 * flags byte to the matching flags string, in the order given; each dropped
 * address to dropped or dropped6.
 *
 * Check everything before writing anything: n_added or n_dropped above
 * BT_PEX_MAX_ENTRIES, or an address whose iplen is neither 4 nor 16, is
 * BT_ERR_INVALID, with buf as it was.  Then the encoders' errors (a full buf:
 * BT_ERR_TOO_LARGE) are yours to return.
 *   hints: bt_bencode_put_dict(), bt_bencode_put_cstr(), bt_bencode_put_str(),
 *   bt_bencode_put_end() (lib/bencode/bencode.h); bt_netaddr_put() writes one
 *   compact entry and says how long it is (lib/core/net.h).  Gather a family's
 *   entries in a local array first: 50 IPv6 entries are 900 bytes.
 * bt-download --seed and bt-seed send what you build to their peers, and
 * another bt-download reads it with your bt_pex_parse(): the check that a
 * bt-download finds a second seeder through its first peer needs both.
 */
enum bt_err bt_pex_put(struct bt_buf *buf, const struct bt_pex_peer *added, size_t n_added,
                       const struct bt_netaddr *dropped, size_t n_dropped)
{
    (void)buf;
    (void)added;
    (void)n_added;
    (void)dropped;
    (void)n_dropped;
    return BT_ERR_INVALID;
}
