/* The model as Lua sees it (model_lua.h). */
#include "model_lua.h"

#include <string.h>

#include "args.h"
#include "compat.h"
#include "vod_model.h"

void vod_model_register(lua_State *L, lua_CFunction fn)
{
    luaL_checkstack(L, 6, "registering the actions");
    for (size_t i = 0; i < vod_model_nactions; i++) {
        const vod_maction *a = &vod_model_actions[i];
        vod_args_push(L, fn, vod_maction_method(a), 1, (void *)a);
        lua_setfield(L, -2, vod_maction_method(a));
    }
}

void vod_model_push_methods(lua_State *L)
{
    lua_createtable(L, 0, (int)vod_model_nactions);
    for (size_t i = 0; i < vod_model_nactions; i++) {
        lua_pushstring(L, vod_maction_name(&vod_model_actions[i]));
        lua_setfield(L, -2, vod_maction_method(&vod_model_actions[i]));
    }
}

int vod_l_actions(lua_State *L)
{
    lua_createtable(L, (int)vod_model_nactions, 0);
    for (size_t i = 0; i < vod_model_nactions; i++) {
        lua_pushstring(L, vod_maction_name(&vod_model_actions[i]));
        lua_rawseti(L, -2, (int)i + 1);
    }
    return 1;
}

static const char *type_name(const vod_mfield *f)
{
    switch (f->type) {
    case VOD_MT_INT: return "int64";
    case VOD_MT_UINT: return "uint64";
    case VOD_MT_FLOAT: return "float";
    case VOD_MT_STRING: return "string";
    case VOD_MT_BOOL: return "bool";
    default: return vod_mstruct_name(vod_mfield_struct(f));
    }
}

static void set_bool(lua_State *L, const char *name, int v)
{
    lua_pushboolean(L, v);
    lua_setfield(L, -2, name);
}

/* Pushes the editions of a mask as a list of their names, in VOD_ED_* order. */
static void push_editions(lua_State *L, unsigned mask)
{
    int n = 0;
    lua_createtable(L, VOD_NEDITIONS, 0);
    for (int i = 0; i < VOD_NEDITIONS; i++) {
        if (mask & (1u << i)) {
            lua_pushstring(L, vod_model_edition_name(i));
            lua_rawseti(L, -2, ++n);
        }
    }
}

/* Pushes { [edition] = the address of the action in its console's API
 * Explorer } for each edition that has the action. */
static void push_links(lua_State *L, const vod_maction *a)
{
    lua_createtable(L, 0, VOD_NEDITIONS);
    for (int i = 0; i < VOD_NEDITIONS; i++) {
        if (a->editions & (1u << i)) {
            lua_pushstring(L, vod_model_explorer_prefix(i));
            lua_pushstring(L, vod_maction_name(a));
            lua_concat(L, 2);
            lua_setfield(L, -2, vod_model_edition_name(i));
        }
    }
}

/* Pushes the structure's members, in the model's order. */
static void push_members(lua_State *L, const vod_mstruct *s)
{
    const vod_mfield *f = vod_model_fields + s->first;
    lua_createtable(L, s->count, 0);
    for (size_t i = 0; i < s->count; i++) {
        lua_createtable(L, 0, 7);
        lua_pushstring(L, vod_mfield_name(&f[i]));
        lua_setfield(L, -2, "name");
        lua_pushstring(L, type_name(&f[i]));
        lua_setfield(L, -2, "type");
        set_bool(L, "list", (f[i].flags & VOD_MF_LIST) != 0);
        set_bool(L, "object", f[i].type == VOD_MT_OBJECT);
        set_bool(L, "required", (f[i].flags & VOD_MF_REQUIRED) != 0);
        set_bool(L, "disabled", (f[i].flags & VOD_MF_DISABLED) != 0);
        push_editions(L, f[i].editions);
        lua_setfield(L, -2, "editions");
        lua_rawseti(L, -2, f[i].order + 1);
    }
}

int vod_l_describe_action(lua_State *L)
{
    static const char *const kinds[] = { "other", "query", "create" };
    size_t len;
    const char *name = vod_arg_check_string(L, 1, &len);
    const vod_maction *a = vod_model_action(name, len);
    if (a == NULL)
        a = vod_model_action_by_method(name, len);
    if (a == NULL)
        return 0;
    lua_createtable(L, 0, 7);
    lua_pushstring(L, vod_maction_name(a));
    lua_setfield(L, -2, "action");
    lua_pushstring(L, vod_maction_method(a));
    lua_setfield(L, -2, "method");
    lua_pushstring(L, kinds[a->kind]);
    lua_setfield(L, -2, "kind");
    lua_pushstring(L, vod_mstruct_name(vod_maction_input(a)));
    lua_setfield(L, -2, "input");
    push_members(L, vod_maction_input(a));
    lua_setfield(L, -2, "params");
    push_editions(L, a->editions);
    lua_setfield(L, -2, "editions");
    push_links(L, a);
    lua_setfield(L, -2, "links");
    return 1;
}

int vod_l_describe_struct(lua_State *L)
{
    size_t len;
    const char *name = vod_arg_check_string(L, 1, &len);
    const vod_mstruct *s = vod_model_struct(name, len);
    if (s == NULL)
        return 0;
    lua_createtable(L, 0, 2);
    lua_pushstring(L, vod_mstruct_name(s));
    lua_setfield(L, -2, "name");
    push_members(L, s);
    lua_setfield(L, -2, "members");
    return 1;
}
