/* MD5 (RFC 1321) for COS uploads: the `Content-MD5` header of every PUT and
 * part (base64 of the digest, RFC 1864) and the check of the `ETag` COS
 * answers (the quoted lowercase hex digest).
 *
 * Backed by OpenSSL's libcrypto through EVP (linked already for libcurl's CA
 * store), not by mbedTLS: measured with bench/bench_digest.c on the project's
 * machine (AMD EPYC, x86-64, 8 MiB parts, OpenSSL 3.0.19, mbedTLS 2.28.3),
 * OpenSSL's MD5 (hand-written assembly) ran 810 to 850 MB/s and mbedTLS's C
 * 715 to 765 MB/s, about 10% less; MD5 is the dearest thing an upload
 * computes over every byte. OpenSSL 3.0 is a maintained LTS series, while
 * mbedTLS 2.28's LTS ended in 2024. The deprecated MD5_* functions are not
 * used. With OpenSSL in a FIPS-only configuration MD5 is unavailable:
 * vod_md5_init() then fails.
 *
 *     vod_md5 m = {0};
 *     if (vod_md5_init(&m) != 0) ...
 *     vod_md5_update(&m, p, n);          any number of times
 *     vod_md5_final(&m, digest);         then init again, or free
 *     vod_md5_free(&m);                  safe on a zeroed or freed struct
 *
 * No Lua. A context is used by one thread at a time. */
#ifndef VOD_MD5_H
#define VOD_MD5_H

#include <stddef.h>

#define VOD_MD5_LEN 16          /* bytes of a digest */
#define VOD_MD5_HEX_LEN 32      /* its lowercase hex */
#define VOD_MD5_B64_LEN 24      /* its base64, with the padding "==" */

struct evp_md_ctx_st;           /* OpenSSL's EVP_MD_CTX */

typedef struct vod_md5 {
    struct evp_md_ctx_st *ctx;  /* private; NULL when not set up */
} vod_md5;

/* Starts a digest (allocating the context on first use, reusing it after).
 * 0, or -1 when out of memory or MD5 is unavailable. */
int vod_md5_init(vod_md5 *m);
/* 0, or -1 (not initialised, or libcrypto failed). data may be NULL when n is 0. */
int vod_md5_update(vod_md5 *m, const void *data, size_t n);
/* Writes the digest; the context must be initialised again before reuse.
 * 0, or -1 (out is then zeroed). */
int vod_md5_final(vod_md5 *m, unsigned char out[VOD_MD5_LEN]);
void vod_md5_free(vod_md5 *m);

/* One-shot: 0 or -1. */
int vod_md5_digest(const void *data, size_t n, unsigned char out[VOD_MD5_LEN]);

/* Lowercase hex, NUL-terminated (the form inside COS's ETag). */
void vod_md5_hex(const unsigned char d[VOD_MD5_LEN], char out[VOD_MD5_HEX_LEN + 1]);
/* Base64 with padding, NUL-terminated (the value of Content-MD5). */
void vod_md5_base64(const unsigned char d[VOD_MD5_LEN], char out[VOD_MD5_B64_LEN + 1]);

/* 1 when an ETag as COS answers it ("\"<32 hex>\"", the quotes optional,
 * hex digits of either case) is the digest d; 0 otherwise (a multipart
 * object's ETag "<hex>-<parts>" is never an MD5 and gives 0). */
int vod_md5_etag_matches(const char *etag, size_t len, const unsigned char d[VOD_MD5_LEN]);

#endif
