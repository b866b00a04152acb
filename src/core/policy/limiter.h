/* The client-side rate limit: a token bucket whose fill rate adapts to the
 * throttling the API answers, after the AWS SDKs' "adaptive" retry mode. On a
 * throttle the rate drops to BETA times the rate actually measured; then it
 * grows back along a CUBIC curve (TCP CUBIC's window growth, in requests per
 * second) towards the configured maximum, reaching the rate it was throttled
 * at after K = cbrt(w_max * (1 - BETA) / C) seconds. Clients sharing one
 * account's quota thus slow down together when it is exhausted and speed up
 * again when it is not, with no coordination between them.
 *
 * Pure C and no I/O: the libcurl path keeps a vod_limiter per client; the
 * cosocket path keeps the vod_rate_state in a lua_shared_dict so all workers
 * adapt together (src/lua/ngx.lua), and calls vod_rate_feedback through the
 * binding. */
#ifndef VOD_LIMITER_H
#define VOD_LIMITER_H

/* Tokens are spaced 5% wider than 1/rate: a server counting requests in a
 * sliding one-second window must never see more than `rate`, even when the
 * first request of a burst arrives late (a connect, a TLS handshake). */
#define VOD_RATE_MARGIN 1.05

#define VOD_CUBIC_BETA 0.7      /* the rate kept after a throttle */
#define VOD_CUBIC_C 0.4         /* the curve's scale */
#define VOD_RATE_MIN 0.5        /* requests/s: never slower than this */
#define VOD_RATE_SMOOTH 0.8     /* weight of the newest half-second in the measured rate */
#define VOD_RATE_WINDOW 1.0     /* s: the quota's window; the rate drops at most once in one */

/* The adaptive part, a few numbers (shareable between processes). */
typedef struct vod_rate_state {
    double rate;            /* the current fill rate, requests/s */
    double w_max;           /* the rate when last throttled */
    double last_throttle;   /* when (the clock of `now`); 0: never */
    double measured;        /* the measured response rate, smoothed */
    double tx_bucket;       /* the half-second the count below belongs to */
    double tx_count;        /* responses in that half-second */
} vod_rate_state;

/* A fresh state at the configured maximum. */
void vod_rate_init(vod_rate_state *s, double max_rate);

/* Takes one response into account (throttled or not) at time `now` and
 * returns the new fill rate, within [VOD_RATE_MIN, max_rate]. */
double vod_rate_feedback(vod_rate_state *s, double max_rate, int throttled, double now);

typedef struct vod_limiter {
    double max_rate;        /* configured, margin applied; 0: no limit */
    double burst;
    int adaptive;
    double tokens;          /* may go negative: tokens already promised */
    double last;            /* when the bucket was last refilled */
    vod_rate_state st;      /* st.rate fills the bucket */
    long throttles;         /* throttled answers seen */
} vod_limiter;

/* rate: requests/s as configured (0: no limit); burst >= 1. */
void vod_limiter_init(vod_limiter *l, double rate, double burst, int adaptive, double now);

/* Reserves one token at `now`; returns the seconds to wait before using it. */
double vod_limiter_take(vod_limiter *l, double now);

/* An answer came (throttled or not): adapts the rate when adaptive. */
void vod_limiter_feedback(vod_limiter *l, int throttled, double now);

#endif
