/*
 * buf.h - a growable byte buffer with a hard cap.
 *
 * Every buffer fed by the network or a file has a maximum size, set when it is
 * created (as curl's dynbuf does): a peer or a file can make us fail, never make
 * us allocate without bound.
 *
 * Ownership: the struct belongs to the caller; bt_buf_release() frees the bytes.
 * bt_buf_detach() hands the bytes to the caller (free() them) and resets the buf.
 * `data` is always NUL-terminated past `len` once anything was appended, so text
 * can be printed directly; the NUL is not counted in `len`.
 */
#ifndef BT_BUF_H
#define BT_BUF_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct bt_buf {
    unsigned char *data;
    size_t len; /* bytes in use */
    size_t cap; /* bytes allocated */
    size_t max; /* never grow past this many bytes */
};

/* Initialise an empty buffer that may hold at most max bytes.  Cannot fail. */
void bt_buf_init(struct bt_buf *buf, size_t max);
void bt_buf_release(struct bt_buf *buf);
/* Empty the buffer but keep its memory. */
void bt_buf_reset(struct bt_buf *buf);
/* Return the bytes (caller frees) and leave buf empty. */
unsigned char *bt_buf_detach(struct bt_buf *buf, size_t *len);

/* Make room for n more bytes.  BT_ERR_TOO_LARGE past max, BT_ERR_NOMEM. */
enum bt_err bt_buf_reserve(struct bt_buf *buf, size_t n);
enum bt_err bt_buf_append(struct bt_buf *buf, const void *p, size_t n);
enum bt_err bt_buf_append_str(struct bt_buf *buf, const char *s);
enum bt_err bt_buf_append_byte(struct bt_buf *buf, unsigned char c);
/* printf-style append. */
enum bt_err bt_buf_printf(struct bt_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Read all of fd into buf (up to buf->max; BT_ERR_TOO_LARGE beyond it). */
enum bt_err bt_buf_read_fd(struct bt_buf *buf, int fd);
/* Read a whole file, or standard input when path is "-". */
enum bt_err bt_buf_read_file(struct bt_buf *buf, const char *path);

/*
 * Write len bytes to path whole or not at all: into "path.part", renamed over
 * path once everything is written and closed, so that a crash or a full disk
 * never leaves half a file.  A path that exists and is no regular file
 * (/dev/null, a FIFO) is written to directly: a rename would replace the
 * device itself.  BT_ERR_IO (errno says why).
 */
enum bt_err bt_write_file(const char *path, const void *data, size_t len);

#endif /* BT_BUF_H */
