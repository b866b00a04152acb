/* The client's methods, all in one table: the user's. Each is defined in the
 * file that owns its part: the API's actions and calls (driver_curl.c, one
 * closure per action of the model: model_lua.c), waiting (wait.c), task
 * events (events_lua.c), credentials (cred_refresh.c, driver_curl.c), the
 * client's life (client.c), the no-I/O halves of a call (steps.c). Inside
 * nginx, src/lua/ngx.lua replaces those that do I/O. */
#include "methods.h"

#include "args.h"
#include "client.h"
#include "client_type.h"
#include "compat.h"
#include "cred_refresh.h"
#include "driver_curl.h"
#include "events_lua.h"
#include "model_lua.h"
#include "steps.h"
#include "wait.h"

static const luaL_Reg methods[] = {
    /* the API: one method per action of the model (vod_model_register), and */
    { "call", vod_m_call },
    { "wait_task", vod_m_wait_task },
    { "consume_events", vod_m_consume_events },
    { "task_of", vod_m_task_of },
    /* the client */
    { "stats", vod_m_stats },
    { "settings", vod_m_settings },
    { "close", vod_m_close },
    { "refresh_credentials", vod_m_refresh_credentials },
    { "credential_status", vod_m_credential_status },
    { "debug", vod_m_debug },
    /* the halves of a call without I/O, for a transport of one's own */
    { "build_request", vod_m_build_request },
    { "parse_response", vod_m_parse_response },
    { NULL, NULL },
};

void vod_methods_init(lua_State *L)
{
    if (luaL_newmetatable(L, VOD_CLIENT_MT)) {
        lua_createtable(L, 0, 256);
        vod_model_register(L, vod_m_action);
        vod_args_register(L, methods, 1);
        lua_setfield(L, -2, "__index");
        lua_pushcfunction(L, vod_m_close);
        lua_setfield(L, -2, "__gc");
        lua_pushcfunction(L, vod_m_close);
        lua_setfield(L, -2, "__close");
        lua_pushcfunction(L, vod_m_tostring);
        lua_setfield(L, -2, "__tostring");
        lua_pushliteral(L, VOD_CLIENT_MT);
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
}
