#include "errors.h"

#include <stdarg.h>
#include <stdio.h>

#include "args.h"
#include "compat.h"

/* Adds before..field..after when the field is a non-empty string or number.
 * The buffer may keep its box on top of the stack (5.4), so nothing extra
 * may sit there during a buffer operation: only luaL_addvalue takes a pushed
 * value. Hence the field is looked up twice. */
static void add_field(luaL_Buffer *b, lua_State *L, int t, const char *name,
                      const char *before, const char *after)
{
    int ty, ok;
    lua_getfield(L, t, name);
    ty = lua_type(L, -1);
    ok = (ty == LUA_TSTRING || ty == LUA_TNUMBER) && (ty == LUA_TNUMBER || vod_rawlen(L, -1) > 0);
    lua_pop(L, 1);
    if (!ok)
        return;
    luaL_addstring(b, before);
    lua_getfield(L, t, name);
    lua_tostring(L, -1);        /* a number becomes its text, in place */
    luaL_addvalue(b);
    luaL_addstring(b, after);
}

/* CreateAigcSubject: AuthFailure.SignatureFailure: <message> (RequestId <id>) */
static int err_tostring(lua_State *L)
{
    luaL_Buffer b;
    vod_arg_check_type(L, 1, LUA_TTABLE);
    luaL_checkstack(L, 4, NULL);
    luaL_buffinit(L, &b);
    /* the buffer may sit on the stack: read fields through index 1 only */
    add_field(&b, L, 1, "action", "", ": ");
    add_field(&b, L, 1, "code", "", ": ");
    add_field(&b, L, 1, "message", "", "");
    add_field(&b, L, 1, "request_id", " (RequestId ", ")");
    add_field(&b, L, 1, "attempts", " [attempts: ", "]");
    luaL_pushresult(&b);
    return 1;
}

void vod_errors_init(lua_State *L)
{
    if (luaL_newmetatable(L, VOD_ERROR_MT)) {
        lua_pushcfunction(L, err_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushliteral(L, VOD_ERROR_MT);
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
}

static void push_v(lua_State *L, const char *code, const char *action, const char *fmt, va_list ap)
{
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    lua_createtable(L, 0, 8);
    lua_pushstring(L, code);
    lua_setfield(L, -2, "code");
    lua_pushstring(L, msg);
    lua_setfield(L, -2, "message");
    if (action != NULL) {
        lua_pushstring(L, action);
        lua_setfield(L, -2, "action");
    }
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "retryable");
    luaL_getmetatable(L, VOD_ERROR_MT);
    lua_setmetatable(L, -2);
}

void vod_error_push(lua_State *L, const char *code, const char *action, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    push_v(L, code, action, fmt, ap);
    va_end(ap);
}

int vod_error_raise(lua_State *L, const char *code, const char *action, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    push_v(L, code, action, fmt, ap);
    va_end(ap);
    return lua_error(L);
}

int vod_error_is(lua_State *L, int idx)
{
    int same;
    if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx))
        return 0;
    luaL_getmetatable(L, VOD_ERROR_MT);
    same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same;
}

int vod_l_is_error(lua_State *L)
{
    lua_pushboolean(L, vod_error_is(L, 1));
    return 1;
}
