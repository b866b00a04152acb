/* One HTTP/1.1 exchange, no I/O (exchange.h). */
#include "exchange.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
    X_CONNECT,          /* CONNECT asked */
    X_FRESH_CLOSE,      /* a kept connection came where a fresh one was wanted: CLOSE asked */
    X_TUNNEL_SEND,      /* the CONNECT request */
    X_TUNNEL_RECV,      /* the proxy's answer to it */
    X_HANDSHAKE,
    X_SEND,
    X_RECV,
    X_RESEND_CLOSE,     /* the kept connection died unanswered: CLOSE, then a fresh one */
    X_RELEASE_DONE,     /* KEEP or CLOSE asked after the answer */
    X_RELEASE_FAIL,     /* CLOSE asked after a failure */
    X_DONE,
    X_FAILED
};

/* A driver that keeps handing back kept connections for a fresh one (an
 * nginx pool of many): each is closed; past this many, something is wrong. */
#define MAX_FRESH_CLOSES 64

void vod_x_begin(vod_exchange *x, const vod_xroute *route, const char *req, size_t req_len,
                 size_t max_body, int may_resend, long timeout_ms, long long now_ms)
{
    x->route = route;
    x->req = req;
    x->req_len = req_len;
    x->may_resend = may_resend;
    x->no_body = 0;
    x->capture = NULL;
    x->req_body = NULL;
    x->req_body_len = 0;
    x->body_fill = NULL;
    x->body_ctx = NULL;
    x->max_send = 0;
    x->req_off = 0;
    x->timeout_ms = timeout_ms;
    x->deadline_ms = now_ms + timeout_ms;
    x->state = X_CONNECT;
    x->io_ms = 0;
    x->fresh = 0;
    x->out = NULL;
    x->out_len = 0;
    x->open = x->reused = x->resent = x->closes = 0;
    x->sent = x->sends = 0;
    x->fail = VOD_FAIL_NONE;
    x->http_status = 0;
    x->msg[0] = '\0';
    vod_h1_start(&x->h1, max_body);
    vod_buf_reset(&x->body);
}

void vod_x_free(vod_exchange *x)
{
    vod_h1_free(&x->h1);
    vod_buf_free(&x->body, 1);
}

/* Fails the exchange: closes the connection first when one is open. */
static vod_xop failf(vod_exchange *x, vod_fail f, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static vod_xop failf(vod_exchange *x, vod_fail f, const char *fmt, ...)
{
    va_list ap;
    x->fail = f;
    va_start(ap, fmt);
    vsnprintf(x->msg, sizeof x->msg, fmt, ap);
    va_end(ap);
    if (x->open) {
        x->open = 0;
        x->state = X_RELEASE_FAIL;
        return VOD_XOP_CLOSE;
    }
    x->state = X_FAILED;
    return VOD_XOP_FAILED;
}

static vod_xop ask_connect(vod_exchange *x, long long now_ms)
{
    long left = (long)(x->deadline_ms - now_ms);
    if (left <= 0)
        return failf(x, VOD_FAIL_TIMEOUT, "timed out after %ld ms before a connection was open",
                     x->timeout_ms);
    x->io_ms = x->route->connect_timeout_ms > 0 && x->route->connect_timeout_ms < left
                   ? x->route->connect_timeout_ms : left;
    x->state = X_CONNECT;
    return VOD_XOP_CONNECT;
}

/* An I/O step in state st, or the time's failure when none is left. */
static vod_xop ask(vod_exchange *x, int st, vod_xop op, long long now_ms)
{
    long left = (long)(x->deadline_ms - now_ms);
    if (left <= 0) {
        switch (st) {
        case X_TUNNEL_SEND:
        case X_TUNNEL_RECV:
            return failf(x, VOD_FAIL_TIMEOUT, "the proxy did not answer the CONNECT in time");
        case X_HANDSHAKE:
            return failf(x, VOD_FAIL_TIMEOUT, "TLS handshake timed out");
        case X_SEND:
            return failf(x, VOD_FAIL_TIMEOUT, "timed out after %ld ms sending the request",
                         x->timeout_ms);
        default:
            return failf(x, VOD_FAIL_TIMEOUT, "timed out after %ld ms waiting for the "
                         "response", x->timeout_ms);
        }
    }
    x->io_ms = left;
    x->state = st;
    return op;
}

/* The request's bytes: req, then body. */
static size_t total_len(const vod_exchange *x)
{
    return x->req_len + x->req_body_len;
}

/* The body's next window from its source, at what is left of it to send. */
static vod_xop send_window(vod_exchange *x, long long now_ms)
{
    size_t off = x->req_off - x->req_len, left = x->req_body_len - off, n = 0;
    const char *p = NULL;
    char why[200];
    why[0] = '\0';
    if (x->body_fill(x->body_ctx, off, &p, &n, why, sizeof why) != 0) {
        x->req_off = 0;
        return failf(x, VOD_FAIL_SOURCE, "%s", why[0] ? why : "the request body could not be read");
    }
    if (p == NULL || n == 0) {
        x->req_off = 0;
        return failf(x, VOD_FAIL_SOURCE, "the request body's source gave nothing at offset %zu of "
                     "%zu", off, x->req_body_len);
    }
    x->out = p;
    x->out_len = n < left ? n : left;
    if (x->max_send > 0 && x->out_len > x->max_send)
        x->out_len = x->max_send;
    return ask(x, X_SEND, VOD_XOP_SEND, now_ms);
}

/* The request, or its next slice: what is left of req, then of body, at
 * most max_send at a time when the driver takes no more (and at most a
 * window of a body read as it goes). */
static vod_xop send_request(vod_exchange *x, long long now_ms)
{
    size_t n;
    if (x->req_off < x->req_len) {
        x->out = x->req + x->req_off;
        n = x->req_len - x->req_off;
    } else if (x->body_fill != NULL) {
        return send_window(x, now_ms);
    } else {
        x->out = x->req_body + (x->req_off - x->req_len);
        n = total_len(x) - x->req_off;
    }
    if (x->max_send > 0 && n > x->max_send)
        n = x->max_send;
    x->out_len = n;
    return ask(x, X_SEND, VOD_XOP_SEND, now_ms);
}

static vod_xop connected(vod_exchange *x, const vod_xev *ev, long long now_ms)
{
    x->open = 1;
    x->reused = ev->reused;
    if (x->reused && x->fresh) {
        if (++x->closes > MAX_FRESH_CLOSES)
            return failf(x, VOD_FAIL_OTHER, "the driver gave no fresh connection");
        x->open = 0;
        x->state = X_FRESH_CLOSE;
        return VOD_XOP_CLOSE;
    }
    if (x->reused)
        return send_request(x, now_ms);
    if (x->route->tunnel) {
        x->out = x->route->connect_req;
        x->out_len = x->route->connect_len;
        return ask(x, X_TUNNEL_SEND, VOD_XOP_SEND, now_ms);
    }
    if (x->route->handshake)
        return ask(x, X_HANDSHAKE, VOD_XOP_HANDSHAKE, now_ms);
    return send_request(x, now_ms);
}

/* The proxy's answer to CONNECT is whole: the tunnel is open, or refused. */
static vod_xop tunnel_answered(vod_exchange *x, long long now_ms)
{
    long st = x->h1.status;
    if (st >= 200 && st <= 299) {
        if (x->h1.extra)                /* the server speaks after the client in TLS */
            return failf(x, VOD_FAIL_PROXY, "the proxy sent more than its answer to CONNECT");
        vod_h1_start(&x->h1, x->h1.max_body);
        if (x->route->handshake)
            return ask(x, X_HANDSHAKE, VOD_XOP_HANDSHAKE, now_ms);
        return send_request(x, now_ms);
    }
    x->http_status = st;
    if (st == 407)
        return failf(x, VOD_FAIL_PROXY_AUTH, "the proxy refused the credentials (407 to "
                     "CONNECT)");
    {
        char d[16];
        snprintf(d, sizeof d, "%ld", st);
        return failf(x, VOD_FAIL_PROXY, "the proxy refused the tunnel (%s to CONNECT)", d);
    }
}

static vod_xop tunnel_read(vod_exchange *x, const vod_xev *ev, long long now_ms)
{
    vod_h1_rc rc;
    if (ev->kind == VOD_XEV_FAIL && ev->fail == VOD_FAIL_TIMEOUT)
        return failf(x, VOD_FAIL_TIMEOUT, "the proxy did not answer the CONNECT in time");
    if (ev->kind == VOD_XEV_FAIL || ev->kind == VOD_XEV_EOF)
        return failf(x, VOD_FAIL_NETWORK, "the proxy closed the connection during the CONNECT");
    rc = vod_h1_feed(&x->h1, ev->data, ev->len, &x->body);
    vod_buf_reset(&x->body);
    if (rc == VOD_H1_MORE)
        return ask(x, X_TUNNEL_RECV, VOD_XOP_RECV, now_ms);
    if (rc == VOD_H1_DONE)
        return tunnel_answered(x, now_ms);
    if (rc == VOD_H1_NOMEM)
        return failf(x, VOD_FAIL_NOMEM, "out of memory reading the proxy's answer");
    return failf(x, VOD_FAIL_PROXY, "the proxy's answer to CONNECT is not HTTP");
}

/* The connection failed before any byte of the answer: once, a kept one is
 * replaced by a fresh one, when that cannot deliver the request twice. */
static vod_xop died(vod_exchange *x, const char *what, const char *detail)
{
    if (x->reused && !x->resent && !vod_h1_started(&x->h1)) {
        if (x->sent && !x->may_resend)
            return failf(x, VOD_FAIL_NETWORK, "%s", VOD_X_NOT_RESENT);
        x->resent = 1;
        x->fresh = 1;
        x->open = 0;
        x->state = X_RESEND_CLOSE;
        return VOD_XOP_CLOSE;
    }
    return failf(x, VOD_FAIL_NETWORK, "%s%s", what, detail ? detail : "");
}

static vod_xop answered(vod_exchange *x)
{
    x->http_status = x->h1.status;
    x->open = 0;
    x->state = X_RELEASE_DONE;
    return x->h1.keep_alive && !x->h1.extra ? VOD_XOP_KEEP : VOD_XOP_CLOSE;
}

/* The status of a final answer whose status line was read (a 1xx is reset
 * by the reader at its end), for the error of a failure that comes after. */
static void note_status(vod_exchange *x)
{
    if (x->h1.status >= 200)
        x->http_status = x->h1.status;
}

static vod_xop received(vod_exchange *x, const vod_xev *ev, long long now_ms)
{
    vod_h1_rc rc;
    if (ev->kind == VOD_XEV_FAIL) {
        note_status(x);
        if (ev->fail == VOD_FAIL_TIMEOUT)
            return failf(x, VOD_FAIL_TIMEOUT, "timed out after %ld ms waiting for the "
                         "response", x->timeout_ms);
        if (ev->fail != VOD_FAIL_NETWORK)
            return failf(x, ev->fail, "receiving the response: %s", ev->msg);
        return died(x, "receiving the response: ", ev->msg);
    }
    if (ev->kind == VOD_XEV_EOF) {
        rc = vod_h1_eof(&x->h1);
        if (rc == VOD_H1_DONE)
            return answered(x);
        note_status(x);
        return died(x, x->h1.error, NULL);
    }
    rc = vod_h1_feed(&x->h1, ev->data, ev->len, &x->body);
    if (rc != VOD_H1_MORE && rc != VOD_H1_DONE)
        note_status(x);
    switch (rc) {
    case VOD_H1_MORE:
        return ask(x, X_RECV, VOD_XOP_RECV, now_ms);
    case VOD_H1_DONE:
        return answered(x);
    case VOD_H1_TOO_LARGE: {
        char d[24];
        snprintf(d, sizeof d, "%zu", x->h1.max_body);
        return failf(x, VOD_FAIL_TOO_LARGE, "response body larger than the cap of %s bytes", d);
    }
    case VOD_H1_NOMEM:
        return failf(x, VOD_FAIL_NOMEM, "out of memory reading the response");
    default:
        return failf(x, VOD_FAIL_NETWORK, "%s", x->h1.error);
    }
}

vod_xop vod_x_next(vod_exchange *x, const vod_xev *ev, long long now_ms)
{
    switch (x->state) {
    case X_CONNECT:
        if (ev->kind == VOD_XEV_NONE)
            return ask_connect(x, now_ms);
        if (ev->kind == VOD_XEV_FAIL) {
            x->http_status = ev->http_status;
            return failf(x, ev->fail, "%s", ev->msg && ev->msg[0] ? ev->msg : "connect failed");
        }
        return connected(x, ev, now_ms);
    case X_FRESH_CLOSE:
    case X_RESEND_CLOSE:
        return ask_connect(x, now_ms);
    case X_TUNNEL_SEND:
        if (ev->kind == VOD_XEV_FAIL)
            return failf(x, ev->fail == VOD_FAIL_TIMEOUT ? VOD_FAIL_TIMEOUT : VOD_FAIL_NETWORK,
                         "the proxy closed the connection during the CONNECT");
        vod_h1_start(&x->h1, x->h1.max_body);
        vod_h1_no_body(&x->h1);
        return ask(x, X_TUNNEL_RECV, VOD_XOP_RECV, now_ms);
    case X_TUNNEL_RECV:
        return tunnel_read(x, ev, now_ms);
    case X_HANDSHAKE:
        if (ev->kind == VOD_XEV_FAIL) {
            if (ev->fail == VOD_FAIL_TIMEOUT)
                return failf(x, VOD_FAIL_TIMEOUT, "TLS handshake timed out");
            return failf(x, ev->fail == VOD_FAIL_TLS_VERIFY ? VOD_FAIL_TLS_VERIFY : VOD_FAIL_TLS,
                         "TLS handshake failed: %s", ev->msg);
        }
        return send_request(x, now_ms);
    case X_SEND:
        if (ev->kind == VOD_XEV_FAIL) {
            if (ev->sent && x->req_off == 0) {
                x->sent = 1;
                x->sends++;
            }
            x->req_off = 0;
            if (ev->fail == VOD_FAIL_TIMEOUT)
                return failf(x, VOD_FAIL_TIMEOUT, "timed out after %ld ms sending the "
                             "request", x->timeout_ms);
            if (ev->fail != VOD_FAIL_NETWORK)
                return failf(x, ev->fail, "sending the request: %s", ev->msg);
            return died(x, "sending the request: ", ev->msg);
        }
        if (x->req_off == 0) {
            x->sent = 1;
            x->sends++;
        }
        x->req_off += x->out_len;
        if (x->req_off < total_len(x))
            return send_request(x, now_ms);     /* the next slice, or the body */
        x->req_off = 0;
        vod_h1_start(&x->h1, x->h1.max_body);
        if (x->no_body)
            vod_h1_no_body(&x->h1);
        if (x->capture != NULL)
            vod_h1_capture(&x->h1, x->capture);
        vod_buf_reset(&x->body);
        return ask(x, X_RECV, VOD_XOP_RECV, now_ms);
    case X_RECV:
        return received(x, ev, now_ms);
    case X_RELEASE_DONE:
        x->state = X_DONE;
        return VOD_XOP_DONE;
    case X_RELEASE_FAIL:
        x->state = X_FAILED;
        return VOD_XOP_FAILED;
    case X_DONE:
        return VOD_XOP_DONE;
    default:
        return VOD_XOP_FAILED;
    }
}
