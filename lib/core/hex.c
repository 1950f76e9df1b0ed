/*
 * hex.c - hexadecimal text for bytes.  See hex.h.
 */
#include "core/hex.h"

#include <stdint.h>
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

enum bt_err bt_hex_append(struct bt_buf *out, const unsigned char *in, size_t n)
{
    enum bt_err err;

    if (n > SIZE_MAX / 2)
        return BT_ERR_TOO_LARGE;
    err = bt_buf_reserve(out, 2 * n);
    if (err != BT_OK)
        return err;
    /* The reserve keeps a byte past the digits for the NUL that buf.h promises. */
    bt_hex_encode(in, n, (char *)out->data + out->len);
    out->len += 2 * n;
    return BT_OK;
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

enum bt_err bt_hex_decode_mem(const void *in, unsigned char *out, size_t n)
{
    const unsigned char *digit = in;
    size_t i;

    for (i = 0; i < n; i++) {
        int hi = bt_hex_value(digit[2 * i]), lo = bt_hex_value(digit[2 * i + 1]);

        if (hi < 0 || lo < 0)
            return BT_ERR_INVALID;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return BT_OK;
}

enum bt_err bt_hex_decode(const char *in, unsigned char *out, size_t n)
{
    if (strlen(in) != 2 * n)
        return BT_ERR_INVALID;
    return bt_hex_decode_mem(in, out, n);
}
