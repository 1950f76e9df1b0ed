/*
 * url.c - exercise for stage 3: percent-encoding (RFC 3986), the one text form
 * that carries raw bytes inside a URL: an announce's info_hash and peer_id, a
 * magnet link's values, the query bt-tracker reads.
 *
 *   bytes   12 34 ab 7e 2d        text   %124%AB~-
 *
 * You write the two functions lib/core/url.h declares.  Stage 3 is five files:
 * this one, tracker/announce.c, tracker/http.c, tracker/udp.c and
 * tracker/tiers.c (see exercises/stages.txt); tutorials/03-trackers.md walks
 * through them.
 *
 * Build the tools with your files: make exercise STAGE=3
 * Grade them:                        make grade STAGE=3
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "core/url.h"

#include "core/hex.h"

/*
 * RFC 3986 section 2.3: the unreserved bytes A-Z a-z 0-9 - . _ ~ go as they
 * are; every other byte becomes '%' and two UPPER-case hex digits (0xab is
 * "%AB"; the tests compare the URL byte for byte).  An info hash is 20 raw
 * bytes, not 40 hex digits: encode the bytes.
 *   hint: bt_buf_append_byte(), bt_buf_append() from lib/core/buf.h.
 * Common mistake: a signed char.  0xab in a plain char is negative; read the
 * input as unsigned char before you compare or shift it.
 */
enum bt_err bt_url_encode(struct bt_buf *out, const unsigned char *s, size_t n)
{
    (void)out;
    (void)s;
    (void)n;
    return BT_ERR_NOMEM;
}

/*
 * The reverse, for bt-tracker reading a client's query and for magnet links:
 * "%xx" (either case) is one byte, any other byte is itself; '+' stays '+'.
 * Return the number of bytes written to out, or -1 for a '%' without two hex
 * digits after it (mind the end of s: "%4" is 2 bytes, not 3) or for a result
 * longer than max.
 *   hint: bt_hex_decode() in lib/core/hex.h decodes two hex digits into one byte.
 */
long bt_url_decode(const char *s, size_t n, unsigned char *out, size_t max)
{
    (void)s;
    (void)n;
    (void)out;
    (void)max;
    return -1;
}
