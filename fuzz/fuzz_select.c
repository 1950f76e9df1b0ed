/*
 * fuzz_select.c - libFuzzer harness for bt-download's --select and --exclude
 * (pieces/selection.h): any bytes as a LIST, then as a GLOB, against a torrent
 * of five files and a pad.  Whatever is chosen, a pad file never is, a list
 * that parses chose something, and the pieces wanted are exactly those a
 * chosen file has bytes in.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pieces/selection.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bt_file files[6] = {
        {.path = "a", .length = 20000, .offset = 0},
        {.path = "pad", .length = 12768, .offset = 20000, .pad = 1},
        {.path = "sub/b", .length = 40000, .offset = 32768},
        {.path = "sub/c.nfo", .length = 0, .offset = 72768},
        {.path = "d", .length = 10000, .offset = 72768},
        {.path = "e", .length = 3000, .offset = 82768},
    };
    unsigned char chosen[6] = {0};
    struct bt_torrent t;
    struct bt_bitfield wanted;
    char *text = malloc(size + 1);
    const char *bad = NULL;
    int64_t bytes;
    size_t i;

    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&t, 0, sizeof(t));
    t.name = "fuzz";
    t.multi_file = 1;
    t.piece_length = 16384;
    t.piece_count = 6;
    t.total_length = 85768;
    t.files = files;
    t.file_count = 6;
    if (bt_selection_parse(&t, text, chosen, &bad) == BT_OK) {
        if (bt_selection_count(&t, chosen, &bytes) == 0)
            __builtin_trap();
    } else if (bad == NULL || bad < text || bad > text + size) {
        __builtin_trap();
    }
    (void)bt_selection_exclude(&t, text, chosen);
    if (chosen[1])
        __builtin_trap();
    bt_bitfield_init(&wanted);
    if (bt_bitfield_resize(&wanted, t.piece_count) == BT_OK) {
        bt_selection_pieces(&t, chosen, &wanted);
        for (i = 0; i < t.file_count; i++) {
            size_t first, last, k;

            if (chosen[i] && bt_torrent_file_span(&t, &files[i], &first, &last))
                for (k = first; k <= last; k++)
                    if (!bt_bitfield_get(&wanted, k))
                        __builtin_trap();
        }
    }
    bt_bitfield_release(&wanted);
    free(text);
    return 0;
}
