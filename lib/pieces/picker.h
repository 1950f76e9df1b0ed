/*
 * picker.h - which block to ask a peer for next (BEP 3's "piece selection").
 *
 * A piece is split into blocks of 16 KiB (the largest request every client
 * serves); the last block of the last piece may be shorter:
 *
 *   piece 0                 piece 1                 ...  last piece
 *   [blk0][blk1]...[blkN]   [blk0][blk1]...[blkN]        [blk0][b]
 *
 * The picker keeps, per piece, how many connected peers have it (availability)
 * and whether we have it; and, for the few pieces in progress, the state of each
 * block.  Its policy, in order:
 *
 *   1. finish what is started: a block of a partial piece the peer has;
 *   2. otherwise start a piece asked for first (bt_picker_first: the first and
 *      last pieces of each file, which players read before the rest), else
 *      the rarest piece the peer has (ties broken at random), so
 *      that rare pieces spread before their only holder leaves; with
 *      `sequential` set, the lowest-numbered piece instead, for streaming;
 *   3. endgame: when every missing block is already requested, ask this peer
 *      too for a block someone else is slow to deliver (the caller cancels the
 *      duplicates once one arrives).
 *
 * Pieces skipped (bt_picker_skip: they hold only files not chosen, see
 * selection.h) are never chosen, and the picker is complete without them.
 *
 * Memory: three bytes per piece, plus block states only for pieces in progress,
 * so a 1 GiB torrent costs kilobytes.
 */
#ifndef BT_PICKER_H
#define BT_PICKER_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "wire/message.h" /* BT_BLOCK_SIZE */

enum bt_block_state {
    BT_BLOCK_MISSING = 0,
    BT_BLOCK_REQUESTED,
    BT_BLOCK_RECEIVED,
};

/* Where a piece stands.  One byte per piece, so that choosing a new piece checks
 * "started already?" without searching the list of pieces in progress. */
enum bt_piece_state {
    BT_PIECE_MISSING = 0,
    BT_PIECE_ACTIVE, /* in progress: it has an entry in active[] */
    BT_PIECE_HAVE,   /* verified and written */
    BT_PIECE_SKIP,   /* not wanted: never chosen */
};

struct bt_picker_piece {
    uint32_t index;
    uint32_t block_count;
    uint32_t received;        /* blocks in state RECEIVED */
    uint32_t requested;       /* blocks in state REQUESTED */
    unsigned char *blocks;    /* enum bt_block_state per block */
    unsigned char *req_count; /* endgame: peers asked for each block (saturating) */
};

struct bt_picker {
    size_t piece_count;
    int64_t piece_length;
    int64_t total_length;
    uint16_t *availability; /* peers that have each piece (saturating) */
    unsigned char *state;   /* enum bt_piece_state per piece */
    size_t have_count;
    struct bt_picker_piece *active; /* pieces in progress */
    size_t active_count;
    size_t active_cap;
    int sequential;
    uint64_t rng; /* xorshift state for tie-breaking */
    /* So that choosing a new piece does not read every piece each time (a
     * torrent of 100,000 pieces spent 77% of its CPU there): no piece before
     * first_missing is missing (a piece is never missing again once started),
     * and no missing piece has fewer peers than min_avail. */
    size_t first_missing;
    uint16_t min_avail;
    size_t skip_count;  /* pieces in state SKIP */
    uint32_t *first;    /* pieces to start before any other, in order */
    size_t first_count; /* entries of first[] not started yet, from first_at */
    size_t first_at;
};

struct bt_block {
    uint32_t piece;
    uint32_t offset;
    uint32_t length;
};

void bt_picker_init(struct bt_picker *p);
/* Size the picker for a torrent.  seed makes tie-breaks reproducible in tests. */
enum bt_err bt_picker_setup(struct bt_picker *p, size_t piece_count, int64_t piece_length,
                            int64_t total_length, int sequential, uint64_t seed);
void bt_picker_release(struct bt_picker *p);

/* Bytes in piece idx, and blocks in it. */
int64_t bt_picker_piece_size(const struct bt_picker *p, size_t idx);
uint32_t bt_picker_block_count(const struct bt_picker *p, size_t idx);

/* Availability bookkeeping, as peers announce pieces or leave.  bits is a BEP 3
 * bitfield (high bit of byte 0 is piece 0) of piece_count bits. */
void bt_picker_peer_has(struct bt_picker *p, size_t idx);
void bt_picker_peer_bitfield(struct bt_picker *p, const unsigned char *bits, int add);

/* Piece idx is not wanted: never choose it.  Only a missing piece can be
 * skipped (a piece had or started stays so). */
void bt_picker_skip(struct bt_picker *p, size_t idx);
/* Is piece idx still to be had: neither had nor skipped? */
int bt_picker_wanted(const struct bt_picker *p, size_t idx);
/* Start piece idx before pieces not asked for first; pieces asked for earlier
 * come first.  BT_ERR_NOMEM. */
enum bt_err bt_picker_first(struct bt_picker *p, size_t idx);

/* We verified piece idx (during resume or after download). */
void bt_picker_set_have(struct bt_picker *p, size_t idx);
int bt_picker_have(const struct bt_picker *p, size_t idx);
/* Every piece had, or skipped. */
int bt_picker_complete(const struct bt_picker *p);

/*
 * Choose the next block to request from a peer whose pieces are bits (NULL means
 * the peer has everything).  already(arg, block) lets the caller exclude blocks
 * this peer was already asked for (used in endgame; may be NULL).  Returns 1 and
 * fills *out, or 0 when this peer has nothing we need.
 */
int bt_picker_next(struct bt_picker *p, const unsigned char *bits,
                   int (*already)(void *arg, const struct bt_block *b), void *arg,
                   struct bt_block *out);

/*
 * Steps 1 and 2 only: a block no peer was asked for.  Returns 1 and fills *out,
 * or 0 when every missing block of the peer's pieces is requested already.  For
 * a caller that keeps endgame's duplicates for a peer with nothing in flight
 * (download.c): one that fills a deep pipeline with them asks every block of
 * the last seconds' data of many peers over and over.
 */
int bt_picker_next_unrequested(struct bt_picker *p, const unsigned char *bits,
                               struct bt_block *out);

/* How many requests for b are out (saturating at 255; web seeds' jobs count
 * too), 0 if it is not requested. */
unsigned bt_picker_block_asked(const struct bt_picker *p, const struct bt_block *b);

/*
 * A block arrived.  Returns 1 if it completes its piece (all blocks received: the
 * caller now verifies the hash), 0 if not, -1 if the block was not expected (not
 * in progress, or already received: a duplicate from endgame or an unrequested
 * block).
 */
int bt_picker_block_received(struct bt_picker *p, const struct bt_block *b);
/* A request will not be answered (choke, disconnect, reject): make it missing
 * again unless another peer still has it outstanding. */
void bt_picker_block_released(struct bt_picker *p, const struct bt_block *b);
/* The piece verified: mark it had and forget its blocks. */
void bt_picker_piece_done(struct bt_picker *p, size_t idx);
/* The piece failed its hash: every block is missing again. */
void bt_picker_piece_failed(struct bt_picker *p, size_t idx);

#endif /* BT_PICKER_H */
