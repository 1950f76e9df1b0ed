/*
 * source.h - where a tool's torrent comes from: a .torrent file, or a magnet
 * link whose metadata is fetched from the swarm first (BEP 9).
 *
 *   bt-x FILE.torrent                  read and parse the file
 *   bt-x 'magnet:?xt=urn:btih:...'     peers from -p, then the link's x.pe, then
 *                                      its trackers; fetch the info dict from them
 *                                      (lib/session/metadata_fetch.c); wrap it in a
 *                                      .torrent with the link's trackers
 *
 * Shared by bt-infohash, bt-fetch-piece and bt-download, which link libcurl for
 * the trackers anyway.  bt-handshake needs only the info hash and uses
 * bt_wire_load_hash() instead, without libcurl.
 */
#ifndef BT_SOURCE_H
#define BT_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "metainfo/metainfo.h"
#include "core/net.h"

#define BT_SOURCE_MAX_PEERS 256 /* peers gathered from -p, x.pe and one announce */

struct bt_source_opts {
    const struct bt_addr *peers; /* -p peers, tried first */
    size_t peer_count;
    int timeout_s;   /* connect, handshake and silence timeout per peer */
    int trace;       /* show the bytes of the metadata exchange on stderr */
    int quiet;       /* no "metadata: N bytes from PEER" line */
    int no_trackers; /* ask only the -p and x.pe peers */
    /* Out: for a magnet link, the peer that gave the metadata, a good first
     * peer for the pieces. */
    struct bt_addr from;
    int have_from;
};

/*
 * Load arg into t: a .torrent file ("-" for standard input) or a magnet link.
 * For a magnet link, raw (if not NULL) receives the bytes of the .torrent built
 * around the fetched info dict.  Prints what went wrong and returns
 * non-zero on failure.
 */
int bt_source_load(const char *arg, struct bt_source_opts *o, struct bt_torrent *t,
                   struct bt_buf *raw);

/*
 * Ask trackers for peers, as one announce that downloads nothing: the
 * torrent's (t may be NULL), or the n urls when n > 0.  Returns how many peers
 * were put in peers (at most max); prints why none came.
 */
size_t bt_source_tracker_peers(const struct bt_torrent *t, char *const *urls, size_t n,
                               const unsigned char *info_hash, const unsigned char *peer_id,
                               int64_t left, int timeout_s, struct bt_addr *peers, size_t max);

#endif /* BT_SOURCE_H */
