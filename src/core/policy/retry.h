/* What is retried, and how long to wait. Pure C: both transports (libcurl
 * in C, cosockets in Lua) ask these. The client-side rate is limiter.h's. */
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

/* A throttled request (RequestLimitExceeded*) was refused by a quota
 * counted in one-second windows: a retry within the same window is refused
 * again. The wait goes to the start of the next window (`server_now`: the
 * server's clock as the client knows it, with its fraction) plus a random
 * part of it, so clients refused together spread over it instead of meeting
 * again at its start. The part widens with the call's throttles (`nth`: 1
 * for its first): a quarter of the window, then half, then all of it. A
 * sequential caller is blocked while it waits, so a first retry early in
 * the window leaves the rest of it to the callers' next requests. */
double vod_retry_throttle_delay(double server_now, int nth, uint64_t *rng);

/* True for a throttling refusal: retried until the deadline, not counted
 * against max. */
int vod_retry_is_throttle(const char *code);

/* The whole decision after a failed attempt, for both transports: the
 * seconds to wait before the next attempt, or -1 to give up. `retries`
 * counts the earlier retries after failures, `throttles` the earlier waits
 * after throttles (not counted against max), `elapsed` the seconds since the
 * call began, `server_now` the server's clock as the client knows it.
 * *throttle is set when the wait is for a throttle. */
double vod_retry_plan(const vod_retry_policy *p, const vod_failure *f, int retries, int throttles,
                      double elapsed, int idempotent, double server_now, uint64_t *rng,
                      int *throttle);

uint64_t vod_rng_next(uint64_t *state);

#endif
