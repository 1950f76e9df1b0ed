/*
 * test_hashes.c - BEP 52's hash request, hashes and hash reject: round trips,
 * every size and field error, and proofs built from a piece layer that must
 * reach the pieces root, and fail when one bit is flipped.
 *
 * The file: 13 pieces of 32 KiB (2 blocks, so the piece layer is layer 1), the
 * last 1000 bytes short: 26 blocks, a tree of 32 leaves (5 layers), a piece
 * layer 16 wide whose last 3 entries are padding.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "core/sha256.h"
#include "metainfo/merkle.h"
#include "metainfo/metainfo.h"
#include "tap.h"
#include "wire/hashes.h"
#include "wire/message.h"

#define PIECES      13
#define PIECE_LEN   32768
#define PIECE_LAYER 1
#define FILE_LEN    ((int64_t)PIECES * PIECE_LEN - 1000)
#define MAX_HASHES  64

static unsigned char layer[PIECES * BT_MERKLE_HASH_LEN];
static unsigned char root[BT_MERKLE_HASH_LEN];

static void make_file(void)
{
    unsigned char pad[BT_MERKLE_HASH_LEN];
    struct bt_merkle m;
    size_t i;

    for (i = 0; i < PIECES; i++) {
        unsigned char seed = (unsigned char)i;

        bt_sha256(&seed, 1, layer + i * BT_MERKLE_HASH_LEN);
    }
    bt_merkle_pad(NULL, PIECE_LAYER, pad);
    bt_merkle_init(&m, pad);
    for (i = 0; i < PIECES; i++)
        bt_merkle_add(&m, layer + i * BT_MERKLE_HASH_LEN);
    bt_merkle_root(&m, 16, root);
}

static struct bt_hash_request req(uint32_t base, uint32_t index, uint32_t length, uint32_t proof)
{
    struct bt_hash_request r;

    memcpy(r.root, root, sizeof(root));
    r.base = base;
    r.index = index;
    r.length = length;
    r.proof_layers = proof;
    return r;
}

/* Answer r from the layer, frame it, parse it back and verify it: BT_OK or the error. */
static enum bt_err prove(struct bt_hash_request r, size_t flip_bit)
{
    unsigned char hashes[MAX_HASHES * BT_MERKLE_HASH_LEN];
    size_t n = (size_t)r.length + bt_hashes_uncles(&r);
    struct bt_buf b;
    struct bt_message m;
    struct bt_hashes h;
    enum bt_err err;

    if (n > MAX_HASHES)
        return BT_ERR_INVALID;
    err = bt_hashes_from_layer(&r, 5, PIECE_LAYER, layer, PIECES, NULL, NULL, hashes);
    if (err != BT_OK)
        return err;
    if (flip_bit != (size_t)-1)
        hashes[flip_bit / 8] ^= (unsigned char)(1u << (flip_bit % 8));
    bt_buf_init(&b, 1 << 20);
    err = bt_hashes_put(&b, &r, hashes, n);
    if (err == BT_OK)
        err = bt_message_parse(&m, b.data, b.len, 0, NULL);
    if (err == BT_OK && m.id != BT_MSG_HASHES)
        err = BT_ERR_INVALID;
    if (err == BT_OK)
        err = bt_hashes_parse(&h, m.payload, m.payload_len);
    if (err == BT_OK)
        err = bt_hashes_verify(&h, 5);
    bt_buf_release(&b);
    return err;
}

static void test_round_trip(void)
{
    struct bt_hash_request r = req(1, 8, 8, 3), back;
    struct bt_buf b;
    struct bt_message m;

    bt_buf_init(&b, 1024);
    ok(bt_hash_request_put(&b, BT_MSG_HASH_REQUEST, &r) == BT_OK && b.len == 53,
       "a hash request is 53 bytes with its prefix");
    ok(bt_get_be32(b.data) == 49 && b.data[4] == 21, "length 49, id 21");
    ok(bt_message_parse(&m, b.data, b.len, 0, NULL) == BT_OK && m.payload_len == 48,
       "the frame parses as id 21 with 48 bytes after the id");
    ok(bt_hash_request_parse(&back, m.payload, m.payload_len) == BT_OK &&
           memcmp(&back, &r, sizeof(r)) == 0,
       "and parses back to the same request");
    bt_buf_reset(&b);
    ok(bt_hash_request_put(&b, BT_MSG_HASH_REJECT, &r) == BT_OK && b.data[4] == 23,
       "a hash reject carries the request, id 23");
    ok(bt_hash_request_put(&b, BT_MSG_HASHES, &r) == BT_ERR_INVALID,
       "bt_hash_request_put refuses id 22");
    ok(strcmp(bt_message_name(21), "hash request") == 0 &&
           strcmp(bt_message_name(22), "hashes") == 0 &&
           strcmp(bt_message_name(23), "hash reject") == 0,
       "ids 21-23 have names");
    bt_buf_release(&b);
}

static void test_errors(void)
{
    unsigned char p[BT_HASHES_HEAD_LEN + 8 * BT_MERKLE_HASH_LEN];
    struct bt_hash_request r, bad;
    struct bt_hashes h;
    struct bt_buf b;

    memset(p, 0, sizeof(p));
    memcpy(p, root, sizeof(root));
    bt_put_be32(p + 32, 1);
    bt_put_be32(p + 36, 4);
    bt_put_be32(p + 40, 4);
    bt_put_be32(p + 44, 1);
    ok(bt_hash_request_parse(&r, p, BT_HASHES_HEAD_LEN) == BT_OK, "a good request parses");
    ok(bt_hash_request_parse(&r, p, BT_HASHES_HEAD_LEN - 1) == BT_ERR_HASHES,
       "a request one byte short fails");
    ok(bt_hash_request_parse(&r, p, BT_HASHES_HEAD_LEN + 1) == BT_ERR_HASHES,
       "a request one byte long fails");
    bt_put_be32(p + 40, 0);
    ok(bt_hash_request_parse(&r, p, BT_HASHES_HEAD_LEN) == BT_ERR_HASHES, "length 0 fails");
    bt_put_be32(p + 40, 1);
    ok(bt_hash_request_parse(&r, p, BT_HASHES_HEAD_LEN) == BT_ERR_HASHES, "length 1 fails");
    bt_put_be32(p + 40, BT_HASHES_MAX_LENGTH + 1);
    ok(bt_hash_request_parse(&r, p, BT_HASHES_HEAD_LEN) == BT_ERR_HASHES,
       "length over the cap fails");
    bt_put_be32(p + 40, 8);
    ok(bt_hash_request_parse(&r, p, BT_HASHES_HEAD_LEN) == BT_ERR_HASHES,
       "an index that is not a multiple of the length fails");
    bt_put_be32(p + 40, 3);
    ok(bt_hash_request_parse(&r, p, BT_HASHES_HEAD_LEN) == BT_OK,
       "a truncated length of 3 at index 4 parses");
    bt_put_be32(p + 40, 4);
    bt_put_be32(p + 32, BT_HASHES_MAX_LAYERS);
    ok(bt_hash_request_parse(&r, p, BT_HASHES_HEAD_LEN) == BT_ERR_HASHES, "base 64 fails");
    bt_put_be32(p + 32, 1);
    bt_put_be32(p + 44, 0xffffffffu);
    ok(bt_hash_request_parse(&r, p, BT_HASHES_HEAD_LEN) == BT_ERR_HASHES,
       "proof layers 2^32-1 fail");
    bt_put_be32(p + 44, 1);

    /* length 4, proof layers 1: the first log2(4)-1 = 1 layer is omitted, no uncle. */
    ok(bt_hashes_parse(&h, p, BT_HASHES_HEAD_LEN + 4 * BT_MERKLE_HASH_LEN) == BT_OK &&
           h.uncle_count == 0,
       "hashes: length 4, proof layers 1: 4 hashes, no uncle");
    ok(bt_hashes_parse(&h, p, BT_HASHES_HEAD_LEN + 5 * BT_MERKLE_HASH_LEN) == BT_ERR_HASHES,
       "hashes: one hash too many fails");
    ok(bt_hashes_parse(&h, p, BT_HASHES_HEAD_LEN + 3 * BT_MERKLE_HASH_LEN) == BT_ERR_HASHES,
       "hashes: one hash too few fails");
    ok(bt_hashes_parse(&h, p, BT_HASHES_HEAD_LEN + 4 * BT_MERKLE_HASH_LEN - 1) == BT_ERR_HASHES,
       "hashes: a partial hash fails");
    ok(bt_hashes_parse(&h, p, BT_HASHES_HEAD_LEN - 1) == BT_ERR_HASHES,
       "hashes: a short head fails");
    bt_put_be32(p + 44, 3);
    ok(bt_hashes_parse(&h, p, BT_HASHES_HEAD_LEN + 6 * BT_MERKLE_HASH_LEN) == BT_OK &&
           h.uncle_count == 2,
       "hashes: length 4, proof layers 3: 4 hashes and 2 uncles");

    /* Against the file's tree: 5 layers; the piece layer (1) is 16 wide. */
    r = req(1, 8, 8, 3);
    ok(bt_hash_request_check(&r, 5) == BT_OK, "check: piece layer 8..15 fits");
    bad = req(1, 16, 2, 3);
    ok(bt_hash_request_check(&bad, 5) == BT_ERR_HASHES, "check: past the padded layer fails");
    bad = req(1, 0, 16, 4);
    ok(bt_hash_request_check(&bad, 5) == BT_ERR_HASHES, "check: proof layers past the root fail");
    bad = req(5, 0, 2, 0);
    ok(bt_hash_request_check(&bad, 5) == BT_ERR_HASHES, "check: the root's own layer fails");
    ok(bt_hashes_tree_layers(FILE_LEN) == 5 && bt_hashes_tree_layers(1) == 0 &&
           bt_hashes_tree_layers(0) == 0 && bt_hashes_tree_layers(16385) == 1,
       "tree layers: 26 blocks 5, one block 0, two blocks 1");

    bt_buf_init(&b, 1024);
    ok(bt_hashes_put(&b, &r, layer, 3) == BT_ERR_INVALID && b.len == 0,
       "hashes_put refuses a count the request does not ask for");
    bt_buf_release(&b);
    bt_buf_init(&b, 64);
    ok(bt_hashes_put(&b, &r, layer, 9) == BT_ERR_TOO_LARGE && b.len == 0,
       "hashes_put into a full buffer appends nothing");
    bt_buf_release(&b);
}

static void test_proofs(void)
{
    ok(prove(req(1, 0, 16, 3), (size_t)-1) == BT_OK, "the whole piece layer, no uncles, proves");
    ok(prove(req(1, 8, 8, 3), (size_t)-1) == BT_OK,
       "pieces 8..15 (3 of them padding) with 1 uncle");
    ok(prove(req(1, 4, 2, 3), (size_t)-1) == BT_OK, "pieces 4..5 with 3 uncles");
    ok(prove(req(1, 12, 2, 3), (size_t)-1) == BT_OK, "the last piece and a pad with 3 uncles");
    ok(prove(req(1, 12, 3, 3), (size_t)-1) == BT_OK, "a truncated length 3 is padded and proves");
    ok(prove(req(2, 0, 8, 2), (size_t)-1) == BT_OK, "a layer above the piece layer proves");
    ok(prove(req(3, 2, 2, 1), (size_t)-1) == BT_OK, "two nodes under the root prove");
    ok(prove(req(1, 8, 8, 3), 0) == BT_ERR_HASHES_PROOF, "a flipped bit in a base hash fails");
    ok(prove(req(1, 8, 8, 3), 8 * BT_MERKLE_HASH_LEN * 8 + 77) == BT_ERR_HASHES_PROOF,
       "a flipped bit in the uncle fails");
    ok(prove(req(1, 4, 2, 3), 3 * BT_MERKLE_HASH_LEN * 8 + 255) == BT_ERR_HASHES_PROOF,
       "a flipped last bit of the second uncle fails");
    ok(prove(req(1, 8, 8, 2), (size_t)-1) == BT_ERR_HASHES_PROOF,
       "too few proof layers stop short of the root: not proven");
    ok(prove(req(0, 0, 2, 4), (size_t)-1) == BT_ERR_HASHES_REJECTED,
       "the leaf layer cannot be answered from the piece layer");
}

/* A v2 info dict of one file of 70000 bytes, 32 KiB pieces: a layer of 3. */
static void test_set_layers(void)
{
    unsigned char three[3 * BT_MERKLE_HASH_LEN], r3[BT_MERKLE_HASH_LEN], pad[BT_MERKLE_HASH_LEN];
    unsigned char *copy;
    struct bt_merkle m;
    struct bt_torrent t;
    struct bt_buf info;
    int i;

    for (i = 0; i < 3; i++) {
        unsigned char seed = (unsigned char)(100 + i);

        bt_sha256(&seed, 1, three + i * BT_MERKLE_HASH_LEN);
    }
    bt_merkle_pad(NULL, 1, pad);
    bt_merkle_init(&m, pad);
    for (i = 0; i < 3; i++)
        bt_merkle_add(&m, three + i * BT_MERKLE_HASH_LEN);
    bt_merkle_root(&m, 4, r3);
    bt_buf_init(&info, 1024);
    bt_buf_append_str(&info, "d9:file treed5:a.bind0:d6:lengthi70000e11:pieces root32:");
    bt_buf_append(&info, r3, sizeof(r3));
    bt_buf_append_str(&info, "eee12:meta versioni2e4:name5:a.bin12:piece lengthi32768ee");
    bt_torrent_init(&t);
    ok(bt_torrent_parse_info(&t, info.data, info.len, BT_META_LENIENT, NULL) == BT_OK &&
           bt_torrent_hashes_known(&t) == BT_ERR_META_LAYER,
       "a v2 info dict alone parses, its layer unknown");
    copy = malloc(sizeof(three));
    memcpy(copy, three, sizeof(three));
    ok(bt_torrent_set_layers(&t, copy, sizeof(three) - 1) == BT_ERR_META_LAYER,
       "set_layers: a layer one byte short fails");
    copy[40] ^= 1;
    ok(bt_torrent_set_layers(&t, copy, sizeof(three)) == BT_ERR_META_LAYER_ROOT,
       "set_layers: a flipped bit fails against the root");
    copy[40] ^= 1;
    ok(bt_torrent_set_layers(&t, copy, sizeof(three)) == BT_OK &&
           bt_torrent_hashes_known(&t) == BT_OK && t.files[0].layer == copy,
       "set_layers: the right layer is taken, and every hash is known");
    ok(bt_torrent_set_layers(&t, three, sizeof(three)) == BT_ERR_INVALID,
       "set_layers: a torrent with layers refuses more");
    bt_torrent_release(&t);
    bt_buf_release(&info);
}

/*
 * Below the piece layer: a file of 8 blocks in 2 pieces of 4 (the piece layer
 * is layer 2).  The leaves are known here, so the callback computes any node
 * from them, as a seeder does from its data.
 */
static unsigned char small_leaves[8 * BT_MERKLE_HASH_LEN];
static int below_calls;

static enum bt_err small_node(void *arg, unsigned at, uint64_t index,
                              unsigned char out[BT_MERKLE_HASH_LEN])
{
    struct bt_merkle m;
    uint64_t i;

    (void)arg;
    below_calls++;
    if (at >= 2)
        return BT_ERR_INVALID; /* the piece layer and up come from the layer */
    bt_merkle_init(&m, NULL);
    for (i = index << at; i < (index + 1) << at; i++)
        bt_merkle_add(&m, small_leaves + i * BT_MERKLE_HASH_LEN);
    return bt_merkle_root(&m, (uint64_t)1 << at, out);
}

static enum bt_err refuse_node(void *arg, unsigned at, uint64_t index,
                               unsigned char out[BT_MERKLE_HASH_LEN])
{
    (void)arg, (void)at, (void)index, (void)out;
    return BT_ERR_HASHES_REJECTED;
}

static void test_below_layer(void)
{
    unsigned char pieces[2 * BT_MERKLE_HASH_LEN], hashes[8 * BT_MERKLE_HASH_LEN];
    struct bt_hash_request r;
    struct bt_hashes h;
    struct bt_merkle m;
    size_t i;

    for (i = 0; i < 8; i++) {
        unsigned char seed = (unsigned char)(100 + i);

        bt_sha256(&seed, 1, small_leaves + i * BT_MERKLE_HASH_LEN);
    }
    for (i = 0; i < 2; i++) {
        bt_merkle_init(&m, NULL);
        for (size_t j = 0; j < 4; j++)
            bt_merkle_add(&m, small_leaves + (4 * i + j) * BT_MERKLE_HASH_LEN);
        bt_merkle_root(&m, 4, pieces + i * BT_MERKLE_HASH_LEN);
    }
    memset(&r, 0, sizeof(r));
    bt_sha256_pair(pieces, pieces + BT_MERKLE_HASH_LEN, r.root);
    r.base = 0;
    r.index = 2;
    r.length = 2;
    r.proof_layers = 2; /* uncles: node 0 of layer 1 (below), piece 1 (the layer) */
    ok(bt_hashes_from_layer(&r, 3, 2, pieces, 2, NULL, NULL, hashes) == BT_ERR_HASHES_REJECTED,
       "below the piece layer with no source: rejected");
    ok(bt_hashes_from_layer(&r, 3, 2, pieces, 2, refuse_node, NULL, hashes) ==
           BT_ERR_HASHES_REJECTED,
       "a source that cannot (a piece it lacks): rejected");
    below_calls = 0;
    ok(bt_hashes_from_layer(&r, 3, 2, pieces, 2, small_node, NULL, hashes) == BT_OK &&
           below_calls == 3,
       "leaves 2 and 3 and the uncle under the piece layer come from the source");
    ok(memcmp(hashes, small_leaves + 2 * BT_MERKLE_HASH_LEN, 2 * BT_MERKLE_HASH_LEN) == 0,
       "the leaves are the blocks' own");
    ok(memcmp(hashes + 3 * BT_MERKLE_HASH_LEN, pieces + BT_MERKLE_HASH_LEN, BT_MERKLE_HASH_LEN) ==
           0,
       "the top uncle is piece 1's hash, from the layer");
    h.req = r;
    h.hashes = hashes;
    h.uncles = hashes + 2 * BT_MERKLE_HASH_LEN;
    h.uncle_count = bt_hashes_uncles(&r);
    ok(h.uncle_count == 2 && bt_hashes_verify(&h, 3) == BT_OK,
       "and the answer proves against the root");
    hashes[2 * BT_MERKLE_HASH_LEN] ^= 1;
    ok(bt_hashes_verify(&h, 3) == BT_ERR_HASHES_PROOF, "one bit off in the low uncle: no proof");
}

int main(void)
{
    make_file();
    test_round_trip();
    test_errors();
    test_proofs();
    test_set_layers();
    test_below_layer();
    return tap_done();
}
