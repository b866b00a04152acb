/* A connection opened and secured by libcurl, for the libcurl driver: the
 * engine (src/core/engine/exchange.c) writes every request and reads every
 * answer; libcurl only opens the connection, in CONNECT_ONLY mode: DNS, the
 * proxy (an HTTP CONNECT tunnel, TLS to an https:// proxy, SOCKS5), TLS with
 * the certificate and the host name verified (always: no option turns that
 * off), the CA bundle parsed once per process (ca_store.c). The bytes then
 * go through curl_easy_send and curl_easy_recv. Each step reports what
 * happened as an exchange event (vod_xev): the driver hands it on.
 *
 * Why not libcurl's own HTTP: the engine must read every answer the same
 * way on every transport (nginx has no libcurl), and per request libcurl's
 * HTTP layer cost more CPU than the rest of a call (bench/RESULTS.md).
 *
 * Knows nothing of Lua; never calls back into anything that could raise. */
#ifndef VOD_CURL_CONN_H
#define VOD_CURL_CONN_H

#include <curl/curl.h>

#include "exchange.h"
#include "proxy.h"

typedef struct vod_conn_config {
    const char *url;            /* what is connected to: scheme://host[:port]/ */
    const char *ca_file;        /* NULL: libcurl's default trust store */
    const vod_proxy *proxy;     /* a tunnel or SOCKS5 through libcurl, or NULL */
} vod_conn_config;

typedef struct vod_conn {
    CURL *easy;
    CURLM *multi;               /* holds the easy handle while a connection is open */
    int attached;               /* a connection is open */
    curl_socket_t fd;
    long long last_used_ms;     /* when it last answered */
    vod_proxy_kind proxy;       /* VOD_PROXY_NONE when going straight */
    char *ca_path;              /* the bundle handed to ca_store.c (malloc'd), or NULL */
    char errbuf[CURL_ERROR_SIZE];
    char msg[CURL_ERROR_SIZE + 64];     /* the words of the last failure */
} vod_conn;

/* Call once per process before the first vod_conn_init (idempotent). 0 ok. */
int vod_conn_global_init(void);

/* c must be zeroed. Sets every option once. 0, or -1 (why in c->errbuf);
 * vod_conn_free is safe after a failure. */
int vod_conn_init(vod_conn *c, const vod_conn_config *cfg);
void vod_conn_free(vod_conn *c);

/* 1 when a connection is open and still usable (idle under 118 s, nothing
 * unasked-for arrived, not closed by the peer); else closes it, returns 0. */
int vod_conn_kept(vod_conn *c);

/* Opens a new connection within timeout_ms: ev is OK (reused 0) or FAIL
 * (the kind, the proxy's status when it answered, the words). */
void vod_conn_open(vod_conn *c, long timeout_ms, vod_xev *ev);

/* Writes all of p[0..n) within timeout_ms: OK, or FAIL with `sent`. */
void vod_conn_send(vod_conn *c, const char *p, size_t n, long timeout_ms, vod_xev *ev);

/* Reads what arrives within timeout_ms into buf: DATA, EOF or FAIL. */
void vod_conn_recv(vod_conn *c, char *buf, size_t cap, long timeout_ms, vod_xev *ev);

/* The answer is whole and the connection may carry the next request. */
void vod_conn_keep(vod_conn *c);

/* Closes the connection at once (if one is open). */
void vod_conn_close(vod_conn *c);

/* Monotonic milliseconds: the time the engine's exchanges run on. */
long long vod_conn_now_ms(void);

#endif
