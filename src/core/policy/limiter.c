/* The adaptive token bucket (limiter.h). */
#include "limiter.h"

#include <math.h>

void vod_rate_init(vod_rate_state *s, double max_rate)
{
    s->rate = max_rate;
    s->w_max = max_rate;
    s->last_throttle = 0;
    s->measured = 0;
    s->tx_bucket = 0;
    s->tx_count = 0;
}

/* The response rate, over half-second buckets, smoothed. */
static void measure(vod_rate_state *s, double now)
{
    double bucket = floor(now * 2) / 2;
    s->tx_count += 1;
    if (s->tx_bucket == 0) {
        s->tx_bucket = bucket;
    } else if (bucket > s->tx_bucket) {
        double current = s->tx_count / (bucket - s->tx_bucket);
        s->measured = current * VOD_RATE_SMOOTH + s->measured * (1 - VOD_RATE_SMOOTH);
        s->tx_count = 0;
        s->tx_bucket = bucket;
    }
}

double vod_rate_feedback(vod_rate_state *s, double max_rate, int throttled, double now)
{
    double rate;
    measure(s, now);
    if (throttled && s->last_throttle != 0 && now - s->last_throttle < VOD_RATE_WINDOW) {
        return s->rate;     /* the quota's window that refused it is the same: one drop a window */
    } else if (throttled) {
        /* drop below what was really being sent (the fill rate may be far
         * above it after a quiet spell) */
        double base = s->measured > 0 && s->measured < s->rate ? s->measured : s->rate;
        s->w_max = base;
        s->last_throttle = now;
        rate = base * VOD_CUBIC_BETA;
    } else if (s->last_throttle == 0) {
        rate = max_rate;                /* never throttled: the configured rate */
    } else {
        double k = cbrt(s->w_max * (1 - VOD_CUBIC_BETA) / VOD_CUBIC_C);
        double dt = now - s->last_throttle - k;
        rate = VOD_CUBIC_C * dt * dt * dt + s->w_max;
        /* while recovering, no further than twice what is really sent, so a
         * quiet client does not claim a rate it has not shown to be safe */
        if (rate < max_rate && s->measured > 0 && rate > 2 * s->measured)
            rate = 2 * s->measured;
    }
    if (rate > max_rate)
        rate = max_rate;
    if (rate < VOD_RATE_MIN)
        rate = VOD_RATE_MIN;
    s->rate = rate;
    return rate;
}

void vod_limiter_init(vod_limiter *l, double rate, double burst, int adaptive, double now)
{
    l->max_rate = rate > 0 ? rate / VOD_RATE_MARGIN : 0;
    l->burst = burst < 1 ? 1 : burst;
    l->adaptive = adaptive;
    l->tokens = l->burst;
    l->last = now;
    l->throttles = 0;
    vod_rate_init(&l->st, l->max_rate);
}

double vod_limiter_take(vod_limiter *l, double now)
{
    double rate = l->st.rate;
    if (l->max_rate <= 0)
        return 0;
    if (now > l->last) {
        l->tokens += (now - l->last) * rate;
        if (l->tokens > l->burst)
            l->tokens = l->burst;
        l->last = now;
    }
    l->tokens -= 1;
    return l->tokens >= 0 ? 0 : -l->tokens / rate;
}

void vod_limiter_feedback(vod_limiter *l, int throttled, double now)
{
    if (throttled)
        l->throttles++;
    if (l->max_rate <= 0 || !l->adaptive)
        return;
    vod_rate_feedback(&l->st, l->max_rate, throttled, now);
}
