/*
 * test_selection.c - --select lists, --exclude patterns, the pieces a choice
 * wants, and the storage of a choice: files not chosen are never made, and
 * their part of a shared piece goes to the parts file and back.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pieces/selection.h"
#include "pieces/storage.h"
#include "tap.h"

/* Five files and a pad, 16 KiB pieces:
 *   a 20000 | pad 12768 | sub/b 40000 | sub/c.nfo 0 | d 10000 | e 3000
 * pieces: 0 a | 1 a,pad | 2-3 b | 4 b,d | 5 d,e  (total 85768, 6 pieces) */
static struct bt_file files[] = {
    {.path = "a", .length = 20000, .offset = 0},
    {.path = "pad", .length = 12768, .offset = 20000, .pad = 1},
    {.path = "sub/b", .length = 40000, .offset = 32768},
    {.path = "sub/c.nfo", .length = 0, .offset = 72768},
    {.path = "d", .length = 10000, .offset = 72768},
    {.path = "e", .length = 3000, .offset = 82768},
};

static int chosen_is(const unsigned char *c, const char *want)
{
    size_t i;

    for (i = 0; i < 6; i++)
        if (c[i] != (unsigned char)(want[i] - '0'))
            return 0;
    return 1;
}

int main(void)
{
    struct bt_torrent t;
    unsigned char chosen[6], buf[16384], back[16384];
    const char *bad;
    struct bt_bitfield w;
    struct bt_storage st;
    char dir[] = "/tmp/test_selection.XXXXXX";
    struct stat sb;
    int64_t bytes;
    size_t i;

    bt_torrent_init(&t);
    t.name = "top";
    t.multi_file = 1;
    t.piece_length = 16384;
    t.piece_count = 6;
    t.total_length = 85768;
    t.files = files;
    t.file_count = 6;

    bt_selection_all(&t, chosen);
    ok(chosen_is(chosen, "101111"), "all: every file but the pad");
    ok(bt_selection_count(&t, NULL, &bytes) == 5 && bytes == 73000, "five files, 73000 bytes");

    memset(chosen, 0, sizeof(chosen));
    ok(bt_selection_parse(&t, "1,3-5", chosen, &bad) == BT_OK && chosen_is(chosen, "100111"),
       "numbers skip the pad: 1,3-5 is a, sub/c.nfo, d, e");
    memset(chosen, 0, sizeof(chosen));
    ok(bt_selection_parse(&t, "2-2,1", chosen, &bad) == BT_OK && chosen_is(chosen, "101000"),
       "a range of one, in any order");
    ok(bt_selection_parse(&t, "1,6", chosen, &bad) == BT_ERR_INVALID && strcmp(bad, "6") == 0,
       "a number past the last file is refused, and named");
    ok(bt_selection_parse(&t, "4-2", chosen, &bad) == BT_ERR_INVALID, "a backward range");
    ok(bt_selection_parse(&t, "0", chosen, &bad) == BT_ERR_INVALID, "0");
    ok(bt_selection_parse(&t, "", chosen, &bad) == BT_ERR_INVALID, "nothing");
    ok(bt_selection_parse(&t, "1,,2", chosen, &bad) == BT_ERR_INVALID && strcmp(bad, ",2") == 0,
       "an empty item");
    ok(bt_selection_parse(&t, "1 ", chosen, &bad) == BT_ERR_INVALID, "a trailing space");
    ok(bt_selection_parse(&t, "18446744073709551617", chosen, &bad) == BT_ERR_INVALID,
       "a number past SIZE_MAX does not wrap to a file");

    bt_selection_all(&t, chosen);
    ok(bt_selection_exclude(&t, "*.nfo", chosen) == 1 && chosen_is(chosen, "101011"),
       "a name pattern matches in a directory");
    ok(bt_selection_exclude(&t, "sub/*", chosen) == 2 && chosen_is(chosen, "100011"),
       "a path pattern");
    ok(bt_selection_exclude(&t, "pad", chosen) == 0, "a pad file is never matched");

    bt_bitfield_init(&w);
    bt_bitfield_resize(&w, 6);
    memset(chosen, 0, sizeof(chosen));
    chosen[4] = 1; /* d */
    bt_selection_pieces(&t, chosen, &w);
    ok(!bt_bitfield_get(&w, 3) && bt_bitfield_get(&w, 4) && bt_bitfield_get(&w, 5) &&
           bt_bitfield_popcount(&w) == 2,
       "d wants pieces 4 and 5, shared with b and e");
    bt_bitfield_release(&w);

    /* Storage of that choice: b and e are not chosen. */
    ok(mkdtemp(dir) != NULL, "a directory");
    bt_storage_init(&st);
    ok(bt_storage_open(&st, &t, dir, BT_STORAGE_WRITE) == BT_OK &&
           bt_storage_choose(&st, chosen) == BT_OK,
       "storage told the choice");
    ok(st.shared_count == 2 && st.shared[0] == 4 && st.shared[1] == 5,
       "shared pieces: 4 (b,d) and 5 (d,e); 1 holds a and padding only");
    ok(bt_storage_prepare(&st) == BT_OK, "prepare");
    ok(chdir(dir) == 0 && stat("top/d", &sb) == 0 && sb.st_size == 10000 &&
           stat("top/sub", &sb) != 0 && stat("top/e", &sb) != 0,
       "only the chosen file is made");
    for (i = 0; i < sizeof(buf); i++)
        buf[i] = (unsigned char)(i * 7 + 1);
    ok(bt_storage_read(&st, 4 * 16384, back, 16384) == BT_ERR_STORAGE_SHORT,
       "a shared piece not written yet reads short");
    ok(bt_storage_write(&st, 4 * 16384, buf, 16384) == BT_OK, "write the shared piece 4");
    ok(bt_storage_write(&st, 5 * 16384, buf, 85768 - 5 * 16384) == BT_OK, "and the last, 5");
    memset(back, 0, sizeof(back));
    ok(bt_storage_read(&st, 4 * 16384, back, 16384) == BT_OK && memcmp(back, buf, 16384) == 0,
       "piece 4 reads back whole");
    ok(bt_storage_read(&st, 5 * 16384, back, 85768 - 5 * 16384) == BT_OK &&
           memcmp(back, buf, 85768 - 5 * 16384) == 0,
       "piece 5 reads back whole");
    ok(stat(".top.bt-parts", &sb) == 0 && sb.st_size == 16384 + (82768 - 5 * 16384) + 3000,
       "b's and e's parts sit in slots 0 and 1 of the parts file");
    ok(bt_storage_write(&st, 2 * 16384, buf, 16384) == BT_ERR_INVALID,
       "a piece of b alone is not stored anywhere");
    ok(bt_storage_parts_remove(&st) == BT_OK && stat(".top.bt-parts", &sb) == 0,
       "the parts file stays while a file is not chosen");
    bt_selection_all(&t, chosen);
    ok(bt_storage_choose(&st, chosen) == BT_OK && bt_storage_parts_remove(&st) == BT_OK &&
           stat(".top.bt-parts", &sb) != 0,
       "and goes once every file is");
    bt_storage_release(&st);
    unlink("top/d");
    rmdir("top");
    ok(chdir("/") == 0 && rmdir(dir) == 0, "nothing else was made");
    return tap_done();
}
