/* The Client userdata: one signer, one transport, reusable buffers, and the
 * header lines that are the same for every call, built once. A leaf: every
 * other part of the binding uses this type; it uses none of them (its life,
 * vod.new to close, is in client.c; its methods are listed in methods.c). */
#ifndef VOD_CLIENT_TYPE_H
#define VOD_CLIENT_TYPE_H

#include <stdlib.h>
#include <string.h>

#include <lua.h>

#include "args.h"
#include "compat.h"
#include "errors.h"

#include "buf.h"
#include "cred_types.h"
#include "limiter.h"
#include "proxy.h"
#include "retry.h"
#include "tc3_sign.h"
#include "curl_conn.h"
#include "exchange.h"
#include "route.h"

#define VOD_CLIENT_MT "tencentcloud.vod.client"
/* VOD_VERSION, the library's version ("X.Y.Z"), is defined by the build:
 * CMakeLists.txt reads it from the rockspec, its one source */
#ifndef VOD_VERSION
#error "VOD_VERSION is not defined: build with CMakeLists.txt, which reads it from rockspec/*.rockspec"
#endif
#define VOD_API_VERSION "2018-07-17"
#define VOD_SERVICE "vod"
#define VOD_DEFAULT_ENDPOINT "vod.intl.tencentcloudapi.com"   /* site = "intl" */
#define VOD_CHINA_ENDPOINT "vod.tencentcloudapi.com"          /* site = "china" */
#define VOD_MAX_BODY (10u * 1024u * 1024u)   /* the API's limit on a POST body */

#define VOD_MAX_HEADERS 12     /* constant header lines of a request */

struct vod_call;

typedef struct vod_client {
    int ready;                  /* fully built; 0 while half-built or after close */
    tc3_signer signer;
    vod_buf fixed;              /* the constant header lines, NUL-separated (holds the token: wiped) */
    const char *lines[VOD_MAX_HEADERS];
    size_t nfixed;              /* lines[0..nfixed) are constant */
    /* how the endpoint is reached, decided at vod.new */
    vod_route route;
    vod_buf prefix;             /* the request line and Host (and Proxy-Authorization: wiped) */
    char cos_endpoint[300];     /* uploads: COS's URL, {bucket} and {region} to fill */
    /* the libcurl driver (driver_curl.c): its connection, its call */
    int conn_ready;
    vod_conn conn;
    vod_conn meta_conn;         /* the metadata service's, open during a fetch */
    int meta_ready;
    struct vod_call *call;      /* reused by every call through libcurl (malloc'd) */
    int call_busy;
    char host[260];             /* signed host: the endpoint without its port */
    char endpoint[300];         /* host[:port] as configured */
    char scheme[8];
    char id_hint[16];           /* first and last characters of the secret id, for tostring */
    char url[320];              /* scheme://endpoint/ */
    vod_buf ca_file;            /* copy of the ca_file option ("" = system store) */
    long timeout_ms, connect_timeout_ms;
    size_t max_response;
    vod_retry_policy retry;
    vod_limiter limiter;        /* client-side rate limit (libcurl, or nginx without a dict) */
    char rate_dict[72];         /* nginx: the lua_shared_dict holding a shared bucket */
    int auto_session_id;        /* a create without a SessionId gets a generated one */
    long long clock_offset;     /* s to add to the local clock, learnt from a Date header */
    uint64_t rng;               /* backoff jitter */
    int debug;                  /* 0 off, 1 stderr, 2 the function at debug_ref */
    int debug_ref;
    long calls;                 /* requests sent */
    long connects;              /* connections opened */
    vod_proxy proxy;            /* decided once at vod.new (kind NONE: straight); holds a secret */
    vod_creds cred;             /* where the key comes from, and when to refresh it (cred_types.h) */
} vod_client;

/* Returns the client at idx, raising if it is not one or has been closed. */
static inline vod_client *vod_client_check(lua_State *L, int idx)
{
    vod_client *c = vod_arg_check_udata(L, idx, VOD_CLIENT_MT);
    if (!c->ready)
        vod_error_raise(L, VOD_E_CLOSED, NULL, "this client has been closed");
    return c;
}

/* Sets fields host (bare, no brackets) and port in the table on top. */
static inline void vod_push_host_port(lua_State *L, const vod_client *c)
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

#endif
