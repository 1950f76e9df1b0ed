/*
 * picker.c - rarest-first piece selection with endgame.  See picker.h for the
 * policy; this file is the bookkeeping behind it.
 */
#include "pieces/picker.h"

#include <stdlib.h>
#include <string.h>

void bt_picker_init(struct bt_picker *p)
{
    memset(p, 0, sizeof(*p));
}

static void free_piece(struct bt_picker_piece *pp)
{
    free(pp->blocks);
    free(pp->req_count);
}

void bt_picker_release(struct bt_picker *p)
{
    size_t i;

    for (i = 0; i < p->active_count; i++)
        free_piece(&p->active[i]);
    free(p->active);
    free(p->availability);
    free(p->state);
    free(p->first);
    bt_picker_init(p);
}

enum bt_err bt_picker_setup(struct bt_picker *p, size_t piece_count, int64_t piece_length,
                            int64_t total_length, int sequential, uint64_t seed)
{
    if (piece_count == 0 || piece_count > UINT32_MAX || piece_length <= 0 || total_length <= 0)
        return BT_ERR_INVALID;
    /* Every piece but the last is full, and the last is not empty. */
    if ((int64_t)(piece_count - 1) > (total_length - 1) / piece_length ||
        (int64_t)piece_count < (total_length + piece_length - 1) / piece_length)
        return BT_ERR_INVALID;
    bt_picker_release(p);
    p->availability = calloc(piece_count, sizeof(*p->availability));
    p->state = calloc(piece_count, 1);
    if (p->availability == NULL || p->state == NULL) {
        bt_picker_release(p);
        return BT_ERR_NOMEM;
    }
    p->piece_count = piece_count;
    p->piece_length = piece_length;
    p->total_length = total_length;
    p->sequential = sequential;
    p->rng = seed != 0 ? seed : 0x9e3779b97f4a7c15u;
    return BT_OK;
}

int64_t bt_picker_piece_size(const struct bt_picker *p, size_t idx)
{
    if (idx + 1 < p->piece_count)
        return p->piece_length;
    return p->total_length - (int64_t)idx * p->piece_length;
}

uint32_t bt_picker_block_count(const struct bt_picker *p, size_t idx)
{
    return (uint32_t)((bt_picker_piece_size(p, idx) + BT_BLOCK_SIZE - 1) / BT_BLOCK_SIZE);
}

/* Does a BEP 3 bitfield (NULL: a seed) have piece idx? */
static int bits_have(const unsigned char *bits, size_t idx)
{
    return bits == NULL || (bits[idx / 8] & (0x80u >> (idx % 8))) != 0;
}

void bt_picker_peer_has(struct bt_picker *p, size_t idx)
{
    if (idx < p->piece_count && p->availability[idx] < UINT16_MAX)
        p->availability[idx]++;
}

void bt_picker_peer_bitfield(struct bt_picker *p, const unsigned char *bits, int add)
{
    size_t i;

    for (i = 0; i < p->piece_count; i++) {
        if (!bits_have(bits, i))
            continue;
        if (add && p->availability[i] < UINT16_MAX)
            p->availability[i]++;
        else if (!add && p->availability[i] > 0 && --p->availability[i] < p->min_avail)
            p->min_avail = p->availability[i];
    }
}

void bt_picker_skip(struct bt_picker *p, size_t idx)
{
    if (idx < p->piece_count && p->state[idx] == BT_PIECE_MISSING) {
        p->state[idx] = BT_PIECE_SKIP;
        p->skip_count++;
    }
}

int bt_picker_wanted(const struct bt_picker *p, size_t idx)
{
    return idx < p->piece_count && p->state[idx] != BT_PIECE_HAVE && p->state[idx] != BT_PIECE_SKIP;
}

enum bt_err bt_picker_first(struct bt_picker *p, size_t idx)
{
    uint32_t *a;

    if (idx >= p->piece_count)
        return BT_ERR_INVALID;
    a = realloc(p->first, (p->first_at + p->first_count + 1) * sizeof(*a));
    if (a == NULL)
        return BT_ERR_NOMEM;
    p->first = a;
    p->first[p->first_at + p->first_count++] = (uint32_t)idx;
    return BT_OK;
}

void bt_picker_set_have(struct bt_picker *p, size_t idx)
{
    if (idx < p->piece_count && p->state[idx] != BT_PIECE_HAVE) {
        if (p->state[idx] == BT_PIECE_SKIP)
            p->skip_count--;
        p->state[idx] = BT_PIECE_HAVE;
        p->have_count++;
    }
}

int bt_picker_have(const struct bt_picker *p, size_t idx)
{
    return idx < p->piece_count && p->state[idx] == BT_PIECE_HAVE;
}

int bt_picker_complete(const struct bt_picker *p)
{
    return p->piece_count > 0 && p->have_count + p->skip_count == p->piece_count;
}

static struct bt_picker_piece *find_active(const struct bt_picker *p, size_t idx)
{
    size_t i;

    for (i = 0; i < p->active_count; i++)
        if (p->active[i].index == idx)
            return &p->active[i];
    return NULL;
}

static struct bt_picker_piece *start_piece(struct bt_picker *p, size_t idx)
{
    struct bt_picker_piece *pp;

    if (p->active_count == p->active_cap) {
        size_t newcap = p->active_cap == 0 ? 8 : p->active_cap * 2;
        struct bt_picker_piece *a = realloc(p->active, newcap * sizeof(*a));

        if (a == NULL)
            return NULL;
        p->active = a;
        p->active_cap = newcap;
    }
    pp = &p->active[p->active_count];
    memset(pp, 0, sizeof(*pp));
    pp->index = (uint32_t)idx;
    pp->block_count = bt_picker_block_count(p, idx);
    pp->blocks = calloc(pp->block_count, 1);
    pp->req_count = calloc(pp->block_count, 1);
    if (pp->blocks == NULL || pp->req_count == NULL) {
        free_piece(pp);
        return NULL;
    }
    p->active_count++;
    p->state[idx] = BT_PIECE_ACTIVE;
    return pp;
}

static void fill_block(const struct bt_picker *p, const struct bt_picker_piece *pp, uint32_t blk,
                       struct bt_block *out)
{
    int64_t size = bt_picker_piece_size(p, pp->index);
    int64_t offset = (int64_t)blk * BT_BLOCK_SIZE;

    out->piece = pp->index;
    out->offset = (uint32_t)offset;
    out->length = (uint32_t)(size - offset < BT_BLOCK_SIZE ? size - offset : BT_BLOCK_SIZE);
}

static void take_block(struct bt_picker_piece *pp, uint32_t blk)
{
    if (pp->blocks[blk] == BT_BLOCK_MISSING) {
        pp->blocks[blk] = BT_BLOCK_REQUESTED;
        pp->requested++;
    }
    if (pp->req_count[blk] < UINT8_MAX)
        pp->req_count[blk]++;
}

static uint64_t next_random(struct bt_picker *p)
{
    p->rng ^= p->rng << 13;
    p->rng ^= p->rng >> 7;
    p->rng ^= p->rng << 17;
    return p->rng;
}

/*
 * The first piece asked for first (bt_picker_first) that is still missing and
 * the peer has, or SIZE_MAX.  Those started from the front of the list are
 * dropped from it, so the list is read once, not at every choice.
 */
static size_t choose_first(struct bt_picker *p, const unsigned char *bits)
{
    size_t k;

    while (p->first_count > 0 && p->state[p->first[p->first_at]] != BT_PIECE_MISSING) {
        p->first_at++;
        p->first_count--;
    }
    for (k = p->first_at; k < p->first_at + p->first_count; k++)
        if (p->state[p->first[k]] == BT_PIECE_MISSING && bits_have(bits, p->first[k]))
            return p->first[k];
    return SIZE_MAX;
}

/*
 * The missing piece the peer (bits) has that the fewest peers have, ties
 * broken at random; in sequential mode, the first.  Rarest first keeps every
 * piece in the swarm; at random among equals, so that peers that start
 * together do not all fetch the same piece.
 *
 * The scan starts at a random missing position and stops at the first piece
 * as rare as a missing piece can be: min_avail, and at least 1 for a piece
 * the peer announced (it counts itself).  Nothing rarer exists then.  Only
 * when no such piece is found is every piece read, and that scan raises
 * min_avail to the least it saw.  So a swarm of seeders costs a few steps
 * a piece, not a read of the whole torrent.
 */
static size_t choose_new_piece(struct bt_picker *p, const unsigned char *bits)
{
    size_t first, span, start, k, best = SIZE_MAX;
    uint16_t least = UINT16_MAX, floor;

    while (p->first_missing < p->piece_count && p->state[p->first_missing] != BT_PIECE_MISSING)
        p->first_missing++;
    first = p->first_missing;
    span = p->piece_count - first; /* every missing piece is in [first, piece_count) */
    if (span == 0)
        return SIZE_MAX;
    if (p->sequential) {
        for (k = first; k < p->piece_count; k++)
            if (p->state[k] == BT_PIECE_MISSING && bits_have(bits, k))
                return k;
        return SIZE_MAX;
    }
    floor = bits != NULL && p->min_avail < 1 ? 1 : p->min_avail;
    start = (size_t)(next_random(p) % span);
    for (k = 0; k < span; k++) {
        size_t i = first + (start + k) % span;

        if (p->state[i] != BT_PIECE_MISSING)
            continue;
        if (p->availability[i] < least)
            least = p->availability[i];
        if (!bits_have(bits, i))
            continue;
        if (p->availability[i] <= floor)
            return i;
        if (best == SIZE_MAX || p->availability[i] < p->availability[best])
            best = i;
    }
    p->min_avail = least; /* every missing piece was read */
    return best;
}

int bt_picker_next_unrequested(struct bt_picker *p, const unsigned char *bits, struct bt_block *out)
{
    struct bt_picker_piece *pp;
    size_t i, idx;
    uint32_t blk;

    /* 1. Finish what is started. */
    for (i = 0; i < p->active_count; i++) {
        pp = &p->active[i];
        if (!bits_have(bits, pp->index) || pp->received + pp->requested == pp->block_count)
            continue;
        for (blk = 0; blk < pp->block_count; blk++) {
            if (pp->blocks[blk] == BT_BLOCK_MISSING) {
                take_block(pp, blk);
                fill_block(p, pp, blk, out);
                return 1;
            }
        }
    }

    /* 2. Start a new piece: one asked for first, else the rarest. */
    idx = choose_first(p, bits);
    if (idx == SIZE_MAX)
        idx = choose_new_piece(p, bits);
    if (idx != SIZE_MAX) {
        pp = start_piece(p, idx);
        if (pp == NULL)
            return 0;
        take_block(pp, 0);
        fill_block(p, pp, 0, out);
        return 1;
    }
    return 0;
}

int bt_picker_next(struct bt_picker *p, const unsigned char *bits,
                   int (*already)(void *arg, const struct bt_block *b), void *arg,
                   struct bt_block *out)
{
    struct bt_picker_piece *pp, *endgame_piece = NULL;
    uint32_t endgame_blk = 0;
    size_t i;
    uint32_t blk;

    if (bt_picker_next_unrequested(p, bits, out))
        return 1;

    /* 3. Endgame: everything missing is requested; ask for the least-asked block. */
    for (i = 0; i < p->active_count; i++) {
        pp = &p->active[i];
        if (!bits_have(bits, pp->index))
            continue;
        for (blk = 0; blk < pp->block_count; blk++) {
            struct bt_block b;

            if (pp->blocks[blk] != BT_BLOCK_REQUESTED)
                continue;
            if (endgame_piece != NULL &&
                pp->req_count[blk] >= endgame_piece->req_count[endgame_blk])
                continue;
            fill_block(p, pp, blk, &b);
            if (already != NULL && already(arg, &b))
                continue;
            endgame_piece = pp;
            endgame_blk = blk;
        }
    }
    if (endgame_piece == NULL)
        return 0;
    take_block(endgame_piece, endgame_blk);
    fill_block(p, endgame_piece, endgame_blk, out);
    return 1;
}

/* The block index of b in its active piece, or -1 if b is not a block we track. */
static int64_t block_index(const struct bt_picker *p, const struct bt_block *b,
                           struct bt_picker_piece **ppp)
{
    struct bt_picker_piece *pp = find_active(p, b->piece);
    struct bt_block want;
    uint32_t blk;

    if (pp == NULL || b->offset % BT_BLOCK_SIZE != 0)
        return -1;
    blk = b->offset / BT_BLOCK_SIZE;
    if (blk >= pp->block_count)
        return -1;
    fill_block(p, pp, blk, &want);
    if (want.length != b->length)
        return -1;
    *ppp = pp;
    return blk;
}

unsigned bt_picker_block_asked(const struct bt_picker *p, const struct bt_block *b)
{
    struct bt_picker_piece *pp;
    int64_t blk = block_index(p, b, &pp);

    if (blk < 0 || pp->blocks[blk] != BT_BLOCK_REQUESTED)
        return 0;
    return pp->req_count[blk];
}

int bt_picker_block_received(struct bt_picker *p, const struct bt_block *b)
{
    struct bt_picker_piece *pp;
    int64_t blk = block_index(p, b, &pp);

    if (blk < 0 || pp->blocks[blk] == BT_BLOCK_RECEIVED)
        return -1;
    if (pp->blocks[blk] == BT_BLOCK_REQUESTED)
        pp->requested--;
    pp->blocks[blk] = BT_BLOCK_RECEIVED;
    pp->req_count[blk] = 0;
    pp->received++;
    return pp->received == pp->block_count ? 1 : 0;
}

void bt_picker_block_released(struct bt_picker *p, const struct bt_block *b)
{
    struct bt_picker_piece *pp;
    int64_t blk = block_index(p, b, &pp);

    if (blk < 0 || pp->blocks[blk] != BT_BLOCK_REQUESTED)
        return;
    if (pp->req_count[blk] > 0)
        pp->req_count[blk]--;
    if (pp->req_count[blk] == 0) {
        pp->blocks[blk] = BT_BLOCK_MISSING;
        pp->requested--;
    }
}

void bt_picker_piece_done(struct bt_picker *p, size_t idx)
{
    struct bt_picker_piece *pp = find_active(p, idx);

    if (pp != NULL) {
        free_piece(pp);
        *pp = p->active[--p->active_count];
    }
    bt_picker_set_have(p, idx);
}

void bt_picker_piece_failed(struct bt_picker *p, size_t idx)
{
    struct bt_picker_piece *pp = find_active(p, idx);

    if (pp == NULL)
        return;
    memset(pp->blocks, BT_BLOCK_MISSING, pp->block_count);
    memset(pp->req_count, 0, pp->block_count);
    pp->received = 0;
    pp->requested = 0;
}
