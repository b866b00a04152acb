/* The libcurl transport's types: its configuration, its state (one per
 * client), and what one call tells. A leaf header, so that transport.c and
 * transport_raw.c (the two paths) both use it without including each other. */
#ifndef VOD_TP_TYPES_H
#define VOD_TP_TYPES_H

#include <stddef.h>
#include <curl/curl.h>

#include "buf.h"
#include "http1.h"
#include "proxy.h"

#define VOD_TP_MAX_HEADERS 16

typedef enum vod_tp_status {
    VOD_TP_OK = 0,
    VOD_TP_DNS,         /* host name did not resolve: nothing was sent */
    VOD_TP_CONNECT,     /* TCP connect failed: nothing was sent */
    VOD_TP_TLS,         /* the TLS handshake failed: nothing was sent */
    VOD_TP_TLS_VERIFY,  /* the certificate failed verification (or the CA file): nothing sent */
    VOD_TP_TIMEOUT,     /* timeout (the request may or may not have been sent) */
    VOD_TP_NETWORK,     /* send/receive failed, connection closed mid-response */
    VOD_TP_PROXY,       /* the proxy refused to open the way (CONNECT status, SOCKS reply): nothing sent */
    VOD_TP_PROXY_AUTH,  /* the proxy refused the credentials (407, SOCKS5 auth): nothing sent */
    VOD_TP_TOO_LARGE,   /* response body over the cap */
    VOD_TP_NOMEM,
    VOD_TP_OTHER
} vod_tp_status;

typedef struct vod_tp_config {
    const char *url;            /* e.g. https://vod.intl.tencentcloudapi.com/ */
    const char *ca_file;        /* NULL: libcurl's default trust store */
    long timeout_ms;            /* whole request */
    long connect_timeout_ms;
    size_t max_response;        /* bytes */
    const vod_proxy *proxy;     /* NULL or kind VOD_PROXY_NONE: straight to the server */
} vod_tp_config;

typedef struct vod_transport {
    CURL *easy;
    char errbuf[CURL_ERROR_SIZE];
    vod_buf response;
    size_t max_response;
    char date[64];              /* the response's Date header, if any */
    char *ca_path;              /* the bundle handed to ca_store.c (malloc'd), or NULL */
    vod_proxy_kind proxy;       /* VOD_PROXY_NONE when going straight */
    int proxy_absolute;         /* an http endpoint through an HTTP proxy: absolute-form */
    char msg[CURL_ERROR_SIZE + 64];  /* a message made here: a failure at the proxy, on the raw path */
    /* libcurl's own path (proxy_absolute) only */
    struct curl_slist nodes[VOD_TP_MAX_HEADERS];   /* header list, no malloc per call */
    int too_large;
    int attempts;               /* times libcurl was about to send the request, this call */
    int may_resend;             /* see vod_transport_post */
    int refused_resend;         /* a second send was refused (the call failed ambiguously) */
    /* the raw path (transport_raw.c) */
    CURLM *multi;               /* set: this path is in use; holds the easy handle while a
                                   connection is open */
    int attached;               /* a connection is open */
    curl_socket_t fd;
    long timeout_ms;
    long long last_used_ms;     /* when the open connection last answered */
    vod_buf request;            /* the request line and Host, then each call's rest */
    size_t prefix_len;
    vod_h1 h1;
} vod_transport;

typedef struct vod_tp_result {
    vod_tp_status status;
    long http_status;           /* 0 when no response arrived; VOD_TP_PROXY*: the proxy's */
    const char *message;        /* libcurl's error text (valid until the next call) */
    long connects;              /* new connections this call opened (0 when reused) */
    int sent;                   /* some of the request went out: it may have arrived */
} vod_tp_result;

#endif
