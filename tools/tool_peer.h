/*
 * tool_peer.h - what the tools that talk to peers share: our side's settings,
 * peers given on the command line or read from stdin, reports of a peer that
 * failed, and printing the trace to stderr.
 *
 * Peers travel between tools as text, one a line, as bt-announce prints them:
 *
 *   $ bt-announce x.torrent | bt-fetch-piece -p - x.torrent 0 > piece0
 */
#ifndef BT_TOOL_PEER_H
#define BT_TOOL_PEER_H

#include <stddef.h>
#include <stdio.h>

#include "core/net.h"
#include "metainfo/metainfo.h"
#include "wire/peer.h"

#define TOOL_PEER_TIMEOUT_S 10  /* default connect/handshake/idle timeout, seconds */
#define TOOL_MAX_PEER_ARGS  256 /* peers given with -p at most; "-p -" reads more */

/* The peers of a tool's -p (or --peer, -c) options. */
struct tool_peers {
    struct bt_addr addrs[TOOL_MAX_PEER_ARGS];
    size_t count;
    int from_stdin; /* "-p -": read more from standard input, when the tool is ready */
};

/*
 * Take one -p argument: an address (checked now, before any I/O), or "-" when
 * allow_stdin.  Returns TOOL_CONTINUE, or TOOL_EXIT_USAGE after saying why.
 */
int tool_peers_add(struct tool_peers *p, const char *arg, int allow_stdin);

/*
 * Read the next peer from f (one "ip:port" or "[v6]:port" a line), skipping
 * blank lines and warning about malformed ones.  Returns 1 with *addr set, 0 at
 * the end.
 */
int tool_next_peer(FILE *f, struct bt_addr *addr);

/* Fill cfg for torrent t: a fresh peer id, the extension bit, ut_metadata,
 * timeouts of timeout_s seconds.  Prints the error and returns non-zero on
 * failure. */
int tool_peer_config(struct bt_peer_config *cfg, const struct bt_torrent *t, int timeout_s);

/* --encryption MODE, on every tool that talks to peers. */
#define TOOL_OPT_ENCRYPTION 0x1100
#define TOOL_ENCRYPTION_HELP                                                                       \
    "      --encryption MODE  MSE/PE encryption: prefer (default), require or off\n"

/* --no-pex, on the tools that keep connections open: bt-download, bt-seed. */
#define TOOL_OPT_NO_PEX 0x1101
#define TOOL_NO_PEX_HELP                                                                           \
    "      --no-pex         do not exchange peers with peers (BEP 11's ut_pex)\n"

/* Take --encryption's argument into *policy (enum bt_mse_policy).  Returns
 * TOOL_CONTINUE, or TOOL_EXIT_USAGE after saying why. */
int tool_encryption(const char *arg, int *policy);

/* Report a peer that failed: "bt-x: ADDR: VERB<error>[: detail]". */
void tool_peer_failed(const struct bt_addr *addr, const char *verb, enum bt_err err,
                      const char *detail);

/* A trace sink for the library's sessions: prints to stderr, with a line
 * naming the peer whenever the peer changes.  arg is unused. */
void tool_trace(void *arg, const char *peer, const char *text, size_t len);

#endif /* BT_TOOL_PEER_H */
