/* How an endpoint is reached, decided once: straight, through an HTTP(S)
 * proxy (a CONNECT tunnel for https; the request itself, in absolute form,
 * for http: RFC 9112, section 3.2.2), or through SOCKS5. Both the API's
 * endpoint and COS's (an upload) are reached this way. What it gives: the
 * origin to put before the path in the request line ("" or "http://h:p"),
 * what libcurl connects to, and the CONNECT that a driver tunnelling itself
 * (nginx cosockets) sends first, with the exchange's two routes. No Lua. */
#ifndef VOD_ROUTE_H
#define VOD_ROUTE_H

#include "buf.h"
#include "exchange.h"
#include "proxy.h"

typedef struct vod_route {
    int https;
    int absolute_form;          /* an http endpoint through an HTTP proxy */
    char origin[340];           /* "" or "http://host:port" */
    char conn_url[360];         /* what libcurl connects to (the proxy, with absolute_form) */
    vod_buf connect_req;        /* CONNECT host:port (+ Proxy-Authorization): wiped */
    vod_buf proxy_auth;         /* "Proxy-Authorization: Basic ...\r\n" for absolute form: wiped */
    vod_xroute curl;            /* libcurl opens, tunnels and secures */
    vod_xroute sock;            /* plain TCP: the engine tunnels, the driver does TLS */
} vod_route;

/* Fills r (zeroed by the caller) for scheme ("http" or "https") and
 * authority ("host[:port]", an IPv6 address in brackets). 0, or -1 out of
 * memory. */
int vod_route_init(vod_route *r, const vod_proxy *p, const char *scheme, const char *authority,
                   long connect_timeout_ms);

/* Wipes and frees what r holds. */
void vod_route_free(vod_route *r);

#endif
