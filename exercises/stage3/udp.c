/*
 * udp.c - exercise for stage 3: the UDP tracker protocol, BEP 15.  You build
 * the client's two requests and read the tracker's two answers; the exchange
 * itself (sockets, retries, connection ids) is given, and so are the server's
 * side of the packets, which bt-tracker uses.
 *
 * UDP has no connection, so BEP 15 starts with a round trip that proves we
 * receive at our address; then the announce quotes the connection id it got:
 *
 *   client                                          tracker
 *     connect   [0x41727101980 | 0 | txid A]      ->
 *                                                 <-  [0 | txid A | connection id C]
 *     announce  [C | 1 | txid B | hash | ...]     ->
 *                                                 <-  [1 | txid B | interval | leechers
 *                                                      | seeders | peers...]
 *
 * lib/tracker/udp.h draws every packet and names every offset (BT_UDP_REQ_*,
 * BT_UDP_RESP_*): use the names, not bare numbers.
 *
 * Build the tools with your files: make exercise STAGE=3
 * Grade them:                        make grade STAGE=3
 *
 * A function whose body only returns a placeholder is yours to write: it
 * compiles and fails until you replace it.  A function with a whole body is
 * given: read it, it calls yours.  You may add static helpers (they must be
 * used, or -Werror stops the build).
 */
#include "tracker/udp.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/bytes.h"
#include "core/loop.h"
#include "core/net.h"
#include "core/random.h"

#define UDP_FIRST_WAIT_MS 15000 /* BEP 15: 15 * 2^n seconds */
#define UDP_MAX_DOUBLINGS 8     /* BEP 15: n stops at 8 */
#define UDP_CONN_ID_MS    60000 /* BEP 15: a connection id is valid for one minute */
#define UDP_HOST_MAX      256

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

void bt_udp_read_announce_request(const unsigned char *p, struct bt_announce_req *req)
{
    uint64_t left = bt_get_be64(p + BT_UDP_REQ_LEFT);

    bt_announce_req_init(req);
    memcpy(req->info_hash, p + BT_UDP_REQ_INFO_HASH, BT_TRACKER_HASH_LEN);
    memcpy(req->peer_id, p + BT_UDP_REQ_PEER_ID, BT_TRACKER_HASH_LEN);
    /* The counts are unsigned on the wire: keep a lie of 2^63 or more in range. */
    req->downloaded = (int64_t)(bt_get_be64(p + BT_UDP_REQ_DOWNLOADED) & INT64_MAX);
    req->left = left > INT64_MAX ? INT64_MAX : (int64_t)left;
    req->uploaded = (int64_t)(bt_get_be64(p + BT_UDP_REQ_UPLOADED) & INT64_MAX);
    req->event = (enum bt_tracker_event)bt_get_be32(p + BT_UDP_REQ_EVENT);
    req->key = bt_get_be32(p + BT_UDP_REQ_KEY);
    req->numwant = (int32_t)bt_get_be32(p + BT_UDP_REQ_NUMWANT);
    req->port = bt_get_be16(p + BT_UDP_REQ_PORT);
}

size_t bt_udp_connect_answer(unsigned char *out, uint32_t txid, uint64_t conn_id)
{
    bt_put_be32(out + BT_UDP_RESP_ACTION, BT_UDP_ACTION_CONNECT);
    bt_put_be32(out + BT_UDP_RESP_TXID, txid);
    bt_put_be64(out + BT_UDP_RESP_CONN_ID, conn_id);
    return BT_UDP_CONNECT_LEN;
}

size_t bt_udp_announce_answer_head(unsigned char *out, uint32_t txid, uint32_t interval,
                                   uint32_t leechers, uint32_t seeders)
{
    bt_put_be32(out + BT_UDP_RESP_ACTION, BT_UDP_ACTION_ANNOUNCE);
    bt_put_be32(out + BT_UDP_RESP_TXID, txid);
    bt_put_be32(out + BT_UDP_RESP_INTERVAL, interval);
    bt_put_be32(out + BT_UDP_RESP_LEECHERS, leechers);
    bt_put_be32(out + BT_UDP_RESP_SEEDERS, seeders);
    return BT_UDP_ANNOUNCE_HEAD;
}

size_t bt_udp_error_answer(unsigned char *out, uint32_t txid, const char *message)
{
    size_t n = strlen(message);

    if (n > BT_UDP_MAX_PACKET - BT_UDP_ERROR_HEAD)
        n = BT_UDP_MAX_PACKET - BT_UDP_ERROR_HEAD;
    bt_put_be32(out + BT_UDP_RESP_ACTION, BT_UDP_ACTION_ERROR);
    bt_put_be32(out + BT_UDP_RESP_TXID, txid);
    memcpy(out + BT_UDP_ERROR_HEAD, message, n);
    return BT_UDP_ERROR_HEAD + n;
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

/* Split "udp://host:port/anything" into host and port text. */
static enum bt_err split_url(const char *url, char *host, char *port)
{
    const char *h = url + strlen("udp://"), *end, *colon;
    size_t hlen, plen;

    if (*h == '[') {
        end = strchr(h, ']');
        if (end == NULL || end[1] != ':')
            return BT_ERR_TRACKER_URL;
        h++;
        colon = end + 1;
    } else {
        colon = h + strcspn(h, ":/?");
        if (*colon != ':')
            return BT_ERR_TRACKER_URL; /* UDP trackers have no default port */
        end = colon;
    }
    hlen = (size_t)(end - h);
    plen = strcspn(colon + 1, "/?");
    if (hlen == 0 || hlen >= UDP_HOST_MAX || plen == 0 || plen > 5)
        return BT_ERR_TRACKER_URL;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    memcpy(port, colon + 1, plen);
    port[plen] = '\0';
    if (strspn(port, "0123456789") != plen)
        return BT_ERR_TRACKER_URL;
    return BT_OK;
}

/* A UDP socket connect()ed to the tracker: the kernel then drops datagrams from
 * anyone else, and reports the tracker's ICMP "port unreachable" as ECONNREFUSED. */
static enum bt_err open_socket(const char *url, int *fd, size_t *iplen)
{
    char host[UDP_HOST_MAX], port[6];
    struct addrinfo hints, *res = NULL;
    enum bt_err err = split_url(url, host, port);
    int rc;

    if (err != BT_OK)
        return err;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0 || res == NULL)
        return BT_ERR_TRACKER_DNS;
    *fd = socket(res->ai_family, SOCK_DGRAM, 0);
    if (*fd < 0) {
        freeaddrinfo(res);
        return BT_ERR_IO;
    }
    /* BEP 15: the peers in an answer are as wide as the address we reached it on. */
    *iplen = res->ai_family == AF_INET6 ? 16 : 4;
    if (bt_net_nonblock(*fd) != BT_OK || connect(*fd, res->ai_addr, res->ai_addrlen) < 0) {
        freeaddrinfo(res);
        close(*fd);
        *fd = -1;
        return BT_ERR_TRACKER_CONNECT;
    }
    freeaddrinfo(res);
    return BT_OK;
}

/*
 * Wait until wait_until for a datagram, ignoring those of other transactions.
 * BT_ERR_TRACKER_TIMEOUT when the time is up; otherwise what the parser said.
 */
static enum bt_err receive(int fd, uint64_t wait_until, int connecting, uint32_t txid, size_t iplen,
                           uint64_t *conn_id, struct bt_announce_resp *resp)
{
    unsigned char packet[BT_UDP_MAX_PACKET];

    for (;;) {
        uint64_t now = bt_loop_now_ms();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        ssize_t n;
        enum bt_err err;
        int rc;

        if (now >= wait_until)
            return BT_ERR_TRACKER_TIMEOUT;
        rc = poll(&pfd, 1, (int)(wait_until - now));
        if (rc < 0 && errno != EINTR)
            return BT_ERR_IO;
        if (rc <= 0)
            continue;
        n = recv(fd, packet, sizeof(packet), MSG_TRUNC);
        if (n < 0 && errno == ECONNREFUSED)
            return BT_ERR_TRACKER_CONNECT;
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n < 0)
            return BT_ERR_IO;
        if ((size_t)n > sizeof(packet))
            return BT_ERR_TRACKER_TOO_LARGE;
        if (connecting)
            err = bt_udp_parse_connect(packet, (size_t)n, txid, conn_id, resp);
        else
            err = bt_udp_parse_announce(packet, (size_t)n, txid, iplen, resp);
        if (err != BT_ERR_TRACKER_TXID)
            return err;
    }
}

static enum bt_err send_packet(int fd, const unsigned char *p, size_t n)
{
    ssize_t sent = send(fd, p, n, 0);

    if (sent < 0 && errno == ECONNREFUSED)
        return BT_ERR_TRACKER_CONNECT;
    /* A full socket buffer loses the packet like the network would: the retry
     * schedule covers it. */
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return BT_ERR_IO;
    return BT_OK;
}

enum bt_err bt_tracker_udp_announce(const char *url, const struct bt_announce_req *req,
                                    const struct bt_announce_opts *opts,
                                    struct bt_announce_resp *resp)
{
    enum bt_tracker_scheme scheme;
    uint64_t start = bt_loop_now_ms(), deadline, first_wait, conn_time = 0, conn_id = 0;
    unsigned doublings = 0;
    int connected = 0, fd = -1;
    size_t iplen = 4;
    enum bt_err err;

    if (bt_tracker_url_scheme(url, &scheme) != BT_OK || scheme != BT_TRACKER_UDP)
        return BT_ERR_TRACKER_URL;
    if (opts->timeout_ms <= 0)
        return BT_ERR_INVALID;
    deadline = start + (uint64_t)opts->timeout_ms;
    first_wait = (uint64_t)opts->timeout_ms / 4;
    if (first_wait > UDP_FIRST_WAIT_MS)
        first_wait = UDP_FIRST_WAIT_MS;
    if (first_wait == 0)
        first_wait = 1;
    err = open_socket(url, &fd, &iplen);
    if (err != BT_OK)
        return err;

    for (;;) {
        unsigned char packet[BT_UDP_ANNOUNCE_LEN];
        uint64_t now = bt_loop_now_ms(), wait_until;
        uint32_t txid;

        if (now >= deadline) {
            err = BT_ERR_TRACKER_TIMEOUT;
            break;
        }
        if (connected && now - conn_time >= UDP_CONN_ID_MS)
            connected = 0;
        err = bt_random_bytes(&txid, sizeof(txid));
        if (err != BT_OK)
            break;
        if (connected) {
            bt_udp_announce_request(packet, conn_id, txid, req);
            err = send_packet(fd, packet, BT_UDP_ANNOUNCE_LEN);
        } else {
            bt_udp_connect_request(packet, txid);
            err = send_packet(fd, packet, BT_UDP_CONNECT_LEN);
        }
        if (err != BT_OK)
            break;
        wait_until = now + (first_wait << doublings);
        if (wait_until > deadline)
            wait_until = deadline;
        err = receive(fd, wait_until, !connected, txid, iplen, &conn_id, resp);
        if (err == BT_ERR_TRACKER_TIMEOUT) {
            if (doublings < UDP_MAX_DOUBLINGS)
                doublings++;
            continue;
        }
        if (err != BT_OK || connected)
            break; /* an error, or the announce's answer */
        connected = 1;
        conn_time = bt_loop_now_ms();
        doublings = 0;
    }
    close(fd);
    return err;
}
