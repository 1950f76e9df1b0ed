/*
 * url.h - percent-encoding (RFC 3986, section 2.1), the one text form that
 * carries raw bytes inside a URL: a tracker announce's info_hash and peer_id,
 * a magnet link's values, a tracker's query string.
 *
 *   bytes   12 34 ab 7e 2d 20
 *   text    %124%AB~-%20         0x12 -> %12, 0x34 is '4', 0xab -> %AB,
 *                                0x7e is '~', 0x2d is '-', a space -> %20
 *
 * Only the unreserved characters (A-Z a-z 0-9 - . _ ~) stand for themselves.
 */
#ifndef BT_URL_H
#define BT_URL_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"

/* Append s (n bytes) to out percent-encoded: unreserved bytes as they are,
 * every other byte as %XX (upper-case, as RFC 3986 recommends). */
enum bt_err bt_url_encode(struct bt_buf *out, const unsigned char *s, size_t n);

/*
 * Decode n percent-encoded bytes of s into out (at most max bytes).  '+' stays
 * '+': it means a space only in HTML forms, and no client encodes an info hash
 * that way.  Returns the decoded length, or -1 for a bad escape or a result over
 * max.
 */
long bt_url_decode(const char *s, size_t n, unsigned char *out, size_t max);

#endif /* BT_URL_H */
