/*
 * mse.h - Message Stream Encryption (MSE/PE), the obfuscated handshake that
 * libtorrent, Transmission, Vuze and others put in front of BEP 3's handshake.
 * A (the initiator, who dialled) and B (the receiver) exchange Diffie-Hellman
 * keys, prove they know the torrent's info hash (SKEY) without naming it, and
 * agree on what follows: RC4 for every byte, or plaintext.
 *
 *   A -> B  Ya (96 bytes), PadA (0-512 random bytes)
 *   B -> A  Yb (96 bytes), PadB (0-512 random bytes)
 *   A -> B  HASH('req1', S)                            20 bytes: B finds it after PadA
 *           HASH('req2', SKEY) xor HASH('req3', S)     20 bytes: which torrent
 *           ENCRYPT( VC            8 zero bytes: A finds its encryption after PadB
 *                    crypto_provide  4 bytes, bits 0x01 plaintext, 0x02 RC4
 *                    len(PadC) 2, PadC (0-512),
 *                    len(IA) 2, IA )    IA: A's first payload (its BEP 3 handshake)
 *   B -> A  ENCRYPT( VC, crypto_select 4 (one bit of crypto_provide),
 *                    len(PadD) 2, PadD (0-512) )
 *   then    the payload stream, through RC4 if crypto_select was 0x02
 *
 * Ya = G^Xa mod P, S = Yb^Xa mod P = Ya^Xb mod P, all 96 bytes big-endian, with
 * the 768-bit prime P and G = 2.  ENCRYPT is RC4 keyed with HASH('keyA', S, SKEY)
 * from A to B and HASH('keyB', S, SKEY) from B to A, the first 1024 bytes of
 * each keystream discarded.  HASH is SHA-1.  Numbers are big-endian.
 *
 * Each side is a state machine fed whatever bytes have arrived: it consumes
 * what its step needs, appends what it sends to the caller's buffer, and waits
 * for more.  Every step is bounded: a pad is at most 512 bytes, the search for
 * req1 (by B) or for the encrypted VC (by A) gives up after the largest pad
 * plus what it looks for (532 and 520 bytes).  The caller enforces a deadline.
 *
 * DH through OpenSSL's BIGNUM, SHA-1 through EVP, RC4 through EVP from
 * OpenSSL 3's "legacy" provider (loaded into a library context of our own, so
 * the process's default context is left as it was).
 */
#ifndef BT_MSE_H
#define BT_MSE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/sha1.h"

#define BT_MSE_KEY_LEN     96   /* Ya, Yb and S: 768 bits */
#define BT_MSE_PRIVATE_LEN 20   /* Xa, Xb: 160 random bits, as the spec suggests */
#define BT_MSE_PAD_MAX     512  /* PadA, PadB, PadC, PadD at most */
#define BT_MSE_VC_LEN      8    /* the verification constant: 8 zero bytes */
#define BT_MSE_DISCARD     1024 /* keystream bytes thrown away before use */
#define BT_MSE_IA_MAX      4096 /* initial payload we accept (the spec sets none) */
#define BT_MSE_REQ1_SEARCH (BT_MSE_PAD_MAX + BT_SHA1_LEN)   /* 532: B's search */
#define BT_MSE_VC_SEARCH   (BT_MSE_PAD_MAX + BT_MSE_VC_LEN) /* 520: A's search */
#define BT_MSE_SKEY_LEN    BT_SHA1_LEN                      /* the info hash */

#define BT_MSE_CRYPTO_PLAIN 0x01u /* crypto_provide / crypto_select bits */
#define BT_MSE_CRYPTO_RC4   0x02u

/* What a peer connection does about encryption (struct bt_peer_config). */
enum bt_mse_policy {
    BT_MSE_OFF = 0, /* plain BEP 3 only */
    BT_MSE_PREFER,  /* dial with MSE offering both; pick plaintext if offered; accept both */
    BT_MSE_REQUIRE, /* MSE with RC4 only, both ways; refuse plain handshakes */
};

enum bt_mse_state {
    BT_MSE_IDLE,
    BT_MSE_A_WAIT_YB,   /* A: sent Ya, PadA; waiting for Yb */
    BT_MSE_A_SYNC_VC,   /* A: sent req1...IA; looking for B's encrypted VC */
    BT_MSE_A_SELECT,    /* A: reading crypto_select, len(PadD) */
    BT_MSE_A_PAD_D,     /* A: skipping PadD */
    BT_MSE_B_WAIT_YA,   /* B: waiting for Ya */
    BT_MSE_B_SYNC_REQ1, /* B: sent Yb, PadB; looking for HASH('req1', S) */
    BT_MSE_B_REQ23,     /* B: which torrent */
    BT_MSE_B_PROVIDE,   /* B: VC, crypto_provide, len(PadC) */
    BT_MSE_B_PAD_C,     /* B: PadC and len(IA) */
    BT_MSE_B_IA,        /* B: IA */
    BT_MSE_DONE,        /* the payload stream follows */
    BT_MSE_FAILED,
};

/*
 * B's way to find the torrent: given HASH('req2', SKEY) as A sent it, fill skey
 * with the info hash it names and return 1, or return 0 when we serve no such
 * torrent.  bt_mse_req2() computes HASH('req2', SKEY) for a candidate.
 */
typedef int bt_mse_lookup_fn(void *arg, const unsigned char req2[BT_SHA1_LEN],
                             unsigned char skey[BT_MSE_SKEY_LEN]);

struct bt_mse {
    enum bt_mse_state state;
    int initiator;
    uint32_t provide; /* A: what we offer; B: what A offered */
    uint32_t select;  /* the method chosen, once DONE */
    int policy;       /* B: enum bt_mse_policy, to choose */
    /* Largest pad we send; BT_MSE_PAD_MAX unless a test wants to break the rule. */
    size_t pad_max;
    bt_mse_lookup_fn *lookup;
    void *lookup_arg;

    unsigned char priv[BT_MSE_PRIVATE_LEN];
    unsigned char secret[BT_MSE_KEY_LEN]; /* S */
    unsigned char skey[BT_MSE_SKEY_LEN];
    unsigned char vc_enc[BT_MSE_VC_LEN]; /* A: VC as B's keystream encrypts it */
    size_t pad_len;                      /* the pad (or IA) being skipped or read */
    struct bt_buf ia;                    /* B: A's initial payload, decrypted, once DONE */
    struct bt_buf ia_out;                /* A: the initial payload to send with step 3 */
    void *enc, *dec;                     /* EVP_CIPHER_CTX: our keystream and theirs */
    const char *why;                     /* why it failed, for the user */
};

/* Set up an idle machine.  Cannot fail. */
void bt_mse_init(struct bt_mse *m);
/* Free the ciphers and buffers.  Safe on any state. */
void bt_mse_release(struct bt_mse *m);

/*
 * Start as A for the torrent skey, offering provide (BT_MSE_CRYPTO_* bits) and
 * sending ia (may be NULL with n 0; at most BT_MSE_IA_MAX bytes) as the initial
 * payload.  Appends Ya and PadA to out.  BT_ERR_PEER_MSE when RC4 is missing
 * (m->why says so), BT_ERR_NOMEM, BT_ERR_IO (no random bytes).
 */
enum bt_err bt_mse_start_initiator(struct bt_mse *m, const unsigned char skey[BT_MSE_SKEY_LEN],
                                   uint32_t provide, const void *ia, size_t n, struct bt_buf *out);
/* Start as B: lookup names the torrent, policy chooses the method. */
enum bt_err bt_mse_start_receiver(struct bt_mse *m, int policy, bt_mse_lookup_fn *lookup,
                                  void *arg);

/*
 * Feed the n bytes received so far (from the first byte not yet consumed).
 * *used says how many were consumed; the caller drops them and calls again with
 * the rest plus what arrives next.  Bytes to send are appended to out.  Once
 * m->state is BT_MSE_DONE, the bytes after *used are the payload stream (pass
 * them through bt_mse_decrypt), and on B's side m->ia holds A's initial payload,
 * already decrypted: it came as the last m->ia.len bytes consumed.
 * BT_ERR_PEER_MSE with m->why set when the peer breaks the protocol or names a
 * torrent we do not serve.
 */
enum bt_err bt_mse_feed(struct bt_mse *m, const unsigned char *in, size_t n, size_t *used,
                        struct bt_buf *out);

/* One step of bt_mse_feed(): consumes what the current step needs (*used, maybe
 * 0 when it needs more bytes), so a caller can trace each step as it happens.
 * The state changes when a step completes. */
enum bt_err bt_mse_step(struct bt_mse *m, const unsigned char *in, size_t n, size_t *used,
                        struct bt_buf *out);

/* 1 when the payload stream is RC4-encrypted (DONE, and RC4 selected). */
int bt_mse_rc4(const struct bt_mse *m);
/* Encrypt our outgoing payload / decrypt theirs, in place.  Does nothing when
 * plaintext was selected. */
enum bt_err bt_mse_encrypt(struct bt_mse *m, unsigned char *p, size_t n);
enum bt_err bt_mse_decrypt(struct bt_mse *m, unsigned char *p, size_t n);

/* HASH('req2', skey): what bt_mse_lookup_fn compares with. */
enum bt_err bt_mse_req2(const unsigned char skey[BT_MSE_SKEY_LEN], unsigned char out[BT_SHA1_LEN]);

/* The name of a crypto_select value, for traces: "rc4", "plaintext". */
const char *bt_mse_method_name(uint32_t select);

#endif /* BT_MSE_H */
