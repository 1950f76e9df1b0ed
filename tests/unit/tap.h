/*
 * tap.h - the smallest Test Anything Protocol emitter, for libbt's C unit tests.
 *
 *   ok(cond, "name")   prints "ok N - name" or "not ok N - name"
 *   tap_done()         prints the plan "1..N" and returns the exit status
 */
#ifndef BT_TAP_H
#define BT_TAP_H

#include <stdio.h>

static int tap_count, tap_failed;

#define ok(cond, ...) tap_report((cond) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

__attribute__((format(printf, 4, 5))) static void tap_report(int pass, const char *file, int line,
                                                             const char *fmt, ...);

#include <stdarg.h>

static void tap_report(int pass, const char *file, int line, const char *fmt, ...)
{
    va_list ap;

    tap_count++;
    printf("%sok %d - ", pass ? "" : "not ", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    if (!pass) {
        tap_failed++;
        printf("# failed at %s:%d\n", file, line);
    }
}

static int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed == 0 ? 0 : 1;
}

#endif /* BT_TAP_H */
