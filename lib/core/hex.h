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

#include "core/buf.h"
#include "core/error.h"

/* Write 2*n lowercase hex digits and a NUL to out. */
void bt_hex_encode(const unsigned char *in, size_t n, char *out);
/* Append 2*n lowercase hex digits to out.  BT_ERR_TOO_LARGE past out->max, BT_ERR_NOMEM. */
enum bt_err bt_hex_append(struct bt_buf *out, const unsigned char *in, size_t n);
/* Read exactly 2*n hex digits (either case) into out.  BT_ERR_INVALID otherwise. */
enum bt_err bt_hex_decode(const char *in, unsigned char *out, size_t n);
/* Read the 2*n hex digits (either case) at in, which need no NUL after them, into
 * out.  out may be in: each byte is written after its two digits are read.
 * BT_ERR_INVALID if one is not a digit; out then holds the bytes before it. */
enum bt_err bt_hex_decode_mem(const void *in, unsigned char *out, size_t n);
/* The value of one hex digit (either case), or -1 if c is not one. */
int bt_hex_value(unsigned char c);

#endif /* BT_HEX_H */
