/*
 * handshake.c - exercise for stage 4: BEP 3's peer handshake, the 68 bytes each
 * side sends first on a connection, and its reserved bits.
 *
 * Stage 4 is three small files: this one, peerid.c (BEP 20's peer ids) and
 * extension.c (BEP 10's extension handshake).  You write the functions
 * lib/wire/handshake.h declares; the header is the contract (read it first, with
 * tutorials/04-handshake.md).  lib/wire/peer.c, which you do not write, calls yours
 * on every connection: bt-handshake, bt-fetch-piece, bt-seed and bt-download
 * all shake hands with your code, on both sides of the tests' connections.
 *
 *   offset  0    1                     20         28          48          68
 *           +----+---------------------+----------+-----------+-----------+
 *           | 19 | "BitTorrent protocol" | reserved | info_hash | peer_id   |
 *           +----+---------------------+----------+-----------+-----------+
 *            13   42 69 74 54 6f 72 ...  00 00 00 00 00 10 00 00
 *                                                       ^ byte 5, bit 0x10:
 *                                                         extension protocol
 *
 * Build the tools with your files: make exercise STAGE=4
 * Grade them:                        make grade STAGE=4
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "wire/handshake.h"

#include <string.h>

/*
 * Write the 68 bytes of the drawing into out: the length byte
 * BT_HANDSHAKE_PSTR_LEN, the protocol string BT_HANDSHAKE_PSTR without its NUL,
 * then hs's reserved bytes, info hash and peer id as they are.  Name the offsets
 * (1, 20, 28, 48) as constants built from the header's lengths, not bare numbers.
 * Common mistake: sizeof(BT_HANDSHAKE_PSTR) is 20, the string's NUL included.
 */
void bt_handshake_encode(const struct bt_handshake *hs, unsigned char out[BT_HANDSHAKE_LEN])
{
    (void)hs;
    memset(out, 0, BT_HANDSHAKE_LEN);
}

/*
 * The first n bytes of a handshake, as they trickle in (n may be 0, or less than
 * 68, or more).  lib/wire/peer.c calls this on every read, so that a peer that sends
 * an HTTP request or garbage is dropped at its first wrong byte instead of after
 * a timeout.  BT_OK if what is there can still be a handshake: nothing yet, or a
 * first byte of 19 and the bytes of "BitTorrent protocol" so far.  Otherwise
 * BT_ERR_PEER_HANDSHAKE.  Look only at bytes below n, and only at the first 20:
 * the rest of a handshake may hold any byte.
 */
enum bt_err bt_handshake_check_prefix(const unsigned char *p, size_t n)
{
    (void)p;
    (void)n;
    return BT_ERR_PEER_HANDSHAKE;
}

/*
 * A whole handshake: check its first 20 bytes (reuse the function above), then
 * copy the reserved bytes, info hash and peer id into hs.  Do not judge them:
 * whether the info hash is the one we want, and which reserved bits matter, is
 * the caller's business (peer.c compares the hash and names both in its error).
 */
enum bt_err bt_handshake_decode(struct bt_handshake *hs, const unsigned char in[BT_HANDSHAKE_LEN])
{
    (void)hs;
    (void)in;
    return BT_ERR_PEER_HANDSHAKE;
}

/*
 * Reserved bits, named by byte index and mask (BT_RESERVED_EXTENSION_BYTE and
 * _BIT, ...).  Set one bit, leaving the others as they are.
 */
void bt_handshake_set_bit(unsigned char reserved[BT_RESERVED_LEN], int byte, unsigned mask)
{
    (void)reserved;
    (void)byte;
    (void)mask;
}

/* 1 if the bit is set, else 0 (exactly 1: callers print and compare it). */
int bt_handshake_has_bit(const unsigned char reserved[BT_RESERVED_LEN], int byte, unsigned mask)
{
    (void)reserved;
    (void)byte;
    (void)mask;
    return 0;
}
