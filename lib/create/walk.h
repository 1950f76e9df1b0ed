/*
 * walk.h - the files a new torrent holds, in the order BEP 52 puts them.
 *
 * A torrent made from one regular file names that file; one made from a
 * directory lists every regular file under it by its path from the directory,
 * element by element (BEP 3's "path" list, BEP 52's "file tree"):
 *
 *   photos/                     name  "photos"
 *     a/b.jpg                   path  ["a", "b.jpg"]     file tree {"a": {"b.jpg": {"": ...}},
 *     a.txt                     path  ["a.txt"]                     "a.txt": {"": ...}}
 *
 * The order is the file tree's: paths compared element by element, each
 * element by its raw bytes, as bencoded dict keys are (so "a/b.jpg" comes
 * before "a.txt" although '/' sorts after '.').  v1 torrents may list files in
 * any order; we use the same one everywhere, so that a hybrid torrent's two
 * lists agree and the output never depends on the order of readdir(3).
 *
 * Symbolic links and special files (FIFOs, sockets, devices) are skipped, and
 * listed in `skipped` so that the caller can say so: a link may point anywhere,
 * even outside the directory, and a FIFO has no length to put in a torrent.
 * The operand itself is followed when it is a link: the user named it.
 */
#ifndef BT_WALK_H
#define BT_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define BT_WALK_MAX_FILES (1u << 20) /* as many as a torrent we read may list */
/*
 * Path elements at most.  Each is one more dict in the v2 file tree, and a
 * decoder stops at a depth of 100 (ours and libtorrent's): the torrent, info,
 * file tree, the elements, "" and the leaf must stay under that.
 */
#define BT_WALK_MAX_ELEMENTS 90

struct bt_walk_file {
    char *path;      /* to open: the operand, "/", then rel (just the operand for a file) */
    const char *rel; /* inside path: relative to the operand, elements joined by '/' */
    int64_t length;
    int executable; /* the owner may execute it: BEP 47's "attr" "x", if asked for */
};

enum bt_walk_skip_why {
    BT_WALK_SKIP_SYMLINK = 1,
    BT_WALK_SKIP_SPECIAL, /* a FIFO, socket or device */
};

struct bt_walk_skip {
    char *path; /* as struct bt_walk_file's path */
    enum bt_walk_skip_why why;
};

struct bt_walk {
    /* Set before bt_walk_run(); the strings are the caller's. */
    const char *const *exclude; /* fnmatch(3) patterns: a file or directory whose name, */
    size_t exclude_count;       /* or whose path from the operand, matches one is left out */
    const char *const *omit;    /* exact paths from the operand to leave out (our output) */
    size_t omit_count;

    /* Results, owned by the struct. */
    char *name;                 /* the torrent's name: the operand's last element */
    int is_dir;                 /* the operand is a directory (a multi-file torrent) */
    struct bt_walk_file *files; /* sorted; for a file operand, exactly one */
    size_t count;
    struct bt_walk_skip *skipped; /* in the order met */
    size_t skipped_count;
    int64_t total;  /* bytes in all files */
    char *err_path; /* after a failure: the path it is about, or NULL */

    size_t cap, skipped_cap;
};

/* Cannot fail.  Set exclude and omit afterwards. */
void bt_walk_init(struct bt_walk *w);
void bt_walk_release(struct bt_walk *w);

/*
 * List what path holds.  Errors: BT_ERR_IO (errno says why; err_path names the
 * file or directory), BT_ERR_CREATE_TYPE for an operand that is neither a file
 * nor a directory, BT_ERR_CREATE_NAME for a name that is not UTF-8 (BEP 3 wants
 * UTF-8 paths; clients would rename such a file, and then not find it),
 * BT_ERR_META_TOO_MANY past BT_WALK_MAX_FILES, BT_ERR_BENCODE_DEPTH for a path
 * of more than BT_WALK_MAX_ELEMENTS elements, BT_ERR_META_TOTAL_LENGTH when
 * the sizes add up past INT64_MAX, BT_ERR_NOMEM.
 */
enum bt_err bt_walk_run(struct bt_walk *w, const char *path);

/*
 * The file tree's order of two relative paths ("a/b.jpg" < "a.txt"): negative,
 * zero or positive as strcmp(3).
 */
int bt_walk_path_cmp(const char *a, const char *b);

#endif /* BT_WALK_H */
