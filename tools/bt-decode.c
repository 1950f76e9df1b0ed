/*
 * bt-decode - print a bencoded value (a .torrent, a tracker response) as JSON.
 *
 * Reads FILE, standard input, or the value given with -e; checks it is canonical
 * bencode (BEP 3) unless --lenient; prints the JSON form of lib/bencode/json.h on one line,
 * or indented with -p.  See bt-decode(1) and tutorials/01-bencode.md.
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
            "usage: %s [-p] [--lenient] [FILE | -]\n"
            "       %s [-p] [--lenient] -e VALUE\n",
            tool_name(), tool_name());
    if (!help)
        return;
    fprintf(to, "\n"
                "Print a bencoded value as JSON: UTF-8 strings as JSON strings, other\n"
                "strings as {\"$hex\": \"...\"}, dicts with binary keys as {\"$dict\": [...]}.\n"
                "Reads FILE, or standard input when FILE is - or absent.\n"
                "\n"
                "  -e, --expr VALUE  decode VALUE, given on the command line\n"
                "  -p, --pretty      indent the JSON, one value per line\n"
                "      --lenient     accept what BEP 3 forbids but real torrents contain:\n"
                "                    unsorted or repeated keys, leading zeros, -0,\n"
                "                    bytes after the value\n"
                "  -h, --help        show this help and exit\n"
                "      --version     show the version and exit\n"
                "\n"
                "Exit status: 0 on success, 1 if the input is not valid bencode,\n"
                "2 on a usage error.  See bt-decode(1) and tutorials/01-bencode.md.\n");
}

enum { OPT_LENIENT = 256 };

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"expr", required_argument, NULL, 'e'},      {"pretty", no_argument, NULL, 'p'},
        {"lenient", no_argument, NULL, OPT_LENIENT}, {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},         {NULL, 0, NULL, 0},
    };
    const char *expr = NULL, *path;
    char subject[4096];
    unsigned parse_flags = BT_BENCODE_STRICT, json_flags = 0;
    struct bt_buf in, out;
    struct bt_bencode b;
    enum bt_err err;
    int c, status = TOOL_EXIT_FAIL;

    tool_init(argv);
    while ((c = getopt_long(argc, argv, "e:ph", longopts, NULL)) != -1) {
        switch (c) {
        case 'e':
            expr = optarg;
            break;
        case 'p':
            json_flags |= BT_JSON_PRETTY;
            break;
        case OPT_LENIENT:
            parse_flags |= BT_BENCODE_LENIENT;
            break;
        default:
            return tool_option(c, usage);
        }
    }
    status = tool_input_operand(argc, argv, expr, &path, usage);
    if (status != TOOL_CONTINUE)
        return status;
    status = TOOL_EXIT_FAIL;

    bt_buf_init(&in, BT_BENCODE_MAX_INPUT);
    bt_buf_init(&out, BT_JSON_MAX_TEXT);
    bt_bencode_init(&b);
    if (tool_read_input(&in, expr, path, subject, sizeof(subject)) != BT_OK)
        goto done;

    err = bt_bencode_parse(&b, in.data, in.len, parse_flags);
    if (err != BT_OK) {
        tool_error_at(err, subject, b.err_offset, NULL);
        goto done;
    }
    /* The whole text is built before any of it is printed: on failure stdout stays empty. */
    err = bt_json_from_bencode(&out, bt_bencode_root(&b), json_flags);
    if (err == BT_OK)
        err = bt_buf_append_byte(&out, '\n');
    if (err != BT_OK) {
        tool_error(err == BT_ERR_TOO_LARGE ? BT_ERR_JSON_OUTPUT : err, subject);
        goto done;
    }
    fwrite(out.data, 1, out.len, stdout);
    status = TOOL_EXIT_OK;
done:
    bt_bencode_release(&b);
    bt_buf_release(&in);
    bt_buf_release(&out);
    return tool_close_stdout(status);
}
