/*
 * url.c - percent-encoding.  See url.h.
 */
#include "core/url.h"

#include <ctype.h>

#include "core/hex.h"

/* RFC 3986 section 2.3: the unreserved characters need no escape. */
static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
}

enum bt_err bt_url_encode(struct bt_buf *out, const unsigned char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        enum bt_err err;

        if (unreserved(s[i])) {
            err = bt_buf_append_byte(out, s[i]);
        } else {
            char esc[4] = {'%'};

            bt_hex_encode(&s[i], 1, esc + 1);
            esc[1] = (char)toupper((unsigned char)esc[1]);
            esc[2] = (char)toupper((unsigned char)esc[2]);
            err = bt_buf_append(out, esc, 3);
        }
        if (err != BT_OK)
            return err;
    }
    return BT_OK;
}

long bt_url_decode(const char *s, size_t n, unsigned char *out, size_t max)
{
    size_t i, o = 0;

    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (c == '%') {
            int hi, lo;

            if (n - i < 3)
                return -1;
            hi = bt_hex_value((unsigned char)s[i + 1]);
            lo = bt_hex_value((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (unsigned char)(hi << 4 | lo);
            i += 2;
        }
        if (o == max)
            return -1;
        out[o++] = c;
    }
    return (long)o;
}
