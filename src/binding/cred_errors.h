/* What the credential chain says when credentials cannot be used or are
 * nowhere to be found: shared by vod.new's reading (creds_read.c) and the
 * lazy fetch (creds.c). Never formats a secret. */
#ifndef VOD_CRED_ERRORS_H
#define VOD_CRED_ERRORS_H

#include <stddef.h>
#include <lua.h>

/* Why these cannot be used (into why,
 * naming `from`), or NULL; the error listing the sources tried ('\n'-separated
 * in tried, then last); the `sources` array on the error object on top. */
const char *vod_creds_unusable(const char *id, size_t idl, const char *key, size_t keyl,
                               const char *tok, size_t tokl, const char *from, char *why,
                               size_t n);
void vod_creds_push_nothing_found(lua_State *L, const char *tried, const char *last);
void vod_creds_set_sources(lua_State *L, const char *tried, const char *last);

#endif
