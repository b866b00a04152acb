/* The client type's own helpers (client.h). */
#include "client.h"

#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "compat.h"
#include "errors.h"

vod_client *vod_client_check(lua_State *L, int idx)
{
    vod_client *c = vod_arg_check_udata(L, idx, VOD_CLIENT_MT);
    if (!c->ready)
        vod_error_raise(L, VOD_E_CLOSED, NULL, "this client has been closed");
    return c;
}

void vod_push_host_port(lua_State *L, const vod_client *c)
{
    const char *colon = c->endpoint + strlen(c->host);
    if (c->host[0] == '[')              /* cosockets take a bare IPv6 address */
        lua_pushlstring(L, c->host + 1, strlen(c->host) - 2);
    else
        lua_pushstring(L, c->host);
    lua_setfield(L, -2, "host");
    vod_pushint(L, *colon == ':' ? atol(colon + 1) : (strcmp(c->scheme, "https") == 0 ? 443 : 80));
    lua_setfield(L, -2, "port");
}
