/*
 * parse.h - what metainfo.c (BEP 3) and file_tree.c (BEP 52) share while they
 * parse one torrent.  Internal to lib/metainfo.
 */
#ifndef BT_METAINFO_PARSE_H
#define BT_METAINFO_PARSE_H

#include "bencode/bencode.h"
#include "metainfo/metainfo.h"

/* One parse in progress: its mode, where to say what went wrong, and the
 * torrent that takes the notes of a lenient parse. */
struct bt_meta_parse {
    unsigned flags;
    struct bt_meta_error *e; /* the caller's, or local */
    struct bt_meta_error local;
    struct bt_torrent *t;
    size_t files_at;  /* where the file list starts, for notes on renamed files */
    int noncanonical; /* decoded leniently: keys may be out of order or repeated */
};

/* Record where the error is (the node at, or byte 0) and which field, then return err. */
__attribute__((format(printf, 4, 5))) enum bt_err bt_meta_fail(struct bt_meta_parse *p,
                                                               enum bt_err err,
                                                               const struct bt_bnode *at,
                                                               const char *fmt, ...);

/* Note in p->t that a lenient parse overlooked or changed something (metainfo.h). */
__attribute__((format(printf, 6, 7))) void bt_meta_note(struct bt_meta_parse *p, enum bt_err why,
                                                        unsigned fix, size_t offset, size_t file,
                                                        const char *fmt, ...);

/*
 * elems[0..n), n >= 1 string nodes, each made safe (sanitize.h) and joined with '/'
 * into *out (malloc'd); "_" if nothing is left.  Each change is a note naming
 * the element info.files[file].path[j], info.name (file BT_META_NOTE_NAME), or
 * info.file tree (BT_META_NOTE_NONE; no notes then if a v1 half made them).
 */
enum bt_err bt_meta_join_safe(struct bt_meta_parse *p, const struct bt_bnode *const *elems,
                              size_t n, size_t file, char **out);

/* Is string node n safe as one element of a path?  (metainfo.c) */
enum bt_err bt_meta_check_element(const struct bt_bnode *n);

/*
 * BEP 47 "symlink path" (list, may be NULL): the link's target, elements from
 * the torrent's top directory, joined with '/' into *out (malloc'd).  "." and
 * empty elements stay where they are, ".." goes up one, and the target must
 * stay below the top: BT_ERR_META_SYMLINK_TARGET otherwise, or for an element
 * that is not a string or holds '/' or NUL.  BT_ERR_NOMEM.
 */
enum bt_err bt_meta_symlink_target(const struct bt_bnode *list, char **out);

/* A bencoded string as a new NUL-terminated C string. */
enum bt_err bt_meta_copy_str(const struct bt_bnode *n, char **out);

/*
 * The v2 half of the info dict, after the v1 half (if any) filled t->files:
 * walk the file tree, then either check it against the v1 files (a hybrid) or
 * make t->files from it, pad files included (v2 only).  (file_tree.c)
 */
enum bt_err bt_meta_parse_file_tree(struct bt_meta_parse *p, struct bt_torrent *t,
                                    const struct bt_bnode *tree);

/* "piece layers" beside the info dict: find, check and copy each file's layer. */
enum bt_err bt_meta_parse_layers(struct bt_meta_parse *p, struct bt_torrent *t,
                                 const struct bt_bnode *root);

#endif /* BT_METAINFO_PARSE_H */
