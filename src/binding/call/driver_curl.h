/* The libcurl driver: runs the engine's calls (engine.h) in plain Lua, with
 * connections libcurl opens and secures (src/core/net/curl_conn.c), a
 * blocking sleep, and the credentials function called from C. Inside nginx
 * the cosocket driver (src/lua/ngx.lua) replaces these methods. */
#ifndef VOD_DRIVER_CURL_H
#define VOD_DRIVER_CURL_H

#include <lua.h>

#include "client_type.h"
#include "vod_model.h"

/* One call, to its end: pushes the Response table, or raises the error. */
int vod_curl_request(lua_State *L, vod_client *c, const char *action, int params,
                     const vod_maction *typed);

/* Closes what the driver holds for the client (its connections, its call):
 * client:close() and __gc. */
void vod_curl_release(vod_client *c);

/* client:<action in snake_case>([params]): every action of the model, checked
 * by it (the action is the closure's third upvalue: methods.c, module.c);
 * client:call(action [, params]), unchecked; client:refresh_credentials(). */
int vod_m_action(lua_State *L);
int vod_m_call(lua_State *L);
int vod_m_refresh_credentials(lua_State *L);

#endif
