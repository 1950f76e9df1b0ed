/*
 * random.c - random bytes from the kernel.  See random.h.
 */
#include "core/random.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

static bt_random_fn *replacement;
static void *replacement_arg;

void bt_random_replace(bt_random_fn *fn, void *arg)
{
    replacement = fn;
    replacement_arg = arg;
}

enum bt_err bt_random_bytes(void *p, size_t n)
{
    unsigned char *out = p;
    size_t got = 0;
    int fd;

    if (replacement != NULL) {
        replacement(replacement_arg, p, n);
        return BT_OK;
    }

    while (got < n) {
        ssize_t r = getrandom(out + got, n - got, 0);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        got += (size_t)r;
    }
    if (got == n)
        return BT_OK;
    /* Kernels before 3.17 have no getrandom(). */
    fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return BT_ERR_IO;
    while (got < n) {
        ssize_t r = read(fd, out + got, n - got);

        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            close(fd);
            return BT_ERR_IO;
        }
        got += (size_t)r;
    }
    close(fd);
    return BT_OK;
}
