/* What is retried, how long to wait, and the client-side token bucket.
 * Pure C: both transports (libcurl in C, cosockets in Lua) ask these. */
#ifndef VOD_RETRY_H
#define VOD_RETRY_H

#include <stdint.h>

typedef struct vod_retry_policy {
    int enabled;
    int max;                /* retries after the first attempt */
    double base_delay;      /* s: the backoff's first step */
    double max_delay;       /* s: no single wait is longer */
    double deadline;        /* s: no attempt starts later than this after the call began */
} vod_retry_policy;

/* What one failed attempt tells about the request. */
typedef struct vod_failure {
    const char *code;       /* the error's code */
    long http_status;       /* 0 when no response */
    int ambiguous;          /* the request may have reached the server */
} vod_failure;

/* A retry is provably safe when the server refused the request (throttling)
 * or never saw it (DNS, connect, TLS handshake, a timeout before sending);
 * after an ambiguous failure only when repeating it cannot duplicate
 * anything: a read-only action, or a create carrying its SessionId. */
int vod_retry_safe(const vod_failure *f, int idempotent);

/* True for failures worth repeating at all (not a bad parameter, not auth). */
int vod_retry_transient(const vod_failure *f);

/* Full-jitter exponential backoff: uniform in [0, min(max, base * 2^(n-1))]. */
double vod_retry_delay(const vod_retry_policy *p, int retry_number, uint64_t *rng);

uint64_t vod_rng_next(uint64_t *state);

/* A token bucket: `rate` tokens per second, at most `burst` stored. A taker
 * reserves a token and is told how long to wait for it, so a burst queues
 * instead of failing. */
typedef struct vod_bucket {
    double rate, burst;     /* rate == 0: no limit; rate is the spaced (effective) one */
    double tokens;          /* may go negative: tokens already promised */
    double last;            /* monotonic seconds of the last refill */
} vod_bucket;

/* Tokens are spaced 5% wider than 1/rate: a server counting requests in a
 * sliding one-second window must never see more than `rate`, even when the
 * first request of a burst arrives late (a connect, a TLS handshake). */
#define VOD_RATE_MARGIN 1.05

void vod_bucket_init(vod_bucket *b, double rate, double burst, double now);
/* Reserves one token at time `now`; returns the seconds to wait before using it. */
double vod_bucket_take(vod_bucket *b, double now);

#endif
