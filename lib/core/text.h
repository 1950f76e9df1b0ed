/*
 * text.h - text for people, from bytes that strangers wrote.
 *
 * A torrent's file names, a tracker's failure reason, a peer's client name: any
 * of them may hold control bytes, and an ESC sequence that reaches a terminal
 * can move the cursor, rewrite earlier lines or retitle the window.  Every such
 * string is passed through here before it is shown:
 *
 *   "bad\x1b[31mred\n"   ->   "bad?[31mred?"
 *
 * Bytes from 0x80 up are kept, so that UTF-8 names read as they should.
 */
#ifndef BT_TEXT_H
#define BT_TEXT_H

#include <stddef.h>

/* Copy n bytes of s to out (outsz bytes, NUL included; cut short to fit) with
 * every control byte (below 0x20, and 0x7f) replaced by '?'.  Returns the
 * length written, without the NUL. */
size_t bt_text_printable(char *out, size_t outsz, const void *s, size_t n);

#endif /* BT_TEXT_H */
