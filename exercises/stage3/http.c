/*
 * http.c - exercise for stage 3: the HTTP tracker of BEP 3, as bytes.  You
 * build the announce URL and read the bencoded answer; lib/tracker/http_client.c
 * moves the bytes in between with libcurl.
 *
 * An announce is a GET whose query carries raw bytes, percent-encoded:
 *
 *   http://127.0.0.1:6969/announce?info_hash=%124%AB~-...&peer_id=-BK0100-...
 *       &port=6881&uploaded=0&downloaded=0&left=40000&compact=1&key=1a2b3c4d
 *       &event=started&numwant=50
 *
 * and the answer is a bencoded dict whose "peers" is a string of 6-byte entries:
 *
 *   d 8:interval i1800e 5:peers 12: c0 00 02 07 1a e1  c0 00 02 08 1a e2 e
 *                                   192.0.2.7 :6881    192.0.2.8 :6882
 *
 * The contract is lib/tracker/http.h (and announce.h for the structs).
 *
 * Build the tools with your files: make exercise STAGE=3
 * Grade them:                        make grade STAGE=3
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "tracker/http.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "bencode/bencode.h"
#include "core/url.h"

/* A response of at most BT_TRACKER_MAX_BODY bytes has at most half as many values;
 * a non-compact list of BT_TRACKER_MAX_PEERS peers needs about 7 per peer. */
#define TRACKER_MAX_TOKENS (BT_TRACKER_MAX_PEERS * 8u)
#define TRACKER_MAX_DEPTH  8 /* dict > list > dict > value is all a tracker needs */
#define IP_TEXT_MAX        64

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
enum bt_err bt_tracker_http_url(struct bt_buf *out, const char *tracker_url,
                                const struct bt_announce_req *req)
{
    (void)out;
    (void)tracker_url;
    (void)req;
    return BT_ERR_TRACKER_URL;
}

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
enum bt_err bt_tracker_http_parse(struct bt_announce_resp *resp, const void *body, size_t len)
{
    (void)body;
    (void)len;
    snprintf(resp->detail, sizeof(resp->detail), "not written yet");
    return BT_ERR_TRACKER_RESPONSE;
}
