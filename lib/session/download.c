/*
 * download.c - the multi-peer download session.  See download.h for the loop it
 * runs; this file is the bookkeeping: connections and candidates, requests in
 * flight, hashing as blocks arrive, and blame when a piece fails.
 */
#include "session/download.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pieces/resume.h"
#include "pieces/selection.h"
#include "wire/hashes.h"
#include "wire/peerid.h"
#include "wire/pex.h"

void bt_download_init(struct bt_download *dl)
{
    memset(dl, 0, sizeof(*dl));
    bt_pool_init(&dl->pool);
    bt_picker_init(&dl->picker);
    bt_bitfield_init(&dl->have);
    bt_writeback_init(&dl->wb);
    bt_announcer_init(&dl->ann);
    bt_dht_source_init(&dl->dht);
}

/* Stop the loop because of a local failure the user must hear about. */
static void fatal(struct bt_download *dl, enum bt_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void fatal(struct bt_download *dl, enum bt_err err, const char *fmt, ...)
{
    va_list ap;

    if (dl->fatal != BT_OK)
        return;
    dl->fatal = err;
    va_start(ap, fmt);
    vsnprintf(dl->fatal_detail, sizeof(dl->fatal_detail), fmt, ap);
    va_end(ap);
    bt_loop_stop(dl->loop);
}

/* ---- pieces in progress: hashing and blame ---- */

static struct bt_dl_active *find_active(struct bt_download *dl, uint32_t index)
{
    size_t i;

    for (i = 0; i < dl->active_count; i++)
        if (dl->active[i].index == index)
            return &dl->active[i];
    return NULL;
}

static struct bt_dl_active *add_active(struct bt_download *dl, uint32_t index)
{
    struct bt_dl_active *a;

    if (dl->active_count == dl->active_cap) {
        size_t newcap = dl->active_cap == 0 ? 16 : dl->active_cap * 2;
        struct bt_dl_active *p = realloc(dl->active, newcap * sizeof(*p));

        if (p == NULL)
            return NULL;
        dl->active = p;
        dl->active_cap = newcap;
    }
    a = &dl->active[dl->active_count++];
    memset(a, 0, sizeof(*a));
    a->index = index;
    bt_piece_hash_init(&a->hash);
    /* Cannot fail: the index is in range and the setup checked every layer. */
    (void)bt_piece_hash_start(&a->hash, dl->t, index);
    return a;
}

static void drop_active(struct bt_download *dl, struct bt_dl_active *a)
{
    bt_piece_hash_release(&a->hash);
    *a = dl->active[--dl->active_count];
}

static void note_contributor(struct bt_dl_active *a, size_t cand)
{
    size_t i;

    if (cand == SIZE_MAX) {
        a->anonymous = 1;
        return;
    }
    for (i = 0; i < a->n_contrib; i++)
        if (a->contrib[i] == cand)
            return;
    if (a->n_contrib < BT_DL_CONTRIBUTORS)
        a->contrib[a->n_contrib++] = cand;
    else
        a->anonymous = 1; /* too many to blame any one of them */
}

/* ---- connections and candidates ---- */

/* The connection in slot i of the pool, or NULL. */
static struct bt_dl_conn *conn_at(const struct bt_download *dl, size_t i)
{
    return (struct bt_dl_conn *)dl->pool.conns[i];
}

static struct bt_dl_conn *conn_for_cand(struct bt_download *dl, size_t cand)
{
    size_t i;

    for (i = 0; i < dl->pool.max_conns; i++)
        if (conn_at(dl, i) != NULL && conn_at(dl, i)->cand == cand)
            return conn_at(dl, i);
    return NULL;
}

/*
 * Ban a candidate.  Its connection is only marked: it may be the very one whose
 * callback is running, and a peer must never be freed under its own feet.  The
 * connection closes itself at its next message or tick (see doomed()).
 */
static void ban(struct bt_download *dl, size_t cand, const char *why)
{
    struct bt_dl_conn *c;
    char name[BT_ADDR_STRLEN];

    if (cand == SIZE_MAX || dl->cands[cand].state == BT_DL_CAND_BANNED)
        return;
    bt_addr_format(&dl->cands[cand].addr, name);
    bt_pool_say(&dl->pool, name, "banned: %s", why);
    if (dl->event != NULL) {
        struct bt_download_event e = {.kind = BT_DL_EVENT_PEER_BANNED, .peer = name, .why = why};

        dl->event(dl->event_arg, &e);
    }
    dl->cands[cand].state = BT_DL_CAND_BANNED;
    c = conn_for_cand(dl, cand);
    if (c != NULL)
        c->doomed = 1;
}

/* A banned connection ends itself with an error from its own callback; so does
 * one whose error came outside them (at a rate tick). */
static enum bt_err doomed(struct bt_dl_conn *c)
{
    if (c->failed != BT_OK)
        return c->failed;
    if (!c->doomed)
        return BT_OK;
    bt_peer_why(&c->base.peer, "banned");
    return BT_ERR_PEER_HASH;
}

/* Release every request c has in flight (choke, snub, close). */
static void release_inflight(struct bt_download *dl, struct bt_dl_conn *c)
{
    size_t i;

    for (i = 0; i < c->n_inflight; i++)
        bt_picker_block_released(&dl->picker, &c->inflight[i]);
    c->n_inflight = 0;
}

/* The connection is gone (closed, released, or never started): give back its
 * blocks and its pieces' availability, and keep its upload count. */
static void on_forget(void *arg, struct bt_pool_conn *pc)
{
    struct bt_download *dl = arg;
    struct bt_dl_conn *c = (struct bt_dl_conn *)pc;

    release_inflight(dl, c);
    bt_leaf_table_forget(&dl->leaves, c);
    if (c->has.count > 0)
        bt_picker_peer_bitfield(&dl->picker, c->has.bits, 0);
    dl->uploaded += c->up.bytes_sent;
    bt_bitfield_release(&c->has);
    bt_bitfield_release(&c->pick);
}

/* Do we have every piece, a seed's "completed" to tell the trackers?  Not
 * when some files were not chosen, though we are complete. */
static int seeding(const struct bt_download *dl)
{
    return dl->complete && dl->picker.skip_count == 0;
}

/* Does the peer have a piece we want?  O(pieces): called rarely. */
static int peer_useful(const struct bt_download *dl, const struct bt_dl_conn *c)
{
    size_t i;

    for (i = 0; i < dl->t->piece_count; i++)
        if (bt_bitfield_get(&c->has, i) && bt_picker_wanted(&dl->picker, i))
            return 1;
    return 0;
}

static enum bt_err set_interest(struct bt_dl_conn *c, int want)
{
    if (c->interested == want)
        return BT_OK;
    c->interested = want;
    return bt_peer_send_simple(&c->base.peer, want ? BT_MSG_INTERESTED : BT_MSG_NOT_INTERESTED);
}

/* Ask c for piece's leaf hashes ahead of its blocks, unless someone was asked. */
static void ask_leaves(struct bt_dl_conn *c, uint32_t piece)
{
    struct bt_hash_request r;

    if (bt_leaf_table_ask(&c->dl->leaves, piece, c, &r) &&
        bt_peer_send_hash_request(&c->base.peer, BT_MSG_HASH_REQUEST, &r) != BT_OK)
        bt_leaf_table_unask(&c->dl->leaves, piece); /* send buffer full: another time */
}

/*
 * BEP 6: set in c->pick the pieces the peer allows us fast and has, the only
 * ones we may ask for while it chokes us; returns how many.
 */
static size_t allowed_pick(struct bt_dl_conn *c)
{
    size_t i, n = 0;

    for (i = 0; i < c->allowed_n && c->pick.count > 0; i++) {
        if (bt_bitfield_get(&c->has, c->allowed[i])) {
            bt_bitfield_set(&c->pick, c->allowed[i]);
            n++;
        }
    }
    return n;
}

/* Clear c->pick again.  Only allowed pieces' bits were set: clearing their
 * bytes clears it all. */
static void allowed_clear(struct bt_dl_conn *c)
{
    size_t i;

    for (i = 0; i < c->allowed_n; i++)
        c->pick.bits[c->allowed[i] / 8] = 0;
}

/*
 * Ask for blocks of the pieces set in bits until depth are in flight.
 *
 * Endgame's duplicates (a block another peer was asked for) go only to a peer
 * with nothing in flight, one at a time, as libtorrent does: it is idle, and
 * nothing it was asked for can be asked twice.  Filled up to depth, 50 fast
 * peers' pipelines held more than the whole torrent: every peer was in
 * endgame from its first seconds, each block was asked of up to 50 of them
 * (3.8 requests and 2.8 cancels a block, 17% of the bytes received twice),
 * and choosing those duplicates cost most of the session's CPU.
 */
static enum bt_err send_requests(struct bt_dl_conn *c, const unsigned char *bits, size_t depth)
{
    struct bt_download *dl = c->dl;

    while (c->n_inflight < depth) {
        struct bt_block b;
        enum bt_err err;
        int got;

        /* Over --max-download-rate: the rate tick asks again (rate.h). */
        if (bt_rate_limited(&dl->down) && !bt_rate_ready(&dl->down, bt_loop_now_ms()))
            break;
        if (c->n_inflight == 0)
            got = bt_picker_next(&dl->picker, bits, NULL, NULL, &b);
        else
            got = bt_picker_next_unrequested(&dl->picker, bits, &b);
        if (!got)
            break;
        if (!c->no_leaves)
            ask_leaves(c, b.piece);
        err = bt_peer_send_request(&c->base.peer, BT_MSG_REQUEST, b.piece, b.offset, b.length);
        if (err != BT_OK) {
            bt_picker_block_released(&dl->picker, &b);
            return err == BT_ERR_TOO_LARGE ? BT_OK : err; /* send buffer full: later */
        }
        c->inflight[c->n_inflight++] = b;
        bt_rate_spend(&dl->down, b.length);
    }
    return BT_OK;
}

/* Keep depth requests in flight while the peer lets us: for any piece it has
 * when it unchokes us, for its allowed fast pieces (BEP 6) while it chokes us. */
static enum bt_err request_more(struct bt_dl_conn *c)
{
    struct bt_download *dl = c->dl;
    struct bt_peer *p = &c->base.peer;
    size_t depth = c->depth;
    enum bt_err err = BT_OK;

    if (!c->open || dl->complete || c->doomed)
        return BT_OK;
    if (p->has_ext && p->ext.reqq > 0 && (uint64_t)p->ext.reqq < depth)
        depth = (size_t)p->ext.reqq;
    if (!c->choking_us) {
        err = send_requests(c, c->has.bits, depth);
    } else if (allowed_pick(c) > 0) {
        err = send_requests(c, c->pick.bits, depth);
        allowed_clear(c);
    }
    if (err != BT_OK)
        return err;
    if (c->n_inflight == 0 && c->interested && !peer_useful(dl, c))
        return set_interest(c, 0);
    return BT_OK;
}

/* Tell every open connection we have piece idx; cancel duplicates of it. */
static void announce_have(struct bt_download *dl, uint32_t idx)
{
    size_t i;

    for (i = 0; i < dl->pool.max_conns; i++) {
        struct bt_dl_conn *c = conn_at(dl, i);

        if (c == NULL || !c->open)
            continue;
        /* A failure to queue is not worth a drop: the peer only misses a have. */
        (void)bt_peer_send_have(&c->base.peer, idx);
    }
}

/* In endgame several peers may have the same block in flight: cancel the others. */
static void cancel_duplicates(struct bt_download *dl, const struct bt_dl_conn *got,
                              const struct bt_block *b)
{
    size_t i, j;

    for (i = 0; i < dl->pool.max_conns; i++) {
        struct bt_dl_conn *c = conn_at(dl, i);

        if (c == NULL || c == got)
            continue;
        for (j = 0; j < c->n_inflight; j++) {
            if (c->inflight[j].piece == b->piece && c->inflight[j].offset == b->offset) {
                (void)bt_peer_send_request(&c->base.peer, BT_MSG_CANCEL, b->piece, b->offset,
                                           b->length);
                c->inflight[j] = c->inflight[--c->n_inflight];
                break;
            }
        }
    }
}

/* Hash what follows a->hash.hashed: blocks that arrived out of order, read back
 * from the piece's slot or from the files (writeback.h). */
static enum bt_err hash_rest(struct bt_download *dl, struct bt_dl_active *a, int64_t size)
{
    int64_t base = (int64_t)a->index * dl->t->piece_length;

    while (a->hash.hashed < size) {
        size_t n =
            size - a->hash.hashed < BT_BLOCK_SIZE ? (size_t)(size - a->hash.hashed) : BT_BLOCK_SIZE;
        enum bt_err err =
            bt_writeback_get(&dl->wb, a->index, base + a->hash.hashed, dl->scratch, n);

        if (err == BT_OK)
            err = bt_piece_hash_update(&a->hash, dl->scratch, n);
        if (err != BT_OK)
            return err;
    }
    return BT_OK;
}

static void piece_verified(struct bt_download *dl, uint32_t idx)
{
    size_t i;

    bt_picker_piece_done(&dl->picker, idx);
    bt_leaf_table_done(&dl->leaves, idx);
    bt_bitfield_set(&dl->have, idx);
    dl->have_bytes += bt_torrent_piece_data(dl->t, idx);
    dl->last_progress_ms = bt_loop_now_ms();
    announce_have(dl, idx);
    if (!bt_picker_complete(&dl->picker))
        return;
    dl->complete = 1;
    dl->complete_ms = bt_loop_now_ms();
    bt_pool_say(&dl->pool, NULL, "complete: every piece%s verified",
                dl->picker.skip_count > 0 ? " of the files chosen" : "");
    for (i = 0; i < dl->pool.max_conns; i++) {
        struct bt_dl_conn *c = conn_at(dl, i);

        if (c != NULL && c->open)
            (void)set_interest(c, 0);
    }
    if (!dl->seed_after)
        bt_loop_stop(dl->loop);
}

/* Web seed ws sent data that failed a check: it waits before its next job. */
static void webseed_blamed(struct bt_download *dl, struct bt_webseed *ws, const char *why)
{
    if (bt_webseed_failed(ws, bt_loop_now_ms()))
        bt_pool_say(&dl->pool, ws->base, "%s; given up", why);
    else
        bt_pool_say(&dl->pool, ws->base, "%s; next try in %" PRIu64 " s", why,
                    (ws->retry_ms - bt_loop_now_ms() + 999) / 1000);
}

static void piece_failed(struct bt_download *dl, struct bt_dl_active *a)
{
    int64_t size = bt_torrent_piece_size(dl->t, a->index);
    size_t i;

    dl->hash_fails++;
    dl->wasted += (uint64_t)size;
    bt_picker_piece_failed(&dl->picker, a->index);
    bt_pool_say(&dl->pool, NULL, "piece %" PRIu32 " failed its hash check; fetching it again",
                a->index);
    if (dl->event != NULL) {
        struct bt_download_event e = {.kind = BT_DL_EVENT_PIECE_FAILED, .piece = a->index};

        dl->event(dl->event_arg, &e);
    }
    /* One sender: it is the culprit.  Several: each gets a strike, and the one
     * that keeps turning up in failed pieces is banned. */
    for (i = 0; i < a->n_contrib; i++) {
        size_t cand = a->contrib[i];

        dl->cands[cand].strikes++;
        if ((a->n_contrib == 1 && !a->anonymous && a->webseeds == 0) ||
            dl->cands[cand].strikes >= BT_DL_STRIKES)
            ban(dl, cand, "sent data that failed a piece's hash check");
    }
    for (i = 0; i < dl->webseed_count; i++)
        if (a->webseeds & (1u << i))
            webseed_blamed(dl, &dl->webseeds[i], "sent data that failed a piece's hash check");
}

/* Writing to file failed with errno err_errno: nothing more can be kept. */
static void write_failed(struct bt_download *dl, enum bt_err err, int err_errno, size_t file)
{
    fatal(dl, err_errno == ENOSPC ? BT_ERR_STORAGE_SPACE : err, "cannot write %s: %s",
          dl->t->files[file].path, strerror(err_errno));
}

/* The writer thread has put a verified piece on disk (writeback.h). */
static void on_written(void *arg, uint32_t piece, enum bt_err err, int err_errno, size_t file)
{
    struct bt_download *dl = arg;

    if (err != BT_OK)
        write_failed(dl, err, err_errno, file);
    else
        piece_verified(dl, piece);
}

/*
 * Block b from c (or web seed ws) is not what its leaf hash says: c sent bad
 * data, and is banned at once (the leaves are proven against the piece's
 * hash).  The block goes back to the picker for another source; the rest of
 * its piece is kept.
 */
static void bad_block(struct bt_download *dl, struct bt_dl_conn *c, struct bt_webseed *ws,
                      const struct bt_block *b)
{
    dl->blocks_bad++;
    dl->wasted += b->length;
    bt_picker_block_released(&dl->picker, b);
    bt_pool_say(&dl->pool, c != NULL ? c->base.peer.name : ws->base,
                "piece %" PRIu32 " block at %" PRIu32 " does not match its leaf hash: dropped",
                b->piece, b->offset);
    if (c == NULL) {
        webseed_blamed(dl, ws, "sent a block that failed its merkle check");
        return;
    }
    ban(dl, c->cand, "sent a block that failed its merkle check");
    c->doomed = 1; /* an incoming peer has no candidate to ban */
}

/* Block b arrived from c, or from web seed ws: write it, hash it, maybe finish
 * its piece. */
static enum bt_err take_block(struct bt_download *dl, struct bt_dl_conn *c, struct bt_webseed *ws,
                              const struct bt_block *b, const unsigned char *data)
{
    int64_t off = (int64_t)b->piece * dl->t->piece_length + b->offset;
    int64_t size = bt_torrent_piece_size(dl->t, b->piece);
    struct bt_dl_active *a;
    const unsigned char *leaves;
    uint32_t count;
    unsigned asked;
    enum bt_err err;
    int done;

    leaves = bt_leaf_table_get(&dl->leaves, b->piece, &count);
    if (leaves != NULL) {
        size_t hashed;

        err = bt_piece_block_check(dl->t, b->piece, leaves, count, b->offset, data, b->length,
                                   &hashed);
        if (err == BT_ERR_PEER_HASH) {
            bad_block(dl, c, ws, b);
            return BT_OK;
        }
        if (err != BT_OK)
            leaves = NULL; /* not one of the piece's blocks: the piece check will tell */
        else if (hashed > 0)
            dl->blocks_checked++; /* (padding has no leaf to check) */
    }
    /* Only a block asked of others too (endgame) has copies to cancel: most
     * were asked of one peer, and need no scan of every peer's requests. */
    asked = bt_picker_block_asked(&dl->picker, b);
    done = bt_picker_block_received(&dl->picker, b);
    if (done < 0) {
        dl->wasted += b->length; /* a duplicate from endgame */
        return BT_OK;
    }
    if (asked > 1)
        cancel_duplicates(dl, c, b);
    a = find_active(dl, b->piece);
    if (a == NULL) {
        /* The piece's first block: it may get a slot in memory (writeback.h). */
        a = add_active(dl, b->piece);
        if (a == NULL)
            return BT_ERR_NOMEM;
        /* Its leaves are proven and stay until it is had: every block of it
         * is checked on arrival, and the merkle root of the whole is known. */
        if (leaves != NULL)
            bt_piece_hash_blocks_checked(&a->hash);
        bt_writeback_begin(&dl->wb, b->piece);
    }
    err = bt_writeback_put(&dl->wb, b->piece, off, data, b->length);
    if (err != BT_OK) {
        int saved = errno;

        bt_picker_block_released(&dl->picker, b);
        write_failed(dl, err, saved, dl->storage->failed_file);
        return BT_OK;
    }
    if (c != NULL)
        note_contributor(a, c->cand);
    else
        a->webseeds |= 1u << (ws - dl->webseeds);
    if (b->offset == a->hash.hashed) {
        err = bt_piece_hash_update(&a->hash, data, b->length);
        if (err != BT_OK)
            return err;
    }
    if (done == 0)
        return BT_OK;

    /* The piece is whole.  Its blocks are read back only if a hash needs them. */
    err = a->hash.v1 || a->hash.v2 ? hash_rest(dl, a, size) : BT_OK;
    if (err != BT_OK) {
        fatal(dl, err, "cannot read back piece %" PRIu32 ": %s", b->piece, strerror(errno));
        return BT_OK;
    }
    err = bt_piece_hash_check(&a->hash);
    if (err != BT_OK && err != BT_ERR_PEER_HASH)
        return err;
    if (err == BT_ERR_PEER_HASH) {
        (void)bt_writeback_end(&dl->wb, b->piece, 0);
        piece_failed(dl, a);
        drop_active(dl, a);
        return BT_OK;
    }
    drop_active(dl, a);
    /* On disk before anyone hears we have it, and so may ask for it: a piece
     * in a slot is had once the writer has written it (on_written). */
    if (!bt_writeback_end(&dl->wb, b->piece, 1))
        piece_verified(dl, b->piece);
    return BT_OK;
}

static enum bt_err on_piece(struct bt_dl_conn *c, const struct bt_message *m)
{
    struct bt_download *dl = c->dl;
    struct bt_block b = {m->index, m->begin, (uint32_t)m->payload_len};
    size_t i;

    dl->downloaded += b.length;
    c->bytes_down += b.length;
    c->window_bytes += b.length;
    c->last_block_ms = bt_loop_now_ms();
    for (i = 0; i < c->n_inflight; i++) {
        if (c->inflight[i].piece == b.piece && c->inflight[i].offset == b.offset &&
            c->inflight[i].length == b.length)
            break;
    }
    if (i == c->n_inflight) {
        /* Not asked of this peer: a late answer to a cancel, or a pushy peer. */
        c->waste += b.length;
        dl->wasted += b.length;
        if (c->waste > BT_DL_MAX_WASTE) {
            bt_peer_why(&c->base.peer, "sent %" PRIu64 " bytes we did not ask for", c->waste);
            return BT_ERR_PEER_MESSAGE;
        }
        return BT_OK;
    }
    c->inflight[i] = c->inflight[--c->n_inflight];
    return take_block(dl, c, NULL, &b, m->payload);
}

/* A hashes message: the leaves of a piece we asked c for (leaf_table.h). */
static enum bt_err take_leaves(struct bt_dl_conn *c, const struct bt_message *m)
{
    struct bt_download *dl = c->dl;
    struct bt_hashes h;
    enum bt_err err;

    if (bt_hashes_parse(&h, m->payload, m->payload_len) != BT_OK) {
        bt_peer_why(&c->base.peer, "malformed hashes message (%zu bytes)", m->payload_len);
        return BT_ERR_HASHES;
    }
    err = bt_leaf_table_take(&dl->leaves, c, &h);
    if (err == BT_ERR_HASHES_PROOF) {
        ban(dl, c->cand, "sent leaf hashes that do not hash up to their piece's");
        bt_peer_why(&c->base.peer, "leaf hashes that do not hash up to their piece's");
        return err;
    }
    return err == BT_ERR_NOMEM ? err : BT_OK; /* hashes we never asked for are ignored */
}

/* A hash reject: c keeps no leaf hashes (libtorrent keeps piece layers only). */
static enum bt_err leaves_rejected(struct bt_dl_conn *c, const struct bt_message *m)
{
    struct bt_hash_request r;

    if (bt_hash_request_parse(&r, m->payload, m->payload_len) != BT_OK) {
        bt_peer_why(&c->base.peer, "malformed hash reject (%zu bytes)", m->payload_len);
        return BT_ERR_HASHES;
    }
    if (bt_leaf_table_rejected(&c->dl->leaves, c, &r) && !c->no_leaves) {
        c->no_leaves = 1;
        bt_pool_say(&c->dl->pool, c->base.peer.name,
                    "has no leaf hashes: the pieces it sends are checked whole");
    }
    return BT_OK;
}

/*
 * BEP 6: the peer lets us ask for piece idx while it chokes us.  Past
 * BT_FAST_ALLOWED_MAX pieces, the rest are ignored.  Nothing is asked for yet:
 * the set comes as a burst of messages, often just before an unchoke, and
 * the next request_more (once the burst is read and the send buffer drains,
 * at the unchoke, or at the tick) picks from all of it rarest first, rather
 * than in the order the peer listed it.
 */
static enum bt_err take_allowed(struct bt_dl_conn *c, uint32_t idx)
{
    size_t i;
    enum bt_err err;

    if (idx >= c->dl->t->piece_count) {
        bt_peer_why(&c->base.peer, "allowed fast names piece %" PRIu32 " beyond the torrent", idx);
        return BT_ERR_PEER_MESSAGE;
    }
    for (i = 0; i < c->allowed_n; i++)
        if (c->allowed[i] == idx)
            return BT_OK;
    if (c->allowed_n == BT_FAST_ALLOWED_MAX)
        return BT_OK;
    if (c->pick.count == 0) {
        err = bt_bitfield_resize(&c->pick, c->dl->t->piece_count);
        if (err != BT_OK)
            return err;
    }
    c->allowed[c->allowed_n++] = idx;
    return BT_OK;
}

/* Take piece idx out of the peer's allowed fast set, if it is there. */
static void forget_allowed(struct bt_dl_conn *c, uint32_t idx)
{
    size_t i;

    for (i = 0; i < c->allowed_n; i++) {
        if (c->allowed[i] == idx) {
            c->allowed[i] = c->allowed[--c->allowed_n];
            return;
        }
    }
}

/* The peer's bitfield is about to be replaced (have all, have none): take
 * its pieces out of the picker's counts. */
static void forget_has(struct bt_download *dl, struct bt_dl_conn *c)
{
    if (bt_bitfield_popcount(&c->has) > 0)
        bt_picker_peer_bitfield(&dl->picker, c->has.bits, 0);
    memset(c->has.bits, 0, bt_bitfield_bytes(c->has.count));
}

/* ---- peer exchange (BEP 11): see pex_state.h ---- */

/* 0.0.0.0 or ::, which no peer is at. */
static int unspecified(const struct bt_netaddr *a)
{
    unsigned i;

    for (i = 0; i < a->iplen; i++)
        if (a->ip[i] != 0)
            return 0;
    return 1;
}

/*
 * Would dialling a reach ourselves?  Our listening port, at a loopback or our
 * listening address, or at the address c reached us on.  (An address of ours
 * we cannot know, behind a NAT, is caught by the handshake: "that is us".)
 */
static int pex_is_us(const struct bt_download *dl, const struct bt_dl_conn *c,
                     const struct bt_addr *a)
{
    struct bt_addr local;

    if (dl->pool.listen_fd < 0 || bt_addr_port(a) != bt_addr_port(&dl->pool.listen_addr))
        return 0;
    if (bt_addr_is_loopback(a) || bt_addr_same_host(a, &dl->pool.listen_addr))
        return 1;
    return bt_net_local_addr(c->base.peer.fd, &local) == BT_OK && bt_addr_same_host(a, &local);
}

/* The address o accepts connections on, to tell others of; 0 if unknown. */
static int pex_addr(const struct bt_download *dl, const struct bt_dl_conn *o,
                    struct bt_pex_peer *out)
{
    const struct bt_peer *p = &o->base.peer;

    memset(out, 0, sizeof(*out));
    if (o->cand != SIZE_MAX) {
        /* We dialled it: that address takes connections. */
        bt_netaddr_from_addr(&dl->cands[o->cand].addr, &out->addr);
        out->flags |= BT_PEX_F_REACHABLE;
    } else if (p->has_ext && p->ext.port > 0 && p->ext.port <= UINT16_MAX) {
        /* It dialled us: its listening port is the one its handshake named. */
        bt_netaddr_from_addr(&p->addr, &out->addr);
        out->addr.port = (uint16_t)p->ext.port;
    } else {
        return 0;
    }
    return 1;
}

/* Are we connected to a already?  A peer that dialled us is known by the port
 * its extension handshake named. */
static int pex_connected(const struct bt_download *dl, const struct bt_netaddr *a)
{
    struct bt_pex_peer known;
    size_t i;

    for (i = 0; i < dl->pool.max_conns; i++)
        if (conn_at(dl, i) != NULL && pex_addr(dl, conn_at(dl, i), &known) &&
            bt_netaddr_equal(&known.addr, a))
            return 1;
    return 0;
}

/* A ut_pex message from c: its added peers become candidates, within its budget. */
static enum bt_err take_pex(struct bt_dl_conn *c, const struct bt_message *m)
{
    struct bt_download *dl = c->dl;
    struct bt_peer *p = &c->base.peer;
    struct bt_pex_msg x;
    size_t budget, fresh = 0, skipped = 0, i;
    enum bt_err err;

    if (dl->t->is_private)
        return BT_OK; /* never offered (BEP 27): whatever it sends is ignored */
    err = bt_pex_parse(&x, m->payload, m->payload_len);
    if (err == BT_ERR_TOO_LARGE) {
        bt_peer_why(p, "ut_pex message of %zu bytes (the limit is %d)", m->payload_len,
                    BT_PEX_MAX_LEN);
        return BT_ERR_PEER_MESSAGE;
    }
    if (err != BT_OK) {
        bt_peer_why(p, "malformed ut_pex message (%zu bytes)", m->payload_len);
        return BT_ERR_PEER_MESSAGE;
    }
    budget = bt_pex_state_budget(&c->pex, bt_loop_now_ms());
    for (i = 0; i < x.added_count && fresh < budget; i++) {
        size_t before = dl->cand_count;
        struct bt_addr a;

        if (x.added[i].addr.port == 0 || unspecified(&x.added[i].addr) ||
            bt_addr_from_netaddr(&x.added[i].addr, &a) != BT_OK || pex_is_us(dl, c, &a)) {
            skipped++;
            continue;
        }
        if (pex_connected(dl, &x.added[i].addr))
            continue;
        if (bt_download_add_peer(dl, &a) == BT_OK && dl->cand_count > before)
            fresh++;
    }
    bt_pex_state_took(&c->pex, fresh);
    dl->pex_learned += fresh;
    bt_pool_say(&dl->pool, p->name,
                "pex: %zu added, %zu dropped: %zu new peers, %zu ignored (ours or unusable)%s",
                x.added_total, x.dropped_total, fresh, skipped,
                i < x.added_count               ? "; the rest over its budget"
                : x.added_total > x.added_count ? "; the rest past the limit of a message"
                                                : "");
    return BT_OK;
}

/* Tell c of the peers that came and went since our last message, if a minute
 * has passed and it speaks ut_pex. */
static enum bt_err send_pex(struct bt_dl_conn *c, uint64_t now)
{
    struct bt_download *dl = c->dl;
    struct bt_peer *p = &c->base.peer;
    struct bt_pex_peer *current;
    struct bt_buf buf;
    size_t n = 0, added, dropped, i;
    unsigned their_id;
    enum bt_err err;

    if (dl->cfg.ut_pex_id == 0 || !p->has_ext || now < c->pex.due_ms)
        return BT_OK;
    their_id = bt_ext_handshake_id(&p->ext, BT_EXT_UT_PEX);
    if (their_id == 0)
        return BT_OK;
    current = malloc(dl->pool.max_conns * sizeof(*current));
    if (current == NULL)
        return BT_ERR_NOMEM;
    for (i = 0; i < dl->pool.max_conns; i++) {
        const struct bt_dl_conn *o = conn_at(dl, i);

        if (o == NULL || o == c || !o->open || o->doomed || !pex_addr(dl, o, &current[n]))
            continue;
        if (bt_bitfield_popcount(&o->has) == dl->t->piece_count)
            current[n].flags |= BT_PEX_F_SEED;
        n++;
    }
    bt_buf_init(&buf, BT_PEX_MAX_LEN);
    err = bt_pex_state_next(&c->pex, now, current, n, &buf, &added, &dropped);
    if (err == BT_OK && buf.len > 0) {
        err = bt_peer_send_extended(p, their_id, buf.data, buf.len);
        if (err == BT_OK)
            bt_pool_say(&dl->pool, p->name, "pex: told it of %zu peers added, %zu dropped", added,
                        dropped);
        else
            bt_peer_why(p, "cannot queue a ut_pex message: %s", bt_strerror(err));
    }
    bt_buf_release(&buf);
    free(current);
    return err;
}

static enum bt_err on_handshake(void *arg, struct bt_pool_conn *pc)
{
    struct bt_download *dl = arg;
    struct bt_dl_conn *c = (struct bt_dl_conn *)pc;
    struct bt_peer *p = &pc->peer;
    char client[BT_PEERID_NAME_MAX];

    if (memcmp(p->remote.peer_id, dl->cfg.peer_id, BT_PEER_ID_LEN) == 0) {
        if (c->cand != SIZE_MAX)
            dl->cands[c->cand].state = BT_DL_CAND_BANNED;
        bt_peer_why(p, "that is us");
        return BT_ERR_PEER_HANDSHAKE;
    }
    c->open = 1;
    dl->peers_ever++;
    /* Only a v2-only swarm's connections speak BEP 52: a hybrid's meet under
     * its v1 hash, and libtorrent drops a hash request on such a connection
     * (a v1-only client may too). */
    c->no_leaves = dl->t->versions != BT_META_V2;
    if (c->cand != SIZE_MAX)
        dl->cands[c->cand].fails = 0;
    bt_peerid_client(p->remote.peer_id, client);
    bt_pool_say(&dl->pool, p->name, "connected (%s%s)", client,
                bt_peer_fast(p) ? ", fast extension" : "");
    if (bt_dht_source_handshake(&dl->dht, p) != BT_OK)
        return BT_ERR_TOO_LARGE;
    /* Our bitfield (or have all, have none), and the peer's allowed fast set. */
    return bt_upload_start(&c->up, p);
}

static enum bt_err on_message(void *arg, struct bt_pool_conn *pc, const struct bt_message *m)
{
    struct bt_download *dl = arg;
    struct bt_dl_conn *c = (struct bt_dl_conn *)pc;
    struct bt_peer *p = &pc->peer;
    enum bt_err err;
    int handled;

    err = doomed(c);
    if (err == BT_OK)
        err = bt_upload_message(&c->up, p, m, &handled);
    if (handled || err != BT_OK)
        return err;
    switch (m->id) {
    case BT_MSG_CHOKE:
        c->choking_us = 1;
        /* BEP 3: a choke discards our pending requests.  BEP 6: it does not;
         * the peer answers each with its piece or a reject. */
        if (!c->up.fast)
            release_inflight(dl, c);
        return BT_OK;
    case BT_MSG_UNCHOKE:
        c->choking_us = 0;
        return request_more(c);
    case BT_MSG_HAVE:
        if (!bt_bitfield_get(&c->has, m->index)) {
            bt_bitfield_set(&c->has, m->index);
            bt_picker_peer_has(&dl->picker, m->index);
        }
        if (bt_picker_wanted(&dl->picker, m->index)) {
            err = set_interest(c, 1);
            if (err == BT_OK)
                err = request_more(c);
        }
        return err;
    case BT_MSG_BITFIELD:
        if (bt_bitfield_popcount(&c->has) > 0)
            bt_picker_peer_bitfield(&dl->picker, c->has.bits, 0);
        err = bt_bitfield_load(&c->has, m->payload, m->payload_len);
        if (err != BT_OK) {
            bt_peer_why(p, "malformed bitfield");
            return err;
        }
        bt_picker_peer_bitfield(&dl->picker, c->has.bits, 1);
        err = set_interest(c, !dl->complete && peer_useful(dl, c));
        if (err == BT_OK)
            err = request_more(c);
        return err;
    case BT_MSG_HAVE_ALL:
        forget_has(dl, c);
        bt_bitfield_set_all(&c->has);
        bt_picker_peer_bitfield(&dl->picker, c->has.bits, 1);
        err = set_interest(c, !dl->complete);
        if (err == BT_OK)
            err = request_more(c);
        return err;
    case BT_MSG_HAVE_NONE:
        forget_has(dl, c);
        return set_interest(c, 0);
    case BT_MSG_ALLOWED_FAST:
        return take_allowed(c, m->index);
    case BT_MSG_SUGGEST:
        return BT_OK; /* a hint: rarest first serves the swarm better (download.h) */
    case BT_MSG_PIECE:
        err = on_piece(c, m);
        if (err == BT_OK)
            err = doomed(c);
        if (err == BT_OK)
            err = request_more(c);
        return err;
    case BT_MSG_PORT:
        bt_dht_source_port(&dl->dht, &pc->peer, m->port, bt_loop_now_ms());
        return BT_OK;
    case BT_MSG_HASHES:
        return take_leaves(c, m);
    case BT_MSG_HASH_REJECT:
        return leaves_rejected(c, m);
    case BT_MSG_EXTENDED:
        /* Only under the id we offered; ut_metadata went to the upload side. */
        if (dl->cfg.ut_pex_id != 0 && m->ext_id == dl->cfg.ut_pex_id)
            return take_pex(c, m);
        return BT_OK;
    case BT_MSG_REJECT: {
        struct bt_block b = {m->index, m->begin, m->length};
        size_t i;

        for (i = 0; i < c->n_inflight; i++) {
            if (c->inflight[i].piece == b.piece && c->inflight[i].offset == b.offset) {
                bt_picker_block_released(&dl->picker, &c->inflight[i]);
                c->inflight[i] = c->inflight[--c->n_inflight];
                break;
            }
        }
        /* Rejected while choked: the peer no longer allows that piece fast (BEP 6
         * lets it), and asking again would only be rejected again. */
        if (c->choking_us)
            forget_allowed(c, b.piece);
        return BT_OK;
    }
    default:
        return BT_OK; /* extensions we did not offer */
    }
}

static enum bt_err on_drain(void *arg, struct bt_pool_conn *pc)
{
    struct bt_dl_conn *c = (struct bt_dl_conn *)pc;
    enum bt_err err = bt_upload_serve(&c->up, &pc->peer);

    if (err == BT_OK)
        err = request_more(c);
    return err;
}

/* Twice a second from peer.c: the rate, the depth, snubbing, and peer exchange. */
static enum bt_err on_tick(void *arg, struct bt_pool_conn *pc)
{
    struct bt_download *dl = arg;
    struct bt_dl_conn *c = (struct bt_dl_conn *)pc;
    struct bt_peer *p = &pc->peer;
    uint64_t now = bt_loop_now_ms();
    uint64_t sample = c->window_bytes * (1000 / BT_PEER_TICK_MS);
    uint64_t want;
    enum bt_err err;

    if (c->doomed)
        return doomed(c);
    /* Smooth over a few ticks: a new sample weighs a quarter. */
    c->rate = (c->rate * 3 + sample) / 4;
    c->window_bytes = 0;
    want = c->rate * BT_DL_INFLIGHT_MS / 1000 / BT_BLOCK_SIZE;
    c->depth = want < BT_DL_MIN_DEPTH   ? BT_DL_MIN_DEPTH
               : want > BT_DL_MAX_DEPTH ? BT_DL_MAX_DEPTH
                                        : (size_t)want;
    if (c->n_inflight > 0 && now - c->last_block_ms > BT_DL_SNUB_MS) {
        /* Snubbed: let faster peers have its blocks, and keep asking it for one. */
        bt_pool_say(&dl->pool, p->name, "snubbed us for %d s; its requests go to others",
                    BT_DL_SNUB_MS / 1000);
        release_inflight(dl, c);
        c->last_block_ms = now;
    }
    err = send_pex(c, now);
    if (err != BT_OK)
        return err;
    return request_more(c);
}

/* Why it closed: the candidate may be dialled again, after a wait. */
static void on_close(void *arg, struct bt_pool_conn *pc, enum bt_err err)
{
    struct bt_download *dl = arg;
    struct bt_dl_conn *c = (struct bt_dl_conn *)pc;
    struct bt_peer *p = &pc->peer;

    if (c->cand != SIZE_MAX) {
        struct bt_dl_candidate *cand = &dl->cands[c->cand];
        uint64_t wait = BT_DL_RETRY_MS;
        unsigned i;

        if (cand->state != BT_DL_CAND_BANNED)
            cand->state = BT_DL_CAND_IDLE;
        cand->fails++;
        for (i = 1; i < cand->fails && wait < BT_DL_RETRY_MAX_MS; i++)
            wait *= 2;
        cand->retry_ms = bt_loop_now_ms() + wait;
    }
    if (c->open || err != BT_ERR_NET_CONNECT)
        bt_pool_say(&dl->pool, p->name, "%s: %s%s%s", c->open ? "disconnected" : "failed",
                    bt_strerror(err), bt_peer_detail(p)[0] != '\0' ? ": " : "", bt_peer_detail(p));
}

/* A new connection, before it dials or is answered: an incoming one until
 * fill_slots() says which candidate it dialled. */
static enum bt_err on_new(void *arg, struct bt_pool_conn *pc)
{
    struct bt_download *dl = arg;
    struct bt_dl_conn *c = (struct bt_dl_conn *)pc;
    enum bt_err err;

    bt_bitfield_init(&c->has);
    bt_bitfield_init(&c->pick);
    err = bt_bitfield_resize(&c->has, dl->t->piece_count);
    if (err != BT_OK)
        return err;
    c->dl = dl;
    c->cand = SIZE_MAX;
    c->choking_us = 1;
    c->depth = BT_DL_MIN_DEPTH;
    c->last_block_ms = bt_loop_now_ms();
    bt_pex_state_init(&c->pex);
    bt_upload_init(&c->up, dl->t, dl->storage, &dl->have);
    if (bt_rate_limited(&dl->up))
        c->up.limit = &dl->up;
    return BT_OK;
}

/*
 * Is addr's host one we banned?  An incoming connection comes from a new port,
 * so hosts are compared without ports; loopback is exempt, since every local
 * peer shares it.
 */
static int banned_host(void *arg, const struct bt_addr *addr)
{
    const struct bt_download *dl = arg;
    size_t i;

    if (bt_addr_is_loopback(addr))
        return 0;
    for (i = 0; i < dl->cand_count; i++)
        if (dl->cands[i].state == BT_DL_CAND_BANNED && bt_addr_same_host(&dl->cands[i].addr, addr))
            return 1;
    return 0;
}

static const struct bt_pool_ops dl_ops = {
    .conn_size = sizeof(struct bt_dl_conn),
    .on_new = on_new,
    .refuse = banned_host,
    .on_handshake = on_handshake,
    .on_message = on_message,
    .on_drain = on_drain,
    .on_tick = on_tick,
    .on_close = on_close,
    .on_forget = on_forget,
};

/* Dial idle candidates whose retry time has come, up to the connection cap. */
static void fill_slots(struct bt_download *dl)
{
    uint64_t now = bt_loop_now_ms();
    size_t i;

    /* A seeding session still dials the peers it learns of: some clients
     * (transmission) ignore a loopback or LAN peer that a tracker names, so
     * they only meet us if we call them. */
    if (dl->complete && !dl->seed_after)
        return;
    for (i = 0; i < dl->cand_count && dl->pool.conn_count < dl->pool.max_conns; i++) {
        struct bt_dl_candidate *cand = &dl->cands[i];
        struct bt_pool_conn *pc;
        enum bt_err err;

        if (cand->state != BT_DL_CAND_IDLE || cand->retry_ms > now ||
            cand->fails >= BT_DL_MAX_FAILS)
            continue;
        err = bt_pool_connect(&dl->pool, &cand->addr, &pc);
        if (err == BT_ERR_NOMEM)
            return;
        if (err != BT_OK) {
            char name[BT_ADDR_STRLEN];

            bt_addr_format(&cand->addr, name);
            bt_pool_say(&dl->pool, name, "cannot connect: %s", strerror(errno));
            cand->fails++;
            cand->retry_ms = now + BT_DL_RETRY_MS;
            continue;
        }
        ((struct bt_dl_conn *)pc)->cand = i;
        cand->state = BT_DL_CAND_CONNECTED;
    }
}

/* ---- web seeds (webseed.h) ---- */

/* Bytes of block at offset off of piece idx: 16 KiB, or what is left of the piece. */
static uint32_t block_length(const struct bt_download *dl, uint32_t idx, uint32_t off)
{
    int64_t left = bt_torrent_piece_size(dl->t, idx) - off;

    return left < BT_BLOCK_SIZE ? (uint32_t)left : BT_BLOCK_SIZE;
}

/* Give back the blocks of ws's job, which will not come. */
static void webseed_release_job(struct bt_download *dl, const struct bt_webseed *ws)
{
    uint32_t off;

    for (off = ws->begin; off < ws->begin + ws->length; off += BT_BLOCK_SIZE) {
        struct bt_block b = {ws->piece, off, block_length(dl, ws->piece, off)};

        bt_picker_block_released(&dl->picker, &b);
    }
}

/*
 * Give each idle web seed a job: the blocks the picker chooses next, as long
 * as they follow each other in one piece (it hands out a piece's blocks in
 * order), so that one range request per file fetches them.
 */
static void webseeds_fill(struct bt_download *dl)
{
    uint64_t now = bt_loop_now_ms();
    size_t i;

    for (i = 0; i < dl->webseed_count && !dl->complete; i++) {
        struct bt_webseed *ws = &dl->webseeds[i];
        struct bt_block first, b;
        uint32_t length = 0;

        if (!bt_webseed_ready(ws, now))
            continue;
        if (!bt_rate_ready(&dl->down, now))
            return;
        while (length < dl->t->piece_length && bt_picker_next(&dl->picker, NULL, NULL, NULL, &b)) {
            if (length == 0) {
                first = b;
            } else if (b.piece != first.piece || b.offset != first.offset + length) {
                bt_picker_block_released(&dl->picker, &b);
                break;
            }
            length += b.length;
        }
        if (length == 0)
            return; /* nothing left to ask for */
        bt_rate_spend(&dl->down, length);
        if (bt_webseed_fetch(ws, first.piece, first.offset, length) != BT_OK) {
            ws->piece = first.piece;
            ws->begin = first.offset;
            ws->length = length;
            webseed_release_job(dl, ws);
            return;
        }
    }
}

/* A web seed's job ended: take its blocks as a peer's, or give them back. */
static void on_webseed_done(void *arg, struct bt_webseed *ws)
{
    struct bt_download *dl = arg;
    uint32_t off;
    size_t bad = dl->blocks_bad;

    if (ws->err != BT_OK) {
        webseed_release_job(dl, ws);
        webseed_blamed(dl, ws, ws->detail[0] != '\0' ? ws->detail : bt_strerror(ws->err));
        return;
    }
    dl->downloaded += ws->length;
    for (off = ws->begin; off < ws->begin + ws->length && dl->fatal == BT_OK;
         off += BT_BLOCK_SIZE) {
        struct bt_block b = {ws->piece, off, block_length(dl, ws->piece, off)};
        enum bt_err err = take_block(dl, NULL, ws, &b, ws->data + (off - ws->begin));

        if (err != BT_OK) {
            fatal(dl, err, "cannot take a web seed's block: %s", bt_strerror(err));
            return;
        }
    }
    if (dl->blocks_bad == bad && !ws->given_up)
        bt_webseed_succeeded(ws);
    webseeds_fill(dl);
}

/* Can a web seed still bring data (now or after its wait)?  Not one that
 * failed from the start: a dead url-list must not keep a peerless download
 * waiting minutes for its last retry. */
static int webseeds_alive(const struct bt_download *dl)
{
    size_t i;

    for (i = 0; i < dl->webseed_count; i++) {
        const struct bt_webseed *ws = &dl->webseeds[i];

        if (!ws->given_up && (ws->worked || ws->fails == 0))
            return 1;
    }
    return 0;
}

/*
 * Can the download still finish?  Not when no peer has been open and nothing
 * has arrived for the give-up time, nor when no peer is left to try and no
 * tracker can bring one (after a second, for the first dials to be made).
 */
static int hopeless(struct bt_download *dl, uint64_t now)
{
    int stuck = bt_download_open_peers(dl) == 0 && now - dl->last_progress_ms >= dl->give_up_ms;
    int dry = bt_download_usable_peers(dl) == 0 && !bt_announcer_has_trackers(&dl->ann) &&
              !webseeds_alive(dl) && !bt_dht_source_alive(&dl->dht) && now - dl->start_ms > 1000;

    return dl->give_up_ms != 0 && !dl->complete && (stuck || dry);
}

/*
 * Every BT_RATE_TICK_MS while a rate is limited: what waited for tokens goes
 * now, the connections taken in turn from a different one each tick, so that
 * no peer always comes first.  An error here closes its connection at its
 * next callback (doomed()).
 */
static void on_rate_tick(void *arg)
{
    struct bt_download *dl = arg;
    size_t n = dl->pool.max_conns, k;

    dl->rate_timer = 0;
    for (k = 0; k < n; k++) {
        struct bt_dl_conn *c = conn_at(dl, (dl->rate_next + k) % n);
        enum bt_err err = BT_OK;

        if (c == NULL || !c->open || c->doomed || c->failed != BT_OK)
            continue;
        if (bt_rate_limited(&dl->up))
            err = bt_upload_serve(&c->up, &c->base.peer);
        if (err == BT_OK && bt_rate_limited(&dl->down))
            err = request_more(c);
        c->failed = err;
    }
    dl->rate_next = n > 0 ? (dl->rate_next + 1) % n : 0;
    if (bt_rate_limited(&dl->down))
        webseeds_fill(dl);
    if (bt_loop_timer(dl->loop, BT_RATE_TICK_MS, on_rate_tick, dl, &dl->rate_timer) != BT_OK)
        fatal(dl, BT_ERR_NOMEM, "cannot set a timer");
}

static void on_session_tick(void *arg)
{
    struct bt_download *dl = arg;
    uint64_t now = bt_loop_now_ms();

    dl->timer = 0;
    if (seeding(dl))
        bt_announcer_completed(&dl->ann);
    if (!dl->complete || dl->seed_after)
        bt_dht_source_tick(&dl->dht, now, !dl->complete && bt_download_usable_peers(dl) == 0);
    if (hopeless(dl, now)) {
        dl->gave_up = 1;
        bt_loop_stop(dl->loop);
    }
    fill_slots(dl);
    webseeds_fill(dl);
    if (bt_loop_timer(dl->loop, BT_DL_TICK_MS, on_session_tick, dl, &dl->timer) != BT_OK)
        fatal(dl, BT_ERR_NOMEM, "cannot set a timer");
}

enum bt_err bt_download_setup(struct bt_download *dl, const struct bt_torrent *t,
                              struct bt_storage *storage)
{
    enum bt_err err;

    dl->t = t;
    dl->storage = storage;
    bt_leaf_table_init(&dl->leaves, t);
    err = bt_torrent_hashes_known(t);
    if (err == BT_OK)
        err = bt_picker_setup(&dl->picker, t->piece_count, t->piece_length, t->total_length, 0, 0);
    if (err == BT_OK)
        err = bt_writeback_setup(&dl->wb, t, storage, BT_WB_MEMORY);
    if (err == BT_OK)
        err = bt_bitfield_resize(&dl->have, t->piece_count);
    dl->wanted_bytes = t->content_length;
    if (err == BT_OK) {
        dl->scratch = malloc(BT_BLOCK_SIZE);
        if (dl->scratch == NULL)
            err = BT_ERR_NOMEM;
    }
    return err;
}

void bt_download_set_have(struct bt_download *dl, size_t idx)
{
    if (idx >= dl->t->piece_count || bt_bitfield_get(&dl->have, idx))
        return;
    bt_bitfield_set(&dl->have, idx);
    bt_picker_set_have(&dl->picker, idx);
    dl->have_bytes += bt_torrent_piece_data(dl->t, idx);
    dl->complete = bt_picker_complete(&dl->picker);
}

/* Hash piece i on disk; had if it matches.  Only a path out of the download
 * or no memory is an error: anything else leaves the piece missing. */
static enum bt_err check_piece(struct bt_download *dl, size_t i)
{
    enum bt_err err = bt_storage_verify_piece(dl->storage, i, dl->scratch);

    dl->checked++;
    if (err == BT_ERR_NOMEM || err == BT_ERR_STORAGE_PATH)
        return err;
    if (err == BT_OK)
        bt_download_set_have(dl, i);
    return BT_OK;
}

enum bt_err bt_download_choose(struct bt_download *dl, const unsigned char *chosen, int first_last)
{
    const struct bt_torrent *t = dl->t;
    struct bt_bitfield wanted;
    size_t i, first, last;
    enum bt_err err = BT_OK;

    bt_bitfield_init(&wanted);
    if (bt_bitfield_resize(&wanted, t->piece_count) != BT_OK)
        return BT_ERR_NOMEM;
    bt_selection_pieces(t, chosen, &wanted);
    dl->wanted_bytes = 0;
    for (i = 0; i < t->piece_count; i++) {
        if (bt_bitfield_get(&wanted, i))
            dl->wanted_bytes += bt_torrent_piece_data(t, i);
        else
            bt_picker_skip(&dl->picker, i);
    }
    bt_bitfield_release(&wanted);
    for (i = 0; first_last && i < t->file_count && err == BT_OK; i++) {
        if (!chosen[i] || !bt_torrent_file_span(t, &t->files[i], &first, &last))
            continue;
        err = bt_picker_first(&dl->picker, first);
        if (err == BT_OK && last != first)
            err = bt_picker_first(&dl->picker, last);
    }
    dl->complete = bt_picker_complete(&dl->picker);
    return err;
}

/* How many pieces are wanted and not had: what a check of the disk reads. */
static size_t count_wanted(const struct bt_download *dl)
{
    return dl->t->piece_count - dl->picker.have_count - dl->picker.skip_count;
}

enum bt_err bt_download_check(struct bt_download *dl,
                              void (*progress)(void *arg, size_t done, size_t total), void *arg)
{
    size_t i, total = count_wanted(dl), done = 0;

    for (i = 0; i < dl->t->piece_count; i++) {
        /* A missing, short or damaged piece is only one still to fetch; a path
         * that leads out of the download, or no memory, stops the check. */
        enum bt_err err;

        if (!bt_picker_wanted(&dl->picker, i))
            continue;
        err = check_piece(dl, i);
        if (err != BT_OK)
            return err;
        if (progress != NULL)
            progress(arg, ++done, total);
    }
    return BT_OK;
}

enum bt_err bt_download_resume(struct bt_download *dl, const struct bt_bitfield *trusted,
                               const struct bt_bitfield *recheck,
                               void (*progress)(void *arg, size_t done, size_t total), void *arg)
{
    size_t i, total = 0, done = 0;

    /* Pieces not wanted are left alone: what the state says of them is
     * found again by hashing when their files are chosen (resume.h). */
    for (i = 0; i < dl->t->piece_count; i++)
        total += bt_picker_wanted(&dl->picker, i) && bt_bitfield_get(recheck, i);
    for (i = 0; i < dl->t->piece_count; i++) {
        if (!bt_picker_wanted(&dl->picker, i))
            continue;
        if (bt_bitfield_get(trusted, i)) {
            bt_download_set_have(dl, i);
        } else if (bt_bitfield_get(recheck, i)) {
            enum bt_err err = check_piece(dl, i);

            if (err != BT_OK)
                return err;
            if (progress != NULL)
                progress(arg, ++done, total);
        }
    }
    return BT_OK;
}

enum bt_err bt_download_save_state(struct bt_download *dl, const char *path)
{
    struct bt_bitfield durable;
    struct bt_resume_file *files;
    enum bt_err err;

    /* The pieces written so far; the files are stat()ed after, so a write
     * that comes later changes their mtime. */
    bt_bitfield_init(&durable);
    err = bt_bitfield_resize(&durable, dl->t->piece_count);
    if (err != BT_OK)
        return err;
    if (durable.count > 0)
        memcpy(durable.bits, dl->have.bits, bt_bitfield_bytes(durable.count));
    files = calloc(dl->t->file_count > 0 ? dl->t->file_count : 1, sizeof(*files));
    if (files == NULL) {
        bt_bitfield_release(&durable);
        return BT_ERR_NOMEM;
    }
    err = bt_resume_stat(dl->storage, files);
    if (err == BT_OK)
        err = bt_resume_save(path, dl->t, &durable, files);
    free(files);
    bt_bitfield_release(&durable);
    return err;
}

enum bt_err bt_download_start(struct bt_download *dl, struct bt_loop *loop,
                              const struct bt_peer_config *cfg, const struct bt_download_opts *opts)
{
    enum bt_err err;

    dl->loop = loop;
    dl->cfg = *cfg;
    /* BEP 27: a private torrent's peers come from its trackers alone. */
    if (dl->t->is_private)
        dl->cfg.ut_pex_id = 0;
    dl->seed_after = opts->seed_after;
    dl->give_up_ms = opts->give_up_ms;
    bt_rate_init(&dl->down, opts->max_download_rate, bt_loop_now_ms());
    bt_rate_init(&dl->up, opts->max_upload_rate, bt_loop_now_ms());
    dl->start_ms = bt_loop_now_ms();
    dl->picker.sequential = opts->sequential;
    if (opts->seed != 0)
        dl->picker.rng = opts->seed;
    /* Safe to call again after a failure (a port in use, say). */
    if (dl->pool.conns == NULL) {
        dl->pool.log = dl->log;
        dl->pool.log_arg = dl->log_arg;
        dl->pool.trace = dl->trace;
        dl->pool.trace_arg = dl->trace_arg;
        err = bt_pool_start(&dl->pool, loop, &dl->cfg,
                            opts->max_conns != 0 ? opts->max_conns : BT_DL_MAX_PEERS, &dl_ops, dl);
        if (err != BT_OK)
            return err;
    }
    dl->last_progress_ms = bt_loop_now_ms();
    err = bt_writeback_start(&dl->wb, loop, on_written, dl);
    if (err != BT_OK)
        return err;
    if (opts->listen != NULL) {
        err = bt_pool_listen(&dl->pool, opts->listen);
        if (err != BT_OK)
            return err;
        dl->cfg.listen_port = bt_addr_port(&dl->pool.listen_addr);
    }
    if ((bt_rate_limited(&dl->down) || bt_rate_limited(&dl->up)) && dl->rate_timer == 0) {
        err = bt_loop_timer(loop, BT_RATE_TICK_MS, on_rate_tick, dl, &dl->rate_timer);
        if (err != BT_OK)
            return err;
    }
    return bt_loop_timer(loop, 0, on_session_tick, dl, &dl->timer);
}

enum bt_err bt_download_webseeds(struct bt_download *dl, char *const *urls, size_t n)
{
    size_t i;

    for (i = 0; i < n && dl->webseed_count < BT_WEBSEED_MAX; i++) {
        struct bt_webseed *ws = &dl->webseeds[dl->webseed_count];
        enum bt_err err;

        bt_webseed_init(ws);
        err = bt_webseed_start(ws, dl->loop, dl->t, urls[i], on_webseed_done, dl);
        if (err == BT_ERR_TRACKER_URL) {
            bt_pool_say(&dl->pool, urls[i], "web seed skipped: not an http or https URL");
            bt_webseed_release(ws);
            continue;
        }
        if (err != BT_OK) {
            bt_webseed_release(ws);
            return err;
        }
        dl->webseed_count++;
    }
    webseeds_fill(dl);
    return BT_OK;
}

/* The announcer asks for our numbers as each announce starts. */
static void announce_stats(void *arg, struct bt_announce_stats *st)
{
    struct bt_download *dl = arg;

    st->port = dl->pool.listen_fd >= 0 ? bt_addr_port(&dl->pool.listen_addr) : 0;
    st->downloaded = (int64_t)dl->downloaded;
    st->uploaded = (int64_t)bt_download_uploaded(dl);
    st->left = dl->t->content_length - dl->have_bytes;
    st->starving = bt_download_usable_peers(dl) == 0;
}

/* A tracker answered (or failed): its peers become candidates. */
static void on_announced(void *arg, const struct bt_announce_result *r)
{
    struct bt_download *dl = arg;
    size_t i;

    if (dl->report != NULL)
        dl->report(dl->report_arg, r);
    for (i = 0; r->err == BT_OK && i < r->resp.peers.count; i++) {
        const struct bt_netaddr *tp = &r->resp.peers.peers[i];
        struct bt_addr addr;

        if (bt_addr_from_netaddr(tp, &addr) == BT_OK)
            bt_download_add_peer(dl, &addr);
    }
}

enum bt_err bt_download_announce(struct bt_download *dl, char *const *urls, size_t n,
                                 bt_tracker_result_fn *report, void *arg)
{
    struct bt_announcer_config cfg;

    dl->report = report;
    dl->report_arg = arg;
    bt_announcer_config_init(&cfg);
    memcpy(cfg.peer_id, dl->cfg.peer_id, BT_PEER_ID_LEN);
    cfg.stats = announce_stats;
    cfg.stats_arg = dl;
    cfg.result = on_announced;
    cfg.result_arg = dl;
    return bt_announcer_start(&dl->ann, dl->loop, dl->t, urls, n, &cfg);
}

/* The DHT found peers: candidates, as a tracker's are. */
static void on_dht_peers(void *arg, const struct bt_netaddr *peers, size_t n)
{
    struct bt_download *dl = arg;
    size_t i;

    for (i = 0; i < n; i++) {
        struct bt_addr addr;

        if (bt_addr_from_netaddr(&peers[i], &addr) == BT_OK)
            bt_download_add_peer(dl, &addr);
    }
}

void bt_download_dht(struct bt_download *dl, struct bt_dht *dht, uint16_t node_port)
{
    uint16_t listen = dl->pool.listen_fd >= 0 ? bt_addr_port(&dl->pool.listen_addr) : 0;

    bt_dht_source_start(&dl->dht, dht, node_port, dl->t->info_hash, listen, on_dht_peers, dl);
}

enum bt_err bt_download_add_peer(struct bt_download *dl, const struct bt_addr *addr)
{
    size_t i;

    if (dl->pool.listen_fd >= 0 && bt_addr_equal(addr, &dl->pool.listen_addr))
        return BT_OK;
    for (i = 0; i < dl->cand_count; i++)
        if (bt_addr_equal(&dl->cands[i].addr, addr))
            return BT_OK;
    if (dl->cand_count >= BT_DL_MAX_CANDIDATES)
        return BT_ERR_TOO_LARGE;
    if (dl->cand_count == dl->cand_cap) {
        size_t newcap = dl->cand_cap == 0 ? 64 : dl->cand_cap * 2;
        struct bt_dl_candidate *p = realloc(dl->cands, newcap * sizeof(*p));

        if (p == NULL)
            return BT_ERR_NOMEM;
        dl->cands = p;
        dl->cand_cap = newcap;
    }
    memset(&dl->cands[dl->cand_count], 0, sizeof(dl->cands[0]));
    dl->cands[dl->cand_count].addr = *addr;
    dl->cands[dl->cand_count].state = BT_DL_CAND_IDLE;
    dl->cand_count++;
    if (dl->loop != NULL)
        fill_slots(dl);
    return BT_OK;
}

size_t bt_download_usable_peers(const struct bt_download *dl)
{
    size_t i, n = dl->pool.conn_count;

    for (i = 0; i < dl->cand_count; i++)
        if (dl->cands[i].state == BT_DL_CAND_IDLE && dl->cands[i].fails < BT_DL_MAX_FAILS)
            n++;
    return n;
}

size_t bt_download_open_peers(const struct bt_download *dl)
{
    size_t i, n = 0;

    for (i = 0; i < dl->pool.max_conns; i++)
        if (conn_at(dl, i) != NULL && conn_at(dl, i)->open)
            n++;
    return n;
}

uint64_t bt_download_rate(const struct bt_download *dl)
{
    uint64_t sum = 0;
    size_t i;

    for (i = 0; i < dl->pool.max_conns; i++)
        if (conn_at(dl, i) != NULL)
            sum += conn_at(dl, i)->rate;
    return sum;
}

uint64_t bt_download_uploaded(const struct bt_download *dl)
{
    uint64_t sum = dl->uploaded;
    size_t i;

    for (i = 0; i < dl->pool.max_conns; i++)
        if (conn_at(dl, i) != NULL)
            sum += conn_at(dl, i)->up.bytes_sent;
    return sum;
}

void bt_download_release(struct bt_download *dl)
{
    size_t i;

    if (seeding(dl))
        bt_announcer_completed(&dl->ann);
    bt_announcer_stop(&dl->ann); /* while the numbers it reports are still there */
    bt_announcer_release(&dl->ann);
    bt_dht_source_release(&dl->dht);
    bt_pool_release(&dl->pool); /* first: forgetting a connection updates the picker */
    for (i = 0; i < dl->webseed_count; i++)
        bt_webseed_release(&dl->webseeds[i]);
    if (dl->timer != 0)
        bt_loop_cancel(dl->loop, dl->timer);
    if (dl->rate_timer != 0)
        bt_loop_cancel(dl->loop, dl->rate_timer);
    for (i = 0; i < dl->active_count; i++)
        bt_piece_hash_release(&dl->active[i].hash);
    free(dl->active);
    free(dl->cands);
    free(dl->scratch);
    bt_leaf_table_release(&dl->leaves);
    bt_writeback_release(&dl->wb);
    bt_picker_release(&dl->picker);
    bt_bitfield_release(&dl->have);
    bt_download_init(dl);
}
