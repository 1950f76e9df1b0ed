/*
 * tool_progress.h - progress on stderr, for tools that work for a while
 * (bt-download now, bt-create next): a bar redrawn in place on a terminal,
 *
 *   [###########                   ]  37.5%   41.2 MiB/s   4 peers  ETA 0:12
 *
 * and a plain line every few seconds when stderr is a file or a pipe, so that a
 * log stays readable:
 *
 *   bt-download: 37.5% 41.2 MiB/s 4 peers ETA 0:12
 *
 * A message printed with tool_warn() while the bar is shown erases it first.
 */
#ifndef BT_TOOL_PROGRESS_H
#define BT_TOOL_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

#define TOOL_PROGRESS_BAR_MS  250  /* redraw the bar this often */
#define TOOL_PROGRESS_LINE_MS 5000 /* a plain line this often */

struct tool_progress {
    int tty;   /* stderr is a terminal */
    int quiet; /* show nothing */
    uint64_t last_ms;
};

/* Cannot fail.  quiet: show nothing at all. */
void tool_progress_init(struct tool_progress *p, int quiet);

/* How often the caller should call tool_progress_show(), in milliseconds. */
unsigned tool_progress_every_ms(const struct tool_progress *p);

/*
 * done of total bytes, at rate bytes per second, with a word about the work
 * (extra, such as "4 peers"; may be NULL).  A plain line is printed only when
 * TOOL_PROGRESS_LINE_MS have passed since the last.
 */
void tool_progress_show(struct tool_progress *p, int64_t done, int64_t total, uint64_t rate,
                        const char *extra);

/* Erase the bar, for good (the work is over). */
void tool_progress_end(struct tool_progress *p);

/* v bytes for people: "512 B", "1.5 MiB". */
void tool_human_bytes(double v, char *out, size_t n);

#endif /* BT_TOOL_PROGRESS_H */
