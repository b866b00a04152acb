/* The proxy, handed to the cosocket transport (src/lua/ngx.lua) with its
 * credentials. Not a method of the client and not printed anywhere: the
 * printable form is settings().proxy, with the password as ***. */
#include "proxy_lua.h"

#include "client_type.h"
#include "compat.h"

/* proxy_for_transport(client) -> nil (straight to the endpoint), or
 * { scheme, host, port, hostport, shown, source [, user, password] } */
int vod_l_proxy_for_transport(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    const vod_proxy *p = &c->proxy;
    if (p->kind == VOD_PROXY_NONE) {
        lua_pushnil(L);
        return 1;
    }
    lua_createtable(L, 0, 8);
    lua_pushstring(L, p->scheme);
    lua_setfield(L, -2, "scheme");
    lua_pushstring(L, p->host);
    lua_setfield(L, -2, "host");
    vod_pushint(L, p->port);
    lua_setfield(L, -2, "port");
    lua_pushstring(L, p->hostport);
    lua_setfield(L, -2, "hostport");
    lua_pushstring(L, p->shown);
    lua_setfield(L, -2, "shown");
    lua_pushstring(L, p->source);
    lua_setfield(L, -2, "source");
    if (p->has_auth) {
        lua_pushstring(L, p->user);
        lua_setfield(L, -2, "user");
        lua_pushstring(L, p->password);
        lua_setfield(L, -2, "password");
    }
    return 1;
}
