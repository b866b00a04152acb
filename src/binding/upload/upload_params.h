/* client:upload's inputs (upload_params.c): the parameters (ApplyUpload's
 * members, checked by the model, and where the media and the cover come
 * from), the options, the session ApplyUpload gives (or a checkpoint), the
 * segments of a manifest, and whether a checkpoint can be resumed. */
#ifndef VOD_UPLOAD_PARAMS_H
#define VOD_UPLOAD_PARAMS_H

#include <lua.h>

#include "upload_types.h"

/* Reads params (index) and opts (index, 0: none) into u. Raises
 * ClientError.InvalidParameter / InvalidOption before anything is sent. */
void vod_upload_read(lua_State *L, vod_upload *u, int params, int opts);

/* Pushes the parameters of a call: 0 ApplyUpload, 1 ParseStreamingManifest,
 * 2 CommitUpload. 0, or -1 with the error pushed. */
int vod_upload_call_params(lua_State *L, vod_upload *u, int which);

/* Takes a session (ApplyUpload's answer, or a checkpoint's): the signer,
 * COS's host from cos_endpoint, the route, the KeyTime, the objects' keys.
 * 0, or -1 with why. */
int vod_upload_session(vod_upload *u, const char *bucket, const char *region, const char *session,
                       const char *media, const char *cover, const char *id, const char *key,
                       const char *token, long long expired, char why[300]);

/* ParseStreamingManifest's answer at res: its segments, as objects after the
 * manifest. 0, or -1 with the error pushed. */
int vod_upload_segments(lua_State *L, vod_upload *u, int res);

#endif
