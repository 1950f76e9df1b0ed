/*
 * hex.c - hexadecimal text for bytes.  See hex.h.
 */
#include "core/hex.h"

#include <string.h>

void bt_hex_encode(const unsigned char *in, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

int bt_hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

enum bt_err bt_hex_decode(const char *in, unsigned char *out, size_t n)
{
    size_t i;

    if (strlen(in) != 2 * n)
        return BT_ERR_INVALID;
    for (i = 0; i < n; i++) {
        int hi = bt_hex_value((unsigned char)in[2 * i]),
            lo = bt_hex_value((unsigned char)in[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return BT_ERR_INVALID;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return BT_OK;
}
