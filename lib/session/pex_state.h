/*
 * pex_state.h - one connection's side of peer exchange (BEP 11, see
 * wire/pex.h): what we told the peer, when we may tell it more, and how many
 * peers we still take from it this minute.
 *
 *   our connections now      {A, B, C}          (the session lists them)
 *   told this peer before    {A, D}
 *   next message             added B, C; dropped D        (at most 50 of each)
 *   told after it            {A, B, C}; the next one a minute later at the soonest
 *
 * Receiving is budgeted the other way: whatever a peer sends, at most
 * BT_PEX_STATE_TAKE_PER_MINUTE new peers a minute become candidates, so that a
 * flood of addresses costs a session no more than a well-behaved peer's.
 */
#ifndef BT_PEX_STATE_H
#define BT_PEX_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/net.h"
#include "wire/pex.h"

#define BT_PEX_STATE_TOLD_MAX        200  /* peers we remember telling one peer of */
#define BT_PEX_STATE_TAKE_PER_MINUTE 50   /* new peers taken from one peer a minute */
#define BT_PEX_STATE_RECHECK_MS      5000 /* nothing new to tell: look again this much later */

struct bt_pex_state {
    struct bt_netaddr told[BT_PEX_STATE_TOLD_MAX]; /* what the peer has from us */
    size_t told_count;
    uint64_t due_ms;    /* our next message, not before (0: at once) */
    uint64_t window_ms; /* start of the current minute of its messages */
    size_t taken;       /* new peers taken from it in that minute */
    uint64_t sent;      /* messages sent, received */
    uint64_t received;
};

/* Cannot fail. */
void bt_pex_state_init(struct bt_pex_state *s);

/*
 * The message due now, if any: the n peers of current (our connections that
 * accept connections, the peer itself left out) compared with what the peer
 * was told.  Appends the payload to buf and sets *added and *dropped, or
 * leaves buf alone with both 0 when the minute is not over or there is nothing
 * to say (then the next look is BT_PEX_STATE_RECHECK_MS away: the session
 * need not list its peers at every tick).  Counts it as sent: the caller sends
 * it.
 */
enum bt_err bt_pex_state_next(struct bt_pex_state *s, uint64_t now_ms,
                              const struct bt_pex_peer *current, size_t n, struct bt_buf *buf,
                              size_t *added, size_t *dropped);

/* A message arrived from the peer at now_ms: how many more new peers we take
 * from it in the current minute (which it may start). */
size_t bt_pex_state_budget(struct bt_pex_state *s, uint64_t now_ms);
/* n new peers were taken from it. */
void bt_pex_state_took(struct bt_pex_state *s, size_t n);

#endif /* BT_PEX_STATE_H */
