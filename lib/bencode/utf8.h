/*
 * utf8.h - well-formed UTF-8 (RFC 3629), the test that decides whether a
 * bencode string is written as JSON text or as "$hex" (json.h).
 *
 *   U+0000..U+007F     0xxxxxxx
 *   U+0080..U+07FF     110xxxxx 10xxxxxx                     C2..DF, not C0 C1
 *   U+0800..U+FFFF     1110xxxx 10xxxxxx 10xxxxxx            no ED A0..BF (surrogates)
 *   U+10000..U+10FFFF  11110xxx 10xxxxxx 10xxxxxx 10xxxxxx   F0..F4, not past F4 8F
 *
 * Shared by json_write.c and json_read.c; tools do not need it.
 */
#ifndef BT_UTF8_H
#define BT_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"

/* Length of the well-formed sequence that starts s (n >= 1 bytes available), or 0
 * if there is none there. */
size_t bt_utf8_char_len(const unsigned char *s, size_t n);
/* Is all of s[0..n) well-formed UTF-8? */
int bt_utf8_valid(const void *s, size_t n);
/* Append code point cp (at most U+10FFFF, not a surrogate) as UTF-8.  The buf
 * errors: BT_ERR_TOO_LARGE past out->max, BT_ERR_NOMEM. */
enum bt_err bt_utf8_put(struct bt_buf *out, uint32_t cp);

#endif /* BT_UTF8_H */
