/*
 * parse.h - what metainfo.c (BEP 3) and file_tree.c (BEP 52) share while they
 * parse one torrent.  Internal to lib/metainfo.
 */
#ifndef BT_METAINFO_PARSE_H
#define BT_METAINFO_PARSE_H

#include "bencode/bencode.h"
#include "metainfo/metainfo.h"

/* One parse in progress: its mode, and where to say what went wrong. */
struct bt_meta_parse {
    unsigned flags;
    struct bt_meta_error *e;
};

/* Record where the error is (the node at, or byte 0) and which field, then return err. */
__attribute__((format(printf, 4, 5))) enum bt_err bt_meta_fail(struct bt_meta_parse *p,
                                                               enum bt_err err,
                                                               const struct bt_bnode *at,
                                                               const char *fmt, ...);

/* Is string node n safe as one element of a path?  (metainfo.c) */
enum bt_err bt_meta_check_element(const struct bt_bnode *n);

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
