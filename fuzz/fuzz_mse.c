/*
 * fuzz_mse.c - libFuzzer harness for Message Stream Encryption: the input is
 * what a peer sends, fed to a receiver (as if it had dialled us) and to an
 * initiator (as if we had dialled it), in pieces of the sizes the first byte
 * chooses, so that every step also meets its bytes split across reads.
 *
 *   input:  <1 byte: piece size, 1-256> <bytes from the peer...>
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "wire/mse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char skey[BT_MSE_SKEY_LEN] = {0};

static int lookup(void *arg, const unsigned char req2[BT_SHA1_LEN],
                  unsigned char out[BT_MSE_SKEY_LEN])
{
    unsigned char want[BT_SHA1_LEN];

    (void)arg;
    if (bt_mse_req2(skey, want) != BT_OK || memcmp(want, req2, BT_SHA1_LEN) != 0)
        return 0;
    memcpy(out, skey, BT_MSE_SKEY_LEN);
    return 1;
}

/* Feed data to m piece by piece, as a connection's receive buffer would. */
static void feed(struct bt_mse *m, const uint8_t *data, size_t size, size_t piece)
{
    struct bt_buf in, out;
    size_t at = 0;

    bt_buf_init(&in, size + 1);
    bt_buf_init(&out, 1 << 16);
    while (at < size && m->state != BT_MSE_FAILED && m->state != BT_MSE_DONE) {
        size_t n = size - at < piece ? size - at : piece, used = 0;

        if (bt_buf_append(&in, data + at, n) != BT_OK)
            break;
        at += n;
        if (bt_mse_feed(m, in.data, in.len, &used, &out) != BT_OK)
            break;
        memmove(in.data, in.data + used, in.len - used);
        in.len -= used;
        bt_buf_reset(&out);
    }
    if (m->state == BT_MSE_DONE && in.len > 0)
        (void)bt_mse_decrypt(m, in.data, in.len);
    bt_buf_release(&in);
    bt_buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bt_mse m;
    struct bt_buf out;
    size_t piece;

    if (size < 1)
        return 0;
    piece = (size_t)data[0] + 1;
    data++;
    size--;

    bt_mse_init(&m);
    if (bt_mse_start_receiver(&m, BT_MSE_PREFER, lookup, NULL) == BT_OK)
        feed(&m, data, size, piece);
    bt_mse_release(&m);

    bt_buf_init(&out, 1 << 16);
    bt_mse_init(&m);
    if (bt_mse_start_initiator(&m, skey, BT_MSE_CRYPTO_RC4 | BT_MSE_CRYPTO_PLAIN, NULL, 0, &out) ==
        BT_OK)
        feed(&m, data, size, piece);
    bt_mse_release(&m);
    bt_buf_release(&out);
    return 0;
}
