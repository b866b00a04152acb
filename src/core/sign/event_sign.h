/* The signature of a pushed event notification: with a SignKey set on the
 * application (ModifyEventConfig,
 * https://www.tencentcloud.com/document/api/266/57589), each message carries
 * `T` (its expiry, UNIX seconds) and `Sign` = lowercase hex MD5(SignKey + T's
 * decimal text). MD5 from mbedTLS; the comparison takes the same time
 * whatever the bytes; the key is never copied, and what was derived from it
 * is wiped. No Lua here. */
#ifndef VOD_EVENT_SIGN_H
#define VOD_EVENT_SIGN_H

#include <stddef.h>

#define VOD_EVENT_SIGN_LEN 32   /* hex digits of an MD5 */
#define VOD_EVENT_T_DIGITS 18   /* T's text: 1 to 18 digits (any date in the next 30 billion years) */

typedef enum vod_esign {
    VOD_ESIGN_OK = 0,
    VOD_ESIGN_BAD_SIGN,     /* Sign is not 32 hexadecimal digits */
    VOD_ESIGN_BAD_T,        /* T is not 1 to 18 decimal digits */
    VOD_ESIGN_MISMATCH,     /* Sign is not MD5(key + T) */
    VOD_ESIGN_EXPIRED,      /* right, but `now` is past T */
    VOD_ESIGN_INTERNAL      /* MD5 unavailable in this mbedTLS */
} vod_esign;

/* T's text -> *out; 0, or -1 unless it is 1 to VOD_EVENT_T_DIGITS digits. */
int vod_event_t_parse(const char *t, size_t len, long long *out);

/* Writes the lowercase hex MD5(key + t) and a NUL into out; 0, or -1 when
 * MD5 is unavailable (out is then all zero). */
int vod_event_sign(const char *key, size_t key_len, const char *t, size_t t_len,
                   char out[VOD_EVENT_SIGN_LEN + 1]);

/* The verdict on a message's Sign and T (as text) for key at time `now`
 * (UNIX seconds): the Sign is checked before the expiry, so a wrong
 * signature is never reported as merely expired. Hex digits of either case
 * are accepted in sign. */
vod_esign vod_event_sign_check(const char *sign, size_t sign_len, const char *t, size_t t_len,
                               const char *key, size_t key_len, double now);

/* A sentence for a verdict ("Sign does not match ..."); never names the key. */
const char *vod_event_sign_reason(vod_esign v);

#endif
