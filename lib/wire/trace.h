/*
 * trace.h - an annotated dump of every handshake and message that crosses the
 * wire, so that a learner can see the protocol.  Each field gets its own line,
 * its raw bytes in hex on the left and their meaning on the right:
 *
 *   -> request index=0 begin=16384 length=16384 (17 bytes)
 *        00 00 00 0d                                      length 13
 *        06                                               id 6 (request)
 *        00 00 00 00                                      index 0
 *        00 00 40 00                                      begin 16384
 *        00 00 40 00                                      length 16384
 *
 * "->" is a message we sent, "<-" one we received.  Long fields (a block, a big
 * bitfield) show their first bytes and how many more there were.
 *
 * The library never prints: these functions append text to a bt_buf and the tool
 * decides where it goes (the tools print it to stderr with --trace).
 */
#ifndef BT_TRACE_H
#define BT_TRACE_H

#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "wire/handshake.h"

#define BT_TRACE_SENT     0
#define BT_TRACE_RECEIVED 1
/* Bytes of a long field shown before "... N more bytes". */
#define BT_TRACE_FIELD_MAX 32
/* Text a trace may grow to: a frame's dump is a few lines. */
#define BT_TRACE_TEXT_MAX 8192

/* Dump a 68-byte handshake. */
enum bt_err bt_trace_handshake(struct bt_buf *out, int dir, const unsigned char *hs);

/*
 * Dump one frame (length prefix included), as bt_message_frame measured it.  A
 * frame that fails to parse is dumped too, field by field as far as it goes, with
 * the reason.  piece_count as for bt_message_parse().
 */
enum bt_err bt_trace_message(struct bt_buf *out, int dir, const unsigned char *frame, size_t len,
                             size_t piece_count);

/*
 * The same, for a frame on a connection that knows what its extended
 * messages' ids stand for (BEP 10: each side picks its own): ext_name names the
 * extension of this frame's ext id ("ut_metadata", "ut_pex"), or is NULL.  A
 * ut_pex message (BEP 11) is decoded: its peers are listed.
 */
enum bt_err bt_trace_message_named(struct bt_buf *out, int dir, const unsigned char *frame,
                                   size_t len, size_t piece_count, const char *ext_name);

/* Dump a length prefix we refused to read past (longer than any message may be). */
enum bt_err bt_trace_oversized(struct bt_buf *out, int dir, const unsigned char prefix[4],
                               size_t max_len);

/* Dump bytes that should have been a handshake but are not. */
enum bt_err bt_trace_garbage(struct bt_buf *out, int dir, const unsigned char *p, size_t n);

#endif /* BT_TRACE_H */
