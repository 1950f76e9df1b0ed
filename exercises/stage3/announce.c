/*
 * announce.c - exercise for stage 3: what every tracker exchange is made of
 * (BEP 3): the announce request, the tracker's answer, and its peers, compact
 * (BEP 23) or IPv6 (BEP 7).
 *
 * You write the functions lib/tracker/announce.h declares; the header is the
 * contract (read it first, with tutorials/03-trackers.md).  http.c and udp.c
 * use them to read answers; bt-tracker, the server, uses your peer lists and
 * event names too.
 *
 * Build the tools with your files: make exercise STAGE=3
 * Grade them:                        make grade STAGE=3
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "tracker/announce.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/*
 * A tracker's message (failure reason, warning) is for people, and a tracker
 * could send a megabyte: keep a malloc'ed, NUL-terminated copy of at most
 * BT_TRACKER_MAX_MESSAGE bytes of it in *out, freeing what *out held before.
 * BT_ERR_NOMEM.  (Its bytes may be anything: bt-announce makes them printable
 * before it shows them.)
 */
enum bt_err bt_announce_message(const unsigned char *s, size_t n, char **out)
{
    (void)s;
    (void)n;
    (void)out;
    return BT_ERR_NOMEM;
}

/*
 * Append a copy of *peer.  A tracker chooses how many peers it sends us, so the
 * list stops growing at BT_TRACKER_MAX_PEERS: past that, count the peer in
 * list->dropped and return BT_OK (a long answer is not an error).  Grow the
 * array by doubling with realloc (BT_ERR_NOMEM if it fails; keep the old array
 * then), never beyond BT_TRACKER_MAX_PEERS entries.
 */
enum bt_err bt_peer_list_add(struct bt_peer_list *list, const struct bt_netaddr *peer)
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
 * anything.  Zero each struct bt_netaddr before filling it, so that two
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

/* "started", "completed", "stopped"; NULL for BT_EVENT_NONE, which is sent as no
 * "event" parameter at all.  A switch over the enum with no default lets the
 * compiler tell you when a case is missing. */
const char *bt_tracker_event_name(enum bt_tracker_event event)
{
    (void)event;
    return NULL;
}

/*
 * The reverse of bt_tracker_event_name(), for bt-announce -e and for
 * bt-tracker reading a query: the n bytes at s (a view, not a C string) name
 * "started", "stopped" or "completed", or are empty (no event).  Also take
 * "none", and BEP 21's "paused", as a regular announce (BT_EVENT_NONE).
 * Anything else: BT_ERR_INVALID, *event untouched.
 */
enum bt_err bt_tracker_event_parse(const char *s, size_t n, enum bt_tracker_event *event)
{
    (void)s;
    (void)n;
    (void)event;
    return BT_ERR_INVALID;
}
