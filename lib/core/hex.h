/*
 * hex.h - hexadecimal text for bytes: how info hashes, peer ids and piece
 * hashes are printed, and how JSON's \uXXXX escapes and "$hex" strings read.
 *
 *   bt_hex_encode("\x01\xab", 2, out)   writes "01ab"
 *
 * Kept apart from sha1.c so that tools without crypto (bt-decode, bt-encode)
 * can use it without linking libcrypto.
 */
#ifndef BT_HEX_H
#define BT_HEX_H

#include <stddef.h>

#include "core/error.h"

/* Write 2*n lowercase hex digits and a NUL to out. */
void bt_hex_encode(const unsigned char *in, size_t n, char *out);
/* Read exactly 2*n hex digits (either case) into out.  BT_ERR_INVALID otherwise. */
enum bt_err bt_hex_decode(const char *in, unsigned char *out, size_t n);
/* The value of one hex digit (either case), or -1 if c is not one. */
int bt_hex_value(unsigned char c);

#endif /* BT_HEX_H */
