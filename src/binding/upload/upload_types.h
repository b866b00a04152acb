/* client:upload's state (upload.c): the upload, its objects, their parts,
 * and its lanes, for the files that work on it (upload.c, upload_cos.c,
 * upload_params.c, upload_ahead.c, the drivers). A leaf: it includes none of
 * the upload's other headers, which all include it; what each does with
 * these is in its own header (upload.h: the API of the state machine). */
#ifndef VOD_UPLOAD_TYPES_H
#define VOD_UPLOAD_TYPES_H

#include <stdint.h>

#include "checkpoint.h"
#include "client_type.h"
#include "cos_sign.h"
#include "engine.h"
#include "exchange.h"
#include "file_window.h"
#include "md5_mb.h"
#include "part_digest.h"
#include "route.h"

#define VOD_UPLOAD_MAX_LANES 32
#define VOD_UPLOAD_MIB (1024ULL * 1024ULL)
#define VOD_UPLOAD_MAX_PARTS 10000

/* The digests ahead of a multipart object's parts (upload_ahead.h). */
typedef struct vod_ahead {
    int ready;                  /* impl and width chosen */
    int impl;                   /* multi-buffer MD5 (VOD_MD5_MB_NONE: no digests ahead) */
    unsigned width;             /* its lanes */
    int off;                    /* given up for this object */
    unsigned frontier;          /* the parts before it were considered for a batch */
    unsigned lanes;             /* parts in the batch under way (0: none) */
    unsigned part[VOD_MD5_MB_MAX_LANES];    /* their indices in the upload's parts */
    unsigned long long len;     /* the size of each */
    unsigned long long done;    /* bytes of each hashed so far */
    uint64_t crc[VOD_MD5_MB_MAX_LANES];
    vod_md5_mb mb;
    unsigned char *scratch;     /* a file's slice (VOD_AHEAD_SLICE bytes) */
    size_t stride;              /* bytes of each part a slice: the slice shared by the batch's parts */
} vod_ahead;

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
    const char *body_huge;      /* body's buffer once asked for huge pages */
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

#endif
