/* vod.new's options: read from a Lua table, checked, defaults applied,
 * credentials resolved (the chain in creds.c). */
#ifndef VOD_OPTIONS_H
#define VOD_OPTIONS_H

#include <stddef.h>
#include <lua.h>

#include "cred_config.h"
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
    vod_cred_config cred;               /* the credentials, or where they come from (cred_config.h) */
} vod_options;

/* Reads the table at idx (or defaults when it is nil/none). Raises an error
 * object (ClientError.InvalidOption / ClientError.Credentials) on bad input. */
void vod_options_read(lua_State *L, int idx, vod_options *o);

#endif
