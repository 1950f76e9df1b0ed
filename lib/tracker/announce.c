/*
 * announce.c - the announce request, the tracker's answer and its peer lists.
 * See announce.h.
 */
#include "tracker/announce.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void bt_announce_req_init(struct bt_announce_req *req)
{
    memset(req, 0, sizeof(*req));
    req->port = BT_TRACKER_DEFAULT_PORT;
    req->numwant = -1;
}

void bt_peer_list_init(struct bt_peer_list *list)
{
    memset(list, 0, sizeof(*list));
}

void bt_peer_list_release(struct bt_peer_list *list)
{
    free(list->peers);
    bt_peer_list_init(list);
}

void bt_announce_resp_init(struct bt_announce_resp *resp)
{
    memset(resp, 0, sizeof(*resp));
    resp->interval = -1;
    resp->min_interval = -1;
    resp->complete = -1;
    resp->incomplete = -1;
    bt_peer_list_init(&resp->peers);
}

void bt_announce_resp_release(struct bt_announce_resp *resp)
{
    free(resp->failure);
    free(resp->warning);
    bt_peer_list_release(&resp->peers);
    bt_announce_resp_init(resp);
}

enum bt_err bt_announce_message(const unsigned char *s, size_t n, char **out)
{
    char *copy;

    if (n > BT_TRACKER_MAX_MESSAGE)
        n = BT_TRACKER_MAX_MESSAGE;
    copy = malloc(n + 1);
    if (copy == NULL)
        return BT_ERR_NOMEM;
    memcpy(copy, s, n);
    copy[n] = '\0';
    free(*out);
    *out = copy;
    return BT_OK;
}

enum bt_err bt_peer_list_add(struct bt_peer_list *list, const struct bt_netaddr *peer)
{
    if (list->count >= BT_TRACKER_MAX_PEERS) {
        list->dropped++;
        return BT_OK;
    }
    if (list->count == list->cap) {
        size_t cap = list->cap == 0 ? 64 : list->cap * 2;
        struct bt_netaddr *p;

        if (cap > BT_TRACKER_MAX_PEERS)
            cap = BT_TRACKER_MAX_PEERS;
        p = realloc(list->peers, cap * sizeof(*p));
        if (p == NULL)
            return BT_ERR_NOMEM;
        list->peers = p;
        list->cap = cap;
    }
    list->peers[list->count++] = *peer;
    return BT_OK;
}

enum bt_err bt_peer_list_merge(struct bt_peer_list *dst, const struct bt_peer_list *src)
{
    size_t i, j;

    for (i = 0; i < src->count; i++) {
        int seen = 0;
        enum bt_err err;

        for (j = 0; j < dst->count && !seen; j++)
            seen = bt_netaddr_equal(&dst->peers[j], &src->peers[i]);
        if (seen)
            continue;
        err = bt_peer_list_add(dst, &src->peers[i]);
        if (err != BT_OK)
            return err;
    }
    dst->dropped += src->dropped;
    return BT_OK;
}

enum bt_err bt_peer_list_add_compact(struct bt_peer_list *list, const unsigned char *p, size_t n,
                                     size_t iplen)
{
    size_t entry = iplen + 2, i;

    if ((iplen != 4 && iplen != 16) || n % entry != 0)
        return BT_ERR_TRACKER_PEERS;
    for (i = 0; i < n; i += entry) {
        struct bt_netaddr peer;
        enum bt_err err;

        bt_netaddr_get(p + i, iplen, &peer);
        err = bt_peer_list_add(list, &peer);
        if (err != BT_OK)
            return err;
    }
    return BT_OK;
}

enum bt_err bt_tracker_url_scheme(const char *url, enum bt_tracker_scheme *scheme)
{
    static const struct {
        const char *prefix;
        enum bt_tracker_scheme scheme;
    } known[] = {
        {"http://", BT_TRACKER_HTTP},
        {"https://", BT_TRACKER_HTTPS},
        {"udp://", BT_TRACKER_UDP},
    };
    size_t i;

    for (i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        size_t plen = strlen(known[i].prefix);
        const char *host = url + plen;

        if (strncasecmp(url, known[i].prefix, plen) != 0)
            continue;
        /* A host must follow; control characters and spaces never belong in a URL. */
        if (*host == '\0' || *host == '/' || *host == ':')
            return BT_ERR_TRACKER_URL;
        for (; *host != '\0'; host++) {
            if ((unsigned char)*host <= 0x20 || *host == 0x7f)
                return BT_ERR_TRACKER_URL;
        }
        *scheme = known[i].scheme;
        return BT_OK;
    }
    return BT_ERR_TRACKER_URL;
}

const char *bt_tracker_event_name(enum bt_tracker_event event)
{
    switch (event) {
    case BT_EVENT_STARTED:
        return "started";
    case BT_EVENT_STOPPED:
        return "stopped";
    case BT_EVENT_COMPLETED:
        return "completed";
    case BT_EVENT_NONE:
        break;
    }
    return NULL;
}

enum bt_err bt_tracker_event_parse(const char *s, size_t n, enum bt_tracker_event *event)
{
    static const struct {
        const char *name;
        enum bt_tracker_event event;
    } names[] = {
        {"started", BT_EVENT_STARTED},     {"stopped", BT_EVENT_STOPPED},
        {"completed", BT_EVENT_COMPLETED}, {"", BT_EVENT_NONE},
        {"none", BT_EVENT_NONE},           {"paused", BT_EVENT_NONE},
    };
    size_t i;

    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (n == strlen(names[i].name) && memcmp(s, names[i].name, n) == 0) {
            *event = names[i].event;
            return BT_OK;
        }
    }
    return BT_ERR_INVALID;
}
