/*
 * dht_source.c - the DHT as a source of peers for a session.  See dht_source.h.
 */
#include "session/dht_source.h"

#include <string.h>

#include "wire/handshake.h"

void bt_dht_source_init(struct bt_dht_source *s)
{
    memset(s, 0, sizeof(*s));
}

void bt_dht_source_start(struct bt_dht_source *s, struct bt_dht *dht, uint16_t node_port,
                         const unsigned char *info_hash, uint16_t peer_port,
                         bt_dht_source_found_fn *found, void *arg)
{
    s->dht = dht;
    s->node_port = node_port;
    memcpy(s->info_hash, info_hash, BT_DHT_ID_LEN);
    s->peer_port = peer_port;
    s->found = found;
    s->arg = arg;
    s->next_ms = 0; /* at the first tick */
}

static void on_lookup(void *arg, const struct bt_dht_result *r)
{
    struct bt_dht_source *s = arg;
    uint64_t now = s->next_ms; /* set to the start time when the lookup began */

    s->busy = 0;
    if (r->peer_count > 0 && s->found != NULL)
        s->found(s->arg, r->peers, r->peer_count);
    /* A node that knows nobody yet (its bootstrap still runs) is asked again soon. */
    if (r->err == BT_ERR_DHT_NO_NODES)
        s->next_ms = now + BT_DHT_SOURCE_RETRY_MS;
    else
        s->next_ms = now + (r->peer_count > 0 ? BT_DHT_SOURCE_MS : BT_DHT_SOURCE_STARVING_MS);
}

void bt_dht_source_tick(struct bt_dht_source *s, uint64_t now, int starving)
{
    enum bt_err err;

    if (s->dht == NULL || s->busy)
        return;
    if (starving && s->next_ms > now + BT_DHT_SOURCE_STARVING_MS)
        s->next_ms = now + BT_DHT_SOURCE_STARVING_MS;
    if (now < s->next_ms)
        return;
    s->busy = 1;
    s->next_ms = now; /* on_lookup counts from here; it may run before we return */
    if (s->peer_port != 0)
        err = bt_dht_announce(s->dht, s->info_hash, s->peer_port, now, on_lookup, s);
    else
        err = bt_dht_get_peers(s->dht, s->info_hash, now, on_lookup, s);
    if (err != BT_OK) {
        s->busy = 0;
        s->next_ms = now + BT_DHT_SOURCE_RETRY_MS;
    }
}

int bt_dht_source_alive(const struct bt_dht_source *s)
{
    return s->dht != NULL && (s->busy || s->dht->table.node_count > 0);
}

enum bt_err bt_dht_source_handshake(struct bt_dht_source *s, struct bt_peer *p)
{
    if (s->dht == NULL || s->node_port == 0 ||
        !bt_handshake_has_bit(p->remote.reserved, BT_RESERVED_DHT_BYTE, BT_RESERVED_DHT_BIT))
        return BT_OK;
    return bt_peer_send_port(p, s->node_port);
}

void bt_dht_source_port(struct bt_dht_source *s, const struct bt_peer *p, uint16_t port,
                        uint64_t now)
{
    struct bt_netaddr node;

    if (s->dht == NULL || port == 0)
        return;
    bt_netaddr_from_addr(&p->addr, &node);
    node.port = port;
    /* No callback: its answer puts it in the table, and that is all we want. */
    (void)bt_dht_ping(s->dht, &node, now, NULL, NULL);
}

void bt_dht_source_release(struct bt_dht_source *s)
{
    if (s->dht != NULL && s->busy)
        bt_dht_forget(s->dht, s);
    bt_dht_source_init(s);
}
