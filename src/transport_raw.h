/* Inside the transport only: the raw path (transport_raw.c) and the pieces
 * of transport.c it shares. Nothing outside transport*.c includes this. */
#ifndef VOD_TRANSPORT_RAW_H
#define VOD_TRANSPORT_RAW_H

#include "transport.h"

/* The two paths' words for the same outcomes. */
#define VOD_TP_NOT_RESENT "the connection closed before any answer; the request may have " \
                          "reached the server, and it was not sent again"
#define VOD_TP_TOO_LARGE_MSG "response body larger than the cap"

/* libcurl's result, as a transport status. */
vod_tp_status vod_tp_classify(CURLcode rc, const vod_transport *t);

/* A failure on the way through the proxy, told apart from one at the server:
 * 1 when it was one (r and t->msg updated). */
int vod_tp_proxy_failure(vod_transport *t, CURLcode rc, vod_tp_result *r);

/* Sets the raw path up on an initialised easy handle (CONNECT_ONLY, the
 * multi handle, the request line and Host). 0 ok, -1 (t->errbuf says). */
int vod_raw_init(vod_transport *t, const vod_tp_config *c);

/* Closes the connection and frees what vod_raw_init made; before the easy
 * handle's cleanup. Safe after a failed or no init. */
void vod_raw_free(vod_transport *t);

vod_tp_status vod_raw_post(vod_transport *t, const char *const *headers, size_t nheaders,
                           const char *body, size_t len, int may_resend, vod_tp_result *r);

#endif
