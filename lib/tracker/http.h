/*
 * http.h - the HTTP(S) tracker (BEP 3) as bytes: build the announce URL, read
 * the bencoded answer.  No network here, so that tests and fuzzers reach both
 * directly; client.h's bt_tracker_http_announce() does the request.
 */
#ifndef BT_TRACKER_HTTP_H
#define BT_TRACKER_HTTP_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "tracker/announce.h"

#define BT_TRACKER_MAX_BODY (1u << 20) /* bytes of an answer we read at most */

/* Build the HTTP announce URL: the tracker URL, then '?' (or '&' when the URL has
 * a query already) and the BEP 3 parameters, compact=1 included. */
enum bt_err bt_tracker_http_url(struct bt_buf *out, const char *tracker_url,
                                const struct bt_announce_req *req);

/*
 * Parse an HTTP tracker's bencoded body into resp (initialised by the caller).
 * When the tracker sent a "failure reason", resp->failure holds it and the
 * result is BT_ERR_TRACKER_FAILURE.  Other errors:
 *   BT_ERR_TRACKER_NOT_BENCODED  body is not one bencoded value (err_offset, bencode_err)
 *   BT_ERR_TRACKER_RESPONSE      not a dict, or a known key of the wrong type (detail)
 *   BT_ERR_TRACKER_PEERS         a compact peer list not a multiple of 6 (or 18)
 */
enum bt_err bt_tracker_http_parse(struct bt_announce_resp *resp, const void *body, size_t len);

#endif /* BT_TRACKER_HTTP_H */
