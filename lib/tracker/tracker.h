/*
 * tracker.h - talking to trackers: the announce (BEP 3), compact peers (BEP 23),
 * IPv6 peers (BEP 7), tiers of trackers (BEP 12) and UDP trackers (BEP 15).
 *
 * A tracker is a meeting point.  A client says "I am peer P, I want torrent H,
 * I listen on port N" and the tracker answers with other peers of H:
 *
 *   GET /announce?info_hash=%12%34...&peer_id=-BK0010-...&port=6881
 *       &uploaded=0&downloaded=0&left=1048576&compact=1&event=started
 *
 *   d 8:interval i1800e 8:complete i3e 10:incomplete i5e
 *     5:peers 12:<6 bytes per IPv4 peer>  6:peers6 18:<18 bytes per IPv6 peer> e
 *
 * This header is the part without a network: the request and response structs,
 * the announce URL, parsing of HTTP response bodies, the BEP 15 packets, tiers
 * and the peer id.  tracker_http.c and tracker_udp.c send the request.
 *
 * Ownership: the caller owns every struct; _init cannot fail, _release frees.
 * A parsed response copies what it keeps, so the body may be freed afterwards.
 */
#ifndef BT_TRACKER_H
#define BT_TRACKER_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/bytes.h"
#include "core/error.h"

#define BT_TRACKER_HASH_LEN     20         /* BEP 3: info_hash and peer_id are 20 raw bytes */
#define BT_TRACKER_COMPACT4     6          /* BEP 23: 4 address bytes + 2 port bytes, big-endian */
#define BT_TRACKER_COMPACT6     18         /* BEP 7: 16 address bytes + 2 port bytes */
#define BT_TRACKER_MAX_BODY     (1u << 20) /* bytes of a response we read at most */
#define BT_TRACKER_MAX_PEERS    10000      /* peers kept from one response; more are dropped */
#define BT_TRACKER_MAX_MESSAGE  1024       /* bytes kept of a failure reason or warning */
#define BT_TRACKER_MAX_TIERS    64         /* tiers and URLs per tier we try at most */
#define BT_TRACKER_MAX_URLS     64
#define BT_TRACKER_DEFAULT_PORT 6881 /* BEP 3's customary first port */

/* Our client prefix (Azureus style, as in BEP 20): "-" + 2 letters + 4 digits + "-". */
#define BT_PEER_ID_PREFIX "-BK0010-"

/* BEP 3 "event": absent for a regular announce.  The UDP values are BEP 15's. */
enum bt_tracker_event {
    BT_EVENT_NONE = 0,
    BT_EVENT_COMPLETED = 1,
    BT_EVENT_STARTED = 2,
    BT_EVENT_STOPPED = 3,
};

/* "started", "completed", "stopped", or NULL for BT_EVENT_NONE (sent as no event). */
const char *bt_tracker_event_name(enum bt_tracker_event event);

enum bt_tracker_scheme {
    BT_TRACKER_HTTP = 1,
    BT_TRACKER_HTTPS,
    BT_TRACKER_UDP,
};

struct bt_announce_req {
    unsigned char info_hash[BT_TRACKER_HASH_LEN];
    unsigned char peer_id[BT_TRACKER_HASH_LEN];
    uint16_t port; /* where we accept peers */
    int64_t uploaded, downloaded, left;
    enum bt_tracker_event event;
    int32_t numwant; /* -1: let the tracker choose */
    uint32_t key;    /* BEP 15 "key": lets a tracker recognise us if our address changes */
};

/* One peer as trackers send it: raw address bytes and a port.  Compact, so that a
 * list of thousands stays small; net.h's bt_addr_from_raw() makes it a socket
 * address. */
struct bt_tracker_peer {
    unsigned char ip[16];
    unsigned char iplen; /* 4 or 16 */
    uint16_t port;
};

struct bt_peer_list {
    struct bt_tracker_peer *peers;
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
    long http_status; /* set by tracker_http.c: the HTTP status, 0 if none */
};

void bt_announce_req_init(struct bt_announce_req *req);
void bt_announce_resp_init(struct bt_announce_resp *resp);
void bt_announce_resp_release(struct bt_announce_resp *resp);

void bt_peer_list_init(struct bt_peer_list *list);
void bt_peer_list_release(struct bt_peer_list *list);
/* Append one peer (BT_OK and dropped++ once the list is full). */
enum bt_err bt_peer_list_add(struct bt_peer_list *list, const struct bt_tracker_peer *peer);
/* Append the peers of src that dst does not hold yet. */
enum bt_err bt_peer_list_merge(struct bt_peer_list *dst, const struct bt_peer_list *src);
/* Append compact peers: n bytes of 6-byte (iplen 4) or 18-byte (iplen 16) entries.
 * BT_ERR_TRACKER_PEERS if n is not a multiple of the entry size. */
enum bt_err bt_peer_list_add_compact(struct bt_peer_list *list, const unsigned char *p, size_t n,
                                     size_t iplen);

/* The scheme of a tracker URL: http://, https:// or udp:// (case-insensitive),
 * followed by a host.  BT_ERR_TRACKER_URL for every other URL. */
enum bt_err bt_tracker_url_scheme(const char *url, enum bt_tracker_scheme *scheme);

/* Append s (n bytes) to out percent-encoded (RFC 3986): unreserved bytes as they
 * are, everything else as %XX. */
enum bt_err bt_tracker_percent_encode(struct bt_buf *out, const unsigned char *s, size_t n);

/* Decode n percent-encoded bytes of s into out (at most max bytes).  '+' stays '+'.
 * Returns the decoded length, or -1 for a bad escape or a result over max. */
long bt_tracker_percent_decode(const char *s, size_t n, unsigned char *out, size_t max);

/* Build the HTTP announce URL: the tracker URL, then '?' (or '&' when the URL has a
 * query already) and the BEP 3 parameters, compact=1 included. */
enum bt_err bt_tracker_announce_url(struct bt_buf *out, const char *tracker_url,
                                    const struct bt_announce_req *req);

/*
 * Parse an HTTP tracker's bencoded body into resp (initialised by the caller).
 * BT_OK also when the tracker sent a "failure reason": then resp->failure is set
 * and BT_ERR_TRACKER_FAILURE is returned.  Other errors:
 *   BT_ERR_TRACKER_NOT_BENCODED  body is not one bencoded value (err_offset, bencode_err)
 *   BT_ERR_TRACKER_RESPONSE      not a dict, or a known key of the wrong type (bad_field)
 *   BT_ERR_TRACKER_PEERS         a compact peer list not a multiple of 6 (or 18)
 */
enum bt_err bt_tracker_parse_http(struct bt_announce_resp *resp, const void *body, size_t len);

/*
 * BEP 15 packets.  Every number is big-endian.
 *
 *   connect request   8 protocol id 0x41727101980 | 4 action 0 | 4 transaction id
 *   connect response  4 action 0 | 4 transaction id | 8 connection id
 *   announce request  8 connection id | 4 action 1 | 4 transaction id | 20 info hash
 *                     | 20 peer id | 8 downloaded | 8 left | 8 uploaded | 4 event
 *                     | 4 IP (0) | 4 key | 4 num want (-1) | 2 port         = 98 bytes
 *   announce response 4 action 1 | 4 transaction id | 4 interval | 4 leechers
 *                     | 4 seeders | 6 or 18 bytes per peer
 *   error response    4 action 3 | 4 transaction id | message text
 */
#define BT_UDP_PROTOCOL_ID     0x41727101980ULL
#define BT_UDP_ACTION_CONNECT  0
#define BT_UDP_ACTION_ANNOUNCE 1
#define BT_UDP_ACTION_SCRAPE   2
#define BT_UDP_ACTION_ERROR    3
#define BT_UDP_CONNECT_LEN     16
#define BT_UDP_ANNOUNCE_LEN    98
#define BT_UDP_ANNOUNCE_HEAD   20 /* response bytes before the peers */
#define BT_UDP_SCRAPE_HEAD     16 /* request bytes before the info hashes */
#define BT_UDP_ERROR_HEAD      8
#define BT_UDP_MAX_PACKET      8192 /* 1362 IPv4 or 453 IPv6 peers; longer is no answer */

void bt_udp_connect_request(unsigned char out[BT_UDP_CONNECT_LEN], uint32_t txid);
void bt_udp_announce_request(unsigned char out[BT_UDP_ANNOUNCE_LEN], uint64_t conn_id,
                             uint32_t txid, const struct bt_announce_req *req);

/*
 * Classify a packet from a UDP tracker that answers our request with txid:
 *   BT_ERR_TRACKER_TXID       too short to be an answer, or another transaction's
 *                             (the caller ignores it and keeps waiting)
 *   BT_ERR_TRACKER_FAILURE    an error action: resp->failure holds the message
 *   BT_ERR_TRACKER_RESPONSE   the right transaction but a wrong action or size
 * bt_udp_parse_connect sets *conn_id; bt_udp_parse_announce fills resp, reading
 * peers of iplen bytes (4, or 16 when the tracker was reached over IPv6).
 */
enum bt_err bt_udp_parse_connect(const unsigned char *p, size_t n, uint32_t txid, uint64_t *conn_id,
                                 struct bt_announce_resp *resp);
enum bt_err bt_udp_parse_announce(const unsigned char *p, size_t n, uint32_t txid, size_t iplen,
                                  struct bt_announce_resp *resp);

/*
 * Tiers (BEP 12): a list of lists of URLs.  A client tries the tiers in order and
 * the URLs of a tier in an order shuffled once; the URL that answers moves to the
 * front of its tier, so the next announce starts with it.
 */
struct bt_tracker_tiers {
    char ***urls;   /* urls[t][i], each a NUL-terminated copy */
    size_t *counts; /* counts[t] URLs in tier t */
    size_t count;   /* tiers */
};

void bt_tracker_tiers_init(struct bt_tracker_tiers *tiers);
void bt_tracker_tiers_release(struct bt_tracker_tiers *tiers);
/* Start a new, empty tier at the end (BT_ERR_TOO_LARGE past BT_TRACKER_MAX_TIERS). */
enum bt_err bt_tracker_tiers_new_tier(struct bt_tracker_tiers *tiers);
/* Add a copy of url to the last tier, skipping a URL already present anywhere. */
enum bt_err bt_tracker_tiers_add(struct bt_tracker_tiers *tiers, const char *url);
/* Shuffle the URLs inside each tier (Fisher-Yates over random bytes). */
enum bt_err bt_tracker_tiers_shuffle(struct bt_tracker_tiers *tiers);
/* The URL at tiers->urls[tier][idx] answered: move it to the front of its tier. */
void bt_tracker_tiers_promote(struct bt_tracker_tiers *tiers, size_t tier, size_t idx);

/* Fill p with n random bytes from the kernel (getrandom, else /dev/urandom). */
enum bt_err bt_random_bytes(void *p, size_t n);
/* A peer id: BT_PEER_ID_PREFIX and 12 random characters from [0-9A-Za-z]. */
enum bt_err bt_peer_id_generate(unsigned char out[BT_TRACKER_HASH_LEN]);

/* What the tool passes to tracker_http.c and tracker_udp.c. */
struct bt_announce_opts {
    int timeout_ms; /* the whole announce, DNS to last byte */
};

/*
 * Announce over HTTP(S) with libcurl (tracker_http.c): TLS verified, only http and
 * https (redirects too), the body capped at BT_TRACKER_MAX_BODY, gzip accepted.
 * Errors: BT_ERR_TRACKER_DNS, _CONNECT, _TIMEOUT, _TLS, _HTTP (resp->http_status),
 * _TOO_LARGE, and those of bt_tracker_parse_http().
 */
enum bt_err bt_tracker_http_announce(const char *url, const struct bt_announce_req *req,
                                     const struct bt_announce_opts *opts,
                                     struct bt_announce_resp *resp);

/*
 * Announce over UDP (tracker_udp.c, BEP 15).  The spec retransmits after 15 * 2^n
 * seconds (n = 0..8); we keep the doubling but start at min(15 s, timeout / 4), so
 * that the whole exchange fits in opts->timeout_ms.  A connection id older than a
 * minute is renewed with a fresh connect before the next announce.
 */
enum bt_err bt_tracker_udp_announce(const char *url, const struct bt_announce_req *req,
                                    const struct bt_announce_opts *opts,
                                    struct bt_announce_resp *resp);

#endif /* BT_TRACKER_H */
