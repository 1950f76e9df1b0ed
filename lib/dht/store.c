/*
 * store.c - peers announced to us and the tokens that let them announce (BEP 5,
 * "announce_peer" and "get_peers").  See store.h.
 *
 * A token is a hash of a secret and the querier's IP address, so we keep no
 * list of tokens given out: one we gave comes back, we hash again and compare.
 *
 *   token = first BT_DHT_TOKEN_LEN bytes of SHA-1( secret (16) | IP (4 or 16) )
 *
 *   minute     0        5        10       15
 *   secret     A        B        C        D
 *   accepted   A        B, A     C, B     D, C
 *
 * Peers are kept per info hash in small growable arrays, with the time of their
 * last announce; get_peers hands out a slice from a random place, so that every
 * asker does not get the same few.
 */
#include "dht/store.h"

#include <stdlib.h>
#include <string.h>

#include "core/random.h"
#include "core/sha1.h"

/* Milliseconds from then to now; 0 if the clock went back. */
static uint64_t since(uint64_t now, uint64_t then)
{
    return now > then ? now - then : 0;
}

static int fresh(const struct bt_dht_stored_peer *p, uint64_t now)
{
    return since(now, p->seen_ms) < BT_DHT_PEER_TTL_MS;
}

void bt_dht_store_init(struct bt_dht_store *s)
{
    memset(s, 0, sizeof(*s));
    s->max_hashes = BT_DHT_STORE_MAX_HASHES;
    s->max_peers = BT_DHT_STORE_MAX_PEERS;
}

void bt_dht_store_release(struct bt_dht_store *s)
{
    size_t i;

    for (i = 0; i < s->count; i++)
        free(s->hashes[i].peers);
    free(s->hashes);
    s->hashes = NULL;
    s->count = 0;
    s->cap = 0;
}

enum bt_err bt_dht_store_rotate(struct bt_dht_store *s, uint64_t now)
{
    /* Both drawn before either is used, so that a failure changes nothing. */
    unsigned char drawn[2][sizeof(s->secret[0])];
    enum bt_err err;

    if (s->secret_ms != 0 && since(now, s->secret_ms) < BT_DHT_SECRET_MS)
        return BT_OK;
    err = bt_random_bytes(drawn, sizeof(drawn));
    if (err != BT_OK)
        return err;
    if (s->secret_ms == 0 || since(now, s->secret_ms) >= 2 * (uint64_t)BT_DHT_SECRET_MS) {
        /* The first call, or one so late that the current secret is ten
         * minutes old already: no token given that long ago is still good. */
        memcpy(s->secret[1], drawn[1], sizeof(s->secret[1]));
    } else {
        memcpy(s->secret[1], s->secret[0], sizeof(s->secret[1]));
    }
    memcpy(s->secret[0], drawn[0], sizeof(s->secret[0]));
    s->secret_ms = now;
    return BT_OK;
}

/* The token for addr under secret `which` (0 current, 1 previous).  Only the IP
 * goes in: a NAT may give the querier another port for its announce. */
static enum bt_err make_token(const struct bt_dht_store *s, size_t which,
                              const struct bt_netaddr *addr, unsigned char out[BT_DHT_TOKEN_LEN])
{
    unsigned char in[sizeof(s->secret[0]) + sizeof(addr->ip)];
    unsigned char digest[BT_SHA1_LEN];
    size_t iplen = addr->iplen < sizeof(addr->ip) ? addr->iplen : sizeof(addr->ip);
    enum bt_err err;

    memcpy(in, s->secret[which], sizeof(s->secret[0]));
    memcpy(in + sizeof(s->secret[0]), addr->ip, iplen);
    err = bt_sha1(in, sizeof(s->secret[0]) + iplen, digest);
    if (err != BT_OK)
        return err;
    memcpy(out, digest, BT_DHT_TOKEN_LEN);
    return BT_OK;
}

void bt_dht_store_token(const struct bt_dht_store *s, const struct bt_netaddr *addr,
                        unsigned char out[BT_DHT_TOKEN_LEN])
{
    /* Should hashing fail, the zeros given out are never accepted: token_ok
     * hashes too, and refuses when it cannot. */
    if (make_token(s, 0, addr, out) != BT_OK)
        memset(out, 0, BT_DHT_TOKEN_LEN);
}

/* Compare every byte, whatever the first difference: how long a refusal takes
 * tells nothing about how much of a guess was right. */
static int same_token(const unsigned char *a, const unsigned char *b)
{
    unsigned diff = 0;
    size_t i;

    for (i = 0; i < BT_DHT_TOKEN_LEN; i++)
        diff |= (unsigned)(a[i] ^ b[i]);
    return diff == 0;
}

int bt_dht_store_token_ok(const struct bt_dht_store *s, const struct bt_netaddr *addr,
                          const unsigned char *token, size_t len)
{
    unsigned char want[BT_DHT_TOKEN_LEN];
    size_t i;

    if (s->secret_ms == 0 || len != BT_DHT_TOKEN_LEN)
        return 0;
    for (i = 0; i < 2; i++) {
        if (make_token(s, i, addr, want) == BT_OK && same_token(want, token))
            return 1;
    }
    return 0;
}

static struct bt_dht_stored_hash *find_hash(const struct bt_dht_store *s,
                                            const unsigned char *info_hash)
{
    size_t i;

    for (i = 0; i < s->count; i++) {
        if (memcmp(s->hashes[i].info_hash, info_hash, BT_DHT_ID_LEN) == 0)
            return &s->hashes[i];
    }
    return NULL;
}

/* The capacity after cap for a full array: doubled (from 8), never past max.
 * The callers grow only below max, so there is always room for one more. */
static size_t grown(size_t cap, size_t max)
{
    size_t next = cap == 0 ? 8 : 2 * cap;

    return next < max ? next : max;
}

/* When h's freshest peer announced. */
static uint64_t freshest(const struct bt_dht_stored_hash *h)
{
    uint64_t best = 0;
    size_t i;

    for (i = 0; i < h->count; i++) {
        if (h->peers[i].seen_ms > best)
            best = h->peers[i].seen_ms;
    }
    return best;
}

/*
 * A place for a new hash: a new slot, or, in a full store, the slot of the
 * hash whose freshest peer is stalest (the one likeliest to be dead).  Its
 * peer array is kept for the newcomer.
 */
static enum bt_err new_hash(struct bt_dht_store *s, const unsigned char *info_hash,
                            struct bt_dht_stored_hash **out)
{
    struct bt_dht_stored_hash *h;
    size_t i, victim = 0;

    if (s->count >= s->max_hashes) {
        for (i = 1; i < s->count; i++) {
            if (freshest(&s->hashes[i]) < freshest(&s->hashes[victim]))
                victim = i;
        }
        h = &s->hashes[victim];
        h->count = 0;
    } else {
        if (s->count == s->cap) {
            size_t cap = grown(s->cap, s->max_hashes);

            h = realloc(s->hashes, cap * sizeof(*h));
            if (h == NULL)
                return BT_ERR_NOMEM;
            s->hashes = h;
            s->cap = cap;
        }
        h = &s->hashes[s->count++];
        memset(h, 0, sizeof(*h));
    }
    memcpy(h->info_hash, info_hash, BT_DHT_ID_LEN);
    *out = h;
    return BT_OK;
}

/* A slot in h for peer: its own, a new one, or in a full list the stalest. */
static enum bt_err peer_slot(struct bt_dht_store *s, struct bt_dht_stored_hash *h,
                             const struct bt_netaddr *peer, struct bt_dht_stored_peer **out)
{
    struct bt_dht_stored_peer *p;
    size_t i, stalest = 0;

    for (i = 0; i < h->count; i++) {
        if (bt_netaddr_equal(&h->peers[i].addr, peer)) {
            *out = &h->peers[i];
            return BT_OK;
        }
    }
    if (h->count >= s->max_peers) {
        for (i = 1; i < h->count; i++) {
            if (h->peers[i].seen_ms < h->peers[stalest].seen_ms)
                stalest = i;
        }
        *out = &h->peers[stalest];
        return BT_OK;
    }
    if (h->count == h->cap) {
        size_t cap = grown(h->cap, s->max_peers);

        p = realloc(h->peers, cap * sizeof(*p));
        if (p == NULL)
            return BT_ERR_NOMEM;
        h->peers = p;
        h->cap = cap;
    }
    *out = &h->peers[h->count++];
    return BT_OK;
}

enum bt_err bt_dht_store_add(struct bt_dht_store *s, const unsigned char *info_hash,
                             const struct bt_netaddr *peer, uint64_t now)
{
    struct bt_dht_stored_hash *h;
    struct bt_dht_stored_peer *p;
    enum bt_err err;

    if (peer->iplen != 4 && peer->iplen != 16)
        return BT_ERR_INVALID;
    /* A store with no room at all keeps nothing. */
    if (s->max_hashes == 0 || s->max_peers == 0)
        return BT_OK;
    h = find_hash(s, info_hash);
    if (h == NULL) {
        err = new_hash(s, info_hash, &h);
        if (err != BT_OK)
            return err;
    }
    err = peer_slot(s, h, peer, &p);
    if (err != BT_OK)
        return err;
    p->addr = *peer;
    p->seen_ms = now;
    return BT_OK;
}

size_t bt_dht_store_get(const struct bt_dht_store *s, const unsigned char *info_hash, uint64_t now,
                        size_t iplen, struct bt_netaddr *out, size_t max)
{
    const struct bt_dht_stored_hash *h = find_hash(s, info_hash);
    uint32_t r = 0;
    size_t i, n = 0, start;

    if (h == NULL || h->count == 0)
        return 0;
    /* Without random bytes the slice starts at the top: less fair, still right. */
    if (bt_random_bytes(&r, sizeof(r)) != BT_OK)
        r = 0;
    start = r % h->count;
    for (i = 0; i < h->count && n < max; i++) {
        const struct bt_dht_stored_peer *p = &h->peers[(start + i) % h->count];

        if (!fresh(p, now))
            continue;
        if (iplen != 0 && p->addr.iplen != iplen)
            continue;
        out[n++] = p->addr;
    }
    return n;
}

size_t bt_dht_store_expire(struct bt_dht_store *s, uint64_t now)
{
    size_t i = 0, j, gone = 0;

    while (i < s->count) {
        struct bt_dht_stored_hash *h = &s->hashes[i];

        /* Order means nothing in either list: the last entry fills each hole. */
        j = 0;
        while (j < h->count) {
            if (fresh(&h->peers[j], now)) {
                j++;
                continue;
            }
            h->peers[j] = h->peers[--h->count];
            gone++;
        }
        if (h->count > 0) {
            i++;
            continue;
        }
        free(h->peers);
        s->hashes[i] = s->hashes[--s->count];
    }
    return gone;
}
