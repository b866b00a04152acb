/* The one error shape: a table with a shared metatable, raised or returned.
 * Fields: code, message, request_id, action, http_status, retryable, plus
 * what a code needs (param, task_id, ...). */
#ifndef VOD_ERRORS_H
#define VOD_ERRORS_H

#include <lua.h>

#define VOD_ERROR_MT "tencentcloud.vod.error"

/* Codes for what fails on this side (docs/errors-and-retries.md lists them all). */
#define VOD_E_INVALID_PARAMETER "ClientError.InvalidParameter"
#define VOD_E_INVALID_OPTION    "ClientError.InvalidOption"
#define VOD_E_CREDENTIALS       "ClientError.Credentials"
#define VOD_E_DNS               "ClientError.DNS"
#define VOD_E_CONNECT           "ClientError.Connect"
#define VOD_E_NETWORK           "ClientError.Network"
#define VOD_E_PROXY             "ClientError.Proxy"      /* the proxy refused or failed the tunnel */
#define VOD_E_PROXY_AUTH        "ClientError.ProxyAuth"  /* the proxy refused the credentials */
#define VOD_E_TIMEOUT           "ClientError.Timeout"
#define VOD_E_TLS               "ClientError.TLS"
#define VOD_E_TLS_VERIFY        "ClientError.TLSVerify"
#define VOD_E_HTTP_STATUS       "ClientError.HTTPStatus"
#define VOD_E_MALFORMED         "ClientError.MalformedResponse"
#define VOD_E_TOO_LARGE         "ClientError.ResponseTooLarge"
#define VOD_E_OUT_OF_MEMORY     "ClientError.OutOfMemory"
#define VOD_E_CLOSED            "ClientError.ClientClosed"
#define VOD_E_MAYBE_CREATED     "ClientError.MaybeCreated"
#define VOD_E_TASK_FAILED       "ClientError.TaskFailed"
#define VOD_E_TASK_ABORTED      "ClientError.TaskAborted"
#define VOD_E_WAIT_TIMEOUT      "ClientError.WaitTimeout"
#define VOD_E_INVALID_EVENT     "ClientError.InvalidEvent"    /* a pushed notification that is no event */
#define VOD_E_EVENT_SIGNATURE   "ClientError.EventSignature"  /* its Sign/T missing, wrong or expired */
#define VOD_E_INTERNAL          "ClientError.Internal"

/* Creates the shared metatable (once) and leaves nothing on the stack. */
void vod_errors_init(lua_State *L);

/* Pushes a new error object with code, action (may be NULL) and a formatted
 * message; retryable = false, http_status absent. Add fields with
 * lua_setfield on the table at the top, then lua_error. */
void vod_error_push(lua_State *L, const char *code, const char *action, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Pushes and raises in one go. */
int vod_error_raise(lua_State *L, const char *code, const char *action, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* True when the value at idx is an error object of this library. */
int vod_error_is(lua_State *L, int idx);

/* Lua: vod.is_error(x) */
int vod_l_is_error(lua_State *L);

#endif
