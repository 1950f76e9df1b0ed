/*
 * fuzz_resume.c - libFuzzer harness for the state file (pieces/resume.h):
 * any bytes, read for a torrent of three files and ten pieces.  Whatever
 * parses, a piece is never both trusted and to be checked again, and a piece
 * of a file that changed is never trusted.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pieces/resume.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bt_file files[3] = {
        {.path = "a", .length = 40000, .offset = 0},
        {.path = "b", .length = 0, .offset = 40000},
        {.path = "c", .length = 120000, .offset = 40000},
    };
    struct bt_resume_file now[3] = {{40000, 1}, {0, 2}, {120000, 3}};
    struct bt_torrent t;
    struct bt_bitfield trusted, recheck;
    size_t changed = 0, i;

    memset(&t, 0, sizeof(t));
    memset(t.info_hash, 0xab, sizeof(t.info_hash));
    t.name = "fuzz";
    t.multi_file = 1;
    t.piece_length = 16384;
    t.piece_count = 10;
    t.total_length = 160000;
    t.files = files;
    t.file_count = 3;
    bt_bitfield_init(&trusted);
    bt_bitfield_init(&recheck);
    if (bt_bitfield_resize(&trusted, t.piece_count) != BT_OK ||
        bt_bitfield_resize(&recheck, t.piece_count) != BT_OK)
        return 0;
    if (bt_resume_parse(data, size, &t, "f22bf314-f9f2-4df8-8c2b-1941435d21c1", now, &trusted,
                        &recheck, &changed) == BT_OK) {
        if (changed > t.file_count)
            __builtin_trap();
        for (i = 0; i < t.piece_count; i++)
            if (bt_bitfield_get(&trusted, i) && bt_bitfield_get(&recheck, i))
                __builtin_trap();
    }
    bt_bitfield_release(&trusted);
    bt_bitfield_release(&recheck);
    return 0;
}
