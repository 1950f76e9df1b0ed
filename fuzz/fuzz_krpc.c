/*
 * fuzz_krpc.c - libFuzzer harness for what anyone can send to a DHT node's UDP
 * port: KRPC datagrams (lib/dht/krpc.c), and the node ids in them (id.c).
 *
 * Every input is parsed as one datagram, and once more inside a frame that
 * its first byte picks (a response's, a query's of each method, an error's),
 * so that a fuzzer without KRPC seeds soon reaches the checks of each field:
 *
 *   first byte % 4 == 0   d 1:r d 2:id 20:<id> <rest> e 1:t 2:aa 1:y 1:r e
 *                    1   d 1:a d 2:id 20:<id> <rest> e 1:q <method> 1:t 2:aa 1:y 1:q e
 *                        (the method by first byte / 4 % 4: ping, find_node, ...)
 *                    2   d 1:e l <rest> e 1:t 2:aa 1:y 1:e e
 *                    3   no frame
 *
 * A message that parses is built again
 * (bt_krpc_put): that must be canonical bencode (it decodes strictly) that
 * parses back into the same message, and building that one must give the same
 * bytes.  Only a query of a method we do not know may refuse to be built.  Its
 * trace line must be written too.
 *
 * The input's first bytes also serve as a node id, an address and BEP 42's r:
 * an id made valid for an address must be valid for it, and the XOR metric's
 * helpers must agree with each other.
 *
 * Anything else is a bug: abort() so that libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/bencode.h"
#include "core/buf.h"
#include "dht/id.h"
#include "dht/krpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_contact(const struct bt_dht_contact *a, const struct bt_dht_contact *b)
{
    return memcmp(a->id, b->id, BT_DHT_ID_LEN) == 0 && bt_netaddr_equal(&a->addr, &b->addr);
}

/* Do a and b say the same?  dropped is not compared: what was dropped is not built. */
static int same_msg(const struct bt_krpc_msg *a, const struct bt_krpc_msg *b)
{
    size_t i;

    if (a->kind != b->kind || a->method != b->method || a->tid_len != b->tid_len ||
        memcmp(a->tid, b->tid, a->tid_len) != 0)
        return 0;
    if (a->has_id != b->has_id || memcmp(a->id, b->id, BT_DHT_ID_LEN) != 0 ||
        a->has_target != b->has_target || memcmp(a->target, b->target, BT_DHT_ID_LEN) != 0 ||
        a->has_info_hash != b->has_info_hash ||
        memcmp(a->info_hash, b->info_hash, BT_DHT_ID_LEN) != 0)
        return 0;
    if (a->has_token != b->has_token || a->token_len != b->token_len ||
        memcmp(a->token, b->token, a->token_len) != 0)
        return 0;
    if (a->port != b->port || a->implied_port != b->implied_port || a->want != b->want ||
        a->read_only != b->read_only)
        return 0;
    if (a->node_count != b->node_count || a->value_count != b->value_count)
        return 0;
    if (a->has_ip != b->has_ip || (a->has_ip && !bt_netaddr_equal(&a->ip, &b->ip)))
        return 0;
    for (i = 0; i < a->node_count; i++) {
        if (!same_contact(&a->nodes[i], &b->nodes[i]))
            return 0;
    }
    for (i = 0; i < a->value_count; i++) {
        if (!bt_netaddr_equal(&a->values[i], &b->values[i]))
            return 0;
    }
    return a->error_code == b->error_code && strcmp(a->error_message, b->error_message) == 0;
}

static void check_message(const uint8_t *data, size_t size)
{
    /* Static: a message is about 4 KiB, and libFuzzer's stack is not large. */
    static struct bt_krpc_msg m, again;
    struct bt_buf out, out2, trace;
    struct bt_bencode strict;
    const char *why = NULL;
    enum bt_err err;

    err = bt_krpc_parse(&m, data, size, &why);
    if (err != BT_OK) {
        if (err == BT_ERR_KRPC && why == NULL)
            abort(); /* every refusal has a reason for the 203 answer */
        return;
    }

    bt_buf_init(&trace, 1024);
    if (bt_krpc_describe(&trace, &m) != BT_OK)
        abort();
    bt_buf_release(&trace);

    /* What is built is at most what was kept from a datagram under the cap, and a
     * port 0 beside implied_port: twice the cap is room enough. */
    bt_buf_init(&out, 2 * BT_KRPC_MAX_PACKET);
    bt_buf_init(&out2, 2 * BT_KRPC_MAX_PACKET);
    err = bt_krpc_put(&out, &m);
    if (m.kind == BT_KRPC_QUERY && m.method == BT_KRPC_UNKNOWN) {
        if (err != BT_ERR_INVALID || out.len != 0)
            abort();
        goto done;
    }
    if (err != BT_OK)
        abort();
    bt_bencode_init(&strict);
    if (bt_bencode_parse(&strict, out.data, out.len, BT_BENCODE_STRICT) != BT_OK)
        abort();
    bt_bencode_release(&strict);
    if (bt_krpc_parse(&again, out.data, out.len, &why) != BT_OK || again.dropped != 0)
        abort();
    if (!same_msg(&m, &again))
        abort();
    if (bt_krpc_put(&out2, &again) != BT_OK || out2.len != out.len ||
        memcmp(out2.data, out.data, out.len) != 0)
        abort();
done:
    bt_buf_release(&out2);
    bt_buf_release(&out);
}

/* id (20 bytes), other (20), address (16), r (1), family (1). */
#define ID_INPUT (2 * BT_DHT_ID_LEN + 16 + 2)

static void check_ids(const uint8_t *data, size_t size)
{
    unsigned char id[BT_DHT_ID_LEN], other[BT_DHT_ID_LEN], dist[BT_DHT_ID_LEN];
    struct bt_netaddr addr;
    unsigned common;

    if (size < ID_INPUT)
        return;
    memcpy(id, data, BT_DHT_ID_LEN);
    memcpy(other, data + BT_DHT_ID_LEN, BT_DHT_ID_LEN);
    memset(&addr, 0, sizeof(addr));
    addr.iplen = (data[ID_INPUT - 1] & 1) != 0 ? 16 : 4;
    memcpy(addr.ip, data + 2 * BT_DHT_ID_LEN, addr.iplen);
    addr.port = 6881;

    bt_dht_id_secure(&addr, data[ID_INPUT - 2], id);
    if (!bt_dht_id_is_secure(id, &addr) || id[BT_DHT_ID_LEN - 1] != data[ID_INPUT - 2])
        abort();

    /* The distance's leading zero bits are the bits the two ids share. */
    common = bt_dht_id_common_bits(id, other);
    bt_dht_id_distance(id, other, dist);
    if (common > BT_DHT_ID_BITS || (common == BT_DHT_ID_BITS) != (memcmp(id, other, 20) == 0))
        abort();
    if (common < BT_DHT_ID_BITS && (dist[common / 8] & (0x80u >> (common % 8))) == 0)
        abort();
    /* Each id is closer to itself than the other one is, unless they are the same. */
    if ((bt_dht_id_closer(id, id, other) < 0) != (common < BT_DHT_ID_BITS))
        abort();
    if (bt_dht_id_closer(id, other, id) != -bt_dht_id_closer(id, id, other))
        abort();
}

/* rest inside the frame picked by sel, into out (which has room for the largest
 * datagram we read and the frame).  Returns the length, 0 for no frame. */
static size_t frame(uint8_t sel, const uint8_t *rest, size_t n, unsigned char *out)
{
    static const char *const methods[] = {"4:ping", "9:find_node", "9:get_peers",
                                          "13:announce_peer"};
    const char *head, *tail;
    char query_tail[64];

    if (n > BT_KRPC_MAX_PACKET)
        return 0;
    switch (sel % 4) {
    case 0:
        head = "d1:rd2:id20:abcdefghij0123456789";
        tail = "e1:t2:aa1:y1:re";
        break;
    case 1:
        head = "d1:ad2:id20:abcdefghij0123456789";
        snprintf(query_tail, sizeof(query_tail), "e1:q%s1:t2:aa1:y1:qe", methods[sel / 4 % 4]);
        tail = query_tail;
        break;
    case 2:
        head = "d1:el";
        tail = "e1:t2:aa1:y1:ee";
        break;
    default:
        return 0;
    }
    memcpy(out, head, strlen(head));
    memcpy(out + strlen(head), rest, n);
    memcpy(out + strlen(head) + n, tail, strlen(tail));
    return strlen(head) + n + strlen(tail);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char framed[BT_KRPC_MAX_PACKET + 128];
    size_t n;

    check_message(data, size);
    if (size > 0) {
        n = frame(data[0], data + 1, size - 1, framed);
        if (n > 0)
            check_message(framed, n);
    }
    check_ids(data, size);
    return 0;
}
