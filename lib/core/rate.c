/*
 * rate.c - a token bucket (see rate.h).
 */
#include "config.h"

#include "core/rate.h"

void bt_rate_init(struct bt_rate *r, uint64_t rate, uint64_t now_ms)
{
    r->rate = rate > BT_RATE_MAX ? BT_RATE_MAX : rate;
    r->milli = 0;
    r->last_ms = now_ms;
}

int bt_rate_limited(const struct bt_rate *r)
{
    return r->rate != 0;
}

/* Tokens for the time since the last look: rate bytes a second is rate
 * thousandths of a byte a millisecond. */
static void refill(struct bt_rate *r, uint64_t now_ms)
{
    int64_t cap = (int64_t)(r->rate * BT_RATE_BURST_MS);
    uint64_t dt;

    if (now_ms <= r->last_ms)
        return;
    dt = now_ms - r->last_ms;
    r->last_ms = now_ms;
    if (dt > 1000000) /* no overflow below (rate <= 2^40); a debt is paid long before */
        dt = 1000000;
    r->milli += (int64_t)(r->rate * dt);
    if (r->milli > cap)
        r->milli = cap;
}

int bt_rate_ready(struct bt_rate *r, uint64_t now_ms)
{
    if (r->rate == 0)
        return 1;
    refill(r, now_ms);
    return r->milli > 0;
}

void bt_rate_spend(struct bt_rate *r, size_t n)
{
    if (r->rate != 0)
        r->milli -= (int64_t)n * 1000;
}
