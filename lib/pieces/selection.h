/*
 * selection.h - which of a torrent's files to download: bt-download's
 * --select LIST and --exclude GLOB, and the pieces that follow from them.
 *
 * Files are numbered from 1 in the torrent's order, BEP 47 pad files left
 * out: the numbers bt-infohash -s prints.  A choice is one byte per entry of
 * t->files, 1 for a chosen file; a pad file is never chosen.
 *
 * A piece is wanted when a chosen file has bytes in it.  In a v1 torrent a
 * piece may straddle a chosen and an unchosen file:
 *
 *   files   | a (chosen)          | b (not chosen)            | c (chosen) |
 *   pieces  |   0   |   1   |   2   |   3   |   4   |   5   |   6   |
 *                           ^ wanted: holds a's end      ^ wanted: holds c's start
 *
 * Such a piece is fetched and checked whole; storage.h keeps the unchosen
 * file's part of it aside, in the parts file.
 */
#ifndef BT_SELECTION_H
#define BT_SELECTION_H

#include <stddef.h>

#include "core/error.h"
#include "metainfo/metainfo.h"
#include "wire/bitfield.h"

#define BT_SELECTION_MAX_LIST 65536 /* bytes of a LIST, at most */

/* Choose every file but the pad files. */
void bt_selection_all(const struct bt_torrent *t, unsigned char *chosen);

/*
 * Choose the files LIST names: numbers and ranges separated by commas, such
 * as "1,3-5".  Files it does not name are left as they are.  BT_ERR_INVALID
 * for a malformed list, a number out of 1..files, or a range whose end comes
 * before its start; *bad (may be NULL) then points at the item in list.
 */
enum bt_err bt_selection_parse(const struct bt_torrent *t, const char *list, unsigned char *chosen,
                               const char **bad);

/*
 * Unchoose every file whose name, or path in the torrent (as bt-infohash -s
 * prints it: elements joined by '/', the torrent's name left out of a
 * multi-file torrent), matches the shell pattern glob (fnmatch(3), with '*'
 * matching '/' too), as bt-create -x matches.  Returns how many files matched.
 */
size_t bt_selection_exclude(const struct bt_torrent *t, const char *glob, unsigned char *chosen);

/* How many files are chosen (chosen NULL: how many there are), and how many
 * bytes they hold. */
size_t bt_selection_count(const struct bt_torrent *t, const unsigned char *chosen, int64_t *bytes);

/* Set in wanted (sized to t's pieces) every piece a chosen file has bytes in. */
void bt_selection_pieces(const struct bt_torrent *t, const unsigned char *chosen,
                         struct bt_bitfield *wanted);

#endif /* BT_SELECTION_H */
