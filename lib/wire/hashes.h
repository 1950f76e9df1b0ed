/*
 * hashes.h - BEP 52's hash request, hashes and hash reject messages: how a
 * peer that knows only a file's pieces root (a v2 magnet link's metadata has
 * no "piece layers") gets the piece hashes from the swarm, each batch proven
 * against the root.
 *
 *   00 00 00 31  15  <pieces root (32)> <base> <index> <length> <proof layers>   hash request
 *   00 00 xx xx  16  <the same 48 bytes> <length hashes> <uncle hashes>          hashes
 *   00 00 00 31  17  <the same 48 bytes as the request>                           hash reject
 *
 * base, index, length and proof layers are 4-byte big-endian integers.  base is
 * the layer of the file's merkle tree (merkle.h) the hashes come from, counted
 * up from the leaves (0: one hash per 16 KiB block; log2(piece length / 16 KiB):
 * the piece layer).  Every layer is as wide as the padded tree: a file of 3
 * pieces has a piece layer of 4, the last a pad hash.  index is the first hash
 * wanted, a multiple of length; length is a power of two, 2 or more (the
 * last request of a layer may be shorter, if the layer is not padded: we pad).
 *
 * The uncles are the siblings of the path from the requested hashes' subtree up
 * towards the root, lowest first.  A proof layer that the requested hashes fill
 * whole needs no uncle, but still counts: for length 2^k, the first k-1 proof
 * layers send nothing, and a hashes message carries max(0, proof layers - (k-1))
 * uncles.  Asked for the piece layer's hashes 4..7 of a piece layer of 8
 * (length 4, proof layers 2):
 *
 *                  root                       proof layer 2: uncle = h(0..3)
 *           h(0..3)        h(4..7)            proof layer 1: omitted, h(4..7) is ours
 *          .      .      h45     h67
 *         0 1    2 3    4   5   6   7         base layer: hashes 4, 5, 6, 7
 *
 * The receiver hashes 4..7 up to h(4..7), climbs with h(0..3) (on the left,
 * since h(4..7) is a right child) and compares the result with the pieces root.
 */
#ifndef BT_HASHES_H
#define BT_HASHES_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "metainfo/merkle.h"
#include "metainfo/metainfo.h"

/* BEP 52 message ids. */
#define BT_MSG_HASH_REQUEST 21
#define BT_MSG_HASHES       22
#define BT_MSG_HASH_REJECT  23

/* BEP 52: pieces root, base layer, index, length, proof layers. */
#define BT_HASHES_HEAD_LEN (BT_PIECES_ROOT_LEN + 4 * 4)
/* BEP 52: "Length SHOULD NOT be greater than 512": what we ask for at most. */
#define BT_HASHES_ASK_MAX 512
/* What we accept in a message: libtorrent's own cap (a 128 MiB piece of blocks). */
#define BT_HASHES_MAX_LENGTH 8192
/* A tree of 2^64 leaves has 64 layers above them: no request goes higher. */
#define BT_HASHES_MAX_LAYERS BT_MERKLE_MAX_DEPTH

struct bt_hash_request {
    unsigned char root[BT_PIECES_ROOT_LEN]; /* the file's pieces root */
    uint32_t base;                          /* layer, 0 = leaves */
    uint32_t index;                         /* first hash, in that layer */
    uint32_t length;                        /* hashes asked for */
    uint32_t proof_layers;                  /* ancestor layers to prove them with */
};

/* A parsed hashes message: views into the payload given to bt_hashes_parse. */
struct bt_hashes {
    struct bt_hash_request req;
    const unsigned char *hashes; /* req.length base-layer hashes */
    const unsigned char *uncles; /* uncle_count hashes, lowest first */
    size_t uncle_count;
};

/* Uncle hashes a hashes message answering r carries (see the drawing). */
uint32_t bt_hashes_uncles(const struct bt_hash_request *r);

/*
 * Parse the payload (after the id) of a hash request or hash reject: exactly
 * BT_HASHES_HEAD_LEN bytes, length 2 to BT_HASHES_MAX_LENGTH, index a multiple
 * of length rounded up to a power of two, base and proof layers under
 * BT_HASHES_MAX_LAYERS.  BT_ERR_HASHES otherwise.
 */
enum bt_err bt_hash_request_parse(struct bt_hash_request *r, const unsigned char *p, size_t len);

/* Parse a hashes message's payload: the same head, then exactly length +
 * bt_hashes_uncles() hashes.  BT_ERR_HASHES otherwise. */
enum bt_err bt_hashes_parse(struct bt_hashes *h, const unsigned char *p, size_t len);

/* Append a whole hash request or hash reject frame (id BT_MSG_HASH_REQUEST or
 * BT_MSG_HASH_REJECT).  BT_ERR_TOO_LARGE when buf is full (nothing appended). */
enum bt_err bt_hash_request_put(struct bt_buf *buf, unsigned id, const struct bt_hash_request *r);

/* Append a whole hashes frame: n hashes (r->length, then the uncles) at hashes.
 * BT_ERR_INVALID if n is not what r asks for; BT_ERR_TOO_LARGE when buf is full. */
enum bt_err bt_hashes_put(struct bt_buf *buf, const struct bt_hash_request *r,
                          const unsigned char *hashes, size_t n);

/*
 * Does r fit a file whose tree has tree_layers layers above its leaves (the
 * padded block count is 2^tree_layers)?  base below the root's layer, the hashes
 * inside the padded layer, proof layers not past the root.  BT_ERR_HASHES if not.
 */
enum bt_err bt_hash_request_check(const struct bt_hash_request *r, unsigned tree_layers);

/* Layers above the leaves of the tree of a file of length bytes (0 for one block). */
unsigned bt_hashes_tree_layers(int64_t length);

/*
 * Do h's hashes, padded with pad hashes where length is short of a power of
 * two, climbed with its uncles, reach h->req.root at the top of a tree of
 * tree_layers layers?  BT_OK if so; BT_ERR_HASHES_PROOF if they reach another
 * root or stop short of the top; BT_ERR_HASHES if the request does not fit.
 */
enum bt_err bt_hashes_verify(const struct bt_hashes *h, unsigned tree_layers);

/*
 * Where the hashes below the piece layer come from: the node at layer (counted
 * up from the leaves, under the piece layer) and index of that layer, which
 * covers 2^layer blocks of the file.  A seeder computes it from the data it
 * has verified; BT_ERR_HASHES_REJECTED if it cannot (a piece it lacks).
 */
typedef enum bt_err bt_hashes_node_fn(void *arg, unsigned layer, uint64_t index,
                                      unsigned char out[BT_MERKLE_HASH_LEN]);

/*
 * Answer r from a file's piece layer (pieces hashes at layer piece_layer, the
 * layer's padding past them): fill out with r->length + bt_hashes_uncles(r)
 * hashes.  Layers from the piece layer up come from the layer; those below it
 * (the leaf hashes, say) from below, called once per node.  below NULL:
 * BT_ERR_HASHES_REJECTED for a base below the piece layer.  A file of one
 * piece has no layer: pass its pieces root as a layer of 1 at tree_layers.
 * BT_ERR_HASHES_REJECTED also for r not fitting the tree.
 */
enum bt_err bt_hashes_from_layer(const struct bt_hash_request *r, unsigned tree_layers,
                                 unsigned piece_layer, const unsigned char *layer, uint64_t pieces,
                                 bt_hashes_node_fn *below, void *below_arg, unsigned char *out);

#endif /* BT_HASHES_H */
