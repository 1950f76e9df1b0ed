/*
 * recv-floor - the least CPU any downloader can spend per GiB on this machine.
 *
 *   recv-floor FILE OUT
 *
 * A child sends FILE over loopback TCP with sendfile(); the parent receives it
 * in 256 KiB reads, hashes it with SHA-1 in 16 KiB blocks (as a piece is hashed)
 * and writes it to OUT, the three things every BitTorrent client must do with
 * each byte.  It writes the cheapest way bt-download knows: gathered into 1 MiB
 * and written past the page cache (O_DIRECT), or with pwrite() where the file
 * system refuses that.  No framing, no piece picking, no requests, no threads.
 * It prints the receiver's CPU seconds per GiB:
 *
 *   recv-floor: receive 0.26 + sha1 0.79 + write 0.24 = 1.29 s/GiB (user 0.82, sys 0.47)
 *
 * The three parts are measured in three passes (receive only; receive and hash;
 * receive, hash and write), so each is the difference to the pass before.
 * bench/download prints bt-download's CPU per GiB against this total.
 */
#define _GNU_SOURCE /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define READ_SIZE  (256 * 1024)
#define HASH_BLOCK (16 * 1024)
#define WRITE_SIZE (1024 * 1024) /* a piece, gathered and written at once */

enum pass { RECEIVE, RECEIVE_HASH, RECEIVE_HASH_WRITE };

static void die(const char *what)
{
    fprintf(stderr, "recv-floor: %s: %s\n", what, strerror(errno));
    exit(1);
}

static double cpu_seconds(const struct rusage *ru, double *user, double *sys)
{
    *user = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6;
    *sys = (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
    return *user + *sys;
}

static void send_file(const char *path, const struct sockaddr_in *to)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int fd = open(path, O_RDONLY);
    struct stat st;
    off_t off = 0;

    if (s < 0 || fd < 0 || fstat(fd, &st) != 0 ||
        connect(s, (const struct sockaddr *)to, sizeof(*to)) != 0)
        _exit(1);
    while (off < st.st_size)
        if (sendfile(s, fd, &off, (size_t)(st.st_size - off)) <= 0)
            _exit(1);
    _exit(0);
}

/* One pass: returns the receiver's CPU seconds and the bytes received. */
static double run_pass(const char *path, const char *out_path, enum pass pass, long long *bytes,
                       double *user, double *sys)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(addr);
    struct rusage before, after;
    double u0, s0, u1, s1;
    unsigned char *buf = malloc(READ_SIZE + HASH_BLOCK);
    void *piece = NULL;
    size_t gathered = 0;
    long long written = 0;
    int direct = 1;
    EVP_MD_CTX *sha = EVP_MD_CTX_new();
    int ls, s, out = -1, status;
    size_t have = 0;
    ssize_t n;
    pid_t child;

    if (buf == NULL || sha == NULL || EVP_DigestInit_ex(sha, EVP_sha1(), NULL) != 1)
        die("setup");
    ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof(addr)) != 0 || listen(ls, 1) != 0 ||
        getsockname(ls, (struct sockaddr *)&addr, &len) != 0)
        die("listen");
    if (pass == RECEIVE_HASH_WRITE) {
        out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0644);
        if (out < 0 && errno == EINVAL) {
            direct = 0;
            out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        }
        if (out < 0 || posix_memalign(&piece, 4096, WRITE_SIZE) != 0)
            die(out_path);
    }
    child = fork();
    if (child < 0)
        die("fork");
    if (child == 0)
        send_file(path, &addr);
    s = accept(ls, NULL, NULL);
    if (s < 0)
        die("accept");
    getrusage(RUSAGE_SELF, &before);
    *bytes = 0;
    while ((n = read(s, buf + have, READ_SIZE)) > 0) {
        size_t at = 0;

        have += (size_t)n;
        /* Whole 16 KiB blocks are hashed and written as they complete. */
        for (; have - at >= HASH_BLOCK; at += HASH_BLOCK) {
            if (pass != RECEIVE && EVP_DigestUpdate(sha, buf + at, HASH_BLOCK) != 1)
                die("sha1");
            if (pass != RECEIVE_HASH_WRITE)
                continue;
            memcpy((unsigned char *)piece + gathered, buf + at, HASH_BLOCK);
            gathered += HASH_BLOCK;
            if (gathered == WRITE_SIZE) {
                if (pwrite(out, piece, WRITE_SIZE, (off_t)written) != WRITE_SIZE)
                    die(out_path);
                written += WRITE_SIZE;
                gathered = 0;
            }
        }
        memmove(buf, buf + at, have - at);
        have -= at;
        *bytes += (long long)at;
    }
    if (n < 0)
        die("read");
    /* The tail, through the cache: O_DIRECT wants whole 4 KiB blocks. */
    if (out >= 0 && direct && fcntl(out, F_SETFL, 0) < 0)
        die(out_path);
    if (out >= 0 &&
        (pwrite(out, piece, gathered, (off_t)written) != (ssize_t)gathered ||
         pwrite(out, buf, have, (off_t)(written + (long long)gathered)) != (ssize_t)have))
        die(out_path);
    getrusage(RUSAGE_SELF, &after);
    *bytes += (long long)have;
    if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        errno = EIO;
        die("sender");
    }
    close(s);
    close(ls);
    if (out >= 0)
        close(out);
    EVP_MD_CTX_free(sha);
    free(piece);
    free(buf);
    cpu_seconds(&before, &u0, &s0);
    cpu_seconds(&after, &u1, &s1);
    *user = u1 - u0;
    *sys = s1 - s0;
    return *user + *sys;
}

int main(int argc, char **argv)
{
    double cpu[3], user = 0, sys = 0, gib;
    long long bytes = 0;
    int i;

    if (argc != 3) {
        fprintf(stderr, "usage: recv-floor FILE OUT\n");
        return 2;
    }
    for (i = RECEIVE; i <= RECEIVE_HASH_WRITE; i++)
        cpu[i] = run_pass(argv[1], argv[2], (enum pass)i, &bytes, &user, &sys);
    unlink(argv[2]);
    if (bytes <= 0) {
        fprintf(stderr, "recv-floor: %s: empty\n", argv[1]);
        return 1;
    }
    gib = (double)bytes / (1024.0 * 1024 * 1024);
    printf("recv-floor: receive %.2f + sha1 %.2f + write %.2f = %.2f s/GiB (user %.2f, sys %.2f)\n",
           cpu[RECEIVE] / gib, (cpu[RECEIVE_HASH] - cpu[RECEIVE]) / gib,
           (cpu[RECEIVE_HASH_WRITE] - cpu[RECEIVE_HASH]) / gib, cpu[RECEIVE_HASH_WRITE] / gib,
           user / gib, sys / gib);
    return 0;
}
