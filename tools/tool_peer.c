/*
 * tool_peer.c - shared helpers of the tools that talk to peers.  See tool_peer.h.
 */
#include "config.h"

#include "tool_peer.h"

#include <string.h>

#include "tool.h"
#include "wire/extension.h"
#include "wire/handshake.h"
#include "wire/peerid.h"

int tool_peers_add(struct tool_peers *p, const char *arg, int allow_stdin)
{
    if (allow_stdin && strcmp(arg, "-") == 0) {
        p->from_stdin = 1;
        return TOOL_CONTINUE;
    }
    if (p->count == TOOL_MAX_PEER_ARGS) {
        tool_warn("at most %d peers on the command line%s", TOOL_MAX_PEER_ARGS,
                  allow_stdin ? " (use -p - for more)" : "");
        return TOOL_EXIT_USAGE;
    }
    if (bt_addr_parse(arg, &p->addrs[p->count]) != BT_OK) {
        tool_warn("invalid peer '%s' (expected ip:port or [v6]:port)", arg);
        return TOOL_EXIT_USAGE;
    }
    p->count++;
    return TOOL_CONTINUE;
}

int tool_next_peer(FILE *f, struct bt_addr *addr)
{
    char line[256];

    while (fgets(line, sizeof(line), f) != NULL) {
        size_t n = strcspn(line, "\r\n");

        line[n] = '\0';
        if (n == 0)
            continue;
        if (bt_addr_parse(line, addr) == BT_OK)
            return 1;
        tool_warn("%s: %s", line, bt_strerror(BT_ERR_NET_ADDR));
    }
    return 0;
}

int tool_peer_config(struct bt_peer_config *cfg, const struct bt_torrent *t, int timeout_s)
{
    enum bt_err err;

    memset(cfg, 0, sizeof(*cfg));
    memcpy(cfg->info_hash, t->info_hash, BT_INFOHASH_LEN);
    err = bt_peerid_generate(cfg->peer_id);
    if (err != BT_OK) {
        tool_error(err, "random bytes");
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

int tool_encryption(const char *arg, int *policy)
{
    if (strcmp(arg, "off") == 0)
        *policy = BT_MSE_OFF;
    else if (strcmp(arg, "prefer") == 0)
        *policy = BT_MSE_PREFER;
    else if (strcmp(arg, "require") == 0)
        *policy = BT_MSE_REQUIRE;
    else {
        tool_warn("invalid encryption '%s' (off, prefer or require)", arg);
        return TOOL_EXIT_USAGE;
    }
    return TOOL_CONTINUE;
}

void tool_peer_failed(const struct bt_addr *addr, const char *verb, enum bt_err err,
                      const char *detail)
{
    char name[BT_ADDR_STRLEN];

    bt_addr_format(addr, name);
    tool_warn("%s: %s%s%s%s", name, verb, bt_strerror(err), detail[0] != '\0' ? ": " : "", detail);
}

void tool_trace(void *arg, const char *peer, const char *text, size_t len)
{
    static char last[BT_ADDR_STRLEN];

    if (strcmp(last, peer) != 0) {
        fprintf(stderr, "== peer %s\n", peer);
        snprintf(last, sizeof(last), "%s", peer);
    }
    fwrite(text, 1, len, stderr);
}
