/*
 * tracker.c - exercise for stage 3: the network-free half of a tracker client.
 * BEP 3 "Trackers" (the announce), BEP 23 (compact peers), BEP 7 (IPv6 peers),
 * BEP 12 (tiers) and BEP 15 (UDP tracker packets).
 *
 * You write the functions lib/tracker/tracker.h declares; the header is the contract
 * (read it first, with tutorials/03-trackers.md).  lib/tracker/tracker_http.c and
 * lib/tracker/tracker_udp.c, which you do not write, move the bytes: they call yours
 * to build each request and to read each answer.  bt-tracker, the server, uses
 * your percent decoder, peer lists, event names and random bytes too.
 *
 * An HTTP announce is a GET whose query carries raw bytes, percent-encoded:
 *
 *   http://127.0.0.1:6969/announce?info_hash=%124%AB~-...&peer_id=-BK0010-...
 *       &port=6881&uploaded=0&downloaded=0&left=40000&compact=1&key=1a2b3c4d
 *       &event=started&numwant=50
 *
 * and the answer is a bencoded dict whose "peers" is a string of 6-byte entries:
 *
 *   d 8:interval i1800e 5:peers 12: c0 00 02 07 1a e1  c0 00 02 08 1a e2 e
 *                                   192.0.2.7 :6881    192.0.2.8 :6882
 *
 * Over UDP (BEP 15) the same question is a 98-byte packet of big-endian
 * numbers, after a 16-byte connect that gets a connection id (see tracker.h).
 *
 * Build the tools with your file: make exercise STAGE=3
 * Grade them:                       make grade STAGE=3
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "tracker/tracker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "bencode/bencode.h"
#include "core/hex.h"

/* ---- requests and answers: initialise and release ----------------------- */

/*
 * Zero the request, then the two fields whose zero would mean something else:
 * port BT_TRACKER_DEFAULT_PORT and numwant -1 ("let the tracker choose").
 */
void bt_announce_req_init(struct bt_announce_req *req)
{
    (void)req;
}

/* An empty list: no array, count, cap and dropped 0.  Allocates nothing. */
void bt_peer_list_init(struct bt_peer_list *list)
{
    (void)list;
}

/* Free the array and make the list empty again (release twice is safe). */
void bt_peer_list_release(struct bt_peer_list *list)
{
    (void)list;
}

/*
 * Zero the response, then set interval, min_interval, complete and incomplete
 * to -1, the header's "absent", and initialise the peer list.
 */
void bt_announce_resp_init(struct bt_announce_resp *resp)
{
    (void)resp;
}

/* Free failure, warning and the peers, then initialise resp again. */
void bt_announce_resp_release(struct bt_announce_resp *resp)
{
    (void)resp;
}

/* ---- peer lists ---------------------------------------------------------- */

/*
 * Append a copy of *peer.  A tracker chooses how many peers it sends us, so the
 * list stops growing at BT_TRACKER_MAX_PEERS: past that, count the peer in
 * list->dropped and return BT_OK (a long answer is not an error).  Grow the
 * array by doubling with realloc (BT_ERR_NOMEM if it fails; keep the old array
 * then), never beyond BT_TRACKER_MAX_PEERS entries.
 */
enum bt_err bt_peer_list_add(struct bt_peer_list *list, const struct bt_tracker_peer *peer)
{
    (void)list;
    (void)peer;
    return BT_ERR_NOMEM;
}

/*
 * Append every peer of src that dst does not hold yet: the same address length,
 * address bytes and port (compare only the first iplen bytes of ip).  Add src's
 * dropped to dst's.  bt-announce --all merges several trackers' answers so.
 */
enum bt_err bt_peer_list_merge(struct bt_peer_list *dst, const struct bt_peer_list *src)
{
    (void)dst;
    (void)src;
    return BT_ERR_NOMEM;
}

/*
 * BEP 23 and BEP 7: n bytes of entries of iplen address bytes (4 or 16) and a
 * 2-byte big-endian port.  Refuse an iplen other than 4 or 16, and an n that is
 * not a whole number of entries, with BT_ERR_TRACKER_PEERS before adding
 * anything.  Zero each struct bt_tracker_peer before filling it, so that two
 * equal peers compare equal byte for byte.
 *   hint: lib/core/bytes.h has bt_get_be16().
 */
enum bt_err bt_peer_list_add_compact(struct bt_peer_list *list, const unsigned char *p, size_t n,
                                     size_t iplen)
{
    (void)list;
    (void)p;
    (void)n;
    (void)iplen;
    return BT_ERR_TRACKER_PEERS;
}

/* ---- the announce URL ----------------------------------------------------- */

/*
 * "http://", "https://" or "udp://", in any case (strncasecmp), then a host:
 * the next character must not be the end, '/' or ':'.  A URL with a space,
 * another control byte (<= 0x20) or DEL (0x7f) anywhere after the scheme is
 * refused as well: it would change the meaning of a request line.  Everything
 * else is BT_ERR_TRACKER_URL, and *scheme is set only on success.
 */
enum bt_err bt_tracker_url_scheme(const char *url, enum bt_tracker_scheme *scheme)
{
    (void)url;
    (void)scheme;
    return BT_ERR_TRACKER_URL;
}

/*
 * RFC 3986 section 2.3: the unreserved bytes A-Z a-z 0-9 - . _ ~ go as they
 * are; every other byte becomes '%' and two UPPER-case hex digits (0xab is
 * "%AB"; the tests compare the URL byte for byte).  An info hash is 20 raw
 * bytes, not 40 hex digits: encode the bytes.
 *   hint: bt_buf_append_byte(), bt_buf_append() from lib/core/buf.h.
 * Common mistake: a signed char.  0xab in a plain char is negative; read the
 * input as unsigned char before you compare or shift it.
 */
enum bt_err bt_tracker_percent_encode(struct bt_buf *out, const unsigned char *s, size_t n)
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
long bt_tracker_percent_decode(const char *s, size_t n, unsigned char *out, size_t max)
{
    (void)s;
    (void)n;
    (void)out;
    (void)max;
    return -1;
}

/* "started", "completed", "stopped"; NULL for BT_EVENT_NONE, which is sent as no
 * "event" parameter at all.  A switch over the enum with no default lets the
 * compiler tell you when a case is missing. */
const char *bt_tracker_event_name(enum bt_tracker_event event)
{
    (void)event;
    return NULL;
}

/*
 * Append to out: tracker_url, then '?' (or '&' when tracker_url has a '?'
 * already: some trackers carry a passkey in the query), then these parameters
 * in this order:
 *
 *   info_hash=<percent-encoded 20 bytes>&peer_id=<percent-encoded 20 bytes>
 *   &port=N&uploaded=N&downloaded=N&left=N&compact=1&key=<8 lower-case hex digits>
 *   &event=NAME      only when there is an event (bt_tracker_event_name)
 *   &numwant=N       only when numwant >= 0
 *
 *   hint: bt_buf_append_str() and bt_buf_printf() (lib/core/buf.h); print int64_t
 *   with "%lld" and a cast to long long.  Stop at the first error and return it.
 */
enum bt_err bt_tracker_announce_url(struct bt_buf *out, const char *tracker_url,
                                    const struct bt_announce_req *req)
{
    (void)out;
    (void)tracker_url;
    (void)req;
    return BT_ERR_TRACKER_URL;
}

/* ---- the HTTP answer ------------------------------------------------------ */

/*
 * The heart of the stage.  resp was initialised by the caller.  In this order
 * (the tests check which message wins):
 *
 * 1. Decode the body with the stage 1 decoder, LENIENT (some trackers do not
 *    sort their keys), with caps of your own on its depth and tokens: a tracker
 *    needs dict > list > dict > value, and a body of BT_TRACKER_MAX_BODY bytes
 *    should not make you allocate more nodes than BT_TRACKER_MAX_PEERS peers
 *    need (set b.max_depth and b.max_tokens after bt_bencode_init()).  On
 *    failure: resp->bencode_err = the decoder's error, resp->err_offset = its
 *    b.err_offset, return BT_ERR_TRACKER_NOT_BENCODED.  (bt-announce prints
 *    "byte 15: nesting too deep" from those two, for a depth cap of 8.)
 * 2. Not a dict: BT_ERR_TRACKER_RESPONSE with resp->detail
 *    "the body is not a dictionary".
 * 3. "failure reason": a string (else "'failure reason' is not a string") that
 *    you copy into resp->failure and return BT_ERR_TRACKER_FAILURE.  Nothing
 *    else in the body matters then.
 * 4. "warning message": a string if present (else "'warning message' is not a
 *    string"), copied into resp->warning.
 * 5. "interval", "min interval", "complete", "incomplete": each optional, each a
 *    non-negative integer if present (else "'interval' is not a non-negative
 *    integer", with the key's name), stored in the matching field.
 * 6. "peers": a string of 6-byte entries (bt_peer_list_add_compact, iplen 4;
 *    when it fails, detail "'peers' is 7 bytes, not a multiple of 6"), or a
 *    list of dicts (BEP 3's non-compact form, below), or absent; anything else
 *    is "'peers' is not a string or a list".  Then "peers6": a string of 18-byte
 *    entries if present ("'peers6' is not a string", "'peers6' is 5 bytes, not
 *    a multiple of 18").
 *
 * A non-compact peer is  d 2:ip 9:192.0.2.7 7:peer id 20:... 4:port i6881e e.
 * It must be a dict with an "ip" string ("a peer has no 'ip' string") and a
 * "port" integer from 1 to 65535 ("a peer's 'port' is not 1-65535").  BEP 3
 * allows a DNS name as "ip": do not resolve it (reading an answer must never
 * wait on a resolver), count it in resp->skipped instead.  Numeric addresses:
 * copy the string into a NUL-terminated buffer of your own (it is a view into
 * the body, without a NUL; check its length first) and try inet_pton()
 * with AF_INET, then AF_INET6.
 *
 * Copies of messages (failure, warning) are malloc'ed, NUL-terminated and cut
 * at BT_TRACKER_MAX_MESSAGE bytes: they are for people, and a tracker could
 * send a megabyte.  Write every detail with snprintf() into resp->detail, and
 * leave detail empty on success.  Release the decoder before you return, on
 * every path.
 *   hints: bt_bencode_root(), bt_bnode_dict_get(), bt_bnode_child(),
 *   bt_bnode_sibling() (lib/bencode/bencode.h).
 * Common mistake: strlen() or strcpy() on a bencoded string.  Its bytes are a
 * view (s, slen) into the body, not a C string.
 */
enum bt_err bt_tracker_parse_http(struct bt_announce_resp *resp, const void *body, size_t len)
{
    (void)body;
    (void)len;
    snprintf(resp->detail, sizeof(resp->detail), "not written yet");
    return BT_ERR_TRACKER_RESPONSE;
}

/* ---- BEP 15: UDP packets ----------------------------------------------------- */

/*
 * 16 bytes: the magic protocol id BT_UDP_PROTOCOL_ID (8 bytes), the action
 * BT_UDP_ACTION_CONNECT (4), the transaction id (4), all big-endian.
 *   hint: bt_put_be64(), bt_put_be32() (lib/core/bytes.h).
 */
void bt_udp_connect_request(unsigned char out[BT_UDP_CONNECT_LEN], uint32_t txid)
{
    (void)txid;
    memset(out, 0, BT_UDP_CONNECT_LEN);
}

/*
 * 98 bytes, at these offsets:
 *
 *    0 connection id (8)   8 action 1 (4)      12 transaction id (4)
 *   16 info hash (20)     36 peer id (20)      56 downloaded (8)
 *   64 left (8)           72 uploaded (8)      80 event (4)
 *   84 IP address (4): 0, "the address this packet comes from"
 *   88 key (4)            92 num want (4)      96 port (2)
 *
 * Note the order: downloaded, left, uploaded (not the order of the HTTP query).
 * The enum bt_tracker_event values are BEP 15's event numbers already, and a
 * numwant of -1 goes on the wire as ff ff ff ff.
 */
void bt_udp_announce_request(unsigned char out[BT_UDP_ANNOUNCE_LEN], uint64_t conn_id,
                             uint32_t txid, const struct bt_announce_req *req)
{
    (void)conn_id;
    (void)txid;
    (void)req;
    memset(out, 0, BT_UDP_ANNOUNCE_LEN);
}

/*
 * Every answer starts  action (4) | transaction id (4).  Check, in order:
 *   - fewer than BT_UDP_ERROR_HEAD bytes, or a transaction id that is not txid:
 *     BT_ERR_TRACKER_TXID (UDP brings stale and stray packets; the caller
 *     ignores this one and keeps waiting);
 *   - action BT_UDP_ACTION_ERROR: the rest of the packet is a message; copy it
 *     into resp->failure (cut at BT_TRACKER_MAX_MESSAGE, NUL-terminated) and
 *     return BT_ERR_TRACKER_FAILURE;
 *   - another action than connect: BT_ERR_TRACKER_RESPONSE, with detail such as
 *     "action 1, expected 0";
 *   - fewer than BT_UDP_CONNECT_LEN bytes: BT_ERR_TRACKER_RESPONSE,
 *     "connect answer is 12 bytes, not 16".
 * Then *conn_id is the 8 bytes at offset 8.  The announce below shares the
 * first three checks: write them once, in a static helper.
 */
enum bt_err bt_udp_parse_connect(const unsigned char *p, size_t n, uint32_t txid, uint64_t *conn_id,
                                 struct bt_announce_resp *resp)
{
    (void)p;
    (void)n;
    (void)txid;
    (void)conn_id;
    (void)resp;
    return BT_ERR_TRACKER_TXID;
}

/*
 * The same first checks with action BT_UDP_ACTION_ANNOUNCE; then at least
 * BT_UDP_ANNOUNCE_HEAD bytes ("announce answer is 12 bytes, less than 20"):
 *
 *   0 action (4) | 4 txid (4) | 8 interval (4) | 12 leechers (4) | 16 seeders (4)
 *   20 peers: 6 (iplen 4) or 18 (iplen 16) bytes each
 *
 * leechers go to resp->incomplete, seeders to resp->complete.  Peers that are
 * not whole entries: BT_ERR_TRACKER_PEERS with detail "7 bytes of peers, not a
 * multiple of 6".
 */
enum bt_err bt_udp_parse_announce(const unsigned char *p, size_t n, uint32_t txid, size_t iplen,
                                  struct bt_announce_resp *resp)
{
    (void)p;
    (void)n;
    (void)txid;
    (void)iplen;
    (void)resp;
    return BT_ERR_TRACKER_TXID;
}

/* ---- BEP 12: tiers --------------------------------------------------------- */

/* No tiers: every pointer NULL, count 0. */
void bt_tracker_tiers_init(struct bt_tracker_tiers *tiers)
{
    (void)tiers;
}

/* Free each URL, each tier's array, the two arrays, then initialise again. */
void bt_tracker_tiers_release(struct bt_tracker_tiers *tiers)
{
    (void)tiers;
}

/*
 * Grow urls and counts by one tier (BT_ERR_TOO_LARGE when there are
 * BT_TRACKER_MAX_TIERS already).  The new tier's URL array may be allocated at
 * its full size, BT_TRACKER_MAX_URLS pointers, once.
 * Common mistake: p = realloc(p, ...) loses the old array when realloc fails.
 */
enum bt_err bt_tracker_tiers_new_tier(struct bt_tracker_tiers *tiers)
{
    (void)tiers;
    return BT_ERR_NOMEM;
}

/*
 * Add a copy (strdup) of url to the LAST tier.  A URL that is already in any
 * tier is skipped with BT_OK: torrents list the same tracker twice.  No tier
 * yet: BT_ERR_INVALID; a full tier (BT_TRACKER_MAX_URLS): BT_ERR_TOO_LARGE.
 */
enum bt_err bt_tracker_tiers_add(struct bt_tracker_tiers *tiers, const char *url)
{
    (void)tiers;
    (void)url;
    return BT_ERR_NOMEM;
}

/*
 * BEP 12: shuffle the URLs of each tier once, so that clients spread over a
 * tier's trackers.  Fisher-Yates: for i from the tier's count down to 2, swap
 * entry i - 1 with a random entry j < i.  Take the randomness from
 * bt_random_bytes(); rand() gives every client the same order.
 */
enum bt_err bt_tracker_tiers_shuffle(struct bt_tracker_tiers *tiers)
{
    (void)tiers;
    return BT_ERR_IO;
}

/*
 * The URL at urls[tier][idx] answered: move it to the front of its tier, and
 * shift the ones before it down by one (memmove), keeping their order.  Out of
 * range tier or idx: do nothing.
 */
void bt_tracker_tiers_promote(struct bt_tracker_tiers *tiers, size_t tier, size_t idx)
{
    (void)tiers;
    (void)tier;
    (void)idx;
}

/* ---- randomness and the peer id ---------------------------------------------- */

/*
 * n random bytes from the kernel: getrandom() (loop: it may return fewer bytes
 * than asked, or fail with EINTR), and when the kernel has no getrandom(),
 * read /dev/urandom (again looping over short reads).  BT_ERR_IO if neither
 * works.  Never fall back to rand() or the time: peer ids, UDP transaction ids
 * and bt-tracker's connection ids must not be guessable.
 */
enum bt_err bt_random_bytes(void *p, size_t n)
{
    (void)p;
    (void)n;
    return BT_ERR_IO;
}

/*
 * BT_PEER_ID_PREFIX ("-BK0010-", 8 bytes), then 12 characters picked at random
 * from 0-9, A-Z and a-z (the tests check that alphabet): a peer id travels in
 * URLs and logs, where printable is friendlier than raw bytes.
 */
enum bt_err bt_peer_id_generate(unsigned char out[BT_TRACKER_HASH_LEN])
{
    (void)out;
    return BT_ERR_IO;
}
