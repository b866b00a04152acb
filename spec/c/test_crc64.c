/*
 * test_crc64.c - unit tests for src/core/digest/crc64.c (CRC-64/XZ, COS's
 * x-cos-hash-crc64ecma). Prints "N passed, N failed".
 *
 * The published vector: the check value of CRC-64/XZ, the CRC of the ASCII
 * string "123456789", is 0x995DC9BBDF1939FA (the catalogue of parametrised
 * CRC algorithms, "CRC-64/XZ", reveng.sourceforge.io/crc-catalogue; COS's
 * value is its decimal form, 11051210869376104954). Everything else is
 * checked against a bit-at-a-time CRC written here from the definition
 * (reflected ECMA-182 polynomial, init and xorout all ones), which shares
 * nothing with the tables or the folding.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crc64.h"

#include "check.h"

/* ---- the reference: one bit at a time --------------------------------------- */

static uint64_t bitwise(uint64_t crc, const unsigned char *p, size_t n)
{
    uint64_t c = ~crc;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0xC96C5795D7870F42ULL : c >> 1;
    }
    return ~c;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint64_t rnd(void)       /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1DULL;
}

static void fill(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(rnd() >> 56);
}

typedef uint64_t (*crc_fn)(uint64_t, const void *, size_t);

static const struct {
    const char *name;
    crc_fn fn;
} paths[] = {
    {"dispatch", vod_crc64_update},
    {"table", vod_crc64_update_table},
    {"clmul", vod_crc64_update_clmul},
};
#define NPATHS (sizeof paths / sizeof paths[0])

/* ---- first use from several threads at once (must run first) ---------------- */

static unsigned char thread_data[100000];

static void *thread_main(void *arg)
{
    uint64_t *out = arg;
    *out = vod_crc64_update(0, thread_data, sizeof thread_data);
    return NULL;
}

static void first_use_in_threads(void)
{
    pthread_t t[4];
    uint64_t got[4];
    uint64_t want;
    int same = 1;
    fill(thread_data, sizeof thread_data);
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, thread_main, &got[i]);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    want = bitwise(0, thread_data, sizeof thread_data);
    for (int i = 0; i < 4; i++)
        same &= got[i] == want;
    CHECK(same, "four threads making the first call at once all get the right CRC");
}

/* ---- tests -------------------------------------------------------------------- */

static void check_value(void)
{
    char dec[32];
    for (size_t i = 0; i < NPATHS; i++) {
        char what[80];
        snprintf(what, sizeof what, "%s: CRC(\"123456789\") = 0x995DC9BBDF1939FA", paths[i].name);
        CHECK(paths[i].fn(0, "123456789", 9) == 0x995DC9BBDF1939FAULL, what);
    }
    CHECK(bitwise(0, (const unsigned char *)"123456789", 9) == VOD_CRC64_CHECK,
          "the reference gives the check value too");
    snprintf(dec, sizeof dec, "%" PRIu64, vod_crc64_update(0, "123456789", 9));
    CHECK(strcmp(dec, "11051210869376104954") == 0, "in decimal, as COS writes it");
    CHECK(vod_crc64_update(0, NULL, 0) == 0 && vod_crc64_update_table(0, NULL, 0) == 0 &&
          vod_crc64_update_clmul(0, NULL, 0) == 0, "the CRC of nothing is 0");
    CHECK(vod_crc64_update(0x1234, NULL, 0) == 0x1234, "no bytes leave a CRC unchanged");
    printf("     (carry-less multiplication %s on this CPU)\n",
           vod_crc64_have_clmul() ? "used" : "not available: the table path twice");
}

static void random_data(void)
{
    size_t n = 1u << 20;
    unsigned char *p = malloc(n + 64);
    fill(p, n + 64);
    uint64_t want = bitwise(0, p, n);
    for (size_t i = 0; i < NPATHS; i++) {
        char what[80];
        snprintf(what, sizeof what, "%s: 1 MiB of random bytes", paths[i].name);
        CHECK(paths[i].fn(0, p, n) == want, what);
        snprintf(what, sizeof what, "%s: 1 MiB + 37 from an odd address", paths[i].name);
        CHECK(paths[i].fn(0, p + 3, n + 37) == bitwise(0, p + 3, n + 37), what);
    }
    free(p);
}

static void alignments_and_lengths(void)
{
    enum { MAXLEN = 512, ALIGN = 64 };
    unsigned char *buf = malloc(MAXLEN + ALIGN);
    fill(buf, MAXLEN + ALIGN);
    size_t bad[NPATHS] = {0};
    for (size_t a = 0; a < ALIGN; a++)
        for (size_t len = 0; len <= MAXLEN; len++) {
            uint64_t seed = len * 0x100000001B3ULL;    /* a non-zero starting CRC too */
            uint64_t want = bitwise(seed, buf + a, len);
            for (size_t i = 0; i < NPATHS; i++)
                if (paths[i].fn(seed, buf + a, len) != want)
                    bad[i]++;
        }
    for (size_t i = 0; i < NPATHS; i++) {
        char what[96];
        snprintf(what, sizeof what, "%s: every alignment 0..63 and length 0..512 (%zu wrong)",
                 paths[i].name, bad[i]);
        CHECK(bad[i] == 0, what);
    }
    free(buf);
}

static void incremental(void)
{
    enum { N = 1000 };
    unsigned char p[N];
    uint64_t whole;
    size_t bad = 0;
    fill(p, N);
    whole = bitwise(0, p, N);
    for (size_t cut = 0; cut <= N; cut++)
        for (size_t i = 0; i < NPATHS; i++)
            if (paths[i].fn(paths[i].fn(0, p, cut), p + cut, N - cut) != whole)
                bad++;
    CHECK(bad == 0, "updates split at every point of 1000 bytes give the whole CRC");
    {
        uint64_t c = 0;
        for (size_t off = 0; off < N;) {
            size_t k = (size_t)(rnd() % 200);
            if (k > N - off)
                k = N - off;
            c = vod_crc64_update(c, p + off, k);
            off += k;
        }
        CHECK(c == whole, "random-sized updates (some empty) give the whole CRC");
    }
}

static void combine(void)
{
    enum { MAX = 300000 };
    unsigned char *p = malloc(MAX);
    size_t bad = 0, bad3 = 0;
    fill(p, MAX);
    for (int t = 0; t < 200; t++) {
        size_t n = (t % 10 == 0) ? (size_t)(rnd() % 40) : (size_t)(rnd() % MAX);
        size_t a = n ? (size_t)(rnd() % (n + 1)) : 0;
        size_t b = a + (n - a ? (size_t)(rnd() % (n - a + 1)) : 0);
        uint64_t whole = bitwise(0, p, n);
        uint64_t ca = vod_crc64_update(0, p, a);
        uint64_t cb = vod_crc64_update(0, p + a, b - a);
        uint64_t cc = vod_crc64_update(0, p + b, n - b);
        if (t % 7 == 0) {           /* an empty part at either end */
            if (vod_crc64_combine(0, whole, n) != whole || vod_crc64_combine(whole, 0, 0) != whole)
                bad++;
        }
        if (vod_crc64_combine(ca, vod_crc64_combine(cb, cc, n - b), n - a) != whole)
            bad3++;
        if (vod_crc64_combine(vod_crc64_combine(ca, cb, b - a), cc, n - b) != whole)
            bad3++;
        if (vod_crc64_combine(ca, vod_crc64_update(0, p + a, n - a), n - a) != whole)
            bad++;
    }
    CHECK(bad == 0, "combine over 200 random splits of random data (empty parts included)");
    CHECK(bad3 == 0, "three parts combined either way round");
    CHECK(vod_crc64_combine(vod_crc64_update(0, "12345", 5), vod_crc64_update(0, "6789", 4), 4) ==
              VOD_CRC64_CHECK, "CRC(\"12345\") combined with CRC(\"6789\") is the check value");
    {
        /* parts of an upload: 10 parts of 256 KiB + 1 byte, combined in order */
        size_t part = (256u << 10) + 1, n = 10 * part;
        unsigned char *big = malloc(n);
        uint64_t c = 0;
        fill(big, n);
        for (size_t i = 0; i < 10; i++)
            c = vod_crc64_combine(c, vod_crc64_update(0, big + i * part, part), part);
        CHECK(c == vod_crc64_update(0, big, n) && c == bitwise(0, big, n),
              "ten parts of an upload combined give the object's CRC");
        free(big);
    }
    {
        /* lengths far past what fits in memory: the algebra must hold */
        size_t bad_big = 0;
        for (int t = 0; t < 100; t++) {
            uint64_t a = rnd(), b = rnd(), c = rnd();
            uint64_t lb = rnd() >> (rnd() % 64), lc = rnd() >> (1 + rnd() % 63);
            if (lb > UINT64_MAX - lc)
                lb = UINT64_MAX - lc;
            if (vod_crc64_combine(vod_crc64_combine(a, b, lb), c, lc) !=
                vod_crc64_combine(a, vod_crc64_combine(b, c, lc), lb + lc))
                bad_big++;
        }
        CHECK(bad_big == 0, "combine is associative for lengths up to 2^64 - 1");
        /* n zero bytes: the CRC of a zero-filled part of any length */
        unsigned char zeros[4096] = {0};
        uint64_t z = vod_crc64_update(0, zeros, sizeof zeros);
        uint64_t zz = vod_crc64_combine(z, z, sizeof zeros);
        CHECK(zz == bitwise(bitwise(0, zeros, sizeof zeros), zeros, sizeof zeros),
              "combine of two zero-filled parts");
    }
    free(p);
}

int main(void)
{
    first_use_in_threads();
    check_value();
    random_data();
    alignments_and_lengths();
    incremental();
    combine();
    return check_report();
}
