/* The model as Lua sees it (model_lua.c): one method per action, and the
 * description of an action's parameters for tools (tcvod, docs, tests). */
#ifndef VOD_MODEL_LUA_H
#define VOD_MODEL_LUA_H

#include <lua.h>

/* Sets t[method] = fn for every action of the model into the table on top,
 * each a closure carrying the method's name (args.h) and its vod_maction. */
void vod_model_register(lua_State *L, lua_CFunction fn);

/* Pushes { [method] = action } for every action. */
void vod_model_push_methods(lua_State *L);

/* vod.actions() -> { "ApplyUpload", ... }: every action, sorted */
int vod_l_actions(lua_State *L);
/* vod.describe_action(name) -> nil, or { action, method, kind, input, params,
 * editions, links } for an API name or a method name: editions lists those
 * that have the action ("china", "intl", in that order), links maps each of
 * them to the action's page in its console's API Explorer.
 * vod.describe_struct(name) -> nil, or { name, members }. Members are { name,
 * type, list, object, required, disabled, editions } in the model's order
 * (editions: those whose structure has the member). */
int vod_l_describe_action(lua_State *L);
int vod_l_describe_struct(lua_State *L);

#endif
