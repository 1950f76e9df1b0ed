/*
 * bt-create - make a .torrent file of a file or a directory: v1 (BEP 3), v2
 * (BEP 52) or both in one (hybrid, the default).
 *
 *   $ bt-create -a http://tracker.example/announce -o photos.torrent photos
 *
 * The work is lib/create/: walk.c lists and sorts the files, hasher.c hashes
 * the pieces on every core, create.c writes the bencode.  This file parses
 * arguments, shows progress and writes the result.
 */
/* realpath(3) is X/Open, beyond the POSIX base that Makefile.am asks for. */
#define _XOPEN_SOURCE 700

#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bencode/json.h"
#include "core/buf.h"
#include "core/hex.h"
#include "core/loop.h"
#include "create/create.h"
#include "create/hasher.h"
#include "create/walk.h"
#include "metainfo/metainfo.h"
#include "tool.h"
#include "tool_progress.h"

enum {
    OPT_V1 = 256,
    OPT_V2,
    OPT_HYBRID,
    OPT_JSON,
    OPT_ATTRIBUTES,
};

static void usage(FILE *out, int help)
{
    fprintf(out,
            "usage: %s [--v1 | --v2 | --hybrid] [-l LENGTH] [-a URL[,URL]...]... [-w URL]...\n"
            "                 [-c COMMENT] [-p] [-s SOURCE] [-d] [-x GLOB]... [-j THREADS] [-q]\n"
            "                 [--attributes] [--json] [-o OUT] PATH\n",
            tool_name());
    if (!help)
        return;
    fprintf(out,
            "\n"
            "Make a .torrent file of PATH, a file or a directory, and write it to OUT,\n"
            "or to standard output when that is not a terminal.  Files in a directory\n"
            "are sorted by path, element by element; symbolic links and special files\n"
            "are skipped with a message.\n"
            "\n"
            "      --v1        a v1 torrent (BEP 3): SHA-1 pieces over the files end to end\n"
            "      --v2        a v2 torrent (BEP 52): a SHA-256 merkle tree per file\n"
            "      --hybrid    both in one, files padded to piece boundaries (the default)\n"
            "  -l, --piece-length LENGTH  a power of two from 16 KiB to 1 GiB: bytes\n"
            "                  (262144), with K or M (256K), or an exponent 14-30 (18);\n"
            "                  default: the smallest that makes at most %d pieces, up to\n"
            "                  16 MiB\n"
            "  -a, --announce URL[,URL]...  a tracker tier (BEP 12); repeat for more tiers\n"
            "  -w, --web-seed URL  a web seed (BEP 19), repeatable\n"
            "  -c, --comment TEXT  a comment\n"
            "  -p, --private   a private torrent (BEP 27): peers from the trackers only\n"
            "  -s, --source TEXT   info.source, which gives a different info hash\n"
            "  -d, --no-date   no creation date, so that the output is the same every time\n"
            "  -x, --exclude GLOB  leave out files and directories whose name or path\n"
            "                  matches GLOB (fnmatch), repeatable\n"
            "      --attributes  mark executable files \"attr\": \"x\" (BEP 47), as libtorrent\n"
            "                  does, so that its info hashes and ours agree for them\n"
            "  -j, --threads N hash on N threads (default: one per core)\n"
            "  -o, --output OUT  write the torrent to OUT (through OUT.part)\n"
            "      --json      print a summary in JSON on standard output (needs -o)\n"
            "  -q, --quiet     no progress, no messages about skipped files\n"
            "  -h, --help      print this help\n"
            "  -V, --version   print the version\n"
            "\n"
            "Progress goes to standard error: a bar on a terminal, else a line every\n"
            "five seconds.  Exit status: 0 on success, 1 if the files could not be read\n"
            "or the torrent written, 2 for a usage error.  See bt-create(1).\n",
            BT_CREATE_AUTO_PIECES);
}

/*
 * LENGTH for -l: an exponent (mktorrent's -l 18 is 2^18), bytes, or bytes
 * with K or M.  Returns 0 and sets *out, or prints why and returns -1.
 */
static int parse_piece_length(const char *s, int64_t *out)
{
    char *end;
    long long v;
    int64_t unit = 1, n = 0;

    errno = 0;
    v = strtoll(s, &end, 10);
    if (strcmp(end, "K") == 0 || strcmp(end, "k") == 0 || strcmp(end, "KiB") == 0)
        unit = 1024;
    else if (strcmp(end, "M") == 0 || strcmp(end, "m") == 0 || strcmp(end, "MiB") == 0)
        unit = 1024 * 1024;
    else if (*end != '\0')
        v = 0; /* another suffix */
    if (errno == 0 && end != s && v > 0 && v <= BT_META_MAX_PIECE_LENGTH / unit)
        n = unit == 1 && v < 64 ? (int64_t)1 << v : v * unit; /* small: an exponent */
    if (n >= BT_CREATE_MIN_PIECE && n <= BT_META_MAX_PIECE_LENGTH && (n & (n - 1)) == 0) {
        *out = n;
        return 0;
    }
    tool_warn("invalid piece length '%s' (want a power of two from 16K to 1024M, or 14-30)", s);
    return -1;
}

/* The trackers: one tier per -a, its URLs split at commas (mktorrent's way). */
struct trackers {
    struct bt_create_tier *tiers;
    const char **urls; /* every URL, pointing into the copies in text */
    char **text;
    size_t tier_count, url_count;
};

static int add_tier(struct trackers *t, const char *arg, size_t max)
{
    char *copy, *p, *comma;
    size_t first = t->url_count;

    if (t->tiers == NULL) {
        t->tiers = calloc(max, sizeof(*t->tiers));
        t->text = calloc(max, sizeof(*t->text));
        t->urls = calloc(strlen(arg) + max, sizeof(*t->urls));
    }
    copy = strdup(arg);
    if (t->tiers == NULL || t->text == NULL || t->urls == NULL || copy == NULL) {
        free(copy);
        tool_error(BT_ERR_NOMEM, "announce");
        return TOOL_EXIT_FAIL;
    }
    t->text[t->tier_count] = copy;
    for (p = copy;; p = comma + 1) {
        comma = strchr(p, ',');
        if (comma != NULL)
            *comma = '\0';
        if (*p == '\0') {
            tool_warn("empty tracker URL in '%s'", arg);
            t->url_count = first;
            free(copy);
            return TOOL_EXIT_USAGE;
        }
        t->urls[t->url_count++] = p;
        if (comma == NULL)
            break;
    }
    t->tiers[t->tier_count].urls = &t->urls[first];
    t->tiers[t->tier_count].count = t->url_count - first;
    t->tier_count++;
    return TOOL_CONTINUE;
}

static void trackers_release(struct trackers *t)
{
    size_t i;

    for (i = 0; i < t->tier_count; i++)
        free(t->text[i]);
    free(t->text);
    free(t->tiers);
    free(t->urls);
}

/*
 * Where out lies relative to the directory root, if inside it (NULL if not):
 * the walk must not put our own output, or its .part, into the torrent.
 */
static char *output_inside(const char *root, const char *out)
{
    char *rroot = realpath(root, NULL), *copy = strdup(out), *copy2 = strdup(out);
    char *rdir = copy != NULL ? realpath(dirname(copy), NULL) : NULL;
    char *rel = NULL;
    size_t n;

    if (rroot != NULL && rdir != NULL && copy2 != NULL) {
        const char *base = basename(copy2);

        n = strlen(rroot);
        if (strcmp(rdir, rroot) == 0) {
            rel = strdup(base);
        } else if (strncmp(rdir, rroot, n) == 0 && (rdir[n] == '/' || n == 1)) {
            const char *sub = rdir + (n == 1 ? 1 : n + 1);

            rel = malloc(strlen(sub) + strlen(base) + 2);
            if (rel != NULL)
                sprintf(rel, "%s/%s", sub, base);
        }
    }
    free(rroot);
    free(rdir);
    free(copy);
    free(copy2);
    return rel;
}

/* Are a and b the same file?  (No if either does not exist.) */
static int same_file(const char *a, const char *b)
{
    struct stat sa, sb;

    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

struct progress {
    struct tool_progress bar;
    uint64_t start_ms;
};

static int show_progress(int64_t done, int64_t total, void *arg)
{
    struct progress *pr = arg;
    uint64_t ms = bt_loop_now_ms() - pr->start_ms;
    uint64_t rate = ms > 0 ? (uint64_t)done * 1000 / ms : 0;

    tool_progress_show(&pr->bar, done, total, rate, "hashing");
    return tool_interrupted != 0;
}

/* The summary --json prints: the hashes, the numbers, the output. */
static enum bt_err put_summary(struct bt_buf *j, const struct bt_walk *w, const struct bt_hasher *h,
                               const unsigned char *ih1, const unsigned char *ih2, const char *out)
{
    char hex1[2 * BT_SHA1_LEN + 1], hex2[2 * BT_SHA256_LEN + 1];
    enum bt_err err = bt_buf_append_byte(j, '{');

    bt_hex_encode(ih1, BT_SHA1_LEN, hex1);
    bt_hex_encode(ih2, BT_SHA256_LEN, hex2);
    if (err == BT_OK)
        err = bt_json_put_key(j, "name");
    if (err == BT_OK)
        err = bt_json_put_cstring(j, w->name);
    if (err == BT_OK)
        err = bt_json_put_key(j, "info_hash_v1");
    if (err == BT_OK)
        err = bt_json_put_cstring(j, (h->mode & BT_CREATE_V1) != 0 ? hex1 : NULL);
    if (err == BT_OK)
        err = bt_json_put_key(j, "info_hash_v2");
    if (err == BT_OK)
        err = bt_json_put_cstring(j, (h->mode & BT_CREATE_V2) != 0 ? hex2 : NULL);
    if (err == BT_OK)
        err = bt_json_put_key(j, "piece_length");
    if (err == BT_OK)
        err = bt_json_put_int(j, h->piece_length);
    if (err == BT_OK)
        err = bt_json_put_key(j, "pieces");
    if (err == BT_OK)
        err = bt_json_put_int(j, (int64_t)(h->v1_count > 0 ? h->v1_count : h->v2_count));
    if (err == BT_OK)
        err = bt_json_put_key(j, "files");
    if (err == BT_OK)
        err = bt_json_put_int(j, (int64_t)w->count);
    if (err == BT_OK)
        err = bt_json_put_key(j, "total_size");
    if (err == BT_OK)
        err = bt_json_put_int(j, w->total);
    if (err == BT_OK)
        err = bt_json_put_key(j, "output");
    if (err == BT_OK)
        err = bt_json_put_cstring(j, out);
    if (err == BT_OK)
        err = bt_buf_append_str(j, "}\n");
    return err;
}

/* The options, once parsed. */
struct opts {
    unsigned mode;
    int64_t piece_length; /* 0: automatic */
    int64_t threads;      /* 0: one per core */
    const char *out;
    int json, quiet;
    const char **excludes, **web_seeds;
    size_t exclude_count, web_seed_count;
    struct trackers trackers;
    struct bt_create_meta meta;
};

/* Walk, hash, write.  Returns the exit status. */
static int create(struct opts *o, const char *path)
{
    struct bt_walk w;
    struct bt_hasher h;
    struct bt_buf torrent, summary;
    struct progress pr;
    unsigned char ih1[BT_SHA1_LEN] = {0}, ih2[BT_SHA256_LEN] = {0};
    const char *omit[2];
    char *inside = NULL, *inside_part = NULL;
    int status = TOOL_EXIT_FAIL;
    size_t i;
    enum bt_err err;

    bt_walk_init(&w);
    bt_hasher_init(&h);
    bt_buf_init(&torrent, BT_META_MAX_INPUT);
    bt_buf_init(&summary, 1 << 20);
    w.exclude = o->excludes;
    w.exclude_count = o->exclude_count;
    if (o->out != NULL && strcmp(o->out, "-") != 0)
        inside = output_inside(path, o->out);
    if (inside != NULL) {
        inside_part = malloc(strlen(inside) + sizeof(".part"));
        if (inside_part != NULL)
            sprintf(inside_part, "%s.part", inside);
        omit[0] = inside;
        omit[1] = inside_part != NULL ? inside_part : inside;
        w.omit = omit;
        w.omit_count = 2;
    }
    err = bt_walk_run(&w, path);
    if (err != BT_OK) {
        tool_error(err, w.err_path != NULL ? w.err_path : path);
        goto done;
    }
    if (!w.is_dir && o->out != NULL && same_file(w.files[0].path, o->out)) {
        tool_warn("%s: the output would overwrite the input", o->out);
        goto done;
    }
    for (i = 0; i < w.skipped_count && !o->quiet; i++)
        tool_warn("%s: skipped: %s", w.skipped[i].path,
                  w.skipped[i].why == BT_WALK_SKIP_SYMLINK ? "a symbolic link"
                                                           : "not a regular file");
    h.mode = o->mode;
    h.piece_length = o->piece_length != 0 ? o->piece_length : bt_create_piece_length(w.total);
    h.threads = (unsigned)o->threads;
    tool_progress_init(&pr.bar, o->quiet);
    pr.start_ms = bt_loop_now_ms();
    /* A plain line after five seconds of work, not at once: short runs stay quiet. */
    pr.bar.last_ms = pr.start_ms;
    h.progress = show_progress;
    h.progress_arg = &pr;
    h.progress_ms = tool_progress_every_ms(&pr.bar);
    err = bt_hasher_run(&h, &w);
    tool_progress_end(&pr.bar);
    if (err == BT_ERR_IO || err == BT_ERR_CREATE_CHANGED) {
        tool_error(err, w.files[h.err_file].path);
        goto done;
    }
    if (err != BT_OK) {
        tool_error(err, path);
        goto done;
    }
    err = bt_create_write(&torrent, &w, &h, &o->meta, ih1, ih2);
    if (err == BT_ERR_TOO_LARGE) {
        tool_warn("%s: the torrent would be over %u MiB: choose a larger piece length", path,
                  BT_META_MAX_INPUT >> 20);
        goto done;
    }
    if (err != BT_OK) {
        tool_error(err, path);
        goto done;
    }
    if (o->out != NULL && strcmp(o->out, "-") != 0) {
        if (tool_write_file(o->out, torrent.data, torrent.len) != BT_OK)
            goto done;
    } else {
        fwrite(torrent.data, 1, torrent.len, stdout);
    }
    status = TOOL_EXIT_OK;
    if (o->json) {
        err = put_summary(&summary, &w, &h, ih1, ih2, o->out);
        if (err == BT_OK)
            fwrite(summary.data, 1, summary.len, stdout);
        else
            status = TOOL_EXIT_FAIL;
    }
done:
    free(inside);
    free(inside_part);
    bt_buf_release(&summary);
    bt_buf_release(&torrent);
    bt_hasher_release(&h);
    bt_walk_release(&w);
    return status;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"v1", no_argument, NULL, OPT_V1},
        {"v2", no_argument, NULL, OPT_V2},
        {"hybrid", no_argument, NULL, OPT_HYBRID},
        {"piece-length", required_argument, NULL, 'l'},
        {"announce", required_argument, NULL, 'a'},
        {"web-seed", required_argument, NULL, 'w'},
        {"comment", required_argument, NULL, 'c'},
        {"private", no_argument, NULL, 'p'},
        {"source", required_argument, NULL, 's'},
        {"no-date", no_argument, NULL, 'd'},
        {"exclude", required_argument, NULL, 'x'},
        {"threads", required_argument, NULL, 'j'},
        {"output", required_argument, NULL, 'o'},
        {"json", no_argument, NULL, OPT_JSON},
        {"attributes", no_argument, NULL, OPT_ATTRIBUTES},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct opts o;
    int c, modes = 0, no_date = 0, status = TOOL_CONTINUE;
    long cores;

    tool_init(argv);
    memset(&o, 0, sizeof(o));
    o.mode = BT_CREATE_HYBRID;
    /* Every option takes at most one slot of these: argc bounds them all. */
    o.excludes = calloc((size_t)argc, sizeof(*o.excludes));
    o.web_seeds = calloc((size_t)argc, sizeof(*o.web_seeds));
    if (o.excludes == NULL || o.web_seeds == NULL) {
        tool_error(BT_ERR_NOMEM, "options");
        return TOOL_EXIT_FAIL;
    }
    while (status == TOOL_CONTINUE &&
           (c = getopt_long(argc, argv, "l:a:w:c:ps:dx:j:o:qhV", longopts, NULL)) != -1) {
        switch (c) {
        case OPT_V1:
        case OPT_V2:
        case OPT_HYBRID:
            o.mode = c == OPT_V1 ? BT_CREATE_V1 : c == OPT_V2 ? BT_CREATE_V2 : BT_CREATE_HYBRID;
            modes++;
            break;
        case 'l':
            if (parse_piece_length(optarg, &o.piece_length) != 0)
                status = TOOL_EXIT_USAGE;
            break;
        case 'a':
            status = add_tier(&o.trackers, optarg, (size_t)argc);
            break;
        case 'w':
            o.web_seeds[o.web_seed_count++] = optarg;
            break;
        case 'c':
            o.meta.comment = optarg;
            break;
        case 'p':
            o.meta.is_private = 1;
            break;
        case 's':
            o.meta.source = optarg;
            break;
        case 'd':
            no_date = 1;
            break;
        case 'x':
            o.excludes[o.exclude_count++] = optarg;
            break;
        case 'j':
            if (tool_number("thread count", optarg, 1, BT_HASHER_MAX_THREADS, &o.threads) != 0)
                status = TOOL_EXIT_USAGE;
            break;
        case 'o':
            o.out = optarg;
            break;
        case OPT_JSON:
            o.json = 1;
            break;
        case OPT_ATTRIBUTES:
            o.meta.attributes = 1;
            break;
        case 'q':
            o.quiet = 1;
            break;
        default:
            status = tool_option(c, usage);
            break;
        }
    }
    if (status == TOOL_CONTINUE && modes > 1) {
        tool_warn("--v1, --v2 and --hybrid exclude each other");
        usage(stderr, 0);
        status = TOOL_EXIT_USAGE;
    }
    if (status == TOOL_CONTINUE)
        status = tool_operands(argc, 1, usage);
    if (status == TOOL_CONTINUE && o.json && (o.out == NULL || strcmp(o.out, "-") == 0)) {
        tool_warn("--json needs -o OUT: standard output carries the summary");
        status = TOOL_EXIT_USAGE;
    }
    if (status == TOOL_CONTINUE && (o.out == NULL || strcmp(o.out, "-") == 0) &&
        isatty(STDOUT_FILENO)) {
        tool_warn("will not write a torrent to a terminal: give -o OUT or redirect the output");
        status = TOOL_EXIT_USAGE;
    }
    if (status == TOOL_CONTINUE) {
        cores = sysconf(_SC_NPROCESSORS_ONLN);
        if (o.threads == 0)
            o.threads = cores < 1                       ? 1
                        : cores > BT_HASHER_MAX_THREADS ? BT_HASHER_MAX_THREADS
                                                        : cores;
        o.meta.tiers = o.trackers.tiers;
        o.meta.tier_count = o.trackers.tier_count;
        o.meta.web_seeds = o.web_seeds;
        o.meta.web_seed_count = o.web_seed_count;
        o.meta.created_by = "btkit " PACKAGE_VERSION;
        o.meta.creation_date = no_date ? -1 : (int64_t)time(NULL);
        tool_catch_signals();
        status = create(&o, argv[optind]);
        status = tool_close_stdout(status);
    }
    trackers_release(&o.trackers);
    free(o.excludes);
    free(o.web_seeds);
    return status;
}
