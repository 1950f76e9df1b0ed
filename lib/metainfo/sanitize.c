/*
 * sanitize.c - unusable path elements made into safe names, and files that
 * would share a path told apart.  See sanitize.h for the rules.
 *
 * Telling files apart needs every path and directory seen so far: one open
 * addressing hash set of byte strings, each a prefix of a file's final path.
 *
 *   files          set after each                     renamed
 *   a/x.bin        "a" dir, "a/x.bin" file
 *   a/x.bin        +"a/x.1.bin" file                   a/x.1.bin
 *   a              +"a.1" file                         a.1
 *   a.1/y          "a.1" is a file: the dir is moved   a.2/y
 *                  +"a.2" dir, "a.2/y" file
 *
 * Each entry keeps the next number to try for its name, so a torrent of a
 * million copies of one name costs a million steps, not a million squared.
 */
#include "metainfo/sanitize.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Windows keeps these for devices, whatever the case and the extension. */
static const char *const reserved_names[] = {
    "CON",  "PRN",  "AUX",  "NUL",  "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
    "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
};

static unsigned char ascii_upper(unsigned char c)
{
    return c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
}

/* The length of e's stem (before its first '.') if that is a device name, else 0. */
static size_t reserved_stem(const char *e, size_t n)
{
    const char *dot = memchr(e, '.', n);
    size_t stem = dot != NULL ? (size_t)(dot - e) : n, i, j;

    for (i = 0; i < sizeof(reserved_names) / sizeof(reserved_names[0]); i++) {
        const char *r = reserved_names[i];

        if (strlen(r) != stem)
            continue;
        for (j = 0; j < stem && ascii_upper((unsigned char)e[j]) == (unsigned char)r[j]; j++)
            ;
        if (j == stem)
            return stem;
    }
    return 0;
}

/*
 * Where e's extension starts: its last '.', if that is not the first byte and
 * what follows is short; else n (no extension).
 */
static size_t ext_start(const char *e, size_t n)
{
    size_t i;

    for (i = n; i > 1 && n - (i - 1) <= BT_SANITIZE_EXT_MAX + 1; i--)
        if (e[i - 1] == '.')
            return i - 1;
    return n;
}

/* At most keep bytes of e, backed off so that no UTF-8 sequence is cut (e[keep] exists). */
static size_t utf8_cut(const char *e, size_t keep)
{
    size_t k = keep;

    while (k > 0 && ((unsigned char)e[k] & 0xC0) == 0x80)
        k--;
    return k > 0 ? k : keep; /* not UTF-8 at all: cut where asked */
}

/* e[0..n), n > BT_SANITIZE_NAME_MAX, cut to fit with its extension kept. */
static size_t truncate_keep_ext(char *e, size_t n)
{
    size_t ext = ext_start(e, n), elen = n - ext;
    size_t keep = utf8_cut(e, BT_SANITIZE_NAME_MAX - elen);

    memmove(e + keep, e + ext, elen);
    return keep + elen;
}

static void first_why(enum bt_err *why, enum bt_err err)
{
    if (*why == BT_OK)
        *why = err;
}

unsigned bt_sanitize_element(const unsigned char *s, size_t n, char *out, size_t *out_len,
                             enum bt_err *why)
{
    unsigned fix = 0;
    size_t i, len = n, stem;

    *why = BT_OK;
    *out_len = 0;
    if (n == 0) {
        *why = BT_ERR_META_PATH_EMPTY;
        return BT_META_FIX_DROP;
    }
    if ((n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.')) {
        *why = BT_ERR_META_PATH_DOT;
        return BT_META_FIX_DROP;
    }
    for (i = 0; i < n; i++) {
        char c = (char)s[i];

        /* '/' would start a new element, NUL end the name in C, '\' does both
         * on Windows: none may survive inside one element. */
        if (c == '/' || c == '\0' || c == '\\') {
            first_why(why, c == '\\' ? BT_ERR_META_PATH_BACKSLASH : BT_ERR_META_PATH_CHAR);
            fix |= BT_META_FIX_REPLACE;
            c = '_';
        }
        out[i] = c;
    }
    stem = reserved_stem(out, len);
    if (stem > 0) {
        memmove(out + stem + 1, out + stem, len - stem);
        out[stem] = '_';
        len++;
        first_why(why, BT_ERR_META_PATH_RESERVED);
        fix |= BT_META_FIX_RESERVED;
    }
    if (len > BT_SANITIZE_NAME_MAX) {
        len = truncate_keep_ext(out, len);
        first_why(why, BT_ERR_META_PATH_LONG);
        fix |= BT_META_FIX_TRUNCATE;
    }
    *out_len = len;
    return fix;
}

const char *bt_meta_fix_str(unsigned fix)
{
    /* The rule that tells most: a note's element may have met two (sanitize.h). */
    if ((fix & BT_META_FIX_NAMED) != 0)
        return "nothing left: named '_'";
    if ((fix & BT_META_FIX_DROP) != 0)
        return "dropped";
    if ((fix & BT_META_FIX_TRUNCATE) != 0)
        return "cut to 255 bytes, extension kept";
    if ((fix & BT_META_FIX_REPLACE) != 0)
        return "replaced by '_'";
    if ((fix & BT_META_FIX_RESERVED) != 0)
        return "'_' added to the name";
    if ((fix & BT_META_FIX_NUMBER) != 0)
        return "numbered";
    if ((fix & BT_META_FIX_IGNORE) != 0)
        return "ignored";
    return "accepted";
}

/* --- telling files apart ------------------------------------------------------ */

struct entry {
    const char *key; /* NULL: a free slot; else a prefix of a file's path, or moved */
    size_t len;
    int is_file;
    unsigned next; /* the next number to try for a file or directory of this name */
    char *moved;   /* a file: where a directory of its name went (owned), or NULL */
};

struct path_set {
    struct entry *v;
    size_t mask; /* slots - 1, slots a power of two at least twice the entries */
};

static size_t hash(const char *s, size_t n)
{
    uint64_t h = 14695981039346656037u; /* FNV-1a */
    size_t i;

    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211u;
    }
    return (size_t)h;
}

/* The entry for key, or with insert the free slot it takes, else NULL. */
static struct entry *set_find(struct path_set *set, const char *key, size_t len, int insert)
{
    size_t i = hash(key, len) & set->mask;

    while (set->v[i].key != NULL) {
        if (set->v[i].len == len && memcmp(set->v[i].key, key, len) == 0)
            return &set->v[i];
        i = (i + 1) & set->mask;
    }
    if (!insert)
        return NULL;
    set->v[i].key = key;
    set->v[i].len = len;
    return &set->v[i];
}

/*
 * f's path with its element [a, b) numbered n: "x.bin" becomes "x.n.bin",
 * the stem cut if the element would pass BT_SANITIZE_NAME_MAX.  NULL if out
 * of memory.
 */
static char *numbered(const char *path, size_t a, size_t b, unsigned n)
{
    char num[16];
    int nlen = snprintf(num, sizeof(num), ".%u", n);
    size_t ext = a + ext_start(path + a, b - a), stem = ext - a, tail = strlen(path + ext);
    size_t room = BT_SANITIZE_NAME_MAX - (size_t)nlen - (b - ext), at;
    char *s;

    if (stem > room)
        stem = utf8_cut(path + a, room);
    s = malloc(a + stem + (size_t)nlen + tail + 1);
    if (s == NULL)
        return NULL;
    memcpy(s, path, a + stem);
    at = a + stem;
    memcpy(s + at, num, (size_t)nlen);
    memcpy(s + at + (size_t)nlen, path + ext, tail + 1);
    return s;
}

/* Number the element [a, b) of *path with e's next free number: nothing may
 * have the new prefix path[0..b') yet. */
static enum bt_err renumber(struct path_set *set, char **path, size_t a, size_t b, struct entry *e)
{
    for (;;) {
        char *s = numbered(*path, a, b, ++e->next);

        if (s == NULL)
            return BT_ERR_NOMEM;
        /* The new prefix ends where the old one did, moved by the change in length. */
        if (set_find(set, s, b + strlen(s) - strlen(*path), 0) == NULL) {
            free(*path);
            *path = s;
            return BT_OK;
        }
        free(s);
    }
}

/* path with its first len bytes replaced by prefix; NULL if out of memory. */
static char *reprefix(const char *path, size_t len, const char *prefix)
{
    size_t plen = strlen(prefix), tail = strlen(path + len);
    char *s = malloc(plen + tail + 1);

    if (s != NULL) {
        memcpy(s, prefix, plen);
        memcpy(s + plen, path + len, tail + 1);
    }
    return s;
}

/*
 * One step for path: BT_OK with *changed 0 when nothing else has it or any of
 * its directories as a file; else renamed once, *changed 1 (look again).
 */
static enum bt_err settle(struct path_set *set, char **path, int *changed)
{
    size_t n = strlen(*path), k, start = 0;
    struct entry *e;
    char *s;

    *changed = 1;
    for (k = 0; k < n; k++) {
        if ((*path)[k] != '/')
            continue;
        e = set_find(set, *path, k, 0);
        if (e != NULL && e->is_file && e->moved != NULL) {
            /* An earlier file of this directory moved it: follow. */
            s = reprefix(*path, k, e->moved);
            if (s == NULL)
                return BT_ERR_NOMEM;
            free(*path);
            *path = s;
            return BT_OK;
        }
        if (e != NULL && e->is_file) {
            enum bt_err err = renumber(set, path, start, k, e);

            if (err != BT_OK)
                return err;
            k = strchr(*path + start, '/') - *path;
            e->moved = malloc(k + 1);
            if (e->moved == NULL)
                return BT_ERR_NOMEM;
            memcpy(e->moved, *path, k);
            e->moved[k] = '\0';
            return BT_OK;
        }
        start = k + 1;
    }
    e = set_find(set, *path, n, 0);
    if (e != NULL)
        return renumber(set, path, start, n, e);
    *changed = 0;
    return BT_OK;
}

/* Record path: each directory (unless known) and the file itself. */
static void set_add(struct path_set *set, const char *path)
{
    size_t k, n = strlen(path);
    struct entry *e;

    for (k = 0; k < n; k++)
        if (path[k] == '/')
            set_find(set, path, k, 1); /* a directory shared with others is fine */
    e = set_find(set, path, n, 1);
    e->is_file = 1;
}

enum bt_err bt_sanitize_unique(struct bt_torrent *t, bt_sanitize_renamed_fn *renamed, void *arg)
{
    struct path_set set;
    size_t i, k, entries = 0, slots = 16;
    enum bt_err err = BT_OK;

    /* Every file adds at most one entry per element: size the table once. */
    for (i = 0; i < t->file_count; i++) {
        if (t->files[i].pad)
            continue;
        entries++;
        for (k = 0; t->files[i].path[k] != '\0'; k++)
            entries += t->files[i].path[k] == '/';
    }
    while (slots < 2 * entries)
        slots *= 2;
    set.v = calloc(slots, sizeof(*set.v));
    if (set.v == NULL)
        return BT_ERR_NOMEM;
    set.mask = slots - 1;
    for (i = 0; i < t->file_count && err == BT_OK; i++) {
        int changed = 1, was_renamed = 0;

        if (t->files[i].pad)
            continue;
        while (changed && err == BT_OK) {
            err = settle(&set, &t->files[i].path, &changed);
            was_renamed |= changed;
        }
        if (err != BT_OK)
            break;
        set_add(&set, t->files[i].path);
        if (was_renamed && renamed != NULL)
            renamed(arg, i);
    }
    for (i = 0; i < slots; i++)
        free(set.v[i].moved);
    free(set.v);
    return err;
}
