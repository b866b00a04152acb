/* vod.new's side of the credential chain: the options, the environment, the
 * profile file, else the CVM role for later (cred_refresh.c fetches it). */
#ifndef VOD_CRED_READ_H
#define VOD_CRED_READ_H

#include <stddef.h>
#include <lua.h>

#include "cred_types.h"

/* Resolves the chain into k (zeroed by the caller), reading the options
 * table at t (0: none). Raises ClientError.InvalidOption for a bad option,
 * ClientError.Credentials for an explicit choice that cannot be honoured or
 * when nothing is found and the CVM role is off. */
void vod_creds_read(lua_State *L, int t, vod_cred_config *k);

/* The chain's messages, shared with the lazy fetch (cred_refresh.c); never
 * formats a secret. */
/* Why these cannot be used (into why,
 * naming `from`), or NULL; the error listing the sources tried ('\n'-separated
 * in tried, then last); the `sources` array on the error object on top. */
const char *vod_creds_unusable(const char *id, size_t idl, const char *key, size_t keyl,
                               const char *tok, size_t tokl, const char *from, char *why,
                               size_t n);
void vod_creds_push_nothing_found(lua_State *L, const char *tried, const char *last);
void vod_creds_set_sources(lua_State *L, const char *tried, const char *last);

#endif
