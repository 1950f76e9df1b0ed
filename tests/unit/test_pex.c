/*
 * test_pex.c - BEP 11's ut_pex message: parsing with its bounds, and building.
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "wire/pex.h"
#include "tap.h"

#define P(s) ((const unsigned char *)(s)), (sizeof(s) - 1)

static struct bt_netaddr v4(unsigned char last, uint16_t port)
{
    struct bt_netaddr a;

    memset(&a, 0, sizeof(a));
    a.ip[0] = 127;
    a.ip[3] = last;
    a.iplen = 4;
    a.port = port;
    return a;
}

static struct bt_netaddr v6(unsigned char last, uint16_t port)
{
    struct bt_netaddr a;

    memset(&a, 0, sizeof(a));
    a.ip[15] = last;
    a.iplen = 16;
    a.port = port;
    return a;
}

static void test_parse(void)
{
    struct bt_pex_msg m;
    struct bt_netaddr one = v4(1, 6881), two = v4(2, 6882);
    /* 127.0.0.1:6881 (flags 0x12) and 127.0.0.2:6882 added, ::3 port 80 added6,
     * 127.0.0.2:6882 dropped. */
    static const char msg[] = "d5:added12:\x7f\x00\x00\x01\x1a\xe1\x7f\x00\x00\x02\x1a\xe2"
                              "7:added.f2:\x12\x00"
                              "6:added618:\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                              "\x00\x00\x00\x03\x00\x50"
                              "7:dropped6:\x7f\x00\x00\x02\x1a\xe2"
                              "e";

    ok(bt_pex_parse(&m, P(msg)) == BT_OK && m.added_count == 3 && m.added_total == 3 &&
           m.dropped_count == 1 && m.dropped_total == 1,
       "a message with added, added.f, added6 and dropped parses");
    ok(bt_netaddr_equal(&m.added[0].addr, &one) && m.added[0].flags == 0x12 &&
           bt_netaddr_equal(&m.added[1].addr, &two) && m.added[1].flags == 0,
       "IPv4 peers and their flags, in order");
    ok(m.added[2].addr.iplen == 16 && m.added[2].addr.ip[15] == 3 && m.added[2].addr.port == 80 &&
           m.added[2].flags == 0,
       "the IPv6 peer follows, without flags (no added6.f)");
    ok(bt_netaddr_equal(&m.dropped[0], &two), "the dropped peer");
    ok(bt_pex_parse(&m, P("de")) == BT_OK && m.added_count == 0 && m.dropped_count == 0,
       "an empty dict: nothing added or dropped");
    ok(bt_pex_parse(&m, P("d1:xli1eli2eee7:dropped0:e")) == BT_OK,
       "unknown keys are ignored, unsorted keys accepted");
}

static void test_malformed(void)
{
    struct bt_pex_msg m;

    ok(bt_pex_parse(&m, P("d5:added5:abcdee")) == BT_ERR_PEER_MESSAGE,
       "added not a multiple of 6 bytes: refused");
    ok(bt_pex_parse(&m, P("d6:added66:abcdefe")) == BT_ERR_PEER_MESSAGE,
       "added6 not a multiple of 18 bytes: refused");
    ok(bt_pex_parse(&m, P("d7:dropped7:abcdefge")) == BT_ERR_PEER_MESSAGE,
       "dropped not a multiple of 6 bytes: refused");
    ok(bt_pex_parse(&m, P("d8:dropped65:abcdee")) == BT_ERR_PEER_MESSAGE,
       "dropped6 not a multiple of 18 bytes: refused");
    ok(bt_pex_parse(&m, P("d5:added6:abcdef7:added.f2:xye")) == BT_ERR_PEER_MESSAGE,
       "two flags for one peer: refused");
    ok(bt_pex_parse(&m, P("d5:addedi1ee")) == BT_ERR_PEER_MESSAGE, "added an integer: refused");
    ok(bt_pex_parse(&m, P("d7:added.fle5:added0:e")) == BT_ERR_PEER_MESSAGE,
       "added.f a list: refused");
    ok(bt_pex_parse(&m, P("l5:addede")) == BT_ERR_PEER_MESSAGE, "a list: refused");
    ok(bt_pex_parse(&m, P("d5:added6:abcd")) == BT_ERR_PEER_MESSAGE, "a truncated dict: refused");
    ok(bt_pex_parse(&m, P("")) == BT_ERR_PEER_MESSAGE, "an empty payload: refused");
    ok(bt_pex_parse(&m, P("d1:xlllllllllleeeeeeeeeee")) == BT_ERR_PEER_MESSAGE,
       "deep nesting: refused");
}

/* A message of n IPv4 peers added and n dropped, bencoded by hand. */
static size_t flood(unsigned char *out, size_t cap, size_t n)
{
    size_t len, i, k;

    len = (size_t)snprintf((char *)out, cap, "d5:added%zu:", n * BT_NETADDR_COMPACT4);
    for (k = 0; k < 2; k++) {
        for (i = 0; i < n && len + BT_NETADDR_COMPACT4 < cap; i++) {
            struct bt_netaddr a = v4((unsigned char)(i & 0xff), (uint16_t)(1000 + i));

            len += bt_netaddr_put(&a, out + len);
        }
        if (k == 0)
            len += (size_t)snprintf((char *)out + len, cap - len,
                                    "7:dropped%zu:", n * BT_NETADDR_COMPACT4);
    }
    out[len++] = 'e';
    return len;
}

static void test_bounds(void)
{
    static unsigned char big[2 * BT_PEX_MAX_LEN];
    struct bt_pex_msg m;
    size_t len;

    len = flood(big, sizeof(big), 600);
    ok(len <= BT_PEX_MAX_LEN && bt_pex_parse(&m, big, len) == BT_OK &&
           m.added_count == BT_PEX_MAX_ENTRIES && m.added_total == 600 &&
           m.dropped_count == BT_PEX_MAX_ENTRIES && m.dropped_total == 600,
       "600 added and 600 dropped: %d of each kept, the totals counted", BT_PEX_MAX_ENTRIES);
    ok(m.added[49].addr.port == 1049, "the first ones are kept");
    len = flood(big, sizeof(big), 700);
    ok(len > BT_PEX_MAX_LEN && bt_pex_parse(&m, big, len) == BT_ERR_TOO_LARGE && m.added_count == 0,
       "a payload over %d bytes: refused before parsing", BT_PEX_MAX_LEN);
}

static void test_put(void)
{
    struct bt_pex_peer added[BT_PEX_MAX_ENTRIES + 1];
    struct bt_netaddr dropped[2];
    struct bt_pex_msg m;
    struct bt_buf b;
    size_t i;

    memset(added, 0, sizeof(added));
    added[0].addr = v4(1, 6881);
    added[0].flags = BT_PEX_F_SEED | BT_PEX_F_REACHABLE;
    added[1].addr = v6(1, 6882);
    added[1].flags = BT_PEX_F_UTP;
    dropped[0] = v4(9, 9);
    dropped[1] = v6(9, 9);
    bt_buf_init(&b, 4096);
    ok(bt_pex_put(&b, added, 1, NULL, 0) == BT_OK &&
           b.len == sizeof("d5:added6:xxxxxx7:added.f1:x6:added60:8:added6.f0:7:dropped0:"
                           "8:dropped60:e") -
                        1 &&
           memcmp(b.data,
                  "d5:added6:\x7f\x00\x00\x01\x1a\xe1"
                  "7:added.f1:\x12"
                  "6:added60:",
                  38) == 0,
       "one IPv4 peer: every key, sorted, with its flags");
    bt_buf_reset(&b);
    ok(bt_pex_put(&b, added, 2, dropped, 2) == BT_OK && bt_pex_parse(&m, b.data, b.len) == BT_OK &&
           m.added_count == 2 && bt_netaddr_equal(&m.added[0].addr, &added[0].addr) &&
           m.added[0].flags == added[0].flags &&
           bt_netaddr_equal(&m.added[1].addr, &added[1].addr) && m.added[1].flags == BT_PEX_F_UTP &&
           m.dropped_count == 2 && bt_netaddr_equal(&m.dropped[0], &dropped[0]) &&
           bt_netaddr_equal(&m.dropped[1], &dropped[1]),
       "both families, added and dropped: what is built parses back the same");
    for (i = 0; i < BT_PEX_MAX_ENTRIES + 1; i++)
        added[i].addr = v4((unsigned char)i, (uint16_t)(2000 + i));
    bt_buf_reset(&b);
    ok(bt_pex_put(&b, added, BT_PEX_MAX_ENTRIES, NULL, 0) == BT_OK && b.len <= BT_PEX_MAX_LEN,
       "%d peers fit", BT_PEX_MAX_ENTRIES);
    bt_buf_reset(&b);
    ok(bt_pex_put(&b, added, BT_PEX_MAX_ENTRIES + 1, NULL, 0) == BT_ERR_INVALID && b.len == 0,
       "%d peers: refused, nothing written", BT_PEX_MAX_ENTRIES + 1);
    added[0].addr.iplen = 5;
    ok(bt_pex_put(&b, added, 1, NULL, 0) == BT_ERR_INVALID, "an address of 5 bytes: refused");
    bt_buf_release(&b);
}

int main(void)
{
    test_parse();
    test_malformed();
    test_bounds();
    test_put();
    return tap_done();
}
