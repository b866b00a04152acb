/* Argument checks that name the function (args.h). */
#include "args.h"

#include "compat.h"

void vod_args_push(lua_State *L, lua_CFunction fn, const char *name, int method, void *extra)
{
    lua_pushstring(L, name);
    lua_pushboolean(L, method);
    if (extra != NULL) {
        lua_pushlightuserdata(L, extra);
        lua_pushcclosure(L, fn, 3);
    } else {
        lua_pushcclosure(L, fn, 2);
    }
}

void vod_args_register(lua_State *L, const luaL_Reg *fns, int method)
{
    luaL_checkstack(L, 4, "registering functions");
    for (; fns->name != NULL; fns++) {
        vod_args_push(L, fns->func, fns->name, method, NULL);
        lua_setfield(L, -2, fns->name);
    }
}

const char *vod_args_name(lua_State *L)
{
    return lua_type(L, lua_upvalueindex(1)) == LUA_TSTRING ? lua_tostring(L, lua_upvalueindex(1))
                                                           : "?";
}

static int is_method(lua_State *L)
{
    return lua_toboolean(L, lua_upvalueindex(2));
}

int vod_arg_error(lua_State *L, int idx, const char *msg)
{
    int n = vod_absindex(L, idx) - is_method(L);
    return luaL_error(L, "bad argument #%d to '%s' (%s)", n, vod_args_name(L), msg);
}

int vod_arg_type_error(lua_State *L, int idx, const char *tname)
{
    const char *got = lua_type(L, idx) == LUA_TNONE ? "no value" : luaL_typename(L, idx);
    if (luaL_getmetafield(L, idx, "__name") && lua_type(L, -1) == LUA_TSTRING)
        got = lua_tostring(L, -1);
    lua_pushfstring(L, "%s expected, got %s", tname, got);
    if (idx == 1 && is_method(L))
        return luaL_error(L, "calling '%s' on bad self (%s)", vod_args_name(L), lua_tostring(L, -1));
    return vod_arg_error(L, idx, lua_tostring(L, -1));
}

void vod_arg_check_type(lua_State *L, int idx, int type)
{
    if (lua_type(L, idx) != type)
        vod_arg_type_error(L, idx, lua_typename(L, type));
}

const char *vod_arg_check_string(lua_State *L, int idx, size_t *len)
{
    const char *s = lua_tolstring(L, idx, len);     /* a number is taken, as luaL_checkstring does */
    if (s == NULL)
        vod_arg_type_error(L, idx, "string");
    return s;
}

const char *vod_arg_opt_string(lua_State *L, int idx, const char *def)
{
    if (lua_isnoneornil(L, idx))
        return def;
    return vod_arg_check_string(L, idx, NULL);
}

long long vod_arg_check_integer(lua_State *L, int idx)
{
    long long v = 0;
    if (lua_type(L, idx) != LUA_TNUMBER)
        vod_arg_type_error(L, idx, "number");
    if (!vod_tointegral(L, idx, &v))
        vod_arg_error(L, idx, "number has no integer representation");
    return v;
}

double vod_arg_check_number(lua_State *L, int idx)
{
    if (lua_type(L, idx) != LUA_TNUMBER)
        vod_arg_type_error(L, idx, "number");
    return (double)lua_tonumber(L, idx);
}

void *vod_arg_check_udata(lua_State *L, int idx, const char *tname)
{
    void *p = vod_testudata(L, idx, tname);
    if (p == NULL)
        vod_arg_type_error(L, idx, tname);
    return p;
}
