/* One HTTP/1.1 exchange as a state machine that does no I/O: the engine's
 * part of a request that both transports share. A driver (libcurl's
 * connections in C, nginx cosockets from Lua) asks what to do next, does it,
 * and tells what happened; the exchange decides everything else:
 *
 *   CONNECT   open a connection to the target, or take a kept one (fresh:
 *             not one that was kept); reply OK with `reused`, or FAIL
 *   HANDSHAKE TLS on it (when the driver does TLS itself, after a tunnel)
 *   SEND      write out[0..out_len) whole; reply OK, or FAIL with `sent`
 *   RECV      read what arrives; reply DATA, EOF, or FAIL
 *   KEEP      the connection may carry the next request: keep it
 *   CLOSE     close it
 *   DONE      the response is read: status in h1, body in `body`
 *   FAILED    the exchange failed: `fail`, `msg`, `http_status`, `sent`
 *
 * Every I/O step carries the milliseconds left (io_ms): the exchange bounds
 * the whole of it by its timeout, connecting included, on every transport.
 *
 * Its rules: the response is read by h1_reader.c, whatever the transport
 * (so a malformed answer is the same failure everywhere); a proxy tunnel
 * (CONNECT), when the driver opens plain TCP, is written and read here too;
 * a kept-alive connection that dies before any byte of the answer is
 * replaced once, by a fresh one, when nothing of the request was written or
 * the request may be repeated (may_resend): otherwise the exchange fails
 * and says the request may have arrived. `sends` counts the times the
 * request went out. */
#ifndef VOD_EXCHANGE_H
#define VOD_EXCHANGE_H

#include <stddef.h>

#include "buf.h"
#include "h1_reader.h"

/* What went wrong, whatever the transport. */
typedef enum vod_fail {
    VOD_FAIL_NONE = 0,
    VOD_FAIL_DNS,           /* the name did not resolve: nothing was sent */
    VOD_FAIL_CONNECT,       /* TCP connect failed: nothing was sent */
    VOD_FAIL_TLS,           /* the TLS handshake failed: nothing was sent */
    VOD_FAIL_TLS_VERIFY,    /* the certificate failed verification: nothing was sent */
    VOD_FAIL_TIMEOUT,       /* the time ran out (the request may have been sent: see `sent`) */
    VOD_FAIL_NETWORK,       /* the connection failed, or the answer is not HTTP/1.x as accepted */
    VOD_FAIL_PROXY,         /* the proxy would not open the way: nothing was sent */
    VOD_FAIL_PROXY_AUTH,    /* the proxy refused the credentials: nothing was sent */
    VOD_FAIL_TOO_LARGE,     /* the body would pass max_body */
    VOD_FAIL_NOMEM,
    VOD_FAIL_OTHER,
    VOD_FAIL_SOURCE         /* the body's source failed (body_fill: a file that shrank, EIO):
                             * the request was cut short, and no retry would mend it */
} vod_fail;

typedef enum vod_xop {
    VOD_XOP_CONNECT = 0,
    VOD_XOP_HANDSHAKE,
    VOD_XOP_SEND,
    VOD_XOP_RECV,
    VOD_XOP_KEEP,
    VOD_XOP_CLOSE,
    VOD_XOP_DONE,
    VOD_XOP_FAILED
} vod_xop;

typedef enum vod_xev_kind {
    VOD_XEV_NONE = 0,   /* after KEEP and CLOSE, and to begin */
    VOD_XEV_OK,         /* CONNECT (with reused), HANDSHAKE, SEND done */
    VOD_XEV_DATA,       /* RECV: data[0..len) */
    VOD_XEV_EOF,        /* RECV: the peer closed the connection */
    VOD_XEV_FAIL        /* any I/O step: fail (+ http_status, msg: the driver's words) */
} vod_xev_kind;

typedef struct vod_xev {
    vod_xev_kind kind;
    int reused;             /* OK to CONNECT: a kept connection */
    int sent;               /* FAIL to SEND: some bytes went out (when unknown: 1) */
    const char *data;
    size_t len;
    vod_fail fail;
    long http_status;       /* FAIL to CONNECT: a proxy's answer, when the driver saw one */
    const char *msg;        /* FAIL: what the driver knows (copied) */
} vod_xev;

/* How the target is reached: the same for every exchange with it. */
typedef struct vod_xroute {
    int tunnel;                 /* a fresh connection goes to a proxy: CONNECT first */
    int handshake;              /* then TLS, done by the driver when asked */
    const char *connect_req;    /* the CONNECT request, when tunnel */
    size_t connect_len;
    long connect_timeout_ms;
} vod_xroute;

/* A request body read as it is sent, window by window, rather than held
 * whole: the bytes of the body at offset `off` (0 <= off < req_body_len),
 * at least one of them and at most what is left, into *ptr and *len. The
 * bytes must stay where *ptr says until the next call (or the exchange's
 * end). A resend begins again at offset 0. 0, or -1 with what failed in why
 * (a NUL-terminated string of at most why_len bytes): the exchange then
 * fails with VOD_FAIL_SOURCE. */
typedef int (*vod_xbody_fill)(void *ctx, size_t off, const char **ptr, size_t *len, char *why,
                              size_t why_len);

typedef struct vod_exchange {
    /* the request */
    const vod_xroute *route;
    const char *req;
    size_t req_len;
    int may_resend;             /* repeating it is safe (a read-only request) */
    int no_body;                /* a HEAD request: the answer has no body */
    const char *const *capture; /* headers of the answer to keep (vod_h1_capture), or NULL */
    const char *req_body;       /* sent after req (not copied): a part's bytes, or NULL */
    size_t req_body_len;
    vod_xbody_fill body_fill;   /* or the body's bytes asked for as they are sent (req_body NULL) */
    void *body_ctx;             /* its first argument */
    size_t max_send;            /* SEND at most this many bytes at a time (0: all at once) */
    long timeout_ms;
    long long deadline_ms;
    /* what the driver is asked to do */
    int state;
    long io_ms;                 /* the time the step may take */
    int fresh;                  /* CONNECT: not a kept connection */
    const char *out;            /* SEND */
    size_t out_len;
    size_t req_off;             /* of the request, written so far (max_send) */
    /* the connection and the answer */
    int open, reused, resent, closes;
    int sent;                   /* some of the request was written: it may have arrived */
    int sends;                  /* times the request went out */
    vod_h1 h1;
    vod_buf body;
    /* the outcome */
    vod_fail fail;
    long http_status;           /* the answer's, or a proxy's; 0: none */
    char msg[300];
} vod_exchange;

/* Starts an exchange of req (not copied: it must live until DONE/FAILED).
 * The first call to vod_x_next then takes an event of kind NONE. Set
 * no_body, capture, max_send, and req_body (bytes sent after req, not copied:
 * a part's, which need not be copied behind its head) or body_fill and
 * body_ctx (with req_body_len: a body read as it goes) after it when needed. */
void vod_x_begin(vod_exchange *x, const vod_xroute *route, const char *req, size_t req_len,
                 size_t max_body, int may_resend, long timeout_ms, long long now_ms);

/* The next step, given what the last one did (ev) and the time. */
vod_xop vod_x_next(vod_exchange *x, const vod_xev *ev, long long now_ms);

/* A connection is open (between a successful CONNECT and KEEP/CLOSE). */
static inline int vod_x_holds_connection(const vod_exchange *x) { return x->open; }

/* Frees the buffers (the body held the answer: wiped). */
void vod_x_free(vod_exchange *x);

/* The engine's words, shared with the drivers' own messages. */
#define VOD_X_NOT_RESENT "the connection closed before any answer; the request may have " \
                         "reached the server, and it was not sent again"

#endif
