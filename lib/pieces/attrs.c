/*
 * attrs.c - BEP 47's executable and symlink attributes on disk.  See attrs.h.
 */
#include "pieces/attrs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The directory that holds the last element of rel (elements joined by '/'),
 * under dirfd, each opened without following links and made if missing.  *last
 * points at that element.  A descriptor, or -1 with errno set.
 */
static int open_parent(int dirfd, char *rel, char **last)
{
    char *elem = rel, *slash;
    int fd = dup(dirfd);

    while (fd >= 0 && (slash = strchr(elem, '/')) != NULL) {
        int next;

        *slash = '\0';
        if (mkdirat(fd, elem, 0777) < 0 && errno != EEXIST)
            next = -1;
        else
            next = openat(fd, elem, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        *slash = '/';
        close(fd);
        fd = next;
        elem = slash + 1;
    }
    *last = elem;
    return fd;
}

/* "../" once for each directory between the link and the top: from there,
 * the target (relative to the top) is reached. */
static char *relative_target(const struct bt_file *f)
{
    size_t up = 0, i, n = strlen(f->symlink);
    char *s;

    for (i = 0; f->path[i] != '\0'; i++)
        up += f->path[i] == '/';
    s = malloc(3 * up + n + 1);
    if (s == NULL)
        return NULL;
    for (i = 0; i < up; i++)
        memcpy(s + 3 * i, "../", 3);
    memcpy(s + 3 * up, f->symlink, n + 1);
    return s;
}

/* The link f under top; an existing link to the same target is fine. */
static enum bt_err make_link(int top, const struct bt_file *f)
{
    char *rel = strdup(f->path), *target = relative_target(f), *name, have[PATH_MAX];
    enum bt_err err = BT_OK;
    ssize_t n;
    int fd;

    if (rel == NULL || target == NULL) {
        free(rel);
        free(target);
        return BT_ERR_NOMEM;
    }
    fd = open_parent(top, rel, &name);
    if (fd < 0) {
        err = (errno == ELOOP || errno == ENOTDIR) ? BT_ERR_STORAGE_PATH : BT_ERR_IO;
    } else if (symlinkat(target, fd, name) < 0) {
        int why = errno;

        n = readlinkat(fd, name, have, sizeof(have) - 1);
        if (why != EEXIST)
            err = BT_ERR_IO;
        else if (n < 0 || (size_t)n != strlen(target) || memcmp(have, target, (size_t)n) != 0)
            err = BT_ERR_STORAGE_PATH; /* something else is there: not ours to replace */
    }
    if (fd >= 0)
        close(fd);
    free(rel);
    free(target);
    return err;
}

/* chmod f under top so that whoever may read it may run it. */
static enum bt_err make_executable(int top, const struct bt_file *f)
{
    char *rel = strdup(f->path), *name;
    enum bt_err err = BT_OK;
    struct stat sb;
    int fd;

    if (rel == NULL)
        return BT_ERR_NOMEM;
    fd = open_parent(top, rel, &name);
    if (fd < 0 || fstatat(fd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
        err = BT_ERR_IO;
    else if (!S_ISREG(sb.st_mode))
        err = BT_ERR_STORAGE_PATH; /* never chmod through a link */
    else if (fchmodat(fd, name, (sb.st_mode & 07777) | ((sb.st_mode & 0444) >> 2), 0) < 0)
        err = BT_ERR_IO;
    if (fd >= 0)
        close(fd);
    free(rel);
    return err;
}

enum bt_err bt_attrs_apply(const struct bt_torrent *t, const char *data,
                           const unsigned char *chosen, bt_attrs_fn *done, void *arg)
{
    enum bt_err first = BT_OK;
    int dirfd, top, all = 1;
    size_t i;

    for (i = 0; chosen != NULL && i < t->file_count; i++)
        if (!chosen[i] && !t->files[i].pad)
            all = 0;

    if (!t->multi_file)
        return BT_OK;
    dirfd = open(data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0)
        return BT_ERR_IO;
    top = openat(dirfd, t->name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    close(dirfd);
    if (top < 0)
        return BT_ERR_STORAGE_PATH;
    for (i = 0; i < t->file_count; i++) {
        const struct bt_file *f = &t->files[i];
        enum bt_err err;

        if (f->symlink != NULL && all)
            err = make_link(top, f);
        else if (f->executable && !f->pad && (chosen == NULL || chosen[i]))
            err = make_executable(top, f);
        else
            continue;
        if (done != NULL)
            done(arg, i, err);
        if (first == BT_OK)
            first = err;
    }
    close(top);
    return first;
}
