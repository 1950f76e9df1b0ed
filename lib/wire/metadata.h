/*
 * metadata.h - BEP 9, "Extension for Peers to Send Metadata Files": the
 * ut_metadata messages that carry a torrent's info dict from peer to peer, so
 * that a magnet link (an info hash alone) is enough to join a swarm.
 *
 * Both sides name "ut_metadata" in their extension handshakes (BEP 10, see
 * extension.h); the one that has the info dict adds "metadata_size".  The info
 * dict is cut into 16 KiB pieces (the last one shorter), each sent in one
 * extended message whose payload is a bencoded dict, followed, for data, by the
 * piece's raw bytes:
 *
 *   00 00 00 1b  14  03  d 8:msg_type i0e 5:piece i0e e                    request
 *   00 00 40 31  14  02  d 8:msg_type i1e 5:piece i0e 10:total_size i2637e e <bytes>
 *                                                                         data
 *   00 00 00 1b  14  03  d 8:msg_type i2e 5:piece i0e e                    reject
 *   length       id  ext id: the id the RECEIVER asked for in its handshake's "m"
 *
 * The fetcher must not trust a byte of it: metadata_size is capped before any
 * allocation (BT_METADATA_MAX), every data message must match the size the
 * peer announced, and the assembled bytes count only once their SHA-1 equals
 * the info hash of the magnet link.  Then they are the original info dict,
 * byte for byte, and the torrent built from them has the same info hash.
 */
#ifndef BT_METADATA_H
#define BT_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "metainfo/metainfo.h"

#define BT_METADATA_PIECE    16384             /* BEP 9: metadata is sent in 16 KiB pieces */
#define BT_METADATA_MAX      (8 * 1024 * 1024) /* our cap on metadata_size (libtorrent: 4 MiB) */
#define BT_METADATA_MAX_HEAD 256 /* bytes of bencoded dict in front of a piece, at most */

/* BEP 9 msg_type values. */
#define BT_METADATA_REQUEST 0
#define BT_METADATA_DATA    1
#define BT_METADATA_REJECT  2

/* One parsed ut_metadata message.  data points into the parsed payload. */
struct bt_metadata_msg {
    int64_t type;              /* BT_METADATA_*; other values are legal and ignored */
    int64_t piece;             /* the piece's index */
    int64_t total_size;        /* data only: the whole info dict's size; -1 if absent */
    const unsigned char *data; /* data only: the piece's bytes, after the dict */
    size_t data_len;
};

/*
 * Parse an extended message's payload (after the ext id byte).  BT_ERR_PEER_MESSAGE
 * if the dict is malformed, lacks msg_type or piece, has a negative piece, or
 * (request, reject) is followed by extra bytes.
 */
enum bt_err bt_metadata_parse(struct bt_metadata_msg *m, const unsigned char *p, size_t len);

/*
 * Append one message's payload to buf (to be sent with bt_message_put_extended):
 * the dict, then for data the n bytes at data and total_size.  Request and
 * reject take data == NULL.
 */
enum bt_err bt_metadata_put(struct bt_buf *buf, int type, uint32_t piece, int64_t total_size,
                            const void *data, size_t n);

/* How many pieces a metadata of size bytes has, and how long piece idx is. */
size_t bt_metadata_piece_count(size_t size);
size_t bt_metadata_piece_len(size_t size, size_t idx);

/*
 * Serving: the answer to a request for piece idx of info (the torrent's info
 * dict, its original bytes): a data message if idx is in range, else a reject.
 * Appends the payload to buf and sets *type to what it is.
 */
enum bt_err bt_metadata_answer(struct bt_buf *buf, const unsigned char *info, size_t info_len,
                               int64_t idx, int *type);

/*
 * Fetching: one peer's copy of the metadata being assembled.  The caller owns
 * the struct; _init cannot fail; _release frees the buffer.
 */
struct bt_metadata {
    unsigned char info_hash[BT_INFOHASH_LEN]; /* what the bytes must hash to */
    unsigned char *data;                      /* size bytes once the size is known */
    size_t size;                              /* 0 until bt_metadata_set_size */
    size_t piece_count;
    unsigned char *got; /* per piece: 1 once its bytes are in */
    size_t got_count;
};

void bt_metadata_init(struct bt_metadata *md, const unsigned char info_hash[BT_INFOHASH_LEN]);
void bt_metadata_release(struct bt_metadata *md);

/*
 * The size the peer announced ("metadata_size").  BT_ERR_METADATA_SIZE, before
 * anything is allocated, if it is not positive or above BT_METADATA_MAX.
 */
enum bt_err bt_metadata_set_size(struct bt_metadata *md, int64_t size);

/*
 * Store a data message.  BT_ERR_METADATA_SIZE if its total_size differs from
 * the announced size; BT_ERR_PEER_MESSAGE if the piece is out of range or its
 * length is not exactly that piece's.  A piece we already have is ignored.
 */
enum bt_err bt_metadata_take(struct bt_metadata *md, const struct bt_metadata_msg *m);

/* Every piece is in. */
int bt_metadata_complete(const struct bt_metadata *md);

/*
 * Check the assembled bytes against the info hash.  BT_ERR_METADATA_HASH if
 * they differ: every piece is then forgotten (the peer lied).
 */
enum bt_err bt_metadata_verify(struct bt_metadata *md);

/*
 * Build a .torrent from verified metadata: "d", an announce and announce-list
 * made of the trackers (one tier each, in order; may be none), "4:info" and the
 * info dict's bytes unchanged, "e".  Appends to out.
 */
enum bt_err bt_metadata_torrent(struct bt_buf *out, const unsigned char *info, size_t info_len,
                                char *const *trackers, size_t tracker_count);

#endif /* BT_METADATA_H */
