/*
 * tool_jsonl.c - events as JSON lines on standard output (see tool_jsonl.h).
 * The escaping is bencode/json.h's, as in every tool that prints JSON.
 */
#include "config.h"

#include "tool_jsonl.h"

#include <stdio.h>

#include "bencode/json.h"

void tool_jsonl_init(struct tool_jsonl *j, int on)
{
    j->on = on;
    j->broken = 0;
    bt_buf_init(&j->line, TOOL_JSONL_MAX);
}

void tool_jsonl_release(struct tool_jsonl *j)
{
    bt_buf_release(&j->line);
}

static void check(struct tool_jsonl *j, enum bt_err err)
{
    if (err != BT_OK)
        j->broken = 1;
}

int tool_jsonl_begin(struct tool_jsonl *j, const char *event)
{
    if (!j->on)
        return 0;
    bt_buf_reset(&j->line);
    j->broken = 0;
    check(j, bt_buf_append_byte(&j->line, '{'));
    tool_jsonl_str(j, "event", event);
    return 1;
}

void tool_jsonl_int(struct tool_jsonl *j, const char *key, int64_t v)
{
    check(j, bt_json_put_key(&j->line, key));
    check(j, bt_json_put_int(&j->line, v));
}

void tool_jsonl_str(struct tool_jsonl *j, const char *key, const char *s)
{
    check(j, bt_json_put_key(&j->line, key));
    check(j, bt_json_put_cstring(&j->line, s));
}

void tool_jsonl_null(struct tool_jsonl *j, const char *key)
{
    check(j, bt_json_put_key(&j->line, key));
    check(j, bt_json_put_null(&j->line));
}

void tool_jsonl_bool(struct tool_jsonl *j, const char *key, int v)
{
    check(j, bt_json_put_key(&j->line, key));
    check(j, bt_buf_append_str(&j->line, v ? "true" : "false"));
}

void tool_jsonl_end(struct tool_jsonl *j)
{
    check(j, bt_buf_append_str(&j->line, "}\n"));
    if (j->broken)
        return;
    fwrite(j->line.data, 1, j->line.len, stdout);
    fflush(stdout);
}
