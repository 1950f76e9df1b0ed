/*
 * selection.c - --select and --exclude (see selection.h).
 */
#include "pieces/selection.h"

#include <fnmatch.h>
#include <string.h>

void bt_selection_all(const struct bt_torrent *t, unsigned char *chosen)
{
    size_t i;

    for (i = 0; i < t->file_count; i++)
        chosen[i] = !t->files[i].pad;
}

/* The entry of t->files that is file number n (from 1, pads not counted), or
 * file_count if there is none. */
static size_t file_numbered(const struct bt_torrent *t, size_t n)
{
    size_t i;

    for (i = 0; i < t->file_count; i++)
        if (!t->files[i].pad && --n == 0)
            return i;
    return t->file_count;
}

/* A decimal number of at most 9 digits at *s; 0 if there is none (0 is not a
 * file number either). */
static size_t take_number(const char **s)
{
    size_t n = 0, digits = 0;

    while (**s >= '0' && **s <= '9' && digits < 9) {
        n = n * 10 + (size_t)(**s - '0');
        (*s)++;
        digits++;
    }
    return **s >= '0' && **s <= '9' ? 0 : n; /* ten digits or more: no file has that number */
}

enum bt_err bt_selection_parse(const struct bt_torrent *t, const char *list, unsigned char *chosen,
                               const char **bad)
{
    const char *s = list;

    if (strlen(list) > BT_SELECTION_MAX_LIST) {
        if (bad != NULL)
            *bad = list;
        return BT_ERR_INVALID;
    }
    for (;;) {
        const char *item = s;
        size_t from = take_number(&s), to = from, i, end;

        if (*s == '-') {
            s++;
            to = take_number(&s);
        }
        end = file_numbered(t, to);
        if (from == 0 || to < from || end == t->file_count || (*s != ',' && *s != '\0')) {
            if (bad != NULL)
                *bad = item;
            return BT_ERR_INVALID;
        }
        for (i = file_numbered(t, from); i <= end; i++)
            chosen[i] = !t->files[i].pad;
        if (*s == '\0')
            return BT_OK;
        s++; /* the comma */
    }
}

size_t bt_selection_exclude(const struct bt_torrent *t, const char *glob, unsigned char *chosen)
{
    size_t i, n = 0;

    for (i = 0; i < t->file_count; i++) {
        const char *path = t->files[i].path, *name = strrchr(path, '/');

        name = name != NULL ? name + 1 : path;
        if (!t->files[i].pad && (fnmatch(glob, path, 0) == 0 || fnmatch(glob, name, 0) == 0)) {
            chosen[i] = 0;
            n++;
        }
    }
    return n;
}

size_t bt_selection_count(const struct bt_torrent *t, const unsigned char *chosen, int64_t *bytes)
{
    size_t i, n = 0;

    *bytes = 0;
    for (i = 0; i < t->file_count; i++) {
        if ((chosen == NULL || chosen[i]) && !t->files[i].pad) {
            n++;
            *bytes += t->files[i].length;
        }
    }
    return n;
}

void bt_selection_pieces(const struct bt_torrent *t, const unsigned char *chosen,
                         struct bt_bitfield *wanted)
{
    size_t i, first, last, k;

    for (i = 0; i < t->file_count; i++)
        if (chosen[i] && bt_torrent_file_span(t, &t->files[i], &first, &last))
            for (k = first; k <= last; k++)
                bt_bitfield_set(wanted, k);
}
