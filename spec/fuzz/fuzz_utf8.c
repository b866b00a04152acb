/* libFuzzer harness for vod_utf8_count (src/core/util/utf8.h).
 *
 * The input bytes are counted by vod_utf8_count and by an independent
 * reference written here from the table of well-formed byte sequences in the
 * Unicode Standard (chapter 3, table 3-7), which checks each byte against a
 * range instead of assembling the code point. Any disagreement on the verdict,
 * the count or the offset of the first bad sequence aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "utf8.h"

/* Returns the number of code points, or (size_t)-1 with *bad set to the
 * offset where the first ill-formed sequence starts. */
static size_t reference_count(const unsigned char *s, size_t len, size_t *bad)
{
    size_t i = 0, n = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF;      /* range of the second byte */
        if (c <= 0x7F)                 need = 0;
        else if (c >= 0xC2 && c <= 0xDF) need = 1;
        else if (c == 0xE0)            { need = 2; lo = 0xA0; }
        else if (c >= 0xE1 && c <= 0xEC) need = 2;
        else if (c == 0xED)            { need = 2; hi = 0x9F; }
        else if (c >= 0xEE && c <= 0xEF) need = 2;
        else if (c == 0xF0)            { need = 3; lo = 0x90; }
        else if (c >= 0xF1 && c <= 0xF3) need = 3;
        else if (c == 0xF4)            { need = 3; hi = 0x8F; }
        else { *bad = i; return (size_t)-1; }
        if (need > 0) {
            if (i + need >= len) { *bad = i; return (size_t)-1; }   /* cut short */
            if (s[i + 1] < lo || s[i + 1] > hi) { *bad = i; return (size_t)-1; }
            for (size_t k = 2; k <= need; k++)
                if (s[i + k] < 0x80 || s[i + k] > 0xBF) { *bad = i; return (size_t)-1; }
        }
        i += need + 1;
        n++;
    }
    return n;
}

static void check(const uint8_t *data, size_t size)
{
    size_t bad = 12345, rbad = 54321;
    size_t got = vod_utf8_count((const char *)data, size, &bad);
    size_t want = reference_count(data, size, &rbad);
    if (got != want || (want == (size_t)-1 && bad != rbad)) {
        fprintf(stderr, "fuzz_utf8: mismatch on %zu bytes: vod_utf8_count=%lld (bad %zu), "
                "reference=%lld (bad %zu)\n", size, (long long)got, bad, (long long)want, rbad);
        abort();
    }
    /* a NULL bad pointer is allowed */
    if (vod_utf8_count((const char *)data, size, NULL) != got) {
        fprintf(stderr, "fuzz_utf8: result changes with bad == NULL\n");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size);
    /* every prefix cut inside a sequence must be judged the same way too */
    if (size > 1)
        check(data, size - 1);
    return 0;
}
