/* vod.new's options: read from a Lua table, checked, defaults applied,
 * credentials resolved (the chain in creds.c). */
#ifndef VOD_OPTIONS_H
#define VOD_OPTIONS_H

#include <stddef.h>
#include <lua.h>

#include "proxy.h"
#include "creds.h"
#include "retry.h"

typedef struct vod_options {
    /* strings point into the options table (kept on the stack) or environ */
    const char *secret_id, *secret_key, *token;
    size_t secret_id_len, secret_key_len, token_len;
    const char *region, *endpoint, *scheme, *ca_file, *language;
    double timeout, connect_timeout;    /* seconds */
    size_t max_response_size;
    vod_retry_policy retry;
    double rate, burst;                 /* rate 0: no client-side limit */
    const char *rate_dict;              /* OpenResty: lua_shared_dict shared by the workers */
    int debug;                          /* 0 off, 1 to stderr, 2 to the function in opts.debug */
    vod_proxy proxy;                    /* the option's, the environment's, or kind NONE (a secret) */
    vod_cred_config cred;               /* where the credentials come from (creds.h) */
} vod_options;

/* Reads the table at idx (or defaults when it is nil/none). Raises an error
 * object (ClientError.InvalidOption / ClientError.Credentials) on bad input. */
void vod_options_read(lua_State *L, int idx, vod_options *o);

/* For the readers of vod.new's options (options.c, creds_read.c). */
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
