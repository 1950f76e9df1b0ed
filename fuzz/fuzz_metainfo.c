/*
 * fuzz_metainfo.c - libFuzzer harness for lib/metainfo/metainfo.c and lib/metainfo/magnet.c.
 *
 * Each input is parsed as a whole .torrent and as a bare info dict, strict and
 * lenient.  A crash, a leak or a sanitizer report is a bug; so is a parse that
 * succeeds with a torrent breaking the promises of metainfo.h, which this
 * harness checks and turns into abort():
 *
 *   - piece_count pieces cover total_length exactly (the last one shorter)
 *   - the files lie end to end and their lengths add up to total_length
 *   - every path is relative and made of safe elements
 *   - the info hash is the SHA-1 of the info bytes kept
 *   - a strict success is also a lenient success with the same hash
 *   - lenient paths are made safe (sanitize.h): no '\\', elements of at most
 *     255 bytes, no two stored files on one path; a symlink's target is safe too
 *
 *   fuzz/run builds it, or by hand from the top of a configured tree (for config.h):
 *   clang -fsanitize=fuzzer,address,undefined -I. -Ilib fuzz/fuzz_metainfo.c \
 *       $(find lib -name '*.c') -lcrypto -lcurl
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "metainfo/magnet.h"
#include "metainfo/metainfo.h"
#include "core/sha1.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond)
{
    if (!cond)
        abort();
}

/* One path element: not empty, not "." or "..", no '/' (the caller splits on it). */
static void check_path(const char *path)
{
    const char *p = path;

    check(path[0] != '\0' && path[0] != '/');
    while (*p != '\0') {
        const char *end = strchr(p, '/');
        size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

        check(n > 0);
        check(!(n == 1 && p[0] == '.'));
        check(!(n == 2 && p[0] == '.' && p[1] == '.'));
        p += n;
        if (*p == '/')
            p++;
        check(*p != '\0' || end == NULL); /* no trailing '/' */
    }
}

/* What a lenient parse promises beyond check_path (sanitize.h). */
static void check_lenient_paths(const struct bt_torrent *t)
{
    size_t i, j, n = t->file_count < 64 ? t->file_count : 64; /* pairs: keep it quick */

    check(strchr(t->name, '\\') == NULL && strlen(t->name) <= 255);
    for (i = 0; i < t->file_count; i++) {
        const char *p = t->files[i].path;

        if (t->files[i].symlink != NULL)
            check_path(t->files[i].symlink);
        if (t->files[i].pad)
            continue;
        check(strchr(p, '\\') == NULL);
        while (*p != '\0') {
            size_t len = strcspn(p, "/");

            check(len <= 255);
            p += len + (p[len] == '/');
        }
    }
    /* No stored file's path is another's, or another's directory. */
    for (i = 0; t->multi_file && i < n; i++)
        for (j = 0; j < n; j++) {
            const char *a = t->files[i].path, *b = t->files[j].path;
            size_t la = strlen(a);

            if (i == j || t->files[i].pad || t->files[j].pad)
                continue;
            check(strcmp(a, b) != 0);
            check(!(strncmp(a, b, la) == 0 && b[la] == '/'));
        }
}

static void check_torrent(const struct bt_torrent *t)
{
    unsigned char hash[BT_INFOHASH_LEN], hash_v2[BT_INFOHASH_V2_LEN];
    int64_t sum = 0, content = 0, last;
    struct bt_buf link;
    size_t i;

    check(t->name != NULL && strchr(t->name, '/') == NULL);
    check(t->piece_length > 0 && t->piece_length <= BT_META_MAX_PIECE_LENGTH);
    check(t->piece_count > 0 && t->piece_count <= BT_META_MAX_PIECES);
    check(t->versions != 0 && (t->versions & ~(BT_META_V1 | BT_META_V2)) == 0);
    check((t->piece_hashes != NULL) == ((t->versions & BT_META_V1) != 0));
    check(t->total_length > 0);
    /* piece_count pieces: all full but the last, which holds 1..piece_length bytes. */
    last = bt_torrent_piece_size(t, t->piece_count - 1);
    check(last > 0 && last <= t->piece_length);
    check(t->piece_length * (int64_t)(t->piece_count - 1) + last == t->total_length);
    check(bt_torrent_piece_size(t, t->piece_count) == 0);

    check(t->file_count > 0 && t->file_count <= BT_META_MAX_FILES);
    /* One file, named by name (v1) or by the file tree's one key (v2). */
    check(t->multi_file || (t->file_count == 1 && strchr(t->files[0].path, '/') == NULL));
    check(t->multi_file || (t->versions & BT_META_V1) == 0 ||
          strcmp(t->files[0].path, t->name) == 0);
    for (i = 0; i < t->file_count; i++) {
        check(t->files[i].length >= 0);
        check(t->files[i].offset == sum);
        check_path(t->files[i].path);
        sum += t->files[i].length;
        content += t->files[i].pad ? 0 : t->files[i].length;
        /* v2: every file with data has a root, and starts a piece. */
        if ((t->versions & BT_META_V2) != 0 && !t->files[i].pad && t->files[i].length > 0) {
            check(t->files[i].pieces_root != NULL);
            check(t->files[i].offset % t->piece_length == 0);
        }
    }
    check(sum == t->total_length);
    check(content == t->content_length);
    for (i = 0; (t->versions & BT_META_V2) != 0 && i < t->piece_count; i++) {
        size_t file;
        int64_t bytes;

        check(bt_torrent_piece_file(t, i, &file, &bytes) == BT_OK);
        check(bytes > 0 && bytes <= t->piece_length && !t->files[file].pad);
    }

    check(t->info != NULL && t->info_len > 0 && t->info[0] == 'd');
    if ((t->versions & BT_META_V1) != 0) {
        check(bt_sha1(t->info, t->info_len, hash) == BT_OK);
        check(memcmp(hash, t->info_hash, sizeof(hash)) == 0);
    }
    if ((t->versions & BT_META_V2) != 0) {
        check(bt_sha256(t->info, t->info_len, hash_v2) == BT_OK);
        check(memcmp(hash_v2, t->info_hash_v2, sizeof(hash_v2)) == 0);
        /* A v2-only swarm goes by the first 20 bytes. */
        check((t->versions & BT_META_V1) != 0 || memcmp(hash_v2, t->info_hash, sizeof(hash)) == 0);
    }

    bt_buf_init(&link, 1u << 30);
    check(bt_magnet_format(t, &link) == BT_OK);
    check(strncmp((const char *)link.data, "magnet:?xt=urn:bt", 17) == 0);
    bt_buf_release(&link);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bt_torrent strict, lenient;
    enum bt_err es, el;

    bt_torrent_init(&strict);
    bt_torrent_init(&lenient);

    es = bt_torrent_parse(&strict, data, size, BT_META_STRICT, NULL);
    el = bt_torrent_parse(&lenient, data, size, BT_META_LENIENT, NULL);
    if (es == BT_OK) {
        check_torrent(&strict);
        check(bt_torrent_hashes_known(&strict) == BT_OK); /* a whole .torrent has its layers */
        check(el == BT_OK);
        check(memcmp(strict.info_hash, lenient.info_hash, BT_INFOHASH_LEN) == 0);
    } else {
        check(strict.name == NULL && strict.files == NULL && strict.info == NULL);
    }
    if (el == BT_OK) {
        check_torrent(&lenient);
        check_lenient_paths(&lenient);
    }

    es = bt_torrent_parse_info(&strict, data, size, BT_META_STRICT, NULL);
    el = bt_torrent_parse_info(&lenient, data, size, BT_META_LENIENT, NULL);
    if (es == BT_OK) {
        check_torrent(&strict);
        check(el == BT_OK && strict.info_len == size);
    }
    if (el == BT_OK) {
        check_torrent(&lenient);
        check_lenient_paths(&lenient);
    }

    bt_torrent_release(&strict);
    bt_torrent_release(&lenient);
    return 0;
}
