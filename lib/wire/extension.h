/*
 * extension.h - the extension protocol's handshake (BEP 10).
 *
 * When both handshakes set reserved bit 0x10 of byte 5, each side may send an
 * extended message (id 20) with extension id 0: a bencoded dict.
 *
 *   00 00 00 2c  14  00  d 1:m d 11:ut_metadata i3e e 1:p i6881e 4:reqq i250e 1:v 9:btkit 0.1 e
 *   length       id  ext dict: "m" maps extension names to the ids the sender wants
 *                          to receive them under; "p" its listen port; "reqq"
 *                          how many requests it queues; "v" its client name
 *
 * Unknown keys are ignored, as BEP 10 asks.
 */
#ifndef BT_EXTENSION_H
#define BT_EXTENSION_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

#define BT_EXT_HANDSHAKE_ID 0 /* BEP 10: extended message id 0 is the handshake */
#define BT_EXT_MAX_NAMES    32
#define BT_EXT_NAME_MAX     40
#define BT_EXT_CLIENT_MAX   64
#define BT_EXT_ID_MAX       255 /* an extended message carries its id in one byte */

/* BEP 9: the metadata extension, and the id we ask peers to send it under.  Any
 * id from 1 to 255 would do; each side picks its own. */
#define BT_EXT_UT_METADATA    "ut_metadata"
#define BT_EXT_UT_METADATA_ID 3

/* BEP 11: peer exchange (see pex.h), and the id we ask peers to send it under. */
#define BT_EXT_UT_PEX    "ut_pex"
#define BT_EXT_UT_PEX_ID 1

struct bt_ext_entry {
    char name[BT_EXT_NAME_MAX]; /* printable copy, control bytes replaced by '?' */
    int64_t id;                 /* 0 means "disabled" (BEP 10) */
};

struct bt_ext_handshake {
    char client[BT_EXT_CLIENT_MAX]; /* "v", printable copy; empty if absent */
    int64_t port;                   /* "p", 0 if absent */
    int64_t reqq;                   /* "reqq", 0 if absent */
    int64_t metadata_size;          /* "metadata_size" (BEP 9), 0 if absent */
    struct bt_ext_entry m[BT_EXT_MAX_NAMES];
    size_t m_count; /* entries of "m" kept (the first BT_EXT_MAX_NAMES) */
};

/* Decode an extension handshake's payload (after the ext id byte).
 * BT_ERR_PEER_MESSAGE if it is not a bencoded dict. */
enum bt_err bt_ext_handshake_parse(struct bt_ext_handshake *eh, const unsigned char *p, size_t len);

/* The id under which the peer wants to receive extension name, or 0 if it did
 * not offer it (or offered an id that does not fit in a message's byte). */
unsigned bt_ext_handshake_id(const struct bt_ext_handshake *eh, const char *name);

/*
 * What we say in our extension handshake.  ut_metadata_id 0 offers no metadata
 * extension; otherwise metadata_size is the size of the info dict we can serve,
 * or 0 while we are still fetching it (BEP 9).  ut_pex_id 0 offers no peer
 * exchange (BEP 11: a private torrent's peers come from its trackers only).
 * port and reqq are sent when not 0 (a peer that serves nothing omits them).
 */
struct bt_ext_offer {
    uint16_t port;
    int64_t reqq;
    const char *client;
    unsigned ut_metadata_id;
    int64_t metadata_size;
    unsigned ut_pex_id;
};

/* Append our extension handshake's dict to buf. */
enum bt_err bt_ext_handshake_encode(struct bt_buf *buf, const struct bt_ext_offer *o);

#endif /* BT_EXTENSION_H */
