/* A call through libcurl, with the retry policy (call.c), and the methods
 * that make one. */
#ifndef VOD_CALL_H
#define VOD_CALL_H

#include <lua.h>

#include "client_type.h"
#include "vod_model.h"

/* The request path: check (when typed is non-NULL), encode, sign, send,
 * parse. Pushes the Response table, or raises an error object. */
int vod_client_request(lua_State *L, vod_client *c, const char *action, int params,
                       const vod_maction *typed);

/* Sets attempts, retryable, ambiguous on the error at err, and turns a
 * duplicate-SessionId refusal after an ambiguous attempt into MaybeCreated. */
void vod_finish_error(lua_State *L, int err, int attempts, const char *first_ambiguous,
                      const char *session_id, int idempotent);

/* client:<action>(params), one closure per action of the model with the
 * vod_maction as upvalue 3; client:call(action, params), unchecked */
int vod_m_action(lua_State *L);
int vod_m_call(lua_State *L);

#endif
