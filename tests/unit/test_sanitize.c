/*
 * test_sanitize.c - lib/metainfo/sanitize.c: each rule that makes a path
 * element safe, and files that would share a path told apart, against names
 * worked out by hand from sanitize.h.
 */
#include <stdlib.h>
#include <string.h>

#include "metainfo/sanitize.h"
#include "tap.h"

/* The safe form of the n bytes at s, as a C string in out; the rules applied. */
static unsigned safe(const char *s, size_t n, char *out, enum bt_err *why)
{
    size_t len;
    unsigned fix = bt_sanitize_element((const unsigned char *)s, n, out, &len, why);

    out[len] = '\0';
    return fix;
}

static void test_elements(void)
{
    char out[600], in[600];
    enum bt_err why;
    unsigned fix;

    ok(safe("file.bin", 8, out, &why) == 0 && strcmp(out, "file.bin") == 0 && why == BT_OK,
       "a good element stays as it is");
    ok(safe("..", 2, out, &why) == BT_META_FIX_DROP && out[0] == '\0' &&
           why == BT_ERR_META_PATH_DOT,
       "'..' is dropped");
    ok(safe(".", 1, out, &why) == BT_META_FIX_DROP && why == BT_ERR_META_PATH_DOT,
       "'.' is dropped");
    ok(safe("", 0, out, &why) == BT_META_FIX_DROP && why == BT_ERR_META_PATH_EMPTY,
       "an empty element is dropped");
    ok(safe("...", 3, out, &why) == 0 && strcmp(out, "...") == 0, "'...' is a name like any other");
    ok(safe("/etc", 4, out, &why) == BT_META_FIX_REPLACE && strcmp(out, "_etc") == 0 &&
           why == BT_ERR_META_PATH_CHAR,
       "a leading '/' becomes '_'");
    ok(safe("a\0b", 3, out, &why) == BT_META_FIX_REPLACE && strcmp(out, "a_b") == 0,
       "a NUL becomes '_'");
    ok(safe("..\\..\\win.ini", 13, out, &why) == BT_META_FIX_REPLACE &&
           strcmp(out, ".._.._win.ini") == 0 && why == BT_ERR_META_PATH_BACKSLASH,
       "backslashes become '_', and what is left is no '..'");
    ok(safe("con", 3, out, &why) == BT_META_FIX_RESERVED && strcmp(out, "con_") == 0 &&
           why == BT_ERR_META_PATH_RESERVED,
       "a device name gets '_'");
    ok(safe("Aux.tar.gz", 10, out, &why) == BT_META_FIX_RESERVED && strcmp(out, "Aux_.tar.gz") == 0,
       "after its stem, whatever the case and the extension");
    ok(safe("COM10", 5, out, &why) == 0 && safe("console", 7, out, &why) == 0 &&
           safe("LPT9", 4, out, &why) == BT_META_FIX_RESERVED,
       "only the names themselves are devices");

    memset(in, 'a', 300);
    memcpy(in + 300, ".mkv", 4);
    fix = safe(in, 304, out, &why);
    ok(fix == BT_META_FIX_TRUNCATE && strlen(out) == BT_SANITIZE_NAME_MAX &&
           strcmp(out + BT_SANITIZE_NAME_MAX - 4, ".mkv") == 0 && why == BT_ERR_META_PATH_LONG,
       "a 304-byte element is cut to 255, '.mkv' kept");
    memset(in, 'a', 250);
    memcpy(in + 250, "\xc3\xa9\xc3\xa9.txt", 8); /* "éé.txt": byte 251 is inside the first é */
    safe(in, 258, out, &why);
    ok(strlen(out) == 250 + 4 && strcmp(out + 250, ".txt") == 0,
       "the cut never splits a UTF-8 sequence");
    memset(in, 'b', 300);
    in[10] = '.';
    safe(in, 300, out, &why);
    ok(strlen(out) == BT_SANITIZE_NAME_MAX && out[10] == '.',
       "an 'extension' of 289 bytes is not kept whole");
    memset(in, 'c', 300);
    in[0] = '/';
    fix = safe(in, 300, out, &why);
    ok(fix == (BT_META_FIX_REPLACE | BT_META_FIX_TRUNCATE) && out[0] == '_' &&
           strlen(out) == BT_SANITIZE_NAME_MAX && why == BT_ERR_META_PATH_CHAR,
       "rules add up; why is the first problem");
    ok(strcmp(bt_meta_fix_str(BT_META_FIX_DROP), "dropped") == 0 &&
           strcmp(bt_meta_fix_str(BT_META_FIX_REPLACE | BT_META_FIX_TRUNCATE),
                  "cut to 255 bytes, extension kept") == 0,
       "fixes in words");
}

/* A torrent of n stored files with these paths (and pad files where NULL). */
static void make(struct bt_torrent *t, const char *const *paths, size_t n)
{
    size_t i;

    bt_torrent_init(t);
    t->files = calloc(n, sizeof(*t->files));
    t->file_count = n;
    t->multi_file = 1;
    for (i = 0; i < n; i++) {
        t->files[i].pad = paths[i] == NULL;
        t->files[i].path = strdup(paths[i] != NULL ? paths[i] : ".pad/1");
    }
}

static size_t renames;

static void count(void *arg, size_t idx)
{
    (void)arg;
    (void)idx;
    renames++;
}

static void test_unique(void)
{
    static const char *const same[] = {"a/x.bin", "a/x.bin", "a/x.bin", NULL, "b"};
    static const char *const dirs[] = {"a", "a/y", "a/z", "a.1", "c/d", "c"};
    static const char *const numbered[] = {"x", "x.1", "x"};
    struct bt_torrent t;

    make(&t, same, 5);
    renames = 0;
    ok(bt_sanitize_unique(&t, count, NULL) == BT_OK && strcmp(t.files[0].path, "a/x.bin") == 0 &&
           strcmp(t.files[1].path, "a/x.1.bin") == 0 && strcmp(t.files[2].path, "a/x.2.bin") == 0 &&
           strcmp(t.files[3].path, ".pad/1") == 0 && strcmp(t.files[4].path, "b") == 0 &&
           renames == 2,
       "copies of one path are numbered before the extension; padding is left alone");
    bt_torrent_release(&t);

    make(&t, dirs, 6);
    renames = 0;
    ok(bt_sanitize_unique(&t, count, NULL) == BT_OK && strcmp(t.files[0].path, "a") == 0 &&
           strcmp(t.files[1].path, "a.1/y") == 0 && strcmp(t.files[2].path, "a.1/z") == 0 &&
           strcmp(t.files[3].path, "a.1.1") == 0 && strcmp(t.files[4].path, "c/d") == 0 &&
           strcmp(t.files[5].path, "c.1") == 0 && renames == 4,
       "a file and a directory of one name: the later moves, and its siblings follow");
    bt_torrent_release(&t);

    make(&t, numbered, 3);
    ok(bt_sanitize_unique(&t, NULL, NULL) == BT_OK && strcmp(t.files[2].path, "x.2") == 0,
       "a number another file has is skipped");
    bt_torrent_release(&t);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_elements();
    test_unique();
    return tap_done();
}
