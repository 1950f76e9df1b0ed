/*
 * test_wire.c - the peer wire layer without a network: message framing and
 * exact sizes, the handshake, bitfields, peer ids, the extension handshake and
 * the trace's layout.
 */
#include <string.h>

#include "wire/bitfield.h"
#include "wire/extension.h"
#include "wire/handshake.h"
#include "wire/message.h"
#include "wire/peerid.h"
#include "tap.h"
#include "wire/trace.h"

/* Parse a frame given as bytes; return the error. */
static enum bt_err parse(const unsigned char *p, size_t n, size_t pieces, struct bt_message *m)
{
    const char *why = NULL;

    return bt_message_parse(m, p, n, pieces, &why);
}

static void test_messages(void)
{
    struct bt_buf b;
    struct bt_message m;
    size_t flen;
    static const unsigned char request[] = {0, 0, 0,    13, 6, 0, 0,    0, 7,
                                            0, 0, 0x40, 0,  0, 0, 0x40, 0};
    static const unsigned char short_have[] = {0, 0, 0, 4, 4, 0, 0, 1};
    static const unsigned char long_choke[] = {0, 0, 0, 2, 0, 0};
    static const unsigned char huge[] = {0x80, 0, 0, 0};
    static const unsigned char bitfield_spare[] = {0, 0, 0, 3, 5, 0xff, 0xc0};
    static const unsigned char bitfield_ok[] = {0, 0, 0, 3, 5, 0xff, 0x80};
    static const unsigned char bitfield_long[] = {0, 0, 0, 4, 5, 0xff, 0x80, 0};
    static const unsigned char have_far[] = {0, 0, 0, 5, 4, 0, 0, 0, 9};
    static const unsigned char piece[] = {0, 0, 0, 11, 7, 0, 0, 0, 1, 0, 0, 0, 0, 'h', 'i'};

    bt_buf_init(&b, 1024);
    ok(bt_message_put_request(&b, BT_MSG_REQUEST, 7, 16384, 16384) == BT_OK &&
           b.len == sizeof(request) && memcmp(b.data, request, b.len) == 0,
       "request encodes to 17 bytes: length 13, id 6, index, begin, length");
    ok(parse(request, sizeof(request), 0, &m) == BT_OK && m.id == BT_MSG_REQUEST && m.index == 7 &&
           m.begin == 16384 && m.length == 16384,
       "request decodes back");
    bt_buf_reset(&b);
    ok(bt_message_put_keepalive(&b) == BT_OK && b.len == 4 && parse(b.data, 4, 0, &m) == BT_OK &&
           m.id == BT_MSG_KEEPALIVE,
       "keep-alive is four zero bytes");
    ok(parse(short_have, sizeof(short_have), 0, &m) == BT_ERR_PEER_LENGTH,
       "have of 4 bytes is refused");
    ok(parse(long_choke, sizeof(long_choke), 0, &m) == BT_ERR_PEER_LENGTH,
       "choke with a payload byte is refused");
    ok(bt_message_frame(huge, sizeof(huge), bt_message_max_len(10), &flen) == BT_ERR_PEER_LENGTH,
       "a length prefix of 2^31 is refused from its 4 bytes");
    ok(bt_message_frame(request, 3, bt_message_max_len(10), &flen) == BT_OK && flen == 0,
       "three bytes are not yet a frame");
    ok(bt_message_frame(request, 5, bt_message_max_len(10), &flen) == BT_OK && flen == 17,
       "the prefix gives the frame's length before the frame is in");
    ok(bt_message_max_len(10) == BT_MSG_EXTENDED_MAX, "small torrents: extended messages bound");
    ok(bt_message_max_len(1000000) == 1 + 125000, "big torrents: the bitfield bounds");
    ok(parse(bitfield_spare, sizeof(bitfield_spare), 9, &m) == BT_ERR_PEER_MESSAGE,
       "bitfield with spare bits set is refused");
    ok(parse(bitfield_ok, sizeof(bitfield_ok), 9, &m) == BT_OK && m.payload_len == 2,
       "bitfield of 9 pieces in 2 bytes is accepted");
    ok(parse(bitfield_long, sizeof(bitfield_long), 9, &m) == BT_ERR_PEER_LENGTH,
       "bitfield one byte too long is refused");
    ok(parse(have_far, sizeof(have_far), 9, &m) == BT_ERR_PEER_MESSAGE,
       "have for index 9 of 9 pieces is refused");
    ok(parse(have_far, sizeof(have_far), 10, &m) == BT_OK && m.index == 9,
       "have for index 9 of 10 pieces is accepted");
    ok(parse(piece, sizeof(piece), 0, &m) == BT_OK && m.length == 2 &&
           memcmp(m.payload, "hi", 2) == 0,
       "piece carries its block as a view");
    bt_buf_reset(&b);
    ok(bt_message_put_piece_header(&b, 1, 0, 2) == BT_OK && b.len == 13 &&
           memcmp(b.data, piece, 13) == 0,
       "piece header says the block's length");
    bt_buf_release(&b);
    bt_buf_init(&b, 10);
    ok(bt_message_put_request(&b, BT_MSG_REQUEST, 0, 0, 1) == BT_ERR_TOO_LARGE && b.len == 0,
       "a full buffer never gets half a message");
    bt_buf_release(&b);
}

static void test_handshake(void)
{
    struct bt_handshake hs, back;

    memset(&hs, 0, sizeof(hs));
    unsigned char wire[BT_HANDSHAKE_LEN];

    memset(hs.info_hash, 0xab, sizeof(hs.info_hash));
    memcpy(hs.peer_id, "-TR3000-abcdefghijkl", BT_PEER_ID_LEN);
    bt_handshake_set_bit(hs.reserved, BT_RESERVED_EXTENSION_BYTE, BT_RESERVED_EXTENSION_BIT);
    bt_handshake_encode(&hs, wire);
    ok(BT_HANDSHAKE_LEN == 68 && wire[0] == 19 && memcmp(wire + 1, "BitTorrent protocol", 19) == 0,
       "handshake starts with 19 and the protocol string");
    ok(wire[25] == 0x10, "extension bit is byte 5 of reserved, 0x10");
    ok(bt_handshake_decode(&back, wire) == BT_OK && memcmp(&back, &hs, sizeof(hs)) == 0,
       "handshake decodes back");
    ok(bt_handshake_check_prefix((const unsigned char *)"GET / HTTP/1.1", 14) ==
           BT_ERR_PEER_HANDSHAKE,
       "garbage is caught at its first byte");
    ok(bt_handshake_check_prefix(wire, 5) == BT_OK, "a correct partial handshake passes");
    wire[10] = 'x';
    ok(bt_handshake_decode(&back, wire) == BT_ERR_PEER_HANDSHAKE, "wrong protocol string");
}

static void test_bitfield(void)
{
    struct bt_bitfield bf;

    bt_bitfield_init(&bf);
    ok(bt_bitfield_resize(&bf, 10) == BT_OK && bt_bitfield_bytes(10) == 2, "10 pieces: 2 bytes");
    bt_bitfield_set(&bf, 0);
    bt_bitfield_set(&bf, 9);
    bt_bitfield_set(&bf, 10);
    ok(bf.bits[0] == 0x80 && bf.bits[1] == 0x40, "piece 0 is the high bit; index 10 is ignored");
    ok(bt_bitfield_get(&bf, 9) && !bt_bitfield_get(&bf, 8) && bt_bitfield_popcount(&bf) == 2,
       "get and count");
    bt_bitfield_set_all(&bf);
    ok(bf.bits[1] == 0xc0, "set_all leaves the spare bits clear");
    bt_bitfield_release(&bf);
}

static void test_peerid(void)
{
    char name[BT_PEERID_NAME_MAX];
    unsigned char id[BT_PEER_ID_LEN];

    bt_peerid_client((const unsigned char *)"-TR3000-abcdefghijkl", name);
    ok(strcmp(name, "Transmission 3.00") == 0, "Transmission 3.00: %s", name);
    bt_peerid_client((const unsigned char *)"-LT2080-abcdefghijkl", name);
    ok(strcmp(name, "libtorrent 2.0.8") == 0, "libtorrent 2.0.8: %s", name);
    bt_peerid_client((const unsigned char *)"A2-1-36-0-abcdefghij", name);
    ok(strcmp(name, "aria2 1.36.0") == 0, "aria2 1.36.0: %s", name);
    bt_peerid_client((const unsigned char *)"\x01\x02garbage-garbage-xx", name);
    ok(strcmp(name, "unknown") == 0, "unknown: %s", name);
    ok(bt_peerid_generate(id) == BT_OK && memcmp(id, bt_peerid_prefix(), BT_PEERID_PREFIX_LEN) == 0,
       "our ids start with our prefix");
}

static void test_extension(void)
{
    struct bt_buf b;
    struct bt_ext_handshake eh;
    static const char theirs[] = "d1:md11:ut_metadatai3e6:ut_pexi1ee1:pi6881e4:reqqi500e"
                                 "13:metadata_sizei1234e1:v14:Transmission\x07xe";

    struct bt_ext_offer plain = {.port = 6881, .reqq = 1024, .client = "btkit 0.1"};
    struct bt_ext_offer seeding = {
        .client = "btkit 0.1", .ut_metadata_id = BT_EXT_UT_METADATA_ID, .metadata_size = 2637};
    struct bt_ext_offer fetching = {.client = "btkit 0.1", .ut_metadata_id = BT_EXT_UT_METADATA_ID};

    bt_buf_init(&b, 1024);
    ok(bt_ext_handshake_encode(&b, &plain) == BT_OK &&
           strcmp((const char *)b.data, "d1:mde1:pi6881e4:reqqi1024e1:v9:btkit 0.1e") == 0,
       "our extension handshake: %s", (const char *)b.data);
    bt_buf_reset(&b);
    ok(bt_ext_handshake_encode(&b, &seeding) == BT_OK &&
           strcmp((const char *)b.data,
                  "d1:md11:ut_metadatai3ee13:metadata_sizei2637e1:v9:btkit 0.1e") == 0,
       "with metadata to serve: %s", (const char *)b.data);
    bt_buf_reset(&b);
    ok(bt_ext_handshake_encode(&b, &fetching) == BT_OK &&
           strcmp((const char *)b.data, "d1:md11:ut_metadatai3ee1:v9:btkit 0.1e") == 0,
       "fetching metadata: no size: %s", (const char *)b.data);
    ok(bt_ext_handshake_parse(&eh, (const unsigned char *)theirs, sizeof(theirs) - 1) == BT_OK &&
           eh.port == 6881 && eh.reqq == 500 && eh.metadata_size == 1234 && eh.m_count == 2 &&
           strcmp(eh.m[0].name, "ut_metadata") == 0 && eh.m[0].id == 3,
       "their extension handshake decodes");
    ok(strcmp(eh.client, "Transmission?x") == 0, "control bytes in v are replaced: %s", eh.client);
    ok(bt_ext_handshake_id(&eh, "ut_metadata") == 3 && bt_ext_handshake_id(&eh, "lt_donthave") == 0,
       "their ut_metadata id is found, an absent name is 0");
    ok(bt_ext_handshake_parse(&eh, (const unsigned char *)"i1e", 3) == BT_ERR_PEER_MESSAGE,
       "a non-dict is refused");
    bt_buf_release(&b);
}

static void test_trace(void)
{
    struct bt_buf out, frame;
    static const unsigned char huge[] = {0x80, 0, 0, 0};

    bt_buf_init(&out, BT_TRACE_TEXT_MAX);
    bt_buf_init(&frame, 64 * 1024);
    bt_message_put_request(&frame, BT_MSG_REQUEST, 0, 16384, 16384);
    ok(bt_trace_message(&out, BT_TRACE_SENT, frame.data, frame.len, 4) == BT_OK, "trace request");
    ok(strstr((char *)out.data, "-> request index=0 begin=16384 length=16384 (17 bytes)\n") ==
           (char *)out.data,
       "summary line first");
    ok(strstr((char *)out.data, "     00 00 00 0d ") != NULL &&
           strstr((char *)out.data, "length 13\n") != NULL &&
           strstr((char *)out.data, "     00 00 40 00 ") != NULL &&
           strstr((char *)out.data, "begin 16384\n") != NULL,
       "each field on its own line, hex then meaning:\n%s", (char *)out.data);
    bt_buf_reset(&out);
    bt_buf_reset(&frame);
    bt_message_put_piece_header(&frame, 0, 0, BT_BLOCK_SIZE);
    bt_buf_reserve(&frame, BT_BLOCK_SIZE);
    memset(frame.data + frame.len, 0x5a, BT_BLOCK_SIZE);
    frame.len += BT_BLOCK_SIZE;
    ok(bt_trace_message(&out, BT_TRACE_RECEIVED, frame.data, frame.len, 4) == BT_OK &&
           strstr((char *)out.data, "... 16352 more bytes\n") != NULL && out.len < 1024,
       "a block shows its first 32 bytes only");
    bt_buf_reset(&out);
    ok(bt_trace_oversized(&out, BT_TRACE_RECEIVED, huge, 16393) == BT_OK &&
           strstr((char *)out.data, "length 2147483648 exceeds 16393") != NULL,
       "an oversized prefix is traced: %s", (char *)out.data);
    bt_buf_release(&out);
    bt_buf_release(&frame);
}

int main(void)
{
    test_messages();
    test_handshake();
    test_bitfield();
    test_peerid();
    test_extension();
    test_trace();
    return tap_done();
}
