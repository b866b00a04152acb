/* The halves of a call as methods that do no I/O: what a transport of its
 * own is made of (the cosocket transport, src/lua/ngx.lua): build and sign,
 * parse, the retry policy, the rate limit, the clock and the debug sink. */
#include "steps.h"

#include <stdio.h>
#include <string.h>

#include "call.h"
#include "client_type.h"
#include "clock.h"
#include "args.h"
#include "compat.h"
#include "cred_refresh.h"
#include "errors.h"
#include "request.h"

static void set_header(lua_State *L, const char *line)
{
    const char *colon = strchr(line, ':');
    const char *v = colon + 1;
    while (*v == ' ')
        v++;
    if (*v == '\0')
        return;                         /* "Expect:" only tells libcurl to drop it */
    lua_pushlstring(L, line, (size_t)(colon - line));
    lua_pushstring(L, v);
    lua_rawset(L, -3);
}

/* client:build_request(action, params [, { check = true, timestamp = now }])
 * -> { method, scheme, host, port, path, body, headers = { name = value } }
 * Checks (for actions with rules, unless check = false), encodes and signs,
 * without I/O, for a transport of the caller's own (an nginx cosocket). */
int vod_m_build_request(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    const char *action = vod_check_action(L, 2);
    long long ts = vod_client_now(c);
    const char *session_id = NULL;
    int check = 1;
    vod_arg_check_type(L, 3, LUA_TTABLE);
    if (!lua_isnoneornil(L, 4)) {
        vod_arg_check_type(L, 4, LUA_TTABLE);
        lua_getfield(L, 4, "check");
        check = lua_isnil(L, -1) || lua_toboolean(L, -1);
        lua_getfield(L, 4, "timestamp");
        if (!lua_isnil(L, -1) && (!vod_tointegral(L, -1, &ts) || ts < 0))
            vod_arg_error(L, 4, "timestamp must be a non-negative integer");
        lua_getfield(L, 4, "session_id");
        if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
            vod_arg_error(L, 4, "session_id must be a string");
        session_id = lua_tostring(L, -1);   /* held by the options table */
        lua_pop(L, 3);
    }
    vod_request_prepare(L, c, action, 3, check ? vod_model_action(action, strlen(action)) : NULL);
    if (session_id != NULL && vod_body_add_session_id(c, session_id) != 0)
        vod_error_raise(L, VOD_E_OUT_OF_MEMORY, action, "out of memory adding the SessionId");
    if (c->cred.refresh_at != VOD_CREDS_NEVER)
        vod_creds_require(L, c, action);    /* fetched by the transport beforehand */
    vod_request_sign(L, c, action, ts);
    lua_createtable(L, 0, 8);
    lua_pushliteral(L, "POST");
    lua_setfield(L, -2, "method");
    lua_pushstring(L, c->scheme);
    lua_setfield(L, -2, "scheme");
    vod_push_host_port(L, c);
    lua_pushliteral(L, "/");
    lua_setfield(L, -2, "path");
    lua_pushlstring(L, c->body.data, c->body.len);
    lua_setfield(L, -2, "body");
    lua_createtable(L, 0, 12);
    lua_pushstring(L, c->endpoint);
    lua_setfield(L, -2, "Host");
    for (size_t i = 0; i < c->nfixed; i++)
        set_header(L, c->lines[i]);
    set_header(L, c->hdr_action);
    set_header(L, c->hdr_timestamp);
    set_header(L, c->hdr_auth);
    lua_setfield(L, -2, "headers");
    return 1;
}

/* client:parse_response(action, http_status, body) -> Response table, or
 * raises the same error objects as a call through libcurl. No I/O. */
int vod_m_parse_response(lua_State *L)
{
    size_t len;
    vod_client *c = vod_client_check(L, 1);
    const char *action = vod_arg_check_string(L, 2, NULL);
    long long status = 0;
    const char *body;
    vod_arg_check_type(L, 3, LUA_TNUMBER);
    if (!vod_tointegral(L, 3, &status) || status < 100 || status > 999)
        vod_arg_error(L, 3, "HTTP status must be an integer from 100 to 999");
    body = vod_arg_check_string(L, 4, &len);
    if (!vod_response_parse(L, c, action, (long)status, body, len)) {
        vod_failure f;
        vod_failure_of(L, -1, &f);
        lua_pushboolean(L, vod_retry_safe(&f, vod_is_read_only(action)));
        lua_setfield(L, -2, "retryable");
        return lua_error(L);
    }
    return 1;
}

/* client:retry_plan(err, retries_so_far, elapsed, idempotent [, throttles_so_far])
 * -> seconds to wait before the next attempt and whether it is for a throttle,
 * or nil: the policy of the libcurl path, for a transport of its own (nginx). */
int vod_m_retry_plan(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    vod_failure f;
    int retries, throttles, throttle;
    double elapsed, delay;
    vod_arg_check_type(L, 2, LUA_TTABLE);
    retries = (int)vod_arg_check_integer(L, 3);
    elapsed = vod_arg_check_number(L, 4);
    throttles = lua_isnoneornil(L, 6) ? 0 : (int)vod_arg_check_integer(L, 6);
    vod_failure_of(L, 2, &f);
    delay = vod_retry_plan(&c->retry, &f, retries, throttles, elapsed, lua_toboolean(L, 5),
                           vod_client_wallnow(c), &c->rng, &throttle);
    if (delay < 0)
        return 0;
    lua_pushnumber(L, (lua_Number)delay);
    lua_pushboolean(L, throttle);
    return 2;
}

/* client:finish_error(err, attempts, first_ambiguous_code_or_nil, session_id_or_nil,
 * idempotent) -> the error to raise (ClientError.MaybeCreated after a refused retry). */
int vod_m_finish_error(lua_State *L)
{
    (void)vod_client_check(L, 1);
    vod_arg_check_type(L, 2, LUA_TTABLE);
    lua_settop(L, 6);
    vod_finish_error(L, 2, (int)vod_arg_check_integer(L, 3), vod_arg_opt_string(L, 4, NULL),
                     vod_arg_opt_string(L, 5, NULL), lua_toboolean(L, 6));
    lua_settop(L, 2);
    return 1;
}

/* client:request_policy(action, params) -> idempotent, session_id, read_only,
 * generated, skips_limiter */
int vod_m_request_policy(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    const char *action = vod_arg_check_string(L, 2, NULL);
    const char *session_id;
    int generated;
    vod_arg_check_type(L, 3, LUA_TTABLE);
    session_id = vod_request_session_id(L, c, action, 3, &generated);
    lua_pushboolean(L, vod_is_read_only(action) || session_id != NULL);
    if (session_id != NULL)
        lua_pushvalue(L, -2);
    else
        lua_pushnil(L);
    lua_pushboolean(L, vod_is_read_only(action));
    lua_pushboolean(L, generated);
    lua_pushboolean(L, vod_skips_limiter(action));
    return 5;
}

/* client:rate_limit_wait() -> seconds to wait for this client's next token */
int vod_m_rate_limit_wait(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    lua_pushnumber(L, (lua_Number)vod_limiter_take(&c->limiter, vod_monotonic()));
    return 1;
}

/* The shared form of the adaptive rate: six numbers in a string. */
#define RATE_STATE_FMT "%.17g %.17g %.17g %.17g %.17g %.17g"

/* client:adapt_rate(throttled) -> the client's rate, adapted (its own bucket);
 * client:adapt_rate(throttled, state, now) -> new state, rate: the same for a
 * state kept elsewhere (a lua_shared_dict shared by nginx's workers; state
 * nil: a fresh one). Rates are in requests per second, margin included. */
int vod_m_adapt_rate(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    int throttled = lua_toboolean(L, 2);
    vod_rate_state st;
    char out[200];
    double rate;
    if (c->limiter.max_rate <= 0)
        return 0;
    if (lua_isnoneornil(L, 4)) {
        vod_limiter_feedback(&c->limiter, throttled, vod_monotonic());
        lua_pushnumber(L, (lua_Number)(c->limiter.st.rate * VOD_RATE_MARGIN));
        return 1;
    }
    if (lua_isnil(L, 3) || sscanf(vod_arg_check_string(L, 3, NULL), "%lf %lf %lf %lf %lf %lf",
                                  &st.rate, &st.w_max, &st.last_throttle, &st.measured,
                                  &st.tx_bucket, &st.tx_count) != 6)
        vod_rate_init(&st, c->limiter.max_rate);
    rate = c->limiter.adaptive
               ? vod_rate_feedback(&st, c->limiter.max_rate, throttled, vod_arg_check_number(L, 4))
               : c->limiter.max_rate;
    snprintf(out, sizeof out, RATE_STATE_FMT, st.rate, st.w_max, st.last_throttle, st.measured,
             st.tx_bucket, st.tx_count);
    lua_pushstring(L, out);
    lua_pushnumber(L, (lua_Number)(rate * VOD_RATE_MARGIN));
    return 2;
}

/* client:learn_clock(http_date) -> true when the offset was taken */
int vod_m_learn_clock(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    int ok = vod_learn_clock(c, vod_arg_check_string(L, 2, NULL));
    if (ok)
        vod_debug(L, c, "clock corrected by %llds from the server's Date", c->clock_offset);
    lua_pushboolean(L, ok);
    return 1;
}

/* client:debug(line): a line to the debug sink, if one is configured */
int vod_m_debug(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    vod_debug(L, c, "%s", vod_arg_check_string(L, 2, NULL));
    return 0;
}
