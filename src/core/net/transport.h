/* HTTP(S) POST with libcurl: one easy handle per client, reused so its
 * connection stays alive between calls. libcurl opens the connections; the
 * requests go through transport_raw.c's HTTP/1.1 over them, except for an
 * http endpoint behind an HTTP proxy (absolute-form), where libcurl does the
 * whole request. Knows nothing of Lua or of signing; never calls back into
 * anything that could raise. */
#ifndef VOD_TRANSPORT_H
#define VOD_TRANSPORT_H

#include "tp_types.h"

/* Call once per process before any other function (idempotent). 0 ok. */
int vod_transport_global_init(void);

/* t must be zeroed. Sets every per-client option once. 0 ok, -1 on failure
 * (libcurl's text in t->errbuf). vod_transport_free is safe after a failure. */
int vod_transport_init(vod_transport *t, const vod_tp_config *c);
void vod_transport_free(vod_transport *t);

/* POSTs body with the given header lines ("Name: value"; "Name:" alone is
 * skipped). The response body is in t->response afterwards. Returns
 * r->status.
 *
 * When a reused connection dies before any answer, the request is sent again
 * on a new one only when nothing of it was written, or when may_resend is
 * set (a read-only action). Otherwise the call fails with VOD_TP_NETWORK,
 * r->sent set, and the caller decides. (On libcurl's own path,
 * CURLOPT_PREREQFUNCTION refuses its silent second send.) The headers and
 * the body go out in one write. */
vod_tp_status vod_transport_post(vod_transport *t, const char *const *headers, size_t nheaders,
                                 const char *body, size_t len, int may_resend, vod_tp_result *r);

#endif
