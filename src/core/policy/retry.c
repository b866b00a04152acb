#include "retry.h"

#include <math.h>
#include <string.h>

static int starts(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

int vod_retry_transient(const vod_failure *f)
{
    const char *c = f->code;
    if (vod_retry_is_throttle(c))
        return 1;
    if (strcmp(c, "ClientError.DNS") == 0 || strcmp(c, "ClientError.Connect") == 0 ||
        strcmp(c, "ClientError.TLS") == 0 || strcmp(c, "ClientError.Timeout") == 0 ||
        strcmp(c, "ClientError.Network") == 0 || strcmp(c, "ClientError.MalformedResponse") == 0)
        return 1;
    /* the proxy could not open the way: worth another try when it said so
     * with a 5xx or a SOCKS failure; not a 403 (policy) nor bad credentials */
    if (strcmp(c, "ClientError.Proxy") == 0)
        return f->http_status == 0 || f->http_status >= 500;
    if (strcmp(c, "ClientError.HTTPStatus") == 0)
        return f->http_status >= 500;   /* a gateway in trouble; a 4xx will not change */
    return 0;                           /* API errors, bad input, a response too large,
                                           proxy credentials refused */
}

int vod_retry_safe(const vod_failure *f, int idempotent)
{
    if (!vod_retry_transient(f))
        return 0;
    if (vod_retry_is_throttle(f->code))
        return 1;                       /* refused, not processed */
    if (!f->ambiguous)
        return 1;                       /* never reached the server */
    return idempotent;
}

uint64_t vod_rng_next(uint64_t *s)
{
    /* xorshift64*: plenty for jitter, never for anything secret */
    uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1Dull;
}

double vod_retry_delay(const vod_retry_policy *p, int n, uint64_t *rng)
{
    double cap = p->base_delay;
    for (int i = 1; i < n && cap < p->max_delay; i++)
        cap *= 2;
    if (cap > p->max_delay)
        cap = p->max_delay;
    return cap * ((double)(vod_rng_next(rng) >> 11) / 9007199254740992.0);
}

double vod_retry_throttle_delay(double server_now, int nth, uint64_t *rng)
{
    double frac = server_now - floor(server_now);
    double spread = nth <= 1 ? 0.25 : nth == 2 ? 0.5 : 1.0;
    return (1.0 - frac) + spread * ((double)(vod_rng_next(rng) >> 11) / 9007199254740992.0);
}

int vod_retry_is_throttle(const char *code)
{
    return starts(code, "RequestLimitExceeded");
}

double vod_retry_plan(const vod_retry_policy *p, const vod_failure *f, int retries, int throttles,
                      double elapsed, int idempotent, double server_now, uint64_t *rng,
                      int *throttle)
{
    double delay;
    *throttle = 0;
    if (!p->enabled || !vod_retry_safe(f, idempotent))
        return -1;
    if (vod_retry_is_throttle(f->code)) {
        /* waited out until the deadline, whatever max says */
        delay = vod_retry_throttle_delay(server_now, throttles + 1, rng);
        *throttle = 1;
    } else {
        if (retries >= p->max)
            return -1;
        delay = vod_retry_delay(p, retries + 1, rng);
    }
    return elapsed + delay < p->deadline ? delay : -1;
}
