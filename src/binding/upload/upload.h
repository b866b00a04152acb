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
 * many parts at once, a slice at each step of any lane (upload_ahead.h).
 * The logic is here once: the libcurl driver (upload_curl.c) multiplexes the
 * lanes' connections with poll, the cosocket driver (src/lua/ngx.lua) runs a
 * light thread a lane. */
#ifndef VOD_UPLOAD_H
#define VOD_UPLOAD_H

#include <stdint.h>

#include <lua.h>

#include "checkpoint.h"
#include "client_type.h"
#include "cos_sign.h"
#include "engine.h"
#include "exchange.h"
#include "file_window.h"
#include "part_digest.h"
#include "route.h"
#include "upload_ahead.h"

#define VOD_UPLOAD_MT "tencentcloud.vod.upload"
#define VOD_UPLOAD_MAX_LANES 32
#define VOD_UPLOAD_MIB (1024ULL * 1024ULL)
#define VOD_UPLOAD_MAX_PARTS 10000

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

enum { VOD_SRC_FILE = 1, VOD_SRC_CONTENT, VOD_SRC_READER };
enum { VOD_WHAT_MEDIA = 0, VOD_WHAT_COVER, VOD_WHAT_SEGMENT };

/* One object to put into COS. */
typedef struct vod_uobj {
    int what;
    int src;
    char *path;                 /* VOD_SRC_FILE (malloc'd) */
    int fd;                     /* open while its bytes are read, else -1 */
    const char *content;        /* VOD_SRC_CONTENT: the Lua string (held by content_ref) */
    int content_ref;
    long long size;             /* -1: not known yet (a reader without MediaSize) */
    char *key;                  /* in COS: the storage path without its leading '/' */
    char *segment;              /* VOD_WHAT_SEGMENT: its path relative to the manifest */
} vod_uobj;

enum { VOD_PART_TODO = 0, VOD_PART_FLIGHT, VOD_PART_DONE };

typedef struct vod_upart {
    unsigned long long offset, size;
    int state;
    uint64_t crc;                    /* its CRC-64, once digested ahead or sent */
    char etag[VOD_H1_CAPTURE_LEN];   /* as COS answered it, quotes and all */
    int digested;                    /* md5 and crc computed ahead (upload_ahead.h) */
    unsigned char md5[16];
} vod_upart;

typedef struct vod_lane {
    int job;                    /* what it does now (upload.c) */
    int kind;                   /* the COS request, for a COS job (upload_cos.h) */
    unsigned part;              /* its part number (1-based), for a part */
    vod_exchange x;
    vod_buf wire;               /* the request's head */
    vod_buf body;               /* a part's bytes (read from a file, or filled by a stream) */
    const char *body_ptr;       /* the body sent: body's, or a MediaContent's own bytes */
    size_t body_len;
    int windowed;               /* a file's part digested ahead: sent from win as it is read */
    vod_file_window win;        /* its window, kept for the lane's parts */
    vod_part_digest dig;        /* a stream's part: hashed as it comes */
    int dig_on;
    int attempts, retries, skew_fixed, ambiguous;
    double started;             /* monotonic s: the request's first try */
    uint64_t crc;               /* the body's CRC-64 */
    unsigned char md5[16];
    int call_ref;               /* CALL: the call's box */
    int call_kind;              /* which call */
    double sleep;               /* SLEEP: seconds */
    unsigned long long list_marker;   /* ListParts: the next page's marker */
    int asked;                  /* the step its driver was given last */
} vod_lane;

typedef struct vod_upload {
    vod_client *c;
    vod_driver driver;
    int client_ref, self_ref;
    /* the request */
    int params_ref;             /* ApplyUpload's parameters, as given (less the media's) */
    int progress_ref, reader_ref;
    int concurrency;
    unsigned long long part_size, threshold;
    int content_md5;
    long timeout_ms;            /* a COS request's */
    char *checkpoint;           /* its path, or NULL */
    char media_type[32], cover_type[32];
    /* what ApplyUpload gave */
    char *session, *bucket, *region, *media_path, *cover_path, *upload_id_of_resume;
    long long expired;          /* the credentials' ExpiredTime */
    unsigned long long sub_app_id;
    int has_sub_app_id;
    vod_cos_signer signer;
    int https;                  /* COS is reached over TLS */
    char host[320];             /* COS's Host header value: host[:port] */
    vod_route route;            /* how COS is reached (and a cosocket's host, port, pool) */
    long long cos_offset;       /* s to add to the local clock for COS (its Date) */
    long long key_start, key_end;
    /* the objects */
    vod_uobj *objs;
    size_t n_objs, cur;
    /* the current object's parts (multipart), or its one PUT */
    int multipart;
    char *upload_id;
    vod_upart *parts;
    unsigned n_parts, cap_parts;
    unsigned next_part;         /* the next part to hand out (0-based) */
    int stream_eof;             /* a reader gave its end */
    unsigned long long stream_read;   /* bytes it gave */
    int reading;                /* a lane is in READ */
    int manifest;               /* the media is an m3u8 or mpd: its segments go with it */
    vod_buf fill;               /* a stream's part being filled */
    vod_ahead ahead;            /* the digests of the parts to come (upload_ahead.h) */
    uint64_t obj_crc;           /* the object's CRC-64, when its one PUT's body was read */
    unsigned long long done_bytes, total_bytes, what_done, what_total;
    double last_progress;
    int progress_due, in_progress, progress_force;
    unsigned long long prog_done, prog_total;   /* the figures of the progress due */
    const char *prog_what;
    /* the phase, and who is busy */
    int phase, ob;              /* the upload's phase, the current object's (upload.c) */
    int busy;                   /* lanes doing something for the phase (not parts) */
    int flying;                 /* parts in flight */
    int commit_retried;
    vod_ckpt ckpt;              /* the checkpoint's content, when one is kept */
    int resumed;
    /* the outcome */
    int result_ref;             /* CommitUpload's answer */
    int error_ref;              /* the error, once the upload has failed */
    int aborting;
    char stage[16];
    double started;
    /* the lanes */
    vod_lane lanes[VOD_UPLOAD_MAX_LANES];
    int n_lanes;
} vod_upload;

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
