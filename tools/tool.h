/*
 * tool.h - the conventions every bt-* tool shares: its name in messages,
 * options every tool has, exit codes, errors in one form, and checking that
 * stdout really got written.
 *
 * Tools are thin: parse arguments, call libbt, print.  stdout carries only the
 * documented data; messages go to stderr as "bt-tool: message", and every one
 * of them passes through tool_warn(), which makes it printable (lib/core/text.h):
 * a message may quote a tracker, a peer or a torrent, and none of them may drive
 * the terminal.
 *
 * The helpers of the tools are named tool_*, as curl's are, so that a reader
 * tells at a glance what is the library's (bt_*) and what is the tools'.
 */
#ifndef BT_TOOL_H
#define BT_TOOL_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/buf.h"
#include "core/error.h"

#define TOOL_EXIT_OK    0  /* success */
#define TOOL_EXIT_FAIL  1  /* the work failed: bad input, network, peer */
#define TOOL_EXIT_USAGE 2  /* the command line was wrong */
#define TOOL_CONTINUE   -1 /* from an argument parser: go on, nothing to exit with */

#define TOOL_MESSAGE_MAX 4096 /* bytes of one message on stderr */

/* Remember argv[0]'s base name for messages, and make argv[0] that name so
 * that getopt's own messages name the tool as ours do.  Call first in main. */
void tool_init(char **argv);
const char *tool_name(void);

/* "bt-tool: <message>\n" on stderr, control bytes made printable. */
void tool_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "bt-tool: <subject>: <bt_strerror(err)>[: <strerror(errno)> for BT_ERR_IO]". */
void tool_error(enum bt_err err, const char *subject);
/* The one form of an error in parsed input, with the byte where it is and, when
 * known (field is not NULL or ""), the field it is in:
 * "bt-tool: <subject>: byte <offset>[: <field>]: <bt_strerror(err)>". */
void tool_error_at(enum bt_err err, const char *subject, size_t offset, const char *field);

/*
 * A tool's usage text: the synopsis alone (help 0, after a usage error, on
 * stderr), or with every option explained (help 1, for --help, on stdout).
 */
typedef void tool_usage_fn(FILE *out, int help);

/*
 * The end of every tool's getopt switch: the options all tools share, and
 * everything getopt did not know.  -h/--help prints the help, -V/--version the
 * version (both on stdout, checked for write errors); anything else prints the
 * synopsis on stderr.  Returns the status to exit with: TOOL_EXIT_OK after help
 * or version, TOOL_EXIT_USAGE otherwise.
 */
int tool_option(int c, tool_usage_fn *usage);

/* A progress bar is on stderr's last line (tool_progress.h): a message must
 * erase it first.  tool_bar_erase() does, and forgets it. */
void tool_bar_shown(int shown);
void tool_bar_erase(void);

/*
 * After getopt: are there exactly n operands (argc - optind)?  Returns
 * TOOL_CONTINUE, or TOOL_EXIT_USAGE after printing the synopsis.
 */
int tool_operands(int argc, int n, tool_usage_fn *usage);

/*
 * The operand of a tool that reads one input: FILE, "-" or nothing (standard
 * input), or none at all when the input is given with -e (expr not NULL).
 * Sets *path ("-" without FILE).  Returns TOOL_CONTINUE, or TOOL_EXIT_USAGE
 * after saying why.
 */
int tool_input_operand(int argc, char **argv, const char *expr, const char **path,
                       tool_usage_fn *usage);

/* Print "bt-tool (btkit) VERSION" to stdout. */
void tool_version(void);

/*
 * Flush and close stdout, reporting a failed write (full disk, closed pipe).
 * Returns status unchanged on success, TOOL_EXIT_FAIL if stdout could not be
 * written.
 */
int tool_close_stdout(int status);

/*
 * Read a tool's input into in (within in->max): the text expr when it is not NULL,
 * else the file path, "-" being standard input.  Writes the name messages use into
 * subject: "expression", "standard input", or path.  A regular file is sized
 * first, so that one larger than in->max is refused before a byte is read.  On
 * failure prints the error and returns it.
 */
enum bt_err tool_read_input(struct bt_buf *in, const char *expr, const char *path, char *subject,
                            size_t subjectsz);

/*
 * Write len bytes to path whole or not at all: into "path.part", renamed over
 * path once everything is written and closed.  A path that exists and is no
 * regular file (/dev/null, a FIFO) is written to directly.  Prints the error
 * and returns it.
 */
enum bt_err tool_write_file(const char *path, const void *data, size_t len);

/* Print s to f with control bytes made printable (names from torrents). */
void tool_print_clean(FILE *f, const char *s);

/* Parse a number of seconds (1-3600) given for an option; on an invalid one,
 * print "invalid WHAT 'S' (seconds, 1-3600)" and return -1. */
int tool_seconds(const char *what, const char *s);

/* Parse a duration for an option: a whole number of seconds, or of minutes,
 * hours or days with the suffix s, m, h or d ("90", "90s", "30m", "2h", "7d"),
 * at most a year.  On an invalid one, print why and return -1. */
int64_t tool_duration(const char *what, const char *s);

/* Parse a rate in bytes a second for an option: a number, with K, M or G for
 * KiB, MiB or GiB ("500K", "1.5M", "10M"), from 1K to 1024G.  On an invalid
 * one, print why and return -1; else the bytes a second. */
int64_t tool_rate(const char *what, const char *s);

/* A plain decimal number at the start of s, such as 12 or 1.5 (no sign,
 * exponent, inf, nan or hex), into *v: where it ends, or NULL if s does not
 * start with one. */
const char *tool_decimal(const char *s, double *v);

/* Parse a whole decimal number in [min, max] given for an option into *out; on
 * an invalid one, print "invalid WHAT 'S' (want MIN-MAX)" and return -1. */
int tool_number(const char *what, const char *s, int64_t min, int64_t max, int64_t *out);

/* Set when SIGINT or SIGTERM arrived: the signal's number, else 0. */
extern volatile sig_atomic_t tool_interrupted;

/*
 * Catch SIGINT and SIGTERM into tool_interrupted, without SA_RESTART so that a
 * blocked poll() returns EINTR and the event loop sees the flag; ignore
 * SIGPIPE, so that a peer that hangs up is an error code, not a death.
 */
void tool_catch_signals(void);

#endif /* BT_TOOL_H */
