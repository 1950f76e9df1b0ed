/*
 * buf.c - a growable byte buffer with a hard cap.  See buf.h.
 */
#include "core/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void bt_buf_init(struct bt_buf *buf, size_t max)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->max = max;
}

void bt_buf_release(struct bt_buf *buf)
{
    free(buf->data);
    bt_buf_init(buf, buf->max);
}

void bt_buf_reset(struct bt_buf *buf)
{
    buf->len = 0;
    if (buf->data != NULL)
        buf->data[0] = '\0';
}

unsigned char *bt_buf_detach(struct bt_buf *buf, size_t *len)
{
    unsigned char *p = buf->data;

    if (len != NULL)
        *len = buf->len;
    bt_buf_init(buf, buf->max);
    return p;
}

enum bt_err bt_buf_reserve(struct bt_buf *buf, size_t n)
{
    size_t need, newcap;
    unsigned char *p;

    /* One extra byte always, for the terminating NUL. */
    if (n > buf->max - buf->len)
        return BT_ERR_TOO_LARGE;
    need = buf->len + n + 1;
    if (need <= buf->cap)
        return BT_OK;
    newcap = buf->cap < 64 ? 64 : buf->cap;
    while (newcap < need)
        newcap = newcap > SIZE_MAX / 2 ? need : newcap * 2;
    if (newcap > buf->max + 1)
        newcap = buf->max + 1;
    p = realloc(buf->data, newcap);
    if (p == NULL)
        return BT_ERR_NOMEM;
    buf->data = p;
    buf->cap = newcap;
    return BT_OK;
}

enum bt_err bt_buf_append(struct bt_buf *buf, const void *p, size_t n)
{
    enum bt_err err = bt_buf_reserve(buf, n);

    if (err != BT_OK)
        return err;
    if (n > 0)
        memcpy(buf->data + buf->len, p, n);
    buf->len += n;
    buf->data[buf->len] = '\0';
    return BT_OK;
}

enum bt_err bt_buf_append_str(struct bt_buf *buf, const char *s)
{
    return bt_buf_append(buf, s, strlen(s));
}

enum bt_err bt_buf_append_byte(struct bt_buf *buf, unsigned char c)
{
    return bt_buf_append(buf, &c, 1);
}

enum bt_err bt_buf_printf(struct bt_buf *buf, const char *fmt, ...)
{
    va_list ap;
    int n;
    enum bt_err err;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return BT_ERR_INVALID;
    err = bt_buf_reserve(buf, (size_t)n);
    if (err != BT_OK)
        return err;
    va_start(ap, fmt);
    vsnprintf((char *)buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return BT_OK;
}

enum bt_err bt_buf_read_fd(struct bt_buf *buf, int fd)
{
    for (;;) {
        enum bt_err err;
        ssize_t got;
        size_t room;

        /* Ask for a little more than max so that an oversized input is detected. */
        err = bt_buf_reserve(buf, buf->len < buf->max ? 1 : 0);
        if (err != BT_OK)
            return err;
        if (buf->len == buf->max) {
            char probe;
            got = read(fd, &probe, 1);
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                return BT_ERR_IO;
            return got == 0 ? BT_OK : BT_ERR_TOO_LARGE;
        }
        if (buf->cap - 1 - buf->len < 65536) {
            size_t want = buf->max - buf->len < 65536 ? buf->max - buf->len : 65536;
            err = bt_buf_reserve(buf, want);
            if (err != BT_OK)
                return err;
        }
        room = buf->cap - 1 - buf->len;
        got = read(fd, buf->data + buf->len, room);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return BT_ERR_IO;
        if (got == 0)
            return BT_OK;
        buf->len += (size_t)got;
        buf->data[buf->len] = '\0';
    }
}

enum bt_err bt_buf_read_file(struct bt_buf *buf, const char *path)
{
    enum bt_err err;
    int fd;

    if (strcmp(path, "-") == 0)
        return bt_buf_read_fd(buf, STDIN_FILENO);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return BT_ERR_IO;
    err = bt_buf_read_fd(buf, fd);
    if (err == BT_ERR_IO) {
        int saved = errno;
        close(fd);
        errno = saved;
        return err;
    }
    close(fd);
    return err;
}

/* Write all of data to the open file f and close it; 0 on success. */
static int write_close(FILE *f, const void *data, size_t len)
{
    int ok = fwrite(data, 1, len, f) == len;

    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

enum bt_err bt_write_file(const char *path, const void *data, size_t len)
{
    char tmp[4096];
    struct stat st;
    FILE *f;
    int saved;

    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        f = fopen(path, "wb");
        return f != NULL && write_close(f, data, len) == 0 ? BT_OK : BT_ERR_IO;
    }
    if (snprintf(tmp, sizeof(tmp), "%s.part", path) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return BT_ERR_IO;
    }
    f = fopen(tmp, "wb");
    if (f != NULL && write_close(f, data, len) == 0 && rename(tmp, path) == 0)
        return BT_OK;
    saved = errno;
    unlink(tmp);
    errno = saved;
    return BT_ERR_IO;
}
