/* Inside the transport only: the raw path (transport_raw.c), called by
 * transport.c. Nothing outside transport.c includes this. */
#ifndef VOD_TRANSPORT_RAW_H
#define VOD_TRANSPORT_RAW_H

#include "tp_types.h"

/* Sets the raw path up on an initialised easy handle (CONNECT_ONLY, the
 * multi handle, the request line and Host). 0 ok, -1 (t->errbuf says). */
int vod_raw_init(vod_transport *t, const vod_tp_config *c);

/* Closes the connection and frees what vod_raw_init made; before the easy
 * handle's cleanup. Safe after a failed or no init. */
void vod_raw_free(vod_transport *t);

vod_tp_status vod_raw_post(vod_transport *t, const char *const *headers, size_t nheaders,
                           const char *body, size_t len, int may_resend, vod_tp_result *r);

#endif
