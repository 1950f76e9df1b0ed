/*
 * resume.h - the state file: which pieces of a download are verified and
 * durable on disk, with each file's size and modification time as they were
 * then, so that a restart trusts it instead of hashing every byte again.
 *
 *   d
 *     5:files        l d 6:lengthi<bytes>e 5:mtimei<ns since the epoch>e e ... e
 *                    one per file of the torrent, in its order; pad files and
 *                    files not on disk have length -1; a file not chosen
 *                    (selection.h) has length -2 and the parts file's mtime
 *     9:info hash    20:<the 20 bytes that name the swarm>
 *     12:piece count i<pieces>e
 *     12:piece length i<bytes>e
 *     6:pieces       <a bitfield of the verified pieces, BEP 3's bit order>
 *     7:version      i1e
 *     7:boot id      36:<the kernel's boot id when it was written>
 *   e
 *
 * Durable, here, means: on the device or in the kernel's page cache.  A piece
 * is named only once write() returned for all of it, which no death of the
 * process (a crash, SIGKILL) can undo: the kernel still holds and writes its
 * bytes.  Only a crash of the system or a power cut loses what the page cache
 * held, and both start the system again under a new boot id
 * (/proc/sys/kernel/random/boot_id): a state from another boot is not
 * trusted at all, and every piece is hashed.  fdatasync() would make it
 * trustworthy across a power cut too, but it cost 0.4 s per 256 MiB just
 * written on this project's test machines (their download takes 1 s), and
 * libtorrent and Transmission do not pay it either.
 *
 * Saving: the state goes to PATH.part and is renamed over PATH, so a reader
 * (or a restart after a kill) finds the old state or the new one, whole.  The
 * pieces given must have been written before the files are stat()ed.
 *
 * Loading: a file whose size or mtime differs from the state's has changed
 * (written since, truncated, replaced); so has a file chosen then and not now,
 * or the other way round, and every file not chosen when the parts file
 * changed.  What the state says is trusted only
 * for the pieces that touch no changed file; those that touch one are to be
 * checked again; the rest are missing, with nothing read.
 */
#ifndef BT_RESUME_H
#define BT_RESUME_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "metainfo/metainfo.h"
#include "pieces/storage.h"
#include "wire/bitfield.h"

#define BT_RESUME_VERSION 1
#define BT_RESUME_MAX_LEN (64u << 20) /* a state file, at most: 500 M pieces, 1 M files */

#define BT_RESUME_NOT_CHOSEN (-2)

struct bt_resume_file {
    int64_t length;   /* -1: not on disk (or a pad file); BT_RESUME_NOT_CHOSEN */
    int64_t mtime_ns; /* nanoseconds since the epoch */
};

/* Stat every file of st's torrent into files (t->file_count entries).
 * Errors: bt_storage_stat()'s. */
enum bt_err bt_resume_stat(struct bt_storage *st, struct bt_resume_file *files);

/* Write the state of t at path: the pieces in have, the files as given, this
 * boot's id.  BT_ERR_IO (errno set), BT_ERR_NOMEM. */
enum bt_err bt_resume_save(const char *path, const struct bt_torrent *t,
                           const struct bt_bitfield *have, const struct bt_resume_file *files);

/*
 * Read the state at path for t, and compare its files with now (from
 * bt_resume_stat()).  trusted and recheck must be sized to t's pieces and
 * clear: trusted gets the verified pieces that touch no changed file, recheck
 * every piece that touches one.  *changed (may be NULL) gets the number of
 * changed files.  Errors: BT_ERR_IO (errno ENOENT: no state yet),
 * BT_ERR_TOO_LARGE, BT_ERR_STATE_BAD, BT_ERR_STATE_OTHER, BT_ERR_STATE_BOOT
 * (written under another boot id: nothing in it can be trusted),
 * BT_ERR_NOMEM.
 */
enum bt_err bt_resume_load(const char *path, const struct bt_torrent *t,
                           const struct bt_resume_file *now, struct bt_bitfield *trusted,
                           struct bt_bitfield *recheck, size_t *changed);

/* bt_resume_load() of the len bytes at data, a state file's contents (at most
 * BT_RESUME_MAX_LEN: BT_ERR_TOO_LARGE beyond), with boot_id as this boot's. */
enum bt_err bt_resume_parse(const void *data, size_t len, const struct bt_torrent *t,
                            const char *boot_id, const struct bt_resume_file *now,
                            struct bt_bitfield *trusted, struct bt_bitfield *recheck,
                            size_t *changed);

#define BT_RESUME_BOOT_ID_LEN 36

/* This boot's id into out (BT_RESUME_BOOT_ID_LEN + 1 bytes); "" where the
 * system has none to read, and then no state is ever trusted. */
void bt_resume_boot_id(char *out);

#endif /* BT_RESUME_H */
