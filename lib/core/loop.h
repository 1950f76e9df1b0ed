/*
 * loop.h - the event loop every long-running tool shares (bt-tracker, bt-seed,
 * bt-download): one thread, many sockets, poll(2), and timers.
 *
 * Why one loop and no thread per peer: a swarm means hundreds of mostly idle
 * connections.  poll() tells us which ones have bytes, so one thread can serve
 * them all with no locks; timers drive keep-alives, timeouts and re-announces.
 *
 *   for (;;) {
 *       wait in poll() until a watched fd is ready or the next timer is due
 *       call each ready fd's function, then each due timer's function
 *   }
 *
 * Functions may add and remove watches and timers (their own or others') while
 * they run.  An fd closed and reused inside one round is never handed a stale
 * event: each watch carries a serial number that the round checks.
 *
 * Signals: the library keeps no global state, so the tool installs its own
 * SIGINT/SIGTERM handler (without SA_RESTART) that sets a flag, and passes the
 * flag to bt_loop_run(); poll() returns EINTR and the loop sees it.
 */
#ifndef BT_LOOP_H
#define BT_LOOP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define BT_LOOP_READ  1u /* fd has bytes, a connection to accept, or EOF */
#define BT_LOOP_WRITE 2u /* fd can take bytes, or a connect() finished */
#define BT_LOOP_ERROR 4u /* given to the function only: error or hang-up on fd */

/* Called when fd is ready; events is a mix of the BT_LOOP_* bits. */
typedef void bt_loop_io_fn(void *arg, int fd, unsigned events);
/* Called once when a timer is due. */
typedef void bt_loop_timer_fn(void *arg);

struct bt_loop_watch {
    bt_loop_io_fn *fn; /* NULL: the slot is free */
    void *arg;
    unsigned events;
    uint64_t serial;
};

struct bt_loop_timer {
    uint64_t id;
    uint64_t due_ms; /* on bt_loop_now_ms()'s clock */
    bt_loop_timer_fn *fn;
    void *arg;
};

struct bt_loop {
    struct bt_loop_watch *watches; /* indexed by fd */
    size_t watch_cap;
    size_t watch_count;
    struct bt_loop_timer *timers; /* unordered; a swarm needs a few hundred at most */
    size_t timer_count;
    size_t timer_cap;
    uint64_t next_serial;
    int stop;
};

/* Milliseconds on a monotonic clock (never jumps with the wall clock). */
uint64_t bt_loop_now_ms(void);

void bt_loop_init(struct bt_loop *loop);
/* Free the loop's tables.  Does not close any fd: they belong to their owners. */
void bt_loop_release(struct bt_loop *loop);

/* Watch fd for events (BT_LOOP_READ and/or BT_LOOP_WRITE), replacing any earlier
 * watch of the same fd.  events == 0 keeps the watch but asks for nothing. */
enum bt_err bt_loop_watch(struct bt_loop *loop, int fd, unsigned events, bt_loop_io_fn *fn,
                          void *arg);
/* Change only the events of an existing watch. */
void bt_loop_set_events(struct bt_loop *loop, int fd, unsigned events);
/* Stop watching fd.  Call it before close(fd). */
void bt_loop_unwatch(struct bt_loop *loop, int fd);

/* Call fn(arg) once, delay_ms from now.  *id (if not NULL) names it for cancelling;
 * ids are never 0, so 0 can mean "no timer". */
enum bt_err bt_loop_timer(struct bt_loop *loop, uint64_t delay_ms, bt_loop_timer_fn *fn, void *arg,
                          uint64_t *id);
/* Cancel a pending timer; a no-op for 0 or an id that already fired. */
void bt_loop_cancel(struct bt_loop *loop, uint64_t id);

/*
 * Run until bt_loop_stop() is called, *interrupted becomes non-zero (may be NULL),
 * or nothing is left to wait for.  Returns BT_OK, or BT_ERR_IO if poll() fails.
 */
enum bt_err bt_loop_run(struct bt_loop *loop, volatile sig_atomic_t *interrupted);
/* Make bt_loop_run() return after the current round. */
void bt_loop_stop(struct bt_loop *loop);

#endif /* BT_LOOP_H */
