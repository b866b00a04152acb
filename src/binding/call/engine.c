/* The engine: one API call, no I/O (engine.h). */
#include "engine.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "compat.h"
#include "cred_refresh.h"
#include "errors.h"
#include "limiter.h"
#include "retry.h"

enum {
    C_START,        /* the credentials: due, being fetched by another call, or fine */
    C_CREDS_FN,     /* the credentials function was asked for */
    C_META,         /* the metadata GET's exchange */
    C_RATE,         /* wait for the rate */
    C_RATE_INCR,    /* the shared dict's window counter was asked for */
    C_RATE_SLEEP,   /* waiting for the rate */
    C_SIGN,         /* sign and write this attempt */
    C_X,            /* the API's exchange */
    C_RETRY_SLEEP,  /* waiting before the next attempt */
    C_DONE
};

#define NEXT (-1)   /* a transition that needs no driver */

/* The share of a one-second window the shared-dict limiter spreads its
 * admissions over: the rest absorbs the way to the server, so that a
 * request admitted late in a window still arrives inside it. */
#define WINDOW_SPREAD 0.95

/* How long a call waits for another call's credential fetch: two metadata
 * GETs, or a credentials function. */
#define FUNCTION_FETCH_BUDGET 30.0

static long long now_ms(void)
{
    return (long long)(vod_monotonic() * 1000.0);
}

static void reset(vod_call *k, vod_client *c, vod_driver d)
{
    k->c = c;
    k->driver = d;
    k->only_credentials = 0;
    k->force_credentials = 0;
    k->action[0] = '\0';
    k->read_only = k->idempotent = k->paced = 0;
    k->sid[0] = '\0';
    k->state = C_START;
    k->asked = -1;
    k->attempts = k->retries = k->throttles = k->skew_fixed = 0;
    k->first_ambiguous[0] = '\0';
    k->start = vod_monotonic();
    k->sleep = 0;
    k->target = VOD_TARGET_API;
    k->incr_key[0] = '\0';
    k->incr_ttl = 0;
    k->window = k->slot = 0;
    k->creds_wait_until = 0;
    k->creds_gen = 0;
    k->meta_gets = 0;
}

/* Inside nginx only an http:// proxy can be reached (cosockets speak plain
 * TCP, and the engine speaks HTTP CONNECT): say so before anything is sent. */
static void check_route(lua_State *L, const vod_client *c, vod_driver d)
{
    const vod_proxy *p = &c->proxy;
    char named[80];
    if (d != VOD_DRIVER_COSOCKET || p->kind == VOD_PROXY_NONE || p->kind == VOD_PROXY_HTTP)
        return;
    if (strcmp(p->source, "option") == 0)
        snprintf(named, sizeof named, "option 'proxy'");
    else
        snprintf(named, sizeof named, "the environment variable %s (option 'proxy')", p->source);
    vod_error_push(L, VOD_E_INVALID_OPTION, NULL, "%s names a %s proxy (%s), which nginx cosockets "
                   "cannot use: only an http:// proxy works here (HTTP CONNECT); pass proxy = "
                   "\"http://host:port\" or proxy = false", named, p->scheme, p->shown);
    lua_pushliteral(L, "proxy");
    lua_setfield(L, -2, "option");
    vod_pushint(L, 0);
    lua_setfield(L, -2, "attempts");
    lua_error(L);
}

void vod_call_start(lua_State *L, vod_call *k, vod_client *c, vod_driver d, const char *action,
                    int params, const vod_maction *typed)
{
    const char *sid;
    int generated;
    params = vod_absindex(L, params);
    reset(k, c, d);
    check_route(L, c, d);
    snprintf(k->action, sizeof k->action, "%s", action);
    k->read_only = vod_is_read_only(action);
    k->paced = vod_skips_limiter(action);   /* paced by the server (PullEvents): no bucket */
    vod_request_prepare(L, &k->rq, action, params, typed);
    sid = vod_request_session_id(L, c, action, params, &generated);
    if (sid != NULL) {
        if (generated && vod_body_add_session_id(&k->rq.body, sid) != 0)
            vod_error_raise(L, VOD_E_OUT_OF_MEMORY, action, "out of memory adding the SessionId");
        snprintf(k->sid, sizeof k->sid, "%s", sid);
    }
    lua_pop(L, 1);
    k->idempotent = k->read_only || sid != NULL;
}

void vod_call_start_credentials(lua_State *L, vod_call *k, vod_client *c, vod_driver d)
{
    reset(k, c, d);
    check_route(L, c, d);
    k->only_credentials = 1;
    k->force_credentials = 1;
}

void vod_call_free(vod_call *k)
{
    vod_request_free(&k->rq);
    vod_x_free(&k->x);
}

/* ---- the credentials ---------------------------------------------------- */

static vod_op meta_get(lua_State *L, vod_call *k)
{
    vod_client *c = k->c;
    if (vod_creds_metadata_request(c, &k->rq.wire) != 0)
        vod_error_raise(L, VOD_E_OUT_OF_MEMORY, NULL, "out of memory writing the metadata request");
    if (c->debug) {
        char url[760];
        vod_creds_metadata_url(c, url, sizeof url);
        vod_debug(L, c, "> GET %s (credentials)", url);
    }
    k->meta_route.tunnel = 0;
    k->meta_route.handshake = 0;
    k->meta_route.connect_req = NULL;
    k->meta_route.connect_len = 0;
    k->meta_route.connect_timeout_ms = c->cred.meta_connect_ms;
    vod_x_begin(&k->x, &k->meta_route, k->rq.wire.data, k->rq.wire.len, VOD_METADATA_MAX_BODY, 1,
                c->cred.meta_timeout_ms, now_ms());
    k->meta_gets++;
    k->target = VOD_TARGET_META;
    k->state = C_META;
    return NEXT;
}

static int creds_ready(vod_call *k)
{
    k->state = k->only_credentials ? C_DONE : C_RATE;
    return NEXT;
}

static int creds_phase(lua_State *L, vod_call *k)
{
    vod_client *c = k->c;
    double mono;
    if (!vod_creds_due(c, k->force_credentials))
        return creds_ready(k);                  /* static ones: one compare */
    mono = vod_monotonic();
    if (c->cred.fetching && mono < c->cred.fetching_until) {
        /* another call of this client (another request's coroutine in
         * nginx) is fetching: go on with valid ones, or wait for it */
        if (!k->force_credentials && vod_creds_usable(c))
            return creds_ready(k);
        if (k->creds_wait_until == 0) {
            k->creds_wait_until = c->cred.fetching_until;
            k->creds_gen = c->cred.fetch_gen;
        }
        k->sleep = 0.01;
        return VOD_OP_SLEEP;
    }
    if (k->creds_wait_until != 0) {             /* the fetch we waited for is over */
        vod_creds_shared_failure(L, c, k->creds_gen);
        if (c->cred.fetching) {                 /* it never ended: given up on */
            vod_error_push(L, VOD_E_CREDENTIALS, k->action[0] ? k->action : NULL, "timed out "
                           "waiting for the credentials another request is fetching");
            vod_pushint(L, 0);
            lua_setfield(L, -2, "attempts");
            lua_error(L);
        }
        k->creds_wait_until = 0;
        k->force_credentials = 0;
        if (!vod_creds_due(c, 0) && vod_creds_usable(c))
            return creds_ready(k);
    }
    if (c->cred.kind == VOD_CRED_FUNCTION) {
        vod_creds_fetch_begin(c, mono, FUNCTION_FETCH_BUDGET);
        k->state = C_CREDS_FN;
        return VOD_OP_CREDS_FN;
    }
    vod_creds_fetch_begin(c, mono, 2.0 * (double)c->cred.meta_timeout_ms / 1000.0 + 1.0);
    return meta_get(L, k);
}

/* The metadata GET is over: its answer, or why it failed, to the chain. */
static int meta_over(lua_State *L, vod_call *k, int ok)
{
    vod_exchange *x = &k->x;
    int more;
    if (ok) {
        more = vod_creds_from_metadata(L, k->c, x->h1.status, x->body.data ? x->body.data : "",
                                       x->body.len, NULL);
    } else {
        char why[320];
        if (x->fail == VOD_FAIL_TIMEOUT)
            snprintf(why, sizeof why, "timed out after %ld ms", x->timeout_ms);
        else if (x->fail == VOD_FAIL_CONNECT)
            snprintf(why, sizeof why, "connection refused or unreachable");
        else if (x->fail == VOD_FAIL_TOO_LARGE)
            snprintf(why, sizeof why, "response larger than %d bytes", VOD_METADATA_MAX_BODY);
        else
            snprintf(why, sizeof why, "%s", x->msg);
        more = vod_creds_from_metadata(L, k->c, 0, "", 0, why);
    }
    vod_x_free(x);                      /* the answer held a secret */
    if (more && k->meta_gets < 2)
        return meta_get(L, k);          /* the role was discovered: its credentials now */
    return creds_ready(k);
}

/* ---- the rate ------------------------------------------------------------- */

static int local_bucket(lua_State *L, vod_call *k)
{
    double d = vod_limiter_take(&k->c->limiter, vod_monotonic());
    if (d > 0) {
        vod_debug(L, k->c, "rate: waiting %.3fs for the client's rate (%.2f/s)", d,
                  k->c->limiter.st.rate * VOD_RATE_MARGIN);
        k->sleep = d;
        k->state = C_RATE_SLEEP;
        return VOD_OP_SLEEP;
    }
    k->state = C_SIGN;
    return NEXT;
}

/* The shared form (nginx's workers, through a lua_shared_dict): the
 * server's seconds are cut into n = floor(rate) slots spread over the first
 * WINDOW_SPREAD of each, and a slot carries one call. A call takes the first
 * free slot from now on: an atomic incr of the slot's counter answers 1 to
 * the one call that gets it, so no window ever admits more than the rate,
 * with no lock, whatever the number of workers. A worker whose rate has
 * adapted below the configured one (its own throttles) uses only an even
 * share of the slots. */
static long long slots_of(const vod_client *c)
{
    long long n = (long long)floor(c->limiter.max_rate * VOD_RATE_MARGIN + 1e-9);
    return n < 1 ? 1 : n;
}

static int usable_slot(const vod_client *c, long long j, long long n)
{
    double share = c->limiter.st.rate / c->limiter.max_rate;   /* 1: never throttled */
    return share >= 1 || floor((double)(j + 1) * share) != floor((double)j * share) || n == 1;
}

static int ask_slot(vod_call *k)
{
    vod_client *c = k->c;
    double now = vod_client_wallnow(c);
    long long n = slots_of(c);
    if (k->window == 0) {
        k->window = (long long)floor(now);
        k->slot = (long long)floor((now - (double)k->window) * (double)n / WINDOW_SPREAD);
    }
    for (;;) {
        if (k->slot >= n) {
            k->window++;
            k->slot = 0;
        }
        if (usable_slot(c, k->slot, n))
            break;
        k->slot++;
    }
    snprintf(k->incr_key, sizeof k->incr_key, "tencentcloud-vod:rate:%s:%lld:%lld", c->endpoint,
             k->window, k->slot);
    k->incr_ttl = (double)(k->window - (long long)floor(now)) + 2.0;
    k->state = C_RATE_INCR;
    return VOD_OP_INCR;
}

static int rate_phase(lua_State *L, vod_call *k)
{
    vod_client *c = k->c;
    if (k->paced || c->limiter.max_rate <= 0) {
        k->state = C_SIGN;
        return NEXT;
    }
    if (c->rate_dict[0] && k->driver == VOD_DRIVER_COSOCKET) {
        k->window = 0;
        return ask_slot(k);
    }
    return local_bucket(L, k);
}

static int slot_counted(lua_State *L, vod_call *k, const vod_ev *ev)
{
    vod_client *c = k->c;
    long long n = slots_of(c);
    double wait;
    if (ev->count < 0) {
        vod_debug(L, c, "rate: the lua_shared_dict '%s' failed (%s): this worker's own bucket "
                  "paces the call", c->rate_dict, ev->why ? ev->why : "no reason");
        return local_bucket(L, k);
    }
    if (ev->count > 1) {                /* another call has it: the next one */
        k->slot++;
        return ask_slot(k);
    }
    wait = (double)k->window + WINDOW_SPREAD * (double)k->slot / (double)n - vod_client_wallnow(c);
    if (c->debug)
        vod_debug(L, c, "rate: window %lld, slot %lld of %lld (lua_shared_dict %s)%s", k->window,
                  k->slot + 1, n, c->rate_dict, wait > 0 ? ", waiting" : "");
    if (wait > 0) {
        k->sleep = wait;
        k->state = C_RATE_SLEEP;
        return VOD_OP_SLEEP;
    }
    k->state = C_SIGN;
    return NEXT;
}

/* An answer from the API (not a failure on the way) tells the limiter
 * whether the quota is short. */
static void rate_feedback(vod_call *k, const char *code)
{
    if (k->paced)
        return;
    if (code == NULL || strncmp(code, "ClientError.", 12) != 0)
        vod_limiter_feedback(&k->c->limiter, code != NULL && vod_retry_is_throttle(code),
                             vod_monotonic());
}

/* ---- an attempt ------------------------------------------------------------ */

static int sign_and_send(lua_State *L, vod_call *k)
{
    vod_client *c = k->c;
    const vod_xroute *route = k->driver == VOD_DRIVER_CURL ? &c->route.curl : &c->route.sock;
    vod_request_sign(L, c, &k->rq, k->action, vod_client_now(c));
    if (vod_request_write(c, &k->rq) != 0)
        vod_error_raise(L, VOD_E_OUT_OF_MEMORY, k->action, "out of memory writing the request");
    /* only a read-only request may go again on a fresh connection by itself */
    vod_x_begin(&k->x, route, k->rq.wire.data, k->rq.wire.len, c->max_response, k->read_only,
                c->timeout_ms, now_ms());
    k->target = VOD_TARGET_API;
    k->state = C_X;
    return NEXT;
}

static const char *fail_code(vod_fail f)
{
    switch (f) {
    case VOD_FAIL_DNS: return VOD_E_DNS;
    case VOD_FAIL_CONNECT: return VOD_E_CONNECT;
    case VOD_FAIL_TLS: return VOD_E_TLS;
    case VOD_FAIL_TLS_VERIFY: return VOD_E_TLS_VERIFY;
    case VOD_FAIL_TIMEOUT: return VOD_E_TIMEOUT;
    case VOD_FAIL_PROXY: return VOD_E_PROXY;
    case VOD_FAIL_PROXY_AUTH: return VOD_E_PROXY_AUTH;
    case VOD_FAIL_TOO_LARGE: return VOD_E_TOO_LARGE;
    case VOD_FAIL_NOMEM: return VOD_E_OUT_OF_MEMORY;
    default: return VOD_E_NETWORK;
    }
}

/* Pushes the error object of a failed exchange. */
static void push_failure(lua_State *L, vod_call *k, vod_fail f, const char *msg, long status,
                         int sent)
{
    vod_client *c = k->c;
    int px = c->proxy.kind != VOD_PROXY_NONE;
    vod_debug(L, c, "< failed: %s", msg);
    vod_error_push(L, fail_code(f), k->action, "%s (%s://%s%s%s)", msg, c->scheme, c->endpoint,
                   px ? " via proxy " : "", px ? c->proxy.hostport : "");
    if (px) {
        lua_pushstring(L, c->proxy.hostport);
        lua_setfield(L, -2, "proxy");
    }
    if (status) {
        vod_pushint(L, status);
        lua_setfield(L, -2, "http_status");
    }
    lua_pushboolean(L, sent);           /* may it have reached the server? */
    lua_setfield(L, -2, "ambiguous");
}

static void finish_error(lua_State *L, int err, int attempts, const char *first_ambiguous,
                         const char *session_id, int idempotent)
{
    vod_failure f;
    err = vod_absindex(L, err);
    vod_failure_of(L, err, &f);
    if (first_ambiguous != NULL && session_id != NULL &&
        strcmp(f.code, "InvalidParameterValue.SessionId") == 0) {
        /* the retry was refused as a duplicate: the first attempt got through */
        const char *action;
        lua_getfield(L, err, "action");
        action = lua_tostring(L, -1);
        vod_error_push(L, VOD_E_MAYBE_CREATED, action, "an earlier attempt failed (%s) after the "
                       "request may have reached the server, and the retry was rejected as a "
                       "duplicate SessionId '%s': the first attempt may have succeeded; look up "
                       "its task before creating again", first_ambiguous, session_id);
        lua_getfield(L, err, "request_id");
        lua_setfield(L, -2, "request_id");
        lua_pushstring(L, session_id);
        lua_setfield(L, -2, "session_id");
        lua_replace(L, err);
        lua_pop(L, 1);
        vod_failure_of(L, err, &f);     /* f.code pointed into the replaced object */
    }
    if (first_ambiguous != NULL) {
        if (attempts > 1) {
            lua_pushstring(L, first_ambiguous);
            lua_setfield(L, err, "first_error");
        }
        lua_pushboolean(L, 1);          /* an earlier attempt may have got through */
        lua_setfield(L, err, "ambiguous");
        f.ambiguous = 1;
    }
    if (session_id != NULL) {
        lua_pushstring(L, session_id);
        lua_setfield(L, err, "session_id");
    }
    vod_pushint(L, attempts);
    lua_setfield(L, err, "attempts");
    lua_pushboolean(L, vod_retry_safe(&f, idempotent));
    lua_setfield(L, err, "retryable");
}

/* A failed attempt, its error object on top: retry, wait out a throttle,
 * correct the clock, or raise. */
static int decide(lua_State *L, vod_call *k)
{
    vod_client *c = k->c;
    vod_failure f;
    double delay;
    int throttle;
    vod_failure_of(L, -1, &f);
    rate_feedback(k, f.code);
    if (f.ambiguous && !k->first_ambiguous[0])
        snprintf(k->first_ambiguous, sizeof k->first_ambiguous, "%s", f.code);
    /* a clock off by more than 5 minutes: take the server's, once */
    if (c->retry.enabled && !k->skew_fixed && strcmp(f.code, "AuthFailure.SignatureExpire") == 0 &&
        k->x.h1.date[0] && vod_learn_clock(c, k->x.h1.date)) {
        k->skew_fixed = 1;
        vod_debug(L, c, "clock corrected by %llds from the server's Date", c->clock_offset);
        lua_pop(L, 1);
        k->state = C_RATE;
        return NEXT;
    }
    delay = vod_retry_plan(&c->retry, &f, k->retries, k->throttles, vod_monotonic() - k->start,
                           k->idempotent, vod_client_wallnow(c), &c->rng, &throttle);
    if (delay >= 0) {
        if (throttle) {
            k->throttles++;
            vod_debug(L, c, "throttled (%s) on attempt %d: waiting %.3fs for the quota's next "
                      "window; the client's rate is now %.2f/s", f.code, k->attempts, delay,
                      c->limiter.st.rate * VOD_RATE_MARGIN);
        } else {
            k->retries++;
            vod_debug(L, c, "retry %d after %s in %.3fs", k->retries, f.code, delay);
        }
        lua_pop(L, 1);
        k->sleep = delay;
        k->state = C_RETRY_SLEEP;
        return VOD_OP_SLEEP;
    }
    finish_error(L, -1, k->attempts, k->first_ambiguous[0] ? k->first_ambiguous : NULL,
                     k->sid[0] ? k->sid : NULL, k->idempotent);
    k->state = C_DONE;
    return lua_error(L);
}

/* The exchange read a whole answer. */
static int answered(lua_State *L, vod_call *k)
{
    vod_client *c = k->c;
    vod_exchange *x = &k->x;
    if (c->route.absolute_form && x->h1.status == 407) {
        /* the proxy's own answer to a request sent to it: nothing went further */
        push_failure(L, k, VOD_FAIL_PROXY_AUTH, "the proxy refused the credentials (407 Proxy "
                     "Authentication Required)", 407, 0);
        return decide(L, k);
    }
    if (vod_response_parse(L, c, k->action, x->h1.status, x->body.data ? x->body.data : "",
                           x->body.len)) {
        rate_feedback(k, NULL);
        k->state = C_DONE;
        return VOD_OP_DONE;
    }
    return decide(L, k);
}

/* Runs the exchange one step: its I/O goes to the driver. */
static int exchange(lua_State *L, vod_call *k, const vod_ev *ev)
{
    vod_exchange *x = &k->x;
    vod_xop op;
    if (k->asked == VOD_OP_CONNECT && ev->x.kind == VOD_XEV_OK && !ev->x.reused &&
        k->target == VOD_TARGET_API)
        k->c->connects++;
    op = vod_x_next(x, &ev->x, now_ms());
    switch (op) {
    case VOD_XOP_CONNECT: return VOD_OP_CONNECT;
    case VOD_XOP_HANDSHAKE: return VOD_OP_HANDSHAKE;
    case VOD_XOP_SEND: return VOD_OP_SEND;
    case VOD_XOP_RECV: return VOD_OP_RECV;
    case VOD_XOP_KEEP: return VOD_OP_KEEP;
    case VOD_XOP_CLOSE: return VOD_OP_CLOSE;
    default: break;
    }
    if (k->state == C_META)
        return meta_over(L, k, op == VOD_XOP_DONE);
    /* an attempt that never went out counts, and so does a resend */
    k->attempts += x->sends > 1 ? x->sends : 1;
    k->c->calls += x->sends;
    if (op == VOD_XOP_DONE)
        return answered(L, k);
    push_failure(L, k, x->fail, x->msg, x->http_status, x->sent);
    return decide(L, k);
}

vod_op vod_call_step(lua_State *L, vod_call *k, const vod_ev *ev)
{
    static const vod_ev none;
    int base = lua_gettop(L), r = NEXT;
    if (!k->c->ready)
        vod_error_raise(L, VOD_E_CLOSED, k->action[0] ? k->action : NULL,
                        "this client has been closed");
    for (;;) {
        switch (k->state) {
        case C_START:
            r = creds_phase(L, k);
            break;
        case C_CREDS_FN:
            vod_creds_from_function(L, k->c, ev->base);
            base = ev->base - 1;            /* pcall's results are used up */
            lua_settop(L, base);
            r = creds_ready(k);
            break;
        case C_META:
        case C_X:
            r = exchange(L, k, ev);
            break;
        case C_RATE:
            r = rate_phase(L, k);
            break;
        case C_RATE_INCR:
            r = slot_counted(L, k, ev);
            break;
        case C_RATE_SLEEP:
            k->state = C_SIGN;
            break;
        case C_SIGN:
            r = sign_and_send(L, k);
            break;
        case C_RETRY_SLEEP:
            k->state = C_RATE;
            break;
        default:        /* C_DONE */
            return VOD_OP_DONE;
        }
        if (r != NEXT) {
            if (r != VOD_OP_DONE)
                lua_settop(L, base);
            k->asked = r;
            return (vod_op)r;
        }
        ev = &none;
    }
}
