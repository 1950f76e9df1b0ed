/*
 * tool.c - shared conventions of the bt-* tools.  See tool.h.
 */
#include "config.h"

#include "tool.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

static const char *tool_name = "bt";

void bt_tool_init(const char *argv0)
{
    const char *slash;

    if (argv0 == NULL || argv0[0] == '\0')
        return;
    slash = strrchr(argv0, '/');
    tool_name = slash != NULL ? slash + 1 : argv0;
    /* libtool-style wrappers prefix "lt-"; the user typed the plain name. */
    if (strncmp(tool_name, "lt-", 3) == 0)
        tool_name += 3;
}

const char *bt_tool_name(void)
{
    return tool_name;
}

void bt_tool_warn(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", tool_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void bt_tool_error(enum bt_err err, const char *subject)
{
    int saved = errno;

    if (subject != NULL)
        fprintf(stderr, "%s: %s: %s", tool_name, subject, bt_strerror(err));
    else
        fprintf(stderr, "%s: %s", tool_name, bt_strerror(err));
    if (err == BT_ERR_IO && saved != 0)
        fprintf(stderr, ": %s", strerror(saved));
    fputc('\n', stderr);
}

void bt_tool_error_at(enum bt_err err, const char *subject, size_t offset)
{
    fprintf(stderr, "%s: %s: byte %zu: %s\n", tool_name, subject, offset, bt_strerror(err));
}

enum bt_err bt_tool_read_input(struct bt_buf *in, const char *expr, const char *path, char *subject,
                               size_t subjectsz)
{
    enum bt_err err;

    if (expr != NULL) {
        snprintf(subject, subjectsz, "expression");
        err = bt_buf_append_str(in, expr);
    } else {
        if (strcmp(path, "-") == 0)
            snprintf(subject, subjectsz, "standard input");
        else
            bt_tool_printable(path, strlen(path), subject, subjectsz);
        err = bt_buf_read_file(in, path);
    }
    if (err != BT_OK)
        bt_tool_error(err, subject);
    return err;
}

void bt_tool_version(void)
{
    printf("%s (btkit) %s\n", tool_name, PACKAGE_VERSION);
}

int bt_tool_close_stdout(int status)
{
    int failed = fflush(stdout) != 0 || ferror(stdout);

    if (fclose(stdout) != 0)
        failed = 1;
    if (failed) {
        /* A closed pipe (EPIPE) is still a failure: the reader did not get it all. */
        fprintf(stderr, "%s: error writing to standard output: %s\n", tool_name, strerror(errno));
        return BT_EXIT_FAIL;
    }
    return status;
}

void bt_tool_printable(const char *s, size_t len, char *out, size_t outsz)
{
    size_t i, o = 0;

    if (outsz == 0)
        return;
    for (i = 0; i < len && o + 1 < outsz; i++) {
        unsigned char c = (unsigned char)s[i];

        out[o++] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
    }
    out[o] = '\0';
}
