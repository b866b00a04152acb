/*
 * tc3_sign.h - TC3-HMAC-SHA256 request signing for Tencent Cloud API 3.0.
 *
 * This module computes the Authorization header value described in
 * Tencent Cloud's "Signature v3" documentation
 * (https://www.tencentcloud.com/document/api/266/34114).  It knows nothing
 * about Lua or HTTP and does no I/O: the caller supplies the exact values it will send, and gets
 * back the header value (plus the intermediate hashes, for tests and
 * debugging).  Only the generic mbedTLS message-digest API is used, so it
 * builds against mbedTLS 2.28 and 3.x; link with -lmbedcrypto.
 *
 * Lifetime:
 *
 *     tc3_signer s;
 *     memset(&s, 0, sizeof s);        zeroed: tc3_signer_free() is safe now
 *     if (tc3_signer_init(&s, id, id_len, key, key_len, "vod") != 0) ...
 *     tc3_sign(&s, &req, &res);       any number of times, no allocation
 *     tc3_signer_free(&s);            wipes the secret, safe to repeat
 *
 * A signer is not thread-safe: tc3_sign() reuses the digest contexts and the
 * derived-key cache held in the signer.  Use one signer per thread.
 */
#ifndef TC3_SIGN_H
#define TC3_SIGN_H

#include <stddef.h>
#include <mbedtls/md.h>

#define TC3_HEX_LEN 64            /* lowercase hex of a SHA-256 digest */
#define TC3_MAX_ID_LEN 128        /* secret ids longer than this are rejected */
#define TC3_MAX_SERVICE_LEN 32    /* service names longer than this are rejected */
#define TC3_AUTH_MAX 512          /* enough for the Authorization value */
#define TC3_KEY_LEN 32            /* HMAC-SHA256 output = derived key size */
#define TC3_CANON_PREFIX_MAX 512  /* longest constant part of a canonical request
                                     whose digest state is cached */

typedef struct tc3_signer {
    /* All fields are private.  A zero-initialised struct is safe to pass to
     * tc3_signer_free(). */
    char secret_id[TC3_MAX_ID_LEN + 1];       /* NUL-terminated copy */
    size_t secret_id_len;
    unsigned char *key;                       /* malloc'd "TC3" + secret key */
    size_t key_len;                           /* bytes in key, including "TC3" */
    char service[TC3_MAX_SERVICE_LEN + 1];    /* e.g. "vod" */
    size_t service_len;
    char cached_date[11];                     /* "YYYY-MM-DD" of k_signing, "" = none */
    unsigned char k_signing[TC3_KEY_LEN];     /* derived key for cached_date */
    mbedtls_md_context_t sha;                 /* SHA-256, set up once in init */
    mbedtls_md_context_t hmac;                /* HMAC-SHA256, set up once in init */
    mbedtls_md_context_t pad_in;              /* SHA-256 having absorbed kSigning^ipad */
    mbedtls_md_context_t pad_out;             /* SHA-256 having absorbed kSigning^opad:
                                                 the signature's HMAC clones these two
                                                 instead of hashing the pads each time */
    mbedtls_md_context_t canon;               /* SHA-256 having absorbed canon_text: the
                                                 canonical request up to HashedPayload,
                                                 the same for every call of a client */
    char canon_text[TC3_CANON_PREFIX_MAX];
    size_t canon_len;                         /* 0: nothing cached */
    int canon_absorbs;                        /* times canon_text was (re)absorbed
                                                 (readable by tests of the cache) */
    int md_inited;                            /* 1 once mbedtls_md_init() ran on all */
    int derivations;                          /* number of kSigning derivations
                                                 (readable by tests of the cache) */
} tc3_signer;

/*
 * Sets up a signer.  `s` must be zeroed by the caller before the first init
 * (memset 0), so that a tc3_signer_free() before or after a failed init is
 * safe; init itself starts by zeroing the struct, so do not init a signer
 * that is already initialised (free it first, or its allocations leak).
 *
 * Copies the strings: id_len bytes of secret_id, key_len bytes of secret_key
 * (any bytes, NUL included) and the NUL-terminated service name.
 *
 * Returns 0, or -1 (the struct is then safe to free and holds no secret) if:
 * out of memory, mbedTLS digest setup failed, secret_id is NULL/empty or
 * longer than TC3_MAX_ID_LEN, secret_key is NULL/empty, service is NULL/empty
 * or longer than TC3_MAX_SERVICE_LEN, or secret_id/service contain a byte
 * outside printable ASCII 0x21..0x7e or a '/' or ',' (they are copied into
 * the Authorization header, where such bytes would break or inject into it).
 */
int  tc3_signer_init(tc3_signer *s, const char *secret_id, size_t id_len,
                     const char *secret_key, size_t key_len, const char *service);

/*
 * Wipes the key copy (before freeing it) and the cached derived key with
 * mbedtls_platform_zeroize, frees the digest contexts (mbedTLS wipes their
 * key pads), and leaves the struct zeroed.  Safe on a zeroed or
 * half-initialised struct, safe to call twice, and NULL is ignored.
 */
void tc3_signer_free(tc3_signer *s);

typedef struct tc3_request {
    const char *method;        /* "POST" (or "GET" for vector A); signed as given */
    const char *query;         /* canonical query string, "" for POST; NULL = "" */
    const char *content_type;  /* value signed as content-type */
    const char *host;          /* host name WITHOUT port */
    const char *action;        /* if non-NULL, also sign x-tc-action with this value
                                  LOWERCASED (ASCII); NULL = sign only
                                  content-type;host (the default the client uses) */
    const unsigned char *payload; size_t payload_len;  /* exact body bytes; payload
                                  may be NULL when payload_len is 0 */
    long long timestamp;       /* UNIX seconds, >= 0 */
} tc3_request;

typedef struct tc3_result {
    char date[11];                              /* UTC YYYY-MM-DD of timestamp */
    char hashed_payload[TC3_HEX_LEN + 1];
    char hashed_canonical_request[TC3_HEX_LEN + 1];
    char signature[TC3_HEX_LEN + 1];
    char authorization[TC3_AUTH_MAX];           /* full Authorization header value */
    size_t authorization_len;                   /* strlen(authorization) */
} tc3_result;

/*
 * Computes everything into *out.  Header values (content_type, host, action)
 * are trimmed of leading and trailing spaces and tabs before signing; the
 * caller should send the same trimmed values.  kSigning is re-derived only
 * when the UTC date of the timestamp differs from the cached one.  Never
 * allocates and does no I/O.
 *
 * Returns 0, or -1 with *out zeroed when: an mbedTLS call failed, the signer
 * is not initialised, a required field (method, content_type, host) is NULL
 * or empty after trimming, action is non-NULL but empty after trimming,
 * payload is NULL with payload_len > 0, the timestamp is negative or past
 * year 9999, method has a byte outside printable ASCII 0x21..0x7e, or query
 * or a header value contains a control byte (< 0x20 other than tab in header
 * values, or 0x7f): such bytes would forge lines of the canonical request or
 * of the HTTP request.  A failed call leaves the signer usable.
 */
int tc3_sign(tc3_signer *s, const tc3_request *req, tc3_result *out);

#endif /* TC3_SIGN_H */
