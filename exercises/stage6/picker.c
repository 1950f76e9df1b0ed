/*
 * picker.c - exercise for stage 6: which block to ask which peer for next
 * (BEP 3's "piece selection": rarest first, then endgame).
 *
 * You write the functions lib/pieces/picker.h declares; the header is the contract and
 * states the policy (read it first, with tutorials/06-download.md).
 * lib/session/download.c, which you do not write, runs the download: it asks your
 * bt_picker_next() for a block whenever a peer has room for another request,
 * tells you what arrived, failed or was abandoned, and verifies and writes the
 * pieces.  The picker itself never touches a socket or a file.
 *
 *   piece         0            1            2 (last, 20000 bytes)
 *   blocks        [0][1]..[15] [0][1]..[15] [0 16384][1 3616]
 *   availability  2            1            2     <- peers that have each piece
 *   state         HAVE         ACTIVE       MISSING
 *   active[]                   blocks: R R M M ...  (M missing, R requested,
 *                                                    D received)
 *
 * A block is 16 KiB (BT_BLOCK_SIZE) at offset k * 16 KiB of its piece; the
 * last block of the last piece may be shorter.  Only pieces in progress
 * ("active") have per-block state, so a torrent of 100000 pieces costs a few
 * bytes per piece.
 *
 * Build the tools with your file: make exercise STAGE=6
 * Grade them:                       make grade STAGE=6
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "pieces/picker.h"

#include <stdlib.h>
#include <string.h>

/* Zero everything.  Allocates nothing, cannot fail. */
void bt_picker_init(struct bt_picker *p)
{
    (void)p;
}

/* Free each active piece's two arrays, the active array, availability, state and
 * the list of pieces asked for first;
 * then init again, so that release twice, or setup after release, is safe. */
void bt_picker_release(struct bt_picker *p)
{
    (void)p;
}

/*
 * Size the picker for a torrent and forget everything before (release first).
 * Refuse with BT_ERR_INVALID: no pieces, more than UINT32_MAX (a piece index
 * travels in 4 bytes), a piece length or total length <= 0, and a piece count
 * that does not fit the lengths (every piece but the last full, the last not
 * empty: piece_count == ceil(total / piece_length)).  Allocate availability and
 * state zeroed (BT_ERR_NOMEM, leaving the picker released).  Remember sequential,
 * and seed your random generator with seed (0 is a poor seed for xorshift:
 * replace it with a fixed non-zero constant).
 */
enum bt_err bt_picker_setup(struct bt_picker *p, size_t piece_count, int64_t piece_length,
                            int64_t total_length, int sequential, uint64_t seed)
{
    (void)p;
    (void)piece_count;
    (void)piece_length;
    (void)total_length;
    (void)sequential;
    (void)seed;
    return BT_ERR_INVALID;
}

/* piece_length for every piece but the last, which holds the rest of
 * total_length.  Common mistake: forgetting that the last piece is shorter. */
int64_t bt_picker_piece_size(const struct bt_picker *p, size_t idx)
{
    (void)p;
    (void)idx;
    return 0;
}

/* Blocks in piece idx: its size divided by BT_BLOCK_SIZE, rounded up. */
uint32_t bt_picker_block_count(const struct bt_picker *p, size_t idx)
{
    (void)p;
    (void)idx;
    return 0;
}

/*
 * A peer announced piece idx (a have message): one more peer has it.  Ignore an
 * idx past the end, and saturate at UINT16_MAX instead of wrapping to 0.
 */
void bt_picker_peer_has(struct bt_picker *p, size_t idx)
{
    (void)p;
    (void)idx;
}

/*
 * A peer's whole bitfield arrived (add 1) or the peer left (add 0): count each
 * of its pieces in, or out, of availability (never below 0, never above
 * UINT16_MAX).  bits NULL means a peer that has everything (BEP 6's have all,
 * or a seeder).  Piece i is bit 0x80 >> (i % 8) of byte i / 8.
 */
void bt_picker_peer_bitfield(struct bt_picker *p, const unsigned char *bits, int add)
{
    (void)p;
    (void)bits;
    (void)add;
}

/* We have piece idx, verified (resume found it on disk, or piece_done): its
 * state becomes BT_PIECE_HAVE.  Count each piece once in have_count; ignore an
 * idx past the end. */
void bt_picker_set_have(struct bt_picker *p, size_t idx)
{
    (void)p;
    (void)idx;
}

int bt_picker_have(const struct bt_picker *p, size_t idx)
{
    (void)p;
    (void)idx;
    return 0;
}

/* bt-download --select: piece idx is not wanted.  Only a MISSING piece
 * becomes BT_PIECE_SKIP, counted once in skip_count; ignore any other, and an
 * idx past the end.  bt_picker_next() never chooses a skipped piece. */
void bt_picker_skip(struct bt_picker *p, size_t idx)
{
    (void)p;
    (void)idx;
}

/* Is piece idx still to be had: in range, neither HAVE nor SKIP?  download.c
 * asks it to decide whether a peer has anything we want (interest). */
int bt_picker_wanted(const struct bt_picker *p, size_t idx)
{
    (void)p;
    (void)idx;
    return 0;
}

/* bt-download --first-last: append idx to the pieces bt_picker_next() starts
 * before any other (p->first, p->first_at, p->first_count: see picker.h).
 * BT_ERR_INVALID for an idx past the end, BT_ERR_NOMEM. */
enum bt_err bt_picker_first(struct bt_picker *p, size_t idx)
{
    (void)p;
    (void)idx;
    return BT_ERR_INVALID;
}

/* Every piece had or skipped (and there is at least one).  A skipped piece
 * set had after all (found on disk) is no longer skipped: set_have takes it
 * out of skip_count. */
int bt_picker_complete(const struct bt_picker *p)
{
    (void)p;
    return 0;
}

/*
 * The heart of the stage: the next block to ask this peer for.  Skip pieces we
 * have and pieces the peer lacks (bits NULL: it has all).  In order:
 *
 * 1. Finish what is started: the first MISSING block of an active piece the
 *    peer has.  (Pieces complete sooner, so they are verified, written and
 *    offered to others sooner.)
 * 2. Start a new piece (state MISSING, the peer has it): first one of the
 *    pieces bt_picker_first() asked for, in that order (drop those no longer
 *    MISSING from the front of the list); else with sequential set, the
 *    lowest index; otherwise the one with the lowest availability,
 *    ties broken at random so that peers starting together do not all fetch
 *    the same piece.  Choosing uniformly among n tied pieces in one pass:
 *    keep the k-th tie with probability 1/k (reservoir sampling) with your own
 *    small generator (xorshift64 on p->rng: x ^= x << 13; x ^= x >> 7;
 *    x ^= x << 17).  Make it active: a struct bt_picker_piece with block_count
 *    zeroed block states and request counts (grow p->active by doubling), set
 *    its state to BT_PIECE_ACTIVE (so this scan skips it without searching
 *    p->active: the scan runs once per new piece, over every piece), and
 *    hand out its block 0.
 * 3. Endgame: every missing block is requested already.  Hand out a REQUESTED
 *    block of a piece the peer has, the one requested by the fewest peers so
 *    far (req_count), skipping the blocks already(arg, &block) says this peer
 *    was asked for (already may be NULL).  download.c cancels the duplicates
 *    when the first copy arrives.
 *
 * Handing out a block: MISSING becomes REQUESTED (requested++), its req_count
 * goes up by one (saturating at 255), and *out gets piece, offset (block *
 * BT_BLOCK_SIZE) and length (BT_BLOCK_SIZE, or less for the last block of the
 * last piece).  Return 1; return 0 when this peer has nothing we need (or
 * memory ran out: that is not worth a failure here).
 */
int bt_picker_next(struct bt_picker *p, const unsigned char *bits,
                   int (*already)(void *arg, const struct bt_block *b), void *arg,
                   struct bt_block *out)
{
    (void)p;
    (void)bits;
    (void)already;
    (void)arg;
    (void)out;
    return 0;
}

/*
 * Steps 1 and 2 of bt_picker_next() alone: a block nobody was asked for
 * (return 1, *out filled), or 0 when every missing block of the peer's pieces
 * is requested already.  download.c asks this for a peer that still has
 * requests in flight, and bt_picker_next() (with endgame) only for an idle
 * one: filling a deep pipeline with endgame's duplicates would ask every
 * block of many peers again and again.  bt_picker_next() can call this first.
 */
int bt_picker_next_unrequested(struct bt_picker *p, const unsigned char *bits,
                               struct bt_block *out)
{
    (void)p;
    (void)bits;
    (void)out;
    return 0;
}

/* How many peers were asked for block b and have not answered: its req_count
 * while it is REQUESTED, else 0 (not a block of an active piece, missing or
 * received).  download.c cancels a block's duplicates only when more than one
 * peer was asked. */
unsigned bt_picker_block_asked(const struct bt_picker *p, const struct bt_block *b)
{
    (void)p;
    (void)b;
    return 0;
}

/*
 * A block arrived.  It counts only if it is exactly a block of an active piece:
 * offset a multiple of BT_BLOCK_SIZE, inside the piece, and the length the
 * block has.  Anything else, or a block already RECEIVED (endgame's duplicate),
 * returns -1: download.c drops it.  Otherwise mark it RECEIVED (if it was
 * REQUESTED, one fewer requested), clear its req_count, count it in received,
 * and return 1 when it was the piece's last block (download.c then checks the
 * piece's SHA-1), else 0.  A lookup helper that turns a struct bt_block into
 * its active piece and block number serves this function and the next.
 */
int bt_picker_block_received(struct bt_picker *p, const struct bt_block *b)
{
    (void)p;
    (void)b;
    return -1;
}

/*
 * A request will not be answered (the peer choked us, rejected it or left).
 * Only a REQUESTED block changes: one fewer peer asked for it (req_count - 1),
 * and when none is left it is MISSING again (requested - 1), free for the next
 * bt_picker_next().  Common mistake: forgetting this, and the download stalls
 * at 99% on blocks nobody will ever send.
 */
void bt_picker_block_released(struct bt_picker *p, const struct bt_block *b)
{
    (void)p;
    (void)b;
}

/*
 * The piece passed its hash check and is written: free its active entry (move
 * the last active entry into its slot) and set_have it.  A piece that was not
 * active (resume) is just set_have.
 */
void bt_picker_piece_done(struct bt_picker *p, size_t idx)
{
    (void)p;
    (void)idx;
}

/*
 * The piece failed its hash check: some peer sent wrong bytes.  Keep it active
 * but make every block MISSING again, with zero request counts, received and
 * requested, so that it is fetched anew (download.c bans the peer).
 */
void bt_picker_piece_failed(struct bt_picker *p, size_t idx)
{
    (void)p;
    (void)idx;
}
