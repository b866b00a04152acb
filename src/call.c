/* A call through libcurl: the request is checked and encoded once, then each
 * attempt is signed afresh, sent, and parsed; a failed attempt is retried
 * when the policy in retry.c says it is safe. Everything allocated lives in
 * the client's box, so an error raised here leaks nothing, and nothing here
 * runs inside a libcurl callback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "clock.h"
#include "compat.h"
#include "errors.h"

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

/* One attempt. Pushes the Response table and returns 1, or pushes an error
 * object and returns 0. */
static int attempt_once(lua_State *L, vod_client *c, const char *action)
{
    vod_tp_result r;
    size_t n = c->nfixed;
    vod_client_transport(L, c);
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
    vod_pushint(L, attempts);
    lua_setfield(L, err, "attempts");
    lua_pushboolean(L, vod_retry_safe(&f, idempotent));
    lua_setfield(L, err, "retryable");
}

int vod_client_request(lua_State *L, vod_client *c, const char *action, int params,
                       const vod_action_rules *rules)
{
    int attempts = 0, retries = 0, skew_fixed = 0, idempotent, base;
    const char *session_id = NULL;
    char first_ambiguous[64] = "";
    double start = vod_monotonic();

    params = vod_absindex(L, params);
    vod_request_prepare(L, c, action, params, rules);
    if (c->cred.refresh_at != VOD_CREDS_NEVER)
        vod_creds_refresh(L, c);            /* a credentials function or the CVM role */
    if (vod_has_session_id(L, params)) {
        lua_pushliteral(L, "SessionId");
        lua_rawget(L, params);              /* kept on the stack below base */
        session_id = lua_tostring(L, -1);
    }
    idempotent = vod_is_read_only(action) || session_id != NULL;
    base = lua_gettop(L);
    for (;;) {
        vod_failure f;
        double delay;
        vod_sleep(vod_bucket_take(&c->bucket, vod_monotonic()));
        vod_request_sign(L, c, action, vod_client_now(c));
        attempts++;
        if (attempt_once(L, c, action))
            return 1;
        vod_failure_of(L, -1, &f);
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
        if (c->retry.enabled && retries < c->retry.max && vod_retry_safe(&f, idempotent)) {
            delay = vod_retry_delay(&c->retry, retries + 1, &c->rng);
            if (vod_monotonic() - start + delay < c->retry.deadline) {
                retries++;
                vod_debug(L, c, "retry %d after %s in %.3fs", retries, f.code, delay);
                vod_sleep(delay);
                lua_settop(L, base);
                continue;
            }
        }
        vod_finish_error(L, -1, attempts, first_ambiguous[0] ? first_ambiguous : NULL, session_id,
                         idempotent);
        return lua_error(L);
    }
}

static const vod_action_rules *rules_for(const char *action)
{
    if (strcmp(action, "CreateAigcSubject") == 0)
        return &vod_rules_create_aigc_subject;
    if (strcmp(action, "DescribeTaskDetail") == 0)
        return &vod_rules_describe_task_detail;
    return NULL;
}

void vod_push_host_port(lua_State *L, const vod_client *c)
{
    const char *colon = c->endpoint + strlen(c->host);
    if (c->host[0] == '[')              /* cosockets take a bare IPv6 address */
        lua_pushlstring(L, c->host + 1, strlen(c->host) - 2);
    else
        lua_pushstring(L, c->host);
    lua_setfield(L, -2, "host");
    vod_pushint(L, *colon == ':' ? atol(colon + 1) : (strcmp(c->scheme, "https") == 0 ? 443 : 80));
    lua_setfield(L, -2, "port");
}

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
static int m_build_request(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    const char *action = vod_check_action(L, 2);
    long long ts = vod_client_now(c);
    int check = 1;
    luaL_checktype(L, 3, LUA_TTABLE);
    if (!lua_isnoneornil(L, 4)) {
        luaL_checktype(L, 4, LUA_TTABLE);
        lua_getfield(L, 4, "check");
        check = lua_isnil(L, -1) || lua_toboolean(L, -1);
        lua_getfield(L, 4, "timestamp");
        if (!lua_isnil(L, -1) && (!vod_tointegral(L, -1, &ts) || ts < 0))
            luaL_argerror(L, 4, "timestamp must be a non-negative integer");
        lua_pop(L, 2);
    }
    vod_request_prepare(L, c, action, 3, check ? rules_for(action) : NULL);
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
static int m_parse_response(lua_State *L)
{
    size_t len;
    const char *action = luaL_checkstring(L, 2);
    long long status = 0;
    const char *body;
    vod_client *c = vod_client_check(L, 1);
    luaL_checktype(L, 3, LUA_TNUMBER);
    if (!vod_tointegral(L, 3, &status) || status < 100 || status > 999)
        luaL_argerror(L, 3, "HTTP status must be an integer from 100 to 999");
    body = luaL_checklstring(L, 4, &len);
    if (!vod_response_parse(L, c, action, (long)status, body, len)) {
        vod_failure f;
        vod_failure_of(L, -1, &f);
        lua_pushboolean(L, vod_retry_safe(&f, vod_is_read_only(action)));
        lua_setfield(L, -2, "retryable");
        return lua_error(L);
    }
    return 1;
}

/* client:retry_plan(err, retries_so_far, elapsed, idempotent) -> seconds to
 * wait before the next attempt, or nil: the policy of the libcurl path, for
 * a transport of its own (nginx). */
static int m_retry_plan(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    vod_failure f;
    int retries = (int)luaL_checkinteger(L, 3);
    double elapsed = (double)luaL_checknumber(L, 4), delay;
    luaL_checktype(L, 2, LUA_TTABLE);
    vod_failure_of(L, 2, &f);
    if (!c->retry.enabled || retries >= c->retry.max || !vod_retry_safe(&f, lua_toboolean(L, 5)))
        return 0;
    delay = vod_retry_delay(&c->retry, retries + 1, &c->rng);
    if (elapsed + delay >= c->retry.deadline)
        return 0;
    lua_pushnumber(L, (lua_Number)delay);
    return 1;
}

/* client:finish_error(err, attempts, first_ambiguous_code_or_nil, session_id_or_nil,
 * idempotent) -> the error to raise (ClientError.MaybeCreated after a refused retry). */
static int m_finish_error(lua_State *L)
{
    (void)vod_client_check(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    lua_settop(L, 6);
    vod_finish_error(L, 2, (int)luaL_checkinteger(L, 3), luaL_optstring(L, 4, NULL),
                     luaL_optstring(L, 5, NULL), lua_toboolean(L, 6));
    lua_settop(L, 2);
    return 1;
}

/* client:request_policy(action, params) -> idempotent, session_id, read_only */
static int m_request_policy(lua_State *L)
{
    const char *action = luaL_checkstring(L, 2);
    int has;
    (void)vod_client_check(L, 1);
    luaL_checktype(L, 3, LUA_TTABLE);
    has = vod_has_session_id(L, 3);
    lua_pushboolean(L, vod_is_read_only(action) || has);
    if (has) {
        lua_pushliteral(L, "SessionId");
        lua_rawget(L, 3);
    } else {
        lua_pushnil(L);
    }
    lua_pushboolean(L, vod_is_read_only(action));
    return 3;
}

/* client:rate_limit_wait() -> seconds to wait for this client's next token */
static int m_rate_limit_wait(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    lua_pushnumber(L, (lua_Number)vod_bucket_take(&c->bucket, vod_monotonic()));
    return 1;
}

/* client:learn_clock(http_date) -> true when the offset was taken */
static int m_learn_clock(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    int ok = vod_learn_clock(c, luaL_checkstring(L, 2));
    if (ok)
        vod_debug(L, c, "clock corrected by %llds from the server's Date", c->clock_offset);
    lua_pushboolean(L, ok);
    return 1;
}

/* client:debug(line): a line to the debug sink, if one is configured */
static int m_debug(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    vod_debug(L, c, "%s", luaL_checkstring(L, 2));
    return 0;
}

/* An action name goes into a header: letters and digits only. Takes the
 * action from the stack, so a NUL byte cannot cut it short unseen. */
const char *vod_check_action(lua_State *L, int idx)
{
    size_t len;
    const char *action = luaL_checklstring(L, idx, &len);
    if (len == 0 || len > 64)
        vod_error_raise(L, VOD_E_INVALID_PARAMETER, NULL,
                        "action must be 1 to 64 letters and digits, got %zu bytes", len);
    for (size_t i = 0; i < len; i++) {
        char ch = action[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
            vod_error_raise(L, VOD_E_INVALID_PARAMETER, NULL,
                            "action must contain only letters and digits (e.g. "
                            "\"DescribeTaskDetail\")");
    }
    return action;
}

void vod_call_register(lua_State *L)
{
    static const luaL_Reg m[] = {
        { "build_request", m_build_request },
        { "parse_response", m_parse_response },
        { "retry_plan", m_retry_plan },
        { "finish_error", m_finish_error },
        { "request_policy", m_request_policy },
        { "rate_limit_wait", m_rate_limit_wait },
        { "learn_clock", m_learn_clock },
        { "debug", m_debug },
        { NULL, NULL },
    };
    luaL_setfuncs(L, m, 0);
}

/* client:create_aigc_subject(params) */
int vod_m_create_aigc_subject(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    return vod_client_request(L, c, "CreateAigcSubject", 2, &vod_rules_create_aigc_subject);
}

/* client:describe_task_detail(params) */
int vod_m_describe_task_detail(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    luaL_checktype(L, 2, LUA_TTABLE);
    return vod_client_request(L, c, "DescribeTaskDetail", 2, &vod_rules_describe_task_detail);
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
    luaL_checktype(L, 3, LUA_TTABLE);
    return vod_client_request(L, c, action, 3, NULL);
}
