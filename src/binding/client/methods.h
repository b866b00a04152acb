/* The client's metatable and its table of methods (methods.c): the one
 * place that lists them, above the files that define them. */
#ifndef VOD_METHODS_H
#define VOD_METHODS_H

#include <lua.h>

/* Registers the client metatable (VOD_CLIENT_MT) with its methods. */
void vod_methods_init(lua_State *L);

#endif
