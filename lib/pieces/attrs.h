/*
 * attrs.h - BEP 47's file attributes, applied to a finished download.
 *
 *   d 4:attr 1:x 6:length i200e 4:path l 3:bin 6:run.sh e e     executable
 *   d 4:attr 1:l 6:length i0e 4:path l 8:run-link e
 *     12:symlink path l 3:bin 6:run.sh e e                      a symbolic link
 *   d 4:attr 1:h ... e                                          hidden
 *
 * metainfo.c reads them (struct bt_file: executable, symlink, hidden); this
 * puts them on disk under DATA, the directory that holds the torrent's name
 * (storage.h):
 *
 *   'x'  chmod: every class that may read the file may now run it (a+x where r)
 *   'l'  a symbolic link, made relative: DATA/bep47/run-link -> bin/run.sh.  The
 *        target was resolved inside the torrent's top directory by metainfo.c
 *        ("bin/../.hidden" is ".hidden"; one that climbs out is no link at all)
 *   'h'  nothing: on POSIX a name that starts with '.' is hidden, and that is the
 *        name the torrent gives
 *
 * Directories are opened one element at a time with O_NOFOLLOW, as storage.c
 * does, so a link made here, or planted, cannot lead anything outside DATA.  An
 * existing file where a link goes is left alone (BT_ERR_STORAGE_PATH for it).
 */
#ifndef BT_ATTRS_H
#define BT_ATTRS_H

#include <stddef.h>

#include "core/error.h"
#include "metainfo/metainfo.h"

/* Told, for each file with an attribute to apply, how it went (BT_OK or why not). */
typedef void bt_attrs_fn(void *arg, size_t file, enum bt_err err);

/*
 * Apply t's executable and symlink attributes under the directory data (a
 * multi-file torrent's; a single file has none).  chosen (selection.h; NULL:
 * every file) limits 'x' to the files downloaded, and links are made only when
 * every file was: a link to a file left out would point at nothing.
 * done(arg, idx, err) hears about each; may be NULL.  Returns BT_OK, or the
 * first error.
 */
enum bt_err bt_attrs_apply(const struct bt_torrent *t, const char *data,
                           const unsigned char *chosen, bt_attrs_fn *done, void *arg);

#endif /* BT_ATTRS_H */
