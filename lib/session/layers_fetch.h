/*
 * layers_fetch.h - fetch the piece layers of a v2 torrent from its swarm (BEP
 * 52 hash requests): what a v2-only magnet link needs after its metadata, since
 * the info dict names each file's pieces root but not its piece hashes.
 *
 *   us                                              peer
 *   handshake                          ------->
 *                                      <-------     handshake, bitfield...
 *   hash request root, base 1,         ------->
 *     index 0, length 512, proof 10                 (up to BT_LF_WINDOW in flight)
 *                                      <-------     hashes root, base 1, index 0,
 *                                                   length 512, proof 10,
 *                                                   <512 hashes> <2 uncles>
 *   ... every range in, each proven against its file's pieces root: done
 *
 * Each file larger than a piece has a piece layer of one hash per piece, cut
 * into ranges of BT_HASHES_ASK_MAX hashes (the last one a power of two, padded
 * past the file's end); a range is asked of one peer at a time, with the proof
 * layers that reach the root, so every answer is checked on arrival against
 * the root we trust.  A peer that rejects, sends hashes we did not ask for or
 * that do not prove, or goes silent is dropped and its ranges go to the others.
 * When every range is in, the layers go into the torrent (bt_torrent_set_layers,
 * which checks each whole layer once more).
 */
#ifndef BT_LAYERS_FETCH_H
#define BT_LAYERS_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "core/net.h"
#include "metainfo/metainfo.h"
#include "session/pool.h"
#include "wire/peer.h"

#define BT_LF_PARALLEL 4 /* peers asked at the same time */
#define BT_LF_WINDOW   4 /* hash requests in flight per peer */

/* A peer was dropped: its address, why (err) and the detail. */
typedef void bt_lf_log_fn(void *arg, const char *peer, enum bt_err err, const char *detail);
/* Trace sink, as for bt_fetch. */
typedef void bt_lf_trace_fn(void *arg, const char *peer, const char *text, size_t len);

struct bt_lf_conn;

/* One range of one file's piece layer. */
struct bt_lf_range {
    size_t file;              /* index in t->files */
    uint32_t index, length;   /* in the piece layer */
    struct bt_lf_conn *owner; /* the peer asked, or NULL */
    int done;
};

struct bt_lf_conn {
    struct bt_pool_conn base; /* first: the peer and its slot (pool.h) */
    size_t in_flight;
    uint64_t since_ms; /* the last request sent or answered */
};

struct bt_layers_fetch {
    struct bt_pool_round round; /* at most BT_LF_PARALLEL peers (struct bt_lf_conn) */
    const struct bt_peer_config *cfg;
    int timeout_ms; /* silence allowed while requests are in flight */

    struct bt_torrent *t;  /* borrowed for the run */
    unsigned char *layers; /* the layers as they come, in file order (owned) */
    size_t layers_len;
    size_t *offset; /* per file: where its layer starts in layers */
    struct bt_lf_range *ranges;
    size_t range_count, ranges_done;
    unsigned piece_layer; /* log2(piece length / 16 KiB) */
    uint64_t hashes_got;  /* piece hashes received and proven */

    bt_lf_log_fn *log; /* may be NULL */
    void *log_arg;
    bt_lf_trace_fn *trace; /* may be NULL */
    void *trace_arg;
};

/* Cannot fail. */
void bt_layers_fetch_init(struct bt_layers_fetch *f);
/* Close every connection and free what the fetch holds. */
void bt_layers_fetch_release(struct bt_layers_fetch *f);

/*
 * Fetch every missing piece layer of t (a v2 torrent) from the peers, in order,
 * BT_LF_PARALLEL at a time, with cfg (made for t).  On BT_OK the torrent has
 * its layers and bt_torrent_hashes_known(t) is BT_OK.  Otherwise
 * BT_ERR_NO_PEERS when every peer failed (each was reported through f->log),
 * BT_ERR_NOMEM, or an error of the loop.  A torrent with every layer is BT_OK at once.
 */
enum bt_err bt_layers_fetch_run(struct bt_layers_fetch *f, struct bt_loop *loop,
                                const struct bt_peer_config *cfg, struct bt_torrent *t,
                                const struct bt_addr *peers, size_t peer_count);

#endif /* BT_LAYERS_FETCH_H */
