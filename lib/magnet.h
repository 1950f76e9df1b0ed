/*
 * magnet.h - magnet links (BEP 9): a torrent named by its info hash alone.
 *
 *   magnet:?xt=urn:btih:<40 hex digits>&dn=<name>&tr=<tracker>&tr=<tracker>...
 *
 *   xt  "exact topic": the v1 info hash, hex
 *   dn  "display name": shown until the metadata arrives
 *   tr  a tracker URL, once per tracker
 *
 * dn and tr values are percent-encoded (RFC 3986): every byte other than the
 * unreserved characters A-Z a-z 0-9 - . _ ~ becomes %XX.
 */
#ifndef BT_MAGNET_H
#define BT_MAGNET_H

#include "buf.h"
#include "error.h"
#include "metainfo.h"

#define BT_MAGNET_PREFIX "magnet:?xt=urn:btih:" /* BEP 9: a v1 info hash in hex */

/*
 * Append the magnet link of t to out (no newline): its info hash, its name, and
 * its trackers: announce (unless announce-list has it too), then every
 * announce-list URL in file order.
 * BT_ERR_TOO_LARGE if out's cap is reached, BT_ERR_NOMEM.
 */
enum bt_err bt_magnet_format(const struct bt_torrent *t, struct bt_buf *out);

#endif /* BT_MAGNET_H */
