/*
 * test_metainfo.c - the metainfo parser against hand-built torrents: the fields
 * of single- and multi-file torrents, the info hash over the original bytes,
 * every rejection with its field and offset, lenient mode, the caps, and the
 * magnet link.
 */
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "metainfo/magnet.h"
#include "metainfo/metainfo.h"
#include "core/sha1.h"
#include "tap.h"

/*
 * A torrent as before + "6:pieces<20*n>:" + n zeroed hashes + after.  The info
 * dict's "pieces" sits between "piece length" and "private" in key order.
 */
static void build(struct bt_buf *b, const char *before, size_t n, const char *after)
{
    static const unsigned char zero[BT_PIECE_HASH_LEN];
    size_t i;

    bt_buf_reset(b);
    bt_buf_append_str(b, before);
    bt_buf_printf(b, "6:pieces%zu:", n * BT_PIECE_HASH_LEN);
    for (i = 0; i < n; i++)
        bt_buf_append(b, zero, sizeof(zero));
    bt_buf_append_str(b, after);
}

/* Where needle first occurs in b (for expected error offsets). */
static size_t where(const struct bt_buf *b, const char *needle)
{
    size_t i, n = strlen(needle);

    for (i = 0; i + n <= b->len; i++)
        if (memcmp(b->data + i, needle, n) == 0)
            return i;
    return SIZE_MAX;
}

/* The info dict of a 100000-byte file in 16 KiB pieces, up to "pieces". */
#define SINGLE_INFO "4:infod6:lengthi100000e4:name8:file.bin12:piece lengthi16384e"

/* Each malformed torrent, its error, the field named, and a needle at the error's offset. */
static const struct {
    const char *before;
    size_t pieces;
    const char *after;
    enum bt_err err;
    const char *field;
    const char *at;
} bad[] = {
    {"d4:infod6:lengthi100000e4:name8:file.bin12:piece lengthi0e", 7, "ee",
     BT_ERR_META_PIECE_LENGTH, "info.piece length", "i0e"},
    {"d4:infod6:lengthi100000e4:name8:file.bin12:piece lengthi-16384e", 7, "ee",
     BT_ERR_META_PIECE_LENGTH, "info.piece length", "i-16384e"},
    {"d4:infod6:lengthi100000e4:name8:file.bin12:piece lengthi2147483648e", 1, "ee",
     BT_ERR_META_PIECE_LENGTH_LARGE, "info.piece length", "i2147483648e"},
    {"d4:infod6:lengthi100000e4:name8:file.bin12:piece length5:16384", 7, "ee",
     BT_ERR_META_FIELD_TYPE, "info.piece length", "5:16384"},
    {"d4:infod6:lengthi100000e4:name8:file.bin", 7, "ee", BT_ERR_META_MISSING, "info.piece length",
     "d6:length"},
    {"d" SINGLE_INFO, 6, "ee", BT_ERR_META_PIECES, "info.pieces", "120:"},
    {"d" SINGLE_INFO, 8, "ee", BT_ERR_META_PIECES, "info.pieces", "160:"},
    {"d4:infod6:lengthi1125899906842624e4:name1:a12:piece lengthi16384e", 1, "ee",
     BT_ERR_META_TOO_MANY, "info.piece length", "i16384e"},
    {"d4:infod6:lengthi-1e4:name1:a12:piece lengthi16384e", 1, "ee", BT_ERR_META_LENGTH,
     "info.length", "i-1e"},
    {"d4:infod6:lengthi0e4:name1:a12:piece lengthi16384e", 0, "ee", BT_ERR_META_EMPTY,
     "info.length", "i0e"},
    {"d4:infod4:name1:a12:piece lengthi16384e", 1, "ee", BT_ERR_META_MISSING, "info.length",
     "d4:name"},
    {"d4:infod5:filesle6:lengthi1e4:name1:a12:piece lengthi16384e", 1, "ee", BT_ERR_META_FILES,
     "info.files", "le6"},
    {"d4:infod5:filesle4:name1:a12:piece lengthi16384e", 1, "ee", BT_ERR_META_FILES, "info.files",
     "le4"},
    {"d4:infod5:filesli1ee4:name1:a12:piece lengthi16384e", 1, "ee", BT_ERR_META_FIELD_TYPE,
     "info.files[0]", "i1e"},
    {"d4:infod5:filesld6:lengthi1e4:pathl2:..1:xeee4:name1:a12:piece lengthi16384e", 1, "ee",
     BT_ERR_META_PATH_DOT, "info.files[0].path[0]", "2:.."},
    {"d4:infod5:filesld6:lengthi1e4:pathl1:x1:.eee4:name1:a12:piece lengthi16384e", 1, "ee",
     BT_ERR_META_PATH_DOT, "info.files[0].path[1]", "1:.e"},
    {"d4:infod5:filesld6:lengthi1e4:pathl0:eee4:name1:a12:piece lengthi16384e", 1, "ee",
     BT_ERR_META_PATH_EMPTY, "info.files[0].path[0]", "0:"},
    {"d4:infod5:filesld6:lengthi1e4:pathl4:/etceee4:name1:a12:piece lengthi16384e", 1, "ee",
     BT_ERR_META_PATH_CHAR, "info.files[0].path[0]", "4:/etc"},
    {"d4:infod5:filesld6:lengthi1e4:pathleee4:name1:a12:piece lengthi16384e", 1, "ee",
     BT_ERR_META_PATH, "info.files[0].path", "lee"},
    {"d4:infod5:filesld6:lengthi1e4:pathl1:xi1eeee4:name1:a12:piece lengthi16384e", 1, "ee",
     BT_ERR_META_FIELD_TYPE, "info.files[0].path[1]", "i1eee"},
    {"d4:infod5:filesld4:pathl1:xeee4:name1:a12:piece lengthi16384e", 1, "ee", BT_ERR_META_MISSING,
     "info.files[0].length", "d4:path"},
    {"d4:infod5:filesld6:lengthi-5e4:pathl1:xeee4:name1:a12:piece lengthi16384e", 1, "ee",
     BT_ERR_META_LENGTH, "info.files[0].length", "i-5e"},
    {"d4:infod5:filesld6:lengthi9223372036854775807e4:pathl1:xeed6:lengthi1e4:pathl1:yeee"
     "4:name1:a12:piece lengthi16384e",
     1, "ee", BT_ERR_META_TOTAL_LENGTH, "info.files[1].length", "i1e"},
    {"d4:infod6:lengthi1e4:name2:..12:piece lengthi16384e", 1, "ee", BT_ERR_META_PATH_DOT,
     "info.name", "2:.."},
    {"d4:infod6:lengthi1e4:name0:12:piece lengthi16384e", 1, "ee", BT_ERR_META_PATH_EMPTY,
     "info.name", "0:"},
    {"d4:infod6:lengthi1e4:name11:/etc/passwd12:piece lengthi16384e", 1, "ee",
     BT_ERR_META_PATH_CHAR, "info.name", "11:"},
    {"d4:infod6:lengthi1e12:piece lengthi16384e", 1, "ee", BT_ERR_META_MISSING, "info.name",
     "d6:length"},
    {"d" SINGLE_INFO, 7, "7:privatei1eee", BT_OK, "", ""},
    {"d" SINGLE_INFO, 7, "7:private1:1ee", BT_ERR_META_FIELD_TYPE, "info.private", "1:1"},
    {"d8:announcei1e4:infod6:lengthi1e4:name1:a12:piece lengthi16384e", 1, "ee",
     BT_ERR_META_FIELD_TYPE, "announce", "i1e"},
    {"d13:announce-listl3:urle4:infod6:lengthi1e4:name1:a12:piece lengthi16384e", 1, "ee",
     BT_ERR_META_FIELD_TYPE, "announce-list[0]", "3:url"},
    {"d13:announce-listll0:el1:aee4:infod6:lengthi1e4:name1:a12:piece lengthi16384e", 1, "ee",
     BT_OK, "", ""},
    {"d4:infod6:lengthi1e4:name1:a12:piece lengthi16384e", 1, "e8:url-listi0ee",
     BT_ERR_META_FIELD_TYPE, "url-list", "i0e"},
    {"d13:creation date3:now4:infod6:lengthi1e4:name1:a12:piece lengthi16384e", 1, "ee",
     BT_ERR_META_FIELD_TYPE, "creation date", "3:now"},
    {"d4:infol", 0, "ee", BT_ERR_META_FIELD_TYPE, "info", "l"},
    {"d4:infod6:lengthi1e4:name1:a12:piece lengthi16384e", 1, "ee1:x", BT_ERR_BENCODE_TRAILING, "",
     "1:x"},
};

static void test_single(struct bt_buf *b)
{
    struct bt_torrent t;
    unsigned char want[BT_INFOHASH_LEN];
    size_t info;
    enum bt_err err;

    build(b,
          "d8:announce30:http://127.0.0.1:6969/announce7:comment2:hi10:created by4:test"
          "13:creation datei1700000000e" SINGLE_INFO,
          7, "ee");
    bt_torrent_init(&t);
    err = bt_torrent_parse(&t, b->data, b->len, BT_META_STRICT, NULL);
    ok(err == BT_OK, "single-file torrent parses (%s)", bt_strerror(err));
    if (err != BT_OK)
        return;
    ok(t.name != NULL && strcmp(t.name, "file.bin") == 0 && !t.multi_file, "name is file.bin");
    ok(t.file_count == 1 && strcmp(t.files[0].path, "file.bin") == 0 &&
           t.files[0].length == 100000 && t.files[0].offset == 0,
       "one file named after the torrent");
    ok(t.piece_length == 16384 && t.piece_count == 7 && t.total_length == 100000,
       "7 pieces of 16 KiB cover 100000 bytes");
    ok(bt_torrent_piece_size(&t, 0) == 16384 &&
           bt_torrent_piece_size(&t, 6) == 100000 - 6 * 16384 && bt_torrent_piece_size(&t, 7) == 0,
       "the last piece is shorter, and past it there is none");
    ok(t.announce != NULL && strcmp(t.announce, "http://127.0.0.1:6969/announce") == 0,
       "announce is kept");
    ok(t.comment != NULL && strcmp(t.comment, "hi") == 0 && t.created_by != NULL &&
           strcmp(t.created_by, "test") == 0 && t.creation_date == 1700000000,
       "creation fields are kept");
    ok(t.tier_count == 0 && t.url_list_count == 0 && !t.is_private && t.warnings == 0,
       "absent fields stay empty");
    info = where(b, "4:infod") + 6;
    bt_sha1(b->data + info, b->len - 1 - info, want);
    ok(memcmp(t.info_hash, want, sizeof(want)) == 0 && t.info_len == b->len - 1 - info &&
           memcmp(t.info, b->data + info, t.info_len) == 0,
       "info hash is the SHA-1 of the info dict's bytes");
    ok(t.piece_hashes != NULL && memcmp(t.piece_hashes, b->data + where(b, "140:") + 4, 140) == 0,
       "piece hashes are the pieces string's bytes");
    bt_torrent_release(&t);
    ok(t.name == NULL && t.files == NULL && t.creation_date == -1, "release re-initialises");
}

static void test_multi(struct bt_buf *b)
{
    struct bt_torrent t;
    struct bt_buf link;
    char expect[256], hex[41];
    enum bt_err err;

    build(b,
          "d8:announce3:one13:announce-listll3:one3:twoel0:el5:threeee4:infod5:filesl"
          "d6:lengthi40000e4:pathl1:a7:one.bineed6:lengthi0e4:pathl9:empty.dateed6:lengthi1e"
          "4:pathl1:b1:c5:z.bineee4:name7:my dir&12:piece lengthi20000e",
          3, "7:privatei1ee8:url-list17:http://127.0.0.1/e");
    bt_torrent_init(&t);
    err = bt_torrent_parse(&t, b->data, b->len, BT_META_STRICT, NULL);
    ok(err == BT_OK, "multi-file torrent parses (%s)", bt_strerror(err));
    if (err != BT_OK)
        return;
    ok(t.multi_file && t.file_count == 3 && t.total_length == 40001 && t.piece_count == 3,
       "three files, 40001 bytes, 3 pieces");
    ok(strcmp(t.files[0].path, "a/one.bin") == 0 && strcmp(t.files[2].path, "b/c/z.bin") == 0,
       "path elements are joined with '/'");
    ok(t.files[1].offset == 40000 && t.files[2].offset == 40000 && t.files[2].length == 1,
       "files are laid end to end");
    ok(t.tier_count == 2 && t.tiers[0].count == 2 && t.tiers[1].count == 1 &&
           strcmp(t.tiers[1].urls[0], "three") == 0,
       "announce-list keeps non-empty tiers in order");
    ok(t.is_private && t.url_list_count == 1 && strcmp(t.url_list[0], "http://127.0.0.1/") == 0,
       "private flag and web seed");
    ok(t.warnings == BT_META_WARN_PIECE_NOT_POW2, "20000 is not a power of two: a warning");

    bt_buf_init(&link, 4096);
    bt_hex_encode(t.info_hash, BT_INFOHASH_LEN, hex);
    snprintf(expect, sizeof(expect),
             "magnet:?xt=urn:btih:%s&dn=my%%20dir%%26&tr=one&tr=two&tr=three", hex);
    ok(bt_magnet_format(&t, &link) == BT_OK && strcmp((char *)link.data, expect) == 0,
       "magnet link: hash, encoded name, each tracker once (%s)", (char *)link.data);
    bt_buf_release(&link);
    bt_torrent_release(&t);
}

static void test_errors(struct bt_buf *b)
{
    struct bt_torrent t;
    struct bt_meta_error e;
    size_t i, off = 0;
    enum bt_err err;

    bt_torrent_init(&t);
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        build(b, bad[i].before, bad[i].pieces, bad[i].after);
        err = bt_torrent_parse_detailed(&t, b->data, b->len, BT_META_STRICT, &e);
        if (bad[i].err == BT_OK) {
            ok(err == BT_OK, "case %zu parses (%s)", i, bt_strerror(err));
            continue;
        }
        ok(err == bad[i].err && strcmp(e.field, bad[i].field) == 0 &&
               e.offset == where(b, bad[i].at),
           "case %zu: %s: %s at %zu (got %s: %s at %zu)", i, bad[i].field, bt_strerror(bad[i].err),
           where(b, bad[i].at), e.field, bt_strerror(err), e.offset);
        ok(t.name == NULL && t.files == NULL && t.piece_hashes == NULL,
           "case %zu leaves the torrent empty", i);
    }
    ok(bt_torrent_parse(&t, "i1e", 3, 0, &off) == BT_ERR_META_NOT_DICT && off == 0,
       "a non-dict is not a torrent");
    ok(bt_torrent_parse(&t, "de", 2, 0, &off) == BT_ERR_META_NO_INFO && off == 0,
       "a torrent needs info");
    ok(bt_torrent_parse(&t, "d4:info", 7, 0, &off) == BT_ERR_BENCODE_TRUNCATED && off == 7,
       "a truncated torrent fails where it ends");
}

/* Text fields must not hide a NUL byte; paths neither. */
static void test_nul(struct bt_buf *b)
{
    static const char with_nul[] = "d8:announce3:a\0b4:infod6:lengthi1e4:name1:a12:piece "
                                   "lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee";
    static const char name_nul[] = "d4:infod6:lengthi1e4:name3:a\0b12:piece "
                                   "lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee";
    struct bt_torrent t;
    struct bt_meta_error e;

    (void)b;
    bt_torrent_init(&t);
    ok(bt_torrent_parse_detailed(&t, with_nul, sizeof(with_nul) - 1, 0, &e) ==
               BT_ERR_META_TEXT_NUL &&
           e.offset == 11 && strcmp(e.field, "announce") == 0,
       "a NUL inside announce is refused");
    ok(bt_torrent_parse(&t, with_nul, sizeof(with_nul) - 1, BT_META_LENIENT, NULL) == BT_OK &&
           t.announce == NULL,
       "lenient mode drops that announce");
    ok(bt_torrent_parse_detailed(&t, name_nul, sizeof(name_nul) - 1, BT_META_STRICT, &e) ==
               BT_ERR_META_PATH_CHAR &&
           strcmp(e.field, "info.name") == 0,
       "a NUL inside the name is refused in strict mode");
    ok(bt_torrent_parse(&t, name_nul, sizeof(name_nul) - 1, BT_META_LENIENT, NULL) == BT_OK &&
           strcmp(t.name, "a_b") == 0 && t.note_count == 1 &&
           t.notes[0].why == BT_ERR_META_PATH_CHAR && t.notes[0].fix == BT_META_FIX_REPLACE &&
           t.notes[0].offset == 25 && strcmp(t.notes[0].field, "info.name") == 0,
       "lenient mode makes it '_', with a note");
    bt_torrent_release(&t);
}

static void test_lenient(struct bt_buf *b)
{
    struct bt_torrent t;
    unsigned char want[BT_INFOHASH_LEN];
    size_t info;

    /* name before length: unsorted keys inside info. */
    build(b, "d4:infod4:name1:a6:lengthi1e12:piece lengthi16384e", 1, "ee");
    bt_torrent_init(&t);
    ok(bt_torrent_parse(&t, b->data, b->len, BT_META_STRICT, NULL) == BT_ERR_BENCODE_KEY_ORDER,
       "strict mode refuses unsorted keys");
    ok(bt_torrent_parse(&t, b->data, b->len, BT_META_LENIENT, NULL) == BT_OK,
       "lenient mode accepts them");
    info = where(b, "4:infod") + 6;
    bt_sha1(b->data + info, b->len - 1 - info, want);
    ok(memcmp(t.info_hash, want, sizeof(want)) == 0, "and hashes the bytes as they are, unsorted");

    build(b, "d13:announce-listl3:urle4:infod6:lengthi1e4:name1:a12:piece lengthi16384e", 1, "ee");
    ok(bt_torrent_parse(&t, b->data, b->len, BT_META_LENIENT, NULL) == BT_OK && t.tier_count == 0,
       "lenient mode drops a malformed announce-list");
    bt_torrent_release(&t);
}

/* Issue 16: what a lenient parse overlooks or refuses, and BEP 47's attributes. */
static void test_real_world(struct bt_buf *b)
{
    static const char dup[] = "d4:infod6:lengthi1e6:lengthi2e4:name1:a12:piece lengthi16384e"
                              "6:pieces20:aaaaaaaaaaaaaaaaaaaaee";
    static const char urls[] = "d4:infod6:lengthi1e4:name1:a12:piece lengthi16384e"
                               "6:pieces20:aaaaaaaaaaaaaaaaaaaae8:url-listl3:urli7e4:url2ee";
    static const char links[] = "d4:infod5:filesl"
                                "d6:lengthi1e4:pathl1:bee"
                                "d4:attr1:l6:lengthi0e4:pathl4:linke12:symlink pathl1:a2:..1:bee"
                                "d4:attr1:l6:lengthi0e4:pathl3:oute12:symlink pathl2:..1:bee"
                                "d4:attr2:lx6:lengthi1e4:pathl4:datae12:symlink pathl1:bee"
                                "e4:name1:t12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee";
    struct bt_torrent t;
    struct bt_meta_error e;

    (void)b;
    bt_torrent_init(&t);
    ok(bt_torrent_parse_detailed(&t, dup, sizeof(dup) - 1, BT_META_LENIENT, &e) ==
               BT_ERR_META_INFO_DUP &&
           e.offset == 19 && strcmp(e.field, "info") == 0,
       "a key twice inside the info dict is refused even when lenient, at the second");
    ok(bt_torrent_parse(&t, dup, sizeof(dup) - 1, BT_META_STRICT, NULL) == BT_ERR_BENCODE_KEY_DUP,
       "and by the strict decoder");
    ok(bt_torrent_parse(&t, urls, sizeof(urls) - 1, BT_META_LENIENT, NULL) == BT_OK &&
           t.url_list_count == 2 && strcmp(t.url_list[1], "url2") == 0 && t.note_count == 1 &&
           t.notes[0].why == BT_ERR_META_FIELD_TYPE && t.notes[0].fix == BT_META_FIX_IGNORE &&
           strcmp(t.notes[0].field, "url-list[1]") == 0,
       "a url-list item that is no URL is left out, the others kept, with a note");
    ok(bt_torrent_parse(&t, links, sizeof(links) - 1, BT_META_STRICT, NULL) == BT_OK &&
           t.file_count == 4 && t.files[1].pad && strcmp(t.files[1].symlink, "b") == 0 &&
           t.files[2].pad && t.files[2].symlink == NULL && !t.files[3].pad &&
           t.files[3].symlink == NULL && t.files[3].executable && t.content_length == 2,
       "BEP 47 links: a/../b is b, ../b is skipped, one with bytes is a plain file");
    ok(t.note_count == 2 && t.notes[0].why == BT_ERR_META_SYMLINK_TARGET && t.notes[0].file == 2 &&
           t.notes[1].why == BT_ERR_META_SYMLINK_DATA && t.notes[1].file == 3,
       "each with a note, in strict mode too");
    bt_torrent_release(&t);
}

static void test_info_only(struct bt_buf *b)
{
    struct bt_torrent t;
    unsigned char want[BT_INFOHASH_LEN];
    size_t off = 0;

    build(b, "d6:lengthi1e4:name1:a12:piece lengthi16384e", 1, "e");
    bt_torrent_init(&t);
    bt_sha1(b->data, b->len, want);
    ok(bt_torrent_parse_info(&t, b->data, b->len, 0, NULL) == BT_OK &&
           memcmp(t.info_hash, want, sizeof(want)) == 0 && t.announce == NULL,
       "a bare info dict parses and hashes whole");
    bt_buf_append_str(b, "junk");
    ok(bt_torrent_parse_info(&t, b->data, b->len, 0, &off) == BT_ERR_BENCODE_TRAILING,
       "strict mode refuses bytes after it");
    ok(bt_torrent_parse_info(&t, b->data, b->len, BT_META_LENIENT, NULL) == BT_OK &&
           memcmp(t.info_hash, want, sizeof(want)) == 0,
       "lenient mode hashes the dict without them");
    ok(bt_torrent_parse_info(&t, "le", 2, 0, &off) == BT_ERR_META_FIELD_TYPE && off == 0,
       "an info dict must be a dict");
    bt_torrent_release(&t);
}

static void test_caps(struct bt_buf *b)
{
    struct bt_torrent t;
    struct bt_meta_error e;
    size_t i;

    /* One more file than allowed; the entries are never looked at. */
    bt_buf_reset(b);
    bt_buf_append_str(b, "d4:infod5:filesl");
    for (i = 0; i <= BT_META_MAX_FILES; i++)
        bt_buf_append(b, "i0e", 3);
    bt_buf_append_str(b, "e4:name1:a12:piece lengthi16384e6:pieces0:ee");
    bt_torrent_init(&t);
    ok(bt_torrent_parse_detailed(&t, b->data, b->len, 0, &e) == BT_ERR_META_TOO_MANY &&
           strcmp(e.field, "info.files") == 0 && e.offset == 15,
       "more than BT_META_MAX_FILES files are refused");

    build(b, "d4:infod6:lengthi1e4:name1:a12:piece lengthi1000e", 1, "ee");
    ok(bt_torrent_parse(&t, b->data, b->len, 0, NULL) == BT_OK &&
           t.warnings == (BT_META_WARN_PIECE_NOT_POW2 | BT_META_WARN_PIECE_SMALL),
       "a 1000-byte piece is legal, with both warnings");
    build(b, "d4:infod6:lengthi1e4:name1:a12:piece lengthi1073741824e", 1, "ee");
    ok(bt_torrent_parse(&t, b->data, b->len, 0, NULL) == BT_OK && t.warnings == 0,
       "a 1 GiB piece is the largest allowed");
    bt_torrent_release(&t);
}

int main(void)
{
    struct bt_buf b;

    /* A crash must not swallow the results printed before it. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    bt_buf_init(&b, 16u << 20);
    test_single(&b);
    test_multi(&b);
    test_errors(&b);
    test_nul(&b);
    test_lenient(&b);
    test_real_world(&b);
    test_info_only(&b);
    test_caps(&b);
    bt_buf_release(&b);
    return tap_done();
}
