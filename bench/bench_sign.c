/* ns per TC3 signature: with the day's derived key cached (the hot path),
 * and cold (a new UTC day every call, so the key is derived each time).
 * Prints JSON: {"sign_cached_ns": N, "sign_cold_ns": N, "derivations": N}. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include "tc3_sign.h"

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    static const char body[] =
        "{\"SubAppId\":221073,\"SubjectName\":\"hero\",\"SubjectImages\":"
        "[\"https://example.com/hero.png\"],\"SessionId\":\"hero-v1\",\"TasksPriority\":10}";
    long n = argc > 1 ? atol(argv[1]) : 200000;
    tc3_signer s;
    tc3_request rq;
    tc3_result rs;
    double t0, cached, cold;
    unsigned sink = 0;
    memset(&s, 0, sizeof s);
    if (tc3_signer_init(&s, "AKIDEXAMPLEFAKEVOD0000000000000000", 34,
                        "fakeVodSecretKeyEXAMPLE0000000000", 33, "vod") != 0)
        return 1;
    memset(&rq, 0, sizeof rq);
    rq.method = "POST";
    rq.query = "";
    rq.content_type = "application/json";
    rq.host = "vod.intl.tencentcloudapi.com";
    rq.payload = (const unsigned char *)body;
    rq.payload_len = sizeof body - 1;
    rq.timestamp = 1764000000;
    for (long i = 0; i < n / 10; i++) {         /* warm up */
        tc3_sign(&s, &rq, &rs);
        sink += (unsigned char)rs.signature[0];
    }
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        rq.timestamp = 1764000000 + (i & 1023);  /* same UTC day: cached key */
        tc3_sign(&s, &rq, &rs);
        sink += (unsigned char)rs.signature[0];
    }
    cached = (now_ns() - t0) / (double)n;
    t0 = now_ns();
    for (long i = 0; i < n; i++) {
        rq.timestamp = 1764000000 + 86400LL * (i + 1); /* a new day each call */
        tc3_sign(&s, &rq, &rs);
        sink += (unsigned char)rs.signature[0];
    }
    cold = (now_ns() - t0) / (double)n;
    printf("{\"sign_cached_ns\": %.0f, \"sign_cold_ns\": %.0f, \"derivations\": %d, \"sink\": %u}\n",
           cached, cold, s.derivations, sink & 1);
    tc3_signer_free(&s);
    return 0;
}
