/* Connections opened by libcurl, bytes moved with curl_easy_send/recv
 * (curl_conn.h). */
#define _POSIX_C_SOURCE 200809L
#include "curl_conn.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ca_store.h"

#define MAX_IDLE_MS 118000      /* as libcurl's CURLOPT_MAXAGE_CONN */

long long vod_conn_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int left_ms(long long deadline)
{
    long long d = deadline - vod_conn_now_ms();
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

static void fail(vod_xev *ev, vod_fail f, const char *msg)
{
    ev->kind = VOD_XEV_FAIL;
    ev->fail = f;
    ev->msg = msg;
}

int vod_conn_global_init(void)
{
    static int done;
    if (!done) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return -1;
        done = 1;
    }
    return 0;
}

#define SET(opt, val)                                                   \
    do {                                                                \
        CURLcode rc_ = curl_easy_setopt(c->easy, (opt), (val));         \
        if (rc_ != CURLE_OK) {                                          \
            if (c->errbuf[0] == '\0')                                   \
                strncpy(c->errbuf, curl_easy_strerror(rc_), sizeof c->errbuf - 1); \
            return -1;                                                  \
        }                                                               \
    } while (0)

/* The proxy decided in proxy.c, and only it: "" stops libcurl from reading
 * http_proxy & co. itself, and an empty NOPROXY from applying no_proxy on
 * top. The credentials go in their own options, never inside the URL. */
static int set_proxy(vod_conn *c, const vod_proxy *p)
{
    SET(CURLOPT_NOPROXY, "");
    if (p == NULL || p->kind == VOD_PROXY_NONE) {
        SET(CURLOPT_PROXY, "");
        return 0;
    }
    SET(CURLOPT_PROXY, p->url);
    if (p->has_auth) {
        SET(CURLOPT_PROXYUSERNAME, p->user);
        SET(CURLOPT_PROXYPASSWORD, p->password);
    }
    if (p->kind == VOD_PROXY_HTTPS) {
        SET(CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
        SET(CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
    }
    c->proxy = p->kind;
    return 0;
}

/* The trust anchors: the ca_file option, else libcurl's default bundle,
 * parsed once per process (ca_store.c) rather than per connection. */
static int set_ca(vod_conn *c, const char *ca_file)
{
    char *dflt = NULL;
    const char *ca = ca_file;
    if (ca == NULL && curl_easy_getinfo(c->easy, CURLINFO_CAINFO, &dflt) == CURLE_OK)
        ca = dflt;
    if (ca != NULL && vod_ca_store_usable()) {
        c->ca_path = strdup(ca);
        if (c->ca_path == NULL) {
            strncpy(c->errbuf, "out of memory", sizeof c->errbuf - 1);
            return -1;
        }
        SET(CURLOPT_CAINFO, NULL);
        SET(CURLOPT_CAPATH, NULL);
        /* the callback serves an https proxy's handshake too */
        SET(CURLOPT_PROXY_CAINFO, NULL);
        SET(CURLOPT_PROXY_CAPATH, NULL);
        SET(CURLOPT_SSL_CTX_FUNCTION, vod_ca_store_ssl_ctx);
        SET(CURLOPT_SSL_CTX_DATA, c->ca_path);
    } else if (ca_file != NULL) {
        SET(CURLOPT_CAINFO, ca_file);
        SET(CURLOPT_PROXY_CAINFO, ca_file);
    }
    return 0;
}

int vod_conn_init(vod_conn *c, const vod_conn_config *cfg)
{
    c->fd = CURL_SOCKET_BAD;
    c->easy = curl_easy_init();
    c->multi = curl_multi_init();
    if (c->easy == NULL || c->multi == NULL) {
        strncpy(c->errbuf, "curl_easy_init or curl_multi_init failed", sizeof c->errbuf - 1);
        return -1;
    }
    SET(CURLOPT_ERRORBUFFER, c->errbuf);
    SET(CURLOPT_URL, cfg->url);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);    /* always: no option turns these off */
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    if (set_ca(c, cfg->ca_file) != 0 || set_proxy(c, cfg->proxy) != 0)
        return -1;
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_CONNECT_ONLY, 1L);
    return 0;
}

void vod_conn_close(vod_conn *c)
{
    /* libcurl closes a CONNECT_ONLY connection when its handle leaves a
     * multi handle of the application's */
    if (c->attached)
        curl_multi_remove_handle(c->multi, c->easy);
    c->attached = 0;
    c->fd = CURL_SOCKET_BAD;
}

void vod_conn_free(vod_conn *c)
{
    vod_conn_close(c);
    if (c->multi != NULL)
        curl_multi_cleanup(c->multi);
    if (c->easy != NULL)
        curl_easy_cleanup(c->easy);
    c->multi = NULL;
    c->easy = NULL;
    free(c->ca_path);
    c->ca_path = NULL;
}

int vod_conn_kept(vod_conn *c)
{
    struct pollfd p;
    char b[64];
    size_t got = 0;
    if (!c->attached)
        return 0;
    if (vod_conn_now_ms() - c->last_used_ms > MAX_IDLE_MS)
        goto gone;
    p.fd = c->fd;
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, 0) == 0)
        return 1;                       /* nothing arrived while idle */
    if (p.revents & (POLLERR | POLLHUP | POLLNVAL))
        goto gone;
    /* a TLS record that carries no data (a session ticket) leaves it usable;
     * the end of the connection, an error or unasked-for bytes do not */
    if (curl_easy_recv(c->easy, b, sizeof b, &got) == CURLE_AGAIN)
        return 1;
gone:
    vod_conn_close(c);
    return 0;
}

void vod_conn_keep(vod_conn *c)
{
    c->last_used_ms = vod_conn_now_ms();
}

static vod_fail classify(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return VOD_FAIL_DNS;
    case CURLE_COULDNT_CONNECT: return VOD_FAIL_CONNECT;
    case CURLE_OPERATION_TIMEDOUT: return VOD_FAIL_TIMEOUT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE: return VOD_FAIL_TLS_VERIFY;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED: return VOD_FAIL_TLS;
    case CURLE_OUT_OF_MEMORY: return VOD_FAIL_NOMEM;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY: return VOD_FAIL_NETWORK;
    default: return VOD_FAIL_OTHER;
    }
}

/* A failure on the way through the proxy, told apart from one at the
 * server: the CONNECT's own status, the SOCKS reply, the proxy's
 * certificate. Returns 1 when it was one (ev and c->msg set). Nothing
 * reached the server. */
static int proxy_failure(vod_conn *c, CURLcode rc, vod_xev *ev)
{
    long cc = 0, px = 0, vr = 0;
    const char *why = c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc);
    curl_easy_getinfo(c->easy, CURLINFO_HTTP_CONNECTCODE, &cc);
    if (cc != 0 && (cc < 200 || cc > 299)) {
        ev->fail = cc == 407 ? VOD_FAIL_PROXY_AUTH : VOD_FAIL_PROXY;
        ev->http_status = cc;
        snprintf(c->msg, sizeof c->msg, cc == 407 ? "the proxy refused the credentials: %s"
                 : "the proxy refused the tunnel: %s", why);
        return 1;
    }
    if (rc == CURLE_PROXY) {
        curl_easy_getinfo(c->easy, CURLINFO_PROXY_ERROR, &px);
        ev->fail = (px == CURLPX_USER_REJECTED || px == CURLPX_NO_AUTH ||
                    px == CURLPX_LONG_USER || px == CURLPX_LONG_PASSWD)
                   ? VOD_FAIL_PROXY_AUTH : VOD_FAIL_PROXY;
        snprintf(c->msg, sizeof c->msg, "%s: %s", ev->fail == VOD_FAIL_PROXY_AUTH
                 ? "the proxy refused the credentials" : "the proxy failed", why);
        return 1;
    }
    if (c->proxy == VOD_PROXY_HTTPS && (ev->fail == VOD_FAIL_TLS_VERIFY || ev->fail == VOD_FAIL_TLS) &&
        curl_easy_getinfo(c->easy, CURLINFO_PROXY_SSL_VERIFYRESULT, &vr) == CURLE_OK && vr != 0) {
        snprintf(c->msg, sizeof c->msg, "the proxy's certificate: %s", why);
        return 1;
    }
    return 0;
}

void vod_conn_open(vod_conn *c, long timeout_ms, vod_xev *ev)
{
    CURLMcode mc = CURLM_OK;
    CURLcode rc = CURLE_OK;
    CURLMsg *m;
    int running = 1, queued;
    memset(ev, 0, sizeof *ev);
    vod_conn_close(c);
    c->errbuf[0] = '\0';
    /* the exchange's time bounds the connect (DNS, proxy and TLS included) */
    curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    if (curl_multi_add_handle(c->multi, c->easy) != CURLM_OK) {
        fail(ev, VOD_FAIL_OTHER, "curl_multi_add_handle failed");
        return;
    }
    c->attached = 1;
    while (running && mc == CURLM_OK) {
        mc = curl_multi_perform(c->multi, &running);
        if (running && mc == CURLM_OK)
            mc = curl_multi_poll(c->multi, NULL, 0, 1000, NULL);
    }
    while ((m = curl_multi_info_read(c->multi, &queued)) != NULL)
        if (m->msg == CURLMSG_DONE)
            rc = m->data.result;
    if (mc != CURLM_OK) {
        vod_conn_close(c);
        fail(ev, mc == CURLM_OUT_OF_MEMORY ? VOD_FAIL_NOMEM : VOD_FAIL_OTHER,
             curl_multi_strerror(mc));
        return;
    }
    if (rc != CURLE_OK) {
        fail(ev, classify(rc), c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
        if (c->proxy != VOD_PROXY_NONE && proxy_failure(c, rc, ev))
            ev->msg = c->msg;
        vod_conn_close(c);
        return;
    }
    if (curl_easy_getinfo(c->easy, CURLINFO_ACTIVESOCKET, &c->fd) != CURLE_OK ||
        c->fd == CURL_SOCKET_BAD) {
        vod_conn_close(c);
        fail(ev, VOD_FAIL_OTHER, "libcurl gave no socket for the connection");
        return;
    }
    ev->kind = VOD_XEV_OK;
    ev->reused = 0;
}

static const char *failed_msg(vod_conn *c, CURLcode rc)
{
    snprintf(c->msg, sizeof c->msg, "%s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
    return c->msg;
}

void vod_conn_send(vod_conn *c, const char *p, size_t n, long timeout_ms, vod_xev *ev)
{
    long long deadline = vod_conn_now_ms() + timeout_ms;
    size_t off = 0;
    memset(ev, 0, sizeof *ev);
    while (off < n) {
        size_t k = 0;
        CURLcode rc;
        c->errbuf[0] = '\0';
        rc = curl_easy_send(c->easy, p + off, n - off, &k);
        if (rc == CURLE_OK) {
            off += k;
        } else if (rc == CURLE_AGAIN) {
            if (!wait_fd(c->fd, POLLOUT, deadline)) {
                ev->sent = off > 0;
                fail(ev, VOD_FAIL_TIMEOUT, "timed out");
                return;
            }
        } else {
            ev->sent = off > 0;
            fail(ev, rc == CURLE_OUT_OF_MEMORY ? VOD_FAIL_NOMEM : VOD_FAIL_NETWORK,
                 failed_msg(c, rc));
            return;
        }
    }
    ev->kind = VOD_XEV_OK;
}

void vod_conn_recv(vod_conn *c, char *buf, size_t cap, long timeout_ms, vod_xev *ev)
{
    long long deadline = vod_conn_now_ms() + timeout_ms;
    memset(ev, 0, sizeof *ev);
    for (;;) {
        size_t n = 0;
        CURLcode rc;
        c->errbuf[0] = '\0';
        rc = curl_easy_recv(c->easy, buf, cap, &n);
        if (rc == CURLE_AGAIN) {
            if (!wait_fd(c->fd, POLLIN, deadline)) {
                fail(ev, VOD_FAIL_TIMEOUT, "timed out");
                return;
            }
            continue;
        }
        if (rc != CURLE_OK) {
            fail(ev, rc == CURLE_OUT_OF_MEMORY ? VOD_FAIL_NOMEM : VOD_FAIL_NETWORK,
                 failed_msg(c, rc));
            return;
        }
        if (n == 0) {
            ev->kind = VOD_XEV_EOF;
            return;
        }
        ev->kind = VOD_XEV_DATA;
        ev->data = buf;
        ev->len = n;
        return;
    }
}
