/* vod.new and the client's life (client.c). */
#ifndef VOD_CLIENT_H
#define VOD_CLIENT_H

#include <lua.h>

/* vod.new(opts) */
int vod_client_new(lua_State *L);

/* client:close(), also __gc and __close: releases the connection, wipes the secrets */
int vod_m_close(lua_State *L);
/* __tostring: never a secret */
int vod_m_tostring(lua_State *L);
/* client:stats(), client:settings() */
int vod_m_stats(lua_State *L);
int vod_m_settings(lua_State *L);
/* client:debug(line) */
int vod_m_debug(lua_State *L);

#endif
