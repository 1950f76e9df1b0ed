/*
 * metadata_fetch.h - fetch a torrent's info dict from its swarm (BEP 9 over
 * BEP 10), knowing nothing but the info hash: what a magnet link needs before
 * anything else can happen.
 *
 *   us                                          peer
 *   handshake (extension bit)      ------->
 *                                  <-------     handshake (extension bit)
 *   ext handshake m{ut_metadata 3} ------->
 *                                  <-------     ext handshake m{ut_metadata 2}
 *                                               metadata_size 2637
 *   ext 2: msg_type 0, piece 0     ------->     (up to BT_MDF_WINDOW in flight)
 *                                  <-------     ext 3: msg_type 1, piece 0,
 *                                               total_size 2637, <2637 bytes>
 *   ... every piece in; SHA-1 == info hash: done
 *
 * A few peers are asked at once (BT_MDF_PARALLEL), each assembling its own copy,
 * so that a peer that lies (a size over the cap, bytes that do not hash to the
 * info hash), rejects, lacks the extension or stays silent is dropped with a
 * reason and costs the others nothing.  The first verified copy wins.
 */
#ifndef BT_METADATA_FETCH_H
#define BT_METADATA_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "wire/metadata.h"
#include "core/net.h"
#include "wire/peer.h"
#include "session/pool.h"

#define BT_MDF_PARALLEL    4    /* peers asked at the same time */
#define BT_MDF_WINDOW      8    /* metadata requests in flight per peer */
#define BT_MDF_EXT_WAIT_MS 5000 /* after the handshake, for the extension handshake */

/* A peer was dropped: its address, why (err) and the detail. */
typedef void bt_mdf_log_fn(void *arg, const char *peer, enum bt_err err, const char *detail);
/* Trace sink, as for bt_fetch. */
typedef void bt_mdf_trace_fn(void *arg, const char *peer, const char *text, size_t len);

struct bt_mdf_conn {
    struct bt_pool_conn base; /* first: the peer and its slot (pool.h) */
    struct bt_metadata md;
    unsigned their_id; /* their ut_metadata id, once their extension handshake came */
    size_t next_piece, in_flight;
    uint64_t since_ms; /* the handshake, then the last metadata piece */
};

struct bt_metadata_fetch {
    struct bt_pool_round round; /* at most BT_MDF_PARALLEL peers (struct bt_mdf_conn) */
    const struct bt_peer_config *cfg;
    int piece_timeout_ms; /* silence allowed while requests are in flight */

    unsigned char *info; /* on success: the verified info dict (owned) */
    size_t info_len;
    struct bt_addr winner_addr;  /* the peer it came from */
    char winner[BT_ADDR_STRLEN]; /* the same, as text */

    bt_mdf_log_fn *log; /* may be NULL */
    void *log_arg;
    bt_mdf_trace_fn *trace; /* may be NULL */
    void *trace_arg;
};

/* Cannot fail. */
void bt_metadata_fetch_init(struct bt_metadata_fetch *f);
/* Close every connection and free the result. */
void bt_metadata_fetch_release(struct bt_metadata_fetch *f);

/*
 * Fetch the info dict whose SHA-1 is cfg->info_hash from the peers, trying them
 * in order, BT_MDF_PARALLEL at a time.  cfg must set the extension bit and
 * ut_metadata_id; its piece_count is 0 (we know no torrent yet).  On BT_OK,
 * f->info holds f->info_len verified bytes.  Otherwise BT_ERR_NO_PEERS when
 * every peer failed (each was reported through f->log), or an error of the loop.
 */
enum bt_err bt_metadata_fetch_run(struct bt_metadata_fetch *f, struct bt_loop *loop,
                                  const struct bt_peer_config *cfg, const struct bt_addr *peers,
                                  size_t peer_count);

#endif /* BT_METADATA_FETCH_H */
