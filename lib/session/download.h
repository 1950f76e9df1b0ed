/*
 * download.h - download a whole torrent from many peers at once (BEP 3), on one
 * event loop, serving what we have to those who ask while we go.
 *
 * The download loop, per connection:
 *
 *   handshake ─> their bitfield/haves ─> interested ─> unchoke ─┐
 *                                                               v
 *        ┌── request blocks until `depth` are in flight (picker.h chooses) <──┐
 *        v                                                                    │
 *   piece block arrives ─> write it (writeback.h) ─> hash it, in order ───────┘
 *                          when its piece is whole: SHA-1 matches? have + tell
 *                          every peer; no? throw the piece away, blame the senders
 *
 * With a peer that speaks the fast extension (BEP 6, fast.h), a have all or
 * have none stands for its bitfield; a reject request hands the block back to
 * the picker; a choke keeps our requests in flight (the peer rejects the ones
 * it will not serve); pieces it allows fast (at most BT_FAST_ALLOWED_MAX of
 * them) are asked for even while it chokes us; a suggestion is read and not
 * followed (the picker's rarest-first order serves the swarm better).
 *
 * A v2 piece is checked block by block where a peer sends its leaf hashes
 * (leaf_table.h): a bad block is dropped as it arrives and its sender banned.
 *
 * Speed comes from pipelining: `depth` adapts to each peer so that about
 * BT_DL_INFLIGHT_MS of its data is always on the way (libtorrent aims at the
 * same), between BT_DL_MIN_DEPTH (Transmission's floor) and the peer's "reqq".
 * Blocks are hashed straight from the receive buffer while they arrive in order
 * (they mostly do): only blocks that arrived out of order are read back, from
 * the piece's slot in memory when it has one, else from disk.  A few pieces in
 * progress are held in such slots and written whole once verified
 * (writeback.h); the torrent is never held in memory.
 *
 * Peers come as candidates from the torrent's trackers, which the session
 * asks itself (bt_download_announce: tracker/announcer.h, with the session's
 * numbers, "completed" when it completes and "stopped" when it is released),
 * and from the caller (the command line); the session dials them up to a
 * connection cap, retries failures with a growing delay, and bans a peer whose
 * data failed a hash.  The DHT is another source of candidates
 * (bt_download_dht, dht_source.h), and so are the peers that connected peers
 * tell us of by peer exchange (BEP 11, pex_state.h), at most
 * BT_PEX_STATE_TAKE_PER_MINUTE a minute from each, never our own address and
 * never for a private torrent; every minute at most, each peer that speaks
 * ut_pex hears which of our peers came and went.  It gives up, stopping the loop, when no
 * peer has been open and nothing has arrived for the give-up time, or when it
 * has no peer left to try and nothing (no tracker, no DHT node) can bring one.
 */
#ifndef BT_DOWNLOAD_H
#define BT_DOWNLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "wire/bitfield.h"
#include "core/loop.h"
#include "metainfo/metainfo.h"
#include "core/net.h"
#include "wire/peer.h"
#include "pieces/picker.h"
#include "session/pool.h"
#include "pieces/piece_hash.h"
#include "pieces/storage.h"
#include "session/upload.h"
#include "pieces/writeback.h"
#include "session/dht_source.h"
#include "session/leaf_table.h"
#include "session/webseed.h"
#include "session/pex_state.h"
#include "tracker/announcer.h"

#define BT_DL_MAX_PEERS      50         /* connections at once, by default */
#define BT_DL_MIN_DEPTH      32         /* requests in flight per peer, at least */
#define BT_DL_MAX_DEPTH      512        /* and at most */
#define BT_DL_INFLIGHT_MS    3000       /* aim at this much of a peer's data in flight */
#define BT_DL_SNUB_MS        20000      /* no block for this long with requests out: snubbed */
#define BT_DL_RETRY_MS       2000       /* first wait before dialling a failed peer again */
#define BT_DL_RETRY_MAX_MS   120000     /* the wait doubles up to this */
#define BT_DL_MAX_FAILS      5          /* a peer that failed this often in a row is given up */
#define BT_DL_MAX_CANDIDATES 4096       /* peer addresses remembered */
#define BT_DL_STRIKES        2          /* failed pieces shared with others before a ban */
#define BT_DL_MAX_WASTE      (4u << 20) /* unrequested bytes a peer may send before a drop */
#define BT_DL_CONTRIBUTORS   4          /* senders remembered per piece, for blame */
#define BT_DL_TICK_MS        1000
#define BT_DL_LOG_MAX        256

enum bt_dl_cand_state {
    BT_DL_CAND_IDLE,      /* may be dialled (once retry_ms has passed) */
    BT_DL_CAND_CONNECTED, /* a connection to it is open or opening */
    BT_DL_CAND_BANNED,    /* sent bad data, or is ourselves */
};

struct bt_dl_candidate {
    struct bt_addr addr;
    enum bt_dl_cand_state state;
    unsigned fails;   /* connections that failed in a row */
    unsigned strikes; /* failed pieces it contributed to */
    uint64_t retry_ms;
};

struct bt_download;

struct bt_dl_conn {
    struct bt_pool_conn base; /* first: the peer and its slot (pool.h) */
    struct bt_download *dl;
    size_t cand;            /* in dl->cands, or SIZE_MAX for an incoming peer */
    struct bt_bitfield has; /* the peer's pieces */
    int open;               /* handshakes done */
    int choking_us;         /* the peer chokes us (BEP 3 starts choked) */
    int interested;         /* we told the peer we are interested */
    struct bt_block inflight[BT_DL_MAX_DEPTH];
    size_t n_inflight;
    size_t depth; /* requests we keep in flight */
    uint64_t last_block_ms;
    uint64_t window_bytes;   /* received this tick, for the rate */
    uint64_t rate;           /* bytes per second, smoothed */
    uint64_t bytes_down;     /* piece bytes received */
    uint64_t waste;          /* bytes received that we did not ask for */
    int doomed;              /* banned: closes at its next callback */
    enum bt_err failed;      /* an error outside its callbacks: closes at its next one */
    int no_leaves;           /* not to be asked for leaf hashes (leaf_table.h) */
    struct bt_pex_state pex; /* peer exchange with it (BEP 11) */
    struct bt_upload up;     /* up.fast: both sides speak BEP 6 */
    /* BEP 6: pieces the peer lets us ask for while it chokes us, and the
     * bitfield of those it has that the picker chooses from then (sized on
     * the first allowed fast; clear between uses). */
    uint32_t allowed[BT_FAST_ALLOWED_MAX];
    size_t allowed_n;
    struct bt_bitfield pick;
};

/* Hashing state of a piece in progress. */
struct bt_dl_active {
    uint32_t index;
    struct bt_piece_hash hash; /* fed the blocks in order: hash.hashed bytes from the start */
    size_t contrib[BT_DL_CONTRIBUTORS]; /* candidates that sent blocks of it */
    size_t n_contrib;
    int anonymous;     /* an incoming peer (no candidate) sent some of it */
    unsigned webseeds; /* bit i: dl->webseeds[i] sent some of it */
};

typedef void bt_download_log_fn(void *arg, const char *peer, const char *text);

/* What happened, for an owner that reports events to a program (bt-download
 * --json) rather than lines to a person. */
enum bt_download_event_kind {
    BT_DL_EVENT_PIECE_FAILED, /* piece failed its hash check, and is fetched again */
    BT_DL_EVENT_PEER_BANNED,  /* peer is banned, for why */
};
struct bt_download_event {
    enum bt_download_event_kind kind;
    uint32_t piece;   /* PIECE_FAILED */
    const char *peer; /* PEER_BANNED: "ip:port" */
    const char *why;  /* PEER_BANNED */
};
typedef void bt_download_event_fn(void *arg, const struct bt_download_event *e);
typedef void bt_download_trace_fn(void *arg, const char *peer, const char *text, size_t len);

struct bt_download {
    struct bt_loop *loop;
    const struct bt_torrent *t; /* borrowed */
    struct bt_storage *storage; /* borrowed, opened for writing */
    struct bt_peer_config cfg;
    struct bt_picker picker;
    struct bt_bitfield have;
    int64_t have_bytes;   /* data in verified pieces: BEP 47 padding left out */
    int64_t wanted_bytes; /* the same of the pieces wanted (all but those skipped) */

    struct bt_pool pool; /* the connections (struct bt_dl_conn), and the listening socket */
    struct bt_dl_candidate *cands;
    size_t cand_count, cand_cap;
    struct bt_dl_active *active;
    size_t active_count, active_cap;
    unsigned char *scratch; /* BT_BLOCK_SIZE bytes: blocks read back, pieces checked on disk */
    struct bt_writeback wb; /* blocks on their way to storage */

    struct bt_announcer ann;      /* the torrent's trackers */
    struct bt_dht_source dht;     /* the DHT, if one is given */
    bt_tracker_result_fn *report; /* each tracker's answer, for the owner to show */
    void *report_arg;

    uint64_t timer;
    int seed_after; /* keep serving once complete */
    int complete;
    uint64_t
        complete_ms; /* when the last piece was verified; 0: complete from the start, or not yet */
    uint64_t give_up_ms; /* 0: never */
    uint64_t start_ms;
    int gave_up;       /* the loop stopped: no peer, and none to be had */
    enum bt_err fatal; /* a local failure (disk full...) that stopped the loop */
    char fatal_detail[BT_DL_LOG_MAX];

    uint64_t downloaded; /* piece bytes received (including what was thrown away) */
    uint64_t uploaded;   /* by connections already closed */
    uint64_t wasted;     /* duplicates, unrequested and failed-hash bytes */
    uint64_t last_progress_ms;
    size_t hash_fails;
    struct bt_leaf_table leaves; /* v2: leaf hashes, to check each block as it arrives */
    uint64_t blocks_checked;     /* blocks checked against their leaf on arrival */
    uint64_t blocks_bad;         /* and found bad: each banned its sender */
    struct bt_webseed webseeds[BT_WEBSEED_MAX]; /* BEP 19 */
    size_t webseed_count;
    size_t peers_ever;  /* connections that completed a handshake */
    size_t pex_learned; /* candidates that peers told us of (BEP 11) */
    size_t checked;     /* pieces hashed on disk before the download started */

    bt_download_log_fn *log; /* may be NULL */
    void *log_arg;
    bt_download_trace_fn *trace; /* may be NULL */
    void *trace_arg;
    bt_download_event_fn *event; /* may be NULL */
    void *event_arg;

    /* --max-download-rate, --max-upload-rate (rate.h): requests and web seed
     * jobs wait for down's tokens, blocks we serve for up's; while either is
     * limited, a timer lets them try again every BT_RATE_TICK_MS. */
    struct bt_rate down, up;
    uint64_t rate_timer;
    size_t rate_next; /* the connection served first at the next rate tick */
};

struct bt_download_opts {
    size_t max_conns; /* 0: BT_DL_MAX_PEERS */
    int sequential;
    int seed_after;
    const struct bt_addr *listen; /* NULL: do not accept connections */
    uint64_t seed;                /* picker tie-breaks; 0 picks one */
    uint64_t give_up_ms;          /* no open peer and no progress this long: give up (0: never) */
    uint64_t max_download_rate;   /* bytes a second, peers and web seeds together; 0: none */
    uint64_t max_upload_rate;     /* bytes a second to all peers together; 0: none */
};

/* Cannot fail. */
void bt_download_init(struct bt_download *dl);
/* Say "stopped" to the trackers (and "completed" if still owed), close every
 * connection and free everything the session owns. */
void bt_download_release(struct bt_download *dl);

/*
 * Prepare a download of t into storage: size the picker and bitfields.  Call
 * bt_download_check() next (or bt_download_set_have()), then bt_download_start().
 */
enum bt_err bt_download_setup(struct bt_download *dl, const struct bt_torrent *t,
                              struct bt_storage *storage);

/*
 * Download only the files chosen (selection.h; the storage must have been
 * told too, bt_storage_choose()): skip every piece no chosen file has bytes
 * in.  With first_last, start the first and last piece of each chosen file
 * before any other, as a player reads them first.  Call it before
 * bt_download_check() or bt_download_resume(), which then read only the
 * pieces wanted.  BT_ERR_NOMEM.
 */
enum bt_err bt_download_choose(struct bt_download *dl, const unsigned char *chosen, int first_last);

/*
 * Resume from a state file (resume.h) instead: the trusted pieces are had
 * without a read, those in recheck are hashed as bt_download_check() does,
 * the rest are missing.  progress (may be NULL) is called after each piece
 * hashed, with the count of those.
 */
enum bt_err bt_download_resume(struct bt_download *dl, const struct bt_bitfield *trusted,
                               const struct bt_bitfield *recheck,
                               void (*progress)(void *arg, size_t done, size_t total), void *arg);

/*
 * Write the state file at path: the pieces written so far, with the files as
 * they are after them (resume.h says why that is durable enough).  A crash
 * at any point leaves a state that claims only verified pieces whose bytes
 * the kernel has.  BT_ERR_IO (errno set), BT_ERR_NOMEM.
 */
enum bt_err bt_download_save_state(struct bt_download *dl, const char *path);

/*
 * Resume: hash what is on disk, piece by piece, and keep every piece that
 * matches.  progress (may be NULL) is called after each piece.  A piece that
 * cannot be read (a missing or short file) is simply missing.
 */
enum bt_err bt_download_check(struct bt_download *dl,
                              void (*progress)(void *arg, size_t done, size_t total), void *arg);
/* Mark piece idx as verified without reading it. */
void bt_download_set_have(struct bt_download *dl, size_t idx);

/* Start on loop: listen (if opts->listen), and dial candidates as they come. */
enum bt_err bt_download_start(struct bt_download *dl, struct bt_loop *loop,
                              const struct bt_peer_config *cfg,
                              const struct bt_download_opts *opts);

/*
 * Announce to the n urls given (each a tier of its own), or with none to the
 * torrent's own trackers, in the background of the loop, for as long as the
 * session runs; their peers become candidates.  report (may be NULL) hears each
 * tracker's answer or failure, on the loop thread.  Call after
 * bt_download_start(); a session with no tracker at all announces nothing.
 */
enum bt_err bt_download_announce(struct bt_download *dl, char *const *urls, size_t n,
                                 bt_tracker_result_fn *report, void *arg);

/*
 * Fetch pieces from these web seeds too (BEP 19: the torrent's url-list, or
 * URLs the user gave), alongside the peers.  A URL that is not http or https
 * is skipped with a message; at most BT_WEBSEED_MAX are used.  Call after
 * bt_download_start().
 */
enum bt_err bt_download_webseeds(struct bt_download *dl, char *const *urls, size_t n);

/*
 * Find peers through dht too (a node of ours whose UDP port is node_port):
 * look the torrent up now and then, announce our listening port to it, and
 * tell peers that speak the DHT where our node is.  Call after
 * bt_download_start().
 */
void bt_download_dht(struct bt_download *dl, struct bt_dht *dht, uint16_t node_port);

/* A peer to try (duplicates and our own listening address are ignored). */
enum bt_err bt_download_add_peer(struct bt_download *dl, const struct bt_addr *addr);

/* Peers we could still dial now or later, connected ones included. */
size_t bt_download_usable_peers(const struct bt_download *dl);
/* Connections whose handshake is done. */
size_t bt_download_open_peers(const struct bt_download *dl);
/* Bytes per second received over all connections, smoothed. */
uint64_t bt_download_rate(const struct bt_download *dl);
/* Piece bytes sent to peers so far. */
uint64_t bt_download_uploaded(const struct bt_download *dl);

#endif /* BT_DOWNLOAD_H */
