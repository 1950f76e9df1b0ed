/*
 * peerid.c - exercise for stage 4: our peer id, and the client behind someone
 * else's (BEP 3, with BEP 20's naming conventions).
 *
 * You write the functions lib/wire/peerid.h declares (read it first).  A peer id is
 * 20 bytes that the handshake carries; BEP 3 makes them arbitrary, and nearly
 * every client starts them with its name and version:
 *
 *   Azureus style   - T R 3 0 0 0 - 7 a 9 f ...     "Transmission 3.00"
 *                   | code| digits| random bytes
 *   Mainline style  A 2 - 1 - 3 6 - 0 - ...         "aria2 1.36.0"
 *                   letter(s), numbers between dashes
 *
 * Build and grade with the rest of stage 4: make grade STAGE=4
 *
 * Every body below is a placeholder that compiles and fails: replace each one.
 * You may add static helpers (they must be used, or -Werror stops the build).
 */
#include "config.h"

#include "wire/peerid.h"

#include <stdio.h>
#include <string.h>

#include "core/hex.h"
#include "core/random.h"

/* Given: the prefix configure made from the version ("-BK0100-" for 0.1.0). */
const char *bt_peerid_prefix(void)
{
    return BT_PEERID_PREFIX;
}

/*
 * BT_PEERID_PREFIX (BT_PEERID_PREFIX_LEN bytes, "-BK0100-") followed by 12
 * characters picked at random from the 62 letters and digits, to fill
 * BT_PEER_ID_LEN bytes: random so that two runs never share an id, printable so
 * that it reads well in a tracker's URL and in a trace.  Take the randomness
 * from bt_random_bytes() (lib/core/random.h).  BT_ERR_IO when it fails.
 * Common mistake: the prefix is 8 bytes; sizeof(BT_PEERID_PREFIX) is 9.
 */
enum bt_err bt_peerid_generate(unsigned char id[BT_PEER_ID_LEN])
{
    (void)id;
    return BT_ERR_IO;
}

/*
 * A peer id given on a command line (bt-announce --peer-id): exactly 20
 * characters, taken as they are, or exactly 40 hex digits, decoded into the 20
 * bytes they spell.  Anything else: BT_ERR_INVALID.
 *   hint: bt_hex_decode() in lib/core/hex.h.
 */
enum bt_err bt_peerid_parse(const char *text, unsigned char id[BT_PEER_ID_LEN])
{
    (void)text;
    (void)id;
    return BT_ERR_INVALID;
}

/*
 * A readable client name for id in out (at most BT_PEERID_NAME_MAX bytes with
 * the NUL: use snprintf).  Try the conventions in this order:
 *
 * 1. Azureus style: '-', six letters or digits, '-'.  The first two are a client
 *    code, the next four its version.  A table maps codes to names; the tests
 *    meet at least BK btkit, LT libtorrent, TR Transmission (BEP 20 lists
 *    dozens more: add the ones you like).  The version is printed with dots:
 *    "-BK0100-" is "btkit 0.1.0" (a last digit of 0 is left out),
 *    "-LT1234-" is "libtorrent 1.2.3.4".  Transmission is the exception: it
 *    writes a major digit and a two-digit minor, "-TR3000-" is
 *    "Transmission 3.00".  A code not in your table is still Azureus style:
 *    say so, as in: unknown client "XY" 1234.
 * 2. Mainline style: "A2-" is aria2 and 'M' followed by a digit is BitTorrent;
 *    then the version's numbers, with the dashes between them as dots, up to a
 *    third dash, a double dash or a byte that is neither ("A2-1-36-0-" is
 *    "aria2 1.36.0").
 * 3. Anything else: "unknown".
 *
 * The id comes from a stranger: copy only the bytes you checked (letters,
 * digits), never the raw id, into text that reaches a terminal.
 */
void bt_peerid_client(const unsigned char id[BT_PEER_ID_LEN], char out[BT_PEERID_NAME_MAX])
{
    (void)id;
    out[0] = '\0';
}
