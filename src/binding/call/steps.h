/* The no-I/O building blocks of a call, as client methods (steps.c). */
#ifndef VOD_STEPS_H
#define VOD_STEPS_H

#include <lua.h>

int vod_m_build_request(lua_State *L);
int vod_m_parse_response(lua_State *L);
int vod_m_retry_plan(lua_State *L);
int vod_m_finish_error(lua_State *L);
int vod_m_request_policy(lua_State *L);
int vod_m_rate_limit_wait(lua_State *L);
int vod_m_adapt_rate(lua_State *L);
int vod_m_learn_clock(lua_State *L);
int vod_m_debug(lua_State *L);

#endif
