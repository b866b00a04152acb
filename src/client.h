/* The Client userdata: one signer, one transport, reusable buffers, and the
 * header lines that are the same for every call, built once. */
#ifndef VOD_CLIENT_H
#define VOD_CLIENT_H

#include <lua.h>

#include "buf.h"
#include "creds.h"
#include "retry.h"
#include "rules.h"
#include "tc3_sign.h"
#include "transport.h"

#define VOD_CLIENT_MT "tencentcloud.vod.client"
#define VOD_VERSION "0.1.0"
#define VOD_API_VERSION "2018-07-17"
#define VOD_SERVICE "vod"
#define VOD_DEFAULT_ENDPOINT "vod.intl.tencentcloudapi.com"   /* site = "intl" */
#define VOD_CHINA_ENDPOINT "vod.tencentcloudapi.com"          /* site = "china" */
#define VOD_MAX_BODY (10u * 1024u * 1024u)   /* the API's limit on a POST body */

typedef struct vod_client {
    int ready;                  /* fully built; 0 while half-built or after close */
    tc3_signer signer;
    vod_transport tp;
    vod_buf body;               /* the JSON body of the current call */
    vod_buf fixed;              /* the constant header lines, NUL-separated (holds the token: wiped) */
    const char *lines[VOD_TP_MAX_HEADERS];
    size_t nfixed;              /* lines[0..nfixed) are constant */
    char hdr_action[96];
    char hdr_timestamp[40];
    char hdr_auth[TC3_AUTH_MAX + 32];
    char host[260];             /* signed host: the endpoint without its port */
    char endpoint[300];         /* host[:port] as configured */
    char scheme[8];
    char id_hint[16];           /* first and last characters of the secret id, for tostring */
    char url[320];              /* scheme://endpoint/ */
    vod_buf ca_file;            /* copy of the ca_file option ("" = system store) */
    long timeout_ms, connect_timeout_ms;
    size_t max_response;
    vod_retry_policy retry;
    vod_bucket bucket;          /* client-side rate limit (libcurl, or nginx without a dict) */
    char rate_dict[72];         /* nginx: the lua_shared_dict holding a shared bucket */
    long long clock_offset;     /* s to add to the local clock, learnt from a Date header */
    uint64_t rng;               /* backoff jitter */
    int debug;                  /* 0 off, 1 stderr, 2 the function at debug_ref */
    int debug_ref;
    long calls;                 /* requests sent */
    long connects;              /* connections opened */
    vod_proxy proxy;            /* decided once at vod.new (kind NONE: straight); holds a secret */
    vod_creds cred;             /* where the key comes from, and when to refresh it (creds.h) */
} vod_client;

/* vod.new(opts) */
int vod_client_new(lua_State *L);
/* Returns the client at idx, raising if it is not one or has been closed. */
vod_client *vod_client_check(lua_State *L, int idx);
/* Registers the client metatable with its methods. */
void vod_client_init(lua_State *L);

/* The request path: check (when rules is non-NULL), encode, sign, send,
 * parse. Pushes the Response table, or raises an error object. */
int vod_client_request(lua_State *L, vod_client *c, const char *action, int params,
                       const vod_action_rules *rules);

/* Sets fields host (bare, no brackets) and port in the table on top. */
void vod_push_host_port(lua_State *L, const vod_client *c);

/* client:wait_plan(task_id, opts) -> params, interval, timeout, progress */
int vod_m_wait_plan(lua_State *L);

/* Sets up libcurl on the first call through it (an nginx worker never does). */
void vod_client_transport(lua_State *L, vod_client *c);

/* With a DescribeTaskDetail result on top: raises when the task finished
 * badly (failed or aborted), else leaves it there. */
void vod_check_task(lua_State *L, const char *task_id, int aborted);

/* request.c: the halves of a call that do no I/O */
void vod_request_prepare(lua_State *L, vod_client *c, const char *action, int params,
                         const vod_action_rules *rules);
void vod_request_sign(lua_State *L, vod_client *c, const char *action, long long timestamp);
int vod_response_parse(lua_State *L, vod_client *c, const char *action, long status,
                       const char *body, size_t len);
void vod_debug(lua_State *L, vod_client *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
long long vod_client_now(const vod_client *c);
int vod_learn_clock(vod_client *c, const char *http_date);
void vod_failure_of(lua_State *L, int idx, vod_failure *f);
int vod_is_read_only(const char *action);
int vod_has_session_id(lua_State *L, int params);
/* call.c: sets attempts, retryable, ambiguous on the error at err, and turns a
 * duplicate-SessionId refusal after an ambiguous attempt into MaybeCreated. */
void vod_finish_error(lua_State *L, int err, int attempts, const char *first_ambiguous,
                      const char *session_id, int idempotent);

/* The action at idx, or raises ClientError.InvalidParameter unless it is
 * 1..64 letters and digits (no NUL, no header-breaking byte). */
const char *vod_check_action(lua_State *L, int idx);
/* Adds build_request and parse_response to the methods table on top. */
void vod_call_register(lua_State *L);

/* proxy_lua.c: the proxy a cosocket transport must use, credentials
 * included; handed to ngx.lua only, never a method of the client. */
int vod_l_proxy_for_transport(lua_State *L);

/* Lua methods. */
int vod_m_create_aigc_subject(lua_State *L);
int vod_m_describe_task_detail(lua_State *L);
int vod_m_call(lua_State *L);
int vod_m_wait_task(lua_State *L);

#endif
