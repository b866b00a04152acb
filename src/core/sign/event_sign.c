#include "event_sign.h"

#include <string.h>

#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

int vod_event_t_parse(const char *t, size_t len, long long *out)
{
    long long v = 0;
    if (t == NULL || len == 0 || len > VOD_EVENT_T_DIGITS)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (t[i] < '0' || t[i] > '9')
            return -1;
        v = v * 10 + (t[i] - '0');
    }
    *out = v;
    return 0;
}

int vod_event_sign(const char *key, size_t key_len, const char *t, size_t t_len,
                   char out[VOD_EVENT_SIGN_LEN + 1])
{
    static const char hex[] = "0123456789abcdef";
    const mbedtls_md_info_t *md5 = mbedtls_md_info_from_type(MBEDTLS_MD_MD5);
    mbedtls_md_context_t ctx;
    unsigned char digest[16];
    int rc = -1;
    memset(out, 0, VOD_EVENT_SIGN_LEN + 1);
    if (md5 == NULL)
        return -1;
    /* key and T go in one after the other: the key is never copied */
    mbedtls_md_init(&ctx);
    if (mbedtls_md_setup(&ctx, md5, 0) == 0 && mbedtls_md_starts(&ctx) == 0 &&
        mbedtls_md_update(&ctx, (const unsigned char *)key, key_len) == 0 &&
        mbedtls_md_update(&ctx, (const unsigned char *)t, t_len) == 0 &&
        mbedtls_md_finish(&ctx, digest) == 0) {
        for (size_t i = 0; i < sizeof digest; i++) {
            out[2 * i] = hex[digest[i] >> 4];
            out[2 * i + 1] = hex[digest[i] & 15];
        }
        rc = 0;
    }
    mbedtls_md_free(&ctx);          /* wipes the MD5 state, which held the key */
    mbedtls_platform_zeroize(digest, sizeof digest);
    return rc;
}

/* 0 when the 32 bytes are equal; the time taken does not depend on where
 * they differ. */
static unsigned char differs(const char *a, const char *b)
{
    unsigned char d = 0;
    for (size_t i = 0; i < VOD_EVENT_SIGN_LEN; i++)
        d |= (unsigned char)(a[i] ^ b[i]);
    return d;
}

vod_esign vod_event_sign_check(const char *sign, size_t sign_len, const char *t, size_t t_len,
                               const char *key, size_t key_len, double now)
{
    char given[VOD_EVENT_SIGN_LEN], expected[VOD_EVENT_SIGN_LEN + 1];
    long long expiry;
    unsigned char d;
    if (sign == NULL || sign_len != VOD_EVENT_SIGN_LEN)
        return VOD_ESIGN_BAD_SIGN;
    for (size_t i = 0; i < VOD_EVENT_SIGN_LEN; i++) {
        char ch = sign[i];
        if (ch >= 'A' && ch <= 'F')
            ch = (char)(ch - 'A' + 'a');
        else if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return VOD_ESIGN_BAD_SIGN;
        given[i] = ch;
    }
    if (vod_event_t_parse(t, t_len, &expiry) != 0)
        return VOD_ESIGN_BAD_T;
    if (vod_event_sign(key, key_len, t, t_len, expected) != 0)
        return VOD_ESIGN_INTERNAL;
    d = differs(given, expected);
    mbedtls_platform_zeroize(expected, sizeof expected);
    if (d != 0)
        return VOD_ESIGN_MISMATCH;
    /* a message past its T is refused (replays stop there) */
    if (now > (double)expiry)
        return VOD_ESIGN_EXPIRED;
    return VOD_ESIGN_OK;
}

const char *vod_event_sign_reason(vod_esign v)
{
    switch (v) {
    case VOD_ESIGN_OK: return "the signature is valid";
    case VOD_ESIGN_BAD_SIGN: return "Sign is not 32 hexadecimal digits";
    case VOD_ESIGN_BAD_T: return "T is not a non-negative integer of at most 18 digits";
    case VOD_ESIGN_MISMATCH:
        return "Sign does not match MD5(SignKey + T): the message was not signed with this key, "
               "or was altered";
    case VOD_ESIGN_EXPIRED: return "the message has expired (the time is past its T)";
    default: return "MD5 is not available in this mbedTLS";
    }
}
