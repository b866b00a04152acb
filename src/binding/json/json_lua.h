/* vod.json_encode / vod.json_decode: the module's own JSON codec for Lua
 * callers (the command-line tool prints responses with it). */
#ifndef VOD_JSON_LUA_H
#define VOD_JSON_LUA_H

#include <lua.h>

/* vod.json_encode(value) -> compact JSON text, or raises ClientError.InvalidParameter */
int vod_l_json_encode(lua_State *L);
/* vod.json_decode(text) -> value, or raises ClientError.InvalidParameter */
int vod_l_json_decode(lua_State *L);
/* Registers the scratch buffer's metatable (once); leaves nothing on the stack. */
void vod_json_lua_init(lua_State *L);

#endif
