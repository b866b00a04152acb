/* Argument checks that name the function on every interpreter. LuaJIT (and
 * Lua 5.4 for a function called through pcall or from C) cannot tell a C
 * function's name, so luaL_argerror would say "to '?'". Every C function the
 * module registers carries its public name and its kind as upvalues (set by
 * vod_args_register), and these checks read them:
 *   bad argument #1 to 'create_aigc_subject' (table expected, got string)
 * Arguments are counted as a Lua caller sees them: a method's first argument
 * after the client is #1, and so is a module-level function's first. */
#ifndef VOD_ARGS_H
#define VOD_ARGS_H

#include <stddef.h>
#include <lua.h>
#include <lauxlib.h>

/* Sets each function of fns into the table on top, as a closure with its
 * name and `method` (1: the stack holds the client at index 1, which the
 * caller does not count; 0: a plain function) as upvalues 1 and 2, and
 * `extra` as upvalue 3 (NULL: none). */
void vod_args_register(lua_State *L, const luaL_Reg *fns, int method);
/* The same for one function, with a light userdata upvalue 3. */
void vod_args_push(lua_State *L, lua_CFunction fn, const char *name, int method, void *extra);

/* The function's public name ("?" when it has none). */
const char *vod_args_name(lua_State *L);

/* Raises "bad argument #n to 'name' (msg)"; idx is the stack index. */
int vod_arg_error(lua_State *L, int idx, const char *msg);
/* "(<tname> expected, got <type>)" */
int vod_arg_type_error(lua_State *L, int idx, const char *tname);

void vod_arg_check_type(lua_State *L, int idx, int type);
const char *vod_arg_check_string(lua_State *L, int idx, size_t *len);
const char *vod_arg_opt_string(lua_State *L, int idx, const char *def);
long long vod_arg_check_integer(lua_State *L, int idx);
double vod_arg_check_number(lua_State *L, int idx);
/* The userdata at idx with metatable tname; at index 1 of a method, raises
 * "calling 'name' on bad self (tname expected, got ...)". */
void *vod_arg_check_udata(lua_State *L, int idx, const char *tname);

#endif
