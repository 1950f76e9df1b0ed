/*
 * leaf_table.c - the leaf hashes of v2 pieces in progress.  See leaf_table.h.
 */
#include "session/leaf_table.h"

#include <stdlib.h>
#include <string.h>

#include "pieces/piece_hash.h"

void bt_leaf_table_init(struct bt_leaf_table *lt, const struct bt_torrent *t)
{
    memset(lt, 0, sizeof(*lt));
    lt->t = t;
}

void bt_leaf_table_release(struct bt_leaf_table *lt)
{
    size_t i;

    for (i = 0; i < lt->n; i++)
        free(lt->e[i].hashes);
    lt->n = 0;
}

static struct bt_leaf_entry *find(const struct bt_leaf_table *lt, uint32_t piece)
{
    size_t i;

    for (i = 0; i < lt->n; i++)
        if (lt->e[i].piece == piece)
            return (struct bt_leaf_entry *)&lt->e[i];
    return NULL;
}

static void drop(struct bt_leaf_table *lt, struct bt_leaf_entry *e)
{
    free(e->hashes);
    *e = lt->e[--lt->n];
}

int bt_leaf_table_ask(struct bt_leaf_table *lt, uint32_t piece, const void *conn,
                      struct bt_hash_request *r)
{
    struct bt_leaf_entry *e;
    const unsigned char *root;
    uint32_t first, count;

    if (lt->n == BT_LEAF_TABLE_MAX || find(lt, piece) != NULL)
        return 0;
    if (bt_piece_leaves(lt->t, piece, &root, &first, &count) != BT_OK || count > BT_HASHES_ASK_MAX)
        return 0;
    e = &lt->e[lt->n++];
    memset(e, 0, sizeof(*e));
    e->piece = piece;
    e->count = count;
    e->asked = conn;
    memcpy(e->req.root, root, BT_PIECES_ROOT_LEN);
    e->req.base = 0;
    e->req.index = first;
    e->req.length = count;
    e->req.proof_layers = 0; /* proven against the piece's hash, which we hold */
    *r = e->req;
    return 1;
}

void bt_leaf_table_unask(struct bt_leaf_table *lt, uint32_t piece)
{
    struct bt_leaf_entry *e = find(lt, piece);

    if (e != NULL && e->hashes == NULL)
        drop(lt, e);
}

/* The entry asked of conn with request r, not yet answered. */
static struct bt_leaf_entry *asked_with(struct bt_leaf_table *lt, const void *conn,
                                        const struct bt_hash_request *r)
{
    size_t i;

    for (i = 0; i < lt->n; i++) {
        struct bt_leaf_entry *e = &lt->e[i];

        if (e->hashes == NULL && e->asked == conn && e->req.base == r->base &&
            e->req.index == r->index && e->req.length == r->length &&
            e->req.proof_layers == r->proof_layers &&
            memcmp(e->req.root, r->root, BT_PIECES_ROOT_LEN) == 0)
            return e;
    }
    return NULL;
}

enum bt_err bt_leaf_table_take(struct bt_leaf_table *lt, const void *conn,
                               const struct bt_hashes *h)
{
    struct bt_leaf_entry *e = asked_with(lt, conn, &h->req);
    size_t len;

    if (e == NULL)
        return BT_ERR_INVALID;
    if (bt_piece_leaves_check(lt->t, e->piece, h->hashes, e->count) != BT_OK) {
        drop(lt, e);
        return BT_ERR_HASHES_PROOF;
    }
    len = (size_t)e->count * BT_MERKLE_HASH_LEN;
    e->hashes = malloc(len);
    if (e->hashes == NULL) {
        drop(lt, e);
        return BT_ERR_NOMEM;
    }
    memcpy(e->hashes, h->hashes, len);
    e->asked = NULL;
    return BT_OK;
}

int bt_leaf_table_rejected(struct bt_leaf_table *lt, const void *conn,
                           const struct bt_hash_request *r)
{
    struct bt_leaf_entry *e = asked_with(lt, conn, r);

    if (e == NULL)
        return 0;
    drop(lt, e);
    return 1;
}

void bt_leaf_table_forget(struct bt_leaf_table *lt, const void *conn)
{
    size_t i = 0;

    while (i < lt->n) {
        if (lt->e[i].hashes == NULL && lt->e[i].asked == conn)
            drop(lt, &lt->e[i]);
        else
            i++;
    }
}

const unsigned char *bt_leaf_table_get(const struct bt_leaf_table *lt, uint32_t piece,
                                       uint32_t *count)
{
    const struct bt_leaf_entry *e = find(lt, piece);

    if (e == NULL || e->hashes == NULL)
        return NULL;
    *count = e->count;
    return e->hashes;
}

void bt_leaf_table_done(struct bt_leaf_table *lt, uint32_t piece)
{
    struct bt_leaf_entry *e = find(lt, piece);

    if (e != NULL)
        drop(lt, e);
}
