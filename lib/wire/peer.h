/*
 * peer.h - one peer connection on the event loop (BEP 3): connect, handshake,
 * then length-prefixed messages both ways, with timeouts and keep-alives.
 *
 *   connect ──> send our handshake ──> read theirs ──> [extension handshake] ──> messages
 *   (outgoing)                                     (BEP 10, if both set the bit)
 *
 *   accept ──> read their handshake ──> send ours ──> ...                     (incoming)
 *
 * With encryption (cfg->encryption, see mse.h) an outgoing connection starts
 * with MSE and carries our handshake as its initial payload; an incoming one is
 * plain when its first 20 bytes are 19 "BitTorrent protocol", MSE otherwise.
 * After MSE every byte in and out goes through RC4 if RC4 was chosen: received
 * bytes are decrypted as they are read, queued bytes encrypted just before they
 * are sent (so the trace and the owner only ever see plaintext).
 * With prefer, a peer that closes the connection during MSE (one that speaks
 * only plain BEP 3) is dialled once more, plain.
 *
 * Received bytes go into a buffer capped at the largest message the torrent
 * allows (plus one read's worth): a length prefix above that closes the
 * connection before one payload byte is read.  Bytes to send go into a capped
 * buffer that the loop drains when the socket can take them.
 *
 * Every timeout is checked by one timer per connection, ticking twice a second:
 * connect and handshake deadlines, an idle limit (nothing received), and a
 * keep-alive after a quiet spell on our side (BEP 3 suggests two minutes).
 *
 * The owner gets callbacks.  A callback that wants the connection dropped sets a
 * reason with bt_peer_why() and returns an error; the connection then closes and
 * on_close is the last call it makes (so on_close may free the struct).  Outside
 * callbacks, the owner closes with bt_peer_close(), which calls nothing.
 */
#ifndef BT_PEER_H
#define BT_PEER_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "wire/extension.h"
#include "wire/handshake.h"
#include "wire/hashes.h"
#include "core/loop.h"
#include "wire/message.h"
#include "wire/mse.h"
#include "core/net.h"

#define BT_PEER_TICK_MS 500
/* Bytes asked of one read().  Large: on loopback, 64 KiB reads cost three times
 * the kernel time of 256 KiB ones for the same bytes.  A slow peer's reads stay
 * small and touch only the start of its buffer. */
#define BT_PEER_READ_CHUNK   (256 * 1024)
#define BT_PEER_KEEPALIVE_MS (90 * 1000) /* under BEP 3's two minutes */
#define BT_PEER_DETAIL_MAX   160
#define BT_PEER_SEND_MAX     (2u << 20)    /* bytes queued to send, at most */
#define BT_PEER_LOW_WATER    (256u * 1024) /* below this, on_drain may queue more */

enum bt_peer_state {
    BT_PEER_IDLE,       /* initialised, no socket */
    BT_PEER_CONNECTING, /* outgoing connect in progress */
    BT_PEER_HANDSHAKE,  /* waiting for their handshake */
    BT_PEER_OPEN,       /* handshakes done: messages flow */
    BT_PEER_CLOSED,
};

struct bt_peer;

struct bt_peer_ops {
    /* Handshakes done (theirs matched our info hash); queue the first messages. */
    enum bt_err (*on_handshake)(void *arg, struct bt_peer *p);
    /* A message arrived and parsed (keep-alives are not passed on). */
    enum bt_err (*on_message)(void *arg, struct bt_peer *p, const struct bt_message *m);
    /* Less than BT_PEER_LOW_WATER bytes wait to be sent.  May be NULL. */
    enum bt_err (*on_drain)(void *arg, struct bt_peer *p);
    /* Called every tick while open, to check the owner's own deadlines.  May be NULL. */
    enum bt_err (*on_tick)(void *arg, struct bt_peer *p);
    /* The connection closed because of err; bt_peer_detail() says more.  Last call. */
    void (*on_close)(void *arg, struct bt_peer *p, enum bt_err err);
    /* One annotated trace (see trace.h).  NULL: do not trace. */
    void (*on_trace)(void *arg, struct bt_peer *p, const char *text, size_t len);
};

struct bt_peer_config {
    unsigned char info_hash[BT_HANDSHAKE_HASH_LEN];
    unsigned char peer_id[BT_PEER_ID_LEN];
    unsigned char reserved[BT_RESERVED_LEN]; /* our reserved bits */
    size_t piece_count; /* bounds bitfield and have; 0 while the torrent is unknown */
    int connect_timeout_ms;
    int handshake_timeout_ms; /* from connect (or accept) to their handshake */
    int idle_timeout_ms;      /* nothing received for this long: drop */
    uint16_t listen_port;     /* sent in our extension handshake; 0 for none */
    int64_t reqq;             /* our request queue depth, for the extension handshake */
    const char *client;       /* our name and version, for the extension handshake */
    unsigned ut_metadata_id;  /* BEP 9: offered in the extension handshake when not 0 */
    int64_t metadata_size;    /* the info dict we serve, or 0 while we fetch it */
    int encryption;           /* enum bt_mse_policy: off (0), prefer, require */
    unsigned ut_pex_id;       /* BEP 11: offered when not 0 (the session handles ut_pex) */
};

enum bt_peer_mse {
    BT_PEER_MSE_NONE,    /* plain BEP 3 (or, incoming, not yet known) */
    BT_PEER_MSE_RUNNING, /* the MSE handshake is under way */
    BT_PEER_MSE_DONE,    /* MSE done: p->mse says whether RC4 applies */
};

struct bt_peer {
    struct bt_loop *loop;
    const struct bt_peer_ops *ops;
    void *arg;
    const struct bt_peer_config *cfg; /* borrowed: must outlive the peer */
    enum bt_peer_state state;
    int incoming;
    int fd;
    struct bt_addr addr;
    char name[BT_ADDR_STRLEN]; /* addr as text, for messages */

    struct bt_handshake remote; /* valid from on_handshake on */
    int has_ext;                /* their extension handshake arrived */
    struct bt_ext_handshake ext;

    size_t max_len;   /* largest length prefix accepted */
    struct bt_buf in; /* received, not yet parsed: in.data + in_off */
    size_t in_off;
    struct bt_buf out; /* to send: out.data + out_off */
    size_t out_off;
    size_t out_enc; /* with RC4, out.data up to here is already encrypted */
    enum bt_peer_mse mse_phase;
    int plain_checked; /* incoming: the first bytes were looked at */
    int plain_retry;   /* outgoing, prefer: the peer dropped MSE, we dialled again plain */
    struct bt_mse mse;
    struct bt_buf trace;

    uint64_t deadline_ms; /* connect or handshake deadline */
    uint64_t last_recv_ms;
    uint64_t last_send_ms;
    uint64_t timer;
    uint64_t bytes_in, bytes_out;
    char detail[BT_PEER_DETAIL_MAX]; /* why it closed, for the user */
};

/* Set up an idle peer.  Cannot fail. */
void bt_peer_init(struct bt_peer *p, struct bt_loop *loop, const struct bt_peer_config *cfg,
                  const struct bt_peer_ops *ops, void *arg);

/* Start an outgoing connection; the rest happens on the loop. */
enum bt_err bt_peer_connect(struct bt_peer *p, const struct bt_addr *addr);
/* Take over an accepted socket (non-blocking); we answer their handshake. */
enum bt_err bt_peer_accept(struct bt_peer *p, int fd, const struct bt_addr *addr);

/* Close the socket and free the buffers, calling nothing.  Safe on any state. */
void bt_peer_close(struct bt_peer *p);

/* Set the reason the connection is about to be dropped (printf-style). */
void bt_peer_why(struct bt_peer *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The reason, or "" if none was given. */
const char *bt_peer_detail(const struct bt_peer *p);

/* Did both handshakes set the fast extension's bit (BEP 6, fast.h)?  Valid
 * from on_handshake on; without it, its five messages drop the connection. */
int bt_peer_fast(const struct bt_peer *p);

/* Bytes queued and not yet sent. */
size_t bt_peer_pending(const struct bt_peer *p);

/* Queue one message (traced, sent when the socket can take it).  BT_ERR_TOO_LARGE
 * when the send buffer is full. */
enum bt_err bt_peer_send_simple(struct bt_peer *p, unsigned id);
enum bt_err bt_peer_send_have(struct bt_peer *p, uint32_t index);
/* BEP 6: the peer may ask for piece index while we choke it (see fast.h). */
enum bt_err bt_peer_send_allowed_fast(struct bt_peer *p, uint32_t index);
enum bt_err bt_peer_send_bitfield(struct bt_peer *p, const unsigned char *bits, size_t n);
/* Our DHT node's port (BEP 5), to a peer whose handshake set the DHT bit. */
enum bt_err bt_peer_send_port(struct bt_peer *p, uint16_t port);
enum bt_err bt_peer_send_request(struct bt_peer *p, unsigned id, uint32_t index, uint32_t begin,
                                 uint32_t length);
/* An extended message (BEP 10) under the id the peer asked for. */
enum bt_err bt_peer_send_extended(struct bt_peer *p, unsigned ext_id, const void *payload,
                                  size_t n);
/* BEP 52: a hash request or hash reject (id says which), and hashes: n hashes,
 * r->length of the base layer and then the uncles (see hashes.h). */
enum bt_err bt_peer_send_hash_request(struct bt_peer *p, unsigned id,
                                      const struct bt_hash_request *r);
enum bt_err bt_peer_send_hashes(struct bt_peer *p, const struct bt_hash_request *r,
                                const unsigned char *hashes, size_t n);
/*
 * Queue a piece message whose block the function read() fills in place in the
 * send buffer (bt-seed passes a pread of the storage): no copy of the block.
 */
typedef enum bt_err bt_peer_read_fn(void *arg, int64_t offset, void *dst, size_t len);
enum bt_err bt_peer_send_piece(struct bt_peer *p, uint32_t index, uint32_t begin, uint32_t length,
                               int64_t offset, bt_peer_read_fn *read, void *read_arg);

#endif /* BT_PEER_H */
