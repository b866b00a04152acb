/* Private shims so one source builds on Lua 5.4 and on LuaJIT 2.1 (Lua 5.1 API).
 * Everything else in src/ uses only these names; no LUA_VERSION_NUM elsewhere. */
#ifndef VOD_COMPAT_H
#define VOD_COMPAT_H

#include <lua.h>
#include <lauxlib.h>

#if LUA_VERSION_NUM >= 503
#define vod_absindex(L, i)      lua_absindex((L), (i))
#define vod_rawlen(L, i)        lua_rawlen((L), (i))
#define vod_newuserdata(L, sz)  lua_newuserdatauv((L), (sz), 0)
#define VOD_HAS_INTEGERS 1
#else
#define vod_absindex(L, i) \
    (((i) > 0 || (i) <= LUA_REGISTRYINDEX) ? (i) : lua_gettop(L) + (i) + 1)
#define vod_rawlen(L, i)        lua_objlen((L), (i))
#define vod_newuserdata(L, sz)  lua_newuserdata((L), (sz))
#define VOD_HAS_INTEGERS 0
#endif

/* Pushes an integral number: a Lua integer where the language has them. */
static inline void vod_pushint(lua_State *L, long long v)
{
#if VOD_HAS_INTEGERS
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
#if VOD_HAS_INTEGERS
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

/* True when the value at idx is stored as an integer (always false on 5.1). */
static inline int vod_isinteger(lua_State *L, int idx)
{
#if VOD_HAS_INTEGERS
    return lua_isinteger(L, idx);
#else
    (void)L; (void)idx;
    return 0;
#endif
}

#endif
