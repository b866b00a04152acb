/*
 * cos_sign.h - the request signature of Tencent COS's XML API V5
 * (q-sign-algorithm=sha1), as COS's "Request Signature" page describes it
 * (https://www.tencentcloud.com/document/product/436/7778):
 *
 *   KeyTime      = "<start>;<end>" (Unix seconds), also q-sign-time
 *   SignKey      = hex HMAC-SHA1(SecretKey, KeyTime)
 *   HttpParameters, UrlParamList: every query parameter as
 *                  lowercase(encode(name)) "=" encode(value), sorted by that
 *                  name, joined by "&"; the names joined by ";"
 *   HttpHeaders, HeaderList: the same for the signed headers
 *   HttpString   = lowercase(method) "\n" "/" key "\n" HttpParameters "\n"
 *                  HttpHeaders "\n"       (the key NOT percent-encoded)
 *   StringToSign = "sha1\n" KeyTime "\n" hex SHA1(HttpString) "\n"
 *   Signature    = hex HMAC-SHA1(SignKey as its 40 hex characters, StringToSign)
 *   Authorization: q-sign-algorithm=sha1&q-ak=<SecretId>&q-sign-time=<KeyTime>
 *     &q-key-time=<KeyTime>&q-header-list=<HeaderList>
 *     &q-url-param-list=<UrlParamList>&q-signature=<Signature>
 *
 * where encode() is vod_cos_url_encode() below. No Lua, no I/O. SHA-1 and
 * HMAC-SHA1 from mbedTLS's generic md API (2.28 and 3.x).
 *
 * Which headers are signed is the caller's choice: COS checks those listed.
 * Sign `host` always and every `x-cos-*` header (x-cos-security-token among
 * them when the credentials have a token), plus Content-Type, Content-Length
 * and Content-MD5 when they are sent, and send the header values exactly as
 * signed (trimmed, see vod_cos_sign()). Headers left unsigned can be altered
 * in transit without COS noticing.
 *
 * Lifetime:
 *
 *     vod_cos_signer s;
 *     memset(&s, 0, sizeof s);                     zeroed: free is safe now
 *     if (vod_cos_signer_init(&s, id, id_len, key, key_len, token, token_len,
 *                             why) != 0) ...       why says what was wrong
 *     vod_cos_sign(&s, &req, &auth, why);          any number of times
 *     vod_cos_signer_free(&s);                     wipes the secrets
 *
 * The SignKey of the last KeyTime is kept (with its HMAC pads absorbed), so
 * signing again with the same KeyTime - every part of an upload - costs one
 * SHA-1 of the HttpString and one HMAC from the absorbed pads. A signer is
 * used by one thread at a time. Nothing secret is ever written into `why`:
 * neither the keys nor the token nor any header or parameter value.
 */
#ifndef VOD_COS_SIGN_H
#define VOD_COS_SIGN_H

#include <stddef.h>

#include <mbedtls/md.h>

#include "buf.h"

#define VOD_COS_MAX_ID_LEN 256          /* SecretId bytes */
#define VOD_COS_MAX_TOKEN_LEN 16384     /* session token bytes */
#define VOD_COS_MAX_FIELDS 64           /* query parameters, and headers, per request */
#define VOD_COS_MAX_TIME 253402300799LL /* 9999-12-31T23:59:59Z, the last KeyTime second */
#define VOD_COS_WHY_MAX 160             /* bytes of an error sentence, NUL included */
#define VOD_COS_HEX_LEN 40              /* lowercase hex of a SHA-1 digest */

typedef struct vod_cos_signer {
    /* All fields are private (tests read sign_key and derivations). A zeroed
     * struct is safe to pass to vod_cos_signer_free(). */
    char secret_id[VOD_COS_MAX_ID_LEN + 1];
    size_t secret_id_len;
    unsigned char *secret_key;          /* malloc'd copy */
    size_t secret_key_len;
    char *token;                        /* malloc'd NUL-terminated copy, NULL: none */
    size_t token_len;
    long long key_start, key_end;       /* KeyTime of sign_key */
    int have_key;                       /* sign_key and the pads are for key_start;key_end */
    char sign_key[VOD_COS_HEX_LEN + 1]; /* SignKey of that KeyTime */
    mbedtls_md_context_t sha;           /* SHA-1 */
    mbedtls_md_context_t hmac;          /* HMAC-SHA1 (for the SignKey) */
    mbedtls_md_context_t pad_in;        /* SHA-1 having absorbed SignKey ^ ipad */
    mbedtls_md_context_t pad_out;       /* SHA-1 having absorbed SignKey ^ opad */
    int md_inited;
    int derivations;                    /* SignKeys computed (for tests of the cache) */
    vod_buf scratch;                    /* encoded names and values of a request */
} vod_cos_signer;

/*
 * Sets up a signer with temporary (or permanent) credentials; copies them.
 * `s` must be zeroed before the first init; init zeroes it again, so free a
 * signer before initialising it anew.
 *
 * secret_id: 1 to VOD_COS_MAX_ID_LEN bytes of printable ASCII (0x21..0x7e)
 * other than '&' (it is written into the Authorization value).
 * secret_key: 1 byte or more, any bytes.
 * token: NULL or token_len 0 for none; else 1 to VOD_COS_MAX_TOKEN_LEN bytes
 * of printable ASCII (0x21..0x7e): the caller sends it as the
 * x-cos-security-token header (vod_cos_signer_token()).
 *
 * Returns 0, or -1 with a sentence in why (which may be NULL) and the struct
 * zeroed (holding no secret): a rule broken, out of memory, or mbedTLS
 * without SHA-1.
 */
int vod_cos_signer_init(vod_cos_signer *s, const char *secret_id, size_t id_len,
                        const char *secret_key, size_t key_len,
                        const char *token, size_t token_len, char why[VOD_COS_WHY_MAX]);

/* Wipes the copies of the key and token and every derived key
 * (mbedtls_platform_zeroize), frees everything, leaves the struct zeroed.
 * Safe on a zeroed or half-built struct, twice, and on NULL. */
void vod_cos_signer_free(vod_cos_signer *s);

/* The session token (NUL-terminated) and its length, or NULL and 0. */
const char *vod_cos_signer_token(const vod_cos_signer *s, size_t *len);

/* A query parameter or a header: NUL-terminated name and value. */
typedef struct vod_cos_kv {
    const char *name;
    const char *value;      /* parameters: NULL = without value (`?uploads`),
                               signed as the empty value; headers: required */
} vod_cos_kv;

typedef struct vod_cos_request {
    const char *method;             /* "PUT", "post"...: printable ASCII, signed lowercased */
    const char *key;                /* the object key, NOT percent-encoded, without
                                       the leading '/'; "" for the bucket itself */
    const vod_cos_kv *params;       /* the query parameters, any order (may be NULL if 0) */
    size_t n_params;
    const vod_cos_kv *headers;      /* the headers to sign, any order, names in any case */
    size_t n_headers;
    long long key_time_start;       /* Unix seconds, 0 <= start <= end <= VOD_COS_MAX_TIME */
    long long key_time_end;
} vod_cos_request;

/*
 * Writes the whole Authorization value into *auth (reset first; NUL-terminated
 * by vod_buf_cstr). Never does I/O.
 *
 * Rules (each broken one is a -1 with a sentence naming it in why):
 * method non-empty printable ASCII (0x21..0x7e); key non-NULL and not
 * starting with '/' (any other bytes); at most VOD_COS_MAX_FIELDS parameters
 * and as many headers; every name non-empty; header names are HTTP tokens
 * (RFC 9110: letters, digits and !#$%&'*+-.^_`|~), header values are trimmed
 * of spaces and tabs at both ends and must then hold no control byte (below
 * 0x20 but tab, or 0x7f), and the caller must send the trimmed value; no two
 * parameters, nor two headers, may have the same signed name
 * (lowercase(encode(name))); the KeyTime within the bounds above.
 *
 * Returns 0, or -1 with auth emptied: a rule broken, out of memory, mbedTLS
 * failed, or the signer is not initialised. A failed call leaves the signer
 * usable.
 */
int vod_cos_sign(vod_cos_signer *s, const vod_cos_request *req, vod_buf *auth,
                 char why[VOD_COS_WHY_MAX]);

/*
 * COS's URL encoding, appended to out: the bytes A-Z a-z 0-9 - _ . ~ are kept,
 * every other byte (UTF-8 bytes included) becomes %XX in upper case, a space
 * %20 (never '+'). This is the encoding of names and values in the
 * signature, and of query parameters on the request line.
 * vod_cos_url_encode_key() also keeps '/': the object key on the request
 * line ("/" + encoded key). 0, or -1 when out of memory.
 */
int vod_cos_url_encode(vod_buf *out, const void *data, size_t len);
int vod_cos_url_encode_key(vod_buf *out, const void *data, size_t len);

#endif
