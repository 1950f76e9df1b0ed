/*
 * tool_source.h - the one way a tool takes its TORRENT argument: a .torrent
 * file, standard input, or a magnet link.
 *
 *   bt-x FILE.torrent                  read and parse the file ("-": stdin)
 *   bt-x 'magnet:?xt=urn:btih:...'     (MAGNET:, Magnet: alike) the link's
 *                                      hash, name and trackers; then, unless
 *                                      the tool needs only the hash, the info
 *                                      dict from the swarm (BEP 9): from the
 *                                      -p peers, the link's x.pe peers, its
 *                                      trackers' peers, then the DHT's
 *
 * Every error is printed here, in the tools' one form
 * ("bt-x: FILE: byte 68: info.files[0].length: negative length").
 */
#ifndef BT_TOOL_SOURCE_H
#define BT_TOOL_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/net.h"
#include "metainfo/metainfo.h"
#include "session/lsd.h"
#include "tool_dht.h"
#include "tracker/client.h"

#define TOOL_SOURCE_MAX_PEERS 256 /* peers gathered from -p, x.pe and one announce */

/* Flags of struct tool_source. */
#define TOOL_SOURCE_STRICT                                                                         \
    1u                           /* --strict: refuse what BT_META_LENIENT overlooks or changes,    \
                                      in a file or in a magnet link's metadata */
#define TOOL_SOURCE_HASH_ONLY 2u /* a magnet link's hash, name and trackers are enough */
#define TOOL_SOURCE_INFO_ONLY 4u /* its info dict is enough: no v2 piece layers (bt-infohash) */

struct tool_source {
    unsigned flags;
    const struct bt_addr *peers; /* -p peers, asked first for a magnet's metadata */
    size_t peer_count;
    int timeout_s;   /* connect, handshake and silence timeout per peer */
    int encryption;  /* enum bt_mse_policy, for the peers that give the metadata */
    int trace;       /* show the bytes of the metadata exchange on stderr */
    int quiet;       /* no "metadata: N bytes from PEER" line, no private-torrent note */
    int no_trackers; /* ask only the -p and x.pe peers */
    struct tool_dht
        *dht; /* a DHT node to find peers with when nothing else gives any; may be NULL */
    /* Out: for a magnet link, the peer that gave the metadata, a good first
     * peer for the pieces. */
    struct bt_addr from;
    int have_from;
};

/* --strict, on every tool that loads a torrent from a file: bt-infohash,
 * bt-download, bt-seed (they agree on which torrents load). */
#define TOOL_OPT_STRICT 0x1180 /* between the shared 0x11xx and bt-download's 0x12xx */
#define TOOL_STRICT_HELP                                                                           \
    "      --strict         refuse a torrent with non-canonical bencode, a malformed\n"            \
    "                       optional field or an unusable path element, which by\n"                \
    "                       default are read past, ignored or made safe, with a warning\n"

/* Is arg a magnet link rather than a file name? */
int tool_is_magnet(const char *arg);

/*
 * Load arg into t (initialised by the caller).  raw, if not NULL, receives the
 * .torrent's bytes: the file as read, or for a magnet link the .torrent built
 * around the fetched info dict.  Returns 0, or 1 after printing what went
 * wrong.
 */
int tool_load_torrent(const char *arg, struct tool_source *src, struct bt_torrent *t,
                      struct bt_buf *raw);

/*
 * Print, as warnings on stderr, what the parse of t overlooked or changed
 * (t->notes): "SUBJECT: warning: byte 83: info.files[0].path[1]: path element
 * is '.' or '..': dropped; saved as 'multi/a/b.bin'".  tool_load_torrent() does.
 */
void tool_meta_notes(const char *subject, const struct bt_torrent *t);

/*
 * Once t is complete under dir: make its BEP 47 symlinks and mark its
 * executables (lib/pieces/attrs.h), saying on stderr what could not be done.
 * 0, or 1 if something could not.
 */
int tool_apply_attrs(const struct bt_torrent *t, const char *dir, const unsigned char *chosen);

/*
 * Ask trackers for peers, as one announce that downloads nothing: the
 * torrent's.  Returns how many peers were put in peers (at most max); prints why
 * none came.
 */
size_t tool_tracker_peers(const struct bt_torrent *t, const unsigned char *peer_id, int64_t left,
                          int timeout_s, struct bt_addr *peers, size_t max);

/* Trackers given on the command line (--tracker URL, repeatable), each checked
 * for a scheme we speak before any I/O. */
struct tool_trackers {
    char *urls[BT_TRACKER_MAX_TIERS];
    size_t count;
};

/* Take one --tracker argument.  Returns TOOL_CONTINUE, or TOOL_EXIT_USAGE after
 * saying why. */
int tool_trackers_add(struct tool_trackers *tr, char *url);

/*
 * Tell, on stderr, what one tracker answered or why it did not.  Each line
 * starts with prefix ("" or "tracker ") and the URL.  A failure is always told,
 * with every detail there is; an answer is told ("interval 1800 s, 3 seeders,
 * 5 leechers, 12 peers", then any warning) when verbose, else only its warning.
 */
void tool_announce_report(const char *prefix, const struct bt_announce_result *r, int verbose);

/*
 * --lsd: local service discovery (BEP 14) of t on the LAN, our peers' port
 * being port; on_peer hears each peer of t heard there.  A private torrent
 * gets none (BEP 27), with a message.  0, or 1 after printing the error.
 */
int tool_lsd_start(struct bt_lsd *lsd, struct bt_loop *loop, const struct bt_torrent *t,
                   uint16_t port, bt_lsd_peer_fn *on_peer, void *arg, int quiet);

#endif /* BT_TOOL_SOURCE_H */
