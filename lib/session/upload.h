/*
 * upload.h - the serving half of a peer connection (BEP 3), shared by bt-seed,
 * which has every piece, and bt-download, which serves what it has so far.
 *
 *   peer                                   us
 *   interested          ------->
 *                       <-------           unchoke
 *   request i,b,16384   ------->           queued (at most BT_UPLOAD_MAX_REQUESTS)
 *                       <-------           piece i,b,<block>  (pread into the send buffer)
 *   cancel i,b,16384    ------->           dropped from the queue if not sent yet
 *
 * Policy, kept simple: every interested peer is unchoked (a seed gains nothing
 * from tit-for-tat, and a leecher on a small swarm loses by withholding).  A
 * request larger than 16 KiB or outside the torrent (whose last piece, for a
 * v2-only torrent, is whole: libtorrent pads the last file, and so do we)
 * drops the peer.  Without the fast extension, so does a request for a piece
 * we never said we have or beyond the queue's capacity, and a request that
 * arrives while the peer is choked is ignored (it may have been sent before
 * the choke).
 *
 * With the fast extension (BEP 6, fast.h), when both handshakes set its bit,
 * every request gets exactly one answer:
 *
 *   peer                                   us
 *                       <-------           have all | have none | bitfield
 *                       <-------           allowed fast i  (the set of fast.h, pieces we have)
 *   request i,b,16384   ------->           (choked, but i is allowed fast)
 *                       <-------           piece i,b,<block>
 *   request j,b,16384   ------->           (choked, or j not had, or the queue full)
 *                       <-------           reject request j,b,16384
 *   cancel i,b,16384    ------->           (still queued)
 *                       <-------           reject request i,b,16384
 *
 * A peer that fetches the torrent's metadata (BEP 9, see metadata.h) sends
 * ut_metadata requests under the id we offered; each is answered at once from
 * the info dict's original bytes.
 *
 * A v2 peer sends BEP 52 hash requests, whatever its choke state: for a
 * file's piece layer when it came by magnet link, for a piece's leaf hashes
 * to check each block as it arrives.  Each is answered at once, from the
 * torrent's piece layers or, below them, by hashing the data of pieces we
 * have; a root we do not know or a piece we lack gets a hash reject.  See
 * hashes.h.
 *
 * Memory per connection is bounded: at most BT_UPLOAD_SEND_HIGH bytes of blocks
 * are read ahead of the socket, and the whole torrent is never in memory.
 */
#ifndef BT_UPLOAD_H
#define BT_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "core/rate.h"
#include "wire/bitfield.h"
#include "wire/fast.h"
#include "metainfo/metainfo.h"
#include "wire/peer.h"
#include "pieces/storage.h"

#define BT_UPLOAD_MAX_REQUESTS 1024       /* queued requests per peer; sent as "reqq" */
#define BT_UPLOAD_SEND_HIGH    (1u << 20) /* read blocks ahead of the socket up to this */
/* Blocks a hash request below the piece layer may make us read and hash: 8 MiB,
 * the leaves of a piece as large as BEP 52's 512 hashes a request cover. */
#define BT_UPLOAD_LEAF_BLOCKS 512

struct bt_upload_request {
    uint32_t index, begin, length;
};

struct bt_upload {
    const struct bt_torrent *t;     /* borrowed */
    struct bt_storage *storage;     /* borrowed */
    const struct bt_bitfield *have; /* borrowed: the pieces we serve */
    int interested;                 /* the peer is interested in us */
    int unchoked;                   /* we unchoked the peer */
    struct bt_rate *limit;          /* borrowed, shared by every peer; NULL: no upload limit */
    struct bt_upload_request queue[BT_UPLOAD_MAX_REQUESTS]; /* a ring */
    size_t q_head, q_len;
    uint64_t blocks_sent;
    uint64_t bytes_sent;
    uint64_t metadata_sent; /* ut_metadata pieces sent (BEP 9) */
    uint64_t hash_requests; /* hash requests answered, with hashes or a reject (BEP 52) */
    int fast;               /* both handshakes set the fast bit (BEP 6) */
    uint32_t allowed[BT_FAST_SET_SIZE]; /* the peer's allowed fast set (fast.h) */
    size_t allowed_n;
    uint64_t rejected; /* reject request messages sent (BEP 6) */
};

/* Cannot fail.  t, storage and have must outlive the upload. */
void bt_upload_init(struct bt_upload *u, const struct bt_torrent *t, struct bt_storage *storage,
                    const struct bt_bitfield *have);

/*
 * Open the serving side once the handshakes are done: tell the peer what we
 * have (have all or have none when both speak BEP 6, else a bitfield, none if
 * we have nothing) and, with BEP 6, its allowed fast set among our pieces (for
 * an IPv4 peer: BEP 6 defines the set for no other).  BT_ERR_TOO_LARGE when
 * the send buffer is full.
 */
enum bt_err bt_upload_start(struct bt_upload *u, struct bt_peer *p);

/*
 * Handle a message that belongs to the serving side (interested, not interested,
 * request, cancel, a ut_metadata request, a hash request); sets *handled.  An error means drop the
 * peer (the reason is set with bt_peer_why).
 */
enum bt_err bt_upload_message(struct bt_upload *u, struct bt_peer *p, const struct bt_message *m,
                              int *handled);

/* Turn queued requests into piece messages while the send buffer has room; call
 * it from the peer's on_drain. */
enum bt_err bt_upload_serve(struct bt_upload *u, struct bt_peer *p);

#endif /* BT_UPLOAD_H */
