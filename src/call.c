/* One request, end to end: check, encode, sign, send, parse. Everything it
 * allocates lives in the client's box, so any error raised here leaks nothing;
 * nothing here runs inside a libcurl callback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "client.h"
#include "compat.h"
#include "errors.h"
#include "json_decode.h"
#include "json_encode.h"

static int raise_param(lua_State *L, const char *action, const char *param, const char *msg)
{
    vod_error_push(L, VOD_E_INVALID_PARAMETER, action, "%s", msg);
    if (param && *param) {
        lua_pushstring(L, param);
        lua_setfield(L, -2, "param");
    }
    return lua_error(L);
}

static void encode_body(lua_State *L, vod_client *c, const char *action, int params)
{
    vod_json_error je;
    vod_buf_reset(&c->body);
    if (vod_json_encode_object(L, params, &c->body, &je) != 0) {
        char msg[400];
        if (je.oom)
            vod_error_raise(L, VOD_E_OUT_OF_MEMORY, action, "out of memory encoding the body");
        snprintf(msg, sizeof msg, "%s%s%s", je.path[0] ? je.path : "parameters",
                 " ", je.message);
        raise_param(L, action, je.path, msg);
    }
    if (c->body.len > VOD_MAX_BODY)
        vod_error_raise(L, VOD_E_INVALID_PARAMETER, action, "the request body is %zu bytes; "
                        "the API accepts at most %u", c->body.len, VOD_MAX_BODY);
}

static void sign(lua_State *L, vod_client *c, const char *action, long long now)
{
    tc3_request rq;
    tc3_result rs;
    memset(&rq, 0, sizeof rq);
    rq.method = "POST";
    rq.query = "";
    rq.content_type = "application/json";
    rq.host = c->host;
    rq.payload = (const unsigned char *)c->body.data;
    rq.payload_len = c->body.len;
    rq.timestamp = now;
    if (tc3_sign(&c->signer, &rq, &rs) != 0)
        vod_error_raise(L, VOD_E_INTERNAL, action, "signing failed");
    snprintf(c->hdr_action, sizeof c->hdr_action, "X-TC-Action: %s", action);
    snprintf(c->hdr_timestamp, sizeof c->hdr_timestamp, "X-TC-Timestamp: %lld", now);
    snprintf(c->hdr_auth, sizeof c->hdr_auth, "Authorization: %s", rs.authorization);
}

static const char *tp_code(vod_tp_status s)
{
    switch (s) {
    case VOD_TP_DNS: return VOD_E_DNS;
    case VOD_TP_CONNECT: return VOD_E_CONNECT;
    case VOD_TP_TLS: return VOD_E_TLS;
    case VOD_TP_TIMEOUT: return VOD_E_TIMEOUT;
    case VOD_TP_TOO_LARGE: return VOD_E_TOO_LARGE;
    case VOD_TP_NOMEM: return VOD_E_OUT_OF_MEMORY;
    case VOD_TP_NETWORK: return VOD_E_NETWORK;
    default: return VOD_E_NETWORK;
    }
}

static void set_int_field(lua_State *L, const char *name, long v)
{
    vod_pushint(L, v);
    lua_setfield(L, -2, name);
}

/* A status other than 200: a proxy or gateway answered, not the API. The
 * start of the body (printable bytes only) goes into the message. */
static int raise_http_status(lua_State *L, vod_client *c, const char *action, long status,
                             const char *body, size_t blen)
{
    char snippet[121];
    size_t k, len = blen < 120 ? blen : 120;
    for (k = 0; k < len; k++) {
        unsigned char ch = (unsigned char)body[k];
        snippet[k] = (ch < 0x20 || ch >= 0x7f) ? ' ' : (char)ch;
    }
    snippet[k] = '\0';
    vod_error_push(L, VOD_E_HTTP_STATUS, action, "HTTP %ld from %s://%s%s%s", status, c->scheme,
                   c->endpoint, len ? ": " : "", snippet);
    set_int_field(L, "http_status", status);
    return lua_error(L);
}

static void send_request(lua_State *L, vod_client *c, const char *action)
{
    vod_tp_result r;
    size_t n = c->nfixed;
    vod_client_transport(L, c);
    c->lines[n++] = c->hdr_action;
    c->lines[n++] = c->hdr_timestamp;
    c->lines[n++] = c->hdr_auth;
    /* only a read-only action may be sent again by libcurl on its own */
    vod_transport_post(&c->tp, c->lines, n, c->body.data, c->body.len,
                       strncmp(action, "Describe", 8) == 0, &r);
    c->calls++;
    c->connects += r.connects;
    if (r.status != VOD_TP_OK) {
        vod_error_push(L, tp_code(r.status), action, "%s (%s://%s)", r.message, c->scheme,
                       c->endpoint);
        if (r.http_status)
            set_int_field(L, "http_status", r.http_status);
        /* nothing reached the server: safe to retry (issue #4 builds on this) */
        lua_pushboolean(L, r.status == VOD_TP_DNS || r.status == VOD_TP_CONNECT);
        lua_setfield(L, -2, "retryable");
        lua_error(L);
    }
    if (r.http_status != 200)
        raise_http_status(L, c, action, r.http_status, c->tp.response.data, c->tp.response.len);
}

static int malformed(lua_State *L, const char *action, const char *why)
{
    vod_error_push(L, VOD_E_MALFORMED, action, "malformed response: %s", why);
    set_int_field(L, "http_status", 200);
    return lua_error(L);
}

/* Leaves the Response table on the stack, or raises the API's error. */
static void parse_response(lua_State *L, const char *action, const char *body, size_t len)
{
    char err[128];
    int resp;
    if (!vod_json_decode(L, body, len, err, sizeof err))
        malformed(L, action, err);
    if (lua_type(L, -1) != LUA_TTABLE)
        malformed(L, action, "the body is not a JSON object");
    lua_getfield(L, -1, "Response");
    if (lua_type(L, -1) != LUA_TTABLE)
        malformed(L, action, "no \"Response\" object in the body");
    lua_remove(L, -2);
    resp = lua_gettop(L);
    lua_getfield(L, resp, "Error");
    if (lua_type(L, -1) == LUA_TTABLE) {
        const char *code, *msg;
        int retry;
        lua_getfield(L, -1, "Code");
        lua_getfield(L, -2, "Message");
        code = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
        msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
        if (code == NULL)
            malformed(L, action, "Response.Error has no Code");
        retry = strncmp(code, "RequestLimitExceeded", 20) == 0;
        vod_error_push(L, code, action, "%s", msg);
        lua_getfield(L, resp, "RequestId");
        if (lua_type(L, -1) == LUA_TSTRING)
            lua_setfield(L, -2, "request_id");
        else
            lua_pop(L, 1);
        set_int_field(L, "http_status", 200);
        lua_pushboolean(L, retry);
        lua_setfield(L, -2, "retryable");
        lua_error(L);
    }
    lua_pop(L, 1);
}

/* Check, encode and sign: the part of a request that does no I/O. */
static void prepare(lua_State *L, vod_client *c, const char *action, int params,
                    const vod_action_rules *rules, long long timestamp)
{
    if (rules != NULL) {
        vod_check_error ce;
        if (vod_check_params(L, params, rules, &ce) != 0)
            raise_param(L, action, ce.param, ce.message);
    }
    encode_body(L, c, action, params);
    sign(L, c, action, timestamp);
}

int vod_client_request(lua_State *L, vod_client *c, const char *action, int params,
                       const vod_action_rules *rules)
{
    params = vod_absindex(L, params);
    prepare(L, c, action, params, rules, (long long)time(NULL));
    send_request(L, c, action);
    parse_response(L, action, c->tp.response.data ? c->tp.response.data : "",
                   c->tp.response.len);
    return 1;
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
    const char *action = luaL_checkstring(L, 2);
    long long ts = (long long)time(NULL);
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
    vod_check_action(L, action);
    prepare(L, c, action, 3, check ? rules_for(action) : NULL, ts);
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
    long long status;
    const char *body;
    vod_client *c = vod_client_check(L, 1);
    luaL_checktype(L, 3, LUA_TNUMBER);
    if (!vod_tointegral(L, 3, &status) || status < 100 || status > 999)
        luaL_argerror(L, 3, "HTTP status must be an integer from 100 to 999");
    body = luaL_checklstring(L, 4, &len);
    if (status != 200)
        return raise_http_status(L, c, action, (long)status, body, len);
    parse_response(L, action, body, len);
    return 1;
}

/* An action name goes into a header: letters and digits only. */
void vod_check_action(lua_State *L, const char *action)
{
    size_t len = strlen(action);
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
}

void vod_call_register(lua_State *L)
{
    static const luaL_Reg m[] = {
        { "build_request", m_build_request },
        { "parse_response", m_parse_response },
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
    const char *action = luaL_checkstring(L, 2);
    vod_check_action(L, action);
    if (lua_isnoneornil(L, 3)) {
        lua_settop(L, 2);
        lua_newtable(L);
    }
    luaL_checktype(L, 3, LUA_TTABLE);
    return vod_client_request(L, c, action, 3, NULL);
}
