/*
 * tool_progress.c - progress on stderr.  See tool_progress.h.
 */
#include "tool_progress.h"

#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "core/loop.h"
#include "tool.h"

#define BAR_WIDTH 30

void tool_progress_init(struct tool_progress *p, int quiet)
{
    p->tty = isatty(STDERR_FILENO);
    p->quiet = quiet;
    p->last_ms = 0;
}

unsigned tool_progress_every_ms(const struct tool_progress *p)
{
    return p->tty ? TOOL_PROGRESS_BAR_MS : 1000;
}

void tool_human_bytes(double v, char *out, size_t n)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    size_t u = 0;

    while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1024;
        u++;
    }
    snprintf(out, n, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

void tool_progress_show(struct tool_progress *p, int64_t done, int64_t total, uint64_t rate,
                        const char *extra)
{
    double pct = total > 0 ? 100.0 * (double)done / (double)total : 100.0;
    uint64_t now = bt_loop_now_ms();
    char rate_text[32], eta[32];

    if (p->quiet || (!p->tty && now - p->last_ms < TOOL_PROGRESS_LINE_MS))
        return;
    p->last_ms = now;
    tool_human_bytes((double)rate, rate_text, sizeof(rate_text));
    if (rate > 0 && total > done) {
        uint64_t secs = (uint64_t)(total - done) / rate;

        snprintf(eta, sizeof(eta), "%" PRIu64 ":%02" PRIu64, secs / 60, secs % 60);
    } else {
        snprintf(eta, sizeof(eta), "-:--");
    }
    if (extra == NULL)
        extra = "";
    if (p->tty) {
        int filled = (int)(pct * BAR_WIDTH / 100.0);

        fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %9s/s  %s  ETA %s ", filled,
                "##############################", BAR_WIDTH - filled, "", pct, rate_text, extra,
                eta);
        tool_bar_shown(1);
    } else {
        tool_warn("%.1f%% %s/s %s ETA %s", pct, rate_text, extra, eta);
    }
    fflush(stderr);
}

void tool_progress_end(struct tool_progress *p)
{
    tool_bar_erase();
}
