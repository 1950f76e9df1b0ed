/*
 * loop.c - one-thread event loop on poll(2), with timers.  See loop.h.
 */
#include "core/loop.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t bt_loop_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void bt_loop_init(struct bt_loop *loop)
{
    memset(loop, 0, sizeof(*loop));
    loop->next_serial = 1;
}

void bt_loop_release(struct bt_loop *loop)
{
    free(loop->watches);
    free(loop->timers);
    bt_loop_init(loop);
}

enum bt_err bt_loop_watch(struct bt_loop *loop, int fd, unsigned events, bt_loop_io_fn *fn,
                          void *arg)
{
    struct bt_loop_watch *w;

    if (fd < 0 || fn == NULL)
        return BT_ERR_INVALID;
    if ((size_t)fd >= loop->watch_cap) {
        size_t newcap = loop->watch_cap == 0 ? 64 : loop->watch_cap;
        struct bt_loop_watch *p;

        while (newcap <= (size_t)fd)
            newcap *= 2;
        p = realloc(loop->watches, newcap * sizeof(*p));
        if (p == NULL)
            return BT_ERR_NOMEM;
        memset(p + loop->watch_cap, 0, (newcap - loop->watch_cap) * sizeof(*p));
        loop->watches = p;
        loop->watch_cap = newcap;
    }
    w = &loop->watches[fd];
    if (w->fn == NULL)
        loop->watch_count++;
    w->fn = fn;
    w->arg = arg;
    w->events = events;
    w->serial = loop->next_serial++;
    return BT_OK;
}

void bt_loop_set_events(struct bt_loop *loop, int fd, unsigned events)
{
    if (fd >= 0 && (size_t)fd < loop->watch_cap && loop->watches[fd].fn != NULL)
        loop->watches[fd].events = events;
}

void bt_loop_unwatch(struct bt_loop *loop, int fd)
{
    if (fd < 0 || (size_t)fd >= loop->watch_cap || loop->watches[fd].fn == NULL)
        return;
    memset(&loop->watches[fd], 0, sizeof(loop->watches[fd]));
    loop->watch_count--;
}

enum bt_err bt_loop_timer(struct bt_loop *loop, uint64_t delay_ms, bt_loop_timer_fn *fn, void *arg,
                          uint64_t *id)
{
    struct bt_loop_timer *t;

    if (fn == NULL)
        return BT_ERR_INVALID;
    if (loop->timer_count == loop->timer_cap) {
        size_t newcap = loop->timer_cap == 0 ? 16 : loop->timer_cap * 2;
        struct bt_loop_timer *p = realloc(loop->timers, newcap * sizeof(*p));

        if (p == NULL)
            return BT_ERR_NOMEM;
        loop->timers = p;
        loop->timer_cap = newcap;
    }
    t = &loop->timers[loop->timer_count++];
    t->id = loop->next_serial++;
    t->due_ms = bt_loop_now_ms() + delay_ms;
    t->fn = fn;
    t->arg = arg;
    if (id != NULL)
        *id = t->id;
    return BT_OK;
}

static void remove_timer_at(struct bt_loop *loop, size_t i)
{
    loop->timers[i] = loop->timers[--loop->timer_count];
}

void bt_loop_cancel(struct bt_loop *loop, uint64_t id)
{
    size_t i;

    for (i = 0; i < loop->timer_count; i++) {
        if (loop->timers[i].id == id) {
            remove_timer_at(loop, i);
            return;
        }
    }
}

void bt_loop_stop(struct bt_loop *loop)
{
    loop->stop = 1;
}

/* Milliseconds poll() may sleep: until the earliest timer, or forever (-1). */
static int poll_timeout(const struct bt_loop *loop, uint64_t now)
{
    uint64_t earliest = UINT64_MAX;
    size_t i;

    for (i = 0; i < loop->timer_count; i++)
        if (loop->timers[i].due_ms < earliest)
            earliest = loop->timers[i].due_ms;
    if (earliest == UINT64_MAX)
        return -1;
    if (earliest <= now)
        return 0;
    return earliest - now > 60000 ? 60000 : (int)(earliest - now);
}

/* Fire every timer due by now.  Each is removed before it runs, so it may add or
 * cancel timers freely; one added with delay 0 waits for the next round. */
static void run_due_timers(struct bt_loop *loop, uint64_t now)
{
    for (;;) {
        size_t i, best = SIZE_MAX;
        struct bt_loop_timer t;

        for (i = 0; i < loop->timer_count; i++) {
            if (loop->timers[i].due_ms <= now &&
                (best == SIZE_MAX || loop->timers[i].due_ms < loop->timers[best].due_ms))
                best = i;
        }
        if (best == SIZE_MAX || loop->stop)
            return;
        t = loop->timers[best];
        remove_timer_at(loop, best);
        t.fn(t.arg);
    }
}

enum bt_err bt_loop_run(struct bt_loop *loop, volatile sig_atomic_t *interrupted)
{
    struct pollfd *pfds = NULL;
    uint64_t *serials = NULL;
    size_t pcap = 0;
    enum bt_err err = BT_OK;

    loop->stop = 0;
    while (!loop->stop && (interrupted == NULL || *interrupted == 0)) {
        size_t n = 0, i, fd;
        uint64_t now;
        int ready;

        if (loop->watch_count == 0 && loop->timer_count == 0)
            break;
        if (loop->watch_count > pcap) {
            size_t newcap = loop->watch_count * 2;
            struct pollfd *p = realloc(pfds, newcap * sizeof(*p));
            uint64_t *s;

            if (p == NULL) {
                err = BT_ERR_NOMEM;
                break;
            }
            pfds = p;
            s = realloc(serials, newcap * sizeof(*s));
            if (s == NULL) {
                err = BT_ERR_NOMEM;
                break;
            }
            serials = s;
            pcap = newcap;
        }
        for (fd = 0; fd < loop->watch_cap; fd++) {
            const struct bt_loop_watch *w = &loop->watches[fd];

            if (w->fn == NULL)
                continue;
            pfds[n].fd = (int)fd;
            pfds[n].events = (short)(((w->events & BT_LOOP_READ) ? POLLIN : 0) |
                                     ((w->events & BT_LOOP_WRITE) ? POLLOUT : 0));
            pfds[n].revents = 0;
            serials[n] = w->serial;
            n++;
        }

        ready = poll(pfds, (nfds_t)n, poll_timeout(loop, bt_loop_now_ms()));
        if (ready < 0) {
            if (errno == EINTR)
                continue;
            err = BT_ERR_IO;
            break;
        }
        for (i = 0; i < n && ready > 0 && !loop->stop; i++) {
            const struct bt_loop_watch *w;
            unsigned events = 0;

            if (pfds[i].revents == 0)
                continue;
            ready--;
            w = &loop->watches[pfds[i].fd];
            /* Skip a watch removed, or an fd closed and reused, earlier this round. */
            if (w->fn == NULL || w->serial != serials[i])
                continue;
            if (pfds[i].revents & POLLIN)
                events |= BT_LOOP_READ;
            if (pfds[i].revents & POLLOUT)
                events |= BT_LOOP_WRITE;
            if (pfds[i].revents & (POLLERR | POLLHUP | POLLNVAL))
                events |= BT_LOOP_ERROR;
            w->fn(w->arg, pfds[i].fd, events);
        }
        now = bt_loop_now_ms();
        run_due_timers(loop, now);
    }
    free(pfds);
    free(serials);
    return err;
}
