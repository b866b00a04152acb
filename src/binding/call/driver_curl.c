/* The libcurl driver (driver_curl.h): it moves bytes and sleeps; the engine
 * decides. Everything it allocates lives in the client's box (a connection,
 * the call reused from one call to the next), so an error raised anywhere
 * leaks nothing, and nothing here runs inside a libcurl callback. */
#include "driver_curl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "call_lua.h"
#include "clock.h"
#include "compat.h"
#include "curl_conn.h"
#include "engine.h"
#include "errors.h"
#include "request.h"

#define RECV_CHUNK 16384

static void conn_setup_failed(lua_State *L, vod_conn *conn)
{
    char why[CURL_ERROR_SIZE];
    snprintf(why, sizeof why, "%s", conn->errbuf[0] ? conn->errbuf : "curl_global_init failed");
    vod_conn_free(conn);
    memset(conn, 0, sizeof *conn);      /* the next call tries again */
    vod_error_raise(L, VOD_E_INTERNAL, NULL, "libcurl set-up failed: %s", why);
}

/* The API's connection, set up at the first call through libcurl (an
 * nginx worker never makes one). */
static vod_conn *api_conn(lua_State *L, vod_client *c)
{
    vod_conn_config cfg;
    if (c->conn_ready)
        return &c->conn;
    cfg.url = c->route.conn_url;
    cfg.ca_file = c->ca_file.len ? vod_buf_cstr(&c->ca_file) : NULL;
    cfg.proxy = c->route.absolute_form ? NULL : &c->proxy;
    if (vod_conn_global_init() != 0 || vod_conn_init(&c->conn, &cfg) != 0)
        conn_setup_failed(L, &c->conn);
    c->conn_ready = 1;
    return &c->conn;
}

/* The metadata service's: plain HTTP, never through a proxy. */
static vod_conn *meta_conn(lua_State *L, vod_client *c)
{
    vod_conn_config cfg;
    char url[300];
    if (c->meta_ready)
        return &c->meta_conn;
    snprintf(url, sizeof url, strchr(c->cred.meta_host, ':') ? "http://[%s]:%d/" : "http://%s:%d/",
             c->cred.meta_host, c->cred.meta_port);
    cfg.url = url;
    cfg.ca_file = NULL;
    cfg.proxy = NULL;
    if (vod_conn_global_init() != 0 || vod_conn_init(&c->meta_conn, &cfg) != 0)
        conn_setup_failed(L, &c->meta_conn);
    c->meta_ready = 1;
    return &c->meta_conn;
}

static void meta_release(vod_client *c)
{
    if (c->meta_ready)
        vod_conn_free(&c->meta_conn);
    memset(&c->meta_conn, 0, sizeof c->meta_conn);
    c->meta_ready = 0;
}

/* pcall(credentials function) -> (ok, r1, r2) on top; returns ok's index */
static int credentials_function(lua_State *L, vod_client *c)
{
    int base = lua_gettop(L);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->cred.func_ref);
    lua_pushboolean(L, lua_pcall(L, 0, 2, 0) == 0);
    lua_insert(L, base + 1);
    lua_settop(L, base + 3);
    return base + 1;
}

/* Runs k to its end: the number of results on the stack. */
static int run(lua_State *L, vod_client *c, vod_call *k)
{
    vod_ev ev;
    char buf[RECV_CHUNK];
    memset(&ev, 0, sizeof ev);
    for (;;) {
        vod_op op = vod_call_step(L, k, &ev);
        vod_conn *conn = NULL;
        if (op >= VOD_OP_CONNECT && op <= VOD_OP_CLOSE)
            conn = k->target == VOD_TARGET_META ? meta_conn(L, c) : api_conn(L, c);
        memset(&ev.x, 0, sizeof ev.x);
        switch (op) {
        case VOD_OP_DONE:
            return k->only_credentials ? 0 : 1;
        case VOD_OP_SLEEP:
            vod_sleep(k->sleep);
            break;
        case VOD_OP_CREDS_FN:
            ev.base = credentials_function(L, c);
            break;
        case VOD_OP_CONNECT:
            if (!k->x.fresh && vod_conn_kept(conn)) {
                ev.x.kind = VOD_XEV_OK;
                ev.x.reused = 1;
            } else {
                vod_conn_open(conn, k->x.io_ms, &ev.x);
            }
            break;
        case VOD_OP_SEND:
            vod_conn_send(conn, k->x.out, k->x.out_len, k->x.io_ms, &ev.x);
            break;
        case VOD_OP_RECV:
            vod_conn_recv(conn, buf, sizeof buf, k->x.io_ms, &ev.x);
            break;
        case VOD_OP_KEEP:
            vod_conn_keep(conn);
            break;
        case VOD_OP_CLOSE:
            if (k->target == VOD_TARGET_META)
                meta_release(c);
            else
                vod_conn_close(conn);
            break;
        default:        /* HANDSHAKE, INCR: libcurl does TLS, and there is no shared dict */
            return vod_error_raise(L, VOD_E_INTERNAL, k->action, "the engine asked the libcurl "
                                   "driver for step %d", (int)op);
        }
    }
}

typedef struct run_args {
    vod_client *c;
    vod_call *k;
    const char *action;         /* NULL: only the credentials */
    const vod_maction *typed;
} run_args;

/* (run_args, params): under pcall, so that the client's call is given back
 * whatever happens */
static int run_p(lua_State *L)
{
    run_args *a = lua_touserdata(L, 1);
    if (a->action == NULL)
        vod_call_start_credentials(L, a->k, a->c, VOD_DRIVER_CURL);
    else
        vod_call_start(L, a->k, a->c, VOD_DRIVER_CURL, a->action, 2, a->typed);
    return run(L, a->c, a->k);
}

static int request(lua_State *L, vod_client *c, const char *action, int params,
                   const vod_maction *typed)
{
    run_args a;
    int st, top;
    params = vod_absindex(L, params);
    if (c->call_busy) {
        /* a call from inside a call (a debug or credentials function using
         * its own client): a call of its own, collected with its box */
        vod_call *k = vod_call_push(L);
        if (action == NULL)
            vod_call_start_credentials(L, k, c, VOD_DRIVER_CURL);
        else
            vod_call_start(L, k, c, VOD_DRIVER_CURL, action, params, typed);
        return run(L, c, k);
    }
    if (c->call == NULL) {
        c->call = calloc(1, sizeof *c->call);
        if (c->call == NULL)
            return vod_error_raise(L, VOD_E_OUT_OF_MEMORY, action, "out of memory");
    }
    a.c = c;
    a.k = c->call;
    a.action = action;
    a.typed = typed;
    top = lua_gettop(L);
    lua_pushcfunction(L, run_p);
    lua_pushlightuserdata(L, &a);
    lua_pushvalue(L, params);
    c->call_busy = 1;
    st = lua_pcall(L, 2, LUA_MULTRET, 0);
    c->call_busy = 0;
    if (!c->ready)
        vod_curl_release(c);            /* closed by a callback during the call */
    if (st != 0)
        return lua_error(L);
    return lua_gettop(L) - top;
}

int vod_curl_request(lua_State *L, vod_client *c, const char *action, int params,
                     const vod_maction *typed)
{
    return request(L, c, action, params, typed);
}

void vod_curl_release(vod_client *c)
{
    if (c->call_busy)
        return;                         /* the call ends first (request() comes back here) */
    if (c->conn_ready)
        vod_conn_free(&c->conn);
    c->conn_ready = 0;
    meta_release(c);
    if (c->call != NULL) {
        vod_call_free(c->call);
        free(c->call);
        c->call = NULL;
    }
}

int vod_m_action(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    const vod_maction *a = lua_touserdata(L, lua_upvalueindex(3));
    if (lua_isnoneornil(L, 2)) {        /* an action that needs no parameter */
        lua_settop(L, 1);
        lua_newtable(L);
    }
    vod_arg_check_type(L, 2, LUA_TTABLE);
    return vod_curl_request(L, c, vod_maction_name(a), 2, a);
}

int vod_m_call(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    const char *action = vod_check_action(L, 2);
    if (lua_isnoneornil(L, 3)) {
        lua_settop(L, 2);
        lua_newtable(L);
    }
    vod_arg_check_type(L, 3, LUA_TTABLE);
    return vod_curl_request(L, c, action, 3, NULL);
}

int vod_m_refresh_credentials(lua_State *L)
{
    vod_client *c = vod_client_check(L, 1);
    if (c->cred.refresh_at == VOD_CREDS_NEVER)
        return 0;                       /* static ones: nothing to fetch */
    lua_settop(L, 1);
    return request(L, c, NULL, 1, NULL);
}
