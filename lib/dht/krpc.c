/*
 * krpc.c - KRPC, the DHT's messages (BEP 5), with IPv6 nodes (BEP 32) and the
 * read-only flag (BEP 43).  See krpc.h.
 *
 * One bencoded dict a datagram; the body sits under "a", "r" or "e":
 *
 *   d 1:a d 2:id 20:<querier> 6:target 20:<id> 4:want l 2:n4 2:n6 e e
 *     1:q 9:find_node  2:ro i1e  1:t 2:aa  1:y 1:q e
 *   d 1:r d 2:id 20:<answerer> 5:nodes 52:<2 nodes> 6:nodes6 38:<1 node>
 *           5:token 8:<token> 6:values l 6:<peer> 18:<peer> e e
 *     1:t 2:aa  1:y 1:r e
 *   d 1:e l i201e 23:A Generic Error Ocurred e  1:t 2:aa  1:y 1:e e
 *
 * Nodes are packed into one string, a node after the other:
 *
 *   "nodes"   | 20-byte id | 4-byte IPv4  | 2-byte port |  ...   26 bytes a node
 *   "nodes6"  | 20-byte id | 16-byte IPv6 | 2-byte port |  ...   38 bytes a node
 *
 * while each peer of "values" is a string of its own, 6 or 18 bytes.
 *
 * Anyone can send us a datagram, so the parser trusts none of it: the datagram's
 * size is checked before the decoder sees it, the decoder has caps on depth and
 * values, and every field we keep is checked for type and size.  Nothing is
 * allocated for the sender's counts: nodes and values past the fixed arrays of
 * struct bt_krpc_msg are counted, not kept.
 */
#include "dht/krpc.h"

#include <string.h>

#include "bencode/bencode.h"
#include "core/hex.h"
#include "core/text.h"

/*
 * A KRPC message is a dict that holds at most a dict ("a" or "r") or a list
 * ("e"), which holds at most a list of strings ("want", "values"): three levels
 * of containers.  Anything deeper is not KRPC.
 */
#define KRPC_MAX_DEPTH 3
/*
 * The most values a legitimate datagram needs: a get_peers answer with as many
 * 6-byte peers as fit ("6:" and 6 bytes each, so BT_KRPC_MAX_PACKET / 8 of them,
 * all counted even past BT_KRPC_MAX_VALUES), plus the few dozen keys and values
 * around them.  Hostile input cannot make the decoder hold more nodes than this.
 */
#define KRPC_VALUE_MIN_LEN (2 + BT_NETADDR_COMPACT4)
#define KRPC_MAX_TOKENS    (BT_KRPC_MAX_PACKET / KRPC_VALUE_MIN_LEN + 64)

#define KRPC_PORT_MAX  65535
#define KRPC_WANT_BOTH (BT_KRPC_WANT_N4 | BT_KRPC_WANT_N6)
#define KRPC_SHORT_ID  2 /* bytes shown at each end of an id in a trace */

static enum bt_err fail(const char **why, const char *phrase)
{
    if (why != NULL)
        *why = phrase;
    return BT_ERR_KRPC;
}

void bt_krpc_init(struct bt_krpc_msg *m)
{
    memset(m, 0, sizeof(*m));
}

const char *bt_krpc_method_name(enum bt_krpc_method method)
{
    switch (method) {
    case BT_KRPC_UNKNOWN:
        return "?";
    case BT_KRPC_PING:
        return "ping";
    case BT_KRPC_FIND_NODE:
        return "find_node";
    case BT_KRPC_GET_PEERS:
        return "get_peers";
    case BT_KRPC_ANNOUNCE_PEER:
        return "announce_peer";
    }
    return "?";
}

static enum bt_krpc_method method_of(const struct bt_bnode *q)
{
    static const enum bt_krpc_method known[] = {BT_KRPC_PING, BT_KRPC_FIND_NODE, BT_KRPC_GET_PEERS,
                                                BT_KRPC_ANNOUNCE_PEER};
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (bt_bnode_str_eq(q, bt_krpc_method_name(known[i])))
            return known[i];
    }
    return BT_KRPC_UNKNOWN;
}

/* A required 20-byte id: the sender's, a target or an info hash. */
static enum bt_err get_id(const struct bt_bnode *dict, const char *key, unsigned char *out,
                          int *has, const char **why, const char *missing, const char *bad)
{
    const struct bt_bnode *v = bt_bnode_dict_get(dict, key);

    if (v == NULL)
        return fail(why, missing);
    if (v->type != BT_BENCODE_STR || v->slen != BT_DHT_ID_LEN)
        return fail(why, bad);
    memcpy(out, v->s, BT_DHT_ID_LEN);
    *has = 1;
    return BT_OK;
}

/* A token: required in announce_peer, optional in a response. */
static enum bt_err get_token(struct bt_krpc_msg *m, const struct bt_bnode *dict, int required,
                             const char **why)
{
    const struct bt_bnode *v = bt_bnode_dict_get(dict, "token");

    if (v == NULL)
        return required ? fail(why, "no token") : BT_OK;
    if (v->type != BT_BENCODE_STR)
        return fail(why, "token is not a string");
    if (v->slen > BT_KRPC_TOKEN_MAX)
        return fail(why, "token too long");
    memcpy(m->token, v->s, v->slen);
    m->token_len = v->slen;
    m->has_token = 1;
    return BT_OK;
}

/* BEP 32: l 2:n4 2:n6 e.  Names we do not know are ignored, as BEP 32 asks. */
static enum bt_err get_want(struct bt_krpc_msg *m, const struct bt_bnode *args, const char **why)
{
    const struct bt_bnode *want = bt_bnode_dict_get(args, "want");
    const struct bt_bnode *item;
    uint32_t i;

    if (want == NULL)
        return BT_OK;
    if (want->type != BT_BENCODE_LIST)
        return fail(why, "want is not a list");
    item = bt_bnode_child(want);
    for (i = 0; i < want->count; i++) {
        if (item->type != BT_BENCODE_STR)
            return fail(why, "want holds a non-string");
        if (bt_bnode_str_eq(item, "n4"))
            m->want |= BT_KRPC_WANT_N4;
        else if (bt_bnode_str_eq(item, "n6"))
            m->want |= BT_KRPC_WANT_N6;
        item = bt_bnode_sibling(item);
    }
    return BT_OK;
}

/*
 * announce_peer's port.  BEP 5: with implied_port non-zero the port argument is
 * ignored (the querier is behind a NAT and wants the UDP source port used), so
 * it may then be absent or 0; without it, the port must be a real one.
 */
static enum bt_err get_port(struct bt_krpc_msg *m, const struct bt_bnode *args, const char **why)
{
    const struct bt_bnode *implied = bt_bnode_dict_get(args, "implied_port");
    const struct bt_bnode *port = bt_bnode_dict_get(args, "port");

    if (implied != NULL && implied->type != BT_BENCODE_INT)
        return fail(why, "implied_port is not an integer");
    m->implied_port = implied != NULL && implied->i != 0;
    if (port == NULL)
        return m->implied_port ? BT_OK : fail(why, "no port");
    if (port->type != BT_BENCODE_INT)
        return fail(why, "port is not an integer");
    if (port->i < 0 || port->i > KRPC_PORT_MAX || (port->i == 0 && !m->implied_port))
        return fail(why, "port is not 1-65535");
    m->port = (uint16_t)port->i;
    return BT_OK;
}

static enum bt_err parse_query(struct bt_krpc_msg *m, const struct bt_bnode *root, const char **why)
{
    const struct bt_bnode *q = bt_bnode_dict_get(root, "q");
    const struct bt_bnode *args = bt_bnode_dict_get(root, "a");
    const struct bt_bnode *ro = bt_bnode_dict_get(root, "ro");
    enum bt_err err;

    if (q == NULL)
        return fail(why, "no method");
    if (q->type != BT_BENCODE_STR)
        return fail(why, "method is not a string");
    /* A method we do not know is not malformed: the caller answers 204. */
    m->method = method_of(q);
    if (args == NULL)
        return fail(why, "no arguments");
    if (args->type != BT_BENCODE_DICT)
        return fail(why, "arguments are not a dictionary");
    if (ro != NULL && ro->type != BT_BENCODE_INT)
        return fail(why, "ro is not an integer");
    m->read_only = ro != NULL && ro->i != 0;
    /* Every query names its sender, whatever its method. */
    err = get_id(args, "id", m->id, &m->has_id, why, "no sender id", "sender id is not 20 bytes");
    if (err != BT_OK)
        return err;

    switch (m->method) {
    case BT_KRPC_UNKNOWN:
    case BT_KRPC_PING:
        break;
    case BT_KRPC_FIND_NODE:
        err = get_id(args, "target", m->target, &m->has_target, why, "no target",
                     "target is not 20 bytes");
        if (err == BT_OK)
            err = get_want(m, args, why);
        break;
    case BT_KRPC_GET_PEERS:
        err = get_id(args, "info_hash", m->info_hash, &m->has_info_hash, why, "no info_hash",
                     "info_hash is not 20 bytes");
        if (err == BT_OK)
            err = get_want(m, args, why);
        break;
    case BT_KRPC_ANNOUNCE_PEER:
        err = get_id(args, "info_hash", m->info_hash, &m->has_info_hash, why, "no info_hash",
                     "info_hash is not 20 bytes");
        if (err == BT_OK)
            err = get_token(m, args, 1, why);
        if (err == BT_OK)
            err = get_port(m, args, why);
        break;
    }
    return err;
}

/*
 * "nodes" (iplen 4) or "nodes6" (iplen 16): a string of whole entries.  At most
 * BT_KRPC_MAX_NODES of each family are kept, so that "nodes" cannot crowd out
 * "nodes6"; the rest are only counted.
 */
static enum bt_err get_nodes(struct bt_krpc_msg *m, const struct bt_bnode *r, const char *key,
                             size_t iplen, const char **why, const char *not_string,
                             const char *bad_len)
{
    const struct bt_bnode *v = bt_bnode_dict_get(r, key);
    size_t entry = iplen == 4 ? BT_KRPC_NODE4_LEN : BT_KRPC_NODE6_LEN;
    size_t count, kept, i;

    if (v == NULL)
        return BT_OK;
    if (v->type != BT_BENCODE_STR)
        return fail(why, not_string);
    if (v->slen % entry != 0)
        return fail(why, bad_len);
    count = v->slen / entry;
    kept = count < BT_KRPC_MAX_NODES ? count : BT_KRPC_MAX_NODES;
    for (i = 0; i < kept; i++) {
        const unsigned char *p = v->s + i * entry;
        struct bt_dht_contact *c = &m->nodes[m->node_count++];

        memcpy(c->id, p, BT_DHT_ID_LEN);
        bt_netaddr_get(p + BT_DHT_ID_LEN, iplen, &c->addr);
    }
    m->dropped += count - kept;
    return BT_OK;
}

/* "values": l 6:<IPv4 peer> 18:<IPv6 peer> ... e, one compact peer a string. */
static enum bt_err get_values(struct bt_krpc_msg *m, const struct bt_bnode *r, const char **why)
{
    const struct bt_bnode *values = bt_bnode_dict_get(r, "values");
    const struct bt_bnode *item;
    uint32_t i;

    if (values == NULL)
        return BT_OK;
    if (values->type != BT_BENCODE_LIST)
        return fail(why, "values is not a list");
    item = bt_bnode_child(values);
    for (i = 0; i < values->count; i++) {
        if (item->type != BT_BENCODE_STR ||
            (item->slen != BT_NETADDR_COMPACT4 && item->slen != BT_NETADDR_COMPACT6))
            return fail(why, "a value is not 6 or 18 bytes");
        if (m->value_count < BT_KRPC_MAX_VALUES)
            bt_netaddr_get(item->s, item->slen - 2, &m->values[m->value_count++]);
        else
            m->dropped++;
        item = bt_bnode_sibling(item);
    }
    return BT_OK;
}

/* A response does not name its method (the querier knows it from "t"), so every
 * field a response may have is read when present. */
static enum bt_err parse_response(struct bt_krpc_msg *m, const struct bt_bnode *root,
                                  const char **why)
{
    const struct bt_bnode *r = bt_bnode_dict_get(root, "r");
    enum bt_err err;

    if (r == NULL)
        return fail(why, "no response dictionary");
    if (r->type != BT_BENCODE_DICT)
        return fail(why, "r is not a dictionary");
    err = get_id(r, "id", m->id, &m->has_id, why, "no sender id", "sender id is not 20 bytes");
    if (err == BT_OK)
        err = get_nodes(m, r, "nodes", 4, why, "nodes is not a string",
                        "nodes is not a multiple of 26 bytes");
    if (err == BT_OK)
        err = get_nodes(m, r, "nodes6", 16, why, "nodes6 is not a string",
                        "nodes6 is not a multiple of 38 bytes");
    if (err == BT_OK)
        err = get_token(m, r, 0, why);
    if (err == BT_OK)
        err = get_values(m, r, why);
    return err;
}

/* l i<code>e <len>:<message> e.  The message is kept printable: it ends up in
 * traces and on terminals. */
static enum bt_err parse_error(struct bt_krpc_msg *m, const struct bt_bnode *root, const char **why)
{
    const struct bt_bnode *e = bt_bnode_dict_get(root, "e");
    const struct bt_bnode *code, *message;

    if (e == NULL)
        return fail(why, "no error list");
    if (e->type != BT_BENCODE_LIST)
        return fail(why, "e is not a list");
    if (e->count < 2)
        return fail(why, "error list too short");
    code = bt_bnode_child(e);
    message = bt_bnode_sibling(code);
    if (code->type != BT_BENCODE_INT)
        return fail(why, "error code is not an integer");
    if (message->type != BT_BENCODE_STR)
        return fail(why, "error message is not a string");
    m->error_code = code->i;
    bt_text_printable(m->error_message, sizeof(m->error_message), message->s, message->slen);
    return BT_OK;
}

/* BEP 42's "ip", if it is a compact address; it is advice, so anything else
 * is ignored rather than refused. */
static void get_ip(struct bt_krpc_msg *m, const struct bt_bnode *root)
{
    const struct bt_bnode *ip = bt_bnode_dict_get(root, "ip");

    if (ip != NULL && ip->type == BT_BENCODE_STR &&
        (ip->slen == BT_NETADDR_COMPACT4 || ip->slen == BT_NETADDR_COMPACT6)) {
        bt_netaddr_get(ip->s, ip->slen - 2, &m->ip);
        m->has_ip = 1;
    }
}

static enum bt_err parse_message(struct bt_krpc_msg *m, const struct bt_bnode *root,
                                 const char **why)
{
    const struct bt_bnode *t, *y;

    if (root->type != BT_BENCODE_DICT)
        return fail(why, "not a dictionary");
    t = bt_bnode_dict_get(root, "t");
    if (t == NULL)
        return fail(why, "no transaction id");
    if (t->type != BT_BENCODE_STR)
        return fail(why, "transaction id is not a string");
    /* An empty id could never tie an answer to a query of ours. */
    if (t->slen == 0)
        return fail(why, "empty transaction id");
    if (t->slen > BT_KRPC_TID_MAX)
        return fail(why, "transaction id too long");
    memcpy(m->tid, t->s, t->slen);
    m->tid_len = t->slen;

    y = bt_bnode_dict_get(root, "y");
    if (y == NULL)
        return fail(why, "no message type");
    if (bt_bnode_str_eq(y, "q")) {
        m->kind = BT_KRPC_QUERY;
        return parse_query(m, root, why);
    }
    if (bt_bnode_str_eq(y, "r")) {
        m->kind = BT_KRPC_RESPONSE;
        get_ip(m, root);
        return parse_response(m, root, why);
    }
    if (bt_bnode_str_eq(y, "e")) {
        m->kind = BT_KRPC_ERROR;
        get_ip(m, root);
        return parse_error(m, root, why);
    }
    return fail(why, "message type is not q, r or e");
}

/*
 * On failure m keeps what was read before the problem: the transaction id
 * (tid_len > 0) and the kind, once they were, so that a node can send its 203
 * to a malformed query and drop a malformed answer without a word.
 */
enum bt_err bt_krpc_parse(struct bt_krpc_msg *m, const void *pkt, size_t len, const char **why)
{
    struct bt_bencode b;
    enum bt_err err;

    bt_krpc_init(m);
    if (why != NULL)
        *why = NULL;
    if (len > BT_KRPC_MAX_PACKET)
        return fail(why, "datagram too large");
    bt_bencode_init(&b);
    b.max_depth = KRPC_MAX_DEPTH;
    b.max_tokens = KRPC_MAX_TOKENS;
    /* Lenient: BEP 5 does not ask for sorted keys, and not every client sorts. */
    err = bt_bencode_parse(&b, pkt, len, BT_BENCODE_LENIENT);
    if (err == BT_OK) {
        err = parse_message(m, bt_bencode_root(&b), why);
    } else if (err == BT_ERR_NOMEM) {
        if (why != NULL)
            *why = "out of memory";
    } else if (err == BT_ERR_BENCODE_DEPTH) {
        err = fail(why, "nested too deep");
    } else if (err == BT_ERR_BENCODE_TOKENS) {
        err = fail(why, "too many values");
    } else {
        err = fail(why, "not bencoded");
    }
    bt_bencode_release(&b);
    return err;
}

/* Length of a message held in a fixed array, NUL-terminated or full. */
static size_t message_len(const char *s, size_t max)
{
    const char *nul = memchr(s, '\0', max);

    return nul != NULL ? (size_t)(nul - s) : max;
}

static enum bt_err put_str_field(struct bt_buf *out, const char *key, const void *p, size_t n)
{
    enum bt_err err = bt_bencode_put_cstr(out, key);

    if (err == BT_OK)
        err = bt_bencode_put_str(out, p, n);
    return err;
}

static enum bt_err put_int_field(struct bt_buf *out, const char *key, int64_t v)
{
    enum bt_err err = bt_bencode_put_cstr(out, key);

    if (err == BT_OK)
        err = bt_bencode_put_int(out, v);
    return err;
}

/* Refuse what would read past m's arrays or could not be parsed back: a bug in
 * the caller, caught here rather than sent. */
static enum bt_err check_put(const struct bt_krpc_msg *m)
{
    size_t i;

    if (m->tid_len == 0 || m->tid_len > BT_KRPC_TID_MAX || m->token_len > BT_KRPC_TOKEN_MAX)
        return BT_ERR_INVALID;
    if (m->node_count > 2 * BT_KRPC_MAX_NODES || m->value_count > BT_KRPC_MAX_VALUES)
        return BT_ERR_INVALID;
    for (i = 0; i < m->node_count; i++) {
        if (m->nodes[i].addr.iplen != 4 && m->nodes[i].addr.iplen != 16)
            return BT_ERR_INVALID;
    }
    for (i = 0; i < m->value_count; i++) {
        if (m->values[i].iplen != 4 && m->values[i].iplen != 16)
            return BT_ERR_INVALID;
    }
    return BT_OK;
}

/* The query's keys, sorted: a, q, ro (then t and y, written by the caller).
 * Inside a: id, implied_port, info_hash, port, target, token, want. */
static enum bt_err put_query(struct bt_buf *out, const struct bt_krpc_msg *m)
{
    enum bt_krpc_method meth = m->method;
    int uses_hash = meth == BT_KRPC_GET_PEERS || meth == BT_KRPC_ANNOUNCE_PEER;
    int uses_want = meth == BT_KRPC_FIND_NODE || meth == BT_KRPC_GET_PEERS;
    enum bt_err err;

    if (meth == BT_KRPC_UNKNOWN || !m->has_id)
        return BT_ERR_INVALID;
    if ((meth == BT_KRPC_FIND_NODE && !m->has_target) || (uses_hash && !m->has_info_hash) ||
        (meth == BT_KRPC_ANNOUNCE_PEER && !m->has_token))
        return BT_ERR_INVALID;

    err = bt_bencode_put_cstr(out, "a");
    if (err == BT_OK)
        err = bt_bencode_put_dict(out);
    if (err == BT_OK)
        err = put_str_field(out, "id", m->id, BT_DHT_ID_LEN);
    if (err == BT_OK && meth == BT_KRPC_ANNOUNCE_PEER && m->implied_port)
        err = put_int_field(out, "implied_port", 1);
    if (err == BT_OK && uses_hash)
        err = put_str_field(out, "info_hash", m->info_hash, BT_DHT_ID_LEN);
    if (err == BT_OK && meth == BT_KRPC_ANNOUNCE_PEER)
        err = put_int_field(out, "port", m->port);
    if (err == BT_OK && meth == BT_KRPC_FIND_NODE)
        err = put_str_field(out, "target", m->target, BT_DHT_ID_LEN);
    if (err == BT_OK && meth == BT_KRPC_ANNOUNCE_PEER)
        err = put_str_field(out, "token", m->token, m->token_len);
    if (err == BT_OK && uses_want && (m->want & KRPC_WANT_BOTH) != 0) {
        err = bt_bencode_put_cstr(out, "want");
        if (err == BT_OK)
            err = bt_bencode_put_list(out);
        if (err == BT_OK && (m->want & BT_KRPC_WANT_N4) != 0)
            err = bt_bencode_put_cstr(out, "n4");
        if (err == BT_OK && (m->want & BT_KRPC_WANT_N6) != 0)
            err = bt_bencode_put_cstr(out, "n6");
        if (err == BT_OK)
            err = bt_bencode_put_end(out);
    }
    if (err == BT_OK)
        err = bt_bencode_put_end(out);
    if (err == BT_OK)
        err = put_str_field(out, "q", bt_krpc_method_name(meth), strlen(bt_krpc_method_name(meth)));
    /* BEP 43: a read-only node says so in each query, so that it is not added to
     * routing tables it could never answer for. */
    if (err == BT_OK && m->read_only)
        err = put_int_field(out, "ro", 1);
    return err;
}

/* m's nodes of one family, packed as "nodes" (iplen 4) or "nodes6" (16) want them;
 * nothing when it has none. */
static enum bt_err put_nodes(struct bt_buf *out, const struct bt_krpc_msg *m, const char *key,
                             unsigned iplen)
{
    unsigned char packed[2 * BT_KRPC_MAX_NODES * BT_KRPC_NODE6_LEN];
    size_t n = 0, i;

    for (i = 0; i < m->node_count; i++) {
        const struct bt_dht_contact *c = &m->nodes[i];

        if (c->addr.iplen != iplen)
            continue;
        memcpy(packed + n, c->id, BT_DHT_ID_LEN);
        n += BT_DHT_ID_LEN;
        n += bt_netaddr_put(&c->addr, packed + n);
    }
    if (n == 0)
        return BT_OK;
    return put_str_field(out, key, packed, n);
}

/* r's keys, sorted: id, nodes, nodes6, token, values. */
static enum bt_err put_response(struct bt_buf *out, const struct bt_krpc_msg *m)
{
    enum bt_err err;
    size_t i;

    if (!m->has_id)
        return BT_ERR_INVALID;
    err = bt_bencode_put_cstr(out, "r");
    if (err == BT_OK)
        err = bt_bencode_put_dict(out);
    if (err == BT_OK)
        err = put_str_field(out, "id", m->id, BT_DHT_ID_LEN);
    if (err == BT_OK)
        err = put_nodes(out, m, "nodes", 4);
    if (err == BT_OK)
        err = put_nodes(out, m, "nodes6", 16);
    if (err == BT_OK && m->has_token)
        err = put_str_field(out, "token", m->token, m->token_len);
    if (err == BT_OK && m->value_count > 0) {
        err = bt_bencode_put_cstr(out, "values");
        if (err == BT_OK)
            err = bt_bencode_put_list(out);
        for (i = 0; i < m->value_count && err == BT_OK; i++) {
            unsigned char peer[BT_NETADDR_COMPACT6];
            size_t n = bt_netaddr_put(&m->values[i], peer);

            err = bt_bencode_put_str(out, peer, n);
        }
        if (err == BT_OK)
            err = bt_bencode_put_end(out);
    }
    if (err == BT_OK)
        err = bt_bencode_put_end(out);
    return err;
}

static enum bt_err put_error(struct bt_buf *out, const struct bt_krpc_msg *m)
{
    enum bt_err err = bt_bencode_put_cstr(out, "e");

    if (err == BT_OK)
        err = bt_bencode_put_list(out);
    if (err == BT_OK)
        err = bt_bencode_put_int(out, m->error_code);
    if (err == BT_OK)
        err = bt_bencode_put_str(out, m->error_message,
                                 message_len(m->error_message, sizeof(m->error_message)));
    if (err == BT_OK)
        err = bt_bencode_put_end(out);
    return err;
}

static enum bt_err put_ip(struct bt_buf *out, const struct bt_krpc_msg *m)
{
    unsigned char compact[BT_NETADDR_COMPACT6];

    if (!m->has_ip)
        return BT_OK;
    return put_str_field(out, "ip", compact, bt_netaddr_put(&m->ip, compact));
}

enum bt_err bt_krpc_put(struct bt_buf *out, const struct bt_krpc_msg *m)
{
    size_t start = out->len;
    const char *y = NULL;
    enum bt_err err = check_put(m);

    if (err == BT_OK)
        err = bt_bencode_put_dict(out);
    if (err == BT_OK) {
        switch (m->kind) {
        case BT_KRPC_QUERY:
            y = "q";
            err = put_query(out, m);
            break;
        case BT_KRPC_RESPONSE: /* keys in order: ip, r */
            y = "r";
            err = put_ip(out, m);
            if (err == BT_OK)
                err = put_response(out, m);
            break;
        case BT_KRPC_ERROR: /* e, ip */
            y = "e";
            err = put_error(out, m);
            if (err == BT_OK)
                err = put_ip(out, m);
            break;
        }
        if (y == NULL)
            err = BT_ERR_INVALID; /* kind 0, or not a kind at all */
    }
    if (err == BT_OK)
        err = put_str_field(out, "t", m->tid, m->tid_len);
    if (err == BT_OK)
        err = put_str_field(out, "y", y, 1);
    if (err == BT_OK)
        err = bt_bencode_put_end(out);
    if (err != BT_OK && out->len > start) {
        /* Half a datagram must never be sent: take back what was appended. */
        out->len = start;
        out->data[start] = '\0';
    }
    return err;
}

/* " key=3f2a..91c0": an id by its two ends, enough to tell ids apart in a trace. */
static enum bt_err describe_id(struct bt_buf *out, const char *key, const unsigned char *id)
{
    enum bt_err err = bt_buf_printf(out, " %s=", key);

    if (err == BT_OK)
        err = bt_hex_append(out, id, KRPC_SHORT_ID);
    if (err == BT_OK)
        err = bt_buf_append_str(out, "..");
    if (err == BT_OK)
        err = bt_hex_append(out, id + BT_DHT_ID_LEN - KRPC_SHORT_ID, KRPC_SHORT_ID);
    return err;
}

static const char *want_name(unsigned want)
{
    if ((want & KRPC_WANT_BOTH) == KRPC_WANT_BOTH)
        return "n4,n6";
    return (want & BT_KRPC_WANT_N4) != 0 ? "n4" : "n6";
}

static enum bt_err describe_query(struct bt_buf *out, const struct bt_krpc_msg *m)
{
    enum bt_err err = BT_OK;

    if (m->has_target)
        err = describe_id(out, "target", m->target);
    if (err == BT_OK && m->has_info_hash)
        err = describe_id(out, "info_hash", m->info_hash);
    if (err == BT_OK && m->method == BT_KRPC_ANNOUNCE_PEER) {
        if (m->implied_port)
            err = bt_buf_append_str(out, " port=implied");
        else
            err = bt_buf_printf(out, " port=%u", (unsigned)m->port);
    }
    if (err == BT_OK && m->has_token)
        err = bt_buf_printf(out, " token=%zu bytes", m->token_len);
    if (err == BT_OK && (m->want & KRPC_WANT_BOTH) != 0)
        err = bt_buf_printf(out, " want=%s", want_name(m->want));
    if (err == BT_OK && m->read_only)
        err = bt_buf_append_str(out, " ro");
    return err;
}

static enum bt_err describe_response(struct bt_buf *out, const struct bt_krpc_msg *m)
{
    enum bt_err err = BT_OK;

    if (m->has_token)
        err = bt_buf_printf(out, " token=%zu bytes", m->token_len);
    if (err == BT_OK)
        err = bt_buf_printf(out, " values=%zu nodes=%zu", m->value_count, m->node_count);
    if (err == BT_OK && m->dropped > 0)
        err = bt_buf_printf(out, " dropped=%zu", m->dropped);
    return err;
}

enum bt_err bt_krpc_describe(struct bt_buf *out, const struct bt_krpc_msg *m)
{
    size_t start = out->len;
    size_t tid_len = m->tid_len < BT_KRPC_TID_MAX ? m->tid_len : BT_KRPC_TID_MAX;
    char text[BT_KRPC_MESSAGE_MAX];
    enum bt_err err;

    switch (m->kind) {
    case BT_KRPC_QUERY:
        err = bt_buf_printf(out, "query %s", bt_krpc_method_name(m->method));
        break;
    case BT_KRPC_RESPONSE:
        err = bt_buf_append_str(out, "response");
        break;
    case BT_KRPC_ERROR:
        err = bt_buf_append_str(out, "error");
        break;
    default:
        err = bt_buf_append_str(out, "?");
        break;
    }
    if (err == BT_OK)
        err = bt_buf_append_str(out, " t=");
    if (err == BT_OK)
        err = bt_hex_append(out, m->tid, tid_len);
    if (err == BT_OK && m->kind != BT_KRPC_ERROR && m->has_id)
        err = describe_id(out, "id", m->id);
    if (err == BT_OK && m->kind == BT_KRPC_QUERY)
        err = describe_query(out, m);
    if (err == BT_OK && m->kind == BT_KRPC_RESPONSE)
        err = describe_response(out, m);
    if (err == BT_OK && m->kind == BT_KRPC_ERROR) {
        /* A message we built ourselves was never made printable by the parser. */
        bt_text_printable(text, sizeof(text), m->error_message,
                          message_len(m->error_message, sizeof(m->error_message)));
        err = bt_buf_printf(out, " %lld %s", (long long)m->error_code, text);
    }
    if (err == BT_OK && m->kind != BT_KRPC_QUERY && m->has_ip) {
        struct bt_addr seen;
        char name[BT_ADDR_STRLEN];

        if (bt_addr_from_netaddr(&m->ip, &seen) == BT_OK) {
            bt_addr_format(&seen, name);
            err = bt_buf_printf(out, " ip=%s", name);
        }
    }
    if (err != BT_OK && out->len > start) {
        out->len = start;
        out->data[start] = '\0';
    }
    return err;
}
