/*
 * tool.h - the conventions every bt-* tool shares: its name in messages,
 * --version, exit codes, and checking that stdout really got written.
 *
 * Tools are thin: parse arguments, call libbt, print.  stdout carries only the
 * documented data; messages go to stderr as "bt-tool: message".
 */
#ifndef BT_TOOL_H
#define BT_TOOL_H

#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/error.h"

#define BT_EXIT_OK    0 /* success */
#define BT_EXIT_FAIL  1 /* the work failed: bad input, network, peer */
#define BT_EXIT_USAGE 2 /* the command line was wrong */

/* Remember argv[0]'s base name for messages.  Call first thing in main. */
void bt_tool_init(const char *argv0);
const char *bt_tool_name(void);

/* "bt-tool: <message>\n" on stderr. */
void bt_tool_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "bt-tool: <subject>: <bt_strerror(err)>[: <strerror(errno)> for BT_ERR_IO]\n". */
void bt_tool_error(enum bt_err err, const char *subject);

/* "bt-tool: <subject>: byte <offset>: <bt_strerror(err)>\n", for errors in parsed input. */
void bt_tool_error_at(enum bt_err err, const char *subject, size_t offset);

/*
 * Read a tool's input into in (within in->max): the text expr when it is not NULL,
 * else the file path, "-" being standard input.  Writes the name messages use into
 * subject: "expression", "standard input", or path with control characters
 * replaced.  On failure prints the error and returns it.
 */
enum bt_err bt_tool_read_input(struct bt_buf *in, const char *expr, const char *path, char *subject,
                               size_t subjectsz);

/* Print "bt-tool (btkit) VERSION" to stdout. */
void bt_tool_version(void);

/*
 * Flush and close stdout, reporting a failed write (full disk, closed pipe).
 * Returns status unchanged on success, BT_EXIT_FAIL if stdout could not be written.
 */
int bt_tool_close_stdout(int status);

/*
 * Copy s to out (size outsz) with control characters and invalid bytes replaced by
 * '?', so that names from torrents and trackers cannot drive a terminal.
 */
void bt_tool_printable(const char *s, size_t len, char *out, size_t outsz);

#endif /* BT_TOOL_H */
