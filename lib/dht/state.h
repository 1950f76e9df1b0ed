/*
 * state.h - what a DHT node remembers between runs: its id and the nodes that
 * answered it, so that a restart needs no bootstrap node.
 *
 * One small bencoded file:
 *
 *   d 2:id 20:<our id> 5:nodes <26 bytes a node> 6:nodes6 <38 bytes a node> e
 *
 * the nodes in BEP 5's compact form ("nodes" of krpc.h).  Written whole or not
 * at all (a temporary file renamed over the old one); read with a size cap.
 */
#ifndef BT_DHT_STATE_H
#define BT_DHT_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "dht/dht.h"

#define BT_DHT_STATE_NODES 200   /* nodes saved at most */
#define BT_DHT_STATE_MAX   16384 /* bytes of a state file read at most */

/* Save d's id and its good nodes at now to path.  BT_ERR_IO (errno says why). */
enum bt_err bt_dht_state_save(const struct bt_dht *d, const char *path, uint64_t now);

/*
 * Read path: the id into id, up to max nodes into nodes, their number into *n.
 * BT_ERR_IO when it cannot be read (errno ENOENT: there is none yet),
 * BT_ERR_DHT_STATE when it is not a state file.
 */
enum bt_err bt_dht_state_load(const char *path, unsigned char *id, struct bt_dht_contact *nodes,
                              size_t max, size_t *n);

#endif /* BT_DHT_STATE_H */
