/* Inside md5_mb: the 64 steps of MD5's compression function as RFC 1321
 * section 3.4 lists them, and the block functions of each instruction set
 * (md5_mb_avx512.c, md5_mb_avx2.c). Not for use outside md5_mb*.c and its
 * test. */
#ifndef VOD_MD5_MB_IMPL_H
#define VOD_MD5_MB_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* The lanes a block function's arrays hold: md5_mb.h's VOD_MD5_MB_MAX_LANES
 * (md5_mb.c checks that they agree; this header includes nothing of the
 * module's, so that md5_mb.c and the kernels depend on it, not it on them). */
#define VOD_MD5_KERNEL_LANES 32

/* RFC 1321 section 3.3: the initial A, B, C, D. */
#define VOD_MD5_A0 0x67452301u
#define VOD_MD5_B0 0xefcdab89u
#define VOD_MD5_C0 0x98badcfeu
#define VOD_MD5_D0 0x10325476u

/* RFC 1321 section 3.4, round by round: each S(a, b, c, d, k, s, i, t) is the
 * RFC's "[abcd k s i]", a = b + ((a + f(b,c,d) + X[k] + T[i]) <<< s), with
 * t = T[i] = floor(2^32 * |sin(i)|) (i from 1 to 64) written out; f is the
 * round's function (F, G, H, I), the S given to the round's macro. */
#define VOD_MD5_ROUND1(S, A, B, C, D) \
    S(A, B, C, D,  0,  7,  1, 0xd76aa478u) S(D, A, B, C,  1, 12,  2, 0xe8c7b756u) \
    S(C, D, A, B,  2, 17,  3, 0x242070dbu) S(B, C, D, A,  3, 22,  4, 0xc1bdceeeu) \
    S(A, B, C, D,  4,  7,  5, 0xf57c0fafu) S(D, A, B, C,  5, 12,  6, 0x4787c62au) \
    S(C, D, A, B,  6, 17,  7, 0xa8304613u) S(B, C, D, A,  7, 22,  8, 0xfd469501u) \
    S(A, B, C, D,  8,  7,  9, 0x698098d8u) S(D, A, B, C,  9, 12, 10, 0x8b44f7afu) \
    S(C, D, A, B, 10, 17, 11, 0xffff5bb1u) S(B, C, D, A, 11, 22, 12, 0x895cd7beu) \
    S(A, B, C, D, 12,  7, 13, 0x6b901122u) S(D, A, B, C, 13, 12, 14, 0xfd987193u) \
    S(C, D, A, B, 14, 17, 15, 0xa679438eu) S(B, C, D, A, 15, 22, 16, 0x49b40821u)
#define VOD_MD5_ROUND2(S, A, B, C, D) \
    S(A, B, C, D,  1,  5, 17, 0xf61e2562u) S(D, A, B, C,  6,  9, 18, 0xc040b340u) \
    S(C, D, A, B, 11, 14, 19, 0x265e5a51u) S(B, C, D, A,  0, 20, 20, 0xe9b6c7aau) \
    S(A, B, C, D,  5,  5, 21, 0xd62f105du) S(D, A, B, C, 10,  9, 22, 0x02441453u) \
    S(C, D, A, B, 15, 14, 23, 0xd8a1e681u) S(B, C, D, A,  4, 20, 24, 0xe7d3fbc8u) \
    S(A, B, C, D,  9,  5, 25, 0x21e1cde6u) S(D, A, B, C, 14,  9, 26, 0xc33707d6u) \
    S(C, D, A, B,  3, 14, 27, 0xf4d50d87u) S(B, C, D, A,  8, 20, 28, 0x455a14edu) \
    S(A, B, C, D, 13,  5, 29, 0xa9e3e905u) S(D, A, B, C,  2,  9, 30, 0xfcefa3f8u) \
    S(C, D, A, B,  7, 14, 31, 0x676f02d9u) S(B, C, D, A, 12, 20, 32, 0x8d2a4c8au)
#define VOD_MD5_ROUND3(S, A, B, C, D) \
    S(A, B, C, D,  5,  4, 33, 0xfffa3942u) S(D, A, B, C,  8, 11, 34, 0x8771f681u) \
    S(C, D, A, B, 11, 16, 35, 0x6d9d6122u) S(B, C, D, A, 14, 23, 36, 0xfde5380cu) \
    S(A, B, C, D,  1,  4, 37, 0xa4beea44u) S(D, A, B, C,  4, 11, 38, 0x4bdecfa9u) \
    S(C, D, A, B,  7, 16, 39, 0xf6bb4b60u) S(B, C, D, A, 10, 23, 40, 0xbebfbc70u) \
    S(A, B, C, D, 13,  4, 41, 0x289b7ec6u) S(D, A, B, C,  0, 11, 42, 0xeaa127fau) \
    S(C, D, A, B,  3, 16, 43, 0xd4ef3085u) S(B, C, D, A,  6, 23, 44, 0x04881d05u) \
    S(A, B, C, D,  9,  4, 45, 0xd9d4d039u) S(D, A, B, C, 12, 11, 46, 0xe6db99e5u) \
    S(C, D, A, B, 15, 16, 47, 0x1fa27cf8u) S(B, C, D, A,  2, 23, 48, 0xc4ac5665u)
#define VOD_MD5_ROUND4(S, A, B, C, D) \
    S(A, B, C, D,  0,  6, 49, 0xf4292244u) S(D, A, B, C,  7, 10, 50, 0x432aff97u) \
    S(C, D, A, B, 14, 15, 51, 0xab9423a7u) S(B, C, D, A,  5, 21, 52, 0xfc93a039u) \
    S(A, B, C, D, 12,  6, 53, 0x655b59c3u) S(D, A, B, C,  3, 10, 54, 0x8f0ccc92u) \
    S(C, D, A, B, 10, 15, 55, 0xffeff47du) S(B, C, D, A,  1, 21, 56, 0x85845dd1u) \
    S(A, B, C, D,  8,  6, 57, 0x6fa87e4fu) S(D, A, B, C, 15, 10, 58, 0xfe2ce6e0u) \
    S(C, D, A, B,  6, 15, 59, 0xa3014314u) S(B, C, D, A, 13, 21, 60, 0x4e0811a1u) \
    S(A, B, C, D,  4,  6, 61, 0xf7537e82u) S(D, A, B, C, 11, 10, 62, 0xbd3af235u) \
    S(C, D, A, B,  2, 15, 63, 0x2ad7d2bbu) S(B, C, D, A,  9, 21, 64, 0xeb86d391u)

/* T[1..64] as an array (T[i] at [i - 1]), from the lists above. An
 * implementation reads its constants from this array through a pointer the
 * compiler cannot see through (VOD_MD5_MB_OPAQUE), so that each is an
 * operand in memory (broadcast to every lane by the load itself) rather than
 * an immediate moved into a register and broadcast by an ALU instruction at
 * every step. */
#define VOD_MD5_T_OF(a, b, c, d, k, s, i, t) t,
#define VOD_MD5_T_TABLE { VOD_MD5_ROUND1(VOD_MD5_T_OF, a, b, c, d) VOD_MD5_ROUND2(VOD_MD5_T_OF, a, b, c, d) \
                          VOD_MD5_ROUND3(VOD_MD5_T_OF, a, b, c, d) VOD_MD5_ROUND4(VOD_MD5_T_OF, a, b, c, d) }
#define VOD_MD5_MB_OPAQUE(p) __asm__("" : "+r"(p))

/* Compresses nblocks 64-byte blocks of each lane (from p[i], p[i] + 64, ...)
 * into h: all the function's lanes (a caller with fewer points the others at
 * any readable block of the same length). Each instruction set has a
 * function for one group of lanes (16 with AVX-512, 8 with AVX2) and one for
 * two groups, whose independent chains of dependent steps interleave: MD5's
 * step is four dependent instructions, and on CPUs where they take two
 * cycles each (AMD Zen 5) one group leaves most of the vector units idle. */
typedef void vod_md5_mb_blocks_fn(uint32_t h[4][VOD_MD5_KERNEL_LANES],
                                  const unsigned char *const p[VOD_MD5_KERNEL_LANES], size_t nblocks);

/* Present when the build targets x86 with a compiler that has the target
 * attribute and __builtin_cpu_supports (GCC, clang). */
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__) && !defined(VOD_MD5_MB_OFF)
#define VOD_MD5_MB_X86 1
vod_md5_mb_blocks_fn vod_md5_mb_blocks_avx512;      /* lanes 0-15 */
vod_md5_mb_blocks_fn vod_md5_mb_blocks_avx512x2;    /* lanes 0-31 */
vod_md5_mb_blocks_fn vod_md5_mb_blocks_avx2;        /* lanes 0-7 */
vod_md5_mb_blocks_fn vod_md5_mb_blocks_avx2x2;      /* lanes 0-15 */
#endif

#endif
