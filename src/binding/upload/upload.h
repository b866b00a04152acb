/* client:upload: media into VOD, as the engine's state machine. The flow is
 * VOD's server-side upload (the ApplyUpload and CommitUpload pages of the VOD
 * API) with the bytes going to Tencent COS (XML API V5: PUT Object, or a
 * multipart upload), signed with ApplyUpload's temporary credentials:
 *
 *   ApplyUpload -> [ParseStreamingManifest: an m3u8 or mpd's segments]
 *     -> each object (media, cover, segments): one PUT, or Initiate + parts
 *        in parallel + Complete; every request with Content-MD5; the
 *        object's CRC-64 compared with COS's x-cos-hash-crc64ecma
 *     -> CommitUpload -> FileId, MediaUrl, CoverUrl
 *
 * The work goes on lanes (one per part in flight, `concurrency` of them),
 * each asking its driver for the next step, as a call does (engine.h):
 *
 *   CALL      run this API call (a vod_call box) and step with (ok, answer|err)
 *   READ      call the MediaReader and step with pcall's results
 *   PROGRESS  call progress(done, total, what) and step with pcall's results
 *   SLEEP, CONNECT, HANDSHAKE, SEND, RECV, KEEP, CLOSE: as for a call, to COS
 *   WAIT      nothing to do until another lane has stepped
 *   DONE      this lane is finished; when all are, the upload's answer (or
 *             its error) is vod_upload_result's
 *
 * One lane reads a stream at a time, one runs the API calls; parts go on all.
 * A file's or a string's parts have their MD5 and CRC-64 computed ahead,
 * many parts at once, a slice at each step of any lane (upload_ahead.h); a
 * file's part whose digests are known is then sent from the file as it is
 * read, a window at a time (file_window.h), not held whole by its lane.
 * The logic is here once: the libcurl driver (upload_curl.c) multiplexes the
 * lanes' connections with poll, the cosocket driver (src/lua/ngx.lua) runs a
 * light thread a lane. */
#ifndef VOD_UPLOAD_H
#define VOD_UPLOAD_H

#include <lua.h>

#include "engine.h"
#include "upload_types.h"

#define VOD_UPLOAD_MT "tencentcloud.vod.upload"

typedef enum vod_uop {
    VOD_UOP_SLEEP = VOD_OP_SLEEP,
    VOD_UOP_CONNECT = VOD_OP_CONNECT,
    VOD_UOP_HANDSHAKE = VOD_OP_HANDSHAKE,
    VOD_UOP_SEND = VOD_OP_SEND,
    VOD_UOP_RECV = VOD_OP_RECV,
    VOD_UOP_KEEP = VOD_OP_KEEP,
    VOD_UOP_CLOSE = VOD_OP_CLOSE,
    VOD_UOP_CALL = 100,
    VOD_UOP_READ,
    VOD_UOP_PROGRESS,
    VOD_UOP_WAIT,
    VOD_UOP_DONE
} vod_uop;

/* What a lane's driver did: as for a call (the I/O), or the values of a
 * CALL, READ or PROGRESS at ev->base (ok, value...). */
typedef vod_ev vod_uev;

/* Pushes a new upload (a box, upload_lua.c) of the client at index client,
 * reading params at `params` and opts at `opts` (0: none) and checking them:
 * raises ClientError.InvalidParameter or ClientError.InvalidOption before
 * anything is sent. */
vod_upload *vod_upload_start(lua_State *L, int client, vod_driver d, int params, int opts);

/* After vod_upload_start: the first phase, from the checkpoint when one can
 * be resumed. */
void vod_upload_begin(lua_State *L, vod_upload *u);

/* Lane i's next step. CALL pushes nothing (the box is lane->call_ref's);
 * the values a driver gives back are at ev->base. */
vod_uop vod_upload_step(lua_State *L, vod_upload *u, int i, const vod_uev *ev);

/* When every lane is DONE: pushes the answer, or raises the error. */
int vod_upload_result(lua_State *L, vod_upload *u);

/* __gc: frees everything, aborts nothing (a driver that stops before the
 * end leaves the multipart upload to the checkpoint, or to COS's lifecycle). */
void vod_upload_free(lua_State *L, vod_upload *u);

#endif
