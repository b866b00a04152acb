/* The hot path without libcurl's HTTP layer. libcurl still opens every
 * connection, in CONNECT_ONLY mode on the client's one easy handle: DNS, the
 * proxy tunnel or SOCKS, TLS with the certificate and host name verified.
 * Then the request goes out as one prepared buffer through curl_easy_send,
 * and the answer comes back through curl_easy_recv into http1.c. That saves
 * most of what libcurl spends per request on building and parsing HTTP
 * (bench/RESULTS.md).
 *
 * The connection is kept alive between calls. Before a reuse it is checked
 * (nothing to read, idle under 118 s); if it dies before any answer, the
 * request is sent again on a new connection only when that is provably
 * safe: nothing was written, or the action is read-only. Otherwise the call
 * fails, marked as possibly delivered. */
#define _POSIX_C_SOURCE 200809L
#include "transport_raw.h"

#include "tp_result.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define MAX_IDLE_MS 118000      /* as libcurl's CURLOPT_MAXAGE_CONN */

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int left_ms(long long deadline)
{
    long long d = deadline - now_ms();
    return d <= 0 ? 0 : d > INT_MAX ? INT_MAX : (int)d;
}

/* 1 ready (or in error: the next send/recv says which), 0 the deadline passed. */
static int wait_fd(curl_socket_t fd, short events, long long deadline)
{
    for (;;) {
        struct pollfd p;
        int n;
        p.fd = fd;
        p.events = events;
        p.revents = 0;
        n = poll(&p, 1, left_ms(deadline));
        if (n > 0)
            return 1;
        if (n == 0)
            return 0;
        if (errno != EINTR)
            return 1;
    }
}

static vod_tp_status set(vod_tp_result *r, vod_tp_status st, const char *msg)
{
    r->status = st;
    r->message = msg;
    return st;
}

static vod_tp_status failf_(vod_transport *t, vod_tp_result *r, vod_tp_status st, const char *what,
                            CURLcode rc)
{
    snprintf(t->msg, sizeof t->msg, "%s: %s", what,
             t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc));
    return set(r, st, t->msg);
}

/* Closes the connection at once (libcurl does so when a CONNECT_ONLY handle
 * leaves a multi handle of the application's). */
static void drop(vod_transport *t)
{
    if (t->attached)
        curl_multi_remove_handle(t->multi, t->easy);
    t->attached = 0;
    t->fd = CURL_SOCKET_BAD;
}

static int still_usable(vod_transport *t)
{
    struct pollfd p;
    char b[64];
    size_t got = 0;
    if (now_ms() - t->last_used_ms > MAX_IDLE_MS)
        return 0;
    p.fd = t->fd;
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, 0) == 0)
        return 1;                       /* nothing arrived while idle */
    if (p.revents & (POLLERR | POLLHUP | POLLNVAL))
        return 0;
    /* a TLS record that carries no data (a session ticket) leaves it usable;
     * the end of the connection, an error or unasked-for bytes do not */
    return curl_easy_recv(t->easy, b, sizeof b, &got) == CURLE_AGAIN;
}

static vod_tp_status open_connection(vod_transport *t, long long deadline, vod_tp_result *r)
{
    CURLMcode mc = CURLM_OK;
    CURLcode rc = CURLE_OK;
    CURLMsg *msg;
    int running = 1, queued;
    int ms = left_ms(deadline);
    if (ms == 0)
        return set(r, VOD_TP_TIMEOUT, "timed out before a connection could be opened");
    t->errbuf[0] = '\0';
    curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, (long)ms);   /* what is left of the call's */
    if (curl_multi_add_handle(t->multi, t->easy) != CURLM_OK)
        return set(r, VOD_TP_OTHER, "curl_multi_add_handle failed");
    t->attached = 1;
    while (running && mc == CURLM_OK) {
        mc = curl_multi_perform(t->multi, &running);
        if (running && mc == CURLM_OK)
            mc = curl_multi_poll(t->multi, NULL, 0, 1000, NULL);
    }
    while ((msg = curl_multi_info_read(t->multi, &queued)) != NULL)
        if (msg->msg == CURLMSG_DONE)
            rc = msg->data.result;
    if (mc != CURLM_OK) {
        drop(t);
        return set(r, mc == CURLM_OUT_OF_MEMORY ? VOD_TP_NOMEM : VOD_TP_OTHER,
                   curl_multi_strerror(mc));
    }
    if (rc != CURLE_OK) {
        r->status = vod_tp_classify(rc, t);
        if (!(t->proxy != VOD_PROXY_NONE && vod_tp_proxy_failure(t, rc, r)))
            r->message = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
        else
            r->message = t->msg;
        drop(t);
        return r->status;
    }
    if (curl_easy_getinfo(t->easy, CURLINFO_ACTIVESOCKET, &t->fd) != CURLE_OK ||
        t->fd == CURL_SOCKET_BAD) {
        drop(t);
        return set(r, VOD_TP_OTHER, "libcurl gave no socket for the connection");
    }
    r->connects++;
    return VOD_TP_OK;
}

static vod_tp_status send_request(vod_transport *t, long long deadline, vod_tp_result *r)
{
    size_t off = 0;
    while (off < t->request.len) {
        size_t n = 0;
        CURLcode rc;
        t->errbuf[0] = '\0';
        rc = curl_easy_send(t->easy, t->request.data + off, t->request.len - off, &n);
        if (rc == CURLE_OK) {
            off += n;
            if (n)
                r->sent = 1;
        } else if (rc == CURLE_AGAIN) {
            if (!wait_fd(t->fd, POLLOUT, deadline)) {
                snprintf(t->msg, sizeof t->msg, "timed out after %ld ms sending the "
                         "request", t->timeout_ms);
                return set(r, VOD_TP_TIMEOUT, t->msg);
            }
        } else {
            return failf_(t, r, rc == CURLE_OUT_OF_MEMORY ? VOD_TP_NOMEM : VOD_TP_NETWORK,
                          "sending the request", rc);
        }
    }
    return VOD_TP_OK;
}

static vod_tp_status read_response(vod_transport *t, long long deadline, vod_tp_result *r)
{
    char buf[16384];
    for (;;) {
        size_t n = 0;
        vod_h1_rc h;
        CURLcode rc;
        t->errbuf[0] = '\0';
        rc = curl_easy_recv(t->easy, buf, sizeof buf, &n);
        if (rc == CURLE_AGAIN) {
            if (!wait_fd(t->fd, POLLIN, deadline)) {
                snprintf(t->msg, sizeof t->msg, "timed out after %ld ms waiting for "
                         "the response", t->timeout_ms);
                return set(r, VOD_TP_TIMEOUT, t->msg);
            }
            continue;
        }
        if (rc != CURLE_OK)
            return failf_(t, r, rc == CURLE_OUT_OF_MEMORY ? VOD_TP_NOMEM : VOD_TP_NETWORK,
                          "receiving the response", rc);
        h = n ? vod_h1_feed(&t->h1, buf, n, &t->response) : vod_h1_eof(&t->h1);
        switch (h) {
        case VOD_H1_MORE:
            continue;
        case VOD_H1_DONE:
            return VOD_TP_OK;
        case VOD_H1_TOO_LARGE:
            return set(r, VOD_TP_TOO_LARGE, VOD_TP_TOO_LARGE_MSG);
        case VOD_H1_NOMEM:
            return set(r, VOD_TP_NOMEM, "out of memory reading the response");
        default:
            return set(r, VOD_TP_NETWORK, t->h1.error);
        }
    }
}

static int add_num(vod_buf *b, size_t v)
{
    char d[24];
    int i = (int)sizeof d;
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return vod_buf_add(b, d + i, sizeof d - (size_t)i);
}

/* The request as it goes on the wire: the prefix built at init, the header
 * lines ("Name:" alone means "none", as libcurl reads it), the length, the
 * body. Header values were checked for CR and LF before they got here. */
static int build_request(vod_transport *t, const char *const *headers, size_t nheaders,
                         const char *body, size_t len)
{
    vod_buf *b = &t->request;
    b->len = t->prefix_len;
    for (size_t i = 0; i < nheaders; i++) {
        size_t hl = strlen(headers[i]);
        if (hl == 0 || headers[i][hl - 1] == ':')
            continue;
        if (vod_buf_add(b, headers[i], hl) != 0 || vod_buf_add(b, "\r\n", 2) != 0)
            return -1;
    }
    if (vod_buf_add(b, "Content-Length: ", 16) != 0 || add_num(b, len) != 0 ||
        vod_buf_add(b, "\r\n\r\n", 4) != 0 || vod_buf_add(b, body, len) != 0)
        return -1;
    return 0;
}

vod_tp_status vod_raw_post(vod_transport *t, const char *const *headers, size_t nheaders,
                           const char *body, size_t len, int may_resend, vod_tp_result *r)
{
    long long deadline = now_ms() + t->timeout_ms;
    int sent = 0;               /* some attempt wrote a byte: the request may have arrived */
    r->http_status = 0;
    r->connects = 0;
    r->sent = 0;
    t->date[0] = '\0';
    if (build_request(t, headers, nheaders, body, len) != 0)
        return set(r, VOD_TP_NOMEM, "out of memory building the request");
    for (int attempt = 0;; attempt++) {
        int reused = 0;
        vod_tp_status st;
        if (t->attached && !still_usable(t))
            drop(t);
        if (t->attached) {
            reused = 1;
        } else if (open_connection(t, deadline, r) != VOD_TP_OK) {
            r->sent = sent;
            return r->status;
        }
        vod_buf_reset(&t->response);
        vod_h1_start(&t->h1, t->max_response);
        r->sent = 0;
        st = send_request(t, deadline, r);
        if (st == VOD_TP_OK)
            st = read_response(t, deadline, r);
        if (st == VOD_TP_OK) {
            r->http_status = t->h1.status;
            memcpy(t->date, t->h1.date, sizeof t->date);
            if (t->h1.keep_alive)
                t->last_used_ms = now_ms();
            else
                drop(t);
            r->sent = 1;
            return set(r, VOD_TP_OK, "");
        }
        drop(t);
        if (st != VOD_TP_NETWORK || !reused || attempt > 0 || vod_h1_started(&t->h1)) {
            r->sent |= sent;
            return st;
        }
        /* a kept-alive connection that ended before any answer */
        if (r->sent && !may_resend)
            return set(r, VOD_TP_NETWORK, VOD_TP_NOT_RESENT);
        /* nothing of it went out, or the action is read-only: once more, on a new connection */
        sent |= r->sent;
    }
}

/* "Host: name[:port]", as libcurl would send it: the port only when it is
 * not the scheme's own. */
static int build_prefix(vod_transport *t, const char *url)
{
    const char *hp = strstr(url, "://"), *end, *port;
    size_t hl;
    int https = strncmp(url, "https:", 6) == 0;
    if (hp == NULL)
        return -1;
    hp += 3;
    end = strchr(hp, '/');
    hl = end ? (size_t)(end - hp) : strlen(hp);
    port = hp[0] == '[' ? memchr(hp, ']', hl) : hp;
    port = port ? memchr(port, ':', hl - (size_t)(port - hp)) : NULL;
    if (port != NULL) {
        size_t pl = hl - (size_t)(port - hp);
        if ((https && pl == 4 && memcmp(port, ":443", 4) == 0) ||
            (!https && pl == 3 && memcmp(port, ":80", 3) == 0))
            hl = (size_t)(port - hp);
    }
    t->request.len = 0;
    if (vod_buf_add(&t->request, "POST / HTTP/1.1\r\nHost: ", 23) != 0 ||
        vod_buf_add(&t->request, hp, hl) != 0 || vod_buf_add(&t->request, "\r\n", 2) != 0)
        return -1;
    t->prefix_len = t->request.len;
    return 0;
}

int vod_raw_init(vod_transport *t, const vod_tp_config *c)
{
    t->fd = CURL_SOCKET_BAD;
    t->timeout_ms = c->timeout_ms;
    if (build_prefix(t, c->url) != 0) {
        strncpy(t->errbuf, "out of memory", sizeof t->errbuf - 1);
        return -1;
    }
    t->multi = curl_multi_init();
    if (t->multi == NULL) {
        strncpy(t->errbuf, "curl_multi_init failed", sizeof t->errbuf - 1);
        return -1;
    }
    if (curl_easy_setopt(t->easy, CURLOPT_CONNECT_ONLY, 1L) != CURLE_OK) {
        strncpy(t->errbuf, "CURLOPT_CONNECT_ONLY is not supported", sizeof t->errbuf - 1);
        return -1;
    }
    return 0;
}

void vod_raw_free(vod_transport *t)
{
    drop(t);
    if (t->multi != NULL)
        curl_multi_cleanup(t->multi);
    t->multi = NULL;
    vod_buf_free(&t->request, 1);       /* it held the token and the signature */
    vod_h1_free(&t->h1);
}
