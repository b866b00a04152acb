/* The proxy, handed to the cosocket transport with its credentials
 * (proxy_lua.c): never a method of the client. */
#ifndef VOD_PROXY_LUA_H
#define VOD_PROXY_LUA_H

#include <lua.h>

/* proxy_for_transport(client) -> nil, or { scheme, host, port, hostport,
 * shown, source [, user, password] } */
int vod_l_proxy_for_transport(lua_State *L);

#endif
