/* The credential chain, in the official SDKs' order: the options (secret_id,
 * secret_key, token, or `credentials`: a table or a function), the
 * environment, the profile file, the CVM instance role. vod.new resolves the
 * static sources at once; a credentials function and the CVM role are
 * fetched lazily at the first call and refreshed ahead of their expiry. The
 * engine asks for them and the drivers move the bytes: this file says when a
 * refresh is due, reads what came back and installs the new key (signer) and
 * token (X-TC-Token). */
#ifndef VOD_CRED_REFRESH_H
#define VOD_CRED_REFRESH_H

#include <stddef.h>
#include <lua.h>

#include "buf.h"

#include "cred_types.h"

struct vod_client;

/* vod.new, on the new client: installs static credentials (or prepares the
 * lazy ones), then wipes the scratch copy. opts: the options table's index. */
void vod_creds_init(lua_State *L, struct vod_client *c, const vod_cred_config *k, int opts);

/* __gc/close: drops the function reference and wipes the token. */
void vod_creds_free(lua_State *L, struct vod_client *c);

/* The engine's side (src/binding/call/engine.c): it decides when to fetch
 * and moves nothing itself; these read what came back. */

/* A fetch is due (force: now, whatever the time): not for static ones. */
int vod_creds_due(const struct vod_client *c, int force);
/* The client holds credentials that have not expired (static ones always). */
int vod_creds_usable(const struct vod_client *c);
/* A fetch begins (now: monotonic s); another call of the client that finds
 * its credentials due waits for it until now + budget. */
void vod_creds_fetch_begin(struct vod_client *c, double now, double budget);
/* What pcall(credentials_function) gave, at base (ok, r1, r2): installs the
 * credentials, or raises ClientError.Credentials when none are usable; the
 * failure is kept for the calls that waited (vod_creds_shared_failure). */
void vod_creds_from_function(lua_State *L, struct vod_client *c, int base);
/* A metadata answer (status, body), or the network's failure (neterr).
 * Returns 1 when another GET is needed (the role was just discovered), 0
 * when the fetch is over; raises as above. */
int vod_creds_from_metadata(lua_State *L, struct vod_client *c, long status, const char *body,
                            size_t len, const char *neterr);
/* Raises the failure of fetch number gen, if that fetch failed; else 0. */
int vod_creds_shared_failure(lua_State *L, const struct vod_client *c, unsigned gen);
/* The metadata URL being asked (for messages), and its GET request. */
void vod_creds_metadata_url(const struct vod_client *c, char *out, size_t n);
int vod_creds_metadata_request(const struct vod_client *c, vod_buf *req);

/* build_request (no I/O), and after a fetch: raises ClientError.Credentials
 * unless the client holds credentials that have not expired. */
void vod_creds_require(lua_State *L, struct vod_client *c, const char *action);

/* client:credential_status() (methods.c lists it). */
int vod_m_credential_status(lua_State *L);

#endif
