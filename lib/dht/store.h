/*
 * store.h - what a DHT node keeps for others (BEP 5): the peers announced to it
 * for each info hash, and the tokens that prove an announcer asked first.
 *
 *   get_peers  from 192.0.2.7      ─> answer with token T = SHA-1(secret | 192.0.2.7)
 *   announce_peer from 192.0.2.7, token T, port 6881
 *                                   ─> T matches: store 192.0.2.7:6881 for the hash
 *
 * A token depends on the querier's address and a secret that changes every
 * BT_DHT_SECRET_MS; tokens made with the previous secret are still accepted,
 * so a token lives five to ten minutes and cannot be forged for another
 * address.  Peers expire BT_DHT_PEER_TTL_MS after their last announce.
 *
 * Bounded: at most max_hashes info hashes and max_peers peers for each.  A
 * full hash gives its stalest peer's place to a newcomer; a new hash when the
 * table is full takes the place of the hash whose freshest peer is stalest.
 */
#ifndef BT_DHT_STORE_H
#define BT_DHT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/net.h"
#include "dht/id.h"

#define BT_DHT_TOKEN_LEN        8                 /* bytes of the tokens we give */
#define BT_DHT_SECRET_MS        (5u * 60 * 1000)  /* BEP 5: a new secret every 5 minutes */
#define BT_DHT_PEER_TTL_MS      (30u * 60 * 1000) /* a peer announced this long ago is gone */
#define BT_DHT_STORE_MAX_HASHES 1000
#define BT_DHT_STORE_MAX_PEERS  100 /* per info hash */

struct bt_dht_stored_peer {
    struct bt_netaddr addr;
    uint64_t seen_ms;
};

struct bt_dht_stored_hash {
    unsigned char info_hash[BT_DHT_ID_LEN];
    struct bt_dht_stored_peer *peers;
    size_t count, cap;
};

struct bt_dht_store {
    unsigned char secret[2][16]; /* [0] current, [1] previous */
    uint64_t secret_ms;          /* when secret[0] was made; 0: none yet */
    struct bt_dht_stored_hash *hashes;
    size_t count, cap;
    size_t max_hashes, max_peers;
};

/* An empty store with the default caps.  Cannot fail. */
void bt_dht_store_init(struct bt_dht_store *s);
void bt_dht_store_release(struct bt_dht_store *s);

/* Make a new secret when BT_DHT_SECRET_MS have passed (at the first call, both).
 * BT_ERR_IO without random bytes. */
enum bt_err bt_dht_store_rotate(struct bt_dht_store *s, uint64_t now);

/* The token for a querier at addr (its IP only: the port may change). */
void bt_dht_store_token(const struct bt_dht_store *s, const struct bt_netaddr *addr,
                        unsigned char out[BT_DHT_TOKEN_LEN]);
/* Is token one we gave addr with the current or the previous secret? */
int bt_dht_store_token_ok(const struct bt_dht_store *s, const struct bt_netaddr *addr,
                          const unsigned char *token, size_t len);

/* Store (or refresh) peer for info_hash at now.  BT_ERR_NOMEM. */
enum bt_err bt_dht_store_add(struct bt_dht_store *s, const unsigned char *info_hash,
                             const struct bt_netaddr *peer, uint64_t now);

/* Up to max peers of info_hash heard within BT_DHT_PEER_TTL_MS, of the family
 * iplen (4 or 16; 0 for both), from a random place in the list.  Returns how
 * many. */
size_t bt_dht_store_get(const struct bt_dht_store *s, const unsigned char *info_hash, uint64_t now,
                        size_t iplen, struct bt_netaddr *out, size_t max);

/* Forget peers older than BT_DHT_PEER_TTL_MS, and hashes left empty.  Returns
 * how many peers went. */
size_t bt_dht_store_expire(struct bt_dht_store *s, uint64_t now);

#endif /* BT_DHT_STORE_H */
