/*
 * magnet.c - BEP 9 magnet links.  See magnet.h for the layout.
 *
 *   magnet:?xt=urn:btih:0123...cdef&dn=my%20file.bin&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce
 *
 * Writing one is simple; the one care is percent-encoding everything outside the
 * unreserved set, so that a name containing '&' or '#' cannot add or cut fields.
 * Reading one (bt_magnet_parse, for bt-announce) splits the fields at '&' first
 * and decodes each value after, for the same reason.
 */
#include "metainfo/magnet.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/hex.h"
#include "core/url.h"

#define BTIH_PREFIX "urn:btih:"
#define BASE32_LEN  32 /* 20 bytes in RFC 4648 base32, no padding */

/* Append "&key=" and s percent-encoded (the same encoding as an announce URL's). */
static enum bt_err put_param(struct bt_buf *out, const char *key, const char *s)
{
    enum bt_err err = bt_buf_printf(out, "&%s=", key);

    if (err == BT_OK)
        err = bt_url_encode(out, (const unsigned char *)s, strlen(s));
    return err;
}

/* Is url one of the announce-list URLs? */
static int in_tiers(const struct bt_torrent *t, const char *url)
{
    size_t i, j;

    for (i = 0; i < t->tier_count; i++)
        for (j = 0; j < t->tiers[i].count; j++)
            if (strcmp(t->tiers[i].urls[j], url) == 0)
                return 1;
    return 0;
}

enum bt_err bt_magnet_format(const struct bt_torrent *t, struct bt_buf *out)
{
    char hex[2 * BT_INFOHASH_V2_LEN + 1];
    enum bt_err err = BT_OK;
    size_t i, j;

    if ((t->versions & BT_META_V2) == 0 || (t->versions & BT_META_V1) != 0) {
        bt_hex_encode(t->info_hash, BT_INFOHASH_LEN, hex);
        err = bt_buf_append_str(out, BT_MAGNET_PREFIX);
        if (err == BT_OK)
            err = bt_buf_append_str(out, hex);
    }
    if (err == BT_OK && (t->versions & BT_META_V2) != 0) {
        bt_hex_encode(t->info_hash_v2, BT_INFOHASH_V2_LEN, hex);
        err = bt_buf_append_str(out, (t->versions & BT_META_V1) != 0 ? "&xt=" : "magnet:?xt=");
        if (err == BT_OK)
            err = bt_buf_append_str(out, BT_MAGNET_BTMH_PREFIX);
        if (err == BT_OK)
            err = bt_buf_append_str(out, hex);
    }
    if (err == BT_OK && t->name != NULL)
        err = put_param(out, "dn", t->name);
    /* BEP 12 clients prefer announce-list; announce is listed first unless it repeats. */
    if (err == BT_OK && t->announce != NULL && !in_tiers(t, t->announce))
        err = put_param(out, "tr", t->announce);
    for (i = 0; i < t->tier_count && err == BT_OK; i++)
        for (j = 0; j < t->tiers[i].count && err == BT_OK; j++)
            err = put_param(out, "tr", t->tiers[i].urls[j]);
    return err;
}

int bt_magnet_is_link(const char *arg)
{
    return strncasecmp(arg, "magnet:", 7) == 0;
}

void bt_magnet_init(struct bt_magnet *m)
{
    memset(m, 0, sizeof(*m));
}

void bt_magnet_release(struct bt_magnet *m)
{
    size_t i;

    for (i = 0; i < m->tracker_count; i++)
        free(m->trackers[i]);
    free(m->trackers);
    for (i = 0; i < m->peer_count; i++)
        free(m->peers[i]);
    free(m->peers);
    free(m->name);
    bt_magnet_init(m);
}

/* RFC 4648 base32: A-Z then 2-7, 5 bits per character, either case. */
static enum bt_err base32_decode(const char *s, unsigned char out[BT_INFOHASH_LEN])
{
    unsigned buffer = 0, bits = 0;
    size_t i, o = 0;

    for (i = 0; i < BASE32_LEN; i++) {
        char c = s[i];
        unsigned v;

        if (c >= 'A' && c <= 'Z')
            v = (unsigned)(c - 'A');
        else if (c >= 'a' && c <= 'z')
            v = (unsigned)(c - 'a');
        else if (c >= '2' && c <= '7')
            v = (unsigned)(c - '2' + 26);
        else
            return BT_ERR_MAGNET;
        buffer = (buffer << 5) | v;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (unsigned char)(buffer >> bits);
            buffer &= (1u << bits) - 1;
        }
    }
    return BT_OK;
}

/* A decoded copy of a value, as a C string: no NUL byte may hide inside. */
static enum bt_err decode_value(const char *v, size_t n, char **out)
{
    unsigned char *text = malloc(BT_MAGNET_MAX_VALUE + 1);
    long len;

    if (text == NULL)
        return BT_ERR_NOMEM;
    len = bt_url_decode(v, n, text, BT_MAGNET_MAX_VALUE);
    if (len < 0 || memchr(text, '\0', (size_t)len) != NULL) {
        free(text);
        return BT_ERR_MAGNET;
    }
    text[len] = '\0';
    *out = (char *)text;
    return BT_OK;
}

/* xt=urn:btmh:1220<hex>: the v2 info hash.  Other multihashes are not ours. */
static enum bt_err parse_btmh(struct bt_magnet *m, const char *v, size_t n)
{
    char hex[2 * BT_INFOHASH_V2_LEN + 1];
    size_t plen = strlen(BT_MAGNET_BTMH_PREFIX);

    if (n != plen + 2 * BT_INFOHASH_V2_LEN)
        return BT_ERR_MAGNET;
    memcpy(hex, v + plen, n - plen);
    hex[n - plen] = '\0';
    if (bt_hex_decode(hex, m->info_hash_v2, BT_INFOHASH_V2_LEN) != BT_OK)
        return BT_ERR_MAGNET;
    m->versions |= BT_META_V2;
    return BT_OK;
}

static enum bt_err parse_xt(struct bt_magnet *m, const char *v, size_t n)
{
    char hex[2 * BT_INFOHASH_LEN + 1];
    size_t plen = strlen(BTIH_PREFIX);

    if (n >= strlen(BT_MAGNET_BTMH_PREFIX) &&
        strncasecmp(v, BT_MAGNET_BTMH_PREFIX, strlen(BT_MAGNET_BTMH_PREFIX)) == 0)
        return parse_btmh(m, v, n);
    if (n < plen || strncasecmp(v, BTIH_PREFIX, plen) != 0)
        return BT_OK; /* another kind of topic: not ours */
    v += plen;
    n -= plen;
    if (n == BASE32_LEN) {
        if (base32_decode(v, m->info_hash) != BT_OK)
            return BT_ERR_MAGNET;
    } else if (n == 2 * BT_INFOHASH_LEN) {
        memcpy(hex, v, n);
        hex[n] = '\0';
        if (bt_hex_decode(hex, m->info_hash, BT_INFOHASH_LEN) != BT_OK)
            return BT_ERR_MAGNET;
    } else {
        return BT_ERR_MAGNET;
    }
    m->versions |= BT_META_V1;
    return BT_OK;
}

/* Append a decoded value to a list of at most max (tr, x.pe). */
static enum bt_err add_value(char ***list, size_t *count, size_t max, const char *v, size_t n)
{
    char **grown;
    enum bt_err err;

    if (*count == max)
        return BT_ERR_MAGNET;
    grown = realloc(*list, (*count + 1) * sizeof(*grown));
    if (grown == NULL)
        return BT_ERR_NOMEM;
    *list = grown;
    err = decode_value(v, n, &grown[*count]);
    if (err == BT_OK)
        (*count)++;
    return err;
}

enum bt_err bt_magnet_parse(struct bt_magnet *m, const char *uri)
{
    const char *p;
    size_t len = strlen(uri);
    enum bt_err err = BT_OK;

    if (len > BT_MAGNET_MAX_LEN || strncasecmp(uri, "magnet:?", 8) != 0)
        return BT_ERR_MAGNET;
    for (p = uri + 8; *p != '\0' && err == BT_OK;) {
        size_t n = strcspn(p, "&"), klen = strcspn(p, "=&");
        const char *v = p + klen + 1;
        size_t vlen = klen < n ? n - klen - 1 : 0;

        if (klen == 2 && memcmp(p, "xt", 2) == 0)
            err = parse_xt(m, v, vlen);
        else if (klen == 2 && memcmp(p, "dn", 2) == 0 && m->name == NULL)
            err = decode_value(v, vlen, &m->name);
        else if (klen == 2 && memcmp(p, "tr", 2) == 0)
            err = add_value(&m->trackers, &m->tracker_count, BT_MAGNET_MAX_TRACKERS, v, vlen);
        else if (klen == 4 && memcmp(p, "x.pe", 4) == 0)
            err = add_value(&m->peers, &m->peer_count, BT_MAGNET_MAX_PEERS, v, vlen);
        p += n;
        if (*p == '&')
            p++;
    }
    if (err == BT_OK && m->versions == 0)
        err = BT_ERR_MAGNET;
    /* A v2-only link: the swarm goes by the v2 hash cut to 20 bytes. */
    if (err == BT_OK && (m->versions & BT_META_V1) == 0)
        memcpy(m->info_hash, m->info_hash_v2, BT_INFOHASH_LEN);
    if (err != BT_OK)
        bt_magnet_release(m);
    return err;
}

enum bt_err bt_magnet_torrent(const struct bt_magnet *m, struct bt_torrent *t)
{
    char hex[2 * BT_INFOHASH_LEN + 1];
    size_t i;

    memcpy(t->info_hash, m->info_hash, BT_INFOHASH_LEN);
    memcpy(t->info_hash_v2, m->info_hash_v2, BT_INFOHASH_V2_LEN);
    t->versions = m->versions;
    bt_hex_encode(m->info_hash, BT_INFOHASH_LEN, hex);
    t->name = strdup(m->name != NULL ? m->name : hex);
    if (t->name == NULL)
        return BT_ERR_NOMEM;
    if (m->tracker_count == 0)
        return BT_OK;
    t->tiers = calloc(m->tracker_count, sizeof(*t->tiers));
    if (t->tiers == NULL)
        return BT_ERR_NOMEM;
    for (i = 0; i < m->tracker_count; i++) {
        struct bt_tier *tier = &t->tiers[t->tier_count];

        tier->urls = malloc(sizeof(*tier->urls));
        if (tier->urls == NULL)
            return BT_ERR_NOMEM;
        t->tier_count++;
        tier->urls[0] = strdup(m->trackers[i]);
        if (tier->urls[0] == NULL)
            return BT_ERR_NOMEM;
        tier->count = 1;
    }
    return BT_OK;
}
