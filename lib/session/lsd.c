/*
 * lsd.c - local service discovery (BEP 14): the announce's text, and the
 * multicast socket on the loop.  See lsd.h.
 */
/* SO_REUSEPORT and struct ip_mreq (multicast) are not POSIX: glibc shows them
 * to _DEFAULT_SOURCE.  Before any header. */
#define _DEFAULT_SOURCE

#include "session/lsd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/hex.h"
#include "core/random.h"

#define REQUEST_LINE "BT-SEARCH * HTTP/1.1"

void bt_lsd_init(struct bt_lsd *lsd)
{
    memset(lsd, 0, sizeof(*lsd));
    lsd->fd = -1;
}

/* ---- the text ---- */

/* The next line of [p, end): its length without the CR LF (or LF); *next after it.
 * -1 if no line ends before end. */
static long next_line(const char *p, const char *end, const char **next)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    long n;

    if (nl == NULL)
        return -1;
    n = nl - p;
    if (n > 0 && p[n - 1] == '\r')
        n--;
    *next = nl + 1;
    return n;
}

/* Is line (n bytes) the header name: value?  Then *value and *vlen. */
static int header_is(const char *line, long n, const char *name, const char **value, long *vlen)
{
    size_t k = strlen(name);

    if ((size_t)n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
        return 0;
    line += k + 1;
    n -= (long)k + 1;
    while (n > 0 && (*line == ' ' || *line == '\t'))
        line++, n--;
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--;
    *value = line;
    *vlen = n;
    return 1;
}

static int parse_port(const char *v, long n, uint16_t *port)
{
    unsigned long x = 0;
    long i;

    if (n < 1 || n > 5)
        return 0;
    for (i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return 0;
        x = x * 10 + (unsigned long)(v[i] - '0');
    }
    if (x == 0 || x > 65535)
        return 0;
    *port = (uint16_t)x;
    return 1;
}

enum bt_err bt_lsd_parse(struct bt_lsd_msg *m, const char *p, size_t len)
{
    const char *end = p + len, *next, *v;
    long n, vlen;
    int have_port = 0;

    memset(m, 0, sizeof(*m));
    if (len > BT_LSD_MAX_MSG)
        return BT_ERR_INVALID;
    n = next_line(p, end, &next);
    if (n != (long)strlen(REQUEST_LINE) || memcmp(p, REQUEST_LINE, (size_t)n) != 0)
        return BT_ERR_INVALID;
    for (p = next; (n = next_line(p, end, &next)) > 0; p = next) {
        if (header_is(p, n, "Port", &v, &vlen)) {
            if (!parse_port(v, vlen, &m->port))
                return BT_ERR_INVALID;
            have_port = 1;
        } else if (header_is(p, n, "Infohash", &v, &vlen)) {
            if (vlen != 40)
                return BT_ERR_INVALID;
            if (m->hash_count == BT_LSD_MAX_HASHES)
                continue;
            if (bt_hex_decode_mem(v, m->hashes[m->hash_count], 20) != BT_OK)
                return BT_ERR_INVALID;
            m->hash_count++;
        } else if (header_is(p, n, "cookie", &v, &vlen)) {
            if ((size_t)vlen >= sizeof(m->cookie))
                return BT_ERR_INVALID;
            memcpy(m->cookie, v, (size_t)vlen);
            m->cookie[vlen] = '\0';
        }
    }
    if (n != 0) /* the headers must end with an empty line */
        return BT_ERR_INVALID;
    return have_port && m->hash_count > 0 ? BT_OK : BT_ERR_INVALID;
}

size_t bt_lsd_format(char *out, size_t cap, uint16_t port, const unsigned char hash[20],
                     const char *cookie)
{
    char hex[41];
    int n;

    bt_hex_encode(hash, 20, hex);
    n = snprintf(out, cap,
                 REQUEST_LINE
                 "\r\nHost: %s:%d\r\nPort: %u\r\nInfohash: %s\r\ncookie: %s\r\n\r\n\r\n",
                 BT_LSD_GROUP, BT_LSD_PORT, (unsigned)port, hex, cookie);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* ---- the socket ---- */

static void announce(struct bt_lsd *lsd)
{
    char msg[BT_LSD_MAX_MSG];
    struct sockaddr_in to;
    size_t n = bt_lsd_format(msg, sizeof(msg), lsd->port, lsd->hash, lsd->cookie);

    memset(&to, 0, sizeof(to));
    to.sin_family = AF_INET;
    to.sin_port = htons(BT_LSD_PORT);
    inet_pton(AF_INET, BT_LSD_GROUP, &to.sin_addr);
    /* A lost datagram is only a later discovery. */
    if (n > 0 && sendto(lsd->fd, msg, n, 0, (struct sockaddr *)&to, sizeof(to)) == (ssize_t)n)
        lsd->sent++;
}

static void on_timer(void *arg)
{
    struct bt_lsd *lsd = arg;

    lsd->timer = 0;
    announce(lsd);
    (void)bt_loop_timer(lsd->loop, BT_LSD_INTERVAL_MS, on_timer, lsd, &lsd->timer);
}

/* Have we heard from addr (host and TCP port) before?  Remember it if not. */
static int heard_before(struct bt_lsd *lsd, const struct bt_addr *addr)
{
    size_t i;

    for (i = 0; i < lsd->known_count; i++)
        if (bt_addr_equal(&lsd->known[i], addr))
            return 1;
    lsd->known[lsd->known_next] = *addr;
    lsd->known_next = (lsd->known_next + 1) % BT_LSD_KNOWN;
    if (lsd->known_count < BT_LSD_KNOWN)
        lsd->known_count++;
    return 0;
}

static void on_readable(void *arg, int fd, unsigned events)
{
    struct bt_lsd *lsd = arg;
    char buf[BT_LSD_MAX_MSG + 1];
    struct sockaddr_in from;
    socklen_t fromlen = sizeof(from);
    struct bt_lsd_msg m;
    struct bt_addr peer;
    ssize_t n;
    size_t i;

    (void)events;
    n = recvfrom(fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from, &fromlen);
    if (n < 0 || (size_t)n > BT_LSD_MAX_MSG || from.sin_family != AF_INET)
        return; /* an error, or a datagram too long to be an announce */
    if (bt_lsd_parse(&m, buf, (size_t)n) != BT_OK || strcmp(m.cookie, lsd->cookie) == 0)
        return; /* not an announce, or our own */
    for (i = 0; i < m.hash_count; i++)
        if (memcmp(m.hashes[i], lsd->hash, 20) == 0)
            break;
    if (i == m.hash_count)
        return; /* another torrent */
    from.sin_port = htons(m.port);
    memset(&peer, 0, sizeof(peer));
    memcpy(&peer.ss, &from, sizeof(from));
    peer.len = sizeof(from);
    lsd->heard++;
    if (heard_before(lsd, &peer))
        return;
    lsd->on_peer(lsd->arg, &peer);
    /* A newcomer: let it hear of us now, not in five minutes. */
    if (lsd->last_reply_ms == 0 || bt_loop_now_ms() - lsd->last_reply_ms >= BT_LSD_REPLY_GAP_MS) {
        lsd->last_reply_ms = bt_loop_now_ms();
        announce(lsd);
    }
}

enum bt_err bt_lsd_start(struct bt_lsd *lsd, struct bt_loop *loop, const unsigned char hash[20],
                         uint16_t port, bt_lsd_peer_fn *on_peer, void *arg)
{
    unsigned char raw[BT_LSD_COOKIE_LEN / 2];
    struct sockaddr_in local;
    struct ip_mreq join;
    int one = 1;
    unsigned char ttl = 1, loopback = 1; /* the link only; other processes here too */
    enum bt_err err;

    lsd->loop = loop;
    memcpy(lsd->hash, hash, 20);
    lsd->port = port;
    lsd->on_peer = on_peer;
    lsd->arg = arg;
    err = bt_random_bytes(raw, sizeof(raw));
    if (err != BT_OK)
        return err;
    bt_hex_encode(raw, sizeof(raw), lsd->cookie);
    lsd->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lsd->fd < 0)
        return BT_ERR_IO;
    memset(&local, 0, sizeof(local));
    local.sin_family = AF_INET;
    local.sin_port = htons(BT_LSD_PORT);
    local.sin_addr.s_addr = htonl(INADDR_ANY);
    memset(&join, 0, sizeof(join));
    inet_pton(AF_INET, BT_LSD_GROUP, &join.imr_multiaddr);
    join.imr_interface.s_addr = htonl(INADDR_ANY);
    /* Every BitTorrent client on the host listens on 6771: share it. */
    if (setsockopt(lsd->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
        setsockopt(lsd->fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
        bind(lsd->fd, (struct sockaddr *)&local, sizeof(local)) < 0 ||
        setsockopt(lsd->fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof(join)) < 0 ||
        setsockopt(lsd->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
        setsockopt(lsd->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loopback, sizeof(loopback)) < 0)
        return BT_ERR_IO;
    err = bt_loop_watch(loop, lsd->fd, BT_LOOP_READ, on_readable, lsd);
    if (err != BT_OK)
        return err;
    lsd->watched = 1;
    return bt_loop_timer(loop, 0, on_timer, lsd, &lsd->timer);
}

void bt_lsd_release(struct bt_lsd *lsd)
{
    if (lsd->timer != 0)
        bt_loop_cancel(lsd->loop, lsd->timer);
    if (lsd->watched)
        bt_loop_unwatch(lsd->loop, lsd->fd);
    if (lsd->fd >= 0)
        close(lsd->fd);
    bt_lsd_init(lsd);
}
