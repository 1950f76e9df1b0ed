/*
 * lsd.h - local service discovery (BEP 14): peers of the same torrent on one
 * LAN find each other by multicast, with no tracker and no DHT.
 *
 *   to 239.192.152.143:6771 (UDP)
 *   BT-SEARCH * HTTP/1.1\r\n
 *   Host: 239.192.152.143:6771\r\n
 *   Port: 6881\r\n                          where we accept peers (TCP)
 *   Infohash: 0972d0bbd02f48e58c33af93de790bf17d806820\r\n
 *   cookie: 6a1f...\r\n                     ours, to know our own echo
 *   \r\n
 *   \r\n
 *
 * Every node on the link that joined the group hears it; one that has the
 * torrent takes the sender's address and the Port header as a peer.  We
 * announce when we start and every BT_LSD_INTERVAL_MS, and answer a peer we
 * have not heard before with an announce of ours (at most once a
 * BT_LSD_REPLY_GAP_MS), so that a newcomer need not wait five minutes to hear
 * from the ones already there.  Never for a private torrent (BEP 27): the
 * caller decides.  Off unless asked for (--lsd): tests run it only inside a
 * network namespace of their own.
 */
#ifndef BT_LSD_H
#define BT_LSD_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/loop.h"
#include "core/net.h"

#define BT_LSD_GROUP        "239.192.152.143"
#define BT_LSD_PORT         6771
#define BT_LSD_INTERVAL_MS  (5 * 60 * 1000) /* BEP 14: every five minutes */
#define BT_LSD_REPLY_GAP_MS (60 * 1000)     /* at most one answer a minute */
#define BT_LSD_MAX_MSG      1400            /* a datagram longer than this is ignored */
#define BT_LSD_MAX_HASHES   16              /* Infohash headers read per message */
#define BT_LSD_COOKIE_LEN   16              /* hex digits of our cookie */
#define BT_LSD_KNOWN        64              /* senders remembered, for answers */

/* A parsed announce. */
struct bt_lsd_msg {
    uint16_t port;
    unsigned char hashes[BT_LSD_MAX_HASHES][20];
    size_t hash_count;
    char cookie[BT_LSD_COOKIE_LEN * 4 + 1]; /* "" if none */
};

/*
 * Parse one datagram: the request line exactly, then "Name: value" headers
 * (names in any case) up to an empty line; a Port from 1 to 65535 and at
 * least one Infohash of 40 hex digits are required, unknown headers ignored,
 * Infohash headers past BT_LSD_MAX_HASHES ignored.  BT_ERR_INVALID otherwise.
 */
enum bt_err bt_lsd_parse(struct bt_lsd_msg *m, const char *p, size_t len);

/* Write our announce into out (cap bytes).  The length, or 0 if it does not fit. */
size_t bt_lsd_format(char *out, size_t cap, uint16_t port, const unsigned char hash[20],
                     const char *cookie);

/* A peer of our torrent heard on the link. */
typedef void bt_lsd_peer_fn(void *arg, const struct bt_addr *peer);

struct bt_lsd {
    struct bt_loop *loop;
    int fd;
    int watched; /* fd is on the loop */
    unsigned char hash[20];
    uint16_t port; /* our TCP port */
    char cookie[BT_LSD_COOKIE_LEN + 1];
    bt_lsd_peer_fn *on_peer;
    void *arg;
    uint64_t timer;
    uint64_t last_reply_ms;             /* 0: none yet */
    struct bt_addr known[BT_LSD_KNOWN]; /* senders heard, oldest overwritten */
    size_t known_count, known_next;
    uint64_t sent, heard; /* announces */
};

/* Cannot fail. */
void bt_lsd_init(struct bt_lsd *lsd);

/*
 * Join the group on every interface's default route, listen on port
 * BT_LSD_PORT (shared with other processes), and announce hash with our TCP
 * port now and every BT_LSD_INTERVAL_MS.  on_peer hears each peer of hash.
 * BT_ERR_IO (errno says why: no multicast route, say).
 */
enum bt_err bt_lsd_start(struct bt_lsd *lsd, struct bt_loop *loop, const unsigned char hash[20],
                         uint16_t port, bt_lsd_peer_fn *on_peer, void *arg);

/* Leave the group and close the socket. */
void bt_lsd_release(struct bt_lsd *lsd);

#endif /* BT_LSD_H */
