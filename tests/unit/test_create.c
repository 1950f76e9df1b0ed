/*
 * test_create.c - lib/create/: the file tree's order, the automatic piece
 * length, pad files, and the hashes of a small directory checked against the
 * one-shot functions (bt_sha1, bt_merkle_piece_hash) over the same bytes held
 * in memory.  The files are written to a fresh directory under $TMPDIR or /tmp.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bencode/bencode.h"
#include "create/create.h"
#include "create/hasher.h"
#include "create/walk.h"
#include "tap.h"

#define P 16384 /* the piece length of these tests: one block */

/* The bytes of the test files: byte i of file f is (i * 7 + f) mod 251. */
static unsigned char *make_data(size_t n, int f)
{
    unsigned char *p = malloc(n + 1);
    size_t i;

    for (i = 0; p != NULL && i < n; i++)
        p[i] = (unsigned char)((i * 7 + (size_t)f) % 251);
    return p;
}

static int write_file(const char *dir, const char *name, size_t n, int f)
{
    char path[512];
    unsigned char *data = make_data(n, f);
    FILE *fp;
    int good;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    fp = fopen(path, "wb");
    good = fp != NULL && data != NULL && fwrite(data, 1, n, fp) == n;
    if (fp != NULL && fclose(fp) != 0)
        good = 0;
    free(data);
    return good;
}

static void test_order(void)
{
    ok(bt_walk_path_cmp("a/b.jpg", "a.txt") < 0, "a/b.jpg sorts before a.txt, element by element");
    ok(bt_walk_path_cmp("a", "ab") < 0, "a shorter element sorts first");
    ok(bt_walk_path_cmp("a/z", "ab") < 0, "the first element decides");
    ok(bt_walk_path_cmp("a/b", "a/bc") < 0 && bt_walk_path_cmp("a/bc", "a/b") > 0,
       "the last element too, either way round");
    ok(bt_walk_path_cmp("x/\xc3\xa9", "x/z") > 0, "bytes compare unsigned");
    ok(bt_walk_path_cmp("a/b", "a/b") == 0, "equal paths compare equal");
}

static void test_piece_length(void)
{
    ok(bt_create_piece_length(1) == 16384, "1 byte: 16 KiB pieces");
    ok(bt_create_piece_length(1500LL * 16384) == 16384, "1500 pieces of 16 KiB: 16 KiB");
    ok(bt_create_piece_length(1500LL * 16384 + 1) == 32768, "one byte more: 32 KiB");
    ok(bt_create_piece_length(1LL << 30) == 1 << 20, "1 GiB: 1 MiB pieces");
    ok(bt_create_piece_length(1LL << 40) == 16 << 20, "1 TiB: 16 MiB, the most");
}

/* Hash dir in mode on threads; 1 if it worked. */
static int hash(struct bt_walk *w, struct bt_hasher *h, const char *dir, unsigned mode,
                unsigned threads)
{
    bt_walk_init(w);
    bt_hasher_init(h);
    h->mode = mode;
    h->piece_length = P;
    h->threads = threads;
    return bt_walk_run(w, dir) == BT_OK && bt_hasher_run(h, w) == BT_OK;
}

/*
 * The directory: big (3 pieces and 5 bytes), empty, small (100 bytes), in the
 * walk's order.  Its v1 stream is big + small; with pads (hybrid) big + 16379
 * zeros + small + 16284 zeros.
 */
static void test_hashes(const char *dir)
{
    const size_t big = 3 * P + 5, small = 100;
    unsigned char *b = make_data(big, 1), *s = make_data(small, 2);
    unsigned char *stream = calloc(1, 5 * P), want[BT_MERKLE_HASH_LEN], sha[BT_SHA1_LEN];
    struct bt_walk w, w2;
    struct bt_hasher h, h2;
    struct bt_merkle m;
    size_t k;
    int good;

    ok(b != NULL && s != NULL && stream != NULL, "memory for the expected hashes");
    if (b == NULL || s == NULL || stream == NULL)
        goto done;

    ok(hash(&w, &h, dir, BT_CREATE_V2, 2), "v2: the directory hashes");
    ok(w.count == 3 && strcmp(w.files[0].rel, "big") == 0 && strcmp(w.files[1].rel, "empty") == 0 &&
           strcmp(w.files[2].rel, "small") == 0,
       "three files, sorted");
    ok(w.total == (int64_t)(big + small) && w.is_dir, "the total length, and a directory");
    ok(h.v2_count == 5 && h.v2_first[0] == 0 && h.v2_first[1] == 4 && h.v2_first[2] == 4,
       "v2: 4 pieces of big, none of empty, 1 of small");
    good = 1;
    for (k = 0; k < 4; k++) {
        size_t len = k < 3 ? P : 5;

        good = good && bt_merkle_piece_hash(b + k * P, len, P, want) == BT_OK &&
               memcmp(h.v2 + k * BT_MERKLE_HASH_LEN, want, BT_MERKLE_HASH_LEN) == 0;
    }
    ok(good, "v2: big's piece layer, piece by piece");
    bt_merkle_init(&m, NULL);
    for (k = 0; k < 4; k++)
        bt_merkle_add(&m, h.v2 + k * BT_MERKLE_HASH_LEN);
    ok(bt_merkle_root(&m, 4, want) == BT_OK && memcmp(h.roots[0], want, sizeof(want)) == 0,
       "v2: big's root over its layer");
    ok(bt_merkle_piece_hash(s, small, 0, want) == BT_OK &&
           memcmp(h.roots[2], want, sizeof(want)) == 0,
       "v2: a file of one piece or less: its root is bt_merkle_piece_hash(data, len, 0)");
    bt_hasher_release(&h);
    bt_walk_release(&w);

    ok(hash(&w, &h, dir, BT_CREATE_HYBRID, 3), "hybrid: the directory hashes on 3 threads");
    ok(bt_hasher_pad(&w, 0, P, h.mode) == P - 5 && bt_hasher_pad(&w, 1, P, h.mode) == 0 &&
           bt_hasher_pad(&w, 2, P, h.mode) == P - (int64_t)small,
       "hybrid: pads after big and after small, the last, none after empty");
    ok(h.v1_count == 5, "hybrid: as many v1 pieces as v2 pieces");
    memcpy(stream, b, big);
    memcpy(stream + 4 * P, s, small);
    good = 1;
    for (k = 0; k < 5; k++)
        good = good && bt_sha1(stream + k * P, P, sha) == BT_OK &&
               memcmp(h.v1 + k * BT_SHA1_LEN, sha, BT_SHA1_LEN) == 0;
    ok(good, "hybrid: v1 pieces hash the data and the pad zeros");
    ok(hash(&w2, &h2, dir, BT_CREATE_HYBRID, 1) && h2.v1_count == h.v1_count &&
           memcmp(h2.v1, h.v1, h.v1_count * BT_SHA1_LEN) == 0 &&
           memcmp(h2.v2, h.v2, h.v2_count * BT_MERKLE_HASH_LEN) == 0,
       "hybrid: one thread and three give the same hashes");
    bt_hasher_release(&h2);
    bt_walk_release(&w2);

    {
        struct bt_create_meta meta = {.creation_date = -1, .created_by = "test"};
        struct bt_buf out;
        struct bt_bencode dec;
        const struct bt_bnode *info;
        unsigned char ih1[BT_SHA1_LEN], ih2[BT_SHA256_LEN], again[BT_SHA256_LEN];

        bt_buf_init(&out, 1 << 20);
        bt_bencode_init(&dec);
        ok(bt_create_write(&out, &w, &h, &meta, ih1, ih2) == BT_OK,
           "hybrid: the torrent is written");
        ok(bt_bencode_parse(&dec, out.data, out.len, BT_BENCODE_STRICT) == BT_OK,
           "hybrid: it is strict bencode, keys sorted");
        info = bt_bnode_dict_get_type(bt_bencode_root(&dec), "info", BT_BENCODE_DICT);
        ok(info != NULL && bt_sha1(out.data + info->offset, info->enc_len, sha) == BT_OK &&
               memcmp(sha, ih1, BT_SHA1_LEN) == 0,
           "hybrid: the v1 info hash is the SHA-1 of the info dict's bytes");
        ok(info != NULL && bt_sha256(out.data + info->offset, info->enc_len, again) == BT_OK &&
               memcmp(again, ih2, BT_SHA256_LEN) == 0,
           "hybrid: the v2 info hash is their SHA-256");
        bt_bencode_release(&dec);
        bt_buf_release(&out);
    }
    bt_hasher_release(&h);
    bt_walk_release(&w);

    ok(hash(&w, &h, dir, BT_CREATE_V1, 2), "v1: the directory hashes");
    memcpy(stream + big, s, small);
    good = h.v1_count == 4;
    for (k = 0; good && k < 4; k++)
        good = bt_sha1(stream + k * P, k < 3 ? P : 5 + small, sha) == BT_OK &&
               memcmp(h.v1 + k * BT_SHA1_LEN, sha, BT_SHA1_LEN) == 0;
    ok(good, "v1: 4 pieces, the last across big's end and all of small");
    bt_hasher_release(&h);
    bt_walk_release(&w);

    /* A file that shrinks between the walk and the hashing. */
    bt_walk_init(&w);
    bt_hasher_init(&h);
    h.piece_length = P;
    ok(bt_walk_run(&w, dir) == BT_OK && write_file(dir, "small", 50, 2), "small shrinks");
    ok(bt_hasher_run(&h, &w) == BT_ERR_CREATE_CHANGED && h.err_file == 2,
       "a file that changed size is an error, and which file it is");
    bt_hasher_release(&h);
    bt_walk_release(&w);
done:
    free(b);
    free(s);
    free(stream);
}

static void test_walk_errors(const char *dir)
{
    struct bt_walk w;
    char path[512];

    bt_walk_init(&w);
    snprintf(path, sizeof(path), "%s/nope", dir);
    ok(bt_walk_run(&w, path) == BT_ERR_IO && w.err_path != NULL && strcmp(w.err_path, path) == 0,
       "a missing operand: BT_ERR_IO, and its path");
    bt_walk_release(&w);
    bt_walk_init(&w);
    ok(write_file(dir, "bad\xff", 1, 0) && bt_walk_run(&w, dir) == BT_ERR_CREATE_NAME,
       "a name that is not UTF-8: BT_ERR_CREATE_NAME");
    bt_walk_release(&w);
    bt_walk_init(&w);
    {
        const char *ex[] = {"bad*"};

        w.exclude = ex;
        w.exclude_count = 1;
        ok(bt_walk_run(&w, dir) == BT_OK && w.count == 3, "unless it is excluded");
    }
    bt_walk_release(&w);
    snprintf(path, sizeof(path), "%s/bad\xff", dir);
    unlink(path);
}

int main(void)
{
    char dir[256], path[512];
    const char *tmp = getenv("TMPDIR");

    snprintf(dir, sizeof(dir), "%s/test_create.XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
    test_order();
    test_piece_length();
    if (mkdtemp(dir) == NULL) {
        ok(0, "a scratch directory");
        return tap_done();
    }
    ok(write_file(dir, "big", 3 * P + 5, 1) && write_file(dir, "empty", 0, 0) &&
           write_file(dir, "small", 100, 2),
       "the test files are written");
    test_walk_errors(dir);
    test_hashes(dir);
    snprintf(path, sizeof(path), "%s/big", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/empty", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/small", dir);
    unlink(path);
    rmdir(dir);
    return tap_done();
}
