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

/* Our client code and version, Azureus style. */
#define BT_PEERID_PREFIX   "-BK0100-"
#define BT_PEERID_NAME_MAX 64

/* A fresh id: BT_PEERID_PREFIX and random bytes (from /dev/urandom).  BT_ERR_IO. */
enum bt_err bt_peerid_generate(unsigned char id[BT_PEER_ID_LEN]);

/* Write the client name and version ("Transmission 3.00") into out, or "unknown"
 * when the id follows no convention we know. */
void bt_peerid_client(const unsigned char id[BT_PEER_ID_LEN], char out[BT_PEERID_NAME_MAX]);

#endif /* BT_PEERID_H */
