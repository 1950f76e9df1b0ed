/*
 * test_pool.c - the connection pool on loopback: two pools shake hands, the
 * listening one refuses a peer past its cap and a host its user bans, the
 * dialling one refuses a dial past its cap, traces go to the sink with the
 * peer's name, and every connection is forgotten exactly once.
 */
#include <netinet/in.h>
#include <string.h>

#include "core/loop.h"
#include "core/net.h"
#include "session/pool.h"
#include "tap.h"

/* A user's connection: the pool's part first, then its own. */
struct test_conn {
    struct bt_pool_conn base;
    int set_up; /* on_new ran */
};

/* What one side saw. */
struct side {
    struct bt_pool pool;
    struct bt_loop *loop;
    int refuse_all;
    int news, handshakes, closes, forgets, set_up_seen;
    enum bt_err last_close;
    char log[BT_POOL_LOG_MAX];
    size_t traces;
    char trace_peer[BT_ADDR_STRLEN];
};

/* The run is over once the two sides saw what the test waits for. */
static int want_server_handshakes, want_client_handshakes, want_client_closes;
static struct side *server_side, *client_side;

static void maybe_stop(void)
{
    if (server_side->handshakes >= want_server_handshakes &&
        client_side->handshakes >= want_client_handshakes &&
        client_side->closes >= want_client_closes)
        bt_loop_stop(client_side->loop);
}

static enum bt_err on_new(void *arg, struct bt_pool_conn *pc)
{
    struct side *s = arg;
    struct test_conn *c = (struct test_conn *)pc;

    c->set_up = 1;
    s->news++;
    return BT_OK;
}

static int refuse(void *arg, const struct bt_addr *addr)
{
    struct side *s = arg;

    return s->refuse_all;
}

static enum bt_err on_handshake(void *arg, struct bt_pool_conn *pc)
{
    struct side *s = arg;
    struct test_conn *c = (struct test_conn *)pc;

    s->handshakes++;
    s->set_up_seen += c->set_up;
    maybe_stop();
    return BT_OK;
}

static enum bt_err on_message(void *arg, struct bt_pool_conn *pc, const struct bt_message *m)
{
    return BT_OK;
}

static void on_close(void *arg, struct bt_pool_conn *pc, enum bt_err err)
{
    struct side *s = arg;

    s->closes++;
    s->last_close = err;
    maybe_stop();
}

static void on_forget(void *arg, struct bt_pool_conn *pc)
{
    struct side *s = arg;

    s->forgets++;
}

static void on_log(void *arg, const char *peer, const char *text)
{
    struct side *s = arg;

    strncpy(s->log, text, sizeof(s->log) - 1);
}

static void on_trace(void *arg, const char *peer, const char *text, size_t len)
{
    struct side *s = arg;

    s->traces++;
    strncpy(s->trace_peer, peer, sizeof(s->trace_peer) - 1);
}

static const struct bt_pool_ops ops = {
    .conn_size = sizeof(struct test_conn),
    .on_new = on_new,
    .refuse = refuse,
    .on_handshake = on_handshake,
    .on_message = on_message,
    .on_close = on_close,
    .on_forget = on_forget,
};

static void on_deadline(void *arg)
{
    bt_loop_stop(arg);
}

static void config(struct bt_peer_config *cfg, char id)
{
    memset(cfg, 0, sizeof(*cfg));
    memset(cfg->info_hash, 0xab, sizeof(cfg->info_hash));
    memset(cfg->peer_id, id, sizeof(cfg->peer_id));
    cfg->connect_timeout_ms = 5000;
    cfg->handshake_timeout_ms = 5000;
    cfg->idle_timeout_ms = 10000;
}

/* Run until maybe_stop() is satisfied, or five seconds at most. */
static void run(struct bt_loop *loop)
{
    uint64_t deadline = 0;

    bt_loop_timer(loop, 5000, on_deadline, loop, &deadline);
    bt_loop_run(loop, NULL);
    bt_loop_cancel(loop, deadline);
}

static void side_init(struct side *s, struct bt_loop *loop)
{
    memset(s, 0, sizeof(*s));
    bt_pool_init(&s->pool);
    s->loop = loop;
    s->pool.log = on_log;
    s->pool.log_arg = s;
}

static void test_caps(void)
{
    struct bt_loop loop;
    struct bt_peer_config server_cfg, client_cfg;
    struct bt_addr any, at;
    struct side server, client;
    struct bt_pool_conn *c = NULL;
    char name[BT_ADDR_STRLEN];
    int i, dialled = 0;

    bt_loop_init(&loop);
    config(&server_cfg, 's');
    config(&client_cfg, 'c');
    side_init(&server, &loop);
    side_init(&client, &loop);
    client.pool.trace = on_trace;
    client.pool.trace_arg = &client;
    server_side = &server;
    client_side = &client;

    bt_addr_parse("127.0.0.1:1", &any);
    ((struct sockaddr_in *)&any.ss)->sin_port = 0; /* any free port */
    ok(bt_pool_start(&server.pool, &loop, &server_cfg, 2, &ops, &server) == BT_OK,
       "a pool of 2 starts");
    ok(bt_pool_listen(&server.pool, &any) == BT_OK && server.pool.listen_fd >= 0,
       "it listens on an ephemeral port");
    at = server.pool.listen_addr;
    bt_addr_format(&at, name);
    ok(bt_pool_start(&client.pool, &loop, &client_cfg, 3, &ops, &client) == BT_OK,
       "a pool of 3 starts");
    for (i = 0; i < 3; i++)
        if (bt_pool_connect(&client.pool, &at, &c) == BT_OK && c != NULL)
            dialled++;
    ok(dialled == 3 && client.pool.conn_count == 3, "it dials 3 connections");
    ok(client.news == 3, "on_new set up each one");
    ok(bt_pool_connect(&client.pool, &at, NULL) == BT_ERR_TOO_LARGE,
       "a 4th dial is refused at the cap");

    want_server_handshakes = 2;
    want_client_handshakes = 2;
    want_client_closes = 1;
    run(&loop);
    ok(server.handshakes == 2 && server.set_up_seen == 2,
       "the listener answered 2, set up by on_new");
    ok(server.pool.conn_count == 2, "and holds 2");
    ok(strcmp(server.log, "refused: 2 connections already") == 0,
       "it said it refused the 3rd (log: '%s')", server.log);
    ok(client.handshakes == 2, "the dialler shook hands twice");
    ok(client.closes == 1 && client.last_close == BT_ERR_NET_CLOSED,
       "its 3rd connection was closed by the listener");
    ok(client.forgets == 1 && client.pool.conn_count == 2, "and forgotten, its slot free again");
    ok(client.traces > 0 && strcmp(client.trace_peer, name) == 0,
       "traces reach the sink with the peer's name (%s)", client.trace_peer);
    ok(server.traces == 0, "a pool without a sink traces nothing");

    bt_pool_release(&client.pool);
    ok(client.forgets == 3 && client.closes == 1,
       "release forgets each connection once, with no on_close");
    ok(client.pool.conn_count == 0 && client.pool.conns == NULL, "the released pool is empty");

    /* The listener's user bans every host: a dial gets closed, no slot taken. */
    server.refuse_all = 1;
    server.handshakes = 0;
    server.news = 0;
    ok(bt_pool_start(&client.pool, &loop, &client_cfg, 1, &ops, &client) == BT_OK,
       "a released pool starts again");
    ok(bt_pool_connect(&client.pool, &at, NULL) == BT_OK, "and dials");
    want_server_handshakes = 0;
    want_client_handshakes = 0;
    want_client_closes = 2;
    run(&loop);
    ok(client.closes == 2 && server.news == 0, "a refused host is closed before it takes a slot");

    bt_pool_release(&client.pool);
    bt_pool_release(&server.pool);
    ok(server.forgets == 2, "the listener forgot its 2 on release");
    ok(server.pool.listen_fd == -1, "and closed its listening socket");
    bt_loop_release(&loop);
}

int main(void)
{
    test_caps();
    return tap_done();
}
