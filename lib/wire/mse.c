/*
 * mse.c - Message Stream Encryption: the DH exchange, the obfuscated handshake
 * of both sides, and RC4 for the stream after it.  See mse.h for the drawing.
 */
#include "wire/mse.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/provider.h>

#include "core/bytes.h"
#include "core/random.h"

/* The spec's 768-bit prime (the Oakley group 1 prime), big-endian, and G. */
static const unsigned char prime[BT_MSE_KEY_LEN] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xC9, 0x0F, 0xDA, 0xA2, 0x21, 0x68, 0xC2, 0x34,
    0xC4, 0xC6, 0x62, 0x8B, 0x80, 0xDC, 0x1C, 0xD1, 0x29, 0x02, 0x4E, 0x08, 0x8A, 0x67, 0xCC, 0x74,
    0x02, 0x0B, 0xBE, 0xA6, 0x3B, 0x13, 0x9B, 0x22, 0x51, 0x4A, 0x08, 0x79, 0x8E, 0x34, 0x04, 0xDD,
    0xEF, 0x95, 0x19, 0xB3, 0xCD, 0x3A, 0x43, 0x1B, 0x30, 0x2B, 0x0A, 0x6D, 0xF2, 0x5F, 0x14, 0x37,
    0x4F, 0xE1, 0x35, 0x6D, 0x6D, 0x51, 0xC2, 0x45, 0xE4, 0x85, 0xB5, 0x76, 0x62, 0x5E, 0x7E, 0xC6,
    0xF4, 0x4C, 0x42, 0xE9, 0xA6, 0x3A, 0x36, 0x21, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x05, 0x63,
};
#define GENERATOR 2

#define PROVIDE_LEN 4 /* crypto_provide, crypto_select */
#define LEN_LEN     2 /* len(PadC), len(PadD), len(IA) */

/* RC4 lives in OpenSSL 3's legacy provider.  Loading it into the default
 * library context would stop the default provider from loading implicitly, so
 * it gets a context of its own, made once per process. */
static pthread_once_t rc4_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *rc4_cipher;

static void rc4_load(void)
{
    OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();

    if (ctx == NULL)
        return;
    if (OSSL_PROVIDER_load(ctx, "legacy") == NULL)
        return;
    rc4_cipher = EVP_CIPHER_fetch(ctx, "RC4", NULL);
}

static enum bt_err fail(struct bt_mse *m, const char *why)
{
    m->state = BT_MSE_FAILED;
    m->why = why;
    return BT_ERR_PEER_MSE;
}

void bt_mse_init(struct bt_mse *m)
{
    memset(m, 0, sizeof(*m));
    m->state = BT_MSE_IDLE;
    m->pad_max = BT_MSE_PAD_MAX;
    bt_buf_init(&m->ia, BT_MSE_IA_MAX);
    bt_buf_init(&m->ia_out, BT_MSE_IA_MAX);
}

void bt_mse_release(struct bt_mse *m)
{
    EVP_CIPHER_CTX_free(m->enc);
    EVP_CIPHER_CTX_free(m->dec);
    m->enc = m->dec = NULL;
    bt_buf_release(&m->ia);
    bt_buf_release(&m->ia_out);
    memset(m->priv, 0, sizeof(m->priv));
    memset(m->secret, 0, sizeof(m->secret));
}

/* HASH(tag, a, b): tag is 4 ASCII bytes ('req1', 'keyA', ...); b may be NULL. */
static enum bt_err hash3(const char *tag, const unsigned char *a, size_t an, const unsigned char *b,
                         size_t bn, unsigned char out[BT_SHA1_LEN])
{
    struct bt_sha1 h;
    enum bt_err err;

    bt_sha1_init(&h);
    err = bt_sha1_update(&h, tag, 4);
    if (err == BT_OK)
        err = bt_sha1_update(&h, a, an);
    if (err == BT_OK && b != NULL)
        err = bt_sha1_update(&h, b, bn);
    if (err == BT_OK)
        err = bt_sha1_final(&h, out);
    bt_sha1_release(&h);
    return err;
}

enum bt_err bt_mse_req2(const unsigned char skey[BT_MSE_SKEY_LEN], unsigned char out[BT_SHA1_LEN])
{
    return hash3("req2", skey, BT_MSE_SKEY_LEN, NULL, 0, out);
}

const char *bt_mse_method_name(uint32_t select)
{
    if (select == BT_MSE_CRYPTO_RC4)
        return "rc4";
    if (select == BT_MSE_CRYPTO_PLAIN)
        return "plaintext";
    return "none";
}

/* Run n bytes through an RC4 context in place (n may exceed INT_MAX). */
static enum bt_err rc4_run(void *ctx, unsigned char *p, size_t n)
{
    while (n > 0) {
        int chunk = n > INT_MAX / 2 ? INT_MAX / 2 : (int)n, outl = 0;

        if (EVP_CipherUpdate(ctx, p, &outl, p, chunk) != 1 || outl != chunk)
            return BT_ERR_NOMEM;
        p += chunk;
        n -= (size_t)chunk;
    }
    return BT_OK;
}

/* RC4 keyed with HASH(tag, S, SKEY), its first 1024 bytes thrown away. */
static enum bt_err rc4_new(struct bt_mse *m, const char *tag, void **out)
{
    unsigned char key[BT_SHA1_LEN], discard[BT_MSE_DISCARD];
    EVP_CIPHER_CTX *ctx;
    enum bt_err err = hash3(tag, m->secret, BT_MSE_KEY_LEN, m->skey, BT_MSE_SKEY_LEN, key);

    if (err != BT_OK)
        return err;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return BT_ERR_NOMEM;
    /* RC4's default key is 16 bytes: say 20 before the key goes in. */
    if (EVP_CipherInit_ex2(ctx, rc4_cipher, NULL, NULL, 1, NULL) != 1 ||
        EVP_CIPHER_CTX_set_key_length(ctx, BT_SHA1_LEN) != 1 ||
        EVP_CipherInit_ex2(ctx, NULL, key, NULL, 1, NULL) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return BT_ERR_NOMEM;
    }
    memset(discard, 0, sizeof(discard));
    err = rc4_run(ctx, discard, sizeof(discard));
    if (err != BT_OK) {
        EVP_CIPHER_CTX_free(ctx);
        return err;
    }
    *out = ctx;
    return BT_OK;
}

/* Both keystreams, once S and SKEY are known: A sends with keyA, B with keyB. */
static enum bt_err make_ciphers(struct bt_mse *m)
{
    enum bt_err err = rc4_new(m, m->initiator ? "keyA" : "keyB", &m->enc);

    if (err == BT_OK)
        err = rc4_new(m, m->initiator ? "keyB" : "keyA", &m->dec);
    return err;
}

/* Pick Xa or Xb and append Y = G^X mod P, 96 bytes, to out. */
static enum bt_err put_public_key(struct bt_mse *m, struct bt_buf *out)
{
    BIGNUM *p = BN_bin2bn(prime, sizeof(prime), NULL), *x = NULL, *g = BN_new(), *y = BN_new();
    BN_CTX *ctx = BN_CTX_new();
    unsigned char key[BT_MSE_KEY_LEN];
    enum bt_err err = bt_random_bytes(m->priv, sizeof(m->priv));

    if (err == BT_OK && (p == NULL || g == NULL || y == NULL || ctx == NULL))
        err = BT_ERR_NOMEM;
    if (err == BT_OK) {
        x = BN_bin2bn(m->priv, sizeof(m->priv), NULL);
        if (x == NULL || BN_set_word(g, GENERATOR) != 1)
            err = BT_ERR_NOMEM;
    }
    if (err == BT_OK) {
        BN_set_flags(x, BN_FLG_CONSTTIME);
        if (BN_mod_exp(y, g, x, p, ctx) != 1 || BN_bn2binpad(y, key, sizeof(key)) < 0)
            err = BT_ERR_NOMEM;
    }
    if (err == BT_OK)
        err = bt_buf_append(out, key, sizeof(key));
    BN_clear_free(x);
    BN_free(p);
    BN_free(g);
    BN_free(y);
    BN_CTX_free(ctx);
    return err;
}

/* S = Y^X mod P from their public key.  A key of 0, 1 or P-1 and up would make S
 * guessable: refuse it. */
static enum bt_err take_public_key(struct bt_mse *m, const unsigned char *their)
{
    BIGNUM *p = BN_bin2bn(prime, sizeof(prime), NULL);
    BIGNUM *y = BN_bin2bn(their, BT_MSE_KEY_LEN, NULL);
    BIGNUM *x = BN_bin2bn(m->priv, sizeof(m->priv), NULL), *s = BN_new(), *top = NULL;
    BN_CTX *ctx = BN_CTX_new();
    enum bt_err err = BT_OK;

    if (p == NULL || y == NULL || x == NULL || s == NULL || ctx == NULL)
        err = BT_ERR_NOMEM;
    if (err == BT_OK) {
        top = BN_dup(p);
        if (top == NULL || BN_sub_word(top, 1) != 1)
            err = BT_ERR_NOMEM;
    }
    if (err == BT_OK && (BN_cmp(y, BN_value_one()) <= 0 || BN_cmp(y, top) >= 0))
        err = fail(m, "their public key is 0, 1 or not below P-1");
    if (err == BT_OK) {
        BN_set_flags(x, BN_FLG_CONSTTIME);
        if (BN_mod_exp(s, y, x, p, ctx) != 1 || BN_bn2binpad(s, m->secret, sizeof(m->secret)) < 0)
            err = BT_ERR_NOMEM;
    }
    BN_free(p);
    BN_free(y);
    BN_clear_free(x);
    BN_clear_free(s);
    BN_free(top);
    BN_CTX_free(ctx);
    return err;
}

/* A pad of random length (0..pad_max) and random bytes. */
static enum bt_err random_pad_len(struct bt_mse *m, size_t *len)
{
    unsigned char r[2];
    enum bt_err err = bt_random_bytes(r, sizeof(r));

    *len = err == BT_OK ? bt_get_be16(r) % (m->pad_max + 1) : 0;
    return err;
}

static enum bt_err put_random(struct bt_buf *out, size_t n)
{
    enum bt_err err = bt_buf_reserve(out, n);

    if (err != BT_OK)
        return err;
    err = bt_random_bytes(out->data + out->len, n);
    if (err == BT_OK)
        out->len += n;
    return err;
}

static enum bt_err put_random_pad(struct bt_mse *m, struct bt_buf *out)
{
    size_t n;
    enum bt_err err = random_pad_len(m, &n);

    return err == BT_OK ? put_random(out, n) : err;
}

/* Append n bytes at p to out, encrypted with our keystream. */
static enum bt_err put_encrypted(struct bt_mse *m, struct bt_buf *out, const void *p, size_t n)
{
    size_t mark = out->len;
    enum bt_err err = bt_buf_append(out, p, n);

    if (err == BT_OK)
        err = rc4_run(m->enc, out->data + mark, n);
    return err;
}

static enum bt_err need_rc4(struct bt_mse *m)
{
    pthread_once(&rc4_once, rc4_load);
    if (rc4_cipher == NULL)
        return fail(m, "RC4 is not available (OpenSSL's legacy provider did not load)");
    return BT_OK;
}

enum bt_err bt_mse_start_initiator(struct bt_mse *m, const unsigned char skey[BT_MSE_SKEY_LEN],
                                   uint32_t provide, const void *ia, size_t n, struct bt_buf *out)
{
    enum bt_err err = need_rc4(m);

    if (err != BT_OK)
        return err;
    m->initiator = 1;
    m->provide = provide;
    memcpy(m->skey, skey, BT_MSE_SKEY_LEN);
    if (n > 0)
        err = bt_buf_append(&m->ia_out, ia, n);
    if (err == BT_OK)
        err = put_public_key(m, out);
    if (err == BT_OK)
        err = put_random_pad(m, out);
    if (err == BT_OK)
        m->state = BT_MSE_A_WAIT_YB;
    return err;
}

enum bt_err bt_mse_start_receiver(struct bt_mse *m, int policy, bt_mse_lookup_fn *lookup, void *arg)
{
    enum bt_err err = need_rc4(m);

    if (err != BT_OK)
        return err;
    m->initiator = 0;
    m->policy = policy;
    m->lookup = lookup;
    m->lookup_arg = arg;
    m->state = BT_MSE_B_WAIT_YA;
    return BT_OK;
}

/* A, step 3: req1, req2 xor req3, then ENCRYPT(VC, provide, PadC, IA). */
static enum bt_err a_send_request(struct bt_mse *m, struct bt_buf *out)
{
    unsigned char req1[BT_SHA1_LEN], req2[BT_SHA1_LEN], req3[BT_SHA1_LEN];
    unsigned char head[BT_MSE_VC_LEN + PROVIDE_LEN + LEN_LEN], ia_len[LEN_LEN], zero = 0;
    size_t pad, i;
    enum bt_err err = hash3("req1", m->secret, BT_MSE_KEY_LEN, NULL, 0, req1);

    if (err == BT_OK)
        err = bt_mse_req2(m->skey, req2);
    if (err == BT_OK)
        err = hash3("req3", m->secret, BT_MSE_KEY_LEN, NULL, 0, req3);
    if (err == BT_OK)
        err = random_pad_len(m, &pad);
    if (err != BT_OK)
        return err;
    for (i = 0; i < BT_SHA1_LEN; i++)
        req2[i] ^= req3[i];
    memset(head, 0, BT_MSE_VC_LEN);
    bt_put_be32(head + BT_MSE_VC_LEN, m->provide);
    bt_put_be16(head + BT_MSE_VC_LEN + PROVIDE_LEN, (uint16_t)pad);
    bt_put_be16(ia_len, (uint16_t)m->ia_out.len);
    err = bt_buf_append(out, req1, sizeof(req1));
    if (err == BT_OK)
        err = bt_buf_append(out, req2, sizeof(req2));
    if (err == BT_OK)
        err = put_encrypted(m, out, head, sizeof(head));
    /* PadC: zeros are as good as random once encrypted. */
    for (i = 0; err == BT_OK && i < pad; i++)
        err = put_encrypted(m, out, &zero, 1);
    if (err == BT_OK)
        err = put_encrypted(m, out, ia_len, sizeof(ia_len));
    if (err == BT_OK && m->ia_out.len > 0)
        err = put_encrypted(m, out, m->ia_out.data, m->ia_out.len);
    bt_buf_release(&m->ia_out);
    return err;
}

/* B, step 4: ENCRYPT(VC, crypto_select, len(PadD), PadD). */
static enum bt_err b_send_select(struct bt_mse *m, struct bt_buf *out)
{
    unsigned char head[BT_MSE_VC_LEN + PROVIDE_LEN + LEN_LEN], zero = 0;
    size_t pad, i;
    enum bt_err err = random_pad_len(m, &pad);

    if (err != BT_OK)
        return err;
    memset(head, 0, BT_MSE_VC_LEN);
    bt_put_be32(head + BT_MSE_VC_LEN, m->select);
    bt_put_be16(head + BT_MSE_VC_LEN + PROVIDE_LEN, (uint16_t)pad);
    err = put_encrypted(m, out, head, sizeof(head));
    for (i = 0; err == BT_OK && i < pad; i++)
        err = put_encrypted(m, out, &zero, 1);
    return err;
}

/* Where needle starts in the first n bytes of hay, or n when it does not. */
static size_t find(const unsigned char *hay, size_t n, const unsigned char *needle, size_t len)
{
    size_t i;

    for (i = 0; i + len <= n; i++) {
        if (memcmp(hay + i, needle, len) == 0)
            return i;
    }
    return n;
}

/*
 * B chooses.  Require: RC4 or nothing.  Prefer: plaintext when A offers it,
 * as libtorrent does by default, since the handshake is hidden either way and
 * RC4 costs more CPU than SHA-1 on a fast link; RC4 when A offers only RC4.
 */
static uint32_t choose(const struct bt_mse *m)
{
    if (m->policy != BT_MSE_REQUIRE && (m->provide & BT_MSE_CRYPTO_PLAIN) != 0)
        return BT_MSE_CRYPTO_PLAIN;
    if ((m->provide & BT_MSE_CRYPTO_RC4) != 0)
        return BT_MSE_CRYPTO_RC4;
    return 0;
}

/* One step of the machine on the bytes at in; *took bytes consumed, 0 when it
 * needs more. */
static enum bt_err step(struct bt_mse *m, const unsigned char *in, size_t n, size_t *took,
                        struct bt_buf *out)
{
    unsigned char buf[BT_MSE_VC_LEN + PROVIDE_LEN + LEN_LEN], h[BT_SHA1_LEN], h3[BT_SHA1_LEN];
    enum bt_err err;
    size_t at, i;

    *took = 0;
    switch (m->state) {
    case BT_MSE_A_WAIT_YB:
    case BT_MSE_B_WAIT_YA:
        if (n < BT_MSE_KEY_LEN)
            return BT_OK;
        /* B picks its private key only now, as it answers. */
        if (m->state == BT_MSE_B_WAIT_YA) {
            err = put_public_key(m, out);
            if (err == BT_OK)
                err = put_random_pad(m, out);
            if (err != BT_OK)
                return err;
        }
        err = take_public_key(m, in);
        if (err != BT_OK)
            return err;
        *took = BT_MSE_KEY_LEN;
        if (m->state == BT_MSE_B_WAIT_YA) {
            m->state = BT_MSE_B_SYNC_REQ1;
            return BT_OK;
        }
        err = make_ciphers(m);
        if (err == BT_OK) {
            /* B's VC, encrypted, is the first 8 bytes of its keystream; working
             * it out leaves our copy of that keystream just past it. */
            memset(m->vc_enc, 0, sizeof(m->vc_enc));
            err = rc4_run(m->dec, m->vc_enc, sizeof(m->vc_enc));
        }
        if (err == BT_OK)
            err = a_send_request(m, out);
        m->state = BT_MSE_A_SYNC_VC;
        return err;

    case BT_MSE_A_SYNC_VC:
        at = find(in, n, m->vc_enc, BT_MSE_VC_LEN);
        if (at == n || at > BT_MSE_PAD_MAX) {
            if (n >= BT_MSE_VC_SEARCH)
                return fail(m, "no verification constant within 520 bytes after Yb "
                               "(PadB longer than 512 bytes?)");
            return BT_OK;
        }
        *took = at + BT_MSE_VC_LEN;
        m->state = BT_MSE_A_SELECT;
        return BT_OK;

    case BT_MSE_A_SELECT:
        if (n < PROVIDE_LEN + LEN_LEN)
            return BT_OK;
        memcpy(buf, in, PROVIDE_LEN + LEN_LEN);
        err = rc4_run(m->dec, buf, PROVIDE_LEN + LEN_LEN);
        if (err != BT_OK)
            return err;
        m->select = bt_get_be32(buf);
        m->pad_len = bt_get_be16(buf + PROVIDE_LEN);
        if ((m->select != BT_MSE_CRYPTO_RC4 && m->select != BT_MSE_CRYPTO_PLAIN) ||
            (m->select & m->provide) == 0)
            return fail(m, "crypto_select is not one of the methods we offered");
        if (m->pad_len > BT_MSE_PAD_MAX)
            return fail(m, "PadD longer than 512 bytes");
        *took = PROVIDE_LEN + LEN_LEN;
        m->state = BT_MSE_A_PAD_D;
        return BT_OK;

    case BT_MSE_A_PAD_D:
    case BT_MSE_B_PAD_C: {
        /* B reads len(IA) after PadC; the pad's bytes only advance the keystream. */
        unsigned char scratch[BT_MSE_PAD_MAX + LEN_LEN];
        size_t len = m->pad_len + (m->state == BT_MSE_B_PAD_C ? LEN_LEN : 0);

        if (n < len)
            return BT_OK;
        memcpy(scratch, in, len);
        err = rc4_run(m->dec, scratch, len);
        if (err != BT_OK)
            return err;
        *took = len;
        if (m->state == BT_MSE_A_PAD_D) {
            m->state = BT_MSE_DONE;
            return BT_OK;
        }
        m->pad_len = bt_get_be16(scratch + m->pad_len);
        if (m->pad_len > BT_MSE_IA_MAX)
            return fail(m, "len(IA) above 4096 bytes");
        m->state = BT_MSE_B_IA;
        return BT_OK;
    }

    case BT_MSE_B_SYNC_REQ1:
        err = hash3("req1", m->secret, BT_MSE_KEY_LEN, NULL, 0, h);
        if (err != BT_OK)
            return err;
        at = find(in, n, h, BT_SHA1_LEN);
        if (at == n || at > BT_MSE_PAD_MAX) {
            if (n >= BT_MSE_REQ1_SEARCH)
                return fail(m, "no HASH('req1', S) within 532 bytes after Ya "
                               "(PadA longer than 512 bytes, or not MSE)");
            return BT_OK;
        }
        *took = at + BT_SHA1_LEN;
        m->state = BT_MSE_B_REQ23;
        return BT_OK;

    case BT_MSE_B_REQ23:
        if (n < BT_SHA1_LEN)
            return BT_OK;
        err = hash3("req3", m->secret, BT_MSE_KEY_LEN, NULL, 0, h3);
        if (err != BT_OK)
            return err;
        for (i = 0; i < BT_SHA1_LEN; i++)
            h[i] = in[i] ^ h3[i];
        if (m->lookup == NULL || m->lookup(m->lookup_arg, h, m->skey) == 0)
            return fail(m, "HASH('req2', SKEY) names a torrent we do not serve");
        err = make_ciphers(m);
        if (err != BT_OK)
            return err;
        *took = BT_SHA1_LEN;
        m->state = BT_MSE_B_PROVIDE;
        return BT_OK;

    case BT_MSE_B_PROVIDE:
        if (n < sizeof(buf))
            return BT_OK;
        memcpy(buf, in, sizeof(buf));
        err = rc4_run(m->dec, buf, sizeof(buf));
        if (err != BT_OK)
            return err;
        for (i = 0; i < BT_MSE_VC_LEN; i++) {
            if (buf[i] != 0)
                return fail(m, "the verification constant is not 8 zero bytes");
        }
        m->provide = bt_get_be32(buf + BT_MSE_VC_LEN);
        m->pad_len = bt_get_be16(buf + BT_MSE_VC_LEN + PROVIDE_LEN);
        if (m->pad_len > BT_MSE_PAD_MAX)
            return fail(m, "PadC longer than 512 bytes");
        m->select = choose(m);
        if (m->select == 0)
            return fail(m, m->policy == BT_MSE_REQUIRE
                               ? "the peer does not offer RC4, and we require it"
                               : "the peer offers no method we know");
        *took = sizeof(buf);
        m->state = BT_MSE_B_PAD_C;
        return BT_OK;

    case BT_MSE_B_IA:
        if (n < m->pad_len)
            return BT_OK;
        err = bt_buf_append(&m->ia, in, m->pad_len);
        if (err == BT_OK)
            err = rc4_run(m->dec, m->ia.data, m->ia.len);
        if (err == BT_OK)
            err = b_send_select(m, out);
        if (err != BT_OK)
            return err;
        *took = m->pad_len;
        m->state = BT_MSE_DONE;
        return BT_OK;

    case BT_MSE_IDLE:
    case BT_MSE_DONE:
    case BT_MSE_FAILED:
        return BT_OK;
    }
    return BT_OK;
}

enum bt_err bt_mse_step(struct bt_mse *m, const unsigned char *in, size_t n, size_t *used,
                        struct bt_buf *out)
{
    enum bt_err err = step(m, in, n, used, out);

    if (err != BT_OK && m->state != BT_MSE_FAILED) {
        m->state = BT_MSE_FAILED;
        m->why = "out of memory, or no random bytes";
    }
    return err;
}

enum bt_err bt_mse_feed(struct bt_mse *m, const unsigned char *in, size_t n, size_t *used,
                        struct bt_buf *out)
{
    *used = 0;
    while (m->state != BT_MSE_DONE && m->state != BT_MSE_FAILED && m->state != BT_MSE_IDLE) {
        enum bt_mse_state before = m->state;
        size_t took;
        enum bt_err err = bt_mse_step(m, in + *used, n - *used, &took, out);

        if (err != BT_OK)
            return err;
        if (took == 0 && m->state == before)
            break; /* it needs more bytes */
        *used += took;
    }
    return BT_OK;
}

int bt_mse_rc4(const struct bt_mse *m)
{
    return m->state == BT_MSE_DONE && m->select == BT_MSE_CRYPTO_RC4;
}

enum bt_err bt_mse_encrypt(struct bt_mse *m, unsigned char *p, size_t n)
{
    return bt_mse_rc4(m) ? rc4_run(m->enc, p, n) : BT_OK;
}

enum bt_err bt_mse_decrypt(struct bt_mse *m, unsigned char *p, size_t n)
{
    return bt_mse_rc4(m) ? rc4_run(m->dec, p, n) : BT_OK;
}
