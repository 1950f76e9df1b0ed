/*
 * resume.c - the state file (see resume.h).
 */
#include "config.h"

#include "pieces/resume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bencode/bencode.h"
#include "core/buf.h"

enum bt_err bt_resume_stat(struct bt_storage *st, struct bt_resume_file *files)
{
    size_t i;

    for (i = 0; i < st->t->file_count; i++) {
        int exists;
        enum bt_err err = bt_storage_stat(st, i, &exists, &files[i].length, &files[i].mtime_ns);

        if (err != BT_OK)
            return err;
        if (!exists)
            files[i].length = -1;
        if (!st->t->files[i].pad && !bt_storage_stored(st, i)) {
            /* Not chosen: what is kept of it is in the parts file. */
            files[i].length = BT_RESUME_NOT_CHOSEN;
            err = bt_storage_parts_stat(st, &exists, &files[i].mtime_ns);
            if (err != BT_OK)
                return err;
        }
    }
    return BT_OK;
}

void bt_resume_boot_id(char *out)
{
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    size_t n = 0;

    if (f != NULL) {
        n = fread(out, 1, BT_RESUME_BOOT_ID_LEN, f);
        fclose(f);
    }
    out[n == BT_RESUME_BOOT_ID_LEN ? n : 0] = '\0';
}

static enum bt_err encode(struct bt_buf *b, const struct bt_torrent *t,
                          const struct bt_bitfield *have, const struct bt_resume_file *files,
                          const char *boot_id)
{
    enum bt_err err = bt_bencode_put_dict(b);
    size_t i;

    if (err == BT_OK)
        err = bt_bencode_put_cstr(b, "boot id");
    if (err == BT_OK)
        err = bt_bencode_put_cstr(b, boot_id);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(b, "files");
    if (err == BT_OK)
        err = bt_bencode_put_list(b);
    for (i = 0; i < t->file_count && err == BT_OK; i++) {
        err = bt_bencode_put_dict(b);
        if (err == BT_OK)
            err = bt_bencode_put_cstr(b, "length");
        if (err == BT_OK)
            err = bt_bencode_put_int(b, files[i].length);
        if (err == BT_OK)
            err = bt_bencode_put_cstr(b, "mtime");
        if (err == BT_OK)
            err = bt_bencode_put_int(b, files[i].mtime_ns);
        if (err == BT_OK)
            err = bt_bencode_put_end(b);
    }
    if (err == BT_OK)
        err = bt_bencode_put_end(b);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(b, "info hash");
    if (err == BT_OK)
        err = bt_bencode_put_str(b, t->info_hash, BT_INFOHASH_LEN);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(b, "piece count");
    if (err == BT_OK)
        err = bt_bencode_put_int(b, (int64_t)t->piece_count);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(b, "piece length");
    if (err == BT_OK)
        err = bt_bencode_put_int(b, t->piece_length);
    if (err == BT_OK)
        err = bt_bencode_put_cstr(b, "pieces");
    if (err == BT_OK)
        err = bt_bencode_put_str(b, have->bits, bt_bitfield_bytes(have->count));
    if (err == BT_OK)
        err = bt_bencode_put_cstr(b, "version");
    if (err == BT_OK)
        err = bt_bencode_put_int(b, BT_RESUME_VERSION);
    if (err == BT_OK)
        err = bt_bencode_put_end(b);
    return err;
}

/* Write all of p to fd, through short writes and signals. */
static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

enum bt_err bt_resume_save(const char *path, const struct bt_torrent *t,
                           const struct bt_bitfield *have, const struct bt_resume_file *files)
{
    struct bt_buf b;
    char tmp[4096], boot_id[BT_RESUME_BOOT_ID_LEN + 1];
    enum bt_err err;
    int fd, saved;

    if (snprintf(tmp, sizeof(tmp), "%s.part", path) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return BT_ERR_IO;
    }
    bt_resume_boot_id(boot_id);
    bt_buf_init(&b, BT_RESUME_MAX_LEN);
    err = encode(&b, t, have, files, boot_id);
    if (err != BT_OK) {
        bt_buf_release(&b);
        return err;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        bt_buf_release(&b);
        return BT_ERR_IO;
    }
    if (write_all(fd, b.data, b.len) != 0) {
        saved = errno;
        close(fd);
        unlink(tmp);
        bt_buf_release(&b);
        errno = saved;
        return BT_ERR_IO;
    }
    bt_buf_release(&b);
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        saved = errno;
        unlink(tmp);
        errno = saved;
        return BT_ERR_IO;
    }
    return BT_OK;
}

/* Mark in out every piece that file f's bytes fall in. */
static void mark_pieces_of(const struct bt_torrent *t, const struct bt_file *f,
                           struct bt_bitfield *out)
{
    size_t first, last, i;

    if (!bt_torrent_file_span(t, f, &first, &last))
        return;
    for (i = first; i <= last; i++)
        bt_bitfield_set(out, i);
}

/* The state's files against now: mark what changed; 0, or -1 if malformed. */
static int compare_files(const struct bt_torrent *t, const struct bt_bnode *list,
                         const struct bt_resume_file *now, struct bt_bitfield *recheck,
                         size_t *changed)
{
    const struct bt_bnode *item;
    size_t i;

    if (list == NULL || list->count != t->file_count)
        return -1;
    item = bt_bnode_child(list);
    for (i = 0; i < t->file_count; i++, item = bt_bnode_sibling(item)) {
        const struct bt_bnode *len, *mtime;

        if (item->type != BT_BENCODE_DICT)
            return -1;
        len = bt_bnode_dict_get_type(item, "length", BT_BENCODE_INT);
        mtime = bt_bnode_dict_get_type(item, "mtime", BT_BENCODE_INT);
        if (len == NULL || mtime == NULL)
            return -1;
        if (t->files[i].pad)
            continue;
        if (len->i != now[i].length || mtime->i != now[i].mtime_ns) {
            (*changed)++;
            mark_pieces_of(t, &t->files[i], recheck);
        }
    }
    return 0;
}

enum bt_err bt_resume_parse(const void *data, size_t len, const struct bt_torrent *t,
                            const char *boot_id, const struct bt_resume_file *now,
                            struct bt_bitfield *trusted, struct bt_bitfield *recheck,
                            size_t *changed)
{
    const struct bt_bnode *root, *hash, *count, *plen, *pieces, *version, *boot;
    struct bt_bencode dec;
    size_t n_changed = 0, i;
    enum bt_err err;

    if (len > BT_RESUME_MAX_LEN)
        return BT_ERR_TOO_LARGE;
    bt_bencode_init(&dec);
    err = bt_bencode_parse(&dec, data, len, 0);
    root = err == BT_OK ? bt_bencode_root(&dec) : NULL;
    if (root == NULL || root->type != BT_BENCODE_DICT) {
        err = BT_ERR_STATE_BAD;
        goto out;
    }
    version = bt_bnode_dict_get_type(root, "version", BT_BENCODE_INT);
    hash = bt_bnode_dict_get_type(root, "info hash", BT_BENCODE_STR);
    count = bt_bnode_dict_get_type(root, "piece count", BT_BENCODE_INT);
    plen = bt_bnode_dict_get_type(root, "piece length", BT_BENCODE_INT);
    pieces = bt_bnode_dict_get_type(root, "pieces", BT_BENCODE_STR);
    boot = bt_bnode_dict_get_type(root, "boot id", BT_BENCODE_STR);
    if (boot == NULL || version == NULL || version->i != BT_RESUME_VERSION || hash == NULL ||
        hash->slen != BT_INFOHASH_LEN || count == NULL || plen == NULL || pieces == NULL) {
        err = BT_ERR_STATE_BAD;
        goto out;
    }
    if (memcmp(hash->s, t->info_hash, BT_INFOHASH_LEN) != 0 ||
        count->i != (int64_t)t->piece_count || plen->i != t->piece_length) {
        err = BT_ERR_STATE_OTHER;
        goto out;
    }
    /* Another boot: what the page cache held then may be lost (resume.h). */
    if (boot_id[0] == '\0' || !bt_bnode_str_eq(boot, boot_id)) {
        err = BT_ERR_STATE_BOOT;
        goto out;
    }
    if (bt_bitfield_check(pieces->s, pieces->slen, t->piece_count) != BT_OK ||
        compare_files(t, bt_bnode_dict_get_type(root, "files", BT_BENCODE_LIST), now, recheck,
                      &n_changed) != 0) {
        err = BT_ERR_STATE_BAD;
        goto out;
    }
    /* Trusted: verified then, and in no file that changed since. */
    for (i = 0; i < t->piece_count; i++)
        if ((pieces->s[i / 8] & (0x80u >> (i % 8))) != 0 && !bt_bitfield_get(recheck, i))
            bt_bitfield_set(trusted, i);
    if (changed != NULL)
        *changed = n_changed;
out:
    bt_bencode_release(&dec);
    return err;
}

enum bt_err bt_resume_load(const char *path, const struct bt_torrent *t,
                           const struct bt_resume_file *now, struct bt_bitfield *trusted,
                           struct bt_bitfield *recheck, size_t *changed)
{
    char boot_id[BT_RESUME_BOOT_ID_LEN + 1];
    struct bt_buf raw;
    enum bt_err err;

    bt_resume_boot_id(boot_id);
    bt_buf_init(&raw, BT_RESUME_MAX_LEN);
    err = bt_buf_read_file(&raw, path);
    if (err == BT_OK)
        err = bt_resume_parse(raw.data, raw.len, t, boot_id, now, trusted, recheck, changed);
    if (err != BT_OK) {
        int saved = errno;

        bt_buf_release(&raw);
        errno = saved;
        return err;
    }
    bt_buf_release(&raw);
    return BT_OK;
}
