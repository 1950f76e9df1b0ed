/*
 * announce.h - what every tracker exchange is made of (BEP 3): the announce a
 * client sends, the answer it gets, and the peers in it, compact (BEP 23) or
 * IPv6 (BEP 7).  HTTP (http.h) and UDP (udp.h) carry the same fields in two
 * encodings; bt-tracker's server reads them back.
 *
 * A tracker is a meeting point.  A client says "I am peer P, I want torrent H,
 * I listen on port N, I still miss L bytes" and the tracker answers with other
 * peers of H:
 *
 *   request   info_hash  peer_id  port  uploaded  downloaded  left  event  numwant  key
 *   answer    interval  [min interval]  complete  incomplete  peers  [peers6]
 *             or "failure reason", and maybe a "warning message"
 *
 * One compact peer is 6 bytes (BEP 23), an IPv6 one 18 (BEP 7):
 *
 *   +----+----+----+----+----+----+      +-- 16 bytes --+----+----+
 *   | 192| 0  | 2  | 7  |0x1a|0xe1|      | 2001:db8::7  |0x1a|0xe1|
 *   +----+----+----+----+----+----+      +--------------+----+----+
 *     address, network order   port        address        port 6881
 *
 * Ownership: the caller owns every struct; _init cannot fail, _release frees.
 * A parsed answer copies what it keeps, so the bytes it came from may be freed.
 */
#ifndef BT_ANNOUNCE_H
#define BT_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/net.h"

#define BT_TRACKER_HASH_LEN     20    /* BEP 3: info_hash and peer_id are 20 raw bytes */
#define BT_TRACKER_MAX_PEERS    10000 /* peers kept from one answer; more are dropped */
#define BT_TRACKER_MAX_MESSAGE  1024  /* bytes kept of a failure reason or warning */
#define BT_TRACKER_DEFAULT_PORT 6881  /* BEP 3's customary first port */

/* BEP 3 "event": absent for a regular announce.  The numbers are BEP 15's. */
enum bt_tracker_event {
    BT_EVENT_NONE = 0,
    BT_EVENT_COMPLETED = 1,
    BT_EVENT_STARTED = 2,
    BT_EVENT_STOPPED = 3,
};

/* "started", "completed", "stopped", or NULL for BT_EVENT_NONE (sent as no event). */
const char *bt_tracker_event_name(enum bt_tracker_event event);
/* The event named by the n bytes at s: one of those three names, or "" (no
 * event); also "none", and BEP 21's "paused", read as a regular announce.
 * BT_ERR_INVALID for any other name. */
enum bt_err bt_tracker_event_parse(const char *s, size_t n, enum bt_tracker_event *event);

enum bt_tracker_scheme {
    BT_TRACKER_HTTP = 1,
    BT_TRACKER_HTTPS,
    BT_TRACKER_UDP,
};

/* The scheme of a tracker URL: http://, https:// or udp:// (case-insensitive),
 * followed by a host.  BT_ERR_TRACKER_URL for every other URL. */
enum bt_err bt_tracker_url_scheme(const char *url, enum bt_tracker_scheme *scheme);

struct bt_announce_req {
    unsigned char info_hash[BT_TRACKER_HASH_LEN];
    unsigned char peer_id[BT_TRACKER_HASH_LEN];
    uint16_t port; /* where we accept peers */
    int64_t uploaded, downloaded, left;
    enum bt_tracker_event event;
    int32_t numwant; /* -1: let the tracker choose */
    uint32_t key;    /* BEP 15 "key": lets a tracker recognise us if our address changes */
};

struct bt_peer_list {
    struct bt_netaddr *peers;
    size_t count, cap;
    size_t dropped; /* peers past BT_TRACKER_MAX_PEERS, not kept */
};

struct bt_announce_resp {
    int64_t interval;     /* seconds until the next announce; -1 if absent */
    int64_t min_interval; /* -1 if absent */
    int64_t complete;     /* seeders; -1 if absent */
    int64_t incomplete;   /* leechers; -1 if absent */
    char *failure;        /* "failure reason" (NUL-terminated copy), or NULL */
    char *warning;        /* "warning message", or NULL */
    struct bt_peer_list peers;
    size_t skipped; /* non-compact entries whose "ip" is a host name, not an address */
    /* On BT_ERR_TRACKER_NOT_BENCODED: where the body stops being bencode, and why.
     * On BT_ERR_TRACKER_RESPONSE and _PEERS: what is wrong, as a phrase for people
     * ("'interval' is not a non-negative integer"). */
    size_t err_offset;
    enum bt_err bencode_err;
    char detail[96];
    long http_status; /* the HTTP status, 0 if none */
};

/* How an announce may go: what the caller gives http.c and udp.c. */
struct bt_announce_opts {
    int timeout_ms; /* the whole announce, DNS to last byte */
};

/* numwant -1, port BT_TRACKER_DEFAULT_PORT, the rest zero. */
void bt_announce_req_init(struct bt_announce_req *req);
void bt_announce_resp_init(struct bt_announce_resp *resp);
void bt_announce_resp_release(struct bt_announce_resp *resp);

/* Keep a copy of a tracker's message (failure reason, warning): at most
 * BT_TRACKER_MAX_MESSAGE bytes of it, NUL-terminated, replacing *out. */
enum bt_err bt_announce_message(const unsigned char *s, size_t n, char **out);

void bt_peer_list_init(struct bt_peer_list *list);
void bt_peer_list_release(struct bt_peer_list *list);
/* Append one peer (BT_OK and dropped++ once the list is full). */
enum bt_err bt_peer_list_add(struct bt_peer_list *list, const struct bt_netaddr *peer);
/* Append the peers of src that dst does not hold yet. */
enum bt_err bt_peer_list_merge(struct bt_peer_list *dst, const struct bt_peer_list *src);
/* Append compact peers: n bytes of 6-byte (iplen 4) or 18-byte (iplen 16) entries.
 * BT_ERR_TRACKER_PEERS if n is not a multiple of the entry size. */
enum bt_err bt_peer_list_add_compact(struct bt_peer_list *list, const unsigned char *p, size_t n,
                                     size_t iplen);

#endif /* BT_ANNOUNCE_H */
