/*
 * udp_client.c - the client's exchange with a UDP tracker (BEP 15): udp.c
 * makes and reads the packets, this file sends them and waits.  See client.h.
 *
 * UDP has no connection, so a tracker could be made to flood a forged source
 * address.  BEP 15 therefore starts with a round trip that proves we receive at
 * our address, then the announce quotes the connection id it got:
 *
 *   client                                          tracker
 *     connect   [0x41727101980 | 0 | txid A]      ->
 *                                                 <-  [0 | txid A | connection id C]
 *     announce  [C | 1 | txid B | hash | ...]     ->
 *                                                 <-  [1 | txid B | interval | leechers
 *                                                      | seeders | peers...]
 *
 * A lost packet is sent again after 15 * 2^n seconds, n = 0..8.  Our whole
 * exchange must fit in opts->timeout_ms, so the first wait is min(15 s,
 * timeout / 4) and doubles from there: with the spec's waits a tracker that
 * dropped one packet would cost 15 s, longer than a learner's command should
 * hang by default.  A connection id is good for one minute (BEP 15): past that
 * we connect again before announcing.
 *
 * The host name is resolved with getaddrinfo(), which has no timeout of its own.
 */
#include "tracker/client.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/net.h"
#include "core/random.h"
#include "tracker/udp.h"

#define UDP_FIRST_WAIT_MS 15000 /* BEP 15: 15 * 2^n seconds */
#define UDP_MAX_DOUBLINGS 8     /* BEP 15: n stops at 8 */
#define UDP_CONN_ID_MS    60000 /* BEP 15: a connection id is valid for one minute */
#define UDP_HOST_MAX      256

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
