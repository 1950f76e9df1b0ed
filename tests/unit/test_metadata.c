/*
 * test_metadata.c - BEP 9's ut_metadata messages, assembly and serving.
 */
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "wire/metadata.h"
#include "metainfo/metainfo.h"
#include "core/sha1.h"
#include "tap.h"

static void test_parse(void)
{
    struct bt_metadata_msg m;
    static const char req[] = "d8:msg_typei0e5:piecei2ee";
    static const char data[] = "d8:msg_typei1e5:piecei0e10:total_sizei5eehello";
    static const char unsorted[] = "d5:piecei1e8:msg_typei2ee";

    ok(bt_metadata_parse(&m, (const unsigned char *)req, sizeof(req) - 1) == BT_OK &&
           m.type == BT_METADATA_REQUEST && m.piece == 2 && m.total_size == -1 && m.data_len == 0,
       "a request parses");
    ok(bt_metadata_parse(&m, (const unsigned char *)data, sizeof(data) - 1) == BT_OK &&
           m.type == BT_METADATA_DATA && m.total_size == 5 && m.data_len == 5 &&
           memcmp(m.data, "hello", 5) == 0,
       "a data message: the bytes follow the dict");
    ok(bt_metadata_parse(&m, (const unsigned char *)unsorted, sizeof(unsorted) - 1) == BT_OK &&
           m.type == BT_METADATA_REJECT && m.piece == 1,
       "unsorted keys are accepted");
    ok(bt_metadata_parse(&m, (const unsigned char *)"d5:piecei0ee", 12) == BT_ERR_PEER_MESSAGE,
       "no msg_type: refused");
    ok(bt_metadata_parse(&m, (const unsigned char *)"d8:msg_typei0e5:piecei-1ee", 26) ==
           BT_ERR_PEER_MESSAGE,
       "a negative piece: refused");
    ok(bt_metadata_parse(&m, (const unsigned char *)"d8:msg_typei0e5:piecei0eexx", 27) ==
           BT_ERR_PEER_MESSAGE,
       "bytes after a request: refused");
    ok(bt_metadata_parse(&m, (const unsigned char *)"l8:msg_typee", 12) == BT_ERR_PEER_MESSAGE,
       "a list: refused");
    ok(bt_metadata_parse(&m, (const unsigned char *)"d8:msg_typei0e5:piecei0", 23) ==
           BT_ERR_PEER_MESSAGE,
       "a truncated dict: refused");
    ok(bt_metadata_parse(&m, (const unsigned char *)"", 0) == BT_ERR_PEER_MESSAGE,
       "an empty payload: refused");
}

static void test_put(void)
{
    struct bt_buf b;

    bt_buf_init(&b, 1024);
    /* The buffer's bytes are printed in the test's name: fill it before ok(). */
    bt_buf_append_str(&b, "x");
    bt_buf_reset(&b);
    ok(bt_metadata_put(&b, BT_METADATA_REQUEST, 7, 0, NULL, 0) == BT_OK &&
           strcmp((const char *)b.data, "d8:msg_typei0e5:piecei7ee") == 0,
       "request: %s", (const char *)b.data);
    bt_buf_reset(&b);
    ok(bt_metadata_put(&b, BT_METADATA_DATA, 0, 3, "abc", 3) == BT_OK &&
           strcmp((const char *)b.data, "d8:msg_typei1e5:piecei0e10:total_sizei3eeabc") == 0,
       "data: %s", (const char *)b.data);
    bt_buf_reset(&b);
    ok(bt_metadata_put(&b, BT_METADATA_REJECT, 1, 0, NULL, 0) == BT_OK &&
           strcmp((const char *)b.data, "d8:msg_typei2e5:piecei1ee") == 0,
       "reject: %s", (const char *)b.data);
    bt_buf_release(&b);
}

static void test_pieces(void)
{
    ok(bt_metadata_piece_count(1) == 1 && bt_metadata_piece_count(BT_METADATA_PIECE) == 1 &&
           bt_metadata_piece_count(BT_METADATA_PIECE + 1) == 2,
       "piece count rounds up");
    ok(bt_metadata_piece_len(BT_METADATA_PIECE + 1, 0) == BT_METADATA_PIECE &&
           bt_metadata_piece_len(BT_METADATA_PIECE + 1, 1) == 1 &&
           bt_metadata_piece_len(BT_METADATA_PIECE + 1, 2) == 0,
       "the last piece is shorter; past the end is 0");
}

/* n bytes standing in for an info dict: assembly does not look inside. */
static unsigned char *make_info(size_t n)
{
    unsigned char *p = malloc(n);
    size_t i;

    for (i = 0; p != NULL && i < n; i++)
        p[i] = (unsigned char)('a' + i % 26);
    return p;
}

/* Serve every piece of info and feed the answers to a fresh assembly. */
static enum bt_err round_trip(const unsigned char *info, size_t len, const unsigned char *hash,
                              struct bt_metadata *md)
{
    struct bt_buf b;
    struct bt_metadata_msg m;
    enum bt_err err;
    size_t i;
    int type;

    bt_metadata_init(md, hash);
    bt_buf_init(&b, BT_METADATA_MAX_HEAD + BT_METADATA_PIECE);
    err = bt_metadata_set_size(md, (int64_t)len);
    for (i = 0; err == BT_OK && i < bt_metadata_piece_count(len); i++) {
        bt_buf_reset(&b);
        err = bt_metadata_answer(&b, info, len, (int64_t)i, &type);
        if (err == BT_OK)
            err = bt_metadata_parse(&m, b.data, b.len);
        if (err == BT_OK)
            err = bt_metadata_take(md, &m);
    }
    bt_buf_release(&b);
    if (err == BT_OK)
        err = bt_metadata_verify(md);
    return err;
}

static void test_assembly(void)
{
    size_t len = 2 * BT_METADATA_PIECE + 100;
    unsigned char *info = make_info(len);
    unsigned char hash[BT_SHA1_LEN], wrong[BT_SHA1_LEN];
    struct bt_metadata md;
    struct bt_metadata_msg m;
    struct bt_buf b;
    int type;

    bt_sha1(info, len, hash);
    memset(wrong, 0xab, sizeof(wrong));
    ok(round_trip(info, len, hash, &md) == BT_OK && md.size == len &&
           memcmp(md.data, info, len) == 0,
       "three pieces served and assembled: byte-identical, hash verified");
    bt_metadata_release(&md);
    ok(round_trip(info, len, wrong, &md) == BT_ERR_METADATA_HASH && md.got_count == 0 &&
           !bt_metadata_complete(&md),
       "bytes that do not hash to the info hash are refused and forgotten");
    bt_metadata_release(&md);

    bt_metadata_init(&md, hash);
    ok(bt_metadata_set_size(&md, BT_METADATA_MAX + 1) == BT_ERR_METADATA_SIZE && md.data == NULL,
       "metadata_size over the cap: refused before allocating");
    ok(bt_metadata_set_size(&md, 0) == BT_ERR_METADATA_SIZE &&
           bt_metadata_set_size(&md, -5) == BT_ERR_METADATA_SIZE,
       "metadata_size 0 or negative: refused");
    ok(bt_metadata_set_size(&md, (int64_t)len) == BT_OK &&
           bt_metadata_set_size(&md, (int64_t)len) == BT_OK &&
           bt_metadata_set_size(&md, (int64_t)len + 1) == BT_ERR_METADATA_SIZE,
       "the same size again is fine, another one is not");

    bt_buf_init(&b, BT_METADATA_MAX_HEAD + BT_METADATA_PIECE);
    bt_metadata_put(&b, BT_METADATA_DATA, 0, (int64_t)len + 1, info, BT_METADATA_PIECE);
    bt_metadata_parse(&m, b.data, b.len);
    ok(bt_metadata_take(&md, &m) == BT_ERR_METADATA_SIZE, "a total_size that disagrees: refused");
    bt_buf_reset(&b);
    bt_metadata_put(&b, BT_METADATA_DATA, 3, (int64_t)len, info, 100);
    bt_metadata_parse(&m, b.data, b.len);
    ok(bt_metadata_take(&md, &m) == BT_ERR_PEER_MESSAGE, "a piece out of range: refused");
    bt_buf_reset(&b);
    bt_metadata_put(&b, BT_METADATA_DATA, 2, (int64_t)len, info, 99);
    bt_metadata_parse(&m, b.data, b.len);
    ok(bt_metadata_take(&md, &m) == BT_ERR_PEER_MESSAGE, "a short last piece: refused");
    bt_buf_reset(&b);
    bt_metadata_put(&b, BT_METADATA_DATA, 0, (int64_t)len, info, BT_METADATA_PIECE);
    bt_metadata_parse(&m, b.data, b.len);
    ok(bt_metadata_take(&md, &m) == BT_OK && bt_metadata_take(&md, &m) == BT_OK &&
           md.got_count == 1 && !bt_metadata_complete(&md),
       "a piece twice counts once");
    ok(bt_metadata_verify(&md) == BT_ERR_INVALID, "an incomplete assembly cannot be verified");

    bt_buf_reset(&b);
    ok(bt_metadata_answer(&b, info, len, 3, &type) == BT_OK && type == BT_METADATA_REJECT &&
           strcmp((const char *)b.data, "d8:msg_typei2e5:piecei3ee") == 0,
       "serving: a piece out of range gets a reject");
    bt_buf_reset(&b);
    ok(bt_metadata_answer(&b, NULL, 0, 0, &type) == BT_OK && type == BT_METADATA_REJECT,
       "serving without metadata: reject");
    bt_buf_release(&b);
    bt_metadata_release(&md);
    free(info);
}

/* A torrent built around fetched metadata has the same info hash and info bytes. */
static void test_torrent(void)
{
    static const char info[] = "d6:lengthi5e4:name5:hello12:piece lengthi16384e6:pieces20:"
                               "aaaaaaaaaaaaaaaaaaaae";
    char *trackers[] = {"http://127.0.0.1:1/announce", "udp://127.0.0.1:2"};
    struct bt_buf b;
    struct bt_torrent t;
    unsigned char hash[BT_SHA1_LEN];

    bt_sha1(info, sizeof(info) - 1, hash);
    bt_buf_init(&b, 4096);
    bt_torrent_init(&t);
    ok(bt_metadata_torrent(&b, (const unsigned char *)info, sizeof(info) - 1, trackers, 2) ==
               BT_OK &&
           bt_torrent_parse(&t, b.data, b.len, BT_META_STRICT, NULL) == BT_OK,
       "the built torrent parses strictly: %s", (const char *)b.data);
    ok(memcmp(t.info_hash, hash, BT_SHA1_LEN) == 0 && t.info_len == sizeof(info) - 1 &&
           memcmp(t.info, info, t.info_len) == 0,
       "same info bytes, same info hash");
    ok(t.announce != NULL && strcmp(t.announce, trackers[0]) == 0 && t.tier_count == 2,
       "trackers: announce and one tier each");
    bt_torrent_release(&t);
    bt_buf_reset(&b);
    ok(bt_metadata_torrent(&b, (const unsigned char *)info, sizeof(info) - 1, NULL, 0) == BT_OK &&
           bt_torrent_parse(&t, b.data, b.len, BT_META_STRICT, NULL) == BT_OK &&
           t.announce == NULL && t.tier_count == 0,
       "no trackers: an info dict alone");
    bt_torrent_release(&t);
    bt_buf_release(&b);
}

int main(void)
{
    test_parse();
    test_put();
    test_pieces();
    test_assembly();
    test_torrent();
    return tap_done();
}
