/*
 * test_fast.c - the fast extension (BEP 6) without a network: its negotiation,
 * its messages' sizes, and the allowed fast set against the BEP's published
 * test vector.
 */
#include <string.h>

#include "tap.h"
#include "wire/fast.h"
#include "wire/handshake.h"
#include "wire/message.h"

/* BEP 6's example peer, 80.4.4.200, and its info hash of twenty 0xaa bytes. */
#define VECTOR_IP     (80u << 24 | 4u << 16 | 4u << 8 | 200u)
#define VECTOR_PIECES 1313

static void test_vector(void)
{
    static const uint32_t want7[] = {1059, 431, 808, 1217, 287, 376, 1188};
    static const uint32_t want9[] = {1059, 431, 808, 1217, 287, 376, 1188, 353, 508};
    unsigned char hash[BT_HANDSHAKE_HASH_LEN];
    uint32_t set[BT_FAST_ALLOWED_MAX], other[BT_FAST_ALLOWED_MAX];
    size_t n = 0, m = 0;

    memset(hash, 0xaa, sizeof(hash));
    ok(bt_fast_allowed_set(hash, VECTOR_IP, VECTOR_PIECES, 7, set, &n) == BT_OK && n == 7 &&
           memcmp(set, want7, sizeof(want7)) == 0,
       "k=7 gives 1059,431,808,1217,287,376,1188 (BEP 6)");
    ok(bt_fast_allowed_set(hash, VECTOR_IP, VECTOR_PIECES, 9, set, &n) == BT_OK && n == 9 &&
           memcmp(set, want9, sizeof(want9)) == 0,
       "k=9 adds 353,508 (BEP 6)");
    ok(bt_fast_allowed_set(hash, VECTOR_IP ^ 0x3f, VECTOR_PIECES, 9, other, &m) == BT_OK &&
           m == 9 && memcmp(set, other, sizeof(want9)) == 0,
       "an address in the same /24 gets the same set");
    ok(bt_fast_allowed_set(hash, VECTOR_IP ^ 0x100, VECTOR_PIECES, 9, other, &m) == BT_OK &&
           m == 9 && memcmp(set, other, sizeof(want9)) != 0,
       "another /24 gets another set");
}

static void test_bounds(void)
{
    unsigned char hash[BT_HANDSHAKE_HASH_LEN];
    uint32_t set[BT_FAST_ALLOWED_MAX];
    size_t n = 99, i, j;
    int distinct = 1;

    memset(hash, 0xaa, sizeof(hash));
    ok(bt_fast_allowed_set(hash, VECTOR_IP, 0, 7, set, &n) == BT_ERR_INVALID && n == 0,
       "a torrent of no pieces has no set");
    ok(bt_fast_allowed_set(hash, VECTOR_IP, 3, 10, set, &n) == BT_OK && n == 3,
       "k above the piece count gives every piece, once");
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++)
            distinct = distinct && set[i] != set[j] && set[i] < 3;
    ok(distinct, "the whole set of a 3-piece torrent is 0, 1, 2 in some order");
    ok(bt_fast_allowed_set(hash, VECTOR_IP, 1, 1, set, &n) == BT_OK && n == 1 && set[0] == 0,
       "a one-piece torrent allows piece 0");
}

static void test_negotiation(void)
{
    unsigned char ours[BT_RESERVED_LEN] = {0}, theirs[BT_RESERVED_LEN] = {0};

    bt_handshake_set_bit(ours, BT_RESERVED_FAST_BYTE, BT_RESERVED_FAST_BIT);
    ok(!bt_fast_negotiated(ours, theirs), "one side's bit is not enough");
    theirs[BT_RESERVED_FAST_BYTE] = 0x04;
    ok(bt_fast_negotiated(ours, theirs), "byte 7 bit 0x04 on both sides");
    ok(bt_fast_is_message(BT_MSG_HAVE_ALL) && bt_fast_is_message(BT_MSG_REJECT) &&
           bt_fast_is_message(BT_MSG_SUGGEST) && bt_fast_is_message(BT_MSG_ALLOWED_FAST) &&
           bt_fast_is_message(BT_MSG_HAVE_NONE),
       "ids 13 to 17 are the fast extension's");
    ok(!bt_fast_is_message(BT_MSG_PORT) && !bt_fast_is_message(BT_MSG_EXTENDED) &&
           !bt_fast_is_message(BT_MSG_BITFIELD),
       "port, extended and bitfield are not");
}

/* The encoders message.h shares with BEP 3 make BEP 6's frames byte for byte. */
static void test_frames(void)
{
    static const unsigned char have_all[] = {0, 0, 0, 1, 0x0e};
    static const unsigned char have_none[] = {0, 0, 0, 1, 0x0f};
    static const unsigned char allowed[] = {0, 0, 0, 5, 0x11, 0, 0, 0x04, 0x23};
    static const unsigned char reject[] = {0, 0, 0,    13, 0x10, 0, 0,    0, 7,
                                           0, 0, 0x40, 0,  0,    0, 0x40, 0};
    static const unsigned char far[] = {0, 0, 0, 5, 0x11, 0, 0, 0x05, 0x21};
    static const unsigned char long_all[] = {0, 0, 0, 2, 0x0e, 0};
    struct bt_buf b;
    struct bt_message m;

    bt_buf_init(&b, 64);
    ok(bt_message_put_simple(&b, BT_MSG_HAVE_ALL) == BT_OK && b.len == sizeof(have_all) &&
           memcmp(b.data, have_all, b.len) == 0,
       "have all is 00 00 00 01 0e");
    b.len = 0;
    ok(bt_message_put_simple(&b, BT_MSG_HAVE_NONE) == BT_OK && b.len == sizeof(have_none) &&
           memcmp(b.data, have_none, b.len) == 0,
       "have none is 00 00 00 01 0f");
    b.len = 0;
    ok(bt_message_put_have(&b, BT_MSG_ALLOWED_FAST, 1059) == BT_OK && b.len == sizeof(allowed) &&
           memcmp(b.data, allowed, b.len) == 0,
       "allowed fast 1059");
    b.len = 0;
    ok(bt_message_put_request(&b, BT_MSG_REJECT, 7, 16384, 16384) == BT_OK &&
           b.len == sizeof(reject) && memcmp(b.data, reject, b.len) == 0,
       "reject request 7,16384,16384");
    bt_buf_release(&b);
    ok(bt_message_parse(&m, allowed, sizeof(allowed), VECTOR_PIECES, NULL) == BT_OK &&
           m.id == BT_MSG_ALLOWED_FAST && m.index == 1059,
       "allowed fast parses");
    ok(bt_message_parse(&m, far, sizeof(far), VECTOR_PIECES, NULL) == BT_ERR_PEER_MESSAGE,
       "allowed fast past the last piece fails");
    ok(bt_message_parse(&m, long_all, sizeof(long_all), VECTOR_PIECES, NULL) == BT_ERR_PEER_LENGTH,
       "have all with a payload fails");
}

int main(void)
{
    test_vector();
    test_bounds();
    test_negotiation();
    test_frames();
    return tap_done();
}
