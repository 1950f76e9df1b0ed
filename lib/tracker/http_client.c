/*
 * http_client.c - the HTTP(S) announce through libcurl: http.c builds the URL
 * and reads the answer, this file moves the bytes.  See client.h.
 *
 * What we ask of libcurl, and why:
 *   - only http and https, also after a redirect (a tracker URL from a torrent
 *     must not make us read file:// or talk to other protocols);
 *   - TLS certificates and host names verified (libcurl's default, set anyway);
 *   - one timeout for the whole transfer, DNS included, and no signals (so that
 *     libcurl's resolver timeout does not use SIGALRM behind the tool's back);
 *   - the body capped at BT_TRACKER_MAX_BODY: CURLOPT_MAXFILESIZE stops early when
 *     the server declares a length, and the write callback stops a body that
 *     does not declare one;
 *   - Accept-Encoding for every decoder libcurl has (gzip), decoded before the cap.
 */
#include "config.h"

#include "tracker/client.h"

#include <curl/curl.h>
#include <string.h>

#include "tracker/http.h"

#define HTTP_MAX_REDIRECTS 3
#define HTTP_USER_AGENT    PACKAGE_NAME "/" PACKAGE_VERSION /* "btkit/0.1.0" */

struct body {
    struct bt_buf buf;
    int too_large;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *arg)
{
    struct body *body = arg;
    size_t n = size * nmemb;

    if (bt_buf_append(&body->buf, p, n) != BT_OK) {
        body->too_large = 1;
        return 0; /* a short count makes libcurl stop with CURLE_WRITE_ERROR */
    }
    return n;
}

enum bt_err bt_http_error(int code, int overflow, const struct bt_http_errors *as)
{
    switch ((CURLcode)code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
        return as->dns;
    case CURLE_COULDNT_CONNECT:
        return as->connect;
    case CURLE_OPERATION_TIMEDOUT:
        return as->timeout;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
        return as->tls;
    case CURLE_FILESIZE_EXCEEDED:
        return as->too_large;
    case CURLE_WRITE_ERROR:
        return overflow ? as->too_large : BT_ERR_IO;
    case CURLE_OUT_OF_MEMORY:
        return BT_ERR_NOMEM;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return as->url;
    default:
        return as->other;
    }
}

static const struct bt_http_errors tracker_errors = {
    .dns = BT_ERR_TRACKER_DNS,
    .connect = BT_ERR_TRACKER_CONNECT,
    .timeout = BT_ERR_TRACKER_TIMEOUT,
    .tls = BT_ERR_TRACKER_TLS,
    .too_large = BT_ERR_TRACKER_TOO_LARGE,
    .url = BT_ERR_TRACKER_URL,
    .other = BT_ERR_TRACKER_HTTP,
};

enum bt_err bt_http_limit_protocols(void *handle)
{
    CURL *curl = handle;

#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 replaced the bit masks with strings */
    if (curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK)
        return BT_ERR_TRACKER_URL;
#else
    if (curl_easy_setopt(curl, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS) != CURLE_OK ||
        curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS) !=
            CURLE_OK)
        return BT_ERR_TRACKER_URL;
#endif
    return BT_OK;
}

enum bt_err bt_tracker_http_announce(const char *url, const struct bt_announce_req *req,
                                     const struct bt_announce_opts *opts,
                                     struct bt_announce_resp *resp)
{
    struct bt_buf full;
    struct body body;
    enum bt_tracker_scheme scheme;
    CURL *curl;
    CURLcode code;
    enum bt_err err;

    err = bt_tracker_url_scheme(url, &scheme);
    if (err != BT_OK || scheme == BT_TRACKER_UDP)
        return BT_ERR_TRACKER_URL;
    bt_buf_init(&full, 16384);
    err = bt_tracker_http_url(&full, url, req);
    if (err != BT_OK) {
        bt_buf_release(&full);
        return err;
    }
    curl = curl_easy_init();
    if (curl == NULL) {
        bt_buf_release(&full);
        return BT_ERR_NOMEM;
    }
    bt_buf_init(&body.buf, BT_TRACKER_MAX_BODY);
    body.too_large = 0;

    err = bt_http_limit_protocols(curl);
    if (err == BT_OK &&
        (curl_easy_setopt(curl, CURLOPT_URL, (const char *)full.data) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)opts->timeout_ms) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)opts->timeout_ms) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_MAXREDIRS, (long)HTTP_MAX_REDIRECTS) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_MAXFILESIZE, (long)BT_TRACKER_MAX_BODY) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_USERAGENT, HTTP_USER_AGENT) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
         curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body) != CURLE_OK))
        err = BT_ERR_NOMEM;
    if (err == BT_OK) {
        code = curl_easy_perform(curl);
        if (code != CURLE_OK)
            err = bt_http_error(code, body.too_large, &tracker_errors);
    }
    if (err == BT_OK) {
        long status = 0;

        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        resp->http_status = status;
        /* Some trackers put a bencoded failure reason in a 4xx body: prefer it,
         * since it says more than the status line does. */
        err = bt_tracker_http_parse(resp, body.buf.data, body.buf.len);
        if (status != 200 && err != BT_ERR_TRACKER_FAILURE) {
            bt_announce_resp_release(resp);
            resp->http_status = status;
            err = BT_ERR_TRACKER_HTTP;
        }
    }
    curl_easy_cleanup(curl);
    bt_buf_release(&body.buf);
    bt_buf_release(&full);
    return err;
}
