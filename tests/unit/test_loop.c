/*
 * test_loop.c - the event loop and socket helpers: address text forms, timers in
 * order, a real TCP exchange on loopback through the loop, and removal of a
 * watch while its round is running.
 */
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/net.h"
#include "tap.h"

static int fired[8], fire_count;

static void on_timer(void *arg)
{
    fired[fire_count++] = (int)(long)arg;
}

struct echo {
    struct bt_loop *loop;
    int listen_fd, server_fd, client_fd;
    char got[16];
    size_t got_len;
};

static void on_client_readable(void *arg, int fd, unsigned events)
{
    struct echo *e = arg;
    ssize_t n = read(fd, e->got + e->got_len, sizeof(e->got) - 1 - e->got_len);

    if (n > 0)
        e->got_len += (size_t)n;
    if (n <= 0 || e->got_len >= 5) {
        bt_loop_unwatch(e->loop, fd);
        bt_loop_stop(e->loop);
    }
}

static void on_accept(void *arg, int fd, unsigned events)
{
    struct echo *e = arg;

    e->server_fd = accept(fd, NULL, NULL);
    if (e->server_fd >= 0)
        (void)bt_net_write_full(e->server_fd, "hello", 5, 1000);
    bt_loop_unwatch(e->loop, fd);
}

static void on_never(void *arg, int fd, unsigned events)
{
    int *called = arg;

    (*called)++;
}

static void unwatch_other(void *arg, int fd, unsigned events)
{
    struct bt_loop *loop = arg;
    int other;

    /* Both ends of the pair are readable this round; removing the other one must
     * keep its stale event from being delivered. */
    for (other = 0; other < (int)loop->watch_cap; other++)
        if (other != fd && loop->watches[other].fn == on_never)
            bt_loop_unwatch(loop, other);
    bt_loop_unwatch(loop, fd);
}

int main(void)
{
    struct bt_addr a, b;
    char text[BT_ADDR_STRLEN];
    struct bt_loop loop;
    struct echo e = {0};
    int pair[2], never_called = 0;
    uint64_t id;
    static const unsigned char raw6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 7};

    ok(bt_addr_parse("127.0.0.1:6881", &a) == BT_OK, "IPv4 peer parses");
    bt_addr_format(&a, text);
    ok(strcmp(text, "127.0.0.1:6881") == 0 && bt_addr_port(&a) == 6881, "IPv4 round-trips");
    ok(bt_addr_parse("[::1]:51413", &a) == BT_OK, "IPv6 peer parses");
    bt_addr_format(&a, text);
    ok(strcmp(text, "[::1]:51413") == 0, "IPv6 round-trips");
    ok(bt_addr_from_raw(raw6, 16, 80, &b) == BT_OK, "raw IPv6 builds");
    bt_addr_format(&b, text);
    ok(strcmp(text, "[2001:db8::7]:80") == 0, "raw IPv6 formats as %s", text);
    ok(bt_addr_parse("localhost:80", &a) == BT_ERR_NET_ADDR, "host names are not peers");
    ok(bt_addr_parse("1.2.3.4:0", &a) == BT_ERR_NET_ADDR, "port 0 is refused");
    ok(bt_addr_parse("1.2.3.4:65536", &a) == BT_ERR_NET_ADDR, "port 65536 is refused");
    ok(bt_addr_parse("1.2.3.4", &a) == BT_ERR_NET_ADDR, "a missing port is refused");
    ok(bt_addr_parse("[::1]6881", &a) == BT_ERR_NET_ADDR, "IPv6 needs ]:");
    ok(bt_addr_parse("1.2.3.4:80x", &a) == BT_ERR_NET_ADDR, "junk after the port is refused");

    bt_loop_init(&loop);
    bt_loop_timer(&loop, 30, on_timer, (void *)3L, NULL);
    bt_loop_timer(&loop, 10, on_timer, (void *)1L, NULL);
    bt_loop_timer(&loop, 20, on_timer, (void *)2L, &id);
    bt_loop_timer(&loop, 15, on_timer, (void *)9L, &id);
    bt_loop_cancel(&loop, id);
    ok(bt_loop_run(&loop, NULL) == BT_OK, "the loop returns when nothing is left");
    ok(fire_count == 3 && fired[0] == 1 && fired[1] == 2 && fired[2] == 3,
       "timers fire in due order and a cancelled one never fires");

    e.loop = &loop;
    bt_addr_parse("127.0.0.1:1", &a);
    ((struct sockaddr_in *)&a.ss)->sin_port = 0;
    ok(bt_net_listen_tcp(&a, 4, &e.listen_fd) == BT_OK, "listens on an ephemeral port");
    bt_net_local_addr(e.listen_fd, &b);
    ok(bt_net_connect_start(&b, &e.client_fd) == BT_OK, "connect starts");
    bt_loop_watch(&loop, e.listen_fd, BT_LOOP_READ, on_accept, &e);
    bt_loop_watch(&loop, e.client_fd, BT_LOOP_READ, on_client_readable, &e);
    ok(bt_loop_run(&loop, NULL) == BT_OK, "the exchange runs");
    ok(e.got_len == 5 && memcmp(e.got, "hello", 5) == 0, "the bytes crossed loopback");
    close(e.listen_fd);
    close(e.server_fd);
    close(e.client_fd);

    socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
    write(pair[0], "x", 1);
    write(pair[1], "y", 1);
    bt_loop_watch(&loop, pair[0], BT_LOOP_READ, unwatch_other, &loop);
    bt_loop_watch(&loop, pair[1], BT_LOOP_READ, on_never, &never_called);
    bt_loop_run(&loop, NULL);
    ok(never_called == 0 && loop.watch_count == 0, "a watch removed mid-round gets no event");
    close(pair[0]);
    close(pair[1]);

    ok(bt_net_read_full(-1, text, 1, 10) == BT_ERR_IO, "reading a bad fd is an error");
    bt_loop_release(&loop);
    return tap_done();
}
