/*
 * test_lsd.c - local service discovery's announce (BEP 14): what we send
 * parses back, and every malformed or hostile datagram is refused.
 */
#include <stdio.h>
#include <string.h>

#include "session/lsd.h"
#include "tap.h"

static const unsigned char hash[20] = {0x09, 0x72, 0xd0, 0xbb, 0xd0, 0x2f, 0x48, 0xe5, 0x8c, 0x33,
                                       0xaf, 0x93, 0xde, 0x79, 0x0b, 0xf1, 0x7d, 0x80, 0x68, 0x20};

#define HEX "0972d0bbd02f48e58c33af93de790bf17d806820"

static enum bt_err parse(struct bt_lsd_msg *m, const char *text)
{
    return bt_lsd_parse(m, text, strlen(text));
}

static void test_round_trip(void)
{
    char buf[BT_LSD_MAX_MSG];
    struct bt_lsd_msg m;
    size_t n = bt_lsd_format(buf, sizeof(buf), 6881, hash, "c00c1e");

    ok(n > 0 && memcmp(buf, "BT-SEARCH * HTTP/1.1\r\nHost: 239.192.152.143:6771\r\n", 49) == 0,
       "our announce starts with the request line and the group's Host");
    ok(bt_lsd_parse(&m, buf, n) == BT_OK, "our announce parses");
    ok(m.port == 6881 && m.hash_count == 1 && memcmp(m.hashes[0], hash, 20) == 0,
       "its port and info hash come back");
    ok(strcmp(m.cookie, "c00c1e") == 0, "and its cookie, to know our own echo");
    ok(bt_lsd_format(buf, 40, 6881, hash, "c00c1e") == 0, "a buffer too small: nothing");
}

static void test_accepted(void)
{
    struct bt_lsd_msg m;

    ok(parse(&m, "BT-SEARCH * HTTP/1.1\nport:  51413 \nINFOHASH: " HEX "\n\n") == BT_OK &&
           m.port == 51413,
       "bare LF, any case, spaces around values");
    ok(parse(&m, "BT-SEARCH * HTTP/1.1\r\nHost: x\r\nPort: 1\r\nInfohash: " HEX "\r\nInfohash: " HEX
                 "\r\nX-Other: y\r\n\r\n") == BT_OK &&
           m.hash_count == 2 && m.cookie[0] == '\0',
       "two info hashes, unknown headers ignored, no cookie");
}

static void test_refused(void)
{
    static const char *bad[] = {
        "",
        "BT-SEARCH * HTTP/1.1\r\n",
        "GET / HTTP/1.1\r\nPort: 1\r\nInfohash: " HEX "\r\n\r\n",
        "BT-SEARCH * HTTP/1.1\r\nInfohash: " HEX "\r\n\r\n",
        "BT-SEARCH * HTTP/1.1\r\nPort: 1\r\n\r\n",
        "BT-SEARCH * HTTP/1.1\r\nPort: 0\r\nInfohash: " HEX "\r\n\r\n",
        "BT-SEARCH * HTTP/1.1\r\nPort: 65536\r\nInfohash: " HEX "\r\n\r\n",
        "BT-SEARCH * HTTP/1.1\r\nPort: 12x\r\nInfohash: " HEX "\r\n\r\n",
        "BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: 0972\r\n\r\n",
        "BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: "
        "zz72d0bbd02f48e58c33af93de790bf17d806820\r\n\r\n",
        "BT-SEARCH * HTTP/1.1\r\nPort: 1\r\nInfohash: " HEX "\r\n",
    };
    struct bt_lsd_msg m;
    size_t i, fails = 0;
    char big[BT_LSD_MAX_MSG + 100];

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        fails += parse(&m, bad[i]) == BT_ERR_INVALID;
    ok(fails == sizeof(bad) / sizeof(bad[0]),
       "refused: empty, no headers, another request, no port, no hash, port 0, 65536 or not "
       "a number, a short or non-hex hash, no empty line (%zu of %zu)",
       fails, sizeof(bad) / sizeof(bad[0]));
    memset(big, 'a', sizeof(big));
    ok(bt_lsd_parse(&m, big, sizeof(big)) == BT_ERR_INVALID, "a datagram over the size cap");
}

static void test_many_hashes(void)
{
    char buf[BT_LSD_MAX_MSG];
    struct bt_lsd_msg m;
    size_t n = 0, i;

    n += (size_t)snprintf(buf, sizeof(buf), "BT-SEARCH * HTTP/1.1\r\nPort: 7\r\n");
    for (i = 0; i < 20; i++)
        n += (size_t)snprintf(buf + n, sizeof(buf) - n, "Infohash: %s\r\n", HEX);
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "\r\n");
    ok(bt_lsd_parse(&m, buf, n) == BT_OK && m.hash_count == BT_LSD_MAX_HASHES,
       "20 info hashes: the first %d are read", BT_LSD_MAX_HASHES);
}

int main(void)
{
    test_round_trip();
    test_accepted();
    test_refused();
    test_many_hashes();
    return tap_done();
}
