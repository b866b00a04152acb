/* What libcurl's result code means for a call, shared by both paths of the
 * transport (transport.c, transport_raw.c). */
#include "tp_result.h"

#include <stdio.h>

vod_tp_status vod_tp_classify(CURLcode rc, const vod_transport *t)
{
    switch (rc) {
    case CURLE_OK: return VOD_TP_OK;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: return VOD_TP_DNS;
    case CURLE_COULDNT_CONNECT: return VOD_TP_CONNECT;
    case CURLE_OPERATION_TIMEDOUT: return VOD_TP_TIMEOUT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE: return VOD_TP_TLS_VERIFY;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_USE_SSL_FAILED: return VOD_TP_TLS;
    case CURLE_OUT_OF_MEMORY: return VOD_TP_NOMEM;
    case CURLE_WRITE_ERROR: return t->too_large ? VOD_TP_TOO_LARGE : VOD_TP_NOMEM;
    case CURLE_ABORTED_BY_CALLBACK: /* on_prereq refused to send a request twice */
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY: return VOD_TP_NETWORK;
    default: return VOD_TP_OTHER;
    }
}

/* A failure on the way through the proxy, told apart from one at the
 * server: the CONNECT's own status, the SOCKS reply, a 407 to an
 * absolute-form request, the proxy's certificate. Returns 1 when it was one
 * (r updated, the message in t->msg). Nothing reached the server. */
int vod_tp_proxy_failure(vod_transport *t, CURLcode rc, vod_tp_result *r)
{
    long cc = 0, px = 0, vr = 0;
    const char *why = t->errbuf[0] ? t->errbuf : curl_easy_strerror(rc);
    if (rc == CURLE_OK) {
        if (!(t->proxy_absolute && r->http_status == 407))
            return 0;
        r->status = VOD_TP_PROXY_AUTH;
        r->sent = 0;
        snprintf(t->msg, sizeof t->msg, "the proxy refused the credentials "
                 "(407 Proxy Authentication Required)");
        return 1;
    }
    curl_easy_getinfo(t->easy, CURLINFO_HTTP_CONNECTCODE, &cc);
    if (cc != 0 && (cc < 200 || cc > 299)) {
        r->status = cc == 407 ? VOD_TP_PROXY_AUTH : VOD_TP_PROXY;
        r->http_status = cc;
        r->sent = 0;
        snprintf(t->msg, sizeof t->msg, cc == 407
                 ? "the proxy refused the credentials: %s" : "the proxy refused the tunnel: %s",
                 why);
        return 1;
    }
    if (rc == CURLE_PROXY) {
        curl_easy_getinfo(t->easy, CURLINFO_PROXY_ERROR, &px);
        r->status = (px == CURLPX_USER_REJECTED || px == CURLPX_NO_AUTH ||
                     px == CURLPX_LONG_USER || px == CURLPX_LONG_PASSWD)
                    ? VOD_TP_PROXY_AUTH : VOD_TP_PROXY;
        r->http_status = 0;
        r->sent = 0;
        snprintf(t->msg, sizeof t->msg, "%s: %s", r->status == VOD_TP_PROXY_AUTH
                 ? "the proxy refused the credentials" : "the proxy failed", why);
        return 1;
    }
    if (t->proxy == VOD_PROXY_HTTPS && (r->status == VOD_TP_TLS_VERIFY || r->status == VOD_TP_TLS) &&
        curl_easy_getinfo(t->easy, CURLINFO_PROXY_SSL_VERIFYRESULT, &vr) == CURLE_OK && vr != 0) {
        snprintf(t->msg, sizeof t->msg, "the proxy's certificate: %s", why);
        return 1;
    }
    return 0;
}
