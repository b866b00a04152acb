/* Task events (events_lua.c): the PULL loop's entry on the libcurl
 * transport (the loop itself is Lua, src/lua/events.lua, shared with the
 * cosocket transport), and the PUSH side: a pushed notification's body
 * checked and decoded, its signature verified (src/core/sign/event_sign.c). */
#ifndef VOD_EVENTS_LUA_H
#define VOD_EVENTS_LUA_H

#include <lua.h>

/* client:consume_events(handler, opts) -> confirmed, stats */
int vod_m_consume_events(lua_State *L);
/* Pushes a new table of consume_events' defaults (src/lua/events.lua's). */
void vod_events_push_defaults(lua_State *L);
/* vod.parse_event(body [, { sign_key = , now = }]) -> event, or raises
 * ClientError.InvalidEvent / ClientError.EventSignature */
int vod_l_parse_event(lua_State *L);
/* vod.verify_event_sign(sign, t, sign_key [, now]) -> true, or false, err */
int vod_l_verify_event_sign(lua_State *L);

#endif
