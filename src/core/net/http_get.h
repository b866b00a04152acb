/* One short HTTP GET with libcurl, for the CVM metadata service: its own
 * easy handle, made and cleaned up per call, so the API's connection and its
 * settings are never touched. No proxy (the metadata service is link-local),
 * no redirects, a body cap. Knows nothing of Lua; never raises. */
#ifndef VOD_HTTP_GET_H
#define VOD_HTTP_GET_H

#include <stddef.h>
#include <curl/curl.h>

#include "buf.h"

typedef struct vod_get_result {
    long http_status;               /* 0 when no response arrived */
    char error[CURL_ERROR_SIZE];    /* why it failed, when it returns -1 */
} vod_get_result;

/* GETs url into body (emptied first). Returns 0 when a response arrived
 * (any status: see r->http_status), -1 on a network failure, a timeout or a
 * body over max_body bytes (r->error says which). */
int vod_http_get(const char *url, long connect_timeout_ms, long timeout_ms, size_t max_body,
                 vod_buf *body, vod_get_result *r);

#endif
