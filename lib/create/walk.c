/*
 * walk.c - the files a new torrent holds (see walk.h).
 *
 * The directory is read without recursion: directories still to read wait on a
 * stack, so a deep tree costs heap, not C stack.  The order readdir(3) gives
 * does not matter, as the list is sorted at the end:
 *
 *   photos/a/b.jpg  photos/a.txt  photos/z       rel: "a/b.jpg" "a.txt" "z"
 *   compared as     [a, b.jpg]    [a.txt]  [z]   element by element
 */
/* realpath(3) is X/Open, beyond the POSIX base that Makefile.am asks for. */
#define _XOPEN_SOURCE 700

#include "create/walk.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bencode/utf8.h"

void bt_walk_init(struct bt_walk *w)
{
    memset(w, 0, sizeof(*w));
}

void bt_walk_release(struct bt_walk *w)
{
    size_t i;

    for (i = 0; i < w->count; i++)
        free(w->files[i].path);
    for (i = 0; i < w->skipped_count; i++)
        free(w->skipped[i].path);
    free(w->files);
    free(w->skipped);
    free(w->name);
    free(w->err_path);
    w->files = NULL;
    w->skipped = NULL;
    w->name = NULL;
    w->err_path = NULL;
    w->count = w->cap = w->skipped_count = w->skipped_cap = 0;
    w->total = 0;
}

/*
 * Element by element is byte by byte with the separator below every byte a
 * name can hold (names hold no NUL), and the end of a path below that: the
 * shorter element sorts first, as BEP 3's dict keys do.
 */
int bt_walk_path_cmp(const char *a, const char *b)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    int cx, cy;

    for (;; x++, y++) {
        cx = *x == '\0' ? -1 : *x == '/' ? 0 : *x;
        cy = *y == '\0' ? -1 : *y == '/' ? 0 : *y;
        if (cx != cy || cx == -1)
            return cx - cy;
    }
}

static int file_cmp(const void *a, const void *b)
{
    return bt_walk_path_cmp(((const struct bt_walk_file *)a)->rel,
                            ((const struct bt_walk_file *)b)->rel);
}

static char *join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *s = malloc(a + b + 2);

    if (s == NULL)
        return NULL;
    memcpy(s, dir, a);
    s[a] = '/';
    memcpy(s + a + 1, name, b + 1);
    return s;
}

/* Grow an array of n items of size sz to hold one more; *cap is its capacity. */
static enum bt_err grow(void **items, size_t n, size_t *cap, size_t sz)
{
    size_t want;
    void *p;

    if (n < *cap)
        return BT_OK;
    want = *cap == 0 ? 64 : *cap * 2;
    p = realloc(*items, want * sz);
    if (p == NULL)
        return BT_ERR_NOMEM;
    *items = p;
    *cap = want;
    return BT_OK;
}

/* Take full (a path from join) as the next file; rel starts at skip. */
static enum bt_err add_file(struct bt_walk *w, char *full, size_t skip, const struct stat *sb)
{
    int64_t length = (int64_t)sb->st_size;
    enum bt_err err;

    if (w->count >= BT_WALK_MAX_FILES)
        err = BT_ERR_META_TOO_MANY;
    else if (length > INT64_MAX - w->total)
        err = BT_ERR_META_TOTAL_LENGTH;
    else
        err = grow((void **)&w->files, w->count, &w->cap, sizeof(*w->files));
    if (err != BT_OK) {
        free(full);
        return err;
    }
    w->files[w->count].path = full;
    w->files[w->count].rel = full + skip;
    w->files[w->count].length = length;
    w->files[w->count].executable = (sb->st_mode & S_IXUSR) != 0;
    w->count++;
    w->total += length;
    return BT_OK;
}

static enum bt_err add_skip(struct bt_walk *w, char *full, enum bt_walk_skip_why why)
{
    enum bt_err err =
        grow((void **)&w->skipped, w->skipped_count, &w->skipped_cap, sizeof(*w->skipped));

    if (err != BT_OK) {
        free(full);
        return err;
    }
    w->skipped[w->skipped_count].path = full;
    w->skipped[w->skipped_count].why = why;
    w->skipped_count++;
    return BT_OK;
}

static int left_out(const struct bt_walk *w, const char *name, const char *rel)
{
    size_t i;

    for (i = 0; i < w->omit_count; i++)
        if (strcmp(rel, w->omit[i]) == 0)
            return 1;
    for (i = 0; i < w->exclude_count; i++)
        if (fnmatch(w->exclude[i], name, 0) == 0 || fnmatch(w->exclude[i], rel, FNM_PATHNAME) == 0)
            return 1;
    return 0;
}

/* Remember path as the subject of a failure; return err. */
static enum bt_err fail(struct bt_walk *w, const char *path, enum bt_err err)
{
    int saved = errno;

    free(w->err_path);
    w->err_path = strdup(path);
    errno = saved;
    return err;
}

/* How many elements the relative path rel has. */
static size_t elements(const char *rel)
{
    size_t n = 1;

    for (; *rel != '\0'; rel++)
        n += *rel == '/';
    return n;
}

/* The directories still to read: full paths, owned. */
struct dir_stack {
    char **dirs;
    size_t n, cap;
};

/*
 * Read one directory: its files into w, its directories onto the stack.  skip
 * is where a full path's part relative to the operand starts.
 */
static enum bt_err read_dir(struct bt_walk *w, struct dir_stack *st, const char *dir, size_t skip)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    struct stat sb;
    enum bt_err err = BT_OK;

    if (d == NULL)
        return fail(w, dir, BT_ERR_IO);
    for (;;) {
        char *full;

        errno = 0;
        e = readdir(d);
        if (e == NULL) {
            if (errno != 0)
                err = fail(w, dir, BT_ERR_IO);
            break;
        }
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        full = join(dir, e->d_name);
        if (full == NULL) {
            err = BT_ERR_NOMEM;
            break;
        }
        if (left_out(w, e->d_name, full + skip)) {
            free(full);
            continue;
        }
        if (!bt_utf8_valid(e->d_name, strlen(e->d_name))) {
            err = fail(w, full, BT_ERR_CREATE_NAME);
            free(full);
            break;
        }
        if (elements(full + skip) > BT_WALK_MAX_ELEMENTS) {
            err = fail(w, full, BT_ERR_BENCODE_DEPTH);
            free(full);
            break;
        }
        if (lstat(full, &sb) != 0) {
            err = fail(w, full, BT_ERR_IO);
            free(full);
            break;
        }
        if (S_ISDIR(sb.st_mode)) {
            err = grow((void **)&st->dirs, st->n, &st->cap, sizeof(*st->dirs));
            if (err == BT_OK)
                st->dirs[st->n++] = full;
            else
                free(full);
        } else if (S_ISREG(sb.st_mode)) {
            err = add_file(w, full, skip, &sb);
        } else {
            err = add_skip(w, full,
                           S_ISLNK(sb.st_mode) ? BT_WALK_SKIP_SYMLINK : BT_WALK_SKIP_SPECIAL);
        }
        if (err != BT_OK)
            break;
    }
    closedir(d);
    return err;
}

static enum bt_err walk_dir(struct bt_walk *w, const char *root)
{
    struct dir_stack st = {NULL, 0, 0};
    /* A file's path is root "/" rel; the root "/" alone is "" + "/" + rel. */
    size_t skip = strlen(root) + 1;
    enum bt_err err = BT_OK;

    err = grow((void **)&st.dirs, 0, &st.cap, sizeof(*st.dirs));
    if (err != BT_OK)
        return err;
    st.dirs[st.n] = strdup(root);
    if (st.dirs[st.n] == NULL)
        err = BT_ERR_NOMEM;
    else
        st.n++;
    while (err == BT_OK && st.n > 0) {
        char *dir = st.dirs[--st.n];

        err = read_dir(w, &st, dir, skip);
        free(dir);
    }
    while (st.n > 0)
        free(st.dirs[--st.n]);
    free(st.dirs);
    if (err == BT_OK && w->count > 1) /* no files: no array to pass to qsort */
        qsort(w->files, w->count, sizeof(*w->files), file_cmp);
    return err;
}

/*
 * The torrent's name: the operand's last element.  "." and ".." (and "/")
 * name nothing by themselves: then the name is that of the directory they
 * stand for.
 */
static enum bt_err find_name(struct bt_walk *w, const char *root)
{
    const char *slash = strrchr(root, '/');
    const char *last = slash != NULL ? slash + 1 : root;
    char *real;

    if (*last != '\0' && strcmp(last, ".") != 0 && strcmp(last, "..") != 0) {
        w->name = strdup(last);
        return w->name != NULL ? BT_OK : BT_ERR_NOMEM;
    }
    real = realpath(root[0] != '\0' ? root : "/", NULL);
    if (real == NULL)
        return fail(w, root, BT_ERR_IO);
    slash = strrchr(real, '/');
    if (slash == NULL || slash[1] == '\0') {
        free(real);
        return fail(w, root, BT_ERR_META_PATH_EMPTY);
    }
    w->name = strdup(slash + 1);
    free(real);
    return w->name != NULL ? BT_OK : BT_ERR_NOMEM;
}

enum bt_err bt_walk_run(struct bt_walk *w, const char *path)
{
    struct stat sb;
    char *root, *full;
    size_t n;
    enum bt_err err;

    root = strdup(path);
    if (root == NULL)
        return BT_ERR_NOMEM;
    /* "dir/" is "dir": the slash would double in every path under it. */
    for (n = strlen(root); n > 1 && root[n - 1] == '/'; n--)
        root[n - 1] = '\0';
    if (strcmp(root, "/") == 0)
        root[0] = '\0';
    if (stat(root[0] != '\0' ? root : "/", &sb) != 0) {
        err = fail(w, path, BT_ERR_IO);
    } else {
        err = find_name(w, root);
        if (err == BT_OK && !bt_utf8_valid(w->name, strlen(w->name)))
            err = fail(w, path, BT_ERR_CREATE_NAME);
    }
    if (err == BT_OK && S_ISDIR(sb.st_mode)) {
        w->is_dir = 1;
        err = walk_dir(w, root);
    } else if (err == BT_OK && S_ISREG(sb.st_mode)) {
        full = strdup(root);
        err = full != NULL ? add_file(w, full, 0, &sb) : BT_ERR_NOMEM;
        if (err == BT_OK) /* a single file's path from the operand is its name */
            w->files[0].rel = w->files[0].path + strlen(w->files[0].path) - strlen(w->name);
    } else if (err == BT_OK) {
        err = fail(w, path, BT_ERR_CREATE_TYPE);
    }
    free(root);
    return err;
}
