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
    writer();
    vod_x_free(&X);
    return check_report();
}
