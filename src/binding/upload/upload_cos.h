/* A lane's request to COS (XML API V5): written, signed, and its answer read
 * (upload_cos.c). upload.c decides what to ask and what an answer means for
 * the upload; here is what each request is on the wire, and what COS said. */
#ifndef VOD_UPLOAD_COS_H
#define VOD_UPLOAD_COS_H

#include <lua.h>

#include "cos_xml.h"
#include "upload_types.h"

enum {
    VOD_COS_PUT = 1,        /* PUT Object: a whole object */
    VOD_COS_INIT,           /* Initiate Multipart Upload */
    VOD_COS_PART,           /* Upload Part */
    VOD_COS_COMPLETE,       /* Complete Multipart Upload */
    VOD_COS_ABORT,          /* Abort Multipart Upload */
    VOD_COS_LIST,           /* List Parts */
    VOD_COS_HEAD            /* HEAD Object */
};

/* What an answer was. */
enum {
    VOD_COS_OK = 0,         /* a success: a->doc (INIT, COMPLETE, LIST), the headers */
    VOD_COS_RETRY,          /* a failure worth another try (network, 5xx, a proxy's page) */
    VOD_COS_SKEWED,         /* RequestTimeTooSkewed: the clock is corrected from Date, try again */
    VOD_COS_FINAL           /* a failure no retry changes */
};

typedef struct vod_cos_answer {
    int outcome;
    vod_cos_xml_doc doc;            /* to free with vod_cos_xml_doc_free */
    char etag[VOD_H1_CAPTURE_LEN];
    char crc[VOD_H1_CAPTURE_LEN];   /* x-cos-hash-crc64ecma, "" when none */
    char request_id[VOD_H1_CAPTURE_LEN];
    char code[80];                  /* COS's Code, or the library's kind of failure */
    char message[400];
    long http_status;
} vod_cos_answer;

/* The operation's name in COS's documentation (the error's `action`). */
const char *vod_cos_op_name(int kind);

/* Writes and signs lane l's request (l->kind, l->part, l->body_ptr) and
 * begins its exchange. 0, or -1 with why (the signer refused a value). */
int vod_cos_begin(vod_upload *u, vod_lane *l, char why[VOD_COS_WHY_MAX]);

/* The exchange ended (failed: it FAILED): what the answer says, into a. */
void vod_cos_read(vod_upload *u, vod_lane *l, int failed, vod_cos_answer *a);

/* x-cos-hash-crc64ecma's decimal text: 1 and *v, or 0 when absent or bad. */
int vod_cos_crc_of(const char *text, uint64_t *v);

#endif
