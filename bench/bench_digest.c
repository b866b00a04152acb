/* Throughput of what an upload computes over every byte (src/core/digest):
 *   - CRC-64/XZ, the portable slice-by-8 path and the PCLMULQDQ folding path;
 *   - MD5 through OpenSSL's EVP (what md5.c uses) and through mbedTLS;
 *   - MD5 and CRC-64 of an 8 MiB part in one pass (both over each 64 KiB
 *     block in turn, vod_part_digest_update) against two passes (MD5 over the
 *     whole part, then CRC-64 over it), with either CRC-64 path.
 * Each figure is the best of several rounds of thread CPU time (so other
 * processes on the machine disturb it less), in MB/s (10^6 bytes a second).
 * Before each round the part is rewritten from a 64 MiB source, as reading it
 * from a file would, so it starts in the last-level cache, not in L1/L2.
 *
 * Build and run from the top of the checkout:
 *   cc -O2 -Isrc/core/digest bench/bench_digest.c src/core/digest/crc64.c \
 *      src/core/digest/md5.c src/core/digest/part_digest.c \
 *      -lcrypto -lmbedcrypto -lpthread -o build/bench_digest && build/bench_digest
 * Prints one JSON object. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/md.h>

#include "crc64.h"
#include "md5.h"
#include "part_digest.h"

#define PART (8u << 20)
#define SOURCE (64u << 20)
#define ROUNDS 7

static unsigned char *source, *part;
static size_t source_off;
static uint64_t sink;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The next 8 MiB of the source into the part buffer (not timed). */
static void refill(void)
{
    memcpy(part, source + source_off, PART);
    source_off = (source_off + PART) % SOURCE;
}

typedef void (*work_fn)(void);

/* Best MB/s of `rounds` rounds of `reps` calls of fn over the part. */
static double measure(work_fn fn, int reps)
{
    double best = 0;
    for (int r = 0; r < ROUNDS; r++) {
        double t0, t, mbs;
        refill();
        t0 = cpu_now();
        for (int i = 0; i < reps; i++)
            fn();
        t = cpu_now() - t0;
        mbs = (double)PART * reps / t / 1e6;
        if (mbs > best)
            best = mbs;
    }
    return best;
}

static void crc_table(void) { sink += vod_crc64_update_table(0, part, PART); }
static void crc_clmul(void) { sink += vod_crc64_update_clmul(0, part, PART); }

static void md5_openssl(void)
{
    unsigned char d[16];
    vod_md5_digest(part, PART, d);
    sink += d[0];
}

static void md5_mbedtls(void)
{
    unsigned char d[16];
    mbedtls_md_context_t c;
    mbedtls_md_init(&c);
    if (mbedtls_md_setup(&c, mbedtls_md_info_from_type(MBEDTLS_MD_MD5), 0) != 0 ||
        mbedtls_md_starts(&c) != 0 || mbedtls_md_update(&c, part, PART) != 0 ||
        mbedtls_md_finish(&c, d) != 0) {
        fprintf(stderr, "mbedTLS MD5 failed\n");
        exit(1);
    }
    mbedtls_md_free(&c);
    sink += d[0];
}

static void two_passes(void)
{
    unsigned char d[16];
    vod_md5_digest(part, PART, d);
    sink += d[0] + vod_crc64_update(0, part, PART);
}

/* The same two ways with the portable CRC (a CPU without PCLMULQDQ). */
static void two_passes_table(void)
{
    unsigned char d[16];
    vod_md5_digest(part, PART, d);
    sink += d[0] + vod_crc64_update_table(0, part, PART);
}

static void one_pass_table(void)
{
    vod_md5 m = {0};
    unsigned char d[16];
    uint64_t crc = 0;
    if (vod_md5_init(&m) != 0)
        exit(1);
    for (size_t off = 0; off < PART; off += VOD_PART_DIGEST_BLOCK) {
        vod_md5_update(&m, part + off, VOD_PART_DIGEST_BLOCK);
        crc = vod_crc64_update_table(crc, part + off, VOD_PART_DIGEST_BLOCK);
    }
    vod_md5_final(&m, d);
    vod_md5_free(&m);
    sink += d[0] + crc;
}

static void one_pass(void)
{
    vod_part_digest pd = {0};
    unsigned char d[16];
    if (vod_part_digest_init(&pd) != 0 || vod_part_digest_update(&pd, part, PART) != 0 ||
        vod_part_digest_final(&pd, d) != 0) {
        fprintf(stderr, "part digest failed\n");
        exit(1);
    }
    sink += d[0] + pd.crc;
    vod_part_digest_free(&pd);
}

int main(void)
{
    double crc_t, crc_c, m_ossl, m_mbed, two, one, two_t, one_t;
    source = malloc(SOURCE);
    part = malloc(PART);
    if (source == NULL || part == NULL)
        return 1;
    for (size_t i = 0; i < SOURCE; i++)
        source[i] = (unsigned char)(i * 2654435761u >> 13);
    crc_t = measure(crc_table, 4);
    crc_c = measure(crc_clmul, 16);
    m_ossl = measure(md5_openssl, 2);
    m_mbed = measure(md5_mbedtls, 2);
    two = measure(two_passes, 2);
    one = measure(one_pass, 2);
    two_t = measure(two_passes_table, 2);
    one_t = measure(one_pass_table, 2);
    printf("{\"crc64_table_mbs\": %.0f, \"crc64_clmul_mbs\": %.0f, \"crc64_clmul_used\": %d, "
           "\"md5_openssl_mbs\": %.0f, \"md5_mbedtls_mbs\": %.0f, "
           "\"md5_crc64_two_passes_mbs\": %.0f, \"md5_crc64_one_pass_mbs\": %.0f, "
           "\"md5_crc64table_two_passes_mbs\": %.0f, \"md5_crc64table_one_pass_mbs\": %.0f, "
           "\"sink\": %u}\n",
           crc_t, crc_c, vod_crc64_have_clmul(), m_ossl, m_mbed, two, one, two_t, one_t,
           (unsigned)(sink & 1));
    free(source);
    free(part);
    return 0;
}
