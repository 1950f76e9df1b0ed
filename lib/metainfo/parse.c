/*
 * parse.c - what the BEP 3 and BEP 52 halves of the metainfo parser share:
 * saying where a parse failed, and the checks on names that come from a
 * stranger (parse.h).
 */
#include "metainfo/parse.h"

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
