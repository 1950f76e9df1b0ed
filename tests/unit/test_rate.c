/*
 * test_rate.c - the token bucket of lib/core/rate.c, on a clock of our own.
 */
#include "config.h"

#include "core/rate.h"
#include "tap.h"

/* Send blocks of n bytes whenever the bucket lets us, polling every tick_ms,
 * for ms milliseconds from start; return the bytes sent. */
static uint64_t flow(struct bt_rate *r, uint64_t start, uint64_t ms, uint64_t tick_ms, size_t n)
{
    uint64_t sent = 0, t;

    for (t = start; t < start + ms; t += tick_ms) {
        while (bt_rate_ready(r, t)) {
            bt_rate_spend(r, n);
            sent += n;
        }
    }
    return sent;
}

int main(void)
{
    struct bt_rate r;
    uint64_t sent;

    bt_rate_init(&r, 0, 0);
    ok(!bt_rate_limited(&r), "rate 0 is no limit");
    ok(bt_rate_ready(&r, 0) && bt_rate_ready(&r, 0), "no limit: always ready");

    /* 1 MiB/s for 10 s in 16 KiB blocks, polled every 20 ms: within one block. */
    bt_rate_init(&r, 1 << 20, 1000);
    ok(bt_rate_limited(&r), "a rate is a limit");
    ok(!bt_rate_ready(&r, 1000), "the bucket starts empty");
    sent = flow(&r, 1000, 10000, BT_RATE_TICK_MS, 16384);
    ok(sent >= 10 * (1u << 20) - 16384 && sent <= 10 * (1u << 20) + 16384,
       "1 MiB/s over 10 s: %llu bytes", (unsigned long long)sent);

    /* A block larger than a tick's worth still goes, and is paid back: at
     * 1 KiB/s, a 16 KiB block goes once every 16 s. */
    bt_rate_init(&r, 1024, 0);
    sent = flow(&r, 0, 64000, BT_RATE_TICK_MS, 16384);
    ok(sent == 4 * 16384, "1 KiB/s over 64 s: 4 blocks of 16 KiB (%llu bytes)",
       (unsigned long long)sent);

    /* Idle time earns at most BT_RATE_BURST_MS of tokens. */
    bt_rate_init(&r, 1000000, 0);
    ok(bt_rate_ready(&r, 60000), "ready after a minute idle");
    sent = 0;
    while (bt_rate_ready(&r, 60000)) {
        bt_rate_spend(&r, 1000);
        sent += 1000;
    }
    ok(sent == 1000000 / 1000 * BT_RATE_BURST_MS, "a minute idle saves up only %d ms: %llu bytes",
       BT_RATE_BURST_MS, (unsigned long long)sent);

    /* Polled rarely, the rate still holds: 100 ms polls, 1 MB/s, 5 s. */
    bt_rate_init(&r, 1000000, 0);
    sent = flow(&r, 0, 5000, 100, 16384);
    ok(sent >= 5000000 - 16384 - 100000 && sent <= 5000000 + 16384,
       "1 MB/s polled every 100 ms over 5 s: %llu bytes", (unsigned long long)sent);

    /* A clock that goes back (it should not) adds nothing. */
    bt_rate_init(&r, 1000, 5000);
    ok(!bt_rate_ready(&r, 4000), "no tokens from a clock going back");

    /* The largest rate does not overflow over a long gap. */
    bt_rate_init(&r, UINT64_MAX, 0);
    ok(r.rate == BT_RATE_MAX, "a rate past BT_RATE_MAX is BT_RATE_MAX");
    ok(bt_rate_ready(&r, UINT64_MAX / 2), "a long gap at the largest rate: ready, no overflow");
    ok(r.milli == (int64_t)(BT_RATE_MAX * BT_RATE_BURST_MS), "and capped at the burst");
    return tap_done();
}
