/* client:upload in plain Lua: the libcurl driver of an upload's lanes. Each
 * lane has its own connection to COS (opened and secured by libcurl,
 * curl_conn.c); their bytes move without blocking, all the lanes' sockets
 * waited on together with poll, so parts go up in parallel from one thread.
 * The API calls (ApplyUpload, CommitUpload) run through the call driver
 * (driver_curl.c), the MediaReader and the progress function are called
 * here. The driver decides nothing: the engine (upload.c) does. */
#define _POSIX_C_SOURCE 200809L
#include "upload_curl.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "call_lua.h"
#include "clock.h"
#include "compat.h"
#include "curl_conn.h"
#include "driver_curl.h"
#include "errors.h"
#include "upload.h"

#define LANES_MT "tencentcloud.vod.upload_lanes"
#define RECV_CHUNK 16384

enum { D_READY = 0, D_SEND, D_RECV, D_SLEEP, D_WAIT, D_DONE };

typedef struct dlane {
    vod_conn conn;
    int conn_ready;
    int state;
    vod_uev ev;
    int pop;                /* values pushed for the next step, to pop after it */
    long long deadline;     /* ms: the I/O's, or the sleep's end */
    size_t off;             /* SEND: written of the slice */
    char buf[RECV_CHUNK];   /* RECV: what came, until the lane's next step takes it */
} dlane;

typedef struct lanes {
    dlane d[VOD_UPLOAD_MAX_LANES];
    int n;
} lanes;

static int lanes_gc(lua_State *L)
{
    lanes *b = lua_touserdata(L, 1);
    for (int i = 0; i < b->n; i++)
        if (b->d[i].conn_ready)
            vod_conn_free(&b->d[i].conn);
    b->n = 0;
    return 0;
}

static long long now_ms(void)
{
    return (long long)(vod_monotonic() * 1000.0);
}

static vod_conn *conn_of(lua_State *L, vod_upload *u, dlane *d)
{
    vod_conn_config cfg;
    if (d->conn_ready)
        return &d->conn;
    cfg.url = u->route.conn_url;
    cfg.ca_file = u->c->ca_file.len ? vod_buf_cstr(&u->c->ca_file) : NULL;
    cfg.proxy = u->route.absolute_form ? NULL : &u->c->proxy;
    if (vod_conn_global_init() != 0 || vod_conn_init(&d->conn, &cfg) != 0) {
        char why[CURL_ERROR_SIZE];
        snprintf(why, sizeof why, "%s", d->conn.errbuf[0] ? d->conn.errbuf : "curl_global_init failed");
        vod_conn_free(&d->conn);
        memset(&d->conn, 0, sizeof d->conn);
        vod_error_raise(L, VOD_E_INTERNAL, "upload", "libcurl set-up failed: %s", why);
    }
    d->conn_ready = 1;
    return &d->conn;
}

static void timed_out(dlane *d)
{
    memset(&d->ev.x, 0, sizeof d->ev.x);
    d->ev.x.kind = VOD_XEV_FAIL;
    d->ev.x.fail = VOD_FAIL_TIMEOUT;
    d->ev.x.msg = "timed out";
    d->ev.x.sent = d->state == D_SEND && d->off > 0;
    d->state = D_READY;
}

/* Tries the lane's pending I/O once, without waiting. */
static void try_io(lua_State *L, vod_upload *u, lanes *b, int i)
{
    dlane *d = &b->d[i];
    vod_lane *l = &u->lanes[i];
    vod_conn *c = conn_of(L, u, d);
    if (d->state == D_SEND) {
        while (d->off < l->x.out_len) {
            size_t done = 0;
            int rc = vod_conn_send_some(c, l->x.out + d->off, l->x.out_len - d->off, &done, &d->ev.x);
            if (rc < 0) {
                d->ev.x.sent = d->off > 0;
                d->state = D_READY;
                return;
            }
            d->off += done;
            if (rc == 1)
                break;
        }
        if (d->off == l->x.out_len) {
            memset(&d->ev.x, 0, sizeof d->ev.x);
            d->ev.x.kind = VOD_XEV_OK;
            d->state = D_READY;
        }
    } else if (d->state == D_RECV) {
        if (vod_conn_recv_some(c, d->buf, sizeof d->buf, &d->ev.x) != 1)
            d->state = D_READY;
    }
    if (d->state != D_READY && now_ms() >= d->deadline)
        timed_out(d);
}

/* Steps lane i while it can go on without waiting. Returns 1 when the lane
 * did something (anything but WAIT). */
static int run_lane(lua_State *L, vod_upload *u, lanes *b, int i)
{
    dlane *d = &b->d[i];
    vod_lane *l = &u->lanes[i];
    int moved = 0;
    while (d->state == D_READY) {
        int top = lua_gettop(L);
        vod_uop op = vod_upload_step(L, u, i, &d->ev);
        if (d->pop) {
            lua_settop(L, top - d->pop);
            d->pop = 0;
        }
        memset(&d->ev, 0, sizeof d->ev);
        if (op != VOD_UOP_WAIT)
            moved = 1;
        switch (op) {
        case VOD_UOP_DONE:
            d->state = D_DONE;
            break;
        case VOD_UOP_WAIT:
            d->state = D_WAIT;
            break;
        case VOD_UOP_SLEEP:
            d->state = D_SLEEP;
            d->deadline = now_ms() + (long long)(l->sleep * 1000.0);
            break;
        case VOD_UOP_CALL: {
            /* the call's own driver; its failure comes back as a value */
            int ok;
            lua_pushcfunction(L, vod_curl_call_p);
            lua_pushlightuserdata(L, u);
            lua_rawgeti(L, LUA_REGISTRYINDEX, l->call_ref);
            ok = lua_pcall(L, 2, 1, 0) == 0;
            lua_pushboolean(L, ok);
            lua_insert(L, -2);
            d->ev.base = lua_gettop(L) - 1;
            d->pop = 2;
            break;
        }
        case VOD_UOP_READ:
            lua_rawgeti(L, LUA_REGISTRYINDEX, u->reader_ref);
            lua_pushboolean(L, lua_pcall(L, 0, 1, 0) == 0);
            lua_insert(L, -2);
            d->ev.base = lua_gettop(L) - 1;
            d->pop = 2;
            break;
        case VOD_UOP_PROGRESS:
            lua_rawgeti(L, LUA_REGISTRYINDEX, u->progress_ref);
            vod_pushint(L, (long long)u->prog_done);
            if (u->prog_total > 0)
                vod_pushint(L, (long long)u->prog_total);
            else
                lua_pushnil(L);
            lua_pushstring(L, u->prog_what);
            lua_pushboolean(L, lua_pcall(L, 3, 1, 0) == 0);
            lua_insert(L, -2);
            d->ev.base = lua_gettop(L) - 1;
            d->pop = 2;
            break;
        case VOD_UOP_CONNECT: {
            vod_conn *c = conn_of(L, u, d);
            if (!l->x.fresh && vod_conn_kept(c)) {
                d->ev.x.kind = VOD_XEV_OK;
                d->ev.x.reused = 1;
            } else {
                vod_conn_open(c, l->x.io_ms, &d->ev.x);
            }
            break;
        }
        case VOD_UOP_KEEP:
            vod_conn_keep(conn_of(L, u, d));
            break;
        case VOD_UOP_CLOSE:
            vod_conn_close(conn_of(L, u, d));
            break;
        case VOD_UOP_SEND:
        case VOD_UOP_RECV:
            d->state = op == VOD_UOP_SEND ? D_SEND : D_RECV;
            d->off = 0;
            d->deadline = now_ms() + l->x.io_ms;
            try_io(L, u, b, i);
            break;
        default:        /* HANDSHAKE: libcurl does TLS */
            vod_error_raise(L, VOD_E_INTERNAL, "upload", "the engine asked the libcurl driver for "
                            "step %d", (int)op);
        }
    }
    return moved;
}

/* (upload, call box): runs an upload's API call through the call driver */
int vod_curl_call_p(lua_State *L)
{
    vod_upload *u = lua_touserdata(L, 1);
    vod_call *k = lua_touserdata(L, 2);
    return vod_curl_run(L, u->c, k);
}

int vod_m_upload(lua_State *L)
{
    vod_upload *u;
    lanes *b;
    int left;
    (void)vod_client_check(L, 1);
    vod_arg_check_type(L, 2, LUA_TTABLE);
    if (!lua_isnoneornil(L, 3))
        vod_arg_check_type(L, 3, LUA_TTABLE);
    lua_settop(L, 3);
    u = vod_upload_start(L, 1, VOD_DRIVER_CURL, 2, lua_isnil(L, 3) ? 0 : 3);
    b = vod_newuserdata(L, sizeof *b);          /* the lanes' connections: closed when collected */
    memset(b, 0, sizeof *b);
    luaL_getmetatable(L, LANES_MT);
    lua_setmetatable(L, -2);
    b->n = u->n_lanes;
    left = b->n;
    while (left > 0) {
        struct pollfd fds[VOD_UPLOAD_MAX_LANES];
        int who[VOD_UPLOAD_MAX_LANES], nfds = 0, moved = 0, waiting = 0;
        long long now, wake = -1;
        for (int i = 0; i < b->n; i++)
            if (b->d[i].state == D_READY)
                moved |= run_lane(L, u, b, i);
        if (moved)                              /* the state changed: waiters look again */
            for (int i = 0; i < b->n; i++)
                if (b->d[i].state == D_WAIT)
                    b->d[i].state = D_READY;
        left = 0;
        for (int i = 0; i < b->n; i++) {
            dlane *d = &b->d[i];
            if (d->state != D_DONE)
                left++;
            if (d->state == D_READY)
                wake = 0;
            if (d->state == D_WAIT)
                waiting++;
        }
        if (left == 0 || wake == 0)
            continue;
        now = now_ms();
        for (int i = 0; i < b->n; i++) {
            dlane *d = &b->d[i];
            if (d->state == D_SEND || d->state == D_RECV) {
                fds[nfds].fd = d->conn.fd;
                fds[nfds].events = d->state == D_SEND ? POLLOUT : POLLIN;
                fds[nfds].revents = 0;
                who[nfds++] = i;
            }
            if (d->state == D_SEND || d->state == D_RECV || d->state == D_SLEEP)
                if (wake < 0 || d->deadline < wake)
                    wake = d->deadline;
        }
        if (nfds == 0 && wake < 0)
            return vod_error_raise(L, VOD_E_INTERNAL, "upload", "the upload's %d lanes all wait "
                                   "for each other", waiting);
        poll(fds, (nfds_t)nfds, wake < 0 ? -1 : (int)(wake > now ? wake - now : 0));
        now = now_ms();
        for (int k = 0; k < nfds; k++)
            if (fds[k].revents != 0 || now >= b->d[who[k]].deadline)
                try_io(L, u, b, who[k]);
        for (int i = 0; i < b->n; i++)
            if (b->d[i].state == D_SLEEP && now >= b->d[i].deadline)
                b->d[i].state = D_READY;
    }
    return vod_upload_result(L, u);
}

void vod_upload_curl_init(lua_State *L)
{
    if (luaL_newmetatable(L, LANES_MT)) {
        lua_pushcfunction(L, lanes_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_pop(L, 1);
}
