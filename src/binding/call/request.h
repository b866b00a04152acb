/* The halves of a call that do no I/O, shared by both transports (request.c):
 * check and encode, sign, parse a response into the Response table or an
 * error object, the clock, the debug sink, and what the retry policy needs
 * to know of a request. */
#ifndef VOD_REQUEST_H
#define VOD_REQUEST_H

#include <lua.h>

#include "buf.h"
#include "client_type.h"
#include "retry.h"
#include "tc3_sign.h"
#include "vod_model.h"

/* One call's request: its body, encoded once, and each attempt's signed
 * headers and bytes on the wire (both wiped when freed: they are signed,
 * and may hold a caller's secrets). */
typedef struct vod_request {
    vod_buf body;
    vod_buf wire;
    char hdr_action[96];
    char hdr_timestamp[40];
    char hdr_auth[TC3_AUTH_MAX + 32];
} vod_request;

void vod_request_free(vod_request *r);

/* Checks (when typed is non-NULL: the action's hand-written rules, then its
 * model at every depth) and encodes the table at params into r->body;
 * raises ClientError.InvalidParameter (attempts = 0). */
void vod_request_prepare(lua_State *L, vod_request *r, const char *action, int params,
                         const vod_maction *typed);
/* Signs r->body for `timestamp` into r's headers (and the debug sink). */
void vod_request_sign(lua_State *L, vod_client *c, vod_request *r, const char *action,
                      long long timestamp);
/* The bytes on the wire: the client's request line and constant headers,
 * r's signed ones, the length and the body. 0, or -1 out of memory. */
int vod_request_write(const vod_client *c, vod_request *r);
/* Pushes the Response table and returns 1, or pushes an error object and returns 0. */
int vod_response_parse(lua_State *L, vod_client *c, const char *action, long status,
                       const char *body, size_t len);
void vod_debug(lua_State *L, vod_client *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The server's clock as the client knows it (the Date header's correction). */
long long vod_client_now(const vod_client *c);
double vod_client_wallnow(const vod_client *c);   /* the same, with the fraction */
int vod_learn_clock(vod_client *c, const char *http_date);
void vod_failure_of(lua_State *L, int idx, vod_failure *f);
/* A query (the model's Describe*, Search*, PullEvents without a SessionId;
 * by name for an action the model does not know): safe to repeat. */
int vod_is_read_only(const char *action);
/* An action the server paces itself (PullEvents: held while the queue is
 * empty): it takes no token from the client's bucket and does not adapt its
 * rate, so an idle long poll is never throttled on this side. */
int vod_skips_limiter(const char *action);
/* An action whose request takes a SessionId: it creates something. */
int vod_action_is_create(const char *action);
/* Adds "SessionId":"<sid>" to the encoded body (an object). 0, or -1 out of memory. */
int vod_body_add_session_id(vod_buf *body, const char *sid);

/* The SessionId this call carries, pushed on the stack (the caller keeps
 * it there for the call's life), or NULL with something pushed anyway (pop
 * one value either way). The caller's own SessionId is used as given; a
 * create without one gets a generated one (unless auto_session_id = false):
 * *generated is then set, and the caller adds it to the encoded body
 * (vod_body_add_session_id). An empty SessionId ("": no de-duplication, the
 * API's rule) gives NULL: such a create is not safe to repeat. */
const char *vod_request_session_id(lua_State *L, vod_client *c, const char *action, int params,
                                   int *generated);

/* The action at idx, or raises ClientError.InvalidParameter unless it is
 * 1..64 letters and digits (no NUL, no header-breaking byte). */
const char *vod_check_action(lua_State *L, int idx);

#endif
