/*
 * crc64.c - CRC-64/XZ (see crc64.h), portable slice-by-8 and PCLMULQDQ folding.
 *
 * Notation. A CRC "state" r is the remainder kept between calls without the
 * initial value and final XOR: the public CRC is ~r. In the reflected
 * representation used throughout, bit i of a 64-bit value is the coefficient
 * of x^(63-i); of a 128-bit value loaded little-endian from 16 bytes, bit i
 * is the coefficient of x^(127-i). So the first bit of the message (the low
 * bit of its first byte) is its highest power, and the raw update of a state
 * r by n bytes M is
 *
 *     r' = (r * x^(8n) + M * x^64) mod P,   P = x^64 + 0x42F0E1EBA9EA3693.
 *
 * Slice-by-8 (the portable path): table[k][b] is the state after byte b and
 * k zero bytes, so eight bytes cost eight lookups.
 *
 * Folding (the PCLMULQDQ path; Intel's white paper "Fast CRC Computation for
 * Generic Polynomials Using PCLMULQDQ Instruction", 2009): the state is
 * XORed into the first 8 bytes, then a 128-bit accumulator A = Ahi*x^64 + Alo
 * is carried D bits forward with two carry-less products,
 *
 *     A * x^D = Ahi * x^(64+D) + Alo * x^D
 *             = x * (Ahi * (x^(D+63) mod P) + Alo * (x^(D-1) mod P))   (mod P),
 *
 * each product below 128 bits, and XORed with the data D bits further on. The
 * extra factor x is the one a carry-less product of two reflected 64-bit
 * values introduces (its 128-bit result read reflected is x*U*V), which is
 * why the constants are x^(D+63) and x^(D-1) rather than x^(D+64) and x^D.
 * Four accumulators fold 512 bits at a time; they are then folded into one by
 * 128-bit steps. The last accumulator A leaves the state A * x^64 mod P,
 * which is the table update of a zero state by A's 16 bytes: no Barrett
 * reduction is needed. Bytes past the last whole 16 go through the tables.
 *
 * Combination: since the update is linear, CRC(A || B) = CRC(B) XOR
 * (CRC(A) * x^(8 len(B)) mod P); the power of x is a product of the
 * precomputed x^(8*2^k) mod P, one per bit of len(B) (as zlib's
 * crc32_combine does for CRC-32).
 */
#include "crc64.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VOD_CRC64_X86 1
#include <immintrin.h>
#endif

#define POLY_NORMAL 0x42F0E1EBA9EA3693ULL   /* ECMA-182, x^64 implied */
#define POLY_REFLECTED 0xC96C5795D7870F42ULL

static uint64_t table[8][256];
static uint64_t x8pow[64];          /* x^(8 * 2^k) mod P, reflected */
static uint64_t fold512[2];         /* {x^(512+63), x^(512-1)} mod P, reflected */
static uint64_t fold128[2];         /* {x^(128+63), x^(128-1)} mod P, reflected */
static int use_clmul;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static uint64_t reflect64(uint64_t v)
{
    uint64_t r = 0;
    for (int i = 0; i < 64; i++) {
        r = (r << 1) | (v & 1);
        v >>= 1;
    }
    return r;
}

/* x^n mod P, in the reflected representation. */
static uint64_t xpow_mod(unsigned n)
{
    uint64_t v = 1;                 /* x^0, normal representation */
    while (n--) {
        uint64_t carry = v >> 63;
        v <<= 1;
        if (carry)
            v ^= POLY_NORMAL;
    }
    return reflect64(v);
}

/* a * b mod P, both reflected. */
static uint64_t mul_mod(uint64_t a, uint64_t b)
{
    uint64_t m = 1ULL << 63;        /* the term x^0 of a */
    uint64_t p = 0;
    if (a == 0)
        return 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0)
                break;
        }
        m >>= 1;
        b = (b & 1) ? (b >> 1) ^ POLY_REFLECTED : b >> 1;   /* b * x */
    }
    return p;
}

static void init(void)
{
    for (unsigned b = 0; b < 256; b++) {
        uint64_t c = b;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ POLY_REFLECTED : c >> 1;
        table[0][b] = c;
    }
    for (unsigned b = 0; b < 256; b++)
        for (int k = 1; k < 8; k++)
            table[k][b] = (table[k - 1][b] >> 8) ^ table[0][table[k - 1][b] & 0xff];
    x8pow[0] = 1ULL << 55;          /* x^8 */
    for (int k = 1; k < 64; k++)
        x8pow[k] = mul_mod(x8pow[k - 1], x8pow[k - 1]);
    fold512[0] = xpow_mod(512 + 63);
    fold512[1] = xpow_mod(512 - 1);
    fold128[0] = xpow_mod(128 + 63);
    fold128[1] = xpow_mod(128 - 1);
#ifdef VOD_CRC64_X86
    __builtin_cpu_init();
    use_clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse2");
#endif
}

static inline uint64_t load_le64(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

/* The raw state update by slice-by-8 (tables ready). */
static uint64_t raw_table(uint64_t r, const unsigned char *p, size_t len)
{
    while (len >= 8) {
        r ^= load_le64(p);
        r = table[7][r & 0xff] ^ table[6][(r >> 8) & 0xff] ^ table[5][(r >> 16) & 0xff] ^
            table[4][(r >> 24) & 0xff] ^ table[3][(r >> 32) & 0xff] ^
            table[2][(r >> 40) & 0xff] ^ table[1][(r >> 48) & 0xff] ^ table[0][r >> 56];
        p += 8;
        len -= 8;
    }
    while (len--)
        r = table[0][(r ^ *p++) & 0xff] ^ (r >> 8);
    return r;
}

#ifdef VOD_CRC64_X86
/* Carries a over 128 or 512 bits with the constants k: lo * k.lo ^ hi * k.hi. */
__attribute__((target("pclmul,sse2"))) static inline __m128i fold(__m128i a, __m128i k)
{
    return _mm_xor_si128(_mm_clmulepi64_si128(a, k, 0x00), _mm_clmulepi64_si128(a, k, 0x11));
}

/* The raw state update by folding; needs len >= 64. */
__attribute__((target("pclmul,sse2"))) static uint64_t raw_clmul(uint64_t r,
                                                                 const unsigned char *p,
                                                                 size_t len)
{
    const __m128i k512 = _mm_set_epi64x((long long)fold512[1], (long long)fold512[0]);
    const __m128i k128 = _mm_set_epi64x((long long)fold128[1], (long long)fold128[0]);
    __m128i a0, a1, a2, a3;
    unsigned char last[16];

    a0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi64_si128((long long)r));
    a1 = _mm_loadu_si128((const __m128i *)(p + 16));
    a2 = _mm_loadu_si128((const __m128i *)(p + 32));
    a3 = _mm_loadu_si128((const __m128i *)(p + 48));
    p += 64;
    len -= 64;
    while (len >= 64) {
        a0 = _mm_xor_si128(fold(a0, k512), _mm_loadu_si128((const __m128i *)p));
        a1 = _mm_xor_si128(fold(a1, k512), _mm_loadu_si128((const __m128i *)(p + 16)));
        a2 = _mm_xor_si128(fold(a2, k512), _mm_loadu_si128((const __m128i *)(p + 32)));
        a3 = _mm_xor_si128(fold(a3, k512), _mm_loadu_si128((const __m128i *)(p + 48)));
        p += 64;
        len -= 64;
    }
    a0 = _mm_xor_si128(fold(a0, k128), a1);
    a0 = _mm_xor_si128(fold(a0, k128), a2);
    a0 = _mm_xor_si128(fold(a0, k128), a3);
    while (len >= 16) {
        a0 = _mm_xor_si128(fold(a0, k128), _mm_loadu_si128((const __m128i *)p));
        p += 16;
        len -= 16;
    }
    _mm_storeu_si128((__m128i *)last, a0);
    r = raw_table(0, last, sizeof last);
    return raw_table(r, p, len);
}
#endif

/* Below this many bytes the tables are as fast as setting up the folding. */
#define CLMUL_MIN 128

uint64_t vod_crc64_update_table(uint64_t crc, const void *data, size_t len)
{
    pthread_once(&once, init);
    if (len == 0)
        return crc;
    return ~raw_table(~crc, (const unsigned char *)data, len);
}

uint64_t vod_crc64_update_clmul(uint64_t crc, const void *data, size_t len)
{
    pthread_once(&once, init);
    if (len == 0)
        return crc;
#ifdef VOD_CRC64_X86
    if (use_clmul && len >= CLMUL_MIN)
        return ~raw_clmul(~crc, (const unsigned char *)data, len);
#endif
    return ~raw_table(~crc, (const unsigned char *)data, len);
}

uint64_t vod_crc64_update(uint64_t crc, const void *data, size_t len)
{
    return vod_crc64_update_clmul(crc, data, len);
}

int vod_crc64_have_clmul(void)
{
    pthread_once(&once, init);
    return use_clmul;
}

uint64_t vod_crc64_combine(uint64_t crc_a, uint64_t crc_b, uint64_t len_b)
{
    pthread_once(&once, init);
    for (int k = 0; len_b != 0 && crc_a != 0; k++, len_b >>= 1)
        if (len_b & 1)
            crc_a = mul_mod(crc_a, x8pow[k]);
    return crc_a ^ crc_b;
}
