/* md5_mb.c - multi-buffer MD5 (see md5_mb.h): the choice of implementation,
 * the contexts, the padding.
 *
 * Why by hand. Every PUT and part an upload sends carries Content-MD5, so
 * MD5 runs over every byte, and one stream of it is bound by the length of
 * its chain of dependent steps: OpenSSL's assembly does about 0.65 to 0.85
 * GB/s on the project's machine, the dearest thing an upload computes. The
 * parts are independent, so SIMD lanes can hash several at once (what
 * Intel's ISA-L crypto library calls md5_mb), but no maintained library that
 * Debian packages offers that: OpenSSL exposes no multi-buffer MD5 (its
 * multi-block code is SHA-1/SHA-256 inside TLS ciphers, not an API), ISA-L
 * crypto is not packaged, and libipsec-mb (intel-ipsec-mb) has multi-buffer
 * HMAC-MD5 only. So the compression function is written here from RFC 1321
 * (section 3.4; its constants and step list are in md5_mb_impl.h), for
 * AVX-512F (md5_mb_avx512.c) and AVX2 (md5_mb_avx2.c); spec/c/test_md5_mb.c
 * checks every implementation and lane count against OpenSSL's MD5 and the
 * RFC's test suite.
 *
 * Measured with bench/bench_digest.c (thread CPU time, best of 7 rounds, in
 * MB/s of the lanes' bytes; GCC 12 -O2; AMD EPYC of family 26 (Zen 5), a
 * 2-core VM shared with other work, so the figures move by 10-20%):
 *
 *   OpenSSL 3.0 EVP MD5, one stream                      660 -  740
 *   AVX-512, 32 lanes (two groups), data in cache       8350 - 9900
 *   AVX-512, 32 lanes, data from memory                 6300 - 7600
 *   AVX-512, 16 lanes (one group)                       5000 - 5300
 *   AVX-512, 3 lanes of a group                          950 - 1030
 *   AVX2, 16 lanes (two groups), in cache               3700 - 4250
 *   AVX2, 16 lanes, from memory                         3500 - 3900
 *   AVX2, 8 lanes (one group)                           2000 - 2150
 *   AVX2, 3 lanes of a group                             770 -  790
 *
 * Two groups, not one: on this CPU a vector addition, rotation or ternary
 * logic takes 2 cycles, so a group's chain of steps (four dependent
 * instructions a step) leaves the vector units mostly idle; a second,
 * independent group almost doubles the rate. With 3 lanes a batch still beats
 * one stream, the smallest batch an upload hashes so (upload_ahead.h).
 *
 * The padding (RFC 1321 sections 3.1, 3.2) is built here in C for every lane
 * and goes through the same block function. */
#define _POSIX_C_SOURCE 200809L
#include "md5_mb.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "md5_mb_impl.h"

_Static_assert(VOD_MD5_MB_MAX_LANES == VOD_MD5_KERNEL_LANES, "md5_mb.h and md5_mb_impl.h disagree on the lanes");

static int best = VOD_MD5_MB_NONE;
static pthread_once_t best_once = PTHREAD_ONCE_INIT;

int vod_md5_mb_have(int impl)
{
#ifdef VOD_MD5_MB_X86
    __builtin_cpu_init();
    /* libgcc and compiler-rt report AVX2 and AVX-512F only when the OS also
     * saves the registers (XGETBV) */
    if (impl == VOD_MD5_MB_AVX512)
        return __builtin_cpu_supports("avx512f") ? 1 : 0;
    if (impl == VOD_MD5_MB_AVX2)
        return __builtin_cpu_supports("avx2") ? 1 : 0;
#else
    (void)impl;
#endif
    return 0;
}

static void choose(void)
{
    const char *want = getenv("VOD_MD5_MB");
    if (want != NULL && (strcmp(want, "off") == 0 || strcmp(want, "none") == 0 ||
                         strcmp(want, "0") == 0))
        best = VOD_MD5_MB_NONE;
    else if (want != NULL && strcmp(want, "avx2") == 0)
        best = vod_md5_mb_have(VOD_MD5_MB_AVX2) ? VOD_MD5_MB_AVX2 : VOD_MD5_MB_NONE;
    else if (vod_md5_mb_have(VOD_MD5_MB_AVX512))
        best = VOD_MD5_MB_AVX512;
    else if (vod_md5_mb_have(VOD_MD5_MB_AVX2))
        best = VOD_MD5_MB_AVX2;
}

int vod_md5_mb_best(void)
{
    pthread_once(&best_once, choose);
    return best;
}

unsigned vod_md5_mb_width(int impl)
{
    return impl == VOD_MD5_MB_AVX512 ? 32 : impl == VOD_MD5_MB_AVX2 ? 16 : 0;
}

const char *vod_md5_mb_name(int impl)
{
    return impl == VOD_MD5_MB_AVX512 ? "avx512" : impl == VOD_MD5_MB_AVX2 ? "avx2" : "none";
}

/* impl's function for `lanes` lanes: one group when they fit in one */
static vod_md5_mb_blocks_fn *blocks_of(int impl, unsigned lanes)
{
#ifdef VOD_MD5_MB_X86
    if (impl == VOD_MD5_MB_AVX512)
        return lanes <= 16 ? vod_md5_mb_blocks_avx512 : vod_md5_mb_blocks_avx512x2;
    if (impl == VOD_MD5_MB_AVX2)
        return lanes <= 8 ? vod_md5_mb_blocks_avx2 : vod_md5_mb_blocks_avx2x2;
#else
    (void)impl;
    (void)lanes;
#endif
    return NULL;
}

static int usable(const vod_md5_mb *m)
{
    return m != NULL && blocks_of(m->impl, m->lanes) != NULL && m->lanes >= 1 &&
           m->lanes <= vod_md5_mb_width(m->impl);
}

int vod_md5_mb_init(vod_md5_mb *m, int impl, unsigned lanes)
{
    if (m == NULL)
        return -1;
    memset(m, 0, sizeof *m);
    if (blocks_of(impl, lanes) == NULL || !vod_md5_mb_have(impl) || lanes < 1 ||
        lanes > vod_md5_mb_width(impl))
        return -1;
    m->impl = impl;
    m->lanes = lanes;
    for (unsigned i = 0; i < VOD_MD5_MB_MAX_LANES; i++) {
        m->h[0][i] = VOD_MD5_A0;
        m->h[1][i] = VOD_MD5_B0;
        m->h[2][i] = VOD_MD5_C0;
        m->h[3][i] = VOD_MD5_D0;
    }
    return 0;
}

/* The lanes' pointers for the block function: the lanes not in use read
 * lane 0's bytes (their results are never looked at). */
static int lane_ptrs(const vod_md5_mb *m, const void *const data[],
                     const unsigned char *p[VOD_MD5_MB_MAX_LANES])
{
    if (data == NULL)
        return -1;
    for (unsigned i = 0; i < VOD_MD5_MB_MAX_LANES; i++) {
        p[i] = i < m->lanes ? data[i] : data[0];
        if (p[i] == NULL)
            return -1;
    }
    return 0;
}

int vod_md5_mb_update(vod_md5_mb *m, const void *const data[], size_t n)
{
    const unsigned char *p[VOD_MD5_MB_MAX_LANES];
    if (!usable(m) || n % VOD_MD5_MB_BLOCK != 0)
        return -1;
    if (n == 0)
        return 0;
    if (lane_ptrs(m, data, p) != 0)
        return -1;
    blocks_of(m->impl, m->lanes)(m->h, p, n / VOD_MD5_MB_BLOCK);
    m->len += n;
    return 0;
}

int vod_md5_mb_final(vod_md5_mb *m, const void *const tail[], size_t tail_len,
                     unsigned char out[][VOD_MD5_LEN])
{
    /* each lane's tail, 0x80, zeros, and the length in bits (64 bits, low
     * byte first): one block, or two when the tail leaves no room for 9 bytes */
    unsigned char pad[VOD_MD5_MB_MAX_LANES][2 * VOD_MD5_MB_BLOCK];
    const unsigned char *p[VOD_MD5_MB_MAX_LANES];
    size_t nblocks = tail_len < VOD_MD5_MB_BLOCK - 8 ? 1 : 2, end = nblocks * VOD_MD5_MB_BLOCK;
    unsigned lanes = m != NULL ? m->lanes : 0;
    uint64_t bits;
    if (!usable(m) || tail_len >= VOD_MD5_MB_BLOCK || (tail_len > 0 && tail == NULL))
        goto fail;
    bits = (m->len + tail_len) * 8;
    for (unsigned i = 0; i < VOD_MD5_MB_MAX_LANES; i++) {
        p[i] = pad[i < lanes ? i : 0];
        if (i >= lanes)
            continue;
        if (tail_len > 0) {
            if (tail[i] == NULL)
                goto fail;
            memcpy(pad[i], tail[i], tail_len);
        }
        pad[i][tail_len] = 0x80;
        memset(pad[i] + tail_len + 1, 0, end - 8 - tail_len - 1);
        for (int b = 0; b < 8; b++)
            pad[i][end - 8 + b] = (unsigned char)(bits >> (8 * b));
    }
    blocks_of(m->impl, m->lanes)(m->h, p, nblocks);
    for (unsigned i = 0; i < lanes; i++)
        for (int w = 0; w < 4; w++)
            for (int b = 0; b < 4; b++)
                out[i][4 * w + b] = (unsigned char)(m->h[w][i] >> (8 * b));
    m->impl = VOD_MD5_MB_NONE;          /* init before reuse */
    return 0;
fail:
    for (unsigned i = 0; i < lanes && i < VOD_MD5_MB_MAX_LANES; i++)
        memset(out[i], 0, VOD_MD5_LEN);
    return -1;
}
