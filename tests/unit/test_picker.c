/*
 * test_picker.c - piece selection: block sizes at the torrent's end, rarest
 * first, sequential mode, finishing started pieces, released and duplicate
 * blocks, hash failure, endgame with the caller's exclusion or without it,
 * and how many peers a block was asked of.
 */
#include <string.h>

#include "pieces/picker.h"
#include "tap.h"

static int asked_for_block_zero_of_3(void *arg, const struct bt_block *b)
{
    return b->piece == 3 && b->offset == 0;
}

int main(void)
{
    struct bt_picker p;
    struct bt_block b, first;
    unsigned char bits[1];
    int i, n;

    bt_picker_init(&p);
    ok(bt_picker_setup(&p, 0, 1, 1, 0, 1) == BT_ERR_INVALID, "no pieces is refused");
    ok(bt_picker_setup(&p, 3, 32768, 100000, 0, 1) == BT_ERR_INVALID,
       "a piece count that does not match the length is refused");

    /* 4 pieces of 32 KiB; the last holds 1000 bytes. */
    ok(bt_picker_setup(&p, 4, 32768, 3 * 32768 + 1000, 0, 1) == BT_OK, "setup");
    ok(bt_picker_piece_size(&p, 3) == 1000 && bt_picker_block_count(&p, 3) == 1,
       "the last piece is shorter, with one short block");
    ok(bt_picker_block_count(&p, 0) == 2, "a full piece has two blocks");

    /* Availability: pieces 0,1,2 common; piece 3 held by one peer only. */
    bits[0] = 0xe0; /* 1110: pieces 0-2 */
    bt_picker_peer_bitfield(&p, bits, 1);
    bt_picker_peer_bitfield(&p, bits, 1);
    bt_picker_peer_bitfield(&p, NULL, 1);
    ok(p.availability[0] == 3 && p.availability[3] == 1, "availability counts peers");

    ok(bt_picker_next(&p, NULL, NULL, NULL, &b) == 1 && b.piece == 3 && b.offset == 0 &&
           b.length == 1000,
       "the rarest piece comes first, with its exact length");
    ok(bt_picker_next(&p, NULL, NULL, NULL, &first) == 1 && first.piece != 3 && first.offset == 0,
       "then a new piece");
    ok(bt_picker_next(&p, NULL, NULL, NULL, &b) == 1 && b.piece == first.piece &&
           b.offset == BT_BLOCK_SIZE,
       "a started piece is finished before another begins");
    bt_picker_block_released(&p, &b);
    ok(bt_picker_next(&p, NULL, NULL, NULL, &b) == 1 && b.piece == first.piece &&
           b.offset == BT_BLOCK_SIZE,
       "a released block is asked for again");
    ok(bt_picker_block_asked(&p, &b) == 1, "a block asked of one peer says so");

    ok(bt_picker_block_received(&p, &first) == 0, "first block received, piece incomplete");
    ok(bt_picker_block_received(&p, &first) == -1, "a duplicate block is flagged");
    ok(bt_picker_block_received(&p, &b) == 1, "second block completes the piece");
    bt_picker_piece_failed(&p, first.piece);
    ok(bt_picker_next(&p, NULL, NULL, NULL, &b) == 1 && b.piece == first.piece && b.offset == 0,
       "a piece that failed its hash is fetched again");
    b.length = 5;
    ok(bt_picker_block_received(&p, &b) == -1, "a block of the wrong length is flagged");

    bt_picker_piece_done(&p, first.piece);
    ok(bt_picker_have(&p, first.piece) && p.have_count == 1, "a verified piece is had");

    /* A peer with only piece 3, which is fully requested: endgame duplicates it,
     * unless the caller says this peer was already asked. */
    bits[0] = 0x10;
    ok(bt_picker_next_unrequested(&p, bits, &b) == 0,
       "without endgame, a block another peer was asked for is not asked again");
    ok(bt_picker_next(&p, bits, asked_for_block_zero_of_3, NULL, &b) == 0,
       "endgame skips blocks this peer already has outstanding");
    ok(bt_picker_next(&p, bits, NULL, NULL, &b) == 1 && b.piece == 3,
       "endgame asks a second peer for an outstanding block");
    ok(bt_picker_block_asked(&p, &b) == 2, "the block is asked of two peers");
    b.length = 1000;
    ok(bt_picker_block_received(&p, &b) == 1, "the endgame block completes piece 3");
    ok(bt_picker_block_asked(&p, &b) == 0, "a received block is asked of nobody");
    bt_picker_piece_done(&p, 3);

    for (n = 0, i = 0; i < 8 && bt_picker_next(&p, NULL, NULL, NULL, &b); i++) {
        if (bt_picker_block_received(&p, &b) == 1) {
            bt_picker_piece_done(&p, b.piece);
            n++;
        }
    }
    ok(bt_picker_complete(&p) && n == 2, "the rest completes and the picker says so");
    ok(bt_picker_next(&p, NULL, NULL, NULL, &b) == 0, "nothing is left to ask for");

    ok(bt_picker_setup(&p, 4, 32768, 3 * 32768 + 1000, 1, 7) == BT_OK, "sequential setup");
    bt_picker_peer_bitfield(&p, NULL, 1);
    for (n = 1, i = 0; i < 4; i++) {
        struct bt_block b2;

        bt_picker_next(&p, NULL, NULL, NULL, &b);
        if (b.piece != (uint32_t)i)
            n = 0;
        if (bt_picker_block_count(&p, i) == 2) {
            bt_picker_next(&p, NULL, NULL, NULL, &b2);
            bt_picker_block_received(&p, &b2);
        }
        bt_picker_block_received(&p, &b);
        bt_picker_piece_done(&p, i);
    }
    ok(n == 1, "sequential mode goes in index order");

    /* 8 pieces of 16 KiB (one block each); 0-2 and 6 skipped, 7 and 4 first. */
    ok(bt_picker_setup(&p, 8, 16384, 8 * 16384, 0, 3) == BT_OK, "setup for skip and first");
    bt_picker_peer_bitfield(&p, NULL, 1);
    for (i = 0; i < 3; i++)
        bt_picker_skip(&p, i);
    bt_picker_skip(&p, 6);
    ok(!bt_picker_wanted(&p, 0) && bt_picker_wanted(&p, 3), "skipped pieces are not wanted");
    ok(bt_picker_first(&p, 7) == BT_OK && bt_picker_first(&p, 4) == BT_OK &&
           bt_picker_first(&p, 8) == BT_ERR_INVALID,
       "pieces asked for first; an index out of range is refused");
    bits[0] = 0x7f; /* 01111111: all but piece 0 */
    ok(bt_picker_next(&p, bits, NULL, NULL, &b) == 1 && b.piece == 7,
       "the first asked comes first");
    ok(bt_picker_next(&p, bits, NULL, NULL, &first) == 1 && first.piece == 4, "then the second");
    bits[0] = 0xfb; /* 11111011: not piece 5 */
    ok(bt_picker_next(&p, bits, NULL, NULL, &first) == 1 && first.piece == 3,
       "then a piece not skipped");
    ok(bt_picker_next(&p, bits, NULL, NULL, &first) == 1 &&
           (first.piece == 3 || first.piece == 4 || first.piece == 7),
       "never a skipped one (endgame on what is in flight)");
    for (i = 3; i < 8; i++)
        if (i != 6)
            bt_picker_piece_done(&p, i);
    ok(bt_picker_complete(&p) && p.have_count == 4, "complete without the skipped pieces");
    bt_picker_set_have(&p, 0);
    ok(bt_picker_complete(&p) && p.skip_count == 3 && p.have_count == 5,
       "a skipped piece found on disk is had and no longer skipped");

    bt_picker_release(&p);
    return tap_done();
}
