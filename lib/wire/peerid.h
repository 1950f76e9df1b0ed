/*
 * peerid.h - the 20-byte peer id of the handshake (BEP 3), and the client name
 * most ids carry (BEP 20).
 *
 * Azureus style, used by nearly every client today:
 *
 *   - T R 3 0 0 0 - x x x x x x x x x x x x
 *   | code| version |   12 random bytes     |     "-TR3000-": Transmission 3.00
 *
 * Mainline style: a letter, the version's numbers between dashes, random bytes:
 *
 *   A 2 - 1 - 3 6 - 0 - x x x ...                 "A2-1-36-0-": aria2 1.36.0
 */
#ifndef BT_PEERID_H
#define BT_PEERID_H

#include <stddef.h>

#include "core/error.h"
#include "wire/handshake.h"

#define BT_PEERID_PREFIX_LEN 8 /* "-BK0100-" */
#define BT_PEERID_NAME_MAX   64

/* Our client code and version, Azureus style: "-BK" and one digit per part of
 * the version (configure makes it from the package version: 0.1.0 is -BK0100-). */
const char *bt_peerid_prefix(void);

/* A fresh id, the one generator for trackers and peers alike: our prefix and 12
 * random letters and digits (printable, so that it reads well in a tracker URL
 * and in a trace).  BT_ERR_IO if the kernel has no random bytes. */
enum bt_err bt_peerid_generate(unsigned char id[BT_PEER_ID_LEN]);

/* A peer id given as text (bt-announce --peer-id): 20 characters, or 40 hex
 * digits.  BT_ERR_INVALID for anything else. */
enum bt_err bt_peerid_parse(const char *text, unsigned char id[BT_PEER_ID_LEN]);

/* Write the client name and version ("Transmission 3.00") into out, or "unknown"
 * when the id follows no convention we know. */
void bt_peerid_client(const unsigned char id[BT_PEER_ID_LEN], char out[BT_PEERID_NAME_MAX]);

#endif /* BT_PEERID_H */
