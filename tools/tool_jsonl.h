/*
 * tool_jsonl.h - events as JSON lines on standard output, for a program that
 * watches a tool work (bt-download --json): one object per line, its first
 * member "event", written and flushed at once so that a reader at the other
 * end of a pipe sees each event as it happens.
 *
 *   if (tool_jsonl_begin(&j, "piece-failed")) {     {"event":"piece-failed"
 *       tool_jsonl_int(&j, "piece", 7);              ,"piece":7
 *       tool_jsonl_end(&j);                          }\n, written
 *   }
 */
#ifndef BT_TOOL_JSONL_H
#define BT_TOOL_JSONL_H

#include <stdint.h>

#include "core/buf.h"

#define TOOL_JSONL_MAX 65536 /* one line, at most */

struct tool_jsonl {
    int on;
    int broken; /* a member did not fit: the line is dropped, never cut */
    struct bt_buf line;
};

/* Cannot fail.  With on == 0 every begin returns 0: nothing is written. */
void tool_jsonl_init(struct tool_jsonl *j, int on);
void tool_jsonl_release(struct tool_jsonl *j);

/* Start the object {"event":"EVENT"; 0 when off. */
int tool_jsonl_begin(struct tool_jsonl *j, const char *event);
/* One member each; a string may be NULL (null). */
void tool_jsonl_int(struct tool_jsonl *j, const char *key, int64_t v);
void tool_jsonl_str(struct tool_jsonl *j, const char *key, const char *s);
void tool_jsonl_null(struct tool_jsonl *j, const char *key);
void tool_jsonl_bool(struct tool_jsonl *j, const char *key, int v);
/* Close the object and write it, with its newline, to standard output. */
void tool_jsonl_end(struct tool_jsonl *j);

#endif /* BT_TOOL_JSONL_H */
