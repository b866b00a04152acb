/* vod.new's side of the credential chain: the options, the environment, the
 * profile file, else the CVM role for later (creds.c fetches it). */
#ifndef VOD_CREDS_READ_H
#define VOD_CREDS_READ_H

#include <lua.h>

#include "cred_config.h"

/* Resolves the chain into k (zeroed by the caller), reading the options
 * table at t (0: none). Raises ClientError.InvalidOption for a bad option,
 * ClientError.Credentials for an explicit choice that cannot be honoured or
 * when nothing is found and the CVM role is off. */
void vod_creds_read(lua_State *L, int t, vod_cred_config *k);

#endif
