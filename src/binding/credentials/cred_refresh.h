/* The credential chain, in the official SDKs' order: the options (secret_id,
 * secret_key, token, or `credentials`: a table or a function), the
 * environment, the profile file, the CVM instance role. vod.new resolves the
 * static sources at once; a credentials function and the CVM role are
 * fetched lazily at the first call and refreshed ahead of their expiry. The
 * transports only move bytes: this file decides when a refresh is due, reads
 * what came back and installs the new key (signer) and token (X-TC-Token). */
#ifndef VOD_CREDS_H
#define VOD_CREDS_H

#include <lua.h>

#include "cred_types.h"

struct vod_client;

/* vod.new, on the new client: installs static credentials (or prepares the
 * lazy ones), then wipes the scratch copy. opts: the options table's index. */
void vod_creds_init(lua_State *L, struct vod_client *c, const vod_cred_config *k, int opts);

/* __gc/close: drops the function reference and wipes the token. */
void vod_creds_free(lua_State *L, struct vod_client *c);

/* The libcurl path, before a call: refreshes when due (a credentials
 * function, or a GET to the metadata service), or raises
 * ClientError.Credentials when there are no usable credentials. Call only
 * when c->cred.refresh_at != VOD_CREDS_NEVER (the hot path's one compare). */
void vod_creds_refresh(lua_State *L, struct vod_client *c);

/* build_request (no I/O): raises ClientError.Credentials unless the client
 * holds credentials that have not expired. Same precondition. */
void vod_creds_require(lua_State *L, struct vod_client *c, const char *action);

/* The credential methods (methods.c lists them). */
int vod_m_credentials_due(lua_State *L);
int vod_m_credentials_from_function(lua_State *L);
int vod_m_metadata_request(lua_State *L);
int vod_m_metadata_response(lua_State *L);
int vod_m_refresh_credentials(lua_State *L);
int vod_m_credential_status(lua_State *L);

#endif
