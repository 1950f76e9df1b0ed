/*
 * dht.c - one DHT node: transactions, the answers it gives, the operations it
 * runs.  See dht.h for the flow and the safety rules.
 *
 * Our queries carry a 4-byte transaction id from a generator seeded with the
 * kernel's random bytes; an answer counts only when its id matches a query in
 * flight AND it comes from the address that query went to:
 *
 *   pending[ ]  tid 9c01e2f7  to 192.0.2.7:6881  id 3f2a..  get_peers  op 2  sent 1200 ms
 *               tid 41aa0c3d  to 198.51.100.9:51413  ping (the table's)  sent 1350 ms
 *
 * Each operation (a ping, a lookup, an announce, a bootstrap) lives in one of
 * BT_DHT_MAX_OPS slots until it ends, when its owner hears of it once.
 */
#include "dht/dht.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/random.h"

#define TID_LEN         4     /* bytes of the transaction ids we choose */
#define STORE_EXPIRE_MS 60000 /* forget stale announced peers once a minute */
#define VALUES_MAX      50    /* peers in one get_peers answer at most */
#define TRACE_LINE_MAX  512

/* One query of ours in flight. */
struct bt_dht_pending {
    int used;
    unsigned char tid[TID_LEN];
    struct bt_netaddr to;
    unsigned char to_id[BT_DHT_ID_LEN];
    int has_to_id;
    enum bt_krpc_method method;
    uint64_t sent_ms;
    struct bt_dht_op *op; /* NULL: the table's own ping */
};

/* One operation the owner (or the table's upkeep) started. */
struct bt_dht_op {
    enum bt_dht_op_kind kind;
    bt_dht_done_fn *done;
    void *arg;
    uint64_t started_ms;
    struct bt_dht_lookup lookup; /* find_node, get_peers, announce, bootstrap */
    int lookup_started;          /* bootstrap: its pings are over, the lookup runs */
    int join;                    /* bootstrap: end when a ping answered */
    size_t waiting;              /* pings (bootstrap) or announce_peers in flight */
    int announcing;              /* announce: the lookup is over, announce_peers went out */
    uint16_t port;               /* announce: 0 for implied_port */
    size_t announced;
    size_t queries, answers;
    struct bt_dht_contact pinged; /* ping: the node that answered */
    int pinged_ok;
    enum bt_err err; /* a reason to end early (an error answer to a ping) */
};

/* The rate limiter's memory of one source address: a token bucket. */
struct bt_dht_rate {
    struct bt_netaddr ip; /* port 0 but for local addresses (see rate_ok) */
    double tokens;
    uint64_t seen_ms;
};

void bt_dht_init(struct bt_dht *d)
{
    memset(d, 0, sizeof(*d));
    bt_dht_table_init(&d->table, d->id);
    bt_dht_store_init(&d->store);
}

/* ---- randomness for transaction ids: xorshift64*, seeded from the kernel ---- */

static uint64_t next_random(struct bt_dht *d)
{
    d->rng ^= d->rng >> 12;
    d->rng ^= d->rng << 25;
    d->rng ^= d->rng >> 27;
    return d->rng * 2685821657736338717ULL;
}

enum bt_err bt_dht_start(struct bt_dht *d, const struct bt_dht_config *cfg, uint64_t now)
{
    enum bt_err err;

    d->cfg = *cfg;
    if (d->cfg.query_ms == 0)
        d->cfg.query_ms = BT_DHT_QUERY_MS;
    if (cfg->has_id)
        memcpy(d->id, cfg->id, BT_DHT_ID_LEN);
    else if ((err = bt_dht_id_random(d->id)) != BT_OK)
        return err;
    err = bt_random_bytes(&d->rng, sizeof(d->rng));
    if (err != BT_OK)
        return err;
    d->rng |= 1; /* xorshift never leaves zero */
    bt_dht_table_init(&d->table, d->id);
    if (cfg->max_nodes != 0)
        d->table.max_nodes = cfg->max_nodes;
    if (cfg->max_hashes != 0)
        d->store.max_hashes = cfg->max_hashes;
    if (cfg->max_peers != 0)
        d->store.max_peers = cfg->max_peers;
    err = bt_dht_store_rotate(&d->store, now);
    if (err != BT_OK)
        return err;
    d->expired_ms = now;
    d->started = 1;
    return BT_OK;
}

void bt_dht_release(struct bt_dht *d)
{
    size_t i;

    for (i = 0; i < BT_DHT_MAX_OPS; i++)
        free(d->ops[i]);
    free(d->pending);
    free(d->sources);
    bt_dht_table_release(&d->table);
    bt_dht_store_release(&d->store);
    bt_dht_init(d);
}

size_t bt_dht_ops(const struct bt_dht *d)
{
    size_t i, n = 0;

    for (i = 0; i < BT_DHT_MAX_OPS; i++)
        if (d->ops[i] != NULL)
            n++;
    return n;
}

void bt_dht_forget(struct bt_dht *d, void *arg)
{
    size_t i, j;

    for (i = 0; i < BT_DHT_MAX_OPS; i++) {
        struct bt_dht_op *op = d->ops[i];

        if (op == NULL || op->arg != arg)
            continue;
        for (j = 0; j < d->pending_cap; j++)
            if (d->pending[j].used && d->pending[j].op == op)
                d->pending[j].op = NULL;
        d->ops[i] = NULL;
        free(op);
    }
}

/* ---- sending ---- */

static void trace(struct bt_dht *d, int outgoing, const struct bt_netaddr *peer,
                  const struct bt_krpc_msg *m, const char *note)
{
    char line[TRACE_LINE_MAX];
    struct bt_buf text;

    if (d->cfg.trace == NULL)
        return;
    bt_buf_init(&text, TRACE_LINE_MAX - 1);
    if (m != NULL)
        bt_krpc_describe(&text, m);
    if (note != NULL)
        bt_buf_printf(&text, "%s%s", m != NULL ? " " : "", note);
    snprintf(line, sizeof(line), "%.*s", (int)text.len, text.data != NULL ? (char *)text.data : "");
    bt_buf_release(&text);
    d->cfg.trace(d->cfg.trace_arg, outgoing, peer, line);
}

/* Encode m into at most max bytes and send it to to.  BT_ERR_TOO_LARGE when it
 * does not fit. */
static enum bt_err send_msg(struct bt_dht *d, const struct bt_krpc_msg *m,
                            const struct bt_netaddr *to, size_t max)
{
    struct bt_buf out;
    enum bt_err err;

    bt_buf_init(&out, max);
    err = bt_krpc_put(&out, m);
    if (err == BT_OK) {
        trace(d, 1, to, m, NULL);
        d->cfg.send(d->cfg.send_arg, out.data, out.len, to);
        d->stats.sent++;
        d->stats.bytes_out += out.len;
    }
    bt_buf_release(&out);
    return err;
}

/* Grow a table of slots (the pending queries, the rate limiter's sources) by
 * doubling, from 8 up to max.  BT_ERR_TOO_LARGE at max: the tables of a node
 * stay small until traffic needs them, which bench/dht's thousands of nodes
 * rely on. */
static enum bt_err grow(void **array, size_t *cap, size_t size, size_t max)
{
    size_t newcap = *cap == 0 ? 8 : *cap * 2;
    void *p;

    if (*cap >= max)
        return BT_ERR_TOO_LARGE;
    if (newcap > max)
        newcap = max;
    p = realloc(*array, newcap * size);
    if (p == NULL)
        return BT_ERR_NOMEM;
    memset((char *)p + *cap * size, 0, (newcap - *cap) * size);
    *array = p;
    *cap = newcap;
    return BT_OK;
}

/*
 * Send a query of method to to (whose id we may know) for op (NULL: the table's
 * ping).  args holds the method's arguments; the id, tid and "ro" are set here.
 * BT_ERR_TOO_LARGE when BT_DHT_MAX_PENDING queries are in flight.
 */
static enum bt_err send_query(struct bt_dht *d, struct bt_dht_op *op, struct bt_krpc_msg *args,
                              const struct bt_netaddr *to, const unsigned char *to_id, uint64_t now)
{
    struct bt_dht_pending *p = NULL;
    uint64_t r;
    size_t i;
    enum bt_err err;

    for (i = 0; i < d->pending_cap && p == NULL; i++)
        if (!d->pending[i].used)
            p = &d->pending[i];
    if (p == NULL) {
        i = d->pending_cap;
        err = grow((void **)&d->pending, &d->pending_cap, sizeof(*d->pending), BT_DHT_MAX_PENDING);
        if (err != BT_OK)
            return err;
        p = &d->pending[i];
    }
    r = next_random(d);
    memcpy(p->tid, &r, TID_LEN);
    args->kind = BT_KRPC_QUERY;
    memcpy(args->tid, p->tid, TID_LEN);
    args->tid_len = TID_LEN;
    args->has_id = 1;
    memcpy(args->id, d->id, BT_DHT_ID_LEN);
    args->read_only = d->cfg.read_only;
    err = send_msg(d, args, to, BT_KRPC_OUT_MAX);
    if (err != BT_OK)
        return err;
    p->used = 1;
    p->to = *to;
    p->has_to_id = to_id != NULL;
    if (to_id != NULL)
        memcpy(p->to_id, to_id, BT_DHT_ID_LEN);
    p->method = args->method;
    p->sent_ms = now;
    p->op = op;
    d->pending_count++;
    if (op != NULL)
        op->queries++;
    return BT_OK;
}

static enum bt_err send_ping(struct bt_dht *d, struct bt_dht_op *op, const struct bt_netaddr *to,
                             const unsigned char *to_id, uint64_t now)
{
    struct bt_krpc_msg q;

    bt_krpc_init(&q);
    q.method = BT_KRPC_PING;
    return send_query(d, op, &q, to, to_id, now);
}

/* Smooth the round trips of answers as TCP does (RFC 6298): the mean moves
 * an eighth of the way to each sample, the spread a quarter. */
static void rtt_sample(struct bt_dht *d, uint64_t ms)
{
    uint64_t diff;

    if (!d->has_rtt) {
        d->rtt_ms = ms;
        d->rtt_var_ms = ms / 2;
        d->has_rtt = 1;
        return;
    }
    diff = ms > d->rtt_ms ? ms - d->rtt_ms : d->rtt_ms - ms;
    d->rtt_var_ms = (3 * d->rtt_var_ms + diff) / 4;
    d->rtt_ms = (7 * d->rtt_ms + ms) / 8;
}

/* When a lookup's query is late (dht.h): the round trip we measure, with room
 * for its spread, within [BT_DHT_LATE_MIN_MS, half the timeout]. */
static uint64_t late_ms(const struct bt_dht *d)
{
    uint64_t most = d->cfg.query_ms / 2, ms;

    if (!d->has_rtt)
        return most;
    ms = d->rtt_ms + 4 * d->rtt_var_ms;
    if (ms < BT_DHT_LATE_MIN_MS)
        ms = BT_DHT_LATE_MIN_MS;
    return ms < most ? ms : most;
}

/* ---- operations ---- */

static struct bt_dht_op *op_new(struct bt_dht *d, enum bt_dht_op_kind kind, bt_dht_done_fn *done,
                                void *arg, uint64_t now, enum bt_err *err)
{
    struct bt_dht_op *op;
    size_t i;

    for (i = 0; i < BT_DHT_MAX_OPS && d->ops[i] != NULL; i++)
        ;
    if (i == BT_DHT_MAX_OPS) {
        *err = BT_ERR_TOO_LARGE;
        return NULL;
    }
    op = calloc(1, sizeof(*op));
    if (op == NULL) {
        *err = BT_ERR_NOMEM;
        return NULL;
    }
    op->kind = kind;
    op->done = done;
    op->arg = arg;
    op->started_ms = now;
    d->ops[i] = op;
    *err = BT_OK;
    return op;
}

/* The operation is over: tell its owner, forget it (and its queries still in
 * flight: their answers will find no operation). */
static void op_finish(struct bt_dht *d, struct bt_dht_op *op, enum bt_err err, uint64_t now)
{
    struct bt_dht_result r;
    const struct bt_dht_cand *closest[BT_DHT_RESULT_NODES];
    size_t i;

    memset(&r, 0, sizeof(r));
    r.kind = op->kind;
    r.err = err;
    memcpy(r.target, op->lookup.target, BT_DHT_ID_LEN);
    r.peers = op->lookup.peers;
    r.peer_count = op->lookup.peer_count;
    if (op->kind == BT_DHT_OP_PING) {
        if (op->pinged_ok) {
            r.nodes[0] = op->pinged;
            r.node_count = 1;
        }
    } else {
        r.node_count = bt_dht_lookup_answered_closest(&op->lookup, closest, BT_DHT_RESULT_NODES);
        for (i = 0; i < r.node_count; i++)
            r.nodes[i] = closest[i]->c;
    }
    r.announced = op->announced;
    r.queries = op->queries;
    r.answers = op->answers;
    r.rounds = op->lookup.rounds;
    r.ms = now - op->started_ms;
    for (i = 0; i < d->pending_cap; i++)
        if (d->pending[i].used && d->pending[i].op == op)
            d->pending[i].op = NULL;
    for (i = 0; i < BT_DHT_MAX_OPS; i++)
        if (d->ops[i] == op)
            d->ops[i] = NULL;
    if (op->kind == BT_DHT_OP_FIND_NODE && op->done == NULL)
        d->refreshing = 0;
    if (op->done != NULL)
        op->done(op->arg, &r);
    free(op);
}

/* Send announce_peer, with its token, to each of the closest nodes that
 * answered the lookup. */
static void announce_to_closest(struct bt_dht *d, struct bt_dht_op *op, uint64_t now)
{
    const struct bt_dht_cand *closest[BT_DHT_K];
    size_t n = bt_dht_lookup_answered_closest(&op->lookup, closest, BT_DHT_K), i;

    op->announcing = 1;
    for (i = 0; i < n; i++) {
        struct bt_krpc_msg q;

        if (closest[i]->token_len == 0)
            continue;
        bt_krpc_init(&q);
        q.method = BT_KRPC_ANNOUNCE_PEER;
        q.has_info_hash = 1;
        memcpy(q.info_hash, op->lookup.target, BT_DHT_ID_LEN);
        q.has_token = 1;
        memcpy(q.token, closest[i]->token, closest[i]->token_len);
        q.token_len = closest[i]->token_len;
        q.port = op->port;
        q.implied_port = op->port == 0;
        if (send_query(d, op, &q, &closest[i]->c.addr, closest[i]->c.id, now) == BT_OK)
            op->waiting++;
    }
}

/* Seed a lookup with the closest nodes of the table. */
static void lookup_begin(struct bt_dht *d, struct bt_dht_op *op)
{
    struct bt_dht_contact seeds[BT_DHT_LOOKUP_MAX];
    size_t n = bt_dht_table_closest(&d->table, op->lookup.target, seeds, BT_DHT_LOOKUP_MAX);

    bt_dht_lookup_add(&op->lookup, seeds, n);
    op->lookup_started = 1;
}

/* Send the lookup's next queries, as many as it wants now. */
static void lookup_ask(struct bt_dht *d, struct bt_dht_op *op, uint64_t now)
{
    const struct bt_dht_contact *c;

    while ((c = bt_dht_lookup_next(&op->lookup, now)) != NULL) {
        struct bt_krpc_msg q;
        struct bt_dht_contact to = *c; /* the lookup may reorder its list */

        bt_krpc_init(&q);
        if (op->kind == BT_DHT_OP_GET_PEERS || op->kind == BT_DHT_OP_ANNOUNCE) {
            q.method = BT_KRPC_GET_PEERS;
            q.has_info_hash = 1;
            memcpy(q.info_hash, op->lookup.target, BT_DHT_ID_LEN);
        } else {
            q.method = BT_KRPC_FIND_NODE;
            q.has_target = 1;
            memcpy(q.target, op->lookup.target, BT_DHT_ID_LEN);
        }
        if (send_query(d, op, &q, &to.addr, to.id, now) != BT_OK) {
            bt_dht_lookup_failed(&op->lookup, to.id);
            break; /* too many queries in flight: the next tick tries again */
        }
    }
}

/* Move an operation on: more queries, the next phase, or its end. */
static void op_pump(struct bt_dht *d, struct bt_dht_op *op, uint64_t now)
{
    if (op->kind == BT_DHT_OP_PING) {
        if (op->pinged_ok || op->err != BT_OK)
            op_finish(d, op, op->err, now);
        return;
    }
    if (op->kind == BT_DHT_OP_BOOTSTRAP && !op->lookup_started) {
        /* Every node that answers is worth starting from; once one did, the
         * others are waited for until they are late (see expire_queries). */
        if (op->waiting > 0 && (op->answers == 0 || now - op->started_ms <= late_ms(d)))
            return;
        if (op->join) {
            op_finish(d, op, op->answers > 0 ? BT_OK : BT_ERR_DHT_TIMEOUT, now);
            return;
        }
        lookup_begin(d, op);
    }
    if (op->announcing) {
        if (op->waiting == 0)
            op_finish(d, op, op->announced > 0 ? BT_OK : BT_ERR_DHT_TIMEOUT, now);
        return;
    }
    (void)bt_dht_lookup_late(&op->lookup, now, late_ms(d));
    lookup_ask(d, op, now);
    if (op->lookup.in_flight == 0 && !bt_dht_lookup_done(&op->lookup)) {
        /* Nothing to do but wait for late queries: the table may have learnt
         * nodes since the lookup began (a bootstrap node that answered after
         * the first), and a lookup that knows them need not wait. */
        lookup_begin(d, op);
        lookup_ask(d, op, now);
    }
    if (!bt_dht_lookup_done(&op->lookup))
        return;
    if (op->lookup.answers == 0) {
        op_finish(d, op, op->lookup.count == 0 ? BT_ERR_DHT_NO_NODES : BT_ERR_DHT_TIMEOUT, now);
        return;
    }
    if (op->kind == BT_DHT_OP_ANNOUNCE) {
        announce_to_closest(d, op, now);
        if (op->waiting == 0)
            op_finish(d, op, BT_ERR_DHT_TIMEOUT, now);
        return;
    }
    op_finish(d, op, BT_OK, now);
}

static enum bt_err start_lookup(struct bt_dht *d, enum bt_dht_op_kind kind,
                                const unsigned char *target, uint16_t port, uint64_t now,
                                bt_dht_done_fn *done, void *arg)
{
    enum bt_err err;
    struct bt_dht_op *op = op_new(d, kind, done, arg, now, &err);

    if (op == NULL)
        return err;
    bt_dht_lookup_init(&op->lookup, target);
    bt_dht_lookup_set_self(&op->lookup, d->id);
    op->port = port;
    lookup_begin(d, op);
    op_pump(d, op, now);
    return BT_OK;
}

enum bt_err bt_dht_find_node(struct bt_dht *d, const unsigned char *target, uint64_t now,
                             bt_dht_done_fn *done, void *arg)
{
    return start_lookup(d, BT_DHT_OP_FIND_NODE, target, 0, now, done, arg);
}

enum bt_err bt_dht_get_peers(struct bt_dht *d, const unsigned char *info_hash, uint64_t now,
                             bt_dht_done_fn *done, void *arg)
{
    return start_lookup(d, BT_DHT_OP_GET_PEERS, info_hash, 0, now, done, arg);
}

enum bt_err bt_dht_announce(struct bt_dht *d, const unsigned char *info_hash, uint16_t port,
                            uint64_t now, bt_dht_done_fn *done, void *arg)
{
    return start_lookup(d, BT_DHT_OP_ANNOUNCE, info_hash, port, now, done, arg);
}

enum bt_err bt_dht_ping(struct bt_dht *d, const struct bt_netaddr *to, uint64_t now,
                        bt_dht_done_fn *done, void *arg)
{
    enum bt_err err;
    struct bt_dht_op *op = op_new(d, BT_DHT_OP_PING, done, arg, now, &err);

    if (op == NULL)
        return err;
    err = send_ping(d, op, to, NULL, now);
    if (err != BT_OK)
        op_finish(d, op, err, now);
    return BT_OK;
}

enum bt_err bt_dht_bootstrap(struct bt_dht *d, const struct bt_netaddr *addrs, size_t n, int join,
                             uint64_t now, bt_dht_done_fn *done, void *arg)
{
    enum bt_err err;
    struct bt_dht_op *op = op_new(d, BT_DHT_OP_BOOTSTRAP, done, arg, now, &err);
    size_t i;

    if (op == NULL)
        return err;
    op->join = join;
    for (i = 0; i < n && d->rejoin_count < BT_DHT_REJOIN_NODES; i++)
        d->rejoin[d->rejoin_count++] = addrs[i];
    d->rejoin_wait_ms = BT_DHT_REJOIN_MS;
    d->rejoin_ms = now + d->rejoin_wait_ms;
    bt_dht_lookup_init(&op->lookup, d->id);
    bt_dht_lookup_set_self(&op->lookup, d->id);
    for (i = 0; i < n; i++)
        if (send_ping(d, op, &addrs[i], NULL, now) == BT_OK)
            op->waiting++;
    op_pump(d, op, now);
    return BT_OK;
}

/* ---- answering queries ---- */

/* Has this address answered a query of ours (so it receives where it says)? */
static int proven(const struct bt_dht *d, const struct bt_netaddr *from)
{
    size_t b, i;

    for (b = 0; b < d->table.bucket_count; b++) {
        const struct bt_dht_bucket *bucket = &d->table.buckets[b];

        for (i = 0; i < bucket->count; i++)
            if (bucket->nodes[i].replied_ms != 0 &&
                bt_netaddr_equal(&bucket->nodes[i].c.addr, from))
                return 1;
    }
    return 0;
}

/*
 * The rate limiter: may this source send one more query at now?  A source is
 * an IP address; on a local address (loopback, a LAN), where many nodes share
 * one IP, it is the address and the port.
 */
static int rate_ok(struct bt_dht *d, const struct bt_netaddr *from, uint64_t now)
{
    struct bt_dht_rate *s = NULL, *oldest = NULL;
    struct bt_netaddr key = *from;
    size_t i;

    if (!bt_dht_id_local(from))
        key.port = 0;
    for (i = 0; i < d->source_count && s == NULL; i++) {
        struct bt_dht_rate *c = &d->sources[i];

        if (bt_netaddr_equal(&c->ip, &key))
            s = c;
        else if (oldest == NULL || c->seen_ms < oldest->seen_ms)
            oldest = c;
    }
    if (s == NULL && d->source_count == d->source_cap)
        (void)grow((void **)&d->sources, &d->source_cap, sizeof(*d->sources), BT_DHT_RATE_SOURCES);
    if (s == NULL) {
        /* A new source takes a free slot, or the one heard from least recently. */
        s = d->source_count < d->source_cap ? &d->sources[d->source_count++] : oldest;
        if (s == NULL)
            return 1; /* no memory to remember anyone: let it through */
        s->ip = key;
        s->tokens = BT_DHT_RATE_BURST;
        s->seen_ms = now;
    }
    s->tokens += (double)(now - s->seen_ms) * BT_DHT_RATE_PER_S / 1000.0;
    if (s->tokens > BT_DHT_RATE_BURST)
        s->tokens = BT_DHT_RATE_BURST;
    s->seen_ms = now;
    if (s->tokens < 1.0)
        return 0;
    s->tokens -= 1.0;
    return 1;
}

static void answer_error(struct bt_dht *d, const struct bt_krpc_msg *q, const struct bt_netaddr *to,
                         int64_t code, const char *message)
{
    struct bt_krpc_msg e;

    bt_krpc_init(&e);
    e.kind = BT_KRPC_ERROR;
    memcpy(e.tid, q->tid, q->tid_len);
    e.tid_len = q->tid_len;
    e.error_code = code;
    snprintf(e.error_message, sizeof(e.error_message), "%s", message);
    e.has_ip = 1; /* BEP 42: where we saw the query come from */
    e.ip = *to;
    (void)send_msg(d, &e, to, BT_KRPC_OUT_MAX);
}

/* The nodes a querier gets: the closest to target of the families it wants. */
static void add_nodes(struct bt_dht *d, struct bt_krpc_msg *r, const struct bt_krpc_msg *q,
                      const unsigned char *target, const struct bt_netaddr *from)
{
    struct bt_dht_contact near[BT_DHT_LOOKUP_MAX];
    unsigned want =
        q->want != 0 ? q->want : (from->iplen == 16 ? BT_KRPC_WANT_N6 : BT_KRPC_WANT_N4);
    size_t n = bt_dht_table_closest(&d->table, target, near, BT_DHT_LOOKUP_MAX), i;
    size_t n4 = 0, n6 = 0;

    for (i = 0; i < n && r->node_count < sizeof(r->nodes) / sizeof(r->nodes[0]); i++) {
        int v6 = near[i].addr.iplen == 16;

        if (!v6 && (want & BT_KRPC_WANT_N4) != 0 && n4 < BT_DHT_K) {
            r->nodes[r->node_count++] = near[i];
            n4++;
        } else if (v6 && (want & BT_KRPC_WANT_N6) != 0 && n6 < BT_DHT_K) {
            r->nodes[r->node_count++] = near[i];
            n6++;
        }
    }
}

/*
 * Send r, cut to fit the budget: an unproven address gets at most
 * BT_DHT_AMPLIFY times what it sent us.  Values go first, then nodes.
 */
static void answer(struct bt_dht *d, struct bt_krpc_msg *r, const struct bt_netaddr *to,
                   size_t query_len)
{
    size_t budget = BT_KRPC_OUT_MAX;

    r->has_ip = 1; /* BEP 42: where we saw the query come from */
    r->ip = *to;
    if (!proven(d, to) && query_len * BT_DHT_AMPLIFY < budget)
        budget = query_len * BT_DHT_AMPLIFY;
    while (send_msg(d, r, to, budget) == BT_ERR_TOO_LARGE) {
        d->stats.trimmed++;
        if (r->value_count > 0)
            r->value_count /= 2;
        else if (r->node_count > 0)
            r->node_count /= 2;
        else
            return; /* even a bare answer does not fit: stay silent */
    }
}

static void handle_query(struct bt_dht *d, const struct bt_krpc_msg *q,
                         const struct bt_netaddr *from, size_t len, uint64_t now)
{
    struct bt_krpc_msg r;
    struct bt_dht_contact sender;
    struct bt_netaddr peer;

    d->stats.queries_in++;
    if (d->cfg.read_only)
        return; /* BEP 43: we answer nothing */
    if (!rate_ok(d, from, now)) {
        d->stats.rate_limited++;
        trace(d, 0, from, q, "(rate limited: dropped)");
        return;
    }
    if (!q->has_id) {
        answer_error(d, q, from, BT_KRPC_ERR_PROTOCOL, "no id");
        return;
    }
    if (!q->read_only && memcmp(q->id, d->id, BT_DHT_ID_LEN) != 0) {
        memcpy(sender.id, q->id, BT_DHT_ID_LEN);
        sender.addr = *from;
        (void)bt_dht_table_heard(&d->table, &sender, 0, now);
    }
    bt_krpc_init(&r);
    r.kind = BT_KRPC_RESPONSE;
    memcpy(r.tid, q->tid, q->tid_len);
    r.tid_len = q->tid_len;
    r.has_id = 1;
    memcpy(r.id, d->id, BT_DHT_ID_LEN);
    switch (q->method) {
    case BT_KRPC_PING:
        break;
    case BT_KRPC_FIND_NODE:
        if (!q->has_target) {
            answer_error(d, q, from, BT_KRPC_ERR_PROTOCOL, "no target");
            return;
        }
        add_nodes(d, &r, q, q->target, from);
        break;
    case BT_KRPC_GET_PEERS:
        if (!q->has_info_hash) {
            answer_error(d, q, from, BT_KRPC_ERR_PROTOCOL, "no info_hash");
            return;
        }
        r.has_token = 1;
        bt_dht_store_token(&d->store, from, r.token);
        r.token_len = BT_DHT_TOKEN_LEN;
        r.value_count =
            bt_dht_store_get(&d->store, q->info_hash, now, from->iplen, r.values, VALUES_MAX);
        add_nodes(d, &r, q, q->info_hash, from);
        break;
    case BT_KRPC_ANNOUNCE_PEER:
        if (!q->has_info_hash || !q->has_token ||
            !bt_dht_store_token_ok(&d->store, from, q->token, q->token_len)) {
            answer_error(d, q, from, BT_KRPC_ERR_PROTOCOL, "bad token");
            return;
        }
        peer = *from;
        if (!q->implied_port)
            peer.port = q->port;
        if (peer.port == 0) {
            answer_error(d, q, from, BT_KRPC_ERR_PROTOCOL, "port 0");
            return;
        }
        if (bt_dht_store_add(&d->store, q->info_hash, &peer, now) != BT_OK) {
            answer_error(d, q, from, BT_KRPC_ERR_SERVER, "out of memory");
            return;
        }
        break;
    case BT_KRPC_UNKNOWN:
        answer_error(d, q, from, BT_KRPC_ERR_METHOD, "method unknown");
        return;
    }
    answer(d, &r, from, len);
}

/* ---- answers to our queries ---- */

static struct bt_dht_pending *find_pending(struct bt_dht *d, const struct bt_krpc_msg *m,
                                           const struct bt_netaddr *from)
{
    size_t i;

    if (m->tid_len != TID_LEN)
        return NULL;
    for (i = 0; i < d->pending_cap; i++) {
        struct bt_dht_pending *p = &d->pending[i];

        if (p->used && memcmp(p->tid, m->tid, TID_LEN) == 0 && bt_netaddr_equal(&p->to, from))
            return p;
    }
    return NULL;
}

static void pending_free(struct bt_dht *d, struct bt_dht_pending *p)
{
    p->used = 0;
    p->op = NULL;
    d->pending_count--;
}

/* A query of op's got no usable answer: the lookup and the phase move on. */
static void op_query_failed(struct bt_dht *d, struct bt_dht_op *op, const struct bt_dht_pending *p,
                            enum bt_err why, uint64_t now)
{
    if (op->kind == BT_DHT_OP_PING) {
        op->err = why;
    } else if (op->kind == BT_DHT_OP_BOOTSTRAP && !op->lookup_started) {
        op->waiting--;
    } else if (op->announcing) {
        op->waiting--;
    } else if (p->has_to_id) {
        bt_dht_lookup_failed(&op->lookup, p->to_id);
    }
    op_pump(d, op, now);
}

static void handle_answer(struct bt_dht *d, const struct bt_krpc_msg *m,
                          const struct bt_netaddr *from, uint64_t now)
{
    struct bt_dht_pending *p = find_pending(d, m, from);
    struct bt_dht_pending copy;
    struct bt_dht_contact sender;
    struct bt_dht_op *op;

    if (p == NULL) {
        trace(d, 0, from, m, "(no query of ours: ignored)");
        return; /* late, forged, or someone else's */
    }
    copy = *p;
    op = p->op;
    pending_free(d, p);
    d->stats.answers_in++;
    rtt_sample(d, now - copy.sent_ms);
    if (m->kind == BT_KRPC_ERROR || !m->has_id) {
        if (op != NULL)
            op_query_failed(d, op, &copy, BT_ERR_KRPC_ERROR, now);
        return;
    }
    memcpy(sender.id, m->id, BT_DHT_ID_LEN);
    sender.addr = *from;
    if (!bt_dht_id_is_secure(m->id, from)) {
        d->stats.insecure_ids++;
        trace(d, 0, from, NULL, "(its id does not follow BEP 42 for its address)");
    }
    if (copy.has_to_id && memcmp(copy.to_id, m->id, BT_DHT_ID_LEN) != 0) {
        /* The address answers with another id: the node we knew there is gone. */
        bt_dht_table_remove(&d->table, copy.to_id);
        if (op != NULL)
            op_query_failed(d, op, &copy, BT_ERR_KRPC, now);
        op = NULL;
    }
    if (memcmp(m->id, d->id, BT_DHT_ID_LEN) != 0)
        (void)bt_dht_table_heard(&d->table, &sender, 1, now);
    if (op == NULL)
        return;
    op->answers++;
    if (op->kind == BT_DHT_OP_PING) {
        op->pinged = sender;
        op->pinged_ok = 1;
    } else if (op->kind == BT_DHT_OP_BOOTSTRAP && !op->lookup_started) {
        op->waiting--;
    } else if (op->announcing) {
        op->waiting--;
        op->announced++;
    } else {
        bt_dht_lookup_answered(&op->lookup, m->id, m);
    }
    op_pump(d, op, now);
}

void bt_dht_receive(struct bt_dht *d, const void *pkt, size_t len, const struct bt_netaddr *from,
                    uint64_t now)
{
    struct bt_krpc_msg m;
    const char *why = NULL;

    if (!d->started)
        return;
    d->stats.received++;
    d->stats.bytes_in += len;
    if (len > BT_KRPC_MAX_PACKET || bt_krpc_parse(&m, pkt, len, &why) != BT_OK) {
        d->stats.malformed++;
        trace(d, 0, from, NULL, why != NULL ? why : "malformed");
        return;
    }
    trace(d, 0, from, &m, NULL);
    if (m.kind == BT_KRPC_QUERY)
        handle_query(d, &m, from, len, now);
    else
        handle_answer(d, &m, from, now);
}

/* ---- time ---- */

uint64_t bt_dht_next_tick(const struct bt_dht *d, uint64_t now)
{
    uint64_t next = BT_DHT_TICK_MS, late = late_ms(d);
    size_t i;

    for (i = 0; i < d->pending_cap; i++) {
        const struct bt_dht_pending *p = &d->pending[i];
        uint64_t age;

        if (!p->used)
            continue;
        age = now > p->sent_ms ? now - p->sent_ms : 0;
        /* A lookup's query wants a tick when it becomes late, too. */
        if (p->op != NULL && age <= late && late + 1 - age < next)
            next = late + 1 - age;
        if (age < d->cfg.query_ms && d->cfg.query_ms - age < next)
            next = d->cfg.query_ms - age;
    }
    return next;
}

/* Queries past their time are failures: for the table, and for their op. */
static void expire_queries(struct bt_dht *d, uint64_t now)
{
    size_t i;

    for (i = 0; i < d->pending_cap; i++) {
        struct bt_dht_pending *p = &d->pending[i];
        struct bt_dht_pending copy;

        if (!p->used || now - p->sent_ms < d->cfg.query_ms)
            continue;
        copy = *p;
        pending_free(d, p);
        d->stats.timeouts++;
        if (copy.has_to_id)
            bt_dht_table_failed(&d->table, copy.to_id, now);
        if (copy.op != NULL)
            op_query_failed(d, copy.op, &copy, BT_ERR_DHT_TIMEOUT, now);
    }
}

/* A node whose table is empty is cut off: it pings its bootstrap nodes again,
 * less and less often, until one answers (the answer fills the table). */
static void rejoin(struct bt_dht *d, uint64_t now)
{
    size_t i;

    if (d->table.node_count > 0) {
        d->rejoin_wait_ms = BT_DHT_REJOIN_MS;
        d->rejoin_ms = now + d->rejoin_wait_ms;
        return;
    }
    if (d->rejoin_count == 0 || now < d->rejoin_ms)
        return;
    for (i = 0; i < d->rejoin_count; i++)
        (void)send_ping(d, NULL, &d->rejoin[i], NULL, now);
    d->rejoin_wait_ms *= 2;
    if (d->rejoin_wait_ms > BT_DHT_REJOIN_MAX_MS)
        d->rejoin_wait_ms = BT_DHT_REJOIN_MAX_MS;
    d->rejoin_ms = now + d->rejoin_wait_ms;
}

/* The table's upkeep: ping questionable nodes, refresh quiet buckets. */
static void maintain_table(struct bt_dht *d, uint64_t now)
{
    struct bt_dht_contact ping[BT_DHT_PINGS_PER_TICK];
    unsigned char target[BT_DHT_REFRESHES_PER_TICK][BT_DHT_ID_LEN];
    size_t n = bt_dht_table_to_ping(&d->table, now, ping, BT_DHT_PINGS_PER_TICK), i;

    for (i = 0; i < n; i++)
        (void)send_ping(d, NULL, &ping[i].addr, ping[i].id, now);
    if (d->refreshing || d->table.node_count == 0)
        return;
    n = bt_dht_table_to_refresh(&d->table, now, target, BT_DHT_REFRESHES_PER_TICK);
    if (n == 0)
        return;
    /* Set first: the lookup may end (and clear it) before start_lookup returns. */
    d->refreshing = 1;
    if (start_lookup(d, BT_DHT_OP_FIND_NODE, target[0], 0, now, NULL, NULL) != BT_OK)
        d->refreshing = 0;
}

uint64_t bt_dht_tick(struct bt_dht *d, uint64_t now)
{
    size_t i;

    if (!d->started)
        return BT_DHT_TICK_MS;
    expire_queries(d, now);
    for (i = 0; i < BT_DHT_MAX_OPS; i++)
        if (d->ops[i] != NULL)
            op_pump(d, d->ops[i], now);
    maintain_table(d, now);
    rejoin(d, now);
    (void)bt_dht_store_rotate(&d->store, now);
    if (now - d->expired_ms >= STORE_EXPIRE_MS) {
        bt_dht_store_expire(&d->store, now);
        d->expired_ms = now;
    }
    return bt_dht_next_tick(d, now); /* the queries just sent count too */
}
