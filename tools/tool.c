/*
 * tool.c - shared conventions of the bt-* tools.  See tool.h.
 */
#include "config.h"

#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text.h"

static const char *tool_name_ = "bt";
static int bar_shown; /* a progress bar occupies stderr's last line */

void tool_init(char **argv)
{
    const char *slash;

    if (argv[0] == NULL || argv[0][0] == '\0')
        return;
    slash = strrchr(argv[0], '/');
    tool_name_ = slash != NULL ? slash + 1 : argv[0];
    /* libtool-style wrappers prefix "lt-"; the user typed the plain name. */
    if (strncmp(tool_name_, "lt-", 3) == 0)
        tool_name_ += 3;
    argv[0] = (char *)tool_name_;
}

const char *tool_name(void)
{
    return tool_name_;
}

void tool_bar_shown(int shown)
{
    bar_shown = shown;
}

void tool_bar_erase(void)
{
    if (bar_shown)
        fprintf(stderr, "\r%*s\r", 79, "");
    bar_shown = 0;
}

void tool_warn(const char *fmt, ...)
{
    char raw[TOOL_MESSAGE_MAX], shown[TOOL_MESSAGE_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(raw, sizeof(raw), fmt, ap);
    va_end(ap);
    /* The one place where text from the network or a torrent is made safe. */
    bt_text_printable(shown, sizeof(shown), raw, strlen(raw));
    tool_bar_erase();
    fprintf(stderr, "%s: %s\n", tool_name_, shown);
}

void tool_error(enum bt_err err, const char *subject)
{
    int saved = errno;
    const char *why = err == BT_ERR_IO && saved != 0 ? strerror(saved) : NULL;

    if (subject != NULL)
        tool_warn("%s: %s%s%s", subject, bt_strerror(err), why != NULL ? ": " : "",
                  why != NULL ? why : "");
    else
        tool_warn("%s%s%s", bt_strerror(err), why != NULL ? ": " : "", why != NULL ? why : "");
}

void tool_error_at(enum bt_err err, const char *subject, size_t offset, const char *field)
{
    if (field != NULL && field[0] != '\0')
        tool_warn("%s: byte %zu: %s: %s", subject, offset, field, bt_strerror(err));
    else
        tool_warn("%s: byte %zu: %s", subject, offset, bt_strerror(err));
}

void tool_version(void)
{
    printf("%s (btkit) %s\n", tool_name_, PACKAGE_VERSION);
}

int tool_option(int c, tool_usage_fn *usage)
{
    switch (c) {
    case 'h':
        usage(stdout, 1);
        return tool_close_stdout(TOOL_EXIT_OK);
    case 'V':
        tool_version();
        return tool_close_stdout(TOOL_EXIT_OK);
    default:
        usage(stderr, 0);
        return TOOL_EXIT_USAGE;
    }
}

int tool_operands(int argc, int n, tool_usage_fn *usage)
{
    if (argc - optind == n)
        return TOOL_CONTINUE;
    usage(stderr, 0);
    return TOOL_EXIT_USAGE;
}

int tool_input_operand(int argc, char **argv, const char *expr, const char **path,
                       tool_usage_fn *usage)
{
    if (argc - optind > 1 || (expr != NULL && argc - optind > 0)) {
        tool_warn("too many operands");
        usage(stderr, 0);
        return TOOL_EXIT_USAGE;
    }
    *path = optind < argc ? argv[optind] : "-";
    return TOOL_CONTINUE;
}

int tool_close_stdout(int status)
{
    int failed = fflush(stdout) != 0 || ferror(stdout);

    if (fclose(stdout) != 0)
        failed = 1;
    if (failed) {
        /* A closed pipe (EPIPE) is still a failure: the reader did not get it all. */
        tool_warn("error writing to standard output: %s", strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    return status;
}

/* bt_buf_read_fd() makes room for 64 KiB before each read (see lib/core/buf.c). */
#define READ_STEP 65536

/*
 * A regular file tells its size, so the buffer is sized once, with one read step
 * to spare for the read that sees the end: a 2 MiB torrent is then not copied
 * again and again as the buffer doubles.  Without a size (a pipe) the buffer
 * grows as it must.
 */
static enum bt_err read_path(struct bt_buf *in, const char *path)
{
    int fd = STDIN_FILENO, saved;
    struct stat st;
    enum bt_err err = BT_OK;

    if (strcmp(path, "-") != 0) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return BT_ERR_IO;
    }
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        if ((uintmax_t)st.st_size > in->max)
            err = BT_ERR_TOO_LARGE; /* refuse before reading a byte */
        else if (st.st_size > 0 && (uintmax_t)st.st_size <= in->max - READ_STEP)
            err = bt_buf_reserve(in, (size_t)st.st_size + READ_STEP);
    }
    if (err == BT_OK)
        err = bt_buf_read_fd(in, fd);
    saved = errno;
    if (fd != STDIN_FILENO)
        close(fd);
    errno = saved;
    return err;
}

enum bt_err tool_read_input(struct bt_buf *in, const char *expr, const char *path, char *subject,
                            size_t subjectsz)
{
    enum bt_err err;

    if (expr != NULL) {
        snprintf(subject, subjectsz, "expression");
        err = bt_buf_append_str(in, expr);
    } else {
        snprintf(subject, subjectsz, "%s", strcmp(path, "-") == 0 ? "standard input" : path);
        err = read_path(in, path);
    }
    if (err != BT_OK)
        tool_error(err, subject);
    return err;
}

enum bt_err tool_write_file(const char *path, const void *data, size_t len)
{
    enum bt_err err = bt_write_file(path, data, len);

    if (err != BT_OK)
        tool_error(err, path);
    return err;
}

void tool_print_clean(FILE *f, const char *s)
{
    size_t n = strlen(s), at;
    char chunk[256];

    /* bt_text_printable works byte by byte, so a long text can go in pieces. */
    for (at = 0; at < n; at += sizeof(chunk) - 1) {
        size_t len = n - at < sizeof(chunk) - 1 ? n - at : sizeof(chunk) - 1;

        bt_text_printable(chunk, sizeof(chunk), s + at, len);
        fputs(chunk, f);
    }
}

int tool_seconds(const char *what, const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < 1 || v > 3600) {
        tool_warn("invalid %s '%s' (seconds, 1-3600)", what, s);
        return -1;
    }
    return (int)v;
}

int64_t tool_duration(const char *what, const char *s)
{
    static const struct {
        char suffix;
        int64_t seconds;
    } units[] = {{'\0', 1}, {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    const int64_t most = 366 * (int64_t)86400;
    char *end;
    long long v;
    size_t i;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (s[0] >= '0' && s[0] <= '9' && errno == 0 && v >= 1 && (end[0] == '\0' || end[1] == '\0')) {
        for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
            if (units[i].suffix == end[0] && v <= most / units[i].seconds)
                return v * units[i].seconds;
    }
    tool_warn("invalid %s '%s' (a number of seconds, or with s, m, h or d; at most a year)", what,
              s);
    return -1;
}

const char *tool_decimal(const char *s, double *v)
{
    size_t digits = strspn(s, "0123456789.");
    char *end;

    /* strtod() would also take a sign, an exponent, inf, nan and hex. */
    errno = 0;
    *v = strtod(s, &end);
    return digits > 0 && end == s + digits && errno == 0 ? end : NULL;
}

int64_t tool_rate(const char *what, const char *s)
{
    const char *units = "KMG";
    double v, scale = 1;
    const char *unit, *end = tool_decimal(s, &v);

    /* A plain decimal, then at most a unit. */
    if (end == NULL)
        goto invalid;
    if (*end != '\0') {
        unit = strchr(units, *end >= 'a' ? *end - ('a' - 'A') : *end);
        if (unit == NULL || end[1] != '\0')
            goto invalid;
        scale = (double)((int64_t)1 << (10 * (unit - units + 1)));
    }
    v *= scale;
    if (v >= 1024 && v <= 1024.0 * 1024 * 1024 * 1024)
        return (int64_t)v;
invalid:
    tool_warn("invalid %s '%s' (bytes a second, with K, M or G: 500K, 10M; 1K to 1024G)", what, s);
    return -1;
}

int tool_number(const char *what, const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (s[0] == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
        tool_warn("invalid %s '%s' (want %" PRId64 "-%" PRId64 ")", what, s, min, max);
        return -1;
    }
    *out = v;
    return 0;
}

volatile sig_atomic_t tool_interrupted;

static void on_signal(int sig)
{
    tool_interrupted = sig;
}

void tool_catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; /* no SA_RESTART: poll() must return EINTR */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}
