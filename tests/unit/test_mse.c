/*
 * test_mse.c - Message Stream Encryption without a network: an initiator and a
 * receiver talk to each other through memory, with RC4 and with plaintext
 * chosen, and each way a handshake must fail (a wrong info hash, a pad above
 * 512 bytes, garbage) fails within its bound.
 */
#include <string.h>

#include "core/random.h"
#include "tap.h"
#include "wire/mse.h"

static const unsigned char served[BT_MSE_SKEY_LEN] = "01234567890123456789";
static const unsigned char other[BT_MSE_SKEY_LEN] = "abcdefghijabcdefghij";

/* The receiver's lookup: we serve one torrent. */
static int lookup(void *arg, const unsigned char req2[BT_SHA1_LEN],
                  unsigned char skey[BT_MSE_SKEY_LEN])
{
    unsigned char want[BT_SHA1_LEN];

    (void)arg;
    if (bt_mse_req2(served, want) != BT_OK || memcmp(want, req2, BT_SHA1_LEN) != 0)
        return 0;
    memcpy(skey, served, BT_MSE_SKEY_LEN);
    return 1;
}

/* One side's view of the wire: bytes received and not yet consumed. */
struct side {
    struct bt_mse m;
    struct bt_buf in;
    enum bt_err err;
};

/* Feed a side what it has received; drop what it consumed. */
static void feed(struct side *s, struct bt_buf *to_peer)
{
    size_t used = 0;

    if (s->err != BT_OK)
        return;
    s->err = bt_mse_feed(&s->m, s->in.data, s->in.len, &used, to_peer);
    if (s->m.state == BT_MSE_DONE)
        return; /* the rest is payload: the test reads it */
    memmove(s->in.data, s->in.data + used, s->in.len - used);
    s->in.len -= used;
}

/*
 * Run a handshake until both are done or one fails.  a->in and b->in are each
 * other's wires.  Returns after at most a few rounds (each round moves bytes).
 */
static void run(struct side *a, struct side *b)
{
    int round;

    for (round = 0; round < 10; round++) {
        feed(b, &a->in);
        feed(a, &b->in);
        if (a->err != BT_OK || b->err != BT_OK)
            return;
        if (a->m.state == BT_MSE_DONE && b->m.state == BT_MSE_DONE)
            return;
    }
}

static void sides_init(struct side *a, struct side *b)
{
    bt_mse_init(&a->m);
    bt_mse_init(&b->m);
    bt_buf_init(&a->in, 1 << 16);
    bt_buf_init(&b->in, 1 << 16);
    a->err = b->err = BT_OK;
}

static void sides_release(struct side *a, struct side *b)
{
    bt_mse_release(&a->m);
    bt_mse_release(&b->m);
    bt_buf_release(&a->in);
    bt_buf_release(&b->in);
}

/* A full handshake with an initial payload, then payload both ways. */
static void test_talk(uint32_t provide, int policy, uint32_t want)
{
    static const char ia[] = "\x13"
                             "BitTorrent protocol...";
    static const char reply[] = "B's first payload";
    struct side a, b;
    size_t used = 0;
    unsigned char msg[sizeof(reply)];

    sides_init(&a, &b);
    ok(bt_mse_start_initiator(&a.m, served, provide, ia, sizeof(ia), &b.in) == BT_OK,
       "initiator starts (provide %u)", (unsigned)provide);
    ok(b.in.len >= BT_MSE_KEY_LEN && b.in.len <= BT_MSE_KEY_LEN + BT_MSE_PAD_MAX,
       "Ya and PadA are 96 to 608 bytes (%zu)", b.in.len);
    ok(bt_mse_start_receiver(&b.m, policy, lookup, NULL) == BT_OK, "receiver starts");
    run(&a, &b);
    ok(a.err == BT_OK && b.err == BT_OK, "no error (%s / %s)", a.m.why ? a.m.why : "-",
       b.m.why ? b.m.why : "-");
    ok(a.m.state == BT_MSE_DONE && b.m.state == BT_MSE_DONE, "both done");
    ok(a.m.select == want && b.m.select == want, "both chose %s", bt_mse_method_name(want));
    ok(b.m.ia.len == sizeof(ia) && memcmp(b.m.ia.data, ia, sizeof(ia)) == 0,
       "the receiver got the initial payload");
    ok(bt_mse_rc4(&a.m) == (want == BT_MSE_CRYPTO_RC4), "rc4 says whether the stream is RC4");

    /* B's payload to A, then A's to B, through the stream functions. */
    memcpy(msg, reply, sizeof(reply));
    bt_mse_encrypt(&b.m, msg, sizeof(msg));
    ok((memcmp(msg, reply, sizeof(reply)) != 0) == (want == BT_MSE_CRYPTO_RC4),
       "the payload is %s on the wire", want == BT_MSE_CRYPTO_RC4 ? "encrypted" : "plain");
    bt_mse_decrypt(&a.m, msg, sizeof(msg));
    ok(memcmp(msg, reply, sizeof(reply)) == 0, "A reads B's payload");
    memcpy(msg, reply, sizeof(reply));
    bt_mse_encrypt(&a.m, msg, sizeof(msg));
    bt_mse_decrypt(&b.m, msg, sizeof(msg));
    ok(memcmp(msg, reply, sizeof(reply)) == 0, "B reads A's payload");
    (void)used;
    sides_release(&a, &b);
}

static void test_wrong_hash(void)
{
    struct side a, b;

    sides_init(&a, &b);
    bt_mse_start_initiator(&a.m, other, BT_MSE_CRYPTO_RC4, NULL, 0, &b.in);
    bt_mse_start_receiver(&b.m, BT_MSE_REQUIRE, lookup, NULL);
    run(&a, &b);
    ok(b.err == BT_ERR_PEER_MSE && b.m.state == BT_MSE_FAILED, "a wrong info hash fails");
    ok(b.m.why != NULL && strstr(b.m.why, "do not serve") != NULL, "and says so: %s",
       b.m.why ? b.m.why : "(null)");
    sides_release(&a, &b);
}

static void test_require_refuses_plain(void)
{
    struct side a, b;

    sides_init(&a, &b);
    bt_mse_start_initiator(&a.m, served, BT_MSE_CRYPTO_PLAIN, NULL, 0, &b.in);
    bt_mse_start_receiver(&b.m, BT_MSE_REQUIRE, lookup, NULL);
    run(&a, &b);
    ok(b.err == BT_ERR_PEER_MSE, "a receiver that requires RC4 refuses plaintext only: %s",
       b.m.why ? b.m.why : "(null)");
    sides_release(&a, &b);
}

/* An initiator that sends pads longer than the spec allows: PadA (so req1 is
 * out of reach) or PadC (its length field says so).  Each is tried until the
 * random lengths hit the case (PadA above 512 in one try in 8). */
static void test_oversized_pad(void)
{
    int tries, seen_a = 0, seen_c = 0;

    for (tries = 0; tries < 200 && (seen_a == 0 || seen_c == 0); tries++) {
        struct side a, b;

        sides_init(&a, &b);
        a.m.pad_max = 4000;
        bt_mse_start_initiator(&a.m, served, BT_MSE_CRYPTO_RC4, NULL, 0, &b.in);
        bt_mse_start_receiver(&b.m, BT_MSE_REQUIRE, lookup, NULL);
        run(&a, &b);
        if (b.err == BT_ERR_PEER_MSE && strstr(b.m.why, "532") != NULL)
            seen_a = 1;
        if (b.err == BT_ERR_PEER_MSE && strstr(b.m.why, "PadC") != NULL)
            seen_c = 1;
        sides_release(&a, &b);
    }
    ok(seen_a, "a PadA above 512 bytes fails: req1 not found within 532 bytes");
    ok(seen_c, "a PadC above 512 bytes fails on its length");
}

/* Garbage: a receiver gives up after 96 + 532 bytes, an initiator after 96 + 520. */
static void test_garbage(void)
{
    unsigned char junk[2048];
    struct bt_buf out;
    struct bt_mse m;
    size_t used = 0, n;

    bt_random_bytes(junk, sizeof(junk));
    junk[0] = 0x80; /* a public key above 1 and below P-1 */
    bt_buf_init(&out, 1 << 16);

    bt_mse_init(&m);
    bt_mse_start_receiver(&m, BT_MSE_PREFER, lookup, NULL);
    for (n = 1; n <= sizeof(junk) && m.state != BT_MSE_FAILED; n++) {
        size_t u;

        bt_mse_feed(&m, junk + used, n - used, &u, &out);
        used += u;
    }
    ok(m.state == BT_MSE_FAILED && n - 1 == BT_MSE_KEY_LEN + BT_MSE_REQ1_SEARCH,
       "a receiver fed garbage fails at byte %zu (96 + 532)", n - 1);
    bt_mse_release(&m);

    bt_buf_reset(&out);
    bt_mse_init(&m);
    bt_mse_start_initiator(&m, served, BT_MSE_CRYPTO_RC4, NULL, 0, &out);
    used = 0;
    for (n = 1; n <= sizeof(junk) && m.state != BT_MSE_FAILED; n++) {
        size_t u;

        bt_mse_feed(&m, junk + used, n - used, &u, &out);
        used += u;
    }
    ok(m.state == BT_MSE_FAILED && n - 1 == BT_MSE_KEY_LEN + BT_MSE_VC_SEARCH,
       "an initiator fed garbage fails at byte %zu (96 + 520)", n - 1);
    bt_mse_release(&m);

    /* A public key of 1 makes S 1: refused at once. */
    bt_mse_init(&m);
    bt_mse_start_receiver(&m, BT_MSE_PREFER, lookup, NULL);
    memset(junk, 0, BT_MSE_KEY_LEN);
    junk[BT_MSE_KEY_LEN - 1] = 1;
    ok(bt_mse_feed(&m, junk, BT_MSE_KEY_LEN, &used, &out) == BT_ERR_PEER_MSE,
       "a public key of 1 is refused");
    bt_mse_release(&m);
    bt_buf_release(&out);
}

int main(void)
{
    test_talk(BT_MSE_CRYPTO_RC4, BT_MSE_REQUIRE, BT_MSE_CRYPTO_RC4);
    /* Offered both, a receiver that prefers picks plaintext; one that requires, RC4. */
    test_talk(BT_MSE_CRYPTO_RC4 | BT_MSE_CRYPTO_PLAIN, BT_MSE_PREFER, BT_MSE_CRYPTO_PLAIN);
    test_talk(BT_MSE_CRYPTO_RC4 | BT_MSE_CRYPTO_PLAIN, BT_MSE_REQUIRE, BT_MSE_CRYPTO_RC4);
    test_talk(BT_MSE_CRYPTO_RC4, BT_MSE_PREFER, BT_MSE_CRYPTO_RC4);
    test_talk(BT_MSE_CRYPTO_PLAIN, BT_MSE_PREFER, BT_MSE_CRYPTO_PLAIN);
    test_wrong_hash();
    test_require_refuses_plain();
    test_oversized_pad();
    test_garbage();
    return tap_done();
}
