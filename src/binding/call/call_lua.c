/* The engine's call as a Lua object (call_lua.h). A Lua driver gives each
 * step's outcome as arguments and gets the next step as results:
 *
 *   call:step()                          to begin, and after sleep, keep, close
 *   call:step(pcall(fn))                 after "creds"
 *   call:step(count) / (nil, why)        after "incr": the dict's incr
 *   call:step(true, reused)              after "connect"
 *   call:step(true)                      after "handshake", "send"
 *   call:step(data)                      after "recv"
 *   call:step(nil, "closed")             after "recv": the peer closed
 *   call:step(false|nil, kind, message)  a failure; kind: "dns", "connect",
 *                                        "timeout", "tls", "verify", "network"
 *
 *   -> "sleep", seconds | "creds", fn | "incr", key, ttl
 *    | "connect", ms, fresh, target ("api" or "meta") [, host, port]
 *    | "handshake", ms | "send", bytes, ms | "recv", ms | "keep" | "close"
 *    | "done" [, answer]
 *
 * and raises the call's error object when it fails. */
#include "call_lua.h"

#include <string.h>

#include "args.h"
#include "compat.h"
#include "errors.h"

typedef struct call_box {
    vod_call k;
    int client_ref;             /* keeps the client alive while the call is */
} call_box;

static int box_gc(lua_State *L)
{
    call_box *b = lua_touserdata(L, 1);
    vod_call_free(&b->k);
    if (b->client_ref != LUA_NOREF && b->client_ref != 0)
        luaL_unref(L, LUA_REGISTRYINDEX, b->client_ref);
    b->client_ref = LUA_NOREF;
    return 0;
}

vod_call *vod_call_push(lua_State *L)
{
    call_box *b = vod_newuserdata(L, sizeof *b);
    memset(b, 0, sizeof *b);
    b->client_ref = LUA_NOREF;
    luaL_getmetatable(L, VOD_CALL_MT);
    lua_setmetatable(L, -2);
    return &b->k;
}

static vod_fail kind_of(lua_State *L, int idx)
{
    static const char *const names[] = { "dns", "connect", "timeout", "tls", "verify", "network",
                                         "closed", NULL };
    static const vod_fail kinds[] = { VOD_FAIL_DNS, VOD_FAIL_CONNECT, VOD_FAIL_TIMEOUT,
                                      VOD_FAIL_TLS, VOD_FAIL_TLS_VERIFY, VOD_FAIL_NETWORK,
                                      VOD_FAIL_NETWORK };
    const char *s = lua_tostring(L, idx);
    for (int i = 0; s != NULL && names[i] != NULL; i++)
        if (strcmp(s, names[i]) == 0)
            return kinds[i];
    return VOD_FAIL_OTHER;
}

/* What the driver said, as the event the engine expects after its last step. */
static void read_event(lua_State *L, const vod_call *k, vod_ev *ev)
{
    memset(ev, 0, sizeof *ev);
    switch (k->asked) {
    case VOD_OP_CREDS_FN:
        lua_settop(L, 4);
        ev->base = 2;
        return;
    case VOD_OP_INCR:
        ev->count = lua_type(L, 2) == LUA_TNUMBER ? (double)lua_tonumber(L, 2) : -1;
        ev->why = lua_tostring(L, 3);
        return;
    case VOD_OP_CONNECT:
    case VOD_OP_HANDSHAKE:
    case VOD_OP_SEND:
    case VOD_OP_RECV:
        break;
    default:
        return;                         /* nothing to tell */
    }
    if (k->asked == VOD_OP_RECV && lua_type(L, 2) == LUA_TSTRING) {
        ev->x.kind = VOD_XEV_DATA;
        ev->x.data = lua_tolstring(L, 2, &ev->x.len);   /* held by the frame */
        return;
    }
    if (lua_toboolean(L, 2)) {
        ev->x.kind = VOD_XEV_OK;
        ev->x.reused = lua_toboolean(L, 3);
        return;
    }
    if (k->asked == VOD_OP_RECV && lua_type(L, 3) == LUA_TSTRING &&
        strcmp(lua_tostring(L, 3), "closed") == 0) {
        ev->x.kind = VOD_XEV_EOF;
        return;
    }
    ev->x.kind = VOD_XEV_FAIL;
    ev->x.fail = kind_of(L, 3);
    ev->x.msg = lua_isstring(L, 4) ? lua_tostring(L, 4) : lua_tostring(L, 3);
    if (ev->x.msg == NULL)
        ev->x.msg = "failed";
    ev->x.sent = 1;                     /* a cosocket's send does not say how much went */
}

/* call:step(...) */
static int call_step(lua_State *L)
{
    call_box *b = vod_arg_check_udata(L, 1, VOD_CALL_MT);
    vod_call *k = &b->k;
    vod_ev ev;
    vod_op op;
    if (k->c == NULL)
        return luaL_error(L, "this call was never started");
    read_event(L, k, &ev);
    op = vod_call_step(L, k, &ev);
    switch (op) {
    case VOD_OP_SLEEP:
        lua_pushliteral(L, "sleep");
        lua_pushnumber(L, (lua_Number)k->sleep);
        return 2;
    case VOD_OP_CREDS_FN:
        lua_pushliteral(L, "creds");
        lua_rawgeti(L, LUA_REGISTRYINDEX, k->c->cred.func_ref);
        return 2;
    case VOD_OP_INCR:
        lua_pushliteral(L, "incr");
        lua_pushstring(L, k->incr_key);
        lua_pushnumber(L, (lua_Number)k->incr_ttl);
        return 3;
    case VOD_OP_CONNECT:
        lua_pushliteral(L, "connect");
        vod_pushint(L, k->x.io_ms);
        lua_pushboolean(L, k->x.fresh);
        if (k->target == VOD_TARGET_META) {
            lua_pushliteral(L, "meta");
            lua_pushstring(L, k->c->cred.meta_host);
            vod_pushint(L, k->c->cred.meta_port);
            return 6;
        }
        lua_pushliteral(L, "api");
        return 4;
    case VOD_OP_HANDSHAKE:
        lua_pushliteral(L, "handshake");
        vod_pushint(L, k->x.io_ms);
        return 2;
    case VOD_OP_SEND:
        lua_pushliteral(L, "send");
        lua_pushlstring(L, k->x.out, k->x.out_len);
        vod_pushint(L, k->x.io_ms);
        return 3;
    case VOD_OP_RECV:
        lua_pushliteral(L, "recv");
        vod_pushint(L, k->x.io_ms);
        return 2;
    case VOD_OP_KEEP:
        lua_pushliteral(L, "keep");
        return 1;
    case VOD_OP_CLOSE:
        lua_pushliteral(L, "close");
        return 1;
    default:
        lua_pushliteral(L, "done");
        if (k->only_credentials)
            return 1;
        lua_insert(L, -2);              /* the answer after "done" */
        return 2;
    }
}

static call_box *start_box(lua_State *L, vod_client **c)
{
    call_box *b;
    *c = vod_client_check(L, 1);
    b = (call_box *)vod_call_push(L);
    lua_pushvalue(L, 1);
    b->client_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    return b;
}

int vod_l_call_start(lua_State *L)
{
    vod_client *c;
    const char *action;
    const vod_maction *typed = NULL;
    call_box *b;
    (void)vod_client_check(L, 1);
    action = vod_check_action(L, 2);
    vod_arg_check_type(L, 3, LUA_TTABLE);
    if (lua_toboolean(L, 4))
        typed = vod_model_action(action, strlen(action));
    lua_settop(L, 3);
    b = start_box(L, &c);
    vod_call_start(L, &b->k, c, VOD_DRIVER_COSOCKET, action, 3, typed);
    return 1;
}

int vod_l_call_start_credentials(lua_State *L)
{
    vod_client *c;
    call_box *b;
    lua_settop(L, 1);
    b = start_box(L, &c);
    if (c->cred.refresh_at == VOD_CREDS_NEVER)
        return 0;                       /* static ones: nothing to fetch */
    vod_call_start_credentials(L, &b->k, c, VOD_DRIVER_COSOCKET);
    return 1;
}

void vod_call_lua_init(lua_State *L)
{
    if (luaL_newmetatable(L, VOD_CALL_MT)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
        lua_createtable(L, 0, 1);
        lua_pushcfunction(L, call_step);
        lua_setfield(L, -2, "step");
        lua_setfield(L, -2, "__index");
        lua_pushliteral(L, VOD_CALL_MT);
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
}
