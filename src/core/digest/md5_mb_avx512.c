/* md5_mb_avx512.c - MD5's compression function (RFC 1321 section 3.4) on 16
 * lanes at once, one message a 32-bit lane of the zmm registers (AVX-512F).
 * Compiled for AVX-512F with the target attribute, this function alone: the
 * rest of the build stays generic x86-64, and md5_mb.c calls it only when
 * the CPU has AVX-512F (and the OS saves the zmm state).
 *
 * Each step is a = b + ((a + f(b, c, d) + X[k] + T[i]) <<< s). AVX-512F makes
 * it short: f is one VPTERNLOGD (any function of three inputs, given by its
 * truth table as an 8-bit immediate: the byte f(0xf0, 0xcc, 0xaa), Intel's
 * SDM, "VPTERNLOGD"), and the rotation one VPROLD. The 16 lanes' blocks are
 * loaded one lane a register and transposed (16 x 16 words) so that each
 * register holds one word X[k] of all the lanes. */
#include "md5_mb_impl.h"

#ifdef VOD_MD5_MB_X86

#include <immintrin.h>

#define T512 __attribute__((target("avx512f")))

/* The round functions' truth tables (b, c, d as VPTERNLOGD's A, B, C):
 * F = (b & c) | (~b & d), G = (b & d) | (c & ~d), H = b ^ c ^ d,
 * I = c ^ (b | ~d) (RFC 1321 section 3.4). */
#define TT_F 0xca
#define TT_G 0xe4
#define TT_H 0x96
#define TT_I 0x39

/* One step on each group: the groups' chains are independent, so their
 * instructions interleave and fill the pipeline (a step's chain is four
 * dependent instructions, one latency each). */
#define STEP(f, a, b, c, d, k, s, i) \
    _Pragma("GCC unroll 2") for (int g = 0; g < G; g++) { \
        a[g] = _mm512_add_epi32(a[g], _mm512_add_epi32(x[g][k], _mm512_set1_epi32((int)tk[(i) - 1]))); \
        a[g] = _mm512_add_epi32(a[g], _mm512_ternarylogic_epi32(b[g], c[g], d[g], f)); \
        a[g] = _mm512_add_epi32(_mm512_rol_epi32(a[g], s), b[g]); \
    }
#define SF(a, b, c, d, k, s, i, t) STEP(TT_F, a, b, c, d, k, s, i)
#define SG(a, b, c, d, k, s, i, t) STEP(TT_G, a, b, c, d, k, s, i)
#define SH(a, b, c, d, k, s, i, t) STEP(TT_H, a, b, c, d, k, s, i)
#define SI(a, b, c, d, k, s, i, t) STEP(TT_I, a, b, c, d, k, s, i)

/* r[j] holds lane j's words 0..15; afterwards r[k] holds word k of lanes
 * 0..15. Pairs of lanes' words interleaved, then pairs of pairs: each
 * 128-bit quarter q of t[4g + k] holds word 4q + k of lanes 4g..4g+3; the
 * quarters are then moved into place (a 4 x 4 transpose of 128-bit blocks). */
static inline T512 __attribute__((always_inline)) void transpose(__m512i r[16])
{
    __m512i t[16], v[4];
#pragma GCC unroll 4
    for (int g = 0; g < 4; g++) {
        __m512i a0 = _mm512_unpacklo_epi32(r[4 * g], r[4 * g + 1]);
        __m512i a1 = _mm512_unpackhi_epi32(r[4 * g], r[4 * g + 1]);
        __m512i a2 = _mm512_unpacklo_epi32(r[4 * g + 2], r[4 * g + 3]);
        __m512i a3 = _mm512_unpackhi_epi32(r[4 * g + 2], r[4 * g + 3]);
        t[4 * g] = _mm512_unpacklo_epi64(a0, a2);
        t[4 * g + 1] = _mm512_unpackhi_epi64(a0, a2);
        t[4 * g + 2] = _mm512_unpacklo_epi64(a1, a3);
        t[4 * g + 3] = _mm512_unpackhi_epi64(a1, a3);
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        /* quarters 0, 1 then 2, 3 of lanes 0-3 and 4-7, of 8-11 and 12-15 */
        v[0] = _mm512_shuffle_i32x4(t[k], t[4 + k], 0x44);
        v[1] = _mm512_shuffle_i32x4(t[k], t[4 + k], 0xee);
        v[2] = _mm512_shuffle_i32x4(t[8 + k], t[12 + k], 0x44);
        v[3] = _mm512_shuffle_i32x4(t[8 + k], t[12 + k], 0xee);
        r[k] = _mm512_shuffle_i32x4(v[0], v[2], 0x88);         /* quarter 0 of each */
        r[4 + k] = _mm512_shuffle_i32x4(v[0], v[2], 0xdd);     /* quarter 1 */
        r[8 + k] = _mm512_shuffle_i32x4(v[1], v[3], 0x88);     /* quarter 2 */
        r[12 + k] = _mm512_shuffle_i32x4(v[1], v[3], 0xdd);    /* quarter 3 */
    }
}

/* G groups of 16 lanes (1 or 2): lanes 16g..16g+15 in group g. */
static inline T512 __attribute__((always_inline)) void
blocks(uint32_t h[4][VOD_MD5_KERNEL_LANES], const unsigned char *const p[VOD_MD5_KERNEL_LANES],
       size_t nblocks, const int G)
{
    static const uint32_t T[64] = VOD_MD5_T_TABLE;
    const uint32_t *tk = T;
    __m512i a[2], b[2], c[2], d[2];
#pragma GCC unroll 2
    for (int g = 0; g < G; g++) {
        a[g] = _mm512_loadu_si512(h[0] + 16 * g);
        b[g] = _mm512_loadu_si512(h[1] + 16 * g);
        c[g] = _mm512_loadu_si512(h[2] + 16 * g);
        d[g] = _mm512_loadu_si512(h[3] + 16 * g);
    }
    for (size_t off = 0; off < nblocks * 64; off += 64) {
        __m512i x[2][16], a0[2], b0[2], c0[2], d0[2];
        VOD_MD5_MB_OPAQUE(tk);
#pragma GCC unroll 2
        for (int g = 0; g < G; g++) {
#pragma GCC unroll 16
            for (int j = 0; j < 16; j++)
                x[g][j] = _mm512_loadu_si512(p[16 * g + j] + off);
            transpose(x[g]);
            a0[g] = a[g];
            b0[g] = b[g];
            c0[g] = c[g];
            d0[g] = d[g];
        }
        VOD_MD5_ROUND1(SF, a, b, c, d)
        VOD_MD5_ROUND2(SG, a, b, c, d)
        VOD_MD5_ROUND3(SH, a, b, c, d)
        VOD_MD5_ROUND4(SI, a, b, c, d)
#pragma GCC unroll 2
        for (int g = 0; g < G; g++) {
            a[g] = _mm512_add_epi32(a[g], a0[g]);
            b[g] = _mm512_add_epi32(b[g], b0[g]);
            c[g] = _mm512_add_epi32(c[g], c0[g]);
            d[g] = _mm512_add_epi32(d[g], d0[g]);
        }
    }
#pragma GCC unroll 2
    for (int g = 0; g < G; g++) {
        _mm512_storeu_si512(h[0] + 16 * g, a[g]);
        _mm512_storeu_si512(h[1] + 16 * g, b[g]);
        _mm512_storeu_si512(h[2] + 16 * g, c[g]);
        _mm512_storeu_si512(h[3] + 16 * g, d[g]);
    }
}

T512 void vod_md5_mb_blocks_avx512(uint32_t h[4][VOD_MD5_KERNEL_LANES],
                                   const unsigned char *const p[VOD_MD5_KERNEL_LANES], size_t nblocks)
{
    blocks(h, p, nblocks, 1);
}

T512 void vod_md5_mb_blocks_avx512x2(uint32_t h[4][VOD_MD5_KERNEL_LANES],
                                     const unsigned char *const p[VOD_MD5_KERNEL_LANES], size_t nblocks)
{
    blocks(h, p, nblocks, 2);
}

#endif
