/* Inside the transport only: what both of its paths share (transport.c,
 * transport_raw.c): the words for the same outcomes, and libcurl's result
 * as a transport status. */
#ifndef VOD_TP_RESULT_H
#define VOD_TP_RESULT_H

#include "tp_types.h"

/* The two paths' words for the same outcomes. */
#define VOD_TP_NOT_RESENT "the connection closed before any answer; the request may have " \
                          "reached the server, and it was not sent again"
#define VOD_TP_TOO_LARGE_MSG "response body larger than the cap"

/* libcurl's result, as a transport status. */
vod_tp_status vod_tp_classify(CURLcode rc, const vod_transport *t);

/* A failure on the way through the proxy, told apart from one at the server:
 * 1 when it was one (r and t->msg updated). */
int vod_tp_proxy_failure(vod_transport *t, CURLcode rc, vod_tp_result *r);

/* libcurl's result, as a transport status. */
vod_tp_status vod_tp_classify(CURLcode rc, const vod_transport *t);

/* A failure on the way through the proxy, told apart from one at the server:
 * 1 when it was one (r and t->msg updated). */
int vod_tp_proxy_failure(vod_transport *t, CURLcode rc, vod_tp_result *r);

#endif
