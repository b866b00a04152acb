/* How an endpoint is reached (route.h). */
#include "route.h"

#include <stdio.h>
#include <string.h>

#include <mbedtls/base64.h>
#include <mbedtls/platform_util.h>

#include "h1_writer.h"

/* "Proxy-Authorization: Basic base64(user:password)\r\n" (RFC 7617); the
 * copies made on the way are wiped. */
static int add_proxy_auth(vod_buf *b, const vod_proxy *p)
{
    unsigned char plain[2 * VOD_PROXY_CRED_MAX + 2], coded[4 * (2 * VOD_PROXY_CRED_MAX + 2) / 3 + 8];
    size_t n = (size_t)snprintf((char *)plain, sizeof plain, "%s:%s", p->user, p->password), out = 0;
    int rc = mbedtls_base64_encode(coded, sizeof coded, &out, plain, n) != 0 ||
             vod_buf_addstr(b, "Proxy-Authorization: Basic ") || vod_buf_add(b, coded, out) ||
             vod_buf_add(b, "\r\n", 2);
    mbedtls_platform_zeroize(plain, sizeof plain);
    mbedtls_platform_zeroize(coded, sizeof coded);
    return rc ? -1 : 0;
}

int vod_route_init(vod_route *r, const vod_proxy *p, const char *scheme, const char *authority,
                   long connect_timeout_ms)
{
    int via_http = p != NULL && (p->kind == VOD_PROXY_HTTP || p->kind == VOD_PROXY_HTTPS);
    const char *bracket = strchr(authority, ']');
    const char *port = strchr(bracket ? bracket : authority, ':');
    char target[340];
    int rc = 0;
    r->https = strcmp(scheme, "https") == 0;
    r->absolute_form = via_http && !r->https;
    if (r->absolute_form) {
        snprintf(r->origin, sizeof r->origin, "http://%s", authority);
        snprintf(r->conn_url, sizeof r->conn_url, strchr(p->host, ':') ? "%s://[%s]:%d/" :
                 "%s://%s:%d/", p->kind == VOD_PROXY_HTTPS ? "https" : "http", p->host, p->port);
        if (p->has_auth)
            rc |= add_proxy_auth(&r->proxy_auth, p);
    } else {
        r->origin[0] = '\0';
        snprintf(r->conn_url, sizeof r->conn_url, "%s://%s/", scheme, authority);
    }
    if (via_http && r->https) {
        snprintf(target, sizeof target, "%s%s", authority, port ? "" : ":443");
        rc |= vod_h1w_request_line(&r->connect_req, "CONNECT", target, strlen(target));
        rc |= vod_h1w_header(&r->connect_req, "Host", target, strlen(target));
        if (p->has_auth)
            rc |= add_proxy_auth(&r->connect_req, p);
        rc |= vod_h1w_end_bare(&r->connect_req);
    }
    memset(&r->curl, 0, sizeof r->curl);
    r->curl.connect_timeout_ms = connect_timeout_ms;
    r->sock = r->curl;
    r->sock.tunnel = via_http && r->https;
    r->sock.handshake = r->https;
    r->sock.connect_req = r->connect_req.data;
    r->sock.connect_len = r->connect_req.len;
    return rc ? -1 : 0;
}

void vod_route_free(vod_route *r)
{
    vod_buf_free(&r->connect_req, 1);
    vod_buf_free(&r->proxy_auth, 1);
}
