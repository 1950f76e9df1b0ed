/*
 * rate.h - a token bucket, to hold a flow of bytes to a rate (bt-download's
 * --max-download-rate and --max-upload-rate).
 *
 * Tokens, one a byte, drip in at `rate` a second, measured from the loop's
 * clock, and never pile up past BT_RATE_BURST_MS worth: an idle minute earns
 * no burst.  A flow may go while any token is left, and pays for what it sends
 * even past zero; the debt is paid back before it may go again.  So a 16 KiB
 * block goes out under a cap of 1 KiB/s, late, and over any long stretch the
 * bytes that went are the rate times the time, give or take one block.
 *
 * The owner asks again every BT_RATE_TICK_MS while a flow waits, so the bytes
 * go in small, even steps: libtorrent's 500 ms quota tick makes bursts a
 * loopback link delivers at once, and undershoots its cap by about 7%
 * (INTEROP.md).
 */
#ifndef BT_RATE_H
#define BT_RATE_H

#include <stddef.h>
#include <stdint.h>

#define BT_RATE_TICK_MS  20                  /* how often an owner lets a waiting flow try again */
#define BT_RATE_BURST_MS 100                 /* tokens saved up, at most this long's worth */
#define BT_RATE_MAX      ((uint64_t)1 << 40) /* bytes a second: past this, as good as none */

struct bt_rate {
    uint64_t rate; /* bytes a second; 0: no limit */
    int64_t milli; /* tokens, in thousandths of a byte (so no fraction is lost) */
    uint64_t last_ms;
};

/* A bucket for rate bytes a second (0: unlimited), empty at now_ms. */
void bt_rate_init(struct bt_rate *r, uint64_t rate, uint64_t now_ms);

/* Is there a limit at all? */
int bt_rate_limited(const struct bt_rate *r);

/* May the flow go at now_ms?  Always, without a limit. */
int bt_rate_ready(struct bt_rate *r, uint64_t now_ms);

/* The flow sent n bytes: pay for them (into debt if need be). */
void bt_rate_spend(struct bt_rate *r, size_t n);

#endif /* BT_RATE_H */
