/*
 * trace.c - annotated dumps of handshakes and messages.  See trace.h for what one
 * looks like.
 */
#include "wire/trace.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wire/bitfield.h"
#include "wire/extension.h"
#include "wire/hashes.h"
#include "wire/message.h"
#include "wire/peerid.h"
#include "wire/pex.h"

#define HEX_PER_LINE 16
#define INDENT       "     "
/* Column where the annotation starts: the indent and 16 "xx " groups. */
#define NOTE_COLUMN (sizeof(INDENT) - 1 + 3 * HEX_PER_LINE + 2)
#define TEXT_SHOWN  48 /* characters of a bencoded payload shown as text */
#define PEX_SHOWN   8  /* peers of a ut_pex message listed, of each kind */

static const char *arrow(int dir)
{
    return dir == BT_TRACE_SENT ? "->" : "<-";
}

/*
 * One field: up to BT_TRACE_FIELD_MAX of its bytes in hex, 16 a line, the note on
 * the first line, and how many bytes were left out.
 */
static enum bt_err field(struct bt_buf *out, const unsigned char *p, size_t n, const char *note)
{
    size_t shown = n < BT_TRACE_FIELD_MAX ? n : BT_TRACE_FIELD_MAX;
    size_t i = 0;
    enum bt_err err = BT_OK;

    do {
        size_t start = out->len, j;

        err = bt_buf_append_str(out, INDENT);
        for (j = 0; err == BT_OK && j < HEX_PER_LINE && i < shown; j++, i++)
            err = bt_buf_printf(out, "%02x ", p[i]);
        if (err == BT_OK && i <= HEX_PER_LINE && note != NULL) {
            while (err == BT_OK && out->len - start < NOTE_COLUMN)
                err = bt_buf_append_byte(out, ' ');
            if (err == BT_OK)
                err = bt_buf_append_str(out, note);
        }
        if (err == BT_OK && out->data[out->len - 1] == ' ')
            out->len--; /* no trailing blank on a line without a note */
        if (err == BT_OK)
            err = bt_buf_append_byte(out, '\n');
    } while (err == BT_OK && i < shown);
    if (err == BT_OK && shown < n)
        err = bt_buf_printf(out, INDENT "... %zu more bytes\n", n - shown);
    return err;
}

/* A note that shows bytes as text, control bytes replaced by '?'. */
static void text_note(char *note, size_t notesz, const char *label, const unsigned char *p,
                      size_t n)
{
    size_t o = 0, i;
    int w = snprintf(note, notesz, "%s \"", label);

    if (w < 0 || (size_t)w >= notesz)
        return;
    o = (size_t)w;
    for (i = 0; i < n && i < TEXT_SHOWN && o + 5 < notesz; i++)
        note[o++] = (p[i] < 0x20 || p[i] >= 0x7f) ? '.' : (char)p[i];
    note[o++] = '"';
    if (i < n && o + 4 < notesz) {
        note[o++] = '.';
        note[o++] = '.';
        note[o++] = '.';
    }
    note[o] = '\0';
}

enum bt_err bt_trace_handshake(struct bt_buf *out, int dir, const unsigned char *hs)
{
    char note[160], client[BT_PEERID_NAME_MAX];
    const unsigned char *reserved = hs + 1 + BT_HANDSHAKE_PSTR_LEN;
    const unsigned char *hash = reserved + BT_RESERVED_LEN;
    const unsigned char *peer_id = hash + BT_HANDSHAKE_HASH_LEN;
    enum bt_err err;
    int any = 0;

    err = bt_buf_printf(out, "%s handshake (%d bytes)\n", arrow(dir), BT_HANDSHAKE_LEN);
    if (err == BT_OK)
        err = field(out, hs, 1, "pstrlen 19");
    text_note(note, sizeof(note), "pstr", hs + 1, BT_HANDSHAKE_PSTR_LEN);
    if (err == BT_OK)
        err = field(out, hs + 1, BT_HANDSHAKE_PSTR_LEN, note);
    snprintf(note, sizeof(note), "reserved:");
    if (bt_handshake_has_bit(reserved, BT_RESERVED_EXTENSION_BYTE, BT_RESERVED_EXTENSION_BIT)) {
        snprintf(note + strlen(note), sizeof(note) - strlen(note), " extension protocol (BEP 10)");
        any = 1;
    }
    if (bt_handshake_has_bit(reserved, BT_RESERVED_FAST_BYTE, BT_RESERVED_FAST_BIT)) {
        snprintf(note + strlen(note), sizeof(note) - strlen(note), "%s fast (BEP 6)",
                 any ? "," : "");
        any = 1;
    }
    if (bt_handshake_has_bit(reserved, BT_RESERVED_DHT_BYTE, BT_RESERVED_DHT_BIT)) {
        snprintf(note + strlen(note), sizeof(note) - strlen(note), "%s DHT (BEP 5)",
                 any ? "," : "");
        any = 1;
    }
    if (!any)
        snprintf(note + strlen(note), sizeof(note) - strlen(note), " none");
    if (err == BT_OK)
        err = field(out, reserved, BT_RESERVED_LEN, note);
    if (err == BT_OK)
        err = field(out, hash, BT_HANDSHAKE_HASH_LEN, "info_hash");
    bt_peerid_client(peer_id, client);
    text_note(note, sizeof(note), "peer_id", peer_id, BT_PEER_ID_LEN);
    snprintf(note + strlen(note), sizeof(note) - strlen(note), " (%s)", client);
    if (err == BT_OK)
        err = field(out, peer_id, BT_PEER_ID_LEN, note);
    return err;
}

/* BEP 52's three messages share a head: parse it, whichever this is. */
static enum bt_err hash_head(const struct bt_message *m, struct bt_hashes *h)
{
    if (m->id == BT_MSG_HASHES)
        return bt_hashes_parse(h, m->payload, m->payload_len);
    memset(h, 0, sizeof(*h));
    return bt_hash_request_parse(&h->req, m->payload, m->payload_len);
}

static int is_pex(const char *ext_name)
{
    return ext_name != NULL && strcmp(ext_name, BT_EXT_UT_PEX) == 0;
}

/* An extended message's summary: its ext id, and what it stands for. */
static enum bt_err ext_summary(struct bt_buf *out, int dir, const struct bt_message *m, size_t len,
                               const char *ext_name)
{
    struct bt_pex_msg x;

    if (m->ext_id == BT_EXT_HANDSHAKE_ID)
        return bt_buf_printf(out, "%s extended ext_id=0 (extension handshake) (%zu bytes)\n",
                             arrow(dir), len);
    if (ext_name == NULL)
        return bt_buf_printf(out, "%s extended ext_id=%u (%zu bytes)\n", arrow(dir), m->ext_id,
                             len);
    if (is_pex(ext_name) && bt_pex_parse(&x, m->payload, m->payload_len) == BT_OK)
        return bt_buf_printf(out, "%s extended ext_id=%u (%s) added=%zu dropped=%zu (%zu bytes)\n",
                             arrow(dir), m->ext_id, ext_name, x.added_total, x.dropped_total, len);
    return bt_buf_printf(out, "%s extended ext_id=%u (%s) (%zu bytes)\n", arrow(dir), m->ext_id,
                         ext_name, len);
}

/* The peers of a ut_pex message, a line each, as far as PEX_SHOWN of each kind. */
static enum bt_err pex_fields(struct bt_buf *out, const struct bt_message *m)
{
    struct bt_pex_msg x;
    char name[BT_ADDR_STRLEN];
    struct bt_addr a;
    size_t i;
    enum bt_err err = BT_OK;

    if (bt_pex_parse(&x, m->payload, m->payload_len) != BT_OK)
        return BT_OK;
    for (i = 0; err == BT_OK && i < x.added_count && i < PEX_SHOWN; i++) {
        if (bt_addr_from_netaddr(&x.added[i].addr, &a) != BT_OK)
            continue;
        bt_addr_format(&a, name);
        err = bt_buf_printf(out, INDENT "added %s flags 0x%02x%s%s\n", name, x.added[i].flags,
                            (x.added[i].flags & BT_PEX_F_SEED) != 0 ? " seed" : "",
                            (x.added[i].flags & BT_PEX_F_REACHABLE) != 0 ? " reachable" : "");
    }
    if (err == BT_OK && x.added_total > i)
        err = bt_buf_printf(out, INDENT "... %zu more added\n", x.added_total - i);
    for (i = 0; err == BT_OK && i < x.dropped_count && i < PEX_SHOWN; i++) {
        if (bt_addr_from_netaddr(&x.dropped[i], &a) != BT_OK)
            continue;
        bt_addr_format(&a, name);
        err = bt_buf_printf(out, INDENT "dropped %s\n", name);
    }
    if (err == BT_OK && x.dropped_total > i)
        err = bt_buf_printf(out, INDENT "... %zu more dropped\n", x.dropped_total - i);
    return err;
}

/* The summary line: direction, name, the fields that matter, the size. */
static enum bt_err summary(struct bt_buf *out, int dir, const struct bt_message *m, size_t len,
                           const char *ext_name)
{
    const char *name = bt_message_name(m->id);
    struct bt_hashes h;

    switch (m->id) {
    case BT_MSG_HASH_REQUEST:
    case BT_MSG_HASHES:
    case BT_MSG_HASH_REJECT:
        if (hash_head(m, &h) != BT_OK)
            return bt_buf_printf(out, "%s malformed %s (%zu bytes)\n", arrow(dir), name, len);
        return bt_buf_printf(out,
                             "%s %s root=%02x%02x%02x%02x... base=%" PRIu32 " index=%" PRIu32
                             " length=%" PRIu32 " proof_layers=%" PRIu32 " (%zu bytes)\n",
                             arrow(dir), name, h.req.root[0], h.req.root[1], h.req.root[2],
                             h.req.root[3], h.req.base, h.req.index, h.req.length,
                             h.req.proof_layers, len);
    case BT_MSG_HAVE:
    case BT_MSG_SUGGEST:
    case BT_MSG_ALLOWED_FAST:
        return bt_buf_printf(out, "%s %s index=%" PRIu32 " (%zu bytes)\n", arrow(dir), name,
                             m->index, len);
    case BT_MSG_REQUEST:
    case BT_MSG_CANCEL:
    case BT_MSG_REJECT:
    case BT_MSG_PIECE:
        return bt_buf_printf(
            out, "%s %s index=%" PRIu32 " begin=%" PRIu32 " length=%" PRIu32 " (%zu bytes)\n",
            arrow(dir), name, m->index, m->begin, m->length, len);
    case BT_MSG_EXTENDED:
        return ext_summary(out, dir, m, len, ext_name);
    default:
        return bt_buf_printf(out, "%s %s (%zu bytes)\n", arrow(dir), name, len);
    }
}

/* The fields of a hash request, hashes or hash reject (BEP 52). */
static enum bt_err hash_fields(struct bt_buf *out, const struct bt_message *m)
{
    static const char *const names[] = {"base layer", "index", "length", "proof layers"};
    const unsigned char *p = m->payload + BT_PIECES_ROOT_LEN;
    struct bt_hashes h;
    char note[160];
    size_t i;
    enum bt_err err;

    if (hash_head(m, &h) != BT_OK)
        return m->payload_len > 0 ? field(out, m->payload, m->payload_len, "payload") : BT_OK;
    err = field(out, m->payload, BT_PIECES_ROOT_LEN, "pieces root");
    for (i = 0; err == BT_OK && i < 4; i++) {
        snprintf(note, sizeof(note), "%s %" PRIu32, names[i], bt_get_be32(p + 4 * i));
        err = field(out, p + 4 * i, 4, note);
    }
    if (err == BT_OK && m->id == BT_MSG_HASHES) {
        snprintf(note, sizeof(note), "%" PRIu32 " hashes", h.req.length);
        err = field(out, h.hashes, (size_t)h.req.length * BT_MERKLE_HASH_LEN, note);
        snprintf(note, sizeof(note), "%zu uncle hashes", h.uncle_count);
        if (err == BT_OK && h.uncle_count > 0)
            err = field(out, h.uncles, h.uncle_count * BT_MERKLE_HASH_LEN, note);
    }
    return err;
}

/* The fields after the id, for a message that parsed. */
static enum bt_err body_fields(struct bt_buf *out, const struct bt_message *m,
                               const unsigned char *after_id, size_t piece_count,
                               const char *ext_name)
{
    char note[160];
    enum bt_err err = BT_OK;

    switch (m->id) {
    case BT_MSG_HAVE:
    case BT_MSG_SUGGEST:
    case BT_MSG_ALLOWED_FAST:
        snprintf(note, sizeof(note), "index %" PRIu32, m->index);
        return field(out, after_id, 4, note);
    case BT_MSG_REQUEST:
    case BT_MSG_CANCEL:
    case BT_MSG_REJECT:
    case BT_MSG_PIECE:
        snprintf(note, sizeof(note), "index %" PRIu32, m->index);
        err = field(out, after_id, 4, note);
        snprintf(note, sizeof(note), "begin %" PRIu32, m->begin);
        if (err == BT_OK)
            err = field(out, after_id + 4, 4, note);
        if (m->id == BT_MSG_PIECE) {
            snprintf(note, sizeof(note), "block (%" PRIu32 " bytes)", m->length);
            if (err == BT_OK)
                err = field(out, m->payload, m->payload_len, note);
        } else {
            snprintf(note, sizeof(note), "length %" PRIu32, m->length);
            if (err == BT_OK)
                err = field(out, after_id + 8, 4, note);
        }
        return err;
    case BT_MSG_BITFIELD: {
        struct bt_bitfield bf = {(unsigned char *)m->payload, m->payload_len * 8};

        if (piece_count != 0)
            bf.count = piece_count;
        snprintf(note, sizeof(note), "bits: has %zu of %zu pieces", bt_bitfield_popcount(&bf),
                 bf.count);
        return field(out, m->payload, m->payload_len, note);
    }
    case BT_MSG_PORT:
        snprintf(note, sizeof(note), "port %u", (unsigned)m->port);
        return field(out, after_id, 2, note);
    case BT_MSG_EXTENDED:
        if (m->ext_id == BT_EXT_HANDSHAKE_ID || ext_name == NULL)
            snprintf(note, sizeof(note), "ext id %u%s", m->ext_id,
                     m->ext_id == BT_EXT_HANDSHAKE_ID ? " (handshake, BEP 10)" : "");
        else
            snprintf(note, sizeof(note), "ext id %u (%s%s)", m->ext_id, ext_name,
                     is_pex(ext_name) ? ", BEP 11" : "");
        err = field(out, after_id, 1, note);
        text_note(note, sizeof(note), "bencoded", m->payload, m->payload_len);
        if (err == BT_OK && m->payload_len > 0)
            err = field(out, m->payload, m->payload_len, note);
        if (err == BT_OK && is_pex(ext_name))
            err = pex_fields(out, m);
        return err;
    case BT_MSG_HASH_REQUEST:
    case BT_MSG_HASHES:
    case BT_MSG_HASH_REJECT:
        return hash_fields(out, m);
    default:
        if (m->payload_len > 0)
            err = field(out, m->payload, m->payload_len, "payload");
        return err;
    }
}

enum bt_err bt_trace_message(struct bt_buf *out, int dir, const unsigned char *frame, size_t len,
                             size_t piece_count)
{
    return bt_trace_message_named(out, dir, frame, len, piece_count, NULL);
}

enum bt_err bt_trace_message_named(struct bt_buf *out, int dir, const unsigned char *frame,
                                   size_t len, size_t piece_count, const char *ext_name)
{
    struct bt_message m;
    const char *why = NULL;
    char note[160];
    enum bt_err perr, err;

    perr = bt_message_parse(&m, frame, len, piece_count, &why);
    if (perr == BT_OK) {
        err = summary(out, dir, &m, len, ext_name);
    } else {
        unsigned id = len > BT_MSG_PREFIX_LEN ? frame[BT_MSG_PREFIX_LEN] : BT_MSG_KEEPALIVE;

        err = bt_buf_printf(out, "%s malformed %s: %s (%zu bytes)\n", arrow(dir),
                            bt_message_name(id), why, len);
    }
    if (err != BT_OK || len < BT_MSG_PREFIX_LEN)
        return err;
    snprintf(note, sizeof(note), "length %" PRIu32, bt_get_be32(frame));
    err = field(out, frame, BT_MSG_PREFIX_LEN, note);
    if (err != BT_OK || len == BT_MSG_PREFIX_LEN)
        return err;
    snprintf(note, sizeof(note), "id %u (%s)", frame[BT_MSG_PREFIX_LEN],
             bt_message_name(frame[BT_MSG_PREFIX_LEN]));
    err = field(out, frame + BT_MSG_PREFIX_LEN, BT_MSG_ID_LEN, note);
    if (err != BT_OK)
        return err;
    if (perr == BT_OK)
        return body_fields(out, &m, frame + BT_MSG_PREFIX_LEN + BT_MSG_ID_LEN, piece_count,
                           ext_name);
    if (len > BT_MSG_PREFIX_LEN + BT_MSG_ID_LEN)
        err = field(out, frame + BT_MSG_PREFIX_LEN + BT_MSG_ID_LEN,
                    len - BT_MSG_PREFIX_LEN - BT_MSG_ID_LEN, "payload");
    return err;
}

enum bt_err bt_trace_oversized(struct bt_buf *out, int dir, const unsigned char prefix[4],
                               size_t max_len)
{
    char note[128];
    enum bt_err err;

    err = bt_buf_printf(out, "%s oversized message: length %" PRIu32 " exceeds %zu (not read)\n",
                        arrow(dir), bt_get_be32(prefix), max_len);
    snprintf(note, sizeof(note), "length %" PRIu32, bt_get_be32(prefix));
    if (err == BT_OK)
        err = field(out, prefix, BT_MSG_PREFIX_LEN, note);
    return err;
}

enum bt_err bt_trace_garbage(struct bt_buf *out, int dir, const unsigned char *p, size_t n)
{
    char note[160];
    enum bt_err err;

    err = bt_buf_printf(out, "%s not a handshake (%zu bytes so far)\n", arrow(dir), n);
    text_note(note, sizeof(note), "bytes", p, n);
    if (err == BT_OK && n > 0)
        err = field(out, p, n, note);
    return err;
}
