/*
 * fuzz_lsd.c - libFuzzer harness for local service discovery's announce
 * parser (BEP 14): any datagram, and what parses must carry a port and at
 * most BT_LSD_MAX_HASHES info hashes.
 */
#include <stddef.h>
#include <stdint.h>

#include "session/lsd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bt_lsd_msg m;

    if (bt_lsd_parse(&m, (const char *)data, size) == BT_OK &&
        (m.port == 0 || m.hash_count == 0 || m.hash_count > BT_LSD_MAX_HASHES))
        __builtin_trap();
    return 0;
}
