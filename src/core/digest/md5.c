/* md5.c - MD5 over OpenSSL's EVP interface, and its hex and base64 forms
 * (see md5.h for why OpenSSL rather than mbedTLS). */
#include "md5.h"

#include <string.h>

#include <openssl/evp.h>

int vod_md5_init(vod_md5 *m)
{
    if (m == NULL)
        return -1;
    if (m->ctx == NULL) {
        m->ctx = EVP_MD_CTX_new();
        if (m->ctx == NULL)
            return -1;
    }
    if (EVP_DigestInit_ex(m->ctx, EVP_md5(), NULL) != 1) {
        EVP_MD_CTX_free(m->ctx);
        m->ctx = NULL;
        return -1;
    }
    return 0;
}

int vod_md5_update(vod_md5 *m, const void *data, size_t n)
{
    if (m == NULL || m->ctx == NULL || (data == NULL && n != 0))
        return -1;
    if (n == 0)
        return 0;
    return EVP_DigestUpdate(m->ctx, data, n) == 1 ? 0 : -1;
}

int vod_md5_final(vod_md5 *m, unsigned char out[VOD_MD5_LEN])
{
    unsigned int len = 0;
    if (m != NULL && m->ctx != NULL && EVP_DigestFinal_ex(m->ctx, out, &len) == 1 &&
        len == VOD_MD5_LEN)
        return 0;
    memset(out, 0, VOD_MD5_LEN);
    return -1;
}

void vod_md5_free(vod_md5 *m)
{
    if (m == NULL)
        return;
    EVP_MD_CTX_free(m->ctx);        /* NULL is allowed */
    m->ctx = NULL;
}

int vod_md5_digest(const void *data, size_t n, unsigned char out[VOD_MD5_LEN])
{
    vod_md5 m = {0};
    int rc = -1;
    if (vod_md5_init(&m) == 0 && vod_md5_update(&m, data, n) == 0 && vod_md5_final(&m, out) == 0)
        rc = 0;
    else
        memset(out, 0, VOD_MD5_LEN);
    vod_md5_free(&m);
    return rc;
}

void vod_md5_hex(const unsigned char d[VOD_MD5_LEN], char out[VOD_MD5_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < VOD_MD5_LEN; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[VOD_MD5_HEX_LEN] = '\0';
}

/* RFC 4648 section 4 (the standard alphabet, '=' padding). */
void vod_md5_base64(const unsigned char d[VOD_MD5_LEN], char out[VOD_MD5_B64_LEN + 1])
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int o = 0;
    for (int i = 0; i < VOD_MD5_LEN; i += 3) {
        unsigned v = (unsigned)d[i] << 16;
        if (i + 1 < VOD_MD5_LEN)
            v |= (unsigned)d[i + 1] << 8;
        if (i + 2 < VOD_MD5_LEN)
            v |= d[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = i + 1 < VOD_MD5_LEN ? alphabet[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < VOD_MD5_LEN ? alphabet[v & 63] : '=';
    }
    out[o] = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int vod_md5_etag_matches(const char *etag, size_t len, const unsigned char d[VOD_MD5_LEN])
{
    if (etag == NULL)
        return 0;
    if (len >= 2 && etag[0] == '"' && etag[len - 1] == '"') {
        etag++;
        len -= 2;
    }
    if (len != VOD_MD5_HEX_LEN)
        return 0;
    for (int i = 0; i < VOD_MD5_LEN; i++) {
        int hi = hex_value(etag[2 * i]), lo = hex_value(etag[2 * i + 1]);
        if (hi < 0 || lo < 0 || (unsigned)(hi << 4 | lo) != d[i])
            return 0;
    }
    return 1;
}
