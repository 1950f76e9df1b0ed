/*
 * test_krpc.c - the DHT's ids and messages without a network: the XOR metric,
 * BEP 42's published test vectors, BEP 5's own example messages, a round trip
 * of every method and kind, hostile datagrams, and the trace line.
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/net.h"
#include "dht/id.h"
#include "dht/krpc.h"
#include "tap.h"

/* Parse the C string s as one datagram. */
static enum bt_err parse(const char *s, struct bt_krpc_msg *m, const char **why)
{
    return bt_krpc_parse(m, s, strlen(s), why);
}

/* len bytes at p must be refused with the phrase want (any phrase if NULL). */
static void refused(const void *p, size_t len, const char *want, const char *name)
{
    struct bt_krpc_msg m;
    const char *why = NULL;
    enum bt_err err = bt_krpc_parse(&m, p, len, &why);
    int pass = err == BT_ERR_KRPC && why != NULL && (want == NULL || strcmp(why, want) == 0);

    ok(pass, "%s: refused%s%s", name, want != NULL ? ", " : "", want != NULL ? want : "");
    if (!pass)
        printf("# got: %s (%s)\n", bt_strerror(err), why != NULL ? why : "no reason");
}

static void refused_text(const char *s, const char *want, const char *name)
{
    refused(s, strlen(s), want, name);
}

/* Parse s, build it again and compare: BEP 5's examples are canonical bencode,
 * so our encoder must give back the very same bytes. */
static int same_again(const char *s)
{
    struct bt_krpc_msg m;
    struct bt_buf out;
    int same;

    if (parse(s, &m, NULL) != BT_OK)
        return 0;
    bt_buf_init(&out, BT_KRPC_OUT_MAX);
    same =
        bt_krpc_put(&out, &m) == BT_OK && out.len == strlen(s) && memcmp(out.data, s, out.len) == 0;
    if (!same)
        printf("# built: %.*s\n", (int)out.len, out.data != NULL ? (char *)out.data : "");
    bt_buf_release(&out);
    return same;
}

static void v4(struct bt_netaddr *a, int b0, int b1, int b2, int b3, uint16_t port)
{
    memset(a, 0, sizeof(*a));
    a->ip[0] = (unsigned char)b0;
    a->ip[1] = (unsigned char)b1;
    a->ip[2] = (unsigned char)b2;
    a->ip[3] = (unsigned char)b3;
    a->iplen = 4;
    a->port = port;
}

/* An IPv6 address whose first two bytes are b0 b1, last byte last. */
static void v6(struct bt_netaddr *a, int b0, int b1, int last, uint16_t port)
{
    memset(a, 0, sizeof(*a));
    a->ip[0] = (unsigned char)b0;
    a->ip[1] = (unsigned char)b1;
    a->ip[15] = (unsigned char)last;
    a->iplen = 16;
    a->port = port;
}

static void test_metric(void)
{
    unsigned char a[BT_DHT_ID_LEN], b[BT_DHT_ID_LEN], t[BT_DHT_ID_LEN], d[BT_DHT_ID_LEN];
    unsigned char near[BT_DHT_ID_LEN];
    unsigned bits, bad = 0;

    memset(t, 0, sizeof(t));
    memset(a, 0, sizeof(a));
    memset(b, 0, sizeof(b));
    a[19] = 0x01;
    b[0] = 0x80;
    ok(bt_dht_id_closer(t, a, b) < 0 && bt_dht_id_closer(t, b, a) > 0,
       "an id differing in the last bit is closer than one differing in the first");
    ok(bt_dht_id_closer(t, a, a) == 0, "an id is as close as itself");
    ok(bt_dht_id_common_bits(a, b) == 0, "0x80... and 0x00... share no leading bit");
    ok(bt_dht_id_common_bits(t, a) == 159, "ids differing in the last bit share 159");
    ok(bt_dht_id_common_bits(a, a) == BT_DHT_ID_BITS, "an id shares all 160 bits with itself");
    b[0] = 0x10;
    ok(bt_dht_id_common_bits(t, b) == 3, "0x10... shares 3 leading bits with 0x00...");
    bt_dht_id_distance(a, b, d);
    ok(d[0] == 0x10 && d[19] == 0x01 && d[10] == 0, "distance is XOR");

    ok(bt_dht_id_random(a) == BT_OK && bt_dht_id_random(b) == BT_OK && memcmp(a, b, 20) != 0,
       "two random ids differ");
    for (bits = 0; bits < BT_DHT_ID_BITS; bits++) {
        if (bt_dht_id_random_near(a, bits, near) != BT_OK || bt_dht_id_common_bits(a, near) != bits)
            bad++;
    }
    ok(bad == 0, "random_near shares exactly n leading bits, for every n below 160 (%u wrong)",
       bad);
    ok(bt_dht_id_random_near(a, BT_DHT_ID_BITS, near) == BT_ERR_INVALID,
       "random_near refuses 160 shared bits");
}

struct bep42_vector {
    int ip[4];
    unsigned char r;
    unsigned char prefix[3];
};

static void test_bep42(void)
{
    /* BEP 42's table of test vectors: the first 21 bits follow from the address
     * and r; the 3 bits after them are random in the BEP's ids, so only the top 5
     * bits of the third byte are compared. */
    static const struct bep42_vector vectors[] = {
        {{124, 31, 75, 21}, 1, {0x5f, 0xbf, 0xbf}},  {{21, 75, 31, 124}, 86, {0x5a, 0x3c, 0xe9}},
        {{65, 23, 51, 170}, 22, {0xa5, 0xd4, 0x32}}, {{84, 124, 73, 14}, 65, {0x1b, 0x03, 0x21}},
        {{43, 213, 53, 83}, 90, {0xe5, 0x6f, 0x6c}},
    };
    struct bt_netaddr addr;
    unsigned char id[BT_DHT_ID_LEN];
    size_t i;

    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const struct bep42_vector *v = &vectors[i];

        v4(&addr, v->ip[0], v->ip[1], v->ip[2], v->ip[3], 6881);
        memset(id, 0xaa, sizeof(id));
        bt_dht_id_secure(&addr, v->r, id);
        ok(id[0] == v->prefix[0] && id[1] == v->prefix[1] &&
               (id[2] & 0xf8) == (v->prefix[2] & 0xf8) && id[19] == v->r,
           "BEP 42: %d.%d.%d.%d with r %u gives %02x%02x%02x..%02x", v->ip[0], v->ip[1], v->ip[2],
           v->ip[3], (unsigned)v->r, id[0], id[1], id[2], id[19]);
        ok((id[2] & 0x07) == (0xaa & 0x07) && id[10] == 0xaa,
           "BEP 42: the random bits of %d.%d.%d.%d's id are left alone", v->ip[0], v->ip[1],
           v->ip[2], v->ip[3]);
        memset(id, 0, sizeof(id));
        memcpy(id, v->prefix, sizeof(v->prefix));
        id[19] = v->r;
        ok(bt_dht_id_is_secure(id, &addr), "BEP 42: the published id of %d.%d.%d.%d is valid",
           v->ip[0], v->ip[1], v->ip[2], v->ip[3]);
        id[2] ^= 0x08;
        ok(!bt_dht_id_is_secure(id, &addr), "BEP 42: its 21st bit flipped, it is not");
    }
    v4(&addr, 124, 31, 75, 21, 6881);
    memset(id, 0, sizeof(id));
    memcpy(id, vectors[0].prefix, 3);
    id[19] = 9; /* r's low 3 bits are 1 as in the vector: only those bits count */
    ok(bt_dht_id_is_secure(id, &addr), "BEP 42: only r's low 3 bits go into the crc");
    id[19] = 2;
    ok(!bt_dht_id_is_secure(id, &addr), "BEP 42: another r needs another prefix");
    v4(&addr, 128, 31, 75, 21, 6881);
    id[19] = 1;
    ok(bt_dht_id_is_secure(id, &addr),
       "BEP 42: only the low 2 bits of an IPv4 address's first byte count (128 for 124)");
    v4(&addr, 124, 31, 75, 22, 6881);
    ok(!bt_dht_id_is_secure(id, &addr), "BEP 42: all of an IPv4 address's last byte counts");
    v4(&addr, 125, 31, 75, 21, 6881);
    ok(!bt_dht_id_is_secure(id, &addr), "BEP 42: another network, another prefix");

    v6(&addr, 0x20, 0x01, 7, 6881);
    ok(bt_dht_id_random(id) == BT_OK, "random id for IPv6");
    bt_dht_id_secure(&addr, 0x33, id);
    ok(bt_dht_id_is_secure(id, &addr) && id[19] == 0x33, "BEP 42: an IPv6 id made valid is valid");
    addr.ip[15] = 8;
    ok(bt_dht_id_is_secure(id, &addr), "BEP 42: only an IPv6 address's first 8 bytes count");
    addr.ip[1] = 0x02;
    ok(!bt_dht_id_is_secure(id, &addr), "BEP 42: another IPv6 network, another prefix");

    memset(id, 0, sizeof(id));
    v4(&addr, 127, 0, 0, 1, 1);
    ok(bt_dht_id_local(&addr) && bt_dht_id_is_secure(id, &addr), "127.0.0.1 is exempt");
    v4(&addr, 10, 1, 2, 3, 1);
    ok(bt_dht_id_local(&addr), "10/8 is local");
    v4(&addr, 172, 31, 0, 1, 1);
    ok(bt_dht_id_local(&addr), "172.31.0.1 is in 172.16/12");
    v4(&addr, 172, 32, 0, 1, 1);
    ok(!bt_dht_id_local(&addr), "172.32.0.1 is not");
    v4(&addr, 192, 168, 1, 1, 1);
    ok(bt_dht_id_local(&addr), "192.168/16 is local");
    v4(&addr, 169, 254, 9, 9, 1);
    ok(bt_dht_id_local(&addr), "169.254/16 is local");
    v4(&addr, 8, 8, 8, 8, 1);
    ok(!bt_dht_id_local(&addr) && !bt_dht_id_is_secure(id, &addr), "8.8.8.8 is not exempt");
    v6(&addr, 0, 0, 1, 1);
    ok(bt_dht_id_local(&addr), "::1 is local");
    v6(&addr, 0xfd, 0x12, 1, 1);
    ok(bt_dht_id_local(&addr), "fd12:: is in fc00::/7");
    v6(&addr, 0xfe, 0x80, 1, 1);
    ok(bt_dht_id_local(&addr), "fe80:: is link-local");
    v6(&addr, 0xfe, 0xc0, 1, 1);
    ok(!bt_dht_id_local(&addr), "fec0:: is not in fe80::/10");
    v6(&addr, 0x20, 0x01, 1, 1);
    ok(!bt_dht_id_local(&addr), "2001:: is not local");
}

/* The example messages of BEP 5, byte for byte. */
static void test_bep5_examples(void)
{
    static const char ping_q[] = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
    static const char ping_r[] = "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re";
    static const char find_q[] = "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456"
                                 "e1:q9:find_node1:t2:aa1:y1:qe";
    static const char find_r[] =
        "d1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:y1:re";
    static const char get_q[] = "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456"
                                "e1:q9:get_peers1:t2:aa1:y1:qe";
    static const char get_r_values[] = "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth"
                                       "6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re";
    static const char get_r_nodes[] = "d1:rd2:id20:abcdefghij01234567895:nodes9:def456..."
                                      "5:token8:aoeusnthe1:t2:aa1:y1:re";
    static const char announce_q[] = "d1:ad2:id20:abcdefghij012345678912:implied_porti1e"
                                     "9:info_hash20:mnopqrstuvwxyz1234564:porti6881e"
                                     "5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe";
    static const char announce_r[] = "d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re";
    static const char error[] = "d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee";
    struct bt_krpc_msg m;

    ok(parse(ping_q, &m, NULL) == BT_OK && m.kind == BT_KRPC_QUERY && m.method == BT_KRPC_PING &&
           m.tid_len == 2 && memcmp(m.tid, "aa", 2) == 0 && m.has_id &&
           memcmp(m.id, "abcdefghij0123456789", 20) == 0,
       "BEP 5 ping query");
    ok(same_again(ping_q), "BEP 5 ping query: built again byte for byte");
    ok(parse(ping_r, &m, NULL) == BT_OK && m.kind == BT_KRPC_RESPONSE && m.has_id &&
           memcmp(m.id, "mnopqrstuvwxyz123456", 20) == 0 && m.node_count == 0 && !m.has_token,
       "BEP 5 ping response");
    ok(same_again(ping_r), "BEP 5 ping response: built again byte for byte");
    ok(parse(find_q, &m, NULL) == BT_OK && m.method == BT_KRPC_FIND_NODE && m.has_target &&
           memcmp(m.target, "mnopqrstuvwxyz123456", 20) == 0 && m.want == 0,
       "BEP 5 find_node query");
    ok(same_again(find_q), "BEP 5 find_node query: built again byte for byte");
    /* The BEP writes "def456..." where the nodes go: 9 bytes, not a whole node. */
    refused_text(find_r, "nodes is not a multiple of 26 bytes",
                 "BEP 5 find_node response, with its 9-byte placeholder for nodes");
    ok(parse(get_q, &m, NULL) == BT_OK && m.method == BT_KRPC_GET_PEERS && m.has_info_hash &&
           memcmp(m.info_hash, "mnopqrstuvwxyz123456", 20) == 0 && !m.has_target,
       "BEP 5 get_peers query");
    ok(same_again(get_q), "BEP 5 get_peers query: built again byte for byte");
    ok(parse(get_r_values, &m, NULL) == BT_OK && m.kind == BT_KRPC_RESPONSE && m.has_token &&
           m.token_len == 8 && memcmp(m.token, "aoeusnth", 8) == 0 && m.value_count == 2 &&
           m.values[0].iplen == 4 && memcmp(m.values[0].ip, "axje", 4) == 0 &&
           m.values[0].port == ('.' << 8 | 'u') && memcmp(m.values[1].ip, "idht", 4) == 0,
       "BEP 5 get_peers response with values");
    ok(same_again(get_r_values), "BEP 5 get_peers response: built again byte for byte");
    refused_text(get_r_nodes, "nodes is not a multiple of 26 bytes",
                 "BEP 5 get_peers response with its placeholder nodes");
    ok(parse(announce_q, &m, NULL) == BT_OK && m.method == BT_KRPC_ANNOUNCE_PEER &&
           m.implied_port && m.port == 6881 && m.has_token && m.token_len == 8 && m.has_info_hash,
       "BEP 5 announce_peer query");
    ok(same_again(announce_q), "BEP 5 announce_peer query: built again byte for byte");
    ok(parse(announce_r, &m, NULL) == BT_OK && m.kind == BT_KRPC_RESPONSE,
       "BEP 5 announce_peer response");
    ok(parse(error, &m, NULL) == BT_OK && m.kind == BT_KRPC_ERROR &&
           m.error_code == BT_KRPC_ERR_GENERIC &&
           strcmp(m.error_message, "A Generic Error Ocurred") == 0,
       "BEP 5 error");
    ok(same_again(error), "BEP 5 error: built again byte for byte");
}

/* put m, parse it back into back; BT_OK if both worked. */
static enum bt_err round_trip(const struct bt_krpc_msg *m, struct bt_krpc_msg *back)
{
    struct bt_buf out;
    enum bt_err err;

    bt_buf_init(&out, BT_KRPC_OUT_MAX);
    err = bt_krpc_put(&out, m);
    if (err == BT_OK)
        err = bt_krpc_parse(back, out.data, out.len, NULL);
    bt_buf_release(&out);
    return err;
}

/* An empty message of kind with transaction id 6a01, and a sender id for a query
 * or a response. */
static void base_message(struct bt_krpc_msg *m, enum bt_krpc_kind kind)
{
    bt_krpc_init(m);
    m->kind = kind;
    memcpy(m->tid, "\x6a\x01", 2);
    m->tid_len = 2;
    m->has_id = kind != BT_KRPC_ERROR;
    memset(m->id, kind == BT_KRPC_QUERY ? 0x3f : 0x77, BT_DHT_ID_LEN);
}

static void base_query(struct bt_krpc_msg *m, enum bt_krpc_method method)
{
    base_message(m, BT_KRPC_QUERY);
    m->method = method;
}

static void base_error(struct bt_krpc_msg *m, int64_t code, const char *text)
{
    base_message(m, BT_KRPC_ERROR);
    m->error_code = code;
    snprintf(m->error_message, sizeof(m->error_message), "%s", text);
}

static void test_round_trips(void)
{
    struct bt_krpc_msg m, back;
    size_t i;

    base_query(&m, BT_KRPC_PING);
    m.read_only = 1;
    ok(round_trip(&m, &back) == BT_OK && back.kind == BT_KRPC_QUERY &&
           back.method == BT_KRPC_PING && back.tid_len == 2 &&
           memcmp(back.tid, "\x6a\x01", 2) == 0 && memcmp(back.id, m.id, 20) == 0 &&
           back.read_only && !back.has_target && !back.has_info_hash,
       "ping query with ro round-trips");

    base_query(&m, BT_KRPC_FIND_NODE);
    m.has_target = 1;
    memset(m.target, 0x77, BT_DHT_ID_LEN);
    m.want = BT_KRPC_WANT_N4 | BT_KRPC_WANT_N6;
    ok(round_trip(&m, &back) == BT_OK && back.method == BT_KRPC_FIND_NODE && back.has_target &&
           memcmp(back.target, m.target, 20) == 0 && back.want == m.want && !back.read_only,
       "find_node query with want n4 n6 round-trips");

    base_query(&m, BT_KRPC_GET_PEERS);
    m.has_info_hash = 1;
    memset(m.info_hash, 0x01, BT_DHT_ID_LEN);
    m.want = BT_KRPC_WANT_N6;
    ok(round_trip(&m, &back) == BT_OK && back.method == BT_KRPC_GET_PEERS && back.has_info_hash &&
           memcmp(back.info_hash, m.info_hash, 20) == 0 && back.want == BT_KRPC_WANT_N6,
       "get_peers query with want n6 round-trips");

    base_query(&m, BT_KRPC_ANNOUNCE_PEER);
    m.has_info_hash = 1;
    memset(m.info_hash, 0x02, BT_DHT_ID_LEN);
    m.has_token = 1;
    memcpy(m.token, "\x00\x01\x02\x03\x04\x05\x06\x07", 8);
    m.token_len = 8;
    m.port = 51413;
    ok(round_trip(&m, &back) == BT_OK && back.method == BT_KRPC_ANNOUNCE_PEER &&
           back.port == 51413 && !back.implied_port && back.token_len == 8 &&
           memcmp(back.token, m.token, 8) == 0 && memcmp(back.info_hash, m.info_hash, 20) == 0,
       "announce_peer query round-trips");
    m.implied_port = 1;
    m.port = 0;
    ok(round_trip(&m, &back) == BT_OK && back.implied_port && back.port == 0,
       "announce_peer with implied_port and port 0 round-trips");

    base_message(&m, BT_KRPC_RESPONSE);
    m.has_token = 1;
    memcpy(m.token, "tok", 3);
    m.token_len = 3;
    /* Nodes of both families, interleaved: they come back grouped, IPv4 first. */
    for (i = 0; i < 6; i++) {
        memset(m.nodes[i].id, (int)(0x10 + i), BT_DHT_ID_LEN);
        if (i % 2 == 0)
            v4(&m.nodes[i].addr, 192, 0, 2, (int)i, (uint16_t)(6881 + i));
        else
            v6(&m.nodes[i].addr, 0x20, 0x01, (int)i, (uint16_t)(6881 + i));
    }
    m.node_count = 6;
    v4(&m.values[0], 198, 51, 100, 1, 1);
    v6(&m.values[1], 0x20, 0x01, 2, 65535);
    m.value_count = 2;
    ok(round_trip(&m, &back) == BT_OK && back.kind == BT_KRPC_RESPONSE && back.node_count == 6 &&
           back.nodes[0].addr.ip[3] == 0 && back.nodes[1].addr.ip[3] == 2 &&
           back.nodes[2].addr.ip[3] == 4 && back.nodes[3].addr.iplen == 16 &&
           back.nodes[3].addr.ip[15] == 1 && back.nodes[5].addr.port == 6886 &&
           back.nodes[4].id[0] == 0x13 && back.value_count == 2 &&
           bt_netaddr_equal(&back.values[0], &m.values[0]) &&
           bt_netaddr_equal(&back.values[1], &m.values[1]) && back.token_len == 3 &&
           back.dropped == 0,
       "response with nodes, nodes6, token and values round-trips");

    base_error(&m, BT_KRPC_ERR_METHOD, "Method Unknown");
    ok(round_trip(&m, &back) == BT_OK && back.kind == BT_KRPC_ERROR &&
           back.error_code == BT_KRPC_ERR_METHOD &&
           strcmp(back.error_message, "Method Unknown") == 0,
       "error round-trips");
}

static void test_put_refusals(void)
{
    struct bt_krpc_msg m;
    struct bt_buf out;

    bt_buf_init(&out, 40);
    bt_buf_append_str(&out, "kept");
    base_query(&m, BT_KRPC_UNKNOWN);
    ok(bt_krpc_put(&out, &m) == BT_ERR_INVALID, "a query of no known method is not built");
    base_query(&m, BT_KRPC_PING);
    m.tid_len = 0;
    ok(bt_krpc_put(&out, &m) == BT_ERR_INVALID, "a message without a transaction id is not built");
    base_query(&m, BT_KRPC_FIND_NODE);
    ok(bt_krpc_put(&out, &m) == BT_ERR_INVALID, "find_node without a target is not built");
    bt_krpc_init(&m);
    memcpy(m.tid, "aa", 2);
    m.tid_len = 2;
    ok(bt_krpc_put(&out, &m) == BT_ERR_INVALID, "kind 0 is not built");
    base_query(&m, BT_KRPC_PING);
    ok(bt_krpc_put(&out, &m) == BT_ERR_TOO_LARGE && out.len == 4 &&
           strcmp((char *)out.data, "kept") == 0,
       "a message past the buffer's cap: BT_ERR_TOO_LARGE and nothing appended");
    bt_buf_release(&out);
}

/* A datagram d 1:rd 2:id 20:... <key> <value> e 1:t 2:aa 1:y 1:r e around raw bytes. */
static size_t response_with(unsigned char *out, size_t max, const char *key, const void *value,
                            size_t value_len)
{
    static const char id[] = "2:id20:abcdefghij0123456789";
    int head = snprintf((char *)out, max, "d1:rd%s%zu:%s", id, strlen(key), key);
    size_t n = (size_t)head;

    if (head < 0 || n + value_len + 32 > max)
        return 0;
    memcpy(out + n, value, value_len);
    n += value_len;
    memcpy(out + n, "e1:t2:aa1:y1:re", 15);
    return n + 15;
}

/* A response whose key holds a string of len bytes. */
static size_t response_string(unsigned char *out, size_t max, const char *key, size_t len)
{
    static unsigned char value[8 * BT_KRPC_MAX_PACKET];
    int head = snprintf((char *)value, sizeof(value), "%zu:", len);

    if (head < 0 || (size_t)head + len > sizeof(value))
        return 0;
    memset(value + head, 'N', len);
    return response_with(out, max, key, value, (size_t)head + len);
}

/* Strings of the wrong size, and the reason each is refused. */
static const struct {
    const char *key;
    size_t len;
    const char *why;
    const char *name;
} sized[] = {
    {"nodes", 25, "nodes is not a multiple of 26 bytes", "25 bytes of nodes"},
    {"nodes", 27, "nodes is not a multiple of 26 bytes", "27 bytes of nodes"},
    {"nodes6", 37, "nodes6 is not a multiple of 38 bytes", "37 bytes of nodes6"},
    {"nodes6", 26, "nodes6 is not a multiple of 38 bytes", "an IPv4 node in nodes6"},
    {"nodes", 1000 * BT_KRPC_NODE4_LEN, "datagram too large", "1000 nodes (26000 bytes)"},
    {"token", 300, "token too long", "a token of 300 bytes"},
    {"token", BT_KRPC_TOKEN_MAX + 1, "token too long", "a token of 33 bytes"},
};

static void test_hostile_sizes(void)
{
    /* Room for datagrams far past the cap, to see them refused. */
    static unsigned char pkt[8 * BT_KRPC_MAX_PACKET];
    static unsigned char value[8 * BT_KRPC_MAX_PACKET];
    static const char open_r[] = "d1:t2:aa1:y1:r1:rd2:id20:abcdefghij01234567891:x";
    struct bt_krpc_msg m;
    const char *why = NULL;
    enum bt_err err;
    size_t n, i;

    memset(pkt, 0, sizeof(pkt));
    n = strlen(open_r);
    memcpy(pkt, open_r, n);
    n += (size_t)sprintf((char *)pkt + n, "4000:");
    n += 4000; /* zero bytes, a string's content */
    memcpy(pkt + n, "ee", 2);
    n += 2;
    ok(bt_krpc_parse(&m, pkt, n, NULL) == BT_OK, "a datagram of %zu bytes (under 4096) parses", n);
    memset(pkt, ' ', BT_KRPC_MAX_PACKET + 1);
    err = bt_krpc_parse(&m, pkt, BT_KRPC_MAX_PACKET + 1, &why);
    ok(err == BT_ERR_KRPC && why != NULL && strcmp(why, "datagram too large") == 0 &&
           m.tid_len == 0,
       "a datagram of 4097 bytes is refused before parsing");

    for (i = 0; i < sizeof(sized) / sizeof(sized[0]); i++) {
        n = response_string(pkt, sizeof(pkt), sized[i].key, sized[i].len);
        refused(pkt, n, sized[i].why, sized[i].name);
    }
    n = response_string(pkt, sizeof(pkt), "nodes", 150 * BT_KRPC_NODE4_LEN);
    err = bt_krpc_parse(&m, pkt, n, NULL);
    ok(err == BT_OK && m.node_count == BT_KRPC_MAX_NODES && m.dropped == 150 - BT_KRPC_MAX_NODES,
       "150 nodes in one datagram: 16 kept, 134 counted as dropped");
    n = response_string(pkt, sizeof(pkt), "token", BT_KRPC_TOKEN_MAX);
    err = bt_krpc_parse(&m, pkt, n, NULL);
    ok(err == BT_OK && m.has_token && m.token_len == 32, "a token of 32 bytes is kept");
    n = response_with(pkt, sizeof(pkt), "nodes", "i26e", 4);
    refused(pkt, n, "nodes is not a string", "nodes as an integer");

    n = strlen(open_r);
    memcpy(pkt, open_r, n);
    for (i = 0; i < 50; i++)
        pkt[n++] = 'l';
    for (i = 0; i < 50; i++)
        pkt[n++] = 'e';
    memcpy(pkt + n, "ee", 2);
    refused(pkt, n + 2, "nested too deep", "50 nested lists");

    n = strlen(open_r);
    memcpy(pkt, open_r, n);
    pkt[n++] = 'l';
    for (i = 0; i < 1000; i++) {
        memcpy(pkt + n, "i0e", 3);
        n += 3;
    }
    memcpy(pkt + n, "eee", 3);
    refused(pkt, n + 3, "too many values", "1000 small integers in 3 KiB");

    n = 0;
    value[n++] = 'l';
    for (i = 0; i < 470; i++) {
        memcpy(value + n, "6:abcdef", 8);
        n += 8;
    }
    value[n++] = 'e';
    n = response_with(pkt, sizeof(pkt), "values", value, n);
    err = bt_krpc_parse(&m, pkt, n, NULL);
    ok(n <= BT_KRPC_MAX_PACKET && err == BT_OK && m.value_count == BT_KRPC_MAX_VALUES &&
           m.dropped == 470 - BT_KRPC_MAX_VALUES,
       "470 values in one datagram: 128 kept, 342 counted as dropped");
    n = response_with(pkt, sizeof(pkt), "values", "l5:abcdee", 9);
    refused(pkt, n, "a value is not 6 or 18 bytes", "a 5-byte value");
    n = response_with(pkt, sizeof(pkt), "values", "l6:abcdef7:abcdefge", 19);
    refused(pkt, n, "a value is not 6 or 18 bytes", "a 7-byte value after a good one");
    n = response_with(pkt, sizeof(pkt), "values", "l0:e", 4);
    refused(pkt, n, "a value is not 6 or 18 bytes", "an empty value");
    n = response_with(pkt, sizeof(pkt), "values", "li6ee", 5);
    refused(pkt, n, "a value is not 6 or 18 bytes", "an integer value");
    n = response_with(pkt, sizeof(pkt), "values", "6:abcdef", 8);
    refused(pkt, n, "values is not a list", "values as a string");

    memset(value, 'm', 300);
    memcpy(value, "li201e300:", 10);
    memcpy(value + 10 + 300, "e", 1);
    memcpy(pkt, "d1:e", 4);
    memcpy(pkt + 4, value, 311);
    memcpy(pkt + 315, "1:t2:aa1:y1:ee", 14);
    err = bt_krpc_parse(&m, pkt, 329, NULL);
    ok(err == BT_OK && strlen(m.error_message) == BT_KRPC_MESSAGE_MAX - 1,
       "a 300-byte error message is cut to %d bytes", BT_KRPC_MESSAGE_MAX - 1);
}

static void test_hostile_fields(void)
{
    struct bt_krpc_msg m;
    const char *why = NULL;
    enum bt_err err;

    err = parse("d1:ad2:id2:abe1:q4:ping1:t2:aa1:y1:qe", &m, &why);
    ok(err == BT_ERR_KRPC && why != NULL && strcmp(why, "sender id is not 20 bytes") == 0 &&
           m.tid_len == 2 && m.kind == BT_KRPC_QUERY,
       "a 2-byte id: refused, with the tid and kind known for the 203 answer");
    refused_text("d1:ad2:idi5ee1:q4:ping1:t2:aa1:y1:qe", "sender id is not 20 bytes",
                 "an integer id");
    refused_text("d1:ade1:q4:ping1:t2:aa1:y1:qe", "no sender id", "a query without an id");
    refused_text("d1:rde1:t2:aa1:y1:re", "no sender id", "a response without an id");
    refused_text("d1:rd2:id21:abcdefghij0123456789xe1:t2:aa1:y1:re", "sender id is not 20 bytes",
                 "a 21-byte id in a response");
    refused_text("d1:rd2:id20:abcdefghij0123456789e1:t17:abcdefghijklmnopq1:y1:re",
                 "transaction id too long", "a 17-byte transaction id");
    refused_text("d1:rd2:id20:abcdefghij0123456789e1:t0:1:y1:re", "empty transaction id",
                 "an empty transaction id");
    refused_text("d1:rd2:id20:abcdefghij0123456789e1:y1:re", "no transaction id", "\"t\" missing");
    refused_text("d1:rd2:id20:abcdefghij0123456789e1:ti1e1:y1:re", "transaction id is not a string",
                 "\"t\" an integer");

    refused_text("d1:rd2:id20:abcdefghij0123456789e1:t2:aa1:y1:xe", "message type is not q, r or e",
                 "\"y\" unknown");
    refused_text("d1:rd2:id20:abcdefghij0123456789e1:t2:aa1:y2:qqe",
                 "message type is not q, r or e", "\"y\" of two letters");
    refused_text("d1:rd2:id20:abcdefghij0123456789e1:t2:aa1:yi1ee", "message type is not q, r or e",
                 "\"y\" an integer");
    refused_text("d1:rd2:id20:abcdefghij0123456789e1:t2:aae", "no message type", "\"y\" missing");
    refused_text("l1:t2:aa1:y1:re", "not a dictionary", "a list at the top");
    refused_text("i42e", "not a dictionary", "an integer at the top");
    refused_text("d1:al2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe",
                 "arguments are not a dictionary", "a list where the arguments' dict belongs");
    refused_text("d1:rl2:id20:abcdefghij0123456789e1:t2:aa1:y1:re", "r is not a dictionary",
                 "a list where the response's dict belongs");
    refused_text("d1:ed1:ai1ee1:t2:aa1:y1:ee", "e is not a list",
                 "a dict where the error list belongs");
    refused_text("d1:q4:ping1:t2:aa1:y1:qe", "no arguments", "a query without \"a\"");
    refused_text("d1:ad2:id20:abcdefghij0123456789e1:t2:aa1:y1:qe", "no method",
                 "a query without \"q\"");
    refused_text("d1:ad2:id20:abcdefghij0123456789e1:qi1e1:t2:aa1:y1:qe", "method is not a string",
                 "a query whose \"q\" is an integer");
    refused_text("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:q", "not bencoded",
                 "a truncated datagram");
    refused_text("", "not bencoded", "an empty datagram");
    refused_text("d1:t2:aa1:y1:r1:rd2:id20:abcdefghij01234567891:xlleee", "nested too deep",
                 "a list in a list in the response (three levels are all KRPC has)");
    ok(parse("d1:t2:aa1:y1:r1:rd2:id20:abcdefghij01234567891:xl1:ae1:yi0eee", &m, NULL) == BT_OK,
       "a list of strings and an unknown key in a response are ignored");

    refused_text("d1:ad2:id20:abcdefghij01234567896:target19:mnopqrstuvwxyz12345e1:q9:find_node"
                 "1:t2:aa1:y1:qe",
                 "target is not 20 bytes", "a 19-byte target");
    refused_text("d1:ad2:id20:abcdefghij0123456789e1:q9:find_node1:t2:aa1:y1:qe", "no target",
                 "find_node without a target");
    refused_text("d1:ad2:id20:abcdefghij0123456789e1:q9:get_peers1:t2:aa1:y1:qe", "no info_hash",
                 "get_peers without info_hash");
    refused_text("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:wanti1ee"
                 "1:q9:get_peers1:t2:aa1:y1:qe",
                 "want is not a list", "want as an integer");
    refused_text("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:wantli4eee"
                 "1:q9:get_peers1:t2:aa1:y1:qe",
                 "want holds a non-string", "want holding an integer");
    err = parse("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:wantl2:n6"
                "2:xxee1:q9:get_peers1:t2:aa1:y1:qe",
                &m, NULL);
    ok(err == BT_OK && m.want == BT_KRPC_WANT_N6, "want n6 and an unknown family: n6");
    refused_text("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti0e"
                 "5:token1:xe1:q13:announce_peer1:t2:aa1:y1:qe",
                 "port is not 1-65535", "announce_peer to port 0");
    refused_text("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:"
                 "porti65536e5:token1:xe1:q13:announce_peer1:t2:aa1:y1:qe",
                 "port is not 1-65535", "announce_peer to port 65536");
    refused_text("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881e"
                 "e1:q13:announce_peer1:t2:aa1:y1:qe",
                 "no token", "announce_peer without a token");
    refused_text("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234565:token1:xe"
                 "1:q13:announce_peer1:t2:aa1:y1:qe",
                 "no port", "announce_peer without a port or implied_port");
    err = parse("d1:ad2:id20:abcdefghij0123456789e1:q9:vote_poll1:t2:aa1:y1:qe", &m, NULL);
    ok(err == BT_OK && m.kind == BT_KRPC_QUERY && m.method == BT_KRPC_UNKNOWN && m.has_id,
       "an unknown method parses, as BT_KRPC_UNKNOWN (the node answers 204)");
    refused_text("d1:ad2:id20:abcdefghij0123456789e1:q4:ping2:ro2:no1:t2:aa1:y1:qe",
                 "ro is not an integer", "\"ro\" as a string");
    err = parse("d1:t2:aa1:y1:q1:q4:ping1:ad2:id20:abcdefghij0123456789ee", &m, NULL);
    ok(err == BT_OK && m.method == BT_KRPC_PING, "keys in any order are accepted");

    refused_text("d1:eli201ee1:t2:aa1:y1:ee", "error list too short", "an error without message");
    refused_text("d1:el3:abc3:defe1:t2:aa1:y1:ee", "error code is not an integer",
                 "an error code that is a string");
    refused_text("d1:eli201ei5ee1:t2:aa1:y1:ee", "error message is not a string",
                 "an error message that is an integer");
    err = parse("d1:eli202e8:bad\x1b[2Jxe1:t2:aa1:y1:ee", &m, NULL);
    ok(err == BT_OK && strcmp(m.error_message, "bad?[2Jx") == 0,
       "an error message's control bytes are made printable");
}

/* The trace line of m must be exactly want. */
static void described(const struct bt_krpc_msg *m, const char *want, const char *name)
{
    struct bt_buf out;
    enum bt_err err;
    int pass;

    bt_buf_init(&out, 512);
    err = bt_krpc_describe(&out, m);
    pass = err == BT_OK && out.len == strlen(want) && memcmp(out.data, want, out.len) == 0;
    ok(pass, "%s: %s", name, want);
    if (!pass)
        printf("# got: %.*s\n", (int)out.len, out.data != NULL ? (char *)out.data : "");
    bt_buf_release(&out);
}

/* Set an id's first two and last two bytes, the ones a trace shows. */
static void id_ends(unsigned char *id, unsigned first, unsigned last)
{
    id[0] = (unsigned char)(first >> 8);
    id[1] = (unsigned char)first;
    id[BT_DHT_ID_LEN - 2] = (unsigned char)(last >> 8);
    id[BT_DHT_ID_LEN - 1] = (unsigned char)last;
}

static void test_describe(void)
{
    struct bt_krpc_msg m;

    base_query(&m, BT_KRPC_GET_PEERS);
    id_ends(m.id, 0x3f2a, 0x91c0);
    m.has_info_hash = 1;
    id_ends(m.info_hash, 0x0123, 0x4567);
    described(&m, "query get_peers t=6a01 id=3f2a..91c0 info_hash=0123..4567", "query trace");

    base_message(&m, BT_KRPC_RESPONSE);
    id_ends(m.id, 0x77e0, 0x02aa);
    m.has_token = 1;
    m.token_len = 8;
    m.value_count = 12;
    described(&m, "response t=6a01 id=77e0..02aa token=8 bytes values=12 nodes=0",
              "response trace");
    m.dropped = 3;
    described(&m, "response t=6a01 id=77e0..02aa token=8 bytes values=12 nodes=0 dropped=3",
              "response trace with dropped nodes");

    base_error(&m, BT_KRPC_ERR_PROTOCOL, "Protocol Error");
    described(&m, "error t=6a01 203 Protocol Error", "error trace");
    strcpy(m.error_message, "two\nlines");
    described(&m, "error t=6a01 203 two?lines", "error trace of a message of our own");

    base_query(&m, BT_KRPC_ANNOUNCE_PEER);
    m.has_info_hash = 1;
    m.has_token = 1;
    m.token_len = 4;
    m.implied_port = 1;
    m.read_only = 1;
    described(&m,
              "query announce_peer t=6a01 id=3f3f..3f3f info_hash=0000..0000 port=implied "
              "token=4 bytes ro",
              "announce_peer trace");
    m.implied_port = 0;
    m.port = 6881;
    m.read_only = 0;
    described(&m,
              "query announce_peer t=6a01 id=3f3f..3f3f info_hash=0000..0000 port=6881 "
              "token=4 bytes",
              "announce_peer trace with a port");

    base_query(&m, BT_KRPC_FIND_NODE);
    m.has_target = 1;
    memset(m.target, 0xab, BT_DHT_ID_LEN);
    m.want = BT_KRPC_WANT_N4 | BT_KRPC_WANT_N6;
    described(&m, "query find_node t=6a01 id=3f3f..3f3f target=abab..abab want=n4,n6",
              "find_node trace");

    ok(strcmp(bt_krpc_method_name(BT_KRPC_UNKNOWN), "?") == 0 &&
           strcmp(bt_krpc_method_name(BT_KRPC_PING), "ping") == 0 &&
           strcmp(bt_krpc_method_name(BT_KRPC_FIND_NODE), "find_node") == 0 &&
           strcmp(bt_krpc_method_name(BT_KRPC_GET_PEERS), "get_peers") == 0 &&
           strcmp(bt_krpc_method_name(BT_KRPC_ANNOUNCE_PEER), "announce_peer") == 0,
       "method names");
}

/* BEP 42's "ip": the querier's address as the answerer saw it, at the top of
 * responses and errors. */
static void test_ip(void)
{
    static const char response[] = "d2:ip6:\xc6\x33\x64\x07\x1a\xe1"
                                   "1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re";
    static const char error[] = "d1:eli201e15:A Generic Errore2:ip6:\xc6\x33\x64\x07\x1a\xe1"
                                "1:t2:aa1:y1:ee";
    static const char ragged[] = "d2:ip5:abcde1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re";
    struct bt_krpc_msg m, back;
    struct bt_netaddr seen;

    v4(&seen, 198, 51, 100, 7, 6881);
    ok(parse(response, &m, NULL) == BT_OK && m.has_ip && bt_netaddr_equal(&m.ip, &seen),
       "a response's ip is read");
    ok(same_again(response), "and built again in its place, before r");
    ok(parse(error, &m, NULL) == BT_OK && m.has_ip && bt_netaddr_equal(&m.ip, &seen),
       "an error's ip is read");
    ok(same_again(error), "and built again in its place, after e");
    ok(parse(ragged, &m, NULL) == BT_OK && !m.has_ip, "an ip that is no address is ignored");

    base_message(&m, BT_KRPC_RESPONSE);
    m.has_ip = 1;
    v6(&m.ip, 0x20, 0x01, 9, 51413);
    ok(round_trip(&m, &back) == BT_OK && back.has_ip && bt_netaddr_equal(&back.ip, &m.ip),
       "an IPv6 ip round-trips");
}

int main(void)
{
    test_metric();
    test_bep42();
    test_bep5_examples();
    test_round_trips();
    test_put_refusals();
    test_hostile_sizes();
    test_hostile_fields();
    test_describe();
    test_ip();
    return tap_done();
}
