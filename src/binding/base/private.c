/* The module's private table and its Lua parts (private.h). */
#include "private.h"

#include <lauxlib.h>

#include "clock.h"

void vod_private_push(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, VOD_PRIVATE_KEY);
}

void vod_part_push(lua_State *L, const char *name)
{
    int priv;
    vod_private_push(L);
    priv = lua_gettop(L);
    lua_pushfstring(L, "part:%s", name);
    lua_rawget(L, priv);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_getglobal(L, "require");
        lua_pushfstring(L, "tencentcloud.vod.%s", name);
        lua_call(L, 1, 1);              /* the part: a table, with init(private) */
        lua_getfield(L, -1, "init");
        if (lua_isfunction(L, -1)) {
            lua_pushvalue(L, priv);
            lua_call(L, 1, 0);
        } else {
            lua_pop(L, 1);
        }
        lua_pushfstring(L, "part:%s", name);
        lua_pushvalue(L, -2);
        lua_rawset(L, priv);
    }
    lua_remove(L, priv);
}

int vod_l_part(lua_State *L)
{
    vod_part_push(L, luaL_checkstring(L, 1));
    return 1;
}

static int l_monotonic(lua_State *L)
{
    lua_pushnumber(L, (lua_Number)vod_monotonic());
    return 1;
}

static int l_sleep(lua_State *L)
{
    vod_sleep((double)luaL_checknumber(L, 1));
    return 0;
}

void vod_push_plain_env(lua_State *L)
{
    lua_createtable(L, 0, 2);
    lua_pushcfunction(L, l_monotonic);
    lua_setfield(L, -2, "now");
    lua_pushcfunction(L, l_sleep);
    lua_setfield(L, -2, "sleep");
}
