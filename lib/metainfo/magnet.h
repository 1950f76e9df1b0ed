/*
 * magnet.h - magnet links (BEP 9): a torrent named by its info hash alone.
 *
 *   magnet:?xt=urn:btih:<40 hex digits>&dn=<name>&tr=<tracker>&tr=<tracker>...
 *
 *   xt  "exact topic": the v1 info hash, hex (or base32)
 *   xt  urn:btmh:1220<64 hex digits>: the v2 info hash as a multihash (BEP 52:
 *       0x12 = SHA-256, 0x20 = 32 bytes); a hybrid's link carries both topics
 *   dn  "display name": shown until the metadata arrives
 *   tr  a tracker URL, once per tracker
 *   x.pe  a peer to ask for the metadata ("host:port", BEP 9), once per peer
 *
 * dn and tr values are percent-encoded (RFC 3986): every byte other than the
 * unreserved characters A-Z a-z 0-9 - . _ ~ becomes %XX.
 */
#ifndef BT_MAGNET_H
#define BT_MAGNET_H

#include "core/buf.h"
#include "core/error.h"
#include "metainfo/metainfo.h"

#define BT_MAGNET_PREFIX "magnet:?xt=urn:btih:" /* BEP 9: a v1 info hash in hex */

/*
 * Append the magnet link of t to out (no newline): its info hash, its name, and
 * its trackers: announce (unless announce-list has it too), then every
 * announce-list URL in file order.
 * BT_ERR_TOO_LARGE if out's cap is reached, BT_ERR_NOMEM.
 */
enum bt_err bt_magnet_format(const struct bt_torrent *t, struct bt_buf *out);

/*
 * Reading a magnet link (bt-announce takes one instead of a torrent).
 *
 * xt=urn:btih: carries the info hash as 40 hex digits or, in older links, as 32
 * base32 characters (RFC 4648; BEP 9 allows both).  Other xt kinds (btmh, v2)
 * and unknown parameters are ignored.  Everything is bounded: the link's length,
 * the number of trackers, the length of each value.
 */
#define BT_MAGNET_MAX_LEN      8192
#define BT_MAGNET_MAX_TRACKERS 64
#define BT_MAGNET_MAX_PEERS    64
#define BT_MAGNET_MAX_VALUE    2048 /* bytes of one decoded dn or tr */

#define BT_MAGNET_BTMH_PREFIX "urn:btmh:1220" /* multihash: SHA-256, 32 bytes */

struct bt_magnet {
    unsigned char info_hash[BT_INFOHASH_LEN]; /* v1, or the v2 hash cut to 20 bytes */
    unsigned char info_hash_v2[BT_INFOHASH_V2_LEN];
    unsigned versions; /* BT_META_V1 and/or BT_META_V2: which topics the link had */
    char *name;        /* dn, decoded; NULL if absent */
    char **trackers;   /* tr values, decoded, in link order */
    size_t tracker_count;
    char **peers; /* x.pe values, decoded ("1.2.3.4:6881", "[::1]:6881"), in link order */
    size_t peer_count;
};

/* Does arg name a magnet link rather than a file?  The scheme is compared
 * without case ("MAGNET:?xt=..." is one too, as RFC 3986 wants). */
int bt_magnet_is_link(const char *arg);

void bt_magnet_init(struct bt_magnet *m);
void bt_magnet_release(struct bt_magnet *m);
/* Parse uri ("magnet:?..."): BT_ERR_MAGNET when it is not one, has no v1 info
 * hash, or a value is malformed (bad %XX, NUL byte, too long); BT_ERR_NOMEM. */
enum bt_err bt_magnet_parse(struct bt_magnet *m, const char *uri);

/*
 * A torrent known by its link alone, before its metadata: the info hash, the
 * name (dn, or the hash in hex), and each tr as a tier of its own (BEP 12), as
 * a client tries a link's trackers.  t must be initialised; it has no pieces
 * and no files (t->info is NULL) until the info dict is fetched (BEP 9).
 * BT_ERR_NOMEM.
 */
enum bt_err bt_magnet_torrent(const struct bt_magnet *m, struct bt_torrent *t);

#endif /* BT_MAGNET_H */
