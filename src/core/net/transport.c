#include "transport.h"

#include "ca_store.h"
#include "tp_result.h"
#include "transport_raw.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    vod_transport *t = ud;
    size_t len = size * n;
    if (t->response.len + len > t->max_response) {
        t->too_large = 1;
        return 0;               /* makes libcurl stop with CURLE_WRITE_ERROR */
    }
    if (vod_buf_add(&t->response, p, len) != 0)
        return 0;
    return len;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    vod_transport *t = ud;
    size_t len = size * n;
    if (len > 5 && strncasecmp(p, "date:", 5) == 0) {
        size_t i = 5, j = len;
        while (i < j && (p[i] == ' ' || p[i] == '\t')) i++;
        while (j > i && (p[j - 1] == '\r' || p[j - 1] == '\n' || p[j - 1] == ' ')) j--;
        if (j - i >= sizeof t->date)
            j = i + sizeof t->date - 1;
        memcpy(t->date, p + i, j - i);
        t->date[j - i] = '\0';
    }
    return len;
}

/* libcurl is about to send the request: once per call, unless a reused
 * connection died unanswered and libcurl wants to send it again. */
static int on_prereq(void *ud, char *conn_primary_ip, char *conn_local_ip, int conn_primary_port,
                     int conn_local_port)
{
    vod_transport *t = ud;
    (void)conn_primary_ip;
    (void)conn_local_ip;
    (void)conn_primary_port;
    (void)conn_local_port;
    if (t->attempts++ > 0 && !t->may_resend) {
        t->refused_resend = 1;
        return CURL_PREREQFUNC_ABORT;
    }
    return CURL_PREREQFUNC_OK;
}

int vod_transport_global_init(void)
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
        CURLcode rc_ = curl_easy_setopt(t->easy, (opt), (val));         \
        if (rc_ != CURLE_OK) {                                          \
            if (t->errbuf[0] == '\0')                                   \
                strncpy(t->errbuf, curl_easy_strerror(rc_), sizeof t->errbuf - 1); \
            return -1;                                                  \
        }                                                               \
    } while (0)

/* The proxy decided in proxy.c, and only it: "" stops libcurl from reading
 * http_proxy & co. itself, and an empty NOPROXY from applying no_proxy on
 * top. The credentials go in their own options, never inside the URL. */
static int set_proxy(vod_transport *t, const vod_tp_config *c)
{
    const vod_proxy *p = c->proxy;
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
    t->proxy = p->kind;
    t->proxy_absolute = (p->kind == VOD_PROXY_HTTP || p->kind == VOD_PROXY_HTTPS) &&
                        strncmp(c->url, "http:", 5) == 0;
    return 0;
}

int vod_transport_init(vod_transport *t, const vod_tp_config *c)
{
    t->max_response = c->max_response;
    t->easy = curl_easy_init();
    if (t->easy == NULL) {
        strncpy(t->errbuf, "curl_easy_init failed", sizeof t->errbuf - 1);
        return -1;
    }
    SET(CURLOPT_ERRORBUFFER, t->errbuf);
    SET(CURLOPT_URL, c->url);
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);    /* always: no option turns these off */
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    {
        /* the trust anchors: the ca_file option, else libcurl's default bundle,
         * parsed once per process (ca_store.c) rather than per connection */
        char *dflt = NULL;
        const char *ca = c->ca_file;
        if (ca == NULL && curl_easy_getinfo(t->easy, CURLINFO_CAINFO, &dflt) == CURLE_OK)
            ca = dflt;
        if (ca != NULL && vod_ca_store_usable()) {
            t->ca_path = strdup(ca);
            if (t->ca_path == NULL) {
                strncpy(t->errbuf, "out of memory", sizeof t->errbuf - 1);
                return -1;
            }
            SET(CURLOPT_CAINFO, NULL);
            SET(CURLOPT_CAPATH, NULL);
            /* the callback serves an https proxy's handshake too */
            SET(CURLOPT_PROXY_CAINFO, NULL);
            SET(CURLOPT_PROXY_CAPATH, NULL);
            SET(CURLOPT_SSL_CTX_FUNCTION, vod_ca_store_ssl_ctx);
            SET(CURLOPT_SSL_CTX_DATA, t->ca_path);
        } else if (c->ca_file != NULL) {
            SET(CURLOPT_CAINFO, c->ca_file);
            SET(CURLOPT_PROXY_CAINFO, c->ca_file);
        }
    }
    if (set_proxy(t, c) != 0)
        return -1;
    SET(CURLOPT_TIMEOUT_MS, c->timeout_ms);
    SET(CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    SET(CURLOPT_TCP_KEEPALIVE, 1L);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, t);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, t);
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    if (!t->proxy_absolute)
        return vod_raw_init(t, c);
    /* libcurl sends the request itself: the guard against its silent second send */
    SET(CURLOPT_PREREQFUNCTION, on_prereq);
    SET(CURLOPT_PREREQDATA, t);
    return 0;
}

void vod_transport_free(vod_transport *t)
{
    vod_raw_free(t);                    /* closes the connection while the handle lives */
    if (t->easy != NULL)
        curl_easy_cleanup(t->easy);
    t->easy = NULL;
    vod_buf_free(&t->response, 0);
    free(t->ca_path);
    t->ca_path = NULL;
}

vod_tp_status vod_transport_post(vod_transport *t, const char *const *headers, size_t nheaders,
                                 const char *body, size_t len, int may_resend, vod_tp_result *r)
{
    CURLcode rc;
    long connects = 0;
    if (t->multi != NULL)     /* the raw path (transport_raw.c) */
        return vod_raw_post(t, headers, nheaders, body, len, may_resend, r);
    if (nheaders > VOD_TP_MAX_HEADERS)
        nheaders = VOD_TP_MAX_HEADERS;
    /* libcurl only reads the list: link our fixed nodes, no allocation */
    for (size_t i = 0; i < nheaders; i++) {
        t->nodes[i].data = (char *)headers[i];
        t->nodes[i].next = i + 1 < nheaders ? &t->nodes[i + 1] : NULL;
    }
    curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, nheaders ? t->nodes : NULL);
    t->attempts = 0;
    t->refused_resend = 0;
    t->may_resend = may_resend;
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, body);
    vod_buf_reset(&t->response);
    t->too_large = 0;
    t->date[0] = '\0';
    t->errbuf[0] = '\0';

    rc = curl_easy_perform(t->easy);

    r->status = vod_tp_classify(rc, t);
    r->http_status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r->http_status);
    curl_easy_getinfo(t->easy, CURLINFO_NUM_CONNECTS, &connects);
    r->connects = connects;
    {
        long req_size = 0;
        curl_easy_getinfo(t->easy, CURLINFO_REQUEST_SIZE, &req_size);
        r->sent = req_size > 0 || t->attempts > 0;
    }
    if (t->proxy != VOD_PROXY_NONE && vod_tp_proxy_failure(t, rc, r))
        r->message = t->msg;
    else if (r->status == VOD_TP_TOO_LARGE)
        r->message = VOD_TP_TOO_LARGE_MSG;
    else if (t->refused_resend)
        r->message = VOD_TP_NOT_RESENT;
    else
        r->message = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
    return r->status;
}
