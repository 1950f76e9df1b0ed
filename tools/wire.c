/*
 * wire.c - shared helpers of the peer wire tools.  See wire.h.
 */
#include "config.h"

#include "wire.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "metainfo/magnet.h"
#include "wire/peerid.h"
#include "tool.h"

int bt_wire_load_torrent(const char *path, struct bt_torrent *t)
{
    struct bt_buf b;
    size_t off = 0;
    enum bt_err err;
    char where[64];

    bt_buf_init(&b, BT_META_MAX_INPUT);
    err = bt_buf_read_file(&b, path);
    if (err != BT_OK) {
        bt_tool_error(err, path);
        bt_buf_release(&b);
        return 1;
    }
    err = bt_torrent_parse(t, b.data, b.len, BT_META_LENIENT, &off);
    bt_buf_release(&b);
    if (err != BT_OK) {
        snprintf(where, sizeof(where), "byte %zu", off);
        bt_tool_warn("%s: %s: %s", path, where, bt_strerror(err));
        return 1;
    }
    return 0;
}

int bt_wire_is_magnet(const char *arg)
{
    return strncasecmp(arg, "magnet:", 7) == 0;
}

int bt_wire_load_hash(const char *arg, struct bt_torrent *t)
{
    struct bt_magnet m;
    char shown[128];

    if (!bt_wire_is_magnet(arg))
        return bt_wire_load_torrent(arg, t);
    bt_magnet_init(&m);
    if (bt_magnet_parse(&m, arg) != BT_OK) {
        bt_tool_printable(arg, strlen(arg), shown, sizeof(shown));
        bt_tool_warn("'%s': %s", shown, bt_strerror(BT_ERR_MAGNET));
        return 1;
    }
    memcpy(t->info_hash, m.info_hash, BT_INFOHASH_LEN);
    bt_magnet_release(&m);
    return 0;
}

int bt_wire_config(struct bt_peer_config *cfg, const struct bt_torrent *t, int timeout_s)
{
    enum bt_err err;

    memset(cfg, 0, sizeof(*cfg));
    memcpy(cfg->info_hash, t->info_hash, BT_INFOHASH_LEN);
    err = bt_peerid_generate(cfg->peer_id);
    if (err != BT_OK) {
        bt_tool_error(err, "/dev/urandom");
        return 1;
    }
    bt_handshake_set_bit(cfg->reserved, BT_RESERVED_EXTENSION_BYTE, BT_RESERVED_EXTENSION_BIT);
    cfg->piece_count = t->piece_count;
    cfg->connect_timeout_ms = timeout_s * 1000;
    cfg->handshake_timeout_ms = timeout_s * 1000;
    cfg->idle_timeout_ms = timeout_s * 1000;
    cfg->client = "btkit " PACKAGE_VERSION;
    /* BEP 9: we speak ut_metadata; with the info dict's bytes at hand we offer
     * them (metadata_size), without them we are the one fetching. */
    cfg->ut_metadata_id = BT_EXT_UT_METADATA_ID;
    if (t->info != NULL)
        cfg->metadata_size = (int64_t)t->info_len;
    return 0;
}

enum bt_err bt_wire_listen_addr(const char *text, struct bt_addr *addr)
{
    char copy[BT_ADDR_STRLEN + 1];
    size_t n = strlen(text);
    enum bt_err err;

    if (n < 2 || n >= sizeof(copy) || strcmp(text + n - 2, ":0") != 0)
        return bt_addr_parse(text, addr);
    /* bt_addr_parse() refuses port 0, which only a listener may ask for. */
    memcpy(copy, text, n + 1);
    copy[n - 1] = '1';
    err = bt_addr_parse(copy, addr);
    if (err == BT_OK && addr->ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&addr->ss)->sin_port = 0;
    else if (err == BT_OK)
        ((struct sockaddr_in6 *)&addr->ss)->sin6_port = 0;
    return err;
}

int bt_wire_seconds(const char *what, const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || v < 1 || v > 3600) {
        bt_tool_warn("invalid %s '%s' (seconds, 1-3600)", what, s);
        return -1;
    }
    return (int)v;
}

void bt_wire_peer_failed(const struct bt_addr *addr, const char *verb, enum bt_err err,
                         const char *detail)
{
    char name[BT_ADDR_STRLEN];

    bt_addr_format(addr, name);
    bt_tool_warn("%s: %s%s%s%s", name, verb, bt_strerror(err), detail[0] != '\0' ? ": " : "",
                 detail);
}

int bt_wire_next_peer(FILE *f, struct bt_addr *addr)
{
    char line[256], shown[256];

    while (fgets(line, sizeof(line), f) != NULL) {
        size_t n = strcspn(line, "\r\n");

        line[n] = '\0';
        if (n == 0)
            continue;
        if (bt_addr_parse(line, addr) == BT_OK)
            return 1;
        bt_tool_printable(line, n, shown, sizeof(shown));
        bt_tool_warn("%s: %s", shown, bt_strerror(BT_ERR_NET_ADDR));
    }
    return 0;
}

void bt_wire_trace(void *arg, const char *peer, const char *text, size_t len)
{
    static char last[BT_ADDR_STRLEN];

    if (strcmp(last, peer) != 0) {
        fprintf(stderr, "== peer %s\n", peer);
        snprintf(last, sizeof(last), "%s", peer);
    }
    fwrite(text, 1, len, stderr);
}
