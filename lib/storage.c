/*
 * storage.c - torrent byte ranges onto files, with pread/pwrite.  See storage.h
 * for the layout and the DATA convention.
 */
#include "storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha1.h"

void bt_storage_init(struct bt_storage *st)
{
    size_t i;

    memset(st, 0, sizeof(*st));
    st->root_fd = -1;
    for (i = 0; i < BT_STORAGE_MAX_FD; i++)
        st->slots[i].fd = -1;
}

void bt_storage_release(struct bt_storage *st)
{
    size_t i;

    for (i = 0; i < BT_STORAGE_MAX_FD; i++)
        if (st->slots[i].fd >= 0)
            close(st->slots[i].fd);
    if (st->root_fd >= 0)
        close(st->root_fd);
    free(st->single_path);
    bt_storage_init(st);
}

enum bt_err bt_storage_open(struct bt_storage *st, const struct bt_torrent *t, const char *data,
                            unsigned flags)
{
    struct stat sb;

    bt_storage_release(st);
    st->t = t;
    st->flags = flags;
    if (stat(data, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        st->root_fd = open(data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        return st->root_fd >= 0 ? BT_OK : BT_ERR_IO;
    }
    if (t->multi_file)
        return BT_ERR_STORAGE_PATH;
    st->single_path = strdup(data);
    return st->single_path != NULL ? BT_OK : BT_ERR_NOMEM;
}

/* An element that would not name a child of its directory: defence in depth,
 * metainfo.c refuses them already. */
static int unsafe_element(const char *e)
{
    return e[0] == '\0' || strcmp(e, ".") == 0 || strcmp(e, "..") == 0;
}

/* Open one directory under dirfd, creating it when writing. */
static int open_dir(struct bt_storage *st, int dirfd, const char *name)
{
    int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT && (st->flags & BT_STORAGE_WRITE) != 0) {
        if (mkdirat(dirfd, name, 0777) < 0 && errno != EEXIST)
            return -1;
        fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    return fd;
}

/* errno after a failed openat: a link or a non-directory in the way is a path
 * problem, anything else is plain I/O. */
static enum bt_err open_error(void)
{
    return (errno == ELOOP || errno == ENOTDIR) ? BT_ERR_STORAGE_PATH : BT_ERR_IO;
}

/* Open file idx: name, then its path elements, one openat() each. */
static enum bt_err open_file(struct bt_storage *st, size_t idx, int *out)
{
    const struct bt_torrent *t = st->t;
    int wflags = (st->flags & BT_STORAGE_WRITE) != 0 ? O_RDWR | O_CREAT : O_RDONLY;
    char *path, *elem, *slash;
    int dirfd, fd;
    enum bt_err err = BT_OK;

    if (st->single_path != NULL) {
        *out = open(st->single_path, wflags | O_CLOEXEC, 0666);
        return *out >= 0 ? BT_OK : BT_ERR_IO;
    }
    path = t->multi_file ? malloc(strlen(t->name) + 1 + strlen(t->files[idx].path) + 1)
                         : strdup(t->name);
    if (path == NULL)
        return BT_ERR_NOMEM;
    if (t->multi_file) {
        strcpy(path, t->name);
        strcat(path, "/");
        strcat(path, t->files[idx].path);
    }
    dirfd = st->root_fd;
    elem = path;
    for (;;) {
        slash = strchr(elem, '/');
        if (slash != NULL)
            *slash = '\0';
        if (unsafe_element(elem)) {
            err = BT_ERR_STORAGE_PATH;
            break;
        }
        if (slash == NULL) {
            fd = openat(dirfd, elem, wflags | O_NOFOLLOW | O_CLOEXEC, 0666);
            if (fd < 0)
                err = open_error();
            *out = fd;
            break;
        }
        fd = open_dir(st, dirfd, elem);
        if (dirfd != st->root_fd)
            close(dirfd);
        if (fd < 0) {
            err = open_error();
            dirfd = st->root_fd;
            break;
        }
        dirfd = fd;
        elem = slash + 1;
    }
    if (dirfd != st->root_fd) {
        int saved = errno;

        close(dirfd);
        errno = saved;
    }
    free(path);
    return err;
}

/* The fd of file idx, from the cache or freshly opened. */
static enum bt_err file_fd(struct bt_storage *st, size_t idx, int *fd)
{
    size_t i, slot = BT_STORAGE_MAX_FD;
    enum bt_err err;

    for (i = 0; i < BT_STORAGE_MAX_FD; i++) {
        if (st->slots[i].fd >= 0 && st->slots[i].file == idx) {
            *fd = st->slots[i].fd;
            return BT_OK;
        }
        if (st->slots[i].fd < 0 && slot == BT_STORAGE_MAX_FD)
            slot = i;
    }
    if (slot == BT_STORAGE_MAX_FD) {
        slot = st->next_victim;
        st->next_victim = (st->next_victim + 1) % BT_STORAGE_MAX_FD;
        close(st->slots[slot].fd);
        st->slots[slot].fd = -1;
    }
    err = open_file(st, idx, fd);
    if (err != BT_OK)
        return err;
    st->slots[slot].file = idx;
    st->slots[slot].fd = *fd;
    return BT_OK;
}

/* The first file that holds byte off (files of length 0 hold nothing). */
static size_t file_at(const struct bt_torrent *t, int64_t off)
{
    size_t lo = 0, hi = t->file_count;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (t->files[mid].offset + t->files[mid].length <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static enum bt_err io(struct bt_storage *st, int64_t off, unsigned char *p, size_t len, int write)
{
    const struct bt_torrent *t = st->t;
    size_t idx;

    if (off < 0 || (uint64_t)len > (uint64_t)(t->total_length - off) || off > t->total_length)
        return BT_ERR_INVALID;
    idx = file_at(t, off);
    while (len > 0) {
        const struct bt_file *f = &t->files[idx];
        int64_t in_file = off - f->offset;
        size_t n = len;
        int fd;
        enum bt_err err;

        if ((uint64_t)n > (uint64_t)(f->length - in_file))
            n = (size_t)(f->length - in_file);
        st->failed_file = idx;
        err = file_fd(st, idx, &fd);
        if (err != BT_OK)
            return err;
        while (n > 0) {
            ssize_t r = write ? pwrite(fd, p, n, (off_t)in_file) : pread(fd, p, n, (off_t)in_file);

            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                return errno == ENOSPC ? BT_ERR_STORAGE_SPACE : BT_ERR_IO;
            if (r == 0)
                return BT_ERR_STORAGE_SHORT;
            p += r;
            len -= (size_t)r;
            n -= (size_t)r;
            off += r;
            in_file += r;
        }
        idx++;
    }
    return BT_OK;
}

enum bt_err bt_storage_read(struct bt_storage *st, int64_t off, void *p, size_t len)
{
    return io(st, off, p, len, 0);
}

enum bt_err bt_storage_write(struct bt_storage *st, int64_t off, const void *p, size_t len)
{
    /* io() only writes from p when asked to write: the cast keeps one loop for both. */
    return io(st, off, (unsigned char *)p, len, 1);
}

enum bt_err bt_storage_prepare(struct bt_storage *st)
{
    size_t i;

    for (i = 0; i < st->t->file_count; i++) {
        struct stat sb;
        enum bt_err err;
        int fd;

        st->failed_file = i;
        err = file_fd(st, i, &fd);
        if (err != BT_OK)
            return err;
        if (fstat(fd, &sb) < 0)
            return BT_ERR_IO;
        if (sb.st_size != st->t->files[i].length &&
            ftruncate(fd, (off_t)st->t->files[i].length) < 0)
            return errno == ENOSPC || errno == EFBIG ? BT_ERR_STORAGE_SPACE : BT_ERR_IO;
    }
    return BT_OK;
}

enum bt_err bt_storage_verify_piece(struct bt_storage *st, size_t idx, unsigned char *buf)
{
    const struct bt_torrent *t = st->t;
    int64_t size = bt_torrent_piece_size(t, idx);
    unsigned char digest[BT_SHA1_LEN];
    enum bt_err err;

    if (idx >= t->piece_count || size < 0)
        return BT_ERR_INVALID;
    err = bt_storage_read(st, (int64_t)idx * t->piece_length, buf, (size_t)size);
    if (err == BT_OK)
        err = bt_sha1(buf, (size_t)size, digest);
    if (err == BT_OK && memcmp(digest, t->piece_hashes + idx * BT_PIECE_HASH_LEN, BT_SHA1_LEN) != 0)
        err = BT_ERR_PEER_HASH;
    return err;
}
