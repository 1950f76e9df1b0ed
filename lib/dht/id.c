/*
 * id.c - DHT node ids: the XOR metric of BEP 5 and the address-bound ids of
 * BEP 42.  See id.h.
 *
 * BEP 42 builds the first 21 bits of an id from the node's address:
 *
 *   IPv4  a.b.c.d   & 03 0f 3f ff               (the first 4 bytes)
 *   IPv6  16 bytes  & 01 03 07 0f 1f 3f 7f ff   (only the first 8 bytes)
 *   then the first masked byte |= (r & 7) << 5
 *
 *   crc = CRC-32C(masked bytes)
 *
 *   id   byte 0      byte 1      byte 2          bytes 3..18   byte 19
 *        crc 31..24  crc 23..16  crc 15..11 |    random        r
 *                                3 random bits
 *
 * The mask keeps few bits of the leading bytes, so the 3 bits of r and the
 * address's network part decide the id's prefix: a node cannot choose where in
 * the id space it sits, only pick among 8 places per address.
 */
#include "dht/id.h"

#include <string.h>

#include "core/random.h"

#define BEP42_V4_BYTES 4 /* bytes of an IPv4 address that go into the CRC */
#define BEP42_V6_BYTES 8 /* bytes of an IPv6 address that do: its network half */
#define BEP42_R_SHIFT  5 /* r's 3 bits land at the top of the first masked byte */
#define BEP42_R_MASK   0x07u
#define BEP42_BYTE2    0xf8u /* the 5 bits of id byte 2 that come from the CRC */

/* CRC-32C (Castagnoli), in its reflected form, as iSCSI and SCTP use it. */
#define CRC32C_POLY 0x82f63b78u

static const unsigned char bep42_v4_mask[BEP42_V4_BYTES] = {0x03, 0x0f, 0x3f, 0xff};
static const unsigned char bep42_v6_mask[BEP42_V6_BYTES] = {0x01, 0x03, 0x07, 0x0f,
                                                            0x1f, 0x3f, 0x7f, 0xff};

int bt_dht_id_closer(const unsigned char *target, const unsigned char *a, const unsigned char *b)
{
    size_t i;

    /* The first byte where the two distances differ decides, as in any big-endian
     * comparison of numbers. */
    for (i = 0; i < BT_DHT_ID_LEN; i++) {
        unsigned da = (unsigned)(a[i] ^ target[i]);
        unsigned db = (unsigned)(b[i] ^ target[i]);

        if (da != db)
            return da < db ? -1 : 1;
    }
    return 0;
}

unsigned bt_dht_id_common_bits(const unsigned char *a, const unsigned char *b)
{
    size_t i;

    for (i = 0; i < BT_DHT_ID_LEN; i++) {
        unsigned x = (unsigned)(a[i] ^ b[i]);
        unsigned bits = 0;

        if (x == 0)
            continue;
        while ((x & 0x80u) == 0) {
            bits++;
            x <<= 1;
        }
        return (unsigned)(i * 8) + bits;
    }
    return BT_DHT_ID_BITS;
}

void bt_dht_id_distance(const unsigned char *a, const unsigned char *b, unsigned char *out)
{
    size_t i;

    for (i = 0; i < BT_DHT_ID_LEN; i++)
        out[i] = (unsigned char)(a[i] ^ b[i]);
}

enum bt_err bt_dht_id_random(unsigned char *id)
{
    return bt_random_bytes(id, BT_DHT_ID_LEN);
}

enum bt_err bt_dht_id_random_near(const unsigned char *base, unsigned bits, unsigned char *out)
{
    size_t full = bits / 8;
    unsigned rest = bits % 8;
    unsigned keep, flip;
    enum bt_err err;

    if (bits >= BT_DHT_ID_BITS)
        return BT_ERR_INVALID;
    err = bt_random_bytes(out, BT_DHT_ID_LEN);
    if (err != BT_OK)
        return err;
    /* The first `bits` bits are base's and the next one is the opposite of base's,
     * so that exactly `bits` are shared; the bits after it stay random.  In the
     * byte where that happens: */
    memcpy(out, base, full);
    keep = (0xff00u >> rest) & 0xffu; /* base's bits */
    flip = 0x80u >> rest;             /* the first bit that differs */
    out[full] =
        (unsigned char)((base[full] & keep) | (~base[full] & flip) | (out[full] & (flip - 1u)));
    return BT_OK;
}

int bt_dht_id_local(const struct bt_netaddr *addr)
{
    const unsigned char *ip = addr->ip;

    if (addr->iplen == 4) {
        return ip[0] == 127 ||                             /* 127.0.0.0/8, loopback */
               ip[0] == 10 ||                              /* 10.0.0.0/8 */
               (ip[0] == 172 && (ip[1] & 0xf0) == 0x10) || /* 172.16.0.0/12 */
               (ip[0] == 192 && ip[1] == 168) ||           /* 192.168.0.0/16 */
               (ip[0] == 169 && ip[1] == 254);             /* 169.254.0.0/16 */
    }
    if (addr->iplen == 16) {
        static const unsigned char loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

        return memcmp(ip, loopback, sizeof(loopback)) == 0 || /* ::1 */
               (ip[0] & 0xfe) == 0xfc ||                      /* fc00::/7, unique local */
               (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80);     /* fe80::/10, link-local */
    }
    return 0;
}

/* CRC-32C, one bit at a time: BEP 42 hashes at most 8 bytes, so a table would
 * only make the code longer. */
static uint32_t crc32c(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xffffffffu;
    size_t i;
    int k;

    for (i = 0; i < n; i++) {
        crc ^= p[i];
        for (k = 0; k < 8; k++) {
            if ((crc & 1u) != 0)
                crc = (crc >> 1) ^ CRC32C_POLY;
            else
                crc >>= 1;
        }
    }
    return ~crc;
}

/* The CRC of addr's masked bytes with r mixed in; 0 in *ok for an address that is
 * neither IPv4 nor IPv6. */
static uint32_t bep42_crc(const struct bt_netaddr *addr, unsigned char r, int *ok)
{
    unsigned char masked[BEP42_V6_BYTES];
    const unsigned char *mask;
    size_t n, i;

    if (addr->iplen == 4) {
        mask = bep42_v4_mask;
        n = BEP42_V4_BYTES;
    } else if (addr->iplen == 16) {
        mask = bep42_v6_mask;
        n = BEP42_V6_BYTES;
    } else {
        *ok = 0;
        return 0;
    }
    for (i = 0; i < n; i++)
        masked[i] = (unsigned char)(addr->ip[i] & mask[i]);
    masked[0] = (unsigned char)(masked[0] | ((r & BEP42_R_MASK) << BEP42_R_SHIFT));
    *ok = 1;
    return crc32c(masked, n);
}

void bt_dht_id_secure(const struct bt_netaddr *addr, unsigned char r, unsigned char *id)
{
    int ok;
    uint32_t crc = bep42_crc(addr, r, &ok);

    if (!ok)
        return; /* no address family to tie the id to: leave it as it is */
    id[0] = (unsigned char)(crc >> 24);
    id[1] = (unsigned char)(crc >> 16);
    id[2] = (unsigned char)(((crc >> 8) & BEP42_BYTE2) | (id[2] & ~BEP42_BYTE2 & 0xffu));
    id[BT_DHT_ID_LEN - 1] = r;
}

int bt_dht_id_is_secure(const unsigned char *id, const struct bt_netaddr *addr)
{
    int ok;
    uint32_t crc;

    if (bt_dht_id_local(addr))
        return 1;
    /* The last byte is the r its owner chose; only its low 3 bits went in. */
    crc = bep42_crc(addr, id[BT_DHT_ID_LEN - 1], &ok);
    if (!ok)
        return 0;
    return id[0] == (unsigned char)(crc >> 24) && id[1] == (unsigned char)(crc >> 16) &&
           (id[2] & BEP42_BYTE2) == ((crc >> 8) & BEP42_BYTE2);
}
