/*
 * wire.h - what the peer wire tools (bt-handshake, bt-fetch-piece, bt-seed)
 * share: loading the torrent, our side's peer settings, reading peers from
 * stdin, and printing the trace to stderr.
 */
#ifndef BT_WIRE_H
#define BT_WIRE_H

#include <stddef.h>
#include <stdio.h>

#include "metainfo/metainfo.h"
#include "core/net.h"
#include "wire/peer.h"

#define BT_WIRE_TIMEOUT_S 10 /* default connect/handshake/idle timeout, seconds */

/* Read and parse a .torrent (or "-" for stdin); print the error and return
 * non-zero on failure. */
int bt_wire_load_torrent(const char *path, struct bt_torrent *t);

/* Is arg a magnet link ("magnet:...") rather than a file name? */
int bt_wire_is_magnet(const char *arg);

/* For a tool that needs only the info hash (bt-handshake): load a .torrent as
 * bt_wire_load_torrent does, or take a magnet link's info hash (t then has no
 * pieces).  Prints the error and returns non-zero on failure. */
int bt_wire_load_hash(const char *arg, struct bt_torrent *t);

/* Fill cfg for torrent t: a fresh peer id, the extension bit, timeouts of
 * timeout_s seconds.  Prints the error and returns non-zero on failure. */
int bt_wire_config(struct bt_peer_config *cfg, const struct bt_torrent *t, int timeout_s);

/* Parse a listening address: as bt_addr_parse(), and port 0 means "pick one". */
enum bt_err bt_wire_listen_addr(const char *text, struct bt_addr *addr);

/* Parse a number of seconds (1-3600) given for an option; on an invalid one,
 * print "invalid WHAT" and return -1. */
int bt_wire_seconds(const char *what, const char *s);

/* Report a peer that failed: "bt-x: ADDR: VERB<error>[: detail]". */
void bt_wire_peer_failed(const struct bt_addr *addr, const char *verb, enum bt_err err,
                         const char *detail);

/*
 * Read the next peer from f (one "ip:port" or "[v6]:port" a line, as bt-announce
 * prints them), skipping blank lines and warning about malformed ones.  Returns 1
 * with *addr set, 0 at the end.
 */
int bt_wire_next_peer(FILE *f, struct bt_addr *addr);

/* A trace sink for bt_fetch and bt_seed: prints to stderr, with a line naming the
 * peer whenever the peer changes.  arg is unused. */
void bt_wire_trace(void *arg, const char *peer, const char *text, size_t len);

#endif /* BT_WIRE_H */
