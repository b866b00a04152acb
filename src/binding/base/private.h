/* What the module gives its own Lua parts and nothing else: a private table
 * (the engine's call for a Lua driver, error objects, wait_task's checks...)
 * kept in the registry, and the Lua parts themselves (src/lua/events.lua,
 * wait.lua: each a table whose init(private) is called once, before its
 * first use). The public surface stays the user's. */
#ifndef VOD_PRIVATE_H
#define VOD_PRIVATE_H

#include <lua.h>

#define VOD_PRIVATE_KEY "tencentcloud.vod.private"

/* Pushes the private table (module.c fills it at luaopen). */
void vod_private_push(lua_State *L);

/* Pushes the Lua part tencentcloud.vod.<name>, initialised with the private
 * table on first use. */
void vod_part_push(lua_State *L, const char *name);

/* private.part(name): the same, for the Lua parts themselves (nginx's). */
int vod_l_part(lua_State *L);

/* Pushes the plain-Lua environment of a Lua part's loop: { now = the
 * monotonic clock, sleep = a blocking sleep } (nginx gives its own). */
void vod_push_plain_env(lua_State *L);

#endif
