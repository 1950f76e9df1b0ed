/*
 * peerid.c - generate our peer id; name the client behind someone else's.
 * See peerid.h for the two conventions.
 */
#include "config.h"

#include "wire/peerid.h"

#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/random.h"

struct client_code {
    const char code[3];
    const char *name;
};

/* The codes of clients a learner is likely to meet; BEP 20 lists more. */
static const struct client_code codes[] = {
    {"AZ", "Vuze"},         {"BI", "BiglyBT"},
    {"BK", "btkit"},        {"DE", "Deluge"},
    {"KT", "KTorrent"},     {"LT", "libtorrent"},
    {"lt", "libTorrent"},   {"qB", "qBittorrent"},
    {"TR", "Transmission"}, {"UT", "uTorrent"},
    {"UM", "uTorrent Mac"}, {"WW", "WebTorrent"},
    {"TX", "Tixati"},       {"FD", "Free Download Manager"},
};

const char *bt_peerid_prefix(void)
{
    return BT_PEERID_PREFIX;
}

enum bt_err bt_peerid_generate(unsigned char id[BT_PEER_ID_LEN])
{
    static const char chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    unsigned char r[BT_PEER_ID_LEN];
    enum bt_err err = bt_random_bytes(r, sizeof(r));
    size_t i;

    if (err != BT_OK)
        return err;
    memcpy(id, BT_PEERID_PREFIX, BT_PEERID_PREFIX_LEN);
    /* The bias of % 62 over a byte is small, and an id needs no more. */
    for (i = BT_PEERID_PREFIX_LEN; i < BT_PEER_ID_LEN; i++)
        id[i] = (unsigned char)chars[r[i] % (sizeof(chars) - 1)];
    return BT_OK;
}

enum bt_err bt_peerid_parse(const char *text, unsigned char id[BT_PEER_ID_LEN])
{
    size_t n = strlen(text);

    if (n == 2 * BT_PEER_ID_LEN)
        return bt_hex_decode(text, id, BT_PEER_ID_LEN);
    if (n != BT_PEER_ID_LEN)
        return BT_ERR_INVALID;
    memcpy(id, text, n);
    return BT_OK;
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

static int is_alnum(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* "-XXabcd-": a known code, version digits a.b.c.d. */
static int azureus(const unsigned char *id, char *out)
{
    size_t i;

    if (id[0] != '-' || id[7] != '-')
        return 0;
    for (i = 1; i < 7; i++)
        if (!is_alnum(id[i]))
            return 0;
    for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (id[1] != (unsigned char)codes[i].code[0] || id[2] != (unsigned char)codes[i].code[1])
            continue;
        if (strcmp(codes[i].code, "TR") == 0)
            /* Transmission writes major, then a two-digit minor: 3000 is 3.00. */
            snprintf(out, BT_PEERID_NAME_MAX, "%s %c.%c%c", codes[i].name, id[3], id[4], id[5]);
        else if (id[6] == '0')
            snprintf(out, BT_PEERID_NAME_MAX, "%s %c.%c.%c", codes[i].name, id[3], id[4], id[5]);
        else
            snprintf(out, BT_PEERID_NAME_MAX, "%s %c.%c.%c.%c", codes[i].name, id[3], id[4], id[5],
                     id[6]);
        return 1;
    }
    snprintf(out, BT_PEERID_NAME_MAX, "unknown client \"%c%c\" %c%c%c%c", id[1], id[2], id[3],
             id[4], id[5], id[6]);
    return 1;
}

/* "A2-1-36-0-" (aria2) or "M7-4-4--" (BitTorrent): letters, numbers between dashes. */
static int mainline(const unsigned char *id, char *out)
{
    const char *name;
    size_t i = 0, o;
    int dashes = 0;

    if (id[0] == 'A' && id[1] == '2' && id[2] == '-') {
        name = "aria2";
        i = 3;
    } else if (id[0] == 'M' && is_digit(id[1])) {
        name = "BitTorrent";
        i = 1;
    } else {
        return 0;
    }
    o = (size_t)snprintf(out, BT_PEERID_NAME_MAX, "%s ", name);
    for (; i < BT_PEER_ID_LEN && o + 1 < BT_PEERID_NAME_MAX; i++) {
        if (is_digit(id[i])) {
            out[o++] = (char)id[i];
        } else if (id[i] == '-') {
            if (++dashes == 3 || (i + 1 < BT_PEER_ID_LEN && id[i + 1] == '-'))
                break;
            out[o++] = '.';
        } else {
            break;
        }
    }
    out[o] = '\0';
    return 1;
}

void bt_peerid_client(const unsigned char id[BT_PEER_ID_LEN], char out[BT_PEERID_NAME_MAX])
{
    if (azureus(id, out) || mainline(id, out))
        return;
    snprintf(out, BT_PEERID_NAME_MAX, "unknown");
}
