/*
 * bytes.h - big-endian ("network order") integers, as every BitTorrent wire
 * format writes them: message lengths and fields (BEP 3), compact peers
 * (BEP 23), UDP tracker packets (BEP 15).
 *
 *   bt_put_be32(p, 0x4c2b0a01)  writes  4c 2b 0a 01
 *
 * Byte by byte with shifts, so the code is the same on every host and never
 * reads an unaligned pointer.
 */
#ifndef BT_BYTES_H
#define BT_BYTES_H

#include <stdint.h>

static inline uint16_t bt_get_be16(const unsigned char *p)
{
    return (uint16_t)((unsigned)p[0] << 8 | (unsigned)p[1]);
}

static inline uint32_t bt_get_be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static inline uint64_t bt_get_be64(const unsigned char *p)
{
    return (uint64_t)bt_get_be32(p) << 32 | bt_get_be32(p + 4);
}

static inline void bt_put_be16(unsigned char *p, uint16_t v)
{
    p[0] = (unsigned char)(v >> 8);
    p[1] = (unsigned char)v;
}

static inline void bt_put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static inline void bt_put_be64(unsigned char *p, uint64_t v)
{
    bt_put_be32(p, (uint32_t)(v >> 32));
    bt_put_be32(p + 4, (uint32_t)v);
}

#endif /* BT_BYTES_H */
