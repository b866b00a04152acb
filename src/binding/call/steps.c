/* The halves of a call that do no I/O, as public methods for people who
 * bring a transport of their own: build_request (check, encode, sign) and
 * parse_response (the Response table, or the error object the library's
 * own transports would raise). The library's transports do not use these:
 * they run the engine (engine.h). */
#include "steps.h"

#include <stdio.h>
#include <string.h>

#include "args.h"
#include "call_lua.h"
#include "client_type.h"
#include "compat.h"
#include "cred_refresh.h"
#include "engine.h"
#include "errors.h"
#include "request.h"

static void set_header(lua_State *L, const char *line)
{
    const char *colon = strchr(line, ':');
    const char *v = colon + 1;
    while (*v == ' ')
        v++;
    if (*v == '\0')
        return;                         /* "Name:" alone: no such header */
    lua_pushlstring(L, line, (size_t)(colon - line));
    lua_pushstring(L, v);
    lua_rawset(L, -3);
}

/* client:build_request(action, params [, { check = true, timestamp = now, session_id }])
 * -> { method, scheme, host, port, path, body, headers = { name = value } } */
int vod_m_build_request(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    const char *action = vod_check_action(L, 2);
    long long ts = vod_client_now(c);
    const char *session_id = NULL;
    int check = 1;
    vod_call *k;
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
    lua_settop(L, 4);
    k = vod_call_push(L);               /* the request's buffers, freed with their box */
    vod_request_prepare(L, &k->rq, action, 3, check ? vod_model_action(action, strlen(action)) : NULL);
    if (session_id != NULL && vod_body_add_session_id(&k->rq.body, session_id) != 0)
        vod_error_raise(L, VOD_E_OUT_OF_MEMORY, action, "out of memory adding the SessionId");
    if (c->cred.refresh_at != VOD_CREDS_NEVER)
        vod_creds_require(L, c, action);    /* fetched by the transport beforehand */
    vod_request_sign(L, c, &k->rq, action, ts);
    lua_createtable(L, 0, 8);
    lua_pushliteral(L, "POST");
    lua_setfield(L, -2, "method");
    lua_pushstring(L, c->scheme);
    lua_setfield(L, -2, "scheme");
    vod_push_host_port(L, c);
    lua_pushliteral(L, "/");
    lua_setfield(L, -2, "path");
    lua_pushlstring(L, k->rq.body.data, k->rq.body.len);
    lua_setfield(L, -2, "body");
    lua_createtable(L, 0, 12);
    lua_pushstring(L, c->endpoint);
    lua_setfield(L, -2, "Host");
    for (size_t i = 0; i < c->nfixed; i++)
        set_header(L, c->lines[i]);
    set_header(L, k->rq.hdr_action);
    set_header(L, k->rq.hdr_timestamp);
    set_header(L, k->rq.hdr_auth);
    lua_setfield(L, -2, "headers");
    return 1;
}

/* client:parse_response(action, http_status, body) -> Response table, or
 * raises the same error objects as a call through the library's transports. */
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
