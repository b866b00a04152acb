/*
 * test_md5_mb.c - unit tests for src/core/digest/md5_mb.c (multi-buffer MD5,
 * with its AVX-512 and AVX2 implementations). Prints "N passed, N failed".
 *
 * Every implementation this CPU can run is checked, whatever VOD_MD5_MB
 * says (under valgrind, whose CPUID hides AVX-512, that is AVX2 alone):
 *   - RFC 1321's constants: T[i] = floor(2^32 * |sin(i)|) (section 3.4) and
 *     the order of the message words in each round, from the step list;
 *   - RFC 1321, appendix A.5 ("test suite"): its seven messages, each in
 *     every lane in turn, the other lanes holding random bytes of the same
 *     length (so a lane is shown not to depend on its neighbours);
 *   - random bytes against OpenSSL's MD5 (EVP): every lane count from 1 to
 *     the implementation's width, lengths 0, 64, 128, around the padding's
 *     edges (55, 56, 63, 119, 120 bytes), 1 and 2 MiB (an upload's parts are
 *     whole MiB) and 1 MiB with a tail, fed in strides of 64 bytes, 4 KiB,
 *     64 KiB, growing odd multiples of 64, or all at once, from addresses
 *     of every alignment;
 *   - the refusals (lane counts out of range, a length not a multiple of 64,
 *     a NULL pointer, a context not initialised or already finalised).
 * With VOD_MD5_MB=off in the environment (ctest's md5_mb_off), best() must
 * say none; the implementations are then checked with the RFC's suite only.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "md5_mb.h"
#include "md5_mb_impl.h"

#include "check.h"

#define MIB (1024u * 1024u)
#define SPAN (2 * MIB + 4096)      /* a lane's room in the pool */

static unsigned char *pool;
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void openssl_md5(const void *p, size_t n, unsigned char out[VOD_MD5_LEN])
{
    unsigned len = 0;
    if (EVP_Digest(p, n, out, &len, EVP_md5(), NULL) != 1 || len != VOD_MD5_LEN) {
        printf("OpenSSL's MD5 failed\n");
        exit(1);
    }
}

/* Lane i's bytes: its own stretch of the pool, at an address of its own
 * alignment (i mod 64, shifted by the case). */
static const unsigned char *lane_data(unsigned i, unsigned shift)
{
    return pool + (size_t)i * SPAN + (i * 7 + shift) % 64;
}

/* ---- RFC 1321's constants ------------------------------------------------------ */

static uint32_t t_of[64];
static int k_of[64], s_of[64], n_steps;
#define COLLECT(a, b, c, d, k, s, i, t) \
    t_of[n_steps] = t; k_of[n_steps] = k; s_of[n_steps] = s; n_steps++;

static void constants(void)
{
    int t_ok = 1, k_ok = 1, s_ok = 1;
    static const int shifts[4][4] = { {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21} };
    n_steps = 0;
    VOD_MD5_ROUND1(COLLECT, a, b, c, d)
    VOD_MD5_ROUND2(COLLECT, a, b, c, d)
    VOD_MD5_ROUND3(COLLECT, a, b, c, d)
    VOD_MD5_ROUND4(COLLECT, a, b, c, d)
    CHECK(n_steps == 64, "64 steps");
    for (int i = 0; i < 64; i++) {
        int r = i / 16, j = i % 16;
        /* section 3.4: X[j], X[(1 + 5j) mod 16], X[(5 + 3j) mod 16], X[7j mod 16] */
        int k = r == 0 ? j : r == 1 ? (1 + 5 * j) % 16 : r == 2 ? (5 + 3 * j) % 16 : (7 * j) % 16;
        if (t_of[i] != (uint32_t)floor(fabs(sin((double)(i + 1))) * 4294967296.0)) {
            printf("     T[%d] = %08x\n", i + 1, t_of[i]);
            t_ok = 0;
        }
        if (k_of[i] != k)
            k_ok = 0;
        if (s_of[i] != shifts[r][i % 4])
            s_ok = 0;
    }
    CHECK(t_ok, "T[i] = floor(2^32 * |sin(i)|) for the 64 steps (RFC 1321 section 3.4)");
    CHECK(k_ok, "each round takes the message words in the RFC's order");
    CHECK(s_ok, "each step rotates by the RFC's amount");
}

/* ---- hashing in lanes ------------------------------------------------------------ */

/* The lanes' digests of len bytes at ptr[i], fed `stride` bytes at a time
 * (0: all at once; 1: growing odd multiples of 64). 0, or -1 when a call
 * refused. */
static int hash_lanes(int impl, unsigned lanes, const unsigned char *const ptr[], size_t len,
                      size_t stride, unsigned char out[][VOD_MD5_LEN])
{
    vod_md5_mb m;
    const void *p[VOD_MD5_MB_MAX_LANES], *tail[VOD_MD5_MB_MAX_LANES];
    size_t whole = len / 64 * 64, off = 0, k = 64;
    if (vod_md5_mb_init(&m, impl, lanes) != 0)
        return -1;
    while (off < whole) {
        size_t n = stride == 0 ? whole : stride == 1 ? k : stride;
        if (n > whole - off)
            n = whole - off;
        for (unsigned i = 0; i < lanes; i++)
            p[i] = ptr[i] + off;
        if (vod_md5_mb_update(&m, p, n) != 0)
            return -1;
        off += n;
        k = k * 3 + 64;
    }
    for (unsigned i = 0; i < lanes; i++)
        tail[i] = ptr[i] + whole;
    return vod_md5_mb_final(&m, tail, len - whole, out);
}

static const struct {
    const char *msg, *hex;
} rfc1321[] = {
    {"", "d41d8cd98f00b204e9800998ecf8427e"},
    {"a", "0cc175b9c0f1b6a831c399e269772661"},
    {"abc", "900150983cd24fb0d6963f7d28e17f72"},
    {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
    {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
    {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
     "d174ab98d277d9f5a5611c2c9f419d9f"},
    {"1234567890123456789012345678901234567890123456789012345678901234567890123456789"
     "0", "57edf4a22be3c955ac49da2e2107b67a"},
};

static void hex(const unsigned char d[VOD_MD5_LEN], char out[33])
{
    for (int i = 0; i < VOD_MD5_LEN; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

static void rfc_suite(int impl)
{
    unsigned w = vod_md5_mb_width(impl);
    int ok = 1;
    char what[120];
    for (size_t v = 0; v < sizeof rfc1321 / sizeof rfc1321[0]; v++) {
        size_t len = strlen(rfc1321[v].msg);
        for (unsigned at = 0; at < w; at++) {
            const unsigned char *ptr[VOD_MD5_MB_MAX_LANES];
            unsigned char out[VOD_MD5_MB_MAX_LANES][VOD_MD5_LEN], want[VOD_MD5_LEN];
            char got[33];
            for (unsigned i = 0; i < w; i++)
                ptr[i] = i == at ? (const unsigned char *)rfc1321[v].msg : lane_data(i, (unsigned)v);
            if (hash_lanes(impl, w, ptr, len, 0, out) != 0) {
                ok = 0;
                continue;
            }
            hex(out[at], got);
            if (strcmp(got, rfc1321[v].hex) != 0) {
                printf("     %s lane %u: MD5(\"%s\") = %s\n", vod_md5_mb_name(impl), at, rfc1321[v].msg, got);
                ok = 0;
            }
            for (unsigned i = 0; i < w; i++) {
                if (i == at)
                    continue;
                openssl_md5(ptr[i], len, want);
                if (memcmp(out[i], want, VOD_MD5_LEN) != 0)
                    ok = 0;
            }
        }
    }
    snprintf(what, sizeof what, "%s: RFC 1321's test suite through each of its %u lanes, the others "
             "random", vod_md5_mb_name(impl), w);
    CHECK(ok, what);
}

static void random_lanes(int impl)
{
    static const size_t lengths[] = { 0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, MIB,
                                      MIB + 64 * 3 + 57, 2 * MIB };
    static const size_t strides[] = { 0, 64, 4096, 65536, 1 };
    unsigned w = vod_md5_mb_width(impl);
    char what[160];
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
        size_t len = lengths[li];
        int ok = 1, runs = 0;
        unsigned char want[VOD_MD5_MB_MAX_LANES][VOD_MD5_LEN];
        const unsigned char *ptr[VOD_MD5_MB_MAX_LANES];
        for (unsigned i = 0; i < w; i++) {
            ptr[i] = lane_data(i, (unsigned)li);
            openssl_md5(ptr[i], len, want[i]);
        }
        for (unsigned lanes = 1; lanes <= w; lanes++) {
            /* the long ones: every lane count in one stride, chosen in turn;
             * the short ones: every stride too */
            for (size_t si = 0; si < sizeof strides / sizeof strides[0]; si++) {
                unsigned char out[VOD_MD5_MB_MAX_LANES][VOD_MD5_LEN];
                if (len >= MIB && si != (lanes + li) % (sizeof strides / sizeof strides[0]))
                    continue;
                runs++;
                if (hash_lanes(impl, lanes, ptr, len, strides[si], out) != 0) {
                    printf("     %s refused %u lanes of %zu bytes\n", vod_md5_mb_name(impl), lanes, len);
                    ok = 0;
                    continue;
                }
                for (unsigned i = 0; i < lanes; i++)
                    if (memcmp(out[i], want[i], VOD_MD5_LEN) != 0) {
                        printf("     %s, %u lanes of %zu bytes by %zu: lane %u differs\n",
                               vod_md5_mb_name(impl), lanes, len, strides[si], i);
                        ok = 0;
                    }
            }
        }
        snprintf(what, sizeof what, "%s: %zu random bytes a lane, 1 to %u lanes, as OpenSSL's MD5 "
                 "(%d runs)", vod_md5_mb_name(impl), len, w, runs);
        CHECK(ok, what);
    }
}

/* The padding's edge and a long message where each lane's bytes differ only
 * in its last byte: a lane that read its neighbour's tail would show. */
static void tails_differ(int impl)
{
    unsigned w = vod_md5_mb_width(impl);
    int ok = 1;
    static unsigned char buf[VOD_MD5_MB_MAX_LANES][200];
    for (size_t len = 1; len <= 200; len++) {
        const unsigned char *ptr[VOD_MD5_MB_MAX_LANES];
        unsigned char out[VOD_MD5_MB_MAX_LANES][VOD_MD5_LEN], want[VOD_MD5_LEN];
        for (unsigned i = 0; i < w; i++) {
            memset(buf[i], 'x', len);
            buf[i][len - 1] = (unsigned char)i;
            ptr[i] = buf[i];
        }
        if (hash_lanes(impl, w, ptr, len, 64, out) != 0)
            ok = 0;
        for (unsigned i = 0; i < w && ok; i++) {
            openssl_md5(ptr[i], len, want);
            if (memcmp(out[i], want, VOD_MD5_LEN) != 0)
                ok = 0;
        }
    }
    {
        char what[120];
        snprintf(what, sizeof what, "%s: %u lanes differing in their last byte only, 1 to 200 bytes",
                 vod_md5_mb_name(impl), w);
        CHECK(ok, what);
    }
}

static void refusals(int impl)
{
    vod_md5_mb m;
    unsigned w = vod_md5_mb_width(impl);
    const void *p[VOD_MD5_MB_MAX_LANES] = { pool, pool };
    unsigned char out[VOD_MD5_MB_MAX_LANES][VOD_MD5_LEN];
    CHECK(vod_md5_mb_init(&m, impl, 0) == -1 && vod_md5_mb_init(&m, impl, w + 1) == -1,
          "init refuses 0 lanes and more than the width");
    CHECK(vod_md5_mb_init(&m, impl, 2) == 0 && vod_md5_mb_update(&m, p, 63) == -1 &&
          vod_md5_mb_update(&m, p, 100) == -1 && m.len == 0, "update refuses a length not a multiple of 64");
    p[1] = NULL;
    CHECK(vod_md5_mb_update(&m, p, 64) == -1 && vod_md5_mb_update(&m, NULL, 64) == -1 &&
          vod_md5_mb_update(&m, p, 0) == 0, "update refuses NULL pointers, unless the length is 0");
    memset(out, 0xaa, sizeof out);
    CHECK(vod_md5_mb_final(&m, NULL, 3, out) == -1 && out[0][0] == 0 && out[1][15] == 0,
          "final refuses a tail of NULL, and zeroes the digests");
    CHECK(vod_md5_mb_init(&m, impl, 2) == 0 && vod_md5_mb_final(&m, NULL, 0, out) == 0 &&
          vod_md5_mb_final(&m, NULL, 0, out) == -1 && vod_md5_mb_update(&m, p, 64) == -1,
          "a finalised context refuses until init");
}

int main(void)
{
    const char *env = getenv("VOD_MD5_MB");
    int impls[] = { VOD_MD5_MB_AVX512, VOD_MD5_MB_AVX2 }, any = 0;
    vod_md5_mb m;
    pool = malloc((size_t)VOD_MD5_MB_MAX_LANES * SPAN);
    if (pool == NULL)
        return 1;
    for (size_t i = 0; i < (size_t)VOD_MD5_MB_MAX_LANES * SPAN; i += 8) {
        uint64_t r = next_random();
        memcpy(pool + i, &r, 8);
    }
    constants();
    for (size_t n = 0; n < sizeof impls / sizeof impls[0]; n++) {
        if (!vod_md5_mb_have(impls[n])) {
            printf("     %s: not on this CPU (or not in this build): skipped\n", vod_md5_mb_name(impls[n]));
            continue;
        }
        any = 1;
        rfc_suite(impls[n]);
        if (env != NULL && strcmp(env, "off") == 0)
            continue;
        random_lanes(impls[n]);
        tails_differ(impls[n]);
        refusals(impls[n]);
    }
    printf("     best: %s\n", vod_md5_mb_name(vod_md5_mb_best()));
    if (env != NULL && strcmp(env, "off") == 0)
        CHECK(vod_md5_mb_best() == VOD_MD5_MB_NONE, "VOD_MD5_MB=off: no multi-buffer implementation");
    else if (env != NULL && strcmp(env, "avx2") == 0)
        CHECK(vod_md5_mb_best() == (vod_md5_mb_have(VOD_MD5_MB_AVX2) ? VOD_MD5_MB_AVX2 : VOD_MD5_MB_NONE),
              "VOD_MD5_MB=avx2: AVX2 when the CPU has it");
    else
        CHECK(any == (vod_md5_mb_best() != VOD_MD5_MB_NONE), "best() names an implementation when one runs here");
    memset(&m, 0, sizeof m);
    CHECK(vod_md5_mb_init(&m, VOD_MD5_MB_NONE, 1) == -1 && vod_md5_mb_update(&m, NULL, 0) == -1,
          "none: init refuses, a context never initialised refuses");
    CHECK(vod_md5_mb_width(VOD_MD5_MB_AVX512) == 32 && vod_md5_mb_width(VOD_MD5_MB_AVX2) == 16 &&
          vod_md5_mb_width(VOD_MD5_MB_NONE) == 0 && strcmp(vod_md5_mb_name(VOD_MD5_MB_NONE), "none") == 0,
          "widths and names");
    free(pool);
    return check_report();
}
