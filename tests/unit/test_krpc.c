/*
 * test_krpc.c - the DHT without a network: the XOR metric of node ids and
 * BEP 42's published test vectors.
 */
#include <string.h>

#include "core/net.h"
#include "dht/id.h"
#include "tap.h"

static void v4(struct bt_netaddr *a, int b0, int b1, int b2, int b3, uint16_t port)
{
    memset(a, 0, sizeof(*a));
    a->ip[0] = (unsigned char)b0;
    a->ip[1] = (unsigned char)b1;
    a->ip[2] = (unsigned char)b2;
    a->ip[3] = (unsigned char)b3;
    a->iplen = 4;
    a->port = port;
}

/* An IPv6 address whose first two bytes are b0 b1, last byte last. */
static void v6(struct bt_netaddr *a, int b0, int b1, int last, uint16_t port)
{
    memset(a, 0, sizeof(*a));
    a->ip[0] = (unsigned char)b0;
    a->ip[1] = (unsigned char)b1;
    a->ip[15] = (unsigned char)last;
    a->iplen = 16;
    a->port = port;
}

static void test_metric(void)
{
    unsigned char a[BT_DHT_ID_LEN], b[BT_DHT_ID_LEN], t[BT_DHT_ID_LEN], d[BT_DHT_ID_LEN];
    unsigned char near[BT_DHT_ID_LEN];
    unsigned bits, bad = 0;

    memset(t, 0, sizeof(t));
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    a[19] = 0x01;
    b[0] = 0x80;
    ok(bt_dht_id_closer(t, a, b) < 0 && bt_dht_id_closer(t, b, a) > 0,
       "an id differing in the last bit is closer than one differing in the first");
    ok(bt_dht_id_closer(t, a, a) == 0, "an id is as close as itself");
    ok(bt_dht_id_common_bits(a, b) == 0, "0x80... and 0x00... share no leading bit");
    ok(bt_dht_id_common_bits(t, a) == 159, "ids differing in the last bit share 159");
    ok(bt_dht_id_common_bits(a, a) == BT_DHT_ID_BITS, "an id shares all 160 bits with itself");
    b[0] = 0x10;
    ok(bt_dht_id_common_bits(t, b) == 3, "0x10... shares 3 leading bits with 0x00...");
    bt_dht_id_distance(a, b, d);
    ok(d[0] == 0x10 && d[19] == 0x01 && d[10] == 0, "distance is XOR");

    ok(bt_dht_id_random(a) == BT_OK && bt_dht_id_random(b) == BT_OK && memcmp(a, b, 20) != 0,
       "two random ids differ");
    for (bits = 0; bits < BT_DHT_ID_BITS; bits++) {
        if (bt_dht_id_random_near(a, bits, near) != BT_OK || bt_dht_id_common_bits(a, near) != bits)
            bad++;
    }
    ok(bad == 0, "random_near shares exactly n leading bits, for every n below 160 (%u wrong)",
       bad);
    ok(bt_dht_id_random_near(a, BT_DHT_ID_BITS, near) == BT_ERR_INVALID,
       "random_near refuses 160 shared bits");
}

struct bep42_vector {
    int ip[4];
    unsigned char r;
    unsigned char prefix[3];
};

static void test_bep42(void)
{
    /* BEP 42's table of test vectors: the first 21 bits follow from the address
     * and r; the 3 bits after them are random in the BEP's ids, so only the top 5
     * bits of the third byte are compared. */
    static const struct bep42_vector vectors[] = {
        {{124, 31, 75, 21}, 1, {0x5f, 0xbf, 0xbf}},  {{21, 75, 31, 124}, 86, {0x5a, 0x3c, 0xe9}},
        {{65, 23, 51, 170}, 22, {0xa5, 0xd4, 0x32}}, {{84, 124, 73, 14}, 65, {0x1b, 0x03, 0x21}},
        {{43, 213, 53, 83}, 90, {0xe5, 0x6f, 0x6c}},
    };
    struct bt_netaddr addr;
    unsigned char id[BT_DHT_ID_LEN];
    size_t i;

    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const struct bep42_vector *v = &vectors[i];

        v4(&addr, v->ip[0], v->ip[1], v->ip[2], v->ip[3], 6881);
        memset(id, 0xaa, sizeof(id));
        bt_dht_id_secure(&addr, v->r, id);
        ok(id[0] == v->prefix[0] && id[1] == v->prefix[1] &&
               (id[2] & 0xf8) == (v->prefix[2] & 0xf8) && id[19] == v->r,
           "BEP 42: %d.%d.%d.%d with r %u gives %02x%02x%02x..%02x", v->ip[0], v->ip[1], v->ip[2],
           v->ip[3], (unsigned)v->r, id[0], id[1], id[2], id[19]);
        ok((id[2] & 0x07) == (0xaa & 0x07) && id[10] == 0xaa,
           "BEP 42: the random bits of %d.%d.%d.%d's id are left alone", v->ip[0], v->ip[1],
           v->ip[2], v->ip[3]);
        memset(id, 0, sizeof(id));
        memcpy(id, v->prefix, sizeof(v->prefix));
        id[19] = v->r;
        ok(bt_dht_id_is_secure(id, &addr), "BEP 42: the published id of %d.%d.%d.%d is valid",
           v->ip[0], v->ip[1], v->ip[2], v->ip[3]);
        id[2] ^= 0x08;
        ok(!bt_dht_id_is_secure(id, &addr), "BEP 42: its 21st bit flipped, it is not");
    }
    v4(&addr, 124, 31, 75, 21, 6881);
    memset(id, 0, sizeof(id));
    memcpy(id, vectors[0].prefix, 3);
    id[19] = 9; /* r's low 3 bits are 1 as in the vector: only those bits count */
    ok(bt_dht_id_is_secure(id, &addr), "BEP 42: only r's low 3 bits go into the crc");
    id[19] = 2;
    ok(!bt_dht_id_is_secure(id, &addr), "BEP 42: another r needs another prefix");
    v4(&addr, 128, 31, 75, 21, 6881);
    id[19] = 1;
    ok(bt_dht_id_is_secure(id, &addr),
       "BEP 42: only the low 2 bits of an IPv4 address's first byte count (128 for 124)");
    v4(&addr, 124, 31, 75, 22, 6881);
    ok(!bt_dht_id_is_secure(id, &addr), "BEP 42: all of an IPv4 address's last byte counts");
    v4(&addr, 125, 31, 75, 21, 6881);
    ok(!bt_dht_id_is_secure(id, &addr), "BEP 42: another network, another prefix");

    v6(&addr, 0x20, 0x01, 7, 6881);
    ok(bt_dht_id_random(id) == BT_OK, "random id for IPv6");
    bt_dht_id_secure(&addr, 0x33, id);
    ok(bt_dht_id_is_secure(id, &addr) && id[19] == 0x33, "BEP 42: an IPv6 id made valid is valid");
    addr.ip[15] = 8;
    ok(bt_dht_id_is_secure(id, &addr), "BEP 42: only an IPv6 address's first 8 bytes count");
    addr.ip[1] = 0x02;
    ok(!bt_dht_id_is_secure(id, &addr), "BEP 42: another IPv6 network, another prefix");

    memset(id, 0, sizeof(id));
    v4(&addr, 127, 0, 0, 1, 1);
    ok(bt_dht_id_local(&addr) && bt_dht_id_is_secure(id, &addr), "127.0.0.1 is exempt");
    v4(&addr, 10, 1, 2, 3, 1);
    ok(bt_dht_id_local(&addr), "10/8 is local");
    v4(&addr, 172, 31, 0, 1, 1);
    ok(bt_dht_id_local(&addr), "172.31.0.1 is in 172.16/12");
    v4(&addr, 172, 32, 0, 1, 1);
    ok(!bt_dht_id_local(&addr), "172.32.0.1 is not");
    v4(&addr, 192, 168, 1, 1, 1);
    ok(bt_dht_id_local(&addr), "192.168/16 is local");
    v4(&addr, 169, 254, 9, 9, 1);
    ok(bt_dht_id_local(&addr), "169.254/16 is local");
    v4(&addr, 8, 8, 8, 8, 1);
    ok(!bt_dht_id_local(&addr) && !bt_dht_id_is_secure(id, &addr), "8.8.8.8 is not exempt");
    v6(&addr, 0, 0, 1, 1);
    ok(bt_dht_id_local(&addr), "::1 is local");
    v6(&addr, 0xfd, 0x12, 1, 1);
    ok(bt_dht_id_local(&addr), "fd12:: is in fc00::/7");
    v6(&addr, 0xfe, 0x80, 1, 1);
    ok(bt_dht_id_local(&addr), "fe80:: is link-local");
    v6(&addr, 0xfe, 0xc0, 1, 1);
    ok(!bt_dht_id_local(&addr), "fec0:: is not in fe80::/10");
    v6(&addr, 0x20, 0x01, 1, 1);
    ok(!bt_dht_id_local(&addr), "2001:: is not local");
}

int main(void)
{
    test_metric();
    test_bep42();
    return tap_done();
}
