/*
 * error.c - messages for enum bt_err.
 *
 * A switch with no default case: when someone adds a code to error.h and forgets
 * its message here, -Wswitch (in -Wall) names the code.
 */
#include "core/error.h"

const char *bt_strerror(enum bt_err err)
{
    switch (err) {
    case BT_OK:
        return "success";
    case BT_ERR_NOMEM:
        return "out of memory";
    case BT_ERR_IO:
        return "input/output error";
    case BT_ERR_TOO_LARGE:
        return "input exceeds the size limit";
    case BT_ERR_INVALID:
        return "invalid argument";

    case BT_ERR_BENCODE_TRUNCATED:
        return "input ends inside a value";
    case BT_ERR_BENCODE_SYNTAX:
        return "unexpected byte";
    case BT_ERR_BENCODE_LEADING_ZERO:
        return "number has a leading zero";
    case BT_ERR_BENCODE_NEGATIVE_ZERO:
        return "negative zero";
    case BT_ERR_BENCODE_INT_OVERFLOW:
        return "integer does not fit in 64 bits";
    case BT_ERR_BENCODE_STRLEN:
        return "string length exceeds input";
    case BT_ERR_BENCODE_DEPTH:
        return "nesting too deep";
    case BT_ERR_BENCODE_TOKENS:
        return "too many values";
    case BT_ERR_BENCODE_TRAILING:
        return "trailing data after the value";
    case BT_ERR_BENCODE_KEY_TYPE:
        return "dictionary key is not a string";
    case BT_ERR_BENCODE_KEY_ORDER:
        return "dictionary keys are not sorted";
    case BT_ERR_BENCODE_KEY_DUP:
        return "duplicate dictionary key";

    case BT_ERR_JSON_SYNTAX:
        return "invalid JSON";
    case BT_ERR_JSON_UTF8:
        return "JSON text is not valid UTF-8";
    case BT_ERR_JSON_ESCAPE:
        return "invalid escape in JSON string";
    case BT_ERR_JSON_NOT_INTEGER:
        return "number is not an integer";
    case BT_ERR_JSON_LITERAL:
        return "true, false and null have no bencode form";
    case BT_ERR_JSON_BINARY:
        return "malformed $hex or $dict object";
    case BT_ERR_JSON_OUTPUT:
        return "output exceeds the size limit";

    case BT_ERR_META_NOT_DICT:
        return "metainfo is not a dictionary";
    case BT_ERR_META_NO_INFO:
        return "metainfo has no info dictionary";
    case BT_ERR_META_FIELD_TYPE:
        return "metainfo field has the wrong type";
    case BT_ERR_META_PIECE_LENGTH:
        return "piece length is not positive";
    case BT_ERR_META_PIECES:
        return "piece hashes do not match the total length";
    case BT_ERR_META_LENGTH:
        return "negative length";
    case BT_ERR_META_NAME:
        return "missing or unsafe name";
    case BT_ERR_META_PATH:
        return "file path has no elements";
    case BT_ERR_META_FILES:
        return "info has both length and files, or no files";
    case BT_ERR_META_TOO_MANY:
        return "too many pieces or files";
    case BT_ERR_META_MISSING:
        return "required field is missing";
    case BT_ERR_META_PIECE_LENGTH_LARGE:
        return "piece length exceeds 1 GiB";
    case BT_ERR_META_PIECES_PARTIAL:
        return "piece hashes are not a multiple of 20 bytes";
    case BT_ERR_META_TOTAL_LENGTH:
        return "total length overflows";
    case BT_ERR_META_EMPTY:
        return "torrent holds no data";
    case BT_ERR_META_PATH_EMPTY:
        return "empty path element";
    case BT_ERR_META_PATH_DOT:
        return "path element is '.' or '..'";
    case BT_ERR_META_PATH_CHAR:
        return "path element contains '/' or a NUL byte";
    case BT_ERR_META_TEXT_NUL:
        return "text contains a NUL byte";
    case BT_ERR_META_VERSION:
        return "unsupported meta version";
    case BT_ERR_META_PIECE_LENGTH_V2:
        return "v2 piece length is not a power of two of at least 16 KiB";
    case BT_ERR_META_FILE_TREE:
        return "malformed file tree";
    case BT_ERR_META_DEPTH:
        return "file tree nested too deep";
    case BT_ERR_META_ROOT:
        return "pieces root is not 32 bytes";
    case BT_ERR_META_LAYER:
        return "piece layer is missing or has the wrong length";
    case BT_ERR_META_LAYER_ROOT:
        return "piece layer does not match its pieces root";
    case BT_ERR_META_HYBRID:
        return "v1 and v2 file lists differ";
    case BT_ERR_META_PATH_BACKSLASH:
        return "path element contains a backslash";
    case BT_ERR_META_PATH_RESERVED:
        return "path element is a device name on Windows";
    case BT_ERR_META_PATH_LONG:
        return "path element is longer than 255 bytes";
    case BT_ERR_META_PATH_DUP:
        return "another file has the same path";
    case BT_ERR_META_INFO_DUP:
        return "the info dictionary has a key twice";
    case BT_ERR_META_SYMLINK_TARGET:
        return "symlink target is missing or leaves the torrent";
    case BT_ERR_META_SYMLINK_DATA:
        return "symlink entry has a length";

    case BT_ERR_TRACKER_URL:
        return "unsupported or malformed tracker URL";
    case BT_ERR_TRACKER_FAILURE:
        return "tracker refused the request";
    case BT_ERR_TRACKER_RESPONSE:
        return "malformed tracker response";
    case BT_ERR_TRACKER_HTTP:
        return "tracker HTTP error";
    case BT_ERR_TRACKER_TIMEOUT:
        return "tracker did not answer in time";
    case BT_ERR_TRACKER_DNS:
        return "cannot resolve tracker host";
    case BT_ERR_TRACKER_CONNECT:
        return "cannot connect to tracker";
    case BT_ERR_TRACKER_NOT_BENCODED:
        return "tracker response is not bencoded";
    case BT_ERR_TRACKER_PEERS:
        return "compact peer list length is not a multiple of the entry size";
    case BT_ERR_TRACKER_TXID:
        return "tracker packet belongs to another transaction";
    case BT_ERR_TRACKER_TLS:
        return "TLS error talking to tracker";
    case BT_ERR_TRACKER_TOO_LARGE:
        return "tracker response exceeds the size limit";
    case BT_ERR_TRACKER_REQUEST:
        return "malformed announce request";

    case BT_ERR_NET_ADDR:
        return "invalid network address";
    case BT_ERR_NET_CONNECT:
        return "connection failed";
    case BT_ERR_NET_TIMEOUT:
        return "timed out";
    case BT_ERR_NET_CLOSED:
        return "connection closed by peer";

    case BT_ERR_PEER_HANDSHAKE:
        return "invalid handshake";
    case BT_ERR_PEER_INFOHASH:
        return "peer answered with a different info hash";
    case BT_ERR_PEER_MESSAGE:
        return "invalid peer message";
    case BT_ERR_PEER_LENGTH:
        return "peer message length out of range";
    case BT_ERR_PEER_CHOKED:
        return "peer keeps us choked";
    case BT_ERR_PEER_HASH:
        return "piece failed its hash check";
    case BT_ERR_PEER_NO_PIECE:
        return "peer does not have the piece";
    case BT_ERR_PEER_UNREQUESTED:
        return "peer sent a block we did not request";
    case BT_ERR_PEER_SILENT:
        return "peer went silent";
    case BT_ERR_PEER_MSE:
        return "encrypted handshake failed";

    case BT_ERR_STORAGE_PATH:
        return "path escapes the download directory";
    case BT_ERR_STORAGE_SPACE:
        return "no space left on device";
    case BT_ERR_STORAGE_SHORT:
        return "file is shorter than the torrent says";
    case BT_ERR_NO_PEERS:
        return "no usable peers";

    case BT_ERR_MAGNET:
        return "invalid magnet link";
    case BT_ERR_METADATA:
        return "invalid metadata";
    case BT_ERR_METADATA_SIZE:
        return "metadata size missing, over the limit, or inconsistent";
    case BT_ERR_METADATA_HASH:
        return "metadata does not match the info hash";
    case BT_ERR_METADATA_REJECTED:
        return "peer rejected the metadata request";
    case BT_ERR_METADATA_UNSUPPORTED:
        return "peer does not offer metadata (no ut_metadata extension)";
    case BT_ERR_KRPC:
        return "malformed DHT message";
    case BT_ERR_KRPC_ERROR:
        return "DHT node answered with an error";
    case BT_ERR_DHT_TIMEOUT:
        return "no answer from the DHT node";
    case BT_ERR_DHT_NO_NODES:
        return "no DHT node to ask (give --dht-bootstrap or a state file)";
    case BT_ERR_DHT_STATE:
        return "not a DHT state file";

    case BT_ERR_CREATE_TYPE:
        return "not a regular file or a directory";
    case BT_ERR_CREATE_NAME:
        return "file name is not valid UTF-8";
    case BT_ERR_CREATE_EMPTY:
        return "no data to make a torrent of: no file, or only empty ones";
    case BT_ERR_CREATE_CHANGED:
        return "file changed size while being hashed";
    case BT_ERR_CREATE_PIECE_LENGTH:
        return "piece length must be a power of two from 16 KiB to 1 GiB";
    case BT_ERR_CREATE_STOPPED:
        return "interrupted";
    case BT_ERR_HASHES:
        return "malformed hash message (BEP 52)";
    case BT_ERR_HASHES_PROOF:
        return "hashes do not match the file's pieces root";
    case BT_ERR_HASHES_REJECTED:
        return "peer rejected a hash request";
    case BT_ERR_WEBSEED_HTTP:
        return "web seed did not answer the range request";
    case BT_ERR_WEBSEED_SHORT:
        return "web seed sent a body of the wrong length";
    case BT_ERR_STATE_BAD:
        return "not a state file, or a damaged one";
    case BT_ERR_STATE_OTHER:
        return "the state file is of another torrent";
    case BT_ERR_STATE_BOOT:
        return "the state file is from before the system last started";
    }
    return "unknown error";
}
