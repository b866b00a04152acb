/* Unit tests of the adaptive rate limit (src/core/policy/limiter.c) and the retry
 * policy's throttle waits (src/core/policy/retry.c), on a clock the test drives:
 * no sleeping, no timing. Prints one line per failed check and
 * "N passed, N failed". */
#include <math.h>
#include <stdio.h>

#include "limiter.h"
#include "retry.h"

#include "check.h"

#define MAXR (20.0 / VOD_RATE_MARGIN)   /* rate = 20 as configured */

/* n responses spread evenly over [t, t + span): the measured rate settles */
static double feed(vod_rate_state *s, double t, double span, int n, int throttled_last)
{
    double rate = s->rate;
    for (int i = 0; i < n; i++)
        rate = vod_rate_feedback(s, MAXR, throttled_last && i == n - 1, t + span * i / n);
    return rate;
}

static void test_fixed_bucket(void)
{
    vod_limiter l;
    double w;
    vod_limiter_init(&l, 20, 1, 0, 100.0);
    CHECK(fabs(l.max_rate - MAXR) < 1e-12, "the margin spaces tokens 5% wider");
    CHECK(vod_limiter_take(&l, 100.0) == 0, "the first token is there");
    w = vod_limiter_take(&l, 100.0);
    CHECK(fabs(w - 1 / MAXR) < 1e-9, "the second waits one interval");
    w = vod_limiter_take(&l, 100.0);
    CHECK(fabs(w - 2 / MAXR) < 1e-9, "the third waits two: a burst queues");
    vod_limiter_feedback(&l, 1, 100.1);
    CHECK(l.st.rate == MAXR && l.throttles == 1, "adaptive = false: a throttle is counted, the rate stays");
    vod_limiter_init(&l, 0, 1, 1, 0);
    CHECK(vod_limiter_take(&l, 0) == 0 && vod_limiter_take(&l, 0) == 0, "rate 0: no limit");
}

static void test_never_throttled(void)
{
    vod_rate_state s;
    vod_rate_init(&s, MAXR);
    CHECK(feed(&s, 1000, 5, 100, 0) == MAXR, "no throttle: the configured rate");
    /* a quiet client is not slowed by its low measured rate */
    CHECK(feed(&s, 2000, 60, 3, 0) == MAXR, "quiet, never throttled: still the configured rate");
}

static void test_drop_and_recover(void)
{
    vod_rate_state s;
    double r, k, t0;
    vod_rate_init(&s, MAXR);
    feed(&s, 1000, 4, 40, 0);                   /* 10/s measured */
    CHECK(fabs(s.measured - 10) < 1.0, "measured about 10/s");
    r = vod_rate_feedback(&s, MAXR, 1, 1004.0);
    CHECK(fabs(r - VOD_CUBIC_BETA * s.w_max) < 1e-9, "a throttle keeps BETA of the rate");
    CHECK(s.w_max < 11 && s.w_max > 9, "w_max is what was really sent (the measured rate), not the fill rate");
    t0 = 1004.0;
    k = cbrt(s.w_max * (1 - VOD_CUBIC_BETA) / VOD_CUBIC_C);
    /* right after: concave growth, below w_max */
    r = vod_rate_feedback(&s, MAXR, 0, t0 + k / 2);
    CHECK(r > VOD_CUBIC_BETA * s.w_max && r < s.w_max, "half-way to K: between the drop and w_max");
    /* at K the curve is back at w_max (not capped: measured is about w_max) */
    s.measured = 100;                           /* sending fast enough not to cap it */
    r = vod_rate_feedback(&s, MAXR, 0, t0 + k);
    CHECK(fabs(r - s.w_max) < 0.05, "at K: back at the rate it was throttled at");
    r = vod_rate_feedback(&s, MAXR, 0, t0 + k + 3);
    CHECK(r > s.w_max, "past K: convex growth beyond w_max");
    r = vod_rate_feedback(&s, MAXR, 0, t0 + k + 60);
    CHECK(r == MAXR, "and capped at the configured maximum");
}

static void test_cap_by_measured(void)
{
    vod_rate_state s;
    double r;
    vod_rate_init(&s, MAXR);
    feed(&s, 1000, 2, 30, 1);                   /* 15/s, throttled at the end */
    s.measured = 2;                             /* then sending slowly */
    r = vod_rate_feedback(&s, MAXR, 0, 1002.5);
    CHECK(r <= 2 * s.measured + 1e-9, "while recovering: at most twice the measured rate");
}

static void test_floor(void)
{
    vod_rate_state s;
    double r = 0;
    vod_rate_init(&s, MAXR);
    for (int i = 0; i < 40; i++)
        r = vod_rate_feedback(&s, MAXR, 1, 1000 + i * 1.01);
    CHECK(r == VOD_RATE_MIN, "repeated throttles stop at the floor");
}

static void test_once_a_window(void)
{
    vod_rate_state s;
    double r1, r2;
    vod_rate_init(&s, MAXR);
    r1 = vod_rate_feedback(&s, MAXR, 1, 1000.0);
    r2 = vod_rate_feedback(&s, MAXR, 1, 1000.5);
    CHECK(r1 == r2, "a second throttle in the same window does not drop the rate again");
    r2 = vod_rate_feedback(&s, MAXR, 1, 1001.1);
    CHECK(r2 < r1, "one in the next window does");
}

static void test_bucket_follows_rate(void)
{
    vod_limiter l;
    double w;
    vod_limiter_init(&l, 20, 1, 1, 0);
    vod_limiter_take(&l, 0);
    vod_limiter_feedback(&l, 1, 0.01);          /* no measured rate yet: BETA of the fill rate */
    CHECK(fabs(l.st.rate - VOD_CUBIC_BETA * MAXR) < 1e-9, "the bucket's rate drops");
    w = vod_limiter_take(&l, 0.01);
    CHECK(fabs(w - (1 - 0.01 * VOD_CUBIC_BETA * MAXR) / (VOD_CUBIC_BETA * MAXR)) < 1e-9,
          "tokens come at the new rate");
}

static void test_throttle_delay(void)
{
    uint64_t rng = 12345;
    vod_retry_policy p = { 1, 2, 0.2, 5, 60 };
    vod_failure thr = { "RequestLimitExceeded.UinLimitExceeded", 200, 0 };
    vod_failure net = { "ClientError.Connect", 0, 0 };
    int throttle, lo = 0, hi = 0;
    double d;
    for (int nth = 1; nth <= 3; nth++) {
        double spread = nth == 1 ? 0.25 : nth == 2 ? 0.5 : 1.0;
        lo = hi = 0;
        for (int i = 0; i < 2000; i++) {
            d = vod_retry_throttle_delay(1000.25, nth, &rng);
            if (!(d >= 0.75 && d < 0.75 + spread)) {
                CHECK(0, "a throttle waits into the next one-second window");
                break;
            }
            lo += d < 0.75 + spread / 2;
            hi += d >= 0.75 + spread / 2;
        }
        CHECK(lo > 800 && hi > 800, "spread over part of the next window, wider each time");
    }
    d = vod_retry_plan(&p, &thr, 50, 0, 10, 0, 1000.0, &rng, &throttle);
    CHECK(d >= 1.0 && d < 1.25 && throttle, "throttles are not counted against max");
    d = vod_retry_plan(&p, &thr, 0, 30, 10, 0, 1000.0, &rng, &throttle);
    CHECK(d >= 1.0 && d < 2.0 && throttle, "nor limited in number: only by the deadline");
    d = vod_retry_plan(&p, &thr, 0, 0, 59.5, 0, 1000.0, &rng, &throttle);
    CHECK(d < 0, "but stop at the deadline");
    d = vod_retry_plan(&p, &net, 2, 0, 1, 0, 1000.0, &rng, &throttle);
    CHECK(d < 0 && !throttle, "other failures stop at max");
    d = vod_retry_plan(&p, &net, 1, 0, 1, 0, 1000.0, &rng, &throttle);
    CHECK(d >= 0 && d <= 0.4 && !throttle, "and back off from base_delay");
    p.enabled = 0;
    CHECK(vod_retry_plan(&p, &thr, 0, 0, 0, 0, 1000.0, &rng, &throttle) < 0, "retries = false: none");
}

int main(void)
{
    test_fixed_bucket();
    test_never_throttled();
    test_drop_and_recover();
    test_cap_by_measured();
    test_floor();
    test_once_a_window();
    test_bucket_follows_rate();
    test_throttle_delay();
    return check_report();
}
