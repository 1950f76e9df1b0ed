/*
 * error.h - the one error type of libbt.
 *
 * Every library function that can fail returns an enum bt_err.  BT_OK is zero, so
 * `if (err != BT_OK)` reads naturally.  The library never prints and never exits:
 * it hands the code back, and the tool decides what to say (bt_strerror) and how
 * to exit.
 *
 * Codes are grouped by protocol layer, one block per lib file.  Add a new code
 * inside its layer's block and give it a message in error.c: bt_strerror() is a
 * switch with no default, so the compiler warns about a code without a message.
 */
#ifndef BT_ERROR_H
#define BT_ERROR_H

enum bt_err {
    BT_OK = 0,

    /* general */
    BT_ERR_NOMEM,     /* an allocation failed */
    BT_ERR_IO,        /* a read or write failed; errno says why */
    BT_ERR_TOO_LARGE, /* input exceeds a configured size limit */
    BT_ERR_INVALID,   /* an argument is out of its domain */

    /* bencode.c (BEP 3, "bencoding") */
    BT_ERR_BENCODE_TRUNCATED,    /* input ended inside a value */
    BT_ERR_BENCODE_SYNTAX,       /* a byte that cannot start or continue a value */
    BT_ERR_BENCODE_LEADING_ZERO, /* i03e or 03:abc */
    BT_ERR_BENCODE_NEGATIVE_ZERO,
    BT_ERR_BENCODE_INT_OVERFLOW, /* does not fit in int64 */
    BT_ERR_BENCODE_STRLEN,       /* string length runs past the end of the input */
    BT_ERR_BENCODE_DEPTH,        /* nesting deeper than the limit */
    BT_ERR_BENCODE_TOKENS,       /* more values than the limit */
    BT_ERR_BENCODE_TRAILING,     /* bytes after the top-level value */
    BT_ERR_BENCODE_KEY_TYPE,     /* a dict key that is not a string */
    BT_ERR_BENCODE_KEY_ORDER,    /* dict keys not in ascending byte order */
    BT_ERR_BENCODE_KEY_DUP,      /* the same dict key twice */

    /* json_write.c, json_read.c (bt-decode/bt-encode's JSON form) */
    BT_ERR_JSON_SYNTAX,
    BT_ERR_JSON_UTF8,        /* JSON text that is not UTF-8 */
    BT_ERR_JSON_ESCAPE,      /* a bad backslash escape or a lone surrogate in a string */
    BT_ERR_JSON_NOT_INTEGER, /* a fraction or an exponent: bencode has only integers */
    BT_ERR_JSON_LITERAL,     /* true, false or null: bencode has no such values */
    BT_ERR_JSON_BINARY,      /* a malformed {"$hex": ...} or {"$dict": ...} object */
    BT_ERR_JSON_OUTPUT,      /* the converted value would exceed its size limit */

    /* metainfo.c (BEP 3, BEP 12) */
    BT_ERR_META_NOT_DICT,
    BT_ERR_META_NO_INFO,
    BT_ERR_META_FIELD_TYPE,         /* a known field has the wrong bencode type */
    BT_ERR_META_PIECE_LENGTH,       /* zero or negative */
    BT_ERR_META_PIECES,             /* piece count does not match the total length */
    BT_ERR_META_LENGTH,             /* a negative file length */
    BT_ERR_META_NAME,               /* unused: the name gets BT_ERR_META_PATH_* like paths */
    BT_ERR_META_PATH,               /* a file path with no elements */
    BT_ERR_META_FILES,              /* both length and files, or an empty files list */
    BT_ERR_META_TOO_MANY,           /* more pieces or files than the limit */
    BT_ERR_META_MISSING,            /* a required field is absent */
    BT_ERR_META_PIECE_LENGTH_LARGE, /* above BT_META_MAX_PIECE_LENGTH */
    BT_ERR_META_PIECES_PARTIAL,     /* "pieces" is not a multiple of 20 bytes */
    BT_ERR_META_TOTAL_LENGTH,       /* the file lengths add up past INT64_MAX */
    BT_ERR_META_EMPTY,              /* the torrent holds no bytes at all */
    BT_ERR_META_PATH_EMPTY,         /* an empty name or path element */
    BT_ERR_META_PATH_DOT,           /* a name or path element that is . or .. */
    BT_ERR_META_PATH_CHAR,          /* a '/' or NUL inside a name or path element */
    BT_ERR_META_TEXT_NUL,           /* a NUL byte inside a URL or other text */
    BT_ERR_META_VERSION,            /* "meta version" is not one we know (BEP 52) */
    BT_ERR_META_PIECE_LENGTH_V2,    /* v2: not a power of two of at least 16 KiB */
    BT_ERR_META_FILE_TREE,          /* a file tree node that is neither a file nor a directory */
    BT_ERR_META_DEPTH,              /* a file tree nested deeper than BT_META_MAX_DEPTH */
    BT_ERR_META_ROOT,               /* a "pieces root" that is not 32 bytes, or missing */
    BT_ERR_META_LAYER,              /* a piece layer missing or of the wrong length */
    BT_ERR_META_LAYER_ROOT,         /* a piece layer that does not hash to its file's root */
    BT_ERR_META_HYBRID,             /* the v1 and v2 halves of a hybrid describe different files */
    BT_ERR_META_PATH_BACKSLASH,     /* a '\\' inside a path element: a separator on Windows */
    BT_ERR_META_PATH_RESERVED,      /* a path element Windows keeps for a device (CON, NUL, COM1) */
    BT_ERR_META_PATH_LONG,          /* a path element longer than file systems allow */
    BT_ERR_META_PATH_DUP,           /* two files, or a file and a directory, with the same path */
    BT_ERR_META_INFO_DUP,           /* a dict key twice inside the info dict: ambiguous */
    BT_ERR_META_SYMLINK_TARGET,     /* BEP 47: a symlink whose target leaves the torrent */
    BT_ERR_META_SYMLINK_DATA,       /* BEP 47: a symlink entry that holds bytes */

    /* tracker/: announce.c, http.c, udp.c, their clients, the server (BEP 3, 7, 12, 15, 23) */
    BT_ERR_TRACKER_URL,
    BT_ERR_TRACKER_FAILURE, /* the tracker sent a "failure reason" */
    BT_ERR_TRACKER_RESPONSE,
    BT_ERR_TRACKER_HTTP,
    BT_ERR_TRACKER_TIMEOUT,
    BT_ERR_TRACKER_DNS,
    BT_ERR_TRACKER_CONNECT,
    BT_ERR_TRACKER_NOT_BENCODED, /* the body is not one bencoded value */
    BT_ERR_TRACKER_PEERS,        /* compact peers not a multiple of 6 (or 18) bytes */
    BT_ERR_TRACKER_TXID,         /* a UDP packet of another transaction: ignore it */
    BT_ERR_TRACKER_TLS,          /* TLS handshake or certificate check failed */
    BT_ERR_TRACKER_TOO_LARGE,    /* response body over the cap */
    BT_ERR_TRACKER_REQUEST,      /* server side: a malformed or hostile request */

    /* net.c, loop.c */
    BT_ERR_NET_ADDR,
    BT_ERR_NET_CONNECT,
    BT_ERR_NET_TIMEOUT,
    BT_ERR_NET_CLOSED,

    /* peer wire: handshake.c, message.c (BEP 3, BEP 10) */
    BT_ERR_PEER_HANDSHAKE,
    BT_ERR_PEER_INFOHASH,
    BT_ERR_PEER_MESSAGE,
    BT_ERR_PEER_LENGTH,
    BT_ERR_PEER_CHOKED,
    BT_ERR_PEER_HASH,
    BT_ERR_PEER_NO_PIECE,
    BT_ERR_PEER_UNREQUESTED, /* a block we did not ask for */
    BT_ERR_PEER_SILENT,      /* nothing received for the idle timeout */
    BT_ERR_PEER_MSE,         /* the encrypted handshake (MSE/PE) failed */

    /* storage.c, piece picking, the download session */
    BT_ERR_STORAGE_PATH,
    BT_ERR_STORAGE_SPACE,
    BT_ERR_STORAGE_SHORT, /* a file is shorter than the torrent says */
    BT_ERR_NO_PEERS,

    /* magnet.c, metadata.c (BEP 9) */
    BT_ERR_MAGNET,
    BT_ERR_METADATA,
    BT_ERR_METADATA_SIZE,        /* metadata_size absent, over the cap, or inconsistent */
    BT_ERR_METADATA_HASH,        /* the assembled info dict does not hash to the info hash */
    BT_ERR_METADATA_REJECTED,    /* the peer rejected a metadata request */
    BT_ERR_METADATA_UNSUPPORTED, /* the peer does not offer ut_metadata */

    /* dht/ (BEP 5, BEP 32, BEP 42) */
    BT_ERR_KRPC,         /* a datagram that is not a well-formed KRPC message */
    BT_ERR_KRPC_ERROR,   /* the node answered with a KRPC error */
    BT_ERR_DHT_TIMEOUT,  /* no answer in time */
    BT_ERR_DHT_NO_NODES, /* no node to ask: bootstrap first */
    BT_ERR_DHT_STATE,    /* a state file that is not ours */

    /* create/: walk.c, hasher.c, create.c (making a torrent: BEP 3, 47, 52) */
    BT_ERR_CREATE_TYPE,         /* the input is neither a regular file nor a directory */
    BT_ERR_CREATE_NAME,         /* a file name that is not UTF-8 */
    BT_ERR_CREATE_EMPTY,        /* no file with a byte in it */
    BT_ERR_CREATE_CHANGED,      /* a file changed size while it was hashed */
    BT_ERR_CREATE_PIECE_LENGTH, /* not a power of two, or out of range */
    BT_ERR_CREATE_STOPPED,      /* the caller asked the hashing to stop */

    /* wire/hashes.c, session/layers_fetch.c (BEP 52) */
    BT_ERR_HASHES,          /* a malformed hash request, hashes or hash reject message */
    BT_ERR_HASHES_PROOF,    /* hashes that do not hash up to the file's pieces root */
    BT_ERR_HASHES_REJECTED, /* the peer rejected a hash request */

    /* session/webseed.c (BEP 19) */
    BT_ERR_WEBSEED_HTTP,  /* the server answered with another status than 206 (or 200) */
    BT_ERR_WEBSEED_SHORT, /* the body is not the length of the range asked for */

    /* pieces/resume.c */
    BT_ERR_STATE_BAD,   /* a state file that is not one, or is damaged */
    BT_ERR_STATE_OTHER, /* a state file of another torrent */
    BT_ERR_STATE_BOOT,  /* a state file from before the system last started */
};

/* A short, lower-case message for err, without a trailing period.  Never NULL. */
const char *bt_strerror(enum bt_err err);

#endif /* BT_ERROR_H */
