/* The engine: one API call as a state machine that does no I/O, driven the
 * same way by both transports (DESIGN: one engine, two drivers).
 *
 * It knows everything a call must do: fetch or refresh the credentials
 * (a credentials function, or the CVM role's metadata GET), wait for the
 * rate (the client's bucket, or a window counter in an nginx
 * lua_shared_dict), sign, write the request, read the answer (through the
 * exchange, src/core/engine/exchange.c, and its HTTP/1.1 reader), parse it,
 * classify a failure, retry or wait out a throttle, correct the clock from
 * the server's Date, carry the SessionId, and say MaybeCreated. After each
 * step it says what the driver must do next:
 *
 *   SLEEP      wait `sleep` seconds
 *   CREDS_FN   call the credentials function (the client's) under pcall, push
 *              (ok, r1, r2) on top and step with ev->base at ok: the step
 *              takes them off
 *   INCR       add 1 to the counter `incr_key` of the shared dict (created at
 *              0, expiring after `incr_ttl` s): step with the new count, or
 *              count < 0 (and why) when the dict failed
 *   CONNECT, HANDSHAKE, SEND, RECV, KEEP, CLOSE
 *              the exchange's I/O (exchange.h), to `target`: the API's
 *              endpoint, or the metadata service (meta_host, meta_port)
 *   DONE       the answer (the Response table) is on the stack
 *
 * and raises the error object when the call fails. Drivers: driver_curl.c
 * (libcurl's connections, plain Lua) and src/lua/ngx.lua (cosockets, through
 * steps.c's call:step). */
#ifndef VOD_ENGINE_H
#define VOD_ENGINE_H

#include <lua.h>

#include "buf.h"
#include "client_type.h"
#include "exchange.h"
#include "request.h"
#include "vod_model.h"

typedef enum vod_op {
    VOD_OP_SLEEP = 0,
    VOD_OP_CREDS_FN,
    VOD_OP_INCR,
    VOD_OP_CONNECT,
    VOD_OP_HANDSHAKE,
    VOD_OP_SEND,
    VOD_OP_RECV,
    VOD_OP_KEEP,
    VOD_OP_CLOSE,
    VOD_OP_DONE
} vod_op;

typedef enum vod_driver {
    VOD_DRIVER_CURL = 0,    /* libcurl opens, tunnels and secures connections */
    VOD_DRIVER_COSOCKET     /* plain TCP from nginx: the engine tunnels, the driver does TLS */
} vod_driver;

enum { VOD_TARGET_API = 0, VOD_TARGET_META };

/* What the driver did. */
typedef struct vod_ev {
    vod_xev x;              /* the I/O steps' outcome */
    int base;               /* CREDS_FN: the stack index of pcall's first result */
    double count;           /* INCR: the counter's new value; < 0: the dict failed */
    const char *why;        /* INCR: the dict's error */
} vod_ev;

typedef struct vod_call {
    vod_client *c;
    vod_driver driver;
    int only_credentials;       /* refresh_credentials: no request */
    int force_credentials;
    char action[72];
    int read_only, idempotent, paced;
    char sid[128];              /* the SessionId every attempt carries, or "" */
    vod_request rq;             /* the body, this attempt's headers and bytes */
    /* the loop */
    int state;
    int asked;                  /* the op the driver was given last */
    int attempts, retries, throttles, skew_fixed;
    char first_ambiguous[64];
    double start;               /* monotonic s */
    vod_exchange x;
    vod_xroute meta_route;
    /* what the driver is asked */
    double sleep;
    int target;
    char incr_key[360];
    double incr_ttl;
    long long window, slot;     /* the shared rate: the slot asked for */
    /* the credentials */
    double creds_wait_until;    /* waiting for another call's fetch until (monotonic s) */
    unsigned creds_gen;         /* the fetch waited for */
    int meta_gets;
} vod_call;

/* Prepares k for a call of `action`: checks the parameters at `params` (by
 * the model when typed is set, after the action's own rules), encodes them,
 * picks the SessionId. Raises ClientError.InvalidParameter before anything
 * is sent. Then vod_call_step with an event of kind NONE begins it. */
void vod_call_start(lua_State *L, vod_call *k, vod_client *c, vod_driver d, const char *action,
                    int params, const vod_maction *typed);

/* Prepares k to fetch the credentials now (client:refresh_credentials);
 * DONE pushes nothing. */
void vod_call_start_credentials(lua_State *L, vod_call *k, vod_client *c, vod_driver d);

/* The next step, given what the driver did (ev->x.kind NONE to begin, and
 * after SLEEP, KEEP and CLOSE). Raises the error object when the call
 * fails; leaves the stack as it found it, but for DONE's answer. */
vod_op vod_call_step(lua_State *L, vod_call *k, const vod_ev *ev);

/* Frees k's buffers (wiping them). Safe on a zeroed or finished call. */
void vod_call_free(vod_call *k);

#endif
