/* luaopen_tencentcloud_vod: the module table, and the module-level functions
 * that go through a default client built from the environment on first use. */
#include "args.h"
#include "call_lua.h"
#include "client.h"
#include "client_type.h"
#include "compat.h"
#include "driver_curl.h"
#include "errors.h"
#include "events_lua.h"
#include "json_encode.h"
#include "json_lua.h"
#include "methods.h"
#include "model_lua.h"
#include "options.h"
#include "private.h"
#include "proxy_lua.h"
#include "wait.h"

#define DEFAULT_KEY "tencentcloud.vod.default_client"

/* Puts the default client at index 1 (building it on first use). */
static void with_default(lua_State *L)
{
    lua_getfield(L, LUA_REGISTRYINDEX, DEFAULT_KEY);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushcfunction(L, vod_client_new);
        lua_call(L, 0, 1);          /* raises a credential error when none are set */
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, DEFAULT_KEY);
    }
    lua_insert(L, 1);
}

/* vod.default_client() -> the client the module-level functions use */
static int mod_default_client(lua_State *L)
{
    lua_settop(L, 0);
    with_default(L);
    return 1;
}

/* private.new_error(code, action, message [, fields]) -> a new error object
 * (for the module's Lua parts) */
static int new_error(lua_State *L)
{
    const char *code = vod_arg_check_string(L, 1, NULL);
    const char *action = vod_arg_opt_string(L, 2, NULL);
    const char *msg = vod_arg_check_string(L, 3, NULL);
    vod_error_push(L, code, action, "%s", msg);
    if (lua_type(L, 4) == LUA_TTABLE) {
        int e = lua_gettop(L);
        lua_pushnil(L);
        while (lua_next(L, 4) != 0) {
            lua_pushvalue(L, -2);
            lua_insert(L, -2);
            lua_rawset(L, e);
        }
    }
    return 1;
}

/* vod.defaults() -> a new table: vod.new's option defaults, with wait_task
 * and consume_events sub-tables of theirs */
static int mod_defaults(lua_State *L)
{
    lua_settop(L, 0);
    vod_options_push_defaults(L);
    vod_events_push_defaults(L);
    lua_setfield(L, -2, "consume_events");
    return 1;
}

/* The private table the module gives its own Lua parts (private.h): never
 * a field of the module or of a client. */
static void make_private(lua_State *L)
{
    static const luaL_Reg fns[] = {
        { "new_error", new_error },
        { "start", vod_l_call_start },
        { "start_credentials", vod_l_call_start_credentials },
        { "unknown_option", vod_l_unknown_option },
        { "proxy", vod_l_proxy_for_transport },
        { "part", vod_l_part },
        { NULL, NULL },
    };
    /* wait_task's checks, named as wait_task in argument errors */
    static const luaL_Reg waits[] = {
        { "wait_plan", vod_l_wait_plan },
        { "check_task", vod_l_check_task },
        { NULL, NULL },
    };
    lua_createtable(L, 0, 12);
    vod_args_register(L, fns, 1);
    for (const luaL_Reg *f = waits; f->name != NULL; f++) {
        vod_args_push(L, f->func, "wait_task", 1, NULL);
        lua_setfield(L, -2, f->name);
    }
    vod_model_push_methods(L);      /* { method = action }: every typed method */
    lua_setfield(L, -2, "actions");
    lua_setfield(L, LUA_REGISTRYINDEX, VOD_PRIVATE_KEY);
}

/* Inside nginx, calls must go through cosockets: a Lua file replaces the
 * libcurl methods (a C function cannot yield to the nginx event loop). */
static void use_cosockets_in_nginx(lua_State *L, int module)
{
    lua_getglobal(L, "ngx");
    if (lua_type(L, -1) != LUA_TTABLE) {
        lua_pop(L, 1);
        return;
    }
    lua_getfield(L, -1, "socket");
    if (lua_type(L, -1) != LUA_TTABLE) {
        lua_pop(L, 2);
        return;
    }
    lua_pop(L, 2);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "tencentcloud.vod.ngx");
    lua_call(L, 1, 1);
    lua_pushvalue(L, module);
    luaL_getmetatable(L, VOD_CLIENT_MT);
    lua_getfield(L, -1, "__index");
    lua_remove(L, -2);
    vod_private_push(L);
    lua_call(L, 3, 0);              /* installer(module, methods, private) */
}

#define MODULE_FN(name, method)          \
    static int name(lua_State *L)        \
    {                                    \
        with_default(L);                 \
        return method(L);                \
    }

MODULE_FN(mod_action, vod_m_action)
MODULE_FN(mod_call, vod_m_call)
MODULE_FN(mod_wait_task, vod_m_wait_task)
MODULE_FN(mod_consume_events, vod_m_consume_events)

/* the one exported symbol (the build hides the rest) */
#define VOD_EXPORT __attribute__((visibility("default")))

VOD_EXPORT int luaopen_tencentcloud_vod(lua_State *L);

VOD_EXPORT int luaopen_tencentcloud_vod(lua_State *L)
{
    static const luaL_Reg fns[] = {
        { "new", vod_client_new },
        { "is_error", vod_l_is_error },
        { "default_client", mod_default_client },
        { "json_encode", vod_l_json_encode },
        { "json_decode", vod_l_json_decode },
        { "actions", vod_l_actions },
        { "describe_action", vod_l_describe_action },
        { "describe_struct", vod_l_describe_struct },
        { "defaults", mod_defaults },
        { "parse_event", vod_l_parse_event },
        { "verify_event_sign", vod_l_verify_event_sign },
        { NULL, NULL },
    };
    /* the client's methods through the default client: arguments count as a method's */
    static const luaL_Reg through_default[] = {
        { "call", mod_call },
        { "wait_task", mod_wait_task },
        { "consume_events", mod_consume_events },
        { NULL, NULL },
    };
    vod_errors_init(L);
    vod_methods_init(L);
    vod_json_lua_init(L);
    vod_call_lua_init(L);
    make_private(L);
    lua_newtable(L);
    vod_args_register(L, fns, 0);
    vod_model_register(L, mod_action);      /* every action, through the default client */
    vod_args_register(L, through_default, 1);
    lua_pushliteral(L, VOD_VERSION);
    lua_setfield(L, -2, "VERSION");
    lua_pushlightuserdata(L, NULL);
    lua_setfield(L, -2, "null");
    lua_pushlightuserdata(L, VOD_JSON_EMPTY_OBJECT);
    lua_setfield(L, -2, "empty_object");
    lua_pushliteral(L, "libcurl");
    lua_setfield(L, -2, "transport");
    use_cosockets_in_nginx(L, lua_gettop(L));
    return 1;
}
