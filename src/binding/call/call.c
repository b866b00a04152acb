/* A call through libcurl: the request is checked and encoded once, then each
 * attempt is signed afresh, sent, and parsed; a failed attempt is retried
 * when the policy in retry.c says it is safe. Everything allocated lives in
 * the client's box, so an error raised here leaks nothing, and nothing here
 * runs inside a libcurl callback. */
#include "call.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_type.h"
#include "clock.h"
#include "args.h"
#include "compat.h"
#include "cred_refresh.h"
#include "errors.h"
#include "request.h"

static const char *tp_code(vod_tp_status s)
{
    switch (s) {
    case VOD_TP_DNS: return VOD_E_DNS;
    case VOD_TP_CONNECT: return VOD_E_CONNECT;
    case VOD_TP_TLS: return VOD_E_TLS;
    case VOD_TP_TLS_VERIFY: return VOD_E_TLS_VERIFY;
    case VOD_TP_TIMEOUT: return VOD_E_TIMEOUT;
    case VOD_TP_PROXY: return VOD_E_PROXY;
    case VOD_TP_PROXY_AUTH: return VOD_E_PROXY_AUTH;
    case VOD_TP_TOO_LARGE: return VOD_E_TOO_LARGE;
    case VOD_TP_NOMEM: return VOD_E_OUT_OF_MEMORY;
    default: return VOD_E_NETWORK;
    }
}

/* Sets up libcurl on the first call through it (an nginx worker never does). */
static void client_transport(lua_State *L, vod_client *c)
{
    vod_tp_config tc;
    if (c->tp.easy != NULL)
        return;
    tc.url = c->url;
    tc.ca_file = c->ca_file.len ? vod_buf_cstr(&c->ca_file) : NULL;
    tc.timeout_ms = c->timeout_ms;
    tc.connect_timeout_ms = c->connect_timeout_ms;
    tc.max_response = c->max_response;
    tc.proxy = &c->proxy;
    if (vod_transport_global_init() != 0 || vod_transport_init(&c->tp, &tc) != 0) {
        char why[CURL_ERROR_SIZE];
        snprintf(why, sizeof why, "%s", c->tp.errbuf[0] ? c->tp.errbuf : "curl_global_init failed");
        vod_transport_free(&c->tp);     /* the next call tries again */
        vod_error_raise(L, VOD_E_INTERNAL, NULL, "libcurl set-up failed: %s", why);
    }
}

/* One attempt. Pushes the Response table and returns 1, or pushes an error
 * object and returns 0. */
static int attempt_once(lua_State *L, vod_client *c, const char *action)
{
    vod_tp_result r;
    size_t n = c->nfixed;
    client_transport(L, c);
    c->lines[n++] = c->hdr_action;
    c->lines[n++] = c->hdr_timestamp;
    c->lines[n++] = c->hdr_auth;
    /* only a read-only action may be sent again by libcurl on its own */
    vod_transport_post(&c->tp, c->lines, n, c->body.data, c->body.len, vod_is_read_only(action), &r);
    c->calls++;
    c->connects += r.connects;
    if (r.status != VOD_TP_OK) {
        int px = c->proxy.kind != VOD_PROXY_NONE;
        vod_debug(L, c, "< failed: %s", r.message);
        vod_error_push(L, tp_code(r.status), action, "%s (%s://%s%s%s)", r.message, c->scheme,
                       c->endpoint, px ? " via proxy " : "", px ? c->proxy.hostport : "");
        if (px) {
            lua_pushstring(L, c->proxy.hostport);
            lua_setfield(L, -2, "proxy");
        }
        if (r.http_status) {
            vod_pushint(L, r.http_status);
            lua_setfield(L, -2, "http_status");
        }
        lua_pushboolean(L, r.sent);         /* may it have reached the server? */
        lua_setfield(L, -2, "ambiguous");
        return 0;
    }
    return vod_response_parse(L, c, action, r.http_status,
                              c->tp.response.data ? c->tp.response.data : "", c->tp.response.len);
}

void vod_finish_error(lua_State *L, int err, int attempts, const char *first_ambiguous,
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

/* An answer from the API (not a failure on the way) tells the limiter
 * whether the quota is short. */
static void rate_feedback(vod_client *c, const char *code)
{
    if (code == NULL || strncmp(code, "ClientError.", 12) != 0)
        vod_limiter_feedback(&c->limiter, code != NULL && vod_retry_is_throttle(code),
                             vod_monotonic());
}

int vod_client_request(lua_State *L, vod_client *c, const char *action, int params,
                       const vod_maction *typed)
{
    int attempts = 0, retries = 0, throttles = 0, skew_fixed = 0, idempotent, base, generated;
    int paced = vod_skips_limiter(action);     /* paced by the server (PullEvents): no bucket */
    const char *session_id;
    char first_ambiguous[64] = "";
    double start = vod_monotonic();

    params = vod_absindex(L, params);
    vod_request_prepare(L, c, action, params, typed);
    if (c->cred.refresh_at != VOD_CREDS_NEVER)
        vod_creds_refresh(L, c);            /* a credentials function or the CVM role */
    /* kept on the stack below base for the whole call */
    session_id = vod_request_session_id(L, c, action, params, &generated);
    if (generated && vod_body_add_session_id(c, session_id) != 0)
        vod_error_raise(L, VOD_E_OUT_OF_MEMORY, action, "out of memory adding the SessionId");
    idempotent = vod_is_read_only(action) || session_id != NULL;
    base = lua_gettop(L);
    for (;;) {
        vod_failure f;
        double delay;
        int throttle;
        if (!paced)
            vod_sleep(vod_limiter_take(&c->limiter, vod_monotonic()));
        vod_request_sign(L, c, action, vod_client_now(c));
        attempts++;
        if (attempt_once(L, c, action)) {
            if (!paced)
                rate_feedback(c, NULL);
            return 1;
        }
        vod_failure_of(L, -1, &f);
        if (!paced)
            rate_feedback(c, f.code);
        if (f.ambiguous && !first_ambiguous[0])
            snprintf(first_ambiguous, sizeof first_ambiguous, "%s", f.code);
        /* a clock off by more than 5 minutes: take the server's, once */
        if (c->retry.enabled && !skew_fixed && strcmp(f.code, "AuthFailure.SignatureExpire") == 0 &&
            c->tp.date[0] && vod_learn_clock(c, c->tp.date)) {
            skew_fixed = 1;
            vod_debug(L, c, "clock corrected by %llds from the server's Date", c->clock_offset);
            lua_settop(L, base);
            continue;
        }
        delay = vod_retry_plan(&c->retry, &f, retries, throttles, vod_monotonic() - start,
                               idempotent, vod_client_wallnow(c), &c->rng, &throttle);
        if (delay >= 0) {
            if (throttle) {
                throttles++;
                vod_debug(L, c, "throttled (%s) on attempt %d: waiting %.3fs for the quota's next "
                          "window; the client's rate is now %.2f/s", f.code, attempts, delay,
                          c->limiter.st.rate * VOD_RATE_MARGIN);
            } else {
                retries++;
                vod_debug(L, c, "retry %d after %s in %.3fs", retries, f.code, delay);
            }
            vod_sleep(delay);
            lua_settop(L, base);
            continue;
        }
        vod_finish_error(L, -1, attempts, first_ambiguous[0] ? first_ambiguous : NULL, session_id,
                         idempotent);
        return lua_error(L);
    }
}

/* client:<action in snake_case>(params): every action of the model, checked
 * by it. The action is the closure's third upvalue (methods.c, module.c). */
int vod_m_action(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    const vod_maction *a = lua_touserdata(L, lua_upvalueindex(3));
    vod_arg_check_type(L, 2, LUA_TTABLE);
    return vod_client_request(L, c, vod_maction_name(a), 2, a);
}

/* client:call(action, params): any action, the table sent as given. */
int vod_m_call(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    const char *action = vod_check_action(L, 2);
    if (lua_isnoneornil(L, 3)) {
        lua_settop(L, 2);
        lua_newtable(L);
    }
    vod_arg_check_type(L, 3, LUA_TTABLE);
    return vod_client_request(L, c, action, 3, NULL);
}
