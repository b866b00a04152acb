/* HTTP(S) POST with libcurl: one easy handle per client, reused so its
 * connection stays alive between calls. libcurl opens the connections; the
 * requests go through transport_raw.c's HTTP/1.1 over them, except for an
 * http endpoint behind an HTTP proxy (absolute-form), where libcurl does the
 * whole request. Knows nothing of Lua or of signing; never calls back into
 * anything that could raise. */
#ifndef VOD_TRANSPORT_H
#define VOD_TRANSPORT_H

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

/* Call once per process before any other function (idempotent). 0 ok. */
int vod_transport_global_init(void);

/* t must be zeroed. Sets every per-client option once. 0 ok, -1 on failure
 * (libcurl's text in t->errbuf). vod_transport_free is safe after a failure. */
int vod_transport_init(vod_transport *t, const vod_tp_config *c);
void vod_transport_free(vod_transport *t);

/* POSTs body with the given header lines ("Name: value"; "Name:" alone is
 * skipped). The response body is in t->response afterwards. Returns
 * r->status.
 *
 * When a reused connection dies before any answer, the request is sent again
 * on a new one only when nothing of it was written, or when may_resend is
 * set (a read-only action). Otherwise the call fails with VOD_TP_NETWORK,
 * r->sent set, and the caller decides. (On libcurl's own path,
 * CURLOPT_PREREQFUNCTION refuses its silent second send.) The headers and
 * the body go out in one write. */
vod_tp_status vod_transport_post(vod_transport *t, const char *const *headers, size_t nheaders,
                                 const char *body, size_t len, int may_resend, vod_tp_result *r);

#endif
