/*
 * fuzz_tracker.c - libFuzzer harness for everything a tracker or a tracker's
 * client reads from the network:
 *
 *   first byte % 5 == 0   the rest is an HTTP tracker's body (bt_tracker_http_parse)
 *                    1   a UDP tracker's answer, as connect and as announce
 *                        (IPv4 and IPv6 peer widths)
 *                    2   an HTTP request head sent to bt-tracker
 *                    3   a UDP datagram sent to bt-tracker
 *                    4   a magnet link given to bt-announce
 *
 * Build (fuzz/run does this for every fuzz/fuzz_*.c), from the top of a configured
 * tree (for config.h):
 *   clang -fsanitize=fuzzer,address,undefined -I. -Ilib fuzz/fuzz_tracker.c \
 *       $(find lib -name '*.c') -lcrypto -lcurl
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "metainfo/magnet.h"
#include "core/net.h"
#include "tracker/announce.h"
#include "tracker/http.h"
#include "core/bytes.h"
#include "tracker/server.h"
#include "tracker/udp.h"

static struct bt_tracker_server server;
static int server_ready;

static void parse_client(const uint8_t *p, size_t n, int udp)
{
    struct bt_announce_resp resp;
    uint64_t conn_id;
    uint32_t txid = n >= BT_UDP_ERROR_HEAD ? bt_get_be32(p + BT_UDP_RESP_TXID) : 0;

    bt_announce_resp_init(&resp);
    if (!udp) {
        (void)bt_tracker_http_parse(&resp, p, n);
    } else {
        (void)bt_udp_parse_connect(p, n, txid, &conn_id, &resp);
        bt_announce_resp_release(&resp);
        (void)bt_udp_parse_announce(p, n, txid, 4, &resp);
        bt_announce_resp_release(&resp);
        (void)bt_udp_parse_announce(p, n, txid, 16, &resp);
    }
    bt_announce_resp_release(&resp);
}

static void feed_server(const uint8_t *p, size_t n, int udp)
{
    struct bt_addr from;
    struct bt_buf out;
    static unsigned char reply[BT_UDP_MAX_PACKET];
    static uint64_t now;
    size_t reply_len;

    if (!server_ready) {
        struct bt_tracker_server_config cfg;

        bt_tracker_server_config_init(&cfg);
        /* Small caps so that the fuzzer reaches the evictions of full tables too. */
        cfg.max_torrents = 8;
        cfg.max_peers = 8;
        cfg.interval_s = 1;
        if (bt_tracker_server_init(&server, &cfg, NULL) != BT_OK)
            return;
        server_ready = 1;
    }
    now += 250; /* a clock that moves, so that expiry and id ageing run */
    (void)bt_swarms_expire(&server.swarms, now);
    bt_addr_parse(n % 2 == 0 ? "127.0.0.1:6881" : "[::1]:6881", &from);
    if (udp) {
        static unsigned char packet[BT_UDP_MAX_PACKET];
        unsigned char connect[BT_UDP_CONNECT_LEN];

        if (n > sizeof(packet))
            return;
        memcpy(packet, p, n);
        /* A fuzzer cannot guess a keyed connection id: quote a real one, so that
         * the announce and scrape handlers are reached. */
        if (n >= BT_UDP_CONNECT_LEN &&
            bt_get_be32(packet + BT_UDP_REQ_ACTION) != BT_UDP_ACTION_CONNECT) {
            bt_udp_connect_request(connect, 1);
            bt_tracker_server_udp(&server, connect, sizeof(connect), &from, now, reply, &reply_len);
            memcpy(packet + BT_UDP_REQ_CONN_ID, reply + BT_UDP_RESP_CONN_ID, 8);
        }
        bt_tracker_server_udp(&server, packet, n, &from, now, reply, &reply_len);
        return;
    }
    bt_buf_init(&out, BT_TRACKER_SERVER_MAX_RESPONSE + BT_TRACKER_SERVER_MAX_REQUEST);
    if (n <= BT_TRACKER_SERVER_MAX_REQUEST)
        (void)bt_tracker_server_http(&server, (const char *)p, n, &from, now, &out);
    bt_buf_release(&out);
}

static void parse_magnet(const uint8_t *p, size_t n)
{
    static char text[BT_MAGNET_MAX_LEN + 2];
    struct bt_magnet m;

    if (n > BT_MAGNET_MAX_LEN + 1)
        return;
    memcpy(text, p, n);
    text[n] = '\0';
    bt_magnet_init(&m);
    (void)bt_magnet_parse(&m, text);
    bt_magnet_release(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    switch (data[0] % 5) {
    case 0:
        parse_client(data + 1, size - 1, 0);
        break;
    case 1:
        parse_client(data + 1, size - 1, 1);
        break;
    case 2:
        feed_server(data + 1, size - 1, 0);
        break;
    case 3:
        feed_server(data + 1, size - 1, 1);
        break;
    default:
        parse_magnet(data + 1, size - 1);
        break;
    }
    return 0;
}
