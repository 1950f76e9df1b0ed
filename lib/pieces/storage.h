/*
 * storage.h - maps the torrent's byte ranges onto its files (BEP 3).
 *
 * A torrent's pieces cut across its files as if the files were one stream, in
 * the order of info.files:
 *
 *   files    | a.txt (40000)        | b/c.bin (70000)                  |
 *   pieces   | piece 0 (32768) | piece 1 (32768) | piece 2 (32768) | 3 |
 *                              ^ piece 1 starts in a.txt and ends in b/c.bin
 *
 * so one read of a piece may need a pread() from each of several files.
 *
 * Where the files live: DATA is the directory that contains the torrent's
 * `name` (the convention of transmission's download directory, libtorrent's
 * save_path and aria2c -d), so a multi-file torrent's files are
 * DATA/name/path... and a single-file torrent's is DATA/name.  For a single-file
 * torrent DATA may instead be the file itself.  Which one is meant is decided by
 * what DATA is (a directory or not), never guessed from names.
 *
 * Paths from the torrent are opened one element at a time with openat() and
 * O_NOFOLLOW under DATA, so neither a ".." element (metainfo.c refuses those
 * already) nor a symbolic link planted in the tree can lead a write outside it.
 *
 * Files not chosen (bt_storage_choose, selection.h) are never created.  Their
 * bytes in a piece shared with another file are kept in the parts file,
 * DATA/.NAME.bt-parts, so that such a piece can be checked and served whole:
 *
 *   parts file | slot 0 (piece_length) | slot 1 | ...
 *
 * one slot for each piece that holds bytes of two or more files, whichever
 * files are chosen (so a slot does not move when the choice changes), at the
 * piece's own offsets.  It is made on the first write to it; slots never
 * written are holes.
 */
#ifndef BT_STORAGE_H
#define BT_STORAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "metainfo/metainfo.h"
#include "wire/message.h" /* BT_BLOCK_SIZE */

#define BT_STORAGE_READ   0u   /* open existing files for reading (seeding) */
#define BT_STORAGE_WRITE  1u   /* create directories and files as needed, read and write */
#define BT_STORAGE_MAX_FD 64   /* files kept open at once; others are reopened on use */
#define BT_STORAGE_ALIGN  4096 /* what O_DIRECT asks of buffers, offsets and lengths */

struct bt_storage_slot {
    size_t file; /* index into the torrent's files */
    int fd;      /* -1: the slot is free */
};

struct bt_storage {
    const struct bt_torrent *t; /* borrowed: must outlive the storage */
    unsigned flags;
    int root_fd;       /* DATA, or -1 when DATA is the single file itself */
    char *single_path; /* DATA when it is the file of a single-file torrent */
    struct bt_storage_slot slots[BT_STORAGE_MAX_FD];
    size_t next_victim;    /* round-robin eviction when every slot is in use */
    size_t failed_file;    /* after an error: the file it happened in */
    int no_direct;         /* the file system refused O_DIRECT: write through the cache */
    uint64_t direct_bytes; /* written past the page cache so far */
    unsigned char *skip;   /* per file, 1 if not chosen; NULL: every file is */
    uint32_t *shared;      /* the pieces that hold bytes of two files or more, in order */
    size_t shared_count;
    char *parts_name; /* the parts file, under DATA; NULL when DATA is the file */
    int parts_fd;     /* -1: not open yet */
};

#define BT_STORAGE_PARTS_SUFFIX ".bt-parts"

void bt_storage_init(struct bt_storage *st);
/*
 * Open the storage of t under data (see above).  Files are opened lazily, on
 * first use.  BT_ERR_IO (errno set) if data cannot be opened,
 * BT_ERR_STORAGE_PATH if data is a file but the torrent has several.
 */
enum bt_err bt_storage_open(struct bt_storage *st, const struct bt_torrent *t, const char *data,
                            unsigned flags);
void bt_storage_release(struct bt_storage *st);
/*
 * Open dst on the same files as src, with fds of its own: for another thread,
 * since the fd cache is not shared safely.  BT_ERR_IO (errno set), BT_ERR_NOMEM.
 */
enum bt_err bt_storage_clone(struct bt_storage *dst, const struct bt_storage *src);

/*
 * Store only the files chosen (chosen[i] for t->files[i]; see above).  Needs
 * DATA to be a directory: BT_ERR_STORAGE_PATH if it is the file itself and
 * that file is not chosen.  BT_ERR_NOMEM.
 */
enum bt_err bt_storage_choose(struct bt_storage *st, const unsigned char *chosen);
/* Is file idx stored (chosen, and not BEP 47 padding)? */
int bt_storage_stored(const struct bt_storage *st, size_t idx);
/* The parts file's modification time, or *exists 0 (also when every file is
 * chosen).  For the state file. */
enum bt_err bt_storage_parts_stat(struct bt_storage *st, int *exists, int64_t *mtime_ns);
/* Remove the parts file once every file is chosen and complete: nothing in
 * it is needed then.  Does nothing while a file is not chosen.  BT_ERR_IO. */
enum bt_err bt_storage_parts_remove(struct bt_storage *st);

/*
 * Read or write len bytes at torrent offset off, across file boundaries.
 * BT_ERR_INVALID if the range lies outside the torrent; BT_ERR_IO (errno set) on
 * a failed or short read (a file shorter than the torrent says);
 * BT_ERR_STORAGE_PATH if a path element is a symbolic link or not a directory.
 * st->failed_file names the file.  Bytes of a file not chosen are read from
 * and written to the parts file, only in a shared piece (BT_ERR_INVALID
 * elsewhere); a slot not written yet reads as BT_ERR_STORAGE_SHORT.
 */
enum bt_err bt_storage_read(struct bt_storage *st, int64_t off, void *p, size_t len);
enum bt_err bt_storage_write(struct bt_storage *st, int64_t off, const void *p, size_t len);

/*
 * Write as bt_storage_write() does, but send what is aligned past the page
 * cache (O_DIRECT): each file's part of the range whose start in the file and
 * in memory are multiples of BT_STORAGE_ALIGN, cut down to a multiple of it.
 * The rest, and everything once the file system has refused O_DIRECT
 * (st->no_direct), goes through the cache.  Reads see the new bytes either way.
 *
 * Why: on Linux a cached write copies every byte into a page-cache page that is
 * often fresh memory, which costs far more than the copy (on this project's
 * test machines, a virtual machine: 0.8 to 3.1 CPU seconds per GiB), and the
 * pages pile up as the download grows.  Aligned direct writes of 512 KiB to
 * 1 MiB cost 0.08 to 0.13 s per GiB.  Worth it for large writes only: see
 * writeback.h.
 */
enum bt_err bt_storage_write_direct(struct bt_storage *st, int64_t off, const void *p, size_t len);

/*
 * Create every file chosen (and its directories) and give it exactly the length the
 * torrent says, so that a finished download is byte-identical even where no
 * piece was ever written (files of length 0).  Needs BT_STORAGE_WRITE.
 */
enum bt_err bt_storage_prepare(struct bt_storage *st);

/*
 * The size and modification time of file idx as they are on disk, for the
 * state file (resume.h), through the same safe walk as every open.  A file
 * that does not exist yet is not an error: *exists is 0.
 */
enum bt_err bt_storage_stat(struct bt_storage *st, size_t idx, int *exists, int64_t *size,
                            int64_t *mtime_ns);

/*
 * Read piece idx and compare it with its SHA-1 from the torrent: the one check
 * of data on disk (bt-seed's start, bt-download's resume).  It reads and hashes
 * BT_BLOCK_SIZE bytes at a time through scratch, which holds that many, so the
 * memory it needs does not grow with the piece length.  BT_OK when the piece
 * matches, BT_ERR_PEER_HASH when it does not, BT_ERR_INVALID for an index out of
 * range, BT_ERR_NOMEM, or bt_storage_read()'s error (st->failed_file names the
 * file).
 */
enum bt_err bt_storage_verify_piece(struct bt_storage *st, size_t idx, unsigned char *scratch);

#endif /* BT_STORAGE_H */
