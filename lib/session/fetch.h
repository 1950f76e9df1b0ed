/*
 * fetch.h - the client side of one peer connection, for the one-shot tools:
 * shake hands (bt-handshake, stage 4) and download one piece (bt-fetch-piece,
 * stage 5).
 *
 * Fetching a piece from a peer, as BEP 3 orders it:
 *
 *   us                                   peer
 *   handshake              ------->
 *                          <-------      handshake
 *                          <-------      bitfield, have...   (does it have the piece?)
 *   interested             ------->
 *                          <-------      unchoke
 *   request i,0,16384      ------->      (up to queue_depth requests in flight:
 *   request i,16384,16384  ------->       one round trip per block would make
 *   ...                                   the speed latency-bound)
 *                          <-------      piece i,0,<block>
 *   request (the next)     ------->
 *   ...                                  until every block is in; then SHA-1
 *
 * A peer that chokes us mid-piece, sends a block we did not ask for, sends data
 * that fails the hash or goes silent makes the fetch fail with a reason
 * (bt_fetch_detail) so that the caller can try the next peer.
 */
#ifndef BT_FETCH_H
#define BT_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "wire/bitfield.h"
#include "core/loop.h"
#include "metainfo/metainfo.h"
#include "wire/peer.h"
#include "session/pool.h"

#define BT_FETCH_QUEUE_DEPTH 64 /* requests in flight: 1 MiB of 16 KiB blocks */
#define BT_FETCH_EXT_WAIT_MS 3000
#define BT_FETCH_DETAIL_MAX  (BT_PEER_DETAIL_MAX + 64)

/* Trace sink: the peer's address and one annotated dump (see trace.h). */
typedef void bt_fetch_trace_fn(void *arg, const char *peer, const char *text, size_t len);

struct bt_fetch {
    const struct bt_torrent *t;
    size_t index;        /* the piece */
    uint32_t piece_size; /* its bytes (the last piece is shorter) */
    size_t block_count;
    unsigned char *data;        /* piece_size bytes, the piece once done */
    unsigned char *block_state; /* per block: BLOCK_WANTED, BLOCK_ASKED or BLOCK_GOT */
    size_t next_block, in_flight, got_blocks;
    int queue_depth;
    int wait_ms;          /* how long a peer may take to unchoke us or show the piece */
    int block_timeout_ms; /* silence allowed while requests are in flight */

    /* Per attempt.  The pool holds the one connection while it runs; peer is a
     * copy of it as it ended (socket and buffers gone, handshakes and name kept). */
    struct bt_pool pool;
    struct bt_peer peer;
    struct bt_bitfield have;
    int has_piece, unchoked, interested, want_ext;
    uint64_t since_ms;

    bt_fetch_trace_fn *trace;
    void *trace_arg;
    enum bt_err result;
    int finished;
    char detail[BT_FETCH_DETAIL_MAX];
};

/* Cannot fail. */
void bt_fetch_init(struct bt_fetch *f);
void bt_fetch_release(struct bt_fetch *f);

/*
 * Connect to addr and exchange handshakes; when both sides support BEP 10, wait up
 * to BT_FETCH_EXT_WAIT_MS for the peer's extension handshake.  On BT_OK,
 * f->peer.remote (and f->peer.ext if f->peer.has_ext) describe the peer.  On
 * failure, bt_fetch_detail() says why.
 */
enum bt_err bt_fetch_handshake(struct bt_fetch *f, struct bt_loop *loop,
                               const struct bt_peer_config *cfg, const struct bt_addr *addr);

/*
 * Prepare to fetch piece index of t (allocates the piece buffer).  BT_ERR_INVALID
 * if the index is out of range.
 */
enum bt_err bt_fetch_piece_init(struct bt_fetch *f, const struct bt_torrent *t, size_t index);

/*
 * Download the piece from addr and check its SHA-1.  On BT_OK, f->data holds
 * f->piece_size verified bytes.  May be called again with another peer after a
 * failure: the piece starts over.
 */
enum bt_err bt_fetch_piece_from(struct bt_fetch *f, struct bt_loop *loop,
                                const struct bt_peer_config *cfg, const struct bt_addr *addr);

/* Why the last attempt failed ("" if it did not). */
const char *bt_fetch_detail(const struct bt_fetch *f);

#endif /* BT_FETCH_H */
