/*
 * storage.c - torrent byte ranges onto files, with pread/pwrite.  See storage.h
 * for the layout and the DATA convention.
 */
/* O_DIRECT is not POSIX: glibc shows it only to _GNU_SOURCE.  Where a system
 * has no such flag, every write goes through the page cache. */
#define _GNU_SOURCE
#include "pieces/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pieces/piece_hash.h"

void bt_storage_init(struct bt_storage *st)
{
    size_t i;

    memset(st, 0, sizeof(*st));
    st->root_fd = -1;
    st->parts_fd = -1;
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
    if (st->parts_fd >= 0)
        close(st->parts_fd);
    free(st->single_path);
    free(st->skip);
    free(st->shared);
    free(st->parts_name);
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
        if (st->root_fd < 0)
            return BT_ERR_IO;
        st->parts_name = malloc(1 + strlen(t->name) + sizeof(BT_STORAGE_PARTS_SUFFIX));
        if (st->parts_name == NULL)
            return BT_ERR_NOMEM;
        strcpy(st->parts_name, ".");
        strcat(st->parts_name, t->name);
        strcat(st->parts_name, BT_STORAGE_PARTS_SUFFIX);
        return BT_OK;
    }
    if (t->multi_file)
        return BT_ERR_STORAGE_PATH;
    st->single_path = strdup(data);
    return st->single_path != NULL ? BT_OK : BT_ERR_NOMEM;
}

enum bt_err bt_storage_clone(struct bt_storage *dst, const struct bt_storage *src)
{
    bt_storage_init(dst);
    dst->t = src->t;
    dst->flags = src->flags;
    dst->no_direct = src->no_direct;
    if (src->root_fd >= 0) {
        dst->root_fd = fcntl(src->root_fd, F_DUPFD_CLOEXEC, 0);
        if (dst->root_fd < 0)
            return BT_ERR_IO;
    }
    if (src->single_path != NULL) {
        dst->single_path = strdup(src->single_path);
        if (dst->single_path == NULL) {
            bt_storage_release(dst);
            return BT_ERR_NOMEM;
        }
    }
    if (src->parts_name != NULL) {
        dst->parts_name = strdup(src->parts_name);
        if (dst->parts_name == NULL) {
            bt_storage_release(dst);
            return BT_ERR_NOMEM;
        }
    }
    if (src->skip != NULL) {
        dst->skip = malloc(src->t->file_count);
        dst->shared = malloc(src->shared_count > 0 ? src->shared_count * sizeof(*dst->shared) : 1);
        if (dst->skip == NULL || dst->shared == NULL) {
            bt_storage_release(dst);
            return BT_ERR_NOMEM;
        }
        memcpy(dst->skip, src->skip, src->t->file_count);
        memcpy(dst->shared, src->shared, src->shared_count * sizeof(*dst->shared));
        dst->shared_count = src->shared_count;
    }
    return BT_OK;
}

/* The pieces that hold bytes of two files or more: where a file's first
 * piece is the one before it ended in.  Files are in torrent order. */
static enum bt_err find_shared(struct bt_storage *st)
{
    const struct bt_torrent *t = st->t;
    size_t i, first, last, prev_last = SIZE_MAX;

    st->shared = malloc(t->file_count * sizeof(*st->shared) + 1);
    if (st->shared == NULL)
        return BT_ERR_NOMEM;
    for (i = 0; i < t->file_count; i++) {
        if (!bt_torrent_file_span(t, &t->files[i], &first, &last))
            continue;
        if (first == prev_last &&
            (st->shared_count == 0 || st->shared[st->shared_count - 1] != first))
            st->shared[st->shared_count++] = (uint32_t)first;
        prev_last = last;
    }
    return BT_OK;
}

enum bt_err bt_storage_choose(struct bt_storage *st, const unsigned char *chosen)
{
    const struct bt_torrent *t = st->t;
    size_t i, skipped = 0;

    free(st->skip);
    free(st->shared);
    st->skip = NULL;
    st->shared = NULL;
    st->shared_count = 0;
    for (i = 0; i < t->file_count; i++)
        skipped += !chosen[i] && !t->files[i].pad;
    if (skipped == 0)
        return BT_OK;
    if (st->root_fd < 0)
        return BT_ERR_STORAGE_PATH; /* the single file is the data */
    st->skip = malloc(t->file_count);
    if (st->skip == NULL || find_shared(st) != BT_OK)
        return BT_ERR_NOMEM; /* bt_storage_release() frees what was had */
    for (i = 0; i < t->file_count; i++)
        st->skip[i] = !chosen[i] && !t->files[i].pad;
    return BT_OK;
}

int bt_storage_stored(const struct bt_storage *st, size_t idx)
{
    return !st->t->files[idx].pad && (st->skip == NULL || !st->skip[idx]);
}

enum bt_err bt_storage_parts_remove(struct bt_storage *st)
{
    if (st->skip != NULL || st->parts_name == NULL)
        return BT_OK;
    return unlinkat(st->root_fd, st->parts_name, 0) == 0 || errno == ENOENT ? BT_OK : BT_ERR_IO;
}

/* Open the parts file; create it only to write to it, so that a check of a
 * download that never wrote one leaves none.  -1 (errno set) if not. */
static int parts_fd(struct bt_storage *st, int create)
{
    int flags = (st->flags & BT_STORAGE_WRITE) != 0 ? O_RDWR : O_RDONLY;

    if (st->parts_fd < 0)
        st->parts_fd = openat(st->root_fd, st->parts_name,
                              flags | (create ? O_CREAT : 0) | O_NOFOLLOW | O_CLOEXEC, 0666);
    return st->parts_fd;
}

enum bt_err bt_storage_parts_stat(struct bt_storage *st, int *exists, int64_t *mtime_ns)
{
    struct stat sb;

    *exists = 0;
    *mtime_ns = 0;
    if (st->skip == NULL)
        return BT_OK;
    if (fstatat(st->root_fd, st->parts_name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
        return errno == ENOENT ? BT_OK : BT_ERR_IO;
    *exists = 1;
    *mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + (int64_t)sb.st_mtim.tv_nsec;
    return BT_OK;
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
    /* A single file's path is the torrent's name (v1), or the file tree's one key (v2). */
    path = t->multi_file ? malloc(strlen(t->name) + 1 + strlen(t->files[idx].path) + 1)
                         : strdup(t->files[idx].path);
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

/*
 * pwrite() past the page cache: O_DIRECT is set on fd for this one call, so
 * the fd's reads stay cached.  -1 with errno EINVAL where the file system
 * refuses direct I/O (tmpfs), or p, off or n are not aligned as it needs.
 */
static ssize_t pwrite_direct(int fd, const unsigned char *p, size_t n, off_t off)
{
#ifdef O_DIRECT
    int flags = fcntl(fd, F_GETFL);
    ssize_t r;
    int saved;

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_DIRECT) < 0)
        return -1;
    r = pwrite(fd, p, n, off);
    saved = errno;
    (void)fcntl(fd, F_SETFL, flags);
    errno = saved;
    return r;
#else
    (void)fd, (void)p, (void)n, (void)off;
    errno = EINVAL;
    return -1;
#endif
}

/* The part of n bytes at p, file offset in_file, that may go past the page cache. */
static size_t direct_part(const struct bt_storage *st, const unsigned char *p, int64_t in_file,
                          size_t n)
{
    if (st->no_direct || (uintptr_t)p % BT_STORAGE_ALIGN != 0 || in_file % BT_STORAGE_ALIGN != 0)
        return 0;
    return n - n % BT_STORAGE_ALIGN;
}

enum io_op { IO_READ, IO_WRITE, IO_WRITE_DIRECT };

/* pread() or pwrite() all n bytes at p, at offset at of fd. */
static enum bt_err rw_all(int fd, unsigned char *p, size_t n, int64_t at, enum io_op op)
{
    while (n > 0) {
        ssize_t r = op == IO_READ ? pread(fd, p, n, (off_t)at) : pwrite(fd, p, n, (off_t)at);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return errno == ENOSPC ? BT_ERR_STORAGE_SPACE : BT_ERR_IO;
        if (r == 0)
            return BT_ERR_STORAGE_SHORT;
        p += r;
        n -= (size_t)r;
        at += r;
    }
    return BT_OK;
}

/* Do op on n bytes of a file not chosen, at torrent offset off: in the parts
 * file's slot of each shared piece the range falls in (see storage.h). */
static enum bt_err parts_io(struct bt_storage *st, int64_t off, unsigned char *p, size_t n,
                            enum io_op op)
{
    const int64_t plen = st->t->piece_length;

    while (n > 0) {
        size_t piece = (size_t)(off / plen), lo = 0, hi = st->shared_count, chunk = n;
        int64_t in_piece = off - (int64_t)piece * plen;
        enum bt_err err;
        int fd;

        if ((uint64_t)chunk > (uint64_t)(plen - in_piece))
            chunk = (size_t)(plen - in_piece);
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (st->shared[mid] < piece)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == st->shared_count || st->shared[lo] != piece)
            return BT_ERR_INVALID; /* a piece of unchosen files alone is never asked for */
        fd = parts_fd(st, op != IO_READ);
        if (fd < 0)
            return errno == ENOENT ? BT_ERR_STORAGE_SHORT : BT_ERR_IO;
        err =
            rw_all(fd, p, chunk, (int64_t)lo * plen + in_piece, op == IO_READ ? IO_READ : IO_WRITE);
        if (err != BT_OK)
            return err;
        p += chunk;
        n -= chunk;
        off += (int64_t)chunk;
    }
    return BT_OK;
}

/* Do op on len bytes at torrent offset off, one file's part of the range at a time. */
static enum bt_err io(struct bt_storage *st, int64_t off, unsigned char *p, size_t len,
                      enum io_op op)
{
    const struct bt_torrent *t = st->t;
    size_t idx;

    if (off < 0 || (uint64_t)len > (uint64_t)(t->total_length - off) || off > t->total_length)
        return BT_ERR_INVALID;
    idx = bt_torrent_file_at(t, off);
    while (len > 0) {
        const struct bt_file *f = &t->files[idx];
        int64_t in_file = off - f->offset;
        size_t n = len, direct;
        int fd;
        enum bt_err err;

        if ((uint64_t)n > (uint64_t)(f->length - in_file))
            n = (size_t)(f->length - in_file);
        if (in_file < 0) /* a v2 piece never covers the gap after a file */
            return BT_ERR_INVALID;
        if (f->pad || (st->skip != NULL && st->skip[idx])) {
            /* BEP 47 padding is zeros, never stored: reads see zeros, writes
             * vanish.  A file not chosen is in the parts file, if at all. */
            st->failed_file = idx;
            if (!f->pad) {
                err = parts_io(st, off, p, n, op);
                if (err != BT_OK)
                    return err;
            } else if (op == IO_READ) {
                memset(p, 0, n);
            }
            p += n;
            len -= n;
            off += (int64_t)n;
            idx++;
            continue;
        }
        st->failed_file = idx;
        err = file_fd(st, idx, &fd);
        if (err != BT_OK)
            return err;
        direct = op == IO_WRITE_DIRECT ? direct_part(st, p, in_file, n) : 0;
        if (direct > 0) {
            ssize_t r = pwrite_direct(fd, p, direct, (off_t)in_file);

            /* Whatever is not written here, the loop below writes through the cache. */
            if (r < 0 && errno == EINVAL)
                st->no_direct = 1; /* nor ever here, on this file system */
            else if (r < 0 && errno != EINTR)
                return errno == ENOSPC ? BT_ERR_STORAGE_SPACE : BT_ERR_IO;
            else if (r > 0) {
                /* A short write (a full disk) leaves the rest to the loop below. */
                st->direct_bytes += (uint64_t)r;
                p += r;
                len -= (size_t)r;
                n -= (size_t)r;
                off += r;
                in_file += r;
            }
        }
        err = rw_all(fd, p, n, in_file, op);
        if (err != BT_OK)
            return err;
        p += n;
        len -= n;
        off += (int64_t)n;
        idx++;
    }
    return BT_OK;
}

enum bt_err bt_storage_read(struct bt_storage *st, int64_t off, void *p, size_t len)
{
    return io(st, off, p, len, IO_READ);
}

enum bt_err bt_storage_write(struct bt_storage *st, int64_t off, const void *p, size_t len)
{
    /* io() only writes from p when asked to write: the cast keeps one loop for both. */
    return io(st, off, (unsigned char *)p, len, IO_WRITE);
}

enum bt_err bt_storage_write_direct(struct bt_storage *st, int64_t off, const void *p, size_t len)
{
    return io(st, off, (unsigned char *)p, len, IO_WRITE_DIRECT);
}

enum bt_err bt_storage_prepare(struct bt_storage *st)
{
    size_t i;

    for (i = 0; i < st->t->file_count; i++) {
        struct stat sb;
        enum bt_err err;
        int fd;

        if (!bt_storage_stored(st, i))
            continue;
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

enum bt_err bt_storage_stat(struct bt_storage *st, size_t idx, int *exists, int64_t *size,
                            int64_t *mtime_ns)
{
    unsigned flags = st->flags;
    struct stat sb;
    enum bt_err err;
    int fd, saved;

    *exists = 0;
    *size = 0;
    *mtime_ns = 0;
    if (!bt_storage_stored(st, idx))
        return BT_OK;            /* never on disk */
    st->flags = BT_STORAGE_READ; /* look, and create nothing */
    err = open_file(st, idx, &fd);
    st->flags = flags;
    if (err == BT_ERR_IO && errno == ENOENT)
        return BT_OK;
    if (err != BT_OK) {
        st->failed_file = idx;
        return err;
    }
    if (fstat(fd, &sb) < 0) {
        saved = errno;
        close(fd);
        errno = saved;
        st->failed_file = idx;
        return BT_ERR_IO;
    }
    close(fd);
    *exists = 1;
    *size = (int64_t)sb.st_size;
    *mtime_ns = (int64_t)sb.st_mtim.tv_sec * 1000000000 + (int64_t)sb.st_mtim.tv_nsec;
    return BT_OK;
}

enum bt_err bt_storage_verify_piece(struct bt_storage *st, size_t idx, unsigned char *scratch)
{
    const struct bt_torrent *t = st->t;
    int64_t base = (int64_t)idx * t->piece_length, size, at;
    struct bt_piece_hash h;
    enum bt_err err;

    if (idx >= t->piece_count)
        return BT_ERR_INVALID;
    size = bt_torrent_piece_size(t, idx);
    bt_piece_hash_init(&h);
    err = bt_piece_hash_start(&h, t, idx);
    for (at = 0; at < size && err == BT_OK; at += BT_BLOCK_SIZE) {
        size_t n = size - at < BT_BLOCK_SIZE ? (size_t)(size - at) : BT_BLOCK_SIZE;

        err = bt_storage_read(st, base + at, scratch, n);
        if (err == BT_OK)
            err = bt_piece_hash_update(&h, scratch, n);
    }
    if (err == BT_OK)
        err = bt_piece_hash_check(&h);
    bt_piece_hash_release(&h);
    return err;
}
