/* client:upload as a Lua object: the box that holds an upload (and frees it
 * when collected), and, for a driver written in Lua (the cosocket driver,
 * src/lua/ngx.lua), its lanes a step at a time:
 *
 *   u:lanes() -> n
 *   u:step(i)                      to begin, and after wait, sleep, keep, close
 *   u:step(i, ok, answer | err)    after "call": pcall(run the call)
 *   u:step(i, pcall(reader))       after "read"
 *   u:step(i, pcall(progress, ...)) after "progress"
 *   u:step(i, ...)                 after an I/O step: as call:step (call_lua.c)
 *
 *   -> "call", call | "read", reader | "progress", fn, done, total, what
 *    | "wait" | "done" | "sleep", s
 *    | "connect", ms, fresh, host, port, pool | "handshake", ms, server_name
 *    | "send", bytes, ms | "recv", ms | "keep" | "close"
 *
 *   u:result() -> CommitUpload's answer, or raises the upload's error
 *
 * private.start_upload(client, params, opts) makes one for cosockets. */
#include "upload_lua.h"

#include <string.h>

#include "args.h"
#include "call_lua.h"
#include "compat.h"
#include "errors.h"
#include "upload_params.h"

static vod_upload *check(lua_State *L)
{
    return vod_arg_check_udata(L, 1, VOD_UPLOAD_MT);
}

static int box_gc(lua_State *L)
{
    vod_upload_free(L, lua_touserdata(L, 1));
    return 0;
}

vod_upload *vod_upload_start(lua_State *L, int client, vod_driver d, int params, int opts)
{
    vod_upload *u;
    client = vod_absindex(L, client);
    params = vod_absindex(L, params);
    opts = opts ? vod_absindex(L, opts) : 0;
    u = vod_newuserdata(L, sizeof *u);      /* box first: __gc frees what comes */
    memset(u, 0, sizeof *u);
    u->params_ref = u->progress_ref = u->reader_ref = LUA_NOREF;
    u->result_ref = u->error_ref = u->client_ref = u->self_ref = LUA_NOREF;
    for (int i = 0; i < VOD_UPLOAD_MAX_LANES; i++)
        u->lanes[i].call_ref = LUA_NOREF;
    luaL_getmetatable(L, VOD_UPLOAD_MT);
    lua_setmetatable(L, -2);
    u->c = lua_touserdata(L, client);
    u->driver = d;
    lua_pushvalue(L, client);
    u->client_ref = luaL_ref(L, LUA_REGISTRYINDEX);     /* the client outlives its upload */
    vod_upload_read(L, u, params, opts);
    u->n_lanes = u->concurrency;
    for (int i = 0; i < u->n_lanes; i++)
        u->lanes[i].asked = -1;
    vod_upload_begin(L, u);
    return u;
}

/* the values a lane's driver gives back, after the step it was asked */
static void read_event(lua_State *L, const vod_lane *l, vod_uev *ev)
{
    memset(ev, 0, sizeof *ev);
    switch (l->asked) {
    case VOD_UOP_CALL:
    case VOD_UOP_READ:
    case VOD_UOP_PROGRESS:
        lua_settop(L, 4);
        ev->base = 3;
        return;
    case VOD_UOP_CONNECT:
    case VOD_UOP_HANDSHAKE:
    case VOD_UOP_SEND:
    case VOD_UOP_RECV:
        vod_call_read_io(L, l->asked, 3, &ev->x);
        return;
    default:
        return;
    }
}

static int push_op(lua_State *L, vod_upload *u, vod_lane *l, vod_uop op)
{
    switch (op) {
    case VOD_UOP_CALL:
        lua_pushliteral(L, "call");
        lua_rawgeti(L, LUA_REGISTRYINDEX, l->call_ref);
        return 2;
    case VOD_UOP_READ:
        lua_pushliteral(L, "read");
        lua_rawgeti(L, LUA_REGISTRYINDEX, u->reader_ref);
        return 2;
    case VOD_UOP_PROGRESS:
        lua_pushliteral(L, "progress");
        lua_rawgeti(L, LUA_REGISTRYINDEX, u->progress_ref);
        vod_pushint(L, (long long)u->prog_done);
        if (u->prog_total > 0)
            vod_pushint(L, (long long)u->prog_total);
        else
            lua_pushnil(L);
        lua_pushstring(L, u->prog_what);
        return 5;
    case VOD_UOP_WAIT:
        lua_pushliteral(L, "wait");
        return 1;
    case VOD_UOP_DONE:
        lua_pushliteral(L, "done");
        return 1;
    case VOD_UOP_SLEEP:
        lua_pushliteral(L, "sleep");
        lua_pushnumber(L, (lua_Number)l->sleep);
        return 2;
    case VOD_UOP_CONNECT:
        lua_pushliteral(L, "connect");
        vod_pushint(L, l->x.io_ms);
        lua_pushboolean(L, l->x.fresh);
        lua_pushstring(L, u->route.sock_host);
        vod_pushint(L, u->route.sock_port);
        lua_pushstring(L, u->route.pool);
        return 6;
    case VOD_UOP_HANDSHAKE:
        lua_pushliteral(L, "handshake");
        vod_pushint(L, l->x.io_ms);
        lua_pushstring(L, u->route.server_name);
        return 3;
    case VOD_UOP_SEND:
        lua_pushliteral(L, "send");
        lua_pushlstring(L, l->x.out, l->x.out_len);
        vod_pushint(L, l->x.io_ms);
        return 3;
    case VOD_UOP_RECV:
        lua_pushliteral(L, "recv");
        vod_pushint(L, l->x.io_ms);
        return 2;
    case VOD_UOP_KEEP:
        lua_pushliteral(L, "keep");
        return 1;
    default:
        lua_pushliteral(L, "close");
        return 1;
    }
}

/* u:step(i, ...) */
static int u_step(lua_State *L)
{
    vod_upload *u = check(L);
    long long i = vod_arg_check_integer(L, 2);
    vod_lane *l;
    vod_uev ev;
    vod_uop op;
    if (i < 1 || i > u->n_lanes)
        return vod_arg_error(L, 2, "no such lane");
    l = &u->lanes[i - 1];
    read_event(L, l, &ev);
    op = vod_upload_step(L, u, (int)i - 1, &ev);
    l->asked = (int)op;
    return push_op(L, u, l, op);
}

static int u_lanes(lua_State *L)
{
    vod_pushint(L, check(L)->n_lanes);
    return 1;
}

static int u_result(lua_State *L)
{
    return vod_upload_result(L, check(L));
}

/* private.start_upload(client, params, opts) -> an upload for cosockets */
int vod_l_upload_start(lua_State *L)
{
    (void)vod_client_check(L, 1);
    vod_arg_check_type(L, 2, LUA_TTABLE);
    if (!lua_isnoneornil(L, 3))
        vod_arg_check_type(L, 3, LUA_TTABLE);
    vod_upload_start(L, 1, VOD_DRIVER_COSOCKET, 2, lua_isnoneornil(L, 3) ? 0 : 3);
    return 1;
}

void vod_upload_lua_init(lua_State *L)
{
    static const luaL_Reg methods[] = {
        { "step", u_step },
        { "lanes", u_lanes },
        { "result", u_result },
        { NULL, NULL },
    };
    if (luaL_newmetatable(L, VOD_UPLOAD_MT)) {
        lua_pushcfunction(L, box_gc);
        lua_setfield(L, -2, "__gc");
        lua_createtable(L, 0, 3);
        for (const luaL_Reg *m = methods; m->name != NULL; m++) {
            lua_pushcfunction(L, m->func);
            lua_setfield(L, -2, m->name);
        }
        lua_setfield(L, -2, "__index");
        lua_pushliteral(L, VOD_UPLOAD_MT);
        lua_setfield(L, -2, "__name");
    }
    lua_pop(L, 1);
}
