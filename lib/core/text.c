/*
 * text.c - text for people, from bytes that strangers wrote.  See text.h.
 */
#include "core/text.h"

size_t bt_text_printable(char *out, size_t outsz, const void *s, size_t n)
{
    const unsigned char *in = s;
    size_t i;

    if (outsz == 0)
        return 0;
    for (i = 0; i < n && i + 1 < outsz; i++)
        out[i] = (in[i] < 0x20 || in[i] == 0x7f) ? '?' : (char)in[i];
    out[i] = '\0';
    return i;
}
