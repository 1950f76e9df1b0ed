/*
 * dht-sim - the DHT at scale: N nodes of lib/dht in one process, on a
 * simulated network with latency, loss and churn.
 *
 *   dht-sim [-n N] [--loss P] [--churn P] [--lookups L] [--announces A]
 *           [--warmup S] [--seed S] [--json]
 *
 * Every node is a struct bt_dht running the library's own code (dht.h: the
 * routing table, the lookups, the store), fed through bt_dht_receive() and
 * bt_dht_tick() as node.c feeds it from a socket.  The network is a queue of
 * events in simulated time, earliest first:
 *
 *   at ms     event
 *   600412    deliver  10.0.3.18:6881 -> 10.0.0.10:6881   97 bytes   (a get_peers)
 *   600431    tick     10.0.1.3:6881                                 (what it returned)
 *   600455    deliver  10.0.0.10:6881 -> 10.0.3.18:6881  301 bytes   (its answer)
 *
 * A datagram a node sends (cfg.send) is lost with probability P, or else
 * delivered 10 to 100 ms later (uniform, each datagram on its own, so they may
 * overtake one another).  Loss and latency apply to every datagram alike.  A
 * node that is gone drops what reaches it and sends nothing; the others still
 * have it in their tables, as they would minutes after it left.
 *
 * The run, in simulated time:
 *   join     N nodes over JOIN_S seconds, evenly; each bootstraps (bt_dht_bootstrap) from
 *            BOOTSTRAP_CONTACTS nodes picked at random among those before it
 *   warm up  --warmup seconds of the nodes' own upkeep (pings, refreshes)
 *   churn    --churn of the nodes, at random, are gone from now on
 *   announce --announces live nodes each announce a random info hash
 *            (bt_dht_announce, implied port), one every LOOKUP_GAP_MS
 *   quiet    QUIET_MS of upkeep alone, to measure what upkeep costs
 *   lookups  --lookups get_peers (bt_dht_get_peers), one every LOOKUP_GAP_MS,
 *            each from a random live node for a random announced hash; one
 *            succeeds when its peers include the announcer
 *
 * What it prints, for the bench/dht table:
 *   success        lookups that found the announcer
 *   messages       queries the looking node sent for one get_peers (result.queries):
 *                  median and 95th percentile
 *   rounds         how deep the lookup went (result.rounds, lookup.h): median, p95
 *   lookup ms      simulated time a get_peers took: median, p95
 *   heap per node  malloc's bytes in use (mallinfo2: arena and mmapped) after
 *                  the warm-up, less the simulator's own queue, over N: the
 *                  struct bt_dht and all it allocates (table, store, slots)
 *   CPU per lookup the process CPU time of the lookup phase, less the upkeep
 *                  it would have cost anyway (the quiet stretch's rate), over
 *                  L: the looking node's and the answering nodes' work, and the
 *                  simulator's share of it.  The raw figure is printed too.
 *
 * Reproducible: --seed fixes the node ids, the addresses' order, latency, loss,
 * churn and the choice of lookups; and the library's own random bytes
 * (transaction ids, token secrets, refresh targets), which it takes from the
 * kernel, come here from a generator seeded the same way (random.h's
 * bt_random_replace).  No socket is opened; nothing goes on a real network.
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <time.h>

#include "core/random.h"
#include "dht/dht.h"

#define JOIN_S             200 /* the network grows to N nodes over this many seconds */
#define BOOTSTRAP_CONTACTS 3   /* nodes a newcomer knows of */
#define LATENCY_MIN_MS     10  /* one-way delay of a datagram: uniform in [min, max] */
#define LATENCY_MAX_MS     100
#define LOOKUP_GAP_MS      20    /* an announce or a lookup starts this often */
#define QUIET_MS           20000 /* upkeep alone, measured before the lookups */
#define PORT               6881
#define T0                 1000000 /* ms: the simulation's first moment (the table reads 0 as never) */

/* ---- randomness: xorshift64*, one stream for the network, one for the library ---- */

static uint64_t net_rng = 1, lib_rng = 1;

static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

/* A number in [0, n). */
static uint64_t below(uint64_t n)
{
    return next(&net_rng) % n;
}

/* A number in [0, 1). */
static double uniform(void)
{
    return (double)(next(&net_rng) >> 11) / 9007199254740992.0;
}

/* The library's random bytes, in place of the kernel's (bt_random_replace). */
static void sim_random(void *arg, void *buf, size_t len)
{
    unsigned char *p = buf;
    size_t i;

    (void)arg;
    for (i = 0; i < len; i++)
        p[i] = (unsigned char)(next(&lib_rng) >> 56);
}

/* ---- the nodes ---- */

struct sim_node {
    struct bt_dht dht;
    struct bt_netaddr addr; /* 10.a.b.c:6881 */
    int gone;
    uint64_t tick_due; /* its one tick event that counts (earlier ones are stale) */
};

static struct sim_node *nodes;
static size_t node_total; /* N */
static size_t node_count; /* joined so far */

/* Node i lives at 10.0.0.10 + i: distinct addresses, one node each. */
static void node_addr(size_t i, struct bt_netaddr *a)
{
    uint32_t ip = (10u << 24) + 10u + (uint32_t)i;

    memset(a, 0, sizeof(*a));
    a->iplen = 4;
    a->ip[0] = (unsigned char)(ip >> 24);
    a->ip[1] = (unsigned char)(ip >> 16);
    a->ip[2] = (unsigned char)(ip >> 8);
    a->ip[3] = (unsigned char)ip;
    a->port = PORT;
}

/* The node at a, or node_total if none. */
static size_t node_at(const struct bt_netaddr *a)
{
    uint32_t ip;

    if (a->iplen != 4 || a->port != PORT)
        return node_total;
    ip = (uint32_t)a->ip[0] << 24 | (uint32_t)a->ip[1] << 16 | (uint32_t)a->ip[2] << 8 | a->ip[3];
    if (ip < (10u << 24) + 10u || ip - ((10u << 24) + 10u) >= node_count)
        return node_total;
    return ip - ((10u << 24) + 10u);
}

/* ---- the event queue: a binary heap by time, then by order of scheduling ---- */

enum event_kind { EV_DELIVER, EV_TICK };

struct event {
    uint64_t at, seq;
    enum event_kind kind;
    uint32_t to, from;
    uint32_t len;
    unsigned char *pkt; /* EV_DELIVER: the datagram, ours to free */
};

static struct event *heap;
static size_t heap_len, heap_cap;
static uint64_t heap_seq;
static size_t queued_bytes; /* datagrams' bytes in the queue */
static uint64_t now_ms = T0;

static int earlier(const struct event *a, const struct event *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void die(const char *what)
{
    fprintf(stderr, "dht-sim: %s\n", what);
    exit(1);
}

static void push(struct event ev)
{
    size_t i;

    if (heap_len == heap_cap) {
        size_t cap = heap_cap == 0 ? 1024 : 2 * heap_cap;
        struct event *h = realloc(heap, cap * sizeof(*h));

        if (h == NULL)
            die("out of memory");
        heap = h;
        heap_cap = cap;
    }
    ev.seq = heap_seq++;
    i = heap_len++;
    while (i > 0 && earlier(&ev, &heap[(i - 1) / 2])) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = ev;
}

static struct event pop(void)
{
    struct event top = heap[0], last = heap[--heap_len];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;

        if (c >= heap_len)
            break;
        if (c + 1 < heap_len && earlier(&heap[c + 1], &heap[c]))
            c++;
        if (!earlier(&heap[c], &last))
            break;
        heap[i] = heap[c];
        i = c;
    }
    if (heap_len > 0)
        heap[i] = last;
    return top;
}

/* cfg.send: lost, or queued for delivery after a random delay. */
struct send_ctx {
    uint32_t from;
};

static struct send_ctx *send_ctx;
static double loss;
static uint64_t sent_total, lost_total;

static void sim_send(void *arg, const void *pkt, size_t len, const struct bt_netaddr *to)
{
    const struct send_ctx *ctx = arg;
    struct event ev;
    size_t dest = node_at(to);

    sent_total++;
    if (dest == node_total || uniform() < loss) {
        lost_total++;
        return;
    }
    memset(&ev, 0, sizeof(ev));
    ev.kind = EV_DELIVER;
    ev.at = now_ms + LATENCY_MIN_MS + below(LATENCY_MAX_MS - LATENCY_MIN_MS + 1);
    ev.to = (uint32_t)dest;
    ev.from = ctx->from;
    ev.len = (uint32_t)len;
    ev.pkt = malloc(len);
    if (ev.pkt == NULL)
        die("out of memory");
    memcpy(ev.pkt, pkt, len);
    queued_bytes += len;
    push(ev);
}

static void schedule_tick(uint32_t n, uint64_t wait)
{
    struct event ev;

    memset(&ev, 0, sizeof(ev));
    ev.kind = EV_TICK;
    ev.at = now_ms + wait;
    ev.to = n;
    nodes[n].tick_due = ev.at;
    push(ev);
}

/* As node.c does after datagrams and new operations: tick sooner if the node
 * wants it (a lookup's query about to be late); the later event goes stale. */
static void wake(uint32_t n)
{
    uint64_t wait = bt_dht_next_tick(&nodes[n].dht, now_ms);

    if (now_ms + wait < nodes[n].tick_due)
        schedule_tick(n, wait);
}

/* Run events until the clock passes until (or the queue empties). */
static void run_until(uint64_t until)
{
    while (heap_len > 0 && heap[0].at <= until) {
        struct event ev = pop();
        struct sim_node *n = &nodes[ev.to];

        now_ms = ev.at;
        if (ev.kind == EV_DELIVER) {
            queued_bytes -= ev.len;
            if (!n->gone) {
                bt_dht_receive(&n->dht, ev.pkt, ev.len, &nodes[ev.from].addr, now_ms);
                wake(ev.to);
            }
            free(ev.pkt);
        } else if (!n->gone && ev.at == n->tick_due) {
            schedule_tick(ev.to, bt_dht_tick(&n->dht, now_ms));
        }
    }
    if (now_ms < until)
        now_ms = until;
}

/* ---- joining ---- */

static void join(size_t i)
{
    struct bt_dht_config cfg;
    struct bt_netaddr boot[BOOTSTRAP_CONTACTS];
    size_t j, nb = 0;
    enum bt_err err;

    memset(&cfg, 0, sizeof(cfg));
    for (j = 0; j < BT_DHT_ID_LEN; j++)
        cfg.id[j] = (unsigned char)(next(&net_rng) >> 56);
    cfg.has_id = 1;
    cfg.send = sim_send;
    send_ctx[i].from = (uint32_t)i;
    cfg.send_arg = &send_ctx[i];
    node_addr(i, &nodes[i].addr);
    bt_dht_init(&nodes[i].dht);
    err = bt_dht_start(&nodes[i].dht, &cfg, now_ms);
    if (err != BT_OK)
        die(bt_strerror(err));
    node_count = i + 1;
    for (j = 0; j < BOOTSTRAP_CONTACTS && j < i; j++)
        boot[nb++] = nodes[below(i)].addr;
    if (nb > 0 && bt_dht_bootstrap(&nodes[i].dht, boot, nb, 0, now_ms, NULL, NULL) != BT_OK)
        die("bootstrap");
    schedule_tick((uint32_t)i, BT_DHT_TICK_MS);
}

/* ---- announces and lookups ---- */

struct announce {
    unsigned char hash[BT_DHT_ID_LEN];
    size_t node;
    int done;
    size_t stored; /* nodes that took it */
};

struct lookup {
    size_t hash; /* index into the announces */
    int done, found, started;
    size_t queries, rounds;
    uint64_t ms;
};

static struct announce *announces;
static struct lookup *lookups;

static void announce_done(void *arg, const struct bt_dht_result *r)
{
    struct announce *a = arg;

    a->done = 1;
    a->stored = r->announced;
}

static void lookup_done(void *arg, const struct bt_dht_result *r)
{
    struct lookup *l = arg;
    const struct announce *a = &announces[l->hash];
    struct bt_netaddr want = nodes[a->node].addr; /* implied port: where it sends from */
    size_t i;

    l->done = 1;
    l->queries = r->queries;
    l->rounds = r->rounds;
    l->ms = r->ms;
    for (i = 0; i < r->peer_count; i++)
        if (bt_netaddr_equal(&r->peers[i], &want))
            l->found = 1;
}

/* A random node that is not gone. */
static size_t live_node(void)
{
    size_t i;

    do
        i = below(node_total);
    while (nodes[i].gone);
    return i;
}

/* ---- figures ---- */

static int by_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return x < y ? -1 : x > y;
}

/* The p-th percentile (nearest rank) of v[0..n), which it sorts. */
static size_t percentile(size_t *v, size_t n, double p)
{
    size_t rank;

    if (n == 0)
        return 0;
    qsort(v, n, sizeof(v[0]), by_size);
    rank = (size_t)(p / 100.0 * (double)n + 0.999999);
    if (rank < 1)
        rank = 1;
    return v[rank - 1];
}

static double cpu_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
}

static void usage(void)
{
    fprintf(stderr, "usage: dht-sim [-n N] [--loss P] [--churn P] [--lookups L] [--announces A]\n"
                    "               [--warmup S] [--seed S] [--json]\n");
    exit(2);
}

/* The number in s, or usage. */
static double number(const char *s, double lo, double hi)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
        usage();
    return v;
}

int main(int argc, char **argv)
{
    size_t n_lookups = 1000, n_announces = 100, warmup_s = 1200, i;
    double churn = 0.1, cpu0, cpu_quiet, cpu_lookups, cpu_per, cpu_raw;
    uint64_t seed = 1, t, quiet_ms, lookup_ms;
    size_t mem0, mem_nodes, found = 0, done = 0, stored = 0, table_nodes = 0, table_good = 0;
    size_t *queries, *rounds, *ms;
    uint64_t rate_limited = 0, trimmed = 0;
    int json = 0;
    struct rusage ru;

    node_total = 10000;
    loss = 0.1;
    for (i = 1; i < (size_t)argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < (size_t)argc ? argv[i + 1] : NULL;

        if (strcmp(a, "--json") == 0) {
            json = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 || v == NULL)
            usage();
        if (strcmp(a, "-n") == 0)
            node_total = (size_t)number(v, 2, 1e7);
        else if (strcmp(a, "--loss") == 0)
            loss = number(v, 0, 0.99);
        else if (strcmp(a, "--churn") == 0)
            churn = number(v, 0, 0.9);
        else if (strcmp(a, "--lookups") == 0)
            n_lookups = (size_t)number(v, 1, 1e7);
        else if (strcmp(a, "--announces") == 0)
            n_announces = (size_t)number(v, 1, 1e6);
        else if (strcmp(a, "--warmup") == 0)
            warmup_s = (size_t)number(v, 0, 1e6);
        else if (strcmp(a, "--seed") == 0)
            seed = (uint64_t)number(v, 0, 1e18);
        else
            usage();
        i++;
    }
    net_rng = seed * 0x9E3779B97F4A7C15ULL + 1;
    lib_rng = seed * 0xD1B54A32D192ED03ULL + 2;
    if (net_rng == 0)
        net_rng = 1;
    if (lib_rng == 0)
        lib_rng = 1;
    bt_random_replace(sim_random, NULL);

    announces = calloc(n_announces, sizeof(*announces));
    lookups = calloc(n_lookups, sizeof(*lookups));
    queries = calloc(n_lookups, sizeof(*queries));
    rounds = calloc(n_lookups, sizeof(*rounds));
    ms = calloc(n_lookups, sizeof(*ms));
    mem0 = heap_in_use();
    nodes = calloc(node_total, sizeof(*nodes));
    send_ctx = calloc(node_total, sizeof(*send_ctx));
    if (nodes == NULL || send_ctx == NULL || announces == NULL || lookups == NULL ||
        queries == NULL || rounds == NULL || ms == NULL)
        die("out of memory");

    /* Join, then warm up. */
    for (i = 0; i < node_total; i++) {
        run_until(T0 + (uint64_t)i * JOIN_S * 1000 / node_total);
        join(i);
    }
    run_until(now_ms + (uint64_t)warmup_s * 1000);
    mem_nodes = heap_in_use() - mem0 - heap_cap * sizeof(*heap) - queued_bytes;
    for (i = 0; i < node_total; i++) {
        table_nodes += nodes[i].dht.table.node_count;
        table_good += bt_dht_table_good(&nodes[i].dht.table, now_ms);
    }

    /* Churn: gone from now on, still in the others' tables. */
    for (i = 0; i < node_total; i++)
        nodes[i].gone = uniform() < churn;

    for (i = 0; i < n_announces; i++) {
        struct announce *a = &announces[i];
        size_t j;

        for (j = 0; j < BT_DHT_ID_LEN; j++)
            a->hash[j] = (unsigned char)(next(&net_rng) >> 56);
        a->node = live_node();
        if (bt_dht_announce(&nodes[a->node].dht, a->hash, 0, now_ms, announce_done, a) != BT_OK)
            a->done = 1;
        wake((uint32_t)a->node);
        run_until(now_ms + LOOKUP_GAP_MS);
    }
    for (t = 0; t < 600; t++) {
        size_t left = 0;

        for (i = 0; i < n_announces; i++)
            left += !announces[i].done;
        if (left == 0)
            break;
        run_until(now_ms + 1000);
    }

    /* What upkeep alone costs, then the lookups. */
    cpu0 = cpu_s();
    run_until(now_ms + QUIET_MS);
    cpu_quiet = cpu_s() - cpu0;
    quiet_ms = QUIET_MS;

    cpu0 = cpu_s();
    t = now_ms;
    for (i = 0; i < n_lookups; i++) {
        struct lookup *l = &lookups[i];
        size_t from;

        l->hash = below(n_announces);
        do
            from = live_node();
        while (from == announces[l->hash].node);
        l->started = bt_dht_get_peers(&nodes[from].dht, announces[l->hash].hash, now_ms,
                                      lookup_done, l) == BT_OK;
        wake((uint32_t)from);
        run_until(now_ms + LOOKUP_GAP_MS);
    }
    for (;;) {
        size_t left = 0;

        for (i = 0; i < n_lookups; i++)
            left += lookups[i].started && !lookups[i].done;
        if (left == 0 || now_ms - t > 3600 * 1000)
            break;
        run_until(now_ms + 100);
    }
    cpu_lookups = cpu_s() - cpu0;
    lookup_ms = now_ms - t;
    cpu_raw = cpu_lookups / (double)n_lookups * 1e6;
    cpu_per =
        (cpu_lookups - cpu_quiet * (double)lookup_ms / (double)quiet_ms) / (double)n_lookups * 1e6;

    for (i = 0; i < n_lookups; i++) {
        const struct lookup *l = &lookups[i];

        found += (size_t)l->found;
        if (!l->done)
            continue;
        queries[done] = l->queries;
        rounds[done] = l->rounds;
        ms[done] = l->ms;
        done++;
    }
    for (i = 0; i < n_announces; i++)
        stored += announces[i].stored;
    for (i = 0; i < node_total; i++) {
        rate_limited += nodes[i].dht.stats.rate_limited;
        trimmed += nodes[i].dht.stats.trimmed;
    }
    getrusage(RUSAGE_SELF, &ru);

    if (json) {
        printf("{\n");
        printf("  \"nodes\": %zu,\n  \"loss\": %.3f,\n  \"churn\": %.3f,\n", node_total, loss,
               churn);
        printf("  \"seed\": %llu,\n  \"warmup_s\": %zu,\n", (unsigned long long)seed, warmup_s);
        printf("  \"announces\": %zu,\n  \"stored_per_announce\": %.2f,\n", n_announces,
               (double)stored / (double)n_announces);
        printf("  \"lookups\": %zu,\n  \"found\": %zu,\n  \"success\": %.4f,\n", n_lookups, found,
               (double)found / (double)n_lookups);
        printf("  \"messages_median\": %zu,\n", percentile(queries, done, 50));
        printf("  \"messages_p95\": %zu,\n", percentile(queries, done, 95));
        printf("  \"rounds_median\": %zu,\n", percentile(rounds, done, 50));
        printf("  \"rounds_p95\": %zu,\n", percentile(rounds, done, 95));
        printf("  \"ms_median\": %zu,\n", percentile(ms, done, 50));
        printf("  \"ms_p95\": %zu,\n", percentile(ms, done, 95));
        printf("  \"table_nodes\": %.1f,\n", (double)table_nodes / (double)node_total);
        printf("  \"table_good\": %.1f,\n", (double)table_good / (double)node_total);
        printf("  \"heap_per_node\": %zu,\n", mem_nodes / node_total);
        printf("  \"maxrss_kib\": %ld,\n", ru.ru_maxrss);
        printf("  \"cpu_us_per_lookup\": %.1f,\n", cpu_per);
        printf("  \"cpu_us_per_lookup_raw\": %.1f,\n", cpu_raw);
        printf("  \"rate_limited\": %llu,\n", (unsigned long long)rate_limited);
        printf("  \"trimmed\": %llu,\n", (unsigned long long)trimmed);
        printf("  \"datagrams\": %llu,\n", (unsigned long long)sent_total);
        printf("  \"lost\": %llu\n}\n", (unsigned long long)lost_total);
    } else {
        printf("dht-sim: %zu nodes, %.0f%% loss, %.0f%% gone, seed %llu, %zu s warm-up\n",
               node_total, loss * 100, churn * 100, (unsigned long long)seed, warmup_s);
        printf("  tables after warm-up    %.1f nodes, %.1f good (mean)\n",
               (double)table_nodes / (double)node_total, (double)table_good / (double)node_total);
        printf("  announces               %zu, stored on %.2f nodes each (mean)\n", n_announces,
               (double)stored / (double)n_announces);
        printf("  get_peers success       %zu/%zu = %.2f%%\n", found, n_lookups,
               100.0 * (double)found / (double)n_lookups);
        printf("  messages per get_peers  median %zu, p95 %zu\n", percentile(queries, done, 50),
               percentile(queries, done, 95));
        printf("  rounds per get_peers    median %zu, p95 %zu\n", percentile(rounds, done, 50),
               percentile(rounds, done, 95));
        printf("  simulated ms per lookup median %zu, p95 %zu\n", percentile(ms, done, 50),
               percentile(ms, done, 95));
        printf("  heap per node           %zu bytes (mallinfo2 after warm-up / N)\n",
               mem_nodes / node_total);
        printf("  peak RSS                %ld KiB\n", ru.ru_maxrss);
        printf("  CPU per lookup          %.1f us (%.1f us with the upkeep of the phase)\n",
               cpu_per, cpu_raw);
        printf("  datagrams               %llu sent, %llu lost\n", (unsigned long long)sent_total,
               (unsigned long long)lost_total);
        printf("  queries rate-limited    %llu; answers trimmed for unproven addresses %llu\n",
               (unsigned long long)rate_limited, (unsigned long long)trimmed);
    }
    for (i = 0; i < node_total; i++)
        bt_dht_release(&nodes[i].dht);
    while (heap_len > 0)
        free(pop().pkt);
    free(heap);
    free(nodes);
    free(send_ctx);
    free(announces);
    free(lookups);
    free(queries);
    free(rounds);
    free(ms);
    if (fflush(stdout) != 0 || ferror(stdout))
        die("cannot write to stdout");
    return 0;
}
