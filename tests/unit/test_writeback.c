/*
 * test_writeback.c - pieces held in memory slots and written whole: blocks in
 * any order read back from the slot; a kept piece lands in the files across
 * boundaries that O_DIRECT cannot follow, written by the writer thread; a
 * dropped piece is never written; a piece that finds no free slot, or is too
 * large for the slots' memory, goes straight to the files.
 */
#define _GNU_SOURCE /* O_DIRECT, to ask whether the file system here has it */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/loop.h"
#include "pieces/storage.h"
#include "tap.h"
#include "pieces/writeback.h"

#define BLOCK 16384
#define PIECE (2 * BLOCK)

/* The byte at torrent offset i. */
static unsigned char expected(int64_t i)
{
    return (unsigned char)(i * 7 + i / 4096);
}

static size_t block_len(const struct bt_torrent *t, uint32_t piece, uint32_t blk)
{
    int64_t left = bt_torrent_piece_size(t, piece) - (int64_t)blk * BLOCK;

    return left < BLOCK ? (size_t)left : BLOCK;
}

static enum bt_err put_block(struct bt_writeback *wb, uint32_t piece, uint32_t blk)
{
    unsigned char data[BLOCK];
    int64_t off = (int64_t)piece * wb->t->piece_length + (int64_t)blk * BLOCK;
    size_t i, n = block_len(wb->t, piece, blk);

    for (i = 0; i < n; i++)
        data[i] = expected(off + (int64_t)i);
    return bt_writeback_put(wb, piece, off, data, n);
}

/* Do len bytes at off, read with get(), hold the expected bytes (or zeroes)? */
static int piece_reads(struct bt_writeback *wb, uint32_t piece, int zero)
{
    unsigned char buf[PIECE];
    int64_t off = (int64_t)piece * wb->t->piece_length;
    size_t i, n = (size_t)bt_torrent_piece_size(wb->t, piece);

    if (bt_writeback_get(wb, piece, off, buf, n) != BT_OK)
        return 0;
    for (i = 0; i < n; i++)
        if (buf[i] != (zero ? 0 : expected(off + (int64_t)i)))
            return 0;
    return 1;
}

/* Does piece read back from the files as expected (or as zeroes)? */
static int on_disk(struct bt_storage *st, const struct bt_torrent *t, uint32_t piece, int zero)
{
    unsigned char buf[PIECE];
    int64_t off = (int64_t)piece * t->piece_length;
    size_t i, n = (size_t)bt_torrent_piece_size(t, piece);

    if (bt_storage_read(st, off, buf, n) != BT_OK)
        return 0;
    for (i = 0; i < n; i++)
        if (buf[i] != (zero ? 0 : expected(off + (int64_t)i)))
            return 0;
    return 1;
}

/* What the writer reported, through bt_writeback_reap(). */
static uint32_t written[16];
static size_t n_written;
static enum bt_err written_err;

static void on_written(void *arg, uint32_t piece, enum bt_err err, int err_errno, size_t file)
{
    (void)arg, (void)err_errno, (void)file;
    if (n_written < 16)
        written[n_written++] = piece;
    if (err != BT_OK)
        written_err = err;
}

/* Keep piece, wait for the writer, and check it was reported written. */
static int keep(struct bt_writeback *wb, uint32_t piece)
{
    size_t before = n_written;

    if (bt_writeback_end(wb, piece, 1) != 1)
        return 0;
    bt_writeback_sync(wb);
    return n_written == before + 1 && written[before] == piece && written_err == BT_OK;
}

static int has_direct_io(const char *dir)
{
#ifdef O_DIRECT
    char path[512];
    int fd;

    snprintf(path, sizeof(path), "%s/probe", dir);
    fd = open(path, O_WRONLY | O_CREAT | O_DIRECT, 0600);
    if (fd < 0)
        return 0;
    close(fd);
    unlink(path);
    return 1;
#else
    (void)dir;
    return 0;
#endif
}

int main(void)
{
    /* Three files whose boundaries fall inside blocks and off 4 KiB lines:
     * a (50001 bytes) | b (100000) | c (70003); 7 pieces of 32 KiB, the last
     * 23396 bytes (a block and a short one). */
    struct bt_file files[3] = {
        {.path = "a", .length = 50001, .offset = 0},
        {.path = "b", .length = 100000, .offset = 50001},
        {.path = "c", .length = 70003, .offset = 150001},
    };
    struct bt_torrent t;
    struct bt_storage st;
    struct bt_writeback wb;
    struct bt_loop loop;
    char dir[] = "/tmp/test_writeback.XXXXXX";
    uint32_t piece;
    size_t i;
    int good, direct;

    bt_torrent_init(&t);
    t.name = "multi";
    t.multi_file = 1;
    t.piece_length = PIECE;
    t.piece_count = 7;
    t.total_length = 220004;
    t.files = files;
    t.file_count = 3;

    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    direct = has_direct_io(dir);
    bt_storage_init(&st);
    bt_writeback_init(&wb);
    bt_loop_init(&loop);
    ok(bt_storage_open(&st, &t, dir, BT_STORAGE_WRITE) == BT_OK && bt_storage_prepare(&st) == BT_OK,
       "storage opened and files created (as zeroes)");
    good = bt_writeback_setup(&wb, &t, &st, BT_WB_MEMORY) == BT_OK &&
           bt_writeback_start(&wb, &loop, on_written, NULL) == BT_OK;
    ok(good && wb.slot_count == BT_WB_MEMORY / PIECE, "slots for %zu pieces of 32 KiB",
       wb.slot_count);

    /* Piece 1 backwards: held in its slot, read back from there, not yet on disk. */
    bt_writeback_begin(&wb, 1);
    good = put_block(&wb, 1, 1) == BT_OK && put_block(&wb, 1, 0) == BT_OK;
    ok(good && piece_reads(&wb, 1, 0), "a piece's blocks, out of order, read back from its slot");
    ok(on_disk(&st, &t, 1, 1), "and nothing of it is on disk yet");
    ok(keep(&wb, 1) && on_disk(&st, &t, 1, 0),
       "kept: the writer writes the piece whole, across the a|b boundary, and says so");

    /* Piece 2 fails its hash: dropped, never written. */
    bt_writeback_begin(&wb, 2);
    good = put_block(&wb, 2, 0) == BT_OK && put_block(&wb, 2, 1) == BT_OK;
    ok(good && bt_writeback_end(&wb, 2, 0) == 0 && on_disk(&st, &t, 2, 1),
       "dropped: a failed piece is never written");

    /* Every piece at once, the short last one included. */
    good = 1;
    for (piece = 0; piece < 7; piece++)
        bt_writeback_begin(&wb, piece);
    for (piece = 0; piece < 7; piece++)
        for (i = 0; i < 2 && (int64_t)i * BLOCK < bt_torrent_piece_size(&t, piece); i++)
            good &= put_block(&wb, piece, (uint32_t)i) == BT_OK;
    for (piece = 0; piece < 7; piece++)
        good &= piece_reads(&wb, piece, 0) && bt_writeback_end(&wb, piece, 1) == 1;
    bt_writeback_sync(&wb);
    good &= n_written == 8 && written_err == BT_OK;
    for (piece = 0; piece < 7; piece++)
        good &= on_disk(&st, &t, piece, 0);
    ok(good, "seven pieces, the short last one included, all land in the files");
    /* The writer writes with a storage of its own. */
    if (direct)
        ok(wb.writer_st.direct_bytes > 0 && wb.writer_st.direct_bytes < (uint64_t)t.total_length,
           "aligned parts went past the page cache, the rest through it (%llu of %lld bytes)",
           (unsigned long long)wb.writer_st.direct_bytes, (long long)t.total_length);
    else
        ok(wb.writer_st.direct_bytes == 0, "no direct I/O here: everything went through the cache");
    bt_writeback_release(&wb);

    /* Pieces larger than the slots' memory: no slots, blocks go to the files. */
    t.piece_length = (int64_t)BT_WB_MEMORY * 2;
    ok(bt_writeback_setup(&wb, &t, &st, BT_WB_MEMORY) == BT_OK && wb.slot_count == 0,
       "no slots for pieces larger than %u bytes", BT_WB_MEMORY);
    bt_writeback_release(&wb);

    /* Memory for two slots, three pieces: the third goes without one. */
    t.piece_length = PIECE;
    ok(bt_writeback_setup(&wb, &t, &st, 2 * PIECE) == BT_OK &&
           bt_writeback_start(&wb, &loop, on_written, NULL) == BT_OK && wb.slot_count == 2,
       "two slots in 64 KiB");
    {
        unsigned char zero[PIECE] = {0};

        for (piece = 0; piece < 3; piece++)
            bt_storage_write(&st, (int64_t)piece * PIECE, zero, PIECE);
    }
    bt_writeback_begin(&wb, 0);
    bt_writeback_begin(&wb, 1);
    bt_writeback_begin(&wb, 2);
    good = put_block(&wb, 0, 0) == BT_OK && put_block(&wb, 1, 0) == BT_OK &&
           put_block(&wb, 2, 1) == BT_OK;
    ok(good && on_disk(&st, &t, 0, 1) && on_disk(&st, &t, 1, 1) && !on_disk(&st, &t, 2, 1),
       "pieces 0 and 1 hold the slots; piece 2's block went straight to the files");
    good = put_block(&wb, 2, 0) == BT_OK && put_block(&wb, 0, 1) == BT_OK &&
           put_block(&wb, 1, 1) == BT_OK;
    ok(good && piece_reads(&wb, 2, 0) && on_disk(&st, &t, 2, 0),
       "piece 2 reads back whole from the files");
    good = bt_writeback_end(&wb, 2, 1) == 0 && keep(&wb, 0) && keep(&wb, 1);
    ok(good && on_disk(&st, &t, 0, 0) && on_disk(&st, &t, 1, 0),
       "the two in slots land whole once kept; the one without was on disk already");

    /* Released with a write handed over and not reaped: it still lands. */
    bt_writeback_begin(&wb, 3);
    good = put_block(&wb, 3, 0) == BT_OK && put_block(&wb, 3, 1) == BT_OK &&
           bt_writeback_end(&wb, 3, 1) == 1;
    bt_writeback_release(&wb);
    ok(good && on_disk(&st, &t, 3, 0), "a release waits for the writer");
    bt_writeback_release(&wb);
    bt_storage_release(&st);
    bt_loop_release(&loop);

    {
        char path[600];

        for (i = 0; i < 3; i++) {
            snprintf(path, sizeof(path), "%s/multi/%s", dir, files[i].path);
            unlink(path);
        }
        snprintf(path, sizeof(path), "%s/multi", dir);
        rmdir(path);
        rmdir(dir);
    }
    return tap_done();
}
