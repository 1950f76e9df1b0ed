/*
 * upload.c - answer a peer's requests from storage.  See upload.h for the
 * exchange and the policy.
 */
#include "session/upload.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/bytes.h"
#include "core/loop.h"
#include "core/sha256.h"
#include "pieces/piece_hash.h"
#include "wire/hashes.h"
#include "wire/metadata.h"

void bt_upload_init(struct bt_upload *u, const struct bt_torrent *t, struct bt_storage *storage,
                    const struct bt_bitfield *have)
{
    memset(u, 0, sizeof(*u));
    u->t = t;
    u->storage = storage;
    u->have = have;
}

/* Read a block for a piece message straight from the files; past the end of
 * the data (see servable_size) it is padding, all zeros. */
static enum bt_err read_block(void *arg, int64_t offset, void *dst, size_t len)
{
    struct bt_upload *u = arg;
    int64_t end = u->t->total_length;
    size_t real = offset >= end ? 0 : end - offset < (int64_t)len ? (size_t)(end - offset) : len;

    memset((unsigned char *)dst + real, 0, len - real);
    return real > 0 ? bt_storage_read(u->storage, offset, dst, real) : BT_OK;
}

/*
 * The bytes of piece idx a peer may ask for.  libtorrent pads the end of
 * every file of a v2 torrent to a piece boundary, the last file too, so it
 * sees the last piece of a v2-only torrent whole and asks for its blocks
 * whole (BEP 52 itself does not say): we serve the padding as zeros.
 */
static int64_t servable_size(const struct bt_torrent *t, uint32_t idx)
{
    return t->versions == BT_META_V2 ? t->piece_length : bt_torrent_piece_size(t, idx);
}

enum bt_err bt_upload_serve(struct bt_upload *u, struct bt_peer *p)
{
    while (u->q_len > 0 && bt_peer_pending(p) < BT_UPLOAD_SEND_HIGH) {
        struct bt_upload_request r = u->queue[u->q_head];
        int64_t off = (int64_t)r.index * u->t->piece_length + r.begin;
        enum bt_err err;

        /* Over the limit: the owner calls again when tokens come (rate.h). */
        if (u->limit != NULL && !bt_rate_ready(u->limit, bt_loop_now_ms()))
            break;
        u->q_head = (u->q_head + 1) % BT_UPLOAD_MAX_REQUESTS;
        u->q_len--;
        err = bt_peer_send_piece(p, r.index, r.begin, r.length, off, read_block, u);
        if (err != BT_OK) {
            bt_peer_why(p, "cannot read piece %" PRIu32 ": %s", r.index, bt_strerror(err));
            return err;
        }
        u->blocks_sent++;
        u->bytes_sent += r.length;
        if (u->limit != NULL)
            bt_rate_spend(u->limit, r.length);
    }
    return BT_OK;
}

/* The peer's IPv4 address in host order; 0 if it has none. */
static int peer_ipv4(const struct bt_peer *p, uint32_t *ip)
{
    struct bt_netaddr a;

    bt_netaddr_from_addr(&p->addr, &a);
    if (a.iplen != 4)
        return 0;
    *ip = bt_get_be32(a.ip);
    return 1;
}

enum bt_err bt_upload_start(struct bt_upload *u, struct bt_peer *p)
{
    size_t had = bt_bitfield_popcount(u->have), i;
    uint32_t ip;
    enum bt_err err;

    u->fast = bt_peer_fast(p);
    if (u->fast && had == u->have->count)
        err = bt_peer_send_simple(p, BT_MSG_HAVE_ALL);
    else if (u->fast && had == 0)
        err = bt_peer_send_simple(p, BT_MSG_HAVE_NONE);
    else if (had == 0)
        err = BT_OK; /* BEP 3: a peer with nothing may skip the bitfield */
    else
        err = bt_peer_send_bitfield(p, u->have->bits, bt_bitfield_bytes(u->have->count));
    if (err != BT_OK || !u->fast || had == 0 || !peer_ipv4(p, &ip))
        return err;
    /* The whole set is remembered (a request for an allowed piece we lack is
     * rejected like any other), the pieces we have are sent. */
    err = bt_fast_allowed_set(u->t->info_hash, ip, u->t->piece_count, BT_FAST_SET_SIZE, u->allowed,
                              &u->allowed_n);
    for (i = 0; err == BT_OK && i < u->allowed_n; i++)
        if (bt_bitfield_get(u->have, u->allowed[i]))
            err = bt_peer_send_allowed_fast(p, u->allowed[i]);
    return err;
}

/* Is piece idx in the allowed fast set we gave the peer? */
static int allowed_fast(const struct bt_upload *u, uint32_t idx)
{
    size_t i;

    for (i = 0; i < u->allowed_n; i++)
        if (u->allowed[i] == idx)
            return 1;
    return 0;
}

/* BEP 6: tell the peer that its request r will not be served. */
static enum bt_err reject(struct bt_upload *u, struct bt_peer *p, const struct bt_upload_request *r)
{
    enum bt_err err = bt_peer_send_request(p, BT_MSG_REJECT, r->index, r->begin, r->length);

    if (err == BT_ERR_TOO_LARGE)
        bt_peer_why(p, "requests faster than they can be rejected");
    else if (err == BT_OK)
        u->rejected++;
    return err;
}

static enum bt_err take_request(struct bt_upload *u, struct bt_peer *p, const struct bt_message *m)
{
    struct bt_upload_request r = {m->index, m->begin, m->length};
    int64_t size;

    if (m->length == 0 || m->length > BT_BLOCK_SIZE) {
        bt_peer_why(p, "request of %" PRIu32 " bytes (the limit is %d)", m->length, BT_BLOCK_SIZE);
        return BT_ERR_PEER_MESSAGE;
    }
    size = m->index < u->t->piece_count ? servable_size(u->t, m->index) : -1;
    if (size < 0 || (int64_t)m->begin + m->length > size) {
        bt_peer_why(p, "request out of range: piece %" PRIu32 " begin %" PRIu32 " length %" PRIu32,
                    m->index, m->begin, m->length);
        return BT_ERR_PEER_MESSAGE;
    }
    /* From here on the request is well formed: under BEP 6 a request we will
     * not serve is rejected, never dropped in silence. */
    if (!bt_bitfield_get(u->have, m->index)) {
        if (u->fast)
            return reject(u, p, &r);
        bt_peer_why(p, "request for piece %" PRIu32 ", which we never announced", m->index);
        return BT_ERR_PEER_MESSAGE;
    }
    if (!u->unchoked && !(u->fast && allowed_fast(u, m->index))) {
        /* BEP 3 discards a request that crossed our choke; BEP 6 rejects it. */
        return u->fast ? reject(u, p, &r) : BT_OK;
    }
    if (u->q_len == BT_UPLOAD_MAX_REQUESTS) {
        if (u->fast)
            return reject(u, p, &r);
        bt_peer_why(p, "more than %d requests queued", BT_UPLOAD_MAX_REQUESTS);
        return BT_ERR_PEER_MESSAGE;
    }
    u->queue[(u->q_head + u->q_len) % BT_UPLOAD_MAX_REQUESTS] = r;
    u->q_len++;
    return bt_upload_serve(u, p);
}

/* Remove a cancelled request that we have not read yet; under BEP 6 it is
 * answered with a reject (one already sent got its piece). */
static enum bt_err cancel(struct bt_upload *u, struct bt_peer *p, const struct bt_message *m)
{
    size_t i, kept = 0;
    enum bt_err err = BT_OK;

    for (i = 0; i < u->q_len; i++) {
        struct bt_upload_request r = u->queue[(u->q_head + i) % BT_UPLOAD_MAX_REQUESTS];

        if (r.index == m->index && r.begin == m->begin && r.length == m->length) {
            if (u->fast && err == BT_OK)
                err = reject(u, p, &r);
            continue;
        }
        u->queue[(u->q_head + kept) % BT_UPLOAD_MAX_REQUESTS] = r;
        kept++;
    }
    u->q_len = kept;
    return err;
}

/*
 * BEP 9: a peer asks for a piece of the info dict.  We answer from the
 * torrent's copy of the dict's original bytes, so what it assembles hashes to
 * the info hash; a piece out of range gets a reject.  Data and reject messages
 * sent to us are ignored: we never asked.
 */
static enum bt_err take_metadata(struct bt_upload *u, struct bt_peer *p, const struct bt_message *m)
{
    struct bt_metadata_msg req;
    struct bt_buf answer;
    unsigned their_id;
    int type;
    enum bt_err err;

    if (bt_metadata_parse(&req, m->payload, m->payload_len) != BT_OK) {
        bt_peer_why(p, "malformed ut_metadata message");
        return BT_ERR_PEER_MESSAGE;
    }
    their_id = p->has_ext ? bt_ext_handshake_id(&p->ext, BT_EXT_UT_METADATA) : 0;
    if (req.type != BT_METADATA_REQUEST || their_id == 0)
        return BT_OK; /* with no id of theirs, there is no way to answer */
    bt_buf_init(&answer, BT_METADATA_MAX_HEAD + BT_METADATA_PIECE);
    err = bt_metadata_answer(&answer, u->t->info, u->t->info_len, req.piece, &type);
    if (err == BT_OK)
        err = bt_peer_send_extended(p, their_id, answer.data, answer.len);
    bt_buf_release(&answer);
    if (err == BT_ERR_TOO_LARGE)
        bt_peer_why(p, "metadata requests faster than they can be sent");
    else if (err == BT_OK && type == BT_METADATA_DATA)
        u->metadata_sent++;
    return err;
}

/* The file whose pieces root is root, or NULL. */
static const struct bt_file *file_of_root(const struct bt_torrent *t, const unsigned char *root)
{
    size_t i;

    for (i = 0; i < t->file_count; i++)
        if (t->files[i].pieces_root != NULL &&
            memcmp(t->files[i].pieces_root, root, BT_PIECES_ROOT_LEN) == 0)
            return &t->files[i];
    return NULL;
}

/* What the hashes below a file's piece layer are computed from: the leaves
 * of one piece at a time, hashed from the data and proven. */
struct leaf_source {
    struct bt_upload *u;
    const struct bt_file *f;
    int64_t piece;         /* whose leaves are held, or -1 */
    unsigned char *leaves; /* count of them */
    uint32_t first, count; /* the first's index in the file's leaf layer */
};

/*
 * Hash the blocks of piece idx, which we must have, into src->leaves, and
 * prove them against the piece's hash: data that changed on disk since it
 * was checked is not ours to vouch for (BT_ERR_HASHES_REJECTED).
 */
static enum bt_err load_leaves(struct leaf_source *src, size_t idx)
{
    const struct bt_torrent *t = src->u->t;
    unsigned char data[BT_MERKLE_BLOCK];
    const unsigned char *root;
    uint32_t i;
    enum bt_err err;

    src->piece = -1;
    free(src->leaves);
    src->leaves = NULL;
    if (!bt_bitfield_get(src->u->have, idx) ||
        bt_piece_leaves(t, idx, &root, &src->first, &src->count) != BT_OK)
        return BT_ERR_HASHES_REJECTED;
    src->leaves = malloc((size_t)src->count * BT_MERKLE_HASH_LEN);
    if (src->leaves == NULL)
        return BT_ERR_NOMEM;
    for (i = 0; i < src->count; i++) {
        int64_t at = ((int64_t)src->first + i) * BT_MERKLE_BLOCK;
        unsigned char *leaf = src->leaves + (size_t)i * BT_MERKLE_HASH_LEN;
        size_t n;

        if (at >= src->f->length) {
            memset(leaf, 0, BT_MERKLE_HASH_LEN); /* past the file's end */
            continue;
        }
        n = src->f->length - at < BT_MERKLE_BLOCK ? (size_t)(src->f->length - at) : BT_MERKLE_BLOCK;
        err = bt_storage_read(src->u->storage, src->f->offset + at, data, n);
        if (err == BT_OK)
            err = bt_sha256(data, n, leaf);
        if (err != BT_OK)
            return BT_ERR_HASHES_REJECTED;
    }
    if (bt_piece_leaves_check(t, idx, src->leaves, src->count) != BT_OK)
        return BT_ERR_HASHES_REJECTED;
    src->piece = (int64_t)idx;
    return BT_OK;
}

/* A node below the piece layer: the root of its 2^layer leaves, which lie in
 * one piece (past the file's end, it is padding). */
static enum bt_err node_from_data(void *arg, unsigned layer, uint64_t index,
                                  unsigned char out[BT_MERKLE_HASH_LEN])
{
    struct leaf_source *src = arg;
    uint64_t blocks = (uint64_t)1 << layer, first = index << layer, i;
    int64_t at = (int64_t)(first * BT_MERKLE_BLOCK);
    size_t idx;
    struct bt_merkle m;
    enum bt_err err = BT_OK;

    if (at >= src->f->length)
        return bt_merkle_pad(NULL, layer, out);
    idx = (size_t)((src->f->offset + at) / src->u->t->piece_length);
    if (src->piece != (int64_t)idx)
        err = load_leaves(src, idx);
    if (err != BT_OK)
        return err;
    if (first < src->first || first - src->first + blocks > src->count)
        return BT_ERR_HASHES_REJECTED; /* cannot be: a node under a piece */
    bt_merkle_init(&m, NULL);
    for (i = 0; i < blocks && err == BT_OK; i++)
        err = bt_merkle_add(&m, src->leaves + (first - src->first + i) * BT_MERKLE_HASH_LEN);
    return err == BT_OK ? bt_merkle_root(&m, blocks, out) : err;
}

/*
 * Answer r for file f: the layers from the piece layer up come from f's
 * piece layer (a file of one piece: its root), those below it from the data.
 * Below it, a request may make us read at most BT_UPLOAD_LEAF_BLOCKS blocks.
 */
static enum bt_err answer_hashes(struct bt_upload *u, const struct bt_file *f,
                                 const struct bt_hash_request *r, unsigned char *out)
{
    const struct bt_torrent *t = u->t;
    unsigned tree_layers = bt_hashes_tree_layers(f->length);
    unsigned piece_layer = bt_merkle_log2((uint64_t)t->piece_length / BT_MERKLE_BLOCK);
    struct leaf_source src = {u, f, -1, NULL, 0, 0};
    enum bt_err err;

    if (r->base < piece_layer && ((uint64_t)r->length << r->base) > BT_UPLOAD_LEAF_BLOCKS)
        return BT_ERR_HASHES_REJECTED;
    if (f->length <= t->piece_length)
        err = bt_hashes_from_layer(r, tree_layers, tree_layers, f->pieces_root, 1, node_from_data,
                                   &src, out);
    else
        err =
            bt_hashes_from_layer(r, tree_layers, piece_layer, f->layer,
                                 (uint64_t)bt_torrent_file_pieces(t, f), node_from_data, &src, out);
    free(src.leaves);
    return err;
}

/*
 * BEP 52: a peer asks for hashes of a file's tree.  We hold each file's piece
 * layer, so we answer for it and every layer above it from the layer; below
 * it (the leaf hashes a downloader checks each block with) we hash the data of
 * the pieces we have.  A root we do not know, a piece we lack or a request
 * that does not fit the tree gets a hash reject; a message of the wrong size
 * drops the peer.
 */
static enum bt_err take_hash_request(struct bt_upload *u, struct bt_peer *p,
                                     const struct bt_message *m)
{
    const struct bt_file *f;
    struct bt_hash_request r;
    unsigned char *hashes = NULL;
    size_t n;
    enum bt_err err;

    if (m->payload_len != BT_HASHES_HEAD_LEN) {
        bt_peer_why(p, "malformed hash request (%zu bytes)", m->payload_len);
        return BT_ERR_HASHES;
    }
    /* Fields we cannot serve (a length of 1, say) get a reject, not a drop. */
    err = bt_hash_request_parse(&r, m->payload, m->payload_len) == BT_OK ? BT_ERR_HASHES_REJECTED
                                                                         : BT_ERR_HASHES;
    f = file_of_root(u->t, r.root);
    n = (size_t)r.length + bt_hashes_uncles(&r);
    if (err == BT_ERR_HASHES_REJECTED && f != NULL) {
        hashes = malloc(n * BT_MERKLE_HASH_LEN);
        if (hashes == NULL)
            return BT_ERR_NOMEM;
        /* A block we cannot read is one we cannot vouch for either. */
        if (answer_hashes(u, f, &r, hashes) == BT_OK)
            err = BT_OK;
    }
    if (err == BT_OK)
        err = bt_peer_send_hashes(p, &r, hashes, n);
    else if (err == BT_ERR_HASHES_REJECTED || err == BT_ERR_HASHES)
        err = bt_peer_send_hash_request(p, BT_MSG_HASH_REJECT, &r);
    free(hashes);
    if (err == BT_ERR_TOO_LARGE)
        bt_peer_why(p, "hash requests faster than they can be sent");
    else if (err == BT_OK)
        u->hash_requests++;
    return err;
}

enum bt_err bt_upload_message(struct bt_upload *u, struct bt_peer *p, const struct bt_message *m,
                              int *handled)
{
    *handled = 1;
    switch (m->id) {
    case BT_MSG_INTERESTED:
        u->interested = 1;
        if (u->unchoked)
            return BT_OK;
        u->unchoked = 1;
        return bt_peer_send_simple(p, BT_MSG_UNCHOKE);
    case BT_MSG_NOT_INTERESTED:
        u->interested = 0;
        return BT_OK;
    case BT_MSG_REQUEST:
        return take_request(u, p, m);
    case BT_MSG_CANCEL:
        return cancel(u, p, m);
    case BT_MSG_HASH_REQUEST:
        return take_hash_request(u, p, m);
    case BT_MSG_EXTENDED:
        /* Only messages under the id we offered in our extension handshake. */
        if (p->cfg->ut_metadata_id != 0 && m->ext_id == p->cfg->ut_metadata_id)
            return take_metadata(u, p, m);
        *handled = 0;
        return BT_OK;
    default:
        *handled = 0;
        return BT_OK;
    }
}
