/*
 * extension.c - exercise for stage 4: the extension handshake of BEP 10.
 *
 * You write the functions lib/wire/extension.h declares (read it first).  When both
 * handshakes set reserved bit 0x10 of byte 5, each side then sends a message of
 * id 20 (extended) whose first payload byte is 0 (the extension handshake) and
 * whose rest is one bencoded dict.  lib/wire/peer.c frames the message; you build
 * and read the dict:
 *
 *   d 1:m d 11:ut_metadata i2e e  1:p i6881e  4:reqq i250e  1:v 13:libtorrent 2.0 e
 *     "m": the extensions the sender  "p": its    "reqq": how     "v": its client
 *     speaks, each with the id it     listen      many requests   name and version
 *     wants to receive it under       port        it queues
 *
 * Build and grade with the rest of stage 4: make grade STAGE=4
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "wire/extension.h"

#include <string.h>

#include "bencode/bencode.h"

/*
 * Read the dict of p (len bytes) into eh.  Zero eh first: every field is
 * optional, and absent means 0 or empty.
 *
 * - Decode with the stage 1 decoder, LENIENT (real clients do not all sort
 *   their keys) and with a small token cap of your own (b.max_tokens after
 *   bt_bencode_init()): a peer decides how big this dict is.  Not bencode, or
 *   not a dict: BT_ERR_PEER_MESSAGE.
 * - "v": a string, copied into eh->client for display: at most
 *   sizeof(eh->client) - 1 bytes, NUL-terminated, each control byte (below 0x20,
 *   and 0x7f) replaced by '?', so that a peer cannot write to our terminal.
 * - "p", "reqq", "metadata_size": integers.  A key of the wrong type is ignored,
 *   as if absent (BEP 10: unknown or odd keys must not break the handshake).
 * - "m": a dict; keep its first BT_EXT_MAX_NAMES entries whose value is an
 *   integer, each name copied like "v" into its bt_ext_entry, in the dict's
 *   order.  Walk a dict's children as key, value, key, value...
 *     hints: bt_bencode_root(), bt_bnode_dict_get_type(), bt_bnode_child(),
 *     bt_bnode_sibling() (lib/bencode/bencode.h).
 * Release the decoder before returning, on every path.
 */
enum bt_err bt_ext_handshake_parse(struct bt_ext_handshake *eh, const unsigned char *p, size_t len)
{
    (void)p;
    (void)len;
    memset(eh, 0, sizeof(*eh));
    return BT_ERR_PEER_MESSAGE;
}

/*
 * The id under which the peer wants to receive extension `name`: look it up in
 * eh->m.  0 when the peer did not offer it, offered 0 ("disabled", BEP 10), or
 * an id that does not fit in a message's one id byte (above BT_EXT_ID_MAX).
 */
unsigned bt_ext_handshake_id(const struct bt_ext_handshake *eh, const char *name)
{
    (void)eh;
    (void)name;
    return 0;
}

/*
 * Append our dict to buf, keys in sorted order as bencoding requires:
 *   "m": a dict; with o->ut_metadata_id above 0 it holds "ut_metadata" mapped to
 *        that id (the id WE want to receive its messages under), and with
 *        o->ut_pex_id above 0 "ut_pex" mapped to that one (BEP 11); else it is
 *        empty;
 *   "metadata_size": o->metadata_size, only when we offer ut_metadata and it is
 *        above 0 (we have the info dict to serve, BEP 9);
 *   "p": o->port, only when it is not 0;
 *   "reqq": o->reqq, only when it is above 0;
 *   "v": o->client.
 *   hints: bt_bencode_put_dict(), _put_cstr(), _put_int(), _put_end().
 * Stop at the first error and return it.
 */
enum bt_err bt_ext_handshake_encode(struct bt_buf *buf, const struct bt_ext_offer *o)
{
    (void)buf;
    (void)o;
    return BT_ERR_TOO_LARGE;
}
