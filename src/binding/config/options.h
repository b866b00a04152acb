/* vod.new's options: read from a Lua table, checked, defaults applied,
 * credentials resolved (the chain in cred_refresh.c). */
#ifndef VOD_OPTIONS_H
#define VOD_OPTIONS_H

#include <stddef.h>
#include <lua.h>

#include "cred_types.h"
#include "proxy.h"
#include "retry.h"

typedef struct vod_options {
    /* strings point into the options table (kept on the stack) or environ */
    const char *region, *endpoint, *scheme, *ca_file, *language;
    double timeout, connect_timeout;    /* seconds */
    size_t max_response_size;
    vod_retry_policy retry;
    double rate, burst;                 /* rate 0: no client-side limit */
    int adaptive;                       /* the rate adapts to throttling (limiter.h) */
    int auto_session_id;                /* generate a SessionId for creates without one */
    const char *rate_dict;              /* OpenResty: lua_shared_dict shared by the workers */
    int debug;                          /* 0 off, 1 to stderr, 2 to the function in opts.debug */
    vod_proxy proxy;                    /* the option's, the environment's, or kind NONE (a secret) */
    vod_cred_config cred;               /* the credentials, or where they come from (cred_types.h) */
} vod_options;

/* Reads the table at idx (or defaults when it is nil/none), but for the
 * credentials (vod_creds_read, into o->cred) and the proxy, which vod.new
 * reads after them. Raises ClientError.InvalidOption on bad input. */
void vod_options_read(lua_State *L, int idx, vod_options *o);
/* The proxy option, or the environment's (a secret: vod_proxy_wipe it).
 * Read last: nothing raises after it. */
void vod_options_read_proxy(lua_State *L, int idx, vod_options *o);

/* Pushes a new table of vod.new's option defaults (defaults.h; an option
 * without a fixed default, such as region or proxy, is absent), with
 * wait_task = { interval, timeout }: vod.defaults() adds consume_events'. */
void vod_options_push_defaults(lua_State *L);

/* Readers of an options table, shared with the credential chain (cred_read.c). */
/* An unknown option key of fname (NULL: vod.new): ClientError.InvalidOption
 * with err.option, and a did-you-mean among `known` (else their list). The
 * one treatment of unknown options everywhere. Raises. */
void vod_opt_unknown(lua_State *L, const char *fname, const char *key, size_t klen,
                     const char *const *known, size_t n);
int vod_l_unknown_option(lua_State *L);

/* Raises ClientError.InvalidOption "option 'name' <fmt...>" with err.option. */
int vod_opt_error(lua_State *L, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Pushes t[name], read raw: pointers into the table's strings stay valid. */
void vod_opt_raw(lua_State *L, int t, const char *name);
/* t[name] as a string, NULL when nil (or t == 0); raises for another type. */
const char *vod_opt_string(lua_State *L, int t, const char *name, size_t *len);
/* Printable ASCII (a space only with allow_space): safe in a header line. */
int vod_opt_printable(const char *s, size_t n, int allow_space);

#endif
