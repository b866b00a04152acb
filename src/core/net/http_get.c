#include "http_get.h"

#include <stdio.h>
#include <string.h>

#include "transport.h"

typedef struct sink {
    vod_buf *body;
    size_t max;
    int too_large, nomem;
} sink;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    sink *s = ud;
    size_t len = size * n;
    if (s->body->len + len > s->max) {
        s->too_large = 1;
        return 0;               /* libcurl stops with CURLE_WRITE_ERROR */
    }
    if (vod_buf_add(s->body, p, len) != 0) {
        s->nomem = 1;
        return 0;
    }
    return len;
}

int vod_http_get(const char *url, long connect_timeout_ms, long timeout_ms, size_t max_body,
                 vod_buf *body, vod_get_result *r)
{
    CURL *h;
    CURLcode rc = CURLE_OK;
    sink s = { body, max_body, 0, 0 };
    char errbuf[CURL_ERROR_SIZE] = "";
    memset(r, 0, sizeof *r);
    vod_buf_reset(body);
    if (vod_transport_global_init() != 0 || (h = curl_easy_init()) == NULL) {
        snprintf(r->error, sizeof r->error, "libcurl set-up failed");
        return -1;
    }
#define SET(opt, val) if (rc == CURLE_OK) rc = curl_easy_setopt(h, (opt), (val))
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_URL, url);
    SET(CURLOPT_HTTPGET, 1L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_NOPROXY, "*");          /* never through a proxy from the environment */
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, timeout_ms);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, &s);
    SET(CURLOPT_FORBID_REUSE, 1L);
#undef SET
    if (rc == CURLE_OK)
        rc = curl_easy_perform(h);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->http_status);
    } else if (s.too_large) {
        snprintf(r->error, sizeof r->error, "response larger than %zu bytes", max_body);
    } else if (s.nomem) {
        snprintf(r->error, sizeof r->error, "out of memory");
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(r->error, sizeof r->error, "timed out after %ld ms", timeout_ms);
    } else if (rc == CURLE_COULDNT_CONNECT) {
        snprintf(r->error, sizeof r->error, "connection refused or unreachable");
    } else {
        snprintf(r->error, sizeof r->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
    }
    curl_easy_cleanup(h);
    return rc == CURLE_OK ? 0 : -1;
}
