/* The engine's call as a Lua object, for a driver written in Lua (the
 * cosocket driver, src/lua/ngx.lua): private.start(...) makes one and
 * call:step(...) runs it a step at a time (engine.h says what each step
 * asks). Not part of the public surface: the module hands these to its own
 * Lua parts only. */
#ifndef VOD_CALL_LUA_H
#define VOD_CALL_LUA_H

#include <lua.h>

#include "engine.h"

#define VOD_CALL_MT "tencentcloud.vod.call"

/* Creates the call's metatable (once). */
void vod_call_lua_init(lua_State *L);

/* Pushes a new, zeroed call in a box that frees it when collected. */
vod_call *vod_call_push(lua_State *L);

/* private.start(client, action, params, typed) -> call: checks and encodes
 * (raising before anything is sent), for the cosocket driver. */
int vod_l_call_start(lua_State *L);
/* private.start_credentials(client) -> call, or nil for static credentials */
int vod_l_call_start_credentials(lua_State *L);

#endif
