/*
 * server.c - bt-tracker's state, shared by its front ends (server_http.c,
 * server_udp.c) and its listener (listener.c): the configuration, the swarm
 * table (swarm.h), the secret behind UDP connection ids, and the log.  See
 * server.h.
 */
#include "tracker/server.h"

#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/random.h"

#define LOG_LINE_MAX 256

void bt_tracker_server_config_init(struct bt_tracker_server_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->interval_s = BT_TRACKER_DEFAULT_INTERVAL;
    cfg->max_torrents = BT_SWARM_DEFAULT_MAX_TORRENTS;
    cfg->max_peers = BT_SWARM_DEFAULT_MAX_PEERS;
    cfg->default_numwant = BT_SWARM_DEFAULT_NUMWANT;
}

enum bt_err bt_tracker_server_init(struct bt_tracker_server *srv,
                                   const struct bt_tracker_server_config *cfg, struct bt_loop *loop)
{
    size_t i;

    memset(srv, 0, sizeof(*srv));
    srv->cfg = *cfg;
    srv->loop = loop;
    for (i = 0; i < BT_TRACKER_SERVER_MAX_BINDS; i++) {
        srv->tcp_fds[i] = -1;
        srv->udp_fds[i] = -1;
    }
    bt_swarms_init(&srv->swarms, (uint64_t)cfg->interval_s * 2 * 1000);
    srv->swarms.max_torrents = cfg->max_torrents;
    srv->swarms.max_peers = cfg->max_peers;
    return bt_random_bytes(srv->secret, sizeof(srv->secret));
}

void bt_tracker_server_log(struct bt_tracker_server *srv, const char *fmt, ...)
{
    char line[LOG_LINE_MAX];
    va_list ap;

    if (srv->cfg.log == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    srv->cfg.log(srv->cfg.log_arg, line);
}

/* For the log: a regular re-announce has no event name. */
static const char *event_word(enum bt_tracker_event e)
{
    const char *name = bt_tracker_event_name(e);

    return name != NULL ? name : "update";
}

void bt_tracker_server_log_announce(struct bt_tracker_server *srv, const char *proto,
                                    const char *host, const struct bt_swarm_announce *a,
                                    size_t given, const struct bt_swarm_stats *stats)
{
    char hex[2 * BT_TRACKER_HASH_LEN + 1];

    bt_hex_encode(a->info_hash, BT_TRACKER_HASH_LEN, hex);
    bt_tracker_server_log(srv,
                          "%s announce %s %s port %u %s left %lld: %zu peers (%zu seeders, "
                          "%zu leechers)",
                          proto, host, hex, (unsigned)a->addr.port, event_word(a->event),
                          (long long)a->left, given, stats->seeders, stats->leechers);
}

void bt_tracker_server_peer(const struct bt_addr *from, uint16_t port, struct bt_netaddr *peer)
{
    bt_netaddr_from_addr(from, peer);
    peer->port = port;
}
