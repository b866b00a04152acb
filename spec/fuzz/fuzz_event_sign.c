/* libFuzzer harness for the pushed events' signature check
 * (src/core/sign/event_sign.h): vod_event_sign, vod_event_sign_check and
 * vod_event_t_parse on any bytes.
 *
 * Input layout (short inputs leave the later fields empty):
 *   byte 0      flags (below)
 *   then fields separated by a NUL byte: key, T, Sign (the rest, NULs included)
 * Flags:
 *   0x01 Sign = the right signature of key + T (computed here)
 *   0x02 that signature in upper case
 *   0x04 now = 0 (else now = 1700000000.5)
 *   0x08 now = 1e18 (overrides 0x04)
 *   0x10 one hex digit of the right signature changed (with 0x01)
 *
 * Must never crash. Every verdict is checked against a plain computation
 * written here: MD5 of the concatenated bytes through mbedtls_md5_ret (not
 * the streaming API the code uses), its own hex, its own T parser. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/md5.h>

#include "event_sign.h"

static void die(const char *what)
{
    fprintf(stderr, "fuzz_event_sign: %s\n", what);
    abort();
}

static int ref_t(const char *t, size_t n, long long *out)
{
    long long v = 0;
    if (n < 1 || n > 18)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (t[i] < '0' || t[i] > '9')
            return -1;
        v = v * 10 + (t[i] - '0');
    }
    *out = v;
    return 0;
}

static void ref_sign(const char *key, size_t kn, const char *t, size_t tn, char out[33])
{
    unsigned char digest[16];
    unsigned char *buf = malloc(kn + tn + 1);
    if (buf == NULL)
        die("out of memory");
    memcpy(buf, key, kn);
    memcpy(buf + kn, t, tn);
    if (mbedtls_md5_ret(buf, kn + tn, digest) != 0)
        die("mbedtls_md5_ret failed");
    free(buf);
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", digest[i]);
}

static int hexdigit(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data + (size ? 1 : 0), *end = (const char *)data + size;
    const char *field[3] = { "", "", "" };
    size_t len[3] = { 0, 0, 0 };
    unsigned flags = size ? data[0] : 0;
    char right[33], got[33], sign[64];
    const char *s;
    size_t sn;
    double now = (flags & 0x08) ? 1e18 : (flags & 0x04) ? 0 : 1700000000.5;
    long long tv = 0;
    int t_ok;
    vod_esign v, want;

    for (int i = 0; i < 3 && p <= end; i++) {
        const char *z = i < 2 ? memchr(p, 0, (size_t)(end - p)) : NULL;
        field[i] = p;
        len[i] = z ? (size_t)(z - p) : (size_t)(end - p);
        p += len[i] + 1;
        if (!z)
            break;
    }
    ref_sign(field[0], len[0], field[1], len[1], right);
    if (vod_event_sign(field[0], len[0], field[1], len[1], got) != 0)
        die("vod_event_sign failed");
    if (memcmp(got, right, 33) != 0)
        die("vod_event_sign differs from the reference");

    s = field[2];
    sn = len[2];
    if (flags & 0x01) {
        memcpy(sign, right, 33);
        if (flags & 0x02)
            for (int i = 0; i < 32; i++)
                if (sign[i] >= 'a' && sign[i] <= 'f')
                    sign[i] = (char)(sign[i] - 'a' + 'A');
        if (flags & 0x10)
            sign[size % 32] = sign[size % 32] == '0' ? '1' : '0';
        s = sign;
        sn = 32;
    }

    t_ok = ref_t(field[1], len[1], &tv) == 0;
    if (sn != 32) {
        want = VOD_ESIGN_BAD_SIGN;
    } else {
        int hex = 1, same = 1;
        for (size_t i = 0; i < 32; i++) {
            char c = s[i];
            hex &= hexdigit(c);
            if (c >= 'A' && c <= 'F')
                c = (char)(c - 'A' + 'a');
            same &= c == right[i];
        }
        want = !hex ? VOD_ESIGN_BAD_SIGN
               : !t_ok ? VOD_ESIGN_BAD_T
               : !same ? VOD_ESIGN_MISMATCH
               : now > (double)tv ? VOD_ESIGN_EXPIRED : VOD_ESIGN_OK;
    }
    v = vod_event_sign_check(s, sn, field[1], len[1], field[0], len[0], now);
    if (v != want) {
        fprintf(stderr, "verdict %d, expected %d\n", (int)v, (int)want);
        die("wrong verdict");
    }
    {
        long long x = -1;
        int r = vod_event_t_parse(field[1], len[1], &x);
        if ((r == 0) != t_ok || (t_ok && x != tv))
            die("vod_event_t_parse differs from the reference");
    }
    if (vod_event_sign_reason(v) == NULL)
        die("no reason");
    return 0;
}
