/* Private shims so one source builds on Lua 5.1, 5.2, 5.3, 5.4 and LuaJIT 2.1
 * (whose C API is 5.1's). Everything else in src/ uses only these names; no
 * LUA_VERSION_NUM elsewhere.
 *
 *   5.1, LuaJIT  lua_objlen, no lua_absindex, no luaL_testudata (LuaJIT has
 *                one, plain 5.1 does not: ours serves both), numbers are
 *                doubles only
 *   5.2          lua_rawlen, lua_absindex, luaL_testudata, numbers are doubles
 *   5.3          64-bit integers beside the doubles (lua_isinteger)
 *   5.4          lua_newuserdatauv (a userdata without user values) */
#ifndef VOD_COMPAT_H
#define VOD_COMPAT_H

#include <lua.h>
#include <lauxlib.h>

#if LUA_VERSION_NUM >= 502
#define vod_absindex(L, i)      lua_absindex((L), (i))
#define vod_rawlen(L, i)        lua_rawlen((L), (i))
#else
#define vod_absindex(L, i) \
    (((i) > 0 || (i) <= LUA_REGISTRYINDEX) ? (i) : lua_gettop(L) + (i) + 1)
#define vod_rawlen(L, i)        lua_objlen((L), (i))
#endif

#if LUA_VERSION_NUM >= 504
#define vod_newuserdata(L, sz)  lua_newuserdatauv((L), (sz), 0)
#else
#define vod_newuserdata(L, sz)  lua_newuserdata((L), (sz))
#endif

/* 1 where a Lua number can be a 64-bit integer (5.3, 5.4), 0 where every
 * number is a double (5.1, 5.2, LuaJIT): integers are exact up to 2^53 only.
 * A plain constant, for an ordinary `if`. */
#if LUA_VERSION_NUM >= 503
#define VOD_LUA_INTEGERS 1
#else
#define VOD_LUA_INTEGERS 0
#endif

/* Pushes an integral number: a Lua integer where the language has them. */
static inline void vod_pushint(lua_State *L, long long v)
{
#if LUA_VERSION_NUM >= 503
    lua_pushinteger(L, (lua_Integer)v);
#else
    lua_pushnumber(L, (lua_Number)v);
#endif
}

/* If the value at idx is a number with an exact integral value, stores it in
 * *out and returns 1; returns 0 for a non-integral, NaN or infinite number,
 * and for one outside the range of long long. */
static inline int vod_tointegral(lua_State *L, int idx, long long *out)
{
#if LUA_VERSION_NUM >= 503
    if (lua_isinteger(L, idx)) {
        *out = (long long)lua_tointeger(L, idx);
        return 1;
    }
#endif
    {
        lua_Number n = lua_tonumber(L, idx);
        /* -2^63 <= n < 2^63, and no fractional part (NaN fails both) */
        if (n >= -9223372036854775808.0 && n < 9223372036854775808.0 &&
            (lua_Number)(long long)n == n) {
            *out = (long long)n;
            return 1;
        }
        return 0;
    }
}

/* True when the value at idx is stored as an integer (always false where
 * numbers are doubles only). */
static inline int vod_isinteger(lua_State *L, int idx)
{
#if LUA_VERSION_NUM >= 503
    return lua_isinteger(L, idx);
#else
    (void)L; (void)idx;
    return 0;
#endif
}

/* luaL_testudata: the userdata at idx if its metatable is the registry's
 * tname, else NULL (5.2's function; plain 5.1 lacks it). */
static inline void *vod_testudata(lua_State *L, int idx, const char *tname)
{
#if LUA_VERSION_NUM >= 502
    return luaL_testudata(L, idx, tname);
#else
    void *p = lua_touserdata(L, idx);
    int same;
    if (p == NULL || lua_type(L, idx) != LUA_TUSERDATA || !lua_getmetatable(L, idx))
        return NULL;
    luaL_getmetatable(L, tname);
    same = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
    return same ? p : NULL;
#endif
}

#endif
