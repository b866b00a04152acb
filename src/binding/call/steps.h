/* The no-I/O halves of a call as public methods, for a transport of the
 * caller's own (steps.c): build_request and parse_response. */
#ifndef VOD_STEPS_H
#define VOD_STEPS_H

#include <lua.h>

int vod_m_build_request(lua_State *L);
int vod_m_parse_response(lua_State *L);

#endif
