/* md5_mb_avx2.c - MD5's compression function (RFC 1321 section 3.4) on 8
 * lanes at once, one message a 32-bit lane of the ymm registers (AVX2).
 * Compiled for AVX2 with the target attribute, this function alone; md5_mb.c
 * calls it only when the CPU has AVX2 (and the OS saves the ymm state). It is
 * also the path that runs under valgrind, whose CPUID shows no AVX-512.
 *
 * AVX2 has no three-input logic and no rotation: f takes two or three
 * instructions and the rotation three (two shifts and an OR). G and F are
 * written so that the newest value (b) comes last:
 * G = (b & d) + (c & ~d) (the two terms have no bit in common, so + is |, and
 * c & ~d is added before b is known), F = d ^ (b & (c ^ d)). The 8 lanes'
 * blocks are loaded as two halves (words 0-7, 8-15) and each half transposed
 * (8 x 8 words) so that each register holds one word X[k] of all the lanes. */
#include "md5_mb_impl.h"

#ifdef VOD_MD5_MB_X86

#include <immintrin.h>

#define T256 __attribute__((target("avx2")))

#define ROTL(v, s) _mm256_or_si256(_mm256_slli_epi32(v, s), _mm256_srli_epi32(v, 32 - (s)))
#define XT(g, k, i) _mm256_add_epi32(x[g][k], _mm256_set1_epi32((int)tk[(i) - 1]))

/* One step on each group (their chains are independent: their instructions
 * interleave). */
#define EACH _Pragma("GCC unroll 2") for (int g = 0; g < G; g++)
#define SF(a, b, c, d, k, s, i, t) EACH { \
    a[g] = _mm256_add_epi32(a[g], XT(g, k, i)); \
    a[g] = _mm256_add_epi32(a[g], _mm256_xor_si256(d[g], _mm256_and_si256(b[g], _mm256_xor_si256(c[g], d[g])))); \
    a[g] = _mm256_add_epi32(ROTL(a[g], s), b[g]); }
#define SG(a, b, c, d, k, s, i, t) EACH { \
    a[g] = _mm256_add_epi32(a[g], _mm256_add_epi32(XT(g, k, i), _mm256_andnot_si256(d[g], c[g]))); \
    a[g] = _mm256_add_epi32(a[g], _mm256_and_si256(b[g], d[g])); \
    a[g] = _mm256_add_epi32(ROTL(a[g], s), b[g]); }
#define SH(a, b, c, d, k, s, i, t) EACH { \
    a[g] = _mm256_add_epi32(a[g], XT(g, k, i)); \
    a[g] = _mm256_add_epi32(a[g], _mm256_xor_si256(b[g], _mm256_xor_si256(c[g], d[g]))); \
    a[g] = _mm256_add_epi32(ROTL(a[g], s), b[g]); }
#define SI(a, b, c, d, k, s, i, t) EACH { \
    a[g] = _mm256_add_epi32(a[g], XT(g, k, i)); \
    a[g] = _mm256_add_epi32(a[g], _mm256_xor_si256(c[g], _mm256_or_si256(b[g], _mm256_xor_si256(d[g], ones)))); \
    a[g] = _mm256_add_epi32(ROTL(a[g], s), b[g]); }

/* r[j] holds 8 words of lane j; afterwards r[k] holds word k of lanes 0..7:
 * pairs of lanes' words interleaved, then pairs of pairs (each 128-bit half h
 * of t[4g + k] holds word 4h + k of lanes 4g..4g+3), then the halves moved
 * into place. */
static inline T256 __attribute__((always_inline)) void transpose(__m256i r[8])
{
    __m256i t[8];
#pragma GCC unroll 2
    for (int g = 0; g < 2; g++) {
        __m256i a0 = _mm256_unpacklo_epi32(r[4 * g], r[4 * g + 1]);
        __m256i a1 = _mm256_unpackhi_epi32(r[4 * g], r[4 * g + 1]);
        __m256i a2 = _mm256_unpacklo_epi32(r[4 * g + 2], r[4 * g + 3]);
        __m256i a3 = _mm256_unpackhi_epi32(r[4 * g + 2], r[4 * g + 3]);
        t[4 * g] = _mm256_unpacklo_epi64(a0, a2);
        t[4 * g + 1] = _mm256_unpackhi_epi64(a0, a2);
        t[4 * g + 2] = _mm256_unpacklo_epi64(a1, a3);
        t[4 * g + 3] = _mm256_unpackhi_epi64(a1, a3);
    }
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        r[k] = _mm256_permute2x128_si256(t[k], t[4 + k], 0x20);       /* the low halves */
        r[4 + k] = _mm256_permute2x128_si256(t[k], t[4 + k], 0x31);   /* the high halves */
    }
}

/* G groups of 8 lanes (1 or 2): lanes 8g..8g+7 in group g. */
static inline T256 __attribute__((always_inline)) void
blocks(uint32_t h[4][VOD_MD5_KERNEL_LANES], const unsigned char *const p[VOD_MD5_KERNEL_LANES],
       size_t nblocks, const int G)
{
    static const uint32_t T[64] = VOD_MD5_T_TABLE;
    const uint32_t *tk = T;
    const __m256i ones = _mm256_set1_epi32(-1);
    __m256i a[2], b[2], c[2], d[2];
    EACH {
        a[g] = _mm256_loadu_si256((const __m256i *)(h[0] + 8 * g));
        b[g] = _mm256_loadu_si256((const __m256i *)(h[1] + 8 * g));
        c[g] = _mm256_loadu_si256((const __m256i *)(h[2] + 8 * g));
        d[g] = _mm256_loadu_si256((const __m256i *)(h[3] + 8 * g));
    }
    for (size_t off = 0; off < nblocks * 64; off += 64) {
        __m256i x[2][16], a0[2], b0[2], c0[2], d0[2];
        VOD_MD5_MB_OPAQUE(tk);
        EACH {
#pragma GCC unroll 8
            for (int j = 0; j < 8; j++) {
                x[g][j] = _mm256_loadu_si256((const __m256i *)(p[8 * g + j] + off));
                x[g][8 + j] = _mm256_loadu_si256((const __m256i *)(p[8 * g + j] + off + 32));
            }
            transpose(x[g]);
            transpose(x[g] + 8);
            a0[g] = a[g];
            b0[g] = b[g];
            c0[g] = c[g];
            d0[g] = d[g];
        }
        VOD_MD5_ROUND1(SF, a, b, c, d)
        VOD_MD5_ROUND2(SG, a, b, c, d)
        VOD_MD5_ROUND3(SH, a, b, c, d)
        VOD_MD5_ROUND4(SI, a, b, c, d)
        EACH {
            a[g] = _mm256_add_epi32(a[g], a0[g]);
            b[g] = _mm256_add_epi32(b[g], b0[g]);
            c[g] = _mm256_add_epi32(c[g], c0[g]);
            d[g] = _mm256_add_epi32(d[g], d0[g]);
        }
    }
    EACH {
        _mm256_storeu_si256((__m256i *)(h[0] + 8 * g), a[g]);
        _mm256_storeu_si256((__m256i *)(h[1] + 8 * g), b[g]);
        _mm256_storeu_si256((__m256i *)(h[2] + 8 * g), c[g]);
        _mm256_storeu_si256((__m256i *)(h[3] + 8 * g), d[g]);
    }
}

T256 void vod_md5_mb_blocks_avx2(uint32_t h[4][VOD_MD5_KERNEL_LANES],
                                 const unsigned char *const p[VOD_MD5_KERNEL_LANES], size_t nblocks)
{
    blocks(h, p, nblocks, 1);
}

T256 void vod_md5_mb_blocks_avx2x2(uint32_t h[4][VOD_MD5_KERNEL_LANES],
                                   const unsigned char *const p[VOD_MD5_KERNEL_LANES], size_t nblocks)
{
    blocks(h, p, nblocks, 2);
}

#endif
