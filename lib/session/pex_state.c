/*
 * pex_state.c - what one peer was told by PEX, and what it may still tell us.
 * See pex_state.h.
 */
#include "session/pex_state.h"

#include <string.h>

void bt_pex_state_init(struct bt_pex_state *s)
{
    memset(s, 0, sizeof(*s));
}

static int listed(const struct bt_pex_peer *list, size_t n, const struct bt_netaddr *a)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (bt_netaddr_equal(&list[i].addr, a))
            return 1;
    return 0;
}

static int told(const struct bt_pex_state *s, const struct bt_netaddr *a)
{
    size_t i;

    for (i = 0; i < s->told_count; i++)
        if (bt_netaddr_equal(&s->told[i], a))
            return 1;
    return 0;
}

enum bt_err bt_pex_state_next(struct bt_pex_state *s, uint64_t now_ms,
                              const struct bt_pex_peer *current, size_t n, struct bt_buf *buf,
                              size_t *added, size_t *dropped)
{
    struct bt_pex_peer add[BT_PEX_MAX_ENTRIES];
    struct bt_netaddr drop[BT_PEX_MAX_ENTRIES];
    size_t n_add = 0, n_drop = 0, i, kept;
    enum bt_err err;

    *added = 0;
    *dropped = 0;
    if (now_ms < s->due_ms)
        return BT_OK;
    for (i = 0; i < s->told_count && n_drop < BT_PEX_MAX_ENTRIES; i++)
        if (!listed(current, n, &s->told[i]))
            drop[n_drop++] = s->told[i];
    /* Room in told for what we add: what is dropped leaves it first. */
    for (i = 0; i < n && n_add < BT_PEX_MAX_ENTRIES &&
                s->told_count - n_drop + n_add < BT_PEX_STATE_TOLD_MAX;
         i++)
        if (!told(s, &current[i].addr) && !listed(add, n_add, &current[i].addr))
            add[n_add++] = current[i];
    if (n_add == 0 && n_drop == 0) {
        s->due_ms = now_ms + BT_PEX_STATE_RECHECK_MS;
        return BT_OK;
    }
    err = bt_pex_put(buf, add, n_add, drop, n_drop);
    if (err != BT_OK)
        return err;
    for (i = 0, kept = 0; i < s->told_count; i++) {
        size_t j;
        int gone = 0;

        for (j = 0; j < n_drop && !gone; j++)
            gone = bt_netaddr_equal(&s->told[i], &drop[j]);
        if (!gone)
            s->told[kept++] = s->told[i];
    }
    s->told_count = kept;
    for (i = 0; i < n_add; i++)
        s->told[s->told_count++] = add[i].addr;
    s->due_ms = now_ms + BT_PEX_INTERVAL_MS;
    s->sent++;
    *added = n_add;
    *dropped = n_drop;
    return BT_OK;
}

size_t bt_pex_state_budget(struct bt_pex_state *s, uint64_t now_ms)
{
    if (s->received == 0 || now_ms - s->window_ms >= BT_PEX_INTERVAL_MS) {
        s->window_ms = now_ms;
        s->taken = 0;
    }
    s->received++;
    return s->taken < BT_PEX_STATE_TAKE_PER_MINUTE ? BT_PEX_STATE_TAKE_PER_MINUTE - s->taken : 0;
}

void bt_pex_state_took(struct bt_pex_state *s, size_t n)
{
    s->taken += n;
}
