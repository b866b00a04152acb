/* Which proxy a client goes through: the `proxy` option's URL parsed and
 * checked, or the one the environment names (https_proxy, HTTPS_PROXY,
 * http_proxy, HTTP_PROXY, all_proxy, ALL_PROXY) unless NO_PROXY/no_proxy
 * exempts the endpoint. Decided once per client; both transports are handed
 * the result. No Lua here, no I/O. The password never leaves `password`:
 * every other field may be printed. */
#ifndef VOD_PROXY_H
#define VOD_PROXY_H

#include <stddef.h>

#define VOD_PROXY_URL_MAX 1024      /* the longest proxy URL accepted */
#define VOD_PROXY_CRED_MAX 255      /* user name or password, decoded (SOCKS5's limit) */

typedef enum vod_proxy_kind {
    VOD_PROXY_NONE = 0,
    VOD_PROXY_HTTP,         /* http://   CONNECT tunnel (absolute-form for http endpoints) */
    VOD_PROXY_HTTPS,        /* https://  the same, TLS to the proxy first */
    VOD_PROXY_SOCKS5,       /* socks5:// the endpoint's name resolved here */
    VOD_PROXY_SOCKS5H       /* socks5h:// the endpoint's name resolved by the proxy */
} vod_proxy_kind;

typedef struct vod_proxy {
    vod_proxy_kind kind;
    char scheme[8];                 /* "http", "https", "socks5", "socks5h" */
    char host[256];                 /* lower case; an IPv6 address without brackets */
    int port;
    int has_auth;                   /* userinfo was given */
    char user[VOD_PROXY_CRED_MAX + 1];      /* percent-decoded */
    char password[VOD_PROXY_CRED_MAX + 1];  /* percent-decoded: secret */
    char hostport[270];             /* host:port ([v6]:port), for messages */
    char url[290];                  /* scheme://host:port, no userinfo: for libcurl */
    char shown[560];                /* scheme://user:***@host:port: the printable form */
    char source[24];                /* "option" or the environment variable's name */
} vod_proxy;

/* Parses a proxy URL: scheme://[user[:password]@]host[:port][/]. With
 * scheme_optional, a bare host[:port] means http:// (as the environment
 * variables are read by curl, Go and Python). Returns 0, or -1 with a reason
 * in why (which never quotes the user info). p is zeroed first. */
int vod_proxy_parse(const char *s, size_t len, int scheme_optional, vod_proxy *p, char *why,
                    size_t whylen);

/* True when the NO_PROXY list exempts host (bare; an IPv6 address with or
 * without brackets) at port: comma-separated entries, "*" for every host,
 * a name matching itself and its subdomains (a leading "." or "*." is
 * optional), an IP address, an IP prefix in CIDR notation, each optionally
 * with ":port". Names compare case-insensitively. */
int vod_no_proxy_match(const char *list, const char *host, int port);

typedef const char *(*vod_getenv_fn)(const char *name);

/* What the environment says for an endpoint (https or not) at host:port.
 * Returns the value of the first non-empty variable that applies, with its
 * name in *var, or NULL (no proxy). *bypass is set to the NO_PROXY variable's
 * name when a proxy was named but the endpoint is exempt, else NULL. */
const char *vod_proxy_from_env(vod_getenv_fn get, int https, const char *host, int port,
                               const char **var, const char **bypass);

/* Zeroes the structure, the password first. */
void vod_proxy_wipe(vod_proxy *p);

#endif
