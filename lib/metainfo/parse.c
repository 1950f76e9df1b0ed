/*
 * parse.c - what the BEP 3 and BEP 52 halves of the metainfo parser share:
 * saying where a parse failed, and the checks on names that come from a
 * stranger (parse.h).
 */
#include "metainfo/parse.h"

#include "metainfo/sanitize.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum bt_err bt_meta_fail(struct bt_meta_parse *p, enum bt_err err, const struct bt_bnode *at,
                         const char *fmt, ...)
{
    va_list ap;

    if (p->e != NULL) {
        p->e->offset = at != NULL ? at->offset : 0;
        va_start(ap, fmt);
        vsnprintf(p->e->field, sizeof(p->e->field), fmt, ap);
        va_end(ap);
    }
    return err;
}

void bt_meta_note(struct bt_meta_parse *p, enum bt_err why, unsigned fix, size_t offset,
                  size_t file, const char *fmt, ...)
{
    struct bt_meta_note *n;
    va_list ap;

    /* Count them all, keep the first few: a hostile torrent may have millions. */
    if (p->t->note_count++ >= BT_META_MAX_NOTES)
        return;
    n = &p->t->notes[p->t->note_count - 1];
    n->why = why;
    n->fix = fix;
    n->offset = offset;
    n->file = file;
    va_start(ap, fmt);
    vsnprintf(n->field, sizeof(n->field), fmt, ap);
    va_end(ap);
}

/* Where element j of a path is, for a note (see bt_meta_join_safe). */
static void note_element(struct bt_meta_parse *p, enum bt_err why, unsigned fix,
                         const struct bt_bnode *elem, size_t file, size_t j)
{
    if (file == BT_META_NOTE_NAME)
        bt_meta_note(p, why, fix, elem->offset, file, "info.name");
    else if (file == BT_META_NOTE_NONE)
        bt_meta_note(p, why, fix, elem->offset, file, "info.file tree");
    else
        bt_meta_note(p, why, fix, elem->offset, file, "info.files[%zu].path[%zu]", file, j);
}

enum bt_err bt_meta_join_safe(struct bt_meta_parse *p, const struct bt_bnode *const *elems,
                              size_t n, size_t file, char **out)
{
    /* A hybrid's tree repeats the v1 list, whose notes were made already. */
    int quiet = file == BT_META_NOTE_NONE && (p->t->versions & BT_META_V1) != 0;
    size_t j, total = 2, at = 0, len;
    enum bt_err why;
    char *s;

    /* Each element grows by one byte at most ('_' after a device name), plus a '/'. */
    for (j = 0; j < n; j++)
        total += elems[j]->slen + 2;
    s = malloc(total);
    if (s == NULL)
        return BT_ERR_NOMEM;
    for (j = 0; j < n; j++) {
        unsigned fix = bt_sanitize_element(elems[j]->s, elems[j]->slen, s + at, &len, &why);

        /* The last element dropped with nothing before it gets one note, below. */
        if (fix != 0 && !quiet && !(len == 0 && at == 0 && j + 1 == n))
            note_element(p, why, fix, elems[j], file, j);
        if (len > 0) {
            at += len;
            s[at++] = '/';
        }
    }
    if (at == 0) {
        /* Every element dropped: the file still needs a name. */
        if (!quiet)
            note_element(p, why, BT_META_FIX_NAMED, elems[n - 1], file, n - 1);
        s[at++] = '_';
        s[at++] = '/';
    }
    s[at - 1] = '\0';
    *out = s;
    return BT_OK;
}

/* A bencoded string as a new NUL-terminated C string. */
enum bt_err bt_meta_copy_str(const struct bt_bnode *n, char **out)
{
    char *s = malloc(n->slen + 1);

    if (s == NULL)
        return BT_ERR_NOMEM;
    if (n->slen > 0)
        memcpy(s, n->s, n->slen);
    s[n->slen] = '\0';
    *out = s;
    return BT_OK;
}

/*
 * Is this string safe as one element of a path under the download directory?
 * Not empty, not "." or "..", and no '/' (which would start a new element or
 * make the path absolute) and no NUL (which would end it early in C).
 */
enum bt_err bt_meta_check_element(const struct bt_bnode *n)
{
    if (n->type != BT_BENCODE_STR)
        return BT_ERR_META_FIELD_TYPE;
    if (n->slen == 0)
        return BT_ERR_META_PATH_EMPTY;
    if ((n->slen == 1 && n->s[0] == '.') || (n->slen == 2 && memcmp(n->s, "..", 2) == 0))
        return BT_ERR_META_PATH_DOT;
    if (memchr(n->s, '/', n->slen) != NULL || memchr(n->s, '\0', n->slen) != NULL)
        return BT_ERR_META_PATH_CHAR;
    return BT_OK;
}

enum bt_err bt_meta_symlink_target(const struct bt_bnode *list, char **out)
{
    const struct bt_bnode *elem;
    size_t j, total = 1, at = 0;
    char *s;

    if (list == NULL || list->count == 0)
        return BT_ERR_META_SYMLINK_TARGET;
    elem = bt_bnode_child(list);
    for (j = 0; j < list->count; j++, elem = bt_bnode_sibling(elem)) {
        if (elem->type != BT_BENCODE_STR)
            return BT_ERR_META_SYMLINK_TARGET;
        total += elem->slen + 1;
    }
    s = malloc(total);
    if (s == NULL)
        return BT_ERR_NOMEM;
    elem = bt_bnode_child(list);
    for (j = 0; j < list->count; j++, elem = bt_bnode_sibling(elem)) {
        int dotdot = elem->slen == 2 && memcmp(elem->s, "..", 2) == 0;

        if (memchr(elem->s, '/', elem->slen) != NULL || memchr(elem->s, '\0', elem->slen) != NULL ||
            (dotdot && at == 0))
            break;
        if (dotdot) {
            for (at--; at > 0 && s[at - 1] != '/'; at--)
                ; /* back over the last element and its '/' */
        } else if (elem->slen > 0 && !(elem->slen == 1 && elem->s[0] == '.')) {
            memcpy(s + at, elem->s, elem->slen);
            at += elem->slen;
            s[at++] = '/';
        }
    }
    if (j < list->count || at == 0) {
        free(s);
        return BT_ERR_META_SYMLINK_TARGET;
    }
    s[at - 1] = '\0';
    *out = s;
    return BT_OK;
}
