/* The readers of vod.new's options (optread.h). */
#include "optread.h"

#include <stdarg.h>
#include <stdio.h>

#include "compat.h"
#include "errors.h"

int vod_opt_error(lua_State *L, const char *name, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vod_error_push(L, VOD_E_INVALID_OPTION, NULL, "option '%s' %s", name, msg);
    lua_pushstring(L, name);
    lua_setfield(L, -2, "option");
    return lua_error(L);
}

/* Header values must not be able to start a new header line. */
int vod_opt_printable(const char *s, size_t n, int allow_space)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || (c == ' ' && !allow_space))
            return 0;
    }
    return 1;
}

/* Raw reads only: a value the table holds stays alive while we keep pointers
 * into it, whereas one made by an __index function would not. */
void vod_opt_raw(lua_State *L, int t, const char *name)
{
    lua_pushstring(L, name);
    lua_rawget(L, t);
}

const char *vod_opt_string(lua_State *L, int t, const char *name, size_t *len)
{
    const char *s;
    if (t == 0)
        return NULL;
    vod_opt_raw(L, t, name);
    if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        return NULL;
    }
    if (lua_type(L, -1) != LUA_TSTRING)
        vod_opt_error(L, name, "must be a string, got %s", luaL_typename(L, -1));
    s = lua_tolstring(L, -1, len);
    lua_pop(L, 1);      /* still referenced by the options table */
    return s;
}
