/*
 * webseed.c - BEP 19 web seeds: range requests in a worker thread that
 * reports to the loop through a pipe.  See webseed.h.
 */
#include "config.h"

#include "session/webseed.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tracker/announce.h"
#include "tracker/client.h"

#define WEBSEED_MAX_REDIRECTS 3
#define WEBSEED_USER_AGENT    PACKAGE_NAME "/" PACKAGE_VERSION

void bt_webseed_init(struct bt_webseed *ws)
{
    memset(ws, 0, sizeof(*ws));
    ws->pipe_fd[0] = ws->pipe_fd[1] = -1;
}

/* ---- URLs ---- */

/* RFC 3986's unreserved characters: the only ones a path element keeps as is. */
static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Append s percent-encoded, '/' kept when keep_slash: at most 3 bytes per byte. */
static char *put_encoded(char *out, const char *s, int keep_slash)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        if (unreserved(c) || (keep_slash && c == '/')) {
            *out++ = (char)c;
        } else {
            *out++ = '%';
            *out++ = hex[c >> 4];
            *out++ = hex[c & 15];
        }
    }
    return out;
}

char *bt_webseed_file_url(const struct bt_torrent *t, const char *base, size_t idx)
{
    size_t blen = strlen(base), need;
    int slash = blen > 0 && base[blen - 1] == '/';
    char *url, *at;

    need = blen + 1 + 3 * strlen(t->name) + 1 + 3 * strlen(t->files[idx].path) + 1;
    url = malloc(need);
    if (url == NULL)
        return NULL;
    memcpy(url, base, blen);
    at = url + blen;
    if (!t->multi_file) {
        /* BEP 19: a URL that ends in '/' is a directory, and the name goes after it. */
        if (slash)
            at = put_encoded(at, t->files[idx].path, 0);
    } else {
        if (!slash)
            *at++ = '/';
        at = put_encoded(at, t->name, 0);
        *at++ = '/';
        at = put_encoded(at, t->files[idx].path, 1); /* elements checked: no "..", no "" */
    }
    *at = '\0';
    return url;
}

/* ---- the worker: range requests ---- */

struct sink {
    unsigned char *at; /* where the next byte goes */
    size_t left;       /* bytes the range still wants */
    int overflow;      /* the server sent more */
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t n = size * nmemb;

    if (n > s->left) {
        s->overflow = 1;
        return 0; /* a short count stops the transfer */
    }
    memcpy(s->at, p, n);
    s->at += n;
    s->left -= n;
    return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    const struct bt_webseed *ws = arg;

    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    return atomic_load(&ws->stopping); /* non-zero aborts */
}

/* A web seed's failures, in the words of a peer's where they fit. */
static const struct bt_http_errors webseed_errors = {
    .dns = BT_ERR_TRACKER_DNS,
    .connect = BT_ERR_NET_CONNECT,
    .timeout = BT_ERR_NET_TIMEOUT,
    .tls = BT_ERR_TRACKER_TLS,
    .too_large = BT_ERR_WEBSEED_SHORT,
    .url = BT_ERR_WEBSEED_HTTP,
    .other = BT_ERR_WEBSEED_HTTP,
};

/*
 * Fetch bytes [from, from + len) of file idx into dst with one range request.
 * A 206 with exactly those bytes is the answer; so is a 200 when the range is
 * the whole file (a server may ignore a range that covers everything).
 */
static enum bt_err fetch_range(struct bt_webseed *ws, size_t idx, int64_t from, size_t len,
                               unsigned char *dst)
{
    struct sink s = {dst, len, 0};
    char range[64];
    char *url = bt_webseed_file_url(ws->t, ws->base, idx);
    CURL *curl;
    CURLcode code;
    enum bt_err err;
    long status = 0;

    if (url == NULL)
        return BT_ERR_NOMEM;
    curl = curl_easy_init();
    if (curl == NULL) {
        free(url);
        return BT_ERR_NOMEM;
    }
    snprintf(range, sizeof(range), "%" PRId64 "-%" PRId64, from, from + (int64_t)len - 1);
    err = bt_http_limit_protocols(curl);
    if (err == BT_OK &&
        (curl_easy_setopt(curl, CURLOPT_URL, url) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_RANGE, range) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)BT_WEBSEED_TIMEOUT_MS) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_MAXREDIRS, (long)WEBSEED_MAX_REDIRECTS) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_USERAGENT, WEBSEED_USER_AGENT) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_WRITEDATA, &s) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_XFERINFODATA, ws) != CURLE_OK))
        err = BT_ERR_NOMEM;
    if (err == BT_OK) {
        code = curl_easy_perform(curl);
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (code != CURLE_OK)
            err = bt_http_error(code, s.overflow, &webseed_errors);
    }
    ws->http_status = status;
    if (err == BT_OK && status != 206 &&
        !(status == 200 && from == 0 && (int64_t)len == ws->t->files[idx].length))
        err = BT_ERR_WEBSEED_HTTP;
    if (err == BT_OK && s.left != 0)
        err = BT_ERR_WEBSEED_SHORT;
    if (err != BT_OK && status != 0)
        snprintf(ws->detail, sizeof(ws->detail), "%s: %s (HTTP %ld)", ws->t->files[idx].path,
                 bt_strerror(err), status);
    else if (err != BT_OK)
        snprintf(ws->detail, sizeof(ws->detail), "%s: %s", ws->t->files[idx].path,
                 bt_strerror(err));
    curl_easy_cleanup(curl);
    free(url);
    return err;
}

/* The job: the piece's bytes from begin, file by file; padding is zeros. */
static enum bt_err fetch_job(struct bt_webseed *ws)
{
    const struct bt_torrent *t = ws->t;
    int64_t at = (int64_t)ws->piece * t->piece_length + ws->begin;
    int64_t end = at + ws->length;
    unsigned char *dst = ws->data;
    size_t idx = bt_torrent_file_at(t, at);
    enum bt_err err = BT_OK;

    while (at < end && err == BT_OK) {
        const struct bt_file *f;
        size_t n;

        if (idx >= t->file_count) {
            memset(dst, 0, (size_t)(end - at)); /* a v2 torrent's last piece, padded */
            break;
        }
        f = &t->files[idx];
        if (f->offset + f->length <= at) {
            idx++; /* an empty file, or one that ended */
            continue;
        }
        n = f->offset + f->length - at < end - at ? (size_t)(f->offset + f->length - at)
                                                  : (size_t)(end - at);
        if (f->pad)
            memset(dst, 0, n);
        else
            err = fetch_range(ws, idx, at - f->offset, n, dst);
        dst += n;
        at += (int64_t)n;
        idx++;
    }
    return err;
}

static void *worker_main(void *arg)
{
    struct bt_webseed *ws = arg;
    char done = 1;

    ws->detail[0] = '\0';
    ws->err = fetch_job(ws);
    /* A one-byte write to a pipe with room cannot be short; if it failed, the
     * loop would never hear back, and the web seed would sit idle. */
    while (write(ws->pipe_fd[1], &done, 1) < 0 && errno == EINTR)
        ;
    return NULL;
}

/* ---- the loop's side ---- */

static void on_worker_done(void *arg, int fd, unsigned events)
{
    struct bt_webseed *ws = arg;
    char byte;

    (void)events;
    if (read(fd, &byte, 1) != 1 || !ws->busy)
        return;
    pthread_join(ws->worker, NULL);
    ws->busy = 0;
    if (ws->err == BT_OK)
        ws->bytes += ws->length;
    ws->done(ws->done_arg, ws);
}

enum bt_err bt_webseed_start(struct bt_webseed *ws, struct bt_loop *loop,
                             const struct bt_torrent *t, const char *base, bt_webseed_done_fn *done,
                             void *done_arg)
{
    enum bt_tracker_scheme scheme;
    enum bt_err err;

    if (bt_tracker_url_scheme(base, &scheme) != BT_OK || scheme == BT_TRACKER_UDP)
        return BT_ERR_TRACKER_URL;
    ws->t = t;
    ws->loop = loop;
    ws->done = done;
    ws->done_arg = done_arg;
    ws->base = strdup(base);
    ws->data = malloc((size_t)t->piece_length);
    if (ws->base == NULL || ws->data == NULL)
        return BT_ERR_NOMEM;
    if (pipe(ws->pipe_fd) < 0)
        return BT_ERR_IO;
    (void)fcntl(ws->pipe_fd[0], F_SETFD, FD_CLOEXEC);
    (void)fcntl(ws->pipe_fd[1], F_SETFD, FD_CLOEXEC);
    err = bt_loop_watch(loop, ws->pipe_fd[0], BT_LOOP_READ, on_worker_done, ws);
    return err;
}

int bt_webseed_ready(const struct bt_webseed *ws, uint64_t now_ms)
{
    return ws->pipe_fd[0] >= 0 && !ws->busy && !ws->given_up && now_ms >= ws->retry_ms;
}

enum bt_err bt_webseed_fetch(struct bt_webseed *ws, uint32_t piece, uint32_t begin, uint32_t length)
{
    if (ws->busy || length == 0 || (int64_t)begin + length > ws->t->piece_length)
        return BT_ERR_INVALID;
    ws->piece = piece;
    ws->begin = begin;
    ws->length = length;
    if (pthread_create(&ws->worker, NULL, worker_main, ws) != 0)
        return BT_ERR_NOMEM;
    ws->busy = 1;
    return BT_OK;
}

int bt_webseed_failed(struct bt_webseed *ws, uint64_t now_ms)
{
    uint64_t wait = BT_WEBSEED_RETRY_MS;
    unsigned i;

    ws->fails++;
    for (i = 1; i < ws->fails && wait < BT_WEBSEED_RETRY_MAX_MS; i++)
        wait *= 2;
    if (wait > BT_WEBSEED_RETRY_MAX_MS)
        wait = BT_WEBSEED_RETRY_MAX_MS;
    ws->retry_ms = now_ms + wait;
    if (ws->fails < BT_WEBSEED_MAX_FAILS || ws->given_up)
        return 0;
    ws->given_up = 1;
    return 1;
}

void bt_webseed_succeeded(struct bt_webseed *ws)
{
    ws->fails = 0;
    ws->worked = 1;
}

void bt_webseed_release(struct bt_webseed *ws)
{
    if (ws->busy) {
        atomic_store(&ws->stopping, 1);
        pthread_join(ws->worker, NULL);
    }
    if (ws->pipe_fd[0] >= 0) {
        if (ws->loop != NULL)
            bt_loop_unwatch(ws->loop, ws->pipe_fd[0]);
        close(ws->pipe_fd[0]);
        close(ws->pipe_fd[1]);
    }
    free(ws->base);
    free(ws->data);
    bt_webseed_init(ws);
}
