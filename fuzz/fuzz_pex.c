/*
 * fuzz_pex.c - libFuzzer harness for BEP 11's ut_pex messages: the input is
 * parsed as one message's payload, and whatever it kept is built into a
 * message again, which must parse back to the same peers.
 *
 *   input:  the payload of an extended message, after its ext id byte
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "wire/pex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct bt_pex_msg m, again;
    struct bt_buf out;
    size_t i;

    if (bt_pex_parse(&m, data, size) != BT_OK)
        return 0;
    if (m.added_count > BT_PEX_MAX_ENTRIES || m.dropped_count > BT_PEX_MAX_ENTRIES ||
        m.added_count > m.added_total || m.dropped_count > m.dropped_total)
        abort();
    bt_buf_init(&out, BT_PEX_MAX_LEN);
    if (bt_pex_put(&out, m.added, m.added_count, m.dropped, m.dropped_count) != BT_OK ||
        bt_pex_parse(&again, out.data, out.len) != BT_OK)
        abort();
    /* Built by family: IPv4 peers first, then IPv6, as parsing keeps them. */
    if (again.added_count != m.added_count || again.dropped_count != m.dropped_count)
        abort();
    for (i = 0; i < m.added_count; i++)
        if (!bt_netaddr_equal(&again.added[i].addr, &m.added[i].addr) ||
            again.added[i].flags != m.added[i].flags)
            abort();
    for (i = 0; i < m.dropped_count; i++)
        if (!bt_netaddr_equal(&again.dropped[i], &m.dropped[i]))
            abort();
    bt_buf_release(&out);
    return 0;
}
