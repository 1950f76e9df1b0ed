/*
 * magnet.c - BEP 9 magnet links.  See magnet.h for the layout.
 *
 *   magnet:?xt=urn:btih:0123...cdef&dn=my%20file.bin&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce
 *
 * Writing one is simple; the one care is percent-encoding everything outside the
 * unreserved set, so that a name containing '&' or '#' cannot add or cut fields.
 */
#include "magnet.h"

#include <string.h>

static int is_unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

/* Append "&key=" and s percent-encoded. */
static enum bt_err put_param(struct bt_buf *out, const char *key, const char *s)
{
    static const char digits[] = "0123456789ABCDEF";
    enum bt_err err = bt_buf_printf(out, "&%s=", key);
    size_t i, n = strlen(s);

    /* Reserve the worst case once: every byte as %XX. */
    if (err == BT_OK)
        err = n > (SIZE_MAX - 1) / 3 ? BT_ERR_TOO_LARGE : bt_buf_reserve(out, 3 * n);
    for (i = 0; i < n && err == BT_OK; i++) {
        unsigned char c = (unsigned char)s[i];

        if (is_unreserved(c)) {
            err = bt_buf_append_byte(out, c);
        } else {
            char esc[3] = {'%', digits[c >> 4], digits[c & 15]};

            err = bt_buf_append(out, esc, sizeof(esc));
        }
    }
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
    char hex[2 * BT_INFOHASH_LEN + 1];
    enum bt_err err;
    size_t i, j;

    bt_hex_encode(t->info_hash, BT_INFOHASH_LEN, hex);
    err = bt_buf_append_str(out, BT_MAGNET_PREFIX);
    if (err == BT_OK)
        err = bt_buf_append_str(out, hex);
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
