/*
 * test_tracker.c - the network-free tracker code: URL encoding, response parsing,
 * BEP 15 packets, tiers, the swarm table on a made-up clock, and the server's
 * HTTP and UDP handlers fed requests directly (connection id expiry included).
 */
#include <string.h>

#include "metainfo/magnet.h"
#include "core/bytes.h"
#include "core/net.h"
#include "tap.h"
#include "core/url.h"
#include "tracker/announce.h"
#include "tracker/http.h"
#include "tracker/server.h"
#include "tracker/swarm.h"
#include "tracker/client.h"
#include "tracker/tiers.h"
#include "tracker/udp.h"
#include "wire/peerid.h"

static const unsigned char hash[20] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23,
                                       0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67};

static int parse(const char *body, size_t len, struct bt_announce_resp *resp)
{
    bt_announce_resp_release(resp);
    return bt_tracker_http_parse(resp, body, len);
}

static void test_url(void)
{
    struct bt_announce_req req;
    struct bt_buf out;
    enum bt_tracker_scheme scheme;

    bt_announce_req_init(&req);
    memcpy(req.info_hash, hash, 20);
    memcpy(req.peer_id, "-BK0100-abcdefghijkl", 20);
    req.event = BT_EVENT_STARTED;
    req.left = 5;
    req.key = 0xdeadbeef;
    bt_buf_init(&out, 4096);
    ok(bt_tracker_http_url(&out, "http://t/a?k=1", &req) == BT_OK, "announce URL builds");
    ok(strcmp((char *)out.data,
              "http://t/a?k=1&info_hash=%01%23Eg%89%AB%CD%EF%01%23Eg%89%AB%CD%EF%01%23Eg"
              "&peer_id=-BK0100-abcdefghijkl&port=6881&uploaded=0&downloaded=0&left=5"
              "&compact=1&key=deadbeef&event=started") == 0,
       "announce URL is exact: %s", out.data);
    bt_buf_release(&out);

    ok(bt_tracker_url_scheme("HTTPS://x/", &scheme) == BT_OK && scheme == BT_TRACKER_HTTPS,
       "scheme is case-insensitive");
    ok(bt_tracker_url_scheme("udp://h:1", &scheme) == BT_OK && scheme == BT_TRACKER_UDP, "udp");
    ok(bt_tracker_url_scheme("ws://h/", &scheme) == BT_ERR_TRACKER_URL, "ws refused");
    ok(bt_tracker_url_scheme("http:///x", &scheme) == BT_ERR_TRACKER_URL, "no host refused");
    ok(bt_tracker_url_scheme("http://a\nb", &scheme) == BT_ERR_TRACKER_URL, "newline refused");
}

static void test_parse(void)
{
    struct bt_announce_resp resp;
    static const char compact[] = "d8:intervali60e5:peers6:\xc0\x00\x02\x07\x1a\xe1"
                                  "6:peers618:\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x07\x1a\xe2"
                                  "e";

    bt_announce_resp_init(&resp);
    ok(parse(compact, sizeof(compact) - 1, &resp) == BT_OK, "compact + peers6 parse");
    ok(resp.interval == 60 && resp.peers.count == 2, "interval and two peers");
    ok(resp.peers.peers[0].iplen == 4 && resp.peers.peers[0].port == 6881, "IPv4 peer");
    ok(resp.peers.peers[1].iplen == 16 && resp.peers.peers[1].port == 6882, "IPv6 peer");
    ok(resp.complete == -1 && resp.incomplete == -1, "absent counts stay -1");

    ok(parse("d14:failure reason3:no!e", 24, &resp) == BT_ERR_TRACKER_FAILURE &&
           strcmp(resp.failure, "no!") == 0,
       "failure reason");
    ok(parse("d5:peers5:abcdee", 16, &resp) == BT_ERR_TRACKER_PEERS, "5 bytes of peers");
    ok(strcmp(resp.detail, "'peers' is 5 bytes, not a multiple of 6") == 0, "detail: %s",
       resp.detail);
    ok(parse("d8:intervali-1ee", 16, &resp) == BT_ERR_TRACKER_RESPONSE, "negative interval");
    ok(parse("d8:interval", 11, &resp) == BT_ERR_TRACKER_NOT_BENCODED && resp.err_offset == 11,
       "truncated body with its offset");
    ok(parse("d5:peersld2:ip4:host4:porti1eeee", 32, &resp) == BT_OK && resp.skipped == 1,
       "host-name peer skipped");
    ok(parse("d5:peersld2:ip7:1.2.3.44:porti0eeee", 35, &resp) == BT_ERR_TRACKER_RESPONSE,
       "port 0 refused");
    bt_announce_resp_release(&resp);
}

static void test_udp_packets(void)
{
    struct bt_announce_resp resp;
    unsigned char p[64];
    uint64_t id = 0;

    bt_announce_resp_init(&resp);
    bt_put_be32(p, 0);
    bt_put_be32(p + 4, 7);
    bt_put_be64(p + 8, 0x1122334455667788ULL);
    ok(bt_udp_parse_connect(p, 16, 8, &id, &resp) == BT_ERR_TRACKER_TXID, "other txid ignored");
    ok(bt_udp_parse_connect(p, 7, 7, &id, &resp) == BT_ERR_TRACKER_TXID, "runt ignored");
    ok(bt_udp_parse_connect(p, 16, 7, &id, &resp) == BT_OK && id == 0x1122334455667788ULL,
       "connection id read");
    ok(bt_udp_parse_connect(p, 12, 7, &id, &resp) == BT_ERR_TRACKER_RESPONSE, "short connect");
    bt_put_be32(p, 3);
    memcpy(p + 8, "nope", 4);
    ok(bt_udp_parse_announce(p, 12, 7, 4, &resp) == BT_ERR_TRACKER_FAILURE &&
           strcmp(resp.failure, "nope") == 0,
       "error action");
    bt_announce_resp_release(&resp);
    bt_put_be32(p, 1);
    memset(p + 8, 0, 12);
    memcpy(p + 20, "\x7f\0\0\x01\x1a\xe1", 6);
    ok(bt_udp_parse_announce(p, 26, 7, 4, &resp) == BT_OK && resp.peers.count == 1,
       "announce answer with one peer");
    bt_announce_resp_release(&resp);
    ok(bt_udp_parse_announce(p, 26, 7, 16, &resp) == BT_ERR_TRACKER_PEERS,
       "6 bytes are not an IPv6 peer");
    bt_announce_resp_release(&resp);
}

static void test_tiers_and_ids(void)
{
    struct bt_tracker_tiers tiers;
    struct bt_peer_list a, b;
    struct bt_netaddr p = {{1, 2, 3, 4}, 4, 80};
    unsigned char id[20];
    size_t i;
    int alnum = 1;

    bt_tracker_tiers_init(&tiers);
    bt_tracker_tiers_new_tier(&tiers);
    bt_tracker_tiers_add(&tiers, "http://a/");
    bt_tracker_tiers_add(&tiers, "http://b/");
    bt_tracker_tiers_add(&tiers, "http://c/");
    bt_tracker_tiers_add(&tiers, "http://a/");
    ok(tiers.counts[0] == 3, "duplicate URL skipped");
    ok(bt_tracker_tiers_shuffle(&tiers) == BT_OK, "shuffle");
    bt_tracker_tiers_promote(&tiers, 0, 2);
    {
        char *winner = tiers.urls[0][0];

        bt_tracker_tiers_promote(&tiers, 0, 1);
        ok(strcmp(tiers.urls[0][1], winner) == 0, "promoted URL at the front, the rest follow");
    }
    bt_tracker_tiers_release(&tiers);

    ok(bt_peerid_generate(id) == BT_OK && memcmp(id, bt_peerid_prefix(), 8) == 0 &&
           memcmp(id, "-BK", 3) == 0,
       "peer id prefix");
    for (i = 8; i < 20; i++)
        alnum = alnum && ((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'A' && id[i] <= 'Z') ||
                          (id[i] >= 'a' && id[i] <= 'z'));
    ok(alnum, "peer id tail is alphanumeric");

    bt_peer_list_init(&a);
    bt_peer_list_init(&b);
    bt_peer_list_add(&a, &p);
    bt_peer_list_add(&b, &p);
    p.port = 81;
    bt_peer_list_add(&b, &p);
    bt_peer_list_merge(&a, &b);
    ok(a.count == 2, "merge drops the duplicate");
    for (i = 0; i < BT_TRACKER_MAX_PEERS + 5; i++)
        bt_peer_list_add(&a, &p);
    ok(a.count == BT_TRACKER_MAX_PEERS && a.dropped == 7, "list capped, extras counted");
    bt_peer_list_release(&a);
    bt_peer_list_release(&b);
}

static void announce_at(struct bt_swarms *s, unsigned char who, int64_t left, uint64_t now,
                        struct bt_peer_list *out, enum bt_err *err)
{
    struct bt_swarm_announce a;
    struct bt_swarm_stats st;

    memset(&a, 0, sizeof(a));
    memcpy(a.info_hash, hash, 20);
    memset(a.peer_id, who, 20);
    a.addr.iplen = 4;
    a.addr.ip[0] = 127;
    a.addr.ip[3] = 1;
    a.addr.port = (uint16_t)(7000 + who);
    a.left = left;
    a.numwant = 50;
    bt_peer_list_release(out);
    *err = bt_swarms_announce(s, &a, now, 0, out, NULL, &st);
}

static void test_swarm(void)
{
    struct bt_swarms s;
    struct bt_peer_list out;
    enum bt_err err;

    bt_swarms_init(&s, 1000);
    s.max_peers = 2;
    bt_peer_list_init(&out);
    announce_at(&s, 'a', 0, 0, &out, &err);
    announce_at(&s, 'b', 5, 100, &out, &err);
    ok(err == BT_OK && out.count == 1 && out.peers[0].port == 7000 + 'a', "b sees a");
    announce_at(&s, 'c', 5, 200, &out, &err);
    ok(err == BT_OK && out.count == 1 && out.peers[0].port == 7000 + 'b' &&
           s.swarms[0].count == 2 && s.evicted == 1,
       "a third peer takes the stalest one's place (a), and sees b");
    announce_at(&s, 'a', 0, 300, &out, &err);
    ok(err == BT_OK && out.count == 1 && out.peers[0].port == 7000 + 'c' && s.evicted == 2,
       "a comes back at its next announce, in b's place");
    ok(bt_swarms_expire(&s, 1199) == 0, "nobody expires before the ttl");
    ok(bt_swarms_expire(&s, 1200) == 1, "c expires at its ttl");
    ok(bt_swarms_expire(&s, 1300) == 1 && s.count == 0, "a expires, the empty swarm goes");
    bt_peer_list_release(&out);
    bt_swarms_release(&s);
}

static void test_server(void)
{
    struct bt_tracker_server_config cfg;
    struct bt_tracker_server srv;
    struct bt_addr from;
    struct bt_buf out;
    unsigned char pkt[BT_UDP_ANNOUNCE_LEN], reply[BT_UDP_MAX_PACKET];
    size_t n;
    uint64_t id;
    const char *req = "GET /announce?info_hash=%01%23Eg%89%AB%CD%EF%01%23Eg%89%AB%CD%EF%01%23Eg"
                      "&peer_id=-BK0100-abcdefghijkl&port=7000&left=0 HTTP/1.1\r\n\r\n";
    struct bt_announce_req areq;

    bt_tracker_server_config_init(&cfg);
    ok(bt_tracker_server_init(&srv, &cfg, NULL) == BT_OK, "server init without a loop");
    bt_addr_parse("127.0.0.1:5555", &from);
    bt_buf_init(&out, 1 << 20);
    ok(bt_tracker_server_http(&srv, req, strlen(req), &from, 0, &out) == BT_OK, "http announce");
    ok(strstr((char *)out.data, "HTTP/1.0 200 OK\r\n") == (char *)out.data &&
           strstr((char *)out.data, "d8:completei1e10:incompletei0e") != NULL,
       "answer counts one seeder");
    bt_buf_reset(&out);
    ok(bt_tracker_server_http(&srv, "GET", 3, &from, 0, &out) == BT_OK &&
           strstr((char *)out.data, "failure reason") != NULL,
       "a truncated request line gets a failure reason");

    bt_udp_connect_request(pkt, 9);
    bt_tracker_server_udp(&srv, pkt, BT_UDP_CONNECT_LEN, &from, 0, reply, &n);
    ok(n == BT_UDP_CONNECT_LEN && bt_get_be32(reply + 4) == 9, "udp connect answered");
    id = bt_get_be64(reply + 8);
    bt_announce_req_init(&areq);
    memcpy(areq.info_hash, hash, 20);
    memcpy(areq.peer_id, "-BK0100-zzzzzzzzzzzz", 20);
    areq.left = 1;
    bt_udp_announce_request(pkt, id, 10, &areq);
    bt_tracker_server_udp(&srv, pkt, sizeof(pkt), &from, 119999, reply, &n);
    ok(n == BT_UDP_ANNOUNCE_HEAD + 6 && bt_get_be32(reply) == BT_UDP_ACTION_ANNOUNCE,
       "connection id still good in the next minute, one peer back");
    bt_tracker_server_udp(&srv, pkt, sizeof(pkt), &from, 120000, reply, &n);
    ok(bt_get_be32(reply) == BT_UDP_ACTION_ERROR, "connection id expired after two minutes");
    bt_tracker_server_udp(&srv, pkt, 15, &from, 0, reply, &n);
    ok(n == 0, "a runt datagram gets no answer");

    bt_buf_release(&out);
    bt_tracker_server_release(&srv);
}

static void test_magnet(void)
{
    struct bt_magnet m;

    bt_magnet_init(&m);
    ok(bt_magnet_parse(&m, "magnet:?xt=urn:btih:0123456789ABCDEF0123456789abcdef01234567"
                           "&dn=a%20b&tr=http%3A%2F%2Ft%2Fa&tr=udp://u:1&x.pe=1.2.3.4:5") == BT_OK,
       "hex magnet parses");
    ok(memcmp(m.info_hash, hash, 20) == 0, "hex info hash");
    ok(m.name != NULL && strcmp(m.name, "a b") == 0, "dn decoded");
    ok(m.tracker_count == 2 && strcmp(m.trackers[0], "http://t/a") == 0 &&
           strcmp(m.trackers[1], "udp://u:1") == 0,
       "tr values decoded in order");
    bt_magnet_release(&m);
    ok(bt_magnet_parse(&m, "magnet:?xt=urn:btih:AERUKZ4JVPG66AJDIVTYTK6N54ASGRLH") == BT_OK &&
           memcmp(m.info_hash, hash, 20) == 0,
       "base32 info hash (RFC 4648)");
    bt_magnet_release(&m);
    ok(bt_magnet_parse(&m, "magnet:?dn=x") == BT_ERR_MAGNET, "no info hash");
    ok(bt_magnet_parse(&m, "magnet:?xt=urn:btih:0123") == BT_ERR_MAGNET, "short info hash");
    ok(bt_magnet_parse(&m, "magnet:?xt=urn:btih:AERUKZ4JVPG66AJDIVTYTK6N54ASGRL1") == BT_ERR_MAGNET,
       "1 is not base32");
    ok(bt_magnet_parse(&m, "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567"
                           "&tr=http://a%00b") == BT_ERR_MAGNET &&
           m.tracker_count == 0,
       "a NUL byte in a tracker URL is refused, nothing kept");
    ok(bt_magnet_parse(&m, "http://x/") == BT_ERR_MAGNET, "not a magnet link");
}

int main(void)
{
    test_url();
    test_parse();
    test_udp_packets();
    test_tiers_and_ids();
    test_swarm();
    test_server();
    test_magnet();
    return tap_done();
}
