/* Unit tests of the exchange (src/core/engine/exchange.c), the engine's HTTP
 * exchange without I/O, driven here by a scripted driver: what it asks for,
 * in order, for each outcome of each step; and of the request writer
 * (src/core/http/h1_writer.c). Prints "N passed, N failed". */
#include <stdio.h>
#include <string.h>

#include "exchange.h"
#include "h1_writer.h"

#include "check.h"

static const char REQ[] = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}";
static const char OK[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi";

static vod_xroute plain_route = { 0, 0, NULL, 0, 1000 };

static vod_exchange X;
static long long NOW;

static vod_xev ev_none(void) { vod_xev e; memset(&e, 0, sizeof e); return e; }
static vod_xev ev_ok(int reused) { vod_xev e = ev_none(); e.kind = VOD_XEV_OK; e.reused = reused; return e; }
static vod_xev ev_data(const char *s) { vod_xev e = ev_none(); e.kind = VOD_XEV_DATA; e.data = s; e.len = strlen(s); return e; }
static vod_xev ev_eof(void) { vod_xev e = ev_none(); e.kind = VOD_XEV_EOF; return e; }
static vod_xev ev_fail(vod_fail f, const char *msg) { vod_xev e = ev_none(); e.kind = VOD_XEV_FAIL; e.fail = f; e.msg = msg; return e; }

static vod_xop step(vod_xev e) { return vod_x_next(&X, &e, NOW); }

static void begin(const vod_xroute *r, int may_resend)
{
    NOW = 1000;
    vod_x_begin(&X, r, REQ, sizeof REQ - 1, 1000, may_resend, 500, NOW);
}

static void fresh_success(void)
{
    begin(&plain_route, 0);
    CHECK(step(ev_none()) == VOD_XOP_CONNECT && X.io_ms == 500 && !X.fresh, "connect first, within the time");
    CHECK(step(ev_ok(0)) == VOD_XOP_SEND && X.out == REQ && X.out_len == sizeof REQ - 1, "then the request");
    CHECK(step(ev_ok(0)) == VOD_XOP_RECV, "then read");
    CHECK(step(ev_data("HTTP/1.1 200 OK\r\nCont")) == VOD_XOP_RECV, "more");
    CHECK(step(ev_data("ent-Length: 2\r\n\r\nhi")) == VOD_XOP_KEEP, "whole: keep the connection");
    CHECK(step(ev_none()) == VOD_XOP_DONE, "done");
    CHECK(X.h1.status == 200 && X.body.len == 2 && memcmp(X.body.data, "hi", 2) == 0, "the answer");
    CHECK(X.sends == 1 && X.sent && X.http_status == 200, "sent once");
}

static void connection_close_closes(void)
{
    begin(&plain_route, 0);
    step(ev_none());
    step(ev_ok(0));
    step(ev_ok(0));
    CHECK(step(ev_data("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")) == VOD_XOP_CLOSE,
          "Connection: close");
    CHECK(step(ev_none()) == VOD_XOP_DONE, "done");
}

/* A kept connection dies before any answer: a read-only request goes once
 * more, on a fresh connection; a create does not. */
static void died_unanswered(int may_resend)
{
    begin(&plain_route, may_resend);
    step(ev_none());
    CHECK(step(ev_ok(1)) == VOD_XOP_SEND, "reused: straight to the request");
    step(ev_ok(0));
    if (!may_resend) {
        CHECK(step(ev_eof()) == VOD_XOP_CLOSE, "closed unanswered: close");
        CHECK(step(ev_none()) == VOD_XOP_FAILED && X.fail == VOD_FAIL_NETWORK && X.sent &&
              strcmp(X.msg, VOD_X_NOT_RESENT) == 0, "a create is not sent again");
        CHECK(X.sends == 1, "sent once");
        return;
    }
    CHECK(step(ev_eof()) == VOD_XOP_CLOSE, "closed unanswered: close");
    CHECK(step(ev_none()) == VOD_XOP_CONNECT && X.fresh, "then a fresh connection");
    CHECK(step(ev_ok(1)) == VOD_XOP_CLOSE, "a kept one is not fresh: closed");
    CHECK(step(ev_none()) == VOD_XOP_CONNECT && X.fresh, "asked again");
    CHECK(step(ev_ok(0)) == VOD_XOP_SEND, "the request again");
    step(ev_ok(0));
    CHECK(step(ev_data(OK)) == VOD_XOP_KEEP && step(ev_none()) == VOD_XOP_DONE, "answered");
    CHECK(X.sends == 2, "sent twice: it counts");
}

static void fresh_died_is_final(void)
{
    begin(&plain_route, 1);
    step(ev_none());
    step(ev_ok(0));
    step(ev_ok(0));
    CHECK(step(ev_eof()) == VOD_XOP_CLOSE, "closed unanswered");
    CHECK(step(ev_none()) == VOD_XOP_FAILED && X.fail == VOD_FAIL_NETWORK, "a fresh one is not replaced");
    CHECK(strcmp(X.msg, "the connection closed before any answer") == 0, X.msg);
    CHECK(X.http_status == 0, "no status");
}

static void failures_after_the_status_line(void)
{
    begin(&plain_route, 1);
    step(ev_none());
    step(ev_ok(0));
    step(ev_ok(0));
    CHECK(step(ev_data("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhal")) == VOD_XOP_RECV, "half");
    CHECK(step(ev_eof()) == VOD_XOP_CLOSE && step(ev_none()) == VOD_XOP_FAILED, "closed mid-body");
    CHECK(X.fail == VOD_FAIL_NETWORK && X.http_status == 200, "Network, with the status read");
    begin(&plain_route, 1);
    step(ev_none());
    step(ev_ok(0));
    step(ev_ok(0));
    CHECK(step(ev_data("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n")) == VOD_XOP_CLOSE &&
          step(ev_none()) == VOD_XOP_FAILED, "too large");
    CHECK(X.fail == VOD_FAIL_TOO_LARGE && X.http_status == 200, "too large, with its status");
    begin(&plain_route, 1);
    step(ev_none());
    step(ev_ok(0));
    step(ev_ok(0));
    CHECK(step(ev_data("SSH-2.0-x\r\n")) == VOD_XOP_CLOSE && step(ev_none()) == VOD_XOP_FAILED &&
          X.fail == VOD_FAIL_NETWORK && X.http_status == 0, "not HTTP: Network, no status");
}

static void the_deadline(void)
{
    begin(&plain_route, 1);
    step(ev_none());
    step(ev_ok(0));
    NOW += 300;
    CHECK(step(ev_ok(0)) == VOD_XOP_RECV && X.io_ms == 200, "what is left of the time");
    NOW += 200;
    CHECK(step(ev_data("HTTP/1.1 200 OK\r\n")) == VOD_XOP_CLOSE, "none left");
    CHECK(step(ev_none()) == VOD_XOP_FAILED && X.fail == VOD_FAIL_TIMEOUT && X.sent, "a timeout, sent");
    CHECK(strcmp(X.msg, "timed out after 500 ms waiting for the response") == 0, X.msg);
    begin(&plain_route, 1);
    NOW += 600;
    CHECK(step(ev_none()) == VOD_XOP_FAILED && X.fail == VOD_FAIL_TIMEOUT && !X.sent,
          "no time to connect: not sent");
}

static void connect_failures(void)
{
    vod_xev e = ev_fail(VOD_FAIL_PROXY_AUTH, "the proxy refused the credentials: 407");
    begin(&plain_route, 0);
    step(ev_none());
    e.http_status = 407;
    CHECK(step(e) == VOD_XOP_FAILED && X.fail == VOD_FAIL_PROXY_AUTH && X.http_status == 407 && !X.sent,
          "the driver's own failure, its status kept");
}

/* A driver of plain TCP through an http:// proxy to an https endpoint: the
 * exchange writes the CONNECT, reads the answer, asks for the handshake. */
static void tunnel(void)
{
    static const char CONNECT[] = "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n";
    vod_xroute r = { 1, 1, CONNECT, sizeof CONNECT - 1, 1000 };
    begin(&r, 0);
    step(ev_none());
    CHECK(step(ev_ok(0)) == VOD_XOP_SEND && X.out == CONNECT, "the CONNECT first");
    CHECK(step(ev_ok(0)) == VOD_XOP_RECV, "its answer");
    CHECK(step(ev_data("HTTP/1.1 200 Connection established\r\n\r\n")) == VOD_XOP_HANDSHAKE, "then TLS");
    CHECK(step(ev_ok(0)) == VOD_XOP_SEND && X.out == REQ, "then the request");
    step(ev_ok(0));
    CHECK(step(ev_data(OK)) == VOD_XOP_KEEP, "answered");
    /* a kept tunnel: straight to the request */
    begin(&r, 0);
    step(ev_none());
    CHECK(step(ev_ok(1)) == VOD_XOP_SEND && X.out == REQ, "a kept tunnel is used as it is");
    /* refused */
    begin(&r, 0);
    step(ev_none());
    step(ev_ok(0));
    step(ev_ok(0));
    CHECK(step(ev_data("HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 5\r\n\r\nnope!")) ==
          VOD_XOP_CLOSE && step(ev_none()) == VOD_XOP_FAILED, "407");
    CHECK(X.fail == VOD_FAIL_PROXY_AUTH && X.http_status == 407 && !X.sent, "ProxyAuth, nothing sent");
    begin(&r, 0);
    step(ev_none());
    step(ev_ok(0));
    step(ev_ok(0));
    step(ev_data("HTTP/1.1 403 Forbidden\r\n\r\n"));
    CHECK(step(ev_none()) == VOD_XOP_FAILED && X.fail == VOD_FAIL_PROXY && X.http_status == 403 &&
          strcmp(X.msg, "the proxy refused the tunnel (403 to CONNECT)") == 0, X.msg);
    begin(&r, 0);
    step(ev_none());
    step(ev_ok(0));
    step(ev_ok(0));
    step(ev_data("HTTP/1.1 200 OK\r\n\r\n"));
    CHECK(step(ev_fail(VOD_FAIL_TLS_VERIFY, "18: self-signed certificate")) == VOD_XOP_CLOSE &&
          step(ev_none()) == VOD_XOP_FAILED && X.fail == VOD_FAIL_TLS_VERIFY && !X.sent,
          "verification failed: nothing sent");
}

/* ---- the request's body: held whole (req_body), or read as it goes (body_fill) ---- */

static const char HEAD[] = "PUT /o HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n";
static const char BODY[] = "0123456789";

/* A body source over BODY in windows of `window` bytes at multiples of it,
 * as a lane reads a part from its file: a window is read again whenever an
 * offset outside it is asked for (a resend from 0 included). */
typedef struct source {
    size_t window;
    char buf[16];
    size_t at, len;         /* buf holds BODY[at, at + len) */
    int reads;              /* windows read */
    size_t asked[32];       /* offsets asked, in order */
    int n_asked;
    size_t fail_at;         /* fail when this offset is asked ((size_t)-1: never) */
    int give_nothing;       /* answer 0 bytes, successfully */
} source;

static int source_fill(void *ctx, size_t off, const char **ptr, size_t *len, char *why, size_t why_len)
{
    source *s = ctx;
    if (s->n_asked < 32)
        s->asked[s->n_asked++] = off;
    if (off == s->fail_at) {
        snprintf(why, why_len, "f.mp4: the file shrank while it was being uploaded");
        return -1;
    }
    if (s->give_nothing) {
        *ptr = s->buf;
        *len = 0;
        return 0;
    }
    if (off < s->at || off >= s->at + s->len) {
        s->at = off / s->window * s->window;
        s->len = sizeof BODY - 1 - s->at < s->window ? sizeof BODY - 1 - s->at : s->window;
        memcpy(s->buf, BODY + s->at, s->len);
        memset(s->buf + s->len, '#', sizeof s->buf - s->len);   /* past the window: not the body */
        s->reads++;
    }
    *ptr = s->buf + (off - s->at);
    *len = s->at + s->len - off;
    return 0;
}

static source SRC;

static void begin_put(int may_resend, size_t window, size_t max_send)
{
    NOW = 1000;
    vod_x_begin(&X, &plain_route, HEAD, sizeof HEAD - 1, 1000, may_resend, 500, NOW);
    memset(&SRC, 0, sizeof SRC);
    SRC.window = window;
    SRC.fail_at = (size_t)-1;
    X.body_fill = source_fill;
    X.body_ctx = &SRC;
    X.req_body_len = sizeof BODY - 1;
    X.max_send = max_send;
}

/* Drives SENDs until the exchange asks for something else: what went out,
 * appended to *wire (the slices, each checked against max_send). */
static vod_xop send_all(vod_xop op, char *wire, size_t cap, size_t *n, int *slices, size_t max_send)
{
    while (op == VOD_XOP_SEND) {
        CHECK(X.out_len > 0 && (max_send == 0 || X.out_len <= max_send), "a slice of 1 to max_send bytes");
        if (*n + X.out_len <= cap) {
            memcpy(wire + *n, X.out, X.out_len);
            *n += X.out_len;
        }
        (*slices)++;
        op = step(ev_ok(0));
    }
    return op;
}

static int wire_is_put(const char *wire, size_t n)
{
    return n == sizeof HEAD - 1 + sizeof BODY - 1 && memcmp(wire, HEAD, sizeof HEAD - 1) == 0 &&
           memcmp(wire + sizeof HEAD - 1, BODY, sizeof BODY - 1) == 0;
}

static void body_held_in_slices(void)
{
    char wire[128];
    size_t n = 0;
    int slices = 0;
    NOW = 1000;
    vod_x_begin(&X, &plain_route, HEAD, sizeof HEAD - 1, 1000, 0, 500, NOW);
    X.req_body = BODY;
    X.req_body_len = sizeof BODY - 1;
    X.max_send = 16;
    step(ev_none());
    CHECK(send_all(step(ev_ok(0)), wire, sizeof wire, &n, &slices, 16) == VOD_XOP_RECV, "then read");
    CHECK(wire_is_put(wire, n), "the head, then the body held");
    CHECK(slices == 4 && X.sends == 1, "48 + 10 bytes in slices of 16: 4 slices, one send");
}

static void body_in_windows(void)
{
    char wire[128];
    size_t n = 0;
    int slices = 0;
    begin_put(0, 4, 0);
    step(ev_none());
    CHECK(step(ev_ok(0)) == VOD_XOP_SEND && X.out == HEAD && X.out_len == sizeof HEAD - 1,
          "the head first, whole");
    CHECK(SRC.n_asked == 0, "the body is not asked for before the head is sent");
    CHECK(step(ev_ok(0)) == VOD_XOP_SEND && X.out == SRC.buf && X.out_len == 4, "a window");
    memcpy(wire, HEAD, sizeof HEAD - 1);
    n = sizeof HEAD - 1;
    CHECK(send_all(VOD_XOP_SEND, wire, sizeof wire, &n, &slices, 0) == VOD_XOP_RECV, "then read");
    CHECK(wire_is_put(wire, n), "the body, window by window");
    CHECK(slices == 3 && SRC.reads == 3 && SRC.n_asked == 3, "10 bytes: 4 + 4 + 2, each window read once");
    CHECK(SRC.asked[0] == 0 && SRC.asked[1] == 4 && SRC.asked[2] == 8, "asked at 0, 4, 8");
    CHECK(step(ev_data(OK)) == VOD_XOP_KEEP && step(ev_none()) == VOD_XOP_DONE && X.sends == 1, "answered");
}

/* The driver takes less than a window at a time (a cosocket's slices): the
 * rest of the window is asked for next, from where the slice ended. */
static void windows_in_slices(void)
{
    char wire[128];
    size_t n = 0;
    int slices = 0;
    begin_put(0, 4, 3);
    step(ev_none());
    CHECK(send_all(step(ev_ok(0)), wire, sizeof wire, &n, &slices, 3) == VOD_XOP_RECV, "then read");
    CHECK(wire_is_put(wire, n), "the same bytes in slices of 3");
    CHECK(SRC.reads == 3, "each window read once");
    CHECK(SRC.n_asked == 5 && SRC.asked[0] == 0 && SRC.asked[1] == 3 && SRC.asked[2] == 4 &&
          SRC.asked[3] == 7 && SRC.asked[4] == 8, "asked at 0, 3, 4, 7, 8: no slice crosses a window");
}

/* A source that gives less than asked (a short read): the next window
 * begins where it ended. */
static int short_fill(void *ctx, size_t off, const char **ptr, size_t *len, char *why, size_t why_len)
{
    (void)ctx, (void)why, (void)why_len;
    *ptr = BODY + off;
    *len = 1;
    return 0;
}

static void short_windows(void)
{
    char wire[128];
    size_t n = 0;
    int slices = 0;
    begin_put(0, 4, 0);
    X.body_fill = short_fill;
    step(ev_none());
    CHECK(send_all(step(ev_ok(0)), wire, sizeof wire, &n, &slices, 0) == VOD_XOP_RECV, "then read");
    CHECK(wire_is_put(wire, n) && slices == 11, "a byte a window: the head and 10 windows");
}

/* A kept connection dies unanswered after the body went out: the request
 * goes again on a fresh one, its body asked for again from offset 0. */
static void resend_reads_again(void)
{
    char wire[128];
    size_t n = 0;
    int slices = 0;
    begin_put(1, 4, 0);
    step(ev_none());
    CHECK(send_all(step(ev_ok(1)), wire, sizeof wire, &n, &slices, 0) == VOD_XOP_RECV, "sent on a kept one");
    CHECK(step(ev_eof()) == VOD_XOP_CLOSE && step(ev_none()) == VOD_XOP_CONNECT && X.fresh,
          "closed unanswered: a fresh connection");
    n = 0;
    slices = 0;
    CHECK(send_all(step(ev_ok(0)), wire, sizeof wire, &n, &slices, 0) == VOD_XOP_RECV, "sent again");
    CHECK(wire_is_put(wire, n), "the same bytes again");
    CHECK(SRC.n_asked == 6 && SRC.asked[3] == 0 && SRC.reads == 6, "from offset 0, each window read again");
    CHECK(step(ev_data(OK)) == VOD_XOP_KEEP && step(ev_none()) == VOD_XOP_DONE && X.sends == 2,
          "answered, sent twice");
    /* the driver fails in the middle of the body on a kept connection: the same */
    begin_put(1, 4, 0);
    step(ev_none());
    step(ev_ok(1));
    CHECK(step(ev_ok(0)) == VOD_XOP_SEND && SRC.asked[0] == 0, "the first window");
    CHECK(step(ev_ok(0)) == VOD_XOP_SEND && SRC.asked[1] == 4, "the second");
    {
        vod_xev e = ev_fail(VOD_FAIL_NETWORK, "Broken pipe");
        e.sent = 1;
        CHECK(step(e) == VOD_XOP_CLOSE && step(ev_none()) == VOD_XOP_CONNECT, "failed mid-body: again");
    }
    n = 0;
    slices = 0;
    CHECK(send_all(step(ev_ok(0)), wire, sizeof wire, &n, &slices, 0) == VOD_XOP_RECV && wire_is_put(wire, n),
          "the whole request again, its body from 0");
    CHECK(SRC.n_asked == 5 && SRC.asked[2] == 0, "asked at 0 again");
}

static void fill_fails(void)
{
    /* in the middle of the body: the connection is closed, the exchange fails */
    begin_put(1, 4, 0);
    SRC.fail_at = 8;
    step(ev_none());
    step(ev_ok(0));
    CHECK(step(ev_ok(0)) == VOD_XOP_SEND && step(ev_ok(0)) == VOD_XOP_SEND, "two windows");
    CHECK(step(ev_ok(0)) == VOD_XOP_CLOSE, "the third cannot be read: close (the request is cut)");
    CHECK(step(ev_none()) == VOD_XOP_FAILED && X.fail == VOD_FAIL_SOURCE, "failed: the body's source");
    CHECK(strcmp(X.msg, "f.mp4: the file shrank while it was being uploaded") == 0, X.msg);
    CHECK(X.sent && X.sends == 1 && X.http_status == 0, "part of it went out, once");
    /* at the body's first byte: the same, and not sent again on a kept connection */
    begin_put(1, 4, 0);
    SRC.fail_at = 0;
    step(ev_none());
    CHECK(step(ev_ok(1)) == VOD_XOP_SEND && X.out == HEAD, "the head");
    CHECK(step(ev_ok(0)) == VOD_XOP_CLOSE && step(ev_none()) == VOD_XOP_FAILED &&
          X.fail == VOD_FAIL_SOURCE && X.sends == 1, "no body: failed, no resend");
    /* a source that gives nothing */
    begin_put(0, 4, 0);
    SRC.give_nothing = 1;
    step(ev_none());
    CHECK(step(ev_ok(0)) == VOD_XOP_SEND && X.out == HEAD, "the head");
    CHECK(step(ev_ok(0)) == VOD_XOP_CLOSE && step(ev_none()) == VOD_XOP_FAILED &&
          X.fail == VOD_FAIL_SOURCE, "0 bytes: failed");
    CHECK(strcmp(X.msg, "the request body's source gave nothing at offset 0 of 10") == 0, X.msg);
    /* a fresh exchange forgets the source */
    vod_x_begin(&X, &plain_route, REQ, sizeof REQ - 1, 1000, 0, 500, NOW);
    CHECK(X.body_fill == NULL && X.body_ctx == NULL && X.req_body == NULL, "begin resets the body");
}

static void writer(void)
{
    vod_buf b = { NULL, 0, 0 };
    vod_h1w_request_line(&b, "POST", "/", 1);
    vod_h1w_host(&b, "vod.tencentcloudapi.com:443", 1);
    vod_h1w_host(&b, "127.0.0.1:8080", 1);
    vod_h1w_host(&b, "[::1]:80", 0);
    vod_h1w_line(&b, "X-TC-Token:");
    vod_h1w_line(&b, "X-TC-Version: 2018-07-17");
    vod_h1w_end(&b, 12345);
    CHECK(strcmp(vod_buf_cstr(&b), "POST / HTTP/1.1\r\nHost: vod.tencentcloudapi.com\r\n"
                 "Host: 127.0.0.1:8080\r\nHost: [::1]\r\nX-TC-Version: 2018-07-17\r\n"
                 "Content-Length: 12345\r\n\r\n") == 0, vod_buf_cstr(&b));
    vod_buf_free(&b, 0);
}

int main(void)
{
    fresh_success();
    connection_close_closes();
    died_unanswered(1);
    died_unanswered(0);
    fresh_died_is_final();
    failures_after_the_status_line();
    the_deadline();
    connect_failures();
    tunnel();
    body_held_in_slices();
    body_in_windows();
    windows_in_slices();
    short_windows();
    resend_reads_again();
    fill_fails();
    writer();
    vod_x_free(&X);
    return check_report();
}
