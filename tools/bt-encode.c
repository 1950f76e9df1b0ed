/*
 * bt-encode - write the JSON that bt-decode prints back as canonical bencode.
 *
 * Reads FILE, standard input, or the JSON given with -e; writes BEP 3 bencode,
 * dict keys sorted by raw bytes, to standard output.  bt-decode x | bt-encode
 * gives x back byte for byte when x is canonical.  See bt-encode(1).
 */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "bencode/bencode.h"
#include "bencode/json.h"
#include "tool.h"

static void usage(FILE *to, int help)
{
    fprintf(to,
            "usage: %s [--lenient] [FILE | -]\n"
            "       %s [--lenient] -e JSON\n",
            tool_name(), tool_name());
    if (!help)
        return;
    fprintf(to, "\n"
                "Read JSON in the form bt-decode prints and write it as canonical bencode:\n"
                "{\"$hex\": \"...\"} is a binary string, {\"$dict\": [[key, value], ...]} a dict,\n"
                "other objects are dicts, their keys sorted.  Numbers must be 64-bit integers.\n"
                "Reads FILE, or standard input when FILE is - or absent.\n"
                "\n"
                "  -e, --expr JSON   encode JSON, given on the command line\n"
                "      --lenient     of repeated dict keys keep the first (else an error)\n"
                "  -h, --help        show this help and exit\n"
                "      --version     show the version and exit\n"
                "\n"
                "Exit status: 0 on success, 1 if the input cannot be encoded,\n"
                "2 on a usage error.  See bt-encode(1) and tutorials/01-bencode.md.\n");
}

enum { OPT_LENIENT = 256 };

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"expr", required_argument, NULL, 'e'},
        {"lenient", no_argument, NULL, OPT_LENIENT},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *expr = NULL, *path;
    char subject[4096];
    unsigned flags = 0;
    struct bt_buf in, out;
    size_t offset;
    enum bt_err err;
    int c, status = TOOL_EXIT_FAIL;

    tool_init(argv);
    while ((c = getopt_long(argc, argv, "e:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'e':
            expr = optarg;
            break;
        case OPT_LENIENT:
            flags |= BT_JSON_LENIENT;
            break;
        default:
            return tool_option(c, usage);
        }
    }
    status = tool_input_operand(argc, argv, expr, &path, usage);
    if (status != TOOL_CONTINUE)
        return status;
    status = TOOL_EXIT_FAIL;

    bt_buf_init(&in, BT_JSON_MAX_TEXT);
    /* Never write more than bt-decode (and most clients) would read back. */
    bt_buf_init(&out, BT_BENCODE_MAX_INPUT);
    if (tool_read_input(&in, expr, path, subject, sizeof(subject)) != BT_OK)
        goto done;

    /* The whole output is built before any of it is written: on failure stdout stays empty. */
    err = bt_json_to_bencode(&out, in.data, in.len, flags, &offset);
    if (err != BT_OK) {
        if (offset == BT_JSON_NO_OFFSET)
            tool_error(err, subject);
        else
            tool_error_at(err, subject, offset, NULL);
        goto done;
    }
    fwrite(out.data, 1, out.len, stdout);
    status = TOOL_EXIT_OK;
done:
    bt_buf_release(&in);
    bt_buf_release(&out);
    return tool_close_stdout(status);
}
