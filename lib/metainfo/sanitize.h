/*
 * sanitize.h - path elements from a torrent made into safe file names, as a
 * lenient parse (BT_META_LENIENT) does where a strict one refuses.
 *
 * A torrent names its files with lists of elements (BEP 3 "path", BEP 52 "file
 * tree" keys); each becomes one openat() under the download directory, so an
 * element must name a child of its directory and nothing else.  Each rule below
 * is a BT_META_FIX_* bit (metainfo.h), applied in this order:
 *
 *   ""  "."  ".."       dropped (DROP): they name no child, or the parent
 *   "a/b"  "/etc"       '/', '\' and NUL each become '_' (REPLACE): "a_b", "_etc"
 *   "con"  "AUX.txt"    '_' after the stem (RESERVED): "con_", "AUX_.txt"
 *   300 bytes           cut to 255 bytes, extension kept (TRUNCATE), never
 *                       inside a UTF-8 sequence
 *
 * A path left with no element at all is "_" (NAMED).  After that, two files
 * that end up with one path (or a file and a directory) are told apart:
 * the later gets ".1", ".2"... before its extension (NUMBER): "x.bin",
 * "x.1.bin".  Nothing here can produce "..", a '/', or an empty element, so no
 * path leaves the download directory.  The info hash is over the original
 * bytes, which this never touches.
 */
#ifndef BT_METAINFO_SANITIZE_H
#define BT_METAINFO_SANITIZE_H

#include <stddef.h>

#include "core/error.h"
#include "metainfo/metainfo.h"

#define BT_SANITIZE_NAME_MAX 255 /* bytes in one element: NAME_MAX of ext4, XFS, btrfs */
#define BT_SANITIZE_EXT_MAX  16  /* a longer "extension" is not one: cut it too */

/*
 * The safe form of the element s[0..n): written to out, which has room for
 * n + 2 bytes, its length to *out_len (0 when dropped, not NUL-terminated).
 * Returns the BT_META_FIX_* rules applied, 0 when s is fine as it is, and sets
 * *why to the first problem found.
 */
unsigned bt_sanitize_element(const unsigned char *s, size_t n, char *out, size_t *out_len,
                             enum bt_err *why);

/*
 * Give every file of t that is stored (not padding) a path no other file or
 * directory of t has, numbering the later one.  For each file renamed,
 * renamed(arg, idx) is called with its index.  BT_ERR_NOMEM, else BT_OK.
 */
typedef void bt_sanitize_renamed_fn(void *arg, size_t idx);
enum bt_err bt_sanitize_unique(struct bt_torrent *t, bt_sanitize_renamed_fn *renamed, void *arg);

#endif /* BT_METAINFO_SANITIZE_H */
