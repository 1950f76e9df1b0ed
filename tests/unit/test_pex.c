/*
 * test_pex.c - BEP 11's ut_pex message: parsing with its bounds, and building.
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "session/pex_state.h"
#include "wire/message.h"
#include "wire/pex.h"
#include "wire/trace.h"
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

/* What one peer is told, message after message, as our connections change. */
static void test_state_next(void)
{
    struct bt_pex_state st;
    struct bt_pex_peer now[3];
    struct bt_pex_msg m;
    struct bt_buf b;
    size_t added, dropped;

    memset(now, 0, sizeof(now));
    now[0].addr = v4(1, 1001);
    now[1].addr = v4(2, 1002);
    now[2].addr = v6(3, 1003);
    now[0].flags = BT_PEX_F_SEED;
    bt_pex_state_init(&st);
    bt_buf_init(&b, BT_PEX_MAX_LEN);
    ok(bt_pex_state_next(&st, 1000, now, 0, &b, &added, &dropped) == BT_OK && b.len == 0 &&
           added == 0 && dropped == 0 && st.due_ms == 1000 + BT_PEX_STATE_RECHECK_MS,
       "no peers, nothing told: no message, and a look again %d ms later", BT_PEX_STATE_RECHECK_MS);
    ok(bt_pex_state_next(&st, 1000 + BT_PEX_STATE_RECHECK_MS, now, 2, &b, &added, &dropped) ==
               BT_OK &&
           added == 2 && dropped == 0 && bt_pex_parse(&m, b.data, b.len) == BT_OK &&
           m.added_count == 2 && m.added[0].flags == BT_PEX_F_SEED,
       "two peers: both added, with their flags");
    ok(st.due_ms == 1000 + BT_PEX_STATE_RECHECK_MS + BT_PEX_INTERVAL_MS && st.told_count == 2,
       "the next message not before a minute, and both remembered");
    bt_buf_reset(&b);
    ok(bt_pex_state_next(&st, st.due_ms - 1, &now[1], 2, &b, &added, &dropped) == BT_OK &&
           b.len == 0,
       "a peer lost and one gained within the minute: nothing sent yet");
    ok(bt_pex_state_next(&st, st.due_ms, &now[1], 2, &b, &added, &dropped) == BT_OK && added == 1 &&
           dropped == 1 && bt_pex_parse(&m, b.data, b.len) == BT_OK && m.added_count == 1 &&
           bt_netaddr_equal(&m.added[0].addr, &now[2].addr) && m.dropped_count == 1 &&
           bt_netaddr_equal(&m.dropped[0], &now[0].addr),
       "a minute on: the IPv6 peer added, the first one dropped, the one kept not repeated");
    bt_buf_release(&b);
}

/* Told at most BT_PEX_MAX_ENTRIES at a time, the rest in the next messages. */
static void test_state_many(void)
{
    static struct bt_pex_state st;
    struct bt_pex_peer now[120];
    struct bt_buf b;
    size_t added, dropped, i;

    memset(now, 0, sizeof(now));
    for (i = 0; i < 120; i++)
        now[i].addr = v4((unsigned char)i, (uint16_t)(3000 + i));
    bt_pex_state_init(&st);
    bt_buf_init(&b, BT_PEX_MAX_LEN);
    ok(bt_pex_state_next(&st, 0, now, 120, &b, &added, &dropped) == BT_OK &&
           added == BT_PEX_MAX_ENTRIES,
       "120 peers: the first message adds %d", BT_PEX_MAX_ENTRIES);
    bt_buf_reset(&b);
    (void)bt_pex_state_next(&st, st.due_ms, now, 120, &b, &added, &dropped);
    bt_buf_reset(&b);
    ok(bt_pex_state_next(&st, st.due_ms, now, 120, &b, &added, &dropped) == BT_OK && added == 20 &&
           st.told_count == 120,
       "the third adds the last 20");
    bt_buf_release(&b);
}

static void test_state_budget(void)
{
    struct bt_pex_state st;

    bt_pex_state_init(&st);
    ok(bt_pex_state_budget(&st, 5000) == BT_PEX_STATE_TAKE_PER_MINUTE,
       "a first message: the full budget");
    bt_pex_state_took(&st, 30);
    ok(bt_pex_state_budget(&st, 6000) == BT_PEX_STATE_TAKE_PER_MINUTE - 30,
       "a second one in the same minute: what is left");
    bt_pex_state_took(&st, BT_PEX_STATE_TAKE_PER_MINUTE - 30);
    ok(bt_pex_state_budget(&st, 7000) == 0, "spent: nothing more this minute");
    ok(bt_pex_state_budget(&st, 5000 + BT_PEX_INTERVAL_MS) == BT_PEX_STATE_TAKE_PER_MINUTE,
       "a minute after the first: the budget again");
}

/* --trace names a ut_pex message and lists its peers. */
static void test_trace(void)
{
    struct bt_pex_peer one;
    struct bt_buf payload, frame, out;

    memset(&one, 0, sizeof(one));
    one.addr = v4(1, 6881);
    one.flags = BT_PEX_F_SEED | BT_PEX_F_REACHABLE;
    bt_buf_init(&payload, BT_PEX_MAX_LEN);
    bt_buf_init(&frame, BT_PEX_MAX_LEN + 16);
    bt_buf_init(&out, BT_TRACE_TEXT_MAX);
    ok(bt_pex_put(&payload, &one, 1, NULL, 0) == BT_OK &&
           bt_message_put_extended(&frame, 1, payload.data, payload.len) == BT_OK &&
           bt_trace_message_named(&out, BT_TRACE_RECEIVED, frame.data, frame.len, 0, "ut_pex") ==
               BT_OK,
       "trace a ut_pex frame");
    ok(strstr((const char *)out.data, "<- extended ext_id=1 (ut_pex) added=1 dropped=0 (") !=
               NULL &&
           strstr((const char *)out.data, "ext id 1 (ut_pex, BEP 11)") != NULL &&
           strstr((const char *)out.data, "added 127.0.0.1:6881 flags 0x12 seed reachable\n") !=
               NULL,
       "its summary counts the peers, a line names each");
    bt_buf_reset(&out);
    ok(bt_trace_message(&out, BT_TRACE_RECEIVED, frame.data, frame.len, 0) == BT_OK &&
           strstr((const char *)out.data, "<- extended ext_id=1 (") != NULL &&
           strstr((const char *)out.data, "added 127") == NULL,
       "without the connection's names: the ext id alone");
    bt_buf_release(&payload);
    bt_buf_release(&frame);
    bt_buf_release(&out);
}

int main(void)
{
    test_parse();
    test_malformed();
    test_bounds();
    test_put();
    test_state_next();
    test_state_many();
    test_state_budget();
    test_trace();
    return tap_done();
}
